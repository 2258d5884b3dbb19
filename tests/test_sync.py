"""Translation sync on copies of the minimal book: alignment, every kind of
finding, staleness both ways, accept, and the PO/XLIFF round trip."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from babel.messages.pofile import read_po
from lxml import etree

from publish.journal import PAUSE
from tests.conftest import ROOT, copy_book, require, require_file, run_publish

EN = Path("manuscript/en/01-first.md")
BE = Path("manuscript/be/01-first.md")


def _sync(book: Path, *args: str) -> tuple[int, str, str]:
    result = run_publish("sync", "--project", str(book), *args, cwd=book)
    return result.returncode, result.stdout, result.stderr


def _status(book: Path, *args: str) -> dict[str, object]:
    code, out, _ = _sync(book, "--json", *args)
    data: dict[str, object] = json.loads(out)
    assert (code == 0) == data["in_sync"]
    return data


def _pairs(book: Path) -> list[dict[str, object]]:
    data = _status(book)
    return [p for c in data["chapters"] for p in c["pairs"]]  # type: ignore[attr-defined]


def _states(book: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for chapter in _status(book)["chapters"]:  # type: ignore[attr-defined]
        for name, count in chapter["counts"].items():
            totals[name] = totals.get(name, 0) + count
    return {name: count for name, count in totals.items() if count}


def _edit(book: Path, path: Path, old: str, new: str) -> None:
    file = book / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def synced(scratch_book: Path) -> Path:
    """The minimal book with every pair confirmed."""
    code, _, err = _sync(scratch_book, "accept", "--all")
    assert code == 0, err
    assert _sync(scratch_book)[0] == 0
    return scratch_book


def test_the_projects_own_manuscripts_are_in_sync() -> None:
    code, out, err = _sync(ROOT)
    assert code == 0, out + err


def test_a_book_never_confirmed_is_new_everywhere(scratch_book: Path) -> None:
    assert _states(scratch_book) == {"new": 9}
    code, out, _ = _sync(scratch_book)
    assert code == 1
    assert f"{BE}:5: new: never confirmed [{EN}:5]" in out


def test_accepting_all_forgets_what_the_manuscript_no_longer_has(synced: Path) -> None:
    record = synced / "manuscript" / "sync.toml"
    for lang in ("en", "be"):
        chapter = synced / "manuscript" / lang / "02-second.md"
        chapter.rename(chapter.with_name("03-renamed.md"))
    for path, first in ((EN, "In {date}`1988-10`"), (BE, "У {date:loc}`1988-10`")):
        text = (synced / path).read_text(encoding="utf-8")
        paragraph = next(p for p in text.split("\n\n") if p.startswith(first))
        _edit(synced, path, paragraph + "\n\n", "")
    assert _sync(synced, "accept", "--all")[0] == 0
    text = record.read_text(encoding="utf-8")
    assert "02-second" not in text and "03-renamed" in text
    assert text.count("[[be.01-first]]") == 4
    assert _sync(synced)[0] == 0


def test_accept_changes_only_the_record(scratch_book: Path) -> None:
    before = {p: p.read_bytes() for p in (scratch_book / "manuscript").rglob("*.md")}
    assert _sync(scratch_book, "accept", "--all")[1].strip() == "confirmed 9 pairs"
    assert {p: p.read_bytes() for p in (scratch_book / "manuscript").rglob("*.md")} == before
    assert (scratch_book / "manuscript" / "sync.toml").exists()
    assert _states(scratch_book) == {"in-sync": 9}


@pytest.mark.parametrize(("what", "confirmed"), [
    ("01-first", 5), ("01-first:first-section", 2), ("01-first:first-section_1", 1),
    ("02-second", 4),
])
def test_accept_a_chapter_a_section_or_a_pair(scratch_book: Path, what: str,
                                              confirmed: int) -> None:
    assert _sync(scratch_book, "accept", what)[1].strip().startswith(f"confirmed {confirmed} ")
    assert _states(scratch_book)["in-sync"] == confirmed


def test_source_change_makes_the_pair_stale_with_a_diff(synced: Path) -> None:
    _edit(synced, EN, "a long time", "a very long time")
    assert _states(synced) == {"in-sync": 8, "stale": 1}
    (stale,) = [p for p in _pairs(synced) if p["state"] == "stale"]
    assert stale["changed"] == ["en"]
    assert "{+very" in stale["diffs"]["en"]  # type: ignore[index]
    code, out, _ = _sync(synced)
    assert code == 1
    assert (f"{BE}:3: stale: en changed since this pair was confirmed; update be "
            f"[{EN}:3]\n    en: He was born on") in out
    assert "a {+very +}long time" in out


def test_a_fix_made_first_in_belarusian_is_caught(synced: Path) -> None:
    _edit(synced, BE, "доўгі час", "вельмі доўгі час")
    (stale,) = [p for p in _pairs(synced) if p["state"] == "stale"]
    assert stale["changed"] == ["be"]
    out = _sync(synced)[1]
    assert f"{EN}:3: stale: be changed since this pair was confirmed; check en [{BE}:3]" in out
    assert _sync(synced, "accept", "01-first")[0] == 0
    assert _sync(synced)[0] == 0


def test_inserted_paragraph_is_missing_not_a_cascade(synced: Path) -> None:
    _edit(synced, EN, "## A Section {#first-section}\n",
          "An inserted paragraph with {num}`7` words.\n\n## A Section {#first-section}\n")
    assert _states(synced) == {"in-sync": 9, "missing": 1}
    out = _sync(synced)[1]
    assert (f"{EN}:5: missing: no be text for this block; it belongs after the line in "
            f"brackets [{BE}:3]") in out


def test_a_block_without_a_counterpart_on_purpose_can_be_confirmed(synced: Path) -> None:
    _edit(synced, EN, "## A Section {#first-section}\n",
          "An inserted paragraph with {num}`7` words.\n\n## A Section {#first-section}\n")
    _edit(synced, BE, "сям'і\".\n", "сям'і\".\n\nТолькі па-беларуску, {num}`8`.\n")
    assert _states(synced) == {"in-sync": 9, "missing": 1, "extra": 1}
    missing, extra = (p["id"] for p in _pairs(synced) if p["state"] in ("missing", "extra"))
    assert (missing, extra) == ("first_2", "first-section_1.2")
    code, out, _ = _sync(synced, "accept", f"01-first:{missing}")
    assert (code, out.strip()) == (0, "confirmed 1 pair")
    assert _states(synced) == {"in-sync": 10, "extra": 1}
    assert _sync(synced, "accept", "--all")[0] == 0
    assert _sync(synced)[0] == 0
    # What was confirmed alone is stale once its text changes.
    _edit(synced, BE, "Толькі па-беларуску", "Толькі і толькі па-беларуску")
    assert _states(synced) == {"in-sync": 10, "stale": 1}


def test_a_paragraph_split_in_two_is_one_pair(synced: Path) -> None:
    _edit(synced, BE, "годзе, у {date}", "годзе.\n\nУ {date}")
    (pair,) = [p for p in _pairs(synced) if p["id"] == "first-section_1"]
    assert pair["state"] == "stale"
    assert "[-годзе, у-]{+годзе.\n\nУ+}" in pair["diffs"]["be"]  # type: ignore[index]
    assert _sync(synced, "accept", "--all")[0] == 0
    assert _states(synced) == {"in-sync": 9}


def test_deleted_paragraph_is_extra(synced: Path) -> None:
    _edit(synced, EN, "\n## A Section {#first-section}\n\nIn {date}`1988-10`",
          "\n## A Section {#first-section}\n\n<!-- -->In {date}`1988-10`")
    text = (synced / EN).read_text(encoding="utf-8")
    lines = text.split("\n")
    (synced / EN).write_text("\n".join(lines[:6] + lines[8:]), encoding="utf-8")
    states = _states(synced)
    assert states.get("extra") == 1 and states.get("in-sync") == 8


@pytest.mark.parametrize(("old", "new", "message"), [
    ("{date}`1962-09-25`", "{date}`1962-09-26`",
     "dates differ: en has 1962-09-25, 1988-10, be has 1962-09-26, 1988-10"),
    ("{num}`1052`", "{num}`1053`", "numbers differ: en has 1052, be has 1053"),
    ("час.[^days]", "час.", "note references differ: en has days, be has none"),
])
def test_mismatched_values(synced: Path, old: str, new: str, message: str) -> None:
    body = (synced / BE).read_text(encoding="utf-8")
    if "1988-10" not in body.split("\n")[2]:
        message = message.replace(", 1988-10", "")
    _edit(synced, BE, old, new)
    out = _sync(synced)[1]
    assert re.search(rf"{re.escape(str(BE))}:3: mismatch: {re.escape(message)}", out), out


def test_untranslated_block(synced: Path) -> None:
    _edit(synced, BE, "Ён нарадзіўся", "He was born, Ён нарадзіўся")
    _edit(synced, Path("manuscript/be/02-second.md"), "- адзін", "- one")
    out = _sync(synced)[1]
    assert re.search(r"01-first.md:\d+: untranslated", out) is None
    assert re.search(rf"{re.escape(str(Path('manuscript/be/02-second.md')))}:5: "
                     r"untranslated: the be text is not in be", out), out


def test_heading_id_changed_on_one_side(synced: Path) -> None:
    _edit(synced, BE, "{#first-section}", "{#first-part}")
    states = _states(synced)
    assert states["missing"] == 2 and states["extra"] == 2


def test_filters_and_json(synced: Path) -> None:
    _edit(synced, EN, "a long time", "a very long time")
    assert _sync(synced, "--chapter", "02-second")[0] == 0
    assert _sync(synced, "--chapter", "01-*")[0] == 1
    assert _sync(synced, "--lang", "be", "--chapter", "01-first")[0] == 1
    code, _, err = _sync(synced, "--lang", "fr")
    assert code == 1 and "unknown-language" in err


def _manuscript(book: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((book / "manuscript").rglob("*"))
            if p.is_file()}


def _refused(book: Path, file: Path) -> str:
    """The standard error of an import that is refused and changes nothing."""
    before = _manuscript(book)
    code, out, err = _sync(book, "import", str(file))
    assert (code, out) == (1, ""), err
    assert "Traceback" not in err
    assert _manuscript(book) == before
    return err


@pytest.mark.parametrize(("fmt", "ext"), [("po", "po"), ("xliff", "xlf")])
def test_export_and_import_unchanged_is_byte_identical(synced: Path, fmt: str,
                                                       ext: str) -> None:
    _edit(synced, EN, "a long time", "a very long time")
    before = _manuscript(synced)
    exported = synced / f"out.{ext}"
    assert _sync(synced, "export", "--format", fmt, "-o", str(exported))[0] == 0
    code, out, err = _sync(synced, "import", str(exported))
    assert code == 0, err
    assert out == ""
    assert _manuscript(synced) == before


def test_po_file_for_translators(synced: Path) -> None:
    _edit(synced, EN, "a long time", "a very long time")
    exported = synced / "be.po"
    _sync(synced, "export", "--format", "po", "-o", str(exported))
    with exported.open("rb") as handle:
        catalog = read_po(handle)
    assert str(catalog.locale) == "be"
    messages = {m.context: m for m in catalog if m.id}
    assert len(messages) == 9
    stale = messages["01-first:first_1"]
    assert stale.fuzzy
    assert "en: He was born on" in " ".join(stale.auto_comments)
    assert "{+very" in " ".join(stale.auto_comments)
    assert (str(EN), 3) in stale.locations and (str(BE), 3) in stale.locations
    assert not messages["01-first:first-section_1"].fuzzy


def test_po_file_shows_a_stale_pair_as_a_diff(synced: Path) -> None:
    """A stale pair's source as it was confirmed is its `#| msgid`, whole and on one
    line however long, which Poedit and Weblate show as a diff against msgid."""
    _edit(synced, EN, "a long time", "a very long time")
    exported = synced / "be.po"
    _sync(synced, "export", "--format", "po", "-o", str(exported))
    entry = polib.pofile(str(exported)).find("01-first:first_1", by="msgctxt")
    assert entry is not None and entry.fuzzy
    assert entry.previous_msgid is not None and "a long time" in entry.previous_msgid
    assert "a very long time" in entry.msgid and len(entry.previous_msgid) > 80
    text = exported.read_text(encoding="utf-8")
    assert f'#| msgid "{entry.previous_msgid}"\n' in text
    assert f'msgid "{entry.msgid}"\n' in text
    assert "#| msgid" not in text.replace(f'#| msgid "{entry.previous_msgid}"', "")


def test_an_export_to_a_device_is_written_to_it_not_put_in_its_place(synced: Path) -> None:
    """`-o /dev/stdout` prints the file; a device is never replaced by a file."""
    code, out, err = _sync(synced, "export", "--format", "po", "-o", "/dev/stdout")
    assert code == 0, err
    assert 'msgctxt "01-first:first_1"' in out and out.endswith('"\n\n'), "the file alone"
    code, _, err = _sync(synced, "export", "--format", "po", "-o", os.devnull)
    assert code == 0, err
    assert Path(os.devnull).is_char_device()


def test_xliff_segments_keep_their_line_breaks(synced: Path) -> None:
    """Every source and target says xml:space="preserve": a CAT tool that reflowed a
    block of several lines would change it, and the byte-exact import refuse it."""
    _edit(synced, EN, " and counted", "\nand counted")
    exported = synced / "be.xlf"
    _sync(synced, "export", "--format", "xliff", "-o", str(exported))
    root = etree.parse(str(exported)).getroot()
    texts = root.findall(".//{*}source") + root.findall(".//{*}target")
    assert len(texts) == 18
    assert {t.get("{http://www.w3.org/XML/1998/namespace}space") for t in texts} == {"preserve"}
    assert any("\n" in (t.text or "") for t in texts), "a block of several lines"


XLIFF_SCHEMAS = Path("/usr/share/php/Symfony/Component/Translation/Resources/schemas")
"""Where Debian's php-symfony-translation puts OASIS's XLIFF 2.0 core schema, with
the W3C's schema of the xml: attributes beside it."""


