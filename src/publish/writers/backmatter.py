"""Pages generated after the chapters: the chronology and the index."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from publish.model import Book, ChronologyEntry, IndexEntry

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


INDEX_ID = "index"


def index_places(book: Book) -> list[str]:
    """The ids of the index's heading and entries, in order: where a printed page of
    the index begins is found by them, as its text is not counted as the other
    parts' is."""
    return [INDEX_ID, *(_entry_id(entry) for entry in book.index)]


def _entry_id(entry: IndexEntry) -> str:
    return f"index-{entry.key}"


@dataclass(frozen=True)
class Locator:
    """A place of the index's entry: a link to where the term occurs."""

    href: str
    text: str
    """What the link shows: the page number of the place."""
    title: str = ""
    """What a screen reader says of the link, where it shows no words."""


def one_a_page(placed: Iterable[tuple[int, Locator]]) -> list[Locator]:
    """The locators in the order of their pages, each given with its page's place
    in the book, and only the first of each page number shown: an index prints a
    number once and in order ("6, 7, 12", not "7, 6, 12, 12"), though the terms of
    a chapter's notes come after those of its text."""
    first: dict[str, Locator] = {}
    for _, locator in sorted(placed, key=lambda pair: pair[0]):
        first.setdefault(locator.text, locator)
    return list(first.values())


def index_opening(book: Book) -> str:
    """The index's heading alone, where a document ends that the index continues
    apart: the page it opens on, with every page before it, is laid out."""
    return _section(book, "")


def index(book: Book, locators: Callable[[IndexEntry], list[Locator]]) -> str:
    """The index of names and places as a list of entries, each its headword and the
    links to where it occurs that `locators` gives, in the classes of the EPUB
    Indexes vocabulary (`index-entry`, `index-term`, `index-locator-list` ...)."""
    entries = "".join(
        f'<li class="index-entry" id="{_entry_id(entry)}">'
        f'<span class="index-term">{escape(entry.headword)}</span> '
        f'<ul class="index-locator-list">{_locators(locators(entry))}</ul></li>'
        for entry in book.index)
    return _section(book, f'<ul class="index-entry-list">{entries}</ul>')


def _section(book: Book, entries: str) -> str:
    return (f'<section class="index"><h1 id="{INDEX_ID}">{escape(book.labels.index)}</h1>'
            f"{entries}</section>")


def _locators(locators: list[Locator]) -> str:
    return "".join(
        f'<li><a href="{escape(locator.href)}"'
        + (f' title="{escape(locator.title)}"' if locator.title else "")
        + f">{escape(locator.text)}</a></li>"
        for locator in locators)
