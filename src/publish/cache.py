"""The build cache: what each edition was built from, so that one whose inputs have not
changed is not built again.

Each edition of each language has a key, the digest of everything it is made from:
the part of the book model it reads (its language's book, the files the model names
by their content), its stylesheet and the other files of `styles/`, the fonts and
ICC profile of the machine it uses, the environment variables that change its bytes,
publish's own code and the versions of the libraries installed, and the keys of the
editions it is made from. Beside the key the cache keeps what the build reports of
the edition (its warnings, its typesetting report) and, for the press interior, its
layout, which the e-book and the cover are made from: a current layout is not laid
out again. It keeps too the mends of each part of the press interior
(`writers/mending.py`), with the digest of what they were found by but the book
(`Entry.setting`): a part left as it was is not mended again when another changes.

A second, cheaper test comes first: the digest of the files of `manuscript/` and
`styles/` as they are, with the code and environment. Where it is what the last build
recorded, and the fonts and profile are as they were, the editions that build found
current still are, and the build loads nothing (`Store.unchanged`).

The cache lives in `<output folder>/.cache/`, one JSON file per edition and one for
the book; each is replaced whole, after the editions it describes, so an interrupted
build leaves at worst an entry that no longer matches its file, and that edition is
built again.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import publish
from publish.diagnostics import Code, Diagnostic, Location
from publish.files import write_whole
from publish.layout import Layout, PageBreak
from publish.writers.typesetting import Report

FOLDER = ".cache"
FORMAT = 2
"""Raised when what an entry holds changes meaning: older entries are then ignored."""
ENVIRONMENT = ("SOURCE_DATE_EPOCH",)
"""The environment variables that change the bytes of an edition."""

_CODES = {code.value: code for code in Code}
Signature = tuple[int, int, int]
"""A file as the file system describes it: size, modification time, inode."""


def signature(path: Path) -> Signature | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ino)


def digest(*parts: object) -> str:
    """The SHA-256 of the JSON of `parts`."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def folder_digest(*folders: Path) -> str:
    """The digest of every file under `folders`, by its path inside them and its
    content (a link by the content it leads to)."""
    found = hashlib.sha256()
    for folder in folders:
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                path = Path(root, name)
                found.update(f"{path.relative_to(folder.parent)}\0".encode())
                try:
                    found.update(file_digest(path).encode())
                except OSError:
                    found.update(b"unreadable")
    return found.hexdigest()


@functools.cache
def code() -> str:
    """publish's code and the distributions installed beside it, with the Python that
    runs them: an edition built by other code is built again. Read once a process:
    the code that runs does not change under it."""
    package = Path(publish.__file__).parent
    files = sorted(path for path in package.rglob("*") if path.is_file()
                   and "__pycache__" not in path.parts)
    installed = sorted(name for folder in map(Path, sys.path) if folder.is_dir()
                       for name in os.listdir(folder) if name.endswith(".dist-info"))
    return digest(sys.version, installed,
                  [(str(path.relative_to(package)), file_digest(path)) for path in files])


def environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in ENVIRONMENT}


def fingerprint(value: object) -> str:
    """The digest of a value of the model: its dataclasses field by field, a file it
    names by its content. Each object is walked once, however often it is named."""
    seen: dict[int, str] = {}

    def walk(item: object) -> object:
        if item is None or isinstance(item, str | int | float | bool):
            return item
        if isinstance(item, enum.Enum):
            return item.value
        if isinstance(item, datetime.date):
            return item.isoformat()
        if isinstance(item, PurePath):
            path = Path(item)
            return [str(item), file_digest(path) if path.is_file() else None]
        if isinstance(item, list | tuple):
            return [walk(part) for part in item]
        if isinstance(item, Mapping):
            return sorted([str(key), walk(part)] for key, part in item.items())
        if isinstance(item, set | frozenset):
            return sorted(map(str, map(walk, item)))
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            if id(item) not in seen:
                seen[id(item)] = digest(type(item).__name__, [
                    [part.name, walk(getattr(item, part.name))]
                    for part in dataclasses.fields(item)])
            return seen[id(item)]
        raise TypeError(f"the cache cannot fingerprint a {type(item).__name__}")

    return digest(walk(value))


