"""The PDF editions, read back with poppler, qpdf and pypdf: the press interior
(`<id>.pdf`: PDF/X, CMYK, bleed, footnotes at the foot, roman front matter) and the
screen edition (`<id>-screen.pdf`: tagged PDF/UA, RGB): page geometry, fonts, table
of contents, chapter openings, running heads, bookmarks, language."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from publish.languages import LANGUAGES, Language
from tests.conftest import (
    Built,
    assert_pdf_x_in_cmyk,
    embedded_fonts,
    require,
    run_publish,
    transformed,
)
from tests.preflight import marks

MM = 72 / 25.4


@cache
def _pages(pdf: Path) -> list[str]:
    """The text of every page, as pdftotext lays it out."""
    pdftotext = require("pdftotext")
    count = len(PdfReader(pdf).pages)
    return [subprocess.run([pdftotext, "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, count + 1)]


def _lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.splitlines() if line.strip()]


@cache
def _chapter_titles(built: Built, lang: str) -> list[str]:
    """The titles of the chapters (the front and back matter's among them) and of the
    chronology and index after them, if the book has them, as the pipeline reads them
    from the manuscript."""
    book = transformed(built.project, lang)
    back = [*([book.labels.chronology] if book.chronology else []),
            *([book.labels.index] if book.index else [])]
    return [_normal(title) for title in [*(c.title for c in book.chapters), *back]]


def _body_opening(built: Built, lang: str, fmt: str = "pdf") -> int:
    """The page (from 1 in the file) where the first chapter of the body opens."""
    return _openings(built, lang, fmt)[_normal(transformed(built.project, lang).body[0].title)]


def _number(folio: str | None) -> int:
    """A folio as a number, roman or arabic."""
    if folio is None or folio.isdigit():
        return int(folio or 0)
    values = [{"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}[c] for c in folio]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0],
                                                             strict=True))


def _normal(line: str | None) -> str:
    """Text as pdftotext gives it back, near enough to compare: no quotes, plain spaces."""
    return " ".join(re.sub(r"[\"'«»„“”’*]", "", line or "").split())


def _title(pdf: Path) -> str:
    metadata = PdfReader(pdf).metadata
    assert metadata is not None and metadata.title
    return str(metadata.title)


EDITIONS = ["pdf", "screen"]


def _folio(page: str) -> str | None:
    """The page number printed at the foot of a page, if any."""
    lines = _lines(page)
    return lines[-1] if lines and re.fullmatch(r"\d+|[ivxlc]+", lines[-1]) else None


def _contents(built: Built, lang: str, fmt: str = "pdf") -> dict[str, str]:
    """What the table of contents says: chapter title -> folio."""
    pages = _pages(built.edition(lang, fmt))
    titles = _chapter_titles(built, lang)
    toc_page = next(p for p in pages if all(_normal(t) in _normal(p) for t in titles))
    entries = {}
    for line in _lines(toc_page):
        found = re.fullmatch(r"(.+?)[ .]*\s(\d+|[ivxlc]+)", _normal(line))
        if found:
            entries[found[1].rstrip(" .")] = found[2]
    return entries


def _openings(built: Built, lang: str, fmt: str = "pdf") -> dict[str, int]:
    """Where each chapter really opens: the first page (counting from 1 in the file)
    that starts with the chapter's title (which may take more than one line)."""
    pages = _pages(built.edition(lang, fmt))
    openings = {}
    for title in _chapter_titles(built, lang):
        for number, page in enumerate(pages, start=1):
            if _normal(" ".join(_lines(page)[:3])).startswith(title):
                openings[title] = number
                break
    return openings


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_contents_give_the_folios_of_the_chapter_openings(any_book: Built, lang: str,
                                                          fmt: str) -> None:
    pages = _pages(any_book.edition(lang, fmt))
    openings = _openings(any_book, lang, fmt)
    assert len(openings) == len(_chapter_titles(any_book, lang))
    printed = {title: _folio(pages[page - 1]) for title, page in openings.items()}
    assert _contents(any_book, lang, fmt) == printed


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_chapters_open_on_a_recto(any_book: Built, lang: str, fmt: str) -> None:
    pages = _pages(any_book.edition(lang, fmt))
    for page in _openings(any_book, lang, fmt).values():
        assert page % 2 == 1
        assert _number(_folio(pages[page - 1])) % 2 == 1


@pytest.mark.parametrize("lang", ["be", "en"])
def test_front_matter_has_roman_folios_and_the_body_starts_at_one(any_book: Built,
                                                                  lang: str) -> None:
    pages = _pages(any_book.edition(lang, "pdf"))
    first = _body_opening(any_book, lang)
    assert _folio(pages[first - 1]) == "1"
    front = [_folio(page) for page in pages[:first - 1]]
    # Only the contents show a folio, v, and the front matter set after them.
    opens = min([*(_openings(any_book, lang)[_normal(c.title)]
                   for c in transformed(any_book.project, lang).front_matter), first])
    assert [f for f in front[:opens - 1] if f] == ["v"]
    assert all(re.fullmatch(r"[ivxlc]+", f) for f in front if f)


def _agree_with_folios(pdf: Path) -> list[str]:
    """The page labels of a PDF, which must be the folios printed on its pages."""
    labels = list(PdfReader(pdf).page_labels)
    printed = [(label, _folio(page)) for label, page in zip(labels, _pages(pdf), strict=True)
               if _folio(page)]
    assert printed and all(label == folio for label, folio in printed), printed
    return labels


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_page_labels_are_the_printed_folios(any_book: Built, lang: str, fmt: str) -> None:
    labels = _agree_with_folios(any_book.edition(lang, fmt))
    first = _body_opening(any_book, lang, fmt)
    roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
    assert first - 1 <= len(roman)
    assert labels[:first] == [*roman[:first - 1], "1"], "roman front matter, the body from 1"


def test_page_labels_without_roman_front_matter(scratch_book: Path, tmp_path: Path) -> None:
    from publish.build import Project, build

    config = scratch_book / "manuscript" / "book.toml"
    config.write_text(config.read_text() + "\n[print]\nroman-front-matter = false\n")
    for pdf in build(Project(scratch_book), ["en"], ["pdf", "screen"], tmp_path / "out"):
        labels = _agree_with_folios(pdf)
        assert labels == [str(n) for n in range(1, len(labels) + 1)]


def test_the_cover_has_no_page_labels(minimal: Built) -> None:
    """The cover prints no folio: a viewer's 1 of 1 says all."""
    assert "/PageLabels" not in PdfReader(minimal.edition("en", "cover")).root_object


@pytest.mark.parametrize("lang", ["be", "en"])
def test_press_geometry(any_book: Built, lang: str) -> None:
    bleed = 3 * MM
    for page in PdfReader(any_book.edition(lang, "pdf")).pages:
        trim = [float(v) for v in page.trimbox]
        assert trim == pytest.approx([0, 0, 148 * MM, 210 * MM], abs=0.1)
        assert [float(v) for v in page.bleedbox] == pytest.approx(
            [-bleed, -bleed, 148 * MM + bleed, 210 * MM + bleed], abs=0.1)
        media = [float(v) for v in page.mediabox]
        assert media[0] <= -bleed + 0.1 and media[2] >= 148 * MM + bleed - 0.1


@pytest.mark.parametrize("lang", ["be", "en"])
def test_screen_geometry(any_book: Built, lang: str) -> None:
    for page in PdfReader(any_book.edition(lang, "screen")).pages:
        box = [float(v) for v in page.mediabox]
        assert box == pytest.approx([0, 0, 148 * MM, 210 * MM], abs=0.1)
        assert [float(v) for v in page.trimbox] == box


def test_configured_trim_size_and_bleed(scratch_book: Path, tmp_path: Path) -> None:
    from publish.build import Project, build

    config = scratch_book / "manuscript" / "book.toml"
    config.write_text(config.read_text() + "\n[print]\ntrim-width = 127\ntrim-height = 203\n"
                      "bleed = 5\ncrop-marks = false\n")
    (pdf,) = build(Project(scratch_book), ["en"], ["pdf"], tmp_path / "out")
    page = PdfReader(pdf).pages[0]
    assert [float(v) for v in page.trimbox] == pytest.approx([0, 0, 127 * MM, 203 * MM],
                                                             abs=0.1)
    assert [float(v) for v in page.mediabox] == pytest.approx(
        [-5 * MM, -5 * MM, 132 * MM, 208 * MM], abs=0.1)
    assert [float(v) for v in page.bleedbox] == pytest.approx(
        [-5 * MM, -5 * MM, 132 * MM, 208 * MM], abs=0.1), "the whole bleed, not 10 pt"
    assert not any(marks(pdf)), "crop-marks = false: no marks"


@pytest.mark.parametrize("lang", ["be", "en"])
def test_press_is_pdf_x_in_cmyk(any_book: Built, lang: str) -> None:
    assert_pdf_x_in_cmyk(any_book.edition(lang, "pdf"))
    reader = PdfReader(any_book.edition(lang, "pdf"))
    drawings = []
    for page in reader.pages:
        content = page.get_contents()
        assert content is not None
        drawings.append(content.get_data())
        resources: Any = page["/Resources"]
        forms = resources.get("/XObject") or {}
        drawings += [form.get_object().get_data() for form in forms.values()]
    for data in drawings:
        operators = re.findall(rb"(?<![\w/])(rg|RG|sc|SC|scn|SCN|k|K|g|G)(?![\w])", data)
        assert not {b"rg", b"RG"} & set(operators), "no RGB colour anywhere, marks included"


@pytest.mark.parametrize("lang", ["be", "en"])
def test_screen_is_tagged_pdf_ua(any_book: Built, lang: str) -> None:
    reader = PdfReader(any_book.edition(lang, "screen"))
    root: Any = reader.root_object
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == lang
    metadata = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part[^0-9]*1", metadata)
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object()["/Subtype"] == "/Link"]
    assert len(links) >= len(_chapter_titles(any_book, lang)), "contents link to chapters"


