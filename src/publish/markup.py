"""Markdown to XHTML for one chapter: Python-Markdown with footnotes (taken out of
the text as notes, `footnotes.py`), tables, attr_list and the project's extensions
(roles, typography, ids, images).

Problems found here carry the source text they concern (a `Finding`), so that the
caller, which has the raw lines, can name the line.
"""

from __future__ import annotations

import bisect
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.inlinepatterns import BacktickInlineProcessor, InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString

from publish import images, index, sourcelines, typography
from publish.access import Access
from publish.attributes import LANG_TAG, attribute_problem, link_problem
from publish.blocks import Block, Kind
from publish.diagnostics import Code
from publish.footnotes import Notes
from publish.languages import CLOSING_QUOTES, LANGUAGES, OPENING_QUOTES
from publish.limits import excesses
from publish.model import IndexTerm, Note
from publish.roles import ROLE_PATTERN, RoleError, render_role

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
"""Their ids are the loader's to check, from the raw lines (`load.py`)."""
INLINE_CONTEXT = {*HEADINGS, "p", "li", "td", "th", "dt", "dd",
                  "figcaption", "caption"}
VERBATIM = {"code", "pre", "kbd", "samp", "script", "style"}
UNITS = {"time", "data"}
NAME_CLASS = "name"
"""The class of a name the book's word list protects from hyphenation."""


@dataclass(frozen=True)
class Finding:
    needle: str
    """Source text the problem concerns, to find its line in the raw file."""
    code: Code
    message: str
    nth: int = 0
    """Which occurrence of `needle` in the file it is, counting from 0."""
    line: int | None = None
    """The line, where the problem was found on the raw text (then `needle` is empty)."""


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
    index_terms: list[IndexTerm] = field(default_factory=list)
    images: dict[str, Path] = field(default_factory=dict)
    """The images by their name inside the book (`images/<name>`)."""
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    """Every id of the chapter, its notes' included."""
    outward: list[Finding] = field(default_factory=list)
    """Links to an id this chapter lacks: problems unless another chapter has it."""
    given_ids: list[tuple[str, Finding]] = field(default_factory=list)
    """Ids that attribute lists give, each with the problem it is if another element
    of the book has it too."""
    blocks: list[Block] = field(default_factory=list)
    """The chapter's blocks in reading order, its notes last."""
    _seen: dict[str, int] = field(default_factory=dict)

    def occurrence(self, needle: str) -> int:
        """Count one more occurrence of `needle`; return which one it is (from 0)."""
        nth = self._seen.get(needle, 0)
        self._seen[needle] = nth + 1
        return nth


PairBlocks = Callable[[list[Block]], list[Block]]
"""Gives the blocks of a chapter their pair ids (and element ids), from the alignment
with the other languages."""


def render_chapter(text: str, lang: str, chapter_file: Path, image_root: Path,
                   names: frozenset[str] = frozenset(),
                   classes: frozenset[str] = frozenset(),
                   pair: PairBlocks | None = None) -> Rendered:
    """Render one chapter; `image_root` is the only folder images may come from;
    `names` are never hyphenated; `classes` are those an attribute list may give;
    `pair` names the blocks, whose elements then carry the ids it gives."""
    result = Rendered(html="")
    result.findings = [Finding("", Code.LIMIT, excess.message, line=excess.line)
                       for excess in excesses(text)]
    if result.findings:
        return result
    notes = Notes()
    md = markdown.Markdown(
        output_format="xhtml",
        extensions=[
            notes, "tables",
            _ProjectExtension(text, lang, chapter_file, image_root, result, names,
                              classes, pair),
        ],
    )
    result.html = md.convert(text)
    result.notes = notes.notes
    for stashed in md.htmlStash.rawHtmlBlocks:
        # A closing tag belongs to an opening one reported already; comments
        # (notes between editors) never reach the output as content.
        if isinstance(stashed, str) and re.match(r"\s*<(?![/!])", stashed):
            # Raw HTML would bypass every check here (ids, images, well-formedness).
            needle = stashed.strip().splitlines()[0]
            result.findings.append(Finding(needle, Code.RAW_HTML,
                                           "raw HTML is not allowed: use Markdown",
                                           result.occurrence(needle)))
    return result


