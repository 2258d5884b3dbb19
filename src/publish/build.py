"""The one place that knows the order of the stages:
load -> markup -> model -> transforms -> writers -> build/<lang>/.

The editions are written into the output folder's staging area and replace the
previous ones as one set once all are complete (`output.py`): a failed, interrupted
or killed build leaves the previous editions as they were.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from urllib.parse import unquote

from publish import output, stylesheets
from publish.access import Access, Outside, font_installed
from publish.assemble import assemble_books
from publish.attributes import CLASS_SHEETS
from publish.config import line_of_key
from publish.diagnostics import BuildFailed, Code, Collector, Diagnostic
from publish.layout import Layout
from publish.load import Manuscript, SourceFile, load_manuscript
from publish.model import Book
from publish.transforms import add_chronology, add_index
from publish.writers import typesetting
from publish.writers.cover import write_cover
from publish.writers.cover_image import front_panel
from publish.writers.epub import write_epub
from publish.writers.pdf import PRESS_PPI, write_pdf
from publish.writers.pdf import Edition as PdfEdition
from publish.writers.weasy import Troubles

STYLESHEETS = ("epub.css", "print.css", "cover.css")

Progress = Callable[[str], None]
Typeset = Callable[[str, str, typesetting.Report], None]
"""Told the language, edition and typesetting report of each PDF edition laid out."""


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

    def output(self, book: Book, edition: str, out: Path | None = None) -> Path:
        return (out or self.root / "build") / book.lang / \
            EDITIONS[edition].file_name.format(id=book.id)


@dataclass(frozen=True)
class Job:
    """An edition of one language, as a problem met writing it names it."""

    lang: str
    edition: str
    path: Path
    """Where it is written."""

    def internal(self, message: str) -> Diagnostic:
        """A problem that neither the manuscript nor the styles answer for."""
        return Diagnostic(self.path, None, Code.INTERNAL,
                          f"{message}, laying out the {self.lang} {self.edition} edition: "
                          "nothing in manuscript/ or styles/ causes it, so it is a fault of "
                          "publish; please report it")


@dataclass(frozen=True)
class Writing:
    """One edition of one language about to be written, and all its writer may use."""

    book: Book
    job: Job
    target: Path
    """Where to write it: its staged file, or a scratch file when it is laid out only
    for the editions made from it."""
    project: Project
    access: Access
    sheets: dict[str, stylesheets.Stylesheet]
    modified: datetime.datetime
    manuscript: Manuscript
    warn: Callable[[Diagnostic], None]
    typeset: Typeset
    files: dict[str, Path]
    """The file of each edition it needs (written before it), by its name."""
    layouts: dict[str, Layout]
    """The layout of each edition it needs that has one (a PDF edition), by its name."""


@dataclass(frozen=True)
class Written:
    """What writing an edition gave."""

    layout: Layout | None = None
    """Its layout, where the editions made from it need one."""
    problems: list[Diagnostic] = field(default_factory=list)
    """What makes it unfit to publish: the build fails for any."""


Writer = Callable[[Writing], Written]
"""Writes one edition."""


@dataclass(frozen=True)
class Edition:
    name: str
    """As `--format`, `identifier()`, the ISBNs of the configuration and the
    typesetting report name it."""
    file_name: str
    """With `{id}` where the book's id goes."""
    needs: tuple[str, ...]
    """The editions it is made from: written before it, and laid out (not written)
    when only it is asked for."""
    write: Writer


def _epub(writing: Writing) -> Written:
    book = writing.book
    picture = front_panel(writing.files["cover"], book)
    if isinstance(picture, Diagnostic):
        return Written(problems=[picture])
    write_epub(book, writing.layouts["pdf"], picture, writing.access,
               writing.sheets["epub.css"], writing.target, writing.modified)
    return Written()


def _cover(writing: Writing) -> Written:
    troubles = write_cover(writing.book, writing.layouts["pdf"], writing.access,
                           writing.project.styles, writing.target)
    return Written(problems=_told(troubles, writing))


