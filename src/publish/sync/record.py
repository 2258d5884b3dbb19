"""The sync record, `manuscript/sync.toml`: for each pair a translator confirmed,
what both sides said then. Text, one entry per pair, so that its history reads in
a diff like the manuscript's own."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from publish.config import TomlSource, toml_syntax
from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.sync.commit import commit

RECORD = "sync.toml"
"""The record's file name in the manuscript folder."""
HEADER = """\
# What both languages said when a translator last confirmed each pair of blocks.
# Written by `publish sync accept`; `publish sync` compares the manuscript with it.

"""


@dataclass(frozen=True)
class Confirmed:
    id: str
    """Stable within its chapter: `<section>_<n>`, `<section>_title` or `note_<label>`,
    `<id>.<k>` for a block of the translation with no source block of its own."""
    source: str
    target: str
    """Either text is empty for a block confirmed to have no counterpart."""


class Record:
    """Confirmed pairs by target language and chapter."""

    def __init__(self, path: Path, source_lang: str,
                 entries: dict[str, dict[str, list[Confirmed]]]) -> None:
        self.path = path
        self.source_lang = source_lang
        self.entries = entries

    def chapter(self, lang: str, chapter: str) -> list[Confirmed]:
        return self.entries.get(lang, {}).get(chapter, [])

    def known(self, chapter: str) -> dict[str, str]:
        """Each source text confirmed in the chapter, in any language, and its id."""
        return {c.source: c.id for lang in sorted(self.entries)
                for c in self.chapter(lang, chapter) if c.source}

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
        commit(self.path.parent, {self.path: text.encode("utf-8")})


def load_record(path: Path, source_lang: str, targets: list[str]) -> Record:
    if not path.exists():
        return Record(path, source_lang, {})
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[:error.start].count(b"\n") + 1
        raise BuildFailed([Diagnostic(path, line, Code.SYNC_RECORD,
                                      "the file is not valid UTF-8")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at, message = toml_syntax(error)
        raise BuildFailed([Diagnostic(path, at, Code.SYNC_RECORD,
                                      f"invalid TOML: {message}")]) from None
    reader = _Reader(TomlSource(path, text), source_lang)
    entries = {lang: reader.language(lang, chapters, targets)
               for lang, chapters in data.items()}
    if reader.problems:
        raise BuildFailed(reader.problems)
    return Record(path, source_lang, entries)


class _Reader:
    """The record's tables, checked for their shape: what `publish sync accept`
    writes, and nothing else."""

    def __init__(self, source: TomlSource, source_lang: str) -> None:
        self.source = source
        self.source_lang = source_lang
        self.problems: list[Diagnostic] = []

    def language(self, lang: str, chapters: Any, targets: list[str]) -> dict[str, list[Confirmed]]:
        if lang not in targets:
            self._problem(f"{lang!r} is not a translation of this book "
                          f"(translations: {', '.join(targets) or 'none'})", lang)
            return {}
        if not isinstance(chapters, dict):
            self._problem(f"{lang} must be a table of chapters, [{lang}]", lang)
            return {}
        return {chapter: self._chapter(lang, chapter, items) for chapter, items in chapters.items()}

    def _chapter(self, lang: str, chapter: str, items: Any) -> list[Confirmed]:
        where = f"{lang}.{chapter}"
        keys = ("id", self.source_lang, lang)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self._problem(f"{where} must be an array of tables, [[{where}]]", lang, where)
            return []
        confirmed = []
        for number, item in enumerate(items):
            entry = f"{where}[{number}]"
            for key in item:
                if key not in keys:
                    self._problem(f"unknown key {key!r} in an entry of {where} (known: "
                                  f"{', '.join(keys)})", lang, where, entry, f"{entry}.{key}")
            wrong = [key for key in keys if not isinstance(item.get(key), str)]
            if wrong:
                self._problem(f"every entry of {where} needs the strings "
                              f"{', '.join(keys[:2])} and {lang}", lang, where, entry,
                              *(f"{entry}.{key}" for key in wrong[:1] if key in item))
            if not wrong:
                confirmed.append(Confirmed(*(item[key] for key in keys)))
        return confirmed

    def _problem(self, message: str, lang: str, *paths: str) -> None:
        """Told at the line of the most precise of `paths` (dotted, the table first,
        the key last) that is found after its language's first table: one before is
        another key of the same name."""
        line = next((n for n, text in enumerate(self.source.lines, start=1)
                     if re.match(rf"\s*(\[\[?\s*{re.escape(lang)}\s*[.\]]|{re.escape(lang)}\s*=)",
                                 text)), None)
        for where in paths:
            found = self.source.line_of(where)
            if found is not None and (line is None or found >= line):
                line = found
        self.problems.append(Diagnostic(self.source.path, line, Code.SYNC_RECORD, message))
