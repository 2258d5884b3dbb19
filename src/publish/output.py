"""The output folder, where the editions are replaced as one set: readers find the
previous editions or the new ones, whole, whatever stops a build and whenever.

A build holds a lock on the folder while it runs; a second build into the same
folder stops at once and says so. The new editions are written into the folder's
`.publish/` staging area and replace the previous ones as one set of files
(`journal.FileSet`): a build killed among the renames leaves their journal in
`.publish/`, and the next build into the folder completes them before anything
else; whatever else a killed build left in `.publish/` is removed then too.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.journal import FileSet, locked

STAGING = ".publish"
JOURNAL = "journal.json"

_LEGACY = re.compile(r"[a-z0-9_]{8}")
"""What `tempfile.mkstemp` added to the temporary names of earlier versions
(`.<edition>.<8 characters>`, beside the edition)."""

KEPT = "the previous editions are left as they were"
PENDING = "the next build into this folder completes the replacement of the editions"


@dataclass(frozen=True)
class Output:
    """The output folder of a build that holds its lock."""

    root: Path

    @property
    def staging(self) -> Path:
        return self.root / STAGING

    @property
    def editions(self) -> Path:
        """Where the new editions are staged, in the folders they will have in `root`."""
        return self.staging / "editions"

    @property
    def files(self) -> FileSet:
        """The editions, as the set of files that a build replaces."""
        return FileSet(self.root, self.staging / JOURNAL,
                       lambda target: self.editions / target.relative_to(self.root),
                       lambda: shutil.rmtree(self.staging, ignore_errors=True),
                       "build", Code.OUTPUT)

    def staged(self, target: Path) -> Path:
        """Where the new edition for `target` is written until it replaces it."""
        staged = self.files.staged(target)
        staged.parent.mkdir(parents=True, exist_ok=True)
        return staged

    def scratch(self, name: str) -> Path:
        """A file for a layout that no edition keeps."""
        scratch = self.staging / "scratch"
        scratch.mkdir(parents=True, exist_ok=True)
        return scratch / name

    def _prepare(self, targets: list[Path]) -> None:
        """Make the targets' folders, or say why they cannot hold the editions."""
        try:
            self.staging.mkdir(exist_ok=True)
        except OSError as error:
            self.failed(error, self.root)
        for target in targets:
            _check_folder(target.parent, self.root)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                self.failed(error, target.parent)
            if target.is_dir():
                raise BuildFailed([_fault(target, "is a folder, where an edition belongs")])
            if not os.access(target.parent, os.W_OK | os.X_OK):
                raise BuildFailed([_fault(target.parent, "is not writable")])
            if target.parent.stat().st_dev != self.staging.stat().st_dev:
                # A rename cannot cross file systems, and the renames are what make the
                # editions change as one set.
                raise BuildFailed([_fault(target.parent, f"is on another file system than "
                                                         f"{self.root}")])

    @contextmanager
    def replacing(self, targets: list[Path]) -> Iterator[None]:
        """The block stages the editions for `targets`; they replace the targets, as
        one set, once it completes."""
        self._prepare(targets)
        yield
        self._commit(targets)

    def _commit(self, targets: list[Path]) -> None:
        self._prepare(targets)
        self.files.replace(targets)

    def failed(self, error: OSError, writing: Path) -> NoReturn:
        """Raise the diagnostic of a failure of the file system while `writing` an
        edition; re-raise `error` if it is about a file outside the output folder (one
        being read)."""
        path = Path(error.filename) if error.filename else writing
        if not path.is_relative_to(self.root):
            raise error
        if path.is_relative_to(self.editions):
            path = self.root / path.relative_to(self.editions)
        elif path.is_relative_to(self.staging):
            path = writing
        left = PENDING if (self.staging / JOURNAL).exists() else KEPT
        raise BuildFailed([_fault(path, _described(error), left)]) from None


@contextmanager
def claimed(root: Path) -> Iterator[Output]:
    """The output folder `root`, locked against other builds, with what an earlier
    killed build left completed or removed; the staging area is removed at the end
    unless renames are pending."""
    _check_folder(root, root)
    with ExitStack() as lock:
        try:
            root.mkdir(parents=True, exist_ok=True)
            lock.enter_context(locked(root, wait=False))
        except BlockingIOError:
            raise BuildFailed([Diagnostic(
                root, None, Code.OUTPUT,
                "another publish build is writing into this folder; wait for it to "
                "finish and build again")]) from None
        except OSError as error:
            raise BuildFailed([_fault(root, _described(error))]) from None
        output = Output(root)
        try:
            output.files.recover()
            yield output
        except OSError as error:
            output.failed(error, root)
        finally:
            if not output.files.journal.exists():
                output.files.clear()


def remove_legacy_temporaries(targets: list[Path]) -> None:
    """Remove the temporary files that builds of earlier versions, killed, left beside
    the editions: `.<edition name>.` and eight characters of `tempfile`'s alphabet."""
    for target in targets:
        if target.parent.is_dir():
            for left in target.parent.glob(f".{target.name}.*"):
                if _LEGACY.fullmatch(left.name.removeprefix(f".{target.name}.")):
                    left.unlink(missing_ok=True)


def _check_folder(folder: Path, root: Path) -> None:
    """`folder` and the folders between it and `root` are folders, or do not exist yet."""
    for part in [folder, *folder.parents]:
        if part.exists() and not part.is_dir():
            raise BuildFailed([_fault(part, "is a file, where the editions need a folder")])
        if part == root:
            return


def _fault(path: Path, problem: str, left: str = KEPT) -> Diagnostic:
    return Diagnostic(path, None, Code.OUTPUT, f"{problem}; {left}")


def _described(error: OSError) -> str:
    return f"{error.strerror} ({errno.errorcode.get(error.errno or 0, 'unknown error')})"
