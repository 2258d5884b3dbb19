"""Pairing the blocks of two languages.

Sections pair by heading id and notes by label. Inside a section, blocks pair by a
sequence alignment (as in bilingual sentence alignment): a pair scores by what
survives translation unchanged (dates, numbers, note references, links, images)
and by length, and a block may stay unpaired, so that one inserted paragraph does
not shift everything after it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from publish.roles import ROLE_PATTERN
from publish.sync.blocks import Block

NOTE_REF = re.compile(r"\[\^([^\]]+)\](?!:)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)")
MATCH_THRESHOLD = 0.35
"""A pair scoring less than this is worse than leaving both blocks unpaired."""


@dataclass(frozen=True)
class Pair:
    source: Block | None
    target: Block | None


def anchors(text: str) -> Counter[str]:
    """What a faithful translation keeps as it is."""
    found: Counter[str] = Counter()
    for role in re.finditer(ROLE_PATTERN, text):
        found[f"{role['name']}:{role['value']}"] += 1
    found.update(f"note:{label}" for label in NOTE_REF.findall(text))
    found.update(f"link:{target}" for target in LINK.findall(text))
    return found


def similarity(source: Block, target: Block) -> float:
    if source.kind is not target.kind:
        return 0.0
    short, long = sorted((len(source.text), len(target.text)))
    length = short / long if long else 1.0
    left, right = anchors(source.text), anchors(target.text)
    if not left and not right:
        return length
    shared = sum((left & right).values())
    overlap = shared / max(sum(left.values()), sum(right.values()))
    return 0.7 * overlap + 0.3 * length


def align(source: list[Block], target: list[Block]) -> list[Pair]:
    """The best monotonic pairing of two block lists, unpaired blocks included."""
    rows, cols = len(source), len(target)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            paired = best[i + 1][j + 1] + similarity(source[i], target[j]) - MATCH_THRESHOLD
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < rows or j < cols:
        if i < rows and j < cols and best[i][j] == (
                best[i + 1][j + 1] + similarity(source[i], target[j]) - MATCH_THRESHOLD):
            pairs.append(Pair(source[i], target[j]))
            i, j = i + 1, j + 1
        elif i < rows and (j == cols or best[i][j] == best[i + 1][j]):
            pairs.append(Pair(source[i], None))
            i += 1
        else:
            pairs.append(Pair(None, target[j]))
            j += 1
    return pairs
