"""The make-up of the PDF editions, measured on the laid-out pages with poppler's
`pdftotext -bbox-layout`: a centred title page with the publisher at its foot, the
imprint at the foot of its page in plain lines, no space above a heading at the top
of a page, chapters opening on rectos or on any page, and the page count padded to
whole signatures, which the cover's spine follows."""

from __future__ import annotations

import dataclasses
import re
import shutil
import statistics
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from publish.build import Project, build
from publish.config import load_shared
from publish.diagnostics import Collector
from publish.model import Book
from publish.writers import frontmatter
from tests.conftest import ROOT, Built, assembled, copy_book, require

MM = 72 / 25.4
EDITIONS = ["pdf", "screen"]


@dataclasses.dataclass(frozen=True)
class Line:
    """A line of text as laid out, in PDF points with y upwards, as the page boxes."""

    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@cache
def _layout(pdf: Path) -> list[list[Line]]:
    """The lines of every page, in reading order."""
    pdftotext = require("pdftotext")
    xhtml = subprocess.run([pdftotext, "-bbox-layout", str(pdf), "-"], capture_output=True,
                           check=True).stdout
    media = [[float(v) for v in page.mediabox] for page in PdfReader(pdf).pages]
    parsed = etree.fromstring(xhtml, etree.HTMLParser(encoding="utf-8"))
    pages = []
    for number, page in enumerate(parsed.iter("page")):
        left, _, _, top = media[number]  # pdftotext measures from the media box's top left
        pages.append([
            Line(" ".join(w.text or "" for w in line.iter("word")),
                 left + float(line.get("xmin")), top - float(line.get("ymax")),
                 left + float(line.get("xmax")), top - float(line.get("ymin")))
            for line in page.iter("line")])
    return pages


def _trim(pdf: Path, number: int = 0) -> list[float]:
    return [float(v) for v in PdfReader(pdf).pages[number].trimbox]


def _title_page(pdf: Path, book: Book) -> int:
    """The page holding the title and the publisher."""
    return next(n for n, lines in enumerate(_layout(pdf))
                if {book.title, book.publisher} <= {line.text for line in lines})


def _front_page(pdf: Path, book: Book, after: int) -> tuple[list[Line], list[float]]:
    """The lines and the trim box of the page `after` pages after the title page."""
    number = _title_page(pdf, book) + after
    return _layout(pdf)[number], _trim(pdf, number)


