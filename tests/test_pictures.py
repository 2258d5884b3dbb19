"""The first pages of each PDF edition of the flagship, rendered to pictures with
poppler's pdftoppm and compared with the committed references in tests/pictures/,
so that a change of layout fails the tests. `make pictures` rewrites the references
on purpose; look at them before committing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.conftest import Built, require

PICTURES = Path(__file__).parent / "pictures"
PAGES = 8
"""Front matter and the opening of the first chapter."""
RESOLUTION = 40
TOLERANCE = 0.004
"""The share of pixels that may differ noticeably: antialiasing, not layout."""


def _render(pdf: Path, out: Path) -> list[Path]:
    pdftoppm = require("pdftoppm")
    subprocess.run([pdftoppm, "-r", str(RESOLUTION), "-gray", "-png", "-l", str(PAGES),
                    str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def _difference(actual: Path, expected: Path) -> float:
    """The share of pixels whose grey differs by more than a quarter of the range."""
    one, two = Image.open(actual).convert("L"), Image.open(expected).convert("L")
    if one.size != two.size:
        return 1.0
    changed = ImageChops.difference(one, two).point(lambda v: 255 if v > 64 else 0)
    histogram = changed.histogram()
    return histogram[255] / (one.size[0] * one.size[1])


@pytest.mark.parametrize("fmt", ["pdf", "screen"])
@pytest.mark.parametrize("lang", ["be", "en"])
def test_first_pages_look_as_before(flagship: Built, lang: str, fmt: str, tmp_path: Path,
                                    update_golden: bool) -> None:
    rendered = _render(flagship.edition(lang, fmt), tmp_path)
    assert len(rendered) == PAGES
    for number, page in enumerate(rendered, start=1):
        reference = PICTURES / f"{lang}-{fmt}-{number}.png"
        if update_golden:
            reference.write_bytes(page.read_bytes())
        assert reference.exists(), f"no reference {reference.name}: run `make pictures`"
        assert _difference(page, reference) <= TOLERANCE, \
            f"page {number} of the {lang} {fmt} edition no longer looks like {reference.name}"


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