@dataclass(frozen=True)
class Entry:
    """What the cache knows of one edition of one language."""

    key: str
    file: Signature | None
    """The edition's file in the output folder as the build left it; None where it
    was made only for the editions made from it."""
    path: Path | None = None
    """Where that file is."""
    layout: Layout | None = None
    report: Report | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    mends: dict[str, dict[str, str]] = field(default_factory=dict)
    """The mends of each part of the press interior, by the part's key."""
    setting: str = ""
    """The digest of what its mends depend on beside the parts themselves: the
    stylesheet and what it names, the fonts, the code."""

    def current(self, key: str, path: Path) -> bool:
        """Whether it is what `key` asks for, and `path` the file the build wrote."""
        return self.key == key and self.file is not None and signature(path) == self.file


@dataclass(frozen=True)
class Record:
    """What the last build found, for the next to tell quickly that nothing changed."""

    inputs: str
    """The digest of `manuscript/` and `styles/`, the code and the environment."""
    system: dict[str, Signature | None]
    """The machine's files the editions use (fonts, the ICC profile), as they were."""
    languages: list[str]
    """The book's languages: those a build names none of builds."""
    keys: dict[str, str]
    """The key of each edition found current with these inputs, by `<lang>/<name>`."""


class Store:
    """The cache of one output folder."""

    def __init__(self, output: Path) -> None:
        self.folder = output / FOLDER

    def entry(self, lang: str, edition: str) -> Entry | None:
        data = self._read(Path(lang) / f"{edition}.json")
        if data is None:
            return None
        try:
            return Entry(data["key"], _signature(data["file"]),
                         Path(data["path"]) if data["path"] else None,
                         _layout(data["layout"]) if data["layout"] else None,
                         Report(**data["report"]) if data["report"] else None,
                         [_diagnostic(item) for item in data["warnings"]],
                         {str(part): {str(block): str(css) for block, css in mends.items()}
                          for part, mends in data["mends"].items()},
                         str(data["setting"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def save(self, lang: str, edition: str, entry: Entry) -> None:
        self._write(Path(lang) / f"{edition}.json", {
            "key": entry.key, "file": entry.file,
            "path": str(entry.path) if entry.path else None,
            "layout": dataclasses.asdict(entry.layout) if entry.layout else None,
            "report": dataclasses.asdict(entry.report) if entry.report else None,
            "warnings": [_diagnostic_data(item) for item in entry.warnings],
            "mends": entry.mends, "setting": entry.setting})

    def record(self) -> Record | None:
        data = self._read(Path("book.json"))
        if data is None:
            return None
        try:
            return Record(data["inputs"], {path: _signature(value) for path, value
                                           in data["system"].items()},
                          list(data["languages"]), dict(data["keys"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def keep(self, record: Record) -> None:
        self._write(Path("book.json"), dataclasses.asdict(record))

    def _read(self, name: Path) -> Any:
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == FORMAT else None

    def _write(self, name: Path, data: dict[str, Any]) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, json.dumps({"format": FORMAT, **data}, ensure_ascii=False,
                                     indent=1, default=str).encode())


def inputs(manuscript: Path, styles: Path) -> str:
    """The digest the quick test compares: the project's files, the code, the
    environment."""
    return digest(folder_digest(manuscript, styles), code(), environment())


def system(paths: Iterable[Path]) -> dict[str, Signature | None]:
    return {str(path): signature(path) for path in sorted(set(paths))}


def _signature(value: Any) -> Signature | None:
    if value is None:
        return None
    size, modified, inode = value
    return (int(size), int(modified), int(inode))


def _layout(data: dict[str, Any]) -> Layout:
    return Layout(data["source"], data["pages"],
                  [PageBreak(**item) for item in data["breaks"]], dict(data["folios"]))


def _diagnostic_data(item: Diagnostic) -> dict[str, Any]:
    related = [str(item.related.path), item.related.line] if item.related else None
    return {"path": str(item.path), "line": item.line, "code": item.code.value,
            "message": item.message, "related": related, "detail": list(item.detail)}


def _diagnostic(data: dict[str, Any]) -> Diagnostic:
    related = Location(Path(data["related"][0]), data["related"][1]) \
        if data["related"] else None
    return Diagnostic(Path(data["path"]), data["line"], _CODES[data["code"]], data["message"],
                      related, tuple(data["detail"]))
