"""The typesetting report: what a typographer counts on the laid-out pages, from the
line boxes of the layout (not from text extracted afterwards), and the mending of the
paragraphs that fail it.

A line is what the layout made of it: the text of its pieces, where each piece of a
date or number belongs to that unit, how far its word spaces were stretched, and
which page and paragraph it is on. The figures are per edition; the targets are what
a book set by hand reaches, and the build mends the paragraphs that miss them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

HYPHENS = ("-", "\u2010", "\u00ad")
"""What a line broken inside a word ends with: the hyphenate character of the
stylesheets, the Unicode hyphen, or a soft hyphen."""
LOOSE = 1.5
"""A line is loose when its word spaces are stretched past 150 % of their width."""
GAPING = 3.0
"""... and gapes past three times their width: no justification leaves that."""
TIGHT = 0.8
"""A line is tight when its word spaces are squeezed below 80 % of their width."""
NUMBER = re.compile(r"\d[\d.,]*\.?$")
WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    """A run of text on one line, from one element."""

    text: str
    unit: int | None = None
    """Which date or number (`<time>`, `<data>`) the text belongs to, if any: the
    same value for every piece of one unit, whatever line it is on."""
    number: bool = False
    """Whether that unit is a number (`<data>`), whose word must follow it."""
    call: int | None = None
    """Which note the text calls, if it is a note's call."""


@dataclass(frozen=True)
class Line:
    page: int
    """The page, counting from 0; even pages are rectos."""
    paragraph: int
    """Which paragraph (or note, heading, item) the line is part of, in document order."""
    block: str | None
    """The paragraph's key in the document, by which it can be mended, if it has one."""
    pieces: tuple[Piece, ...]
    stretch: float
    """Word spaces as a multiple of their natural width; 1.0 where not stretched."""
    running: bool
    """Whether the line is running text (not a heading) that the book's stylesheet
    lets the layout hyphenate: the lines the figures count."""
    indent: str = "0"
    """The paragraph's first-line indent, as CSS, to set a copy of it alike."""
    note: int | None = None
    """Which note the line is part of, if it is in a note at the foot of a page."""

    @property
    def flow(self) -> bool:
        """Whether the line is in the main flow of its page, not in a note."""
        return self.note is None

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces).strip()

    @property
    def hyphenated(self) -> bool:
        return self.text.endswith(HYPHENS)


@dataclass(frozen=True)
class Report:
    lines: int
    """Lines of text in which the layout may hyphenate: the lines the figures count."""
    hyphenated: int
    runs: int
    """Runs of three or more hyphenated lines in a row."""
    fragments: int
    """Lines holding nothing but part of a word."""
    split_units: int
    """A day and its month, a number and its word, a year and 'г.' broken over lines."""
    page_final: int
    """Pages whose last line of text ends inside a word."""
    recto_final: int
    """... of them, rectos: the word is split across the page turn."""
    paragraph_final: int
    """Paragraphs whose last line is the end of a broken word."""
    gaps: int
    """Lines of a paragraph broken off short: a whole word alone, or word spaces
    stretched past `GAPING` times their width."""
    loose: int
    """Lines whose word spaces are stretched past `LOOSE` times their width."""
    tight: int
    """Lines whose word spaces are squeezed below `TIGHT` times their width."""
    notes_away: int = 0
    """Notes that do not begin on the page of their call."""
    offenders: dict[str, list[str]] = field(default_factory=dict)
    """Per paragraph key, what is wrong with it, for mending."""

    @property
    def hyphenated_share(self) -> float:
        return self.hyphenated / self.lines if self.lines else 0.0

    @property
    def loose_share(self) -> float:
        return self.loose / self.lines if self.lines else 0.0

    def summary(self) -> str:
        return (f"{self.lines} lines, {self.hyphenated_share:.1%} hyphenated, "
                f"{self.runs} runs of 3+, {self.fragments} lone fragments, "
                f"{self.split_units} split units, {self.recto_final} recto-final hyphens "
                f"({self.page_final} page-final), {self.paragraph_final} paragraph-final "
                f"fragments, {self.gaps} gaps, {self.notes_away} notes off their page, "
                f"{self.loose_share:.1%} loose, {self.tight} tight")


