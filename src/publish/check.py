"""`publish check`: what an editor runs before a book goes out, as one report.

The manuscript is read as a build reads it (its problems are the first findings),
then each block as the editions print it is looked at: its words are spelt as the
Debian dictionary of its language and the book's word list have them, a passage
marked as another language's in that language; its quotation marks open and close;
and its text holds no doubled space, no space before punctuation and no hyphen
between spaces where a dash was meant. Then comes what `publish sync` finds, and,
when asked for, what the typesetting report of each PDF edition counts that a
typographer would mend."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import html

from publish import spelling
from publish.access import Access
from publish.blocks import Block, Kind
from publish.build import Inputs, Progress, Project, build, read_inputs
from publish.config import line_of_key
from publish.diagnostics import Code, Collector, Diagnostic
from publish.languages import LANGUAGES
from publish.load import WORD_LIST, Manuscript, read_word_list
from publish.markup import Rendered
from publish.model import Book
from publish.sync import report
from publish.sync.session import open_session
from publish.writers import blocks
from publish.writers.typesetting import Report

SKIPPED = {"code", "pre", "script", "style", "time", "data", "img"}
"""Elements whose text is no prose the manuscript types: code, images, and the dates
and numbers that roles give as values and Babel writes out."""
STANDS_IN = "…"
"""What the text has in place of what it leaves out, so that the words and spaces
around it stay as they were: no word, and no space."""
NUMBERS = {"noteref", "note-number"}
"""The classes of a note's number, at its call and before the note."""

SPACE = "[ \u00a0\t]"
"""A space as the typed text has it once typography has bound words (no-break)."""
TEXT_CHECKS = [
    (re.compile(rf"(?<=\S){SPACE}{{2,}}(?=\S)"), Code.DOUBLE_SPACE,
     "two spaces or more between words", ": one is enough"),
    (re.compile(rf"(?<=\w){SPACE}+(?=[,.;:!?](?![\w.]))"), Code.SPACE_BEFORE_PUNCTUATION,
     "a space before a punctuation mark", ""),
    (re.compile(rf"(?<=\S){SPACE}+-{SPACE}+(?=\S)"), Code.LONE_HYPHEN,
     "a hyphen between spaces", ": write --- for a dash, -- for a range"),
]
"""What the text of a block, as the editions print it, should not hold, and what to do
about it. The rules are those of the book's languages: a passage in another (French
sets a space before `?`) is left alone."""
QUOTE_MARKS = re.compile(r"(?<!\w)[‘’]|[‘’](?!\w)")
"""Single quotation marks, where they are no apostrophe inside a word (сям’я)."""
APOSTROPHES = str.maketrans("\u2019\u02bc", "''")
"""The apostrophes typography makes of a typed one."""
MARKUP = re.compile(r"`[^`]*`|\{[^{}]*\}|\]\([^)]*\)|<[^<>]*>|\[\^[^\]]*\]")
"""What of a typed line is no text: code and the values of roles, attribute lists,
link addresses, autolinks, note references."""


@dataclass(frozen=True)
class Passage:
    """Text of one language, at a place in the manuscript."""

    lang: str
    text: str
    path: Path
    lines: tuple[int, int]
    """The first line and the line after the last where it may stand."""
    source: tuple[str, ...]
    """Those lines as typed, to find the line a word is on."""


TYPESET = ["pdf", "screen"]
"""The editions a typesetting report is made of."""
FAULTS = {"run": "a run of 3+ hyphenated lines", "fragment": "a lone fragment",
          "paragraph-final": "a paragraph-final fragment", "split-unit": "a split unit",
          "recto-final": "a word split across a recto's turn", "gap": "a gap",
          "note-away": "a note off its page"}
"""What a typesetting report finds in a paragraph that the press would have mended,
in its words (a loose line counts towards a share, and is no fault of its own)."""


