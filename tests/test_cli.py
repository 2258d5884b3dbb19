"""The command as a user runs it."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from publish import cli
from publish.diagnostics import Code
from tests.conftest import output_files, require, run_publish


def test_help() -> None:
    result = run_publish("--help")
    assert result.returncode == 0
    assert "build" in result.stdout


def test_help_lists_every_diagnostic_code_with_its_meaning() -> None:
    listed = " ".join(run_publish("--help").stdout.split())
    for code in Code:
        assert f" {code} {code.description}" in listed, code


def test_build_help_describes_every_option() -> None:
    result = run_publish("build", "--help")
    assert result.returncode == 0
    for option in ("--lang", "--format", "--project", "--out"):
        assert option in result.stdout


def _commands(parser: argparse.ArgumentParser, name: str = "publish"
              ) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                yield from _commands(sub, f"{name} {command}")


def test_every_option_that_takes_a_value_shows_an_example() -> None:
    for name, parser in _commands(cli._parser()):
        for action in parser._actions:
            if action.nargs != 0 and not isinstance(action, argparse._SubParsersAction):
                assert action.help and "e.g." in action.help, (name, action.dest)


def test_every_command_that_reads_a_book_takes_project_and_lang_alike() -> None:
    takes_lang = {"publish new", "publish build", "publish check", "publish sync",
                  "publish sync accept", "publish sync export"}
    for name, parser in _commands(cli._parser()):
        # `publish new DIR` makes the project folder it is given; `publish completion`
        # reads no book.
        if name in ("publish", "publish completion"):
            continue
        options = {o for action in parser._actions for o in action.option_strings}
        assert ("--project" in options) == (name != "publish new"), name
        assert ("--lang" in options) == (name in takes_lang), name


def test_languages_are_a_list_or_the_option_repeated(scratch_book: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_publish("build", "--project", str(scratch_book), "--out", str(out),
                         "--lang", "be", "--lang", "en", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert [p.relative_to(out).as_posix() for p in output_files(out)] == [
        "be/minimal.epub", "en/minimal.epub"]
    po = tmp_path / "be.po"
    # An action takes them after its name as the command does before it.
    for args in (["sync", "export", "--project", str(scratch_book), "--lang", "be"],
                 ["sync", "--project", str(scratch_book), "--lang", "be", "export"]):
        result = run_publish(*args, "--format", "po", "-o", str(po))
        assert result.returncode == 0, result.stderr
        assert 'msgstr "- два"' in po.read_text(encoding="utf-8")
        po.unlink()
    together = run_publish("sync", "--project", str(scratch_book), "--lang", "be,en")
    assert "en" in together.stderr and "unknown-language" in together.stderr


def test_no_command_shows_help_and_fails() -> None:
    result = run_publish()
    assert result.returncode == 2
    assert "usage:" in result.stdout


def test_build_one_language_and_format(scratch_book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_publish("build", "--project", str(scratch_book), "--out", str(out),
                         "--lang", "be", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert [p.relative_to(out).as_posix() for p in output_files(out)] == [
        "be/minimal.epub"]
    assert result.stdout.strip().endswith("be/minimal.epub")
    assert result.stderr == "", "no progress chatter outside a terminal"


def test_in_ci_each_piece_of_work_is_a_line_of_its_own(scratch_book: Path,
                                                       tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_publish("build", "--project", str(scratch_book), "--out", str(out),
                         "--format", "pdf,screen", ci=True)
    assert result.returncode == 0, result.stderr
    # A piece a language and edition here, each numbered of all.
    lines = result.stderr.splitlines()
    assert [line.split()[1] for line in lines] == ["1/4", "2/4", "3/4", "4/4"], lines
    assert {tuple(line.split()[2:]) for line in lines} == {
        ("be", "pdf"), ("be", "screen"), ("en", "pdf"), ("en", "screen")}
    again = run_publish("build", "--project", str(scratch_book), "--out", str(out),
                        "--format", "pdf,screen", ci=True)
    assert again.returncode == 0 and again.stderr == "", "nothing to make, nothing told"


COMPLETE = """
source "$1"
complete_line() {
    COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$2"
    [[ "$2" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _shtab_publish
    printf '%s\\n' "${COMPREPLY[@]}"
}
complete_line "$@"
"""
"""Bash as it completes a line typed at its prompt: the function the script
registers for `publish`, called with the words of the line."""


@pytest.mark.parametrize(("line", "offered"), [
    ("publish ", ["new", "build", "check", "sync", "completion"]),
    ("publish sy", ["sync"]),
    ("publish sync export --f", ["--format"]),
    ("publish sync export --format ", ["po", "xliff"]),
    ("publish check --", ["--help", "--project", "--lang", "--json", "--editions", "--out"]),
    ("publish build --project bo", ["books"]),
])
def test_bash_completes_commands_options_and_folders(tmp_path: Path, line: str,
                                                     offered: list[str]) -> None:
    bash = require("bash")
    script = tmp_path / "publish.bash"
    result = run_publish("completion", "bash")
    assert result.returncode == 0, result.stderr
    script.write_text(result.stdout)
    (tmp_path / "books").mkdir()
    (tmp_path / "notes.txt").write_text("not a folder")
    completed = subprocess.run([bash, "-c", COMPLETE, "bash", str(script), line],
                               cwd=tmp_path, capture_output=True, text=True, check=True)
    assert sorted(completed.stdout.split()) == sorted(offered), completed.stderr


def test_zsh_takes_its_completion_script(tmp_path: Path) -> None:
    zsh = require("zsh")
    script = tmp_path / "_publish"
    script.write_text(run_publish("completion", "zsh").stdout)
    loaded = subprocess.run(
        [zsh, "-f", "-c", f"fpath=({tmp_path} $fpath); autoload -Uz compinit; "
         # -D: no dump file, which compinit would write (in place of what -d names).
         "compinit -u -D; print -r -- $_comps[publish]"],
        capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "_publish", loaded.stderr
