"""EPUB 3 with ebooklib: a cover, title and imprint pages, one XHTML file per
chapter with pop-up notes, the chronology, a nav document with landmarks, the NCX,
accessibility metadata and `styles/epub.css`.

The XHTML documents are written here in full (ebooklib would rebuild their heads
and drop attributes such as `epub:type` on the way). ebooklib stamps zip entries
with the wall clock; the file is rewritten afterwards with fixed times so that the
same sources give the same bytes.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path

from ebooklib import epub
from lxml import etree

from publish.model import Book, Chapter, ChronologyEntry, PageBreak, identifier
from publish.writers import backmatter, blocks, cover_image, frontmatter
from publish.writers.blocks import XHTML

FORMAT = "epub"
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


def write_epub(book: Book, styles: Path, target: Path, modified: datetime.datetime) -> None:
    doc = epub.EpubBook()
    _metadata(doc, book)
    doc.add_item(epub.EpubItem(uid="style", file_name="style/epub.css",
                               media_type="text/css",
                               content=(styles / "epub.css").read_bytes()))

    def page(uid: str, file_name: str, title: str, body: str, kind: str) -> epub.EpubItem:
        item = epub.EpubItem(uid=uid, file_name=file_name,
                             media_type="application/xhtml+xml",
                             content=_document(book, title, body, kind).encode())
        doc.add_item(item)
        return item

    doc.set_cover("images/cover.png", cover_image.render(book), create_page=False)
    cover_page = page("cover", "cover.xhtml", book.labels.cover, _cover_body(book), "cover")
    title_page = page("title-page", "title.xhtml", book.title, frontmatter.title_page(book),
                      "frontmatter titlepage")
    imprint = page("imprint", "imprint.xhtml", book.title, frontmatter.imprint(book, FORMAT),
                   "frontmatter copyright-page")
    chapters = [page(f"ch-{c.id}", _file_name(c), c.title,
                     _chapter_body(c, [b for b in book.page_breaks if b.chapter == c.id]),
                     "bodymatter")
                for c in book.chapters]
    images = {name: path for c in book.chapters for name, path in c.images.items()}
    for number, (name, path) in enumerate(sorted(images.items())):
        doc.add_item(epub.EpubImage(uid=f"image-{number}", file_name=f"images/{name}",
                                    content=path.read_bytes()))

    doc.toc = [_toc_entry(c) for c in book.chapters]
    back = []
    if book.chronology:
        back.append(page("chronology", "chronology.xhtml", book.labels.chronology,
                         backmatter.chronology(book, _event_link), "backmatter"))
        doc.toc.append(epub.Link("chronology.xhtml", book.labels.chronology, "chronology"))
    doc.guide = [
        {"type": "cover", "href": "cover.xhtml", "title": book.labels.cover},
        {"type": "toc", "href": "nav.xhtml", "title": book.labels.contents},
        {"type": "bodymatter", "href": _file_name(book.chapters[0]), "title": book.labels.start},
    ]
    doc.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=book.labels.contents)
    nav.add_link(href="style/epub.css", rel="stylesheet", type="text/css")
    doc.add_item(nav)
    doc.spine = [cover_page, title_page, imprint, "nav", *chapters, *back]
    epub.write_epub(str(target), doc, {"mtime": modified, "epub2_guide": False,
                                       "epub3_pages": False,
                                       "landmark_title": book.labels.guide,
                                       "pages_title": book.labels.pages})
    _normalise_zip(target, modified, _finish(book))


def _document(book: Book, title: str, body: str, kind: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML}" xmlns:epub="{OPS}" lang="{book.lang}" '
        f'xml:lang="{book.lang}">\n<head>\n<title>{escape(title)}</title>\n'
        '<link rel="stylesheet" type="text/css" href="style/epub.css"/>\n</head>\n'
        f'<body epub:type="{kind}">\n{_foreign_passages(body)}\n</body>\n</html>\n'
    )


def _cover_body(book: Book) -> str:
    alt = escape(". ".join(part for part in (book.title, book.subtitle, book.author_names)
                           if part))
    return (f'<section class="cover" epub:type="cover">'
            f'<img role="doc-cover" src="images/cover.png" alt="{alt}"/></section>')


def _foreign_passages(body: str) -> str:
    """XHTML readers look at xml:lang, HTML ones at lang: a passage in another
    language gets both."""
    return re.sub(r'(<\w+[^>]*?) lang="([^"]+)"', r'\1 lang="\2" xml:lang="\2"', body)


def _chapter_body(chapter: Chapter, breaks: list[PageBreak]) -> str:
    """The chapter with pop-up notes (each reference marked `noteref`, each note an
    `aside` marked `footnote` that starts with its number, linking back) and the
    page breaks of the print edition."""
    root = blocks.parse(chapter.body)
    for link in root.iterfind(f".//{{{XHTML}}}a[@class='footnote-ref']"):
        link.set(f"{{{OPS}}}type", "noteref")
        link.set("role", "doc-noteref")
    for block in list(root.iterfind(f"{{{XHTML}}}div[@class='footnote']")):
        position = list(root).index(block)
        for number, item in enumerate(block.iterfind(f".//{{{XHTML}}}li"), start=1):
            aside = etree.Element(f"{{{XHTML}}}aside", {
                "id": item.get("id", ""), "class": "footnote",
                f"{{{OPS}}}type": "footnote", "role": "doc-footnote"})
            for backref in item.iterfind(f".//{{{XHTML}}}a[@class='footnote-backref']"):
                blocks.remove(backref)
            paragraphs = list(item)
            first = paragraphs[0] if paragraphs else etree.SubElement(item, f"{{{XHTML}}}p")
            back = etree.Element(f"{{{XHTML}}}a", {
                "href": "#" + item.get("id", "").replace("-fn-", "-fnref-"),
                "role": "doc-backlink", "class": "note-number"})
            back.text = f"{number}."
            back.tail = " " + (first.text or "").lstrip()
            first.text = None
            first.insert(0, back)
            aside.extend(paragraphs)
            root.insert(position, aside)
            position += 1
        root.remove(block)
    text_blocks = list(blocks.text_blocks(root))
    for page in breaks:
        _mark_page(text_blocks[page.block], page)
    return blocks.serialize(root)


def _mark_page(block: etree._Element, page: PageBreak) -> None:
    """Put the marker of `page` before the character of `block` where it begins."""
    marker = etree.Element(f"{{{XHTML}}}span", {
        "id": f"page-{page.folio}", f"{{{OPS}}}type": "pagebreak",
        "role": "doc-pagebreak", "aria-label": page.folio})
    seen = 0
    for owner, attribute in _text_slots(block):
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


def _text_slots(element: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Where the text of `element` lives, in reading order; note references are
    left out, as the print edition sets them apart."""
    yield element, "text"
    for child in element:
        if not (etree.QName(child).localname == "sup"
                and child.find(f"{{{XHTML}}}a[@class='footnote-ref']") is not None):
            yield from _text_slots(child)
        yield child, "tail"


