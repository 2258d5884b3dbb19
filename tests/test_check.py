"""`publish check` as tools and machines meet it: its findings as JSON, a machine
without hunspell told so in one line, and the typesetting of the editions built."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from publish.check import FAULTS
from tests.conftest import Built, require, run_publish


def _misspell(book: Path) -> None:
    chapter = book / "manuscript" / "en" / "01-first.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("a long time", "a lnog  time"),
                       encoding="utf-8")


def test_findings_as_json(scratch_book: Path) -> None:
    require("hunspell")
    _misspell(scratch_book)
    result = run_publish("check", "--project", ".", "--lang", "en", "--json", cwd=scratch_book)
    assert result.returncode == 1 and result.stderr == ""
    assert json.loads(result.stdout) == {"findings": [
        {"path": "manuscript/en/01-first.md", "line": 3, "code": "double-space",
         "message": "two spaces or more between words in “days—a lnog  time.”: "
                    "one is enough"},
        {"path": "manuscript/en/01-first.md", "line": 3, "code": "spelling",
         "message": "'lnog' is in neither the en_US dictionary nor en/words.txt; "
                    "hunspell suggests long, log, nog"}]}


def test_nothing_found_is_an_empty_list(scratch_book: Path) -> None:
    require("hunspell")
    result = run_publish("check", "--project", ".", "--lang", "en", "--json", cwd=scratch_book)
    assert (result.returncode, json.loads(result.stdout)) == (0, {"findings": []})


def test_a_machine_without_hunspell_is_told_so(scratch_book: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "publish", "check", "--lang", "en"],
                            cwd=scratch_book, capture_output=True, text=True, check=False,
                            env={**os.environ, "PATH": str(scratch_book / "nothing")})
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("hunspell: environment: hunspell is not installed "
                             "(Debian: apt install hunspell)\n")


def test_editions_add_the_faults_their_typesetting_reports_count(flagship: Built) -> None:
    """With --editions, each paragraph a PDF edition's report still finds fault with
    is a finding at its line in the manuscript; the editions the build made are
    current, and kept."""
    before = {path: path.stat().st_mtime_ns for path in flagship.out.rglob("*.pdf")}
    result = run_publish("check", "--project", str(flagship.project), "--editions",
                         "--out", str(flagship.out), cwd=flagship.project)
    expected = []
    for (lang, fmt), report in flagship.typesetting.items():
        for problems in report.offenders.values():
            faults = [FAULTS[p] for p in dict.fromkeys(problems) if p in FAULTS]
            if faults:
                expected.append(f"the {lang} {fmt} edition sets {' and '.join(faults)} here")
    assert expected, "the flagship's editions have faults the report counts"
    # A paragraph of a chapter at its line; one of a page publish makes itself (the
    # contents, the index) at the edition's file, naming the page.
    found = re.findall(r"^(?:(manuscript/(be|en)/\d\d-[\w-]+\.md):(\d+)|"
                       r".*/(?:be|en)/bialiatski(?:-screen)?\.pdf): typesetting: (.+?)"
                       r"(?:, in [\w-]+)?$", result.stderr, re.M)
    assert len(found) == len(result.stderr.splitlines()), result.stderr
    assert sorted(message for *_, message in found) == sorted(expected)
    for path, lang, line, message in found:
        if path:
            assert f"the {lang} " in message
            text = (flagship.project / path).read_text(encoding="utf-8").splitlines()
            assert text[int(line) - 1].strip(), "a line of the paragraph's text"
    assert result.returncode == 1
    assert {path: path.stat().st_mtime_ns for path in flagship.out.rglob("*.pdf")} == before


def _chapter(book: Path, text: str) -> None:
    (book / "manuscript" / "en" / "01-first.md").write_text(
        "# The First Chapter {#first}\n\n" + text, encoding="utf-8")


def _check(book: Path, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publish", "check", "--lang", "en", *args],
                          cwd=book, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


def test_markdown_as_it_is_written_is_no_finding(scratch_book: Path) -> None:
    """List markers padded to four columns, a padded table with a dash for a cell, a
    list inside a quote, code holding two spaces, a note defined after two spaces, a
    French question with its space before the mark, dates and numbers around
    punctuation: none is a finding."""
    require("hunspell")
    _chapter(scratch_book, "\n".join([
        "-   one item", "-   another item", "",
        "1.  first", "2.  second", "",
        "| year   | what      |", "|--------|-----------|", "| 1990   | -         |", "",
        "> - a quoted item", "",
        "Type `a  b - c` and *Quoi ?*{lang=fr} on {date}`1962-09-25`, or {num}`1052`.[^n]",
        "", "[^n]:  A note.", ""]))
    result = _check(scratch_book)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_quotation_over_paragraphs_opens_each_and_closes_the_last(
        scratch_book: Path) -> None:
    """The convention of English and Belarusian alike: a quotation of several
    paragraphs opens each, and closes only the last; one left open at the end is
    told, at its paragraph."""
    require("hunspell")
    _chapter(scratch_book, '"The first paragraph of it.\n\n"The second, and the end."\n\n'
                           '"One never closed.\n\nThe next paragraph.\n')
    result = _check(scratch_book)
    assert [line.split(": ")[:2] for line in result.stderr.splitlines()] == [
        ["manuscript/en/01-first.md:7", "unbalanced-quote"]]


def test_a_long_paragraph_leaves_findings_where_they_are(scratch_book: Path) -> None:
    """Hunspell cuts a line of more than 8 KiB in pieces: the passages are sent in
    pieces of their own, and each finding keeps its line."""
    require("hunspell")
    _chapter(scratch_book, "\n\n".join([
        "A wrold apart. " + "Every word here is right. " * 600,
        "A lnog way.", "The thrid time.", ""]))
    result = _check(scratch_book)
    assert [line.split(": ")[0] + " " + line.split("'")[1]
            for line in result.stderr.splitlines()] == [
        "manuscript/en/01-first.md:3 wrold", "manuscript/en/01-first.md:5 lnog",
        "manuscript/en/01-first.md:7 thrid"]


def test_the_word_list_is_read_as_the_book_writes_it(scratch_book: Path) -> None:
    """Windows line ends and a byte-order mark are no part of a word; a line hunspell
    would read as a command (`*and` forbids "and") is no word of the list."""
    require("hunspell")
    _chapter(scratch_book, "Bialiatski and Viasna.\n")
    (scratch_book / "manuscript" / "en" / "words.txt").write_bytes(
        "\ufeffBialiatski\r\nViasna\r\n*and\r\n".encode())
    result = _check(scratch_book)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_language_named_twice_is_checked_once(scratch_book: Path) -> None:
    require("hunspell")
    _misspell(scratch_book)
    once = _check(scratch_book).stderr
    assert _check(scratch_book, "--lang", "en,en").stderr == once
    assert len(once.splitlines()) == 2


def test_a_book_that_does_not_read_is_told_as_json_too(scratch_book: Path) -> None:
    (scratch_book / "manuscript" / "en" / "book.toml").write_text("title = 1\n")
    result = _check(scratch_book, "--json")
    assert result.returncode == 1 and result.stderr == ""
    found = json.loads(result.stdout)["findings"]
    assert found and {f["path"] for f in found} == {"manuscript/en/book.toml"}


def test_a_machine_whose_locale_is_not_utf8_checks_belarusian(scratch_book: Path) -> None:
    require("hunspell")
    result = subprocess.run([sys.executable, "-m", "publish", "check", "--lang", "be"],
                            cwd=scratch_book, capture_output=True, check=False,
                            env={**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"})
    assert b"Traceback" not in result.stderr
    assert b"spelling" not in result.stderr
