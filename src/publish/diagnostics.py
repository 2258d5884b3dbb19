"""Problems found in the input, as values.

Every stage reports what is wrong as `Diagnostic` values instead of raising or
printing; the command line prints them in one place. A stage that cannot go on
raises `BuildFailed` with what it collected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int | None
    code: str
    message: str

    def sort_key(self) -> tuple[str, int, str, str]:
        """By file, then line; problems of a whole file before those of its lines."""
        return (str(self.path), self.line or 0, self.code, self.message)

    def format(self, root: Path | None = None) -> str:
        shown = self.path
        if root is not None and self.path.is_relative_to(root):
            shown = self.path.relative_to(root)
        where = f"{shown}:{self.line}" if self.line else f"{shown}"
        return f"{where}: {self.code}: {self.message}"


class BuildFailed(Exception):
    """A stage found problems that make its output impossible."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)


class Collector:
    """Gathers diagnostics so that one run reports every problem, not just the first."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, path: Path, line: int | None, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(path, line, code, message))

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise BuildFailed(self.diagnostics)
