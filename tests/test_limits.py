"""Pathological chapters: nesting and paragraph size have limits, reported at their
line (tests/diagnostics/limit-*), and what lies within them renders, in time that
grows with the text, not with its square."""

from __future__ import annotations

import time
from pathlib import Path

from publish.limits import MAX_NESTING, MAX_PARAGRAPH
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


def _paragraph(size: int) -> str:
    unit = ('Ён сказаў "так" у {date:loc}`1988-10`, і *Бяляцкі* пайшоў --- далёка. '
            "Потым {date}`1989-05` прыйшоў з Бяляцкага. ")
    text = (unit * (size // len(unit) + 1))[:size]
    return text[:text.rfind(" ")]


def _seconds(body: str) -> float:
    """The least processor time of three renderings of `body`."""
    times = []
    for _ in range(3):
        start = time.process_time()
        assert _render(body) == []
        times.append(time.process_time() - start)
    return min(times)


def test_a_long_paragraph_renders_in_time_linear_in_its_length() -> None:
    short, long = _paragraph(MAX_PARAGRAPH // 80), _paragraph(MAX_PARAGRAPH * 9 // 10)
    ratio = _seconds(long) / _seconds(short)
    # 72 times the text: linear is about 72; quadratic (as sentence starts and the
    # chronology's flattening once were) is in the thousands.
    assert ratio < 2 * len(long) / len(short), ratio
