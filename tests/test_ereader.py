"""What e-readers and their users get from the EPUB: accessibility metadata,
languages, pop-up notes, landmarks, a cover, and the print edition's page numbers,
checked against the printed PDF itself."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from publish.labels import LOCALE, labels
from publish.model import Labels
from tests.conftest import Built, require

LANGS = ["be", "en"]
TRIM = (148, 210)
"""The flagship's trim size in millimetres, as its book.toml gives it."""


def _files(built: Built, lang: str) -> dict[str, str]:
    with zipfile.ZipFile(built.edition(lang, "epub")) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()
                if name.endswith((".xhtml", ".opf", ".ncx"))}


def _chapters(files: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in files.items()
            if '<body epub:type="bodymatter"' in text}


@pytest.mark.parametrize("lang", LANGS)
def test_accessibility_metadata(flagship: Built, lang: str) -> None:
    opf = _files(flagship, lang)["EPUB/content.opf"]
    assert f'<package xmlns="http://www.idpf.org/2007/opf" xml:lang="{lang}"' in opf
    for prop in ("schema:accessMode", "schema:accessModeSufficient",
                 "schema:accessibilityFeature", "schema:accessibilityHazard",
                 "schema:accessibilitySummary", "dcterms:conformsTo"):
        assert f'property="{prop}"' in opf, prop
    summary = re.search(r'property="schema:accessibilitySummary">([^<]+)<', opf)
    assert summary is not None
    assert summary[1] == labels(lang).accessibility_summary
    if lang == "be":
        assert re.search(r"[\u0400-\u04ff]{5}", summary[1]), "written in the book's language"
    for feature in ("printPageNumbers", "pageBreakMarkers", "pageNavigation"):
        assert f'property="schema:accessibilityFeature">{feature}<' in opf


@pytest.mark.parametrize("lang", LANGS)
def test_every_document_and_foreign_passage_declares_its_language(flagship: Built,
                                                                   lang: str) -> None:
    foreign = 0
    for name, text in _files(flagship, lang).items():
        if not name.endswith(".xhtml"):
            continue
        assert re.search(rf'<html [^>]*lang="{lang}" xml:lang="{lang}"', text), name
        for element in re.findall(r"<\w+ [^>]*\blang=\"[^\"]+\"[^>]*>", text):
            if element.startswith("<html"):
                continue
            foreign += 1
            found = re.search(r' lang="([^"]+)" xml:lang="([^"]+)"', element)
            assert found and found[1] == found[2] != lang, element
    assert foreign >= (10 if lang == "be" else 3)


@pytest.mark.parametrize("lang", LANGS)
def test_notes_pop_up_and_lead_back(flagship: Built, lang: str) -> None:
    for name, text in _chapters(_files(flagship, lang)).items():
        references = re.findall(
            r'<sup id="([^"]+)"><a class="noteref" href="#([^"]+)" '
            r'epub:type="noteref" role="doc-noteref">(\d+)</a></sup>', text)
        notes = re.findall(
            r'<aside id="([^"]+)" class="footnote" epub:type="footnote" role="doc-footnote">'
            r'<p><a href="#([^"]+)" role="doc-backlink" class="note-number">(\d+)\.</a>', text)
        assert len(references) == len(notes) == text.count('epub:type="noteref"'), name
        assert [n for _, _, n in references] == [str(i) for i in range(1, len(notes) + 1)]
        for (ref_id, target, number), (note_id, back, note_number) in zip(
                references, notes, strict=True):
            assert (target, back, number) == (note_id, ref_id, note_number), name


