"""What WeasyPrint 70 leaves undone in a tagged PDF (PDF/UA-1), mended on its PDF
objects before they are written, through its `finisher` hook:

- the description (/Contents) of a link annotation is the id of its target; it
  becomes the link's `title`, where the document gives one;
- running heads and folios (the page's margin boxes) are tagged content hung on
  structure elements that nothing in the tree reaches, and the dots of `leader()`
  are tagged as part of their link: both become artifacts, which assistive
  technology does not read;
- `lang` is dropped: the structure element of a `<span lang>` gets its /Lang;
- every page gets structure elements of its own, so a chapter over ten pages is ten
  /Sect and a paragraph over a page turn two /P: the pieces of one `<section>` or
  `<p>` are joined into one element, and the pieces of the list or quote a
  paragraph is in with them.

WeasyPrint builds one structure element for each box of a page, in the order of the
box tree, and keeps no link from one to the other; the boxes of one kind of element
and the structure elements of its type, page by page and in that order, are paired
here, and a page where their numbers differ stops the edition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder

JOINED = {"section": "/Sect", "p": "/P"}
"""The elements whose pieces on each page are joined, with their structure type;
sections first, so that the paragraphs in them have one parent to be joined under."""


class TaggingMismatch(Exception):
    """WeasyPrint built its structure tree otherwise than this module expects."""


def finish(document: Any, pdf: pydyf.PDF) -> None:
    """Mend the tagging of `pdf`, as WeasyPrint made it from `document`."""
    _describe_links(document)
    tree = _Tree(pdf)
    leaders: dict[int, set[int]] = {}
    pieces: dict[str, dict[Any, list[pydyf.Dictionary]]] = {tag: {} for tag in JOINED}
    for number, page in enumerate(document.pages):
        for box, element in _pairs(tree, number, page._page_box, "span", "/Span"):
            if lang := box.element.get("lang"):
                element["Lang"] = pydyf.String(lang)
        for box, element in _pairs(tree, number, page._page_box, "a", "/Link"):
            if box.is_leader:
                leaders.setdefault(number, set()).update(tree.take_content(element))
        for tag, found in pieces.items():
            for box, element in _pairs(tree, number, page._page_box, tag, JOINED[tag]):
                found.setdefault(box.element, []).append(element)
    for found in pieces.values():
        for parts in found.values():
            tree.join(parts)
    reached = tree.reached()
    for number in range(len(document.pages)):
        tree.make_artifacts(number, leaders.get(number, set()), "/Layout")
        tree.make_artifacts(number, tree.unreached(number, reached), "/Pagination")


def _describe_links(document: Any) -> None:
    for page in document.pages:
        _describe(page._page_box, None)


def _describe(box: Any, title: str | None) -> None:
    """Every box inside a link has an annotation of its own (a link holding a <time>
    has two); each takes the title of the link it is in."""
    if box.element is not None and box.element.get("href") is not None:
        title = box.element.get("title")
    if box.link_annotation is not None and title:
        box.link_annotation["Contents"] = pydyf.String(title)
    for child in getattr(box, "children", ()):
        _describe(child, title)


def _pairs(tree: _Tree, page: int, page_box: Any, tag: str,
           pdf_tag: str) -> Iterator[tuple[Any, pydyf.Dictionary]]:
    """The boxes of `tag` elements on the page, with their structure elements."""
    found = [box for box in _preorder(page_box)
             if box.element is not None and _tag(box.element_tag) == tag
             and not isinstance(box, boxes.TextBox | boxes.LineBox)]
    elements = [element for element in tree.elements(page) if element["S"] == pdf_tag
                and not (pdf_tag == "/Span" and _text(element))]
    if len(found) != len(elements):
        raise TaggingMismatch(f"page {page + 1}: {len(found)} <{tag}> boxes, "
                              f"{len(elements)} {pdf_tag} structure elements")
    yield from zip(found, elements, strict=True)


def _preorder(box: Any) -> Iterator[Any]:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    yield box
    for child in getattr(box, "children", ()):
        yield from _preorder(child)


def _tag(element_tag: str | None) -> str | None:
    """The element's tag as WeasyPrint reads it: a link's pseudo-elements are links."""
    if element_tag is not None and element_tag.split(":")[0] == "a":
        return "a"
    return element_tag


def _text(element: pydyf.Dictionary) -> bool:
    """Whether the element is the one WeasyPrint makes for a single run of text."""
    return len(element["K"]) == 1 and isinstance(element["K"][0], int)


class _Tree:
    """The structure tree of a PDF that pydyf has yet to write."""

    def __init__(self, pdf: pydyf.PDF) -> None:
        self.pdf = pdf
        self.objects: list[Any] = pdf.objects
        root = self.get(pdf.catalog["StructTreeRoot"])
        self.document = self.get(root["K"][0])
        nums = self.get(root["ParentTree"])["Nums"]
        self.page_parents: list[pydyf.Array] = list(nums[1:2 * len(pdf.page_references):2])
        self.by_page: dict[bytes, list[pydyf.Dictionary]] = {}
        for item in self.objects:
            if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/StructElem":
                self.by_page.setdefault(item.get("Pg"), []).append(item)

    def get(self, reference: bytes) -> Any:
        return self.objects[int(reference.split()[0])]

    def elements(self, page: int) -> list[pydyf.Dictionary]:
        """The structure elements of a page, in the order WeasyPrint made them."""
        return self.by_page.get(self.pdf.page_references[page], [])

    def take_content(self, element: pydyf.Dictionary) -> set[int]:
        """Take the marked content away from `element`: the ids of that content."""
        content = {kid for kid in element["K"] if isinstance(kid, int)}
        element["K"] = pydyf.Array([kid for kid in element["K"] if not isinstance(kid, int)])
        return content

    def join(self, parts: list[pydyf.Dictionary]) -> None:
        """Make the pieces of one element, one on each page, a single element, where
        one piece holds no marked content of its own and its parents continue the
        parents of the piece before it: a paragraph in a list item over a page turn
        is one /P in one /LI of one /L."""
        first = parts[0]
        for part in parts[1:]:
            if any(isinstance(kid, int) for kid in part["K"]) or not self._join_parents(
                    first, part):
                first = part
                continue
            self._merge(first, part)

    def _join_parents(self, first: pydyf.Dictionary, part: pydyf.Dictionary) -> bool:
        """Join the parents of `part` into those of `first` up to the ancestor they
        share, where they are of the same types in the same order (the pieces of the
        same elements, each page having its own); whether `part` and `first` then
        have one parent."""
        above_first, above_part = self._ancestors(first), self._ancestors(part)
        shared = next(reference for reference in above_part if reference in above_first)
        mine = above_first[:above_first.index(shared)]
        theirs = above_part[:above_part.index(shared)]
        if [self.get(r)["S"] for r in mine] != [self.get(r)["S"] for r in theirs]:
            return False
        for one, other in reversed(list(zip(mine, theirs, strict=True))):
            self._merge(self.get(one), self.get(other))
        return True

    def _ancestors(self, element: pydyf.Dictionary) -> list[bytes]:
        """The references of the element's parents, nearest first, to the document."""
        found = []
        while element is not self.document:
            found.append(element["P"])
            element = self.get(element["P"])
        return found

    def _merge(self, first: pydyf.Dictionary, part: pydyf.Dictionary) -> None:
        """Give `part`'s children to `first`, its piece on the page before, and take
        `part` out of the tree."""
        for kid in part["K"]:
            if isinstance(kid, bytes) and (child := self.get(kid)).get("Type") == "/StructElem":
                child["P"] = first.reference
        first["K"].extend(part["K"])
        part["K"] = pydyf.Array()
        parent = self.get(part["P"])["K"]
        parent[:] = [kid for kid in parent if kid != part.reference]

    def reached(self) -> set[bytes]:
        """The structure elements the tree reaches."""
        reached: set[bytes] = set()
        waiting = [self.document.reference]
        while waiting:
            reference = waiting.pop()
            if reference in reached:
                continue
            reached.add(reference)
            item = self.get(reference)
            if item.get("Type") == "/StructElem":
                waiting += [kid for kid in item["K"] if isinstance(kid, bytes)]
        return reached

    def unreached(self, page: int, reached: set[bytes]) -> set[int]:
        """The marked content of a page whose structure element the tree does not
        reach: WeasyPrint's tags of the margin boxes."""
        return {mcid for mcid, parent in enumerate(self.page_parents[page])
                if parent != b"null" and parent not in reached}

    def make_artifacts(self, page: int, content: set[int], kind: str) -> None:
        """Mark the content as an artifact of `kind` (/Pagination, /Layout) in the
        page's content stream, and take it out of the structure tree."""
        if not content:
            return
        parents = self.page_parents[page]
        for mcid in content:
            parents[mcid] = b"null"
        page_object = self.get(self.pdf.page_references[page])
        stream = self.get(page_object["Contents"]).stream
        for index, item in enumerate(stream):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in content:
                if stream[index + 1] != b"BDC":
                    raise TaggingMismatch(f"page {page + 1}: marked content {item}")
                stream[index - 1] = "/Artifact"
                stream[index] = pydyf.Dictionary({"Type": kind})
