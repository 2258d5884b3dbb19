"""The addresses a piece of CSS names: `@import` and `url()`, wherever they stand.

Read with tinycss2, the tokenizer WeasyPrint reads CSS with, so that what is found
here is what WeasyPrint would fetch: an escaped `u\\72l(...)` or a comment in the
middle of a rule is read as WeasyPrint reads it, where a regular expression would
be fooled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import tinycss2

ADDRESS_FUNCTIONS = {"url", "src", "image", "image-set", "cross-fade"}
"""Functions whose strings are addresses to fetch."""


@dataclass(frozen=True)
class Reference:
    line: int
    """The line of the address in the text, from 1."""
    url: str
    imported: bool
    """Whether it names a stylesheet to import."""


def references(text: str) -> list[Reference]:
    """Every address `text` names, in order."""
    return list(_walk(tinycss2.parse_component_value_list(text, skip_comments=True)))


def _walk(tokens: Iterable[Any]) -> Iterator[Reference]:
    importing = False
    for token in tokens:
        kind = token.type
        if kind in ("whitespace", "comment"):
            continue
        if kind == "url":
            yield Reference(token.source_line, token.value, importing)
        elif kind == "string" and importing:
            yield Reference(token.source_line, token.value, True)
        elif kind == "function":
            if token.lower_name in ADDRESS_FUNCTIONS:
                yield from (Reference(argument.source_line, argument.value, importing)
                            for argument in token.arguments if argument.type == "string")
            yield from _walk(token.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(token.content)
        importing = kind == "at-keyword" and token.lower_value == "import"
