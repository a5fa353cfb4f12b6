"""Files from contributors, read and written safely.

An input is a regular file (never a symbolic link, which could publish a file from outside the
repository), its size is checked before it is read, and it must be UTF-8. Anything written goes
inside a given folder: `inside(root, relative)` refuses every path that would leave it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ProblemCollector

MAX_FILE_BYTES = 64 * 1024  # a real annotation file is a few KB


def check_regular(path: Path, problems: ProblemCollector, kind: str = "file") -> bool:
    """Is path a real file or folder (as kind says), not a link? Records a problem if not."""
    try:
        info = os.lstat(path)
    except OSError as error:
        problems.add(path, 1, 1, f"cannot read it: {error.strerror}", "check that it exists")
        return False
    if stat.S_ISLNK(info.st_mode):
        problems.add(path, 1, 1, "is a symbolic link", f"replace it with the {kind} itself; links are not followed")
        return False
    wanted = stat.S_ISDIR if kind == "folder" else stat.S_ISREG
    if not wanted(info.st_mode):
        problems.add(path, 1, 1, f"is not a {kind}", f"replace it with a {kind}, or remove it")
        return False
    return True


def read_text(path: Path, problems: ProblemCollector, limit: int = MAX_FILE_BYTES) -> str | None:
    """A file's text (UTF-8, BOM and Windows line endings tolerated), or None with a problem.

    Opened without following links; the size is checked on the open file before reading."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        problems.add(path, 1, 1, f"cannot read it ({error.strerror})", "it must be a file, not a link")
        return None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            problems.add(path, 1, 1, "is not a file", "replace it with a file")
            return None
        if info.st_size > limit:
            problems.add(
                path,
                1,
                1,
                f"file is {info.st_size:,} bytes, far larger than any annotation file",
                f"keep one paragraph per file and excerpts short (limit {limit:,} bytes)",
            )
            return None
        data = file.read(limit + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.add(
            path, line, column, "file is not valid UTF-8 text", "save it as UTF-8 (GitHub's web editor always does)"
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def inside(root: Path, relative: str) -> Path:
    """root/relative, refusing anything that would leave root (.., absolute paths, links)."""
    base = root.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise ValueError(f"refusing to write outside {base}: {relative!r}")
    return target


def write_text(root: Path, relative: str, text: str) -> Path:
    """Write text to root/relative (never outside root), creating folders as needed."""
    target = inside(root, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    target.write_text(text, encoding="utf-8")
    return target
