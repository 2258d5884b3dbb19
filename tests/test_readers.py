"""The EPUB editions as reading systems meet them: DAISY Ace, the accessibility checker,
reports no violation, and Calibre converts them for Kindle without an error.

Ace runs its axe-core checks in Debian's Chromium, headless, through Puppeteer; `make
test` installs it into node_modules/ from package-lock.json (`npm ci`). Calibre is
Debian's package. With CI=true a missing tool fails the test instead of skipping it."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Built, require, rewritten_epub

ACE = ROOT / "node_modules" / ".bin" / "ace-puppeteer"
LANGS = ["be", "en"]


def require_path(path: Path) -> Path:
    """An external tool installed at a path, not on PATH: in CI its absence fails the
    test, elsewhere skips it, like `require`."""
    if not os.access(path, os.X_OK):
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        message = f"{where} is not installed; `make test` installs it (it needs Node.js 20 and npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


# DAISY Ace


@dataclass(frozen=True)
class Violation:
    """One failed check of an Ace report: which rule, how bad, where, and why."""

    rule: str
    impact: str
    location: str
    message: str
    html: str

    def __str__(self) -> str:
        text = f"[{self.impact}] {self.rule} at {self.location}: {self.message}"
        return text + (f"\n      {self.html}" if self.html else "")


def _failures(assertion: dict[str, Any], document: str) -> Iterator[Violation]:
    """The failed assertions under one assertion of the report, at any depth."""
    document = assertion.get("earl:testSubject", {}).get("url", document)
    result = assertion.get("earl:result", {})
    test = assertion.get("earl:test")
    if test is not None and result.get("earl:outcome") == "fail":
        pointer = result.get("earl:pointer") or {}
        where = " ".join(str(p) for p in (pointer.get("css") or [])[:1])
        cfi = " ".join(str(p) for p in (pointer.get("cfi") or [])[:1])
        location = document + (f" {where}" if where else "") + (f" ({cfi})" if cfi else "")
        message = result.get("dct:description") or test.get("dct:description", "")
        yield Violation(rule=str(test.get("dct:title", "?")),
                        impact=str(test.get("earl:impact", "?")),
                        location=location, message=" ".join(str(message).split()),
                        html=" ".join(str(result.get("html", "")).split())[:200])
    for sub in assertion.get("assertions", []):
        yield from _failures(sub, document)


def violations(report: dict[str, Any]) -> list[Violation]:
    """Every violation that an Ace report.json holds."""
    return [found for assertion in report.get("assertions", [])
            for found in _failures(assertion, "?")]


def describe(found: list[Violation]) -> str:
    """A failure message that lists every violation, grouped by rule."""
    lines = [f"DAISY Ace reports {len(found)} violation(s):"]
    for rule in sorted({v.rule for v in found}):
        group = [v for v in found if v.rule == rule]
        lines.append(f"  {rule} ({group[0].impact}), {len(group)}x:")
        lines.extend(f"    {v}" for v in group)
    return "\n".join(lines)


def run_ace(epub: Path, outdir: Path) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Ace's report on an EPUB, and how its run went."""
    ace = require_path(ACE)
    chromium = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or require("chromium")
    home = outdir.parent / f"{outdir.name}-home"
    env = {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": chromium,
        "PUPPETEER_SKIP_DOWNLOAD": "1",
        # Ace gives the browser 5 s to start; a busy machine may need more.
        "ACE_TIMEOUT_INITIAL": "60000",
        # Ace's configuration and log file: the user's own must not change the verdict.
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    # Ace already launches Chromium with --no-sandbox (needed as root) and headless.
    result = subprocess.run([str(ace), "--exiterror2", "--force", "--outdir", str(outdir),
                             str(epub)],
                            env=env, capture_output=True, text=True, check=False, timeout=900)
    report_file = outdir / "report.json"
    assert report_file.exists(), f"Ace wrote no report:\n{result.stdout}\n{result.stderr}"
    report: dict[str, Any] = json.loads(report_file.read_text())
    return report, result


@pytest.mark.parametrize("lang", LANGS)
def test_ace_finds_no_violation(flagship: Built, lang: str, tmp_path: Path) -> None:
    epub = flagship.edition(lang, "epub")
    start = time.monotonic()
    report, result = run_ace(epub, tmp_path / "ace")
    print(f"Ace checked {epub.name} ({lang}) in {time.monotonic() - start:.1f} s")
    assert report["earl:assertedBy"]["doap:name"] == "DAISY Ace"
    found = violations(report)
    assert not found, describe(found) + f"\n  (full report: {tmp_path / 'ace' / 'report.html'})"
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert result.returncode == 0, result.stdout + result.stderr


def test_ace_does_report_a_violation(minimal: Built, tmp_path: Path) -> None:
    """The check checks: documents without a language are reported, and read."""
    broken = rewritten_epub(
        minimal.edition("en", "epub"), tmp_path / "broken.epub",
        lambda name, data: data.replace(b' xml:lang="en"', b"").replace(b' lang="en"', b"")
        if name.endswith(".xhtml") else data)
    report, result = run_ace(broken, tmp_path / "ace")
    found = violations(report)
    assert "html-has-lang" in {v.rule for v in found}, describe(found)
    assert all(v.impact != "?" and v.location and v.message for v in found), describe(found)
    assert report["earl:result"]["earl:outcome"] == "fail"
    assert result.returncode == 2, result.stdout + result.stderr


# Calibre


@pytest.mark.parametrize("lang", LANGS)
def test_calibre_converts_to_azw3(flagship: Built, lang: str, tmp_path: Path) -> None:
    ebook_convert = require("ebook-convert")
    epub = flagship.edition(lang, "epub")
    azw3 = tmp_path / "book.azw3"
    env = {**os.environ, "QTWEBENGINE_DISABLE_SANDBOX": "1", "QT_QPA_PLATFORM": "offscreen"}
    start = time.monotonic()
    result = subprocess.run([ebook_convert, str(epub), str(azw3)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, check=False, timeout=600)
    print(f"Calibre converted {epub.name} ({lang}) in {time.monotonic() - start:.1f} s")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    errors = [line for line in output.splitlines() if "ERROR" in line or "Traceback" in line]
    assert not errors, output
    assert azw3.exists(), output
    data = azw3.read_bytes()
    assert data[60:68] == b"BOOKMOBI", "not a Kindle (MOBI/KF8) file"
    # The text is compressed less tightly than in the EPUB's zip: never half its size.
    assert len(data) >= epub.stat().st_size // 2, (len(data), epub.stat().st_size)
