"""The project's own files: what a merge or a machine can leave in them by mistake."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT, require

CONFLICT = re.compile(rb"^(<{7}|>{7}) ", re.MULTILINE)
MACHINE = re.compile(rb"(?<![\w.])/(?:home|root|work|tmp)/[\w.-]+/")
"""A path of the machine a file was written on: a home, a work folder."""


def _tracked() -> list[bytes]:
    git = require("git")
    listed = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True)
    return [name for name in listed.stdout.split(b"\0") if name]


def _offending(pattern: re.Pattern[bytes]) -> list[str]:
    found = []
    for name in _tracked():
        path = ROOT / name.decode()
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if b"\0" not in data[:8000] and pattern.search(data):
                found.append(name.decode())
    return found


def test_no_file_holds_a_merge_conflict() -> None:
    assert _offending(CONFLICT) == []


def test_no_file_names_a_path_of_this_machine() -> None:
    assert _offending(MACHINE) == []


def test_the_patterns_find_what_they_look_for() -> None:
    assert CONFLICT.search(b"text\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n")
    # Spelt in pieces, or this file would be one that checks of paths find.
    assert MACHINE.search(b'font = "/' + b'root/fonts/x.ttf"')
    assert not MACHINE.search(b"see https://example.org/" + b"work/notes/")
    assert not MACHINE.search(b"styles/" + b"work/x.css")
