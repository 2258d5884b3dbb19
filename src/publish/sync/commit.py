"""Changing files of the manuscript all at once or not at all, even when the process
is killed midway.

Each new file is written beside the one it replaces (`.<name>.sync-new`), then a
journal naming them all is put in place with one rename, then each takes its
file's place. A process killed before the journal exists leaves only files the
manuscript does not read, and the next command removes them: nothing changed. One
killed after leaves the journal, and the next command finishes the renames:
everything changed. A command holds a lock on the manuscript folder while it does
either, and one that changes the manuscript holds it from reading to writing, so
that two never work on one manuscript at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publish.diagnostics import BuildFailed, Diagnostic

STAGED = ".sync-new"
JOURNAL = ".sync-journal"
PAUSE = "PUBLISH_TEST_PAUSE_AT"
"""For the tests of kills: the number of the step (from 1) to stop at, saying so on
standard error, until killed."""


def commit(manuscript: Path, files: dict[Path, bytes]) -> None:
    """Put `files` (paths inside `manuscript`, with their new content) in place."""
    if not files:
        return
    journal = manuscript / JOURNAL
    with locked(manuscript):
        _recover(manuscript)
        steps = _Steps()
        staged = {path: _staged(path) for path in files}
        for path, data in files.items():
            _write(staged[path], data)
            steps.done(f"staged {path.name}")
        _write(_staged(journal), json.dumps(
            [[str(staged[path].relative_to(manuscript)), str(path.relative_to(manuscript))]
             for path in files]).encode("utf-8"))
        _sync_folders([*files, journal])
        try:
            _staged(journal).replace(journal)
            _sync_folders([journal])
            steps.done("journal written")
            for path, partial in staged.items():
                partial.replace(path)
                steps.done(f"replaced {path.name}")
            _finish(journal, list(files))
        except BaseException:
            # A signal that stops the command after the journal is written comes too
            # late to stop the change: the journal promises all of it.
            if journal.exists():
                _recover(manuscript)
            raise


def recover(manuscript: Path) -> None:
    """Finish or undo what a killed command left, before anything reads the manuscript."""
    with locked(manuscript):
        if manuscript.is_dir():
            _recover(manuscript)


def _recover(manuscript: Path) -> None:
    journal = manuscript / JOURNAL
    if journal.exists():
        moved = []
        for partial, path in _entries(manuscript, journal):
            if partial.exists():
                partial.replace(path)
            moved.append(path)
        _finish(journal, moved)
    for folder in [manuscript, *(p for p in manuscript.iterdir() if p.is_dir())]:
        for leftover in folder.glob(f".*{STAGED}"):
            leftover.unlink()


def _entries(manuscript: Path, journal: Path) -> list[tuple[Path, Path]]:
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
        pairs = [(manuscript / staged, manuscript / path) for staged, path in entries]
    except (ValueError, TypeError) as error:
        raise _broken(journal, f"cannot be read ({error})") from None
    root = manuscript.resolve()
    for staged, path in pairs:
        if staged != _staged(path) or not path.resolve().is_relative_to(root):
            raise _broken(journal, f"names a file no import writes: {path}")
    return pairs


def _broken(journal: Path, problem: str) -> BuildFailed:
    return BuildFailed([Diagnostic(journal, None, "sync-journal",
                                   f"the journal of an interrupted import {problem}; "
                                   "see which files it names, then remove it")])


def _finish(journal: Path, files: list[Path]) -> None:
    _sync_folders(files)
    journal.unlink()
    _sync_folders([journal])


def _staged(path: Path) -> Path:
    return path.with_name(f".{path.name}{STAGED}")


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _sync_folders(paths: list[Path]) -> None:
    """Make what was written and renamed in the folders of `paths` last through a
    crash of the machine, not only of the process."""
    for folder in {path.parent for path in paths}:
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


_HELD: set[Path] = set()
"""The manuscript folders this process holds the lock of."""


@contextmanager
def locked(manuscript: Path) -> Iterator[None]:
    """Hold the manuscript folder against other commands that change it; a command
    that reads it, then changes it, holds it from the one to the other, so that it
    never writes what it read before another wrote."""
    folder = manuscript.resolve()
    if folder in _HELD or not folder.is_dir():
        yield
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _HELD.add(folder)
        yield
    finally:
        _HELD.discard(folder)
        os.close(handle)


class _Steps:
    def __init__(self) -> None:
        self.count = 0
        self.pause = int(os.environ.get(PAUSE, "0"))

    def done(self, step: str) -> None:
        self.count += 1
        if self.count == self.pause:
            print(f"paused after {step}", file=sys.stderr, flush=True)
            time.sleep(600)
