"""The press interior as laid out: what the editions made after it take from it.

The e-book marks where each printed page begins and lists the pages; the cover's
spine is as wide as the pages are many. The PDF writer returns this value and the
build hands it to the writers that need it; the book itself (`model.py`) stays what
the manuscript says, never what a writer found.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageBreak:
    """Where a page of the laid-out edition begins, so the e-book can mark it."""

    folio: str
    """The page's number as printed (roman in front matter numbered apart)."""
    part: str
    """Where it begins: a chapter's id, or the name of a page publish makes itself
    (title page, imprint, chronology)."""
    block: int
    """Which text block of the part, counting from 0 in reading order."""
    offset: int
    """How many characters of the block came before, spaces and hyphens not counted."""


@dataclass(frozen=True)
class Layout:
    """One PDF edition as laid out."""

    source: str
    """The identifier of the edition laid out: the e-book names it as the source of
    its page breaks."""
    pages: int
    """The page count, blank pages and the padding to whole signatures included."""
    breaks: list[PageBreak]
    """Where each page with counted text begins, in page order; a page without
    such text (a blank one, the half title) has none."""
    folios: dict[str, str] = field(default_factory=dict)
    """The folio of the page each term of the index stands on, by the term's id."""

    def breaks_in(self, part: str) -> list[PageBreak]:
        """The pages that begin in `part`."""
        return [b for b in self.breaks if b.part == part]
