"""What a translation may change in a chapter: the text of its blocks, never its
structure, and nothing the manuscript itself may not say.

A chapter is judged as the editions see it: rendered by `publish.markup`, once as
it would stand with the translation and once as it stands without (for a block
the translation adds, with the source block in its place). The block elements,
with their attributes, must be the same in both; what the rendering reports
(raw HTML, a broken role ...) must be nothing new.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from publish.diagnostics import Code
from publish.markup import render_chapter

PHRASING = {"a", "abbr", "b", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
            "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
            "time", "u", "var", "wbr"}
"""Elements inside running text: a translation may add, drop or move them; what
they may carry is the rendering's to judge."""
NAMES = {"h1": "a heading", "h2": "a heading", "h3": "a heading", "h4": "a heading",
         "h5": "a heading", "h6": "a heading", "p": "a paragraph", "ul": "a list",
         "ol": "a list", "li": "a list item", "blockquote": "a quote", "table": "a table",
         "tr": "a table row", "td": "a cell", "th": "a cell", "pre": "a code block",
         "hr": "a rule", "div": "a division"}


@dataclass(frozen=True)
class Shape:
    """A rendered chapter, as far as an import may not change it."""

    blocks: list[str]
    """The block elements in document order, each as a tag with its attributes."""
    findings: Counter[tuple[Code, str, str]]
    """What the rendering reported: code, message and the text concerned."""


def shape(text: str, lang: str, chapter_file: Path, manuscript: Path) -> Shape:
    rendered = render_chapter(text, lang, chapter_file, manuscript)
    # The notes are part of the structure too, each a list item by its id.
    html = rendered.html + "<ol>" + "".join(f'<li id="{note.id}">{note.body}</li>'
                                            for note in rendered.notes) + "</ol>"
    blocks = []
    # Wrapped, because a chapter is many elements; the HTML parser, because raw
    # HTML may make it anything but well-formed.
    for element in lxml.html.fragment_fromstring(html,
                                                 create_parent="body").iterdescendants():
        if isinstance(element.tag, str) and element.tag not in PHRASING and \
                not any(a.tag in PHRASING for a in element.iterancestors()):
            attributes = "".join(f' {k}="{v}"' for k, v in sorted(element.attrib.items()))
            blocks.append(f"<{element.tag}{attributes}>")
    return Shape(blocks, Counter((f.code, f.message, f.needle) for f in rendered.findings))


def structure_change(before: Shape, after: Shape) -> str | None:
    """The first difference in the block elements, in words, or None."""
    matcher = difflib.SequenceMatcher(None, before.blocks, after.blocks, autojunk=False)
    for tag, i1, _, j1, _ in matcher.get_opcodes():
        if tag == "insert":
            return f"it adds {_named(after.blocks[j1])}"
        if tag == "delete":
            return f"it removes {_named(before.blocks[i1])}"
        if tag == "replace":
            return f"{_named(before.blocks[i1])} becomes {_named(after.blocks[j1])}"
    return None


def new_findings(before: Shape, after: Shape) -> list[tuple[Code, str]]:
    """The code and message of each problem the rendering reports only `after`."""
    return [(code, message) for code, message, _ in
            (after.findings - before.findings).elements()]


def _named(block: str) -> str:
    tag = block[1:].split(" ", 1)[0].rstrip(">")
    return f"{NAMES.get(tag, 'an element')} {block}"
