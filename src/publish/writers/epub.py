"""EPUB 3 with ebooklib: a cover page (the picture is handed in, drawn from the
press cover), title and imprint pages, one XHTML file per chapter with pop-up notes
(the front and back matter's too, marked as such), the chronology, a nav document
with landmarks and the print edition's page list, the NCX, accessibility metadata
and `styles/epub.css`.

The XHTML documents are written here in full (ebooklib would rebuild their heads
and drop attributes such as `epub:type` on the way). ebooklib stamps zip entries
with the wall clock; the file is rewritten afterwards with fixed times so that the
same sources give the same bytes.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Container, Iterator
from html import escape
from pathlib import Path

from ebooklib import epub
from lxml import etree
from PIL import Image

from publish.access import Access
from publish.layout import Layout, PageBreak
from publish.model import Book, Chapter, ChronologyEntry, IndexEntry, identifier
from publish.stylesheets import Stylesheet
from publish.writers import backmatter, blocks, frontmatter
from publish.writers.blocks import XHTML

FORMAT = "epub"
COVER_PICTURE = "images/cover.png"
STYLE_FOLDER = "style"
STYLESHEET = f"{STYLE_FOLDER}/epub.css"
CHRONOLOGY_FILE = "chronology.xhtml"
INDEX_FILE = "index.xhtml"
INDEX_TYPES = ("index-entry-list", "index-entry", "index-term", "index-locator-list")
"""The parts of an index in the EPUB Indexes vocabulary: the classes the index's
elements carry, and their `epub:type`."""
OPS = "http://www.idpf.org/2007/ops"
ACCESS = {
    "schema:accessMode": ["textual"],
    "schema:accessModeSufficient": ["textual"],
    "schema:accessibilityFeature": ["structuralNavigation", "tableOfContents",
                                    "readingOrder", "alternativeText"],
    "schema:accessibilityHazard": ["none"],
}
"""EPUB Accessibility 1.1 metadata: what the book needs of a reader and offers."""
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


def write_epub(book: Book, layout: Layout, cover: bytes, access: Access,
               stylesheet: Stylesheet, target: Path, modified: datetime.datetime) -> None:
    """Write the e-book, with the pages of the print edition laid out as `layout`
    marked, `cover` (a PNG) as its cover picture, styled by `stylesheet`; `access`
    says which files it may embed."""
    doc = epub.EpubBook()
    _metadata(doc, book, layout)
    doc.add_item(epub.EpubItem(uid="style", file_name=STYLESHEET, media_type="text/css",
                               content=access.read(stylesheet.path)))
    # What the stylesheet names (fonts, images, imported sheets) keeps its place
    # beside it, so that its relative addresses hold in the e-book.
    for number, resource in enumerate(stylesheet.resources):
        doc.add_item(epub.EpubItem(
            uid=f"style-{number}", media_type=stylesheet.media_type(resource),
            file_name=f"{STYLE_FOLDER}/{resource.relative_to(stylesheet.path.parent).as_posix()}",
            content=access.read(resource)))

    def page(uid: str, file_name: str, title: str, body: str, kind: str,
             body_class: str = "") -> epub.EpubItem:
        item = epub.EpubItem(uid=uid, file_name=file_name,
                             media_type="application/xhtml+xml",
                             content=_document(book, title, body, kind, body_class).encode())
        doc.add_item(item)
        return item

    doc.set_cover(COVER_PICTURE, cover, create_page=False)
    cover_page = page("cover", "cover.xhtml", book.labels.cover, _cover_body(book, cover),
                      "cover", "cover-page")
    # The cover page draws its picture in SVG, which the package must declare.
    cover_page.properties = ["svg"]
    title_page = page("title-page", "title.xhtml", book.title,
                      _paged(frontmatter.title_page(book),
                             layout.breaks_in(frontmatter.TITLE_PAGE)),
                      "frontmatter titlepage")
    imprint = page("imprint", "imprint.xhtml", book.title,
                   _paged(frontmatter.imprint(book, FORMAT),
                          layout.breaks_in(frontmatter.IMPRINT)),
                   "frontmatter copyright-page")
    # The print edition is one document; here a link to another chapter's id
    # must name that chapter's file.
    files = {identifier: _file_name(c) for c in book.chapters for identifier in _ids(c)}
    chapters = [page(f"ch-{c.id}", _file_name(c), c.title,
                     _chapter_body(c, layout.breaks_in(c.id), book.labels.notes, files),
                     f"{c.matter}matter")
                for c in book.chapters]
    images = {name: path for c in book.chapters for name, path in c.images.items()}
    for number, (name, path) in enumerate(sorted(images.items())):
        doc.add_item(epub.EpubImage(uid=f"image-{number}", file_name=f"images/{name}",
                                    content=access.read(path)))

    doc.toc = [_toc_entry(c) for c in book.chapters]
    back = []
    if book.chronology:
        back.append(page("chronology", CHRONOLOGY_FILE, book.labels.chronology,
                         _chronology_body(book, layout.breaks_in(backmatter.CHRONOLOGY_ID)),
                         "backmatter"))
        doc.toc.append(epub.Link(CHRONOLOGY_FILE, book.labels.chronology, "chronology"))
    doc.guide = [
        {"type": "cover", "href": "cover.xhtml", "title": book.labels.cover},
        {"type": "toc", "href": "nav.xhtml", "title": book.labels.contents},
        {"type": "bodymatter", "href": _file_name(book.body[0]), "title": book.labels.start},
    ]
    if book.index:
        back.append(page("index", INDEX_FILE, book.labels.index, _index_body(book, layout),
                         "backmatter"))
        doc.toc.append(epub.Link(INDEX_FILE, book.labels.index, backmatter.INDEX_ID))
        doc.guide.append({"type": "index", "href": INDEX_FILE, "title": book.labels.index})
    doc.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=book.labels.contents)
    nav.add_link(href=STYLESHEET, rel="stylesheet", type="text/css")
    doc.add_item(nav)
    doc.spine = [cover_page, title_page, imprint, "nav", *chapters, *back]
    # ebooklib swallows a failure to write (a full disk) unless told otherwise, and
    # warns of that future default before re-raising.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "In the future throwing exceptions")
        epub.write_epub(str(target), doc, {"mtime": modified, "epub2_guide": False,
                                           "epub3_pages": False, "raise_exceptions": True,
                                           "landmark_title": book.labels.guide,
                                           "pages_title": book.labels.pages})
    _normalise_zip(target, modified, _finish(book, layout))


def _document(book: Book, title: str, body: str, kind: str, body_class: str) -> str:
    classes = f' class="{body_class}"' if body_class else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML}" xmlns:epub="{OPS}" lang="{book.lang}" '
        f'xml:lang="{book.lang}">\n<head>\n<title>{escape(title)}</title>\n'
        f'<link rel="stylesheet" type="text/css" href="{STYLESHEET}"/>\n</head>\n'
        f'<body epub:type="{kind}"{classes}>\n'
        f"{_foreign_passages(body)}\n</body>\n</html>\n"
    )


def _cover_body(book: Book, cover: bytes) -> str:
    """The cover picture as large as the screen allows, whole: an SVG wrapper whose
    viewBox is the picture's size scales it to the page and `meet` keeps all of it
    in view. Unlike `height: 100vh` on an image, this needs no CSS a reading system
    may ignore (Adobe's engine has no viewport units), which is why Calibre and
    Sphinx make their cover pages so too."""
    alt = escape(". ".join(part for part in (book.title, book.subtitle, book.author_names)
                           if part))
    width, height = Image.open(io.BytesIO(cover)).size
    return (f'<section class="cover" epub:type="cover">'
            f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" role="img" '
            f'aria-label="{alt}" width="100%" height="100%" '
            f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet">'
            f"<title>{alt}</title>"
            f'<image width="{width}" height="{height}" xlink:href="{COVER_PICTURE}"/>'
            "</svg></section>")


def _foreign_passages(body: str) -> str:
    """XHTML readers look at xml:lang, HTML ones at lang: a passage in another
    language gets both."""
    return re.sub(r'(<\w+[^>]*?) lang="([^"]+)"', r'\1 lang="\2" xml:lang="\2"', body)


def _ids(chapter: Chapter) -> Iterator[str]:
    """Every id in the chapter's file: its text's, its notes' and theirs."""
    for fragment in (chapter.body, *(note.body for note in chapter.notes)):
        yield from blocks.by_id(blocks.parse(fragment))
    yield from (note.id for note in chapter.notes)


def _chapter_body(chapter: Chapter, breaks: list[PageBreak], notes_heading: str,
                  files: dict[str, str]) -> str:
    """The chapter as a section marked with its kind (`chapter`, or `preface`,
    `bibliography` ... in the front and back matter, in a document of that matter),
    with the page breaks of the print edition and pop-up notes: each call marked
    `noteref`, each note an `aside` marked `footnote` that starts with its number,
    linking back to its first call.
    The notes stand together at the chapter's end under a heading, as a section of
    endnotes (the role ARIA gives notes gathered after the text; `footnote` on each
    note is what makes readers open it in a pop-up). `files` holds the file of every
    id of the book, for the links to another chapter."""
    root = blocks.parse(chapter.body)
    # The print edition has no notes in the text's blocks, nor this heading.
    _mark_pages(root, breaks, blocks.calls_set_apart(chapter))
    if chapter.notes:
        root.append(_notes(chapter, notes_heading))
    elements = blocks.by_id(root)
    for call in (call for note in chapter.notes for call in note.calls if call in elements):
        link = elements[call][0]
        link.set(f"{{{OPS}}}type", "noteref")
        link.set("role", "doc-noteref")
    own = _file_name(chapter)
    for link in root.iterfind(f".//{{{XHTML}}}a[@href]"):
        href = link.get("href", "")
        target = files.get(href[1:], own) if href.startswith("#") else own
        if target != own:
            link.set("href", target + href)
    chapter_section = etree.Element(f"{{{XHTML}}}section")
    chapter_section.text, root.text = root.text, None
    chapter_section.extend(list(root))
    root.append(chapter_section)
    _structure(chapter_section, chapter.kind, chapter.id)
    return blocks.serialize(root)


def _notes(chapter: Chapter, heading: str) -> etree._Element:
    """The chapter's notes under `heading`, each starting with its number, a link
    back to its first call (a note the text never calls has its number alone)."""
    section = etree.Element(f"{{{XHTML}}}section", {
        "class": "notes", f"{{{OPS}}}type": "endnotes", "role": "doc-endnotes"})
    etree.SubElement(section, f"{{{XHTML}}}h2").text = heading
    for note in chapter.notes:
        aside = etree.SubElement(section, f"{{{XHTML}}}aside", {
            "id": note.id, "class": "footnote",
            f"{{{OPS}}}type": "footnote", "role": "doc-footnote"})
        aside.extend(list(blocks.parse(note.body)))
        if not len(aside) or etree.QName(aside[0]).localname != "p":
            aside.insert(0, etree.Element(f"{{{XHTML}}}p"))
        first = aside[0]
        number = (etree.Element(f"{{{XHTML}}}a", {"href": f"#{note.calls[0]}",
                                                  "role": "doc-backlink",
                                                  "class": "note-number"})
                  if note.calls else etree.Element(f"{{{XHTML}}}span", {"class": "note-number"}))
        number.text = f"{note.number}."
        number.tail = " " + (first.text or "").lstrip()
        first.text = None
        first.insert(0, number)
    return section


def _chronology_body(book: Book, breaks: list[PageBreak]) -> str:
    """The chronology, an appendix of the book, with its printed pages marked."""
    root = blocks.parse(backmatter.chronology(book, _event_link))
    _mark_pages(root, breaks)
    _structure(root[0], "appendix", backmatter.CHRONOLOGY_ID)
    return blocks.serialize(root)


def _index_body(book: Book, layout: Layout) -> str:
    """The index as the EPUB Indexes specification marks one: each entry's places
    are links to the terms, shown as the print edition's page numbers, one a page
    and to the first place on it, as the printed index lists them."""
    order = {folio: number for number, folio in enumerate(b.folio for b in layout.breaks)}

    def locators(entry: IndexEntry) -> list[backmatter.Locator]:
        # Every place has a page: the layout is of the same chapters.
        folios = [layout.folios.get(o.anchor, o.chapter.title) for o in entry.occurrences]
        return backmatter.one_a_page(
            (order.get(folio, len(order)),
             backmatter.Locator(f"{_file_name(occurrence.chapter)}#{occurrence.anchor}", folio))
            for occurrence, folio in zip(entry.occurrences, folios, strict=True))

    root = blocks.parse(backmatter.index(book, locators))
    elements = blocks.by_id(root)
    places = backmatter.index_places(book)
    for page in layout.breaks_in(backmatter.INDEX_ID):
        _mark_page(elements[places[page.block]], page, frozenset())
    for element in root.iter(f"{{{XHTML}}}*"):
        if element.get("class") in INDEX_TYPES:
            element.set(f"{{{OPS}}}type", element.get("class", ""))
    _structure(root[0], "index", backmatter.INDEX_ID)
    return blocks.serialize(root)


def _structure(element: etree._Element, kind: str, heading: str) -> None:
    """Mark `element` as a part of the structural kind `kind`, with its EPUB type and
    ARIA role, named by its heading."""
    element.set(f"{{{OPS}}}type", kind)
    element.set("role", f"doc-{kind}")
    element.set("aria-labelledby", heading)


def _paged(fragment: str, breaks: list[PageBreak]) -> str:
    """`fragment` with the page breaks of the print edition that fall in it."""
    root = blocks.parse(fragment)
    _mark_pages(root, breaks)
    return blocks.serialize(root)


def _mark_pages(root: etree._Element, breaks: list[PageBreak],
                apart: Container[str] = frozenset()) -> None:
    """Mark where each page of `breaks` begins; the elements with an id in `apart`
    are not counted."""
    text_blocks = list(blocks.text_blocks(root))
    for page in breaks:
        _mark_page(text_blocks[page.block], page, apart)


def _mark_page(block: etree._Element, page: PageBreak, apart: Container[str]) -> None:
    """Put the marker of `page` before the character of `block` where it begins."""
    marker = etree.Element(f"{{{XHTML}}}span", {
        "id": f"page-{page.folio}", f"{{{OPS}}}type": "pagebreak",
        "role": "doc-pagebreak", "aria-label": page.folio})
    seen = 0
    for owner, attribute in _text_slots(block, apart):
        text = getattr(owner, attribute) or ""
        for position, char in enumerate(text):
            if not blocks.UNCOUNTED.match(char):
                if seen == page.offset:
                    setattr(owner, attribute, text[:position])
                    marker.tail = text[position:]
                    if attribute == "text":
                        owner.insert(0, marker)
                    else:
                        owner.addnext(marker)
                    return
                seen += 1
    block.append(marker)


def _text_slots(element: etree._Element,
                apart: Container[str]) -> Iterator[tuple[etree._Element, str]]:
    """Where the text of `element` lives, in reading order, but for the elements
    with an id in `apart`."""
    yield element, "text"
    for child in element:
        if child.get("id") not in apart:
            yield from _text_slots(child, apart)
        yield child, "tail"


def _finish(book: Book, layout: Layout) -> Callable[[str, bytes], bytes]:
    """What ebooklib cannot write: the package's language and the page list (its own
    would list every element with an id and an `epub:type`, notes included)."""
    def finish(name: str, data: bytes) -> bytes:
        if name.endswith(".opf"):
            return data.replace(b'<package xmlns="http://www.idpf.org/2007/opf"',
                                f'<package xmlns="http://www.idpf.org/2007/opf" '
                                f'xml:lang="{book.lang}"'.encode(), 1)
        if name.endswith("nav.xhtml") and layout.breaks:
            files = _part_files(book)
            pages = "".join(
                f'<li><a href="{files[b.part]}#page-{b.folio}">{b.folio}</a></li>'
                for b in layout.breaks if b.part in files)
            page_list = (f'<nav epub:type="page-list" id="page-list" hidden="hidden">'
                         f"<h2>{escape(book.labels.pages)}</h2><ol>{pages}</ol></nav>")
            return data.replace(b"</body>", page_list.encode() + b"</body>", 1)
        return data
    return finish


def _part_files(book: Book) -> dict[str, str]:
    """The file of each part of the book a printed page may begin in; the half
    title and the printed contents have none (the nav is the e-book's contents)."""
    return {frontmatter.TITLE_PAGE: "title.xhtml", frontmatter.IMPRINT: "imprint.xhtml",
            backmatter.CHRONOLOGY_ID: CHRONOLOGY_FILE, backmatter.INDEX_ID: INDEX_FILE,
            **{c.id: _file_name(c) for c in book.chapters}}


def _metadata(doc: epub.EpubBook, book: Book, layout: Layout) -> None:
    doc.set_identifier(identifier(book, FORMAT))
    doc.set_language(book.lang)
    doc.set_title(book.title)
    if book.subtitle:
        doc.add_metadata("DC", "title", book.subtitle, {"id": "subtitle"})
        doc.add_metadata(None, "meta", "subtitle",
                         {"refines": "#subtitle", "property": "title-type"})
    # The authors are the book's creators; a translator, editor or illustrator is a
    # contributor, each with the MARC relator of the role.
    for number, contributor in enumerate(book.contributors):
        uid = f"creator-{number}"
        doc.add_metadata("DC", "creator" if contributor.role == "aut" else "contributor",
                         contributor.name, {"id": uid})
        doc.add_metadata(None, "meta", contributor.role,
                         {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"})
    doc.add_metadata("DC", "publisher", book.publisher)
    doc.add_metadata("DC", "rights", book.rights)
    doc.add_metadata("DC", "date", book.published.isoformat())
    doc.add_metadata("DC", "description", book.description)
    for keyword in book.keywords:
        doc.add_metadata("DC", "subject", keyword)
    for prop, values in ACCESS.items():
        for value in values:
            doc.add_metadata(None, "meta", value, {"property": prop})
    doc.add_metadata(None, "meta", book.labels.accessibility_summary,
                     {"property": "schema:accessibilitySummary"})
    doc.add_metadata(None, "meta", CONFORMANCE, {"property": "dcterms:conformsTo"})
    if layout.breaks:
        for feature in ("printPageNumbers", "pageBreakMarkers", "pageNavigation"):
            doc.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
        doc.add_metadata(None, "meta", layout.source, {"property": "pageBreakSource"})


def _file_name(chapter: Chapter) -> str:
    return f"{chapter.id}.xhtml"


def _event_link(entry: ChronologyEntry) -> str:
    return f"{_file_name(entry.chapter)}#{entry.anchor}"


def _toc_entry(chapter: Chapter) -> epub.Link | tuple[epub.Section, list[epub.Link]]:
    href = _file_name(chapter)
    links = [epub.Link(f"{href}#{s.id}", s.title, s.id) for s in chapter.sections
             if s.level == 2]
    if not links:
        return epub.Link(href, chapter.title, chapter.id)
    return (epub.Section(chapter.title, href=href), links)


def _normalise_zip(path: Path, modified: datetime.datetime,
                   finish: Callable[[str, bytes], bytes]) -> None:
    """Rewrite the zip with every entry at the same time: `mimetype` first and stored,
    the rest deflated in the order ebooklib wrote them, each passed through `finish`."""
    stamp = (max(modified.year, 1980), modified.month, modified.day,
             modified.hour, modified.minute, modified.second)
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, finish(info.filename, source.read(info)))
                   for info in source.infolist()]
    entries.sort(key=lambda entry: entry[0] != "mimetype")
    with zipfile.ZipFile(path, "w") as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            out.writestr(info, data, compresslevel=None if stored else 9)
