"""Changing files of the manuscript all at once or not at all, even when the process
is killed midway.

Each new file is written beside the one it replaces (`.<name>.sync-new`), where the
manuscript does not read it; then the files replace the old ones as one set
(`journal.FileSet`, with the journal `.sync-journal`). A command holds a lock on the
manuscript folder while it does so, and one that changes the manuscript holds it
from reading to writing, so that two never work on one manuscript at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publish import journal
from publish.diagnostics import Code

STAGED = ".sync-new"
JOURNAL = ".sync-journal"


def commit(manuscript: Path, files: dict[Path, bytes]) -> None:
    """Put `files` (paths inside `manuscript`, with their new content) in place."""
    if not files:
        return
    changed = _changed(manuscript)
    with locked(manuscript):
        changed.recover()
        for path, data in files.items():
            changed.staged(path).write_bytes(data)
        changed.replace(list(files))


def recover(manuscript: Path) -> None:
    """Finish or undo what a killed command left, before anything reads the manuscript."""
    with locked(manuscript):
        if manuscript.is_dir():
            _changed(manuscript).recover()


@contextmanager
def locked(manuscript: Path) -> Iterator[None]:
    """Hold the manuscript folder against other commands that change it; a command
    that reads it, then changes it, holds it from the one to the other, so that it
    never writes what it read before another wrote."""
    if not manuscript.is_dir():
        yield
        return
    with journal.locked(manuscript):
        yield


def _changed(manuscript: Path) -> journal.FileSet:
    """The files of the manuscript that imports and accepts replace."""
    def clear() -> None:
        for folder in [manuscript, *(p for p in manuscript.iterdir() if p.is_dir())]:
            for leftover in folder.glob(f".*{STAGED}"):
                leftover.unlink()

    return journal.FileSet(manuscript, manuscript / JOURNAL,
                           lambda path: path.with_name(f".{path.name}{STAGED}"),
                           clear, "import", Code.SYNC_JOURNAL)
