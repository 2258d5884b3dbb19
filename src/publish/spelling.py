"""Hunspell, with the Debian dictionaries: the words of a language it does not know.

Hunspell runs in its ispell pipe mode (`-a`), one line of input a piece of a
passage: it answers each line with one result a word and an empty line, so that each
unknown word comes back with the passage it stands in and hunspell's suggestions."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from publish.diagnostics import BuildFailed, Code, Diagnostic

HUNSPELL = "hunspell"
PIECE = 2000
"""The most characters sent as one line: hunspell cuts a line of more than 8 KiB
into pieces it answers apart, and a character takes up to 4 bytes."""


@dataclass(frozen=True)
class Unknown:
    word: str
    suggestions: tuple[str, ...]


def unknown_words(passages: list[str], dictionary: str, package: str,
                  words: Iterable[str]) -> list[list[Unknown]]:
    """For each passage, the words neither `dictionary` (`be_BY`, of the Debian
    package `package`) nor `words` knows."""
    if not passages:
        return []
    program = shutil.which(HUNSPELL)
    if program is None:
        raise _missing("hunspell is not installed (Debian: apt install hunspell)")
    owners: list[int] = []
    lines = []
    for number, passage in enumerate(passages):
        for piece in textwrap.wrap(passage, PIECE, break_long_words=True,
                                   break_on_hyphens=False) or [""]:
            owners.append(number)
            # `^` makes every line text: a line that began with `*`, `@` or `#` would
            # be a command to add a word or save the word list.
            lines.append(f"^{piece}\n")
    with tempfile.TemporaryDirectory() as folder:
        # The word list as hunspell reads a personal dictionary, where `*word`
        # forbids a word and `word/model` takes another's affixes: a word of
        # either shape is no word of a book's list.
        personal = Path(folder) / "words.txt"
        personal.write_text("".join(f"{word}\n" for word in sorted(words)
                                    if not word.startswith("*") and "/" not in word),
                            encoding="utf-8")
        result = subprocess.run(
            [program, "-a", "-i", "utf-8", "-d", dictionary, "-p", str(personal)],
            input="".join(lines), capture_output=True, encoding="utf-8", errors="replace",
            check=False)
    if result.returncode != 0:
        raise _missing(f"hunspell cannot check {dictionary}: "
                       f"{result.stderr.strip() or 'it failed'} (Debian: apt install "
                       f"{package})")
    answers: list[list[Unknown]] = [[]]
    for line in result.stdout.splitlines()[1:]:
        if not line:
            answers.append([])
        elif line[0] in "&#":
            head, _, suggestions = line.partition(": ")
            answers[-1].append(Unknown(head.split()[1], tuple(
                s for s in suggestions.split(", ") if s) if line[0] == "&" else ()))
    found: list[list[Unknown]] = [[] for _ in passages]
    for owner, answer in zip(owners, answers, strict=False):
        found[owner].extend(answer)
    return found


def _missing(message: str) -> BuildFailed:
    return BuildFailed([Diagnostic(Path(HUNSPELL), None, Code.ENVIRONMENT, message)])