class _ProjectExtension(Extension):
    def __init__(self, source: str, lang: str, chapter_file: Path, image_root: Path,
                 result: Rendered, names: frozenset[str], classes: frozenset[str],
                 pair: PairBlocks | None) -> None:
        super().__init__()
        self.source = source
        self.lang = lang
        self.pair = pair
        self.names = names
        self.classes = classes
        self.chapter_file = chapter_file
        self.image_root = image_root
        self.result = result

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        spans = sourcelines.Spans()
        sourcelines.track(md, spans)
        # Only code between two or more backticks can hold a whole role, as text to
        # show: it is taken first. Then roles, above the backtick pattern (190), which
        # would otherwise take a role's value.
        md.inlinePatterns.register(BacktickInlineProcessor(LONG_CODE), "long-code", 196)
        md.inlinePatterns.register(_RoleProcessor(self.lang, self.result, md), "role", 195)
        # Below the backtick pattern (190), which takes a role's name written as code:
        # what is left is a role whose value has no closing backtick.
        md.inlinePatterns.register(_Leftover(
            UNTERMINATED_ROLE, Code.ROLE,
            "the role {0} has no closing backtick: write {0}`value`", self.result, md),
            "unterminated-role", 185)
        # Below footnotes (175), which leave a reference to no note as it stands.
        md.inlinePatterns.register(_Leftover(
            NOTE_REFERENCE, Code.NOTE,
            "the note {0} has no definition: add a paragraph '{0}: ...'", self.result, md),
            "undefined-note", 174)
        # Above links (160), which would read the brackets as link text.
        md.inlinePatterns.register(_ForeignPassage(md), "foreign", 165)
        md.inlinePatterns.register(_IndexMark(md), "index", 164)
        # Tree processors run from high to low priority: after inline (20). This is
        # attr_list's own place (8), the allow-list checked where attributes are set.
        md.treeprocessors.register(_CheckedAttrList(self.classes, self.result, md),
                                   "attr_list", 8)
        md.treeprocessors.register(_Typography(self.lang, self.names, md), "typography", 5)
        md.treeprocessors.register(
            _Collector(self.chapter_file, self.image_root, self.result, md), "collect", 4)
        md.treeprocessors.register(_Events(self.lang, self.result, md), "events", 2)
        md.treeprocessors.register(_IndexTerms(self.result, md), "index", 2)
        md.treeprocessors.register(_Blocks(self.source, spans, self.pair, self.result, md),
                                   "blocks", 1)


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
            self.result.findings.append(Finding(m[0], Code.ROLE, str(error),
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


LONG_CODE = r"(?:(?<!\\)((?:\\{2})+)(?=``)|(?<![\\`])(?=``))"
"""Where a code span of two or more backticks starts, as Python-Markdown's backtick
pattern finds one of any length."""
UNTERMINATED_ROLE = r"(\{[A-Za-z_-]+(?::[^}`]*)?\})`"
NOTE_REFERENCE = r"(\[\^[^\]]*\])"
"""A note reference as Python-Markdown's footnotes read it."""


class _Leftover(InlineProcessor):
    """Markup that a processor before this one left as it stands, because it is
    unfinished or names what does not exist: a finding, kept as written. The
    message names the pattern's first group."""

    def __init__(self, pattern: str, code: Code, message: str, result: Rendered,
                 md: markdown.Markdown) -> None:
        super().__init__(pattern, md)
        self.code = code
        self.message = message
        self.result = result

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str, int, int]:
        self.result.findings.append(Finding(m[0], self.code, self.message.format(m[1]),
                                            self.result.occurrence(m[0])))
        return m[0], m.start(0), m.end(0)


class _ForeignPassage(InlineProcessor):
    """`[Per Anger Prize]{lang=en}`: a passage in another language, so that readers,
    screen readers, hyphenation and the spelling check treat it as that language."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(rf"\[([^\]]+)\]\{{lang=({LANG_TAG})\}}", md)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        span = etree.Element("span", {"lang": m[2]})
        span.text = m[1]
        return span, m.start(0), m.end(0)


def _chapter_id(root: etree.Element) -> str:
    """The id of the chapter's title, which the ids publish gives begin with."""
    return next((h.get("id", "") for h in root.iter("h1") if h.get("id")), "chapter")


INDEX_KEY = "data-index"
"""Set on a term marked for the index, until it has its id."""


class _IndexMark(InlineProcessor):
    """`[Ales Bialiatski]{index=bialiatski}`: a term of the index, where it occurs;
    the key pairs it with the same term in the other languages (`index.py`)."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(index.MARK, md)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element, int, int]:
        span = etree.Element("span", {INDEX_KEY: m["key"]})
        span.text = m["term"]
        return span, m.start(0), m.end(0)


class _IndexTerms(Treeprocessor):
    """Gives each term of the index an id to link to, in reading order, the notes'
    after the text's."""

    def __init__(self, result: Rendered, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.result = result

    def run(self, root: etree.Element) -> None:
        title = _chapter_id(root)
        for term in (span for span in root.iter("span") if span.get(INDEX_KEY)):
            anchor = f"{title}-index-{len(self.result.index_terms) + 1}"
            self.result.index_terms.append(IndexTerm(term.attrib.pop(INDEX_KEY), anchor))
            term.set("id", anchor)


class _CheckedAttrList(AttrListTreeprocessor):
    """Python-Markdown's attribute lists, giving only what the allow-list of
    `publish.attributes` lets a manuscript say; anything else is a finding."""

    def __init__(self, classes: frozenset[str], result: Rendered,
                 md: markdown.Markdown) -> None:
        super().__init__(md)
        self.classes = classes
        self.result = result

    def assign_attrs(self, elem: etree.Element, attrs_string: str, *,
                     strict: bool = False) -> str:
        attrs, remainder = get_attrs_and_remainder(attrs_string)
        if strict and remainder:
            return remainder
        needle = attrs_string.strip()
        nth = self.result.occurrence(needle)
        for key, value in attrs:
            key = "class" if key == "." else key
            if key == CHRONOLOGY:
                problem = _chronology_problem(elem, value)
                if problem is None:
                    elem.set(OWN_WORDING, value or "")
                else:
                    self.result.findings.append(Finding(needle, Code.ATTRIBUTE, problem, nth))
                continue
            problem = attribute_problem(key, value, self.classes)
            if problem is not None:
                self.result.findings.append(Finding(needle, Code.ATTRIBUTE, problem, nth))
            elif key == "class":
                elem.set("class", " ".join(filter(None, (elem.get("class"), value))))
            else:
                elem.set(key, value or "")
                if key == "id" and elem.tag not in HEADINGS:
                    self.result.given_ids.append((value or "", Finding(
                        needle, Code.DUPLICATE_ID,
                        f"the id #{value} is given to another element of the book too", nth)))
        return remainder


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
    values = [getattr(owner, attr) or "" for owner, attr in slots]
    text, at = "".join(values), 0
    for (owner, attr), value in zip(slots, values, strict=True):
        if attr == "text" and owner.tag == "time" and _opens_sentence(text, at):
            owner.text = AtomicString(value[:1].upper() + value[1:])
        at += len(value)


# A sentence may end inside a quote, or begin with one, in any language.
SENTENCE_ENDED = re.compile(rf"[.!?…][{CLOSING_QUOTES}]?$")


def _opens_sentence(text: str, at: int) -> bool:
    """Whether what stands at `at` in `text` opens a sentence: nothing but spaces
    before it, or the end of a sentence and a space. Only the spaces and the two
    characters before them are looked at, so a long paragraph costs no more."""
    start = at
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return start == 0 or (start < at and
                          SENTENCE_ENDED.search(text, max(start - 2, 0), start) is not None)


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
        children: list[etree.Element] = []
        if element.text and not isinstance(element.text, AtomicString):
            element.text, spans = split(element.text)
            children.extend(spans)
        for child in list(element):
            if child.tag not in VERBATIM | INLINE_CONTEXT | UNITS:
                walk(child)
            children.append(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                child.tail, spans = split(child.tail)
                children.extend(spans)
        element[:] = children

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
            if element.get("id"):
                self.result.ids.add(element.get("id", ""))
        for link in root.iter("a"):
            # A mail address in angle brackets comes as character references, hidden
            # from address harvesters.
            self._check_link(html.unescape(link.get("href", "").replace(AMP_SUBSTITUTE, "&")))

    def _check_link(self, href: str) -> None:
        nth = self.result.occurrence(href)
        problem = link_problem(href)
        if problem is not None:
            self.result.findings.append(Finding(href, Code.LINK, problem, nth))
        elif href.startswith("#") and href[1:] not in self.result.ids:
            self.result.outward.append(Finding(
                href, Code.LINK, f"the link {href!r} names no id of the book", nth))

    def _check_image(self, image: etree.Element) -> None:
        src = image.get("src", "")
        nth = self.result.occurrence(src)

        def problem(code: Code, message: str) -> None:
            self.result.findings.append(Finding(src, code, message, nth))

        parts = urlsplit(src)
        path = (self.chapter_file.parent / unquote(parts.path)).resolve()
        if parts.scheme or parts.netloc or src.startswith("/"):
            problem(Code.IMAGE_OUTSIDE,
                    f"image {src!r} must be a relative path to a file inside the manuscript")
        elif not Access.within(self.image_root).allows(path):
            problem(Code.IMAGE_OUTSIDE, f"image {src!r} is outside the manuscript folder")
        elif not path.is_file():
            problem(Code.IMAGE_MISSING, f"image {src!r} does not exist")
        elif (found := images.check(path)) is not None:
            problem(found.code, f"image {src!r} {found.detail}")
        else:
            # Named by their place in the manuscript, so that en/map.png and
            # be/map.png stay two pictures.
            name = "-".join(path.relative_to(self.image_root.resolve()).parts)
            self.result.images[name] = path
            image.set("src", f"images/{name}")
        if not image.get("alt"):
            problem(Code.IMAGE_ALT, f"image {src!r} has no alternative text: write it in ![...]")


ENDS_SENTENCE = "data-ends-sentence"
"""Set on a date whose full stop is also the sentence's, while the chronology is
made."""
SENTENCE_CAPITALS = "".join(dict.fromkeys("".join(
    language.script.capitals for language in LANGUAGES.values())))
"""What a sentence opens with: a capital of its own language, or of another's, where
a name or a passage in that language starts it ("[Passage]{lang=en} застаецца")."""
SENTENCE_END = re.compile(
    rf"(?<=[.!?…])[{CLOSING_QUOTES}]?\s+(?=[{OPENING_QUOTES}(]?[{SENTENCE_CAPITALS}])")


CHRONOLOGY = "chronology"
"""The attribute that gives an event the chronology's own sentence, where the text's
cannot stand alone: {date:event}`2021-09-17`{chronology="..."}."""
OWN_WORDING = "data-chronology"
"""Where that sentence waits on the date's element until the chronology takes it."""
SENTENCE_WHOLE = re.compile(
    rf"[{OPENING_QUOTES}(]?[{SENTENCE_CAPITALS}].*[.!?…][{CLOSING_QUOTES})]?", re.DOTALL)


def _chronology_problem(element: etree.Element, wording: str | None) -> str | None:
    """Why `wording` cannot be the chronology's sentence for `element`, or None."""
    if element.tag != "time" or element.get("class") != "event":
        return ("the attribute 'chronology' gives an event its own sentence in the "
                "chronology: write it right after a date marked event, as in "
                "{date:event}`2021-09-17`{chronology=\"...\"}")
    if not wording or not SENTENCE_WHOLE.fullmatch(wording.strip()):
        return (f"the chronology's sentence {wording or ''!r} must be a sentence of its "
                "own: a capital first and a full stop (or ! ? …) last")
    return None


class _Events(Treeprocessor):
    """Finds the dates marked `event` and the sentences around them, for the chronology.
    A date with the attribute `chronology` is told there in the words that gives,
    set with the language's typography: the text's sentence may lean on the one
    before it ("Meanwhile ...", «Тым часам ...»), an entry of the chronology cannot."""

    def __init__(self, lang: str, result: Rendered, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.lang = lang
        self.result = result

    def run(self, root: etree.Element) -> None:
        title = _chapter_id(root)
        for block in root.iter():
            if block.tag not in INLINE_CONTEXT:
                continue
            text, dates = _flatten(block)
            events = [(element, start) for element, start, _ in dates
                      if element.get("class") == "event"]
            if not events:
                continue
            # A date's own full stop ends no sentence, unless it stands for the
            # sentence's too.
            inside = [(s, e) for element, s, e in dates if element.get(ENDS_SENTENCE) is None]
            bounds = _sentence_bounds(text, inside, [s for _, s, _ in dates])
            for element, start in events:
                anchor = f"{title}-event-{len(self.result.events) + 1}"
                element.set("id", anchor)
                own = element.attrib.pop(OWN_WORDING, None)
                self.result.events.append(Event(
                    element.get("datetime", "") + (f"/{e}" if (e := element.get("data-end"))
                                                   else ""),
                    re.sub(r"[ \t\n]+", " ", typography.apply([own], self.lang)[0]) if own
                    else _sentence(text, start, bounds),
                    anchor))
        for date in root.iter("time"):
            date.attrib.pop(ENDS_SENTENCE, None)


def _flatten(block: etree.Element) -> tuple[str, list[tuple[etree.Element, int, int]]]:
    """The block's text without note references, and where each date stands in it."""
    parts: list[str] = []
    dates: list[tuple[etree.Element, int, int]] = []

    length = 0

    def add(text: str | None) -> None:
        nonlocal length
        if text:
            parts.append(text)
            length += len(text)

    def walk(element: etree.Element) -> None:
        start = length
        add(element.text)
        for child in element:
            if child.tag != "sup" and child.tag not in INLINE_CONTEXT:
                walk(child)
            add(child.tail)
        if element.tag == "time":
            dates.append((element, start, start + len(element.text or "")))

    walk(block)
    return "".join(parts), dates


def _sentence_bounds(text: str, inside: list[tuple[int, int]],
                     date_starts: list[int]) -> list[int]:
    """Where the sentences of `text` begin, and its end. A full stop within one of
    the `inside` spans ("1998 г."), in reading order, ends no sentence; a date right
    after a sentence's end starts one."""
    bounds = {0, len(text)}
    starts = [s for s, _ in inside]
    for match in SENTENCE_END.finditer(text):
        stop = match.start() - 1
        span = bisect.bisect_right(starts, stop) - 1
        if span < 0 or stop >= inside[span][1]:
            bounds.add(match.end())
    bounds.update(s for s in date_starts if _opens_sentence(text, s))
    return sorted(bounds)


def _sentence(text: str, start: int, bounds: list[int]) -> str:
    """The sentence of `text` that holds the date at `start`."""
    index = bisect.bisect_right(bounds, start) - 1
    # Collapse the layout's spaces, but keep the no-break ones ("1988 г.").
    return re.sub(r"[ \t\n]+", " ", text[bounds[index]:bounds[index + 1]]).strip()


BLOCKS = {"p": Kind.PARAGRAPH, "li": Kind.ITEM, "blockquote": Kind.QUOTE, "tr": Kind.ROW,
          "pre": Kind.CODE, **{h: Kind.HEADING for h in HEADINGS}}
CONTAINERS = {"ul", "ol", "table"}
"""Top-level elements whose parts (items, rows) are the blocks."""


class _Blocks(Treeprocessor):
    """The chapter's blocks with their lines, from where the parser found them; the
    ids `pair` gives them are set on their elements."""

    def __init__(self, source: str, spans: sourcelines.Spans, pair: PairBlocks | None,
                 result: Rendered, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.source = source.split("\n")
        self.spans = spans
        self.pair = pair
        self.result = result

    def run(self, root: etree.Element) -> None:
        lines = self.source
        found: list[tuple[Block, etree.Element | None]] = []
        section = ""

        def add(kind: Kind, element: etree.Element | None, span: tuple[int, int],
                label: str = "") -> None:
            first, last = span
            text = "\n".join(lines[first - 1:last])
            given = element.get("id", "") if element is not None else ""
            found.append((Block(kind, text, first, last + 1, section, label, id=given),
                          element))

        for element in root:
            parts: Iterable[etree.Element] = (
                element.iter("tr") if element.tag == "table"
                else element if element.tag in ("ul", "ol") else [element])
            for part in parts:
                kind = BLOCKS.get(part.tag)
                span = self.spans.elements.get(part)
                if kind is None or span is None:
                    continue
                if kind is Kind.HEADING:
                    section = part.get("id", "")
                add(kind, part, span, part.get("id", "") if kind is Kind.HEADING else "")
        for label, span in self.spans.notes.items():
            add(Kind.NOTE, None, span, label)
        blocks = [block for block, _ in found]
        if self.pair is not None:
            blocks = self.pair(blocks)
            for block, (_, owner) in zip(blocks, found, strict=True):
                if owner is not None and block.id and not owner.get("id"):
                    owner.set("id", block.id)
        self.result.blocks = blocks
