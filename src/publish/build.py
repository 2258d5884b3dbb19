"""The one place that knows the order of the stages:
load -> markup -> model -> writers -> build/<lang>/<book-id>.<format>.

An edition is written to a temporary file beside its final name and moved into
place only when complete, so a failed or interrupted build leaves the previous
edition as it was.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from publish.assemble import assemble_book
from publish.diagnostics import BuildFailed, Collector, Diagnostic
from publish.load import load_manuscript
from publish.model import Book
from publish.writers.epub import write_epub
from publish.writers.pdf import write_pdf

FORMATS = ("epub", "pdf")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def manuscript(self) -> Path:
        return self.root / "manuscript"

    @property
    def styles(self) -> Path:
        return self.root / "styles"

    def output(self, book: Book, fmt: str, out: Path | None = None) -> Path:
        return (out or self.root / "build") / book.lang / f"{book.id}.{fmt}"


def build(project: Project, languages: list[str] | None = None,
          formats: list[str] | None = None, out: Path | None = None,
          progress: Progress = lambda step: None) -> list[Path]:
    """Build the chosen editions (all by default); return the files written."""
    diagnostics = Collector()
    manuscript = load_manuscript(project.manuscript, diagnostics)
    diagnostics.raise_if_any()
    assert manuscript is not None
    chosen = languages or manuscript.config.languages
    for fmt in formats or FORMATS:
        if fmt not in FORMATS:
            diagnostics.error(project.manuscript / "book.toml", None, "unknown-format",
                              f"{fmt!r} is not a format publish writes ({', '.join(FORMATS)})")
    for lang in chosen:
        if lang not in manuscript.config.languages:
            diagnostics.error(project.manuscript / "book.toml", None, "unknown-language",
                              f"{lang!r} is not one of the book's languages "
                              f"({', '.join(manuscript.config.languages)})")
    diagnostics.raise_if_any()
    books = [assemble_book(manuscript, lang, diagnostics) for lang in chosen]
    diagnostics.raise_if_any()

    modified = _modified(manuscript.config.published)
    written = []
    for book in books:
        for fmt in formats or FORMATS:
            target = project.output(book, fmt, out)
            progress(f"{book.lang} {fmt}: {target.name}")
            with _atomic(target) as partial:
                if fmt == "epub":
                    write_epub(book, project.styles, partial, modified)
                else:
                    write_pdf(book, [project.manuscript, project.styles], project.styles,
                              partial)
            written.append(target)
    return written


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


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.chmod(0o644)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
