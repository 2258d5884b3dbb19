"""Bilingual files for translators' tools: PO (Poedit, Weblate), written by polib and
read strictly, as gettext reads it, and XLIFF 2.0 (OmegaT, Trados ...). Each segment
is one pair of blocks, keyed by `chapter:pair-id`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
from babel.core import UnknownLocaleError
from babel.messages.plurals import get_plural
from lxml import etree

from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.sync import po
from publish.sync.status import ChapterStatus, PairStatus, State

XLIFF = "urn:oasis:names:tc:xliff:document:2.0"
PRESERVE = {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}


@dataclass(frozen=True)
class Translation:
    key: str
    """`chapter:pair-id`."""
    source: str
    target: str
    line: int | None
    """Where the segment stands in the file imported, for messages."""


@dataclass(frozen=True)
class TranslationFile:
    """The segments of a PO or XLIFF file, and the language it translates into."""

    path: Path
    lang: str
    lang_line: int | None
    """Where the file names its language."""
    translations: list[Translation]


def export(chapters: list[ChapterStatus], fmt: str, root: Path, title: str,
           date: datetime.date) -> bytes:
    if fmt == "po":
        return _export_po(chapters, root, title, date)
    return _export_xliff(chapters, root)


def _segments(chapters: list[ChapterStatus]) -> list[tuple[ChapterStatus, PairStatus]]:
    """Every pair that has a source block: a target block left out is an empty one."""
    return [(c, p) for c in chapters for p in c.pairs if p.source is not None]


def _export_po(chapters: list[ChapterStatus], root: Path, title: str,
               date: datetime.date) -> bytes:
    lang = chapters[0].target_lang if chapters else "und"
    stamp = f"{date:%Y-%m-%d} 00:00+0000"
    # Lines are never wrapped (wrapwidth 0): a translator's tool shows the block as
    # the manuscript has it, and `#| msgid` stays the text that was confirmed.
    catalog = polib.POFile(wrapwidth=0)
    catalog.header = f"{title}: the blocks of the book and their translations into {lang}."
    catalog.metadata = {
        "Project-Id-Version": title, "POT-Creation-Date": stamp, "PO-Revision-Date": stamp,
        "Last-Translator": "", "Language-Team": "", "Language": lang,
        "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit", "Plural-Forms": _plural_forms(lang),
    }
    for chapter, pair in _segments(chapters):
        assert pair.source is not None
        locations = [(str(chapter.source_path.relative_to(root)), str(pair.source.line))]
        if pair.target is not None:
            locations.append((str(chapter.target_path.relative_to(root)),
                              str(pair.target.line)))
        entry = polib.POEntry(
            msgctxt=f"{chapter.name}:{pair.id}", msgid=pair.source.text,
            msgstr=pair.target.text if pair.target else "", occurrences=locations,
            flags=["fuzzy"] if pair.state in (State.STALE, State.NEW) else [],
            comment="\n".join([p.message for p in pair.problems] + _state_comment(pair)))
        if pair.confirmed is not None and pair.confirmed.source != pair.source.text:
            # What the translation was confirmed against: Poedit and Weblate show the
            # change from it to msgid.
            entry.previous_msgid = pair.confirmed.source
        catalog.append(entry)
    return str(catalog).encode("utf-8") + b"\n"


def _plural_forms(lang: str) -> str:
    """The header's plural rule of `lang`, from CLDR (no segment has plural forms, but
    `msgfmt -c` and the tools expect the language's rule)."""
    try:
        rule = get_plural(lang)
    except (UnknownLocaleError, ValueError):
        rule = get_plural("en")
    return rule.plural_forms


def _state_comment(pair: PairStatus) -> list[str]:
    if pair.state is State.STALE:
        return [f"stale: {' and '.join(pair.changed)} changed since confirmed",
                *(f"{lang}: {diff}" for lang, diff in pair.diffs.items())]
    if pair.state is State.NEW:
        return ["new: never confirmed"]
    return []


