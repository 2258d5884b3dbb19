"""Rendering HTML to PDF with WeasyPrint, as every PDF writer needs it.

WeasyPrint reports trouble (a font it could not load, CSS it ignored, a resource it
could not fetch, a character no font has) through its logger and carries on; here
every such warning is kept, with the characters the text face lacks, in the
`Troubles` of what it renders, and the build fails the edition for them. It may
also fetch whatever a document names: the fetcher given to it allows only the files
and folders it is told to.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.line_break import create_layout, line_size
from weasyprint.urls import URLFetcher

from publish.access import Access
from publish.diagnostics import Code, Diagnostic
from publish.model import Book
from publish.writers import blocks
from publish.writers.typesetting import Line, Piece

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.)"')
SHEET_PLACE = re.compile(r" at (\d+):(\d+)\b")
"""Where in a stylesheet WeasyPrint found what it ignored."""
QUOTED = re.compile(r"'([^']+)'")


@dataclass(frozen=True)
class Troubles:
    """What WeasyPrint found wrong laying out a document, for the build to report."""

    font: str
    """The text face, the only one the document may use."""
    placed: list[Diagnostic] = field(default_factory=list)
    """Its warnings about a stylesheet of the project's, at the sheet's line."""
    unexplained: list[str] = field(default_factory=list)
    """Its warnings that no stylesheet of the project's answers for: about the
    document the writers made, or of WeasyPrint's own."""
    missing: dict[str, str | None] = field(default_factory=dict)
    """Characters the text face lacks, each with the font drawn instead, or None
    where no installed font had it."""
    transparent: str | None = None
    """What the press file paints transparent, which PDF/X-1a and X-3 forbid: found
    when it is finished for the press (`press.finish`)."""


@dataclass(frozen=True)
class Rendered:
    pages: int
    low_resolution: list[tuple[Path, int]]
    """Images printed below the resolution asked for, with their resolution in ppi."""
    page_starts: list[tuple[str, int] | None]
    """Per page, where its text begins: the value of the block attribute of the
    element, and how many characters of that element came before (as
    `blocks.counted` counts them); None for a page without such text."""
    lines: list[Line]
    """Every line of text as laid out, for the typesetting report."""
    troubles: Troubles
    anchors: dict[str, int] = field(default_factory=dict)
    """The page each id of the document stands on, counting from 0."""


FACE_SUBSTITUTES = str.maketrans({"\u2010": "-"})
"""Characters a book face often lacks, set as what the face has for them in every
document laid out (the interior, the screen edition, the cover): U+2010 HYPHEN
(typed by word processors) as the hyphen-minus, which a text face draws as its
hyphen. The e-book keeps what was written."""
Apart = Callable[[str, str], list[Line]]
"""Lays out a document apart from the edition, its first page on the side given
(`right` or `left`), and gives its lines, their pages numbered so that even ones
are rectos."""
Compose = Callable[[Apart, dict[str, int] | None], str | None]
"""Given a way to lay out documents apart and the page of each id of the edition as
last laid out (None before the first layout), the edition's document to lay out
next, or None to keep the last."""
Rest = Callable[[dict[str, int], int], tuple[str, str] | None]
"""Given the page of each id of the final layout and the index of its last page,
which holds only the opening of what follows: the rest of the book as a document of
its own, and the CSS that numbers its first page; or None where nothing follows."""


def cmyk_profile(book: Book) -> str:
    """The CSS that makes the configured ICC profile the press's CMYK colour space,
    which WeasyPrint writes as the PDF/X output intent."""
    profile = Path(book.print.icc_profile).as_uri()
    return (f'@color-profile device-cmyk {{ src: url("{profile}"); '
            "components: cyan, magenta, yellow, black; }")


def head(book: Book) -> str:
    """The document's metadata, which WeasyPrint writes into the PDF; its dates are
    the publication date, so the file does not change from build to build."""
    authors = book.author_names
    published = book.published.isoformat()
    return (
        f'<meta charset="utf-8"/><title>{escape(book.title)}</title>'
        f'<meta name="author" content="{escape(authors)}"/>'
        f'<meta name="description" content="{escape(book.description)}"/>'
        f'<meta name="keywords" content="{escape(", ".join(book.keywords))}"/>'
        '<meta name="generator" content="publish"/>'
        f'<meta name="dcterms.created" content="{published}"/>'
        f'<meta name="dcterms.modified" content="{published}"/>'
    )


