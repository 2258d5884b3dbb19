"""Front and back matter, and the credits: the minimal book with a preface before its
chapters, a list of sources after them and a translator in Belarusian, built into
every edition and read back: the EPUB's documents and package, the press interior's
pages, the screen edition's links."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import BOOKS, Built, _build, copy_book, epubcheck_counts, require

LANGS = ["be", "en"]
PREFACE = {"en": "# Preface {#preface}\n\nWhy this book was written.[^why]\n\n"
                 "[^why]: A note of the preface.\n",
           "be": "# Прадмова {#preface}\n\nНавошта напісаная гэтая кніга.[^why]\n\n"
                 "[^why]: Заўвага прадмовы.\n"}
SOURCES = {"en": "# Sources {#sources}\n\n- A report of {date}`2021`.\n- A book.\n",
           "be": "# Крыніцы {#sources}\n\n- Справаздача {date}`2021` года.\n- Кніга.\n"}
EVENT = {"en": "Later, on {date:event}`2011-08-04`{chronology=\"He is arrested.\"}, "
               "he was arrested.\n",
         "be": "Пазней, {date:event}`2011-08-04`{chronology=\"Яго арыштоўваюць.\"}, "
               "яго арыштавалі.\n"}
TRANSLATOR = "Перакладчык"


@pytest.fixture(scope="module")
def matter(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("matter")
    project = copy_book(BOOKS / "minimal", base / "project")
    manuscript = project / "manuscript"
    with (manuscript / "book.toml").open("a", encoding="utf-8") as config:
        config.write('\n[[front-matter]]\nchapter = "00-preface"\nkind = "preface"\n'
                     '\n[[back-matter]]\nchapter = "90-sources"\nkind = "bibliography"\n')
    for lang in LANGS:
        (manuscript / lang / "00-preface.md").write_text(PREFACE[lang], encoding="utf-8")
        (manuscript / lang / "90-sources.md").write_text(SOURCES[lang], encoding="utf-8")
        with (manuscript / lang / "02-second.md").open("a", encoding="utf-8") as chapter:
            chapter.write("\n" + EVENT[lang])
    with (manuscript / "be" / "book.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[[contributors]]\nname = "{TRANSLATOR}"\nrole = "trl"\n')
    return _build(project, base / "out", "minimal")


def _epub(built: Built, lang: str) -> dict[str, str]:
    with zipfile.ZipFile(built.edition(lang, "epub")) as archive:
        return {name.removeprefix("EPUB/"): archive.read(name).decode()
                for name in archive.namelist() if name.endswith((".xhtml", ".opf"))}


def _pages(pdf: Path) -> list[list[str]]:
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [[" ".join(line.split()) for line in page.splitlines() if line.strip()]
            for page in text.split("\f")]


@pytest.mark.parametrize("lang", LANGS)
def test_epub_sets_the_preface_and_the_sources_as_front_and_back_matter(
        matter: Built, lang: str) -> None:
    files = _epub(matter, lang)
    spine = re.findall(r'<itemref idref="([^"]+)"', files["content.opf"])
    assert spine == ["cover", "title-page", "imprint", "nav", "ch-preface", "ch-first",
                     "ch-second", "ch-sources", "chronology"]
    for name, matter_kind, kind in (("preface", "frontmatter", "preface"),
                                    ("sources", "backmatter", "bibliography")):
        assert re.search(rf'<body epub:type="{matter_kind}">\s*<section epub:type="{kind}" '
                         rf'role="doc-{kind}" aria-labelledby="{name}">',
                         files[f"{name}.xhtml"]), name
    nav = files["nav.xhtml"]
    assert re.search(r'<a epub:type="bodymatter" href="first.xhtml">', nav)
    listed = re.findall(r'<a href="([\w-]+)\.xhtml"', nav.split('epub:type="landmarks"')[0])
    assert listed == ["preface", "first", "second", "sources", "chronology"]


@pytest.mark.parametrize("lang", LANGS)
def test_epubcheck_accepts_front_and_back_matter_and_credits(matter: Built, lang: str,
                                                             tmp_path: Path) -> None:
    counts = epubcheck_counts(matter.edition(lang, "epub"), tmp_path / "report.json")
    assert counts == {"fatal": 0, "error": 0, "warning": 0}


def test_the_translator_is_a_contributor_and_the_author_a_creator(matter: Built) -> None:
    opf = _epub(matter, "be")["content.opf"]
    people = re.findall(r'<dc:(creator|contributor) id="([^"]+)">([^<]+)<', opf)
    roles = dict(re.findall(r'<meta refines="#([^"]+)" property="role" '
                            r'scheme="marc:relators">(\w+)<', opf))
    assert [(kind, name, roles[uid]) for kind, uid, name in people] == [
        ("creator", "А. Пісьменнік", "aut"), ("contributor", TRANSLATOR, "trl")]
    assert "<dc:contributor" not in _epub(matter, "en")["content.opf"]


@pytest.mark.parametrize(("lang", "credit"), [("be", f"Пераклад: {TRANSLATOR}"),
                                              ("en", None)])
def test_title_page_and_imprint_credit_the_translator(matter: Built, lang: str,
                                                      credit: str | None) -> None:
    files = _epub(matter, lang)
    pages = _pages(matter.edition(lang, "pdf"))
    # The title page ends with the publisher, the half title before it has the title alone.
    title = next(page for page in pages if page and page[-1] == "Test Press")
    imprint = pages[pages.index(title) + 1]
    for name, printed in (("title.xhtml", title), ("imprint.xhtml", imprint)):
        shown = re.findall(r"<p[^>]*>(?:<span [^>]*/>)?(Пераклад:[^<]*|Translated[^<]*)</p>",
                           files[name])
        lines = [line for line in printed if line.startswith(("Пераклад", "Translated"))]
        if credit is None:
            assert shown == [] and lines == [], name
        else:
            assert [s.rstrip(".") for s in shown] == [credit], name
            assert [line.rstrip(".") for line in lines] == [credit], name


@pytest.mark.parametrize("lang", LANGS)
def test_press_numbers_the_preface_with_the_front_matter(matter: Built, lang: str) -> None:
    pages = _pages(matter.edition(lang, "pdf"))
    first = (BOOKS / "minimal" / "manuscript" / lang / "01-first.md").read_text()
    titles = {key: re.sub(r'["“”«»]', "", text.split(" {")[0][2:]) for key, text in
              (("preface", PREFACE[lang]), ("first", first), ("sources", SOURCES[lang]))}
    opening = {key: next(n for n, page in enumerate(pages)
                         if page and re.sub(r'["“”«»]', "", page[0]) == title)
               for key, title in titles.items()}
    folios = {key: pages[n][-1] for key, n in opening.items()}
    assert re.fullmatch(r"[ivx]+", folios["preface"]), folios
    assert opening["preface"] % 2 == 0, "a recto: the file counts from 0"
    # The preface comes after the contents, which list it with its roman folio, and
    # the sources before the chronology.
    contents = next(page for page in pages if any(line.startswith(titles["preface"])
                                                  for line in page[1:]))
    assert pages.index(contents) < opening["preface"]
    entries = [re.sub(r"[ .]+(\w+)$", r" \1", line) for line in contents[1:-1]]
    assert entries[0] == f"{titles['preface']} {folios['preface']}"
    assert entries[-2] == f"{titles['sources']} {folios['sources']}"
    assert folios["first"] == "1" and int(folios["sources"]) > 1


def test_screen_contents_names_the_front_and_back_matter_as_no_chapter(matter: Built) -> None:
    reader = PdfReader(matter.edition("en", "screen"))
    described = [str(annotation.get_object().get("/Contents", ""))
                 for page in reader.pages[:8] for annotation in page.get("/Annots", [])]
    assert "Preface" in described and "Sources" in described
    assert "Chapter: Second" in described
    assert not any(d.startswith("Chapter: ") and d.endswith(("Preface", "Sources"))
                   for d in described)


@pytest.mark.parametrize(("lang", "own", "text"), [
    ("en", "He is arrested.", "he was arrested"), ("be", "Яго арыштоўваюць.", "яго арыштавалі")])
def test_the_chronology_tells_an_event_in_its_own_sentence(matter: Built, lang: str, own: str,
                                                           text: str) -> None:
    files = _epub(matter, lang)
    entries = re.findall(r"<dd>([^<]*)</dd>", files["chronology.xhtml"])
    assert entries == [own]
    assert text in files["second.xhtml"] and own not in files["second.xhtml"]
    assert "chronology=" not in files["second.xhtml"]
