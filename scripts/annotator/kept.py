"""Folders of the site that postbuild writes whole (the search index, the data files, the
one-file editions), kept between the builds of `mkdocs serve`.

MkDocs empties the site folder before every build, so each rebuild would write them all again:
at 200 articles, 18,000 search files and 400 data files and editions (some 170 MB) for an edit to
one note. Instead, before the folder is emptied, each such folder is set aside under a hidden
name (MkDocs leaves dot entries alone: `set_aside`), and the next build takes it back
(`Folder`): a file whose bytes are those written last time, and which is unchanged on disk since
(by fingerprint), is left as it is; any other is written; a file no longer wanted is removed.

What was written is remembered in the one cache (`CACHE`), and only when a build follows in this
process (`CACHE.later_builds`): a one-off build keeps nothing, and sets nothing aside.
"""

from __future__ import annotations

import os
import posixpath
import shutil
from pathlib import Path, PurePosixPath

from .cache import CACHE, fingerprint_now
from .inputs import inside

PREFIX = ".annotator-kept-"  # hidden: MkDocs' clean_directory leaves dot entries
PAGES = f"{PREFIX}pages"  # second names of the pages Pages wrote


def _same(one: tuple, other: tuple) -> bool:
    """Two fingerprints of one file's bytes, under any name (a hard link shares all but the path)."""
    return one[1] is not None and one[1:] == other[1:]


def _pages_record(site: Path) -> dict[str, tuple[object, tuple]]:
    """{site-relative page: (what was written, its fingerprint after writing)}."""
    return CACHE.previous(("kept-pages", str(site))) or {}


def _record(site: Path) -> dict[str, dict[str, tuple[object, tuple]]]:
    """{folder: {site-relative path: (what was written, its fingerprint after writing)}}."""
    return CACHE.previous(("kept", str(site))) or {}


def set_aside(site: Path) -> None:
    """Before the site folder is emptied: move each folder the last build wrote through a
    Folder to its hidden name (a rename: no file is read or written), and link each page it
    wrote through Pages (they sit beside MkDocs' pages: a second name keeps their bytes)."""
    for folder in _record(site):
        here, aside = site / folder, site / f"{PREFIX}{folder}"
        if here.is_dir() and not here.is_symlink():
            _remove(aside)
            here.rename(aside)
    aside = site / PAGES
    _remove(aside)
    for page, (_, written) in _pages_record(site).items():
        here = site / page
        if _same(fingerprint_now(here), written):
            (aside / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(here, aside / page)


def discard(site: Path, folder: str) -> None:
    """A folder this build no longer writes: nothing of it stays set aside, or remembered."""
    _remove(site / f"{PREFIX}{folder}")
    record = _record(site)
    if folder in record:
        rest = {k: v for k, v in record.items() if k != folder}
        CACHE.get(("kept", str(site)), rest, lambda: rest, for_later=True)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


class Folder:
    """One folder of the site written file by file this build (site-relative paths under it).

    fresh: whatever is in the folder and not known from the last build is removed first (the
    search index: its files are named by content, and a stale one would be served); otherwise
    files already there are overwritten and others left (data files: as a --dirty build leaves
    a removed page's files)."""

    def __init__(self, site: Path, folder: str, fresh: bool):
        self.site, self.folder = site, folder
        self.written: dict[str, tuple[object, tuple]] = {}
        here, aside = inside(site, folder), site / f"{PREFIX}{folder}"
        known = _record(site).get(folder, {})
        if known and aside.is_dir() and not aside.is_symlink() and not here.exists():
            aside.rename(here)
        else:
            _remove(aside)
            known = {} if not here.is_dir() or here.is_symlink() else known
        if not known and fresh:
            _remove(here)
        self.on_disk = known
        self.made: set[Path] = set()

    def write(self, relative: str, data: str | bytes) -> None:
        """Write data (text as UTF-8) at relative (site-relative, inside this folder), unless
        the same data is there already."""
        parts = PurePosixPath(relative).parts
        if relative.startswith("/") or ".." in parts or len(parts) < 2 or parts[0] != self.folder:
            raise ValueError(f"refusing to write {relative!r} in {self.folder}/")
        target = self.site / relative
        before = self.on_disk.get(relative)
        if before is not None and before[0] == data and _same(fingerprint_now(target), before[1]):
            self.written[relative] = before
            return
        if target.parent not in self.made:  # each folder checked once: no link leads out of the site
            inside(self.site, posixpath.dirname(relative)).mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        if target.is_symlink():
            target.unlink()
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        if CACHE.later_builds:
            self.written[relative] = (data, fingerprint_now(target))

    def finish(self) -> None:
        """Remove what the last build wrote and this one did not, and remember what is there."""
        for stale in sorted(self.on_disk.keys() - self.written.keys(), reverse=True):
            path = self.site / stale
            path.unlink(missing_ok=True)
            while path.parent != self.site and path.parent.is_dir() and not any(path.parent.iterdir()):
                path = path.parent
                path.rmdir()
        if CACHE.later_builds:
            record = {**_record(self.site), self.folder: self.written}  # unchanged: the same record
            CACHE.get(("kept", str(self.site)), record, lambda: record, for_later=True)


class Pages:
    """Pages postbuild writes one by one beside MkDocs' own (the per-article pages it derives):
    serving, a page whose bytes are those written last time is given back its name from the
    link set_aside made (unchanged since, by fingerprint), instead of being written again."""

    def __init__(self, site: Path):
        self.site, self.aside = site, site / PAGES
        self.on_disk = _pages_record(site)
        self.written: dict[str, tuple[object, tuple]] = {}

    def write(self, page: str, path: Path, text: str) -> None:
        """Write text at path (the page's place in the site, already checked to be inside it)."""
        before = self.on_disk.get(page)
        if before is not None and before[0] == text and _same(fingerprint_now(self.aside / page), before[1]):
            if path.is_symlink() or path.exists():
                path.unlink()
            os.link(self.aside / page, path)
            self.written[page] = before
            return
        if path.is_symlink() or path.exists():  # never write through a second name
            path.unlink()
        path.write_text(text, encoding="utf-8")
        if CACHE.later_builds:
            self.written[page] = (text, fingerprint_now(path))

    def finish(self) -> None:
        _remove(self.aside)
        if CACHE.later_builds:
            written = self.written
            CACHE.get(("kept-pages", str(self.site)), written, lambda: written, for_later=True)
