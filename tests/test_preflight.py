"""The press files against the suite's preflight (tests/preflight.py): the flagship's
and the minimal book's interior and cover, as PDF/X-3 and as PDF/X-1a, in both
languages, give no finding; and the preflight proves itself on files broken on
purpose, each of which must give exactly the finding its break calls for."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from publish.build import Project, build
from publish.config import PrintConfig
from publish.writers import press
from publish.writers.pdfedit import editing
from tests.conftest import ROOT, Built, assert_pdf_x_in_cmyk, copy_book, rewritten_pdf
from tests.preflight import marks, preflight

MM = 72 / 25.4
PRESS = ["pdf", "cover"]
X_1A = "PDF/X-1a:2003"


@pytest.mark.parametrize("fmt", PRESS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_press_files_pass_as_pdf_x_3(any_book: Built, lang: str, fmt: str) -> None:
    assert_pdf_x_in_cmyk(any_book.edition(lang, fmt))


def _as_x_1a(project: Path) -> None:
    config = project / "manuscript" / "book.toml"
    text = config.read_text()
    setting = 'pdf-x = "pdf/x-1a"\n'
    config.write_text(text.replace("[print]\n", "[print]\n" + setting) if "[print]" in text
                      else text + "\n[print]\n" + setting)


@pytest.fixture(scope="module")
def x_1a(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """The minimal and the flagship book's press files as PDF/X-1a."""
    base = tmp_path_factory.mktemp("x-1a")
    built = {}
    for name, source in (("minimal", ROOT / "tests" / "books" / "minimal"), ("flagship", ROOT)):
        project = base / name
        if name == "flagship":
            project.mkdir()
            for folder in ("manuscript", "styles"):
                shutil.copytree(source / folder, project / folder)
        else:
            copy_book(source, project)
        _as_x_1a(project)
        build(Project(project), formats=PRESS, out=project / "out")
        built[name] = Built(project, project / "out", "bialiatski" if name == "flagship"
                            else "minimal")
    return built


@pytest.mark.parametrize("book", ["minimal", "flagship"])
@pytest.mark.parametrize("fmt", PRESS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_press_files_pass_as_pdf_x_1a(x_1a: dict[str, Built], book: str, lang: str,
                                      fmt: str) -> None:
    assert_pdf_x_in_cmyk(x_1a[book].edition(lang, fmt), X_1A)


@pytest.mark.parametrize("fmt", PRESS)
def test_the_header_is_pdf_1_4(minimal: Built, x_1a: dict[str, Built], fmt: str) -> None:
    """What both standards are built on, and what the file's /Lang and XMP need."""
    for pdf in (minimal.edition("en", fmt), x_1a["minimal"].edition("en", fmt)):
        assert pdf.read_bytes().startswith(b"%PDF-1.4\n")


def test_interior_crop_marks_outside_the_bleed(flagship: Built) -> None:
    pdf = flagship.edition("en", "pdf")
    reader = PdfReader(pdf)
    for page, found in zip(reader.pages, marks(pdf), strict=True):
        left, bottom, right, top = (float(v) / MM for v in page.trimbox)
        assert len(found) == 8, "two at each corner"
        for extent in found:
            x0, y0, x1, y1 = (v / MM for v in extent)
            assert max(x1 - x0, y1 - y0) == pytest.approx(5, abs=0.01)
            outside = max(left - x1, x0 - right, bottom - y1, y0 - top)
            assert outside == pytest.approx(4, abs=0.01), "1 mm beyond the 3 mm bleed"
        media = [float(v) / MM for v in page.mediabox]
        assert media == pytest.approx([left - 9, bottom - 9, right + 9, top + 9], abs=0.01)


def test_no_links_in_the_press_interior_but_in_the_screen_edition(flagship: Built) -> None:
    for fmt, linked in (("pdf", False), ("screen", True)):
        annotations = [a for page in PdfReader(flagship.edition("en", fmt)).pages
                       for a in page.get("/Annots") or []]
        assert bool(annotations) == linked, fmt


def test_finishing_holds_for_any_page_count(tmp_path: Path) -> None:
    """Pages added after layout (blank leaves to fill a signature) are finished
    like the others."""
    pdf = tmp_path / "leaves.pdf"
    writer = PdfWriter()
    for _ in range(3):
        page = writer.add_blank_page(148 * MM, 210 * MM)
        page.trimbox = page.mediabox
    writer.write(pdf)
    with editing(pdf) as writer:
        press.finish(writer, PrintConfig())
    for page, found in zip(PdfReader(pdf).pages, marks(pdf), strict=True):
        assert len(found) == 8
        assert [float(v) / MM for v in page.bleedbox] == pytest.approx([-3, -3, 151, 213])


# Files broken on purpose

def _page(change: Callable[[Any], None]) -> Callable[[PdfWriter], None]:
    return lambda writer: change(writer.pages[0])


def _draw(operators: bytes) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        page = writer.pages[0]
        stream = ContentStream(None, writer)
        stream.set_data(page.get_contents().get_data() + b"\n" + operators)  # type: ignore[union-attr]
        page.replace_contents(stream)
    return change


def _set(key: str, value: Any) -> Callable[[Any], None]:
    def change(owner: Any) -> None:
        owner[NameObject(key)] = value
    return change


def _resources(writer: PdfWriter) -> Any:
    return writer.pages[0]["/Resources"].get_object()


def _first_state(writer: PdfWriter) -> Any:
    states = _resources(writer)["/ExtGState"]
    return next(iter(states.values())).get_object()


def _group() -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/Transparency"),
                             NameObject("/CS"): NameObject("/DeviceCMYK")})


