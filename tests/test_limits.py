"""Pathological chapters: nesting and paragraph size have limits, reported at their
line (tests/diagnostics/limit-*), and what lies within them renders (how its time
grows is a benchmark: tests/bench/)."""

from __future__ import annotations

from pathlib import Path

from publish.limits import MAX_NESTING
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
