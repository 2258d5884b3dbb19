"""Markdown to XHTML for one chapter: Python-Markdown with footnotes, tables,
attr_list and the project's extensions (roles, typography, ids, images).

Problems found here carry the source text they concern (a `Finding`), so that the
caller, which has the raw lines, can name the line.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from publish import images, typography
from publish.access import Access
from publish.roles import ROLE_PATTERN, RoleError, render_role

INLINE_CONTEXT = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
                  "figcaption", "caption"}
VERBATIM = {"code", "pre", "kbd", "samp", "script", "style"}
UNITS = {"time", "data"}
NAME_CLASS = "name"
"""The class of a name the book's word list protects from hyphenation."""


@dataclass(frozen=True)
class Finding:
    needle: str
    """Source text the problem concerns, to find its line in the raw file."""
    code: str
    message: str
    nth: int = 0
    """Which occurrence of `needle` in the file it is, counting from 0."""


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Event:
    date: str
    """ISO 8601, as written in the role."""
    sentence: str
    """The plain text of the sentence that holds the date."""
    anchor: str
    """The id of the date's element, to link back to it."""


@dataclass
class Rendered:
    html: str
    headings: list[Heading] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    images: dict[str, Path] = field(default_factory=dict)
    """The images by their name inside the book (`images/<name>`)."""
    findings: list[Finding] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict)

    def occurrence(self, needle: str) -> int:
        """Count one more occurrence of `needle`; return which one it is (from 0)."""
        nth = self._seen.get(needle, 0)
        self._seen[needle] = nth + 1
        return nth


def render_chapter(text: str, lang: str, chapter_file: Path, image_root: Path,
                   names: frozenset[str] = frozenset()) -> Rendered:
    """Render one chapter; `image_root` is the only folder images may come from;
    `names` are never hyphenated."""
    result = Rendered(html="")
    md = markdown.Markdown(
        output_format="xhtml",
        extensions=[
            "footnotes", "tables", "attr_list",
            _ProjectExtension(lang, chapter_file, image_root, result, names),
        ],
        extension_configs={"footnotes": {"SEPARATOR": "-", "BACKLINK_TITLE": ""}},
    )
    result.html = md.convert(text)
    for stashed in md.htmlStash.rawHtmlBlocks:
        # A closing tag belongs to an opening one reported already; comments
        # (notes between editors) never reach the output as content.
        if isinstance(stashed, str) and re.match(r"\s*<(?![/!])", stashed):
            # Raw HTML would bypass every check here (ids, images, well-formedness).
            needle = stashed.strip().splitlines()[0]
            result.findings.append(Finding(needle, "raw-html",
                                           "raw HTML is not allowed: use Markdown",
                                           result.occurrence(needle)))
    return result


class _ProjectExtension(Extension):
    def __init__(self, lang: str, chapter_file: Path, image_root: Path,
                 result: Rendered, names: frozenset[str]) -> None:
        super().__init__()
        self.lang = lang
        self.names = names
        self.chapter_file = chapter_file
        self.image_root = image_root
        self.result = result

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Above the backtick pattern (190), which would otherwise take the value.
        md.inlinePatterns.register(_RoleProcessor(self.lang, self.result, md), "role", 195)
        # Above links (160), which would read the brackets as link text.
        md.inlinePatterns.register(_ForeignPassage(md), "foreign", 165)
        # Tree processors run from high to low priority: after inline (20), attr_list (8).
        md.treeprocessors.register(_Typography(self.lang, self.names, md), "typography", 5)
        md.treeprocessors.register(
            _Collector(self.chapter_file, self.image_root, self.result, md), "collect", 4)
        md.treeprocessors.register(_PrefixNoteIds(md), "note-ids", 3)
        md.treeprocessors.register(_Events(self.result, md), "events", 2)


class _RoleProcessor(InlineProcessor):
    def __init__(self, lang: str, result: Rendered, md: markdown.Markdown) -> None:
        super().__init__(ROLE_PATTERN, md)
        self.lang = lang
        self.result = result

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | str, int, int]:
        try:
            role = render_role(m["name"], m["options"], m["value"], self.lang)
        except RoleError as error:
            self.result.findings.append(Finding(m[0], "role", str(error),
                                                self.result.occurrence(m[0])))
            return m[0], m.start(0), m.end(0)
        if role.kind == "date":
            # HTML's datetime takes no interval: the start goes there, the end beside it.
            start, _, end = role.machine.partition("/")
            element = etree.Element("time", {"datetime": start})
            if end:
                element.set("data-end", end)
        else:
            element = etree.Element("data", {"value": role.machine})
        element.text = AtomicString(role.text)
        if role.event:
            element.set("class", "event")
        return element, m.start(0), m.end(0)


