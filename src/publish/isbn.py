"""ISBN-13: the digits of a hyphenated ISBN and its check digit."""

from __future__ import annotations

import re


def digits(isbn: str) -> str:
    return re.sub(r"[\s-]", "", isbn)


def is_valid(isbn: str) -> bool:
    number = digits(isbn)
    if not re.fullmatch(r"97[89]\d{10}", number):
        return False
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(number)) % 10 == 0
