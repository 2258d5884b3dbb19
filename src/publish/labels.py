"""Words the book's own pages need (headings of generated pages, imprint lines,
landmarks), translated through Babel message catalogs: `locale/<lang>/LC_MESSAGES/
publish.po` for each language the registry says has one, compiled by Babel when
first needed. English is the source language of the catalogs, so it needs none."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from publish.languages import LANGUAGES
from publish.model import Labels

LOCALE = Path(__file__).parent / "locale"
SUMMARY = ("A book of text with headings, a table of contents, notes linked both ways and "
           "the page numbers of the print edition. It relies on no color, sound or moving "
           "image, and has no known hazards.")


@cache
def labels(lang: str) -> Labels:
    _ = _translations(lang).gettext
    return Labels(
        contents=_("Contents"), chronology=_("Chronology"),
        information_as_of=_("The information in this book runs to {date}"),
        cover=_("Cover"), start=_("Start of the text"), guide=_("Guide"), pages=_("Pages"),
        notes=_("Notes"),
        accessibility_summary=_(SUMMARY),
        note_link=_("Note {number}"), back_link=_("Back to the text"),
        chapter_link=_("Chapter: {title}"), event_link=_("In the text: {date}"),
        index=_("Index"), index_link=_("In the text: {term}"),
        translation=_("Translated by {names}"), editing=_("Edited by {names}"),
        illustration=_("Illustrated by {names}"),
    )


def catalog_file(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "publish.po"


def _translations(lang: str) -> NullTranslations:
    if not LANGUAGES[lang].catalog:
        return NullTranslations()
    with catalog_file(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)