def once(html: str) -> Compose:
    """The edition's document as it is, laid out once."""
    return lambda apart, pages: html if pages is None else None


def render(compose: Compose, stylesheets: list[str | Path], access: Access, base: Path,
           target: Path | None, font: str, min_ppi: int = 0, block_attribute: str = "",
           rest: Rest = lambda anchors, last: None, signature: int = 1,
           **options: Any) -> Rendered:
    """Lay out the document `compose` gives with the stylesheets (CSS text or
    files), again while it gives another, and write the PDF to `target`, or only
    lay it out where it is None. `font` is the only face the PDF may use; images
    should print at `min_ppi`; `rest` then
    gives what follows, laid out apart and put in place of the last page: an
    index's page numbers, known once the pages it points to are, printed as text
    rather than looked up by WeasyPrint (`target-counter`, whose look-ups cost as
    much as the rest of a layout and grow faster than the book); the page count
    is padded with blank pages to a multiple of `signature`. What WeasyPrint found
    wrong is in the result's `troubles`, for the caller to report."""
    fetcher = _ProjectFetcher(access)
    with _warnings_captured() as capture:
        profiles: dict[str, Any] = {}
        sheets = []
        for sheet in stylesheets:
            # What WeasyPrint says while it reads a sheet of the project's is about
            # that sheet; what it says of the sheets made here, or later, is not.
            capture.sheet = sheet if isinstance(sheet, Path) else None
            sheets.append(CSS(filename=str(sheet), url_fetcher=fetcher,
                              color_profiles=profiles) if isinstance(sheet, Path) else
                          CSS(string=sheet, url_fetcher=fetcher, color_profiles=profiles))
        capture.sheet = None

        def lay_out(document: str, *more: str) -> Any:
            return HTML(string=document.translate(FACE_SUBSTITUTES), base_url=str(base),
                        url_fetcher=fetcher).render(
                stylesheets=[*sheets, *(CSS(string=css, url_fetcher=fetcher,
                                            color_profiles=profiles) for css in more)],
                color_profiles=profiles)

        def apart(html: str, side: str) -> list[Line]:
            laid_out = lay_out(html, _opening_on(side))
            return _lines(laid_out, block_attribute, 1 if side == "left" else 0)

        html = compose(apart, None)
        assert html is not None, "an edition is laid out at least once"
        document = lay_out(html)
        anchors = _anchors(document)
        while (again := compose(apart, anchors)) is not None:
            document = lay_out(again)
            anchors = _anchors(document)
        if (following := rest(anchors, len(document.pages) - 1)) is not None:
            last = document.pages[-1]
            # It opens on the side the last page is on: a blank page before that
            # one is already in place.
            side = last._page_box.page_type.side
            laid_out = lay_out(following[0], following[1], _opening_on(side))
            document = document.copy([*document.pages[:-1], *laid_out.pages])
            anchors = _anchors(document)
        lines = _lines(document, block_attribute)
        document = _padded(document, signature, sheets, fetcher, profiles)
        if target is not None:
            document.write_pdf(str(target), **options)
    missing: dict[str, str | None] = dict.fromkeys(capture.notdef)
    if target is not None:
        missing.update(_fallbacks(target, font))
    return Rendered(len(document.pages), _low_resolution(document, min_ppi),
                    _page_starts(lines, len(document.pages)), lines,
                    Troubles(font, capture.found, capture.unexplained, missing), anchors)


def _opening_on(side: str) -> str:
    """The CSS that sets a document's first page on `side` (`left` or `right`)."""
    return f"html {{ break-before: {side} }}"


def _anchors(document: Any) -> dict[str, int]:
    """The page of each id of the laid-out document."""
    return {name: number for number, page in enumerate(document.pages)
            for name in page.anchors}


