"""The blocks of a chapter as values: what the editions, sync and the alignment of
two languages share. A block is a unit a translator translates and a reader reads
as one: a heading, a paragraph, a list item, a quote, a table row, a note, a piece
of code. It knows its lines in the source file and, once the languages are paired,
the id it shares with its counterpart."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ITEM = "item"
    QUOTE = "quote"
    ROW = "row"
    NOTE = "note"
    CODE = "code"


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str
    """The block's lines as they stand in the file, joined by newlines."""
    line: int
    """The first line, counting from 1."""
    end: int
    """The line after the last."""
    section: str
    """The id of the heading whose section holds the block (a heading's own)."""
    label: str = ""
    """The label of a note, the id of a heading."""
    pair: str = ""
    """The id the block shares with its counterpart in every language: `<section>_<n>`,
    `<section>_title`, `note_<label>`; `<id>.<k>` for a block that follows the block
    `<id>` without a counterpart of its own, or as the second half of a paragraph
    the other language has as one."""
    id: str = ""
    """The id of the block's element in the editions: the id its text gives it, else
    the one its pair shares; empty for a block the editions do not mark (a note, whose
    ids its label makes)."""


PAIR_ID = r"[A-Za-z][\w.-]*_(?:title|\d+)(?:\.\d+)*"
"""The form of the ids pairs have, which the manuscript may not give itself."""
