"""Notes as values: taken out of Python-Markdown's output in the markup stage
(`footnotes.py`) with ids unique in the book, and set by each edition from those
values: pop-ups linked both ways in the e-book, footnotes at their call in the press
interior, whatever Python-Markdown's own markup of them."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from publish.build import Project, build
from publish.layout import PageBreak
from publish.load import id_problem
from publish.markup import render_chapter
from publish.model import Chapter
from publish.writers import epub
from tests.conftest import ROOT, Built, require

OPS = "{http://www.idpf.org/2007/ops}type"
PYTHON_MARKDOWN = ["footnote-ref", "footnote-backref", "div.footnote", "-fn-", "fnref"]
"""What Python-Markdown's footnotes extension marks notes up with."""
CHAPTER = """# Chapter {#ch}

First the second note,[^b] then the first,[^a] the second again.[^b]

[^a]: A note on {date}`1962-09-25`, with \\*stars\\* & [a link](#ch).

[^b]: A note of two paragraphs.

    The second [^a] of them.

[^never]: A note the text never calls.
"""


def _render(text: str = CHAPTER) -> tuple[str, list[tuple[str, str, int, list[str]]]]:
    rendered = render_chapter(text, "en", Path("ch.md"), Path("."))
    assert rendered.findings == []
    return rendered.html, [(n.id, n.label, n.number, n.calls) for n in rendered.notes]


