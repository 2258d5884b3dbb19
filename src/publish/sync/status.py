"""Where the two languages of a chapter stand: each pair of blocks in sync, stale
(with the side that changed since a translator confirmed it, and a diff), new
(never confirmed), missing or extra, and what a careful editor would flag in it
(different dates, numbers, notes or links; text left in the other language)."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from publish.access import Access
from publish.diagnostics import Collector
from publish.languages import LANGUAGES
from publish.load import read_text
from publish.sync.align import Pair, align, anchors
from publish.sync.blocks import Block, Chapter, Section, split
from publish.sync.record import Confirmed

MARKUP = re.compile(
    r"(\*[^*]+\*|\[[^\]]+\])\{[^}]*\blang=[^}]*\}"  # a passage in another language
    r"|\{[^}]*\}(`[^`]*`)?"              # roles, attribute lists
    r"|\[\^[^\]]+\]|\]\([^)]*\)|`[^`]*`"    # note references, link targets, code
)
"""What stays as it is in a translation, left out when telling its language."""


class State(Enum):
    IN_SYNC = "in-sync"
    STALE = "stale"
    NEW = "new"
    MISSING = "missing"
    EXTRA = "extra"


@dataclass(frozen=True)
class Problem:
    code: str
    """`untranslated` or `mismatch`."""
    message: str


@dataclass
class PairStatus:
    id: str
    source: Block | None
    target: Block | None
    state: State
    changed: list[str] = field(default_factory=list)
    """The languages whose text changed since the pair was confirmed."""
    diffs: dict[str, str] = field(default_factory=dict)
    """Per changed language, what changed: [-removed-] {+added+}."""
    problems: list[Problem] = field(default_factory=list)
    near: int | None = None
    """For a missing or extra block, the line of the other side near which it belongs."""
    confirmed: Confirmed | None = None
    """What both sides said when the pair was last confirmed."""


@dataclass
class ChapterStatus:
    name: str
    source_lang: str
    target_lang: str
    source_path: Path
    target_path: Path
    target_text: str
    """The translation as compared, which an import changes; empty if not written."""
    pairs: list[PairStatus]

    def counts(self) -> dict[str, int]:
        counts = Counter(pair.state.value for pair in self.pairs)
        for pair in self.pairs:
            counts.update({problem.code for problem in pair.problems})
        names = [*(state.value for state in State), "untranslated", "mismatch"]
        return {name: counts.get(name, 0) for name in names}

    @property
    def in_sync(self) -> bool:
        return all(p.state is State.IN_SYNC and not p.problems for p in self.pairs)


def compare(name: str, source_path: Path, target_path: Path, source_lang: str,
            target_lang: str, recorded: list[Confirmed], access: Access) -> ChapterStatus:
    target_text = _chapter_text(target_path, access)
    source = split(_chapter_text(source_path, access))
    target = split(target_text)
    status = ChapterStatus(name, source_lang, target_lang, source_path, target_path,
                           target_text, [])
    matcher = _RecordMatcher(recorded, source_lang, target_lang)
    for section_id, source_section, target_section in _sections(source, target):
        if source_section is not None or target_section is not None:
            heading = Pair(source_section.heading if source_section else None,
                           target_section.heading if target_section else None)
            status.pairs.append(matcher.fixed(f"{section_id}_title", heading))
        pairs = align(source_section.blocks if source_section else [],
                      target_section.blocks if target_section else [])
        status.pairs.extend(matcher.body(section_id, pairs))
    source_notes = {note.label: note for note in source.notes}
    target_notes = {note.label: note for note in target.notes}
    for label in [*source_notes, *(k for k in target_notes if k not in source_notes)]:
        status.pairs.append(matcher.fixed(
            f"note_{label}", Pair(source_notes.get(label), target_notes.get(label))))
    for pair in status.pairs:
        if pair.source is not None and pair.target is not None:
            pair.problems = problems(pair.source.text, pair.target.text, source_lang,
                                     target_lang)
    _place_unpaired(status.pairs)
    return status


def _chapter_text(path: Path, access: Access) -> str:
    """The chapter's text, read as the build reads it; empty if there is no file."""
    if not path.exists():
        return ""
    diagnostics = Collector()
    text = read_text(path, access, diagnostics)
    diagnostics.raise_if_any()
    assert text is not None
    return text


def _sections(source: Chapter,
              target: Chapter) -> Iterator[tuple[str, Section | None, Section | None]]:
    """Sections paired by heading id, in the source's order, the target's own last."""
    targets = {section.id: section for section in target.sections}
    seen = set()
    for section in source.sections:
        seen.add(section.id)
        yield section.id, section, targets.get(section.id)
    for section in target.sections:
        if section.id not in seen:
            yield section.id, None, section


