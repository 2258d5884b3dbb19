"""The `publish` command: `build` makes the editions, `sync` keeps the languages in step."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TextIO

import shtab

from publish import __version__
from publish.diagnostics import BuildFailed, Code, Diagnostic
from publish.files import write_whole
from publish.signals import stopping_with
from publish.sync import FORMATS
from publish.sync.commit import commit, locked, recover

SHELLS = ("bash", "zsh")


class _Stopped(BaseException):
    """A signal asked the command to stop (Ctrl-C, `timeout`, CI, a container's stop)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def _stop(number: int, frame: FrameType | None) -> None:
    raise _Stopped(number)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        # Raised where the command is, the signal unwinds it through the clean-ups
        # that remove its temporary files.
        with stopping_with(_stop):
            result: int = args.run(args)
        return result
    except BuildFailed as failure:
        _report(failure.diagnostics, sys.stderr)
        return 1
    except _Stopped as stopped:
        print(f"publish: {args.command} interrupted by {signal.Signals(stopped.number).name}; "
              "no file is left half-written", file=sys.stderr)
        return 128 + stopped.number
    except BrokenPipeError:
        # The reader (a pager, `head`) stopped reading: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stdout must stay open
        return 141
    except OSError as error:
        # What the stages do not tell themselves of the file system (a folder where
        # sync.toml should be, a full disk under manuscript/): one line naming the path.
        place = Path(error.filename) if error.filename else Path(args.command)
        _report([Diagnostic(place, None, Code.FILE_SYSTEM,
                            f"cannot be read or written: {error.strerror or error}")],
                sys.stderr)
        return 1


def _report(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """Print diagnostics, as nothing else does: by file and line, each path relative
    to the working folder where it is inside it."""
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        print(diagnostic.format(Path.cwd()), file=stream)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publish", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Turn parallel Markdown manuscripts (manuscript/<lang>/) into EPUB 3 and\n"
                    "print PDF editions in build/<lang>/, and keep the languages in step.",
        epilog=_codes())
    parser.add_argument("--version", action="version", version=f"publish {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands")
    _new_parser(commands)
    _build_parser(commands)
    _check_parser(commands)
    _sync_parser(commands)
    _completion_parser(commands)
    return parser


def _completes(kind: Mapping[str, object], action: argparse.Action) -> None:
    """What the shells offer to complete `action` with: files, or folders. shtab reads
    it from an attribute of the action, which argparse does not declare."""
    action.complete = kind  # type: ignore[attr-defined]


def _completion_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "completion", help="the shell completion script",
        description="Print the script that completes publish's commands, options and "
                    "paths in bash or zsh, made from this command line itself. `make` "
                    "installs both.")
    parser.add_argument("shell", choices=SHELLS,
                        help="the shell, e.g. 'bash' (into ~/.local/share/bash-completion/"
                             "completions/publish) or 'zsh' (into a folder of $fpath, as "
                             "_publish)")
    parser.set_defaults(run=_run_completion)


def _run_completion(args: argparse.Namespace) -> int:
    print(shtab.complete(_parser(), shell=args.shell), end="")
    return 0


def _codes() -> str:
    """Every diagnostic code with what it means, for `publish --help`."""
    width = max(len(code) for code in Code) + 2
    lines = ["Problems are told one a line, as path:line: code: message, followed by the",
             "other place a problem concerns, if any, in brackets. The codes:"]
    for code in Code:
        lines.extend(textwrap.wrap(code.description, 79, initial_indent=f"  {code:<{width}}",
                                   subsequent_indent=" " * (width + 2)))
    return "\n".join(lines)


def _some(what: str) -> str:
    """The help of `--lang` where it chooses among the book's languages."""
    return (f"{what}: a comma-separated list, or the option repeated, e.g. 'be,en' or "
            "'--lang be --lang en' (default: all)")


