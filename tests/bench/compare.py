"""publish against Pandoc on the same books: `python -m tests.bench.compare [--scale 1,10]
[--runs 3]` (`make bench`). Each book is the flagship (or `--book`) written `scale`
times over (`scaled.py`); for each run the two sides alternate, so a machine that slows
down in the middle slows both, and the table gives the medians.

Pandoc makes what a writer of Markdown would otherwise make: an EPUB and a PDF per
language, the PDF through HTML and WeasyPrint, the engine publish uses too."""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.measure import Cost, measure
from tests.bench.scaled import ROOT, chapters, languages, scaled_project

LINEAR = 1.15
"""How much more time per size unit than the flagship's the bigger book may take and
still count as growing linearly: runs on one machine vary by about a tenth."""

EDIT = "\n\nEdited again.\n"
"""What the edited chapter gains each time: a paragraph of its own at its end, so the
chapter stays one the build accepts and its text differs from every earlier run's."""

PANDOC_CSS = """@page { size: 148mm 210mm; margin: 18mm 16mm 22mm; }
body { font-family: "PT Serif"; hyphens: auto; max-width: none; margin: 0; padding: 0; }
"""
"""The flagship's trim and text face for Pandoc's PDF, so both sides set pages of one
size; Pandoc's own stylesheet gives the rest."""


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    publish: tuple[str, ...]
    """The options of `publish build`."""
    cold: bool
    """Whether the output folder is removed first, so that nothing of an earlier build
    is there to be kept."""
    pandoc_languages: str | None
    """`all`, `en`, or None where Pandoc has nothing to compare."""


CASES = (
    Case("cold", "cold full build: every edition (Pandoc: EPUB + PDF per language)", (),
         True, "all"),
    Case("noop", "nothing changed: `publish build` again", (), False, None),
    Case("edit", "one English chapter edited: `--lang en` (Pandoc: its EPUB + PDF)",
         ("--lang", "en"), False, "en"),
    Case("like", "like for like, cold: `--format epub,pdf` (Pandoc: EPUB + PDF)",
         ("--format", "epub,pdf"), True, "all"),
)
"""In the order each run goes through them: the no-op and the edit need the full build
before them."""


@dataclass
class Result:
    scale: int
    size: int
    """Bytes of the book's chapters as scaled, before any edit."""
    case: Case
    publish: list[Cost] = field(default_factory=list)
    pandoc: list[Cost] = field(default_factory=list)


def median(costs: Sequence[Cost]) -> Cost:
    return Cost(wall=statistics.median(c.wall for c in costs),
                cpu=statistics.median(c.cpu for c in costs),
                peak=int(statistics.median(c.peak for c in costs)))


def _publish_env() -> dict[str, str]:
    """This process's environment, with the `publish` it imports first on the path: the
    builds measured are of the code this checkout holds."""
    spec = importlib.util.find_spec("publish")
    assert spec is not None and spec.origin is not None, "publish is not importable"
    source = str(Path(spec.origin).parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    return env


def pandoc_path() -> str:
    import pypandoc  # the pypandoc-binary wheel carries the Pandoc executable

    return str(pypandoc.get_pandoc_path())


def _pandoc_env() -> dict[str, str]:
    """PATH with this Python's scripts first: Pandoc runs the `weasyprint` found there."""
    scripts = Path(sys.executable).parent
    if not (scripts / "weasyprint").exists():
        raise RuntimeError(f"weasyprint is not installed beside {sys.executable}")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join((str(scripts), env.get("PATH", "")))
    return env


def _title(project: Path, lang: str) -> str:
    config = tomllib.loads((project / "manuscript" / lang / "book.toml").read_text("utf-8"))
    return str(config["title"])


def pandoc_command(project: Path, langs: Sequence[str]) -> list[str]:
    """One shell command that makes, one after another as publish does, the EPUB and the
    PDF of each language of `langs` into `project`/pandoc/."""
    pandoc, out = pandoc_path(), project / "pandoc"
    css = project / "pandoc.css"
    steps = [f"mkdir -p {shlex.quote(str(out))}"]
    for lang in langs:
        files = [str(path) for path in chapters(project, lang)]
        common = ["-f", "markdown", "--metadata", f"title={_title(project, lang)}",
                  "--metadata", f"lang={lang}", *files]
        steps.append(shlex.join([pandoc, "-t", "epub3", "-o", str(out / f"{lang}.epub"),
                                 *common]))
        steps.append(shlex.join([pandoc, "-t", "html5", "--standalone",
                                 "--pdf-engine=weasyprint", "--css", str(css),
                                 "-o", str(out / f"{lang}.pdf"), *common]))
    return ["sh", "-c", " && ".join(steps)]


def _edited_chapter(project: Path) -> Path:
    """The first English chapter of the body: neither front nor back matter."""
    config = tomllib.loads((project / "manuscript" / "book.toml").read_text("utf-8"))
    matter = {d["chapter"] for key in ("front-matter", "back-matter")
              for d in config.get(key, [])}
    return next(path for path in chapters(project, "en") if path.stem not in matter)


def _size(project: Path) -> int:
    return sum(path.stat().st_size for lang in languages(project)
               for path in chapters(project, lang))


class Book:
    """One scaled book in a folder of its own, and how each side builds it."""

    def __init__(self, source: Path, root: Path, scale: int) -> None:
        self.scale = scale
        self.project = scaled_project(source, root / f"x{scale}", scale)
        (self.project / "pandoc.css").write_text(PANDOC_CSS, encoding="utf-8")
        self.size = _size(self.project)
        self.languages = languages(self.project)
        self._publish_env, self._pandoc_env = _publish_env(), _pandoc_env()
        self._logs = root / "logs"
        self._logs.mkdir(exist_ok=True)

    def publish(self, case: Case) -> Cost:
        if case.cold:
            shutil.rmtree(self.project / "build", ignore_errors=True)
        if case.key == "edit":
            chapter = _edited_chapter(self.project)
            with chapter.open("a", encoding="utf-8") as text:
                text.write(EDIT)
        command = [sys.executable, "-m", "publish", "build", "--project", str(self.project),
                   *case.publish]
        return measure(command, cwd=self.project, env=self._publish_env,
                       log=self._logs / f"x{self.scale}-publish-{case.key}.log")

    def pandoc(self, case: Case) -> Cost:
        assert case.pandoc_languages is not None
        shutil.rmtree(self.project / "pandoc", ignore_errors=True)
        langs = self.languages if case.pandoc_languages == "all" else [case.pandoc_languages]
        return measure(pandoc_command(self.project, langs), cwd=self.project,
                       env=self._pandoc_env,
                       log=self._logs / f"x{self.scale}-pandoc-{case.key}.log")


def run(source: Path, scales: Sequence[int], runs: int, work: Path,
        progress: Callable[[str], None] = lambda line: None) -> list[Result]:
    results: list[Result] = []
    for scale in scales:
        book = Book(source, work, scale)
        mine = [Result(scale, book.size, case) for case in CASES]
        for number in range(1, runs + 1):
            for result in mine:
                cost = book.publish(result.case)
                result.publish.append(cost)
                progress(f"x{scale} run {number}/{runs} {result.case.key}: publish {cost}")
                if result.case.pandoc_languages is not None:
                    cost = book.pandoc(result.case)
                    result.pandoc.append(cost)
                    progress(f"x{scale} run {number}/{runs} {result.case.key}: pandoc "
                             f"{cost}")
        results.extend(mine)
    return results


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    pandoc = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True,
                            check=True).stdout.splitlines()[0]
    import weasyprint

    return (f"Machine: {model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{pandoc}, WeasyPrint {weasyprint.__version__}")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else "—"