def _info(change: Callable[[DictionaryObject], None]) -> Callable[[PdfWriter], None]:
    def edit(writer: PdfWriter) -> None:
        info = writer._info  # pypdf has no public way to remove an Info key
        assert info is not None
        change(info)
    return edit


def _drop_id(writer: PdfWriter) -> None:
    writer._ID = None  # pypdf keeps the copied ID here and offers no other way


def _intent(writer: PdfWriter) -> Any:
    root: Any = writer.root_object
    return root["/OutputIntents"][0].get_object()


def _unembed_first_font(writer: PdfWriter) -> None:
    fonts = _resources(writer)["/Font"]
    font = next(iter(fonts.values())).get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        descriptor.pop(key, None)


def _add_icc_colour_space(writer: PdfWriter) -> None:
    intent = _intent(writer)
    spaces = _resources(writer)["/ColorSpace"].get_object()
    spaces[NameObject("/Calibrated")] = ArrayObject([NameObject("/ICCBased"),
                                                     intent.raw_get("/DestOutputProfile")])


BREAKS: dict[str, tuple[Callable[[PdfWriter], object], str, str]] = {
    "transparency group": (_page(_set("/Group", _group())),
                           "transparency", "a transparency group"),
    "ca 0.5": (lambda w: _set("/ca", FloatObject(0.5))(_first_state(w)),
               "transparency", "transparent painting: /ca 0.5"),
    "soft mask": (lambda w: _set("/SMask", DictionaryObject())(_first_state(w)),
                  "transparency", "transparent painting: /SMask {}"),
    "multiply": (lambda w: _set("/BM", NameObject("/Multiply"))(_first_state(w)),
                 "transparency", "transparent painting: /BM /Multiply"),
    "link": (lambda w: w.add_annotation(0, Link(rect=(50, 50, 100, 100), target_page_index=0)),
             "annotation", "a /Link annotation"),
    "header 1.3": (lambda w: setattr(w, "pdf_header", "%PDF-1.3"), "version",
                   "PDF 1.3, but the file uses /Lang (PDF 1.4), /Metadata (PDF 1.4)"),
    "header 1.6": (lambda w: setattr(w, "pdf_header", "%PDF-1.6"), "version",
                   "PDF 1.6; PDF/X-3:2003 allows 1.3 or 1.4"),
    "no Trapped": (_info(lambda info: info.pop("/Trapped")), "trapped",
                   "Trapped is None, not True or False"),
    "no version": (_info(lambda info: info.pop("/GTS_PDFXVersion")), "info",
                   "GTS_PDFXVersion is missing, not one of PDF/X-3:2003, PDF/X-1a:2003"),
    "other title": (_info(_set("/Title", TextStringObject("Other"))),
                    "xmp", "dc:title is 'A Minimal Book', the Info says 'Other'"),
    "no ID": (_drop_id, "id", "no ID of two strings"),
    "rg": (_draw(b"1 0 0 rg"), "colour", "the RGB operator rg"),
    "DeviceRGB": (_draw(b"/DeviceRGB CS"), "colour", "DeviceRGB set in the content"),
    "no TrimBox": (_page(lambda page: page.pop("/TrimBox")), "boxes", "no TrimBox"),
    "trim beyond bleed": (_page(_set("/BleedBox", ArrayObject(FloatObject(v) for v in
                                                               (10, 10, 400, 580)))),
                          "boxes", "the TrimBox reaches outside the BleedBox"),
    "mark in the bleed": (_draw(b"q /Registration CS 1 SCN -5 100 m -1 100 l S Q"), "marks",
                          "a mark in registration inside the bleed"),
    "no profile": (lambda w: _intent(w).pop("/DestOutputProfile"), "output-intent",
                   "no embedded output profile"),
    "font not embedded": (_unembed_first_font, "font", "is not embedded"),
    "no intent Info": (lambda w: _intent(w).pop("/Info"), "output-intent", "no Info"),
    "transfer": (lambda w: _set("/TR", NameObject("/Identity"))(_first_state(w)),
                 "transfer", "a transfer function"),
    "JavaScript": (lambda w: _set("/OpenAction", DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('proof');")}))(w.root_object),
                   "actions", "an action: /JavaScript"),
}


@pytest.mark.parametrize("name", BREAKS)
def test_preflight_finds_what_is_broken(minimal: Built, tmp_path: Path, name: str) -> None:
    change, rule, message = BREAKS[name]
    good = minimal.edition("en", "pdf")
    assert preflight(good) == []
    broken = rewritten_pdf(good, tmp_path / "broken.pdf", change)
    found = [(finding.rule, finding.message) for finding in preflight(broken)]
    assert len(found) == 1 and found[0][0] == rule and found[0][1].endswith(message), found


def test_preflight_holds_pdf_x_1a_to_device_colour(minimal: Built, x_1a: dict[str, Built],
                                                   tmp_path: Path) -> None:
    """An ICC-based colour space is device-independent colour: PDF/X-3 takes it,
    PDF/X-1a does not."""
    x_3 = rewritten_pdf(minimal.edition("en", "pdf"), tmp_path / "x-3.pdf",
                        _add_icc_colour_space)
    assert preflight(x_3) == []
    broken = rewritten_pdf(x_1a["minimal"].edition("en", "pdf"), tmp_path / "x-1a.pdf",
                           _add_icc_colour_space)
    assert [(f.rule, f.message) for f in preflight(broken)] == [
        ("colour", "a /ICCBased colour space, which PDF/X-1a:2003 does not allow")]
