"""The `{date}` and `{num}` roles: a name in braces, options after a colon, and the
value in backticks, as in {date:short}`1962-09-25` or {num}`1350`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale

from publish.dates import CASES, STYLES, DateError, format_date_value, parse_date
from publish.languages import LANGUAGES

ROLE_PATTERN = r"\{(?P<name>[A-Za-z_-]+)(?::(?P<options>[^}`]*))?\}`(?P<value>[^`]*)`"


EVENT = "event"
MAX_DIGITS = 20
"""Digits of a number, before and after the point: more than any count or measure in
a book, and within what the decimal arithmetic of the formatting holds exactly."""


class RoleError(ValueError):
    pass


@dataclass(frozen=True)
class RenderedRole:
    kind: str
    """`date` or `num`."""
    text: str
    """What the reader sees, formatted for the locale."""
    machine: str
    """The value as written: ISO 8601 for dates, a plain decimal for numbers."""
    event: bool = False
    """The sentence around this date belongs in the book's chronology."""


def render_role(name: str, options: str | None, value: str, locale: str) -> RenderedRole:
    opts = [o.strip() for o in options.split(",")] if options is not None else []
    if name == "date":
        return _render_date(opts, value, locale)
    if name == "num":
        return _render_number(opts, value, locale)
    raise RoleError(f"unknown role {{{name}}} (known: {{date}}, {{num}})")


def _render_date(options: list[str], value: str, locale: str) -> RenderedRole:
    style, case, event = "long", None, False
    for option in options:
        if option in STYLES:
            style = option
        elif option in CASES:
            case = option
        elif option == EVENT:
            event = True
        else:
            raise RoleError(f"unknown date option {option!r} (styles: {', '.join(STYLES)}; "
                            f"cases: {', '.join(CASES)}; {EVENT!r} for the chronology)")
    try:
        parsed = parse_date(value)
        text = format_date_value(parsed, locale, style, case)
    except DateError as error:
        raise RoleError(str(error)) from None
    return RenderedRole("date", text, parsed.iso(), event)


def _render_number(options: list[str], value: str, locale: str) -> RenderedRole:
    if options:
        raise RoleError(f"the {{num}} role takes no options, not {','.join(options)!r}")
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise RoleError(f"{value!r} is not a number (write digits, a '.' for decimals)")
    digits = sum(char.isdigit() for char in value)
    if digits > MAX_DIGITS:
        shown = value if len(value) <= 40 else f"{value[:20]}...{value[-10:]}"
        raise RoleError(f"{shown!r} has {digits:,} digits; a number may have at most "
                        f"{MAX_DIGITS}")
    # The locale's pattern, with as many decimals as were written: 1.50 stays 1.50.
    whole, _, fraction = value.lstrip("-").partition(".")
    pattern = copy.copy(Locale.parse(locale).decimal_formats[None])
    pattern.frac_prec = (len(fraction), len(fraction))
    grouped = len(whole) >= pattern.grouping[0] + LANGUAGES[locale].minimum_grouping_digits
    return RenderedRole("num", pattern.apply(Decimal(value), Locale.parse(locale),
                                             group_separator=grouped), value)
