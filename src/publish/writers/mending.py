"""The mending of the press edition part by part: the front matter, each chapter and
the chronology open on a new page, so the breaks of each are those it has laid out
alone on the side it opens on. Each part is mended laid out apart, the whole edition
then laid out once with every part's mends; and a part whose text, side and page
setup are what an earlier build mended is not mended again: its mends are known
(`known`), and an edit of one chapter lays out only that chapter more than once.

Which side a part opens on is known once the whole edition is laid out: a part is
first mended on a recto, where chapters open unless the configuration lets them open
on any page, and again on a verso if it opens there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from publish.writers import typesetting, weasy

SIDES = 2
"""How many times a part may be mended for the side it opens on: once for the side
supposed, once more for the side it turned out to open on."""


@dataclass(frozen=True)
class Part:
    opening: str | None
    """The id on the page it opens on; None for the part that opens the edition."""
    document: typesetting.Document
    """The part alone as a document, given its mends and trials."""


class Mending:
    """Composes the press edition for `weasy.render`: its parts mended, then the
    whole with their mends."""

    def __init__(self, parts: list[Part], whole: typesetting.Document, setup: str,
                 known: Mapping[str, dict[str, str]]) -> None:
        self.parts = parts
        self.whole = whole
        self.setup = setup
        """What the configuration sets ahead of the stylesheet: a part's key with its
        text, as a part is laid out by both."""
        self.known = known
        self.texts = [part.document({}, {}) for part in parts]
        """Each part unmended, as its key and its first layout take it."""
        self.sides = ["right"] * len(parts)
        self.mends: list[dict[str, str] | None] = [None] * len(parts)
        self.mended: dict[str, dict[str, str]] = {}
        """The mends of each part of the edition as laid out, by the part's key."""
        self.passes = 0

    def compose(self, apart: weasy.Apart, pages: dict[str, int] | None) -> str | None:
        """The edition with every part's mends (`weasy.Compose`); again, with the
        parts found on another side than supposed mended for it, once."""
        if pages is not None:
            sides = ["right" if part.opening is None or pages.get(part.opening, 0) % 2 == 0
                     else "left" for part in self.parts]
            moved = [number for number, side in enumerate(sides) if side != self.sides[number]]
            if not moved or self.passes >= SIDES:
                return None
            self.sides = sides
            for number in moved:
                self.mends[number] = None
        self.passes += 1
        self.mended = {}
        for number, part in enumerate(self.parts):
            side, text = self.sides[number], self.texts[number]
            key = self._key(side, text)
            mends = self.mends[number]
            if mends is None:
                mends = self.known.get(key)
            if mends is None:
                mends = _mend(part, text, side, apart)
            self.mends[number] = self.mended[key] = mends
        return self.whole({key: css for mends in self.mended.values()
                           for key, css in mends.items()}, {})

    def _key(self, side: str, text: str) -> str:
        return hashlib.sha256("\0".join((self.setup, side, text)).encode()).hexdigest()


def _mend(part: Part, text: str, side: str, apart: weasy.Apart) -> dict[str, str]:
    """The mends of one part (`text` unmended), laid out alone on `side` until the
    mender is done."""
    mender = typesetting.Mender(part.document)
    lines = apart(text, side)
    while (again := mender.revise(lines)) is not None and not mender.settled:
        lines = apart(again, side)
    return mender.mends
