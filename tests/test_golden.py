"""Fixture books against their expected output: every text file of each EPUB,
unzipped, compared with tests/books/<book>/expected/<lang>/. Run pytest with
--update-golden to rewrite the expected files after a deliberate change."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import BOOKS, Built


def _unzipped(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("lang", ["en", "be"])
def test_minimal_epub_matches_expected(minimal: Built, lang: str, update_golden: bool) -> None:
    expected_dir = BOOKS / "minimal" / "expected" / lang
    actual = _unzipped(minimal.edition(lang, "epub"))
    if update_golden:
        for name, data in actual.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(data)
    expected = {str(p.relative_to(expected_dir)): p.read_bytes()
                for p in sorted(expected_dir.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected)
    for name in expected:
        if name.endswith((".png", ".jpg")):
            assert actual[name] == expected[name], name
        else:  # compared as text, so that a failure shows the difference
            assert actual[name].decode() == expected[name].decode(), name
