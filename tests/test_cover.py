"""The press cover, read back with pypdf, poppler and zbar: one sheet of back, spine
and front whose spine is the interior's page count times the paper's thickness, with
bleed, PDF/X in CMYK, the text face alone, text on the spine only from 80 pages, and
an EAN-13 bar code of the ISBN that a scanner reads; and the EAN-13 encoding itself."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from publish.build import Project
from publish.layout import Layout
from publish.writers import ean13
from publish.writers.cover import geometry, write_cover
from tests.conftest import (
    ROOT,
    Built,
    assembled,
    assert_pdf_x_in_cmyk,
    copy_book,
    embedded_fonts,
    require,
)
from tests.preflight import marks

MM = 72 / 25.4
ISBN = "978-0-306-40615-7"
"""A valid ISBN-13, the example of ISO 2108."""

Cover = Callable[..., Path]


def _interior(pages: int) -> Layout:
    """An interior of `pages` pages, all the cover takes of its layout."""
    return Layout("urn:uuid:00000000-0000-0000-0000-000000000000", pages, [])


@pytest.fixture(scope="module")
def cover(tmp_path_factory: pytest.TempPathFactory) -> Cover:
    """Covers of the flagship book, made once per language, page count and ISBN."""
    folder = tmp_path_factory.mktemp("covers")
    made: dict[tuple[str, int, str | None], Path] = {}

    def make(lang: str, pages: int, isbn: str | None = None) -> Path:
        if (lang, pages, isbn) not in made:
            book = dataclasses.replace(assembled(ROOT, lang),
                                       isbn={"pdf": isbn} if isbn else {})
            target = folder / f"{lang}-{pages}-{isbn or 'none'}.pdf"
            write_cover(book, _interior(pages), Project(ROOT).access(book.print.icc_profile),
                        ROOT / "styles", target)
            made[lang, pages, isbn] = target
        return made[lang, pages, isbn]

    return make


def _box(box: Any) -> list[float]:
    """A page box in millimetres: left, bottom, right, top."""
    return [float(v) / MM for v in box]


@pytest.mark.parametrize("lang", ["be", "en"])
@pytest.mark.parametrize("pages", [120, 300])
def test_spine_width_is_page_count_times_paper_thickness(cover: Cover, lang: str,
                                                         pages: int) -> None:
    (page,) = PdfReader(cover(lang, pages)).pages
    left, bottom, right, top = _box(page.trimbox)
    assert right - left - 2 * 148 == pytest.approx(pages * 0.06, abs=0.1)
    assert top - bottom == pytest.approx(210, abs=0.1)


@pytest.mark.parametrize("lang", ["be", "en"])
def test_bleed_on_every_edge(cover: Cover, lang: str) -> None:
    (page,) = PdfReader(cover(lang, 120)).pages
    left, bottom, right, top = _box(page.trimbox)
    assert _box(page.bleedbox) == pytest.approx(
        [left - 3, bottom - 3, right + 3, top + 3], abs=0.1)
    media = _box(page.mediabox)
    assert media[:2] <= [left - 3 + 0.1, bottom - 3 + 0.1]
    assert media[2:] >= [right + 3 - 0.1, top + 3 - 0.1]


def test_configured_trim_bleed_and_paper(tmp_path: Path) -> None:
    project = copy_book(ROOT / "tests" / "books" / "minimal", tmp_path / "book")
    config = project / "manuscript" / "book.toml"
    config.write_text(config.read_text() + "\n[print]\ntrim-width = 127\ntrim-height = 203\n"
                      "bleed = 5\ncrop-marks = false\npaper-thickness = 0.1\n")
    target = tmp_path / "cover.pdf"
    book = assembled(project, "en")
    write_cover(book, _interior(200), Project(project).access(book.print.icc_profile),
                project / "styles", target)
    (page,) = PdfReader(target).pages
    assert _box(page.trimbox) == pytest.approx([0, 0, 2 * 127 + 20, 203], abs=0.1)
    assert _box(page.mediabox) == pytest.approx([-5, -5, 2 * 127 + 25, 208], abs=0.1)
    assert _box(page.bleedbox) == pytest.approx([-5, -5, 2 * 127 + 25, 208], abs=0.1)
    assert marks(target) == [[]], "crop-marks = false: no marks"


def test_crop_and_fold_marks_in_registration_outside_the_bleed(cover: Cover) -> None:
    """Crop marks at the four corners and fold marks at both edges of the spine, on
    every plate, beyond the bleed."""
    pdf = cover("en", 120)
    (page,) = PdfReader(pdf).pages
    left, bottom, right, top = _box(page.trimbox)
    (found,) = marks(pdf)
    vertical = sorted(round(x0 / MM - left, 1) for x0, _, x1, _ in found if x0 == x1)
    spine = 120 * 0.06
    assert vertical == [0, 0, 148, 148, 148 + spine, 148 + spine, 2 * 148 + spine,
                        2 * 148 + spine]
    assert len(found) == len(vertical) + 4, "two horizontal marks at each side"
    for extent in found:
        x0, y0, x1, y1 = (v / MM for v in extent)
        assert max(x1 - x0, y1 - y0) == pytest.approx(5, abs=0.01)
        outside = max(left - x1, x0 - right, bottom - y1, y0 - top)
        assert outside == pytest.approx(4, abs=0.01), "1 mm beyond the 3 mm bleed"


def _streams(content: Any, resources: Any) -> Iterator[tuple[ContentStream, Any]]:
    """A content stream and every form it draws, with the resources of each."""
    yield content, resources
    for xobject in (resources or {}).get("/XObject", {}).values():
        xobject = xobject.get_object()
        if xobject["/Subtype"] == "/Form":
            form = ContentStream(xobject, None)
            yield from _streams(form, xobject.get("/Resources", resources))


def _painted_text(page: Any) -> list[tuple[float, ...]]:
    """The fill colour of every text drawn on the page, forms included."""
    colours: list[tuple[float, ...]] = []

    def walk(content: ContentStream, resources: Any, fill: tuple[float, ...]) -> None:
        stack = []
        for operands, operator in content.operations:
            if operator == b"q":
                stack.append(fill)
            elif operator == b"Q":
                fill = stack.pop()
            elif operator in (b"sc", b"scn"):
                fill = tuple(float(v) for v in operands)
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                colours.append(fill)
            elif operator == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject["/Subtype"] == "/Form":
                    walk(ContentStream(xobject, None), xobject.get("/Resources", resources),
                         fill)

    walk(ContentStream(page.get_contents(), None), page["/Resources"], ())
    return colours


@pytest.mark.parametrize("lang", ["be", "en"])
def test_cover_is_pdf_x_in_cmyk(cover: Cover, lang: str) -> None:
    pdf = cover(lang, 120, ISBN)
    assert_pdf_x_in_cmyk(pdf)
    reader = PdfReader(pdf)
    (page,) = reader.pages
    streams = list(_streams(ContentStream(page.get_contents(), None), page["/Resources"]))
    assert len(streams) > 1, "the bar code's digits are forms: they are checked too"
    for content, _ in streams:
        operators = {operator for _, operator in content.operations}
        assert not {b"rg", b"RG", b"g", b"G"} & operators, "CMYK alone, not RGB nor grey"
        space = None
        for operands, operator in content.operations:
            if operator in (b"cs", b"CS"):
                space = operands[0]
                assert space in ("/DeviceCMYK", "/Registration")
            if operator in (b"sc", b"scn", b"SC", b"SCN"):
                # The marks: the tint of the separation All, on all four plates.
                expected = 1 if space == "/Registration" else 4
                assert len(operands) == expected, f"{operator!r} {operands}: CMYK"
    colours = _painted_text(page)
    assert colours and set(colours) == {(0, 0, 0, 1)}, "all text in black alone"


@pytest.mark.parametrize("lang", ["be", "en"])
def test_fonts_are_the_text_face_and_embedded(cover: Cover, lang: str) -> None:
    fonts = embedded_fonts(cover(lang, 120, ISBN))
    assert fonts
    assert all(name.startswith("PT-Serif") and embedded for name, embedded in fonts.items())


def test_metadata_and_reproducible(cover: Cover, tmp_path: Path) -> None:
    first = cover("be", 120)
    reader = PdfReader(first)
    assert reader.metadata is not None and reader.metadata.title == "Алесь Бяляцкі"
    assert str(reader.root_object["/Lang"]) == "be"
    again = tmp_path / "again.pdf"
    book = assembled(ROOT, "be")
    write_cover(book, _interior(120), Project(ROOT).access(book.print.icc_profile),
                ROOT / "styles", again)
    assert again.read_bytes() == first.read_bytes()


def _text(pdf: Path, panel: str) -> str:
    """The text pdftotext finds on one panel of the cover (`back`, `spine`, `front`),
    without spaces (letter-spaced capitals come back split), in lower case."""
    pdftotext = require("pdftotext")
    (page,) = PdfReader(pdf).pages
    media, trim = [float(v) for v in page.mediabox], [float(v) for v in page.trimbox]
    width, spine = 148 * MM, trim[2] - trim[0] - 2 * 148 * MM
    left = {"back": 0, "spine": width, "front": width + spine}[panel]
    wide = spine if panel == "spine" else width
    # pdftotext crops in points from the top left corner of the media box.
    region = [trim[0] - media[0] + left, media[3] - trim[3], wide, trim[3] - trim[1]]
    crop = [option for name, value in zip("xyWH", region, strict=True)
            for option in (f"-{name}", str(round(value)))]
    found = subprocess.run([pdftotext, *crop, str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    return _squeeze(found)


def _squeeze(text: str) -> str:
    return re.sub(r"\s", "", text).lower()


@pytest.mark.parametrize("lang", ["be", "en"])
@pytest.mark.parametrize("pages", [79, 80, 120])
def test_spine_text_only_from_80_pages(cover: Cover, lang: str, pages: int) -> None:
    """KDP sets no text on the spine of a book of 79 pages or fewer."""
    book = assembled(ROOT, lang)
    pdf = cover(lang, pages)
    spine = _text(pdf, "spine")
    if pages >= 80:
        assert spine == _squeeze(book.title + book.authors[0].name)
    else:
        assert spine == ""
    turned = _turned_text(pdf)
    assert _squeeze("".join(turned)) == spine
    assert set(turned.values()) <= {"top to bottom"}
    front = _text(pdf, "front")
    for text in (book.title, book.subtitle, book.authors[0].name, book.publisher):
        assert _squeeze(text) in front
    assert _squeeze(book.description) in _text(pdf, "back")


def _turned_text(pdf: Path) -> dict[str, str]:
    """The text not set horizontally, with the way it reads on the flat cover."""
    found: dict[str, str] = {}

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        # The direction of the baseline and of the glyphs' up: the text matrix
        # times the current transformation matrix.
        along = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3])
        up = (tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        if text.strip() and abs(along[1]) > abs(along[0]):
            reads = "top to bottom" if along[1] < 0 and up[0] > 0 else "other"
            found[text] = reads

    (page,) = PdfReader(pdf).pages
    page.extract_text(visitor_text=visit)
    return found


def test_spine_needs_room_for_its_text() -> None:
    """From 80 pages, but on paper so thin that the spine has no room for text set at
    5 pt with 1.6 mm clear on either side, the spine stays plain."""
    book = assembled(ROOT, "en")
    thin = dataclasses.replace(book, print=dataclasses.replace(book.print,
                                                               paper_thickness=0.05))
    assert geometry(book, 80).spine_text is not None
    assert geometry(thin, 80).spine == pytest.approx(4.0)
    assert geometry(thin, 80).spine_text is None
    assert geometry(thin, 91).spine_text is not None
    assert geometry(book, 79).spine_text is None


def test_barcode_scans_as_the_isbn(cover: Cover, tmp_path: Path) -> None:
    pdftoppm, zbarimg = require("pdftoppm"), require("zbarimg")
    pdf = cover("en", 120, ISBN)
    subprocess.run([pdftoppm, "-r", "600", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "cover")], check=True)
    scanned = subprocess.run([zbarimg, "--quiet", str(tmp_path / "cover.png")],
                             capture_output=True, text=True, check=False).stdout
    assert scanned.split() == ["EAN-13:9780306406157"]
    assert _squeeze(f"ISBN {ISBN}") in _text(pdf, "back"), "the ISBN above the bars"
    assert "isbn" not in _text(cover("en", 120), "back"), "no ISBN, no bar code"


# The EAN-13 encoding, checked against the tables of ISO/IEC 15420 written the way
# the standard writes them: each digit as the widths of space, bar, space, bar.
NUMBER_SET_A = ["3211", "2221", "2122", "1411", "1132", "1231", "1114", "1312", "1213", "3112"]
"""Set A (odd parity, left half); set B is each of these reversed; set C (right half)
has the widths of set A, starting with a bar."""
LEFT_HALF = {"0": "AAAAAA", "1": "AABABB", "2": "AABBAB", "3": "AABBBA", "4": "ABAABB",
             "5": "ABBAAB", "6": "ABBBAA", "7": "ABABAB", "8": "ABABBA", "9": "ABBABA"}
"""The number sets of the left half's six digits, by the leading digit it encodes."""


