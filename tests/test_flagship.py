"""The flagship book in manuscript/: complete, parallel in both languages, with
nothing `publish check` finds, and with every dated fact of its notes written as a
date role."""

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
from publish.dates import parse_date
from publish.diagnostics import Collector
from publish.languages import LANGUAGES
from publish.load import load_manuscript
from publish.model import Book
from publish.roles import ROLE_PATTERN
from publish.transforms import add_chronology
from tests.conftest import ROOT, Built, require, run_publish

MANUSCRIPT = ROOT / "manuscript"
LANGS = ["be", "en"]


@cache
def _book(lang: str) -> Book:
    diagnostics = Collector()
    manuscript = load_manuscript(MANUSCRIPT, diagnostics)
    assert manuscript is not None and not diagnostics.diagnostics
    return assemble_book(manuscript, lang, diagnostics)


def _text(fragment: str) -> str:
    """The fragment's words: inline elements are part of the word they stand in
    ("<span>Havel</span>'s"), blocks apart."""
    inline = r"</?(?:span|em|strong|time|data|i|b)\b[^>]*>"
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(inline, "", fragment)))


def _roles(text: str, name: str) -> list[str]:
    return [m["value"] for m in re.finditer(ROLE_PATTERN, text) if m["name"] == name]


def _chapter_files() -> list[str]:
    return sorted(p.name for p in (MANUSCRIPT / "en").glob("*.md"))


def test_ten_to_fourteen_chapters_paired_by_name() -> None:
    """Ten to fourteen chapters of the body, the front and back matter apart, and an
    editor's note and a list of sources among those."""
    names = _chapter_files()
    assert sorted(p.name for p in (MANUSCRIPT / "be").glob("*.md")) == names
    book = _book("en")
    assert 10 <= len(book.body) <= 14
    assert [(c.id, c.kind) for c in book.chapters if c.matter != "body"] == [
        ("editors-note", "preface"), ("sources", "bibliography")]


@pytest.mark.parametrize("name", _chapter_files())
def test_chapters_are_parallel(name: str) -> None:
    en, be = ((MANUSCRIPT / lang / name).read_text(encoding="utf-8") for lang in ("en", "be"))
    ids = re.compile(r"^#+ .*\{#([\w-]+)\}\s*$", re.MULTILINE)
    notes = re.compile(r"\[\^([^\]]+)\](?!:)")
    assert ids.findall(en) == ids.findall(be)
    assert notes.findall(en) == notes.findall(be)
    for role in ("date", "num"):
        assert Counter(_roles(en, role)) == Counter(_roles(be, role)), role
    # An event given its own sentence for the chronology has one in both languages.
    events = re.compile(r"\{date:[^}]*\bevent\b[^}]*\}`([^`]+)`(\{chronology=)?")
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


def test_publish_check_finds_nothing() -> None:
    """Every word in the Debian hunspell dictionary of its language (a passage marked
    as another language's in that one) or in the book's word list, manuscript/<lang>/
    words.txt; quotes, spaces and hyphens as they should be typed; the languages in
    sync: what `publish check` reports, it reports nothing of."""
    require("hunspell")
    result = run_publish("check", "--project", str(ROOT))
    assert (result.returncode, result.stderr) == (0, "")


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