def _xliff_schema() -> etree.XMLSchema:
    core = require_file(XLIFF_SCHEMAS / "xliff-core-2.0.xsd", "php-symfony-translation")
    # The schema names the xml: attributes' schema where OASIS publishes it; Debian
    # puts it beside the schema.
    text = core.read_bytes().replace(b"informativeCopiesOf3rdPartySchemas/w3c/xml.xsd",
                                     (XLIFF_SCHEMAS / "xml.xsd").as_uri().encode())
    return etree.XMLSchema(etree.fromstring(text, base_url=core.as_uri()))


def test_xliff_export_is_valid_against_the_xliff_2_schema(synced: Path) -> None:
    """Stale, new and missing pairs, notes and multi-line blocks, as OASIS's schema
    has an XLIFF 2.0 document; a document it must refuse, it refuses."""
    schema = _xliff_schema()
    _edit(synced, EN, "a long time", "a very long time")
    _edit(synced, EN, " and counted", "\nand counted")
    _edit(synced, Path("manuscript/en/02-second.md"), "- two\n", "- two\n- three\n")
    exported = synced / "be.xlf"
    assert _sync(synced, "export", "--format", "xliff", "-o", str(exported))[0] == 0
    document = etree.parse(str(exported))
    assert schema.validate(document), schema.error_log
    states = {segment.get("state") for segment in document.iterfind(".//{*}segment")}
    assert {"final", "translated", "initial"} <= states
    document.getroot().attrib.pop("srcLang")
    assert not schema.validate(document)


