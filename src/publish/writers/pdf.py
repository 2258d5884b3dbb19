"""The PDF editions with WeasyPrint: one HTML document for the whole book, laid out
by `styles/print.css`; the press edition's parts mended apart first (`mending.py`).

- `pdf`: the press interior, what a printer asks for: PDF/X with a CMYK output
  intent, text in 100 % K, bleed and crop marks, footnotes at the foot of the page,
  no links. Its layout (`layout.py`) is what the e-book and the cover are made from.
- `screen`: for reading on screens: tagged PDF/UA-1, RGB, notes at the end of each
  chapter with links both ways, every link described by its `title` in the book's
  language, no hyphenation; `tagging.finish` mends what WeasyPrint's tags lack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field, replace
from functools import partial
from html import escape
from pathlib import Path
from typing import Literal

from lxml import etree

from publish.access import Access
from publish.layout import Layout, PageBreak
from publish.model import Book, Chapter, IndexEntry, Labels, Note, identifier
from publish.writers import (
    backmatter,
    blocks,
    frontmatter,
    mending,
    pdfedit,
    press,
    tagging,
    typesetting,
    weasy,
)
from publish.writers.blocks import XHTML

BLOCK = "data-block"
"""Marks each text block with `<chapter id>/<number>`, to find where pages begin."""
NOTE = "/note-"
"""Joins a part's key and a footnote's number in the footnote's `BLOCK`."""
FOOTNOTES = f".//{{{XHTML}}}span[@class='footnote']"
Edition = Literal["pdf", "screen"]
"""The edition, as the build, `identifier()` and the ISBNs name it."""
BODY_CLASS: dict[Edition, str] = {"pdf": "press", "screen": "screen"}
"""The class `styles/print.css` sets each edition by: `press` for the printer's
requirements."""


FRONT_ENTRY = ' class="front-entry"'
"""An entry of the contents for a part of the front matter."""
PRESS_PPI = 300
"""What printers ask of images at the size they print."""
NO_BREAK_SPACE = "\u00a0"
BLOCK_ELEMENTS = blocks.TEXT_BLOCKS | {"div", "blockquote", "ol", "ul", "dl", "table", "thead",
                                       "tbody", "tr", "figure", "section", "aside", "hr"}
"""Elements that hold blocks or are blocks, not text runs."""


@dataclass(frozen=True)
class LaidOut:
    layout: Layout
    rendered: weasy.Rendered
    """What WeasyPrint found on the way: images below the resolution asked for, and
    every line set, for the typesetting report."""
    mends: dict[str, dict[str, str]] = field(default_factory=dict)
    """The mends of each part of the press edition, by its key (`mending.py`), for
    the next build to know."""


def write_pdf(book: Book, edition: Edition, access: Access, styles: Path,
              target: Path | None, known: Mapping[str, dict[str, str]] | None = None
              ) -> LaidOut:
    """Write one PDF edition to `target`, or only lay it out where it is None (for
    the editions made from its layout); return it as laid out. `known` are the
    mends of the parts an earlier build mended (`LaidOut.mends`)."""
    options = ({"pdf_variant": book.print.pdf_x} if edition == "pdf"
               else {"pdf_variant": "pdf/ua-1", "finisher": tagging.finish})
    setup = _page_setup(book, edition)
    parts = _parts(book, edition)

    def document(mends: dict[str, str], trials: dict[str, list[str]]) -> str:
        return _document(book, edition, parts, mends, trials)

    # Only the press edition is mended: the screen edition is set ragged right,
    # without hyphens, where the faults the mending is for do not arise.
    mended = mending.Mending(
        [mending.Part(opening, _alone(book, edition, part)) for opening, part in parts],
        document, setup, known or {}) \
        if edition == "pdf" else None
    rendered = weasy.render(mended.compose if mended else weasy.once(document({}, {})),
                            [setup, styles / "print.css"],
                            access, styles, target, book.print.font,
                            min_ppi=PRESS_PPI if edition == "pdf" else 0,
                            block_attribute=BLOCK,
                            rest=lambda anchors, last: _rest(book, edition, anchors, last),
                            signature=(book.print.signature or 1) if edition == "pdf" else 1,
                            pdf_identifier=identifier(book, edition).encode(), **options)
    if target is not None:
        with pdfedit.editing(target) as writer:
            pdfedit.label_pages(writer, _labels(book, rendered))
            if edition == "pdf":
                troubles = replace(rendered.troubles,
                                   transparent=press.finish(writer, book.print))
                rendered = replace(rendered, troubles=troubles)
    opening = _body_opening(book, rendered.anchors)
    places = _places(book, edition)
    folios = {occurrence.anchor: _folio(book, opening, rendered.anchors[place])
              for entry in book.index
              for occurrence, place in zip(entry.occurrences, places[entry.key], strict=True)
              if place in rendered.anchors}
    layout = Layout(identifier(book, edition), rendered.pages,
                    _page_breaks(book, rendered) + _index_breaks(book, opening, rendered),
                    folios)
    return LaidOut(layout, rendered, mended.mended if mended else {})