def _place_options(parser: argparse.ArgumentParser, langs: str | None,
                   top: bool = True) -> None:
    """`--project`, and `--lang` where languages can be chosen, as every command takes
    them. An action repeats its command's options, which it leaves as the command was
    given them unless it is given them itself."""
    _completes(shtab.DIRECTORY, parser.add_argument(
        "--project", metavar="DIR", default="." if top else argparse.SUPPRESS,
        help="the project folder, holding manuscript/ and styles/, e.g. 'books/diary' "
             "(default: the current one)"))
    if langs is None:
        return
    parser.add_argument(
        "--lang", metavar="LANGS", action="extend", type=_list,
        default=None if top else argparse.SUPPRESS,
        help=langs)


def _out_option(parser: argparse.ArgumentParser) -> None:
    _completes(shtab.DIRECTORY, parser.add_argument(
        "--out", metavar="DIR",
        help="where the editions are built, e.g. '/tmp/proofs' (default: DIR/build)"))


def _new_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "new", help="start a book",
        description="Write a new book into DIR, which must be new or empty: both kinds of "
                    "book.toml, one chapter in each language (a heading id, a date, a "
                    "number, a note), the stylesheets and manuscript/sync.toml with every "
                    "pair confirmed. It builds and is in sync as it stands.")
    _completes(shtab.DIRECTORY, parser.add_argument(
        "folder", metavar="DIR",
        help="the book's folder, e.g. 'diary'; its name, in lowercase ASCII letters, "
             "digits and hyphens, is the book's id"))
    parser.add_argument(
        "--lang", "--languages", metavar="LANGS", action="extend", type=_list,
        help="its languages, a comma-separated list or the option repeated, e.g. 'en,be' "
             "(default: en,be)")
    parser.add_argument("--source", metavar="LANG",
                        help="the language the others are translated from, e.g. 'en' "
                             "(default: the first of --lang)")
    parser.set_defaults(run=_run_new)


def _run_new(args: argparse.Namespace) -> int:
    import datetime

    from publish.new import create

    langs = list(dict.fromkeys(args.lang or ["en", "be"]))
    folder = Path(args.folder)
    written = create(folder.resolve(), langs, args.source or langs[0], datetime.date.today())
    print(f"a new book in {_shown(folder)}: {len(written)} files; build it with "
          f"`publish build --project {shlex.quote(_shown(folder))}`")
    return 0


def _build_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "build", help="build the editions",
        description="Build every edition, or those chosen, into build/<lang>/<book-id>.<format>. "
                    "The editions are replaced only when all the new files are complete.")
    _place_options(parser, _some("the languages to build, of manuscript/book.toml"))
    parser.add_argument(
        "--format", metavar="FORMATS", action="extend", type=_list,
        help="the formats to build, a comma-separated list or the option repeated: epub, "
             "pdf (the press interior), screen (the accessible PDF), cover (the press "
             "cover), e.g. 'epub,pdf' (default: all)")
    _out_option(parser)
    parser.add_argument(
        "--fresh", action="store_true",
        help="make every edition asked for again, whatever the build cache (in the "
             "output folder's .cache/) holds")
    parser.add_argument(
        "--jobs", metavar="N", type=_count, default=None,
        help="how many editions to make at once, e.g. 1 for one after another "
             "(default: one per core)")
    parser.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    # Imported here: the writers bring in WeasyPrint, which `sync` has no use for.
    from publish.build import Project, build

    project = Project(Path(args.project).resolve())
    # What a killed `publish sync` left half done is finished or undone first.
    recover(project.manuscript)
    # The typesetting reports follow the files, once every edition is written: stderr
    # is for problems only. Warnings are told when the build ends, however it ends.
    reports: list[str] = []
    warnings: list[Diagnostic] = []
    try:
        with _progress() as progress:
            written = build(project, args.lang, args.format,
                            _out(args), progress,
                            warnings.append, lambda lang, fmt, report: reports.append(
                                f"typesetting {lang} {fmt}: {report.summary()}"),
                            fresh=args.fresh, jobs=args.jobs)
    finally:
        _report(warnings, sys.stderr)
    for line in [*map(_shown, written), *reports]:
        print(line)
    return 0


