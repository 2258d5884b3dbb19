"""Faults while the editions are written: a file system that refuses, signals, kills
and a second build at once leave the editions as one whole set, old or new, with no
temporary file once the next command has run."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import BOOKS, copy_book
from tests.test_diagnostics import LINE

FORMATS = "epub,pdf,cover"
"""The e-book's page list and the cover's spine both come from the press interior:
the three must change together."""


def _tree(out: Path) -> dict[str, bytes]:
    """Every file under `out`, hidden ones included, by its path there."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def _build(book: Path, out: Path, env: dict[str, str] | None = None,
           limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """`publish build` of the three editions, in a process of its own; `limit` is the
    largest file it may write, in bytes."""
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "publish", "build", "--project", str(book), "--out", str(out),
         "--format", FORMATS], capture_output=True, text=True, check=False,
        env={**os.environ, **(env or {})}, preexec_fn=limited)


def _second_version(book: Path) -> None:
    """Change what every edition shows: the publisher is on the title pages, the
    imprint and the cover."""
    config = book / "manuscript" / "book.toml"
    config.write_text(config.read_text().replace("Test Press", "Second Test Press"))


def _one_problem(result: subprocess.CompletedProcess[str], path: Path) -> str:
    """The failed command's one line, which names `path` or a file inside it."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert LINE.fullmatch(line), line
    assert line.startswith(str(path)) and ": output: " in line, line
    return line


def _install(out: Path, tree: dict[str, bytes]) -> None:
    for name, data in tree.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The editions of the minimal book (`old`) and of its second version (`new`)."""
    base = tmp_path_factory.mktemp("versions")
    book = copy_book(BOOKS / "minimal", base / "book")
    versions = {}
    for version in ("old", "new"):
        if version == "new":
            _second_version(book)
        result = _build(book, base / version)
        assert result.returncode == 0, result.stderr
        versions[version] = _tree(base / version)
    assert all(versions["old"][name] != versions["new"][name] for name in versions["old"])
    return versions


@pytest.fixture
def book(scratch_book: Path) -> Path:
    """A copy of the minimal book at its second version: what the builds under test make."""
    _second_version(scratch_book)
    return scratch_book


@contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[None]:
    """A file system of `size` mounted at `folder` (root only)."""
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True, check=False).returncode == 0
    if not mounted:
        pytest.skip("mounting a small file system needs root")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@contextmanager
def _read_only(folder: Path, tree: dict[str, bytes]) -> Iterator[None]:
    """`folder` holding `tree`, read-only: as root, whom permissions do not stop, a
    file system of its own remounted read-only; otherwise by its mode."""
    if os.geteuid() == 0:
        with _small_disk(folder, "4m"):
            _install(folder, tree)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            yield
    else:
        _install(folder, tree)
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_read_only_output_keeps_the_previous_editions(
        book: Path, tmp_path: Path, editions: dict[str, dict[str, bytes]]) -> None:
    out = tmp_path / "out"
    with _read_only(out, editions["old"]):
        line = _one_problem(_build(book, out), out)
        assert line.endswith("the previous editions are left as they were")
        assert _tree(out) == editions["old"]


def test_full_disk_keeps_the_previous_editions(
        book: Path, tmp_path: Path, editions: dict[str, dict[str, bytes]]) -> None:
    out = tmp_path / "out"
    with _small_disk(out, "2m"):
        _install(out, editions["old"])
        # Leave room for the first staged edition, not for the others.
        room = os.statvfs(out)
        (out / "filler").write_bytes(bytes(room.f_bavail * room.f_frsize - 200_000))
        line = _one_problem(_build(book, out), out)
        assert "No space left on device (ENOSPC)" in line
        assert line.endswith("the previous editions are left as they were")
        (out / "filler").unlink()
        assert _tree(out) == editions["old"]


def test_file_size_limit_keeps_the_previous_editions(
        book: Path, tmp_path: Path, editions: dict[str, dict[str, bytes]]) -> None:
    """A file larger than the process may write (`ulimit -f`) fails with EFBIG: Python
    ignores SIGXFSZ, which would otherwise kill it. Every user can set the limit."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    line = _one_problem(_build(book, out, limit=100_000), out / "be" / "minimal.pdf")
    assert "File too large (EFBIG)" in line
    assert _tree(out) == editions["old"]
