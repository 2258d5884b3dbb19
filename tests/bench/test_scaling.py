"""Benchmarks of how the build's time grows with the book (`make bench`, not part of
`make test`: timings are for a quiet machine). Each compares two runs of the same
code in one process, so the figure is a ratio, not seconds, and a noisy machine
moves both sides."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from publish.build import Project, build
from publish.limits import MAX_PARAGRAPH
from publish.markup import render_chapter
from tests.conftest import BOOKS, copy_book

pytestmark = pytest.mark.bench

NAMES = frozenset({"Бяляцкі", "Бяляцкага"})
SLACK = 2
"""How far past linear growth a ratio may go before it fails: timings on a shared
machine vary by about half, quadratic growth multiplies them by the scale."""


def _least(run: object, times: int = 3) -> float:
    """The least processor time of `times` calls of `run`."""
    assert callable(run)
    spent = []
    for _ in range(times):
        start = time.process_time()
        run()
        spent.append(time.process_time() - start)
    return min(spent)


def _paragraph(size: int) -> str:
    unit = ('Ён сказаў "так" у {date:loc}`1988-10`, і *Бяляцкі* пайшоў --- далёка. '
            "Потым {date}`1989-05` прыйшоў з Бяляцкага. ")
    text = (unit * (size // len(unit) + 1))[:size]
    return text[:text.rfind(" ")]


def _render(body: str) -> None:
    rendered = render_chapter(f"# T {{#t}}\n\n{body}\n", "be", Path("t.md"), Path("."), NAMES)
    assert rendered.findings == []


def test_a_long_paragraph_renders_in_time_linear_in_its_length() -> None:
    short, long = _paragraph(MAX_PARAGRAPH // 80), _paragraph(MAX_PARAGRAPH * 9 // 10)
    scale = len(long) / len(short)
    ratio = _least(lambda: _render(long)) / _least(lambda: _render(short))
    print(f"paragraph {scale:.0f}x longer: {ratio:.1f}x the time")
    # Quadratic growth (as sentence starts and the chronology's flattening once
    # were) is in the thousands.
    assert ratio < SLACK * scale, ratio


def _book(root: Path, chapters: int) -> Path:
    """The minimal book with `chapters` more chapters of a few pages each, in both
    languages."""
    book = copy_book(BOOKS / "minimal", root)
    for lang in ("en", "be"):
        for number in range(chapters):
            paragraphs = "\n\n".join(
                f"Paragraph {n} of part {number}, on {{date}}`1988-10-{n % 28 + 1:02}`, "
                + "with words that fill a line and then another one, " * 12
                for n in range(12))
            (book / "manuscript" / lang / f"{number + 10:02}-part.md").write_text(
                f"# Part {number} {{#part-{number}}}\n\n{paragraphs}\n", encoding="utf-8")
    return book


def test_a_bigger_book_builds_in_time_linear_in_its_size(tmp_path: Path) -> None:
    small, large = _book(tmp_path / "small", 2), _book(tmp_path / "large", 8)

    def edition(book: Path) -> None:
        build(Project(book), ["en"], ["pdf", "epub"], tmp_path / book.name / "out")

    edition(small)  # fonts and caches warm up once, outside the timings
    ratio = _least(lambda: edition(large), 1) / _least(lambda: edition(small), 1)
    scale = (8 + 2) / (2 + 2)  # the minimal book's two chapters on each side
    print(f"book {scale:.1f}x bigger: {ratio:.1f}x the time")
    assert ratio < SLACK * scale, ratio