@dataclass(frozen=True)
class Targets:
    """The figures an edition must reach."""

    hyphenated: float
    """The largest share of hyphenated lines."""
    loose: float = 0.02
    runs: int = 0
    fragments: int = 0
    split_units: int = 0
    recto_final: int = 0
    paragraph_final: int = 0
    gaps: int = 0
    notes_away: int = 0

    def missed(self, report: Report) -> list[str]:
        """What the report misses, as sentences; empty when it reaches every target."""
        missed = []
        if report.hyphenated_share > self.hyphenated:
            missed.append(f"{report.hyphenated_share:.1%} of lines hyphenated "
                          f"(at most {self.hyphenated:.0%})")
        if report.loose_share > self.loose:
            missed.append(f"{report.loose_share:.1%} of lines loose (at most {self.loose:.0%})")
        for name in ("runs", "fragments", "split_units", "recto_final", "paragraph_final",
                     "gaps", "notes_away"):
            if getattr(report, name) > getattr(self, name):
                missed.append(f"{getattr(report, name)} {name.replace('_', ' ')}")
        return missed


def report(lines: list[Line]) -> Report:
    """Count what a typographer would on `lines`, in the order the layout made them."""
    counted = [line for line in lines if line.running]
    offenders: dict[str, list[str]] = {}

    def offend(line: Line, problem: str) -> None:
        if line.block is not None:
            offenders.setdefault(line.block, []).append(problem)

    runs = fragments = split = paragraph_final = gaps = 0
    for paragraph in _paragraphs(counted):
        run: list[Line] = []
        for number, line in enumerate(paragraph):
            previous = paragraph[number - 1] if number else None
            last = number == len(paragraph) - 1
            if line.hyphenated and not last:
                run.append(line)
            else:
                if len(run) >= 3:
                    runs += 1
                    offend(run[0], "run")
                run = []
            lone = len(line.text.split()) == 1 and len(paragraph) > 1
            broken = previous is not None and previous.hyphenated
            if lone and last and broken:
                paragraph_final += 1
                offend(line, "paragraph-final")
            elif lone and not last and (line.hyphenated or broken):
                fragments += 1
                offend(line, "fragment")
            elif not last and (lone or line.stretch > GAPING):
                gaps += 1
                offend(line, "gap")
            if previous is not None and _splits_unit(previous, line):
                split += 1
                offend(line, "split-unit")
    page_final = recto_final = 0
    for final in _page_final_lines(lines):
        if final.hyphenated:
            page_final += 1
            if final.page % 2 == 0:
                recto_final += 1
                offend(final, "recto-final")
    hyphenated = sum(1 for line in counted if line.hyphenated)
    loose = [line for line in counted if line.stretch > LOOSE]
    for line in loose:
        offend(line, "loose")
    tight = sum(1 for line in counted if line.stretch < TIGHT)
    return Report(len(counted), hyphenated, runs, fragments, split, page_final,
                  recto_final, paragraph_final, gaps, len(loose), tight,
                  _notes_away(lines, offend), offenders)


def _notes_away(lines: list[Line], offend: Callable[[Line, str], None]) -> int:
    """Calls whose note does not begin on their page."""
    begins: dict[int, int] = {}
    for line in lines:
        if line.note is not None:
            begins.setdefault(line.note, line.page)
    away = 0
    for line in lines:
        for piece in line.pieces:
            if piece.call is not None and begins.get(piece.call, line.page) != line.page:
                away += 1
                offend(line, "note-away")
    return away


def _paragraphs(lines: list[Line]) -> Iterator[list[Line]]:
    current: list[Line] = []
    for line in lines:
        if current and line.paragraph != current[-1].paragraph:
            yield current
            current = []
        current.append(line)
    if current:
        yield current


