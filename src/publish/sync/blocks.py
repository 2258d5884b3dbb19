"""A chapter's raw Markdown cut into sections and blocks, with their line numbers.

Python-Markdown keeps no line numbers, and sync must name lines and write blocks
back byte for byte, so this works on the raw lines. It knows the block structure
the manuscripts use: headings, paragraphs, list items, quotes, table rows and
footnote definitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from publish.load import ATX_HEADING, FENCE, HEADING_ID


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
    label: str = ""
    """The footnote label of a note, the id of a heading."""


@dataclass
class Section:
    id: str
    """The heading id; the chapter's title heading opens the first section."""
    heading: Block | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Chapter:
    sections: list[Section]
    notes: list[Block]
    """Footnote definitions, wherever they stand; they pair by label."""


NOTE = re.compile(r"^\[\^([^\]]+)\]:")
ITEM = re.compile(r"^\s{0,3}([-*+]|\d+[.)])\s+")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def split(text: str) -> Chapter:
    """The sections of a chapter, each with its blocks in order, and its notes."""
    lines = text.split("\n")
    sections = [Section("", None)]
    notes = []
    number = 0
    while number < len(lines):
        line = lines[number]
        if not line.strip():
            number += 1
            continue
        block, number = _block(lines, number)
        if block.kind is Kind.HEADING:
            sections.append(Section(block.label, block))
        elif block.kind is Kind.NOTE:
            notes.append(block)
        else:
            sections[-1].blocks.append(block)
    if not sections[0].blocks:
        sections.pop(0)
    return Chapter(sections, notes)


def _block(lines: list[str], start: int) -> tuple[Block, int]:
    first = lines[start]
    if heading_id := _heading_id(first):
        return Block(Kind.HEADING, first, start + 1, start + 2, heading_id), start + 1
    if FENCE.match(first):
        end = start + 1
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        return _make(Kind.CODE, lines, start, min(end + 1, len(lines))), min(end + 1, len(lines))
    if note := NOTE.match(first):
        end = _continued(lines, start + 1, indented_only=True)
        return _make(Kind.NOTE, lines, start, end, note[1]), end
    if first.lstrip().startswith("|"):
        if TABLE_RULE.match(first):
            return _make(Kind.CODE, lines, start, start + 1), start + 1
        return _make(Kind.ROW, lines, start, start + 1), start + 1
    if first.lstrip().startswith(">"):
        end = start + 1
        while end < len(lines) and lines[end].lstrip().startswith(">") and \
                lines[end].lstrip(">").strip():
            end += 1
        return _make(Kind.QUOTE, lines, start, end), end
    if ITEM.match(first):
        end = _continued(lines, start + 1, indented_only=False)
        return _make(Kind.ITEM, lines, start, end), end
    end = _continued(lines, start + 1, indented_only=False)
    return _make(Kind.PARAGRAPH, lines, start, end), end


def _heading_id(line: str) -> str | None:
    """The id of a heading line, read as the loader reads it."""
    heading = ATX_HEADING.match(line)
    found = HEADING_ID.search(heading.group(2)) if heading else None
    return found.group(1) if found else None


def _continued(lines: list[str], start: int, indented_only: bool) -> int:
    """Where a block that began before `start` ends: at a blank line, or at a line
    that starts a block of its own."""
    end = start
    while end < len(lines) and lines[end].strip():
        line = lines[end]
        indented = line.startswith(("    ", "\t"))
        if indented_only and not indented:
            break
        if not indented and (_heading_id(line) or NOTE.match(line) or ITEM.match(line)
                             or FENCE.match(line)):
            break
        end += 1
    return end


def _make(kind: Kind, lines: list[str], start: int, end: int, label: str = "") -> Block:
    return Block(kind, "\n".join(lines[start:end]), start + 1, end + 1, label)