def _flagship_with(folder: Path, settings: str) -> Path:
    """A copy of the flagship whose [print] table, the last of its book.toml, says
    `settings` as well."""
    shutil.copytree(ROOT / "manuscript", folder / "manuscript")
    shutil.copytree(ROOT / "styles", folder / "styles")
    config = folder / "manuscript" / "book.toml"
    config.write_text(config.read_text(encoding="utf-8") + settings, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tall(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The minimal book on another trim: 6 × 9 inches, taller and wider."""
    base = tmp_path_factory.mktemp("tall")
    project = copy_book(ROOT / "tests" / "books" / "minimal", base / "project")
    config = project / "manuscript" / "book.toml"
    config.write_text(config.read_text() + "\n[print]\ntrim-width = 152.4\n"
                      "trim-height = 228.6\n")
    build(Project(project), formats=["pdf", "screen"], out=base / "out")
    return Built(project, base / "out", "minimal")


@pytest.fixture(params=["flagship", "tall"])
def trims(request: pytest.FixtureRequest) -> Built:
    built: Built = request.getfixturevalue(request.param)
    return built


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_title_page_is_centred_with_the_publisher_at_its_foot(trims: Built, lang: str,
                                                              fmt: str) -> None:
    book = assembled(trims.project, lang)
    lines, (left, bottom, right, top) = _front_page(trims.edition(lang, fmt), book, 0)
    for line in lines:
        assert line.centre == pytest.approx((left + right) / 2, abs=1.5), line.text
    title = next(line for line in lines if line.text == book.title)
    assert title.top < top - 0.2 * (top - bottom), "the title below the head of the page"
    publisher = lines[-1]
    assert publisher.text == book.publisher
    assert bottom + 12 * MM < publisher.bottom < bottom + 30 * MM, \
        "the publisher's line stands on the foot of the type area"


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_imprint_at_the_foot_of_the_title_pages_verso(trims: Built, lang: str,
                                                      fmt: str) -> None:
    book = assembled(trims.project, lang)
    lines, (_, bottom, _, top) = _front_page(trims.edition(lang, fmt), book, 1)
    assert book.rights in [line.text for line in lines]
    assert all(line.top < bottom + 0.4 * (top - bottom) for line in lines), \
        "the whole imprint in the lower part of the page"
    assert bottom + 12 * MM < lines[-1].bottom < bottom + 30 * MM


@pytest.mark.parametrize("fmt", [*EDITIONS, "epub"])
@pytest.mark.parametrize("lang", ["be", "en"])
def test_imprint_in_plain_lines(flagship: Built, lang: str, fmt: str) -> None:
    """No field names, no identifier but an ISBN, the rights of the edition's language."""
    book = assembled(ROOT, lang)
    if fmt == "epub":
        with zipfile.ZipFile(flagship.edition(lang, fmt)) as archive:
            page = etree.fromstring(archive.read("EPUB/imprint.xhtml"))
        body = page.find("{http://www.w3.org/1999/xhtml}body")
        text = " ".join(" ".join(p.itertext()) for p in body.iter("{*}p"))
    else:
        pdf = flagship.edition(lang, fmt)
        lines = _layout(pdf)[_title_page(pdf, book) + 1]
        text = " ".join(line.text for line in lines)
    text = " ".join(text.split())  # no-break spaces are spaces in extracted text
    assert " ".join(book.rights.split()) in text
    # A Slavic credit line names its role before a colon («Пераклад: …»), as the
    # names cannot be declined; it is the one field the imprint keeps.
    for credit in book.credit_lines:
        assert " ".join(credit.split()) in text
        text = text.replace(" ".join(credit.split()), "")
    assert " ".join(f"{book.publisher}, {book.published_text}".split()) in text
    for label in ("Rights", "Правы", "Published", "Выдадзена", "Identifier",
                  "Ідэнтыфікатар", "urn:", "uuid", ": "):
        assert label not in text
    assert not re.search(r"(?<!\.)\.\.(?!\.)", text)


def test_belarusian_rights_and_publisher() -> None:
    """manuscript/be/book.toml gives its own rights line and publisher; English keeps
    the shared ones."""
    be, en = assembled(ROOT, "be"), assembled(ROOT, "en")
    assert "ліцэнзіі" in be.rights and be.rights != en.rights
    assert re.search(r"[а-яіў]", be.publisher) and be.publisher != en.publisher
    diagnostics = Collector()
    shared = load_shared(ROOT / "manuscript" / "book.toml", diagnostics)
    assert shared is not None
    assert (en.rights, en.publisher) == (shared.rights, shared.publisher)


def test_an_isbn_stays_in_the_imprint_of_its_edition() -> None:
    book = dataclasses.replace(assembled(ROOT, "en"), isbn={"pdf": "978-0-306-40615-7"})
    assert "<p>ISBN 978-0-306-40615-7</p>" in frontmatter.imprint(book, "pdf")
    assert "ISBN" not in frontmatter.imprint(book, "epub")


def test_an_isbn_is_printed_hyphenated_by_its_ranges(scratch_book: Path) -> None:
    """However book.toml writes it, the imprint and the cover print an ISBN as the ISBN
    agency's ranges hyphenate it: group 0, publisher 306, title 40615."""
    config = scratch_book / "manuscript" / "en" / "book.toml"
    config.write_text(config.read_text() + '\n[isbn]\npdf = "97 80 30 64 06 15 7"\n')
    assert assembled(scratch_book, "en").isbn == {"pdf": "978-0-306-40615-7"}


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_no_doubled_full_stop(flagship: Built, lang: str, fmt: str) -> None:
    for number, lines in enumerate(_layout(flagship.edition(lang, fmt)), start=1):
        for line in lines:
            assert not re.search(r"(?<!\.)\.\.(?!\.)", line.text), (number, line.text)


def _first_lines(pdf: Path, head_below: float) -> list[Line | None]:
    """The first line of the text block of each page (after its running head, which
    stands above `head_below`); None for a page without text."""
    firsts: list[Line | None] = []
    for lines in _layout(pdf):
        body = [line for line in lines if line.top < head_below]
        firsts.append(body[0] if body else None)
    return firsts


@pytest.mark.parametrize("lang", ["be", "en"])
def test_a_heading_at_the_top_of_a_page_starts_at_the_top_of_the_text_block(
        flagship: Built, lang: str) -> None:
    pdf = flagship.edition(lang, "pdf")
    book = assembled(ROOT, lang)
    headings = {" ".join(s.title.split()) for c in book.chapters for s in c.sections}
    firsts = [line for line in _first_lines(pdf, _head_below(pdf)) if line is not None]
    at_heading = [line for line in firsts if line.text in headings]
    assert at_heading, "the flagship has a page that starts with a heading"
    # Most pages start with a line of running text: where the text block begins.
    text_top = statistics.mode(round(line.top) for line in firsts)
    for line in at_heading:
        assert line.top == pytest.approx(text_top, abs=1.5), line.text


@pytest.fixture(scope="module")
def any_opening(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The flagship with chapters opening on any page."""
    base = tmp_path_factory.mktemp("any-opening")
    project = _flagship_with(base / "project", 'chapter-opening = "any"\n')
    build(Project(project), formats=["pdf"], out=base / "out")
    return Built(project, base / "out", "bialiatski")


def _openings(built: Built, lang: str) -> list[int]:
    """The pages (from 1) where the chapters and the chronology open: a page whose
    text block begins with a chapter's title (or its first line)."""
    pdf = built.edition(lang, "pdf")
    book = assembled(built.project, lang)
    titles = [c.title for c in book.chapters] + [book.labels.chronology]
    return [number for number, line in enumerate(_first_lines(pdf, _head_below(pdf)), start=1)
            if line is not None and any(title.startswith(line.text) for title in titles)]


def _head_below(pdf: Path) -> float:
    """Where the text block begins: the running heads stand in the top margin (18 mm)."""
    return _trim(pdf)[3] - 17 * MM


def _blank(pdf: Path) -> list[int]:
    return [number for number, lines in enumerate(_layout(pdf), start=1) if not lines]


@pytest.mark.parametrize("lang", ["be", "en"])
def test_chapters_open_on_any_page(flagship: Built, any_opening: Built, lang: str) -> None:
    recto, any_page = flagship.edition(lang, "pdf"), any_opening.edition(lang, "pdf")
    assert all(page % 2 == 1 for page in _openings(flagship, lang))
    openings = _openings(any_opening, lang)
    assert len(openings) == len(_openings(flagship, lang))
    # The front matter opens on rectos, as the first chapter of the body does.
    first = openings[len(assembled(any_opening.project, lang).front_matter)]
    assert all(page % 2 == 1 for page in openings[:openings.index(first) + 1]), \
        "the first chapter opens on a recto all the same"
    assert any(page % 2 == 0 for page in openings[1:]), "some open on a verso"
    assert [page for page in _blank(any_page) if page > first] == [], \
        "no blank page in the body"
    assert len(_layout(any_page)) < len(_layout(recto)) - len(openings) // 2


SIGNATURE = 24
"""Pages a signature of the `signed` flagship: a count its interior (64 pages in
English) is no multiple of, so that padding is needed."""


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The flagship printed in signatures of SIGNATURE pages."""
    base = tmp_path_factory.mktemp("signed")
    project = _flagship_with(base / "project", f"signature = {SIGNATURE}\n")
    build(Project(project), languages=["en"], formats=["pdf", "cover", "epub"],
          out=base / "out")
    return Built(project, base / "out", "bialiatski")


def test_signature_pads_the_interior_with_blank_pages(flagship: Built, signed: Built) -> None:
    laid_out = PdfReader(flagship.edition("en", "pdf")).pages
    padded = PdfReader(signed.edition("en", "pdf")).pages
    assert len(laid_out) % SIGNATURE != 0, "the flagship needs padding, or this proves nothing"
    assert len(padded) == -(-len(laid_out) // SIGNATURE) * SIGNATURE
    lines = _layout(signed.edition("en", "pdf"))
    assert lines[:len(laid_out)] == _layout(flagship.edition("en", "pdf"))
    assert all(page == [] for page in lines[len(laid_out):]), "no running head, no folio"
    for page in padded[len(laid_out):]:
        for box in ("mediabox", "trimbox", "bleedbox"):
            assert list(getattr(page, box)) == list(getattr(laid_out[-1], box))


def test_the_spine_follows_the_padded_count(signed: Built) -> None:
    pages = len(PdfReader(signed.edition("en", "pdf")).pages)
    (cover,) = PdfReader(signed.edition("en", "cover")).pages
    left, _, right, _ = (float(v) / MM for v in cover.trimbox)
    assert right - left - 2 * 148 == pytest.approx(pages * 0.06, abs=0.05)


def test_the_page_list_ignores_the_padding(flagship: Built, signed: Built) -> None:
    def page_list(epub: Path) -> list[str]:
        with zipfile.ZipFile(epub) as archive:
            nav = archive.read("EPUB/nav.xhtml").decode()
        return re.findall(r'<li><a href="[^"]*">([^<]+)</a></li>',
                          nav.split('epub:type="page-list"')[1])

    assert page_list(signed.edition("en", "epub")) == page_list(flagship.edition("en", "epub"))


def test_print_settings_of_the_configuration(tmp_path: Path) -> None:
    config = tmp_path / "book.toml"
    base = (ROOT / "tests" / "books" / "minimal" / "manuscript" / "book.toml").read_text()
    config.write_text(base)
    diagnostics = Collector()
    default = load_shared(config, diagnostics)
    assert default is not None
    assert (default.print.chapter_opening, default.print.signature) == ("recto", None)
    config.write_text(base + '\n[print]\nchapter-opening = "any"\nsignature = 32\n')
    chosen = load_shared(config, diagnostics)
    assert chosen is not None and not diagnostics.diagnostics
    assert (chosen.print.chapter_opening, chosen.print.signature) == ("any", 32)


@pytest.mark.parametrize(("value", "message"), [
    ("16.0", "print.signature must be an integer, not a float 16.0"),
    ('"16"', 'print.signature must be an integer, not a string "16"'),
    ("true", "print.signature must be an integer, not a boolean true"),
    ("0", "signature must be a positive multiple of 4 pages"),
    ("-16", "signature must be a positive multiple of 4 pages"),
    ("2", "signature must be a positive multiple of 4 pages"),
])
def test_bad_signatures(tmp_path: Path, value: str, message: str) -> None:
    config = tmp_path / "book.toml"
    base = (ROOT / "tests" / "books" / "minimal" / "manuscript" / "book.toml").read_text()
    config.write_text(base + f"\n[print]\nsignature = {value}\n")
    diagnostics = Collector()
    load_shared(config, diagnostics)
    (problem,) = diagnostics.diagnostics
    assert problem.line == 9 and problem.message.startswith(message)
