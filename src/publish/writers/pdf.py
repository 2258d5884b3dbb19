"""Print PDF with WeasyPrint: one HTML document for the whole book, laid out by
`styles/print.css`.

WeasyPrint reports trouble (a font it could not load, CSS it ignored, a resource it
could not fetch) through its logger and carries on; here any such warning fails the
edition. It may also fetch whatever a document names: the fetcher given to it
allows only files inside the project's manuscript and styles folders.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from publish.diagnostics import BuildFailed, Diagnostic
from publish.model import Book, Chapter, identifier
from publish.writers import backmatter, frontmatter

FORMAT = "pdf"
NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.)"')


class MissingGlyphs(Exception):
    """Characters the text face lacks, each with the font drawn instead, or None
    where no installed font had it."""

    def __init__(self, font: str, chars: dict[str, str | None]) -> None:
        super().__init__(f"{font} lacks {''.join(sorted(chars))}")
        self.font = font
        self.chars = chars


def write_pdf(book: Book, allowed: list[Path], styles: Path, target: Path) -> None:
    fetcher = _ProjectFetcher([p.resolve() for p in allowed])
    with _warnings_fail(styles / "print.css") as (warnings, notdef):
        stylesheets = [
            CSS(string=_page_setup(book), url_fetcher=fetcher),
            CSS(filename=str(styles / "print.css"), url_fetcher=fetcher),
        ]
        document = HTML(string=_document(book), base_url=str(styles),
                        url_fetcher=fetcher).render(stylesheets=stylesheets)
        document.write_pdf(str(target), pdf_identifier=identifier(book, FORMAT).encode())
        if warnings:
            raise BuildFailed(warnings)
    missing: dict[str, str | None] = dict.fromkeys(notdef)
    missing.update(_fallbacks(target, book.print.font))
    if missing:
        raise MissingGlyphs(book.print.font, missing)


def _page_setup(book: Book) -> str:
    """What the configuration decides, ahead of the stylesheet."""
    settings = book.print
    return (f"@page {{ size: {settings.trim_width_mm}mm {settings.trim_height_mm}mm }}\n"
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


class _ProjectFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"file"})
        self.allowed = allowed

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"only files inside the project may be read, not {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise ValueError(f"only files inside the project may be read, not {path}")
        return super().fetch(url, headers)


class _Capture(logging.Handler):
    def __init__(self, path: Path) -> None:
        super().__init__(logging.WARNING)
        self.path = path
        self.found: list[Diagnostic] = []
        self.notdef: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if missing := NOTDEF.match(record.getMessage()):
            self.notdef.add(missing[1])
            return
        found = Diagnostic(self.path, None, "weasyprint", " ".join(record.getMessage().split()))
        if found not in self.found:
            self.found.append(found)


@contextmanager
def _warnings_fail(path: Path) -> Iterator[tuple[list[Diagnostic], set[str]]]:
    logger = logging.getLogger("weasyprint")
    capture = _Capture(path)
    logger.addHandler(capture)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield capture.found, capture.notdef
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate


def _fallbacks(pdf: Path, family: str) -> dict[str, str]:
    """Characters drawn with a font other than the text face, with that font: Pango
    falls back to any installed font that has a character the face lacks."""
    wanted = re.sub(r"[\s-]", "", family).lower()
    found: dict[str, str] = {}

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if font is None:
            return
        name = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
        if not re.sub(r"[\s-]", "", name).lower().startswith(wanted):
            found.update(dict.fromkeys(text.strip(), name))

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return found
