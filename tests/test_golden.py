"""Fixture books against their expected output: every content document of each
EPUB (its pages, package and navigation), unzipped, compared with
tests/books/<book>/expected/<lang>/. The cover picture and the stylesheet are copies
of what other tests check (the press cover, styles/epub.css) and are left out, so a
change there fails the test that is about it, not this one. Run pytest with
--update-golden to rewrite the expected files after a deliberate change; files no
longer made are removed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import BOOKS, Built

CONTENT = (".xhtml", ".opf", ".ncx")


def _documents(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()
                if name.endswith(CONTENT)}


EDITIONS = [(book, lang) for book, langs in (("minimal", ("en", "be")), ("rich", ("en", "be")),
                                             ("trilingual", ("en", "uk", "pl")))
            for lang in langs]
"""Each fixture book with each of its languages."""


@pytest.mark.parametrize(("book", "lang"), EDITIONS)
def test_epub_matches_expected(book: str, lang: str, update_golden: bool,
                               request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(book)
    expected_dir = BOOKS / book / "expected" / lang
    actual = _documents(built.edition(lang, "epub"))
    if update_golden:
        for stale in [p for p in expected_dir.rglob("*")
                      if p.is_file() and str(p.relative_to(expected_dir)) not in actual]:
            stale.unlink()
        for name, text in actual.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_text(text, encoding="utf-8")
    expected = {str(p.relative_to(expected_dir)): p.read_text(encoding="utf-8")
                for p in sorted(expected_dir.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected)
    for name, text in expected.items():
        assert actual[name] == text, name
