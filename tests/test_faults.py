"""Faults while the editions are written: a file system that refuses, signals, kills
and a second build at once leave the editions as one whole set, old or new, with no
temporary file once the next command has run."""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from publish.files import PARTIAL, write_whole
from publish.journal import PAUSE
from publish.output import STAGING, Output, claimed
from tests.conftest import BOOKS, command_environment, copy_book, output_files, run_publish
from tests.test_diagnostics import LINE

FORMATS = "epub,pdf,cover"
"""The e-book's page list and the cover's spine both come from the press interior:
the three must change together."""


def _tree(out: Path) -> dict[str, bytes]:
    """Every file under `out` but the build cache, hidden ones included, by its path
    there."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in output_files(out)}


def _command(book: Path, out: Path) -> list[str]:
    """`publish build` of the three editions, every one written whatever the cache
    holds: the faults are those of writing them."""
    return [sys.executable, "-m", "publish", "build", "--project", str(book),
            "--out", str(out), "--format", FORMATS, "--fresh"]


def _build(book: Path, out: Path, limit: int | None = None
           ) -> subprocess.CompletedProcess[str]:
    """The build, in a process of its own; `limit` is the largest file it may write,
    in bytes."""
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(_command(book, out), capture_output=True, text=True,
                          check=False, preexec_fn=limited, env=command_environment())


def _second_version(book: Path) -> None:
    """Change what every edition shows: the publisher is on the title pages, the
    imprint and the cover."""
    config = book / "manuscript" / "book.toml"
    config.write_text(config.read_text().replace("Test Press", "Second Test Press"))


def _one_problem(result: subprocess.CompletedProcess[str], path: Path) -> str:
    """The failed command's problem, which names `path` or a file inside it: one
    line, or one for each language where the languages were built at once and both
    met it."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    for line in lines:
        assert LINE.fullmatch(line), line
        assert line.startswith(str(path)) and ": output: " in line, line
    assert len({line.split(": ", 1)[1] for line in lines}) == 1, "one problem"
    return lines[0]


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
    line = _one_problem(_build(book, out, limit=100_000), out)
    assert line.startswith(f"{out / 'be' / 'minimal.pdf'}:")
    assert "File too large (EFBIG)" in line
    assert _tree(out) == editions["old"]


PAUSES = {"staged": (6, "staged en/minimal-cover.pdf"),
          "renaming": (8, "replaced be/minimal.epub")}
"""The steps (`journal.PAUSE`) of a build of the six editions where a test stops it:
every edition staged, before the journal; the journal and the first rename made."""


def _started(book: Path, out: Path, pause: str | None = None) -> subprocess.Popen[str]:
    """`publish build` of the three editions, running; with `pause`, stopped at that
    point of the renames (`PAUSES`) until a signal comes."""
    step, said = PAUSES[pause] if pause else (0, "")
    process = subprocess.Popen(_command(book, out), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True,
                               env=command_environment(extra={PAUSE: str(step)} if pause else {}))
    if pause:
        assert process.stderr is not None
        assert process.stderr.readline() == f"paused after {said}\n"
    return process


def _staging(process: subprocess.Popen[str], out: Path) -> None:
    """Wait until the build has begun to write its editions."""
    while not Output(out).editions.exists():
        assert process.poll() is None, "the build ended before it wrote an edition"
        time.sleep(0.01)


def _next_command(book: Path, out: Path) -> None:
    """A build that fails on its arguments, after it has put the output folder right."""
    result = run_publish("build", "--project", str(book), "--out", str(out),
                         "--format", "docx")
    assert result.returncode == 1
    assert "unknown-format" in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda stop: stop.name)
def test_stopped_build_cleans_up_and_says_so(
        book: Path, tmp_path: Path, editions: dict[str, dict[str, bytes]],
        stop: signal.Signals) -> None:
    out = tmp_path / "out"
    _install(out, editions["old"])
    process = _started(book, out, pause="staged")
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + stop
    assert stderr == f"publish: build interrupted by {stop.name}; no file is left " \
                     "half-written\n"
    assert _tree(out) == editions["old"]