def _widths(widths: str, first: str) -> str:
    other = "1" if first == "0" else "0"
    return "".join((first if n % 2 == 0 else other) * int(w) for n, w in enumerate(widths))


def _expected(number: str) -> str:
    left = "".join(_widths(NUMBER_SET_A[int(d)] if s == "A" else NUMBER_SET_A[int(d)][::-1],
                           "0")
                   for s, d in zip(LEFT_HALF[number[0]], number[1:7], strict=True))
    right = "".join(_widths(NUMBER_SET_A[int(d)], "1") for d in number[7:])
    return "101" + left + "01010" + right + "101"


def _check_digit(first: str) -> str:
    """Weights 1, 3, 1, 3 ... from the left; the check digit makes the sum a multiple of 10."""
    total = sum(int(d) * w for d, w in zip(first, [1, 3] * 6, strict=True))
    return str(-total % 10)


@pytest.mark.parametrize("leading", list("0123456789"))
def test_ean13_modules(leading: str) -> None:
    """Every leading digit, hence every pattern of the left half."""
    number = leading + "78030640615"[:11]
    number += _check_digit(number)
    assert ean13.check_digit(number[:12]) == int(number[12])
    modules = ean13.modules(number)
    assert len(modules) == 95
    assert modules == _expected(number)