@pytest.mark.parametrize("lang", LANGS)
def test_notes_stand_under_a_heading_in_the_books_language(flagship: Built, lang: str) -> None:
    heading = labels(lang).notes
    assert heading == {"en": "Notes", "be": "Заўвагі"}[lang]
    with_notes = 0
    for name, text in _chapters(_files(flagship, lang)).items():
        if 'epub:type="footnote"' not in text:
            continue
        with_notes += 1
        notes = re.search(r'<section class="notes" epub:type="endnotes" role="doc-endnotes">'
                          rf"<h2>{heading}</h2>(.*?)</section>", text, re.S)
        assert notes is not None, name
        # Every note is in it, and nothing else.
        asides = re.findall(r'<aside id="[^"]+" class="footnote" epub:type="footnote"', text)
        assert len(re.findall(r"<aside ", notes[1])) == len(asides) > 0, name
        assert re.fullmatch(r"(<aside .*?</aside>)+", notes[1], re.S), name
    assert with_notes >= 8


@pytest.mark.parametrize("lang", LANGS)
def test_chapters_and_chronology_are_sections_of_their_kind(flagship: Built,
                                                            lang: str) -> None:
    files = _files(flagship, lang)
    chapters = _chapters(files)
    assert len(chapters) >= 10
    for name, text in chapters.items():
        body = re.search(r"<body [^>]*>\s*(.*?)\s*</body>", text, re.S)
        assert body is not None, name
        opening = re.match(r'<section epub:type="chapter" role="doc-chapter" '
                           r'aria-labelledby="([^"]+)">(?:<span [^>]*/>)?<h1 id="([^"]+)"',
                           body[1])
        assert opening is not None and opening[1] == opening[2], name
        assert body[1].endswith("</section>")
    chronology = files["EPUB/chronology.xhtml"]
    assert re.search(r'<body epub:type="backmatter">\s*<section class="chronology" '
                     r'epub:type="appendix" role="doc-appendix" aria-labelledby="chronology">'
                     r'(?:<span [^>]*/>)?<h1 id="chronology">', chronology)


def _style_rules(css: str) -> dict[str, dict[str, str]]:
    """The declarations of every selector of a stylesheet without at-rules."""
    rules: dict[str, dict[str, str]] = {}
    for selectors, block in re.findall(r"([^{}]+)\{([^{}]*)\}",
                                       re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        declarations = dict(
            (name.strip().lower(), value.strip()) for name, _, value in
            (d.partition(":") for d in block.split(";") if d.strip()))
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(declarations)
    return rules


HYPHENATION = ("hyphens", "-webkit-hyphens", "-moz-hyphens", "-ms-hyphens", "-epub-hyphens",
               "adobe-hyphenate")
"""The names under which the reading engines know hyphenation."""


def test_hyphenation_for_every_engine_and_none_in_headings(minimal: Built) -> None:
    with zipfile.ZipFile(minimal.edition("en", "epub")) as archive:
        rules = _style_rules(archive.read("EPUB/style/epub.css").decode())
    for prop in HYPHENATION:
        assert rules["body"].get(prop) == "auto", prop
        for heading in ("h1", "h2", "h3", "h4", "h5", "h6"):
            assert rules[heading].get(prop) == "none", (heading, prop)
    # Nothing narrower turns it on or off again for the running text.
    for selector, declarations in rules.items():
        if selector.split()[-1] in {"p", "li", "dd", "blockquote"}:
            assert not set(HYPHENATION) & set(declarations), selector


def _chromium(page: Path, tmp_path: Path, *args: str) -> None:
    chromium = require("chromium")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", *args, page.as_uri()], cwd=tmp_path,
                   capture_output=True, check=True, timeout=120)


def test_contents_page_without_list_numbers_or_link_colours(flagship: Built,
                                                            tmp_path: Path) -> None:
    """The nav as readers show it as a page, seen in Chromium: its entries are not
    numbered and are set in the colour of the text, not in underlined blue."""
    with zipfile.ZipFile(flagship.edition("en", "epub")) as archive:
        archive.extractall(tmp_path / "book")
    nav = tmp_path / "book" / "EPUB" / "nav.xhtml"
    _chromium(nav, tmp_path, f"--print-to-pdf={tmp_path / 'nav.pdf'}", "--no-pdf-header-footer")
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "nav.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "Childhood" in lines and "Born in Karelia" in lines
    assert not [line for line in lines if re.match(r"\d+\.\s", line)], lines
    _chromium(nav, tmp_path, f"--screenshot={tmp_path / 'nav.png'}", "--window-size=600,800")
    red, green, blue = Image.open(tmp_path / "nav.png").convert("RGB").split()
    darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
    lightest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    coloured = sum(ImageChops.subtract(lightest, darkest).histogram()[60:])
    inked = sum(darkest.histogram()[:128])
    assert inked > 1000, "the contents is drawn"
    assert coloured < inked // 100, "no link colour"


