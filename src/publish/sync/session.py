"""What the `publish sync` commands work on: the book's languages, its chapter
pairs and the record, and the status of each chapter."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from publish.access import Access
from publish.blocks import Block
from publish.config import SharedConfig, load_shared
from publish.diagnostics import BuildFailed, Code, Collector, Diagnostic
from publish.sync.commit import recover
from publish.sync.record import RECORD, Confirmed, Record, load_record
from publish.sync.status import ChapterStatus, State, compare


@dataclass
class SyncSession:
    folder: Path
    config: SharedConfig
    record: Record

    @property
    def targets(self) -> list[str]:
        return _targets(self.config)

    def chapter_names(self) -> list[str]:
        names = {p.stem for lang in self.config.languages
                 for p in (self.folder / lang).glob("*.md")}
        return sorted(names)

    def status(self, langs: list[str] | None = None,
               chapters: list[str] | None = None) -> list[ChapterStatus]:
        source = self.config.source_language
        chosen = self._langs(langs)
        names = self._chapters(chapters)
        return [
            compare(name, self.folder / source / f"{name}.md",
                    self.folder / lang / f"{name}.md", source, lang,
                    self.record.chapter(lang, name), self.record.known(name),
                    Access.within(self.folder))
            for lang in chosen for name in names
        ]

    def accept(self, targets: list[str], langs: list[str] | None = None) -> int:
        """Confirm the pairs `targets` name (chapter, chapter:section or
        chapter:pair-id; all of them if none); return how many changed."""
        changed = 0
        matched: set[str] = set()
        for chapter in self.status(langs):
            # A chapter confirmed whole is recorded as it stands: what was confirmed of
            # blocks it no longer has goes.
            whole = not targets or chapter.name in (t.removesuffix(".md") for t in targets)
            before = {c.id for c in self.record.chapter(chapter.target_lang, chapter.name)}
            confirmed = {} if whole else {
                c.id: c for c in self.record.chapter(chapter.target_lang, chapter.name)}
            for pair in chapter.pairs:
                chosen_by = _chosen(chapter.name, pair.id, targets)
                if chosen_by is None:
                    continue
                matched.add(chosen_by)
                if pair.state is not State.IN_SYNC or pair.id not in before:
                    changed += 1
                if pair.confirmed is not None:
                    # Confirmed under the id the pair had before the text moved.
                    confirmed.pop(pair.confirmed.id, None)
                # A block without a counterpart is confirmed as such, on purpose.
                confirmed[pair.id] = Confirmed(pair.id, _text(pair.source), _text(pair.target))
            self.record.replace(chapter.target_lang, chapter.name, list(confirmed.values()))
        if not targets:
            names = set(self.chapter_names())
            for lang in self._langs(langs):
                for gone in [name for name in self.record.entries.get(lang, {})
                             if name not in names]:
                    self.record.replace(lang, gone, [])
        unmatched = [t for t in targets if t not in matched]
        if unmatched:
            raise BuildFailed([Diagnostic(self.folder / "sync.toml", None, Code.UNKNOWN_PAIR,
                                          f"nothing to confirm matches {t!r}")
                               for t in unmatched])
        self.record.save()
        return changed

    def _langs(self, langs: list[str] | None) -> list[str]:
        for lang in langs or []:
            if lang not in self.targets:
                raise BuildFailed([Diagnostic(
                    self.folder / "book.toml", None, Code.UNKNOWN_LANGUAGE,
                    f"{lang!r} is not a translation of this book "
                    f"(translations: {', '.join(self.targets)})")])
        return langs or self.targets

    def _chapters(self, patterns: list[str] | None) -> list[str]:
        names = self.chapter_names()
        if not patterns:
            return names
        chosen = [n for n in names if any(fnmatch.fnmatch(n, p) or n == p.removesuffix(".md")
                                          for p in patterns)]
        if not chosen:
            raise BuildFailed([Diagnostic(Path("--chapter"), None, Code.UNKNOWN_CHAPTER,
                                          f"no chapter matches {' '.join(patterns)}")])
        return chosen


def _text(block: Block | None) -> str:
    return block.text if block is not None else ""


def _chosen(chapter: str, pair_id: str, targets: list[str]) -> str | None:
    """The target that names this pair ("" when all are chosen), or None."""
    if not targets:
        return ""
    for target in targets:
        name, _, part = target.removesuffix(".md").partition(":")
        if name != chapter:
            continue
        if not part or part == pair_id or pair_id.rsplit("_", 1)[0] == part:
            return target
    return None


def open_session(folder: Path) -> SyncSession:
    recover(folder)
    diagnostics = Collector()
    config = load_shared(folder / "book.toml", diagnostics)
    diagnostics.raise_if_any()
    assert config is not None
    return SyncSession(folder, config,
                       load_record(folder / RECORD, config.source_language, _targets(config)))


def _targets(config: SharedConfig) -> list[str]:
    """The languages translated from the source language."""
    return [lang for lang in config.languages if lang != config.source_language]
