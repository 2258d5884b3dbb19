"""Hunspell, with the Debian dictionaries: the words of a language it does not know.

Hunspell runs in its ispell pipe mode (`-a`), one line of input a passage: it answers
each line with one result a word and an empty line, so that each unknown word comes
back with the passage it stands in and hunspell's suggestions."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from publish.diagnostics import BuildFailed, Code, Diagnostic

HUNSPELL = "hunspell"


@dataclass(frozen=True)
class Unknown:
    word: str
    suggestions: tuple[str, ...]


def unknown_words(passages: list[str], dictionary: str, words: Path | None
                  ) -> list[list[Unknown]]:
    """For each passage, the words neither `dictionary` (`be_BY`) nor the word list
    `words` (one a line) knows."""
    if not passages:
        return []
    program = shutil.which(HUNSPELL)
    if program is None:
        raise _missing("hunspell is not installed (Debian: apt install hunspell)")
    personal = ["-p", str(words)] if words is not None and words.is_file() else []
    # `^` makes every line text: a line that began with `*`, `@` or `#` would be a
    # command to add a word or save the word list.
    lines = "".join(f"^{' '.join(passage.split())}\n" for passage in passages)
    result = subprocess.run([program, "-a", "-i", "utf-8", "-d", dictionary, *personal],
                            input=lines, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise _missing(f"hunspell cannot check {dictionary}: "
                       f"{result.stderr.strip() or 'it failed'} (Debian: apt install "
                       f"hunspell-{dictionary.split('_')[0]})")
    answers: list[list[Unknown]] = [[]]
    for line in result.stdout.splitlines()[1:]:
        if not line:
            answers.append([])
        elif line[0] in "&#":
            head, _, suggestions = line.partition(": ")
            answers[-1].append(Unknown(head.split()[1], tuple(
                s for s in suggestions.split(", ") if s) if line[0] == "&" else ()))
    return answers[:len(passages)]


def _missing(message: str) -> BuildFailed:
    return BuildFailed([Diagnostic(Path(HUNSPELL), None, Code.ENVIRONMENT, message)])