def test_import_writes_the_translation_and_nothing_else(synced: Path) -> None:
    exported = synced / "be.po"
    _sync(synced, "export", "--format", "po", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert "msgstr \"- два\"" in text
    exported.write_text(text.replace("msgstr \"- два\"", "msgstr \"- два і тры\""),
                        encoding="utf-8")
    before = _manuscript(synced)
    code, _, err = _sync(synced, "import", str(exported))
    assert code == 0, err
    after = _manuscript(synced)
    changed = [p for p in after if after[p] != before[p]]
    assert changed == [synced / "manuscript/be/02-second.md"]
    assert after[changed[0]] == before[changed[0]].replace("- два".encode(),
                                                          "- два і тры".encode())
    assert _states(synced) == {"in-sync": 8, "stale": 1}


def test_a_chapter_with_a_byte_order_mark_is_read_and_imported_into(synced: Path) -> None:
    chapter = synced / "manuscript/be/02-second.md"
    chapter.write_bytes("\ufeff".encode() + chapter.read_bytes())
    assert _sync(synced)[0] == 0
    exported = synced / "be.po"
    _sync(synced, "export", "--format", "po", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text.replace('msgstr "- два"', 'msgstr "- два і тры"'),
                        encoding="utf-8")
    code, _, err = _sync(synced, "import", str(exported))
    assert code == 0, err
    assert chapter.read_text(encoding="utf-8").endswith("- адзін\n- два і тры\n")


def test_a_chapter_linked_outside_the_project_is_not_read(synced: Path,
                                                          tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_bytes((synced / "manuscript/be/02-second.md").read_bytes())
    (synced / "manuscript/be/02-second.md").unlink()
    (synced / "manuscript/be/02-second.md").symlink_to(outside)
    code, _, err = _sync(synced)
    assert code == 1
    assert err.startswith("manuscript/be/02-second.md: file-outside: 02-second.md is a link "
                          "to a file outside the project"), err


def test_import_fills_a_missing_block(synced: Path) -> None:
    _edit(synced, Path("manuscript/en/02-second.md"), "- two\n", "- two\n- three\n")
    exported = synced / "be.xlf"
    _sync(synced, "export", "--format", "xliff", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    text = text.replace('<source xml:space="preserve">- three</source>',
                        '<source xml:space="preserve">- three</source><target>- тры</target>')
    exported.write_text(text, encoding="utf-8")
    assert _sync(synced, "import", str(exported))[0] == 0
    assert (synced / "manuscript/be/02-second.md").read_text(encoding="utf-8").endswith(
        "- два\n- тры\n")


def _xliff(doctype: str, target: str) -> str:
    return (f"<?xml version='1.0' encoding='UTF-8'?>\n{doctype}"
            '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" '
            'srcLang="en" trgLang="be">\n<file id="02-second">\n<unit id="second_2">\n'
            f"<segment><source>- one</source><target>{target}</target></segment>\n"
            "</unit>\n</file>\n</xliff>\n")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.po", 'msgid "a"\n', "not a valid PO file"),
    ("nolang.po", 'msgid ""\nmsgstr ""\n', "the file names no language it translates into"),
    ("unknown.po", 'msgid ""\nmsgstr "Language: be\\n"\n\nmsgctxt "01-first:nowhere_9"\n'
     'msgid "x"\nmsgstr "y"\n', "no segment '01-first:nowhere_9' in the manuscript"),
    ("changed.po", 'msgid ""\nmsgstr "Language: be\\n"\n\nmsgctxt "02-second:second_2"\n'
     'msgid "- uno"\nmsgstr "- адзін!"\n', "changed since the file was exported"),
    ("bad.xlf", "<xliff", "not well-formed XML"),
    ("old.xlf", '<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"/>',
     "not an XLIFF 2.0 document"),
    ("notes.txt", "hello", "must end in .po, .xlf or .xliff"),
    ("nolang.xlf", _xliff("", "- адзін").replace(' trgLang="be"', ""),
     "nolang.xlf:2: sync-import: the file names no language it translates into"),
    ("twice.xlf", _xliff("", "- адзін").replace("</file>", '<unit id="second_2"><segment>'
                                                "<source>- one</source><target>- першы"
                                                "</target></segment></unit></file>"),
     "twice.xlf:7: sync-import: '02-second:second_2' is defined a second time (first at "
     "line 4)"),
])
def test_bad_import_files_change_nothing(synced: Path, name: str, content: str,
                                         message: str) -> None:
    bad = synced.parent / name
    bad.write_text(content, encoding="utf-8")
    err = _refused(synced, bad)
    assert message in err
    assert re.fullmatch(r"(\S+: sync-import: .+\n)+", err), err


LAUGHS = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">\n' for n in range(1, 10))


@pytest.mark.parametrize(("doctype", "target"), [
    ('<!DOCTYPE xliff [\n<!ENTITY e "адзін!">\n]>\n', "- &e;"),
    ('<!DOCTYPE xliff [\n<!ENTITY e SYSTEM "file:secret.txt">\n]>\n', "- &e;"),
    ('<!DOCTYPE xliff [\n<!ENTITY % p SYSTEM "file:secret.dtd">\n%p;\n]>\n', "- адзін!"),
    (f'<!DOCTYPE xliff [\n<!ENTITY l0 "ha">\n{LAUGHS}]>\n', "- &l9;"),
    ('<!DOCTYPE xliff SYSTEM "file:secret.dtd">\n', "- адзін!"),
], ids=["internal", "external", "parameter", "billion-laughs", "external-dtd"])
def test_xliff_with_a_dtd_is_refused(synced: Path, doctype: str, target: str) -> None:
    (synced / "secret.txt").write_text("SECRET", encoding="utf-8")
    (synced / "secret.dtd").write_text('<!ENTITY e "SECRET">', encoding="utf-8")
    bad = synced / "be.xlf"
    bad.write_text(_xliff(doctype, target), encoding="utf-8")
    assert _refused(synced, bad) == (f"{bad.relative_to(synced)}:2: sync-import: a DOCTYPE "
                                     "or entity declaration is not allowed in an XLIFF file\n")
    # The same segment without the DTD is imported: the refusal is the DTD's.
    bad.write_text(_xliff("", "- адзін!"), encoding="utf-8")
    assert _sync(synced, "import", str(bad))[0] == 0
    assert "- адзін!" in (synced / "manuscript/be/02-second.md").read_text(encoding="utf-8")


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _translated(synced: Path, context: str, translation: str) -> tuple[Path, int]:
    """An export of the book with one translation changed, and the line of its entry."""
    exported = synced / "be.po"
    assert _sync(synced, "export", "--format", "po", "-o", str(exported))[0] == 0
    lines = exported.read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgctxt "{context}"')
    assert lines[at + 2].startswith("msgstr ")
    lines[at + 2] = f"msgstr {_po_string(translation)}"
    exported.write_text("\n".join(lines), encoding="utf-8")
    return exported, at + 2


FIRST = ("Ён нарадзіўся {date}`1962-09-25` і налічыў {num}`1052` дні --- доўгі "
         "час.[^days]")
SECTION = "## Падраздзел {#first-section}"


@pytest.mark.parametrize(("context", "translation", "code", "message"), [
    ("01-first:first-section_title", "## Падраздзел", "sync-import",
     'a heading <h2 id="first-section"> becomes a heading <h2>'),
    ("01-first:first-section_title", "Падраздзел {#first-section}", "sync-import",
     'a heading <h2 id="first-section"> becomes a paragraph <p>'),
    ("01-first:first-section_title", "### Падраздзел {#first-section}", "sync-import",
     'a heading <h2 id="first-section"> becomes a heading <h3 id="first-section">'),
    ("01-first:first_1", f"## {FIRST}", "sync-import",
     "a paragraph <p> becomes a heading <h2>"),
    ("01-first:first_1", f"- {FIRST}", "sync-import", "a paragraph <p> becomes a list <ul>"),
    ("01-first:first_1", f"{FIRST}\n\nНовы абзац.", "sync-import", "it adds a paragraph <p>"),
    ("01-first:first_1", f"{FIRST}\n\n## Новы {{#new}}", "sync-import",
     'it adds a heading <h2 id="new">'),
    # Refused as a change of structure, or by the build's own rule for attributes.
    ("01-first:first_1", f"{FIRST}\n{{onclick=alert(1)}}", "sync-import|attribute", "onclick"),
    ("01-first:first-section_title", "## Падраздзел {#first-section onclick=alert(1)}",
     "sync-import|attribute", "onclick"),
    ("01-first:note_days", "[^days]: Ад {date:short}`2011-08-04`.\n\n[^more]: Яшчэ.",
     "sync-import", 'it adds a list item <li id="first-fn-more">'),
    ("02-second:second_3", "- два\n\n    Новы абзац.", "sync-import",
     "it adds a paragraph <p>"),
    ("01-first:first_1", FIRST.replace("доўгі", "<b>доўгі</b>"), "raw-html",
     "raw HTML is not allowed: use Markdown (in the translation of '01-first:first_1')"),
    ("01-first:first_1", f"{FIRST}\n<div>x</div>", "raw-html",
     "raw HTML is not allowed: use Markdown (in the translation of '01-first:first_1')"),
    ("01-first:first_1", FIRST.replace("1962-09-25", "1962-09-31"), "role",
     "(in the translation of '01-first:first_1')"),
    ("01-first:first_1", FIRST.replace("`1962-09-25`", "1962-09-25"), "sync-import",
     "the translation of '01-first:first_1': dates differ: en has 1962-09-25, be has none"),
    ("01-first:first_1", FIRST.replace("[^days]", "[^days"), "sync-import",
     "note references differ: en has days, be has none"),
    ("01-first:first_1", f"{FIRST} [жмі](javascript:alert(1))", "sync-import",
     "links differ: en has none, be has javascript:alert(1"),
], ids=["heading-loses-id", "heading-to-paragraph", "heading-level", "paragraph-to-heading",
        "paragraph-to-list", "new-paragraph", "new-heading", "paragraph-attribute",
        "heading-attribute", "new-note", "item-to-loose", "raw-html-inline", "raw-html-block",
        "broken-date", "role-without-value", "broken-note-reference", "javascript-link"])
def test_an_import_changes_text_never_structure(synced: Path, context: str, translation: str,
                                                code: str, message: str) -> None:
    exported, line = _translated(synced, context, translation)
    err = _refused(synced, exported)
    assert re.search(rf"^be\.po:{line}: (?:{code}): .*{re.escape(message)}", err, re.M), err


@pytest.mark.parametrize(("context", "translation"), [
    ("01-first:first_1", FIRST.replace("доўгі час", "*вельмі* доўгі час")),
    ("01-first:first_1", FIRST.replace(" і налічыў", ",\nі налічыў")),
    ("01-first:first-section_title", "## Новы падраздзел {#first-section}"),
    ("01-first:note_days", "[^days]: Ад {date:short}`2011-08-04`,\n    з таго дня."),
], ids=["emphasis", "line-break", "heading-text", "note-text"])
def test_an_import_changes_the_text(synced: Path, context: str, translation: str) -> None:
    exported, _ = _translated(synced, context, translation)
    code, out, err = _sync(synced, "import", str(exported))
    assert (code, out, err) == (0, f"{BE}\n", "")
    assert translation in (synced / BE).read_text(encoding="utf-8")


HOSTILE = ["<b>доўгі</b>", "<script>alert(1)</script>", "*доўгі*{onclick=alert(1)}",
           "[доўгі](javascript:alert(1))", "[доўгі](file:///etc/passwd)", "{date}`1962-02-30`",
           "{num}`1x`", "{unknown}`x`", "[^nowhere]", "![](missing.png)"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_an_import_lets_in_nothing_the_manuscript_refuses(synced: Path, hostile: str) -> None:
    """Whatever the build refuses in a chapter, an import refuses in a translation."""
    translation = FIRST.replace("доўгі", hostile)
    original = (synced / BE).read_text(encoding="utf-8")
    (synced / BE).write_text(original.replace(FIRST, translation), encoding="utf-8")
    built = run_publish("build", "--project", ".", "--out", str(synced / "out"),
                        "--format", "epub", "--lang", "be", cwd=synced)
    (synced / BE).write_text(original, encoding="utf-8")
    exported, line = _translated(synced, "01-first:first_1", translation)
    imported = run_publish("sync", "--project", ".", "import", str(exported), cwd=synced)
    if built.returncode != 0:
        assert imported.returncode == 1, imported.stderr
        assert f"be.po:{line}: " in imported.stderr
        assert (synced / BE).read_text(encoding="utf-8") == original


def _entry(po: str, context: str) -> str:
    """The entry of `context` in a PO file's text, comments left out."""
    start = po.index(f'msgctxt "{context}"')
    return po[start:po.index("\n\n", start) + 1]


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(po: str) -> str:
        assert old in po, old
        return po.replace(old, new, 1)
    return edit


def _appended(extra: Callable[[str], str]) -> Callable[[str], str]:
    return lambda po: po + "\n" + extra(po)


SECOND = "02-second:second_3"
PO_CASES: dict[str, tuple[Callable[[str], str], bool]] = {
    "export": (lambda po: po, False),
    "fuzzy-header": (_replace('msgid ""\nmsgstr ""\n', '#, fuzzy\nmsgid ""\nmsgstr ""\n'),
                     False),
    "charset-placeholder": (_replace("charset=UTF-8", "charset=CHARSET"), False),
    "obsolete-entry": (_appended(lambda po: '#~ msgctxt "gone"\n#~ msgid "x"\n#~ msgstr "y"\n'),
                       False),
    "duplicate-other-translation": (_appended(
        lambda po: _entry(po, SECOND).replace('"- два"', '"- тры"')), True),
    "duplicate-same-translation": (_appended(lambda po: _entry(po, SECOND)), True),
    "duplicate-fuzzy": (_appended(lambda po: "#, fuzzy\n" + _entry(po, SECOND)), True),
    "duplicate-obsolete": (_appended(
        lambda po: "".join(f"#~ {line}\n" for line in _entry(po, SECOND).splitlines())), True),
    "no-header": (lambda po: po[po.index("#: "):], True),
    "plural-forms-count": (_replace("nplurals=3;", "nplurals=x;"), True),
    "plural-forms-expression": (_replace("n % 100 > 14) ? 1 : 2;", "n % 100 > 14) ? 1 :;"),
                                True),
    "line-break-at-end": (_replace('msgstr "- два"', 'msgstr "- два\\n"'), True),
    "line-break-at-start": (_replace('msgstr "- два"', 'msgstr "\\n- два"'), True),
    "unterminated-string": (_replace('msgstr "- два"', 'msgstr "- два'), True),
    "unknown-escape": (_replace('msgstr "- два"', 'msgstr "- два\\q"'), True),
    "unknown-keyword": (_replace('msgstr "- два"', 'msgstring "- два"'), True),
    "no-msgstr": (_replace('msgstr "- два"\n', ""), True),
    "c-format-mismatch": (_replace('msgctxt "02-second:second_4"\nmsgid "- %d more"\n'
                                   'msgstr "- яшчэ %d"',
                                   '#, c-format\nmsgctxt "02-second:second_4"\n'
                                   'msgid "- %d more"\nmsgstr "- яшчэ"'), True),
}


@pytest.mark.parametrize("case", PO_CASES)
def test_po_files_are_read_as_msgfmt_checks_them(synced: Path, case: str) -> None:
    """`msgfmt -c` and the import judge the same files alike."""
    msgfmt = require("msgfmt")
    _edit(synced, Path("manuscript/en/02-second.md"), "- two\n", "- two\n- %d more\n")
    _edit(synced, Path("manuscript/be/02-second.md"), "- два\n", "- два\n- яшчэ %d\n")
    assert _sync(synced, "accept", "--all")[0] == 0
    exported = synced / "be.po"
    assert _sync(synced, "export", "--format", "po", "-o", str(exported))[0] == 0
    edit, refused = PO_CASES[case]
    exported.write_text(edit(exported.read_text(encoding="utf-8")), encoding="utf-8")
    checked = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(exported)],
                             capture_output=True, text=True, check=False)
    assert (checked.returncode != 0) == refused, checked.stderr
    before = _manuscript(synced)
    code, _, err = _sync(synced, "import", str(exported))
    assert (code != 0) == refused, err
    assert _manuscript(synced) == before
    if refused:
        assert re.fullmatch(r"be\.po(:\d+)?: sync-import: not a valid PO file: .+\n", err), err


