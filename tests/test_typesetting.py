"""The typesetting report and the figures every book is set to: counted on lines
made up here (what each figure means), and on the laid-out press editions of the
fixture books and the flagship (what the build reaches)."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
from pathlib import Path
from typing import Literal

import pytest
from lxml import etree

from publish import typography
from publish.build import Project, build
from publish.transforms import add_chronology
from publish.writers import mending, typesetting, weasy
from publish.writers.pdf import _document, _parts, write_pdf
from publish.writers.typesetting import Line, Piece, Report, Targets
from tests.conftest import (
    BOOKS,
    ROOT,
    Built,
    assembled,
    copy_book,
    require,
    run_publish,
    transformed,
)

TARGETS = {"be": Targets(hyphenated=0.12), "en": Targets(hyphenated=0.08)}
"""What a book set by hand reaches: the share of hyphenated lines per language; no
lone fragments, split units, runs of three hyphens or more, words split across the
turn of a recto, paragraphs ending in a fragment; at most 2 % loose lines."""


def _line(text: str, paragraph: int = 0, page: int = 1, stretch: float = 1.0,
          units: dict[str, int] | None = None) -> Line:
    """A line of `text`; the words named in `units` belong to that date or number."""
    units = units or {}
    pieces = tuple(Piece(word + " ", units.get(word)) for word in text.split())
    return Line(page, paragraph, f"p/{paragraph}", pieces, stretch, True)


def _report(*texts: str, **options: float) -> Report:
    return typesetting.report([_line(text, **options) for text in texts])  # type: ignore[arg-type]


def test_hyphenated_lines_are_counted_but_not_a_paragraphs_last() -> None:
    found = _report("a line that breaks a hyphen-", "ated word and ends")
    assert (found.lines, found.hyphenated) == (2, 1)
    assert found.hyphenated_share == 0.5


def test_three_hyphenated_lines_in_a_row_are_a_run() -> None:
    two = _report("one bro-", "ken two bro-", "ken end")
    three = _report("one bro-", "ken two bro-", "ken three bro-", "ken end")
    assert (two.runs, three.runs) == (0, 1)
    assert three.offenders == {"p/0": ["run"]}


def test_a_word_alone_on_a_line_as_a_fragment() -> None:
    assert _report("Бяляц-", "кі пакінуў пасаду").fragments == 1
    assert _report("па амністыі 21 чэрвеня 2014 г. —", "знач-", "на", "раней, чым").fragments == 2
    assert _report("a whole line here", "Word", "end").fragments == 0


def test_a_paragraph_ending_in_the_end_of_a_broken_word() -> None:
    assert _report("пасля доўгіх гадоў неаба-", "роненай.").paragraph_final == 1
    assert _report("after long years un-", "defended thesis.").paragraph_final == 0


def test_a_day_leaving_its_month_is_a_split_unit_and_a_month_its_year_is_not() -> None:
    day = [_line("адзначыў 8", units={"8": 1}), _line("снежня 2021 г.", units={"снежня": 1})]
    month = [_line("адзначыў у снежні", units={"снежні": 1}),
             _line("2021 г. пад вартай", units={"2021": 1})]
    english = [_line("on December", units={"December": 1}), _line("8, 2021", units={"8,": 1})]
    assert typesetting.report(day).split_units == 1
    assert typesetting.report(month).split_units == 0
    assert typesetting.report(english).split_units == 1


def test_a_number_leaving_the_word_it_counts_is_a_split_unit() -> None:
    number = Line(1, 0, "p/0", (Piece("правёў "), Piece("1 052", 1, number=True)), 1.0, True)
    days = Line(1, 0, "p/0", (Piece("дні за кратамі"),), 1.0, True)
    assert typesetting.report([number, days]).split_units == 1


def test_only_a_rectos_last_hyphen_splits_a_word_across_the_turn() -> None:
    recto = [_line("a line of a bro-", page=2), _line("ken word", page=3)]
    verso = [_line("a line of a bro-", page=1), _line("ken word", page=2)]
    assert (typesetting.report(recto).recto_final, typesetting.report(recto).page_final) == (1, 1)
    assert (typesetting.report(verso).recto_final, typesetting.report(verso).page_final) == (0, 1)


def test_spaces_stretched_past_half_again_their_width_make_a_loose_line() -> None:
    assert _report("tight", stretch=1.2).loose == 0
    assert _report("loose", stretch=1.6).loose == 1


def test_spaces_squeezed_below_four_fifths_make_a_tight_line() -> None:
    assert (_report("even", stretch=0.85).tight, _report("dark", stretch=0.7).tight) == (0, 1)


def test_a_whole_word_alone_or_a_gaping_line_is_a_gap() -> None:
    assert _report("One", "of the most striking accounts", "end").gaps == 1
    assert typesetting.report([_line("march. At the time,", stretch=28.7),
                               _line("Bialiatski, who chaired")]).gaps == 1
    assert _report("a line", "Word.").gaps == 0


def test_a_note_beginning_on_another_page_than_its_call_is_away() -> None:
    call = Line(1, 0, "p/0", (Piece("word"), Piece("1", call=7)), 1.0, True)
    note = Line(2, 1, "p/note-1", (Piece("1. A note."),), 1.0, True, note=7)
    assert typesetting.report([call, note]).notes_away == 1
    assert typesetting.report([call, dataclasses.replace(note, page=1)]).notes_away == 0


def test_targets_name_what_a_report_misses() -> None:
    report = _report("one bro-", "ken two bro-", "ken three bro-", "ken end")
    missed = Targets(hyphenated=0.12).missed(report)
    assert "1 runs" in missed
    assert any("hyphenated" in sentence for sentence in missed)


def _first_layout(project: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    """The report of the Belarusian press layout before the build mends anything."""
    monkeypatch.setattr(typesetting, "ROUNDS", 0)
    reports: dict[str, Report] = {}
    build(Project(project), ["be"], ["pdf"], out,
          typeset=lambda lang, fmt, report: reports.update({fmt: report}))
    return reports["pdf"]


def test_a_no_break_space_before_a_date_breaks_no_word(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture book holds paragraphs where "у" is bound to the date after it.
    With the no-break space before the date element, the line breaker leaves a
    word's fragment alone on a line; inside the element, it does not."""
    project = copy_book(BOOKS / "typesetting", tmp_path / "book")
    assert _first_layout(project, tmp_path / "out", monkeypatch).fragments == 0
    with monkeypatch.context() as before:
        before.setattr(typography, "keep_inside", lambda runs, opens: runs)
        assert _first_layout(project, tmp_path / "before", monkeypatch).fragments > 0


