"""A book N times the size of another, for the benchmarks: every chapter file of every
language written N times, each copy with ids and note labels of its own so that the
book stays one the build accepts (an id twice in a language, or a link to a copy's
heading that leads to the original, is refused or wrong)."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[2]

COPY = "-copy{:02}"
"""What a copy's file name, ids and note labels end with: a letter after the hyphen, so
the id still starts with a letter and cannot collide with a numbered original."""

# An id opens an attribute list (`{#childhood}`, `{#childhood .class}`); a `#` later
# in one is text of a value (`{chronology="... #FreeViasna."}`), not an id.
_ID = re.compile(r"(\{\s*#)([A-Za-z][\w:.-]*)")
_NOTE = re.compile(r"\[\^([^\]\s]+)\]")
_LINK = re.compile(r"(\]\(#)([^)\s]+)\)")
_NOTE_LINK = "-fn-"
"""How a link names a note: `#<chapter>-fn-<label>` (README, Chapters)."""


def _copy_text(text: str, suffix: str) -> str:
    def link(match: re.Match[str]) -> str:
        chapter, found, label = match[2].partition(_NOTE_LINK)
        target = (f"{chapter}{suffix}{_NOTE_LINK}{label}{suffix}" if found
                  else f"{match[2]}{suffix}")
        return f"{match[1]}{target})"

    text = _ID.sub(lambda m: f"{m[1]}{m[2]}{suffix}", text)
    text = _NOTE.sub(lambda m: f"[^{m[1]}{suffix}]", text)
    return _LINK.sub(link, text)


def scaled_project(source: Path, dest: Path, scale: int) -> Path:
    """The project `source` (its manuscript/ and styles/) copied to `dest` with each
    chapter file of each language `scale` times; front and back matter copies stay
    front and back matter. A fixture book without styles of its own gets the
    project's, as the tests build it."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "manuscript", dest / "manuscript")
    styles = source / "styles" if (source / "styles").is_dir() else ROOT / "styles"
    shutil.copytree(styles, dest / "styles")
    manuscript = dest / "manuscript"
    shared = manuscript / "book.toml"
    config = tomllib.loads(shared.read_text(encoding="utf-8"))
    for lang in config["languages"]:
        for chapter in sorted((manuscript / lang).glob("*.md")):
            text = chapter.read_text(encoding="utf-8-sig")
            for copy in range(2, scale + 1):
                suffix = COPY.format(copy)
                chapter.with_name(f"{chapter.stem}{suffix}.md").write_text(
                    _copy_text(text, suffix), encoding="utf-8")
    for key in ("front-matter", "back-matter"):
        divisions = config.get(key)
        if divisions is None:
            continue
        config[key] = [{**division, "chapter": f"{division['chapter']}{COPY.format(copy)}"
                        if copy > 1 else division["chapter"]}
                       for division in divisions for copy in range(1, scale + 1)]
    if scale > 1:
        shared.write_text(tomli_w.dumps(config), encoding="utf-8")
    return dest


def chapters(project: Path, lang: str) -> list[Path]:
    """The chapter files of `lang` in the order the book sets them (by file name)."""
    return sorted((project / "manuscript" / lang).glob("*.md"))


def languages(project: Path) -> list[str]:
    config = tomllib.loads((project / "manuscript" / "book.toml").read_text(encoding="utf-8"))
    return list(config["languages"])
