"""Writing a file so that readers see the old one or the new one, never half of it,
and no temporary file outlives the next write of the same file."""

from __future__ import annotations

import fcntl
import glob
import os
import stat
import tempfile
from pathlib import Path

PARTIAL = ".publish-partial"
"""The end of the name of a temporary file being written (`.<name>.<random>` before it)."""


def write_whole(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then put it in `path`'s place.
    Temporary files that killed writers left beside `path` are removed first. A
    device or a pipe (`-o /dev/stdout`) is written to as a stream, never replaced."""
    if _stream(path):
        with path.open("wb") as out:
            out.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(path)
    handle, partial = _partial(path)
    try:
        # The lock on the temporary file lasts as long as it is open: it stays open
        # until the rename, so that no other writer takes it for abandoned.
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            partial.chmod(0o644)
            partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _stream(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _partial(path: Path) -> tuple[int, Path]:
    """A new temporary file beside `path`, open and locked by this process."""
    while True:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL,
                                        dir=path.parent)
        fcntl.flock(handle, fcntl.LOCK_EX)
        if os.fstat(handle).st_nlink:
            return handle, Path(name)
        # Another writer removed it between its creation and the lock.
        os.close(handle)


def remove_abandoned(path: Path) -> None:
    """Remove the temporary files beside `path` that no running process holds locked:
    a killed writer's lock went with it."""
    for left in path.parent.glob(f".{glob.escape(path.name)}.*{PARTIAL}"):
        try:
            handle = os.open(left, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            left.unlink(missing_ok=True)
        except BlockingIOError:
            continue
        finally:
            os.close(handle)
