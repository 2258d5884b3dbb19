"""A printer's preflight of PDF/X-1a:2003 and PDF/X-3:2003 files, as far as a test can
make one without veraPDF or PitStop: it walks every object of the file (pages,
resources, forms, fonts, annotations, catalog, Info, XMP, trailer) and every content
stream, and returns what breaks the rules, one finding each.

What it checks: no transparency (groups, `ca`/`CA` below 1, soft masks, blend
modes); no annotations; a header the standard allows and no lower than the features
used need; one PDF/X output intent with an embedded CMYK printer profile of ICC
version 2, with its Info; the Info keys (GTS_PDFXVersion, Title, dates, Trapped True or False) and
the XMP that must agree with them; a trailer ID; no encryption; a TrimBox and a
BleedBox on every page, the trim within the bleed within the media box; no RGB
(DeviceRGB, rg/RG), and for PDF/X-1a nothing device-independent (ICC-based, Lab,
CalRGB, CalGray); every font embedded; no transfer functions, no JavaScript or
other actions that do more than move about, no LZW compression; marks in
registration (the separation `All`) outside the bleed and at least 3 mm from the
trim.

What it cannot check: whether the ICC profile is sound beyond its header, overprint
and its effect, total ink coverage, image resolution as printed, fonts' licences,
hairlines too thin to print, or anything the rendering must show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject

MM = 72 / 25.4
MARK_MIN_OFFSET = 3 * MM
"""How near to the trim a mark may come."""


@dataclass(frozen=True)
class Standard:
    headers: tuple[str, ...]
    device_independent: bool
    """Whether colour spaces such as ICC-based and Lab are allowed."""


STANDARDS = {
    "PDF/X-3:2003": Standard(("1.3", "1.4"), device_independent=True),
    "PDF/X-1a:2003": Standard(("1.3", "1.4"), device_independent=False),
}
"""Both are built on PDF 1.4 (ISO 15930-4 and -6)."""
DEVICE_INDEPENDENT = {"/ICCBased", "/Lab", "/CalRGB", "/CalGray"}
OPAQUE_BLENDS = {"/Normal", "/Compatible"}
ACTIONS = {"/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData",
           "/SubmitForm", "/Hide", "/Rendition", "/Trans", "/SetOCGState"}
"""Actions that do something other than move about the document."""
XMP = {
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
AGREEING = {"/GTS_PDFXVersion": "pdfxid:GTS_PDFXVersion", "/Trapped": "pdf:Trapped",
            "/Title": "dc:title", "/CreationDate": "xmp:CreateDate",
            "/ModDate": "xmp:ModifyDate", "/Producer": "pdf:Producer"}
"""Info keys and the XMP properties that must say the same."""
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
PDF_DATE = re.compile(r"D:\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?([Z+-].*)?")


@dataclass(frozen=True)
class Finding:
    rule: str
    """transparency, annotation, version, output-intent, info, trapped, xmp, id,
    encryption, boxes, colour, font, marks, transfer, actions, filter"""
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.message}"


Extent = tuple[float, float, float, float]
"""Left, bottom, right, top, in points."""


def marks(pdf: Path) -> list[list[Extent]]:
    """Per page, the extent of every mark painted in registration."""
    found = []
    for page in PdfReader(pdf).pages:
        painter = _Painter("", page)
        content = page.get_contents()
        if content is not None:
            list(painter.paint(content, page["/Resources"]))
        found.append(painter.marks)
    return found


def preflight(pdf: Path) -> list[Finding]:
    """Everything in `pdf` that a PDF/X-1a:2003 or PDF/X-3:2003 file may not be or
    hold, for the standard its Info names."""
    return list(_Preflight(PdfReader(pdf)).run())


class _Preflight:
    def __init__(self, reader: PdfReader) -> None:
        self.reader = reader
        self.root: Any = reader.root_object
        info = reader.trailer.get("/Info")
        self.info: Any = info.get_object() if info is not None else DictionaryObject()
        self.declared = str(self.info.get("/GTS_PDFXVersion", ""))
        # A file that names no known standard is held to the stricter one.
        self.name = self.declared if self.declared in STANDARDS else "PDF/X-1a:2003"
        self.standard = STANDARDS[self.name]

    def run(self) -> Iterator[Finding]:
        yield from self._info()
        yield from self._xmp()
        yield from self._trailer()
        yield from self._version()
        yield from self._output_intent()
        for number, obj in self._objects():
            yield from self._object(f"object {number}", obj)
        for number, page in enumerate(self.reader.pages, start=1):
            where = f"page {number}"
            for annotation in page.get("/Annots") or []:
                subtype = annotation.get_object().get("/Subtype")
                yield Finding("annotation", where, f"a {subtype} annotation")
            yield from self._boxes(where, page)
            content = page.get_contents()
            if content is not None:
                yield from _Painter(where, page).paint(content, page["/Resources"])

    # The file as a whole

    def _info(self) -> Iterator[Finding]:
        if self.declared not in STANDARDS:
            yield Finding("info", "Info", f"GTS_PDFXVersion is {self.declared or 'missing'}, "
                          f"not one of {', '.join(STANDARDS)}")
        if not str(self.info.get("/Title", "")).strip():
            yield Finding("info", "Info", "no Title")
        for key in ("/CreationDate", "/ModDate"):
            if not PDF_DATE.fullmatch(str(self.info.get(key, ""))):
                yield Finding("info", "Info", f"{key[1:]} is not a date: "
                              f"{self.info.get(key)!r}")
        if self.info.get("/Trapped") not in ("/True", "/False"):
            yield Finding("trapped", "Info", f"Trapped is {self.info.get('/Trapped')}, "
                          "not True or False")

    def _xmp(self) -> Iterator[Finding]:
        metadata = self.root.get("/Metadata")
        if metadata is None:
            yield Finding("xmp", "catalog", "no XMP metadata")
            return
        tree = etree.fromstring(metadata.get_object().get_data())
        for key, prop in AGREEING.items():
            if key not in self.info:
                continue
            said, wanted = _xmp_value(tree, prop), str(self.info[key]).lstrip("/")
            if key in ("/CreationDate", "/ModDate"):
                said, wanted = _date_digits(said), _date_digits(wanted)
            if said != wanted:
                yield Finding("xmp", "XMP", f"{prop} is {said!r}, the Info says {wanted!r}")

    def _trailer(self) -> Iterator[Finding]:
        ids = self.reader.trailer.get("/ID")
        if not isinstance(ids, ArrayObject) or len(ids) != 2:
            yield Finding("id", "trailer", "no ID of two strings")
        if "/Encrypt" in self.reader.trailer:
            yield Finding("encryption", "trailer", "the file is encrypted")

    def _version(self) -> Iterator[Finding]:
        header = self.reader.pdf_header.removeprefix("%PDF-")
        version = max(header, str(self.root.get("/Version", "")).lstrip("/"))
        if version not in self.standard.headers:
            yield Finding("version", "header", f"PDF {version}; {self.name} allows "
                          f"{' or '.join(self.standard.headers)}")
        needs = dict(self._features())
        above = sorted(feature for feature, needed in needs.items() if needed > version)
        if above:
            yield Finding("version", "header", f"PDF {version}, but the file uses "
                          f"{', '.join(f'{f} (PDF {needs[f]})' for f in above)}")

    def _features(self) -> Iterator[tuple[str, str]]:
        for key in ("/Lang", "/Metadata", "/StructTreeRoot"):
            if key in self.root:
                yield key, "1.4"
        if "/OCProperties" in self.root:
            yield "/OCProperties", "1.5"
        if self.reader.xref_objStm:
            yield "object streams", "1.5"
        for _, obj in self._objects():
            for value in _walk(obj):
                if isinstance(value, DictionaryObject) and (
                        _transparent(value) or "/Group" in value):
                    yield "transparency", "1.4"

    def _output_intent(self) -> Iterator[Finding]:
        intents = [i.get_object() for i in self.root.get("/OutputIntents") or []
                   if i.get_object().get("/S") == "/GTS_PDFX"]
        if len(intents) != 1:
            yield Finding("output-intent", "catalog",
                          f"{len(intents)} PDF/X output intents, not one")
            return
        (intent,) = intents
        for key in ("/OutputConditionIdentifier", "/Info"):
            if not str(intent.get(key, "")):
                yield Finding("output-intent", "catalog", f"no {key[1:]}")
        profile = intent.get("/DestOutputProfile")
        if profile is None:
            yield Finding("output-intent", "catalog", "no embedded output profile")
            return
        profile = profile.get_object()
        icc = profile.get_data()
        if (profile.get("/N") != 4 or icc[12:16] != b"prtr" or icc[16:20] != b"CMYK"
                or icc[36:40] != b"acsp"):
            yield Finding("output-intent", "catalog", "the profile is not an ICC profile "
                          "of a CMYK printer")
        elif icc[8] != 2:
            yield Finding("output-intent", "catalog", f"ICC version {icc[8]}; "
                          f"{self.name} takes version 2")

    # Objects

    def _objects(self) -> Iterator[tuple[int, Any]]:
        """Every indirect object of the file."""
        for generation, numbers in self.reader.xref.items():
            for number in numbers:
                yield number, self.reader.get_object(IndirectObject(number, generation,
                                                                    self.reader))
        for number in self.reader.xref_objStm:
            yield number, self.reader.get_object(number)

    def _object(self, where: str, obj: Any) -> Iterator[Finding]:
        for value in _walk(obj):
            if isinstance(value, DictionaryObject):
                yield from self._dictionary(where, value)
            elif isinstance(value, ArrayObject) and value:
                yield from self._colour_space(where, value[0])
            elif value == "/DeviceRGB":
                yield Finding("colour", where, "DeviceRGB")

    def _dictionary(self, where: str, value: DictionaryObject) -> Iterator[Finding]:
        group = value.get("/Group")
        if group is not None and group.get_object().get("/S") == "/Transparency":
            yield Finding("transparency", where, "a transparency group")
        if transparent := _transparent(value):
            yield Finding("transparency", where, "transparent painting: " + ", ".join(
                f"{key} {value[key]}" for key in transparent))
        if "/TR" in value or value.get("/TR2", "/Default") != "/Default":
            yield Finding("transfer", where, "a transfer function")
        if value.get("/S") in ACTIONS or "/AA" in value or "/JS" in value:
            yield Finding("actions", where, f"an action: {value.get('/S', '/AA')}")
        filters = value.get("/Filter")
        if "/LZWDecode" in (filters if isinstance(filters, ArrayObject) else [filters]):
            yield Finding("filter", where, "LZW compression")
        if value.get("/Type") == "/Font" and value.get("/Subtype") not in ("/Type0", "/Type3"):
            descriptor = value.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(key in descriptor for key in FONT_FILES):
                yield Finding("font", where, f"{value.get('/BaseFont')} is not embedded")

    def _colour_space(self, where: str, family: Any) -> Iterator[Finding]:
        if isinstance(family, str) and family in DEVICE_INDEPENDENT \
                and not self.standard.device_independent:
            yield Finding("colour", where, f"a {family} colour space, which "
                          f"{self.name} does not allow")

    # Pages

    def _boxes(self, where: str, page: Any) -> Iterator[Finding]:
        for box in ("/TrimBox", "/BleedBox"):
            if box not in page:
                yield Finding("boxes", where, f"no {box[1:]}")
        if "/TrimBox" not in page or "/BleedBox" not in page:
            return
        media, bleed, trim = (_box(page[k]) for k in ("/MediaBox", "/BleedBox", "/TrimBox"))
        if not _within(bleed, media):
            yield Finding("boxes", where, "the BleedBox reaches outside the MediaBox")
        if not _within(trim, bleed):
            yield Finding("boxes", where, "the TrimBox reaches outside the BleedBox")


class _Painter:
    """Follows a page's content streams (forms included) for the colour operators and
    the places where registration colour is painted."""

    def __init__(self, where: str, page: Any) -> None:
        self.where = where
        self.bleed = _box(page["/BleedBox"]) if "/BleedBox" in page else None
        self.trim = _box(page["/TrimBox"]) if "/TrimBox" in page else None
        self.media = _box(page.mediabox)
        self.marks: list[Extent] = []

    def paint(self, content: Any, resources: Any,
              ctm: tuple[float, ...] = (1, 0, 0, 1, 0, 0)) -> Iterator[Finding]:
        stack: list[tuple[tuple[float, ...], bool, bool]] = []
        stroke = fill = False
        path: list[list[tuple[float, float]]] = []
        spaces = (resources or {}).get("/ColorSpace") or {}
        for operands, operator in ContentStream(content, None).operations:
            if operator in (b"rg", b"RG"):
                yield Finding("colour", self.where, f"the RGB operator {operator.decode()}")
            elif operator in (b"cs", b"CS"):
                if operands[0] == "/DeviceRGB":
                    yield Finding("colour", self.where, "DeviceRGB set in the content")
                space = spaces.get(operands[0])
                registration = space is not None and _is_registration(space.get_object())
                stroke, fill = (stroke, registration) if operator == b"cs" \
                    else (registration, fill)
            elif operator == b"INLINE IMAGE":
                settings = operands.get("settings", {})
                if settings.get("/CS", settings.get("/ColorSpace")) in ("/RGB", "/DeviceRGB"):
                    yield Finding("colour", self.where, "an RGB inline image")
            elif operator == b"q":
                stack.append((ctm, stroke, fill))
            elif operator == b"Q" and stack:
                ctm, stroke, fill = stack.pop()
            elif operator == b"cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif operator == b"m" or (operator == b"l" and not path):
                path.append([_apply(ctm, float(operands[0]), float(operands[1]))])
            elif operator == b"l":
                path[-1].append(_apply(ctm, float(operands[0]), float(operands[1])))
            elif operator == b"re":
                x, y, w, h = (float(v) for v in operands)
                path.append([_apply(ctm, x, y), _apply(ctm, x + w, y),
                             _apply(ctm, x + w, y + h), _apply(ctm, x, y + h)])
            elif operator in (b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"n"):
                painted = (stroke and operator in (b"S", b"s", b"B", b"B*", b"b", b"b*")) or \
                    (fill and operator in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"))
                if painted:
                    for subpath in path:
                        yield from self._mark(subpath)
                path = []
            elif operator == b"Do":
                xobject = resources["/XObject"][operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    inner = xobject.get("/Resources")
                    yield from self.paint(xobject, inner.get_object() if inner else resources,
                                          _multiply(matrix, ctm))

    def _mark(self, path: list[tuple[float, float]]) -> Iterator[Finding]:
        """A mark in registration (one subpath): wholly outside the bleed, away from
        the trim, on the media."""
        xs, ys = [x for x, _ in path], [y for _, y in path]
        extent = (min(xs), min(ys), max(xs), max(ys))
        self.marks.append(extent)
        if self.bleed is not None and _overlaps(extent, self.bleed):
            yield Finding("marks", self.where, "a mark in registration inside the bleed")
        elif self.trim is not None and _distance(extent, self.trim) < MARK_MIN_OFFSET - 0.01:
            yield Finding("marks", self.where, "a mark in registration nearer than 3 mm "
                          "to the trim")
        if not _within(extent, self.media):
            yield Finding("marks", self.where, "a mark in registration off the media box")


def _walk(obj: Any) -> Iterator[Any]:
    """`obj` and every direct object inside it (indirect ones are objects of their own)."""
    yield obj
    if isinstance(obj, DictionaryObject):  # streams are dictionaries too
        for value in obj.values():
            if not isinstance(value, IndirectObject):
                yield from _walk(value)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            if not isinstance(value, IndirectObject):
                yield from _walk(value)


def _transparent(value: Any) -> list[str]:
    """The keys of `value` that make what it paints transparent."""
    found = [key for key in ("/ca", "/CA") if key in value and float(value[key]) < 1]
    if value.get("/SMask", "/None") != "/None":
        found.append("/SMask")
    if value.get("/SMaskInData", 0):
        found.append("/SMaskInData")
    if value.get("/BM", "/Normal") not in OPAQUE_BLENDS:
        found.append("/BM")
    return found


def _is_registration(space: Any) -> bool:
    return (isinstance(space, ArrayObject) and len(space) == 4
            and space[0] == "/Separation" and space[1] == "/All")


def _xmp_value(tree: Any, prop: str) -> str | None:
    prefix, name = prop.split(":")
    tag = f"{{{XMP[prefix]}}}{name}"
    for description in tree.iter(f"{{{XMP['rdf']}}}Description"):
        if tag in description.attrib:
            return str(description.attrib[tag])
        element = description.find(tag)
        if element is not None:
            item = element.find(".//rdf:li", XMP)
            return "".join((item if item is not None else element).itertext())
    return None


def _date_digits(date: str | None) -> str:
    """A PDF or XMP date as its digits, from the year to the seconds."""
    return re.sub(r"\D", "", (date or "").removeprefix("D:").split("Z")[0])[:14]


def _box(value: Any) -> tuple[float, float, float, float]:
    left, bottom, right, top = (float(v) for v in value)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def _within(inner: tuple[float, ...], outer: tuple[float, ...], slack: float = 0.01) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...], slack: float = 0.01) -> bool:
    return (a[0] < b[2] - slack and a[2] > b[0] + slack
            and a[1] < b[3] - slack and a[3] > b[1] + slack)


def _distance(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The distance between two rectangles (0 where they meet)."""
    dx = max(b[0] - a[2], a[0] - b[2], 0)
    dy = max(b[1] - a[3], a[1] - b[3], 0)
    return math.hypot(dx, dy)


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix product m × n, PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f

