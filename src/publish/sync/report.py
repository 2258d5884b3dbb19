"""The sync status for people (a table and one line per finding) and for tools (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from publish.blocks import Block
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


def findings(chapters: list[ChapterStatus], root: Path) -> list[str]:
    """`path:line: code: message [other side]`, the side that needs work first."""
    lines = []
    for chapter in chapters:
        source, target = _shown(chapter.source_path, root), _shown(chapter.target_path, root)
        for pair in chapter.pairs:
            lines.extend(_pair_lines(chapter, pair, source, target))
    return lines


def _pair_lines(chapter: ChapterStatus, pair: PairStatus, source: str,
                target: str) -> list[str]:
    src, tgt = chapter.source_lang, chapter.target_lang
    here = f"{target}:{_line(pair.target)}"
    there = f"{source}:{_line(pair.source)}"
    lines = []
    if pair.state is State.STALE:
        if pair.changed == [tgt]:
            lines.append(f"{there}: stale: {tgt} changed since this pair was confirmed; "
                         f"check {src} [{here}]")
        else:
            lines.append(f"{here}: stale: {' and '.join(pair.changed)} changed since this "
                         f"pair was confirmed; update {tgt} [{there}]")
        lines.extend(f"    {lang}: {diff}" for lang, diff in pair.diffs.items())
    elif pair.state is State.NEW:
        lines.append(f"{here}: new: never confirmed [{there}]")
    elif pair.state is State.MISSING:
        near = f"after {target}:{pair.near}" if pair.near else f"in {target}"
        lines.append(f"{there}: missing: no {tgt} text for this block; it belongs {near}")
    elif pair.state is State.EXTRA:
        near = f" [{source}:{pair.near}]" if pair.near else ""
        lines.append(f"{here}: extra: no {src} text for this block{near}")
    lines.extend(f"{here}: {p.code}: {p.message} [{there}]" for p in pair.problems)
    return lines


def _line(block: Block | None) -> str:
    return str(block.line) if block is not None else "?"


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
