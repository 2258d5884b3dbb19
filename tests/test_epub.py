"""The EPUB editions: valid for W3C EPUBCheck, complete metadata, reproducible."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from publish.build import Project, build
from publish.diagnostics import BuildFailed
from tests.conftest import Built, epubcheck_counts, output_files, require, rewritten_epub

OPF = "EPUB/content.opf"


@pytest.mark.parametrize("lang", ["be", "en"])
def test_epubcheck_finds_nothing(any_book: Built, lang: str, tmp_path: Path) -> None:
    counts = epubcheck_counts(any_book.edition(lang, "epub"), tmp_path / "report.json")
    assert counts == {"fatal": 0, "error": 0, "warning": 0}


def test_epubcheck_does_report_a_broken_epub(minimal: Built, tmp_path: Path) -> None:
    broken = rewritten_epub(
        minimal.edition("en", "epub"), tmp_path / "broken.epub",
        lambda name, data: data.replace(b"<dc:language>en</dc:language>", b"")
        if name == OPF else data)
    assert epubcheck_counts(broken, tmp_path / "report.json")["error"] > 0


@pytest.mark.parametrize("lang", ["be", "en"])
def test_every_document_declares_its_language(any_book: Built, lang: str) -> None:
    with zipfile.ZipFile(any_book.edition(lang, "epub")) as archive:
        documents = [n for n in archive.namelist() if n.endswith(".xhtml")]
        assert len(documents) >= 4
        for name in documents:
            root = re.search(r"<html[^>]*>", archive.read(name).decode())
            assert root is not None, name
            assert f'lang="{lang}"' in root[0] and f'xml:lang="{lang}"' in root[0], name
        opf = archive.read(OPF).decode()
    assert f"<dc:language>{lang}</dc:language>" in opf


def test_zip_layout(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.edition("be", "epub")) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        assert {info.date_time for info in archive.infolist()} == {(2024, 5, 1, 0, 0, 0)}


def _opf(epub: Path) -> str:
    with zipfile.ZipFile(epub) as archive:
        return archive.read(OPF).decode()


def test_metadata(flagship: Built) -> None:
    opf = _opf(flagship.edition("en", "epub"))
    for element in ("dc:title", "dc:creator", "dc:publisher", "dc:rights", "dc:date",
                    "dc:description", "dc:subject", "dc:identifier"):
        assert re.search(rf"<{element}[^>]*>[^<]+</{element}>", opf), element
    assert re.search(r'<meta property="dcterms:modified">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<', opf)
    # The identifier without an ISBN is derived, never random: it differs per language
    # and stays the same from build to build.
    be_opf = _opf(flagship.edition("be", "epub"))
    identifier = re.compile(r'<dc:identifier id="id">(urn:uuid:[0-9a-f-]{36})</dc:identifier>')
    en_id, be_id = identifier.search(opf), identifier.search(be_opf)
    assert en_id and be_id and en_id[1] != be_id[1]


def test_isbn_becomes_the_identifier(scratch_book: Path, tmp_path: Path) -> None:
    config = scratch_book / "manuscript" / "en" / "book.toml"
    config.write_text(config.read_text() + '\n[isbn]\nepub = "978-0-306-40615-7"\n')
    (epub,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    assert '<dc:identifier id="id">urn:isbn:9780306406157</dc:identifier>' in _opf(epub)


def test_modified_date_follows_source_date_epoch(
    scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (epub,) = build(Project(scratch_book), ["be"], ["epub"], tmp_path / "out")
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in _opf(epub)


def test_same_sources_give_the_same_bytes(minimal: Built, tmp_path: Path) -> None:
    again = build(Project(minimal.project), out=tmp_path / "again")
    assert len(again) == 8
    for path in again:
        lang, name = path.parent.name, path.name
        assert path.read_bytes() == (minimal.out / lang / name).read_bytes(), name


@pytest.mark.parametrize("edition", ["epub", "cover"])
def test_an_edition_made_from_the_press_interior_alone_is_the_same(
    minimal: Built, edition: str, tmp_path: Path
) -> None:
    """The e-book's page list and the cover's spine come from the press interior's
    layout: asked for alone, each is made from a layout of it that is not written."""
    out = tmp_path / "out"
    (alone,) = build(Project(minimal.project), ["en"], [edition], out)
    assert output_files(out) == [alone]
    assert alone.read_bytes() == minimal.edition("en", edition).read_bytes()
    if edition == "epub":
        with zipfile.ZipFile(alone) as archive:
            assert b'epub:type="page-list"' in archive.read("EPUB/nav.xhtml")


def test_same_sources_and_source_date_epoch_give_the_same_bytes(
    scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(Project(scratch_book), out=tmp_path / "one")
    second = build(Project(scratch_book), out=tmp_path / "two")
    assert len(first) == len(second) >= 6
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name


def test_without_pdftoppm_the_cover_picture_is_a_diagnostic(
    scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cover picture is drawn from the press cover by poppler: without it the
    build stops with one line that names what to install, and writes nothing."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BuildFailed) as failed:
        build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    (problem,) = failed.value.diagnostics
    assert problem.format().startswith("pdftoppm: environment: poppler's pdftoppm"), problem
    assert not list((tmp_path / "out").rglob("*.epub"))


def test_files_saved_with_a_byte_order_mark_read_as_without(scratch_book: Path,
                                                            tmp_path: Path) -> None:
    """Windows editors start UTF-8 files with U+FEFF: the chapters, configuration and
    word list read as if it were not there, so the e-book has the same bytes."""
    (scratch_book / "manuscript" / "en" / "words.txt").write_text("Section\n")
    (before,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "before")
    with zipfile.ZipFile(before) as archive:
        assert '<span class="name">Section</span>' in archive.read("EPUB/first.xhtml").decode()
    for name in ("01-first.md", "02-second.md", "book.toml", "words.txt"):
        path = scratch_book / "manuscript" / "en" / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    shared = scratch_book / "manuscript" / "book.toml"
    shared.write_bytes(b"\xef\xbb\xbf" + shared.read_bytes())
    (after,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "after")
    assert after.read_bytes() == before.read_bytes()


def test_what_the_stylesheet_names_is_in_the_epub(scratch_book: Path, tmp_path: Path) -> None:
    """A face, an imported sheet and the picture it names come along, beside the
    sheet, with their media types, and EPUBCheck finds every reference whole."""
    fc_match = require("fc-match")
    face = Path(subprocess.run([fc_match, "-f", "%{file}", "PT Serif"], capture_output=True,
                               text=True, check=True).stdout)
    styles = scratch_book / "styles"
    (styles / "fonts").mkdir()
    (styles / "fonts" / f"face{face.suffix}").write_bytes(face.read_bytes())
    (styles / "extra").mkdir()
    (styles / "extra" / "rule.css").write_text("hr { background: url(../fonts/../rule.png) }\n")
    (styles / "rule.png").write_bytes(_grey_png())
    sheet = styles / "epub.css"
    sheet.write_text(f'@import "extra/rule.css";\n@font-face {{ font-family: Face; '
                     f'src: url("fonts/face{face.suffix}") }}\n' + sheet.read_text())
    (epub,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        manifest = archive.read(OPF).decode()
        assert archive.read(f"EPUB/style/fonts/face{face.suffix}") == face.read_bytes()
        assert archive.read("EPUB/style/rule.png") == (styles / "rule.png").read_bytes()
        assert archive.read("EPUB/style/extra/rule.css").startswith(b"hr {")
    for name, kind in ((f"style/fonts/face{face.suffix}", "font/"),
                       ("style/extra/rule.css", "text/css"), ("style/rule.png", "image/png")):
        assert re.search(f'href="{re.escape(name)}"[^>]* media-type="{kind}', manifest), name
    assert epubcheck_counts(epub, tmp_path / "report.json") == {"fatal": 0, "error": 0,
                                                                "warning": 0}


def _grey_png() -> bytes:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("L", (4, 4), 0x80).save(picture, "PNG")
    return picture.getvalue()
