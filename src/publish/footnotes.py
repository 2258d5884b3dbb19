"""Python-Markdown's footnotes made the project's notes, through the extension's own
hooks: the only module that knows how that extension marks notes up.

Python-Markdown gathers a chapter's notes in a `div.footnote` at its end, with
classes, ids and links back of its own. Here the notes leave the chapter instead,
as `model.Note` values that each edition sets its own way, and each call stays in
the text in the project's own markup, the one form the writers read:

    <sup id="CALL"><a class="noteref" href="#NOTE">1</a></sup>

Ids start with the chapter's, so that they are unique in the book:
`<chapter>-fn-<label>` for a note, `<chapter>-fnref-<label>`,
`<chapter>-fnref2-<label>` ... for its calls (`load.py` keeps the manuscript from
giving ids of these forms). Notes are numbered in the order of their first calls,
as the print edition's footnote counter numbers them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor
from markdown.treeprocessors import Treeprocessor

from publish.load import HEADING_ID
from publish.model import Note

CALL_CLASS = "noteref"
"""The class of a call's link, for the stylesheets."""
NO_TITLE_ID = "chapter"
"""What note ids start with in a chapter whose title has no id (an error the loader
reports; such a chapter is left out of the book)."""


class Notes(FootnoteExtension):
    """Python-Markdown's footnotes, taken out of the chapter: `notes` holds them once
    it is converted."""

    def __init__(self) -> None:
        super().__init__(USE_DEFINITION_ORDER=False)

    def reset(self) -> None:
        super().reset()
        self.chapter = NO_TITLE_ID
        self.calls: dict[str, list[str]] = {}
        """The ids of each note's calls so far, by label."""
        self.notes: list[Note] = []
        self.held: list[tuple[str, etree.Element]] = []
        """Each note by its label, parsed, in the tree until it is taken out."""
        self.holder: etree.Element | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        super().extendMarkdown(md)
        # The calls, in the place of Python-Markdown's pattern that makes them (175).
        calls = md.inlinePatterns["footnote"]
        md.inlinePatterns.register(_Call(calls.pattern, self), "footnote", 175)
        # These mend the div.footnote of Python-Markdown's, which is not made.
        md.treeprocessors.deregister("footnote-duplicate", strict=False)
        md.treeprocessors.deregister("footnote-reorder", strict=False)
        # Before the notes are parsed (50), whose ids need the chapter's.
        md.treeprocessors.register(_ChapterId(self, md), "note-chapter", 55)
        # After every other, Python-Markdown's last (unescape, 0) included: a note
        # leaves the chapter as it would have been written in it.
        md.treeprocessors.register(_TakeNotes(self, md), "note-take", -1)

    def makeFootnoteId(self, id: str) -> str:
        return f"{self.chapter}-fn-{id}"

    def makeFootnoteRefId(self, id: str, found: bool = False) -> str:
        """The id of the first call of note `id`; with `found`, of one more call."""
        calls = self.calls.setdefault(id, [])
        count = len(calls) + 1 if found else 1
        call = f"{self.chapter}-fnref{count if count > 1 else ''}-{id}"
        if found:
            calls.append(call)
        return call

    def findFootnotesPlaceholder(
        self, root: etree.Element
    ) -> tuple[etree.Element, etree.Element, bool] | None:
        # The notes have no place in the text: Python-Markdown's marker for one
        # ("///Footnotes Go Here///") is text like any other.
        return None

    def makeFootnotesDiv(self, root: etree.Element) -> etree.Element | None:
        """The notes, each parsed into an element of its own, held in the tree so
        that every processor after this one (inline patterns, attribute lists,
        typography, the checks) treats them as the text."""
        if not self.footnotes:
            return None
        self.holder = etree.Element("div")
        for label, text in self.footnotes.items():
            note = etree.SubElement(self.holder, "div", {"id": self.makeFootnoteId(label)})
            self.parser.parseChunk(note, text)
            self.held.append((label, note))
        return self.holder


class _Call(FootnoteInlineProcessor):
    """Python-Markdown's call of a note, with the project's class."""

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        call, start, end = super().handleMatch(m, data)
        if not isinstance(call, etree.Element):
            return None, None, None  # no such note: left as written
        call[0].set("class", CALL_CLASS)
        return call, start, end


class _ChapterId(Treeprocessor):
    """Reads the id of the chapter's title, before the calls are made: attribute
    lists give it only after the inline patterns have run (see `markup.py`). It is
    read as the loader reads and checks it, at the end of the title as written."""

    def __init__(self, notes: Notes, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.notes = notes

    def run(self, root: etree.Element) -> None:
        title = next(root.iter("h1"), None)
        found = HEADING_ID.search(title.text or "") if title is not None else None
        self.notes.chapter = found[1] if found else NO_TITLE_ID


class _TakeNotes(Treeprocessor):
    """Takes the notes out of the chapter, each written as Python-Markdown writes
    the chapter (serialised, then its postprocessors)."""

    def __init__(self, notes: Notes, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.notes = notes

    def run(self, root: etree.Element) -> None:
        if self.notes.holder is None:
            return
        root.remove(self.notes.holder)
        order = self.notes.footnote_order
        held = sorted(self.notes.held, key=lambda note: order.index(note[0])
                      if note[0] in order else len(order))
        for number, (label, element) in enumerate(held, start=1):
            body = "".join(self.md.serializer(child) for child in element)
            for postprocessor in self.md.postprocessors:
                body = postprocessor.run(body)
            self.notes.notes.append(Note(element.get("id", ""), label, number, body,
                                         self.notes.calls.get(label, [])))
