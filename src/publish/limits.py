"""Limits on the shape of a chapter, checked on its raw lines before it is parsed:
Python-Markdown parses nested blocks by recursion (lists nested some hundred deep
exhaust Python's stack) and rebuilds a paragraph's text once for every inline
element in it (time grows with the square of a paragraph's length).

A chapter's notes are limited too: each is a footnote on its page of the press
edition, which WeasyPrint lays out again for every note that moves a page break.

The limits are far beyond what a book needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_NESTING = 20
"""Lists and block quotes inside one another, counted together."""
MAX_PARAGRAPH = 100_000
"""Characters in one block of lines without a blank line between them (a
paragraph, a list, a quote, a table)."""
MAX_NOTES = 1_000
"""Notes defined in one chapter."""
TAB = 4
"""Python-Markdown's indent of one level of a list."""
QUOTES = re.compile(r"(?: {0,3}> ?)*")
LIST_ITEM = re.compile(r"([*+-]|\d+[.)])(\s|$)")
NOTE_DEFINITION = re.compile(r" {0,3}\[\^[^\]]+\]:")


@dataclass(frozen=True)
class Excess:
    line: int
    message: str


def excesses(text: str) -> Iterator[Excess]:
    """Where `text` goes beyond a limit: the first line too deeply nested, the
    first line of every block too long, and the first note past the limit."""
    nested_too_deep = False
    block_start, block_size = 0, 0
    notes = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if NOTE_DEFINITION.match(line):
            notes += 1
            if notes == MAX_NOTES + 1:
                yield Excess(number, f"this chapter defines more than {MAX_NOTES:,} notes; "
                                     "the limit is that: split the chapter")
        if not line.strip():
            if block_size > MAX_PARAGRAPH:
                yield _too_long(block_start, block_size)
            block_size = 0
            continue
        if not block_size:
            block_start = number
        block_size += len(line) + 1
        depth = _depth(line)
        if depth > MAX_NESTING and not nested_too_deep:
            nested_too_deep = True
            yield Excess(number, f"lists and quotes are nested {depth} deep here; the limit "
                                 f"is {MAX_NESTING}")
    if block_size > MAX_PARAGRAPH:
        yield _too_long(block_start, block_size)


def _too_long(line: int, size: int) -> Excess:
    return Excess(line, f"this paragraph holds {size:,} characters; the limit is "
                        f"{MAX_PARAGRAPH:,}: break it into paragraphs")


def _depth(line: str) -> int:
    """How many lists and quotes the line stands in: its quote marks, then a level
    for each indent of a list item."""
    rest = line.expandtabs(TAB)
    quotes = QUOTES.match(rest)
    assert quotes is not None  # it matches the empty string
    depth = quotes[0].count(">")
    rest = rest[quotes.end():]
    item = rest.lstrip(" ")
    if LIST_ITEM.match(item):
        depth += (len(rest) - len(item)) // TAB + 1
    return depth
