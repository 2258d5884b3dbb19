"""The sync status for people (a table, and each finding as a diagnostic whose related
location is the other language's side) and for tools (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from publish.blocks import Block
from publish.diagnostics import Code, Diagnostic, Location
from publish.sync.status import ChapterStatus, PairStatus, State

COLUMNS = ["in-sync", "stale", "new", "missing", "extra", "untranslated", "mismatch"]


def table(chapters: list[ChapterStatus]) -> str:
    width = max([len("chapter"), *(len(_title(c)) for c in chapters)])
    lines = ["  ".join([f"{'chapter':<{width}}", *COLUMNS])]
    for chapter in chapters:
        counts = chapter.counts()
        lines.append("  ".join([f"{_title(chapter):<{width}}",
                                *(f"{counts[c]:>{len(c)}}" for c in COLUMNS)]))
    return "\n".join(lines)


def _title(chapter: ChapterStatus) -> str:
    return f"{chapter.name} ({chapter.target_lang})"


def diagnostics(chapters: list[ChapterStatus]) -> list[Diagnostic]:
    """Every finding, at the side that needs work, the other side its related location."""
    return [found for chapter in chapters for pair in chapter.pairs
            for found in _pair_diagnostics(chapter, pair)]


def _pair_diagnostics(chapter: ChapterStatus, pair: PairStatus) -> list[Diagnostic]:
    src, tgt = chapter.source_lang, chapter.target_lang
    here = _at(chapter.target_path, pair.target)
    there = _at(chapter.source_path, pair.source)
    found = []
    if pair.state is State.STALE:
        diffs = tuple(f"{lang}: {diff}" for lang, diff in pair.diffs.items())
        if pair.changed == [tgt]:
            found.append(_finding(there, Code.STALE, f"{tgt} changed since this pair was "
                                  f"confirmed; check {src}", here, diffs))
        else:
            found.append(_finding(here, Code.STALE, f"{' and '.join(pair.changed)} changed "
                                  f"since this pair was confirmed; update {tgt}", there, diffs))
    elif pair.state is State.NEW:
        found.append(_finding(here, Code.NEW, "never confirmed", there))
    elif pair.state is State.MISSING:
        place = "after the line" if pair.near else "in the file"
        found.append(_finding(there, Code.MISSING, f"no {tgt} text for this block; it "
                              f"belongs {place} in brackets",
                              Location(chapter.target_path, pair.near)))
    elif pair.state is State.EXTRA:
        found.append(_finding(here, Code.EXTRA, f"no {src} text for this block",
                              Location(chapter.source_path, pair.near)))
    found.extend(_finding(here, p.code, p.message, there) for p in pair.problems)
    return found


def _at(path: Path, block: Block | None) -> Location:
    return Location(path, block.line if block is not None else None)


def _finding(at: Location, code: Code, message: str, related: Location,
             detail: tuple[str, ...] = ()) -> Diagnostic:
    return Diagnostic(at.path, at.line, code, message, related, detail)


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def as_json(chapters: list[ChapterStatus], root: Path) -> str:
    return json.dumps({
        "in_sync": all(c.in_sync for c in chapters),
        "chapters": [{
            "chapter": c.name,
            "source": {"lang": c.source_lang, "path": _shown(c.source_path, root)},
            "target": {"lang": c.target_lang, "path": _shown(c.target_path, root)},
            "counts": c.counts(),
            "pairs": [_pair_json(p) for p in c.pairs],
        } for c in chapters],
    }, ensure_ascii=False, indent=2)


def _pair_json(pair: PairStatus) -> dict[str, Any]:
    return {
        "id": pair.id,
        "state": pair.state.value,
        "source_line": pair.source.line if pair.source else None,
        "target_line": pair.target.line if pair.target else None,
        "near_line": pair.near,
        "changed": pair.changed,
        "diffs": pair.diffs,
        "problems": [{"code": p.code, "message": p.message} for p in pair.problems],
    }
