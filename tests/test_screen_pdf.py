"""The screen PDF as a screen-reader user and a reader with a mouse meet it, read back
with pypdf and poppler: what its structure tree holds (sections, languages, links and
their descriptions), what its pages mark as artifacts (running heads, folios, leader
dots), the size of the note calls' links, and whole words at the line ends."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from publish.labels import labels
from publish.model import Book
from publish.writers.pdf import _document, _parts
from tests.conftest import Built, require, transformed

LANGS = ["be", "en"]
NOTE_CALL_SIZE = 10.5 * 0.7
"""The point size of a note call (`sup` at 70 % of the text), which its link covers."""
FOLIO = re.compile(r"\d+|[ivxlc]+")


@cache
def _book(built: Built, lang: str) -> Book:
    return transformed(built.project, lang)


@cache
def _html(built: Built, lang: str) -> etree._Element:
    """The document WeasyPrint laid out for the screen edition."""
    book = _book(built, lang)
    return etree.fromstring(_document(book, "screen", _parts(book, "screen"), {}, {}).encode(),
                            etree.HTMLParser())


@dataclass
class _Tagged:
    """What the tree reaches: the marked content of every page with the structure
    element it belongs to, and the elements in the order of the tree."""

    content: dict[tuple[int, int], Any] = field(default_factory=dict)
    elements: list[Any] = field(default_factory=list)


@cache
def _tagged(pdf: Path) -> _Tagged:
    reader = PdfReader(pdf)
    pages = {_number(page): n for n, page in enumerate(reader.pages)}
    tagged = _Tagged()

    def visit(element: Any, page: int | None) -> None:
        if "/Pg" in element:
            page = pages[element.raw_get("/Pg").idnum]
        tagged.elements.append(element)
        for kid in element.get("/K", []):
            if isinstance(kid, int):
                assert page is not None
                tagged.content[(page, kid)] = element
                continue
            kid = kid.get_object()
            if kid.get("/Type") == "/MCR":
                tagged.content[(pages[kid.raw_get("/Pg").idnum], kid["/MCID"])] = element
            elif kid.get("/Type") != "/OBJR":
                visit(kid, page)

    root: Any = reader.root_object
    visit(root["/StructTreeRoot"]["/K"][0].get_object(), None)
    return tagged


def _number(page: Any) -> int:
    number: int = page.indirect_reference.idnum
    return number


@dataclass(frozen=True)
class _Run:
    """Text drawn inside one marked-content sequence."""

    page: int
    tag: str
    mcid: int | None
    kind: str
    """An artifact's /Type."""
    text: str


@cache
def _runs(pdf: Path) -> list[_Run]:
    return [run for number, page in enumerate(PdfReader(pdf).pages)
            for run in _page_runs(number, page)]


def _page_runs(number: int, page: Any) -> list[_Run]:
    runs: list[_Run] = []
    stack: list[tuple[str, int | None, str]] = []

    def before(operator: bytes, args: Any, _cm: Any, _tm: Any) -> None:
        if operator in (b"BDC", b"BMC"):
            props = args[1] if operator == b"BDC" else {}
            stack.append((str(args[0]), props.get("/MCID"), str(props.get("/Type", ""))))
        elif operator == b"EMC":
            stack.pop()

    def text(chars: str, _cm: Any, _tm: Any, _font: Any, _size: Any) -> None:
        if chars.strip():
            assert stack, f"page {number + 1}: text outside marked content: {chars!r}"
            runs.append(_Run(number, *stack[-1], chars))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs


def _text_of(pdf: Path, element: Any) -> str:
    """The text of a structure element, in the order of its marked content."""
    tagged = _tagged(pdf)
    mine = [(page, mcid) for (page, mcid), owner in tagged.content.items()
            if _within(owner, element)]
    return "".join(run.text for run in _runs(pdf) if (run.page, run.mcid) in mine)


def _within(element: Any, ancestor: Any) -> bool:
    while element is not None:
        if element.indirect_reference == ancestor.indirect_reference:
            return True
        element = element.get("/P")
        element = element.get_object() if element is not None else None
    return False