def test_a_po_file_for_another_language_is_refused(synced: Path) -> None:
    exported = synced / "be.po"
    _sync(synced, "export", "--format", "po", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text.replace('"Language: be\\n"', '"Language: fr\\n"'),
                        encoding="utf-8")
    line = text.split("\n").index('"Language: be\\n"') + 1
    assert _refused(synced, exported) == (f"be.po:{line}: sync-import: the file translates "
                                          "into 'fr', which is not a translation of this "
                                          "book (be)\n")


@pytest.mark.parametrize(("record", "line"), [
    ('be = "x"', 1), ("be = [1, 2]", 1), ('[be]\n01-first = "x"', 2), ("[be]\n01-first = [1]", 2),
    ('[be]\n01-first = [{ id = "first_1", en = "x", be = 3 }]', 2),
    ('[[be.01-first]]\nid = "first_1"', 1), ('# the record\n[be.01-first]\nid = "x"', 2),
    ('[[be.01-first]]\nid = "first_1"\nen = "x"\nbe = "y"\n\n'
     '[[be.01-first]]\nid = { a = 1 }\nen = "x"\nbe = "y"', 7),
    ('[[be.01-first]]\nid = "first_1"\nen = "x"\nbe = "y"\nextra = [1]', 5),
    ("# the record\n[fr]\nx = 1", 2), ("[be\n", 1), ("be = 1979-05-27T07:32:00Z", 1),
    ('\ufeffbe = "x"', 1),
])
def test_a_wrongly_shaped_record_is_told_at_its_line(scratch_book: Path, record: str,
                                                     line: int) -> None:
    (scratch_book / "manuscript/sync.toml").write_text(record, encoding="utf-8")
    for args in ((), ("accept", "--all"), ("export", "--format", "po")):
        code, out, err = _sync(scratch_book, *args)
        assert (code, out) == (1, "")
        assert re.fullmatch(rf"manuscript/sync\.toml:{line}: sync-record: .+\n", err), err


