"""The addresses a piece of CSS names (`@import` and `url()`, wherever they stand),
the font families it declares and the classes its selectors name.

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


def font_families(text: str) -> set[str]:
    """The families the `@font-face` rules of `text` declare."""
    families = set()
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or not rule.content:
            continue
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                           skip_whitespace=True):
            if declaration.type == "declaration" and declaration.lower_name == "font-family":
                families.add(" ".join(token.value for token in declaration.value
                                      if token.type in ("string", "ident")))
    return families


def classes(text: str) -> set[str]:
    """The classes the selectors of `text` name, in rules at any depth of `@media`
    and the like (declarations, strings and comments are no selectors)."""
    found: set[str] = set()
    for rule in tinycss2.parse_rule_list(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            found.update(_selector_classes(rule.prelude))
        elif rule.type == "at-rule" and rule.content is not None:
            found.update(classes(tinycss2.serialize(rule.content)))
    return found


def _selector_classes(tokens: list[Any]) -> Iterator[str]:
    before = None
    for token in tokens:
        if token.type == "ident" and before is not None and before.type == "literal" \
                and before.value == ".":
            yield token.value
        elif token.type in ("function", "() block"):
            yield from _selector_classes(token.arguments if token.type == "function"
                                         else token.content)
        before = token


def _walk(tokens: Iterable[Any]) -> Iterator[Reference]:
    rule = ""
    """The at-rule whose prelude the tokens are in, if any: `@import` names a sheet
    to fetch, `@namespace` a name that is never fetched."""
    for token in tokens:
        kind = token.type
        if kind == "at-keyword":
            rule = token.lower_value
        elif rule == "namespace":
            pass
        elif kind == "url":
            yield Reference(token.source_line, token.value, rule == "import")
        elif kind == "string" and rule == "import":
            yield Reference(token.source_line, token.value, True)
        elif kind == "function":
            if token.lower_name in ADDRESS_FUNCTIONS:
                yield from (Reference(argument.source_line, argument.value, rule == "import")
                            for argument in token.arguments if argument.type == "string")
            yield from _walk(token.arguments)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(token.content)
        if kind == "{} block" or (kind == "literal" and token.value == ";"):
            rule = ""
