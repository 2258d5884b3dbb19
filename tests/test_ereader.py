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
from PIL import Image

from publish.labels import LOCALE, labels
from publish.model import Labels
from tests.conftest import Built, require

LANGS = ["be", "en"]


def _files(built: Built, lang: str) -> dict[str, str]:
    with zipfile.ZipFile(built.edition(lang, "epub")) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()
                if name.endswith((".xhtml", ".opf", ".ncx"))}


def _chapters(files: dict[str, str]) -> dict[str, str]:
    return {name: text for name, text in files.items()
            if 'epub:type="bodymatter"' in text}


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
            r'<sup id="([^"]+)"><a class="footnote-ref" href="#([^"]+)" '
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


@pytest.mark.parametrize("lang", LANGS)
def test_cover(flagship: Built, lang: str) -> None:
    with zipfile.ZipFile(flagship.edition(lang, "epub")) as archive:
        picture = Image.open(io.BytesIO(archive.read("EPUB/images/cover.png")))
        opf = archive.read("EPUB/content.opf").decode()
        page = archive.read("EPUB/cover.xhtml").decode()
    assert max(picture.size) >= 1600
    assert re.search(r'<item [^>]*properties="cover-image"', opf)
    assert re.search(r'<img role="doc-cover" src="images/cover.png" alt="[^"]{10,}"', page)


def _page_texts(pdf: Path) -> dict[str, str]:
    """The text of each printed page by its folio, running heads left out."""
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = {}
    for page in text.split("\f"):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if lines and re.fullmatch(r"\d+", lines[-1]):
            pages[lines[-1]] = " ".join(lines[:-1])
    return pages


def _letters(text: str) -> str:
    return re.sub(r"[\W\d_]", "", text)


@pytest.mark.parametrize("lang", LANGS)
def test_page_list_matches_the_printed_pages(flagship: Built, lang: str) -> None:
    printed = _page_texts(flagship.edition(lang, "pdf"))
    files = _chapters(_files(flagship, lang))
    nav = _files(flagship, lang)["EPUB/nav.xhtml"]
    listed = re.findall(r'<a href="([^"#]+)#page-(\d+)">(\d+)</a>', nav)
    assert len(listed) >= 30
    checked = 0
    for file, folio, label in listed:
        assert folio == label
        body = files["EPUB/" + file]
        after = body[body.index(f'id="page-{folio}"'):]
        following = _letters(re.sub(r"<sup .*?</sup>|<[^>]+>", " ", after[after.index(">"):]))
        page = _letters(printed[folio])
        # The page holds its running head first on most pages: the text the marker
        # points at must be where the page's body begins, just after it.
        assert following[:40] in page[:len(page)] and page.index(following[:40]) < 80, folio
        checked += 1
    assert checked == len(listed)


def test_interface_words_come_from_complete_catalogs() -> None:
    english = labels("en")
    for catalog_file in sorted(LOCALE.glob("*/LC_MESSAGES/publish.po")):
        with catalog_file.open("rb") as source:
            catalog = read_po(source)
        assert all(m.string for m in catalog if m.id), f"untranslated in {catalog_file}"
        translated = labels(catalog_file.parent.parent.name)
        for field in Labels.__dataclass_fields__:
            assert getattr(translated, field) != getattr(english, field), field
