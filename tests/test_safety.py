"""The build reads nothing outside the project and never leaves a half-written
edition behind."""

from __future__ import annotations

import struct
import urllib.request
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from publish import build as build_module
from publish.build import Project, build
from publish.diagnostics import BuildFailed
from tests.conftest import Built, Canary, run_publish


def _editions(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def test_failed_build_keeps_the_previous_editions(scratch_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), out=out)
    before = _editions(out)
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\nOn {date}`2022-02-30`.\n")
    result = run_publish("build", "--project", str(scratch_book), "--out", str(out))
    assert result.returncode == 1
    assert _editions(out) == before


def test_interrupted_build_leaves_no_partial_file(
    scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), out=out)
    before = _editions(out)

    def interrupted(book: object, edition: object, allowed: object, styles: object,
                    target: Path) -> None:
        target.write_bytes(b"%PDF-1.7 half a book")
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_pdf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(Project(scratch_book), out=out)
    assert _editions(out) == before


def _stylesheet_naming(book: Path, url: str) -> None:
    css = book / "styles" / "print.css"
    css.write_text(f'@import url("{url}");\n' + css.read_text())


def test_no_network_fetch(scratch_book: Path, tmp_path: Path) -> None:
    """A stylesheet naming a URL fails the build, and nothing connects to the URL."""
    with Canary() as canary:
        _stylesheet_naming(scratch_book, f"{canary.url}/x.css")
        with pytest.raises(BuildFailed) as failure:
            build(Project(scratch_book), ["en"], ["pdf"], tmp_path / "out")
    assert canary.requests == []
    assert "only files inside the project may be read" in str(failure.value)
    assert not (tmp_path / "out" / "en" / "minimal.pdf").exists()


def test_the_canary_hears_a_request() -> None:
    """The proof that the canary would notice the build reaching the network."""
    with Canary() as canary, urllib.request.urlopen(f"{canary.url}/x.css", timeout=5):
        pass
    assert canary.requests and canary.requests[0].startswith(b"GET /x.css")


def test_no_file_outside_the_project(scratch_book: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.css"
    outside.write_text("body { color: red }")
    _stylesheet_naming(scratch_book, outside.as_uri())
    with pytest.raises(BuildFailed) as failure:
        build(Project(scratch_book), ["en"], ["pdf"], tmp_path / "out")
    assert str(outside) in str(failure.value)


def _png(grey: int) -> bytes:
    """A one-pixel grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, grey]))) + chunk(b"IEND", b""))


def test_images_inside_the_manuscript_are_used(scratch_book: Path, tmp_path: Path) -> None:
    png = _png(0x80)
    (scratch_book / "manuscript" / "en" / "dot.png").write_bytes(png)
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\n![A grey dot](dot.png)\n")
    epub, pdf = build(Project(scratch_book), ["en"], ["epub", "pdf"], tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        assert archive.read("EPUB/images/en-dot.png") == png
        assert b'src="images/en-dot.png"' in archive.read("EPUB/second.xhtml")
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    assert len({image.name for page in PdfReader(pdf).pages for image in page.images}) == 1


def test_images_of_the_same_name_in_two_folders_stay_two(scratch_book: Path,
                                                         tmp_path: Path) -> None:
    for folder, grey in (("en", 0x20), ("en/plates", 0xE0)):
        (scratch_book / "manuscript" / folder).mkdir(exist_ok=True)
        (scratch_book / "manuscript" / folder / "map.png").write_bytes(_png(grey))
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\n![A dark map](map.png)\n\n"
                       "![A light map](plates/map.png)\n")
    (epub,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        assert archive.read("EPUB/images/en-map.png") == _png(0x20)
        assert archive.read("EPUB/images/en-plates-map.png") == _png(0xE0)


def _active_content(epub: Path) -> list[str]:
    """What in the e-book's documents could run: scripts, event handlers and
    javascript: addresses."""
    found = []
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith((".xhtml", ".svg", ".ncx", ".opf")):
                continue
            for element in etree.fromstring(archive.read(name)).iter("{*}*"):
                if etree.QName(element).localname == "script":
                    found.append(f"{name}: <script>")
                for key, value in element.attrib.items():
                    local = etree.QName(key).localname.lower()
                    if local.startswith("on") or "javascript:" in value.lower():
                        found.append(f"{name}: {local}={value!r}")
    return found


@pytest.mark.parametrize("lang", ["en", "be"])
def test_the_ebook_holds_no_script(minimal: Built, lang: str) -> None:
    assert _active_content(minimal.edition(lang, "epub")) == []


def test_the_attributes_and_links_a_manuscript_may_give(scratch_book: Path,
                                                        tmp_path: Path) -> None:
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + (
        "\nA [name]{lang=fr}, *Mot*{lang=fr}, a [link back](#first-section),\n"
        "[the web](https://example.com) and <editor@example.com>.\n{: .name #kept }\n"))
    (epub,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    assert _active_content(epub) == []
    with zipfile.ZipFile(epub) as archive:
        body = archive.read("EPUB/second.xhtml").decode()
    assert '<p class="name" id="kept">' in body
    assert '<em lang="fr" xml:lang="fr">Mot</em>' in body
    # The print edition is one document; in the e-book the section is in another file.
    assert 'href="first.xhtml#first-section"' in body
    assert 'href="https://example.com"' in body
