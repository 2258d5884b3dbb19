"""The index of names and places: terms marked in the text, listed under their
headwords in each language's alphabetical order, with the page numbers where they
stand in the PDF editions and links to each place in the e-book.

`tests/books/index` marks places and a person over several pages of two chapters,
twice on one page, and in a note set on a page before the text's places of the
same term; its Belarusian headwords sort differently by the Belarusian alphabet
than by their code points (І after З).
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from publish import index
from publish.build import Project, build
from publish.diagnostics import Collector
from publish.load import load_manuscript
from publish.transforms import add_index
from tests.conftest import BOOKS, Built, assembled, copy_book, transformed

LANGS = ["be", "en"]
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture book in tests/books/index, built into every edition."""
    base = tmp_path_factory.mktemp("index")
    project = copy_book(BOOKS / "index", base / "project")
    build(Project(project), out=base / "out")
    return Built(project, base / "out", "index")


def _forms(project: Path, lang: str) -> dict[str, set[str]]:
    """How the text writes each term of the index, by key."""
    forms: dict[str, set[str]] = {}
    for chapter in sorted((project / "manuscript" / lang).glob("*.md")):
        for mark in re.finditer(index.MARK, chapter.read_text(encoding="utf-8")):
            forms.setdefault(mark["key"], set()).add(mark["term"])
    return forms


def _printed(pdf: Path, headwords: list[str]) -> tuple[dict[str, list[str]], int]:
    """The page numbers the index of `pdf` prints after each headword, and the index
    of the page the index begins on."""
    reader = PdfReader(pdf)
    texts = [page.extract_text() for page in reader.pages]
    start = max(n for n, text in enumerate(texts) if all(h in text for h in headwords))
    text = " ".join(texts[start:])
    printed = {}
    for headword in headwords:
        found = re.search(re.escape(headword) + r"\s+(\d+(?:,\s*\d+)*)", text)
        assert found, f"{headword!r} is not in the index"
        printed[headword] = [n.strip() for n in found[1].split(",")]
    return printed, start


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("edition", ["pdf", "screen"])
def test_printed_page_numbers_are_where_the_terms_stand(indexed: Built, lang: str,
                                                        edition: str) -> None:
    """Each entry's page numbers are the folios (page labels, as printed) of exactly
    the pages that hold its term, in the text or in a note, each once and in order."""
    book = transformed(indexed.project, lang)
    pdf = indexed.edition(lang, edition)
    printed, start = _printed(pdf, [entry.headword for entry in book.index])
    reader = PdfReader(pdf)
    labels = reader.page_labels
    forms = _forms(indexed.project, lang)
    for entry in book.index:
        pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, forms[entry.key])) + r")(?!\w)")
        expected = [labels[n] for n, page in enumerate(reader.pages[:start])
                    if pattern.search(page.extract_text())]
        assert printed[entry.headword] == expected, entry.headword
    # The fixture proves what it must: a page of several places printed once, and
    # places on several pages.
    zelva = next(e for e in book.index if e.key == "zelva")
    assert len(zelva.occurrences) > len(printed[zelva.headword]) > 1


def _headwords(project: Path, lang: str) -> dict[str, index.Headword]:
    manuscript = load_manuscript(project / "manuscript", Collector())
    assert manuscript is not None
    return manuscript.languages[lang].headwords


@pytest.mark.parametrize("lang", LANGS)
def test_the_index_is_in_the_alphabetical_order_of_its_language(indexed: Built,
                                                                lang: str) -> None:
    expected = {"be": ["дэ Голь, Шарль", "Зэльва", "Іўе", "Кобрын"],
                "en": ["de Gaulle, Charles", "Iwye", "Kobryn", "Zelva"]}[lang]
    printed, _ = _printed(indexed.edition(lang, "pdf"), expected)
    assert list(printed) == expected
    book = transformed(indexed.project, lang)
    assert [entry.headword for entry in book.index] == expected


