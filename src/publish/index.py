"""The index of names and places: terms marked in the text, their headwords, and the
alphabetical order they are listed in.

A term is marked where it occurs, `[Ales Bialiatski]{index=bialiatski}`, by a key
that is the same in every language; `manuscript/<lang>/index.toml` gives each key
its headword in that language (`bialiatski = "Bialiatski, Ales"`), and, where the
headword's letters would sort it wrongly, what it sorts as. The marks are checked
here on the raw lines, so that each problem names its line: a term marked in one
language's chapter and not in its counterpart, a key without a headword, a headword
never marked. The order is the language's own, by ICU's collation of its locale
(Belarusian і after з, ў after у; Polish ł after l).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import icu

from publish.access import Access, read
from publish.config import TomlSource, toml_syntax
from publish.diagnostics import Code, Collector

KEY = r"[a-z][a-z0-9-]*"
"""An index key: lower-case letters, digits and hyphens, from a letter on."""
MARK = rf"\[(?P<term>[^\]]+)\]\{{index=(?P<key>{KEY})\}}"
"""A term marked for the index, as the text writes it."""
INDEX_FILE = "index.toml"
ENTRY_KEYS = ("headword", "sort")
FENCE = re.compile(r"^\s*(```|~~~)")
"""A line that opens or closes fenced code."""
CODE_SPAN = re.compile(r"(`+).*?\1")
"""Inline code, where a mark is shown as it is written, not made."""


@dataclass(frozen=True)
class Headword:
    key: str
    text: str
    """The entry as the index prints it: "Bialiatski, Ales"."""
    sort: str
    """What it sorts as: the headword itself unless the file says otherwise."""
    line: int | None
    """Its line in the index file."""


@dataclass(frozen=True)
class Mark:
    key: str
    line: int


def marks(text: str) -> list[Mark]:
    """The terms a chapter marks, in reading order, with their lines; marks inside
    code are text."""
    found = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        if not fenced:
            found += [Mark(m["key"], number)
                      for m in re.finditer(MARK, CODE_SPAN.sub("", line))]
    return found


def load_headwords(path: Path, access: Access, diagnostics: Collector) -> dict[str, Headword]:
    """The headwords of a language's index file by key; none where it has no file.
    What is wrong in the file is reported at its line."""
    data = read(path, access, diagnostics) if path.exists() else None
    if data is None:
        return {}
    try:
        text = data.decode("utf-8-sig")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        diagnostics.error(path, None, Code.INDEX_FILE, "the file is not UTF-8")
        return {}
    except tomllib.TOMLDecodeError as error:
        line, message = toml_syntax(error)
        diagnostics.error(path, line, Code.INDEX_FILE, f"invalid TOML: {message}")
        return {}
    source = TomlSource(path, text)
    headwords = {}
    for key, value in table.items():
        line = source.line_of(key)
        problem = _entry_problem(key, value)
        if problem is not None:
            diagnostics.error(path, line, Code.INDEX_FILE, problem)
            continue
        headword = value if isinstance(value, str) else value["headword"]
        sort = value.get("sort", headword) if isinstance(value, dict) else headword
        headwords[key] = Headword(key, headword, sort, line)
    return headwords


def _entry_problem(key: str, value: Any) -> str | None:
    """Why an entry of an index file is not one, or None."""
    shape = (f'write {key} = "Headword" or {key} = {{ headword = "...", '
             'sort = "..." }')
    if not re.fullmatch(KEY, key):
        return (f"the key {key!r} must be lower-case letters, digits and hyphens, "
                "from a letter on, as the text's marks write it")
    if isinstance(value, str):
        return None if value.strip() else f"the headword of {key!r} is empty"
    if not isinstance(value, dict):
        return f"the entry {key!r} is neither a headword nor a table: {shape}"
    unknown = sorted(set(value) - set(ENTRY_KEYS))
    if unknown:
        return (f"the entry {key!r} has the unknown key {unknown[0]!r} "
                f"(known: {', '.join(ENTRY_KEYS)})")
    if not all(isinstance(v, str) and v.strip() for v in value.values()) \
            or "headword" not in value:
        return f"the entry {key!r} needs a headword, and its values must be text: {shape}"
    return None


def check(chapters: Mapping[str, Mapping[str, str]],
          headwords: Mapping[str, Mapping[str, Headword]], folder: Path,
          diagnostics: Collector) -> None:
    """Report, for the chapters (by language, then file name, their text) and index
    files of every language in `folder`: a term marked in a chapter whose counterpart
    in another language does not mark it, a marked key without a headword, a
    headword never marked."""
    marked = {lang: {name: marks(text) for name, text in own.items()}
              for lang, own in chapters.items()}
    for lang, files in marked.items():
        index_file = folder / lang / INDEX_FILE
        own = headwords.get(lang, {})
        for name, found in files.items():
            path = folder / lang / name
            for mark in _first_of_each(found):
                for other, other_files in marked.items():
                    if other != lang and name in other_files and \
                            mark.key not in {m.key for m in other_files[name]}:
                        diagnostics.error(path, mark.line, Code.INDEX_UNPAIRED,
                                          f"the index term {mark.key!r} is marked here but "
                                          f"not in {other}/{name}: mark it there too")
                if mark.key not in own:
                    diagnostics.error(path, mark.line, Code.INDEX_HEADWORD,
                                      f"the index term {mark.key!r} has no headword: add "
                                      f'{mark.key} = "..." to {lang}/{INDEX_FILE}')
        used = {mark.key for found in files.values() for mark in found}
        for headword in own.values():
            if headword.key not in used:
                diagnostics.error(index_file, headword.line, Code.INDEX_UNUSED,
                                  f"the headword {headword.key!r} is marked nowhere in the "
                                  f"{lang} chapters: mark its term or remove it")


def _first_of_each(found: Iterable[Mark]) -> list[Mark]:
    """The first mark of each key, in reading order."""
    first: dict[str, Mark] = {}
    for mark in found:
        first.setdefault(mark.key, mark)
    return list(first.values())


@cache
def _collator(lang: str) -> Any:
    return icu.Collator.createInstance(icu.Locale(lang))


def sort_key(text: str, lang: str) -> bytes:
    """Where `text` stands in the alphabetical order of `lang`."""
    return bytes(_collator(lang).getSortKey(text))
