"""Where in the source each block that Python-Markdown parses comes from.

Python-Markdown keeps no line numbers. Its block parser takes the document as
chunks between blank lines and lets one processor at a time consume the first
chunk, putting back what it did not use; what is put back is always a piece of the
source. So the parser's top-level loop is run here the same way, noting before each
step where its first chunk starts in the text and after it where the next starts:
the elements a step adds, or the last element it extends, come from the lines in
between. Only `markup` uses this module.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import OListProcessor

NOTE_DEFINITION = re.compile(r"[ ]{0,3}\[\^([^\]]*)\]:")
HASH_HEADING = re.compile(r"#{1,6}(?!#)")


@dataclass
class Spans:
    """The first and last-but-one line (from 1) of each element that holds a block,
    and of each note definition by its label."""

    elements: dict[etree.Element, tuple[int, int]] = field(default_factory=dict)
    notes: dict[str, tuple[int, int]] = field(default_factory=dict)


def track(md: Markdown, spans: Spans) -> None:
    """Make `md`'s parser record into `spans` where each top-level block, list item,
    table row and note definition lies."""
    parser = md.parser

    def parse_document(lines: Iterable[str]) -> etree.ElementTree:
        parser.root = etree.Element(md.doc_tag)
        _Walk(parser, "\n".join(lines), spans).run()
        return etree.ElementTree(parser.root)

    parser.parseDocument = parse_document  # type: ignore[method-assign]


class _Walk:
    def __init__(self, parser: BlockParser, text: str, spans: Spans) -> None:
        self.parser = parser
        self.text = text
        self.lines = text.split("\n")
        self.spans = spans
        self.at = 0
        self.lists = [p for p in parser.blockprocessors if isinstance(p, OListProcessor)]

    def run(self) -> None:
        """BlockParser.parseBlocks at the top level, with the step's lines noted."""
        root = self.parser.root
        processors = self.parser.blockprocessors
        # Registry has no get().
        footnote = processors["footnote"] if "footnote" in processors else None  # noqa: SIM401
        blocks = self.text.split("\n\n")
        while blocks:
            chunk = blocks[0]
            start = self.at = self._next(blocks)
            children = len(root)
            last = root[-1] if children else None
            parts = len(last) if last is not None else 0
            ran = next((p for p in processors
                        if p.test(root, chunk) and p.run(root, blocks) is not False), None)
            end = self._next(blocks)
            if ran is not None and ran is footnote:
                # A definition after other lines of its chunk: those are put back.
                begin = start + len(blocks[0]) if end == start else start
                self._note(begin, end if end > start else start + len(chunk))
            elif not self.text[start:end].strip():
                # Blank, or a piece used from inside the chunk, the rest put back.
                continue
            elif len(root) > children:
                self._added(list(root[children:]), start, end)
            elif last is not None and len(root) and root[-1] is last:
                self._extended(last, parts, start, end)

    def _next(self, blocks: list[str]) -> int:
        """Where the first chunk left after a step starts (the text's end if none)."""
        if not blocks:
            return len(self.text)
        # What is left is the text's end, blank lines apart, unless a step put back
        # the start of its chunk; its length is counted, not joined, at every step.
        start = len(self.text) - sum(map(len, blocks)) - 2 * (len(blocks) - 1)
        if self.text.startswith(blocks[0], start):
            return start
        # The step put back the start of its chunk: the rest of it is still to come.
        return self.text.find(blocks[0], self.at)

    def _lines(self, start: int, end: int) -> tuple[int, int]:
        """The lines of text[start:end] without the blank ones at either end."""
        piece = self.text[start:end]
        first = self.text.count("\n", 0, start) + 1 + (len(piece) - len(piece.lstrip("\n")))
        return first, first + piece.strip("\n").count("\n")

    def _note(self, start: int, end: int) -> None:
        first, last = self._lines(start, end)
        if found := NOTE_DEFINITION.match(self.lines[first - 1]):
            self.spans.notes[found[1]] = (first, last)

    def _added(self, elements: list[etree.Element], start: int, end: int) -> None:
        first, last = self._lines(start, end)
        if len(elements) > 1:
            # A heading inside a chunk ("text\n# Title"): one line of its own.
            lines = self.lines
            runs: list[tuple[int, int]] = []
            begin = first
            for number in range(first, last + 1):
                if HASH_HEADING.match(lines[number - 1]):
                    if number > begin:
                        runs.append((begin, number - 1))
                    runs.append((number, number))
                    begin = number + 1
            if begin <= last:
                runs.append((begin, last))
            if len(runs) != len(elements):
                runs = [(first, last)] * len(elements)
        else:
            runs = [(first, last)]
        for element, (begin, stop) in zip(elements, runs, strict=True):
            self.spans.elements[element] = (begin, stop)
            self._parts(element, 0, begin, stop)

    def _extended(self, element: etree.Element, parts: int, start: int,
                  end: int) -> None:
        """A step that added to the last element: a list's next item after a blank
        line, a quote's or an item's next paragraph."""
        first, last = self._lines(start, end)
        begin, _ = self.spans.elements.get(element, (first, last))
        self.spans.elements[element] = (begin, last)
        if element.tag in ("ul", "ol"):
            if len(element) > parts:
                self._parts(element, parts, first, last)
            elif len(element):
                item = element[-1]
                item_begin, _ = self.spans.elements.get(item, (first, last))
                self.spans.elements[item] = (item_begin, last)

    def _parts(self, element: etree.Element, skip: int, first: int, last: int) -> None:
        """The lines of the items of a list or the rows of a table, from `skip` on."""
        lines = self.lines[first - 1:last]
        if element.tag in ("ul", "ol"):
            starts = [first + n for n, line in enumerate(lines)
                      if any(p.CHILD_RE.match(line) for p in self.lists)]
            items = list(element)[skip:]
            if len(starts) != len(items):
                return
            for item, begin, stop in zip(items, starts, [*starts[1:], last + 1], strict=True):
                self.spans.elements[item] = (begin, stop - 1)
        elif element.tag == "table":
            rows = list(element.iter("tr"))
            # The second line is the rule under the header.
            numbers = [first, *range(first + 2, last + 1)]
            if len(rows) == len(numbers):
                for row, number in zip(rows, numbers, strict=True):
                    self.spans.elements[row] = (number, number)
