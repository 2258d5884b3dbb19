"""Problems found in the input, as values.

Every stage reports what is wrong as `Diagnostic` values instead of raising or
printing; the command line prints them in one place (`cli.py`). A stage that
cannot go on raises `BuildFailed` with what it collected. Every code is a member of
`Code`, with a line that says what it means.

A diagnostic is one line, `path:line: code: message`, the line left out for a
problem of a whole file. One that concerns two places, such as a finding of
`publish sync` about a block and its counterpart in the other language, names the
second as its related location, in brackets at the end of the same line:
`path:line: code: message [other-path:other-line]`. The lines of detail that some
findings carry (the word diff of a stale pair) follow it, indented by four spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Code(StrEnum):
    """What kind of problem a diagnostic is, as its line names it."""

    description: str
    """What the code means, in one line."""

    def __new__(cls, value: str, description: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    # The configuration (book.toml)
    CONFIG_MISSING = "config-missing", "a book.toml the book needs does not exist"
    CONFIG_SYNTAX = "config-syntax", "a book.toml is not UTF-8 or not valid TOML"
    CONFIG_UNKNOWN_KEY = "config-unknown-key", "a book.toml has a key publish does not know"
    CONFIG_MISSING_KEY = "config-missing-key", "a book.toml lacks a key it must have"
    CONFIG_TYPE = "config-type", "a value of book.toml is of the wrong type"
    CONFIG_VALUE = "config-value", \
        "a value of book.toml is out of range or names what does not exist"
    CONFIG_ISBN = "config-isbn", \
        "an ISBN of book.toml is not an ISBN-13: its length, characters or check digit"
    # The files of the project
    ENCODING = "encoding", "a chapter or stylesheet is not valid UTF-8"
    CONTROL_CHARACTER = "control-character", "a text holds a control character"
    FILE_OUTSIDE = "file-outside", "a file the book reads lies outside the project"
    FILE_UNREADABLE = "file-unreadable", "a file the book needs cannot be read"
    FILE_SYSTEM = "file-system", "the file system refused a read or a write"
    NO_CHAPTERS = "no-chapters", "a language's folder holds no chapter"
    CHAPTER_MISSING = "chapter-missing", "a chapter is not written in every language"
    CHAPTER_TITLE = "chapter-title", "a chapter does not begin with its level-1 title"
    HEADING_ID = "heading-id", "a heading has no explicit id, or one that is not allowed"
    DUPLICATE_ID = "duplicate-id", "an id is given twice in the book"
    # What a chapter says
    ROLE = "role", "a role that is unknown, not closed or given a value it cannot take"
    NOTE = "note", "a note reference with no definition"
    RAW_HTML = "raw-html", "raw HTML in a chapter"
    ATTRIBUTE = "attribute", "an attribute list gives an attribute that is not allowed"
    LINK = "link", "a link to an address that is not allowed or an id the book lacks"
    LIMIT = "limit", "a chapter beyond a limit of nesting, paragraph size or notes"
    IMAGE_OUTSIDE = "image-outside", "an image that is not a file inside the manuscript"
    IMAGE_MISSING = "image-missing", "an image file that does not exist"
    IMAGE_ALT = "image-alt", "an image without alternative text"
    IMAGE_INVALID = "image-invalid", \
        "an image file that is damaged, of a kind e-books do not take, or misnamed"
    IMAGE_TOO_LARGE = "image-too-large", "an image of more pixels than publish decodes"
    IMAGE_SVG = "image-svg", \
        "an SVG image with a script, an event handler or a reference outside itself"
    # The styles and the editions
    STYLES_MISSING = "styles-missing", "a stylesheet every project has is missing"
    STYLESHEET_URL = "stylesheet-url", "a stylesheet names what is not a file of styles/"
    WEASYPRINT = "weasyprint", "WeasyPrint warned of what a stylesheet or chapter line causes"
    # The index of names and places
    INDEX_FILE = "index-file", "an index.toml cannot be read or has an entry of the wrong shape"
    INDEX_UNPAIRED = "index-unpaired", \
        "a term marked for the index in one language's chapter and not in another's"
    INDEX_HEADWORD = "index-headword", "a term marked for the index has no headword"
    INDEX_UNUSED = "index-unused", "a headword of an index.toml marked nowhere in the text"
    MISSING_GLYPH = "missing-glyph", "the text face lacks a character the book uses"
    LOW_RESOLUTION = "low-resolution", \
        "a warning: an image prints below the resolution the press asks for"
    PRESS_TRANSPARENCY = "press-transparency", \
        "the press edition would hold transparency, which PDF/X forbids"
    # The command and where it runs
    UNKNOWN_FORMAT = "unknown-format", "a format asked for is not one publish writes"
    UNKNOWN_LANGUAGE = "unknown-language", "a language asked for is not one of the book's"
    UNKNOWN_CHAPTER = "unknown-chapter", "no chapter matches the one asked for"
    UNKNOWN_PAIR = "unknown-pair", "nothing to confirm matches what `sync accept` names"
    ENVIRONMENT = "environment", "the machine or the environment lacks what the command needs"
    OUTPUT = "output", \
        "the editions cannot be written: a file in the way, another build, a broken journal"
    INTERNAL = "internal", "a fault of publish's own, which no input causes"
    # What `publish check` finds
    SPELLING = "spelling", \
        "a word in neither the dictionary of its language nor the book's word list"
    UNBALANCED_QUOTE = "unbalanced-quote", \
        "a quotation opened and not closed in its block, or closed and not opened"
    DOUBLE_SPACE = "double-space", "two spaces or more between words"
    SPACE_BEFORE_PUNCTUATION = "space-before-punctuation", "a space before a punctuation mark"
    LONE_HYPHEN = "lone-hyphen", "a hyphen between spaces, where a dash was meant"
    TYPESETTING = "typesetting", \
        "a PDF edition whose typesetting report counts what the press would have mended"
    # Translations (publish sync)
    SYNC_RECORD = "sync-record", "manuscript/sync.toml cannot be read or has a wrong record"
    SYNC_IMPORT = "sync-import", "a PO or XLIFF file to import does not fit the manuscript"
    SYNC_JOURNAL = "sync-journal", "the journal of an interrupted import cannot be completed"
    STALE = "stale", "a side of a confirmed pair changed since it was confirmed"
    NEW = "new", "a pair of blocks never confirmed"
    MISSING = "missing", "a block of the source language with no translation"
    EXTRA = "extra", "a block of a translation with no source"
    UNTRANSLATED = "untranslated", "a translation left in the other language"
    MISMATCH = "mismatch", "a pair whose dates, numbers, note references or links differ"


@dataclass(frozen=True)
class Location:
    path: Path
    line: int | None = None

    def format(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None and self.path.is_relative_to(root):
            shown = self.path.relative_to(root)
        return f"{shown}:{self.line}" if self.line else f"{shown}"


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int | None
    code: Code
    message: str
    related: Location | None = None
    """The other place the problem concerns (the counterpart in the other language)."""
    detail: tuple[str, ...] = ()
    """Lines that show more of it, printed below it."""

    def sort_key(self) -> tuple[str, int, str, str]:
        """By file, then line; problems of a whole file before those of its lines."""
        return (str(self.path), self.line or 0, self.code, self.message)

    def format(self, root: Path | None = None) -> str:
        """Its lines, paths relative to `root` where they are inside it."""
        related = f" [{self.related.format(root)}]" if self.related else ""
        return "\n".join([
            f"{Location(self.path, self.line).format(root)}: {self.code}: {self.message}"
            f"{related}",
            *(f"    {line}" for line in self.detail)])


class BuildFailed(Exception):
    """A stage found problems that make its output impossible."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)


class Collector:
    """Gathers diagnostics so that one run reports every problem, not just the first."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, path: Path, line: int | None, code: Code, message: str) -> None:
        self.diagnostics.append(Diagnostic(path, line, code, message))

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise BuildFailed(self.diagnostics)
