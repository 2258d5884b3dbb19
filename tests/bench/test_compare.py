"""The benchmark's machinery on the minimal book, once (part of `make test`, unlike the
benchmark itself): every row of its table is there with real figures, so that a
measurement that breaks (no time, no memory, a build that failed) fails here first."""

from __future__ import annotations

import re
import shlex
import sys
import time
from pathlib import Path

import pytest

from tests.bench import compare
from tests.bench.measure import CommandFailed, measure
from tests.conftest import BOOKS


def test_measure_counts_the_whole_tree_of_the_command() -> None:
    # A shell whose two children, at the same time, each hold 64 MiB and spend 0.3 s
    # of processor time: only an account of the whole tree sees the time, and only the
    # sum over the tree at one moment sees twice the memory of either.
    child = shlex.join([sys.executable, "-c", "import time; b = b'x' * 64 * 2**20; "
                        "t = time.process_time()\nwhile time.process_time() - t < 0.3: pass"])
    start = time.perf_counter()
    cost = measure(["sh", "-c", f"{child} & {child} & wait"])
    assert 0.3 <= cost.wall <= time.perf_counter() - start
    assert cost.cpu >= 0.6
    assert cost.peak_mib >= 2 * 64


def test_measure_refuses_a_failed_command(tmp_path: Path) -> None:
    with pytest.raises(CommandFailed, match="exited with 3"):
        measure(["sh", "-c", "echo broken; exit 3"], log=tmp_path / "log")


def test_the_table_has_every_case_with_positive_figures() -> None:
    report = compare.report(BOOKS / "minimal", [1], 1)
    assert report.startswith("Machine: ") and " cores, Python " in report
    rows = [line for line in report.splitlines() if line.startswith("| ×")]
    assert len(rows) == len(compare.CASES)
    for row, case in zip(rows, compare.CASES, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[:2] == ["×1", case.title]
        mine, theirs = cells[2:5], cells[5:]
        assert all(float(value) > 0 for value in mine), row
        if case.pandoc_languages is None:
            assert theirs == ["—"] * 6, row
        else:
            assert all(float(value) > 0 for value in theirs), row
            # The ratios are those of the figures shown, to their rounding.
            wall, their_wall = float(mine[0]), float(theirs[0])
            assert float(theirs[3]) == pytest.approx(wall / their_wall, abs=0.02 + 0.01 *
                                                     wall / their_wall), row
    assert re.search(r"Medians of 1 run of each", report)