def _files(book: Path) -> dict[str, bytes]:
    """Every file of the manuscript, hidden ones too, by its path inside the book."""
    return {str(p.relative_to(book)): p.read_bytes()
            for p in sorted((book / "manuscript").rglob("*")) if p.is_file()}


def _restore(book: Path, files: dict[str, bytes]) -> None:
    for name in set(_files(book)) - set(files):
        (book / name).unlink()
    for name, data in files.items():
        (book / name).write_bytes(data)


def _interrupted(book: Path, args: list[str], step: int, sig: signal.Signals) -> bool:
    """Run `publish sync ARGS`, stopped at `step` and sent `sig` there; False if the
    command has fewer steps."""
    process = subprocess.Popen([sys.executable, "-m", "publish", "sync", *args], cwd=book,
                               env={**os.environ, PAUSE: str(step)}, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    paused = process.stderr.readline().startswith("paused after")
    if paused:
        process.send_signal(sig)
    process.communicate(timeout=60)
    return paused


def _two_chapters_translated(book: Path) -> Path:
    exported, _ = _translated(book, "01-first:first_1", FIRST.replace("доўгі", "вельмі доўгі"))
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text.replace('msgstr "- два"', 'msgstr "- два і тры"'),
                        encoding="utf-8")
    return exported


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=lambda s: s.name)
def test_a_killed_import_is_all_or_nothing(synced: Path, tmp_path: Path,
                                           sig: signal.Signals) -> None:
    exported = _two_chapters_translated(synced)
    before = _files(synced)
    whole = copy_book(synced, tmp_path / "whole")
    assert _sync(whole, "import", str(exported))[0] == 0
    after = _files(whole)
    assert len([n for n in after if after[n] != before[n]]) == 2
    outcomes = []
    step = 1
    while _interrupted(synced, ["import", str(exported)], step, sig):
        _sync(synced)  # the next command
        now = _files(synced)
        assert now in (before, after), f"a mix after a {sig.name} at step {step}"
        outcomes.append(now == after)
        _restore(synced, before)
        step += 1
    # Two chapters staged, the journal, two chapters replaced: killed at each.
    assert len(outcomes) == 5
    assert outcomes == [False, False, True, True, True]


