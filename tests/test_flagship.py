"""The flagship book in manuscript/: complete, parallel in both languages, spelled
right, and with every dated fact of its notes written as a date role."""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from publish.assemble import assemble_book
from publish.diagnostics import Collector
from publish.languages import LANGUAGES
from publish.load import load_manuscript
from publish.model import Book
from publish.roles import ROLE_PATTERN
from tests.conftest import ROOT, Built, require

MANUSCRIPT = ROOT / "manuscript"
LANGS = ["be", "en"]
FOREIGN = r'<(\w+)[^>]*\blang="(?!{lang}")[^"]*"[^>]*>.*?</\1>'
"""A passage marked as another language's, left to that language's speller."""


@cache
def _book(lang: str) -> Book:
    diagnostics = Collector()
    manuscript = load_manuscript(MANUSCRIPT, diagnostics)
    assert manuscript is not None and not diagnostics.diagnostics
    return assemble_book(manuscript, lang, diagnostics)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _roles(text: str, name: str) -> list[str]:
    return [m["value"] for m in re.finditer(ROLE_PATTERN, text) if m["name"] == name]


def _chapter_files() -> list[str]:
    return sorted(p.name for p in (MANUSCRIPT / "en").glob("*.md"))


def test_ten_to_fourteen_chapters_paired_by_name() -> None:
    names = _chapter_files()
    assert 10 <= len(names) <= 14
    assert sorted(p.name for p in (MANUSCRIPT / "be").glob("*.md")) == names


@pytest.mark.parametrize("name", _chapter_files())
def test_chapters_are_parallel(name: str) -> None:
    en, be = ((MANUSCRIPT / lang / name).read_text(encoding="utf-8") for lang in ("en", "be"))
    ids = re.compile(r"^#+ .*\{#([\w-]+)\}\s*$", re.MULTILINE)
    notes = re.compile(r"\[\^([^\]]+)\](?!:)")
    assert ids.findall(en) == ids.findall(be)
    assert notes.findall(en) == notes.findall(be)
    for role in ("date", "num"):
        assert Counter(_roles(en, role)) == Counter(_roles(be, role)), role
    events = re.compile(r"\{date:[^}]*\bevent\b[^}]*\}`([^`]+)`")
    assert events.findall(en) == events.findall(be)


def test_every_dated_fact_of_the_notes_is_a_date_role() -> None:
    listed = (Path(__file__).parent / "flagship" / "chronology-dates.txt").read_text()
    dates = [line for line in listed.splitlines() if line and not line.startswith("#")]
    for lang in LANGS:
        text = "".join(p.read_text(encoding="utf-8")
                       for p in sorted((MANUSCRIPT / lang).glob("*.md")))
        written = set(_roles(text, "date"))
        assert [d for d in dates if d not in written] == [], lang


@pytest.mark.parametrize("lang", LANGS)
def test_at_least_five_thousand_words_of_body_text(lang: str) -> None:
    words = 0
    for chapter in _book(lang).chapters:
        words += len(_text(re.sub(r"<h[1-6][^>]*>.*?</h[1-6]>", " ", chapter.body)).split())
    assert words >= 5000


@pytest.mark.parametrize("lang", LANGS)
def test_spelling(lang: str) -> None:
    """Every word is in the Debian hunspell dictionary of its language or in the
    project's word list of names and terms, manuscript/<lang>/words.txt."""
    hunspell = require("hunspell")
    book = _book(lang)
    foreign = re.compile(FOREIGN.format(lang=lang), re.DOTALL)
    text = "\n".join([book.title, book.subtitle, book.description, *book.keywords,
                      *(_text(foreign.sub(" ", fragment)) for c in book.chapters
                        for fragment in (c.body, *(note.body for note in c.notes)))])
    words = MANUSCRIPT / lang / "words.txt"
    result = subprocess.run([hunspell, "-d", LANGUAGES[lang].hunspell, "-p", str(words), "-l",
                             "-i", "utf-8"], input=text, capture_output=True, text=True,
                            check=True)
    assert sorted(set(result.stdout.split())) == []


@pytest.mark.parametrize("lang", LANGS)
def test_word_list_has_no_dictionary_words(lang: str) -> None:
    """The word list holds only what the dictionary lacks, so it cannot hide a typo
    of a common word behind a stale entry."""
    hunspell = require("hunspell")
    listed = (MANUSCRIPT / lang / "words.txt").read_text(encoding="utf-8").split()
    result = subprocess.run([hunspell, "-d", LANGUAGES[lang].hunspell, "-l", "-i", "utf-8"],
                            input="\n".join(listed), capture_output=True, text=True,
                            check=True)
    unknown = set(result.stdout.split())
    assert [word for word in listed if word not in unknown] == []
    assert listed == sorted(set(listed)), "sorted, one word a line, no repeats"


def test_chronology_is_the_same_in_both_languages(flagship: Built) -> None:
    dates = {}
    for lang in LANGS:
        with zipfile.ZipFile(flagship.edition(lang, "epub")) as archive:
            page = archive.read("EPUB/chronology.xhtml").decode()
        dates[lang] = re.findall(r'<dt>\s*<a href="[^"]+#[\w-]+">\s*<time datetime="([^"]+)"',
                                 page)
    assert len(dates["en"]) >= 25
    assert dates["en"] == dates["be"]
    assert dates["en"] == sorted(dates["en"])


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "The information in this book runs to November 30, 2022."),
    ("be", "Звесткі ў кнізе падаюцца па стане на 30 лістапада 2022 г."),
])
def test_imprint_says_when_the_information_ends(flagship: Built, lang: str, line: str) -> None:
    with zipfile.ZipFile(flagship.edition(lang, "epub")) as archive:
        imprint = _text(archive.read("EPUB/imprint.xhtml").decode())
    assert " ".join(line.split()) in " ".join(imprint.split())
