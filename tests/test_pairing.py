"""The blocks of a chapter, from the one parse the editions and sync share, and how
the blocks of two languages are paired into units with shared ids."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from publish.alignment import align_texts
from publish.blocks import PAIR_ID, Block, Kind
from publish.markup import render_chapter
from publish.pairing import Unit, pair_chapter
from tests.conftest import Built


def _blocks(text: str, lang: str = "en") -> list[Block]:
    return render_chapter(text, lang, Path("chapter.md"), Path(".")).blocks


def _paragraphs(n: int, word: str = "Paragraph") -> list[str]:
    return [f"{word} {i} {{date}}`{1900 + i}` " + "word " * (i + 3) for i in range(n)]


def test_blocks_keep_their_lines() -> None:
    text = ("# T {#t}\n\nOne\nstill one\n\n- item\n  more\n- item two\n\n> quote\n\n"
            "| a | b |\n|---|---|\n| c | d |\n\n    code\n\n[^n]: note\n    continued\n")
    blocks = _blocks(text)
    assert [(b.kind, b.line, b.end) for b in blocks] == [
        (Kind.HEADING, 1, 2), (Kind.PARAGRAPH, 3, 5), (Kind.ITEM, 6, 8), (Kind.ITEM, 8, 9),
        (Kind.QUOTE, 10, 11), (Kind.ROW, 12, 13), (Kind.ROW, 14, 15), (Kind.CODE, 16, 17),
        (Kind.NOTE, 18, 20)]
    assert blocks[1].text == "One\nstill one"
    assert blocks[-1].label == "n" and blocks[-1].text == "[^n]: note\n    continued"
    assert {b.section for b in blocks} == {"t"}


def test_a_paragraph_followed_by_list_lines_is_one_block_as_the_editions_show_it() -> None:
    """Python-Markdown reads list lines right after a paragraph as part of it; sync's
    blocks are the editions' own, so it says so too."""
    text = "# T {#t}\n\nThe steps:\n- one\n- two\n"
    rendered = render_chapter(text, "en", Path("chapter.md"), Path("."))
    assert [(b.kind, b.line, b.end) for b in rendered.blocks] == [
        (Kind.HEADING, 1, 2), (Kind.PARAGRAPH, 3, 6)]
    assert "<li>" not in rendered.html


def test_loose_list_items_and_quotes_over_blank_lines_are_one_block_each() -> None:
    text = "# T {#t}\n\n- one\n\n    still one\n\n- two\n\n> a\n\n> b\n"
    assert [(b.kind, b.line, b.end) for b in _blocks(text)] == [
        (Kind.HEADING, 1, 2), (Kind.ITEM, 3, 6), (Kind.ITEM, 7, 8), (Kind.QUOTE, 9, 12)]


def test_a_heading_inside_a_chunk_has_its_own_line() -> None:
    text = "# T {#t}\n\nBefore\n## S {#s}\nAfter\n"
    assert [(b.kind, b.line, b.section) for b in _blocks(text)] == [
        (Kind.HEADING, 1, "t"), (Kind.PARAGRAPH, 3, "t"), (Kind.HEADING, 4, "s"),
        (Kind.PARAGRAPH, 5, "s")]


@pytest.mark.parametrize(("drop", "side"), [(3, "target"), (5, "source"), (0, "target")])
def test_one_inserted_block_does_not_shift_the_rest(drop: int, side: str) -> None:
    source, target = _paragraphs(8), _paragraphs(8, "Абзац")
    del (target if side == "target" else source)[drop]
    units = align_texts(source, target)
    assert sum(1 for left, right in units if not left or not right) == 1
    for left, right in units:
        if left and right:
            assert source[left[0]].split()[1] == target[right[0]].split()[1]


def test_alignment_without_anchors_uses_length() -> None:
    sizes = [3, 12, 6, 20, 4]
    source = [f"Word {'and more ' * n}." for n in sizes]
    target = [f"Слова {'і яшчэ ' * n}." for n in sizes]
    del target[2]
    assert align_texts(source, target) == [((0,), (0,)), ((1,), (1,)), ((2,), ()),
                                           ((3,), (2,)), ((4,), (3,))]


