"""`publish check` as tools and machines meet it: its findings as JSON, a machine
without hunspell told so in one line, and the typesetting of the editions built."""

from __future__ import annotations

import json
import os
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
         "message": "two spaces or more between words in “s --- a lnog  time.[^days]”: "
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
    """With --editions, each PDF edition whose report counts what the press would have
    mended is a finding; the editions the build made are current, and kept."""
    before = {path: path.stat().st_mtime_ns for path in flagship.out.rglob("*.pdf")}
    result = run_publish("check", "--project", str(flagship.project), "--editions",
                         "--out", str(flagship.out), cwd=flagship.out)
    expected = []
    for (lang, fmt), report in sorted(flagship.typesetting.items()):
        faults = [f"{count} {what}" for name, what in FAULTS if (count := getattr(report, name))]
        if faults:
            expected.append(f"{flagship.edition(lang, fmt).relative_to(flagship.out)}: "
                            f"typesetting: the typesetting report of {lang} {fmt} counts "
                            f"{', '.join(faults)}")
    assert expected, "the flagship's editions have faults the report counts"
    assert result.stderr.splitlines() == sorted(expected)
    assert result.returncode == 1
    assert {path: path.stat().st_mtime_ns for path in flagship.out.rglob("*.pdf")} == before