def _pdf(edition: PdfEdition) -> Writer:
    def write(writing: Writing) -> Written:
        book = writing.book
        laid_out = write_pdf(book, edition, writing.access, writing.project.styles,
                             writing.target)
        if problems := _told(laid_out.rendered.troubles, writing):
            return Written(problems=problems)
        for image, ppi in laid_out.rendered.low_resolution:
            path, line = writing.manuscript.locate(image.name, book.lang) or (image, None)
            writing.warn(Diagnostic(path, line, Code.LOW_RESOLUTION,
                                    f"image {image.name!r} prints at {ppi} ppi in the "
                                    f"{book.lang} {edition} edition; the press asks for "
                                    f"{PRESS_PPI} or more"))
        writing.typeset(book.lang, edition, typesetting.report(laid_out.rendered.lines))
        return Written(laid_out.layout)
    return write


EDITIONS = {edition.name: edition for edition in (
    # The e-book marks where the press interior's pages begin; its cover picture is
    # the press cover's front panel.
    Edition("epub", "{id}.epub", ("pdf", "cover"), _epub),
    Edition("pdf", "{id}.pdf", (), _pdf("pdf")),
    # The spine is as wide as the interior's pages are many.
    Edition("cover", "{id}-cover.pdf", ("pdf",), _cover),
    Edition("screen", "{id}-screen.pdf", (), _pdf("screen")),
)}
"""Every edition publish writes: `pdf` is the press interior, `cover` its cover,
`screen` the accessible PDF for reading on screens."""


