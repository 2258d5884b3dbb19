"""SVG drawings of the manuscript, parsed safely and checked for what an e-book must
not carry.

An SVG file is XML that can run scripts (`<script>`, `onload=`), pull in other files
and addresses (`href`, `url()` in its CSS, `<?xml-stylesheet?>`, external entities)
and embed HTML (`<foreignObject>`). It is parsed here without entities, DTDs or
network, and may refer only to its own parts (`#id`) or hold raster images as
`data:` addresses.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from publish import css

SVG = "http://www.w3.org/2000/svg"
XHTML = "http://www.w3.org/1999/xhtml"
NO_SCRIPT = "an e-book carries no script"
FORBIDDEN = {"script": ("a <script>", NO_SCRIPT),
             "foreignObject": ("a <foreignObject>", "an e-book's drawings embed no HTML")}
ANIMATIONS = {"set", "animate"}
"""Elements that can give an attribute a value of their own, an `href` among them."""
OWN_PART = re.compile(r"#[^\s]*")
RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)
ALLOWED = "an SVG image may refer only to its own parts ('#id') or to data:image/... addresses"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False)


def check(path: Path) -> str | None:
    """What makes the SVG file at `path` unfit for the editions, to follow its name
    in a sentence; None if nothing."""
    try:
        root = etree.fromstring(path.read_bytes(), _parser())
    except etree.XMLSyntaxError as error:
        return f"is not well-formed XML (its line {error.lineno}): {error.msg}"
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return ("declares a document type (<!DOCTYPE ...>): an SVG image may declare "
                "no DTD and no entities")
    if etree.QName(root).namespace != SVG or etree.QName(root).localname != "svg":
        return f"is not an SVG drawing: its root element is <{etree.QName(root).localname}>"
    for node in [*root.itersiblings(preceding=True), *root.iter(), *root.itersiblings()]:
        found = _problem(node)
        if found is not None:
            what, why = found
            return f"holds {what} at its line {node.sourceline}: {why}"
    return None


def _problem(node: etree._Element) -> tuple[str, str] | None:
    """What in `node` an e-book must not carry, and why."""
    if isinstance(node, etree._ProcessingInstruction):
        return (f"<?{node.target} ...?>", ALLOWED) if node.target == "xml-stylesheet" else None
    if not isinstance(node.tag, str):
        return None  # a comment or an entity left unresolved
    name = etree.QName(node).localname
    if name in FORBIDDEN:
        return FORBIDDEN[name]
    if etree.QName(node).namespace == XHTML:
        return f"HTML (<{name}>)", FORBIDDEN["foreignObject"][1]
    changed = node.get("attributeName", "").split(":")[-1]
    if name in ANIMATIONS and changed.lower().startswith("on"):
        return f"a <{name}> that sets an event handler ({changed})", NO_SCRIPT
    if name in ANIMATIONS and changed in ("href", "style"):
        return f"a <{name}> that changes {node.get('attributeName')!r}", ALLOWED
    for attribute, value in node.attrib.items():
        local = etree.QName(attribute).localname
        if local.lower().startswith("on"):
            return f"an event handler ({local}=...)", NO_SCRIPT
        if local == "href" and not _own(value):
            return f"a reference to {value!r}", ALLOWED
        # Only a function can name an address in CSS: a value without one (the
        # drawing's paths and numbers) is not worth reading as CSS.
        outside = [r.url for r in css.references(value) if not _own(r.url)] \
            if "(" in value else []
        if outside:
            return f"a reference to {outside[0]!r} in a {local} attribute", ALLOWED
    if name == "style":
        outside = [r.url for r in css.references(node.text or "") if not _own(r.url)]
        if outside:
            return f"a reference to {outside[0]!r} in a <style>", ALLOWED
    return None


def _own(url: str) -> bool:
    """Whether `url` names a part of the drawing itself or data held in it."""
    url = url.strip()
    return bool(OWN_PART.fullmatch(url) or RASTER_DATA.match(url))
