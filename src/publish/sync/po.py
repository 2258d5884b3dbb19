"""A strict reader of PO files: what `msgfmt -c` refuses is refused here too, each
problem at its line.

Babel's reader is made for tooling and forgives: it merges two definitions of one
message into one, reads an unterminated string or an unknown escape as text, and
adds format flags of its own guessing. An import writes into the manuscript, so it
reads the file as gettext itself does.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import ClassVar

KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")
STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
           "f": "\f", "v": "\v", "?": "?", "'": "'"}
ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]+)|(.))")
PLURAL_FORMS = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*$")
PLURAL_TOKEN = re.compile(r"\s*(n\b|\d+|\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()])")


class PoError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Entry:
    line: int
    """The line of its msgid, where gettext names it."""
    context: str | None = None
    id: str | None = None
    plural: str | None = None
    strings: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def string(self) -> str:
        return self.strings[0] if self.strings else ""


@dataclass(frozen=True)
class PoFile:
    header: dict[str, str]
    header_lines: dict[str, int]
    """The line of each header field."""
    entries: list[Entry]
    """The messages, the header and obsolete ones left out."""


def read(data: bytes) -> PoFile:
    text = _decode(data)
    entries = _entries(text.split("\n"))
    header = next((e for e in entries if e.id == "" and e.context is None and not e.obsolete),
                  None)
    if header is None:
        raise PoError(None, "the PO file has no header entry (msgid \"\")")
    fields, lines = _header(header, text)
    _check(entries, fields, lines)
    return PoFile(fields, lines, [e for e in entries if e is not header and not e.obsolete])


def _decode(data: bytes) -> str:
    declared = re.search(rb"charset=([\w.-]+)", data)
    charset = declared[1].decode("ascii") if declared else "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        # gettext passes the bytes through unconverted, as a template's
        # "charset=CHARSET" does: they are read as UTF-8, or refused.
        charset = "utf-8"
    try:
        return data.decode(charset).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise PoError(line, f"the file is not valid {charset}") from None


def _entries(lines: list[str]) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    last = ""
    """The keyword whose strings a continuation line adds to."""
    flags: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if line.startswith("#") or (obsolete and line.startswith("|")):
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if not line:
            continue
        if line.startswith('"'):
            if current is None:
                raise PoError(number, "a string outside of any entry")
            _extend(current, last, _string(line, number))
            continue
        keyword = KEYWORD.match(line)
        if keyword is None:
            raise PoError(number, f"not a PO keyword: {line[:40]!r}")
        name, index, value = keyword[1], keyword[2], _string(keyword[3], number)
        # An entry starts at its msgctxt, or at its msgid when it has none.
        if name == "msgctxt" or (name == "msgid" and (current is None or
                                                      current.id is not None)):
            current = Entry(number, obsolete=obsolete, flags=flags)
            entries.append(current)
            flags = set()
        if current is None or (name != "msgid" and name != "msgctxt" and current.id is None):
            raise PoError(number, f"{name} without a msgid before it")
        if name.startswith("msgstr") and int(index or 0) != len(current.strings):
            raise PoError(number, f"{name} out of order")
        if name == "msgid":
            current.line = number
        last = name.split("[")[0]
        _extend(current, last, value, new=True)
    for entry in entries:
        if entry.id is None or not entry.strings:
            raise PoError(entry.line, "the entry has no msgid and msgstr")
    return entries


def _extend(entry: Entry, keyword: str, value: str, new: bool = False) -> None:
    if keyword == "msgctxt":
        entry.context = (entry.context or "") + value
    elif keyword == "msgid":
        entry.id = (entry.id or "") + value
    elif keyword == "msgid_plural":
        entry.plural = (entry.plural or "") + value
    elif new:
        entry.strings.append(value)
    else:
        entry.strings[-1] += value


def _string(text: str, number: int) -> str:
    found = STRING.match(text)
    if found is None:
        raise PoError(number, "a string must be in double quotes, on one line")

    def unescaped(escape: re.Match[str]) -> str:
        if escape[1] is not None:
            return chr(int(escape[1], 8))
        if escape[2] is not None:
            return chr(int(escape[2], 16))
        if escape[3] not in ESCAPES:
            raise PoError(number, f"invalid escape sequence \\{escape[3]}")
        return ESCAPES[escape[3]]

    return ESCAPE.sub(unescaped, found[1])


def _header(header: Entry, text: str) -> tuple[dict[str, str], dict[str, int]]:
    fields = {}
    for item in header.string.split("\n"):
        name, colon, value = item.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    lines = {}
    for number, line in enumerate(text.split("\n"), start=1):
        found = re.match(r'^\s*(?:msgstr\s+)?"([\w-]+):', line)
        if found and found[1] in fields and found[1] not in lines and number > header.line:
            lines[found[1]] = number
    return fields, lines


def _check(entries: list[Entry], header: dict[str, str], lines: dict[str, int]) -> None:
    if "Plural-Forms" in header and not _plural_forms(header["Plural-Forms"]):
        raise PoError(lines.get("Plural-Forms"), "the header's Plural-Forms is not valid: "
                      f"{header['Plural-Forms']!r}")
    seen: dict[tuple[str | None, str | None], int] = {}
    for entry in entries:
        key = (entry.context, entry.id)
        if key in seen:
            name = entry.context if entry.context is not None else entry.id
            raise PoError(entry.line, f"{name!r} is defined a second time (first at line "
                          f"{seen[key]}): which translation holds is not clear")
        seen[key] = entry.line
        if entry.obsolete or (entry.id == "" and entry.context is None):
            continue
        formats = sorted(f for f in entry.flags
                         if f.endswith("-format") and not f.startswith("no-"))
        if formats:
            # The text is Markdown, never formatted: gettext would judge the
            # translation by a format the book does not use.
            raise PoError(entry.line, f"the flag {formats[0]!r} does not belong on "
                          "Markdown text: remove it")
        for string in entry.strings:
            if not string:
                continue
            source = entry.id or ""
            for end, where in ((str.startswith, "begin"), (str.endswith, "end")):
                if end(source, "\n") != end(string, "\n"):
                    raise PoError(entry.line, f"msgid and msgstr do not both {where} with a "
                                  "line break")


def _plural_forms(value: str) -> bool:
    found = PLURAL_FORMS.match(value)
    if found is None or int(found[1]) < 1:
        return False
    tokens = []
    rest = found[2]
    while rest.strip():
        token = PLURAL_TOKEN.match(rest)
        if token is None:
            return False
        tokens.append(token[1])
        rest = rest[token.end():]
    return _PluralExpression(tokens).valid()


class _PluralExpression:
    """C's grammar for the expression of Plural-Forms, as gettext reads it."""

    BINARY: ClassVar = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"],
                        ["*", "/", "%"]]

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def valid(self) -> bool:
        return self._conditional() and self.at == len(self.tokens)

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self, token: str) -> bool:
        if self._peek() == token:
            self.at += 1
            return True
        return False

    def _conditional(self) -> bool:
        if not self._binary(0):
            return False
        if self._take("?"):
            return self._conditional() and self._take(":") and self._conditional()
        return True

    def _binary(self, level: int) -> bool:
        if level == len(self.BINARY):
            return self._unary()
        if not self._binary(level + 1):
            return False
        while self._peek() in self.BINARY[level]:
            self.at += 1
            if not self._binary(level + 1):
                return False
        return True

    def _unary(self) -> bool:
        if self._take("!"):
            return self._unary()
        if self._take("("):
            return self._conditional() and self._take(")")
        token = self._peek()
        if token is not None and (token == "n" or token.isdigit()):
            self.at += 1
            return True
        return False
