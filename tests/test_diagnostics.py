"""One test per diagnostic: each folder of tests/diagnostics/ breaks the minimal book
in one way and holds the exact report the command must give.

A case folder holds:

- files that, copied over a fresh copy of tests/books/minimal, break it (paths
  relative to the book's root, e.g. `manuscript/en/01-first.md`); an empty
  `<path>.delete` deletes `<path>` from the copy instead, and `<path>.link` makes
  `<path>` a symbolic link to a file outside the book that holds its content;
- `args.txt` (optional): more arguments for `publish build`, on one line;
- `command.txt` (optional): the whole command instead of `publish build ...`, on one
  line, for the diagnostics of other commands (`sync --project . import bad.po`);
- `env.txt` (optional): `KEY=VALUE` lines set in the command's environment;
- `warning.txt` (optional, empty): the problem is a warning: the command succeeds,
  says it, and writes its editions;
- `expected.txt`: the exact standard error, paths relative to the book's root.

`CANARY` in any of these files stands for the address of a server on the loopback
interface (`tests.conftest.Canary`): a case that names it proves that the command
reaches nothing on the network, as no case may.

Run pytest with --update-golden to rewrite `expected.txt` from the current output
after a deliberate change; read the result before committing it.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from publish.diagnostics import Code
from tests.conftest import BOOKS, ROOT, Canary, copy_book, run_publish

CASES = Path(__file__).parent / "diagnostics"
CONTROL = {"args.txt", "command.txt", "env.txt", "expected.txt", "warning.txt"}
DELETE = ".delete"
TOKEN = "CANARY"
LINK = ".link"

LINE = re.compile(r"^[^:\s][^:]*(:\d+)?: ([a-z-]+): .+$")
"""`path[:line]: code: message`, one problem a line."""


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def _apply(case: Path, book: Path, canary: str) -> None:
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if source.is_dir() or (len(relative.parts) == 1 and relative.name in CONTROL):
            continue
        if source.name.endswith(DELETE):
            target = book / relative.with_name(relative.name.removesuffix(DELETE))
            assert target.exists(), f"{case.name}: nothing to delete at {target}"
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        elif source.name.endswith(LINK):
            target = book / relative.with_name(relative.name.removesuffix(LINK))
            outside = book.parent / "outside" / relative.with_suffix("")
            outside.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, outside)
            target.unlink(missing_ok=True)
            target.symlink_to(outside)
        else:
            target = book / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = source.read_bytes()
            target.write_bytes(data.replace(TOKEN.encode(), canary.encode()))


def _args(case: Path, canary: str) -> list[str]:
    file = case / "args.txt"
    return (shlex.split(file.read_text(encoding="utf-8").replace(TOKEN, canary))
            if file.exists() else [])


def _env(case: Path) -> dict[str, str]:
    file = case / "env.txt"
    if not file.exists():
        return {}
    pairs = [line.split("=", 1) for line in file.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return {key.strip(): value for key, value in pairs}


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as server:
        yield server


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case.name)
def test_diagnostic(case: Path, tmp_path: Path, update_golden: bool,
                    monkeypatch: pytest.MonkeyPatch, canary: Canary) -> None:
    host = canary.url.removeprefix("http://")
    book = copy_book(BOOKS / "minimal", tmp_path / "book")
    _apply(case, book, host)
    out = tmp_path / "out"
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for key, value in _env(case).items():
        monkeypatch.setenv(key, value)

    command = case / "command.txt"
    if command.exists():
        result = run_publish(*shlex.split(command.read_text(encoding="utf-8")
                                          .replace(TOKEN, host)), cwd=book)
    else:
        result = run_publish("build", "--project", ".", "--out", str(out), *_args(case, host),
                             cwd=book)

    stderr = result.stderr.replace(host, TOKEN)
    assert canary.requests == [], "the command reached the network"
    expected_file = case / "expected.txt"
    if update_golden:
        expected_file.write_text(stderr, encoding="utf-8")
    warning = (case / "warning.txt").exists()
    assert "Traceback" not in result.stderr
    assert result.returncode == (0 if warning else 1), \
        f"exit status {result.returncode}\n{result.stderr}"
    assert stderr == expected_file.read_text(encoding="utf-8")
    assert result.stderr.strip(), "a problem must be told"
    for line in result.stderr.splitlines():
        assert LINE.fullmatch(line), f"not `path[:line]: code: message`: {line!r}"
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    if warning:
        assert left, "a warning stops nothing"
    else:
        assert left == [], "a failed build must leave no edition and no temporary file"


TESTED_ELSEWHERE = {
    Code.INTERNAL: ("tests/test_safety.py::test_unexplained_warning_is_internal",
                    "no input causes it: the test makes publish itself write a faulty page"),
    Code.TYPESETTING: ("tests/test_check.py::"
                       "test_editions_add_the_faults_their_typesetting_reports_count",
                       "a fault of laid-out lines, which the minimal book, mended, has "
                       "none of: the test reads the flagship's"),
    **{code: (f"tests/test_sync.py::{test}", "a finding of `publish sync`, told on standard "
              "output beside the table, where these cases compare standard error")
       for code, test in (
           (Code.STALE, "test_source_change_makes_the_pair_stale_with_a_diff"),
           (Code.NEW, "test_a_book_never_confirmed_is_new_everywhere"),
           (Code.MISSING, "test_inserted_paragraph_is_missing_not_a_cascade"),
           (Code.EXTRA, "test_deleted_paragraph_is_extra"),
           (Code.UNTRANSLATED, "test_untranslated_block"),
           (Code.MISMATCH, "test_mismatched_values"))},
}
"""Codes no case here can show, with the test that proves each is told and why."""


def _codes_of_cases() -> dict[str, set[str]]:
    """The codes each case's expected report names."""
    return {case.name: {match[2] for line in (case / "expected.txt").read_text(
                            encoding="utf-8").splitlines() if (match := LINE.fullmatch(line))}
            for case in _cases()}


def test_every_code_has_a_case() -> None:
    tested = set().union(*_codes_of_cases().values())
    untested = sorted(str(code) for code in Code
                      if code not in tested and code not in TESTED_ELSEWHERE)
    assert untested == [], f"codes with no case in {CASES.relative_to(ROOT)}/"


def test_every_case_names_codes_of_the_enumeration() -> None:
    members = {str(code) for code in Code}
    strays = {case: sorted(codes - members) for case, codes in _codes_of_cases().items()
              if not codes <= members}
    assert strays == {}, "codes that are not members of publish.diagnostics.Code"


@pytest.mark.parametrize("code", sorted(TESTED_ELSEWHERE), ids=str)
def test_codes_tested_elsewhere_name_a_test_that_exists(code: Code) -> None:
    test, _ = TESTED_ELSEWHERE[code]
    module, name = test.split("::")
    assert re.search(rf"^def {name}\(", (ROOT / module).read_text(encoding="utf-8"), re.M), \
        f"{code}: no test {test}"