def _lines(document: Any, attribute: str, first: int = 0) -> list[Line]:
    """Every line box of the document's pages, running heads and folios left out;
    its first page numbered `first`."""
    found: list[Line] = []
    paragraphs: dict[int, int] = {}
    spaces: dict[tuple[Any, ...], float] = {}

    def visit(box: Any, page: int, owner: Any, block: str | None, note: int | None) -> None:
        # A list item's bullet or number is a line of its own to WeasyPrint.
        if isinstance(box, boxes.MarginBox) or (box.element_tag or "").endswith("::marker"):
            return
        if box.element_tag is not None:
            owner = box.element
            # An empty key marks text that no paragraph answers for.
            block = (owner.get(attribute, block) or None) if attribute else block
        if isinstance(box, boxes.LineBox):
            pieces = tuple(_pieces(box, None, False))
            if pieces:
                paragraph = paragraphs.setdefault(id(owner), len(paragraphs))
                indent = box.style["text_indent"]
                running = owner is not None and owner.tag not in HEADINGS
                found.append(Line(page, paragraph, block, pieces, _stretch(box, spaces),
                                  running and box.style["hyphens"] != "none",
                                  f"{indent.value}{indent.unit or 'px'}", note))
            return
        for child in getattr(box, "children", []):
            # What the footnote area of a page holds are its notes, one box each.
            visit(child, page, owner, block,
                  id(child.element) if isinstance(box, boxes.FootnoteAreaBox) else note)

    for number, page in enumerate(document.pages, first):
        visit(page._page_box, number, None, None, None)
    return found


def _pieces(box: Any, unit: int | None, number: bool,
            call: int | None = None) -> Iterator[Piece]:
    if isinstance(box, boxes.TextBox):
        yield Piece(box.text, unit, number, call)
        return
    if box.element_tag in ("time", "data"):
        unit, number = id(box.element), box.element_tag == "data"
    if getattr(box, "footnote", None) is not None:
        call = id(box.footnote.element)
    for child in getattr(box, "children", []):
        if not isinstance(child, boxes.LineBox):
            yield from _pieces(child, unit, number, call)


def _stretch(line: Any, spaces: dict[tuple[Any, ...], float]) -> float:
    """How wide the line's word spaces are, word spacing and justification included,
    as a multiple of the width of a space in the text's face and size."""
    for text in line.descendants():
        added = getattr(text, "justification_spacing", 0)
        if isinstance(text, boxes.TextBox) and added and (" " in text.text
                                                           or "\u00a0" in text.text):
            style = text.style
            key = (tuple(style["font_family"]), style["font_size"], style["font_style"],
                   style["font_weight"])
            if key not in spaces:
                layout = create_layout(" ", style, None, None, 0)
                spaces[key] = line_size(layout.get_first_line()[0], style)[0]
            tracking = style["letter_spacing"] if style["letter_spacing"] != "normal" else 0
            return float((spaces[key] + style["word_spacing"] + tracking + added) / spaces[key])
    return 1.0


def _padded(document: Any, signature: int, sheets: list[Any], fetcher: URLFetcher,
            profiles: dict[str, Any]) -> Any:
    """`document` with blank pages at its end up to a multiple of `signature` pages.

    The blank pages are laid out by WeasyPrint rather than added to the PDF
    afterwards: a page the stylesheets leave blank (`@page :blank`) has the size,
    bleed, marks and page boxes of every other page and no running head or folio,
    whatever the configuration, where pages added with pypdf would need each box
    copied and the marks drawn again. Laying out the whole book twice to know its
    length first would double the build; one blank page laid out apart and repeated
    costs nothing."""
    missing = -len(document.pages) % signature
    if not missing:
        return document
    # A recto, then a forced break to the next recto: the page between is blank.
    blank = HTML(string='<div></div><div style="break-before: right"></div>',
                 url_fetcher=fetcher).render(stylesheets=sheets,
                                             color_profiles=profiles).pages[1]
    return document.copy([*document.pages, *[blank] * missing])