def _page_final_lines(lines: list[Line]) -> Iterator[Line]:
    """The last line of the main flow of each page that has one."""
    final: dict[int, Line] = {}
    for line in lines:
        if line.flow:
            final[line.page] = line
    yield from final.values()


def _splits_unit(before: Line, after: Line) -> bool:
    """Whether the break between two lines of a paragraph falls inside a unit that
    must stay on one line: a day and its month ("8 / снежня", "December / 8"), a year
    and its "г.", a number and the word it counts. A month may leave its year."""
    end, start = before.pieces[-1], after.pieces[0]
    last_word = (before.text.split() or [""])[-1]
    first_word = (after.text.split() or [""])[0]
    if end.unit is None:
        return False
    if end.unit == start.unit:
        if end.number:
            return True
        if NUMBER.match(last_word) and not last_word.endswith(","):
            return bool(WORD.match(first_word)) and not first_word[:1].isdigit()
        return bool(re.fullmatch(r"\d{1,2}\D?", first_word))
    return end.number and bool(WORD.match(first_word)) and not first_word[:1].isdigit()


VARIANTS = (
    "letter-spacing: -0.01em",
    "letter-spacing: 0.01em",
    "word-spacing: -0.03em",
    "letter-spacing: -0.015em; word-spacing: 0.01em",
    "letter-spacing: 0.015em",
    "word-spacing: -0.03em; letter-spacing: 0.01em",
    "hyphenate-limit-zone: 0",
    "hyphens: manual",
    "letter-spacing: 0.025em",
)
"""What a typesetter changes in a paragraph to move its breaks: a little tracking,
tighter word spaces (never below `TIGHT` of their width, letters tracked in too),
hyphenation allowed wherever it helps, or none at all; the ones that most often mend
a paragraph first."""
FIRST = 3
"""How many of the variants a paragraph is first tried in; the others only where
none of those mends it, as every copy on trial costs a paragraph's layout."""
FAULTS = {"run", "fragment", "paragraph-final", "split-unit", "recto-final", "gap",
          "note-away"}
"""What the build mends; loose lines and the share of hyphens are only reported, as a
paragraph mended for them would often only trade one for the other."""
ROUNDS = 2
"""How many times the build mends: the first round moves some page breaks, and the
second mends the words those leave split across a turn."""
TRIAL = "~"
"""Joins a paragraph's key and the number of a trial copy of it."""
FAULT = 100
"""The badness of a fault no reader should meet (a lone fragment, a split unit ...),
against 1 for each hyphen and 3 for each loose line."""

Document = Callable[[dict[str, str], dict[str, list[str]]], str]
"""The document to lay out, given the mends (paragraph key -> CSS declarations) and
the trials (paragraph key -> the declarations of each copy to lay out after it)."""