class _RecordMatcher:
    """Finds, for each current pair, the confirmed pair it continues."""

    def __init__(self, recorded: list[Confirmed], source_lang: str, target_lang: str) -> None:
        self.recorded = {c.id: c for c in recorded}
        self.langs = (source_lang, target_lang)
        self.used: set[str] = set()

    def fixed(self, pair_id: str, pair: Pair) -> PairStatus:
        return self._status(pair_id, pair, self.recorded.get(pair_id))

    def body(self, section_id: str, pairs: list[Pair]) -> list[PairStatus]:
        pattern = re.compile(rf"{re.escape(section_id)}_(\d+)")
        pool = [c for c in self.recorded.values() if pattern.fullmatch(c.id)]
        found: list[Confirmed | None] = [None] * len(pairs)
        tests: list[Callable[[Pair, Confirmed], bool]] = [
            lambda p, c: _text(p.source) == c.source and _text(p.target) == c.target,
            lambda p, c: p.source is not None and _text(p.source) == c.source,
            lambda p, c: p.target is not None and _text(p.target) == c.target,
            lambda p, c: max(_ratio(_text(p.source), c.source),
                             _ratio(_text(p.target), c.target)) >= 0.6,
        ]
        for test in tests:
            for index, pair in enumerate(pairs):
                if found[index] is None:
                    match = next((c for c in pool if c.id not in self.used and test(pair, c)),
                                 None)
                    if match is not None:
                        found[index] = match
                        self.used.add(match.id)
        numbers = [int(m[1]) for c in pool if (m := pattern.fullmatch(c.id))]
        fresh = max(numbers, default=0)
        statuses = []
        for pair, confirmed in zip(pairs, found, strict=True):
            if confirmed is None:
                fresh += 1
                pair_id = f"{section_id}_{fresh}"
            else:
                pair_id = confirmed.id
            statuses.append(self._status(pair_id, pair, confirmed))
        return statuses

    def _status(self, pair_id: str, pair: Pair, confirmed: Confirmed | None) -> PairStatus:
        if pair.target is None:
            return PairStatus(pair_id, pair.source, None, State.MISSING)
        if pair.source is None:
            return PairStatus(pair_id, None, pair.target, State.EXTRA)
        if confirmed is None:
            return PairStatus(pair_id, pair.source, pair.target, State.NEW)
        status = PairStatus(pair_id, pair.source, pair.target, State.IN_SYNC,
                            confirmed=confirmed)
        for lang, then, now in ((self.langs[0], confirmed.source, pair.source.text),
                                (self.langs[1], confirmed.target, pair.target.text)):
            if then != now:
                status.state = State.STALE
                status.changed.append(lang)
                status.diffs[lang] = word_diff(then, now)
        return status


def _text(block: Block | None) -> str | None:
    return block.text if block is not None else None


def _ratio(now: str | None, then: str) -> float:
    return difflib.SequenceMatcher(None, now, then).ratio() if now is not None else 0.0


def word_diff(old: str, new: str) -> str:
    """What changed from `old` to `new`, word by word: [-removed-] {+added+}."""
    before, after = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        if tag == "equal":
            parts.append("".join(before[i1:i2]))
            continue
        if i2 > i1:
            parts.append(f"[-{''.join(before[i1:i2])}-]")
        if j2 > j1:
            parts.append(f"{{+{''.join(after[j1:j2])}+}}")
    return "".join(parts)


def problems(source: str, target: str, source_lang: str, target_lang: str) -> list[Problem]:
    """What a careful editor would flag in a translation `target` of `source`."""
    found = []
    if _untranslated(source, target, target_lang):
        found.append(Problem("untranslated",
                             f"the {target_lang} text is not in {target_lang}"))
    mine, theirs = anchors(source), anchors(target)
    kinds = {"date": "dates", "num": "numbers", "note": "note references", "link": "links"}
    for kind, name in kinds.items():
        left = sorted(k.split(":", 1)[1] for k in mine.elements() if k.startswith(kind + ":"))
        right = sorted(k.split(":", 1)[1] for k in theirs.elements()
                       if k.startswith(kind + ":"))
        if left != right:
            found.append(Problem("mismatch", f"{name} differ: {source_lang} has "
                                 f"{_listed(left)}, {target_lang} has {_listed(right)}"))
    return found


def _listed(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def _untranslated(source: str, target: str, target_lang: str) -> bool:
    text = MARKUP.sub(" ", target)
    letters = sum(1 for char in text if char.isalpha())
    if letters == 0:
        return False
    if source == target:
        return True
    own = LANGUAGES[target_lang].script.count(text)
    return own < letters / 2


def _place_unpaired(pairs: list[PairStatus]) -> None:
    """A missing block belongs after the target block of the pair before it."""
    last_target = last_source = None
    for pair in pairs:
        if pair.state is State.MISSING:
            pair.near = last_target
        elif pair.state is State.EXTRA:
            pair.near = last_source
        if pair.target is not None:
            last_target = pair.target.end - 1
        if pair.source is not None:
            last_source = pair.source.end - 1
