"""Markup to model: render each chapter of each language and gather the books.

The source language is rendered first: each translation's blocks are paired with
its blocks, and take the ids of their units (`publish.pairing`), which keep to
what translators confirmed in the sync record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from babel.dates import format_date

from publish import isbn
from publish.config import SharedConfig
from publish.diagnostics import Collector
from publish.labels import labels
from publish.load import LanguageSource, Manuscript, SourceFile
from publish.markup import PairBlocks, Rendered, render_chapter
from publish.model import Book, Chapter, Contributor, Event, Section
from publish.pairing import name_source, name_target
from publish.sync.record import RECORD, load_record

Renderings = list[tuple[SourceFile, Rendered]]


def assemble_books(manuscript: Manuscript, renderings: dict[str, Renderings],
                   diagnostics: Collector) -> list[Book]:
    """The book in each language of `renderings`."""
    return [_book(manuscript, lang, rendered, diagnostics)
            for lang, rendered in renderings.items()]


def render_books(manuscript: Manuscript, langs: list[str],
                 classes: frozenset[str] = frozenset()) -> dict[str, Renderings]:
    """The chapters of each of `langs` rendered, their blocks paired with the source
    language's and named by their pairs; `classes` are those the text may give in
    attribute lists."""
    config = manuscript.config
    record = load_record(manuscript.folder / RECORD, config.source_language,
                         [lang for lang in config.languages if lang != config.source_language])
    original = manuscript.languages[config.source_language]
    sources = _render(manuscript, original, classes, lambda chapter: lambda blocks:
                      name_source(blocks, record.known(chapter)))
    blocks = {chapter.path.stem: rendered.blocks for chapter, rendered in sources}
    return {lang: sources if lang == original.lang else _render(
        manuscript, manuscript.languages[lang], classes, lambda chapter: lambda own:
        name_target(blocks.get(chapter, []), own, record.known(chapter)))
        for lang in langs}


def assemble_book(manuscript: Manuscript, lang: str, diagnostics: Collector,
                  classes: frozenset[str] = frozenset()) -> Book:
    """The book in `lang` alone."""
    return assemble_books(manuscript, render_books(manuscript, [lang], classes),
                          diagnostics)[0]


def _render(manuscript: Manuscript, source: LanguageSource, classes: frozenset[str],
            pair: Callable[[str], PairBlocks]) -> Renderings:
    """Each chapter rendered, its blocks named by `pair` of the chapter's name."""
    return [(chapter_file, render_chapter(chapter_file.text, source.lang, chapter_file.path,
                                          manuscript.folder, source.names, classes,
                                          pair(chapter_file.path.stem)))
            for chapter_file in source.chapters]


def _book(manuscript: Manuscript, lang: str, renderings: Renderings,
          diagnostics: Collector) -> Book:
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
        chapters=_chapters(renderings, shared, diagnostics),
        labels=labels(lang),
        print=shared.print,
        isbn={fmt: isbn.hyphenated(value) for fmt in ("epub", "pdf")
              if (value := getattr(source.config.isbn, fmt)) is not None},
    )


def _own(language: str | None, shared: str) -> str:
    """The language's own value where its configuration gives one."""
    return shared if language is None else language


def _chapters(renderings: Renderings, config: SharedConfig,
              diagnostics: Collector) -> list[Chapter]:
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
        matter, kind = config.division(chapter_file.path.stem)
        chapters.append(Chapter(
            id=title.id,
            source=chapter_file.path,
            title=title.text,
            body=rendered.html,
            sections=[Section(h.level, h.id, h.text) for h in rendered.headings[1:]],
            images=rendered.images,
            events=[Event(e.date, e.sentence, e.anchor) for e in rendered.events],
            blocks=rendered.blocks,
            notes=rendered.notes,
            index_terms=rendered.index_terms,
            matter=matter,
            kind=kind,
        ))
    return chapters
