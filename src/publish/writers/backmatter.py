"""Pages generated after the chapters: the chronology."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from publish.model import Book, ChronologyEntry

CHRONOLOGY_ID = "chronology"


def chronology(book: Book, link: Callable[[ChronologyEntry], str]) -> str:
    """The chronology as a definition list; each date links back to its place in the
    text, at the address `link` gives for the writer's own files."""
    entries = "".join(
        f'<dt><a href="{escape(link(entry))}"><time datetime="{escape(entry.iso.split("/")[0])}">'
        f"{escape(entry.date)}</time></a></dt><dd>{escape(entry.sentence)}</dd>"
        for entry in book.chronology
    )
    return (f'<section class="chronology"><h1 id="{CHRONOLOGY_ID}">'
            f"{escape(book.labels.chronology)}</h1><dl>{entries}</dl></section>")
