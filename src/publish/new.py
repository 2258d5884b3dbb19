"""`publish new`: a book to start from, in every language asked for, which `publish
build`, `publish sync` and `publish check` accept as it stands.

The book is written into a hidden folder and moved into its place only when it is
whole, so that a failure leaves no half-made book."""

from __future__ import annotations

import datetime
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from publish.build import STYLESHEETS
from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.sync.session import open_session


@dataclass(frozen=True)
class Starter:
    """The words of a new book in one language, each sentence its own, as a writer of
    that language would put it."""

    title: str
    description: str
    keyword: str
    author: str
    chapter: str
    """The first chapter's title."""
    text: str
    """Its paragraph: `{date}` and `{num}` stand where the roles go."""
    note: str


STARTERS = {
    "be": Starter(
        title="Новая кніга", description="Пра што гэтая кніга, у адным ці двух сказах.",
        keyword="кніга", author="Аўтар", chapter="Першы раздзел",
        text="Тут пачынаецца першы раздзел. Кнігу пачалі {date}, і пакуль у ёй {num} "
             "раздзел.",
        note="Заўвага: яе нумар вядзе назад да тэксту."),
    "en": Starter(
        title="A New Book", description="What this book is about, in a sentence or two.",
        keyword="book", author="The Author", chapter="The First Chapter",
        text="The first chapter begins here. The book was begun on {date} and has {num} "
             "chapter so far.",
        note="A note: its number leads back to the text."),
    "pl": Starter(
        title="Nowa książka", description="O czym jest ta książka, w jednym lub dwóch "
        "zdaniach.", keyword="książka", author="Autor", chapter="Pierwszy rozdział",
        text="Tu zaczyna się pierwszy rozdział. Książkę zaczęto {date} i na razie ma {num} "
             "rozdział.",
        note="Przypis: jego numer prowadzi z powrotem do tekstu."),
    "uk": Starter(
        title="Нова книжка", description="Про що ця книжка, в одному чи двох реченнях.",
        keyword="книжка", author="Автор", chapter="Перший розділ",
        text="Тут починається перший розділ. Книжку почали {date}, і поки що в ній {num} "
             "розділ.",
        note="Примітка: її номер веде назад до тексту."),
}

CHAPTER = "01-first"


def create(folder: Path, languages: list[str], source: str,
           today: datetime.date) -> list[Path]:
    """Write a new book into `folder`, which must be empty or not exist; return the
    files written, under `folder`."""
    _check(folder, languages, source)
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    # Staged inside the folder, which may be the working one (`publish new .`) and is
    # then kept: the book's two folders are moved into place once it is whole.
    staging = Path(tempfile.mkdtemp(prefix=".publish-new-", dir=folder))
    try:
        _write(staging, folder.name, languages, source, today)
        written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        for part in sorted(staging.iterdir()):
            part.rename(folder / part.name)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return [folder / path for path in written]


def _check(folder: Path, languages: list[str], source: str) -> None:
    problems = []
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        problems.append(Diagnostic(folder, None, Code.OUTPUT,
                                   "is not an empty folder: a new book is written only into "
                                   "a new or empty one"))
    for lang in dict.fromkeys([*languages, source]):
        if lang not in STARTERS:
            problems.append(Diagnostic(Path("--languages"), None, Code.UNKNOWN_LANGUAGE,
                                       f"{lang!r} is not a language publish writes "
                                       f"(known: {', '.join(STARTERS)})"))
    if source not in languages:
        problems.append(Diagnostic(Path("--source"), None, Code.UNKNOWN_LANGUAGE,
                                   f"{source!r} is not one of the languages asked for "
                                   f"({', '.join(languages)})"))
    if problems:
        raise BuildFailed(problems)


def _write(root: Path, name: str, languages: list[str], source: str,
           today: datetime.date) -> None:
    # An id is what a file name of every edition can be; a name of other letters
    # (Дзённік) leaves none, and the book is then "book" until book.toml says more.
    book_id = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not re.search(r"[a-z]", book_id):
        book_id = "book"
    manuscript = root / "manuscript"
    manuscript.mkdir()
    (manuscript / "book.toml").write_text(_shared(book_id, languages, source, today),
                                          encoding="utf-8")
    for lang in languages:
        starter = STARTERS[lang]
        (manuscript / lang).mkdir()
        (manuscript / lang / "book.toml").write_text(_language(starter), encoding="utf-8")
        (manuscript / lang / f"{CHAPTER}.md").write_text(_chapter(starter, today),
                                                         encoding="utf-8")
    (root / "styles").mkdir()
    styles = files("publish") / "styles"
    for sheet in STYLESHEETS:
        (root / "styles" / sheet).write_bytes((styles / sheet).read_bytes())
    # The translations say what the source says: every pair is confirmed from the
    # start, by what `publish sync accept --all` does.
    open_session(manuscript).accept([])


def _shared(book_id: str, languages: list[str], source: str, today: datetime.date) -> str:
    quoted = ", ".join(f'"{lang}"' for lang in languages)
    return f"""\
# What every edition shares. What differs by language is in <lang>/book.toml.
id = "{book_id}"                  # the editions' file names: build/<lang>/{book_id}.epub
languages = [{quoted}]
source-language = "{source}"      # the language the others are translated from
published = {today.isoformat()}
publisher = "The Publisher"
rights = "© {today.year} The Author. All rights reserved."

[print]
trim-width = 148             # the trimmed page, in millimetres (A5)
trim-height = 210
font = "PT Serif"
"""


def _language(starter: Starter) -> str:
    return f"""\
title = "{starter.title}"
description = "{starter.description}"
keywords = ["{starter.keyword}"]

[[contributors]]
name = "{starter.author}"
role = "aut"
"""


def _chapter(starter: Starter, today: datetime.date) -> str:
    text = starter.text.format(date=f"{{date}}`{today.isoformat()}`", num="{num}`1`")
    return f"# {starter.chapter} {{#first}}\n\n{text}[^first]\n\n[^first]: {starter.note}\n"
