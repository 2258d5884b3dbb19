"""EPUB 3 with ebooklib: one XHTML file per chapter, title and imprint pages, nav
document and NCX, `styles/epub.css`.

ebooklib stamps zip entries with the wall clock; the file is rewritten afterwards
with fixed times so that the same sources give the same bytes.
"""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

from ebooklib import epub

from publish.model import Book, Chapter, ChronologyEntry, identifier
from publish.writers import backmatter, frontmatter

FORMAT = "epub"


def write_epub(book: Book, styles: Path, target: Path, modified: datetime.datetime) -> None:
    doc = epub.EpubBook()
    _metadata(doc, book)
    css = epub.EpubItem(uid="style", file_name="style/epub.css", media_type="text/css",
                        content=(styles / "epub.css").read_bytes())
    doc.add_item(css)

    def page(uid: str, file_name: str, title: str, body: str) -> epub.EpubHtml:
        item = epub.EpubHtml(uid=uid, file_name=file_name, title=title, lang=book.lang)
        item.content = f"<html><head><title/></head><body>{body}</body></html>"
        item.add_item(css)
        doc.add_item(item)
        return item

    title_page = page("title-page", "title.xhtml", book.title, frontmatter.title_page(book))
    imprint = page("imprint", "imprint.xhtml", book.title, frontmatter.imprint(book, FORMAT))
    chapters = [page(f"ch-{c.id}", _file_name(c), c.title, c.body) for c in book.chapters]
    for number, image in enumerate(sorted({i for c in book.chapters for i in c.images})):
        doc.add_item(epub.EpubImage(uid=f"image-{number}", file_name=f"images/{image.name}",
                                    content=image.read_bytes()))

    doc.toc = [_toc_entry(c) for c in book.chapters]
    back = []
    if book.chronology:
        back.append(page("chronology", "chronology.xhtml", book.labels.chronology,
                         backmatter.chronology(book, _event_link)))
        doc.toc.append(epub.Link("chronology.xhtml", book.labels.chronology, "chronology"))
    doc.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title=book.labels.contents)
    nav.add_item(css)
    doc.add_item(nav)
    doc.spine = [title_page, imprint, "nav", *chapters, *back]
    epub.write_epub(str(target), doc, {"mtime": modified, "epub3_pages": False,
                                       "landmark_title": book.labels.contents})
    _normalise_zip(target, modified)


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


def _normalise_zip(path: Path, modified: datetime.datetime) -> None:
    """Rewrite the zip with every entry at the same time: `mimetype` first and stored,
    the rest deflated in the order ebooklib wrote them."""
    stamp = (max(modified.year, 1980), modified.month, modified.day,
             modified.hour, modified.minute, modified.second)
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    entries.sort(key=lambda entry: entry[0] != "mimetype")
    with zipfile.ZipFile(path, "w") as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            out.writestr(info, data, compresslevel=None if stored else 9)
