"""The build reads nothing outside the project and never leaves a half-written
edition behind."""

from __future__ import annotations

import struct
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from publish import css, images
from publish.build import Project, build
from publish.config import PrintConfig
from publish.diagnostics import BuildFailed
from publish.writers import pdf
from publish.writers import pdf as pdf_writer
from tests.conftest import Built, Canary, output_files, run_publish


def _editions(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in output_files(out)}


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
                    target: Path, known: object) -> None:
        target.write_bytes(b"%PDF-1.7 half a book")
        raise KeyboardInterrupt

    monkeypatch.setattr(pdf_writer, "write_pdf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(Project(scratch_book), out=out, fresh=True, jobs=1)
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
    assert "stylesheet-url: 'http://127.0.0.1:" in str(failure.value)
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
    assert _problems(scratch_book, tmp_path / "out", "pdf") == [
        f"styles/print.css:1: stylesheet-url: '{outside.as_uri()}' is not a file of styles/: "
        "a stylesheet may name only files in styles/, by relative addresses such as "
        "'fonts/face.woff2'"]


@pytest.mark.parametrize("sheet", ["epub.css", "print.css", "cover.css"])
def test_what_a_stylesheet_names_linked_outside_is_refused(scratch_book: Path,
                                                           tmp_path: Path, sheet: str) -> None:
    """A file in styles/ that is a link to one elsewhere is outside, imported or named
    by url()."""
    _linked_outside(scratch_book, "styles/extra.css", tmp_path, b"p { color: black }\n")
    _linked_outside(scratch_book, "styles/paper.png", tmp_path, _png(0xF0))
    _linked_outside(scratch_book, "styles/face.ttf", tmp_path, b"a font, it says")
    css = scratch_book / "styles" / sheet
    css.write_text('@import "extra.css";\nhtml { background: url(paper.png) }\n'
                   '@font-face { font-family: Face; src: url(face.ttf) }\n' + css.read_text())
    assert _problems(scratch_book, tmp_path / "out") == [
        f"styles/{sheet}:{line}: stylesheet-url: '{name}' is outside styles/: a stylesheet "
        "may name only files in styles/"
        for line, name in ((1, "extra.css"), (2, "paper.png"), (3, "face.ttf"))]


def _png(grey: int) -> bytes:
    """A one-pixel grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, grey]))) + chunk(b"IEND", b""))


def _naming_image(book: Path, src: str) -> int:
    """Name the image `src` at the end of a chapter of the book; the line that names it."""
    chapter = book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + f"\n![An image]({src})\n")
    return len(chapter.read_text().splitlines())


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


def _problems(book: Path, out: Path, *formats: str) -> list[str]:
    """The diagnostics of a build that must fail, as the command prints them."""
    with pytest.raises(BuildFailed) as failure:
        build(Project(book), ["en"], list(formats) or None, out)
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
    return [problem.format(book) for problem in failure.value.diagnostics]


def _linked_outside(book: Path, inside: str, tmp_path: Path, content: bytes) -> None:
    """`inside` (a path in the book) made a link to a file outside the project that
    holds `content`."""
    outside = tmp_path / "elsewhere" / Path(inside).name
    outside.parent.mkdir(exist_ok=True)
    outside.write_bytes(content)
    link = book / inside
    link.unlink(missing_ok=True)
    link.symlink_to(outside)


SECRET = "The secret text of another file on the machine"


def test_chapter_linked_outside_is_refused(scratch_book: Path, tmp_path: Path) -> None:
    chapter = "manuscript/en/02-second.md"
    _linked_outside(scratch_book, chapter, tmp_path,
                    f"# Second {{#second}}\n\n{SECRET}.\n".encode())
    assert _problems(scratch_book, tmp_path / "out", "epub") == [
        f"{chapter}: file-outside: 02-second.md is a link to a file outside the "
        "project: publish reads only files inside manuscript/ and styles/"]


def test_chapter_linked_inside_the_manuscript_is_read(scratch_book: Path,
                                                      tmp_path: Path) -> None:
    kept = scratch_book / "manuscript" / "drafts" / "second.md"
    kept.parent.mkdir()
    kept.write_text(f"# Second {{#second}}\n\n{SECRET}.\n")
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.unlink()
    chapter.symlink_to(kept)
    (epub,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        assert SECRET in archive.read("EPUB/second.xhtml").decode()


@pytest.mark.parametrize("config", ["manuscript/book.toml", "manuscript/en/book.toml",
                                    "manuscript/en/words.txt"])
def test_configuration_linked_outside_is_refused(scratch_book: Path, tmp_path: Path,
                                                 config: str) -> None:
    original = scratch_book / config
    content = original.read_bytes() if original.exists() else b"Secret\n"
    _linked_outside(scratch_book, config, tmp_path, content)
    assert _problems(scratch_book, tmp_path / "out", "epub") == [
        f"{config}: file-outside: {Path(config).name} is a link to a file outside the "
        "project: publish reads only files inside manuscript/ and styles/"]


def test_image_linked_outside_is_refused(scratch_book: Path, tmp_path: Path) -> None:
    _linked_outside(scratch_book, "manuscript/en/dot.png", tmp_path, _png(0x80))
    line = _naming_image(scratch_book, "dot.png")
    assert _problems(scratch_book, tmp_path / "out", "epub") == [
        f"manuscript/en/02-second.md:{line}: image-outside: image 'dot.png' is outside "
        "the manuscript folder"]


@pytest.mark.parametrize("sheet", ["epub.css", "print.css", "cover.css"])
def test_stylesheet_linked_outside_is_refused(scratch_book: Path, tmp_path: Path,
                                              sheet: str) -> None:
    original = scratch_book / "styles" / sheet
    _linked_outside(scratch_book, f"styles/{sheet}", tmp_path, original.read_bytes())
    assert _problems(scratch_book, tmp_path / "out") == [
        f"styles/{sheet}: file-outside: {sheet} is a link to a file outside the "
        "project: publish reads only files inside manuscript/ and styles/"]


def _profile_outside(book: Path, tmp_path: Path, content: bytes) -> tuple[Path, int]:
    """A file holding `content` outside the project, named as the ICC profile by the
    configuration; the file and the line of the configuration that names it."""
    profile = tmp_path / "elsewhere" / "press.icc"
    profile.parent.mkdir()
    profile.write_bytes(content)
    config = book / "manuscript" / "book.toml"
    config.write_text(config.read_text() + f'\n[print]\nicc-profile = "{profile}"\n')
    return profile, len(config.read_text().splitlines())


def test_icc_profile_outside_the_project_must_be_one(scratch_book: Path,
                                                     tmp_path: Path) -> None:
    fake, line = _profile_outside(scratch_book, tmp_path, b"not a profile, " * 20)
    assert _problems(scratch_book, tmp_path / "out", "pdf") == [
        f"manuscript/book.toml:{line}: config-value: icc-profile '{fake}' is not an ICC "
        "profile (no 'acsp' signature in its header)"]


def test_icc_profile_named_by_the_configuration_is_used(scratch_book: Path,
                                                        tmp_path: Path) -> None:
    """A profile outside the project that is one is read: the configuration names it."""
    profile, _ = _profile_outside(scratch_book, tmp_path,
                                  Path(PrintConfig.icc_profile).read_bytes())
    (press,) = build(Project(scratch_book), ["en"], ["pdf"], tmp_path / "out")
    root: Any = PdfReader(press).root_object
    (intent,) = root["/OutputIntents"]
    assert intent.get_object()["/DestOutputProfile"].get_data() == profile.read_bytes()


def test_decompression_bomb_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    """An image whose header claims more pixels than Pillow will open (a few kilobytes
    that would decode to gigabytes) is refused, not decoded."""
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 10_000)).save(bomb)
    assert bomb.stat().st_size < 100_000
    problem = images.check(bomb)
    assert problem is not None and problem.code == "image-too-large"


DRAWING = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="80" viewBox="0 0 120 80">
  <defs><linearGradient id="sky"><stop offset="0" stop-color="#036"/></linearGradient></defs>
  <rect width="120" height="40" style="fill: url(#sky)"/>
  <use xlink:href="#sky"/>
  <image x="0" y="40" width="10" height="10" href="data:image/png;base64,{png}"/>
</svg>
"""


def test_svg_referring_to_its_own_parts_is_used(scratch_book: Path, tmp_path: Path) -> None:
    import base64

    drawing = DRAWING.format(png=base64.b64encode(_png(0x40)).decode()).encode()
    (scratch_book / "manuscript" / "en" / "drawing.svg").write_bytes(drawing)
    _naming_image(scratch_book, "drawing.svg")
    epub, _ = build(Project(scratch_book), ["en"], ["epub", "pdf"], tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        assert archive.read("EPUB/images/en-drawing.svg") == drawing
        assert 'media-type="image/svg+xml"' in archive.read("EPUB/content.opf").decode()


def test_svg_is_parsed_without_fetching_its_dtd(scratch_book: Path, tmp_path: Path) -> None:
    """An SVG naming a DTD and an entity on a loopback server is refused, and nothing
    connects to the server."""
    with Canary() as canary:
        address = canary.url
        (scratch_book / "manuscript" / "en" / "drawing.svg").write_text(
            f'<!DOCTYPE svg SYSTEM "{address}/svg.dtd" [<!ENTITY x SYSTEM "{address}/x">]>\n'
            '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>\n')
        _naming_image(scratch_book, "drawing.svg")
        problems = _problems(scratch_book, tmp_path / "out", "epub")
    assert canary.requests == []
    assert [p.split(": ")[1] for p in problems] == ["image-svg"]


def test_svg_linked_outside_is_refused(scratch_book: Path, tmp_path: Path) -> None:
    _linked_outside(scratch_book, "manuscript/en/drawing.svg", tmp_path,
                    DRAWING.format(png="").encode())
    _naming_image(scratch_book, "drawing.svg")
    assert [p.split(": ")[1] for p in _problems(scratch_book, tmp_path / "out", "epub")] == [
        "image-outside"]


def test_unexplained_warning_is_internal(scratch_book: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning of WeasyPrint's about what publish made itself (here, a page setup
    it got wrong) is a fault of publish's, naming the edition, not styles/print.css."""
    setup = pdf._page_setup
    monkeypatch.setattr(pdf, "_page_setup",
                        lambda book, edition: setup(book, edition) + " p { colour: red }")
    (problem,) = _problems(scratch_book, tmp_path / "out", "screen")
    assert problem.startswith(f"{tmp_path / 'out' / 'en' / 'minimal-screen.pdf'}: internal: "
                              "WeasyPrint warned 'Ignored `colour: red ` at ")
    assert problem.endswith(", laying out the en screen edition: nothing in manuscript/ or "
                            "styles/ causes it, so it is a fault of publish; please report it")


def test_stylesheet_warning_names_its_line(scratch_book: Path, tmp_path: Path) -> None:
    sheet = scratch_book / "styles" / "cover.css"
    sheet.write_text(sheet.read_text() + "\n.spine {\n  colour: red;\n}\n")
    line = len(sheet.read_text().splitlines()) - 1
    assert _problems(scratch_book, tmp_path / "out", "cover") == [
        f"styles/cover.css:{line}: weasyprint: Ignored `colour: red` at {line}:3, unknown "
        "property."]


def test_stylesheet_addresses_are_read_as_weasyprint_reads_them() -> None:
    """Escapes and comments hide no address; a namespace is a name, never fetched."""
    sheet = ("@namespace url(http://www.w3.org/1999/xhtml);\n"
             '@import /* a comment */ "a.css" screen;\n'
             "p { background: u\\72l(http://example.invalid/y.png); content: 'b.css' }\n"
             "@font-face { src: url(f.woff2) format('woff2') }\n")
    assert [(r.line, r.url, r.imported) for r in css.references(sheet)] == [
        (2, "a.css", True), (3, "http://example.invalid/y.png", False), (4, "f.woff2", False)]


def test_the_classes_a_stylesheet_defines_are_read_from_its_selectors() -> None:
    """Selectors at any depth of @media; not declarations, strings or comments."""
    sheet = ("@media print { .a, p:not(.b) > .c { margin: 0.5em } }\n"
             '.d::before { content: ".e" } /* .f */\n'
             "@page { @top-left { content: string(g.h) } }\n"
             "li.i span { background: url(j.k.png) }\n")
    assert css.classes(sheet) == {"a", "b", "c", "d", "i"}


def test_image_weasyprint_cannot_load_is_told_at_its_line(
    scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should an image pass the checks and WeasyPrint still fail on it, the failure is
    told at the line that names the image, not blamed on styles/print.css."""
    monkeypatch.setattr(images, "check", lambda path: None)
    (scratch_book / "manuscript" / "en" / "notes.png").write_text("# not an image\n")
    line = _naming_image(scratch_book, "notes.png")
    (problem,) = _problems(scratch_book, tmp_path / "out", "screen")
    assert problem.startswith(f"manuscript/en/02-second.md:{line}: weasyprint: Failed to load "
                              "image at 'file://")


def test_configuration_the_file_system_cannot_read_is_told(scratch_book: Path,
                                                          tmp_path: Path) -> None:
    config = scratch_book / "manuscript" / "en" / "book.toml"
    config.unlink()
    config.mkdir()
    assert _problems(scratch_book, tmp_path / "out", "epub") == [
        "manuscript/en/book.toml: file-unreadable: the file cannot be read: Is a directory"]


@pytest.mark.parametrize(("drawing", "found"), [
    ('<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="http://example.invalid/"/>',
     "holds HTML (<iframe>) at its line 2"),
    ('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>',
     "holds a <foreignObject> at its line 2"),
    ('<rect><set attributeName="onclick" to="alert(1)"/></rect>',
     "holds a <set> that sets an event handler (onclick) at its line 2"),
    ('<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>',
     "holds a <animate> that changes 'xlink:href' at its line 2"),
    ('<a href="javascript:alert(1)"><text>x</text></a>',
     "holds a reference to 'javascript:alert(1)' at its line 2"),
    ('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>',
     "holds a reference to 'data:image/svg+xml;base64,PHN2Zy8+' at its line 2"),
    ('<rect style="fill: u\\72l(http://example.invalid/p#x)"/>',
     "holds a reference to 'http://example.invalid/p#x' in a style attribute at its line 2"),
    ("<text>&ent;</text>", "is not well-formed XML (its line 2): Entity 'ent' not defined"),
])
def test_svg_holds_nothing_an_ebook_must_not_carry(tmp_path: Path, drawing: str,
                                                   found: str) -> None:
    svg = tmp_path / "drawing.svg"
    svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">\n{drawing}\n</svg>\n')
    problem = images.check(svg)
    assert problem is not None and problem.code == "image-svg"
    assert problem.detail.startswith(found)


def test_svg_referring_to_its_own_parts_passes(tmp_path: Path) -> None:
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg">\n'
                   '<rect fill="url(#sky)" filter="url( &quot;#blur&quot; )"/></svg>\n')
    assert images.check(svg) is None


def test_svg_stylesheet_processing_instruction_is_refused(tmp_path: Path) -> None:
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n'
                   '<?xml-stylesheet href="http://example.invalid/a.css"?>\n')
    problem = images.check(svg)
    assert problem is not None
    assert problem.detail.startswith("holds <?xml-stylesheet ...?> at its line 2")


def test_face_a_stylesheet_declares_needs_no_installing(scratch_book: Path,
                                                        tmp_path: Path) -> None:
    """The text face may come with the project: a family that an @font-face of
    styles/ declares is not looked for among the installed fonts."""
    config = scratch_book / "manuscript" / "book.toml"
    config.write_text(config.read_text() + '\n[print]\nfont = "Nonexistent Serif"\n')
    line = len(config.read_text().splitlines())
    missing = (f"manuscript/book.toml:{line}: config-value: font 'Nonexistent Serif' is not "
               "installed: fontconfig knows no such family (`fc-list : family` lists those it "
               "knows) and no @font-face of styles/ declares it")
    assert missing in _problems(scratch_book, tmp_path / "undeclared", "pdf")
    (scratch_book / "styles" / "face.ttf").write_bytes(b"")
    sheet = scratch_book / "styles" / "print.css"
    sheet.write_text('@font-face { font-family: "Nonexistent Serif"; src: url(face.ttf) }\n'
                     + sheet.read_text())
    assert missing not in _problems(scratch_book, tmp_path / "declared", "pdf")