def _check_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check", help="what to fix before the book goes out",
        description="Check the book as an editor would before sending it out: spelling "
                    "(the Debian hunspell dictionary of each language and the book's "
                    "<lang>/words.txt, a passage marked as another language's in that "
                    "language), quotation marks, spaces and hyphens as typed, and the "
                    "translations' sync. One finding a line; exit status 0 only when "
                    "there is none.")
    _place_options(parser, _some("the languages to check"))
    parser.add_argument("--json", action="store_true",
                        help="print the findings as JSON, for tools")
    parser.add_argument(
        "--editions", action="store_true",
        help="also build the PDF editions, as `publish build --format pdf,screen` does "
             "(those the build cache holds current are not laid out again), and report "
             "what their typesetting reports count that the press would have mended")
    _out_option(parser)
    parser.set_defaults(run=_run_check)


def _run_check(args: argparse.Namespace) -> int:
    import json

    from publish.build import Project
    from publish.check import check

    project = Project(Path(args.project).resolve())
    try:
        with _progress() as progress:
            findings = check(project, args.lang, args.editions, _out(args), progress)
    except BuildFailed as failure:
        # A book that does not read has what stops it as its findings, told alike.
        findings = failure.diagnostics
    findings = sorted(findings, key=Diagnostic.sort_key)
    if args.json:
        print(json.dumps({"findings": [{
            "path": _shown(found.path), "line": found.line, "code": str(found.code),
            "message": found.message} for found in findings]}, ensure_ascii=False, indent=2))
    else:
        _report(findings, sys.stderr)
    return 1 if findings else 0


def _sync_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sync", help="which parts of the translations are out of date",
        description="Compare each translation with the source language, block by block: "
                    "in sync, stale (changed on either side since a translator confirmed "
                    "the pair), new, missing, extra, untranslated, or with different dates, "
                    "numbers, notes or links. Exit status 0 only when everything is in sync.")
    _place_options(parser, _some("the translations to compare"))
    parser.add_argument("--chapter", metavar="NAME", action="append",
                        help="only chapters with this file name or pattern, e.g. "
                             "'03-dziady' or '0*' (repeatable; default: all)")
    parser.add_argument("--json", action="store_true",
                        help="print the status as JSON, for tools")
    parser.set_defaults(run=_run_status)
    actions = parser.add_subparsers(dest="action", title="actions")

    accept = actions.add_parser(
        "accept", help="confirm pairs after review",
        description="Record that the pairs named are correct translations of each other as "
                    "they stand now. Changes only manuscript/sync.toml.")
    accept.add_argument("targets", nargs="*", metavar="WHAT",
                        help="a chapter, a section or a pair, as the status names them, "
                             "e.g. '03-dziady', '03-dziady:dziady-march' or "
                             "'03-dziady:dziady-march_2'")
    accept.add_argument("--all", action="store_true", help="confirm every pair")
    _place_options(accept, _some("the translations whose pairs to confirm"), top=False)
    accept.set_defaults(run=_run_accept)

    export = actions.add_parser(
        "export", help="write a bilingual PO or XLIFF file for a translator's tool",
        description="Write every pair of one translation as a bilingual file: PO (stale "
                    "and unconfirmed pairs marked fuzzy) or XLIFF 2.0.")
    export.add_argument("--format", choices=FORMATS, required=True,
                        help="the kind of file, e.g. 'po' for Poedit or Weblate, 'xliff' "
                             "for OmegaT or Trados")
    _place_options(export, "the translation to export, e.g. 'be' (default: the book's "
                   "only one)", top=False)
    _completes(shtab.FILE, export.add_argument(
        "--output", "-o", metavar="FILE",
        help="where to write, e.g. 'be.po' (default: build/sync/<book-id>-<lang>.<ext>)"))
    export.set_defaults(run=_run_export)

    import_ = actions.add_parser(
        "import", help="write translations from a PO or XLIFF file into the manuscript",
        description="Write the translations of a file from `publish sync export` back into "
                    "the Markdown files. The whole file is checked first: if any segment "
                    "does not fit the manuscript, nothing is written.")
    _completes(shtab.FILE, import_.add_argument(
        "file", metavar="FILE",
        help="a .po, .xlf or .xliff file, e.g. 'build/sync/diary-be.po'"))
    _place_options(import_, None, top=False)
    import_.set_defaults(run=_run_import)