def test_a_build_finishes_a_killed_import_first(synced: Path, tmp_path: Path) -> None:
    exported = _two_chapters_translated(synced)
    before = _files(synced)
    assert _interrupted(synced, ["import", str(exported)], 4, signal.SIGKILL)
    assert _files(synced) != before
    built = run_publish("build", "--project", ".", "--out", str(tmp_path / "out"),
                        "--format", "epub", cwd=synced)
    assert built.returncode == 0, built.stderr
    now = _files(synced)
    assert not [n for n in now if Path(n).name.startswith(".")]
    assert "вельмі доўгі" in now[str(BE)].decode() and "- два і тры" in now[
        "manuscript/be/02-second.md"].decode()


def test_an_import_killed_at_random_moments_is_all_or_nothing(synced: Path) -> None:
    exported = _two_chapters_translated(synced)
    before = _files(synced)
    for delay in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
        process = subprocess.Popen([sys.executable, "-m", "publish", "sync", "import",
                                    str(exported)], cwd=synced, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.kill()
        process.wait()
        _sync(synced)
        now = _files(synced)
        assert now == before or (now[str(BE)] != before[str(BE)] and
                                 now["manuscript/be/02-second.md"] !=
                                 before["manuscript/be/02-second.md"])
        assert not [n for n in now if Path(n).name.startswith(".")]
        _restore(synced, before)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=lambda s: s.name)
