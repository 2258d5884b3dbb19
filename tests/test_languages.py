"""The language registry: what each stage reads of a language, the Ukrainian and
Polish entries beside the Belarusian and English ones, and all four at work, in
tests/books/trilingual (English, Ukrainian, Polish) built into every edition and
kept in step by `publish sync`."""

from __future__ import annotations

import dataclasses
import html
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel.dates import get_month_names
from babel.messages.pofile import read_po
from pypdf import PdfReader

from publish import typography
from publish.dates import format_date_value, parse_date
from publish.labels import catalog_file, labels
from publish.languages import LANGUAGES
from publish.markup import render_chapter
from publish.roles import render_role
from publish.sync.status import problems
from tests.conftest import (
    BOOKS,
    Built,
    assembled,
    assert_pdf_x_in_cmyk,
    copy_book,
    epubcheck_counts,
    require,
    run_publish,
)

NBSP = "\u00a0"
TRILINGUAL = ("en", "uk", "pl")
CATALOGS = [code for code, language in LANGUAGES.items() if language.catalog]
PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_catalog_where_the_registry_says(lang: str) -> None:
    assert catalog_file(lang).is_file() == LANGUAGES[lang].catalog


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalogs_translate_every_label_and_nothing_else(lang: str) -> None:
    english = dataclasses.asdict(labels("en"))
    with catalog_file(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    assert {message.id for message in catalog if message.id} == set(english.values())
    for message in (m for m in catalog if m.id):
        assert message.string and message.string != message.id, message.id
        assert PLACEHOLDER.findall(str(message.string)) == PLACEHOLDER.findall(str(message.id))
    translated = dataclasses.asdict(labels(lang))
    assert [name for name, text in translated.items() if text == english[name]] == []


DICTIONARY_LACKS = {"be": {"відэа", "небяспек"}}
"""Words of the catalogs, right as they are, that the Debian dictionary lacks."""


def _misspelt(text: str, lang: str, words: Path | None = None) -> set[str]:
    """The words of `text` that neither the language's dictionary nor `words` knows."""
    hunspell = require("hunspell")
    personal = ["-p", str(words)] if words is not None and words.exists() else []
    # Quotation marks are no part of a word, as an apostrophe is: ‘old days’, сям’я.
    text = re.sub(r"(?<!\w)[‘’]|[‘’](?!\w)", " ", text)
    result = subprocess.run([hunspell, "-d", LANGUAGES[lang].hunspell, *personal, "-l",
                             "-i", "utf-8"], input=text, capture_output=True, text=True,
                            check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalogs_are_spelled_right(lang: str) -> None:
    text = "\n".join(PLACEHOLDER.sub(" ", text) for text in dataclasses.asdict(labels(lang))
                     .values())
    assert _misspelt(text, lang) == DICTIONARY_LACKS.get(lang, set())


@pytest.mark.parametrize(("lang", "case"), [(code, case) for code, language in LANGUAGES.items()
                                            for case in language.dates.cases])
def test_month_names_are_carried_only_where_cldr_lacks_them(lang: str, case: str) -> None:
    source = LANGUAGES[lang].dates.cases[case]
    cldr = {name for context in ("format", "stand-alone")
            for name in get_month_names("wide", context, locale=lang).values()}
    assert (source.cldr is None) == bool(source.names)
    if source.names:
        assert len(source.names) == 12
        assert cldr.isdisjoint(source.names)


@pytest.mark.parametrize(("lang", "options", "value", "expected"), [
    ("uk", None, "1962-09-25", f"25{NBSP}вересня 1962{NBSP}р."),
    ("uk", None, "1988-10", f"жовтень 1988{NBSP}р."),
    ("uk", "loc", "1988-10", f"жовтні 1988{NBSP}р."),
    ("uk", "gen", "1988-10", f"жовтня 1988{NBSP}р."),
    ("uk", "loc", "2011-08", f"серпні 2011{NBSP}р."),
    ("uk", "loc", "2022-02", f"лютому 2022{NBSP}р."),
    ("uk", None, "1991/1996", "1991–1996"),
    ("uk", "short", "1988-11-02", "02.11.88"),
    ("pl", None, "1962-09-25", f"25{NBSP}września 1962"),
    ("pl", None, "1988-10", "październik 1988"),
    ("pl", "loc", "1988-10", "październiku 1988"),
    ("pl", "gen", "1988-10", "października 1988"),
    ("pl", "loc", "2022-11", "listopadzie 2022"),
    ("pl", "loc", "1991-03/1991-05", "marcu–maju 1991"),
    ("pl", "short", "1988-11-02", "2.11.1988"),
    ("be", "loc", "1988-10", f"кастрычніку 1988{NBSP}г."),
])
def test_dates(lang: str, options: str | None, value: str, expected: str) -> None:
    assert render_role("date", options, value, lang).text == expected


@pytest.mark.parametrize("lang", [code for code, language in LANGUAGES.items()
                                  if language.dates.year_suffix])
def test_the_year_suffix_is_written_once(lang: str) -> None:
    """After a day date and a month date alike, whether CLDR writes it or not."""
    suffix = LANGUAGES[lang].dates.year_suffix
    for value in ("1962-09-25", "1988-10"):
        assert format_date_value(parse_date(value), lang).count(suffix) == 1


@pytest.mark.parametrize(("lang", "value", "expected"), [
    ("uk", "1350", f"1{NBSP}350"),
    ("uk", "2.5", "2,5"),
    ("pl", "1350", "1350"),
    ("pl", "-1350", "-1350"),
    ("pl", "13500", f"13{NBSP}500"),
    ("pl", "1234567.25", f"1{NBSP}234{NBSP}567,25"),
    ("be", "1350", f"1{NBSP}350"),
    ("en", "1350", "1,350"),
])
def test_numbers(lang: str, value: str, expected: str) -> None:
    assert render_role("num", None, value, lang).text == expected


@pytest.mark.parametrize(("lang", "runs", "expected"), [
    ("uk", ['Він сказав "так".'], ["Він сказав «так»."]),
    ("uk", ['"збірка "давніх" пісень"'], ["«збірка „давніх“ пісень»"]),
    ("uk", ["п'ять подвір'їв"], ["п’ять подвір’їв"]),
    ("uk", ["слово --- слово"], [f"слово{NBSP}— слово"]),
    ("uk", ["в місті й у селі, а з друзями і о пів на п'яту"],
     [f"в{NBSP}місті й{NBSP}у{NBSP}селі, а{NBSP}з{NBSP}друзями і{NBSP}о{NBSP}пів на п’яту"]),
    ("pl", ['Powiedział "tak".'], ["Powiedział „tak”."]),
    ("pl", ['"zbiór "dawnych" pieśni"'], ["„zbiór «dawnych» pieśni”"]),
    ("pl", ["słowo --- słowo"], [f"słowo{NBSP}— słowo"]),
    ("pl", ["a w domu i u nas, o tym z nim"],
     [f"a{NBSP}w{NBSP}domu i{NBSP}u{NBSP}nas, o{NBSP}tym z{NBSP}nim"]),
    ("pl", ["W domu"], [f"W{NBSP}domu"]),
])
def test_typography(lang: str, runs: list[str], expected: list[str]) -> None:
    assert typography.apply(runs, lang) == expected


@pytest.mark.parametrize(("lang", "text", "sentence"), [
    ("pl", "Było ciepło. Łódź otworzyła drukarnię w {date:loc,event}`1988-10`.",
     f"Łódź otworzyła drukarnię w{NBSP}październiku 1988."),
    ("uk", "Було тепло. Євген відкрив друкарню у {date:loc,event}`1988-10`. Ґанок був новий.",
     f"Євген відкрив друкарню у{NBSP}жовтні 1988{NBSP}р."),
])
def test_a_sentence_opens_with_a_capital_of_its_language(lang: str, text: str,
                                                        sentence: str) -> None:
    rendered = render_chapter(f"# T {{#t}}\n\n{text}\n", lang, Path("t.md"), Path("."))
    assert [event.sentence for event in rendered.events] == [sentence]


@pytest.mark.parametrize(("lang", "target", "untranslated"), [
    ("uk", "The press moved to the city in the summer.", True),
    ("uk", "Друкарня переїхала до міста влітку.", False),
    ("be", "Друкарня переехала ў горад улетку.", False),
    ("pl", "Drukarnia przeniosła się latem do miasta.", False),
])
def test_text_left_in_another_script_is_untranslated(lang: str, target: str,
                                                     untranslated: bool) -> None:
    found = problems("The press moved to the city in summer.", target, "en", lang)
    assert ("untranslated" in {problem.code for problem in found}) == untranslated


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


EXPECTED = {
    "en": ["“First” Press", "“songs of the ‘old days’ and tales”", "book—a",
           f"September{NBSP}25, 1962", "in October 1988", "since October 1988",
           "May 1993 brought", "1,350", "13,500", "2.5"],
    "uk": ["«Перша» друкарня", f"«пісень „давніх часів“ і{NBSP}казок»", f"книжки{NBSP}— збірки",
           f"25{NBSP}вересня 1962{NBSP}р.", f"у{NBSP}жовтні 1988{NBSP}р.",
           f"з{NBSP}жовтня 1988{NBSP}р.", f"Травень 1993{NBSP}р. приніс", f"У{NBSP}серпні 2011",
           f"1{NBSP}350{NBSP}примірників", f"13{NBSP}500", "2,5", "подвір’я", "Ґанок"],
    "pl": ["„Pierwsza” drukarnia", f"„pieśni «dawnych czasów» i{NBSP}baśni”",
           f"książki{NBSP}— zbioru", f"25{NBSP}września 1962", f"w{NBSP}październiku 1988",
           "od października 1988", "Maj 1993 przyniósł", f"W{NBSP}sierpniu 2011",
           f"1350{NBSP}egzemplarzy", f"13{NBSP}500", "2,5", "późnej"],
}
"""What each edition must say: quotes, dashes, dates in each case, numbers, and the
no-break spaces that bind them."""
PASSAGES = {"en": {"pl"}, "uk": {"en", "pl"}, "pl": {"en"}}
"""The languages of the passages each language's text quotes."""


@pytest.mark.parametrize("lang", TRILINGUAL)
def test_the_epub_sets_each_language_its_own_way(trilingual: Built, lang: str) -> None:
    with zipfile.ZipFile(trilingual.edition(lang, "epub")) as archive:
        chapters = [archive.read(f"EPUB/{name}.xhtml").decode() for name in ("press", "move")]
        package = archive.read("EPUB/content.opf").decode()
    text = _plain("".join(chapters))
    assert [phrase for phrase in EXPECTED[lang] if phrase not in text] == []
    assert f"<dc:language>{lang}</dc:language>" in package
    for chapter in chapters:
        assert f'lang="{lang}" xml:lang="{lang}"' in chapter
    passages = {m[1] for m in re.finditer(r'<em lang="(\w+)" xml:lang="\1"', "".join(chapters))}
    assert passages == PASSAGES[lang]


@pytest.mark.parametrize("lang", TRILINGUAL)
def test_the_pdfs_set_each_language_its_own_way(trilingual: Built, lang: str) -> None:
    for fmt in ("pdf", "screen"):
        assert str(PdfReader(trilingual.edition(lang, fmt)).root_object["/Lang"]) == lang
    # The screen edition breaks no word, so its text reads as the sentences were written.
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, "-raw", str(trilingual.edition(lang, "screen")), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    assert [p for p in EXPECTED[lang] if " ".join(p.split()) not in words] == []
    book = assembled(trilingual.project, lang)
    assert book.labels.contents in words
    assert book.labels.chronology in words


@pytest.mark.parametrize("lang", ["uk", "pl"])
def test_the_new_languages_editions_pass_their_checkers(trilingual: Built, lang: str,
                                                        tmp_path: Path) -> None:
    counts = epubcheck_counts(trilingual.edition(lang, "epub"), tmp_path / "report.json")
    assert counts == {"fatal": 0, "error": 0, "warning": 0}
    assert_pdf_x_in_cmyk(trilingual.edition(lang, "pdf"))
    assert_pdf_x_in_cmyk(trilingual.edition(lang, "cover"))


@pytest.mark.parametrize("lang", TRILINGUAL)
def test_the_trilingual_book_is_spelled_right(lang: str) -> None:
    """Every word is in the dictionary of its language or the book's word list
    (`words.txt`), passages in another language left out."""
    book = assembled(BOOKS / "trilingual", lang)
    foreign = re.compile(rf'<(\w+)[^>]*\blang="(?!{lang}")[^"]*"[^>]*>.*?</\1>', re.DOTALL)
    text = "\n".join([book.title, book.description, *book.keywords,
                      *(_plain(foreign.sub(" ", c.body)) for c in book.chapters)])
    assert _misspelt(text, lang, BOOKS / "trilingual" / "manuscript" / lang / "words.txt") \
        == set()


def test_two_translations_are_kept_in_step(tmp_path: Path) -> None:
    book = copy_book(BOOKS / "trilingual", tmp_path / "book")
    status = run_publish("sync", "--project", str(book), cwd=book)
    assert status.returncode == 1
    for lang in ("uk", "pl"):
        assert f"manuscript/{lang}/01-press.md:3: new: never confirmed" in status.stdout
    accepted = run_publish("sync", "--project", str(book), "accept", "--all", cwd=book)
    assert accepted.returncode == 0, accepted.stderr
    status = run_publish("sync", "--project", str(book), cwd=book)
    assert status.returncode == 0, status.stdout + status.stderr
    rows = [line.split() for line in status.stdout.splitlines()[1:]]
    assert [row[:2] for row in rows] == [["01-press", "(uk)"], ["02-move", "(uk)"],
                                         ["01-press", "(pl)"], ["02-move", "(pl)"]]
    assert all(row[3:] == ["0"] * 6 for row in rows)
