"""The book as plain data: what every writer renders. No I/O, no format knowledge;
chapter bodies are XHTML fragments carried as text."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from publish import isbn
from publish.blocks import Block
from publish.config import PrintConfig


@dataclass(frozen=True)
class Section:
    level: int
    id: str
    title: str


@dataclass(frozen=True)
class Event:
    """A date the text marks for the chronology, with the sentence that tells it."""

    date: str
    """ISO 8601: a date or an interval."""
    sentence: str
    anchor: str
    """The id of the date in the chapter, to link back to it."""


@dataclass(frozen=True)
class IndexTerm:
    """A term the text marks for the index, where it occurs."""

    key: str
    """The same in every language: what pairs the entries."""
    anchor: str
    """The id of the term's element in the chapter, to link to it."""


@dataclass(frozen=True)
class Note:
    """A note of a chapter, apart from the text that calls it: each edition sets it
    its own way (at the foot of the page, at the chapter's end, as a pop-up)."""

    id: str
    """Unique in the book: the chapter's id comes first, as every chapter of the
    print edition stands in one document."""
    label: str
    """The note's name in the manuscript: `days` in `[^days]`."""
    number: int
    """From 1 in every chapter, in the order of the notes' first calls (a note the
    text never calls comes after those it does)."""
    body: str
    """The note as an XHTML fragment of blocks (paragraphs ...), without its number
    or a link back."""
    calls: list[str]
    """The ids of the places in the chapter's body that call the note, in reading
    order (see `footnotes.py` for their markup); empty for a note never called."""


@dataclass(frozen=True)
class Chapter:
    id: str
    """The id of the chapter's title heading, the same in every language."""
    source: Path
    title: str
    body: str
    """The chapter as an XHTML fragment, its title heading included."""
    sections: list[Section]
    """The headings below the title, in order."""
    images: dict[str, Path] = field(default_factory=dict)
    """The images by their name inside the book: `images/<name>` in the body."""
    events: list[Event] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    """The chapter's blocks in reading order, notes last, with the ids they share
    with their counterparts in the other languages."""
    notes: list[Note] = field(default_factory=list)
    """In the order of their numbers."""
    index_terms: list[IndexTerm] = field(default_factory=list)
    """The terms marked for the index, in reading order (those of its notes after
    the text's)."""
    matter: str = "body"
    """`front`, `body` or `back`: front and back matter is no chapter of the book's
    body, and is neither numbered nor listed as one."""
    kind: str = "chapter"
    """Its structural kind, as EPUB's `epub:type` names it: `chapter` in the body,
    `preface`, `bibliography` ... in the front and back matter."""


@dataclass(frozen=True)
class ChronologyEntry:
    date: str
    """The date as the edition's locale writes it in a list."""
    iso: str
    sentence: str
    chapter: Chapter
    anchor: str


@dataclass(frozen=True)
class Occurrence:
    """Where a term of the index occurs."""

    chapter: Chapter
    anchor: str
    """The id of the term's element."""


@dataclass(frozen=True)
class IndexEntry:
    key: str
    headword: str
    """As the index of the edition's language prints it."""
    occurrences: list[Occurrence]
    """In reading order."""


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str


@dataclass(frozen=True)
class Labels:
    """Words the book's own pages need, in the edition's language."""

    contents: str
    chronology: str
    information_as_of: str
    """A sentence with `{date}` where the date goes, without its full stop: the date
    may end in one of its own (Belarusian "г.")."""
    cover: str
    start: str
    """The landmark of the first chapter."""
    guide: str
    """The heading of the landmarks."""
    pages: str
    """The heading of the page list."""
    notes: str
    """The heading of the notes at the end of a chapter."""
    accessibility_summary: str
    note_link: str
    """What a link to a note says, with `{number}` where its number goes."""
    back_link: str
    """What the link from a note back to its call says."""
    chapter_link: str
    """What a link of the contents says, with `{title}` where the chapter's goes."""
    event_link: str
    """What a date of the chronology, a link to the text, says: `{date}` in it."""
    index: str
    """The heading of the index of names and places."""
    index_link: str
    """What a page number of the index, a link to the text, says: `{term}` in it."""
    translation: str
    """The credit line of the translators, `{names}` where their names go."""
    editing: str
    """The credit line of the editors, the same way."""
    illustration: str
    """The credit line of the illustrators, the same way."""

    def credit(self, role: str) -> str | None:
        """The credit line of the contributors of MARC role `role`; None for a role the
        book's pages do not credit (the authors stand above the title, by name alone;
        the others are in the e-book's metadata)."""
        return {"trl": self.translation, "edt": self.editing,
                "ill": self.illustration}.get(role)


@dataclass(frozen=True)
class Book:
    """One language of the book: everything the EPUB and the PDF are made from."""

    id: str
    lang: str
    title: str
    subtitle: str
    description: str
    keywords: list[str]
    contributors: list[Contributor]
    publisher: str
    rights: str
    """The copyright and licence line, in the edition's language."""
    published: datetime.date
    published_text: str
    """The publication date as the edition's locale writes it."""
    information_as_of: str | None
    """The date the book's information runs to, as the locale writes it, if given."""
    chapters: list[Chapter]
    """Every chapter file, in reading order: the front matter, the body, the back matter."""
    labels: Labels
    print: PrintConfig
    isbn: dict[str, str]
    """ISBN per format (`epub`, `pdf`) as the configuration writes it, where one is given."""
    chronology: list[ChronologyEntry] = field(default_factory=list)
    """Filled by the chronology transform from the chapters' events."""
    index: list[IndexEntry] = field(default_factory=list)
    """Filled by the index transform from the chapters' terms, in the alphabetical
    order of the book's language."""

    @property
    def front_matter(self) -> list[Chapter]:
        return [c for c in self.chapters if c.matter == "front"]

    @property
    def body(self) -> list[Chapter]:
        """The chapters of the body; there is one at least."""
        return [c for c in self.chapters if c.matter == "body"]

    @property
    def authors(self) -> list[Contributor]:
        return [c for c in self.contributors if c.role == "aut"]

    @property
    def credits(self) -> list[tuple[str, list[str]]]:
        """The contributors other than the authors, as (role, names), the roles in the
        order they first appear."""
        roles: dict[str, list[str]] = {}
        for contributor in self.contributors:
            if contributor.role != "aut":
                roles.setdefault(contributor.role, []).append(contributor.name)
        return list(roles.items())

    @property
    def credit_lines(self) -> list[str]:
        """The credits of the title page and the imprint, in the edition's language."""
        return [line.format(names=", ".join(names)) for role, names in self.credits
                if (line := self.labels.credit(role)) is not None]

    @property
    def author_names(self) -> str:
        """The authors as a title page or a catalogue lists them; empty for a book
        with editors only."""
        return ", ".join(a.name for a in self.authors)


def identifier(book: Book, fmt: str) -> str:
    """The edition's identifier: its ISBN where one is given, otherwise a UUID that
    depends only on the book id, language and format, so rebuilding keeps it."""
    if fmt in book.isbn:
        return f"urn:isbn:{isbn.digits(book.isbn[fmt])}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'publish:{book.id}:{book.lang}:{fmt}')}"