def _links(pdf: Path) -> list[Any]:
    return [annotation.get_object() for page in PdfReader(pdf).pages
            for annotation in page.get("/Annots", [])
            if annotation.get_object()["/Subtype"] == "/Link"]


@pytest.mark.parametrize("lang", LANGS)
def test_note_calls_have_links_to_click(any_book: Built, lang: str) -> None:
    calls = _html(any_book, lang).findall(".//a[@class='noteref']")
    assert calls, "the book has notes"
    links = [link for link in _links(any_book.edition(lang, "screen"))
             if "-fn-" in str(link["/Dest"])]
    assert len(links) == len(calls)
    for link in links:
        _, bottom, _, top = (float(v) for v in link["/Rect"])
        assert abs(top - bottom) >= NOTE_CALL_SIZE, link["/Contents"]


@pytest.mark.parametrize("lang", LANGS)
def test_note_calls_keep_the_line_pitch(flagship: Built, lang: str) -> None:
    pdf = flagship.edition(lang, "screen")
    pages = {n for n, page in enumerate(PdfReader(pdf).pages)
             for a in page.get("/Annots", []) if "-fn-" in str(a.get_object()["/Dest"])}
    pdftotext = require("pdftotext")
    pitches = set()
    for page in sorted(pages):
        layout = subprocess.run([pdftotext, "-bbox-layout", "-f", str(page + 1),
                                 "-l", str(page + 1), str(pdf), "-"],
                                capture_output=True, text=True, check=True).stdout
        for block in re.findall(r"<block .*?</block>", layout, re.S):
            bottoms = [float(y) for y in re.findall(r'<line [^>]*yMax="([\d.]+)"', block)]
            pitches |= {round(b - a, 1) for a, b in pairwise(bottoms)}
    body, notes = 10.5 * 1.4, 8.5 * 1.4
    assert pitches <= {round(body, 1), round(notes, 1)}, pitches


def _descriptions(built: Built, lang: str) -> set[str]:
    book = _book(built, lang)
    words = labels(lang)
    html = _html(built, lang)
    calls = {words.note_link.format(number=a.text)
             for a in html.findall(".//a[@class='noteref']")}
    events = {words.event_link.format(date=" ".join("".join(a.itertext()).split()))
              for a in html.findall(".//section[@class='chronology']//a")}
    # The front and back matter is no chapter: its title alone.
    chapters = {words.chapter_link.format(title=c.title) if c.matter == "body" else c.title
                for c in book.chapters}
    chronology = {words.chronology} if book.chronology else set()
    index = {words.index_link.format(term=entry.headword) for entry in book.index} | (
        {words.index} if book.index else set())
    return calls | events | chapters | chronology | index | {words.back_link}


@pytest.mark.parametrize("lang", LANGS)
def test_links_are_described_in_the_book_language(any_book: Built, lang: str) -> None:
    links = _links(any_book.edition(lang, "screen"))
    described = {str(link["/Contents"]) for link in links}
    assert described == _descriptions(any_book, lang)
    if lang == "be":
        assert not [d for d in described if re.fullmatch(r"[\x21-\x7e]+", d)], "no id slugs"
        assert labels(lang).note_link.startswith("Заўвага")


@pytest.mark.parametrize("lang", LANGS)
def test_running_heads_folios_and_leaders_are_artifacts(any_book: Built, lang: str) -> None:
    pdf = any_book.edition(lang, "screen")
    runs = _runs(pdf)
    tagged = _tagged(pdf)
    orphans = [run for run in runs if run.mcid is not None
               and (run.page, run.mcid) not in tagged.content]
    assert orphans == [], "tagged content the structure tree does not reach"
    book = _book(any_book, lang)
    heads = [run.text for run in runs if run.kind == "/Pagination"]
    assert {text for text in heads if not FOLIO.fullmatch(text)} <= _titles(book)
    pdftotext = require("pdftotext")
    pages = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    folios = {(n, page.split()[-1]) for n, page in enumerate(pages)
              if page.strip() and FOLIO.fullmatch(page.split()[-1])}
    assert folios, "the body has folios"
    assert folios == {(run.page, run.text) for run in runs
                      if run.kind == "/Pagination" and FOLIO.fullmatch(run.text)}
    dots = [run for run in runs if run.kind == "/Layout"]
    assert {run.text.strip() for run in dots} == {"."}
    (contents,) = {run.page for run in dots}
    spoken = "".join(run.text for run in runs if run.page == contents and run.mcid is not None)
    assert ". ." not in spoken and all(c.title.replace("\xa0", " ") in spoken.replace("\xa0", " ")
                                       for c in book.chapters)


