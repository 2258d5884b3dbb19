"""The text blocks of a chapter, counted the same way by every writer, so that a
place found in one edition (where a printed page begins) can be found in another
(where the EPUB marks that page)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from publish.model import Chapter

XHTML = "http://www.w3.org/1999/xhtml"
TEXT_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th"}
UNCOUNTED = re.compile(r"[\s\-\u00ad\u2010]")
"""What a count of characters leaves out: spaces and hyphens change with the layout
(and a written U+2010 is a hyphen-minus in the PDF editions)."""


def parse(body: str) -> etree._Element:
    """A chapter's XHTML fragment as one element, to walk and to change."""
    return etree.fromstring(
        f'<div xmlns="{XHTML}" xmlns:epub="http://www.idpf.org/2007/ops">{body}</div>')


def serialize(root: etree._Element) -> str:
    text = str(etree.tostring(root, encoding="unicode"))
    return text[text.index(">") + 1:text.rindex("<")]


def text_blocks(root: etree._Element) -> Iterator[etree._Element]:
    """The innermost text blocks in reading order (of a chapter's body, which holds
    no notes: each writer counts before it sets them)."""
    for element in root.iter(f"{{{XHTML}}}*"):
        tag = etree.QName(element).localname
        if tag not in TEXT_BLOCKS:
            continue
        if any(etree.QName(d).localname in TEXT_BLOCKS
               for d in element.iterdescendants(f"{{{XHTML}}}*")):
            continue
        yield element


def counted(text: str) -> int:
    return len(UNCOUNTED.sub("", text))


def calls_set_apart(chapter: Chapter) -> set[str]:
    """The calls of notes whose numbers the print edition sets apart from the text,
    as the calls of its footnotes, and no count includes: the first of each note's.
    A later call prints the note's number in the text."""
    return {note.calls[0] for note in chapter.notes if note.calls}


def by_id(root: etree._Element) -> dict[str, etree._Element]:
    """The elements of `root` that have an id, by it."""
    return {element.get("id", ""): element for element in root.iterfind(".//*[@id]")}
