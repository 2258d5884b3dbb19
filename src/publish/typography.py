"""Locale typography on running text: quotes, apostrophes, dashes, ellipses and
no-break spaces.

Text arrives as the run of strings that make up one paragraph (its own text and
the text between inline elements), so that a quote opened before an emphasis and
closed after it still pairs up.
"""

from __future__ import annotations

import re

from publish.languages import LANGUAGES, OPENING_QUOTES, QuoteStyle, Typography

NBSP = "\u00a0"
OPENING_CONTEXT = set(" \t\n\u00a0([{—–-/" + OPENING_QUOTES)
"""What stands before a typed quotation mark that opens a quote."""


def apply(runs: list[str], lang: str) -> list[str]:
    """Return `runs` with the typography of `lang`; each run keeps its place."""
    rules = LANGUAGES[lang].typography
    runs = [_dashes_and_ellipses(run, rules) for run in runs]
    lengths = [len(run) for run in runs]
    chars = list("".join(runs))
    _educate_quotes(chars, rules.quotes)
    _bind(chars, rules)
    joined = "".join(chars)
    result, start = [], 0
    for length in lengths:
        result.append(joined[start:start + length])
        start += length
    return result


def keep_inside(runs: list[str], opens: list[bool]) -> list[str]:
    """Move a no-break space that ends a run into the inline element that follows it
    (`opens[i]`: run `i` is the first text of an element): "у<time> кастрычніку".

    A no-break space directly before an inline element leaves the line breaker of
    the PDF layout (WeasyPrint) without a break it can take, and it then breaks
    words apart instead, leaving a lone fragment on a line. The same space at the
    start of the element binds the same two words and breaks nothing.
    """
    runs = list(runs)
    for i in range(len(runs) - 1):
        if opens[i + 1] and runs[i].endswith(NBSP):
            runs[i], runs[i + 1] = runs[i][:-1], NBSP + runs[i + 1]
    return runs


def bind_after_number(tail: str) -> str:
    """A number and the word it counts stay on one line: '1 052 days'."""
    return re.sub(r"^ (?=\w)", NBSP, tail)


def _dashes_and_ellipses(run: str, rules: Typography) -> str:
    run = run.replace("---", "—").replace("--", "–").replace("...", "…")
    if rules.spaced_em_dash:
        return re.sub(r"(?<=\w)—(?=\w)", " — ", run)
    return re.sub(r"[ \u00a0]*—[ \u00a0]*", "—", run)


def _educate_quotes(chars: list[str], style: QuoteStyle) -> None:
    depth = 0
    opening_marks = {style.outer[0], style.inner[0]}
    closing_marks = {style.outer[1], style.inner[1]} - opening_marks
    for i, char in enumerate(chars):
        before = chars[i - 1] if i else " "
        if char == '"':
            if before in OPENING_CONTEXT:
                chars[i] = (style.outer if depth == 0 else style.inner)[0]
                depth += 1
            else:
                depth = max(depth - 1, 0)
                chars[i] = (style.outer if depth == 0 else style.inner)[1]
        elif char == "'":
            chars[i] = _single_quote(before, "".join(chars[i + 1:i + 4]), style)
        elif char in opening_marks:
            depth += 1
        elif char in closing_marks:
            depth = max(depth - 1, 0)


def _single_quote(before: str, ahead: str, style: QuoteStyle) -> str:
    opens = (style.single_quotes_open and before in OPENING_CONTEXT
             and not re.match(r"\d\ds\b", ahead))  # '80s is an elision, not a quote
    return style.inner[0] if opens else style.apostrophe


def _bind(chars: list[str], rules: Typography) -> None:
    """No-break spaces that keep a word with its neighbour; they replace a space
    one for one, so the runs keep their lengths."""
    text = "".join(chars)
    if rules.spaced_em_dash:
        for match in re.finditer(r"(?<=\S)( )—", text):
            chars[match.start(1)] = NBSP
    if rules.bound_short_words:
        letters = "".join(sorted(rules.bound_short_words))
        for match in re.finditer(rf"(?<![\w’'-])[{letters}]( )(?=\S)", text):
            chars[match.start(1)] = NBSP