@pytest.mark.parametrize("lang", ["be", "en"])
@pytest.mark.parametrize("book", ["minimal", "typeset_book", "flagship"])
def test_no_lone_fragments_or_split_units(book: str, lang: str,
                                          request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(book)
    for fmt in ("pdf", "screen"):
        found = built.typesetting[(lang, fmt)]
        assert (found.fragments, found.split_units) == (0, 0), found.summary()


@pytest.mark.parametrize("lang", ["be", "en"])
@pytest.mark.parametrize("book", ["typeset_book", "flagship"])
@pytest.mark.xfail(strict=True, reason="on this measure no line breaking, total-fit included, "
                   "keeps loose lines under 2 % with Belarusian hyphens under 12 % and names "
                   "unbroken: the page's design has to give (a wider measure, smaller type, "
                   "visible tracking) or the figures")
def test_the_press_edition_reaches_every_target(book: str, lang: str,
                                                request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(book)
    assert TARGETS[lang].missed(built.typesetting[(lang, "pdf")]) == []


def test_the_english_flagship_is_mended_to_every_target_but_loose_lines(flagship: Built) -> None:
    found = flagship.typesetting[("en", "pdf")]
    assert found.hyphenated_share <= TARGETS["en"].hyphenated, found.summary()
    assert (found.runs, found.recto_final, found.paragraph_final, found.gaps) == (0, 0, 0, 0), \
        found.summary()


@pytest.mark.parametrize(("book", "opening"), [("typesetting", "recto"), ("flagship", "any")])
def test_each_part_mended_alone_sets_the_lines_the_whole_book_sets(
        book: str, opening: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What the part-by-part mending rests on: the front matter, a chapter, the
    chronology, laid out alone with its mends on the side it opens on, breaks its
    lines where the whole edition does, and ends its pages on the same lines. With
    chapters opening on any page, some open on versos."""
    project = ROOT if book == "flagship" else copy_book(BOOKS / book, tmp_path / "book")
    whole = transformed(project, "en")
    whole = dataclasses.replace(whole, print=dataclasses.replace(whole.print,
                                                                 chapter_opening=opening))
    alone: list[tuple[mending.Part, str, weasy.Apart]] = []
    mend = mending._mend

    def kept(part: mending.Part, text: str, side: str, apart: weasy.Apart) -> dict[str, str]:
        alone.append((part, side, apart))
        return mend(part, text, side, apart)

    monkeypatch.setattr(mending, "_mend", kept)
    laid_out = write_pdf(whole, "pdf", Project(project).access(whole.print.icc_profile),
                         project / "styles", None)
    mends = {block: css for part in laid_out.mends.values() for block, css in part.items()}
    final = {}
    for part, side, apart in alone:
        final[part.opening] = (part, side, apart)  # the last side it was mended for
    sides = set()
    for part, side, apart in final.values():
        lines = apart(part.document(mends, {}), side)
        blocks = {line.block for line in lines}
        book_lines = [line for line in laid_out.rendered.lines if line.block in blocks]
        shift = book_lines[0].page - lines[0].page
        assert shift % 2 == 0, f"{part.opening} opens on a {side} page but not in the book"
        assert [(line.block, line.text, line.page + shift) for line in lines] == \
            [(line.block, line.text, line.page) for line in book_lines], part.opening
        sides.add(side)
    assert len(final) == len(whole.chapters) + 1 + bool(whole.chronology)
    assert sides == ({"right", "left"} if opening == "any" else {"right"})


def test_no_name_of_the_word_list_is_hyphenated(flagship: Built) -> None:
    pdftotext = require("pdftotext")
    for lang in ("be", "en"):
        names = {word for word in (flagship.project / "manuscript" / lang / "words.txt")
                 .read_text(encoding="utf-8").split() if word[:1].isupper()}
        text = subprocess.run([pdftotext, str(flagship.edition(lang, "pdf")), "-"],
                              capture_output=True, text=True, check=True).stdout
        lines = [line.strip() for line in text.splitlines()]
        joined = [(a.split()[-1][:-1] + b.split()[0]).strip(".,;:»”)")
                  for a, b in itertools.pairwise(lines)
                  if a.endswith("-") and a.split() and b.split()]
        assert not names & set(joined), lang


def test_the_build_prints_the_report(tmp_path: Path) -> None:
    project = copy_book(BOOKS / "minimal", tmp_path / "book")
    done = run_publish("build", "--format", "pdf", "--lang", "en", cwd=project)
    assert (done.returncode, done.stderr) == (0, "")
    assert "typesetting en pdf:" in done.stdout and "lone fragments" in done.stdout


@pytest.mark.parametrize("edition", ["pdf", "screen"])
def test_a_note_call_is_glued_to_the_word_before_it(flagship: Built,
                                                    edition: Literal["pdf", "screen"]) -> None:
    """WeasyPrint would carry a call to the start of the next line: the call and the
    word before it are one unbreakable span wherever a word comes before it."""
    book = add_chronology(assembled(flagship.project, "be"))
    root = etree.fromstring(_document(book, edition, _parts(book, edition), {}, {}).encode(),
                            etree.HTMLParser())
    calls = root.findall(".//span[@class='footnote']" if edition == "pdf" else ".//sup")
    assert calls
    for call in calls:
        glue = call.getparent()
        if glue.get("class") == "call":
            # The space before it, if any, stands inside (see pdf._spaces_into_elements).
            word = "".join(glue.itertext()).removesuffix("".join(call.itertext())).lstrip(" ")
            assert word and not any(char.isspace() for char in word), etree.tostring(glue)
        else:
            # Only where no single word comes before it.
            before = call.getprevious()
            assert before is not None and not (before.tail or "").strip() \
                and any(char.isspace() for char in "".join(before.itertext()))
    assert ".call { white-space: nowrap; }" in (ROOT / "styles" / "print.css").read_text()


def test_a_space_before_an_inline_element_breaks_the_line_there(tmp_path: Path) -> None:
    """The paragraph's first line is full up to the space before a name: WeasyPrint
    used to break it after its first word ("One" alone) when the space stood outside
    the name's element."""
    project = copy_book(BOOKS / "minimal", tmp_path / "book")
    (project / "manuscript" / "en" / "words.txt").write_text("Maryna\nZolatava\n")
    chapter = project / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\nFirst.\n\nOne of the most striking accounts "
                       "came from inside the prison. Maryna Zolatava, editor-in-chief of "
                       "a news site, who was herself in detention, recalled it.\n")
    reports: dict[str, Report] = {}
    build(Project(project), ["en"], ["pdf", "screen"], tmp_path / "out",
          typeset=lambda lang, fmt, report: reports.update({fmt: report}))
    assert (reports["pdf"].gaps, reports["screen"].gaps) == (0, 0)
