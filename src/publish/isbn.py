"""ISBN-13s, checked and hyphenated by python-stdnum, which keeps the ISBN agency's
ranges of registration groups and publishers: the hyphens of an ISBN fall where
those ranges say, not where an author typed them."""

from __future__ import annotations

from stdnum import isbn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)


def digits(number: str) -> str:
    return str(isbn.compact(number))


def problem(number: str) -> str | None:
    """What is wrong with `number` as an ISBN-13, or None."""
    try:
        isbn.validate(number)
    except InvalidLength:
        return f"has {len(digits(number))} digits; an ISBN-13 has 13"
    except InvalidChecksum:
        return "has the wrong check digit"
    except InvalidComponent:
        return "does not begin 978 or 979"
    except InvalidFormat:
        return "holds what is not a digit, a space or a hyphen"
    except ValidationError:
        return "is not an ISBN"
    if digits(number).startswith("9790"):
        return "begins 979-0, which is an ISMN (printed music), not an ISBN"
    if isbn.isbn_type(number) != "ISBN13":
        return f"is an ISBN-10; give its ISBN-13, {hyphenated(number)}"
    return None


def hyphenated(number: str) -> str:
    """`number`, valid, with its hyphens where the ISBN ranges put them."""
    return str(isbn.format(number, convert=True))
