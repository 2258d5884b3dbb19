"""The blocks of two languages of a chapter paired into units, each with the id that
its blocks share in every edition and in sync.

Sections pair by heading id and notes by label. Inside a section the alignment
decides. A unit's id comes from its first source block: `<section>_<n>`, where a
block whose text a translator confirmed keeps the number confirmed with it, so
that ids stay put when a paragraph is inserted before them; a block of the
translation without a source block of its own takes the id of the unit before it
and a sub-number (`<id>.2`).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from publish import alignment
from publish.blocks import Block, Kind

SIMILAR = 0.6
"""How close a source block's text must stay to a confirmed one to keep its id."""


@dataclass(frozen=True)
class Unit:
    id: str
    source: tuple[Block, ...]
    target: tuple[Block, ...]


def pair_chapter(source: list[Block], target: list[Block],
                 known: Mapping[str, str]) -> list[Unit]:
    """The units of a chapter, in the source's order, the target's own sections
    last and the notes at the end; `known` maps a confirmed source text to its id."""
    ids = _SourceIds(known)
    units: list[Unit] = []
    for section, mine, theirs in _sections(source, target):
        heading = [b for b in mine if b.kind is Kind.HEADING]
        other = [b for b in theirs if b.kind is Kind.HEADING]
        if heading or other:
            units.append(_named(f"{section}_title", heading, other))
        body = [b for b in mine if b.kind is not Kind.HEADING]
        rest = [b for b in theirs if b.kind is not Kind.HEADING]
        numbered = ids.section(section, body)
        previous = f"{section}_title"
        extra = 1
        for left, right in alignment.align(_texts(body), _texts(rest)):
            if left:
                # A sub-number after the blocks the unit's own translation takes.
                previous, extra = numbered[left[0]], max(len(right), 1)
                unit_id = previous
            else:
                extra += 1
                unit_id = f"{previous}.{extra}"
            units.append(_named(unit_id, [body[i] for i in left], [rest[j] for j in right],
                                [numbered[i] for i in left]))
    notes = {b.label: b for b in source if b.kind is Kind.NOTE}
    their_notes = {b.label: b for b in target if b.kind is Kind.NOTE}
    for label in [*notes, *(k for k in their_notes if k not in notes)]:
        units.append(_named(f"note_{label}", [notes[label]] if label in notes else [],
                            [their_notes[label]] if label in their_notes else []))
    return units


def name_source(source: list[Block], known: Mapping[str, str]) -> list[Block]:
    """The source's blocks with their ids, as `pair_chapter` gives them."""
    return _with_ids(source, pair_chapter(source, [], known), "source")


def name_target(source: list[Block], target: list[Block],
                known: Mapping[str, str]) -> list[Block]:
    """The translation's blocks with the ids of their units."""
    return _with_ids(target, pair_chapter(source, target, known), "target")


def _with_ids(blocks: list[Block], units: list[Unit], side: str) -> list[Block]:
    named = {(b.line, b.kind): b for unit in units for b in getattr(unit, side)}
    return [named.get((b.line, b.kind), b) for b in blocks]


def _named(unit_id: str, source: list[Block], target: list[Block],
           source_ids: list[str] | None = None) -> Unit:
    """The unit with its id on each block: the text's own id where it gives one."""
    own = source_ids or [unit_id] * len(source)

    def name(block: Block, element: str) -> Block:
        if block.kind is Kind.NOTE:
            element = ""
        elif block.kind is Kind.HEADING or block.id:
            element = block.id
        return dataclasses.replace(block, pair=unit_id, id=element)

    return Unit(unit_id, tuple(name(b, i) for b, i in zip(source, own, strict=True)),
                tuple(name(b, unit_id if n == 0 else f"{unit_id}.{n + 1}")
                      for n, b in enumerate(target)))


def _texts(blocks: list[Block]) -> list[alignment.Text]:
    return [alignment.Text(b.text, b.kind.value) for b in blocks]


def _sections(source: list[Block],
              target: list[Block]) -> Iterator[tuple[str, list[Block], list[Block]]]:
    """The blocks of each section, paired by heading id, notes left out."""
    mine, theirs = _by_section(source), _by_section(target)
    for section, blocks in mine.items():
        yield section, blocks, theirs.get(section, [])
    for section, blocks in theirs.items():
        if section not in mine:
            yield section, [], blocks


def _by_section(blocks: list[Block]) -> dict[str, list[Block]]:
    sections: dict[str, list[Block]] = {}
    for block in blocks:
        if block.kind is not Kind.NOTE:
            sections.setdefault(block.section, []).append(block)
    return sections


class _SourceIds:
    """Numbers the source blocks of each section, keeping confirmed numbers."""

    def __init__(self, known: Mapping[str, str]) -> None:
        self.known = known

    def section(self, section: str, blocks: list[Block]) -> list[str]:
        pattern = re.compile(rf"{re.escape(section)}_(\d+)")
        pool = {text: i for text, i in self.known.items() if pattern.fullmatch(i)}
        found: list[str | None] = [pool.get(b.text) for b in blocks]
        used = {i for i in found if i is not None}
        for n, block in enumerate(blocks):
            if found[n] is None:
                near = max(((difflib.SequenceMatcher(None, block.text, text).ratio(), i)
                            for text, i in pool.items() if i not in used),
                           default=(0.0, ""))
                if near[0] >= SIMILAR:
                    found[n] = near[1]
                    used.add(near[1])
        numbers = [int(m[1]) for i in [*pool.values(), *used] if (m := pattern.fullmatch(i))]
        fresh = max(numbers, default=0)
        ids = []
        for value in found:
            if value is None:
                fresh += 1
                value = f"{section}_{fresh}"
            ids.append(value)
        return ids