def _places(book: Book, edition: Edition) -> dict[str, list[str]]:
    """The ids of every place of each entry of the index, by its key, in the order of
    its occurrences. A term in a note of the press edition is found by the note's
    call, on the page the note is set at the foot of: WeasyPrint finds no target in
    a footnote."""
    calls = {} if edition == "screen" else {
        anchor: note.calls[0] for chapter in book.chapters for note in chapter.notes
        if note.calls for anchor in blocks.by_id(blocks.parse(note.body))}
    return {entry.key: [calls.get(o.anchor, o.anchor) for o in entry.occurrences]
            for entry in book.index}


def _body_opening(book: Book, pages: dict[str, int]) -> int:
    """The index of the page where the first chapter opens: the front matter's
    length, as laid out (the page of its title heading)."""
    return pages.get(book.body[0].id, 0)


def _labels(book: Book, rendered: weasy.Rendered) -> list[tuple[int, pdfedit.Style]]:
    """The page labels of the folios as printed: i, ii ... for the front matter and
    1 from the first chapter, or 1 from the first page without roman front matter."""
    if not book.print.roman_front_matter:
        return [(0, pdfedit.ARABIC)]
    return [(0, pdfedit.ROMAN), (_body_opening(book, rendered.anchors), pdfedit.ARABIC)]


def _page_breaks(book: Book, rendered: weasy.Rendered) -> list[PageBreak]:
    """Where each page with counted text begins, with its folio as printed: the
    front matter's in roman numerals where the configuration numbers it apart (the
    body then starts at 1), the chapters' and the back matter's in arabic."""
    opening = _body_opening(book, rendered.anchors)
    found = []
    for number, start in enumerate(rendered.page_starts):
        if start is None:
            continue
        block, characters = start
        part, _, index = block.rpartition("/")
        found.append(PageBreak(_folio(book, opening, number), part, int(index), characters))
    return found


def _index_breaks(book: Book, opening: int, rendered: weasy.Rendered) -> list[PageBreak]:
    """Where each page of the index begins: at the first of its places
    (`backmatter.index_places`) set on it, the block numbering them; an entry that
    runs over a page turn is on the page it begins on."""
    found: dict[int, PageBreak] = {}
    for block, element in enumerate(backmatter.index_places(book)):
        if (page := rendered.anchors.get(element)) is not None:
            found.setdefault(page, PageBreak(_folio(book, opening, page),
                                             backmatter.INDEX_ID, block, 0))
    return list(found.values())


def _folio(book: Book, opening: int, number: int) -> str:
    """The folio of page `number` (from 0) as printed, the body opening at page
    `opening`."""
    if book.print.roman_front_matter and number < opening:
        return _roman(number + 1)
    return str(_arabic(book, opening, number))


def _arabic(book: Book, opening: int, number: int) -> int:
    """The page counter of page `number` (from 0), past the front matter where the
    configuration numbers it apart."""
    return number - opening + 1 if book.print.roman_front_matter else number + 1


