"""Finishing a PDF for the press: what a printer's preflight asks of PDF/X-3:2003 and
PDF/X-1a:2003 that WeasyPrint's output does not give, for the interior and the cover.

- No transparency: WeasyPrint wraps every drawing it makes a form of (an SVG, its
  own crop marks) in a transparency group, which PDF/X-1a and X-3 forbid. A group
  whose content paints nothing transparent looks the same without it, so it goes;
  a file that does paint something transparent is refused.
- No annotations: the links of the contents and the chronology are laid out (the
  contents take their folios from them) but belong to the screen edition.
- The header `%PDF-1.4`, the version both standards are built on and allow at most,
  which the file needs anyway (its `/Lang`, its XMP metadata).
- Only the colour spaces the pages use: WeasyPrint lists Lab and the ICC-based CMYK
  in every page's resources, colour spaces PDF/X-1a does not allow.
- The BleedBox of the configured bleed (WeasyPrint caps it at 10 pt).
- Crop marks drawn here, not with WeasyPrint's `marks: crop` (1.5 mm long, inside
  the bleed, a form with a transparency group and an invisible fill): outside the
  bleed, in registration colour, on a media box enlarged to hold them; fold marks
  too, where the sheet folds (the cover's spine).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    StreamObject,
)

from publish.config import PrintConfig

MM = 72 / 25.4
"""Points in a millimetre."""
NAME = rb"/([^\s/\[\]<>(){}%]+)"
"""A name token of a content stream, its characters (PDF 32000-1, 7.3.5)."""
SETS_COLOUR_SPACE = re.compile(NAME + rb"\s+(?:cs|CS)(?![^\s/\[\]<>(){}%])")
INLINE_COLOUR_SPACE = re.compile(rb"/(?:CS|ColorSpace)\s*" + NAME)
HEADER = "%PDF-1.4"
"""PDF/X-1a:2003 and PDF/X-3:2003 are built on PDF 1.4 and allow 1.3 or 1.4;
WeasyPrint 70 asks for 1.4 for both."""

MARK_LENGTH = 5.0
"""Millimetres of each crop mark."""
MARK_MIN_OFFSET = 3.0
"""The least distance between a mark and the trim, in millimetres (ISO 12647-2
asks 3 mm), so the knife never cuts into a mark."""
MARK_CLEARANCE = 1.0
"""Millimetres left between the bleed and the marks, which stand outside it."""
MARK_WEIGHT = 0.25
"""The width of a mark's line, in points: a hairline a press still prints."""
REGISTRATION = NameObject("/Registration")
"""The resource name of the registration colour space."""
TRANSPARENT_BLENDS = {"/Normal", "/Compatible"}



@dataclass(frozen=True)
class Segment:
    """A straight line between two points, in points of the page's user space."""

    x0: float
    y0: float
    x1: float
    y1: float


def mark_offset(bleed: float) -> float:
    """How far the marks stand from the trim, in millimetres, for a bleed of `bleed`
    millimetres: outside the bleed, and never nearer than the standard's 3 mm."""
    return max(MARK_MIN_OFFSET, bleed + MARK_CLEARANCE)


def marks(trim: Sequence[float], bleed: float, folds: Sequence[float] = ()) -> list[Segment]:
    """Crop marks at the four corners of `trim` (left, bottom, right, top in points),
    continuing its edges, and fold marks above and below it at `folds` (millimetres
    from its left edge)."""
    left, bottom, right, top = trim
    near, far = mark_offset(bleed) * MM, (mark_offset(bleed) + MARK_LENGTH) * MM
    found = []
    for x, outward in ((left, -1), (right, 1)):
        for y in (bottom, top):
            found.append(Segment(x + outward * near, y, x + outward * far, y))
    for x in (left, right, *(left + fold * MM for fold in folds)):
        found.append(Segment(x, bottom - near, x, bottom - far))
        found.append(Segment(x, top + near, x, top + far))
    return found


def finish(writer: PdfWriter, settings: PrintConfig,
           folds: Sequence[float] = ()) -> str | None:
    """Make the PDF open in `writer` a press file of `settings` (bleed, marks), with
    fold marks at `folds` (millimetres from the trim's left edge); return what it
    paints transparent, which PDF/X-1a and X-3 forbid, if anything."""
    writer.pdf_header = HEADER
    if (transparent := _flatten(writer)) is not None:
        return transparent
    _keep_used_colour_spaces(writer)
    bleed = settings.bleed * MM
    reach = (mark_offset(settings.bleed) + MARK_LENGTH) * MM if settings.crop_marks else bleed
    for page in writer.pages:
        if "/Annots" in page:
            del page["/Annots"]
        trim = [float(v) for v in page.trimbox]
        page.bleedbox = _grown(trim, bleed)
        page.mediabox = _grown(trim, reach)
        if settings.crop_marks:
            _draw(writer, page, marks(trim, settings.bleed, folds))
    return None


