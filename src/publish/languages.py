"""The languages a book may be written in: one entry each, holding all that the
project knows of it (how its text is set, the letters it is written in, how its
dates read, its spelling dictionary and whether the book's own pages have words in
it). Every stage asks this table, so a language is added here and in a message
catalog (`locale/<code>/LC_MESSAGES/publish.po`), nowhere else.

What Babel (CLDR) gives for a locale is not repeated here: only what it lacks or
what a book's typography wants beyond it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal


@dataclass(frozen=True)
class QuoteStyle:
    outer: tuple[str, str]
    inner: tuple[str, str]
    single_quotes_open: bool
    """Whether a typed ' before a word opens an inner quote (English) or is always
    an apostrophe (Belarusian, where it marks сям’я)."""
    apostrophe: str = "\u2019"


@dataclass(frozen=True)
class Typography:
    quotes: QuoteStyle
    spaced_em_dash: bool
    """Belarusian sets the em dash apart with spaces, English closes it up."""
    bound_short_words: frozenset[str]
    """One-letter words that must not end a line: they take a no-break space after them."""


@dataclass(frozen=True)
class Script:
    letters: str
    """The lower-case letters of the alphabet: what tells a block of this language
    from one left in another (`sync`), and, in capitals, what may open a sentence."""

    @cached_property
    def capitals(self) -> str:
        return self.letters.upper()

    @cached_property
    def _either_case(self) -> frozenset[str]:
        return frozenset(self.letters + self.capitals)

    def count(self, text: str) -> int:
        """How many characters of `text` are letters of this alphabet."""
        return sum(1 for char in text if char in self._either_case)


MonthContext = Literal["stand-alone", "format"]
"""A context of CLDR's month names."""
STAND_ALONE: MonthContext = "stand-alone"
"""CLDR's context of a month name standing on its own: in these languages the
nominative, which Babel writes in a month and year ("кастрычнік 1988")."""
FORMAT: MonthContext = "format"
"""CLDR's context of a month name in a full date: in these languages the genitive
("25 верасня")."""


@dataclass(frozen=True)
class MonthCase:
    """Where the wide month names of one grammatical case come from: a CLDR context,
    or the twelve names themselves where CLDR has none."""

    cldr: MonthContext | None = None
    names: tuple[str, ...] = ()
    """January first."""


@dataclass(frozen=True)
class DateRules:
    cases: Mapping[str, MonthCase] = field(default_factory=lambda: MappingProxyType({}))
    """The cases the `{date:...}` role accepts for a month date, by option name."""
    year_suffix: str = ""
    """The abbreviation of "year" that follows a year in running text ("1988 г."),
    written after a month and year where CLDR leaves it out."""


@dataclass(frozen=True)
class Language:
    code: str
    """The BCP 47 tag: the folder `manuscript/<code>/`, the editions' `lang` and the
    Babel locale."""
    name: str
    """In English, for messages."""
    typography: Typography
    script: Script
    dates: DateRules
    hunspell: str
    """The Debian hunspell dictionary that checks its spelling (`hunspell -d`)."""
    hunspell_package: str
    """The Debian package of that dictionary."""
    catalog: bool
    """Whether the words of the book's own pages have a message catalog in it;
    English, the catalogs' source language, needs none."""
    minimum_grouping_digits: int = 1
    """Digits before the first group separator may be as few as this plus three:
    CLDR's `minimumGroupingDigits`, which Babel does not apply (Polish 1350 but
    13 500)."""


def _bound(words: str) -> frozenset[str]:
    return frozenset(words + words.upper())


def _cases(locative: tuple[str, ...]) -> Mapping[str, MonthCase]:
    """The cases of a Slavic language whose month names CLDR gives in the nominative
    and the genitive only: the locative ("у кастрычніку") is carried here."""
    return MappingProxyType({"nom": MonthCase(STAND_ALONE), "gen": MonthCase(FORMAT),
                             "loc": MonthCase(names=locative)})


_CYRILLIC_QUOTES = QuoteStyle(("«", "»"), ("„", "“"), single_quotes_open=False)

_ENTRIES = (
    Language(
        "be", "Belarusian",
        Typography(_CYRILLIC_QUOTES, spaced_em_dash=True, bound_short_words=_bound("аізуўо")),
        Script("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
        # The locative singular, in the CLDR spelling of the stems (CLDR writes "май").
        DateRules(_cases(("студзені", "лютым", "сакавіку", "красавіку", "маі", "чэрвені",
                          "ліпені", "жніўні", "верасні", "кастрычніку", "лістападзе",
                          "снежні")),
                  year_suffix="г."),
        hunspell="be_BY", hunspell_package="hunspell-be", catalog=True,
    ),
    Language(
        "en", "English",
        Typography(QuoteStyle(("“", "”"), ("‘", "’"), single_quotes_open=True),
                   spaced_em_dash=False, bound_short_words=frozenset()),
        Script("abcdefghijklmnopqrstuvwxyz"),
        DateRules(),
        hunspell="en_US", hunspell_package="hunspell-en-us", catalog=False,
    ),
    Language(
        "pl", "Polish",
        # „cytat «wewnętrzny» cytat”; the dash (pauza) set apart with spaces; the
        # one-letter conjunctions and prepositions never end a line.
        Typography(QuoteStyle(("„", "”"), ("«", "»"), single_quotes_open=False),
                   spaced_em_dash=True, bound_short_words=_bound("aiouwz")),
        # q, v and x are not Polish letters, but names and loanwords bring them.
        Script("aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"),
        DateRules(_cases(("styczniu", "lutym", "marcu", "kwietniu", "maju", "czerwcu",
                          "lipcu", "sierpniu", "wrześniu", "październiku", "listopadzie",
                          "grudniu"))),
        hunspell="pl_PL", hunspell_package="hunspell-pl", catalog=True,
        minimum_grouping_digits=2,
    ),
    Language(
        "uk", "Ukrainian",
        Typography(_CYRILLIC_QUOTES, spaced_em_dash=True, bound_short_words=_bound("авзійоу")),
        Script("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
        # CLDR writes "р." after a month and year itself ("жовтень 1988 р.").
        DateRules(_cases(("січні", "лютому", "березні", "квітні", "травні", "червні",
                          "липні", "серпні", "вересні", "жовтні", "листопаді", "грудні")),
                  year_suffix="р."),
        hunspell="uk_UA", hunspell_package="hunspell-uk", catalog=True,
    ),
)

LANGUAGES: Mapping[str, Language] = MappingProxyType({entry.code: entry for entry in _ENTRIES})
"""Every language a book may be written in, by code, in the order of their codes."""

_QUOTES = [language.typography.quotes for language in LANGUAGES.values()]
OPENING_QUOTES = "".join(dict.fromkeys(mark for style in _QUOTES
                                       for mark in (style.outer[0], style.inner[0])))
"""The opening quotation marks of every language."""
CLOSING_QUOTES = "".join(dict.fromkeys(mark for style in _QUOTES
                                       for mark in (style.outer[1], style.inner[1])))
"""The closing quotation marks of every language."""
