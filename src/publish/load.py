"""Read the manuscript folder: configuration, chapter files and their raw lines.

Python-Markdown keeps no line numbers, so the checks that must name a line of a
chapter (headings and their ids) run here, on the raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from publish import index
from publish.access import Access, describe, read
from publish.blocks import PAIR_ID
from publish.config import (
    LanguageConfig,
    SharedConfig,
    line_of_key,
    load_language,
    load_shared,
)
from publish.diagnostics import Code, Collector
from publish.languages import LANGUAGES


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line_of(self, needle: str, nth: int = 0) -> int | None:
        """The line of the `nth` occurrence of `needle`, for a problem found after parsing
        (Python-Markdown has expanded tabs by then, so they are expanded here too)."""
        seen = 0
        for number, line in enumerate(self.lines, start=1):
            count = line.expandtabs(4).count(needle)
            if seen + count > nth:
                return number
            seen += count
        return None


@dataclass(frozen=True)
class LanguageSource:
    lang: str
    config: LanguageConfig
    chapters: list[SourceFile]
    words: frozenset[str] = frozenset()
    """The book's word list (`<lang>/words.txt`): the names and terms the spelling
    check takes besides the dictionary's."""
    headwords: dict[str, index.Headword] = field(default_factory=dict)
    """The headwords of the index by key (`<lang>/index.toml`)."""

    @property
    def names(self) -> frozenset[str]:
        """The words of the word list that begin with a capital: the editions never
        hyphenate them."""
        return frozenset(word for word in self.words if word[:1].isupper())


@dataclass(frozen=True)
class Manuscript:
    folder: Path
    config: SharedConfig
    languages: dict[str, LanguageSource]

    def locate(self, text: str, lang: str) -> tuple[Path, int] | None:
        """The first chapter file and line of language `lang` where `text` appears:
        the edition of that language is the one that holds it."""
        source = self.languages.get(lang)
        if source is not None:
            for chapter in source.chapters:
                line = chapter.line_of(text)
                if line is not None:
                    return chapter.path, line
        return None


ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
HEADING_ID = re.compile(r"\{[^}]*#([\w.-]+)[^}]*\}$")
VALID_ID = re.compile(r"[A-Za-z][\w.-]*")
RESERVED_IDS = {"contents", "chronology", "index", "title-page", "cover", "title", "imprint", "nav",
                "toc", "page-list", "style", "images"}
"""Ids and file names of the pages publish makes itself; page-N marks printed pages,
index-<key> an entry of the index."""
GENERATED_ID = re.compile(r".+-(fn(ref\d*)?-.+|event-\d+|index-\d+)")
"""The ids publish gives notes, their calls, dated events and terms of the index,
after the id of their chapter's title (`footnotes.py`, `markup.py`)."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""C0 control characters but tab, line feed and carriage return (Windows line ends)."""
BYTE_ORDER_MARK = "\ufeff"
"""What Windows editors put at the start of a UTF-8 file: no part of the text."""
WORD_LIST = "words.txt"
"""Names and terms of the book, one a line: the spelling check's own words."""


def load_manuscript(folder: Path, diagnostics: Collector) -> Manuscript | None:
    access = Access.within(folder)
    if not _inside(folder / "book.toml", access, diagnostics):
        return None
    shared = load_shared(folder / "book.toml", diagnostics)
    if shared is None:
        return None
    languages = {}
    for lang in (lang for lang in shared.languages if lang in LANGUAGES):
        config_file = folder / lang / "book.toml"
        config = (load_language(config_file, diagnostics)
                  if _inside(config_file, access, diagnostics) else None)
        chapters = _load_chapters(folder / lang, access, diagnostics)
        if config is not None:
            languages[lang] = LanguageSource(
                lang, config, chapters,
                read_word_list(folder / lang / WORD_LIST, access, diagnostics),
                index.load_headwords(folder / lang / index.INDEX_FILE, access, diagnostics))
    _check_counterparts(folder, languages, diagnostics)
    index.check({lang: {c.path.name: c.text for c in source.chapters}
                 for lang, source in languages.items()},
                {lang: source.headwords for lang, source in languages.items()},
                folder, diagnostics)
    _check_divisions(folder / "book.toml", shared, languages, diagnostics)
    return Manuscript(folder, shared, languages)


def _check_divisions(config_file: Path, shared: SharedConfig,
                     languages: dict[str, LanguageSource], diagnostics: Collector) -> None:
    """The front and back matter name chapter files that stand where they are set:
    the front matter's before every chapter of the body, the back matter's after, as
    the files are ordered by name; one chapter at least is left for the body."""
    source = languages.get(shared.source_language)
    if source is None or not source.chapters:
        return
    names = [chapter.path.stem for chapter in source.chapters]
    places = [shared.division(name)[0] for name in names]
    body = [n for n, place in enumerate(places) if place == "body"]
    if not body:
        diagnostics.error(config_file, line_of_key(config_file, "front-matter[0].chapter")
                          or line_of_key(config_file, "back-matter[0].chapter"),
                          Code.CONFIG_VALUE, "no chapter is left for the body of the book")
        return
    for key, divisions, place in (("front-matter", shared.front_matter, "front"),
                                  ("back-matter", shared.back_matter, "back")):
        for number, division in enumerate(divisions):
            line = line_of_key(config_file, f"{key}[{number}].chapter")
            if division.chapter not in names:
                problem = (f"{key} names {division.chapter!r}, which is no chapter file of "
                           f"{source.lang}/ (the file name without .md)")
            elif place == "front" and names.index(division.chapter) > body[0]:
                problem = (f"the front matter {division.chapter!r} must sort before the "
                           f"chapters of the body, and {names[body[0]]!r} sorts before it")
            elif place == "back" and names.index(division.chapter) < body[-1]:
                problem = (f"the back matter {division.chapter!r} must sort after the "
                           f"chapters of the body, and {names[body[-1]]!r} sorts after it")
            else:
                continue
            diagnostics.error(config_file, line, Code.CONFIG_VALUE, problem)