@pytest.mark.parametrize("lang", LANGS)
def test_running_heads_are_artifacts(flagship: Built, lang: str) -> None:
    heads = {run.text for run in _runs(flagship.edition(lang, "screen"))
             if run.kind == "/Pagination" and not FOLIO.fullmatch(run.text)}
    book = _book(flagship, lang)
    assert book.title in heads
    assert len(heads & {c.title for c in book.chapters}) >= len(book.chapters) // 2


def _titles(book: Book) -> set[str]:
    """What a running head may say."""
    return {book.title, book.labels.chronology, *(c.title for c in book.chapters)}


@pytest.mark.parametrize("lang", LANGS)
def test_foreign_passages_carry_their_language(flagship: Built, lang: str) -> None:
    pdf = flagship.edition(lang, "screen")
    passages: dict[str, list[str]] = {}
    for element in _html(flagship, lang).iterfind(".//body//*[@lang]"):
        passages.setdefault(element.get("lang"), []).append(
            " ".join("".join(element.itertext()).split()))
    assert passages, "the flagship quotes other languages"
    found: dict[str, list[str]] = {}
    for element in _tagged(pdf).elements:
        if "/Lang" in element:
            found.setdefault(str(element["/Lang"]), []).append(
                " ".join(_text_of(pdf, element).split()))
    assert set(found) == set(passages)
    for foreign, pieces in found.items():
        whole = " ".join(passages[foreign])
        assert all(piece and piece in whole for piece in pieces), (foreign, pieces)


@pytest.mark.parametrize("lang", LANGS)
def test_words_are_whole_at_the_line_ends(any_book: Built, lang: str) -> None:
    pdftotext = require("pdftotext")
    pdf = any_book.edition(lang, "screen")
    text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "\xad" not in text
    # A word broken at its own hyphen over a page turn has the folio between.
    text = "\n".join(line for line in text.splitlines() if not FOLIO.fullmatch(line.strip()))
    source = " ".join(" ".join(etree.tostring(_html(any_book, lang), method="text",
                                              encoding="unicode").split()).split())
    for before, after in re.findall(r"(\w+)-\n(\w+)", text):
        assert f"{before}-{after}" in source, f"{before}- {after}"


@pytest.mark.parametrize("lang", LANGS)
def test_one_section_per_chapter(any_book: Built, lang: str) -> None:
    pdf = any_book.edition(lang, "screen")
    document = _tagged(pdf).elements[0]
    sections = [kid.get_object() for kid in document["/K"]
                if kid.get_object()["/S"] == "/Sect"]
    html = _html(any_book, lang)
    assert len(sections) == len(html.findall(".//body/section"))
    headings = []
    for section in sections:
        (heading, *_) = [kid.get_object() for kid in section["/K"]
                         if kid.get_object()["/S"] == "/H1"] or [None]
        if heading is not None:
            headings.append(" ".join(_text_of(pdf, heading).split()))
    book = _book(any_book, lang)
    expected = [c.title for c in book.chapters] + ([book.labels.chronology]
                                                   if book.chronology else []) + (
        [book.labels.index] if book.index else [])
    # The title page's heading comes first.
    assert headings[-len(expected):] == [" ".join(t.split()) for t in expected]
    paragraphs = [e for e in _tagged(pdf).elements if e["/S"] == "/P"]
    assert len(paragraphs) == len(html.findall(".//p")), "a paragraph over a page turn is one"