class _ForeignPassage(InlineProcessor):
    """`[Per Anger Prize]{lang=en}`: a passage in another language, so that readers,
    screen readers, hyphenation and the spelling check treat it as that language."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(r"\[([^\]]+)\]\{lang=([a-z]{2,3}(?:-[A-Za-z0-9]+)*)\}", md)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        span = etree.Element("span", {"lang": m[2]})
        span.text = m[1]
        return span, m.start(0), m.end(0)


class _Typography(Treeprocessor):
    def __init__(self, lang: str, names: frozenset[str], md: markdown.Markdown) -> None:
        super().__init__(md)
        self.lang = lang
        # Longest first, so that a name is not cut short by another it begins with.
        # A name of several words ("Maryna Zolatava") is one span: WeasyPrint breaks
        # lines wrongly at a lone space between two inline elements.
        name = "(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + ")"
        self.names = re.compile(
            f"(?<!\\w)({name}(?:[ \u00a0]{name})*)(?!\\w)") if names else None

    def run(self, root: etree.Element) -> None:
        for block in [b for b in root.iter() if b.tag in INLINE_CONTEXT]:
            slots = _text_slots(block)
            runs = [getattr(owner, attr) for owner, attr in slots]
            # Rendered dates and numbers are context for their neighbours
            # ("у" before a date binds to it) but are not changed themselves.
            for (owner, attr), old, new in zip(slots, runs, typography.apply(runs, self.lang),
                                               strict=True):
                if not isinstance(old, AtomicString):
                    setattr(owner, attr, new)
            _capitalise_sentence_starts(slots)
            if self.names is not None:
                _mark_names(block, self.names)
            slots = _text_slots(block)
            runs = [getattr(owner, attr) for owner, attr in slots]
            opens = [n > 0 and attr == "text" for n, (_, attr) in enumerate(slots)]
            for (owner, attr), old, new in zip(slots, runs, typography.keep_inside(runs, opens),
                                               strict=True):
                if new != old:
                    setattr(owner, attr,
                            AtomicString(new) if isinstance(old, AtomicString) else new)
        for number in root.iter("data"):
            if number.tail:
                number.tail = typography.bind_after_number(number.tail)
        for date in root.iter("time"):
            # "… 1998 г." ending a sentence: the date's full stop is the sentence's.
            if (date.text or "").endswith(".") and date.tail and date.tail.startswith("."):
                date.tail = date.tail[1:]
                date.set(ENDS_SENTENCE, "")


def _capitalise_sentence_starts(slots: list[tuple[etree.Element, str]]) -> None:
    """A date that opens a sentence takes a capital: Belarusian month names are
    written in lower case ("кастрычнік 1988 г. быў ...")."""
    before = ""
    for owner, attr in slots:
        value = getattr(owner, attr) or ""
        if attr == "text" and owner.tag == "time" and \
                re.search(r"(^|[.!?…][»”“]?\s)\s*$", before):
            value = AtomicString(value[:1].upper() + value[1:])
            owner.text = value
        before += value


def _mark_names(block: etree.Element, names: re.Pattern[str]) -> None:
    """Put each name of the book in a `<span class="name">`, which the editions do
    not hyphenate (a reader stumbles on "Бяляц-кі" and on "Міхаі-ла" alike)."""

    def split(text: str) -> tuple[str, list[etree.Element]]:
        parts = names.split(text)
        spans = []
        for name, after in zip(parts[1::2], parts[2::2], strict=True):
            span = etree.Element("span", {"class": NAME_CLASS})
            span.text, span.tail = name, after or None
            spans.append(span)
        return parts[0], spans

    def walk(element: etree.Element) -> None:
        for child in list(element):
            if child.tag not in VERBATIM | INLINE_CONTEXT | UNITS:
                walk(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                child.tail, spans = split(child.tail)
                at = list(element).index(child) + 1
                element[at:at] = spans
        if element.text and not isinstance(element.text, AtomicString):
            element.text, spans = split(element.text)
            element[0:0] = spans

    walk(block)


def _text_slots(block: etree.Element) -> list[tuple[etree.Element, str]]:
    """Where the running text of `block` lives, in reading order, as (element, attribute)."""
    slots: list[tuple[etree.Element, str]] = []

    def walk(element: etree.Element) -> None:
        if element.text:
            slots.append((element, "text"))
        for child in element:
            if child.tag not in VERBATIM and child.tag not in INLINE_CONTEXT:
                walk(child)
            if child.tail:
                slots.append((child, "tail"))

    walk(block)
    return slots


class _Collector(Treeprocessor):
    """Records the headings and checks the images of the chapter."""

    def __init__(self, chapter_file: Path, image_root: Path, result: Rendered,
                 md: markdown.Markdown) -> None:
        super().__init__(md)
        self.chapter_file = chapter_file
        self.image_root = image_root
        self.result = result

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag) and element.get("id"):
                text = "".join(element.itertext()).strip()
                self.result.headings.append(Heading(int(element.tag[1]), element.get("id", ""),
                                                    text))
            elif element.tag == "img":
                self._check_image(element)

    def _check_image(self, image: etree.Element) -> None:
        src = image.get("src", "")
        nth = self.result.occurrence(src)

        def problem(code: str, message: str) -> None:
            self.result.findings.append(Finding(src, code, message, nth))

        parts = urlsplit(src)
        path = (self.chapter_file.parent / unquote(parts.path)).resolve()
        if parts.scheme or parts.netloc or src.startswith("/"):
            problem("image-outside",
                    f"image {src!r} must be a relative path to a file inside the manuscript")
        elif not Access.within(self.image_root).allows(path):
            problem("image-outside", f"image {src!r} is outside the manuscript folder")
        elif not path.is_file():
            problem("image-missing", f"image {src!r} does not exist")
        elif (found := images.check(path)) is not None:
            problem(found.code, f"image {src!r} {found.detail}")
        else:
            # Named by their place in the manuscript, so that en/map.png and
            # be/map.png stay two pictures.
            name = "-".join(path.relative_to(self.image_root.resolve()).parts)
            self.result.images[name] = path
            image.set("src", f"images/{name}")
        if not image.get("alt"):
            problem("image-alt", f"image {src!r} has no alternative text: write it in ![...]")


NOTE_ID = re.compile(r"fn(ref\d*)?-")
"""Python-Markdown's note ids: `fn-x` for a note, `fnref-x`, `fnref2-x` ... for the
references to it."""


class _PrefixNoteIds(Treeprocessor):
    """Footnote ids restart in every chapter; the print edition puts all chapters in
    one document, so each gets the id of its chapter's title as a prefix."""

    def run(self, root: etree.Element) -> None:
        title = next((h for h in root.iter("h1") if h.get("id")), None)
        if title is None:
            return
        prefix = title.get("id")
        for element in root.iter():
            for attr in ("id", "href"):
                value = element.get(attr, "")
                bare = value.removeprefix("#")
                if NOTE_ID.match(bare):
                    hash_ = "#" if value.startswith("#") else ""
                    element.set(attr, f"{hash_}{prefix}-{bare}")