def _finish(book: Book) -> Callable[[str, bytes], bytes]:
    """What ebooklib cannot write: the package's language and the page list (its own
    would list every element with an id and an `epub:type`, notes included)."""
    def finish(name: str, data: bytes) -> bytes:
        if name.endswith(".opf"):
            return data.replace(b'<package xmlns="http://www.idpf.org/2007/opf"',
                                f'<package xmlns="http://www.idpf.org/2007/opf" '
                                f'xml:lang="{book.lang}"'.encode(), 1)
        if name.endswith("nav.xhtml") and book.page_breaks:
            pages = "".join(
                f'<li><a href="{_file_name_of(book, b.chapter)}#page-{b.folio}">{b.folio}</a>'
                "</li>" for b in book.page_breaks)
            page_list = (f'<nav epub:type="page-list" id="page-list" hidden="hidden">'
                         f"<h2>{escape(book.labels.pages)}</h2><ol>{pages}</ol></nav>")
            return data.replace(b"</body>", page_list.encode() + b"</body>", 1)
        return data
    return finish


def _file_name_of(book: Book, chapter_id: str) -> str:
    return _file_name(next(c for c in book.chapters if c.id == chapter_id))


def _metadata(doc: epub.EpubBook, book: Book) -> None:
    doc.set_identifier(identifier(book, FORMAT))
    doc.set_language(book.lang)
    doc.set_title(book.title)
    if book.subtitle:
        doc.add_metadata("DC", "title", book.subtitle, {"id": "subtitle"})
        doc.add_metadata(None, "meta", "subtitle",
                         {"refines": "#subtitle", "property": "title-type"})
    for number, contributor in enumerate(book.contributors):
        doc.add_author(contributor.name, role=contributor.role, uid=f"creator-{number}")
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
    if book.page_breaks:
        for feature in ("printPageNumbers", "pageBreakMarkers", "pageNavigation"):
            doc.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
        doc.add_metadata(None, "meta", identifier(book, "pdf"), {"property": "pageBreakSource"})


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