def check(project: Project, langs: list[str] | None, editions: bool = False,
          out: Path | None = None, progress: Progress = lambda step: None
          ) -> list[Diagnostic]:
    """Every finding of the book in `langs` (all if None), and, if `editions`, of its
    PDF editions built into `out` (as `publish build` would by default). A manuscript
    that does not read raises `BuildFailed` with its problems."""
    read = read_inputs(project, langs, None)
    manuscript, renderings = read.manuscript, read.renderings
    chosen = list(renderings)
    passages: list[Passage] = []
    findings: list[Diagnostic] = []
    for lang in chosen:
        passages.extend(_metadata(manuscript, lang))
        for chapter, rendered in renderings[lang]:
            ids = {block.id for block in rendered.blocks if block.id}
            own: list[tuple[Block, str]] = []
            for block, element in _elements(rendered):
                lines = chapter.lines[block.line - 1:block.end - 1]
                where = (chapter.path, (block.line, block.end), tuple(lines))
                texts = [Passage(tongue, text, *where)
                         for tongue, text in _texts(element, lang, ids)]
                passages.extend(texts)
                findings.extend(found for text in texts if text.lang in LANGUAGES
                                for found in _typed(text))
                # The block's own language comes last, as `_texts` gives it.
                own.append((block, texts[-1].text))
            findings.extend(_quotes(own, lang, chapter.path))
    findings.extend(_spelling(manuscript, passages))
    findings.extend(_sync(project, chosen))
    if editions:
        findings.extend(_typesetting(project, read, out, progress))
    return findings


def _metadata(manuscript: Manuscript, lang: str) -> Iterator[Passage]:
    config = manuscript.languages[lang].config
    path = manuscript.folder / lang / "book.toml"
    for key, values in (("title", [config.title]), ("subtitle", [config.subtitle]),
                        ("description", [config.description]),
                        ("keywords", config.keywords)):
        line = line_of_key(path, key) or 1
        for value in filter(None, values):
            yield Passage(lang, value, path, (line, line + 1), (value,))


def _elements(rendered: Rendered) -> Iterator[tuple[Block, html.HtmlElement]]:
    """Each block of prose with its element in the chapter's HTML, or in its note's."""
    root = html.fragment_fromstring(rendered.html, create_parent="div")
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    notes = {note.label: html.fragment_fromstring(note.body, create_parent="div")
             for note in rendered.notes}
    for block in rendered.blocks:
        if block.kind is Kind.CODE:
            continue
        element = notes.get(block.label) if block.kind is Kind.NOTE else by_id.get(block.id)
        if element is not None:
            yield block, element


def _texts(element: html.HtmlElement, lang: str, blocks: set[str]
           ) -> Iterator[tuple[str, str]]:
    """The text of `element` by language, that of blocks inside it (a list inside a
    list item), of note numbers, code, dates and numbers left out."""
    own = element.get("lang") or lang
    parts = [element.text or ""]
    for child in element:
        if child.get("id") in blocks or child.tag == "br":
            parts.append("\n")
        elif not _prose(child):
            parts.append("" if child.get("class") in NUMBERS else STANDS_IN)
        elif (child.get("lang") or own) != own:
            parts.append(STANDS_IN)
            yield from _texts(child, own, blocks)
        else:
            for inner, text in _texts(child, own, blocks):
                if inner == own:
                    parts.append(text)
                else:
                    yield inner, text
        parts.append(child.tail or "")
    yield own, "".join(parts)


def _quotes(blocks: list[tuple[Block, str]], lang: str, path: Path) -> Iterator[Diagnostic]:
    """Each block whose quotation is opened and not closed, or closed and not opened,
    in the text of its own language: the typed quotes that a rule turned into the
    wrong marks. A quotation that runs on into the next paragraph, which opens with
    the mark again, is closed there."""
    if lang not in LANGUAGES:
        return
    opening, closing = LANGUAGES[lang].typography.quotes.outer
    for number, (block, text) in enumerate(blocks):
        depth = 0
        for char in text:
            depth += (char == opening) - (char == closing)
            if depth < 0:
                break
        following = blocks[number + 1][1].lstrip() if number + 1 < len(blocks) else ""
        if depth < 0 or (depth > 0 and not following.startswith(opening)):
            yield Diagnostic(path, block.line, Code.UNBALANCED_QUOTE,
                             f"a quotation {'closed and not opened' if depth < 0 else 'not closed'}"
                             f" in this {block.kind.value} ({opening} … {closing}): a straight "
                             "quote typed the wrong way round, or one missing")


def _prose(element: html.HtmlElement) -> bool:
    return element.tag not in SKIPPED and element.get("class") not in NUMBERS


def _typed(passage: Passage) -> Iterator[Diagnostic]:
    for pattern, code, what, fix in TEXT_CHECKS:
        for found in pattern.finditer(passage.text):
            before = passage.text[:found.start()].split()[-2:]
            after = passage.text[found.end():].split()[:2]
            around = f"{' '.join(before)}{found[0]}{' '.join(after)}"
            # The line is the one that holds the words either side as typed.
            words = [word for word in before[-1:] + after[:1] if STANDS_IN not in word]
            yield Diagnostic(passage.path, _line_of(words, passage), code,
                             f"{what} in “{around}”{fix}")