# The sync actions import what they use when they run: a build that finds every
# edition current reads nothing of the manuscript, and imports nothing to read it.
def _run_status(args: argparse.Namespace) -> int:
    from publish.sync import report
    from publish.sync.session import open_session

    session = open_session(Path(args.project).resolve() / "manuscript")
    chapters = session.status(args.lang, args.chapter)
    if args.json:
        print(report.as_json(chapters, Path.cwd()))
    else:
        print(report.table(chapters))
        _report(report.diagnostics(chapters), sys.stdout)
    return 0 if all(c.in_sync for c in chapters) else 1


def _run_accept(args: argparse.Namespace) -> int:
    from publish.sync.session import open_session

    if not args.targets and not args.all:
        print("publish sync accept: name what to confirm, or --all", file=sys.stderr)
        return 2
    manuscript = Path(args.project).resolve() / "manuscript"
    with locked(manuscript):
        changed = open_session(manuscript).accept(args.targets, args.lang)
    print(f"confirmed {changed} pair{'s' if changed != 1 else ''}")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from publish.sync import exchange
    from publish.sync.session import open_session

    root = Path(args.project).resolve()
    session = open_session(root / "manuscript")
    langs = args.lang or session.targets
    if len(langs) != 1:
        raise BuildFailed([Diagnostic(
            Path("--lang"), None, Code.UNKNOWN_LANGUAGE,
            f"name the one translation to export ({', '.join(session.targets) or 'none'})")])
    chapters = session.status(langs, args.chapter)
    ext = "po" if args.format == "po" else "xlf"
    output = Path(args.output) if args.output else \
        root / "build" / "sync" / f"{session.config.id}-{langs[0]}.{ext}"
    write_whole(output, exchange.export(chapters, args.format, root, session.config.id,
                                        session.config.published))
    if output.is_file():
        # Where it went; a file written to a stream (`-o /dev/stdout`) is all it prints.
        print(_shown(output))
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from publish.sync import exchange, imports
    from publish.sync.session import open_session

    manuscript = Path(args.project).resolve() / "manuscript"
    path = Path(args.file)
    found = exchange.read_translations(path)
    with locked(manuscript):
        session = open_session(manuscript)
        chapters = session.status([imports.language(found, session.targets)])
        files = imports.plan(chapters, found.translations, path, manuscript)
        commit(manuscript, files)
    for changed in files:
        print(_shown(changed))
    return 0


def _out(args: argparse.Namespace) -> Path | None:
    return Path(args.out).resolve() if args.out else None


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a count of 1 or more")
    return int(value)


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """What is being made: on a terminal, one line that each step overwrites and the
    end clears; in CI, a plain line a step, for the log; in a pipe, nothing."""
    if os.environ.get("CI"):
        yield lambda step: print(f"building {step}", file=sys.stderr, flush=True)
    elif sys.stderr.isatty():
        def show(step: str) -> None:
            width = shutil.get_terminal_size().columns - 1
            print(f"\r\x1b[Kbuilding {step}"[:width + 4], end="", file=sys.stderr, flush=True)
        try:
            yield show
        finally:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    else:
        yield lambda step: None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
