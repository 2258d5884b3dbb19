"""A set of files replaced all at once: a process stopped or killed at any moment
leaves the old set, or the new one once the next command has run; never a mix.

The new files are staged where nothing reads them and put on the disk; then a
journal of the renames that put them in place is written whole (by a rename of its
own), the renames are made with the signals that ask to stop held until they end,
and the journal is removed. The next command completes the renames of a journal a
killed process left, and removes what was staged without one. A lock on the folder
of the set keeps other processes out while one works on it.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.files import remove_abandoned, write_whole
from publish.signals import STOPPING, held

PAUSE = "PUBLISH_TEST_PAUSE"
"""For the tests of stopped and killed commands only: the number of the step (from 1:
each file staged, the journal written, each file replaced) after which a command
says `paused after <step>` on standard error and waits there for a signal."""


@dataclass(frozen=True)
class FileSet:
    """The files under `root` that one kind of command replaces as a set."""

    root: Path
    """The folder that holds the files and their staged versions; the journal names
    them relative to it."""
    journal: Path
    staged: Callable[[Path], Path]
    """Where the new content of a file of the set waits for its rename."""
    clear: Callable[[], None]
    """Remove whatever was staged; never while the journal exists."""
    command: str
    """What writes the set (`build`, `import`), as the problem with a journal says."""
    code: Code
    """The code of that problem."""

    def replace(self, targets: list[Path]) -> None:
        """Put the files staged for `targets` in their places, all at once."""
        pause = _Pause(int(os.environ.get(PAUSE, "0")))
        for target in targets:
            _sync_file(self.staged(target))
            pause.after(f"staged {self._shown(target)}")
        renames = [(self.staged(target), target) for target in targets]
        for folder in sorted({staged.parent for staged, _ in renames}):
            _sync_folder(folder)
        with held():
            write_whole(self.journal, json.dumps(
                [[self._shown(staged), self._shown(target)] for staged, target in renames]
            ).encode("utf-8"))
            _sync_folder(self.journal.parent)
            pause.after("journal written")
            self._complete(renames, pause)

    def recover(self) -> None:
        """Complete the renames of a journal a killed process left, then remove what
        was staged."""
        if self.journal.exists():
            self._complete(self._renames(), _Pause(0))
        remove_abandoned(self.journal)
        self.clear()

    def _complete(self, renames: list[tuple[Path, Path]], pause: _Pause) -> None:
        """Make the renames not made yet, then remove the journal."""
        for staged, target in renames:
            if staged.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                staged.replace(target)
            pause.after(f"replaced {self._shown(target)}")
        for folder in sorted({target.parent for _, target in renames}):
            _sync_folder(folder)
        self.journal.unlink()
        _sync_folder(self.journal.parent)

    def _renames(self) -> list[tuple[Path, Path]]:
        try:
            entries = json.loads(self.journal.read_text(encoding="utf-8"))
            renames = [(str(name), self.root / staged, self.root / name)
                       for staged, name in entries]
        except (ValueError, TypeError) as error:
            raise self._broken(f"cannot be read ({error})") from None
        inside = self.root.resolve()
        for name, staged, target in renames:
            # Only the renames this set's commands make: a journal written by hand or
            # by another program moves nothing.
            if not (target.is_relative_to(self.root) and target.resolve().is_relative_to(inside)
                    and staged == self.staged(target)):
                raise self._broken(f"names a file no {self.command} writes: {name}")
        return [(staged, target) for _, staged, target in renames]

    def _broken(self, problem: str) -> BuildFailed:
        return BuildFailed([Diagnostic(
            self.journal, None, self.code,
            f"the journal of an interrupted {self.command} {problem}; see which files it "
            "names, then remove it")])

    def _shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


_HELD: set[Path] = set()
"""The folders this process holds the lock of."""


@contextmanager
def locked(folder: Path, wait: bool = True) -> Iterator[None]:
    """Hold `folder` against other processes that change its files, waiting for one
    that holds it (or, without `wait`, raising BlockingIOError). A process that
    holds it already holds it again at once: a command that reads the files, then
    changes them, holds it from the one to the other."""
    resolved = folder.resolve()
    if resolved in _HELD:
        yield
        return
    handle = os.open(resolved, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        _HELD.add(resolved)
        yield
    finally:
        _HELD.discard(resolved)
        os.close(handle)


def _sync_file(path: Path) -> None:
    """Put the file's bytes on the disk, so that no rename can outlive them."""
    with path.open("rb") as written:
        os.fsync(written.fileno())


def _sync_folder(folder: Path) -> None:
    """Make what was renamed in `folder` last through a crash of the machine, not
    only of the process."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@dataclass
class _Pause:
    at: int
    steps: int = 0

    def after(self, step: str) -> None:
        self.steps += 1
        if self.steps != self.at:
            return
        # Blocked from before the test is told, the signal cannot come before the
        # wait; raised again once taken, it has the effect it has without the pause
        # (it stops the command, or waits while the renames hold signals).
        unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
        try:
            print(f"paused after {step}", file=sys.stderr, flush=True)
            number = signal.sigwait(STOPPING)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        signal.raise_signal(number)
