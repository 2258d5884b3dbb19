"""Quotes, apostrophes, dashes and no-break spaces as each language sets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish import typography
from publish.markup import render_chapter

NBSP = "\u00a0"


@pytest.mark.parametrize(("lang", "runs", "expected"), [
    ("en", ['He said "yes."'], ["He said “yes.”"]),
    ("en", ['"outer \'inner\' outer"'], ["“outer ‘inner’ outer”"]),
    ("en", ["don't stop in the '80s"], ["don’t stop in the ’80s"]),
    ("en", ["word --- word"], ["word—word"]),
    ("en", ["1991--1996..."], ["1991–1996…"]),
    ("en", ["a word"], ["a word"]),
    ("be", ['Ён сказаў "так".'], ["Ён сказаў «так»."]),
    ("be", ['"гурт "Баскі" спяваў"'], ["«гурт „Баскі“ спяваў»"]),
    ("be", ["сям'я і пад'езд"], [f"сям’я і{NBSP}пад’езд"]),
    ("be", ["слова --- слова"], [f"слова{NBSP}— слова"]),
    ("be", ["слова---слова"], [f"слова{NBSP}— слова"]),
    ("be", ["у горадзе і ў вёсцы, а з сябрамі"],
     [f"у{NBSP}горадзе і{NBSP}ў{NBSP}вёсцы, а{NBSP}з{NBSP}сябрамі"]),
    ("be", ["У Мінску"], [f"У{NBSP}Мінску"]),
])
def test_text(lang: str, runs: list[str], expected: list[str]) -> None:
    assert typography.apply(runs, lang) == expected


def test_quotes_pair_across_inline_elements() -> None:
    # `"`, then an emphasised word, then the closing `"` in the next run.
    assert typography.apply(['Ён "', "Баскі", '" сказаў'], "be") == ["Ён «", "Баскі", "» сказаў"]


def test_runs_keep_their_lengths_when_spaces_bind() -> None:
    runs = ["у ", "Мінску", " і ", "Гомелі"]
    assert [len(r) for r in typography.apply(runs, "be")] == [len(r) for r in runs]


def _html(text: str, lang: str) -> str:
    return render_chapter(f"# T {{#t}}\n\n{text}\n", lang, Path("t.md"), Path(".")).html


def test_code_is_left_alone() -> None:
    assert '<code>"x" --- y</code>' in _html('Type `"x" --- y` here.', "en")


def test_number_binds_to_the_word_it_counts() -> None:
    html = _html("{num}`1052` days", "en")
    assert f'<data value="1052">1,052</data>{NBSP}days' in html


def test_belarusian_markup_end_to_end() -> None:
    html = _html('Ён "*вельмі*" рады --- у {date:loc}`1988-10`.', "be")
    assert (f'Ён «<em>вельмі</em>» рады{NBSP}— у'
            # the date's full stop ends the sentence too: no second one
            f'<time datetime="1988-10">{NBSP}кастрычніку 1988\u00a0г.</time></p>') in html


def test_a_no_break_space_before_an_element_goes_inside_it() -> None:
    runs = typography.keep_inside(["пакінуў у\u00a0", "жніўні", " і\u00a0", "потым"],
                                  [False, True, False, False])
    assert runs == ["пакінуў у", "\u00a0жніўні", " і\u00a0", "потым"]


def test_the_names_of_the_word_list_are_marked_not_to_be_hyphenated() -> None:
    html = render_chapter("# T {#t}\n\nУ Бяляцкага і *Бяляцкі* `Бяляцкі`.\n", "be", Path("t.md"),
                          Path("."), frozenset({"Бяляцкі", "Бяляцкага"})).html
    assert ('У<span class="name">\u00a0Бяляцкага</span> і<em><span class="name">\u00a0'
            'Бяляцкі</span></em> <code>Бяляцкі</code>.') in html


def test_a_day_stays_with_its_month() -> None:
    assert ">25\u00a0верасня 1962\u00a0г.<" in _html("{date}`1962-09-25`", "be")
    assert ">September\u00a025, 1962<" in _html("{date}`1962-09-25`", "en")


def test_a_date_opening_a_sentence_takes_a_capital() -> None:
    html = _html("Першае. {date}`1988-10` быў цяжкім, а {date}`1989-05` лягчэйшым.", "be")
    assert ">Кастрычнік 1988\u00a0г.</time> быў" in html
    assert ">\u00a0май 1989\u00a0г.</time> лягчэйшым" in html


def test_chronology_sentence_ends_with_a_date_that_ends_it() -> None:
    text = ("# T {#t}\n\nЁн нарадзіўся ў {date:loc,event}`1988-10`. Потым паехаў.\n\n"
            "У {date:loc,event}`1998-08` Бяляцкі пакінуў музей.\n")
    events = render_chapter(text, "be", Path("t.md"), Path(".")).events
    assert [e.sentence for e in events] == [f"Ён нарадзіўся ў{NBSP}кастрычніку 1988{NBSP}г.",
                                            f"У{NBSP}жніўні 1998{NBSP}г. Бяляцкі пакінуў музей."]


def test_an_event_may_give_the_chronology_its_own_sentence() -> None:
    """The text's sentence leans on the one before; the chronology's stands alone, in
    the language's typography, and the attribute reaches no edition."""
    text = ("# T {#t}\n\nАдна справа. Тым часам {date:event}`2021-09-17`"
            "{chronology=\"Пачалася кампанія «Сям'я» у 2021 годзе.\"} пачалася кампанія."
            "\n\nПотым {date:event}`2022` усё скончылася.\n")
    rendered = render_chapter(text, "be", Path("t.md"), Path("."))
    assert not rendered.findings
    assert [e.sentence for e in rendered.events] == [
        f"Пачалася кампанія «Сям’я» у{NBSP}2021 годзе.", "Потым 2022 усё скончылася."]
    assert "chronology" not in rendered.html and "Пачалася" not in rendered.html
