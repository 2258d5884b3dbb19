"""Pathological chapters: nesting and paragraph size have limits, reported at their
line (tests/diagnostics/limit-*), and what lies within them renders (how its time
grows is a benchmark: tests/bench/)."""

from __future__ import annotations

from pathlib import Path

from publish.limits import MAX_NESTING, MAX_NOTES
from publish.markup import render_chapter

NAMES = frozenset({"Бяляцкі", "Бяляцкага"})


def _render(body: str) -> list[str]:
    rendered = render_chapter(f"# T {{#t}}\n\n{body}\n", "be", Path("t.md"), Path("."), NAMES)
    return [f"{f.code}: {f.message}" for f in rendered.findings]


def test_lists_and_quotes_as_deep_as_the_limit_render() -> None:
    assert _render("".join("    " * i + f"- {i}\n" for i in range(MAX_NESTING))) == []
    assert _render("> " * MAX_NESTING + "глыбока") == []
    assert _render("> " * (MAX_NESTING // 2) + "- " + "> " * (MAX_NESTING // 2) + "x") \
        == []


def test_one_level_more_is_an_error() -> None:
    assert _render("> " * (MAX_NESTING + 1) + "глыбока") == [
        f"limit: lists and quotes are nested {MAX_NESTING + 1} deep here; the limit is "
        f"{MAX_NESTING}"]


def _notes(count: int) -> str:
    calls = " ".join(f"Text {n}.[^n{n}]" for n in range(count))
    return calls + "\n\n" + "\n\n".join(f"[^n{n}]: Note {n}." for n in range(count))


def test_as_many_notes_as_the_limit_render() -> None:
    assert _render(_notes(MAX_NOTES)) == []


def test_one_note_more_is_an_error_at_its_definition() -> None:
    rendered = render_chapter(f"# T {{#t}}\n\n{_notes(MAX_NOTES + 1)}\n", "be", Path("t.md"),
                              Path("."), NAMES)
    (finding,) = rendered.findings
    assert (finding.code, finding.line) == ("limit", 5 + 2 * MAX_NOTES)
    assert finding.message.startswith(f"this chapter defines more than {MAX_NOTES:,} notes")
