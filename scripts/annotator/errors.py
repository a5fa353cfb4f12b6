"""The one error type an author can trigger, and a collector for many of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, with a 1-based line and column and a fix hint."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


class AnnotationError(Exception):
    """Raised with every problem found, so an author sees them all at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))


class ProblemCollector:
    """Gathers problems while a step runs; `raise_if_any` fails once at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str | Path, line: int, column: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(str(path), max(line, 1), max(column, 1), message, hint))

    def extend(self, error: AnnotationError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise AnnotationError(self.problems)
