"""The one place that knows the order of the stages:
load -> markup -> model -> transforms -> writers -> build/<lang>/.

Only what is out of date is made (`cache.py`): when nothing in the project, the
code or the machine's fonts has changed since the last build, the build reads
nothing but the files' digests; otherwise it reads the book, and each edition whose
key is what the cache holds, with its file as the build left it, is kept. The
editions still to make are grouped into pieces that need nothing of each other (the
press interior, its cover and the e-book of one language; the screen edition of
each), and the pieces run on every core (`workers.py`); what they report is told in
the order of a build that made them one after another.

The editions are written into the output folder's staging area and replace the
previous ones as one set once all are complete (`output.py`): a failed, interrupted
or killed build leaves the previous editions as they were.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from publish import cache, output, workers
from publish.access import Access, Outside, font_files, font_installed
from publish.diagnostics import BuildFailed, Code, Collector, Diagnostic
from publish.layout import Layout
from publish.writers.typesetting import Report

if TYPE_CHECKING:
    from publish import stylesheets
    from publish.assemble import Renderings
    from publish.load import Manuscript
    from publish.model import Book
    from publish.writers.pdf import Edition as PdfEdition
    from publish.writers.weasy import Troubles

STYLESHEETS = ("epub.css", "print.css", "cover.css")

Progress = Callable[[str], None]
Typeset = Callable[[str, str, Report], None]
"""Told the language, edition and typesetting report of each PDF edition asked for."""


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
    target: Path | None
    """Where to write it: its staged file, or a scratch file when it is made only for
    the editions made from it; None where those need only its layout."""
    project: Project
    access: Access
    sheets: dict[str, stylesheets.Stylesheet]
    modified: datetime.datetime
    manuscript: Manuscript
    files: dict[str, Path]
    """The file of each edition it needs, by its name."""
    layouts: dict[str, Layout]
    """The layout of each edition it needs that has one (a PDF edition), by its name."""
    mends: Mapping[str, dict[str, str]]
    """The mends of the press interior's parts that an earlier build found."""