@pytest.mark.parametrize("lang", LANGS)
def test_landmarks_and_every_section_in_the_contents(flagship: Built, lang: str) -> None:
    files = _files(flagship, lang)
    nav = files["EPUB/nav.xhtml"]
    landmarks = nav[nav.index('epub:type="landmarks"'):]
    for kind in ("cover", "toc", "bodymatter"):
        assert f'epub:type="{kind}"' in landmarks
    for name, text in _chapters(files).items():
        for section in re.findall(r'<h[12] id="([^"]+)"', text):
            assert (f'href="{name.removeprefix("EPUB/")}#{section}"' in nav
                    or f'href="{name.removeprefix("EPUB/")}"' in nav), section


def _cover_picture(built: Built, lang: str) -> Image.Image:
    with zipfile.ZipFile(built.edition(lang, "epub")) as archive:
        return Image.open(io.BytesIO(archive.read("EPUB/images/cover.png"))).convert("RGB")


@pytest.mark.parametrize("lang", LANGS)
def test_cover_fits_the_screen(flagship: Built, lang: str) -> None:
    picture = _cover_picture(flagship, lang)
    files = _files(flagship, lang)
    opf, page = files["EPUB/content.opf"], files["EPUB/cover.xhtml"]
    # 1600 wide, in the print trim's proportions.
    assert picture.size == (1600, round(1600 * TRIM[1] / TRIM[0]))
    assert re.search(r'<item href="images/cover.png" [^>]*properties="cover-image"', opf)
    assert re.search(r'<item href="cover.xhtml" [^>]*properties="svg"', opf)
    svg = re.search(r"<svg [^>]*>", page)
    assert svg is not None
    width, height = picture.size
    for attribute in (f'viewBox="0 0 {width} {height}"', 'preserveAspectRatio="xMidYMid meet"',
                      'width="100%"', 'height="100%"', 'role="img"'):
        assert attribute in svg[0], attribute
    assert re.search(r'aria-label="[^"]{10,}"', svg[0])
    assert f'<image width="{width}" height="{height}" xlink:href="images/cover.png"/>' in page


