"""Dates and numbers as each locale writes them."""

from __future__ import annotations

import pytest

from publish.roles import MAX_DIGITS, RoleError, render_role

NBSP = "\u00a0"


@pytest.mark.parametrize(("options", "value", "lang", "text"), [
    (None, "1962-09-25", "en", f"September{NBSP}25, 1962"),
    (None, "1962-09-25", "be", f"25{NBSP}верасня 1962{NBSP}г."),
    ("full", "1962-09-25", "en", f"Tuesday, September{NBSP}25, 1962"),
    ("medium", "1962-09-25", "en", f"Sep{NBSP}25, 1962"),
    ("short", "1962-09-25", "en", "9/25/62"),
    ("short", "1962-09-25", "be", "25.09.62"),
    (None, "1988-10", "en", "October 1988"),
    (None, "1988-10", "be", f"кастрычнік 1988{NBSP}г."),
    ("nom", "1988-10", "be", f"кастрычнік 1988{NBSP}г."),
    ("gen", "1988-10", "be", f"кастрычніка 1988{NBSP}г."),
    ("loc", "1988-10", "be", f"кастрычніку 1988{NBSP}г."),
    ("loc", "2011-08", "be", f"жніўні 2011{NBSP}г."),
    ("loc", "2022-11", "be", f"лістападзе 2022{NBSP}г."),
    ("loc", "2022-02", "be", f"лютым 2022{NBSP}г."),
    ("gen", "1998-08", "be", f"жніўня 1998{NBSP}г."),
    ("short,loc", "1988-10", "be", "10.1988"),
    (None, "1981", "en", "1981"),
    (None, "1981", "be", "1981"),
    (None, "1991/1996", "be", "1991–1996"),
    (None, "1991/1996", "en", "1991–1996"),
    ("loc", "1991-03/1991-05", "be", f"сакавіку–маі 1991{NBSP}г."),
    (None, "2021-07-14/2021-07-15", "en", f"July{NBSP}14, 2021 – July{NBSP}15, 2021"),
])
def test_date(options: str | None, value: str, lang: str, text: str) -> None:
    rendered = render_role("date", options, value, lang)
    assert rendered.text == text
    assert rendered.machine == value


@pytest.mark.parametrize("value", ["2022-02-30", "2021-02-29", "1988-13", "1988-00",
                                   "88", "1988-1", "1962-09-25T10:00", "1996/1991",
                                   "1991/1996-01", "1991/1992/1993", ""])
def test_impossible_date_is_an_error(value: str) -> None:
    with pytest.raises(RoleError):
        render_role("date", None, value, "en")


def test_leap_day_exists() -> None:
    assert render_role("date", None, "2020-02-29", "en").text == f"February{NBSP}29, 2020"


@pytest.mark.parametrize(("options", "value", "lang"), [
    ("loc", "1988-10", "en"),       # cases are Belarusian only
    ("loc", "1988-10-30", "be"),    # a day date's month is always genitive
    ("loc", "1988", "be"),
    ("loud", "1988", "en"),
])
def test_misplaced_or_unknown_option_is_an_error(options: str, value: str, lang: str) -> None:
    with pytest.raises(RoleError):
        render_role("date", options, value, lang)


@pytest.mark.parametrize(("value", "lang", "text"), [
    ("1350", "en", "1,350"),
    ("1350", "be", f"1{NBSP}350"),
    ("1052", "be", f"1{NBSP}052"),
    ("4.5", "en", "4.5"),
    ("4.5", "be", "4,5"),
    ("200", "be", "200"),
    ("-12000", "en", "-12,000"),
    # Decimals as written: none rounded, none dropped.
    ("3.14159", "en", "3.14159"),
    ("3.14159", "be", "3,14159"),
    ("1.50", "be", "1,50"),
    ("0.001", "en", "0.001"),
    ("1" * MAX_DIGITS, "en", ",".join(["11"] + ["111"] * 6)),
])
def test_number(value: str, lang: str, text: str) -> None:
    rendered = render_role("num", None, value, lang)
    assert rendered.text == text
    assert rendered.machine == value


@pytest.mark.parametrize(("name", "options", "value"), [
    ("num", None, "12a"), ("num", None, "1,350"), ("num", None, "1" * (MAX_DIGITS + 1)),
    ("num", None, "9" * 26), ("num", None, "1" * 5000), ("num", None, "0." + "5" * 20),
    ("num", "short", "12"), ("foo", None, "x"),
])
def test_bad_number_or_role_is_an_error(name: str, options: str | None, value: str) -> None:
    with pytest.raises(RoleError):
        render_role(name, options, value, "be")


@pytest.mark.parametrize(("written", "shown"), [
    ("`` {date}`1962-09-25` ``", "<code>{date}`1962-09-25`</code>"),
    ("```{num}`1350` and more```", "<code>{num}`1350` and more</code>"),
])
def test_a_role_inside_code_is_shown_as_written(written: str, shown: str) -> None:
    from pathlib import Path

    from publish.markup import render_chapter

    rendered = render_chapter(f"# T {{#t}}\n\nIt reads {written}.\n", "en", Path("t.md"),
                              Path("."))
    assert rendered.findings == []
    assert shown in rendered.html
