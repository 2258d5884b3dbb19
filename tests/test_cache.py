"""The build cache and the parallel build: an edition is made again exactly when
something it is made from changed, what a build keeps is what a fresh build would
write, and the pieces run at once give the bytes of one run after another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from publish import cache, workers
from publish.build import EDITIONS, Project, build
from publish.writers import mending, weasy
from publish.writers import pdf as pdf_writer
from publish.writers.typesetting import Report
from tests.conftest import command_environment, output_files


def _times(out: Path) -> dict[str, int]:
    """When each edition under `out` was last written."""
    return {path.relative_to(out).as_posix(): path.stat().st_mtime_ns
            for path in output_files(out)}


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {name for name, written in after.items() if before.get(name) != written}


def _all(lang: str) -> set[str]:
    return {f"{lang}/{edition.file_name.format(id='minimal')}" for edition in EDITIONS.values()}


def _built(book: Path, out: Path, **options: object) -> tuple[list[Path], dict[str, str]]:
    """The files of a build and the summary of each typesetting report it told."""
    reports: dict[str, str] = {}

    def typeset(lang: str, edition: str, report: Report) -> None:
        reports[f"{lang} {edition}"] = report.summary()

    written = build(Project(book), out=out, typeset=typeset, **options)  # type: ignore[arg-type]
    return written, reports


def test_a_build_with_nothing_changed_writes_nothing_and_tells_the_same(
        scratch_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, reports = _built(scratch_book, out)
    before = _times(out)
    again, reports_again = _built(scratch_book, out)
    assert again == first
    assert reports_again == reports and set(reports) == {
        "be pdf", "be screen", "en pdf", "en screen"}
    assert _changed(before, _times(out)) == set()


def test_a_stylesheet_changes_only_the_editions_laid_out_by_it(
        scratch_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), out=out)
    before = _times(out)
    sheet = scratch_book / "styles" / "epub.css"
    sheet.write_text(sheet.read_text() + "\np { margin: 0; }\n")
    build(Project(scratch_book), out=out)
    assert _changed(before, _times(out)) == {"be/minimal.epub", "en/minimal.epub"}
    # What the cache kept gives the bytes a build from nothing gives.
    fresh = tmp_path / "fresh"
    build(Project(scratch_book), out=fresh)
    for path in output_files(fresh):
        assert path.read_bytes() == (out / path.relative_to(fresh)).read_bytes(), path


def test_an_edited_chapter_changes_only_its_language(scratch_book: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), out=out)
    before = _times(out)
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence, at the end.\n")
    build(Project(scratch_book), out=out)
    assert _changed(before, _times(out)) == _all("en")


def test_only_the_edited_chapter_is_mended_again(scratch_book: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The mends of the parts left as they were come from the cache, and give the
    bytes a build from nothing gives."""
    mended: list[str | None] = []
    mend = mending._mend

    def kept(part: mending.Part, text: str, side: str, apart: weasy.Apart) -> dict[str, str]:
        mended.append(part.opening)
        return mend(part, text, side, apart)

    monkeypatch.setattr(mending, "_mend", kept)
    out = tmp_path / "out"
    build(Project(scratch_book), ["en"], ["pdf"], out=out, jobs=1)
    assert mended == [None, "first", "second"]
    chapter = scratch_book / "manuscript" / "en" / "02-second.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence, at the end.\n")
    mended.clear()
    build(Project(scratch_book), ["en"], ["pdf"], out=out, jobs=1)
    assert mended == ["second"]
    fresh = tmp_path / "fresh"
    build(Project(scratch_book), ["en"], ["pdf"], out=fresh, jobs=1)
    assert (out / "en" / "minimal.pdf").read_bytes() == (fresh / "en" / "minimal.pdf").read_bytes()
    # A changed stylesheet changes how every part sets.
    mended.clear()
    sheet = scratch_book / "styles" / "print.css"
    sheet.write_text(sheet.read_text() + "\np { word-spacing: 0.01em; }\n")
    build(Project(scratch_book), ["en"], ["pdf"], out=out, jobs=1)
    assert mended == [None, "first", "second"]


