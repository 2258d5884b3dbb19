"""The book's configuration: `manuscript/book.toml` and `manuscript/<lang>/book.toml`.

Each table maps onto a dataclass. Loading is strict: a missing required key, an
unknown key or a value of the wrong type is reported with the file and the line
of the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from publish import isbn
from publish.access import icc_problem, unreadable
from publish.diagnostics import Code, Collector
from publish.languages import LANGUAGES

PDF_X = ("pdf/x-3", "pdf/x-1a")
CHAPTER_OPENINGS = ("recto", "any")
SIGNATURE_UNIT = 4
"""Pages of a sheet folded once: every signature a printer folds is made of such
sheets, so its page count is a multiple of 4 (4, 8, 12, 16, 24, 32 ...)."""


@dataclass(frozen=True)
class PrintConfig:
    trim_width: float = 148.0
    """Trim width in millimetres."""
    trim_height: float = 210.0
    font: str = "PT Serif"
    """The text face; it must cover every character of the book in all four styles."""
    bleed: float = 3.0
    """Millimetres of bleed around each page of the press editions."""
    crop_marks: bool = True
    paper_thickness: float = 0.06
    """Millimetres per page (half a leaf), as print-on-demand services give it: the
    cover's spine is this times the interior's page count."""
    roman_front_matter: bool = True
    """Front matter numbered i, ii ... and the first chapter from 1."""
    pdf_x: str = "pdf/x-3"
    """`pdf/x-3` or `pdf/x-1a`: the PDF/X variants that give reproducible files."""
    icc_profile: str = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
    """The CMYK output intent of the press editions (Debian package libgs-common)."""
    chapter_opening: str = "recto"
    """`recto`: every chapter opens on a right-hand page, after a blank verso where
    needed; `any`: on the next page. The first chapter opens on a recto either way."""
    signature: int | None = None
    """Pages per signature: the press interior is padded with blank pages at the end
    to a multiple of it. None: no padding."""


FRONT_KINDS = ("preface", "foreword", "introduction", "prologue", "dedication", "epigraph",
               "acknowledgments")
BACK_KINDS = ("bibliography", "afterword", "epilogue", "conclusion", "appendix", "glossary",
              "acknowledgments", "colophon")
"""The structural kinds (EPUB's `epub:type`, ARIA's `doc-*` roles) a chapter file of the
front or back matter may be."""


@dataclass(frozen=True)
class Division:
    """A chapter file that is front or back matter, not a chapter of the body."""

    chapter: str
    """The chapter's file name without `.md`, the same in every language."""
    kind: str
    """One of FRONT_KINDS or BACK_KINDS."""


@dataclass(frozen=True)
class SharedConfig:
    """What every edition shares: `manuscript/book.toml`."""

    id: str
    languages: list[str]
    source_language: str
    published: datetime.date
    publisher: str
    rights: str
    """The copyright and licence line of the imprint and the EPUB's `dc:rights`."""
    information_as_of: datetime.date | None = None
    """The date the book's information runs to, stated in the imprint."""
    print: PrintConfig = field(default_factory=PrintConfig)
    front_matter: list[Division] = field(default_factory=list)
    """Chapter files set as front matter: after the contents, numbered with it."""
    back_matter: list[Division] = field(default_factory=list)
    """Chapter files set as back matter: after the last chapter, before the chronology."""

    def division(self, chapter: str) -> tuple[str, str]:
        """Where the chapter file `chapter` stands, `front`, `body` or `back`, and its
        structural kind (`chapter` in the body)."""
        for matter, divisions in (("front", self.front_matter), ("back", self.back_matter)):
            for division in divisions:
                if division.chapter == chapter:
                    return matter, division.kind
        return "body", "chapter"


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str = "aut"
    """A MARC relator code: aut, edt, trl, ill ..."""


@dataclass(frozen=True)
class Isbn:
    epub: str | None = None
    pdf: str | None = None


