"""The one place that knows the order of the stages:
load -> markup -> model -> transforms -> writers -> build/<lang>/.

The editions are written into the output folder's staging area and replace the
previous ones as one set once all are complete (`output.py`): a failed, interrupted
or killed build leaves the previous editions as they were.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from publish import output, stylesheets
from publish.access import Access, Outside, font_installed
from publish.assemble import assemble_book
from publish.attributes import CLASS_SHEETS, stylesheet_classes
from publish.config import line_of_key
from publish.diagnostics import BuildFailed, Collector, Diagnostic
from publish.load import Manuscript, SourceFile, load_manuscript
from publish.model import Book
from publish.transforms import add_chronology
from publish.writers import typesetting
from publish.writers.cover import write_cover
from publish.writers.cover_image import front_panel
from publish.writers.epub import write_epub
from publish.writers.pdf import PRESS_PPI, page_breaks, write_pdf
from publish.writers.press import Transparent
from publish.writers.weasy import MissingGlyphs, Unexplained

STYLESHEETS = ("epub.css", "print.css", "cover.css")
FORMATS = ("epub", "pdf", "cover", "screen")
"""`pdf` is the press interior, `cover` its cover, `screen` the accessible PDF for
reading on screens."""
FILE_NAMES = {"epub": "{id}.epub", "pdf": "{id}.pdf", "cover": "{id}-cover.pdf",
              "screen": "{id}-screen.pdf"}

Progress = Callable[[str], None]
Typeset = Callable[[str, str, typesetting.Report], None]
"""Told the language, format and typesetting report of each PDF edition laid out."""


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def manuscript(self) -> Path:
        return self.root / "manuscript"

    @property
    def styles(self) -> Path:
        return self.root / "styles"

    def access(self, icc_profile: str) -> Access:
        """What the editions may read: the project's folders and the ICC profile the
        configuration names, which it has checked."""
        return Access.within(self.manuscript, self.styles).naming(Path(icc_profile))

    def output(self, book: Book, fmt: str, out: Path | None = None) -> Path:
        return (out or self.root / "build") / book.lang / FILE_NAMES[fmt].format(id=book.id)


def build(project: Project, languages: list[str] | None = None,
          formats: list[str] | None = None, out: Path | None = None,
          progress: Progress = lambda step: None,
          warn: Callable[[Diagnostic], None] = lambda problem: None,
          typeset: Typeset = lambda lang, fmt, report: None) -> list[Path]:
    """Build the chosen editions (all by default); return the files written.
    `typeset` is told the typesetting report of each PDF edition laid out.

    Every edition is staged first; only when all of them are complete do they replace
    the previous ones, as one set, so a failure leaves `build/` as it was.
    """
    with output.claimed(out or project.root / "build") as folder:
        return _build(project, folder, languages, formats, progress, warn, typeset)


def _build(project: Project, folder: output.Output, languages: list[str] | None,
           formats: list[str] | None, progress: Progress,
           warn: Callable[[Diagnostic], None], typeset: Typeset) -> list[Path]:
    diagnostics = Collector()
    manuscript = load_manuscript(project.manuscript, diagnostics)
    sheets = {}
    for sheet in STYLESHEETS:
        if not (project.styles / sheet).is_file():
            diagnostics.error(project.styles / sheet, None, "styles-missing",
                              "the stylesheet is missing (every project has styles/"
                              f"{', styles/'.join(STYLESHEETS)})")
        else:
            sheets[sheet] = stylesheets.check(project.styles / sheet, project.styles,
                                              diagnostics)
    diagnostics.raise_if_any()
    assert manuscript is not None
    _check_face(manuscript, sheets.values(), diagnostics)
    diagnostics.raise_if_any()
    access = project.access(manuscript.config.print.icc_profile)
    chosen = languages or manuscript.config.languages
    for fmt in formats or FORMATS:
        if fmt not in FORMATS:
            diagnostics.error(Path("--format"), None, "unknown-format",
                              f"{fmt!r} is not a format publish writes ({', '.join(FORMATS)})")
    for lang in chosen:
        if lang not in manuscript.config.languages:
            diagnostics.error(project.manuscript / "book.toml", None, "unknown-language",
                              f"{lang!r} is not one of the book's languages "
                              f"({', '.join(manuscript.config.languages)})")
    diagnostics.raise_if_any()
    classes = stylesheet_classes(
        (project.root / sheet).read_text(encoding="utf-8", errors="replace")
        for sheet in CLASS_SHEETS)
    books = [assemble_book(manuscript, lang, diagnostics, classes) for lang in chosen]
    diagnostics.raise_if_any()
    books = [add_chronology(book) for book in books]

    modified = _modified(manuscript.config.published)
    chosen = formats or list(FORMATS)
    targets = {(book.lang, fmt): project.output(book, fmt, folder.root)
               for book in books for fmt in chosen}
    output.remove_legacy_temporaries(list(targets.values()))
    # The press PDF comes first: the e-book marks where its pages begin and the cover's
    # spine is as wide as its pages. The cover comes next: its front panel is the
    # e-book's cover picture. Each is laid out even when only what needs it is asked for.
    laid_out = [fmt for fmt, needed_by in (("pdf", {"pdf", "epub", "cover"}),
                                           ("cover", {"epub", "cover"}))
                if needed_by & set(chosen)]
    order = [*laid_out, *(fmt for fmt in chosen if fmt not in laid_out)]
    with folder.replacing(list(targets.values())):
        for book in books:
            written: dict[str, Path] = {}
            for fmt in order:
                target = targets.get((book.lang, fmt))
                partial = folder.staged(target) if target else \
                    folder.scratch(f"{book.lang}-{fmt}.pdf")
                progress(f"{book.lang} {fmt}: {target.name if target else 'page layout'}")
                edition = Edition(book.lang, fmt, project.output(book, fmt, folder.root))
                try:
                    # Only the editions asked for are reported, not a layout made for
                    # the others' sake.
                    book = _write(book, fmt, project, access, sheets, partial, modified,
                                  manuscript, warn, written,
                                  typeset if target else lambda *report: None)
                    written[fmt] = partial
                except Outside as outside:
                    raise BuildFailed([Diagnostic(outside.path, None, "file-outside",
                                                  str(outside))]) from None
                except OSError as error:
                    folder.failed(error, target or folder.root)
                except MissingGlyphs as missing:
                    raise BuildFailed(_locate_glyphs(missing, manuscript, edition)) from None
                except Unexplained as unexplained:
                    raise BuildFailed(_explain(unexplained, manuscript, edition)) from None
                except Transparent as found:
                    raise BuildFailed([Diagnostic(
                        project.manuscript / book.lang, None, "press-transparency",
                        f"the {book.lang} {fmt} edition holds {found}, and "
                        f"{book.print.pdf_x.upper()} allows no transparency; flatten it "
                        "onto white")]) from None
    return list(targets.values())


def _write(book: Book, fmt: str, project: Project, access: Access,
           sheets: dict[str, stylesheets.Stylesheet], partial: Path,
           modified: datetime.datetime, manuscript: Manuscript,
           warn: Callable[[Diagnostic], None], written: dict[str, Path],
           typeset: Typeset) -> Book:
    """Write one edition, given the files of those `written` before it; return the book
    as the next editions need it."""
    if fmt == "epub":
        write_epub(book, front_panel(written["cover"], book), access, sheets["epub.css"],
                   partial, modified)
        return book
    if fmt == "cover":
        write_cover(book, book.print_pages, access, project.styles, partial)
        return book
    rendered = write_pdf(book, "press" if fmt == "pdf" else "screen", access, project.styles,
                         partial)
    for image, ppi in rendered.low_resolution:
        path, line = manuscript.locate(image.name, book.lang) or (image, None)
        warn(Diagnostic(path, line, "low-resolution",
                        f"image {image.name!r} prints at {ppi} ppi in the {book.lang} "
                        f"{fmt} edition; the press asks for {PRESS_PPI} or more"))
    typeset(book.lang, fmt, typesetting.report(rendered.lines))
    if fmt == "pdf":
        return dataclasses.replace(book, page_breaks=page_breaks(book, rendered),
                                   print_pages=rendered.pages)
    return book


def _check_face(manuscript: Manuscript, sheets: Iterable[stylesheets.Stylesheet],
                diagnostics: Collector) -> None:
    """The text face of the configuration must be one the PDF editions can set: a
    family that fontconfig knows, or one a stylesheet declares with `@font-face`."""
    face = manuscript.config.print.font
    declared = {family.casefold() for sheet in sheets for family in sheet.families}
    if face.casefold() not in declared and font_installed(face) is False:
        config = manuscript.folder / "book.toml"
        diagnostics.error(config, line_of_key(config, "print.font"), "config-value",
                          f"font {face!r} is not installed: fontconfig knows no such family "
                          "(`fc-list : family` lists those it knows) and no @font-face of "
                          "styles/ declares it")


@dataclass(frozen=True)
class Edition:
    lang: str
    fmt: str
    path: Path
    """Where it is written."""

    def internal(self, message: str) -> Diagnostic:
        """A problem that neither the manuscript nor the styles answer for."""
        return Diagnostic(self.path, None, "internal",
                          f"{message}, laying out the {self.lang} {self.fmt} edition: nothing "
                          "in manuscript/ or styles/ causes it, so it is a fault of publish; "
                          "please report it")


def _locate_glyphs(missing: MissingGlyphs, manuscript: Manuscript,
                   edition: Edition) -> list[Diagnostic]:
    """Point each character the text face lacks at the first place the book uses it:
    a chapter, or the configuration (its titles and names)."""
    configs = [SourceFile(path, path.read_text(encoding="utf-8-sig")) for path in
               (manuscript.folder / edition.lang / "book.toml", manuscript.folder / "book.toml")]
    found = []
    for char, fallback in sorted(missing.chars.items()):
        drawn = f"drawn with {fallback} instead" if fallback else "no installed font has it"
        message = f"the text face {missing.font!r} has no {char!r} (U+{ord(char):04X}); {drawn}"
        place = manuscript.locate(char, edition.lang) or next(
            ((c.path, line) for c in configs if (line := c.line_of(char)) is not None), None)
        found.append(Diagnostic(*place, "missing-glyph", message) if place
                     else edition.internal(message))
    return found


CAUSES = ((re.compile(r"Anchor defined twice: '([^']+)'"), "#{}"),
          (re.compile(r"Failed to load image at '[^']*/([^'/]+)'"), "{}"))
"""WeasyPrint's messages about what the manuscript may give the document (an id, an
image), and the text of the manuscript that gives it."""


def _explain(unexplained: Unexplained, manuscript: Manuscript,
             edition: Edition) -> list[Diagnostic]:
    """Each warning of WeasyPrint's about the document, at the manuscript line that
    caused it where one can be found, else as a fault of publish's."""
    found = []
    for message in unexplained.messages:
        causes = (needle.format(unquote(m[1])) for pattern, needle in CAUSES
                  if (m := pattern.search(message)))
        place = next(filter(None, (manuscript.locate(cause, edition.lang) for cause in causes)),
                     None)
        found.append(Diagnostic(*place, "weasyprint", message) if place
                     else edition.internal(f"WeasyPrint warned {message!r}"))
    return found


def _modified(published: datetime.date) -> datetime.datetime:
    """The edition's modification time: SOURCE_DATE_EPOCH where set, else the
    publication date, never the clock, so rebuilding gives the same files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        except ValueError:
            raise BuildFailed([Diagnostic(Path("SOURCE_DATE_EPOCH"), None, "environment",
                                          f"{epoch!r} is not a count of seconds")]) from None
    return datetime.datetime.combine(published, datetime.time(), datetime.UTC)
