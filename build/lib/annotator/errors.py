"""The one error type an author can trigger, and a collector for many of them.

A problem prints as `path:line:column: what is wrong; how to fix it`. Paths and messages can
carry contributor text (a file name, a quote), so both are made printable: control and
invisible direction characters are shown as escapes, never sent to a terminal or a CI log raw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """Text safe to print on one line: unprintable characters become \\xNN or \\uNNNN."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def counted(count: int, noun: str) -> str:
    """'1 problem', '2 problems': a count and its noun, singular or plural."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, with a 1-based line and column and a fix hint."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{printable(self.path)}:{self.line}:{self.column}: {printable(self.message)}"
        return f"{text}; {printable(self.hint)}" if self.hint else text

    def github(self) -> str:
        """A GitHub Actions workflow command that marks the problem on the pull request's line."""
        message = self.message + (f"; {self.hint}" if self.hint else "")
        return f"::error file={_property(self.path)},line={self.line},col={self.column}::{_data(message)}"


def _data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own toCommandValue rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value: also ':' and ',', which end a property."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


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

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise AnnotationError(self.problems)
