"""Where the two languages of a chapter stand: each pair of blocks in sync, stale
(with the side that changed since a translator confirmed it, and a diff), new
(never confirmed), missing or extra, and what a careful editor would flag in it
(different dates, numbers, notes or links; text left in the other language)."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from publish.access import Access
from publish.alignment import anchors
from publish.blocks import Block
from publish.diagnostics import Code, Collector
from publish.languages import LANGUAGES
from publish.load import read_text
from publish.markup import render_chapter
from publish.pairing import pair_chapter
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
    code: Code
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
            target_lang: str, recorded: list[Confirmed], known: Mapping[str, str],
            access: Access) -> ChapterStatus:
    """The chapter's status; `known` maps each source text confirmed in any language
    to the id confirmed with it, which keeps ids the same for every language."""
    source_text = _chapter_text(source_path, access)
    target_text = _chapter_text(target_path, access)
    folder = source_path.parent.parent
    units = pair_chapter(render_chapter(source_text, source_lang, source_path, folder).blocks,
                         render_chapter(target_text, target_lang, target_path, folder).blocks,
                         known)
    status = ChapterStatus(name, source_lang, target_lang, source_path, target_path,
                           target_text, [])
    matcher = _RecordMatcher(recorded, source_lang, target_lang)
    sources, targets = source_text.split("\n"), target_text.split("\n")
    status.pairs = matcher.statuses([(unit.id, _joined(unit.source, sources),
                                      _joined(unit.target, targets)) for unit in units])
    for pair in status.pairs:
        if pair.source is not None and pair.target is not None:
            pair.problems = problems(pair.source.text, pair.target.text, source_lang,
                                     target_lang)
    _place_unpaired(status.pairs)
    return status


def _joined(blocks: tuple[Block, ...], lines: list[str]) -> Block | None:
    """The blocks of one side of a unit as one, with the lines between them."""
    if len(blocks) < 2:
        return blocks[0] if blocks else None
    first, last = blocks[0], blocks[-1]
    return dataclasses.replace(first, text="\n".join(lines[first.line - 1:last.end - 1]),
                               end=last.end)


def _chapter_text(path: Path, access: Access) -> str:
    """The chapter's text, read as the build reads it; empty if there is no file."""
    if not path.exists():
        return ""
    diagnostics = Collector()
    text = read_text(path, access, diagnostics)
    diagnostics.raise_if_any()
    assert text is not None
    return text


class _RecordMatcher:
    """Finds, for each unit, what was confirmed of it: by its id, else by its text."""

    def __init__(self, recorded: list[Confirmed], source_lang: str, target_lang: str) -> None:
        self.recorded = {c.id: c for c in recorded}
        self.langs = (source_lang, target_lang)

    def statuses(self, units: list[tuple[str, Block | None, Block | None]]
                 ) -> list[PairStatus]:
        """Each unit's status; a unit takes what was confirmed under its id first,
        else what was confirmed with its texts, each test tried on every unit before
        the next, weaker one."""
        tests: list[Callable[[str, str | None, str | None, Confirmed], bool]] = [
            lambda i, s, t, c: c.id == i,
            lambda i, s, t, c: (c.source, c.target) == (s, t),
            lambda i, s, t, c: s is not None and c.source == s,
            lambda i, s, t, c: t is not None and c.target == t,
        ]
        found: list[Confirmed | None] = [None] * len(units)
        used: set[str] = set()
        for test in tests:
            for n, (pair_id, source, target) in enumerate(units):
                if found[n] is not None:
                    continue
                texts = (_text(source), _text(target))
                # A block confirmed without a counterpart is that, and a pair a pair.
                match = next((c for c in self.recorded.values() if c.id not in used
                              and (c.source == "") == (source is None)
                              and (c.target == "") == (target is None)
                              and test(pair_id, *texts, c)), None)
                if match is not None:
                    found[n] = match
                    used.add(match.id)
        return [self._status(*unit, confirmed)
                for unit, confirmed in zip(units, found, strict=True)]

    def _status(self, pair_id: str, source: Block | None, target: Block | None,
                confirmed: Confirmed | None) -> PairStatus:
        if confirmed is None:
            state = (State.MISSING if target is None else State.EXTRA if source is None
                     else State.NEW)
            return PairStatus(pair_id, source, target, state)
        status = PairStatus(pair_id, source, target, State.IN_SYNC, confirmed=confirmed)
        for lang, then, block in ((self.langs[0], confirmed.source, source),
                                  (self.langs[1], confirmed.target, target)):
            now = _text(block) or ""
            if then != now:
                status.state = State.STALE
                status.changed.append(lang)
                status.diffs[lang] = word_diff(then, now)
        return status


def _text(block: Block | None) -> str | None:
    return block.text if block is not None else None


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
        found.append(Problem(Code.UNTRANSLATED,
                             f"the {target_lang} text is not in {target_lang}"))
    mine, theirs = anchors(source), anchors(target)
    kinds = {"date": "dates", "num": "numbers", "note": "note references", "link": "links"}
    for kind, name in kinds.items():
        left = sorted(k.split(":", 1)[1] for k in mine.elements() if k.startswith(kind + ":"))
        right = sorted(k.split(":", 1)[1] for k in theirs.elements()
                       if k.startswith(kind + ":"))
        if left != right:
            found.append(Problem(Code.MISMATCH, f"{name} differ: {source_lang} has "
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
