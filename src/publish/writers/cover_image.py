"""The e-book's cover picture, made from the book's metadata: title, subtitle and
authors set in the text face on the book's colour, 1600 × 2400 pixels as the stores
ask."""

from __future__ import annotations

import io
import subprocess
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from publish.model import Book

SIZE = (1600, 2400)
BACKGROUND = (28, 52, 84)
INK = (246, 241, 228)
ACCENT = (201, 162, 88)


def render(book: Book) -> bytes:
    picture = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(picture)
    width, height = SIZE
    margin = 140
    authors = book.author_names
    y = 260
    y = _paragraph(draw, authors, _face(book.print.font, "Regular", 64), margin, y, width) + 260
    draw.rectangle((margin, y, margin + 220, y + 10), fill=ACCENT)
    y += 90
    y = _paragraph(draw, book.title, _face(book.print.font, "Bold", 150), margin, y, width)
    if book.subtitle:
        y = _paragraph(draw, book.subtitle, _face(book.print.font, "Italic", 72), margin,
                       y + 70, width)
    publisher = _face(book.print.font, "Regular", 52)
    draw.text((margin, height - 240), book.publisher, font=publisher, fill=INK)
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def _paragraph(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont,
               left: int, top: int, width: int) -> int:
    """Set `text` in lines that fit between the margins; return the y below it."""
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(trial, font=face) <= width - 2 * left:
            lines[-1] = trial
        else:
            lines.append(word)
    size = face.size
    for line in lines:
        draw.text((left, top), line, font=face, fill=INK)
        top += int(size * 1.2)
    return top


@cache
def _face(family: str, style: str, size: int) -> ImageFont.FreeTypeFont:
    """The text face's file, as fontconfig finds it: the same one the PDFs embed."""
    path = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:style={style}"],
                          capture_output=True, text=True, check=True).stdout
    return ImageFont.truetype(path, size)