def test_a_paragraph_split_in_two_is_one_unit() -> None:
    long = ("He came back in the spring. The town had changed: new streets, new names. "
            "Nobody remembered the old school. Only the river was the same. ")
    source = ["The first year was hard for everyone in the family.", long * 2,
              "After that, the letters stopped for a while."]
    half = ("Ён вярнуўся вясной. Горад змяніўся: новыя вуліцы, новыя назвы. "
            "Ніхто не памятаў старой школы. Толькі рака была тая самая. ")
    target = ["Першы год быў цяжкі для ўсіх у сям'і.", half, half,
              "Пасля гэтага лісты на нейкі час спыніліся."]
    assert align_texts(source, target) == [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,))]
    assert align_texts(target, source) == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,))]


def _units(source: str, target: str, known: dict[str, str] | None = None) -> list[Unit]:
    return pair_chapter(_blocks(source), _blocks(target, "be"), known or {})


def test_units_have_ids_their_blocks_share() -> None:
    source = "# T {#t}\n\nOne {num}`1`.\n\nTwo {num}`2`.\n\n[^a]: A note.\n"
    target = "# Т {#t}\n\nАдзін {num}`1`.\n\nДва {num}`2`.\n\n[^a]: Заўвага.\n"
    units = _units(source, target)
    assert [u.id for u in units] == ["t_title", "t_1", "t_2", "note_a"]
    for unit in units:
        assert {b.pair for b in (*unit.source, *unit.target)} == {unit.id}
    assert [b.id for u in units for b in u.target] == ["t", "t_1", "t_2", ""]


def test_a_block_without_a_counterpart_takes_a_sub_number() -> None:
    source = "# T {#t}\n\nOne {num}`1`.\n\nTwo {num}`2`.\n"
    target = ("# Т {#t}\n\nАдзін {num}`1`.\n\nДадатак пра {num}`9` рэчы, якіх няма ў "
              "арыгінале.\n\nДва {num}`2`.\n")
    assert [(u.id, len(u.source), len(u.target)) for u in _units(source, target)] == [
        ("t_title", 1, 1), ("t_1", 1, 1), ("t_1.2", 0, 1), ("t_2", 1, 1)]


def test_confirmed_texts_keep_their_ids_when_a_block_is_inserted_before_them() -> None:
    source = "# T {#t}\n\nNew first {num}`0`.\n\nOne {num}`1`.\n\nTwo {num}`2`.\n"
    target = "# Т {#t}\n\nАдзін {num}`1`.\n\nДва {num}`2`.\n"
    known = {"One {num}`1`.": "t_1", "Two {num}`2`.": "t_2"}
    assert [u.id for u in _units(source, target, known)] == ["t_title", "t_3", "t_1", "t_2"]


def test_the_editions_carry_the_shared_ids() -> None:
    source = _blocks("# T {#t}\n\nOne {num}`1`.\n\n- a {num}`2`\n")
    rendered = render_chapter(
        "# Т {#t}\n\nАдзін {num}`1`.\n\n- а {num}`2`\n", "be", Path("chapter.md"), Path("."),
        pair=lambda blocks: [b for u in pair_chapter(source, blocks, {}) for b in u.target])
    assert '<p id="t_1">' in rendered.html and '<li id="t_2">' in rendered.html


def _shared_ids(text: str) -> list[str]:
    return re.findall(rf'id="({PAIR_ID})"', text)


def test_every_edition_carries_the_ids_both_languages_share(rich: Built) -> None:
    found = {}
    for lang in ("be", "en"):
        with zipfile.ZipFile(rich.edition(lang, "epub")) as epub:
            found[lang, "epub"] = _shared_ids(epub.read("EPUB/blocks.xhtml").decode())
        reader = PdfReader(rich.edition(lang, "pdf"))
        found[lang, "pdf"] = sorted(n for n in reader.named_destinations
                                    if re.fullmatch(PAIR_ID, n))
    assert found["be", "epub"] == found["en", "epub"]
    assert len(found["en", "epub"]) >= 6
    assert found["be", "pdf"] == found["en", "pdf"] == sorted(found["en", "epub"])