def test_the_code_the_environment_and_fresh_make_everything_again(
        scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), ["en"], out=out)
    before = _times(out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(Project(scratch_book), ["en"], out=out)
    after = _times(out)
    assert _changed(before, after) == _all("en")
    monkeypatch.setattr(cache, "code", lambda: "another version of publish")
    build(Project(scratch_book), ["en"], out=out)
    again = _times(out)
    assert _changed(after, again) == _all("en")
    build(Project(scratch_book), ["en"], ["epub"], out=out, fresh=True)
    assert _changed(again, _times(out)) == {"en/minimal.epub"}


def test_an_edition_replaced_or_removed_is_made_again(scratch_book: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), ["en"], out=out)
    epub, cover = out / "en" / "minimal.epub", out / "en" / "minimal-cover.pdf"
    made = epub.read_bytes()
    epub.write_bytes(b"not an e-book")
    cover.unlink()
    before = _times(out)
    build(Project(scratch_book), ["en"], out=out)
    assert _changed(before, _times(out)) == {"en/minimal.epub", "en/minimal-cover.pdf"}
    assert epub.read_bytes() == made


def test_a_damaged_cache_is_ignored(scratch_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), ["en"], out=out)
    for entry in (out / cache.FOLDER).rglob("*.json"):
        entry.write_text(f'{{"format": {cache.FORMAT}, "key": [')
    before = _times(out)
    build(Project(scratch_book), ["en"], out=out)
    assert _changed(before, _times(out)) == _all("en")


def test_a_current_press_layout_is_not_laid_out_again(
        scratch_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The e-book's page list and the cover's spine come from the cached layout."""
    out = tmp_path / "out"
    build(Project(scratch_book), ["en"], ["pdf"], out=out)
    (out / "en" / "minimal.pdf").unlink()  # its layout is what the cache keeps

    def no_layout(*args: object) -> None:
        raise AssertionError("the press interior was laid out again")

    monkeypatch.setattr(pdf_writer, "write_pdf", no_layout)
    written = build(Project(scratch_book), ["en"], ["epub", "cover"], out=out, jobs=1)
    assert [path.name for path in written] == ["minimal.epub", "minimal-cover.pdf"]


def test_the_pieces_run_at_once_write_the_bytes_of_one_after_another(
        scratch_book: Path, tmp_path: Path) -> None:
    serial, _ = _built(scratch_book, tmp_path / "serial", jobs=1)
    parallel, _ = _built(scratch_book, tmp_path / "parallel", jobs=4)
    assert len(serial) == len(parallel) == 8
    for one, other in zip(serial, parallel, strict=True):
        assert one.read_bytes() == other.read_bytes(), one


def test_nothing_changed_loads_neither_the_book_nor_weasyprint(scratch_book: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(Project(scratch_book), ["en"], ["epub"], out=out)
    probe = ("import sys\nfrom publish.cli import main\n"
             f"main(['build', '--project', {str(scratch_book)!r}, '--out', {str(out)!r}, "
             "'--lang', 'en', '--format', 'epub'])\n"
             "print(sorted(m for m in ('weasyprint', 'markdown', 'publish.load') "
             "if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=False, env=command_environment())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_workers_give_results_in_order_and_raise_what_a_piece_raises() -> None:
    def square(number: int) -> Callable[[], int]:
        return lambda: number * number

    assert workers.run([square(n) for n in range(5)], 2) == [0, 1, 4, 9, 16]
    started: list[int] = []

    def failing() -> int:
        raise ValueError("in the worker")

    with pytest.raises(ValueError, match="in the worker"):
        workers.run([lambda: 1, failing], 2, started.append)
    assert started == [0, 1]


def test_a_killed_worker_is_told() -> None:
    def killed() -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 0

    with pytest.raises(workers.WorkerLost, match="killed by SIGKILL"):
        workers.run([lambda: 1, killed], 2)