@dataclass(frozen=True)
class LanguageConfig:
    """What differs per language: `manuscript/<lang>/book.toml`."""

    title: str
    description: str
    contributors: list[Contributor]
    subtitle: str = ""
    keywords: list[str] = field(default_factory=list)
    isbn: Isbn = field(default_factory=Isbn)
    publisher: str | None = None
    """The publisher's name in this language, where it differs from the shared one."""
    rights: str | None = None
    """The rights line in this language, where it differs from the shared one."""


T = TypeVar("T")

ROLES = {"aut", "edt", "trl", "ill", "ed", "pbl", "nrt", "aui", "ctb"}
BOOK_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def load_shared(path: Path, diagnostics: Collector) -> SharedConfig | None:
    loaded = _load(path, SharedConfig, diagnostics)
    if loaded is None:
        return None
    config, source = loaded
    if not BOOK_ID.fullmatch(config.id):
        diagnostics.error(path, source.line_of("id"), Code.CONFIG_VALUE,
                          f"id {config.id!r} must be lowercase letters, digits and hyphens")
    for lang in config.languages:
        if lang not in LANGUAGES:
            diagnostics.error(path, source.line_of("languages"), Code.CONFIG_VALUE,
                              f"language {lang!r} is not supported "
                              f"(supported: {', '.join(LANGUAGES)})")
    if config.source_language not in config.languages:
        diagnostics.error(path, source.line_of("source-language"), Code.CONFIG_VALUE,
                          f"source-language {config.source_language!r} is not one of languages")
    for key, choices in (("pdf_x", PDF_X), ("chapter_opening", CHAPTER_OPENINGS)):
        value = getattr(config.print, key)
        if value not in choices:
            diagnostics.error(path, source.line_of(f"print.{_toml_name(key)}"), Code.CONFIG_VALUE,
                              f"{_toml_name(key)} must be one of {', '.join(choices)}, "
                              f"not {value!r}")
    profile = Path(config.print.icc_profile)
    if not profile.is_absolute() or not profile.is_file():
        diagnostics.error(path, source.line_of("print.icc-profile"), Code.CONFIG_VALUE,
                          f"icc-profile {config.print.icc_profile!r} must be the absolute "
                          "path of an ICC profile file (Debian's libgs-common installs the "
                          "default)")
    elif (problem := icc_problem(profile)) is not None:
        diagnostics.error(path, source.line_of("print.icc-profile"), Code.CONFIG_VALUE,
                          f"icc-profile {config.print.icc_profile!r} {problem}")
    if not re.fullmatch(r"[\w][\w .-]*", config.print.font):
        diagnostics.error(path, source.line_of("print.font"), Code.CONFIG_VALUE,
                          f"font {config.print.font!r} must be a font family name: letters, "
                          "digits, spaces, dots and hyphens")
    if not 0 <= config.print.bleed <= 10:
        diagnostics.error(path, source.line_of("print.bleed"), Code.CONFIG_VALUE,
                          f"bleed must be between 0 and 10 mm, not {config.print.bleed:g}")
    if not 0.02 <= config.print.paper_thickness <= 0.5:
        diagnostics.error(path, source.line_of("print.paper-thickness"), Code.CONFIG_VALUE,
                          "paper-thickness must be between 0.02 and 0.5 mm a page, "
                          f"not {config.print.paper_thickness:g}")
    signature = config.print.signature
    if signature is not None and (signature < SIGNATURE_UNIT or signature % SIGNATURE_UNIT):
        diagnostics.error(path, source.line_of("print.signature"), Code.CONFIG_VALUE,
                          f"signature must be a positive multiple of {SIGNATURE_UNIT} pages (a "
                          f"sheet folded once has {SIGNATURE_UNIT}), not {signature}")
    for key, divisions, kinds in (("front-matter", config.front_matter, FRONT_KINDS),
                                  ("back-matter", config.back_matter, BACK_KINDS)):
        for number, division in enumerate(divisions):
            if division.kind not in kinds:
                diagnostics.error(path, source.line_of(f"{key}[{number}].kind"),
                                  Code.CONFIG_VALUE,
                                  f"{key} kind {division.kind!r} is not one of "
                                  f"{', '.join(kinds)}")
    for name in ("trim_width", "trim_height"):
        value = getattr(config.print, name)
        if not 50 <= value <= 500:
            diagnostics.error(path, source.line_of(f"print.{_toml_name(name)}"), Code.CONFIG_VALUE,
                              f"{_toml_name(name)} must be between 50 and 500 mm, "
                              f"not {value:g}")
    return config


