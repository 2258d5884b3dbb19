"""Generated manuscripts: whatever an author or an attacker writes, the build either
makes editions that EPUBCheck accepts or says what is wrong, one
`path:line: code: message` a line; never a traceback, never a partial file, never a
request to the network.

Hypothesis writes the second chapter of the minimal book in English from headings,
roles, notes, attribute lists, links, images, lists, quotes, tables, passages in
another language and random bytes. The examples are derived from the test's name
(`derandomize`), so a run in CI tries the same manuscripts as a run here.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publish import cli
from tests.conftest import BOOKS, Canary, copy_book, epubcheck_counts, output_files

LINE = re.compile(r"^[^:\s][^:]*(:\d+)?: [a-z-]+: .+$")
ACTIVE = re.compile(rb"<script|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
"""What an e-book must not carry: scripts, event handlers, script links."""
CHECKED = 4
"""How many of the books that build EPUBCheck reads: it takes seconds each."""


def _words() -> st.SearchStrategy[str]:
    plain = st.sampled_from(["Ales", "Vasna", "prison", "1962", "Мінск", "сям’я", "don't",
                             "word---word", "\"quoted\"", "a", "і", "25", "--", "*", "_"])
    odd = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=6)
    return st.lists(st.one_of(plain, plain, plain, odd), min_size=1, max_size=8).map(" ".join)


def _inline(canary: str) -> st.SearchStrategy[str]:
    words = _words()
    urls = st.sampled_from([f"{canary}/page", "#second", "#first", "mailto:a@example.org",
                            "javascript:alert(1)", "file:///etc/passwd", "data:text/html,x",
                            "//example.org/x", "missing.md"])
    images = st.sampled_from([f"{canary}/i.png", "missing.png", "../../etc/x.png",
                              "file:///etc/x.png"])
    attributes = st.sampled_from(["{onclick=alert(1)}", "{.note}", "{#extra}", "{lang=be}",
                                  "{lang=fr}", "{style=color:red}", f"{{srcset={canary}/s}}",
                                  "{lang=}", "{#second}"])
    roles = st.tuples(st.sampled_from(["date", "date:gen", "date:loc,event", "num", "nope",
                                       "date:long"]),
                      st.sampled_from(["1962-09-25", "1988-10", "1991/1996", "2022-02-30",
                                       "1350", "3.14", "9" * 30, "", "`", "x"]))
    return st.one_of(
        words,
        words.map(lambda w: f"*{w}*"),
        words.map(lambda w: f"**{w}**"),
        st.tuples(words, urls).map(lambda p: f"[{p[0]}]({p[1]})"),
        st.tuples(words, images).map(lambda p: f"![{p[0]}]({p[1]})"),
        st.tuples(words, attributes).map(lambda p: f"[{p[0]}]{p[1]}"),
        roles.map(lambda r: f"{{{r[0]}}}`{r[1]}`"),
        st.sampled_from(["[^a]", "[^b]", "[^missing]", "{num}`12", "<b>raw</b>", "`code`"]),
    )


def _paragraph(canary: str) -> st.SearchStrategy[str]:
    return st.lists(_inline(canary), min_size=1, max_size=6).map(" ".join)


def _block(canary: str) -> st.SearchStrategy[str]:
    paragraph = _paragraph(canary)
    ids = st.sampled_from(["{#born}", "{#second}", "{#1digit}", "{#contents}", "", "{#a b}"])
    return st.one_of(
        paragraph,
        st.tuples(st.sampled_from(["##", "###", "#", "####"]), _words(), ids)
        .map(lambda h: f"{h[0]} {h[1]} {h[2]}"),
        st.lists(paragraph, min_size=1, max_size=3).map(
            lambda items: "\n".join(f"- {item}" for item in items)),
        st.integers(1, 4).map(lambda depth: "\n".join(
            "  " * level + "- nested" for level in range(depth))),
        paragraph.map(lambda text: f"> {text}"),
        st.integers(1, 6).map(lambda depth: ">" * depth + " deep"),
        st.tuples(paragraph, paragraph).map(
            lambda cells: f"| a | b |\n|---|---|\n| {cells[0]} | {cells[1]} |"),
        st.sampled_from(["a", "b"]).flatmap(
            lambda name: paragraph.map(lambda text: f"[^{name}]: {text}")),
        st.just("Chapter\n\n<script>alert(1)</script>"),
    )


def _chapter(canary: str) -> st.SearchStrategy[bytes]:
    body = st.lists(_block(canary), min_size=1, max_size=8).map("\n\n".join)
    text = body.map(lambda text: f"# Second {{#second}}\n\n{text}\n".encode())
    noise = st.binary(max_size=12)
    return st.one_of(text, text, text, st.tuples(text, noise).map(lambda p: p[0] + p[1]))


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as server:
        yield server


def _build(chapter: bytes, work: Path) -> tuple[int, str, Path]:
    book = copy_book(BOOKS / "minimal", work / "book")
    (book / "manuscript" / "en" / "02-second.md").write_bytes(chapter)
    out = work / "out"
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["build", "--project", str(book), "--lang", "en",
                         "--format", "epub", "--out", str(out)])
    return code, errors.getvalue(), out


def test_generated_manuscripts_build_or_say_why(canary: Canary) -> None:
    checked: list[Path] = []

    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(chapter=_chapter(canary.url))
    def one(chapter: bytes) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            code, errors, out = _build(chapter, Path(scratch))
            written = output_files(out) if out.exists() else []
            if code:
                assert code == 1, errors
                assert errors and all(LINE.match(line) for line in errors.splitlines()), errors
                assert written == [], "a failed build left files behind"
                return
            (epub,) = written
            with zipfile.ZipFile(epub) as archive:
                for name in archive.namelist():
                    if name.endswith((".xhtml", ".svg", ".css")):
                        assert not ACTIVE.search(archive.read(name)), name
            if len(checked) < CHECKED:
                counts = epubcheck_counts(epub, Path(scratch) / "report.json")
                assert counts["fatal"] == counts["error"] == 0, counts
                checked.append(epub)

    one()
    assert canary.requests == [], "a manuscript made the build reach the network"
