"""The project's stylesheets (`styles/`), checked before any edition is written:
every address one names with `@import` or `url()` must be a file inside `styles/`
(or data held in the sheet), of a kind an e-book carries. The print editions and
the e-book are held to the same rule, so that what the author reads in an error is
a line of the sheet, not a message of WeasyPrint's, and the e-book carries no
address a reading system would fetch from the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from publish import css, images
from publish.access import Access, font_file, read
from publish.diagnostics import Code, Collector

MEDIA_TYPES = {".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff",
               ".otf": "font/otf", ".ttf": "font/ttf", ".png": "image/png",
               ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".svg": "image/svg+xml"}
"""What a stylesheet may name, with its media type: EPUB 3's core media types for
stylesheets, fonts and images."""


@dataclass(frozen=True)
class Stylesheet:
    path: Path
    resources: tuple[Path, ...]
    """The files of `styles/` it names, and those that they name in turn, each once."""
    families: frozenset[str]
    """The font families its `@font-face` rules (and those it imports) declare."""
    classes: frozenset[str]
    """The classes its selectors (and those it imports) name."""

    def media_type(self, resource: Path) -> str:
        return MEDIA_TYPES[resource.suffix.lower()]


def check(path: Path, styles: Path, diagnostics: Collector) -> Stylesheet:
    """The stylesheet at `path`, with what it names; what breaks the rule is reported."""
    found = [path]
    texts: list[str] = []
    _check(path, Access.within(styles), found, texts, diagnostics)
    return Stylesheet(path, tuple(found[1:]),
                      frozenset().union(*map(css.font_families, texts)),
                      frozenset().union(*map(css.classes, texts)))


def _check(path: Path, folder: Access, found: list[Path], texts: list[str],
           diagnostics: Collector) -> None:
    data = read(path, folder, diagnostics)
    if data is None:
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        diagnostics.error(path, None, Code.ENCODING, "the stylesheet is not valid UTF-8")
        return
    texts.append(text)
    for reference in css.references(text):
        url = reference.url.strip()
        if not url or url.startswith("#") or urlsplit(url).scheme == "data":
            continue  # a part of the document, or data held in the sheet
        # Normalised, so that the e-book holds it under a name without "..".
        target = Path(os.path.normpath(path.parent / unquote(urlsplit(url).path)))
        problem = _problem(url, target, reference.imported, folder)
        if problem is not None:
            diagnostics.error(path, reference.line, Code.STYLESHEET_URL, f"{url!r} {problem}")
        elif target.resolve() not in (f.resolve() for f in found):
            found.append(target)
            if reference.imported:
                _check(target, folder, found, texts, diagnostics)


def _problem(url: str, target: Path, imported: bool, folder: Access) -> str | None:
    """What keeps the address `url`, naming the file `target`, from a stylesheet."""
    parts = urlsplit(url)
    kind = MEDIA_TYPES.get(target.suffix.lower())
    if parts.scheme or parts.netloc or url.startswith("/"):
        return ("is not a file of styles/: a stylesheet may name only files in styles/, by "
                "relative addresses such as 'fonts/face.woff2'")
    if not folder.allows(target):
        return "is outside styles/: a stylesheet may name only files in styles/"
    if not target.is_file():
        return "does not exist"
    if kind is None:
        return ("is not a stylesheet, font or image an e-book can carry "
                f"({', '.join(sorted(MEDIA_TYPES))})")
    if imported != (kind == "text/css"):
        return ("is imported but is no stylesheet" if imported
                else "is a stylesheet: bring it in with @import")
    if kind.startswith("image/") and (image := images.check(target)) is not None:
        return image.detail
    if kind.startswith("font/") and font_file(target) is False:
        return "is not a font: fontconfig cannot read it"
    return None
