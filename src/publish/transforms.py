"""Model to model: what is derived from the whole book once its chapters are known."""

from __future__ import annotations

import dataclasses

from publish.dates import format_date_value, parse_date
from publish.model import Book, ChronologyEntry


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
