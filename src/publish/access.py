"""What the build may read: the one rule every stage that opens a file goes by.

A manuscript is untrusted input, and a symlink is a file like any other to
`open()`: a chapter, an image or a stylesheet may point anywhere on the machine.
A file is read only if its real path, symlinks resolved, lies inside one of the
project's folders (`manuscript/`, `styles/`), or if it is a system file the
configuration names and that is checked to be what it claims (the ICC profile of
the press editions; the text face is a family fontconfig knows).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from publish.diagnostics import Code, Collector

ICC_HEADER = 128
"""Bytes of an ICC profile's header (ICC.1:2010, section 7.2)."""
ICC_SIGNATURE = (36, b"acsp")
"""Where every ICC profile carries its file signature, and what it is."""
ICC_CMYK = (16, b"CMYK")
"""Where the header names the profile's colour space: the press's is CMYK."""


class Outside(Exception):
    """A file whose real path lies outside every folder the build may read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(describe(path))


def describe(path: Path) -> str:
    """Why `path` may not be read, for a diagnostic that names it."""
    linked = path.resolve() != path.absolute()
    return (f"{path.name} is {'a link to ' if linked else ''}a file outside the project: "
            "publish reads only files inside manuscript/ and styles/")


@dataclass(frozen=True)
class Access:
    folders: tuple[Path, ...]
    """The folders whose files may be read, as real paths."""
    system: tuple[Path, ...] = ()
    """System files outside them that the configuration names and that were checked."""

    @classmethod
    def within(cls, *folders: Path) -> Access:
        return cls(tuple(folder.resolve() for folder in folders))

    def naming(self, *files: Path) -> Access:
        """These rules and the checked system `files` besides."""
        return Access(self.folders, (*self.system, *(f.resolve() for f in files)))

    def allows(self, path: Path) -> bool:
        real = path.resolve()
        return real in self.system or any(real.is_relative_to(f) for f in self.folders)

    def read(self, path: Path) -> bytes:
        """The bytes of `path`; `Outside` if the rule forbids reading it."""
        if not self.allows(path):
            raise Outside(path)
        return path.read_bytes()


def read(path: Path, access: Access, diagnostics: Collector) -> bytes | None:
    """The bytes of `path`; None, with the reason reported, where the rule forbids
    reading it or the file system fails to."""
    try:
        return access.read(path)
    except Outside as outside:
        diagnostics.error(path, None, Code.FILE_OUTSIDE, str(outside))
    except OSError as error:
        diagnostics.error(path, None, Code.FILE_UNREADABLE, unreadable(error))
    return None


def unreadable(error: OSError) -> str:
    return f"the file cannot be read: {error.strerror or error}"


def icc_problem(path: Path) -> str | None:
    """What keeps `path` from being the CMYK ICC profile of a press edition, if anything."""
    try:
        with path.open("rb") as profile:
            header = profile.read(ICC_HEADER)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if len(header) < ICC_HEADER or not _at(header, ICC_SIGNATURE):
        return "is not an ICC profile (no 'acsp' signature in its header)"
    if not _at(header, ICC_CMYK):
        space = header[ICC_CMYK[0]:ICC_CMYK[0] + 4].decode("latin-1").strip()
        return f"is a profile of {space!r} colour, not CMYK"
    return None


def _at(header: bytes, field: tuple[int, bytes]) -> bool:
    offset, value = field
    return header[offset:offset + len(value)] == value


def font_installed(family: str) -> bool | None:
    """Whether fontconfig knows the font family `family`; None without fontconfig's
    tools to ask."""
    listed = _fontconfig("fc-list", _family_pattern(family), "family")
    return None if listed is None else bool(listed)


def font_files(family: str) -> list[Path]:
    """The files of the font family `family` that fontconfig knows."""
    listed = _fontconfig("fc-list", _family_pattern(family), "file") or ""
    return sorted(Path(line.removesuffix(":")) for line in listed.splitlines())


def _family_pattern(family: str) -> str:
    # In a fontconfig pattern a hyphen ends the family name (it starts a size).
    return ":family=" + family.replace("\\", "\\\\").replace("-", "\\-")


def font_file(path: Path) -> bool | None:
    """Whether fontconfig reads the file `path` as a font; None without fontconfig's
    tools to ask."""
    listed = _fontconfig("fc-scan", "--format", "%{family}", str(path))
    return None if listed is None else bool(listed)


def _fontconfig(tool: str, *arguments: str) -> str | None:
    """What fontconfig's `tool` prints, stripped; None if it is not installed."""
    found = shutil.which(tool)
    if found is None:
        return None
    listed = subprocess.run([found, *arguments], capture_output=True, text=True, check=False)
    return listed.stdout.strip()