def _check_counterparts(folder: Path, languages: dict[str, LanguageSource],
                        diagnostics: Collector) -> None:
    """Every chapter is written in every language, under the same file name: one
    missing would leave an edition without it, unnoticed. A language with no
    chapters at all is reported as such."""
    for source in languages.values():
        for chapter in source.chapters:
            for other, other_source in languages.items():
                counterpart = folder / other / chapter.path.name
                if other_source.chapters and not counterpart.is_file():
                    diagnostics.error(chapter.path, None, Code.CHAPTER_MISSING,
                                      f"the chapter has no counterpart in {folder.name}/"
                                      f"{other}/: write {other}/{chapter.path.name} too")


def _inside(path: Path, access: Access, diagnostics: Collector) -> bool:
    """Whether `path` may be read; a file that exists and may not is reported."""
    if access.allows(path) or not path.exists():
        return True
    diagnostics.error(path, None, Code.FILE_OUTSIDE, describe(path))
    return False


def read_word_list(word_list: Path, access: Access, diagnostics: Collector
                   ) -> frozenset[str]:
    """The words of a word list, one a line (none where it does not exist)."""
    data = read(word_list, access, diagnostics) if word_list.exists() else None
    if data is None:
        return frozenset()
    return frozenset(data.decode("utf-8-sig", errors="replace").split())


def _load_chapters(folder: Path, access: Access, diagnostics: Collector) -> list[SourceFile]:
    paths = sorted(folder.glob("*.md"))
    if not paths:
        diagnostics.error(folder, None, Code.NO_CHAPTERS, "no chapter files (*.md) in this folder")
    chapters = []
    seen_ids: dict[str, tuple[Path, int]] = {}
    for path in paths:
        text = read_text(path, access, diagnostics)
        if text is None:
            continue
        control = _control_characters(text)
        for line, char in control.items():
            diagnostics.error(path, line, Code.CONTROL_CHARACTER,
                              f"the control character U+{ord(char):04X} has no place in a "
                              "text: remove it")
        if control:
            continue
        source = SourceFile(path, text)
        _check_headings(source, seen_ids, diagnostics)
        chapters.append(source)
    return chapters


def read_text(path: Path, access: Access, diagnostics: Collector) -> str | None:
    """The text of a manuscript file, read by the access rule: UTF-8, without the
    byte-order mark some editors put first; None, with the reason reported, where it
    cannot be read."""
    data = read(path, access, diagnostics)
    if data is None:
        return None
    try:
        return data.decode("utf-8").removeprefix(BYTE_ORDER_MARK)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        diagnostics.error(path, line, Code.ENCODING, "the file is not valid UTF-8")
        return None


def _control_characters(text: str) -> dict[int, str]:
    """The first control character of each line that holds one, by line."""
    found: dict[int, str] = {}
    line, counted = 1, 0
    for match in CONTROL.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        found.setdefault(line, match[0])
    return found


def id_problem(identifier: str) -> str | None:
    """Why the manuscript may not give an element the id `identifier`, or None."""
    if not VALID_ID.fullmatch(identifier):
        return f"the id #{identifier} must start with a letter"
    if identifier in RESERVED_IDS or identifier.startswith(("page-", "index-")):
        return f"the id #{identifier} is taken by a page publish makes itself: choose another"
    if re.fullmatch(PAIR_ID, identifier):
        return (f"the id #{identifier} has the form of those publish gives the blocks "
                "it pairs across languages (<section>_<n>): choose another")
    if GENERATED_ID.fullmatch(identifier):
        return (f"the id #{identifier} has the form of those publish gives notes, dates and "
                "index terms "
                "(<chapter>-fn-<label>, <chapter>-event-<n>, <chapter>-index-<n>): "
                "choose another")
    return None


def _check_headings(source: SourceFile, seen_ids: dict[str, tuple[Path, int]],
                    diagnostics: Collector) -> None:
    in_fence = False
    first_content = True
    for number, line in enumerate(source.lines, start=1):
        if index.FENCE.match(line):
            in_fence = not in_fence
        if in_fence or not line.strip():
            continue
        heading = ATX_HEADING.match(line)
        if first_content and (heading is None or len(heading.group(1)) != 1):
            diagnostics.error(source.path, number, Code.CHAPTER_TITLE,
                              "a chapter must start with its title, a level-1 heading "
                              "such as '# Youth {#youth}'")
        first_content = False
        if heading is None:
            continue
        found = HEADING_ID.search(heading.group(2))
        if found is None:
            diagnostics.error(source.path, number, Code.HEADING_ID,
                              "the heading has no explicit id: add one such as "
                              "'{#youth}', the same in every language")
            continue
        heading_id = found.group(1)
        problem = id_problem(heading_id)
        if problem is not None:
            diagnostics.error(source.path, number, Code.HEADING_ID, problem)
            continue
        if heading_id in seen_ids:
            other, other_line = seen_ids[heading_id]
            diagnostics.error(source.path, number, Code.DUPLICATE_ID,
                              f"the id #{heading_id} is used already at "
                              f"{other.name}:{other_line}")
        else:
            seen_ids[heading_id] = (source.path, number)
    if first_content:
        diagnostics.error(source.path, None, Code.CHAPTER_TITLE,
                          "the chapter is empty: it must start with its title, a level-1 "
                          "heading such as '# Youth {#youth}'")