def _roman(number: int) -> str:
    """`number` in lower-case roman numerals, as CSS `lower-roman` prints it."""
    digits = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"),
                           (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        digits += letters * count
    return digits


def _page_setup(book: Book, edition: Edition) -> str:
    """What the configuration and the edition decide, ahead of the stylesheet."""
    settings = book.print
    opening = {"recto": "right", "any": "page"}[settings.chapter_opening]
    rules = [f'html {{ font-family: "{settings.font}" }}',
             f".chapter, .chronology, .index {{ break-before: {opening} }}"]
    if edition == "pdf":
        # The crop marks are drawn by the press finishing, not by WeasyPrint.
        rules += [
            weasy.cmyk_profile(book),
            f"@page {{ size: {settings.trim_width}mm {settings.trim_height}mm; "
            f"bleed: {settings.bleed}mm; }}",
            ":root { --ink: device-cmyk(0 0 0 1); }",
        ]
    else:
        rules += [f"@page {{ size: {settings.trim_width}mm {settings.trim_height}mm }}",
                  ":root { --ink: rgb(0 0 0); }"]
    if settings.roman_front_matter:
        # The front matter counts i, ii ...; the first chapter's first page is 1.
        rules += ["@page contents, front-matter "
                  "{ @bottom-center { content: counter(page, lower-roman) } }",
                  "@page :nth(1 of first-chapter) { counter-reset: page 1 }",
                  ".contents .front-entry a::after "
                  "{ content: leader('. ') target-counter(attr(href url), page, lower-roman) }"]
    return "\n".join(rules) + "\n"


def _document(book: Book, edition: Edition, parts: list[tuple[str | None, _Fragment]],
              mends: dict[str, str], trials: dict[str, list[str]]) -> str:
    """The edition as one HTML document, but for the index: its heading stands
    alone on the last page, where the index laid out apart (`_rest`) takes over;
    `mends` and `trials` are the typesetting's (`typesetting.Document`): with
    trials, only the paragraphs on trial."""
    (_, front), *rest = parts
    body = front(mends, trials) + ("" if trials else _contents(book)) \
        + "".join(part(mends, trials) for _, part in rest)
    if book.index and not trials:
        body += backmatter.index_opening(book)
    return _html(book, edition, body)


_Fragment = Callable[[dict[str, str], dict[str, list[str]]], str]
"""A part of the edition's body, given the typesetting's mends and trials."""


def _parts(book: Book, edition: Edition) -> list[tuple[str | None, _Fragment]]:
    """The parts of the edition that open on a new page and are mended, each with
    the id on its first page (None for the front matter, which opens the book): the
    front matter, each chapter, the chronology."""

    def counted(part: str, fragment: str) -> _Fragment:
        return lambda mends, trials: _counted(part, fragment, mends, trials)

    front = [counted(frontmatter.HALF_TITLE, frontmatter.half_title(book)),
             counted(frontmatter.TITLE_PAGE, frontmatter.title_page(book)),
             counted(frontmatter.IMPRINT, frontmatter.imprint(book, edition))]
    parts: list[tuple[str | None, _Fragment]] = [
        (None, lambda mends, trials: "".join(part(mends, trials) for part in front))]
    parts += [(c.id, partial(_chapter, c, edition, book.labels, c is book.body[0]))
              for c in book.chapters]
    if book.chronology:
        chronology = backmatter.chronology(book, lambda entry: f"#{entry.anchor}")
        if edition == "screen":
            root = blocks.parse(chronology)
            for link in root.iter(f"{{{XHTML}}}a"):
                link.set("title", book.labels.event_link.format(date=_text(link)))
            chronology = blocks.serialize(root)
        parts.append((backmatter.CHRONOLOGY_ID, counted(backmatter.CHRONOLOGY_ID, chronology)))
    return parts


def _alone(book: Book, edition: Edition, part: _Fragment) -> typesetting.Document:
    """A part of the edition as a document of its own."""
    return lambda mends, trials: _html(book, edition, part(mends, trials))


def _html(book: Book, edition: Edition, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="{book.lang}"><head>{weasy.head(book)}</head>'
            f'<body class="{BODY_CLASS[edition]}" data-book-title="{escape(book.title)}">'
            f"{body}</body></html>")


def _rest(book: Book, edition: Edition, pages: dict[str, int],
          last: int) -> tuple[str, str] | None:
    """The index, on its own from page `last` on, numbered as that page is; the
    folio of each place printed as its link's text, once a page. Its blocks are not
    counted: its pages are found by its entries (`_index_breaks`)."""
    if not book.index:
        return None
    opening = _body_opening(book, pages)
    places = _places(book, edition)

    def locators(entry: IndexEntry) -> list[backmatter.Locator]:
        title = book.labels.index_link.format(term=entry.headword) \
            if edition == "screen" else ""
        return backmatter.one_a_page(
            (pages[anchor],
             backmatter.Locator(f"#{anchor}", _folio(book, opening, pages[anchor]), title))
            for anchor in places[entry.key] if anchor in pages)

    return (_html(book, edition, backmatter.index(book, locators)),
            f"@page :first {{ counter-reset: page {_arabic(book, opening, last)} }}")


def _counted(part: str, fragment: str, mends: dict[str, str],
             trials: dict[str, list[str]]) -> str:
    """`fragment` with its text blocks marked `<part>/<number>`, so that a page that
    begins in it can be found again in the e-book, which counts them the same way,
    and the typesetting can mend them."""
    root = blocks.parse(fragment)
    _mark_blocks(root, part)
    _mend(root, mends, trials)
    return blocks.serialize(root)


def _mark_blocks(root: etree._Element, part: str) -> None:
    for number, block in enumerate(blocks.text_blocks(root)):
        block.set(BLOCK, f"{part}/{number}")


def _contents(book: Book) -> str:
    # Each title attribute is what a screen reader says of its link (see tagging.py).
    # The front and back matter is listed by its title alone, as no chapter.
    targets = [(c.id, c.title, c.title if c.matter != "body"
                else book.labels.chapter_link.format(title=c.title), c.matter)
               for c in book.chapters]
    if book.chronology:
        label = book.labels.chronology
        targets.append((backmatter.CHRONOLOGY_ID, label, label, "back"))
    if book.index:
        targets.append((backmatter.INDEX_ID, book.labels.index, book.labels.index, "back"))
    # The front matter's folios are roman: its entries say so to the stylesheet.
    entries = "".join(f'<li{FRONT_ENTRY if matter == "front" else ""}><a href="#{target}" '
                      f'title="{escape(description)}">{escape(title)}</a></li>'
                      for target, title, description, matter in targets)
    return (f'<nav class="contents"><h1 id="contents">{escape(book.labels.contents)}</h1>'
            f"<ol>{entries}</ol></nav>")


def _chapter(chapter: Chapter, edition: Edition, labels: Labels, first: bool,
             mends: dict[str, str], trials: dict[str, list[str]]) -> str:
    root = blocks.parse(chapter.body)
    # The text's own blocks, before any note stands among or after them.
    _mark_blocks(root, chapter.id)
    if edition == "pdf":
        _notes_at_foot(root, chapter)
    elif chapter.notes:
        root.append(_notes_at_end(chapter, labels))
        _describe_calls(root, chapter, labels)
    for image in root.iter(f"{{{XHTML}}}img"):
        path = chapter.images.get((image.get("src") or "").removeprefix("images/"))
        if path is not None:
            image.set("src", path.as_uri())
    if edition == "screen":
        _foreign_spans(root)
    _glue_calls(root)
    _spaces_into_elements(root)
    _mend(root, mends, trials)
    classes = " ".join(["chapter", *(["first-chapter"] if first else []),
                        *([f"{chapter.matter}-matter", chapter.kind]
                          if chapter.matter != "body" else [])])
    return f'<section class="{classes}">{blocks.serialize(root)}</section>'


def _mend(root: etree._Element, mends: dict[str, str], trials: dict[str, list[str]]) -> None:
    """Set each mended paragraph in its variant, and lay out each paragraph on trial
    again after itself, once per variant, as a copy that links and counts nothing.
    A copy's notes are left empty: its lines break alike beside their calls, and a
    note's text would only cost the layout of its lines once more per copy."""
    for block in list(root.iter(f"{{{XHTML}}}*")):
        key = block.get(BLOCK)
        if key in mends:
            block.set("style", mends[key])
        for number, css in reversed(list(enumerate(trials.get(key or "", [])))):
            copy = deepcopy(block)
            copy.set("style", css)
            copy.tail = None
            for element in copy.iter(f"{{{XHTML}}}*"):
                element.attrib.pop("id", None)
                if element.get(BLOCK) is not None:
                    element.set(BLOCK, f"{element.get(BLOCK)}{typesetting.TRIAL}{number}"
                                if element is copy else "")
            for note in copy.iterfind(FOOTNOTES):
                # An empty note would be dropped, and its call with it.
                note.text = NO_BREAK_SPACE
                for child in list(note):
                    note.remove(child)
            if (first := block.find(FOOTNOTES)) is not None:
                # Its calls bear the numbers of the paragraph's, and are as wide.
                called = int((first.get(BLOCK) or "").rsplit(NOTE, 1)[1])
                copy.set("style", f"{css}; counter-reset: footnote {called - 1}")
            block.addnext(copy)
    if trials:
        _keep_only(root, set(trials))


def _keep_only(root: etree._Element, keys: set[str]) -> None:
    """Leave only the paragraphs on trial, their copies and what holds them: the
    copies need their ancestors' measure and style, not the rest of the book."""
    kept = set()
    for element in root.iter(f"{{{XHTML}}}*"):
        key = (element.get(BLOCK) or "").split(typesetting.TRIAL)[0]
        if key in keys:
            kept.update(element.iter())
            kept.update(element.iterancestors())
    for element in list(root.iter(f"{{{XHTML}}}*")):
        if element not in kept and element.getparent() is not None:
            element.getparent().remove(element)


def _spaces_into_elements(root: etree._Element) -> None:
    """Move the space before an inline element to the start of its text: "prison.
    <em>Maryna</em>" becomes "prison.<em> Maryna</em>". Where the text before an
    inline element fills a line up to that space and the element does not fit,
    WeasyPrint breaks the line after its first word instead; a space inside the
    element breaks as it should. Links and passages in another language keep their
    text as it is: a space at their start, left at the end of a line, would be an
    empty piece of them in the screen edition's tags."""
    for element in root.iter(f"{{{XHTML}}}*"):
        tag = etree.QName(element).localname
        if tag in BLOCK_ELEMENTS or tag == "a" or element.get("lang") or not element.text:
            continue
        previous = element.getprevious()
        parent = element.getparent()
        before = (previous.tail if previous is not None else parent.text) or ""
        if before.endswith(" "):
            if previous is not None:
                previous.tail = before[:-1]
            else:
                parent.text = before[:-1]
            element.text = " " + element.text


def _glue_calls(root: etree._Element) -> None:
    """Keep each note call on the line of the word it follows, in a `<span
    class="call">` that the stylesheet does not let break: WeasyPrint would
    otherwise carry a call to the start of the next line, where it reads as a
    number opening a sentence."""
    calls = [element for element in root.iter(f"{{{XHTML}}}sup", f"{{{XHTML}}}span")
             if etree.QName(element).localname == "sup"
             or element.get("class") == "footnote"]
    for call in calls:
        if call.getparent() is None or call.getparent().get("class") == "call":
            continue
        previous = call.getprevious()
        before = (previous.tail if previous is not None else call.getparent().text) or ""
        word = re.search(r"\S+$", before)
        # An element just before the call goes with it if it is one word (a name);
        # a longer one (an italic title, say) would then not break at all.
        one_word = previous is not None and not before \
            and not re.search(r"\s", "".join(previous.itertext()))
        if word is None and not one_word:
            continue
        glue = etree.Element(f"{{{XHTML}}}span", {"class": "call"})
        if word is not None:
            glue.text = word[0]
            before = before[:word.start()]
        if previous is not None:
            previous.tail = before or None
        else:
            call.getparent().text = before or None
        call.addprevious(glue)
        if word is None:
            glue.append(previous)
        glue.tail, call.tail = call.tail, None
        glue.append(call)


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _foreign_spans(element: etree._Element) -> None:
    """Put the text of every passage in another language in a `<span lang>`: the
    only element whose language WeasyPrint's tags can be given (see tagging.py). A
    block in another language hands its language down to the blocks it holds."""
    lang = element.get("lang")
    children = list(element)
    if lang is not None and not any(etree.QName(c).localname in BLOCK_ELEMENTS for c in children):
        if etree.QName(element).localname != "span":
            span = etree.Element(f"{{{XHTML}}}span", {"lang": lang})
            span.text, element.text = element.text, None
            span.extend(children)
            element.append(span)
        return
    for child in children:
        if lang is not None and child.get("lang") is None:
            child.set("lang", lang)
        _foreign_spans(child)


def _notes_at_foot(root: etree._Element, chapter: Chapter) -> None:
    """Set each note at its first call, as a `float: footnote` element that
    WeasyPrint sets at the foot of the page and numbers; a later call of the note
    prints its number in the text."""
    elements = blocks.by_id(root)
    apart = blocks.calls_set_apart(chapter)
    for note in chapter.notes:
        for call in (call for call in note.calls if call in elements):
            element = elements[call]
            if call in apart:
                replacement = _footnote(note, chapter.id)
                # The call's id stays, just after the note, for a link to it
                # (WeasyPrint warns of a link to no element; inside the note, an
                # element would change how WeasyPrint breaks the line of the call).
                anchor = etree.Element(f"{{{XHTML}}}span", {"id": call})
                # Written out as an open and a closing tag: WeasyPrint reads HTML.
                anchor.text = ""
                anchor.tail, element.tail = element.tail, None
                element.addnext(anchor)
            else:
                replacement = etree.Element(f"{{{XHTML}}}sup", {"class": "note-again",
                                                                "id": call})
                replacement.text = str(note.number)
                replacement.tail, element.tail = element.tail, None
            element.getparent().replace(element, replacement)


def _footnote(note: Note, part: str) -> etree._Element:
    """`note` as one run of text, its paragraphs apart by line breaks."""
    footnote = etree.Element(f"{{{XHTML}}}span", {"class": "footnote", "id": note.id,
                                                  BLOCK: f"{part}{NOTE}{note.number}"})
    for number, paragraph in enumerate(blocks.parse(note.body).iterfind(f"{{{XHTML}}}p")):
        if number:
            etree.SubElement(footnote, f"{{{XHTML}}}br")
        _append_content(footnote, paragraph)
    return footnote


def _notes_at_end(chapter: Chapter, labels: Labels) -> etree._Element:
    """The chapter's notes after its text, in a numbered list, each with a link back
    to every call of it: "^", as in Wikipedia (book faces rarely have "↩")."""
    notes = etree.Element(f"{{{XHTML}}}div", {"class": "notes"})
    etree.SubElement(notes, f"{{{XHTML}}}hr")
    items = etree.SubElement(notes, f"{{{XHTML}}}ol")
    for note in chapter.notes:
        item = etree.SubElement(items, f"{{{XHTML}}}li", {"id": note.id})
        item.extend(list(blocks.parse(note.body)))
        if not note.calls:
            continue
        if len(item) and etree.QName(item[-1]).localname == "p":
            last = item[-1]
            # The links back stay on the line of the note's last word.
            if len(last):
                last[-1].tail = (last[-1].tail or "") + NO_BREAK_SPACE
            else:
                last.text = (last.text or "") + NO_BREAK_SPACE
        else:
            last = etree.SubElement(item, f"{{{XHTML}}}p")
        for call in note.calls:
            back = etree.SubElement(last, f"{{{XHTML}}}a",
                                    {"href": f"#{call}", "title": labels.back_link})
            back.text = "^"
    return notes


def _describe_calls(root: etree._Element, chapter: Chapter, labels: Labels) -> None:
    """Give the link of each call of a note the words a screen reader says of it."""
    elements = blocks.by_id(root)
    for note in chapter.notes:
        for call in (call for call in note.calls if call in elements):
            elements[call][0].set("title", labels.note_link.format(number=note.number))


def _append_content(target: etree._Element, source: etree._Element) -> None:
    """Append the text and children of `source` to `target`."""
    children = list(target)
    if children:
        children[-1].tail = (children[-1].tail or "") + (source.text or "")
    else:
        target.text = (target.text or "") + (source.text or "")
    for child in list(source):
        target.append(child)
    last = list(target)[-1] if len(target) else None
    if last is not None and last.tail:
        last.tail = last.tail.rstrip()
    elif target.text:
        target.text = target.text.rstrip()