def test_a_killed_accept_leaves_no_temporary_file(scratch_book: Path,
                                                  sig: signal.Signals) -> None:
    assert _sync(scratch_book, "accept", "02-second")[0] == 0
    before = _files(scratch_book)
    step = 1
    while _interrupted(scratch_book, ["accept", "--all"], step, sig):
        _sync(scratch_book)
        now = _files(scratch_book)
        assert [n for n in now if Path(n).name.startswith(".")] == [], step
        assert _states(scratch_book) in ({"in-sync": 4, "new": 5}, {"in-sync": 9})
        _restore(scratch_book, before)
        step += 1
    assert step == 4  # the record staged, the journal, the record replaced


def test_a_journal_naming_files_outside_the_manuscript_moves_nothing(scratch_book: Path) -> None:
    outside = scratch_book / "outside.txt"
    outside.write_text("kept", encoding="utf-8")
    (scratch_book / ".outside.txt.sync-new").write_text("x", encoding="utf-8")
    (scratch_book / "manuscript/.sync-journal").write_text(
        '[["../.outside.txt.sync-new", "../outside.txt"]]', encoding="utf-8")
    code, _, err = _sync(scratch_book)
    assert code == 1
    assert err.startswith("manuscript/.sync-journal: sync-journal: the journal of an "
                          "interrupted import names a file no import writes")
    assert outside.read_text(encoding="utf-8") == "kept"


