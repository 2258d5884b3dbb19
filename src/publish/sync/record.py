"""The sync record, `manuscript/sync.toml`: for each pair a translator confirmed,
what both sides said then. Text, one entry per pair, so that its history reads in
a diff like the manuscript's own."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from publish.diagnostics import BuildFailed, Diagnostic
from publish.files import write_whole

HEADER = """\
# What both languages said when a translator last confirmed each pair of blocks.
# Written by `publish sync accept`; `publish sync` compares the manuscript with it.

"""


@dataclass(frozen=True)
class Confirmed:
    id: str
    """Stable within its chapter: `<section>_<n>`, `<section>_title` or `note_<label>`."""
    source: str
    target: str


class Record:
    """Confirmed pairs by target language and chapter."""

    def __init__(self, path: Path, source_lang: str,
                 entries: dict[str, dict[str, list[Confirmed]]]) -> None:
        self.path = path
        self.source_lang = source_lang
        self.entries = entries

    def chapter(self, lang: str, chapter: str) -> list[Confirmed]:
        return self.entries.get(lang, {}).get(chapter, [])

    def replace(self, lang: str, chapter: str, confirmed: list[Confirmed]) -> None:
        self.entries.setdefault(lang, {})[chapter] = sorted(confirmed, key=lambda c: c.id)

    def save(self) -> None:
        data: dict[str, Any] = {
            lang: {chapter: [{"id": c.id, self.source_lang: c.source, lang: c.target}
                             for c in entries]
                   for chapter, entries in sorted(chapters.items()) if entries}
            for lang, chapters in sorted(self.entries.items())
        }
        text = HEADER + tomli_w.dumps(data, multiline_strings=True)
        write_whole(self.path, text.encode("utf-8"))


def load_record(path: Path, source_lang: str) -> Record:
    if not path.exists():
        return Record(path, source_lang, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BuildFailed([Diagnostic(path, None, "sync-record", f"unreadable: {error}")]) from None
    entries: dict[str, dict[str, list[Confirmed]]] = {}
    for lang, chapters in data.items():
        for chapter, items in chapters.items():
            try:
                entries.setdefault(lang, {})[chapter] = [
                    Confirmed(*(_text(item[key]) for key in ("id", source_lang, lang)))
                    for item in items]
            except (KeyError, TypeError, AttributeError):
                raise BuildFailed([Diagnostic(
                    path, None, "sync-record",
                    f"every entry of {lang}.{chapter} needs the strings id, {source_lang} "
                    f"and {lang}")]) from None
    return Record(path, source_lang, entries)



def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value