def test_no_writer_knows_python_markdowns_footnotes() -> None:
    writers = ROOT / "src" / "publish" / "writers"
    for module in sorted(writers.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert [s for s in PYTHON_MARKDOWN if s in text] == [], module.name
    # The extension itself is known to one module.
    importers = [p.name for p in (ROOT / "src" / "publish").rglob("*.py")
                 if "markdown.extensions.footnotes" in p.read_text(encoding="utf-8")]
    assert importers == ["footnotes.py"]


def test_notes_leave_the_text_numbered_by_their_first_call() -> None:
    html, notes = _render()
    assert notes == [
        ("ch-fn-b", "b", 1, ["ch-fnref-b", "ch-fnref2-b"]),
        # A call inside a note counts after those of the text before the note.
        ("ch-fn-a", "a", 2, ["ch-fnref-a", "ch-fnref2-a"]),
        ("ch-fn-never", "never", 3, []),
    ]
    calls = re.findall(r'<sup id="([^"]+)"><a class="noteref" href="#([^"]+)">(\d)</a></sup>',
                       html)
    assert calls == [("ch-fnref-b", "ch-fn-b", "1"), ("ch-fnref-a", "ch-fn-a", "2"),
                     ("ch-fnref2-b", "ch-fn-b", "1")]
    assert "footnote" not in html and "A note" not in html


@pytest.mark.parametrize("title", ["# Chapter {#ch}", "# The *Summer* of {date}`2020` {#ch}",
                                   "# Chapter {#ch .name} ##"])
def test_note_ids_start_with_the_chapters(title: str) -> None:
    rendered = render_chapter(CHAPTER.replace("# Chapter {#ch}", title), "en", Path("ch.md"),
                              Path("."))
    assert rendered.headings[0].id == "ch"
    assert [n.id for n in rendered.notes] == ["ch-fn-b", "ch-fn-a", "ch-fn-never"]


def test_a_note_is_rendered_as_the_text_is() -> None:
    rendered = render_chapter(CHAPTER, "en", Path("ch.md"), Path("."))
    bodies = {note.label: note.body for note in rendered.notes}
    assert bodies["a"] == ('<p>A note on <time datetime="1962-09-25">September\u00a025, '
                           '1962</time>, with *stars* &amp; <a href="#ch">a link</a>.</p>\n')
    assert re.fullmatch(r"<p>A note of two paragraphs\.</p>\n<p>The second <sup [^>]+>"
                        r'<a class="noteref" href="#ch-fn-a">2</a></sup> of them\.</p>\n',
                        bodies["b"])


def test_a_reference_to_no_note_is_still_found() -> None:
    rendered = render_chapter("# C {#c}\n\nText.[^lost]\n", "en", Path("c.md"), Path("."))
    assert [(f.code, f.needle) for f in rendered.findings] == [("note", "[^lost]")]
    assert rendered.notes == []


def test_note_ids_are_unique_in_the_book_and_reserved() -> None:
    _, notes = _render()
    _, other = _render(CHAPTER.replace("{#ch}", "{#other}"))
    ids = [i for note in (*notes, *other) for i in (note[0], *note[3])]
    assert len(ids) == len(set(ids)) == 14
    # The manuscript may not give an element one of them.
    assert [i for i in ids if id_problem(i) is None] == []


def _chapter_file(built: Built, lang: str) -> etree._Element:
    with zipfile.ZipFile(built.edition(lang, "epub")) as epub:
        return etree.fromstring(epub.read("EPUB/blocks.xhtml"))


@pytest.mark.parametrize("lang", ["en", "be"])
def test_the_epubs_notes_and_calls_link_both_ways(rich: Built, lang: str) -> None:
    root = _chapter_file(rich, lang)
    ids = {e.get("id"): e for e in root.iterfind(".//*[@id]")}
    calls = [a for a in root.iter("{*}a") if a.get(OPS) == "noteref"]
    notes = [a for a in root.iter("{*}aside") if a.get(OPS) == "footnote"]
    # The note referred to twice: one pop-up, both calls lead to it, it leads back
    # to the first.
    assert len(calls) == 2 and len(notes) == 1
    for call in calls:
        assert ids[call.get("href").removeprefix("#")] is notes[0]
        assert call.text == "1" and call.get("role") == "doc-noteref"
    (back,) = notes[0].iterfind(".//{*}a[@role='doc-backlink']")
    assert ids[back.get("href").removeprefix("#")] is calls[0].getparent()
    assert back.text == "1."


def test_the_epub_counts_a_notes_later_calls_as_the_press_prints_them() -> None:
    """A page that begins after a note's second call is marked where the press
    interior's page begins: the first call is set apart there, as the call of a
    footnote, the second is a number in the text."""
    rendered = render_chapter("# Ch {#ch}\n\nAb.[^n] Cd.[^n] Ef.\n\n[^n]: A note.\n", "en",
                              Path("ch.md"), Path("."))
    chapter = Chapter("ch", Path("ch.md"), "Ch", rendered.html, [], notes=rendered.notes)
    body = epub._chapter_body(chapter, [PageBreak("2", "ch", 1, len("Ab.Cd.1"))], "Notes", {})
    assert re.search(r'<span id="page-2"[^>]*/>Ef\.</p>', body), body


def test_the_press_sets_a_note_at_the_foot_of_its_first_calls_page(rich: Built) -> None:
    pdftotext = require("pdftotext")
    pdf = rich.edition("en", "pdf")
    pages = [" ".join(subprocess.run([pdftotext, "-f", str(n), "-l", str(n), str(pdf), "-"],
                                     capture_output=True, text=True, check=True).stdout.split())
             for n in range(1, len(PdfReader(pdf).pages) + 1)]
    (called,) = [page for page in pages if "aloud.1" in page]
    assert re.search(r"aloud\.1 .*1\. ?A note referred to twice, written in Minsk\.", called), \
        called
    assert sum(page.count("A note referred to twice") for page in pages) == 1
    # The second call prints the number in the text.
    assert "The same note again.1 And" in " ".join(pages)


def test_a_link_to_a_note_of_another_chapter_leads_to_its_file(scratch_book: Path,
                                                               tmp_path: Path) -> None:
    second = scratch_book / "manuscript" / "en" / "02-second.md"
    second.write_text(second.read_text() + "\nSee [the note](#first-fn-days).\n")
    (epub,) = build(Project(scratch_book), ["en"], ["epub"], tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        text = archive.read("EPUB/second.xhtml").decode()
    assert '<a href="first.xhtml#first-fn-days">the note</a>' in text