def test_ean13_of_the_example_isbn() -> None:
    """The bars of ISBN 978-0-306-40615-7, as zbarimg reads them from the cover."""
    assert ean13.modules("9780306406157") == (
        "101" "0111011" "0001001" "0100111" "0111101" "0100111" "0101111"
        "01010" "1011100" "1110010" "1010000" "1100110" "1001110" "1000100" "101")


def test_ean13_refuses_a_wrong_check_digit() -> None:
    assert ean13.check_digit("978030640615") == 7
    for wrong in ("9780306406158", "978030640615", "97803064061a7"):
        with pytest.raises(ValueError):
            ean13.modules(wrong)


def test_ean13_svg_at_nominal_size() -> None:
    svg = ean13.svg("9780306406157", "PT Serif")
    assert 'width="37.29mm" height="25.93mm"' in svg
    bars = re.findall(r'<rect x="(\d+)" y="0" width="(\d+)"', svg)
    assert sum(int(width) for _, width in bars) == ean13.modules("9780306406157").count("1")
    assert min(int(x) for x, _ in bars) == 11 and max(int(x) + int(w) for x, w in bars) == 106
    assert re.findall(r">(\d)</text>", svg) == list("9780306406157")
    assert 'fill="device-cmyk(0 0 0 1)"' in svg


def test_a_title_typed_with_unicode_hyphens_is_set_on_the_cover(scratch_book: Path,
                                                                 tmp_path: Path) -> None:
    """U+2010 HYPHEN, which the text face lacks, is set as its hyphen on the cover
    as inside the book, instead of failing the build."""
    from publish.build import build

    config = scratch_book / "manuscript" / "en" / "book.toml"
    config.write_text(config.read_text().replace('"A Minimal Book"', '"A Well\u2010Made Book"'))
    (cover_pdf,) = build(Project(scratch_book), ["en"], ["cover"], tmp_path / "out")
    text = subprocess.run([require("pdftotext"), str(cover_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "A Well-Made Book" in text


@pytest.mark.parametrize("lang", ["be", "en"])
def test_the_built_covers_spine_is_the_built_interiors_pages_thick(any_book: Built,
                                                                   lang: str) -> None:
    settings = assembled(any_book.project, lang).print
    pages = len(PdfReader(any_book.edition(lang, "pdf")).pages)
    (cover,) = PdfReader(any_book.edition(lang, "cover")).pages
    left, _, right, _ = _box(cover.trimbox)
    spine = right - left - 2 * settings.trim_width
    assert spine == pytest.approx(pages * settings.paper_thickness, abs=0.05)
