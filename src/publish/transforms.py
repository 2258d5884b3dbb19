"""Model to model: what is derived from the whole book once its chapters are known."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from publish import index
from publish.dates import format_date_value, parse_date
from publish.model import Book, ChronologyEntry, IndexEntry, Occurrence


def add_chronology(book: Book) -> Book:
    """The chronology, made from the dates the text marks as events, so that it can
    never disagree with the text; in date order, ties in the order of the book."""
    entries = []
    for chapter in book.chapters:
        for event in chapter.events:
            value = parse_date(event.date)
            # A heading of the list: "Снежань 1991 г.", though the text says "снежань".
            date = format_date_value(value, book.lang)
            entries.append((value.start.as_date(), ChronologyEntry(
                date[:1].upper() + date[1:], event.date, event.sentence, chapter,
                event.anchor)))
    entries.sort(key=lambda pair: pair[0])
    return dataclasses.replace(book, chronology=[entry for _, entry in entries])


def add_index(book: Book, headwords: Mapping[str, index.Headword]) -> Book:
    """The index of names and places, made from the terms the text marks: each
    headword with every place its term occurs, in the alphabetical order of the
    book's language (what a headword sorts as, then its key, for a tie)."""
    occurrences: dict[str, list[Occurrence]] = {}
    for chapter in book.chapters:
        for term in chapter.index_terms:
            occurrences.setdefault(term.key, []).append(Occurrence(chapter, term.anchor))
    entries = sorted((headword for key, headword in headwords.items() if key in occurrences),
                     key=lambda h: (index.sort_key(h.sort, book.lang), h.key))
    return dataclasses.replace(book, index=[
        IndexEntry(h.key, h.text, occurrences[h.key]) for h in entries])
