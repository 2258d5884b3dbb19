"""`publish new`: a book in every language publish writes, which builds with no
warning and is in sync as it stands; and what it refuses, leaving nothing behind."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import pytest
from babel.dates import get_month_names

from publish.languages import LANGUAGES
from publish.new import STARTERS
from tests.conftest import ROOT, require, run_publish

ALL = ",".join(LANGUAGES)


def test_every_language_has_the_words_of_a_new_book() -> None:
    assert set(STARTERS) == set(LANGUAGES)


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("new") / "Field Notes"
    result = run_publish("new", str(folder), "--lang", ALL, "--source", "en")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return folder


def test_a_new_book_has_what_a_book_needs(started: Path) -> None:
    files = sorted(p.relative_to(started).as_posix() for p in started.rglob("*")
                   if p.is_file())
    assert files == sorted([
        "manuscript/book.toml", "manuscript/sync.toml",
        *(f"manuscript/{lang}/{name}" for lang in LANGUAGES
          for name in ("01-first.md", "book.toml")),
        *(f"styles/{sheet}" for sheet in ("cover.css", "epub.css", "print.css"))])
    for sheet in ("cover.css", "epub.css", "print.css"):
        assert (started / "styles" / sheet).read_bytes() == (ROOT / "styles" / sheet).read_bytes()
    assert [p.name for p in started.parent.iterdir()] == [started.name]
    assert sorted(p.name for p in started.iterdir()) == ["manuscript", "styles"], "no staging"
    chapter = (started / "manuscript" / "be" / "01-first.md").read_text(encoding="utf-8")
    for mark in ("{#first}", f"{{date}}`{datetime.date.today().isoformat()}`", "{num}`1`",
                 "[^first]", "\n[^first]: "):
        assert mark in chapter


def test_a_new_book_builds_every_edition_without_a_warning(started: Path) -> None:
    result = run_publish("build", "--project", str(started))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = started / "build"
    for lang in LANGUAGES:
        for name in ("field-notes.epub", "field-notes.pdf", "field-notes-screen.pdf",
                     "field-notes-cover.pdf"):
            assert (out / lang / name).stat().st_size > 0, (lang, name)
    with zipfile.ZipFile(out / "pl" / "field-notes.epub") as epub:
        page = epub.read("EPUB/first.xhtml").decode()
    assert 'lang="pl"' in page and "Pierwszy rozdział" in page
    assert f'<time datetime="{datetime.date.today().isoformat()}">' in page, "the date role"
    assert get_month_names("wide", "format", "pl")[datetime.date.today().month] in page


def test_a_new_book_is_in_sync(started: Path) -> None:
    result = run_publish("sync", "--project", str(started))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" 3 ") == 3, result.stdout


def test_a_new_book_passes_publish_check(started: Path) -> None:
    require("hunspell")
    result = run_publish("check", "--project", str(started))
    assert (result.returncode, result.stderr) == (0, "")


def test_a_folder_that_is_not_empty_is_left_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_publish("new", str(tmp_path), cwd=tmp_path.parent)
    assert result.returncode == 1
    assert result.stderr == (f"{tmp_path.name}: output: is not an empty folder: a new book "
                             "is written only into a new or empty one\n")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_working_folder_if_empty_takes_the_book(tmp_path: Path) -> None:
    folder = tmp_path / "Empty"
    folder.mkdir()
    result = run_publish("new", ".", "--languages", "be", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["manuscript", "styles"]
    assert (folder / "manuscript" / "be" / "01-first.md").exists()
    config = (folder / "manuscript" / "book.toml").read_text()
    assert 'languages = ["be"]' in config and 'id = "empty"' in config


@pytest.mark.parametrize(("args", "message"), [
    (["--lang", "en,xx"], "--languages: unknown-language: 'xx' is not a language publish "
                          "writes (known: be, en, pl, uk)"),
    (["--lang", "en,be", "--source", "pl"],
     "--source: unknown-language: 'pl' is not one of the languages asked for (en, be)"),
])
def test_what_cannot_be_made_is_told_and_nothing_written(tmp_path: Path, args: list[str],
                                                         message: str) -> None:
    result = run_publish("new", str(tmp_path / "book"), *args)
    assert (result.returncode, result.stdout) == (1, "")
    assert message in result.stderr.splitlines()
    assert list(tmp_path.iterdir()) == []