def _page_starts(lines: list[Line], pages: int) -> list[tuple[str, int] | None]:
    """Where the text of each page's flow begins, from the lines of the layout (the
    notes at the foot of a page and the calls of notes are not part of the flow)."""
    seen: dict[str, int] = {}
    starts: list[tuple[str, int] | None] = [None] * pages
    for line in lines:
        if not line.flow or line.block is None:
            continue
        if starts[line.page] is None:
            starts[line.page] = (line.block, seen.get(line.block, 0))
        text = "".join(piece.text for piece in line.pieces if piece.call is None)
        seen[line.block] = seen.get(line.block, 0) + blocks.counted(text)
    return starts


def _low_resolution(document: Any, min_ppi: int) -> list[tuple[Path, int]]:
    """Raster images whose pixels, spread over the size they print at, are fewer
    than `min_ppi` per inch (CSS lays out at 96 px to the inch)."""
    found: dict[Path, int] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            image = getattr(box, "replacement", None)
            if image is None or not getattr(image, "width", 0) or not box.width:
                continue
            ppi = round(image.width / (box.width / 96))
            src = Path(url2pathname(urlsplit(box.element.get("src", "")).path))
            if ppi < min_ppi:
                found[src] = min(ppi, found.get(src, ppi))
    return sorted(found.items())


class _ProjectFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, access: Access) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.access = access

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)  # held in the document: nothing is read
        if parts.scheme != "file":
            raise ValueError(f"only files inside the project may be read, not {url}")
        path = Path(url2pathname(parts.path))
        if not self.access.allows(path):
            raise ValueError(f"only files inside the project may be read, not {path.resolve()}")
        return super().fetch(url, headers)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.sheet: Path | None = None
        """The project's stylesheet WeasyPrint is reading, if it is reading one."""
        self.found: list[Diagnostic] = []
        self.unexplained: list[str] = []
        self.notdef: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        # The character is matched as written: it may be a space of some kind.
        if missing := NOTDEF.match(record.getMessage()):
            self.notdef.add(missing[1])
            return
        message = " ".join(record.getMessage().split())
        if self.sheet is None:
            if message not in self.unexplained:
                self.unexplained.append(message)
        elif (found := Diagnostic(self.sheet, _sheet_line(self.sheet, message), Code.WEASYPRINT,
                                  message)) not in self.found:
            self.found.append(found)


def _sheet_line(sheet: Path, message: str) -> int | None:
    """The line of `sheet` a message of WeasyPrint's is about: the one it gives
    ("at 4:3"), or the first that holds the address it names."""
    if at := SHEET_PLACE.search(message):
        return int(at[1])
    for address in QUOTED.findall(message):
        for number, line in enumerate(sheet.read_text(encoding="utf-8-sig").splitlines(), 1):
            if address in line:
                return number
    return None


@contextmanager
def _warnings_captured() -> Iterator[_Capture]:
    logger = logging.getLogger("weasyprint")
    capture = _Capture()
    logger.addHandler(capture)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate


def _fallbacks(pdf: Path, family: str) -> dict[str, str]:
    """Characters drawn with a font other than the text face, with that font: Pango
    falls back to any installed font that has a character the face lacks. Only the
    pages whose resources name another font have their text read: extracting the
    text of every page costs more than laying it out."""
    wanted = re.sub(r"[\s-]", "", family).lower()

    def other(name: str) -> bool:
        return not re.sub(r"[\s-]", "", name).lower().startswith(wanted)

    found: dict[str, str] = {}

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if font is not None and other(name := _font_name(font)):
            found.update(dict.fromkeys(text.strip(), name))

    for page in PdfReader(pdf).pages:
        if any(other(name) for name in _fonts(page.get("/Resources"))):
            page.extract_text(visitor_text=visit)
    return found


def _font_name(font: Any) -> str:
    """A font's name without the prefix that marks it a subset (`ABCDEF+`)."""
    return str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]


def _fonts(resources: Any, seen: frozenset[int] = frozenset()) -> Iterator[str]:
    """The names of the fonts of a page's or form's resources, its forms' included."""
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        yield _font_name(font.get_object())
    for xobject in (resources.get("/XObject") or {}).values():
        form = xobject.get_object()
        # A form may name itself among its resources; each is read once.
        if form.get("/Subtype") == "/Form" and id(form) not in seen:
            yield from _fonts(form.get("/Resources"), seen | {id(form)})
