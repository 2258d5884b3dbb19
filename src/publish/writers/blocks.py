"""The text blocks of a chapter, counted the same way by every writer, so that a
place found in one edition (where a printed page begins) can be found in another
(where the EPUB marks that page)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
TEXT_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th"}
NOTES = {"footnote"}
"""Classes of the elements that hold notes, outside the flow of the text."""
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
    """The innermost text blocks in reading order, notes left out."""
    for element in root.iter(f"{{{XHTML}}}*"):
        tag = etree.QName(element).localname
        if tag not in TEXT_BLOCKS or _in_notes(element):
            continue
        if any(etree.QName(d).localname in TEXT_BLOCKS
               for d in element.iterdescendants(f"{{{XHTML}}}*")):
            continue
        yield element


def counted(text: str) -> int:
    return len(UNCOUNTED.sub("", text))


def remove(element: etree._Element) -> None:
    """Remove `element`, keeping the text after it; spaces that would end its parent
    go too (Python-Markdown puts a no-break space before a note's link back)."""
    parent = element.getparent()
    previous = element.getprevious()
    tail = (element.tail or "").rstrip() if element.getnext() is None else element.tail or ""
    if previous is not None:
        previous.tail = ((previous.tail or "") + tail).rstrip() or None
    else:
        parent.text = ((parent.text or "") + tail).rstrip() or None
    parent.remove(element)


def _in_notes(element: etree._Element) -> bool:
    return any(NOTES & set((a.get("class") or "").split()) for a in element.iterancestors())