@dataclass(frozen=True)
class Written:
    """What writing an edition gave."""

    layout: Layout | None = None
    """Its layout, where the editions made from it need one."""
    problems: list[Diagnostic] = field(default_factory=list)
    """What makes it unfit to publish: the build fails for any."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """What the publisher should know of it, which does not fail the build."""
    report: Report | None = None
    """Its typesetting report, for a PDF edition."""
    mends: dict[str, dict[str, str]] = field(default_factory=dict)
    """The mends of its parts, for the press interior."""


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
    """The editions it is made from: made before it, when they are not current."""
    write: Writer
    sheet: str
    """The stylesheet of `styles/` it is laid out by."""
    laid_out: bool = False
    """Whether the editions made from it need only its layout, not its file: when
    only they are asked for, it is laid out and not written."""


def _epub(writing: Writing) -> Written:
    from publish.writers.cover_image import front_panel
    from publish.writers.epub import write_epub

    book = writing.book
    assert writing.target is not None
    picture = front_panel(writing.files["cover"], book)
    if isinstance(picture, Diagnostic):
        return Written(problems=[picture])
    write_epub(book, writing.layouts["pdf"], picture, writing.access,
               writing.sheets["epub.css"], writing.target, writing.modified)
    return Written()


def _cover(writing: Writing) -> Written:
    from publish.writers.cover import write_cover

    assert writing.target is not None
    troubles = write_cover(writing.book, writing.layouts["pdf"], writing.access,
                           writing.project.styles, writing.target)
    return Written(problems=_told(troubles, writing))


def _pdf(edition: PdfEdition) -> Writer:
    def write(writing: Writing) -> Written:
        # Imported once something is to be laid out: WeasyPrint and its Pango bindings
        # take longer to load than a build that finds everything current.
        from publish.writers import typesetting
        from publish.writers.pdf import PRESS_PPI, write_pdf

        book = writing.book
        laid_out = write_pdf(book, edition, writing.access, writing.project.styles,
                             writing.target, writing.mends)
        if problems := _told(laid_out.rendered.troubles, writing):
            return Written(problems=problems)
        warnings = []
        for image, ppi in laid_out.rendered.low_resolution:
            path, line = writing.manuscript.locate(image.name, book.lang) or (image, None)
            warnings.append(Diagnostic(path, line, Code.LOW_RESOLUTION,
                                       f"image {image.name!r} prints at {ppi} ppi in the "
                                       f"{book.lang} {edition} edition; the press asks for "
                                       f"{PRESS_PPI} or more"))
        return Written(laid_out.layout, warnings=warnings,
                       report=typesetting.report(laid_out.rendered.lines),
                       mends=laid_out.mends)
    return write


EDITIONS = {edition.name: edition for edition in (
    # The e-book marks where the press interior's pages begin; its cover picture is
    # the press cover's front panel.
    Edition("epub", "{id}.epub", ("pdf", "cover"), _epub, "epub.css"),
    Edition("pdf", "{id}.pdf", (), _pdf("pdf"), "print.css", laid_out=True),
    # The spine is as wide as the interior's pages are many.
    Edition("cover", "{id}-cover.pdf", ("pdf",), _cover, "cover.css"),
    Edition("screen", "{id}-screen.pdf", (), _pdf("screen"), "print.css"),
)}
"""Every edition publish writes: `pdf` is the press interior, `cover` its cover,
`screen` the accessible PDF for reading on screens."""


def build(project: Project, languages: list[str] | None = None,
          formats: list[str] | None = None, out: Path | None = None,
          progress: Progress = lambda step: None,
          warn: Callable[[Diagnostic], None] = lambda problem: None,
          typeset: Typeset = lambda lang, edition, report: None,
          fresh: bool = False, jobs: int | None = None) -> list[Path]:
    """Build the chosen editions (all by default); return their files. Those the
    cache finds current are kept, unless `fresh`. `warn` is told what the publisher
    should know of the editions, `typeset` the typesetting report of each PDF
    edition asked for; `progress` what is being made. The pieces of work run in
    `jobs` processes at once (by default, one per core).

    Every edition is staged first; only when all of them are complete do they replace
    the previous ones, as one set, so a failure leaves `build/` as it was.
    """
    with output.claimed(out or project.root / "build") as folder:
        store = cache.Store(folder.root)
        inputs = cache.inputs(project.manuscript, project.styles)
        # What the last build recorded: the lock keeps it as it is until this one ends.
        last = store.record()
        told = None if fresh else _unchanged(store, last, inputs, languages, formats)
        if told is None:
            told = _build(project, folder, store, last, inputs, languages, formats,
                          progress, jobs or workers.cores(), fresh)
    return _tell(told, warn, typeset)


@dataclass(frozen=True)
class _Told:
    """What the build says of one edition asked for."""

    lang: str
    edition: str
    path: Path | None
    """None for an edition made only for the sake of those asked for."""
    report: Report | None
    warnings: list[Diagnostic]


def _tell(told: list[_Told], warn: Callable[[Diagnostic], None],
          typeset: Typeset) -> list[Path]:
    for edition in told:
        for warning in edition.warnings:
            warn(warning)
        if edition.report is not None:
            typeset(edition.lang, edition.edition, edition.report)
    return [edition.path for edition in told if edition.path is not None]


def _unchanged(store: cache.Store, record: cache.Record | None, inputs: str,
               languages: list[str] | None, formats: list[str] | None
               ) -> list[_Told] | None:
    """What the last build told of the editions asked for, when nothing they are made
    from has changed and their files are as it left them; else None."""
    if record is None or record.inputs != inputs or \
            cache.system(map(Path, record.system)) != record.system:
        return None
    told = []
    for lang in languages or record.languages:
        for name in formats or EDITIONS:
            entry = store.entry(lang, name)
            key = record.keys.get(f"{lang}/{name}")
            if entry is None or key is None or entry.path is None or \
                    not entry.current(key, entry.path):
                return None
            told.append(_Told(lang, name, entry.path, entry.report, entry.warnings))
    return told


def _build(project: Project, folder: output.Output, store: cache.Store,
           last: cache.Record | None, inputs: str, languages: list[str] | None,
           formats: list[str] | None, progress: Progress, jobs: int,
           fresh: bool) -> list[_Told]:
    read = read_inputs(project, languages, formats)
    manuscript, sheets, books = read.manuscript, read.sheets, read.books
    access = project.access(manuscript.config.print.icc_profile)
    modified = _modified(manuscript.config.published)
    asked = formats or list(EDITIONS)
    system = cache.system([Path(manuscript.config.print.icc_profile),
                           *font_files(manuscript.config.print.font)])
    plans = [_Plan(project, folder, store, book, asked, sheets, system, fresh)
             for book in books]
    targets = [path for plan in plans for path in plan.targets.values()]
    output.remove_legacy_temporaries(targets)
    contexts = {book.lang: _Context(project, access, sheets, modified, manuscript)
                for book in books}
    pieces = sorted(((plan, piece) for plan in plans for piece in plan.pieces()),
                    key=lambda item: -len(item[1]))

    def started(index: int) -> None:
        plan, piece = pieces[index]
        progress(f"{index + 1}/{len(pieces)} {plan.book.lang} {' '.join(piece)}")

    written = [path for plan in plans for path in plan.written()]
    with folder.replacing(written):
        results = workers.run([_runner(plan, piece, contexts[plan.book.lang])
                               for plan, piece in pieces], jobs, started)
        problems = list(dict.fromkeys(problem for result in results
                                      for made in result.values()
                                      for problem in made.problems))
        if problems:
            raise BuildFailed(problems)
    for (plan, _), result in zip(pieces, results, strict=True):
        plan.made.update(result)
    for plan in plans:
        plan.keep()
    keys = {f"{plan.book.lang}/{name}": plan.keys[name] for plan in plans
            for name in plan.targets}
    if last is not None and last.inputs == inputs and last.system == system:
        keys = last.keys | keys
    store.keep(cache.Record(inputs, system, manuscript.config.languages, keys))
    return [told for plan in plans for told in plan.told()]


@dataclass(frozen=True)
class Inputs:
    """What a build reads, all of it checked."""

    manuscript: Manuscript
    sheets: dict[str, stylesheets.Stylesheet]
    books: list[Book]
    """The book of each language chosen, as the writers take it."""
    renderings: dict[str, Renderings]
    """Each chapter of each language chosen as markup rendered it, with its blocks."""


def read_inputs(project: Project, languages: list[str] | None,
                formats: list[str] | None) -> Inputs:
    """What the editions of `languages` in `formats` are made from: every problem of
    the manuscript, the styles and the options is raised here, before anything is
    written."""
    from publish import stylesheets
    from publish.assemble import assemble_books, render_books
    from publish.attributes import CLASS_SHEETS
    from publish.load import load_manuscript
    from publish.transforms import add_chronology, add_index

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
    renderings = render_books(manuscript, list(dict.fromkeys(chosen)), classes)
    books = assemble_books(manuscript, renderings, diagnostics)
    diagnostics.raise_if_any()
    return Inputs(manuscript, sheets, [
        add_index(add_chronology(book), manuscript.languages[book.lang].headwords)
        for book in books], renderings)


@dataclass(frozen=True)
class _Context:
    """What every writer of the build may use, beside its book."""

    project: Project
    access: Access
    sheets: dict[str, stylesheets.Stylesheet]
    modified: datetime.datetime
    manuscript: Manuscript


class _Plan:
    """The editions of one language: each one's key, which the cache holds current,
    and what is still to make."""

    def __init__(self, project: Project, folder: output.Output, store: cache.Store,
                 book: Book, asked: list[str], sheets: dict[str, stylesheets.Stylesheet],
                 system: dict[str, cache.Signature | None], fresh: bool) -> None:
        self.book, self.folder, self.store = book, folder, store
        self.order = _order(asked)
        self.paths = {name: project.output(book, name, folder.root) for name in self.order}
        self.targets = {name: self.paths[name] for name in asked}
        model = cache.fingerprint(book)
        environment = (cache.code(), cache.environment(), system)
        self.keys: dict[str, str] = {}
        self.settings: dict[str, str] = {}
        self.current: dict[str, cache.Entry] = {}
        self.mends: dict[str, dict[str, str]] = {}
        """The mends of the press interior's parts that the cache holds, for any part
        of the book left as it was."""
        for name in self.order:
            edition = EDITIONS[name]
            self.settings[name] = cache.digest(cache.FORMAT, name, environment,
                                               _sheet_digest(sheets[edition.sheet]))
            self.keys[name] = cache.digest(
                self.settings[name], model, [self.keys[need] for need in edition.needs])
            entry = None if fresh else store.entry(book.lang, name)
            if entry is not None and self._serves(name, entry):
                self.current[name] = entry
            if entry is not None and entry.setting == self.settings[name]:
                self.mends.update(entry.mends)
        self.made: dict[str, Written] = {}

    def _serves(self, name: str, entry: cache.Entry) -> bool:
        """Whether the cache's entry is what the build needs of the edition: its
        file where it is asked for or its file is needed, else its layout."""
        if name not in self.targets and EDITIONS[name].laid_out:
            return entry.key == self.keys[name] and entry.layout is not None
        return entry.current(self.keys[name], self.paths[name])

    def _needed(self) -> list[str]:
        """The editions to make, in order: those asked for that are not current, and
        those that they are made from that are not."""
        needed: list[str] = []
        for name in reversed(self.order):
            if name not in self.current and (name in self.targets or any(
                    name in EDITIONS[other].needs for other in needed)):
                needed.append(name)
        return [name for name in self.order if name in needed]

    def pieces(self) -> list[list[str]]:
        """The editions to make, grouped so that no group needs what another makes."""
        groups: list[list[str]] = []
        for name in self._needed():
            joined = [group for group in groups
                      if any(need in group for need in EDITIONS[name].needs)]
            groups = [group for group in groups if group not in joined]
            groups.append([made for group in joined for made in group] + [name])
        return groups

    def written(self) -> list[Path]:
        """The files asked for that the build writes, in the order asked."""
        needed = self._needed()
        return [path for name, path in self.targets.items() if name in needed]

    def target(self, name: str) -> Path | None:
        """Where an edition to make is written."""
        if name in self.targets:
            return self.folder.staged(self.targets[name])
        if EDITIONS[name].laid_out:
            return None
        suffix = PurePath(EDITIONS[name].file_name).suffix
        return self.folder.scratch(f"{self.book.lang}-{name}{suffix}")

    def keep(self) -> None:
        """Record in the cache what the build made, once the editions are in place."""
        for name, written in self.made.items():
            path = self.targets.get(name)
            self.store.save(self.book.lang, name, cache.Entry(
                self.keys[name], cache.signature(path) if path else None,
                path, written.layout, written.report,
                written.warnings, written.mends, self.settings[name]))

    def told(self) -> Iterator[_Told]:
        """What the build says of the editions asked for, and what it warns of in
        those it made only for their sake."""
        for name, path in self.targets.items():
            source = self.made.get(name) or self.current[name]
            yield _Told(self.book.lang, name, path, source.report, source.warnings)
        for name, made in self.made.items():
            if name not in self.targets:
                yield _Told(self.book.lang, name, None, None, made.warnings)

    def layouts(self) -> dict[str, Layout]:
        return {name: entry.layout for name, entry in self.current.items()
                if entry.layout is not None}


def _sheet_digest(sheet: stylesheets.Stylesheet) -> str:
    """A stylesheet with the files of `styles/` it names (fonts, images, sheets)."""
    return cache.digest([cache.file_digest(path) for path in (sheet.path, *sheet.resources)])


def _runner(plan: _Plan, piece: list[str], context: _Context
            ) -> Callable[[], dict[str, Written]]:
    """The work of one piece: its editions made one after another, each from the
    files and layouts of those before it and of those the cache holds."""
    def run() -> dict[str, Written]:
        book = plan.book
        files = {name: plan.paths[name] for name in plan.current}
        layouts = plan.layouts()
        made: dict[str, Written] = {}
        for name in piece:
            edition = EDITIONS[name]
            target = plan.target(name)
            job = Job(book.lang, name, plan.paths[name])
            writing = Writing(book, job, target, context.project, context.access,
                              context.sheets, context.modified, context.manuscript,
                              {need: files[need] for need in edition.needs
                               if need in files},
                              {need: layouts[need] for need in edition.needs
                               if need in layouts}, plan.mends)
            try:
                written = edition.write(writing)
            except Outside as outside:
                written = Written(problems=[Diagnostic(outside.path, None, Code.FILE_OUTSIDE,
                                                       str(outside))])
            except OSError as error:
                try:
                    plan.folder.failed(error, plan.targets.get(name, plan.folder.root))
                except BuildFailed as failed:
                    written = Written(problems=failed.diagnostics)
            made[name] = written
            if written.problems:
                break
            if target is not None:
                files[name] = target
            if written.layout is not None:
                layouts[name] = written.layout
        return made
    return run


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
    from publish.config import line_of_key

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
    from publish.load import SourceFile

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