LEANING = {
    "en": ("Meanwhile", "Later", "Then", "By then", "By that time", "Until then", "This",
           "That", "These", "Those", "It", "Its", "He", "She", "They", "His", "Her", "Their",
           "There", "Here", "Such", "The same", "In the same", "On the same",
           "At the same time", "At that point", "Soon", "Shortly", "Afterwards", "Afterward",
           "After that", "After this", "Also", "Still", "Only", "Even", "Again", "Next",
           "The next", "The following", "But", "And", "Yet", "So", "Thus", "Instead",
           "However", "Nevertheless", "Now", "Finally", "At last", "In the end"),
    "be": ("Тым часам", "Ужо", "Толькі", "Пазней", "Потым", "Тады", "Затым", "Неўзабаве",
           "Хутка", "Адначасова", "Таксама", "Нават", "Зноў", "Яшчэ", "Нарэшце", "Цяпер",
           "Гэта", "Гэты", "Гэтая", "Гэтае", "Гэтыя", "Гэтым", "Гэтага", "Гэтай", "Той",
           "Тая", "Тое", "Тыя", "Там", "Тут", "Такі", "Такая", "Такое", "Так", "Ён", "Яна",
           "Яны", "Яго", "Яе", "Іх", "Яму", "Ёй", "Ім", "У той жа", "У тым жа", "Той жа",
           "Тым жа", "На наступны", "Наступнага", "Праз", "Пасля гэтага", "Пасля таго",
           "Да таго часу", "Але", "І", "А", "Ды", "Аднак", "Таму"),
}
"""Words that open a sentence leaning on the one before it (a connective, a
demonstrative, a pronoun for a subject not named), by language: an entry of the
chronology is read alone, and cannot begin with them."""
RELATIVE_TIME = {"en": r"(?:\w+ ){1,3}(?:later|earlier)\b",
                 "be": r"(?:\w+ ){1,3}(?:пазней|раней)\b"}
""""Three years later", «Праз год» aside: a time counted from the sentence before."""


def _leans(sentence: str, lang: str) -> bool:
    """Whether the chronology's `sentence` cannot stand alone: it starts in lower
    case (a piece of a sentence), or with words that need the one before."""
    text = sentence.replace("\u00a0", " ").lstrip("«„“\"(")
    opening = "|".join(re.escape(words) for words in LEANING[lang])
    first_letter = next((c for c in text if c.isalpha()), "")
    return (first_letter.islower()
            or re.match(rf"(?:{opening})(?![\w’'-])", text) is not None
            or re.match(RELATIVE_TIME[lang], text, re.IGNORECASE) is not None)


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "Meanwhile, on September 17, 2021, a campaign began."),
    ("en", "Later in 1989 he went to work at a museum."),
    ("en", "Three years later the case was sent to court."),
    ("en", "and then he left."),
    ("be", "Тым часам 17\u00a0верасня 2021\u00a0г. пачалася кампанія."),
    ("be", "У\u00a0тым жа годзе яго абралі."),
    ("be", "Праз год яго вызвалілі."),
])
def test_an_entry_that_leans_on_the_sentence_before_is_told(lang: str, sentence: str) -> None:
    assert _leans(sentence, lang)


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "In 1979 Bialiatski enrolled at Gomel State University."),
    ("en", "Italy's press reported it."),
    ("be", "Алесь Бяляцкі нарадзіўся 25\u00a0верасня 1962\u00a0г."),
    ("be", "Анатоль Сыс і Бяляцкі заснавалі таварыства."),
    ("be", "«Вясну» пазбавілі рэгістрацыі."),
])
def test_an_entry_that_stands_alone_passes(lang: str, sentence: str) -> None:
    assert not _leans(sentence, lang)


def test_every_chronology_entry_reads_on_its_own() -> None:
    """No entry leans on the sentence the text has before it; where the text's cannot
    stand alone, the manuscript gives the event its own (`{chronology="..."}`)."""
    offending = [f"{lang} {entry.chapter.source.stem} {entry.iso}: {entry.sentence}"
                 for lang in LANGS for entry in add_chronology(_book(lang)).chronology
                 if _leans(entry.sentence, lang)]
    assert offending == []


def test_the_book_states_nothing_after_its_information_runs_out() -> None:
    """The editor's note names the month the imprint's date ends (the imprint gives the
    day, on its own page), and no date of the book comes after it."""
    diagnostics = Collector()
    manuscript = load_manuscript(MANUSCRIPT, diagnostics)
    assert manuscript is not None and manuscript.config.information_as_of is not None
    end = manuscript.config.information_as_of
    for lang in LANGS:
        note = (MANUSCRIPT / lang / "00-editors-note.md").read_text(encoding="utf-8")
        assert end.strftime("%Y-%m") in _roles(note, "date"), lang
        text = "".join(p.read_text(encoding="utf-8")
                       for p in sorted((MANUSCRIPT / lang).glob("*.md")))
        later = [d for d in _roles(text, "date")
                 if ((value := parse_date(d)).end or value.start).as_date() > end]
        assert later == [], lang