HEADER = ("| book | work | publish wall s | publish CPU s | publish peak MiB "
          "| Pandoc wall s | Pandoc CPU s | Pandoc peak MiB "
          "| wall ratio | CPU ratio | peak ratio |")


def table(results: Sequence[Result], runs: int) -> str:
    lines = [HEADER, "|" + "---|" * HEADER.count(" | ") + "---|"]
    for result in results:
        mine = median(result.publish)
        cells = [f"×{result.scale}", result.case.title, f"{mine.wall:.2f}", f"{mine.cpu:.2f}",
                 f"{mine.peak_mib:.0f}"]
        if result.pandoc:
            theirs = median(result.pandoc)
            cells += [f"{theirs.wall:.2f}", f"{theirs.cpu:.2f}", f"{theirs.peak_mib:.0f}",
                      _ratio(mine.wall, theirs.wall), _ratio(mine.cpu, theirs.cpu),
                      _ratio(mine.peak, theirs.peak)]
        else:
            cells += ["—"] * 6
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"Medians of {runs} run{'s' if runs != 1 else ''} of each; ratios are "
                 "publish / Pandoc.")
    return "\n".join(lines)


def growth(results: Sequence[Result]) -> list[str]:
    """Whether each bigger book's cold build took time in proportion to its size, and
    its memory against Pandoc's."""
    cold = {r.scale: r for r in results if r.case.key == "cold"}
    if 1 not in cold:
        return []
    base = cold[1]
    lines = []
    for scale, result in sorted(cold.items()):
        if scale == 1:
            continue
        size = result.size / base.size
        for side, costs, basis in (("publish", result.publish, base.publish),
                                   ("Pandoc", result.pandoc, base.pandoc)):
            now, then = median(costs), median(basis)
            per_unit = now.wall / then.wall / size
            cpu_unit = now.cpu / then.cpu / size
            verdict = "linear" if per_unit <= LINEAR else "more than linear"
            lines.append(f"×{scale} book ({size:.1f}× the text), cold full build, {side}: "
                         f"{now.wall / then.wall:.1f}× the wall time of ×1, {per_unit:.2f} "
                         f"of its time per size unit (CPU {cpu_unit:.2f}): {verdict} "
                         f"(linear is at most {LINEAR:.2f})")
        mine, theirs = median(result.publish), median(result.pandoc)
        within = "within" if mine.peak <= theirs.peak else "above"
        lines.append(f"×{scale} book, cold full build: publish peaks at {mine.peak_mib:.0f} "
                     f"MiB, Pandoc + WeasyPrint at {theirs.peak_mib:.0f} MiB: {within} "
                     "Pandoc's")
    return lines


def report(source: Path, scales: Sequence[int], runs: int,
           progress: Callable[[str], None] = lambda line: None) -> str:
    with tempfile.TemporaryDirectory(prefix="publish-bench-") as work:
        results = run(source, scales, runs, Path(work), progress)
    parts = [machine(), "", table(results, runs)]
    lines = growth(results)
    if lines:
        parts += ["", *lines]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.compare",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", default="1,10",
                        help="comma-separated sizes of the book, in flagships (default 1,10)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each pair (default 3)")
    parser.add_argument("--book", type=Path, default=ROOT,
                        help="the project to scale (default: the flagship)")
    args = parser.parse_args(argv)
    scales = sorted({int(s) for s in args.scale.split(",")})
    if args.runs < 1 or scales[0] < 1:
        parser.error("--runs and every --scale must be at least 1")
    print(report(args.book, scales, args.runs,
                 lambda line: print(line, file=sys.stderr, flush=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