class Mender:
    """Mends the paragraphs the report finds fault with, as a typesetter would:
    each is laid out with the variants, as copies beside it, and keeps the variant
    it reads best in; then the document is laid out again with those."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.rounds = ROUNDS
        self.mends: dict[str, str] = {}
        self.trials: dict[str, list[str]] = {}
        """The copies on trial: per paragraph, the declarations of each."""
        self.tried: dict[str, list[str]] = {}
        """... the variant each of those copies is set in."""
        self.untried: dict[str, list[str]] = {}
        """Per paragraph on trial, the variants it has yet to be tried in."""
        self.best: dict[str, tuple[float, str]] = {}
        """... and the best variant it has been tried in, with its badness."""
        self.indents: dict[str, str] = {}
        self.turns: dict[str, int] = {}
        """Per paragraph whose line ends a recto inside a word, which of its lines."""
        self.lengths: dict[str, int] = {}
        """Per paragraph that must change length to move a page break, its length."""
        self.instead_of: dict[str, str] = {}
        """... and the paragraph it changes length for, if that cannot mend itself."""

    @property
    def settled(self) -> bool:
        """Whether its mends are final: every round done and no trial waiting."""
        return not self.rounds and not self.trials

    def revise(self, lines: list[Line]) -> str | None:
        """The next document to lay out after `lines`, or None when done."""
        by_block: dict[str, list[Line]] = {}
        for line in lines:
            if line.block is not None:
                by_block.setdefault(line.block, []).append(line)
        if self.trials:
            self._weigh(by_block)
            if self._try({key: variants for key, variants in self.untried.items()
                          if self._faulty(key)}):
                return self.document(self.mends, self.trials)
            self._choose()
            return self.document(self.mends, {})
        finals = [final for final in _page_final_lines(lines)
                  if final.page % 2 == 0 and final.hyphenated]
        faulty = {key: problems for key, problems in report(lines).offenders.items()
                  if FAULTS & set(problems)}
        if not faulty or not self.rounds:
            return None
        self.rounds -= 1
        order = [key for key, own in by_block.items() if own[0].flow]
        for key, problems in list(faulty.items()):
            if "recto-final" in problems and key in order[1:]:
                # Where no variant of it ends that line with a whole word, the page
                # must break after another of its lines: the paragraph before it
                # changes length instead.
                before = order[order.index(key) - 1]
                self.lengths[before] = len(by_block[before])
                self.instead_of[before] = key
                faulty.setdefault(before, [])
        for key, problems in faulty.items():
            own = by_block[key]
            if "note-away" in problems:
                # A paragraph of another length moves the page's end, and the call
                # with it, on or off the page where its note fits.
                self.lengths[key] = len(own)
            if "recto-final" in problems:
                self.turns[key] = next(n for n, line in enumerate(own)
                                       if any(line is final for final in finals))
            # The paragraph as it stands is the first copy: on trial it loses its
            # neighbours, and with them the indent its place gives it.
            self.indents[key] = own[0].indent
            self.untried[key] = [self.mends.get(key, ""), *VARIANTS]
        self._try({key: variants[:1 + FIRST] for key, variants in self.untried.items()})
        return self.document(self.mends, self.trials)

    def _try(self, variants: dict[str, list[str]]) -> bool:
        """Put each paragraph on trial in `variants`; whether there is any."""
        self.tried = {key: own for key, own in variants.items() if own}
        self.trials = {key: [f"{variant}; text-indent: {self.indents[key]}" for variant in own]
                       for key, own in self.tried.items()}
        for key, own in self.tried.items():
            self.untried[key] = self.untried[key][len(own):]
        return bool(self.trials)

    def _weigh(self, by_block: dict[str, list[Line]]) -> None:
        for key, variants in self.tried.items():
            for number, variant in enumerate(variants):
                badness = self._badness(key, by_block.get(f"{key}{TRIAL}{number}", []))
                if key not in self.best or badness < self.best[key][0]:
                    self.best[key] = (badness, variant)

    def _faulty(self, key: str) -> bool:
        """Whether no variant tried mends the paragraph, nor the one it changes length
        for."""
        return all(self.best.get(own, (FAULT, ""))[0] >= FAULT
                   for own in (key, self.instead_of.get(key, key)))

    def _choose(self) -> None:
        for key, (_, variant) in self.best.items():
            if self.best.get(self.instead_of.get(key, ""), (FAULT, ""))[0] < FAULT:
                continue
            if variant:
                self.mends[key] = variant
        for state in (self.trials, self.tried, self.untried, self.best, self.lengths,
                      self.instead_of):
            state.clear()

    def _badness(self, key: str, lines: list[Line]) -> float:
        if not lines:
            return float("inf")
        # A copy's page is not the paragraph's: what the report says of pages is not
        # weighed here.
        found = report(lines)
        faults = (found.runs + found.fragments + found.paragraph_final + found.split_units
                  + found.gaps)
        # The page turns after the same line of the paragraph when what comes before
        # it stays as it is: that line must end with a whole word.
        turn = self.turns.get(key)
        if turn is not None and turn < len(lines) and lines[turn].hyphenated:
            faults += 1
        if len(lines) == self.lengths.get(key):
            faults += 1
        return (FAULT * faults + found.hyphenated + 3 * (found.loose + found.tight)
                + sum(max(0.0, line.stretch - LOOSE) for line in lines))
