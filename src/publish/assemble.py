"""Markup to model: render each chapter of one language and gather the book."""

from __future__ import annotations

from collections import Counter

from babel.dates import format_date

from publish.diagnostics import Collector
from publish.labels import labels
from publish.load import LanguageSource, Manuscript
from publish.markup import render_chapter
from publish.model import Book, Chapter, Contributor, Event, Section


def assemble_book(manuscript: Manuscript, lang: str, diagnostics: Collector,
                  classes: frozenset[str] = frozenset()) -> Book:
    """The book in `lang`; `classes` are those the text may give in attribute lists."""
    source = manuscript.languages[lang]
    shared = manuscript.config
    return Book(
        id=shared.id,
        lang=lang,
        title=source.config.title,
        subtitle=source.config.subtitle,
        description=source.config.description,
        keywords=source.config.keywords,
        contributors=[Contributor(c.name, c.role) for c in source.config.contributors],
        publisher=_own(source.config.publisher, shared.publisher),
        rights=_own(source.config.rights, shared.rights),
        published=shared.published,
        published_text=format_date(shared.published, "long", locale=lang),
        information_as_of=(format_date(shared.information_as_of, "long", locale=lang)
                           if shared.information_as_of else None),
        chapters=_chapters(manuscript, source, diagnostics, classes),
        labels=labels(lang),
        print=shared.print,
        isbn={fmt: value for fmt in ("epub", "pdf")
              if (value := getattr(source.config.isbn, fmt)) is not None},
    )


def _own(language: str | None, shared: str) -> str:
    """The language's own value where its configuration gives one."""
    return shared if language is None else language


def _chapters(manuscript: Manuscript, source: LanguageSource,
              diagnostics: Collector, classes: frozenset[str]) -> list[Chapter]:
    renderings = [(chapter_file, render_chapter(chapter_file.text, source.lang,
                                                chapter_file.path, manuscript.folder,
                                                source.names, classes))
                  for chapter_file in source.chapters]
    # A link may lead to an id of another chapter (its notes' ids are unique too).
    book_ids = {i for _, rendered in renderings for i in rendered.ids}
    # Headings' ids are told apart by the loader; an id an attribute list gives must
    # differ from theirs and from every other given.
    given = Counter([*(h.id for _, r in renderings for h in r.headings),
                     *(i for _, r in renderings for i, _ in r.given_ids)])
    chapters = []
    for chapter_file, rendered in renderings:
        unresolved = [f for f in rendered.outward if f.needle.removeprefix("#") not in book_ids]
        shared = [f for i, f in rendered.given_ids if given[i] > 1]
        for finding in [*rendered.findings, *unresolved, *shared]:
            diagnostics.error(chapter_file.path,
                              finding.line or chapter_file.line_of(finding.needle, finding.nth),
                              finding.code, finding.message)
        if not rendered.headings or rendered.headings[0].level != 1:
            continue  # reported by the loader
        title = rendered.headings[0]
        chapters.append(Chapter(
            id=title.id,
            source=chapter_file.path,
            title=title.text,
            body=rendered.html,
            sections=[Section(h.level, h.id, h.text) for h in rendered.headings[1:]],
            images=rendered.images,
            events=[Event(e.date, e.sentence, e.anchor) for e in rendered.events],
            notes=rendered.notes,
        ))
    return chapters