def test_a_sort_form_places_a_headword() -> None:
    """An entry sorts as its `sort` says, not as its headword reads."""
    project = BOOKS / "index"
    headwords = _headwords(project, "en")
    headwords["zelva"] = dataclasses.replace(headwords["zelva"], sort="Aa")
    book = add_index(assembled(project, "en"), headwords)
    assert [entry.key for entry in book.index] == ["zelva", "gaulle", "iwye", "kobryn"]


@pytest.mark.parametrize(("lang", "alphabet"), [
    ("be", "а б в г д е ё ж з і й к л м н о п р с т у ў ф х ц ч ш ы ь э ю я"),
    ("uk", "а б в г ґ д е є ж з и і ї й к л м н о п р с т у ф х ц ч ш щ ь ю я"),
    ("pl", "a ą b c ć d e ę f g h i j k l ł m n ń o ó p r s ś t u w y z ź ż"),
    ("en", "a b c d e f g h i j k l m n o p q r s t u v w x y z"),
])
def test_collation_follows_the_alphabet(lang: str, alphabet: str) -> None:
    letters = alphabet.split()
    words = [letter + "к" if lang in ("be", "uk") else letter + "k" for letter in letters]
    assert sorted(reversed(words), key=lambda word: index.sort_key(word, lang)) == words
    # Capitals and accents tell words apart only after the letters do.
    if lang == "en":
        assert sorted(["eagle", "Émile", "Zeta", "apple"],
                      key=lambda word: index.sort_key(word, lang)) == \
            ["apple", "eagle", "Émile", "Zeta"]


def test_marks_in_code_are_text() -> None:
    text = ("A [term]{index=one} and `[shown]{index=two}`.\n"
            "```\n[fenced]{index=three}\n```\n[last]{index=four}\n")
    assert [(m.key, m.line) for m in index.marks(text)] == [("one", 1), ("four", 5)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_epub_index_links_to_every_page_of_every_term(indexed: Built,
                                                         lang: str) -> None:
    """One document of epub:type `index` after the chronology, in the EPUB Indexes
    vocabulary, in the contents and the landmarks; each locator is a link to the
    term itself and shows the page the press edition prints for it."""
    book = transformed(indexed.project, lang)
    printed, _ = _printed(indexed.edition(lang, "pdf"),
                          [entry.headword for entry in book.index])
    forms = _forms(indexed.project, lang)
    with zipfile.ZipFile(indexed.edition(lang, "epub")) as epub:
        opf = epub.read("EPUB/content.opf").decode()
        spine = re.findall(r'<itemref idref="([^"]+)"', opf)
        assert spine[-2:] == ["chronology", "index"]
        nav = epub.read("EPUB/nav.xhtml").decode()
        assert '<a href="index.xhtml">' in nav
        assert '<a epub:type="index" href="index.xhtml">' in nav
        root = etree.fromstring(epub.read("EPUB/index.xhtml"))
        section = root.find(f".//{XHTML}section")
        assert section is not None and section.get(EPUB_TYPE) == "index"
        assert section.get("role") == "doc-index"
        entries = root.findall(f".//{XHTML}li[@{EPUB_TYPE}='index-entry']")
        assert len(entries) == len(book.index)
        for element, entry in zip(entries, book.index, strict=True):
            term = element.find(f"{XHTML}span[@{EPUB_TYPE}='index-term']")
            assert term is not None and term.text == entry.headword
            locators = element.findall(
                f"{XHTML}ul[@{EPUB_TYPE}='index-locator-list']/{XHTML}li/{XHTML}a")
            assert [a.text for a in locators] == printed[entry.headword]
            for locator in locators:
                file_name, _, anchor = (locator.get("href") or "").partition("#")
                target = etree.fromstring(epub.read(f"EPUB/{file_name}")).find(
                    f".//*[@id='{anchor}']")
                assert target is not None, locator.get("href")
                assert "".join(target.itertext()).strip() in forms[entry.key]