ENDS_SENTENCE = "data-ends-sentence"
"""Set on a date whose full stop is also the sentence's, while the chronology is
made."""
SENTENCE_END = re.compile(r"(?<=[.!?…])[»”“]?\s+(?=[\"«„“(]?[A-ZА-ЯЁІЎ])")


class _Events(Treeprocessor):
    """Finds the dates marked `event` and the sentences around them, for the chronology."""

    def __init__(self, result: Rendered, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.result = result

    def run(self, root: etree.Element) -> None:
        title = next((h.get("id") for h in root.iter("h1") if h.get("id")), "chapter")
        for block in root.iter():
            if block.tag not in INLINE_CONTEXT:
                continue
            text, dates = _flatten(block)
            # A date's own full stop ends no sentence, unless it stands for the
            # sentence's too.
            inside = [(s, e) for element, s, e in dates if element.get(ENDS_SENTENCE) is None]
            for element, start, _ in dates:
                if element.get("class") != "event":
                    continue
                anchor = f"{title}-event-{len(self.result.events) + 1}"
                element.set("id", anchor)
                self.result.events.append(Event(
                    element.get("datetime", "") + (f"/{e}" if (e := element.get("data-end"))
                                                   else ""),
                    _sentence(text, start, inside, [s for _, s, _ in dates]),
                    anchor))
        for date in root.iter("time"):
            date.attrib.pop(ENDS_SENTENCE, None)


def _flatten(block: etree.Element) -> tuple[str, list[tuple[etree.Element, int, int]]]:
    """The block's text without note references, and where each date stands in it."""
    parts: list[str] = []
    dates: list[tuple[etree.Element, int, int]] = []

    def walk(element: etree.Element) -> None:
        start = sum(map(len, parts))
        if element.text:
            parts.append(element.text)
        for child in element:
            if child.tag != "sup" and child.tag not in INLINE_CONTEXT:
                walk(child)
            if child.tail:
                parts.append(child.tail)
        if element.tag == "time":
            dates.append((element, start, start + len(element.text or "")))

    walk(block)
    return "".join(parts), dates


def _sentence(text: str, start: int, inside: list[tuple[int, int]],
              date_starts: list[int]) -> str:
    """The sentence of `text` that holds the date at `start`. A full stop within one
    of the `inside` spans ("1998 г.") ends no sentence; a date right after a
    sentence's end starts one."""
    bounds = {0, len(text)}
    for match in SENTENCE_END.finditer(text):
        if not any(s <= match.start() - 1 < e for s, e in inside):
            bounds.add(match.end())
    for date_start in date_starts:
        if re.search(r"[.!?…][»”“]?\s+$", text[:date_start]):
            bounds.add(date_start)
    ordered = sorted(bounds)
    index = bisect.bisect_right(ordered, start) - 1
    # Collapse the layout's spaces, but keep the no-break ones ("1988 г.").
    return re.sub(r"[ \t\n]+", " ", text[ordered[index]:ordered[index + 1]]).strip()