def build(project: Project, languages: list[str] | None = None,
          formats: list[str] | None = None, out: Path | None = None,
          progress: Progress = lambda step: None,
          warn: Callable[[Diagnostic], None] = lambda problem: None,
          typeset: Typeset = lambda lang, edition, report: None) -> list[Path]:
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
            diagnostics.error(project.styles / sheet, None, Code.STYLES_MISSING,
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
    for name in formats or EDITIONS:
        if name not in EDITIONS:
            diagnostics.error(Path("--format"), None, Code.UNKNOWN_FORMAT,
                              f"{name!r} is not a format publish writes "
                              f"({', '.join(EDITIONS)})")
    for lang in chosen:
        if lang not in manuscript.config.languages:
            diagnostics.error(project.manuscript / "book.toml", None, Code.UNKNOWN_LANGUAGE,
                              f"{lang!r} is not one of the book's languages "
                              f"({', '.join(manuscript.config.languages)})")
    diagnostics.raise_if_any()
    classes = frozenset[str]().union(*(sheets[sheet].classes for sheet in CLASS_SHEETS))
    books = assemble_books(manuscript, chosen, diagnostics, classes)
    diagnostics.raise_if_any()
    books = [add_index(add_chronology(book), manuscript.languages[book.lang].headwords)
             for book in books]

    modified = _modified(manuscript.config.published)
    asked = formats or list(EDITIONS)
    targets = {(book.lang, name): project.output(book, name, folder.root)
               for book in books for name in asked}
    output.remove_legacy_temporaries(list(targets.values()))
    with folder.replacing(list(targets.values())):
        for book in books:
            files: dict[str, Path] = {}
            layouts: dict[str, Layout] = {}
            for name in _order(asked):
                edition = EDITIONS[name]
                target = targets.get((book.lang, name))
                suffix = PurePath(edition.file_name).suffix
                partial = folder.staged(target) if target else \
                    folder.scratch(f"{book.lang}-{name}{suffix}")
                progress(f"{book.lang} {name}: {target.name if target else 'page layout'}")
                job = Job(book.lang, name, project.output(book, name, folder.root))
                # Only the editions asked for are reported, not a layout made for the
                # others' sake. A writer is handed only what it says it needs.
                writing = Writing(book, job, partial, project, access, sheets, modified,
                                  manuscript, warn, typeset if target else lambda *report: None,
                                  {need: files[need] for need in edition.needs},
                                  {need: layouts[need] for need in edition.needs
                                   if need in layouts})
                try:
                    written = edition.write(writing)
                except Outside as outside:
                    raise BuildFailed([Diagnostic(outside.path, None, Code.FILE_OUTSIDE,
                                                  str(outside))]) from None
                except OSError as error:
                    folder.failed(error, target or folder.root)
                if written.problems:
                    raise BuildFailed(written.problems)
                files[name] = partial
                if written.layout is not None:
                    layouts[name] = written.layout
    return list(targets.values())


def _order(asked: list[str]) -> list[str]:
    """The editions asked for and those they are made from, each after what it needs
    and otherwise in the order asked."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for need in EDITIONS[name].needs:
                visit(need)
            order.append(name)

    for name in asked:
        visit(name)
    return order


def _check_face(manuscript: Manuscript, sheets: Iterable[stylesheets.Stylesheet],
                diagnostics: Collector) -> None:
    """The text face of the configuration must be one the PDF editions can set: a
    family that fontconfig knows, or one a stylesheet declares with `@font-face`."""
    face = manuscript.config.print.font
    declared = {family.casefold() for sheet in sheets for family in sheet.families}
    if face.casefold() not in declared and font_installed(face) is False:
        config = manuscript.folder / "book.toml"
        diagnostics.error(config, line_of_key(config, "print.font"), Code.CONFIG_VALUE,
                          f"font {face!r} is not installed: fontconfig knows no such family "
                          "(`fc-list : family` lists those it knows) and no @font-face of "
                          "styles/ declares it")


def _told(troubles: Troubles, writing: Writing) -> list[Diagnostic]:
    """What WeasyPrint and the press finishing found wrong with an edition, as
    diagnostics."""
    book, job = writing.book, writing.job
    transparent = [] if troubles.transparent is None else [Diagnostic(
        writing.project.manuscript / book.lang, None, Code.PRESS_TRANSPARENCY,
        f"the {book.lang} {job.edition} edition holds {troubles.transparent}, and "
        f"{book.print.pdf_x.upper()} allows no transparency; flatten it onto white")]
    return [*troubles.placed,
            *_explain(troubles.unexplained, writing.manuscript, job),
            *_locate_glyphs(troubles, writing.manuscript, job), *transparent]


def _locate_glyphs(troubles: Troubles, manuscript: Manuscript,
                   job: Job) -> list[Diagnostic]:
    """Point each character the text face lacks at the first place the book uses it:
    a chapter, or the configuration (its titles and names)."""
    if not troubles.missing:
        return []
    configs = [SourceFile(path, path.read_text(encoding="utf-8-sig")) for path in
               (manuscript.folder / job.lang / "book.toml", manuscript.folder / "book.toml")]
    found = []
    for char, fallback in sorted(troubles.missing.items()):
        drawn = f"drawn with {fallback} instead" if fallback else "no installed font has it"
        message = f"the text face {troubles.font!r} has no {char!r} (U+{ord(char):04X}); {drawn}"
        place = manuscript.locate(char, job.lang) or next(
            ((c.path, line) for c in configs if (line := c.line_of(char)) is not None), None)
        found.append(Diagnostic(*place, Code.MISSING_GLYPH, message) if place
                     else job.internal(message))
    return found


CAUSES = ((re.compile(r"Failed to load image at '[^']*/([^'/]+)'"), "{}"),)
"""WeasyPrint's messages about what the manuscript gives the document, and the text of
the manuscript that gives it. (Ids are checked before: every id is the book's only
one, so WeasyPrint's "Anchor defined twice" is a fault of publish's.)"""


def _explain(unexplained: list[str], manuscript: Manuscript,
             job: Job) -> list[Diagnostic]:
    """Each warning of WeasyPrint's about the document, at the manuscript line that
    caused it where one can be found, else as a fault of publish's."""
    found = []
    for message in unexplained:
        causes = (needle.format(unquote(m[1])) for pattern, needle in CAUSES
                  if (m := pattern.search(message)))
        place = next(filter(None, (manuscript.locate(cause, job.lang) for cause in causes)),
                     None)
        found.append(Diagnostic(*place, Code.WEASYPRINT, message) if place
                     else job.internal(f"WeasyPrint warned {message!r}"))
    return found


def _modified(published: datetime.date) -> datetime.datetime:
    """The edition's modification time: SOURCE_DATE_EPOCH where set, else the
    publication date, never the clock, so rebuilding gives the same files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        except ValueError:
            raise BuildFailed([Diagnostic(Path("SOURCE_DATE_EPOCH"), None, Code.ENVIRONMENT,
                                          f"{epoch!r} is not a count of seconds")]) from None
    return datetime.datetime.combine(published, datetime.time(), datetime.UTC)