def _spelling(manuscript: Manuscript, passages: list[Passage]) -> Iterator[Diagnostic]:
    """Each language's passages checked by its dictionary and word list; a passage of
    a language publish has no dictionary for is left alone."""
    access = Access.within(manuscript.folder)
    for lang in dict.fromkeys(p.lang for p in passages):
        if lang not in LANGUAGES:
            continue
        language = LANGUAGES[lang]
        own = [p for p in passages if p.lang == lang]
        # A passage in a language that is not the book's takes its word list too.
        words = (manuscript.languages[lang].words if lang in manuscript.languages else
                 read_word_list(manuscript.folder / lang / WORD_LIST, access, Collector()))
        answers = spelling.unknown_words([QUOTE_MARKS.sub(" ", p.text) for p in own],
                                         language.hunspell, language.hunspell_package,
                                         words)
        for passage, unknown in zip(own, answers, strict=True):
            for word in dict.fromkeys(unknown):
                suggested = (f"; hunspell suggests {', '.join(word.suggestions[:3])}"
                             if word.suggestions else "")
                yield Diagnostic(passage.path, _line_of([word.word], passage),
                                 Code.SPELLING, f"{word.word!r} is in neither the "
                                 f"{language.hunspell} dictionary nor {lang}/"
                                 f"{WORD_LIST}{suggested}")


def _line_of(words: list[str], passage: Passage) -> int:
    """The first line of the passage's where `words` stand, as typed (apostrophes
    alike, markup left out); its first line if none is found."""
    patterns = [re.compile(rf"(?<!\w){re.escape(word.translate(APOSTROPHES))}(?!\w)")
                for word in words]
    for number, line in enumerate(passage.source):
        text = MARKUP.sub(" ", line).translate(APOSTROPHES)
        if patterns and all(pattern.search(text) for pattern in patterns):
            return passage.lines[0] + number
    return passage.lines[0]


def _sync(project: Project, langs: list[str]) -> list[Diagnostic]:
    session = open_session(project.manuscript)
    targets = [lang for lang in session.targets if lang in langs]
    if not targets:
        return []
    return report.diagnostics(session.status(targets))


def _typesetting(project: Project, read: Inputs, out: Path | None,
                 progress: Progress) -> list[Diagnostic]:
    """The PDF editions built as `publish build` builds them (the cache keeps those
    that are current), their warnings, and each paragraph its typesetting report
    still finds fault with, at its line."""
    reports: list[tuple[str, str, Report]] = []
    warnings: list[Diagnostic] = []
    build(project, [book.lang for book in read.books], TYPESET, out, progress,
          warnings.append, lambda lang, fmt, counted: reports.append((lang, fmt, counted)))
    books = {book.lang: book for book in read.books}
    places = {lang: _places(book) for lang, book in books.items()}
    for lang, fmt, counted in reports:
        edition = project.output(books[lang], fmt, out)
        for key, problems in sorted(counted.offenders.items()):
            faults = [FAULTS[problem] for problem in dict.fromkeys(problems)
                      if problem in FAULTS]
            if not faults:
                continue
            path, line = places[lang].get(key, (edition, None))
            where = "" if line else f", in {key.split('/')[0]}"
            warnings.append(Diagnostic(path, line, Code.TYPESETTING,
                                       f"the {lang} {fmt} edition sets {' and '.join(faults)}"
                                       f" here{where}"))
    return warnings


def _places(book: Book) -> dict[str, tuple[Path, int]]:
    """Where each paragraph the PDF editions key as `<chapter>/<n>` (its text blocks
    counted in order) or `<chapter>/note-<n>` stands in the manuscript."""
    places = {}
    for chapter in book.chapters:
        lines = {block.id: block.line for block in chapter.blocks if block.id}
        notes = {block.label: block.line for block in chapter.blocks
                 if block.kind is Kind.NOTE}
        for number, element in enumerate(blocks.text_blocks(blocks.parse(chapter.body))):
            # A block's element, or the one it stands in (a paragraph of a list item).
            owner = next((e for e in (element, *element.iterancestors())
                          if e.get("id") in lines), None)
            if owner is not None:
                places[f"{chapter.id}/{number}"] = (chapter.source, lines[owner.get("id")])
        for note in chapter.notes:
            if note.label in notes:
                places[f"{chapter.id}/note-{note.number}"] = (chapter.source,
                                                             notes[note.label])
    return places
