"""The pages every edition opens with, as XHTML fragments built from the book's
metadata: half title, title page and imprint."""

from __future__ import annotations

from html import escape

from publish.model import Book, identifier

HALF_TITLE, TITLE_PAGE, IMPRINT = "half-title", "title-page", "imprint"
"""The names of the pages, as the page breaks of the print edition name them."""


def half_title(book: Book) -> str:
    return f'<section class="half-title"><p class="title">{escape(book.title)}</p></section>'


def title_page(book: Book) -> str:
    authors = "".join(f'<p class="author">{escape(a.name)}</p>' for a in book.authors)
    subtitle = f'<p class="subtitle">{escape(book.subtitle)}</p>' if book.subtitle else ""
    return (f'<section class="title-page">{authors}'
            f'<h1 class="title" id="title-page">{escape(book.title)}</h1>{subtitle}'
            f'<p class="publisher">{escape(book.publisher)}</p></section>')


def imprint(book: Book, fmt: str) -> str:
    labels = book.labels
    full_title = escape(book.title + (f". {book.subtitle}" if book.subtitle else ""))
    authors = escape(f"{book.author_names}. ") if book.authors else ""
    return (
        '<section class="imprint">'
        f'<p class="imprint-title">{authors}{full_title}</p>'
        f'<p>{escape(labels.published)}: {escape(book.published_text)}. '
        f'{escape(book.publisher)}</p>'
        f'<p>{escape(labels.rights)}: {escape(book.rights)}</p>'
        f"{_information_as_of(book)}"
        f'<p>{escape(labels.identifier)}: {escape(_shown_identifier(book, fmt))}</p>'
        '</section>'
    )


def _shown_identifier(book: Book, fmt: str) -> str:
    return f"ISBN {book.isbn[fmt]}" if fmt in book.isbn else identifier(book, fmt)


def _information_as_of(book: Book) -> str:
    if book.information_as_of is None:
        return ""
    text = book.labels.information_as_of.format(date=book.information_as_of)
    return f'<p class="information-as-of">{escape(text)}</p>'
