"""Print PDF with WeasyPrint: one HTML document for the whole book, laid out by
`styles/print.css`."""

from __future__ import annotations

from html import escape
from pathlib import Path

from publish.model import Book, Chapter, identifier
from publish.writers import backmatter, frontmatter, weasy

FORMAT = "pdf"


def write_pdf(book: Book, allowed: list[Path], styles: Path, target: Path) -> int:
    """Write the print PDF; return its number of pages."""
    return weasy.render(_document(book), [_page_setup(book), styles / "print.css"], allowed,
                        styles, target, book.print.font,
                        pdf_identifier=identifier(book, FORMAT).encode())


def _page_setup(book: Book) -> str:
    """What the configuration decides, ahead of the stylesheet."""
    settings = book.print
    return (f"@page {{ size: {settings.trim_width}mm {settings.trim_height}mm }}\n"
            f'html {{ font-family: "{settings.font}" }}\n')


def _document(book: Book) -> str:
    authors = ", ".join(a.name for a in book.authors)
    head = (
        f"<title>{escape(book.title)}</title>"
        f'<meta name="author" content="{escape(authors)}"/>'
        f'<meta name="description" content="{escape(book.description)}"/>'
        f'<meta name="keywords" content="{escape(", ".join(book.keywords))}"/>'
        '<meta name="generator" content="publish"/>'
        f'<meta name="dcterms.created" content="{book.published.isoformat()}"/>'
        f'<meta name="dcterms.modified" content="{book.published.isoformat()}"/>'
    )
    chapters = "".join(_chapter(c) for c in book.chapters)
    if book.chronology:
        chapters += backmatter.chronology(book, lambda entry: f"#{entry.anchor}")
    return (
        f'<!DOCTYPE html><html lang="{book.lang}"><head><meta charset="utf-8"/>{head}</head>'
        f'<body data-book-title="{escape(book.title)}">'
        f"{frontmatter.half_title(book)}{frontmatter.title_page(book)}"
        f"{frontmatter.imprint(book, FORMAT)}{_contents(book)}{chapters}</body></html>"
    )


def _contents(book: Book) -> str:
    targets = [(c.id, c.title) for c in book.chapters]
    if book.chronology:
        targets.append((backmatter.CHRONOLOGY_ID, book.labels.chronology))
    entries = "".join(f'<li><a href="#{target}">{escape(title)}</a></li>'
                      for target, title in targets)
    return (f'<nav class="contents"><h1 id="contents">{escape(book.labels.contents)}</h1>'
            f"<ol>{entries}</ol></nav>")


def _chapter(chapter: Chapter) -> str:
    body = chapter.body
    for image in chapter.images:
        body = body.replace(f'src="images/{image.name}"', f'src="{image.as_uri()}"')
    return f'<section class="chapter">{body}</section>'