def test_stopped_during_the_layout(book: Path, tmp_path: Path,
                                   editions: dict[str, dict[str, bytes]]) -> None:
    """SIGTERM while WeasyPrint lays the book out: after the staging area is made,
    before the editions are complete."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    process = _started(book, out)
    _staging(process, out)
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert stderr.endswith("interrupted by SIGTERM; no file is left half-written\n")
    assert _tree(out) == editions["old"]


def _temporaries(out: Path) -> int:
    """The files in the staging area; `os.walk` passes over folders that a running
    build removes as it is walked."""
    return sum(len(files) for _, _, files in os.walk(out / STAGING))


def test_killed_builds_leave_nothing_after_the_next_command(
        book: Path, tmp_path: Path, editions: dict[str, dict[str, bytes]]) -> None:
    """Kills at moments spread over the writing of the editions: once the build has
    staged one file, then two, up to five of the six; each after the next build has
    cleared what the one before left. The moments are read from the staging area, not
    timed: how long a layout takes depends on the machine and its load."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    left = []
    for staged in range(1, 6):
        process = _started(book, out)
        _staging(process, out)
        while _temporaries(out) < staged and process.poll() is None:
            time.sleep(0.001)
        process.kill()
        process.wait()
        left.append(_temporaries(out))
    assert any(left), "no kill came while the build had a temporary file"
    _next_command(book, out)
    assert _tree(out) in (editions["old"], editions["new"])
    assert not (out / STAGING).exists()


def test_temporaries_of_earlier_versions_are_removed(scratch_book: Path,
                                                     tmp_path: Path) -> None:
    """Killed builds of earlier versions left `.<edition>.<8 random characters>`
    beside the editions; users' files of other names stay."""
    out = tmp_path / "out"
    left = [out / lang / f".minimal.epub.{random}" for lang in ("be", "en")
            for random in ("k2_9xq0a", "a8f3h1zz")]
    users = [out / "en" / name for name in
             ("notes.txt", ".minimal.epub.notes", ".minimal.epub.k2_9xq0a.keep",
              ".minimal.pdf.K2_9XQ0A")]
    for path in [*left, *users]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    result = run_publish("build", "--project", str(scratch_book), "--out", str(out),
                         "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert sorted(_tree(out)) == sorted(
        ["be/minimal.epub", "en/minimal.epub",
         *(path.relative_to(out).as_posix() for path in users)])


def test_write_whole_removes_what_a_killed_writer_left(tmp_path: Path) -> None:
    """A writer killed by a signal as it writes (SIGXFSZ, here, past a file size limit)
    leaves its temporary file; the next write of the same file removes it, but not
    the temporary file of a writer still at work."""
    record = tmp_path / "sync.toml"
    killed = subprocess.run(
        [sys.executable, "-c",
         "import resource, signal\n"
         "from pathlib import Path\n"
         "from publish.files import write_whole\n"
         "signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
         "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
         f"write_whole(Path({str(record)!r}), bytes(100_000))\n"], check=False)
    assert killed.returncode == -signal.SIGXFSZ
    assert len(list(tmp_path.glob(f".sync.toml.*{PARTIAL}"))) == 1
    at_work = tmp_path / f".sync.toml.at_work0{PARTIAL}"
    at_work.write_bytes(b"")
    with at_work.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        write_whole(record, b"confirmed")
    assert sorted(tmp_path.iterdir()) == [at_work, record]
    assert record.read_bytes() == b"confirmed"


def test_killed_between_the_renames(book: Path, tmp_path: Path,
                                    editions: dict[str, dict[str, bytes]]) -> None:
    """Killed after the first rename: a mix until the next command, which completes
    the renames from the journal."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    process = _started(book, out, pause="renaming")
    process.kill()
    process.wait()
    mixed = _tree(out)
    assert mixed["be/minimal.epub"] == editions["new"]["be/minimal.epub"]
    assert mixed["be/minimal.pdf"] == editions["old"]["be/minimal.pdf"]
    assert f"{STAGING}/journal.json" in mixed
    _next_command(book, out)
    assert _tree(out) == editions["new"]


def test_killed_before_the_renames(book: Path, tmp_path: Path,
                                   editions: dict[str, dict[str, bytes]]) -> None:
    """Killed with every new edition staged, before the journal: the old set stays."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    process = _started(book, out, pause="staged")
    process.kill()
    process.wait()
    assert set(_tree(out)) > set(editions["old"]), "the staged editions are left"
    _next_command(book, out)
    assert _tree(out) == editions["old"]


def test_stopped_between_the_renames_completes_them(
        book: Path, tmp_path: Path, editions: dict[str, dict[str, bytes]]) -> None:
    """SIGTERM among the renames waits for them to end: the new set, whole."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    process = _started(book, out, pause="renaming")
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert _tree(out) == editions["new"]


def test_a_second_build_into_the_folder_stops(book: Path, tmp_path: Path,
                                             editions: dict[str, dict[str, bytes]]) -> None:
    """While another process builds into the folder (here this one, holding its lock),
    a build says so and changes nothing."""
    out = tmp_path / "out"
    _install(out, editions["old"])
    with claimed(out):
        line = _one_problem(_build(book, out), out)
        assert line == f"{out}: output: another publish build is writing into this " \
                       "folder; wait for it to finish and build again"
        assert _tree(out) == editions["old"]
    assert _build(book, out).returncode == 0
    assert _tree(out) == editions["new"]