def load_language(path: Path, diagnostics: Collector) -> LanguageConfig | None:
    loaded = _load(path, LanguageConfig, diagnostics)
    if loaded is None:
        return None
    config, source = loaded
    if not config.contributors:
        diagnostics.error(path, source.line_of("contributors"), Code.CONFIG_VALUE,
                          "at least one contributor is needed")
    for number, contributor in enumerate(config.contributors):
        if contributor.role not in ROLES:
            diagnostics.error(path, source.line_of(f"contributors[{number}].role"),
                              Code.CONFIG_VALUE,
                              f"unknown contributor role {contributor.role!r} "
                              f"(known: {', '.join(sorted(ROLES))})")
    for fmt in ("epub", "pdf"):
        number = getattr(config.isbn, fmt)
        wrong = isbn.problem(number) if number is not None else None
        if wrong is not None:
            diagnostics.error(path, source.line_of(f"isbn.{fmt}"), Code.CONFIG_ISBN,
                              f"isbn.{fmt} {number!r} {wrong}")
    return config


def line_of_key(path: Path, where: str) -> int | None:
    """The line of the key at the dotted path `where` (`print.font`) in the TOML file
    `path`, for a problem found after loading."""
    return TomlSource(path, path.read_text(encoding="utf-8-sig")).line_of(where)


