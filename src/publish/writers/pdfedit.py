"""Changing a PDF once it is written, with pypdf: what every PDF edition needs after
WeasyPrint, such as page labels, and the press finishing builds on.

pypdf writes the header `%PDF-1.3` whatever the file it copies said; the file keeps
its own header here unless the block sets another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle

Style = PageLabelStyle
ROMAN = PageLabelStyle.LOWERCASE_ROMAN
ARABIC = PageLabelStyle.DECIMAL


@contextmanager
def editing(pdf: Path) -> Iterator[PdfWriter]:
    """The PDF open for changes; written back in place when the block completes."""
    header = PdfReader(pdf).pdf_header
    writer = PdfWriter(clone_from=pdf)
    writer.pdf_header = header
    yield writer
    writer.write(pdf)


def label_pages(writer: PdfWriter, ranges: list[tuple[int, Style]]) -> None:
    """Page labels, the page numbers a viewer shows: each range starts at the page of
    its index (from 0) with the number 1, in its style, and runs to the next range."""
    starts = [start for start, _ in ranges]
    ends = [*starts[1:], len(writer.pages)]
    for (start, style), end in zip(ranges, ends, strict=True):
        if start < end:
            writer.set_page_label(start, end - 1, style, start=1)
