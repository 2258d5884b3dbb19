"""Translations from a PO or XLIFF file, written back into the Markdown block for
block. Every segment is checked first: it must belong to the manuscript as it
stands, change only the text of its block, and say nothing the manuscript itself
may not; a file with any segment that does not fit changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from publish.blocks import Kind
from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.sync.exchange import Translation, TranslationFile
from publish.sync.status import ChapterStatus, PairStatus, problems
from publish.sync.structure import Shape, new_findings, shape, structure_change


@dataclass(frozen=True)
class _Change:
    """Lines `start` to `end` (from 0, end excluded) of a target file replaced."""

    translation: Translation
    pair: PairStatus
    start: int
    end: int
    text: str
    reference: str
    """What stands there without the translation: the block as it is, or, for a
    block the target lacks, the source block in its place."""


def language(found: TranslationFile, targets: list[str]) -> str:
    """The translation of the book that `found` is for."""
    lang = re.split(r"[-_]", found.lang)[0]
    if not lang:
        raise BuildFailed([Diagnostic(found.path, found.lang_line, Code.SYNC_IMPORT,
                                      "the file names no language it translates into")])
    if lang not in targets:
        raise BuildFailed([Diagnostic(
            found.path, found.lang_line, Code.SYNC_IMPORT,
            f"the file translates into {found.lang!r}, which is not a translation of this "
            f"book ({', '.join(targets) or 'none'})")])
    return lang


def plan(chapters: list[ChapterStatus], translations: list[Translation], path: Path,
         manuscript: Path) -> dict[Path, bytes]:
    """The new content of each target file the translations change."""
    pairs = {f"{c.name}:{p.id}": (c, p) for c in chapters for p in c.pairs}
    changes: dict[Path, list[_Change]] = {}
    found = []
    for translation in translations:
        chapter, pair = pairs.get(translation.key, (None, None))
        if chapter is None or pair is None or pair.source is None:
            found.append(_diagnostic(path, translation, Code.SYNC_IMPORT,
                                     f"no segment {translation.key!r} in the manuscript"))
            continue
        if translation.source != pair.source.text:
            found.append(_diagnostic(
                path, translation, Code.SYNC_IMPORT, f"the {chapter.source_lang} text of "
                f"{translation.key!r} changed since the file was exported; export again"))
            continue
        if translation.target.strip():
            changes.setdefault(chapter.target_path, []).append(_change(translation, pair))
    files = {}
    by_path = {chapter.target_path: chapter for chapter in chapters}
    for target_path, chapter_changes in changes.items():
        chapter = by_path[target_path]
        text = chapter.target_text
        found += _check(chapter, text, chapter_changes, path, manuscript)
        updated = _applied(text, [(c.start, c.end, c.text) for c in chapter_changes])
        if updated != text:
            files[target_path] = updated.encode("utf-8")
    if found:
        raise BuildFailed(found)
    return files


def _change(translation: Translation, pair: PairStatus) -> _Change:
    assert pair.source is not None
    if pair.target is not None:
        return _Change(translation, pair, pair.target.line - 1, pair.target.end - 1,
                       translation.target, pair.target.text)
    # A block the target lacks goes after the target block of the pair before it,
    # a paragraph apart, or right after it in a list or table.
    at = pair.near if pair.near is not None else 0
    tight = pair.source.kind in (Kind.ITEM, Kind.ROW)

    def placed(block: str) -> str:
        if not at:
            return f"{block}\n"
        return block if tight else f"\n{block}"

    return _Change(translation, pair, at, at, placed(translation.target),
                   placed(pair.source.text))


def _applied(text: str, changes: list[tuple[int, int, str]]) -> str:
    lines = text.split("\n")
    # From the end of the file backwards, so that earlier line numbers stay true; of
    # two blocks put in at one place, the first stays first.
    for _, (start, end, new) in sorted(enumerate(changes), key=lambda c: (c[1][0], c[0]),
                                       reverse=True):
        lines[start:end] = new.split("\n")
    return "\n".join(lines)


def _check(chapter: ChapterStatus, text: str, changes: list[_Change], path: Path,
           manuscript: Path) -> list[Diagnostic]:
    """Each change on its own against the chapter without it: what one translation
    does wrong is told at its own line."""

    def rendered(replacement: str, change: _Change) -> Shape:
        return shape(_applied(text, [(change.start, change.end, replacement)]),
                     chapter.target_lang, chapter.target_path, manuscript)

    found = []
    for change in changes:
        if change.text == change.reference and change.pair.target is not None:
            continue
        key = change.translation.key
        before, after = rendered(change.reference, change), rendered(change.text, change)
        if (what := structure_change(before, after)) is not None:
            found.append(_diagnostic(
                path, change.translation, Code.SYNC_IMPORT, f"the translation of {key!r} "
                f"changes the structure of the chapter, not only its text: {what}"))
        for code, message in new_findings(before, after):
            found.append(_diagnostic(path, change.translation, code,
                                     f"{message} (in the translation of {key!r})"))
        assert change.pair.source is not None
        had = problems(change.pair.source.text, change.reference, chapter.source_lang,
                       chapter.target_lang) if change.pair.target is not None else []
        for problem in problems(change.pair.source.text, change.translation.target,
                                chapter.source_lang, chapter.target_lang):
            if problem.code == Code.MISMATCH and problem not in had:
                found.append(_diagnostic(path, change.translation, Code.SYNC_IMPORT,
                                         f"the translation of {key!r}: {problem.message}"))
    return found


def _diagnostic(path: Path, translation: Translation, code: Code, message: str) -> Diagnostic:
    return Diagnostic(path, translation.line, code, message)
