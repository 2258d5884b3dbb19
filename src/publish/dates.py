"""ISO 8601 dates of day, month or year precision, and intervals of them, rendered
for a locale with Babel.

CLDR gives the month names of Belarusian, Ukrainian and Polish in the nominative
(stand-alone) and genitive (format) cases only; running text also needs the
locative ("у кастрычніку", "w październiku"), which the language registry carries.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import Enum

from babel.dates import format_date, format_interval, format_skeleton, get_month_names

from publish.languages import LANGUAGES, STAND_ALONE, Language

STYLES = ("full", "long", "medium", "short")
CASES = tuple(dict.fromkeys(case for entry in LANGUAGES.values() for case in entry.dates.cases))
"""Every case option a date role may give, in some language."""


class Precision(Enum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    def as_date(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)  # checked on parsing

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True)
class DateValue:
    """A date or an interval `start/end` of the same precision."""

    start: PartialDate
    end: PartialDate | None = None

    @property
    def precision(self) -> Precision:
        return self.start.precision

    def iso(self) -> str:
        return self.start.iso() + (f"/{self.end.iso()}" if self.end else "")


class DateError(ValueError):
    pass


_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_date(text: str) -> DateValue:
    """Parse `1962-09-25`, `1988-10`, `1981` or an interval such as `1991/1996`."""
    parts = text.split("/")
    if len(parts) > 2:
        raise DateError(f"{text!r} is not an ISO 8601 date or interval")
    dates = [_parse_one(part, text) for part in parts]
    if len(dates) == 1:
        return DateValue(dates[0])
    start, end = dates
    if start.precision != end.precision:
        raise DateError(f"both ends of the interval {text!r} must have the same precision")
    if end.as_date() <= start.as_date():
        raise DateError(f"the interval {text!r} ends before it starts")
    return DateValue(start, end)


def _parse_one(part: str, whole: str) -> PartialDate:
    match = _ISO.fullmatch(part)
    if not match:
        raise DateError(f"{whole!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        datetime.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        raise DateError(f"{part!r} is not a date that exists") from None
    return PartialDate(year, month, day)


def format_date_value(value: DateValue, locale: str, style: str = "long",
                      case: str | None = None) -> str:
    """Render a date for `locale`; `case` picks the grammatical case of a month name."""
    language = LANGUAGES[locale]
    if case is not None:
        if case not in language.dates.cases:
            takers = [entry.name for entry in LANGUAGES.values() if case in entry.dates.cases]
            raise DateError(f"the case option {case!r} applies to {_listed(takers)} text only")
        if value.precision is not Precision.MONTH:
            raise DateError(f"the case option {case!r} applies to month dates only")
    start = value.start.as_date()
    if value.precision is Precision.DAY:
        text = format_date(start, style, locale=locale)
        if value.end is not None:
            text += " – " + format_date(value.end.as_date(), style, locale=locale)
        return _book_spaces(text)
    skeleton = _skeleton(value.precision, style)
    if value.end is None:
        text = format_skeleton(skeleton, start, locale=locale)
    else:
        text = format_interval(start, value.end.as_date(), skeleton, locale=locale)
    suffix = language.dates.year_suffix
    if suffix and value.precision is Precision.MONTH and style != "short" and suffix not in text:
        # CLDR writes the year abbreviation after a full date ("25 верасня 1962 г.")
        # but, in Belarusian, not after a month and year; prose wants it in both.
        text = re.sub(r"(\d{4})", f"\\1\u00a0{suffix}", text)
    if case is not None:
        text = _inflect_months(text, language, case)
    return _book_spaces(text)


def _listed(names: list[str]) -> str:
    """The names joined as in "Belarusian, Polish and Ukrainian"."""
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def _book_spaces(text: str) -> str:
    """CLDR sets ranges with thin spaces and "г." after a narrow no-break space; most
    book faces (PT Serif among them) have neither glyph. Close ranges up, as English
    and Belarusian book typography does anyway, and use a plain no-break space.
    A day stays on the line of its month ("8 снежня", "December 8"): CLDR puts an
    ordinary space between them."""
    text = text.replace("\u2009", "").replace("\u202f", "\u00a0")
    text = re.sub(r"(?<![\d.])(\d{1,2}) (?=[^\W\d])", "\\1\u00a0", text)
    return re.sub(r"(?<=[^\W\d]) (\d{1,2})(?!\d)", "\u00a0\\1", text)


def _skeleton(precision: Precision, style: str) -> str:
    if precision is Precision.YEAR:
        return "y"
    return {"full": "yMMMM", "long": "yMMMM", "medium": "yMMM", "short": "yMM"}[style]


def _inflect_months(text: str, language: Language, case: str) -> str:
    """Replace each nominative month name that Babel wrote with its `case` form."""
    nominative = get_month_names("wide", STAND_ALONE, locale=language.code)
    source = language.dates.cases[case]
    forms = (get_month_names("wide", source.cldr, locale=language.code) if source.cldr
             else dict(enumerate(source.names, start=1)))
    for month, name in nominative.items():
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", forms[month], text)
    return text
