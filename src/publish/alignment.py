"""Which blocks of a translation answer which blocks of its source.

A sequence alignment, as in bilingual sentence alignment (Gale and Church): the
blocks of a section are paired in order, one to one, one to two or two to one, or
left without a counterpart, so that an inserted paragraph does not shift what
follows and a paragraph split in two is still one unit. A unit scores by what
survives translation: its length against the chapter's own ratio of lengths, its
number of sentences, its punctuation, its names and numbers, and what the markup
keeps unchanged (dates, numbers, notes, links, images).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from publish.roles import ROLE_PATTERN

NOTE_REF = re.compile(r"\[\^([^\]]+)\](?!:)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)")
DIGITS = re.compile(r"\d+")
SENTENCE = re.compile(r"[.!?…]+[»”“\"')]*(?:\s|$)")
NAME = re.compile(r"(?<=[^.!?…\s]\s)[^\W\d_][^\W\d_]+", re.UNICODE)
PUNCTUATION = {"?": "?", "!": "!", ":": ":", ";": ";", "(": "(", "—": "—", "–": "—",
               **dict.fromkeys("«»„“”\"", "quote")}
MATCH_THRESHOLD = 0.4
"""What a unit must score to count for more than nothing."""
UNPAIRED = 0.1
"""What a block left without a counterpart costs: most blocks have one, so a unit
that scores a little under the threshold is still more likely than two blocks
without."""
MERGE_PENALTY = 0.05
"""What a unit of three blocks costs over a unit of two: the evidence must say so.
These weights are set on the hand-aligned texts of tests/alignment/."""
VARIANCE = 60.0
"""The variance of a translation's length per character of source: Gale and Church
found 6.8 for sentences of English, French and German; paragraphs of languages
further apart vary more."""


@dataclass(frozen=True)
class Text:
    """A block as the aligner sees it: its text and kind."""

    text: str
    kind: str = ""


@dataclass(frozen=True)
class Features:
    length: int
    sentences: int
    anchors: Counter[str]
    punctuation: Counter[str]
    names: int


def features(text: str) -> Features:
    anchors: Counter[str] = Counter()
    for role in re.finditer(ROLE_PATTERN, text):
        anchors[f"{role['name']}:{role['value']}"] += 1
    anchors.update(f"note:{label}" for label in NOTE_REF.findall(text))
    anchors.update(f"link:{target}" for target in LINK.findall(text))
    plain = re.sub(ROLE_PATTERN, " ", text)
    anchors.update(f"digits:{number}" for number in DIGITS.findall(plain))
    return Features(
        length=len(plain),
        sentences=max(1, len(SENTENCE.findall(plain))),
        anchors=anchors,
        punctuation=Counter(PUNCTUATION[c] for c in plain if c in PUNCTUATION),
        names=sum(1 for word in NAME.findall(plain) if word[0].isupper()),
    )


def anchors(text: str) -> Counter[str]:
    """What a faithful translation keeps as it is."""
    return Counter({k: v for k, v in features(text).anchors.items()
                    if not k.startswith("digits:")})


def _ratio(a: float, b: float) -> float:
    return 1.0 if a == b else min(a, b) / max(a, b)


def _overlap(left: Counter[str], right: Counter[str]) -> float:
    total = max(sum(left.values()), sum(right.values()))
    return sum((left & right).values()) / total if total else 1.0


def similarity(source: Features, target: Features, scale: float) -> float:
    """How likely `target` translates `source`, from 0 to 1; `scale` is the
    translation's length per character of source over the whole chapter."""
    expected = source.length * scale
    delta = (target.length - expected) / math.sqrt(max(source.length, 1) * VARIANCE * scale)
    length = math.erfc(abs(delta) / math.sqrt(2))
    parts = [(length, 0.45), (_ratio(source.sentences, target.sentences), 0.15),
             (_overlap(source.punctuation, target.punctuation), 0.1),
             (_ratio(source.names + 1, target.names + 1), 0.05)]
    if source.anchors or target.anchors:
        parts.append((_overlap(source.anchors, target.anchors), 0.6))
    return sum(score * weight for score, weight in parts) / sum(w for _, w in parts)


def _joined(group: Sequence[Features]) -> Features:
    return Features(sum(f.length for f in group), sum(f.sentences for f in group),
                    sum((f.anchors for f in group), Counter()),
                    sum((f.punctuation for f in group), Counter()),
                    sum(f.names for f in group))


Unit = tuple[tuple[int, ...], tuple[int, ...]]
"""The indices of the source blocks and of the target blocks that answer each other."""

SHAPES = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1))


def align(source: Sequence[Text], target: Sequence[Text]) -> list[Unit]:
    """The best monotonic division of two block lists into units, in order."""
    left, right = [features(b.text) for b in source], [features(b.text) for b in target]
    total = sum(f.length for f in left)
    scale = sum(f.length for f in right) / total if total else 1.0
    scale = min(max(scale, 0.5), 2.0)
    rows, cols = len(source), len(target)
    best = [[-math.inf] * (cols + 1) for _ in range(rows + 1)]
    step: list[list[tuple[int, int]]] = [[(0, 0)] * (cols + 1) for _ in range(rows + 1)]
    best[rows][cols] = 0.0
    for i in range(rows, -1, -1):
        for j in range(cols, -1, -1):
            for di, dj in SHAPES:
                if i + di > rows or j + dj > cols or best[i + di][j + dj] == -math.inf:
                    continue
                score = best[i + di][j + dj] + _score(source[i:i + di], target[j:j + dj],
                                                      left[i:i + di], right[j:j + dj], scale)
                if score > best[i][j]:
                    best[i][j], step[i][j] = score, (di, dj)
    units: list[Unit] = []
    i = j = 0
    while i < rows or j < cols:
        di, dj = step[i][j]
        units.append((tuple(range(i, i + di)), tuple(range(j, j + dj))))
        i, j = i + di, j + dj
    return units


def _score(source: Sequence[Text], target: Sequence[Text], left: Sequence[Features],
           right: Sequence[Features], scale: float) -> float:
    if not source or not target:
        return -UNPAIRED * (len(source) + len(target))
    if len({b.kind for b in (*source, *target)}) > 1:
        return -math.inf
    penalty = MERGE_PENALTY if len(source) + len(target) > 2 else 0.0
    return similarity(_joined(left), _joined(right), scale) - MATCH_THRESHOLD - penalty


def align_texts(source: list[str], target: list[str]) -> list[Unit]:
    """`align` for plain paragraphs."""
    return align([Text(t) for t in source], [Text(t) for t in target])