def test_footnotes_stand_at_the_foot_of_their_page(flagship: Built) -> None:
    for fmt, same_page in (("pdf", True), ("screen", False)):
        pages = [" ".join(page.split()) for page in _pages(flagship.edition("en", fmt))]
        (with_note,) = [n for n, page in enumerate(pages) if "Värtsilä lies in the" in page]
        assert ("settlement of Värtsilä" in pages[with_note]) == same_page, fmt


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_fonts_are_the_text_face_and_embedded(any_book: Built, lang: str,
                                              fmt: str) -> None:
    fonts = embedded_fonts(any_book.edition(lang, fmt))
    assert fonts
    assert all(name.startswith("PT-Serif") and embedded for name, embedded in fonts.items())
    assert {"PT-Serif", "PT-Serif-Bold", "PT-Serif-Italic"} <= set(fonts)


def _characters(language: Language) -> str:
    """What the text of `language` is set in: its letters, quotes, apostrophe, dashes."""
    quotes = language.typography.quotes
    return "".join([language.script.letters, language.script.capitals, *quotes.outer,
                    *quotes.inner, quotes.apostrophe, "—–"])


@pytest.mark.parametrize("style", ["Regular", "Italic", "Bold", "Bold Italic"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_face_covers_every_language_in_every_style(lang: str, style: str) -> None:
    fc_match = require("fc-match")
    path = subprocess.run([fc_match, "-f", "%{file}", f"PT Serif:style={style}"],
                          capture_output=True, text=True, check=True).stdout
    font = TTFont(path)
    assert font["name"].getDebugName(1) == "PT Serif"
    assert font["name"].getDebugName(2) == style
    cmap = font.getBestCmap()
    assert [c for c in _characters(LANGUAGES[lang]) if ord(c) not in cmap] == []


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_document_language_title_and_bookmarks(flagship: Built, lang: str,
                                               fmt: str) -> None:
    reader = PdfReader(flagship.edition(lang, fmt))
    assert str(reader.root_object["/Lang"]) == lang
    config = (flagship.project / "manuscript" / lang / "book.toml").read_text()
    assert f'title = "{_title(flagship.edition(lang, fmt))}"' in config
    outline = reader.outline
    top = [item.title for item in outline if not isinstance(item, list)]
    chapter_titles = _chapter_titles(flagship, lang)
    assert [_normal(t) for t in top[-len(chapter_titles):]] == chapter_titles
    assert any(isinstance(item, list) for item in outline), "sections nest under chapters"


@pytest.mark.parametrize("lang", ["be", "en"])
def test_running_heads(flagship: Built, lang: str) -> None:
    pages = _pages(flagship.edition(lang, "pdf"))
    openings = _openings(flagship, lang)
    book_title = _title(flagship.edition(lang, "pdf"))
    first_body = min(openings.values())
    current = None
    for number, page in enumerate(pages, start=1):
        lines = _lines(page)
        opened = [t for t, p in openings.items() if p == number]
        if opened:
            current = opened[0]
            assert _normal(" ".join(lines[:3])).startswith(current), "no running head"
            continue
        if number < first_body or not lines:
            continue
        head = _normal(lines[0])
        if number % 2 == 0:
            assert head == _normal(book_title), number
        else:
            assert head == current, number


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_blank_pages_are_truly_blank(any_book: Built, lang: str,
                                     fmt: str) -> None:
    pages = _pages(any_book.edition(lang, fmt))
    blank = [n for n, page in enumerate(pages, start=1) if not page.strip()]
    assert blank, "a book with chapters opening on rectos has blank versos"
    for number, page in enumerate(pages, start=1):
        lines = _lines(page)
        # A page holding nothing but a folio or a running head is a blank page
        # that should have been left empty.
        assert not (lines and len(lines) <= 2 and all(re.fullmatch(r"\d+", ln) or len(ln) < 60
                                                       for ln in lines)
                    and any(re.fullmatch(r"\d+", ln) for ln in lines)), number


@pytest.mark.parametrize("lang", ["be", "en"])
def test_hyphenation_in_the_edition_language(flagship: Built, lang: str) -> None:
    text = "\n".join(_pages(flagship.edition(lang, "pdf")))
    broken = re.findall(r"(\w+)-\n\s*(\w+)", text)
    assert len(broken) >= 3, "justified text in a narrow measure hyphenates"


@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("lang", ["be", "en"])
def test_qpdf_finds_the_structure_sound(any_book: Built, lang: str,
                                        fmt: str) -> None:
    qpdf = require("qpdf")
    result = subprocess.run([qpdf, "--check", str(any_book.edition(lang, fmt))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def _png(width: int, height: int) -> bytes:
    """A grey PNG of the given size, made here so the test needs no image files."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize(("width", "warned"), [(40, True), (2400, False)])
def test_images_below_300_ppi_are_named(scratch_book: Path, tmp_path: Path, width: int,
                                        warned: bool) -> None:
    (scratch_book / "manuscript" / "en" / "plate.png").write_bytes(_png(width, 8))
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\n![A grey plate](plate.png)\n")
    result = run_publish("build", "--project", str(scratch_book), "--out", str(tmp_path / "o"),
                         "--lang", "en", "--format", "pdf", cwd=scratch_book)
    assert result.returncode == 0, result.stderr
    message = re.search(r"manuscript/en/02-second\.md:\d+: low-resolution: image 'plate\.png' "
                        r"prints at (\d+) ppi", result.stderr)
    assert (message is not None) == warned, result.stderr
    if message:
        assert int(message[1]) < 300


def test_a_note_referred_to_twice_is_printed_once(scratch_book: Path, tmp_path: Path) -> None:
    from publish.build import Project, build

    chapter = scratch_book / "manuscript" / "en" / "01-first.md"
    chapter.write_text(chapter.read_text() + "\nAgain a note.[^days] And more.[^days]\n")
    (pdf,) = build(Project(scratch_book), ["en"], ["pdf"], tmp_path / "out")
    text = " ".join(" ".join(page.split()) for page in _pages(pdf))
    assert text.count("Counted from") == 1
    assert "Again a note.1 And more.1" in text


@pytest.mark.parametrize(("text", "printed"), [
    ("Type `publish build --lang be`, a `{date}` role.\n\n```\nfenced {code}\n```\n",
     ["publish build --lang be", "fenced {code}"]),
    ("- one\n    - two\n        - three\n            - four\n", ["– two", "– four"]),
    ("A well\u2010known word\u2010processor text.\n", ["well-known word-processor"]),
], ids=["code", "nested-list", "hyphen"])
def test_what_a_manuscript_may_hold_is_set_in_the_text_face(
    scratch_book: Path, tmp_path: Path, text: str, printed: list[str]
) -> None:
    """Code, the markers of inner lists and U+2010 HYPHEN in the face the build
    checks every character against: a character it lacks fails the build."""
    from publish.build import Project, build

    for lang in ("en", "be"):
        chapter = scratch_book / "manuscript" / lang / "02-second.md"
        chapter.write_text(chapter.read_text() + "\n" + text)
    editions = build(Project(scratch_book), ["en", "be"], ["pdf", "screen"], tmp_path / "out")
    for pdf in editions:
        page_text = " ".join(" ".join(page.split()) for page in _pages(pdf))
        assert all(words in page_text for words in printed), page_text
        assert all(name.startswith("PT-Serif") for name in embedded_fonts(pdf))
