"""What an image of the manuscript may be, checked when the chapter naming it is
read, so that a problem is told at the line that names the image: a raster image
that Pillow reads whole, of a format e-books carry and named as such, within a
limit of pixels; or an SVG drawing without active content (`svg.py`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

from publish import svg
from publish.diagnostics import Code

MAX_PIXELS = 40_000_000
"""The most pixels an image may have: an A4 page at 600 ppi is 35 million, and an
image is decoded whole into memory (at 4 bytes a pixel, 160 MB at this limit).
Pillow's own guard against decompression bombs stops at 89 million."""
RASTER_FORMATS = {"PNG": (".png",), "JPEG": (".jpg", ".jpeg"), "GIF": (".gif",),
                  "WEBP": (".webp",)}
"""The raster formats of EPUB 3's core media types, with the file name endings a
reading system takes them by."""
KINDS = "PNG, JPEG, GIF, WebP or SVG"


@dataclass(frozen=True)
class Problem:
    code: Code
    detail: str
    """What is wrong, to follow the image's name in a sentence."""


def check(path: Path) -> Problem | None:
    """What is wrong with the image file `path`, if anything."""
    if path.suffix.lower() == ".svg":
        found = svg.check(path)
        return Problem(Code.IMAGE_SVG, found) if found else None
    # WeasyPrint has Pillow make what it can of a file cut short, for the whole
    # process; here such a file is an error.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, (width, height) = image.format or "", image.size
                if width * height > MAX_PIXELS:
                    return _too_large(f"has {width} × {height} pixels")
                # verify() reads the whole file and checks its structure (a PNG's
                # checksums); only load() finds a file cut short.
                image.verify()
            with Image.open(path) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _too_large("has too many pixels")
    except UnidentifiedImageError:
        return Problem(Code.IMAGE_INVALID, f"is not an image publish can read ({KINDS})")
    except (OSError, SyntaxError, ValueError) as error:
        return Problem(Code.IMAGE_INVALID, f"is damaged: {error}")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    endings = RASTER_FORMATS.get(kind)
    if endings is None:
        return Problem(Code.IMAGE_INVALID, f"is a {kind} image; e-books take {KINDS}")
    if path.suffix.lower() not in endings:
        return Problem(Code.IMAGE_INVALID,
                       f"is a {kind} image, so its name must end in {' or '.join(endings)}")
    return None


def _too_large(what: str) -> Problem:
    return Problem(Code.IMAGE_TOO_LARGE,
                   f"{what}, more than the {MAX_PIXELS:,} an image may have; scale it down")
