"""The e-book's cover picture: the front panel of the press cover, rasterised.

One design serves print and screen. The picture is cut from the press cover PDF
itself (at the trim, without bleed or marks) rather than drawn a second time from a
shared description of the design: a second drawing, with Pillow's text setting and
not Pango's, would break lines, space letters and place the rules differently and
drift from `styles/cover.css` with every change made there. Here whatever the cover
stylesheet says is what the e-book shows, and the picture has the trim's proportions
(1600 pixels wide, as the stores ask). Poppler's `pdftoppm` draws it; its colours
are the press's CMYK turned into RGB without the press profile, close to the
printed colours and the same from build to build.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from publish.diagnostics import Code, Diagnostic
from publish.model import Book

WIDTH = 1600
"""Pixels across, what the e-book stores ask of a cover."""
RASTERISER = "pdftoppm"


def size(book: Book) -> tuple[int, int]:
    """The picture's size in pixels: `WIDTH` across, the trim's proportions."""
    return WIDTH, round(WIDTH * book.print.trim_height / book.print.trim_width)


def front_panel(cover: Path, book: Book) -> bytes | Diagnostic:
    """The front panel of the press cover PDF `cover`, as a PNG, or why it cannot be
    drawn on this machine."""
    tool = shutil.which(RASTERISER)
    if tool is None:
        return Diagnostic(Path(RASTERISER), None, Code.ENVIRONMENT,
                          "poppler's pdftoppm (Debian: poppler-utils) draws the e-book's "
                          "cover from the press cover; it is not installed")
    page = PdfReader(cover).pages[0]
    _, _, right, top = (float(v) for v in page.trimbox)
    width, height = size(book)
    # Pixels per inch that make the trim width `WIDTH` pixels; the front panel is the
    # trim's right-hand `trim_width`, whatever lies outside it (bleed, marks).
    ppi = WIDTH / (book.print.trim_width / 25.4)
    left = right - book.print.trim_width * 72 / 25.4

    def pixels(points: float) -> str:
        return str(round(points * ppi / 72))

    png = subprocess.run(
        [tool, "-png", "-singlefile", "-r", f"{ppi:.4f}",
         "-x", pixels(left - float(page.mediabox.left)),
         "-y", pixels(float(page.mediabox.top) - top),
         "-W", str(width), "-H", str(height), str(cover)],
        capture_output=True, check=True).stdout
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()