def _grown(box: list[float], margin: float) -> RectangleObject:
    left, bottom, right, top = box
    return RectangleObject((left - margin, bottom - margin, right + margin, top + margin))


def _draw(writer: PdfWriter, page: PageObject, segments: list[Segment]) -> None:
    """Stroke `segments` in registration over the page, in its default user space."""
    resources = _resources(page)
    spaces = resources.get("/ColorSpace")
    if spaces is None:
        spaces = resources[NameObject("/ColorSpace")] = DictionaryObject()
    spaces.get_object()[REGISTRATION] = _registration()
    lines = "".join(f"{s.x0:.3f} {s.y0:.3f} m {s.x1:.3f} {s.y1:.3f} l\n" for s in segments)
    drawing = (f"q\n{REGISTRATION} CS 1 SCN\n{MARK_WEIGHT} w 0 J [] 0 d\n{lines}S\nQ\n")
    # The page's own drawing inside q ... Q, so that the marks start from the
    # default user space whatever it leaves behind.
    content = page.get_contents()
    data = content.get_data() if content is not None else b""
    stream = ContentStream(None, writer)
    stream.set_data(b"q\n" + data + b"\nQ\n" + drawing.encode())
    page.replace_contents(stream)
    page.compress_content_streams()


def _registration() -> ArrayObject:
    """The colour of marks that must print on every plate: the separation `All`,
    whose tint 1 is full ink on all of them."""
    tint = DictionaryObject({
        NameObject("/FunctionType"): NumberObject(2),
        NameObject("/Domain"): ArrayObject([NumberObject(0), NumberObject(1)]),
        NameObject("/C0"): ArrayObject([FloatObject(0)] * 4),
        NameObject("/C1"): ArrayObject([FloatObject(1)] * 4),
        NameObject("/N"): NumberObject(1),
    })
    return ArrayObject([NameObject("/Separation"), NameObject("/All"),
                        NameObject("/DeviceCMYK"), tint])


def _drawings(writer: PdfWriter) -> Iterator[tuple[DictionaryObject, Any]]:
    """Every page and every form and pattern they draw, once each, with the
    resources their content uses."""
    seen: set[int] = set()

    def visit(owner: DictionaryObject, resources: Any) -> Iterator[tuple[DictionaryObject, Any]]:
        if id(owner) in seen:
            return
        seen.add(id(owner))
        yield owner, resources
        for kind in ("/XObject", "/Pattern"):
            for child in (resources.get(kind) or {}).values():
                child = child.get_object()
                if child.get("/Subtype") == "/Image":
                    continue
                inner = child.get("/Resources")
                yield from visit(child, inner.get_object() if inner is not None else resources)

    for page in writer.pages:
        yield from visit(page, _resources(page))


def _resources(page: PageObject) -> Any:
    """The page's resources; a blank page added after layout may have none yet."""
    if "/Resources" not in page:
        page[NameObject("/Resources")] = DictionaryObject()
    return page["/Resources"].get_object()


def _flatten(writer: PdfWriter) -> str | None:
    """Remove the transparency groups, which change nothing where nothing in the
    file is transparent; tell what is, if anything."""
    for owner, resources in _drawings(writer):
        for state in (resources.get("/ExtGState") or {}).values():
            state = state.get_object()
            if (float(state.get("/ca", 1)) < 1 or float(state.get("/CA", 1)) < 1
                    or state.get("/SMask", "/None") != "/None"
                    or state.get("/BM", "/Normal") not in TRANSPARENT_BLENDS):
                return "opacity below 1, a soft mask or a blend mode"
        for image in (resources.get("/XObject") or {}).values():
            image = image.get_object()
            if image.get("/Subtype") == "/Image" and "/SMask" in image:
                return "an image with an alpha channel"
        group = owner.get("/Group")
        if group is not None and group.get_object().get("/S") == "/Transparency":
            del owner["/Group"]
    return None


def _keep_used_colour_spaces(writer: PdfWriter) -> None:
    """Drop the named colour spaces no content stream sets."""
    used: set[str] = set()
    dictionaries = []
    for owner, resources in _drawings(writer):
        content = owner.get_contents() if isinstance(owner, PageObject) else owner
        if isinstance(content, StreamObject):
            used.update(_colour_space_names(content.get_data()))
        spaces = resources.get("/ColorSpace")
        if spaces is not None:
            dictionaries.append(spaces.get_object())
    for spaces in dictionaries:
        for name in [name for name in spaces if name not in used]:
            del spaces[name]


def _colour_space_names(content: bytes) -> Iterator[str]:
    """The names a content stream sets as colour spaces, with `cs`/`CS` or in an
    inline image's dictionary. The bytes are searched, not parsed: parsing every
    operator of a book's pages costs a second; a match in an image's data or a
    string keeps a colour space that is not used, which is harmless."""
    for found in (*SETS_COLOUR_SPACE.finditer(content), *INLINE_COLOUR_SPACE.finditer(content)):
        yield "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]),
                           found[1]).decode("latin-1")