def _export_xliff(chapters: list[ChapterStatus], root: Path) -> bytes:
    source_lang = chapters[0].source_lang if chapters else "en"
    target_lang = chapters[0].target_lang if chapters else "und"
    xliff = etree.Element(f"{{{XLIFF}}}xliff", nsmap={None: XLIFF},
                          version="2.0", srcLang=source_lang, trgLang=target_lang)
    files: dict[str, Any] = {}
    for chapter, pair in _segments(chapters):
        assert pair.source is not None
        file = files.get(chapter.name)
        if file is None:
            file = etree.SubElement(xliff, f"{{{XLIFF}}}file", id=chapter.name,
                                    original=str(chapter.source_path.relative_to(root)))
            files[chapter.name] = file
        unit = etree.SubElement(file, f"{{{XLIFF}}}unit", id=pair.id)
        notes = etree.SubElement(unit, f"{{{XLIFF}}}notes")
        note = etree.SubElement(notes, f"{{{XLIFF}}}note", category="location")
        note.text = f"{chapter.source_path.relative_to(root)}:{pair.source.line}"
        for comment in [p.message for p in pair.problems] + _state_comment(pair):
            etree.SubElement(notes, f"{{{XLIFF}}}note", category="status").text = comment
        state = {State.IN_SYNC: "final", State.MISSING: "initial"}.get(pair.state, "translated")
        segment = etree.SubElement(unit, f"{{{XLIFF}}}segment", state=state)
        # A block's line breaks are its text's: a tool that reflowed them would
        # change the block, and the import would find it changed.
        etree.SubElement(segment, f"{{{XLIFF}}}source", PRESERVE).text = pair.source.text
        if pair.target is not None:
            etree.SubElement(segment, f"{{{XLIFF}}}target", PRESERVE).text = pair.target.text
    return bytes(etree.tostring(xliff, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def read_translations(path: Path) -> TranslationFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _error(path, None, f"cannot read the file: {error.strerror}") from None
    if path.suffix == ".po":
        return _read_po(path, data)
    if path.suffix in (".xlf", ".xliff"):
        return _read_xliff(path, data)
    raise _error(path, None, "the file must end in .po, .xlf or .xliff")


def _read_po(path: Path, data: bytes) -> TranslationFile:
    try:
        found = po.read(data)
    except po.PoError as error:
        raise _error(path, error.line, f"not a valid PO file: {error.message}") from None
    translations = []
    for entry in found.entries:
        if not entry.id:
            continue
        if not entry.context or entry.plural is not None:
            raise _error(path, entry.line, "every entry needs a msgctxt from "
                         "`publish sync export` and no plural forms")
        translations.append(Translation(entry.context, entry.id, entry.string, entry.line))
    return TranslationFile(path, found.header.get("Language", ""),
                           found.header_lines.get("Language"), translations)


def _read_xliff(path: Path, data: bytes) -> TranslationFile:
    # Nothing a DTD declares is read: no entity (external ones read files, internal
    # ones multiply), no default attribute. One that libxml2 stops at (an entity
    # expanding past its limit) is refused for the DTD too.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False)
    doctype = data.find(b"<!DOCTYPE")
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if doctype >= 0:
            raise _doctype(path, data, doctype) from None
        raise _error(path, error.lineno, f"not well-formed XML: {error.msg}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _doctype(path, data, doctype)
    if root.tag != f"{{{XLIFF}}}xliff" or root.get("version") != "2.0":
        raise _error(path, root.sourceline, "not an XLIFF 2.0 document")
    found = []
    seen: dict[str, int] = {}
    for file in root.iterfind(f"{{{XLIFF}}}file"):
        for unit in file.iterfind(f"{{{XLIFF}}}unit"):
            source = unit.find(f"{{{XLIFF}}}segment/{{{XLIFF}}}source")
            target = unit.find(f"{{{XLIFF}}}segment/{{{XLIFF}}}target")
            if source is None:
                raise _error(path, unit.sourceline, "a unit without a source segment")
            key = f"{file.get('id')}:{unit.get('id')}"
            if key in seen:
                raise _error(path, unit.sourceline, f"{key!r} is defined a second time (first "
                             f"at line {seen[key]}): which translation holds is not clear")
            seen[key] = unit.sourceline
            found.append(Translation(
                key, "".join(source.itertext()),
                "".join(target.itertext()) if target is not None else "", unit.sourceline))
    return TranslationFile(path, root.get("trgLang", ""), root.sourceline, found)


def _doctype(path: Path, data: bytes, at: int) -> BuildFailed:
    return _error(path, data[:at].count(b"\n") + 1 if at >= 0 else None,
                  "a DOCTYPE or entity declaration is not allowed in an XLIFF file")


def _diagnostic(path: Path, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(path, line, Code.SYNC_IMPORT, message)


def _error(path: Path, line: int | None, message: str) -> BuildFailed:
    return BuildFailed([_diagnostic(path, line, message)])
