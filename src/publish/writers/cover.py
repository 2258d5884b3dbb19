"""The press cover: back, spine and front on one sheet, laid out by `styles/cover.css`.

What print-on-demand services ask of a cover file: one page of two trim widths plus
the spine, bleed on every outer edge, PDF/X in CMYK, text kept inside safe margins,
and an EAN-13 bar code of the ISBN on the back. The spine is the interior's page count
times the paper's thickness. Text goes on the spine only from 80 pages on (KDP allows
none on books of 79 pages or fewer) and only if it can be set at a legible size while
keeping 1.6 mm clear on either side, as the fold may move that much; otherwise the
spine is left plain. The press finishing adds crop marks, and fold marks at the spine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from publish import isbn
from publish.access import Access
from publish.layout import Layout
from publish.model import Book, identifier
from publish.writers import ean13, pdfedit, press, weasy

FORMAT = "cover"
"""The identifier format of the cover, as `identifier()` knows it."""
INK = "device-cmyk(0 0 0 1)"
"""All text: black alone, so no plate can print it out of register."""

SPINE_TEXT_MIN_PAGES = 80
"""KDP: no text on the spine of a book of 79 pages or fewer."""
SPINE_CLEARANCE = 1.6
"""Millimetres kept clear on either side of the spine text (KDP: 0.0625 in)."""
SPINE_END = 20.0
"""Millimetres between the spine text and the top and bottom edges."""
SPINE_CAPS = 0.75
"""The height of the spine's capitals (with a little room for accents), in ems."""
PT = 25.4 / 72
SPINE_SIZES = (5 * PT, 12 * PT)
"""The smallest and largest size of the spine text, in millimetres."""


@dataclass(frozen=True)
class Geometry:
    """The sheet, in millimetres, without the bleed."""

    trim_width: float
    trim_height: float
    spine: float
    spine_text: float | None
    """The font size of the spine text, or None where the spine takes no text."""

    @property
    def width(self) -> float:
        return 2 * self.trim_width + self.spine


def geometry(book: Book, pages: int) -> Geometry:
    """The cover's sheet for an interior of `pages` pages."""
    if pages < 1:
        raise ValueError(f"an interior has at least one page, not {pages}")
    settings = book.print
    spine = pages * settings.paper_thickness
    size = min((spine - 2 * SPINE_CLEARANCE) / SPINE_CAPS, SPINE_SIZES[1])
    legible = pages >= SPINE_TEXT_MIN_PAGES and size >= SPINE_SIZES[0]
    return Geometry(settings.trim_width, settings.trim_height, spine,
                    size if legible else None)


def write_cover(book: Book, interior: Layout, access: Access, styles: Path,
                target: Path) -> weasy.Troubles:
    """Write the press cover of the edition whose interior is laid out as `interior`;
    return what WeasyPrint found wrong with it."""
    sheet = geometry(book, interior.pages)
    rendered = weasy.render(weasy.once(_document(book, sheet)),
                            [_setup(book, sheet), styles / "cover.css"], access, styles,
                            target, book.print.font,
                            pdf_variant=book.print.pdf_x,
                            pdf_identifier=identifier(book, FORMAT).encode())
    with pdfedit.editing(target) as writer:
        transparent = press.finish(
            writer, book.print, folds=(sheet.trim_width, sheet.trim_width + sheet.spine))
    return replace(rendered.troubles, transparent=transparent)


def _mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


def _setup(book: Book, sheet: Geometry) -> str:
    """What the configuration and the page count decide, ahead of the stylesheet."""
    settings = book.print
    rules = [
        weasy.cmyk_profile(book),
        f"@page {{ size: {_mm(sheet.width)} {_mm(sheet.trim_height)}; margin: 0; "
        f"bleed: {_mm(settings.bleed)}; }}",
        f'html {{ font-family: "{settings.font}"; color: {INK}; }}',
        f".back {{ left: 0; width: {_mm(sheet.trim_width)}; }}",
        f".spine {{ left: {_mm(sheet.trim_width)}; width: {_mm(sheet.spine)}; }}",
        f".front {{ left: {_mm(sheet.trim_width + sheet.spine)}; "
        f"width: {_mm(sheet.trim_width)}; }}",
    ]
    if sheet.spine_text is not None:
        # A line as long as the spine is high, turned a quarter clockwise about its
        # centre so that it reads from top to bottom.
        length = sheet.trim_height - 2 * SPINE_END
        rules.append(
            f".spine-text {{ width: {_mm(length)}; height: {_mm(sheet.spine)}; "
            f"line-height: {_mm(sheet.spine)}; font-size: {_mm(sheet.spine_text)}; "
            f"left: {_mm((sheet.spine - length) / 2)}; "
            f"top: {_mm((sheet.trim_height - sheet.spine) / 2)}; "
            "transform: rotate(90deg); }")
    return "\n".join(rules) + "\n"


def _document(book: Book, sheet: Geometry) -> str:
    authors = book.author_names
    return (
        f'<!DOCTYPE html><html lang="{book.lang}"><head>{weasy.head(book)}'
        f"</head><body>{_back(book)}{_spine(book, sheet)}{_front(book, authors)}"
        "</body></html>"
    )


def _back(book: Book) -> str:
    barcode = ""
    number = book.isbn.get("pdf")
    if number is not None:
        barcode = (f'<div class="barcode"><p class="isbn">ISBN {escape(number)}</p>'
                   f"{ean13.svg(isbn.digits(number), book.print.font, INK)}</div>")
    return (f'<section class="back"><p class="description">{escape(book.description)}</p>'
            f'<p class="publisher">{escape(book.publisher)}</p>{barcode}</section>')


def _spine(book: Book, sheet: Geometry) -> str:
    if sheet.spine_text is None:
        return '<section class="spine"></section>'
    authors = book.author_names
    return ('<section class="spine"><div class="spine-text">'
            f'<span class="spine-title">{escape(book.title)}</span>'
            f'<span class="spine-author">{escape(authors)}</span></div></section>')


def _front(book: Book, authors: str) -> str:
    subtitle = f'<p class="subtitle">{escape(book.subtitle)}</p>' if book.subtitle else ""
    return (f'<section class="front"><p class="author">{escape(authors)}</p>'
            f'<h1 class="title">{escape(book.title)}</h1>{subtitle}'
            f'<p class="publisher">{escape(book.publisher)}</p></section>')