def _panels(cover: Path, size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    """The front and the back panel of a press cover, drawn by poppler at `size`."""
    pdftoppm = require("pdftoppm")
    page = PdfReader(cover).pages[0]
    picture = Image.open(io.BytesIO(subprocess.run(
        [pdftoppm, "-png", "-singlefile", "-r", "100", str(cover)],
        capture_output=True, check=True).stdout)).convert("RGB")
    scale = picture.width / float(page.mediabox.width)
    left, bottom, right, top = (float(v) for v in page.trimbox)
    panel = TRIM[0] * 72 / 25.4
    y = (float(page.mediabox.top) - top) * scale, (float(page.mediabox.top) - bottom) * scale

    def crop(x: float) -> Image.Image:
        return picture.crop((round((x - float(page.mediabox.left)) * scale), round(y[0]),
                             round((x + panel - float(page.mediabox.left)) * scale),
                             round(y[1]))).resize(size)

    return crop(right - panel), crop(left)


def _ink(picture: Image.Image) -> Image.Image:
    """Where a picture holds type: its dark pixels."""
    return picture.convert("L").point(lambda value: 255 if value < 140 else 0).convert("1")


def _overlap(one: Image.Image, two: Image.Image) -> float:
    """How much of the type of two pictures of one size lies in the same places."""
    both = ImageChops.logical_and(one, two).histogram()[255]
    return both / max(1, ImageChops.logical_or(one, two).histogram()[255])


@pytest.mark.parametrize("lang", LANGS)
def test_cover_picture_is_the_press_covers_front(flagship: Built, lang: str) -> None:
    """The e-book's cover is the printed front panel: its type stands where the type
    of the front drawn from the press cover PDF stands, not where the back's does,
    on the same ground."""
    size = (296, 420)
    picture = _cover_picture(flagship, lang).resize(size, Image.Resampling.BOX)
    front, back = _panels(flagship.edition(lang, "cover"), size)
    assert _overlap(_ink(picture), _ink(front)) > 0.5
    assert _overlap(_ink(picture), _ink(back)) < 0.1
    ground = [ImageStat.Stat(p).median for p in (picture, front)]
    assert max(abs(a - b) for a, b in zip(*ground, strict=True)) < 8, ground


ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


def _page_texts(pdf: Path) -> dict[str, str]:
    """The text of each printed page by its folio, the folio itself left out: roman
    before the page that prints 1, arabic from it on, printed or not (a title page
    prints none)."""
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [[line.strip() for line in page.splitlines() if line.strip()]
             for page in text.split("\f")][:-1]
    opening = next(n for n, lines in enumerate(pages) if lines and lines[-1] == "1")
    found = {}
    for number, lines in enumerate(pages):
        folio = ROMAN[number] if number < opening else str(number - opening + 1)
        if lines and re.fullmatch(r"\d+|[ivx]+", lines[-1]):
            assert lines.pop() == folio, f"page {number + 1} prints another folio"
        found[folio] = " ".join(lines)
    return found


def _letters(text: str) -> str:
    return re.sub(r"[\W\d_]", "", text)


@pytest.mark.parametrize("lang", LANGS)
def test_page_list_matches_the_printed_pages(flagship: Built, lang: str) -> None:
    printed = _page_texts(flagship.edition(lang, "pdf"))
    files = _files(flagship, lang)
    nav = files["EPUB/nav.xhtml"]
    listed = re.findall(r'<a href="([^"#]+)#page-([ivx]+|\d+)">([^<]+)</a>', nav)
    assert len(listed) >= 30
    for file, folio, label in listed:
        assert folio == label
        body = files["EPUB/" + file]
        after = body[body.index(f'id="page-{folio}"'):]
        following = _letters(re.sub(r"<sup .*?</sup>|<[^>]+>", " ", after[after.index(">"):]))
        page = _letters(printed[folio])
        # The page holds its running head first on most pages: the text the marker
        # points at must be where the page's body begins, just after it. The index
        # is set in two columns, whose lines the extracted text interleaves: there
        # only the first headword's letters follow one another.
        start = following[:12 if file == "index.xhtml" else 40]
        assert start in page and page.index(start) < 80, folio
    folios = [folio for _, folio, _ in listed]
    assert folios == list(dict.fromkeys(folios)), "each page once"
    # Every page with text from the title page to the last printed page, the
    # chronology's and the index's included; the half title and the printed
    # contents have no counterpart in the e-book.
    with_text = [folio for folio, text in printed.items() if _letters(text)]
    assert with_text[-1] in folios
    assert {file for file, _, _ in listed} >= {"title.xhtml", "imprint.xhtml",
                                               "chronology.xhtml", "index.xhtml"}
    contents = next(f for f in with_text if _letters(labels(lang).contents)
                    in _letters(printed[f])[:20])
    assert [f for f in with_text if f not in folios] == [with_text[0], contents]


def test_interface_words_come_from_complete_catalogs() -> None:
    english = labels("en")
    for catalog_file in sorted(LOCALE.glob("*/LC_MESSAGES/publish.po")):
        with catalog_file.open("rb") as source:
            catalog = read_po(source)
        assert all(m.string for m in catalog if m.id), f"untranslated in {catalog_file}"
        translated = labels(catalog_file.parent.parent.name)
        for field in Labels.__dataclass_fields__:
            assert getattr(translated, field) != getattr(english, field), field
