"""Pages of each PDF edition of the flagship, rendered to pictures with poppler's
pdftoppm and compared with the committed references in tests/pictures/, so that a
change of layout fails the tests: the first pages, and pages found by what they
hold (a chapter opening in the middle of the book, a spread of body text after it,
the first page with notes, the imprint, the chronology). `make pictures` rewrites
the references on purpose; look at them before committing."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.conftest import Built, assembled, require

PICTURES = Path(__file__).parent / "pictures"
PAGES = 8
"""Front matter and the opening of the first chapter."""
RESOLUTION = 40
TOLERANCE = 0.004
"""The share of pixels that may differ noticeably: antialiasing, not layout."""


def _render(pdf: Path, out: Path, first: int = 1, last: int = PAGES) -> list[Path]:
    pdftoppm = require("pdftoppm")
    subprocess.run([pdftoppm, "-r", str(RESOLUTION), "-gray", "-png", "-f", str(first),
                    "-l", str(last), str(pdf), str(out / f"page-{first}")], check=True)
    return sorted(out.glob(f"page-{first}-*.png"))


def _page_texts(pdf: Path) -> list[list[str]]:
    """The lines of every page, as pdftotext reads them."""
    text = subprocess.run([require("pdftotext"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [[" ".join(line.split()) for line in page.splitlines() if line.strip()]
            for page in text.split("\f")]


def _named_pages(built: Built, lang: str, fmt: str) -> dict[str, int]:
    """Pages (from 1) found by what they hold, wherever the layout puts them."""
    book = assembled(built.project, lang)
    pages = _page_texts(built.edition(lang, fmt))

    def first(test: Callable[[list[str]], bool], start: int = 0) -> int:
        return next(n for n, lines in enumerate(pages, start=1) if n > start and test(lines))

    title = " ".join(book.chapters[len(book.chapters) // 2].title.split())
    opening = first(lambda lines: any(line.startswith(title) for line in lines[:3]))
    # The verso after the opening, and the recto facing it.
    verso = opening + 1 if opening % 2 else opening + 2
    return {
        "imprint": first(lambda lines: book.rights in " ".join(lines)),
        "opening": opening,
        "spread-verso": verso,
        "spread-recto": verso + 1,
        "notes": first(lambda lines: any(re.match(r"1\.\s", line) for line in lines), PAGES),
        "chronology": first(lambda lines: any(line == book.labels.chronology
                                              for line in lines[:3]), opening),
    }


def _difference(actual: Path, expected: Path) -> float:
    """The share of pixels whose grey differs by more than a quarter of the range."""
    one, two = Image.open(actual).convert("L"), Image.open(expected).convert("L")
    if one.size != two.size:
        return 1.0
    changed = ImageChops.difference(one, two).point(lambda v: 255 if v > 64 else 0)
    histogram = changed.histogram()
    return histogram[255] / (one.size[0] * one.size[1])


def _compare(page: Path, reference: Path, update_golden: bool) -> None:
    if update_golden:
        reference.write_bytes(page.read_bytes())
    assert reference.exists(), f"no reference {reference.name}: run `make pictures`"
    assert _difference(page, reference) <= TOLERANCE, \
        f"the page no longer looks like {reference.name}"


@pytest.mark.parametrize("fmt", ["pdf", "screen"])
@pytest.mark.parametrize("lang", ["be", "en"])
def test_first_pages_look_as_before(flagship: Built, lang: str, fmt: str, tmp_path: Path,
                                    update_golden: bool) -> None:
    rendered = _render(flagship.edition(lang, fmt), tmp_path)
    assert len(rendered) == PAGES
    for number, page in enumerate(rendered, start=1):
        _compare(page, PICTURES / f"{lang}-{fmt}-{number}.png", update_golden)


@pytest.mark.parametrize("fmt", ["pdf", "screen"])
@pytest.mark.parametrize("lang", ["be", "en"])
def test_pages_found_by_what_they_hold_look_as_before(flagship: Built, lang: str, fmt: str,
                                                      tmp_path: Path,
                                                      update_golden: bool) -> None:
    for name, number in _named_pages(flagship, lang, fmt).items():
        (page,) = _render(flagship.edition(lang, fmt), tmp_path, number, number)
        _compare(page, PICTURES / f"{lang}-{fmt}-{name}.png", update_golden)


def test_the_comparison_sees_a_moved_line(tmp_path: Path) -> None:
    """A layout change as small as one line moved down is caught."""
    base = Image.new("L", (200, 280), 255)
    for y in range(20, 260, 12):
        base.paste(0, (20, y, 180, y + 3))
    moved = base.copy()
    moved.paste(255, (20, 20, 180, 23))
    moved.paste(0, (20, 26, 180, 29))
    base.save(tmp_path / "a.png")
    moved.save(tmp_path / "b.png")
    base.save(tmp_path / "c.png")
    assert _difference(tmp_path / "a.png", tmp_path / "c.png") == 0
    assert _difference(tmp_path / "a.png", tmp_path / "b.png") > TOLERANCE