def test_an_import_waits_for_another_and_keeps_its_changes(synced: Path) -> None:
    first = _translated(synced, "01-first:first_1", FIRST.replace("доўгі", "вельмі доўгі"))[0]
    first = first.rename(synced / "first.po")
    section = (synced / BE).read_text(encoding="utf-8").split("\n")[6]
    second = _translated(synced, "01-first:first-section_1",
                         section.replace("годзе", "годзе (!)"))[0]
    # Only its own entry: a whole export would put back the text the first changes.
    po = second.read_text(encoding="utf-8")
    second.write_text(po[:po.index("#: ")] + _entry(po, "01-first:first-section_1"),
                      encoding="utf-8")
    held = subprocess.Popen([sys.executable, "-m", "publish", "sync", "import", str(first)],
                            cwd=synced, env={**os.environ, PAUSE: "2"}, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert held.stderr is not None
    assert held.stderr.readline() == "paused after journal written\n"
    waiting = subprocess.Popen([sys.executable, "-m", "publish", "sync", "import",
                                str(second)], cwd=synced, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    assert waiting.poll() is None, "the second import must wait for the first"
    held.kill()
    held.communicate(timeout=60)
    out, err = waiting.communicate(timeout=60)
    assert (waiting.returncode, out, err) == (0, f"{BE}\n", "")
    text = (synced / BE).read_text(encoding="utf-8")
    assert "вельмі доўгі" in text and "годзе (!)" in text
