"""The block alignment of two languages, measured against hand-aligned real parallel texts.

Each folder under tests/alignment/ holds a stretch of a published book and its published
translation (`source.md`, `target.md`: one paragraph a block, blocks apart by blank lines)
and `pairs.txt`, the alignment made by hand: one unit a line, the 1-based paragraph
numbers of the source, ` = `, those of the target; either side may be empty.
tests/alignment/README.md says where the texts come from and what shapes of unit they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from publish.alignment import align_texts

CASES = Path(__file__).parent / "alignment"

# Both precision and recall of the units must reach this. Real translations hold units
# wider than two paragraphs (see the READMEs), which an aligner of 1-2 and 2-1 units
# cannot get right, so a perfect score is not the bar.
THRESHOLD = 0.9

Unit = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class AlignmentCase:
    name: str
    source: list[str]
    target: list[str]
    units: list[Unit]  # 0-based paragraph indices, in the order of the texts


def paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").strip()
    return [block.strip() for block in re.split(r"\n[ \t]*\n", text)]


def numbers(side: str, count: int, where: str) -> tuple[int, ...]:
    indices = tuple(int(word) - 1 for word in side.split())
    if any(not 0 <= index < count for index in indices):
        raise ValueError(f"{where}: a paragraph number outside 1..{count}")
    return indices


def units(path: Path, sources: int, targets: int) -> list[Unit]:
    """The units of `pairs.txt`, checked to cover every paragraph once and in order."""
    found: list[Unit] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path}:{number}"
        source, equals, target = line.partition("=")
        if not equals or "=" in target:
            raise ValueError(f"{where}: a unit is 'source numbers = target numbers'")
        unit = (numbers(source, sources, where), numbers(target, targets, where))
        if unit == ((), ()):
            raise ValueError(f"{where}: a unit with no paragraph")
        found.append(unit)
    for side, count in ((0, sources), (1, targets)):
        covered = [index for unit in found for index in unit[side]]
        if covered != list(range(count)):
            raise ValueError(f"{path}: the units must cover each paragraph once, in order")
    return found


def load_case(folder: Path) -> AlignmentCase:
    source = paragraphs(folder / "source.md")
    target = paragraphs(folder / "target.md")
    return AlignmentCase(folder.name, source, target,
                         units(folder / "pairs.txt", len(source), len(target)))


def normalized(unit: Unit) -> Unit:
    return tuple(sorted(unit[0])), tuple(sorted(unit[1]))


def shown(unit: Unit) -> str:
    """A unit in the 1-based notation of pairs.txt, to read against the files."""
    return " = ".join(" ".join(str(index + 1) for index in side) for side in unit)


@pytest.mark.parametrize("folder", sorted(p.parent for p in CASES.glob("*/pairs.txt")),
                         ids=lambda folder: folder.name)
def test_alignment_finds_the_hand_made_units(folder: Path) -> None:
    case = load_case(folder)
    predicted = [normalized(unit) for unit in align_texts(case.source, case.target)]
    gold = set(case.units)
    right = [unit for unit in predicted if unit in gold]
    precision = len(right) / len(predicted) if predicted else 0.0
    recall = len(set(right)) / len(gold)
    missed = [shown(unit) for unit in case.units if unit not in set(predicted)]
    wrong = [shown(unit) for unit in predicted if unit not in gold]
    assert precision >= THRESHOLD and recall >= THRESHOLD, (
        f"{case.name}: precision {precision:.3f}, recall {recall:.3f}; "
        f"missed {missed}; wrong {wrong}")