class TomlSource:
    """The raw text of a TOML file, to point diagnostics at the right line."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([\w.-]+)\s*\]")

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, where: str) -> int | None:
        """The line of the key at the dotted path `where`, as in `print.trim-width` or
        `contributors[1].role`: inside its table when the key is in one."""
        entry = re.fullmatch(r"(.+)\[(\d+)\]", where)
        if entry and (table := self._table(entry[1], int(entry[2]))) is not None:
            return table[0]  # an entry of an array of tables: its header
        *tables, key = where.split(".")
        key = re.sub(r"\[\d+\]$", "", key)
        start, end = 0, len(self.lines)
        if tables:
            header = re.fullmatch(r"(.+?)(?:\[(\d+)\])?", ".".join(tables))
            assert header is not None
            region = self._table(header[1], int(header[2] or 0))
            if region is not None:
                start, end = region
        else:
            end = next((n for n, line in enumerate(self.lines) if self.HEADER.match(line)), end)
        assignment = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for number in range(start, end):
            if assignment.match(self.lines[number]):
                return number + 1
        for number, line in enumerate(self.lines):  # a table's own header, or inline tables
            found = self.HEADER.match(line)
            if assignment.match(line) or (found and found[2] in (key, where)):
                return number + 1
        return None

    def _table(self, name: str, index: int) -> tuple[int, int] | None:
        """The lines of table `name` (the `index`-th, for an array of tables)."""
        headers = [(n, m[2]) for n, line in enumerate(self.lines)
                   if (m := self.HEADER.match(line))]
        matching = [n for n, header in headers if header == name]
        if index >= len(matching):
            return None
        start = matching[index] + 1
        end = next((n for n, _ in headers if n >= start), len(self.lines))
        return start, end


def _load(path: Path, cls: type[T], diagnostics: Collector) -> tuple[T, TomlSource] | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        diagnostics.error(path, None, Code.CONFIG_MISSING, "the configuration file is missing")
        return None
    except OSError as error:
        diagnostics.error(path, None, Code.FILE_UNREADABLE, unreadable(error))
        return None
    except UnicodeDecodeError:
        diagnostics.error(path, None, Code.CONFIG_SYNTAX, "the file is not UTF-8")
        return None
    source = TomlSource(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, message = toml_syntax(error)
        diagnostics.error(path, line, Code.CONFIG_SYNTAX, f"invalid TOML: {message}")
        return None
    before = len(diagnostics.diagnostics)
    value = _convert(data, cls, "", source, diagnostics)
    if len(diagnostics.diagnostics) != before:
        return None
    return typing.cast(T, value), source


def toml_syntax(error: tomllib.TOMLDecodeError) -> tuple[int | None, str]:
    """The line of a TOML syntax error, and its message without the place."""
    match = re.search(r"line (\d+)", str(error))
    return (int(match.group(1)) if match else None,
            re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)))


def _toml_name(name: str) -> str:
    return name.replace("_", "-")


def _convert(value: Any, kind: Any, where: str, source: TomlSource, diagnostics: Collector) -> Any:
    """Check `value` against the type `kind` and build it; report what does not fit."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        return _convert_table(value, typing.cast(type, kind), where, source, diagnostics)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _convert(value, inner, where, source, diagnostics)
    if origin is list:
        if not isinstance(value, list):
            return _wrong_type(value, "an array", where, source, diagnostics)
        (inner,) = typing.get_args(kind)
        return [_convert(item, inner, f"{where}[{i}]", source, diagnostics)
                for i, item in enumerate(value)]
    if kind is bool:
        if not isinstance(value, bool):
            return _wrong_type(value, "true or false", where, source, diagnostics)
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong_type(value, "an integer", where, source, diagnostics)
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _wrong_type(value, "a number", where, source, diagnostics)
        return float(value)
    expected = {str: "a string", datetime.date: "a date (YYYY-MM-DD)"}[kind]
    if kind is datetime.date and isinstance(value, datetime.datetime):
        return _wrong_type(value, expected, where, source, diagnostics)
    if not isinstance(value, kind):
        return _wrong_type(value, expected, where, source, diagnostics)
    return value


def _convert_table(
    value: Any, cls: type, where: str, source: TomlSource, diagnostics: Collector
) -> Any:
    if not isinstance(value, dict):
        return _wrong_type(value, "a table", where, source, diagnostics)
    hints = typing.get_type_hints(cls)
    fields = {_toml_name(f.name): f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in fields:
            known = ", ".join(sorted(fields))
            diagnostics.error(source.path, source.line_of(_dotted(where, key)),
                              Code.CONFIG_UNKNOWN_KEY,
                              f"unknown key {_dotted(where, key)!r} (known: {known})")
    arguments = {}
    for key, spec in fields.items():
        if key in value:
            arguments[spec.name] = _convert(
                value[key], hints[spec.name], _dotted(where, key), source, diagnostics)
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            table = f"[{where}]" if where else "the top level"
            diagnostics.error(source.path, None, Code.CONFIG_MISSING_KEY,
                              f"required key {_dotted(where, key)!r} is missing from {table}")
    try:
        return cls(**arguments)
    except TypeError:
        return None  # a required key was missing; already reported


def _dotted(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _wrong_type(
    value: Any, expected: str, where: str, source: TomlSource, diagnostics: Collector
) -> None:
    diagnostics.error(source.path, source.line_of(where), Code.CONFIG_TYPE,
                      f"{where} must be {expected}, not {_toml_type(value)} {_toml_value(value)}")


def _toml_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table", datetime.datetime: "a date-time",
             datetime.date: "a date", datetime.time: "a time"}
    return names.get(type(value), type(value).__name__)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{...}"
    return str(value)
