"""The `publish` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from publish import __version__
from publish.build import FORMATS, Project, build
from publish.diagnostics import BuildFailed


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    project = Project(Path(args.project).resolve())
    try:
        written = build(project, _list(args.lang), _list(args.format),
                        Path(args.out).resolve() if args.out else None, _progress())
    except BuildFailed as failure:
        for diagnostic in failure.diagnostics:
            print(diagnostic.format(Path.cwd()), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("publish: interrupted; no edition was changed", file=sys.stderr)
        return 130
    for path in written:
        print(_shown(path))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publish",
        description="Turn parallel Markdown manuscripts (manuscript/<lang>/) into EPUB 3 "
                    "and print PDF editions in build/<lang>/.")
    parser.add_argument("--version", action="version", version=f"publish {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands")
    build_parser = commands.add_parser(
        "build", help="build the editions",
        description="Build every edition, or those chosen, into build/<lang>/<book-id>.<format>. "
                    "An edition is replaced only when its new file is complete.")
    build_parser.add_argument(
        "--lang", metavar="LANGS",
        help="comma-separated languages to build, e.g. 'be' or 'be,en' (default: all "
             "languages in manuscript/book.toml)")
    build_parser.add_argument(
        "--format", metavar="FORMATS",
        help=f"comma-separated formats to build: {', '.join(FORMATS)} (default: all)")
    build_parser.add_argument(
        "--project", metavar="DIR", default=".",
        help="the project folder, holding manuscript/ and styles/ (default: the current one)")
    build_parser.add_argument(
        "--out", metavar="DIR", help="where to write the editions (default: DIR/build)")
    return parser


def _list(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def _progress() -> Callable[[str], None]:
    """On a terminal, say which edition is being made; in CI or a pipe, stay quiet."""
    if sys.stderr.isatty() and not os.environ.get("CI"):
        return lambda step: print(f"building {step} ...", file=sys.stderr, flush=True)
    return lambda step: None


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
