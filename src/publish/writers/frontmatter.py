"""The pages every edition opens with, as XHTML fragments built from the book's
metadata: half title, title page and imprint. The authors stand above the title;
the translators, editors and illustrators are credited below it and in the imprint,
each role in a line of its own in the edition's language."""

from __future__ import annotations

from html import escape

from publish.model import Book

SENTENCE_END = (".", "!", "?", "…")

HALF_TITLE, TITLE_PAGE, IMPRINT = "half-title", "title-page", "imprint"
"""The names of the pages, as the page breaks of the print edition name them."""


def half_title(book: Book) -> str:
    return f'<section class="half-title"><p class="title">{escape(book.title)}</p></section>'


def title_page(book: Book) -> str:
    authors = "".join(f'<p class="author">{escape(a.name)}</p>' for a in book.authors)
    subtitle = f'<p class="subtitle">{escape(book.subtitle)}</p>' if book.subtitle else ""
    credits = "".join(f'<p class="credit">{escape(line)}</p>' for line in book.credit_lines)
    return (f'<section class="title-page">{authors}'
            f'<h1 class="title" id="title-page">{escape(book.title)}</h1>{subtitle}{credits}'
            f'<p class="publisher">{escape(book.publisher)}</p></section>')


def imprint(book: Book, fmt: str) -> str:
    """The imprint as printed books set it: plain lines, no field names; the ISBN of
    the edition where one is given (an identifier of another kind is no reader's
    business: it stays in the metadata)."""
    heading = [part for part in (book.author_names, book.title, book.subtitle) if part]
    lines = [
        " ".join([*(_ended(part) for part in heading[:-1]), heading[-1]]),
        *(_ended(line) for line in book.credit_lines),
        _ended(f"{book.publisher}, {book.published_text}"),
        book.rights,
    ]
    if book.information_as_of is not None:
        lines.append(_ended(book.labels.information_as_of.format(date=book.information_as_of)))
    if fmt in book.isbn:
        lines.append(f"ISBN {book.isbn[fmt]}")
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
    # The wrapper is what the press sets at the foot of the page.
    return f'<section class="imprint"><div class="imprint-text">{paragraphs}</div></section>'


def _ended(text: str) -> str:
    """`text` with a full stop at its end, unless it ends a sentence already: a
    Belarusian date ends in one of its own ("25 лістапада 2026 г.")."""
    return text if text.endswith(SENTENCE_END) else f"{text}."
