"""Folders of the site that postbuild writes whole (the search index, the data files, the
one-file editions), and the pages it derives, kept from one build to the next.

MkDocs empties the site folder before every build, so each build would write them all again:
at 200 articles, 18,000 search files and 400 data files and editions (some 170 MB) for an edit to
one note, or for none. Instead, before the folder is emptied, each such folder is set aside under
a hidden name (MkDocs leaves dot entries alone: `set_aside`), and the build takes it back
(`Folder`): a file whose bytes are those written last time (by digest), and which is unchanged
on disk since (by fingerprint), is left as it is; any other is written; a file no longer wanted
is removed. Derived pages sit beside MkDocs' own, so each gets a second, hidden name instead
(`Pages`, a hard link), and its name back when unchanged.

What was written (each file's digest and fingerprint) is remembered in the one cache (`CACHE`):
in memory while a build follows in this process (`mkdocs serve`), and on disk (`Disk.put`), so a
new process (`mkdocs build` again) finds it too. Without a record, nothing is set aside.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
from pathlib import Path, PurePosixPath

from .cache import CACHE, fingerprint_now
from .inputs import inside

PREFIX = ".annotator-kept-"  # hidden: MkDocs' clean_directory leaves dot entries
PAGES = f"{PREFIX}pages"  # second names of the pages Pages wrote


def _mark(path: Path) -> tuple:
    """What tells a file's bytes changed, under any name (a hard link shares it): its fingerprint
    without the path (modification time, size, inode, mode)."""
    return fingerprint_now(path)[1:]


def _same(one: tuple, other: tuple) -> bool:
    return one[0] is not None and one == other


def _pages_record(site: Path) -> dict[str, tuple[bytes, tuple]]:
    """{site-relative page: (digest of what was written, its mark after writing)}."""
    return _last(("kept-pages", str(site)))


def _record(site: Path) -> dict[str, dict[str, tuple[bytes, tuple]]]:
    """{folder: {site-relative path: (digest of what was written, its mark after writing)}}."""
    return _last(("kept", str(site)))


_ON_DISK: dict[tuple, dict] = {}  # each record as this process last read or put it on disk


def _last(key: tuple) -> dict:
    """The last record under key: this process's, else one an earlier process left on disk."""
    found = CACHE.previous(key)
    if found is None:
        found = _ON_DISK[key] = CACHE.disk.last(key) or {}
    return found


def _remember(key: tuple, record: dict) -> None:
    """Keep record as key's last: in memory while a build follows in this process, and on disk
    unless it is there already (a build that changed nothing writes nothing)."""
    if CACHE.later_builds:
        CACHE.get(key, record, lambda: record, for_later=True)
    if _ON_DISK.get(key) != record:
        CACHE.disk.put(key, record)
        _ON_DISK[key] = record


def _digest(data: str | bytes) -> bytes:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).digest()


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
        if _same(_mark(here), written):
            (aside / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(here, aside / page)


def discard(site: Path, folder: str) -> None:
    """A folder this build no longer writes: nothing of it stays set aside, or remembered."""
    _remove(site / f"{PREFIX}{folder}")
    record = _record(site)
    if folder in record:
        _remember(("kept", str(site)), {k: v for k, v in record.items() if k != folder})


def tidy(site: Path) -> None:
    """After a build: remove whatever is still set aside (a folder no step took back)."""
    for entry in site.glob(f"{PREFIX}*"):
        _remove(entry)


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
        before, digest = self.on_disk.get(relative), _digest(data)
        if before is not None and before[0] == digest and _same(_mark(target), before[1]):
            self.written[relative] = before
            return
        if target.parent not in self.made:  # each folder checked once: no link leads out of the site
            inside(self.site, posixpath.dirname(relative)).mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        if target.is_symlink():
            target.unlink()
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.written[relative] = (digest, _mark(target))

    def finish(self) -> None:
        """Remove what the last build wrote and this one did not, and remember what is there."""
        for stale in sorted(self.on_disk.keys() - self.written.keys(), reverse=True):
            path = self.site / stale
            path.unlink(missing_ok=True)
            while path.parent != self.site and path.parent.is_dir() and not any(path.parent.iterdir()):
                path = path.parent
                path.rmdir()
        _remember(("kept", str(self.site)), {**_record(self.site), self.folder: self.written})


class Pages:
    """Pages postbuild writes one by one beside MkDocs' own (the per-article pages it derives):
    a page whose bytes are those written last time is given back its name from the link
    set_aside made (unchanged since, by fingerprint), instead of being written again."""

    def __init__(self, site: Path):
        self.site, self.aside = site, site / PAGES
        self.on_disk = _pages_record(site)
        self.written: dict[str, tuple[bytes, tuple]] = {}

    def write(self, page: str, path: Path, text: str) -> None:
        """Write text at path (the page's place in the site, already checked to be inside it)."""
        before, digest = self.on_disk.get(page), _digest(text)
        if before is not None and before[0] == digest and _same(_mark(self.aside / page), before[1]):
            if path.is_symlink() or path.exists():
                path.unlink()
            os.link(self.aside / page, path)
            self.written[page] = before
            return
        if path.is_symlink() or path.exists():  # never write through a second name
            path.unlink()
        path.write_text(text, encoding="utf-8")
        self.written[page] = (digest, _mark(path))

    def finish(self) -> None:
        _remove(self.aside)
        _remember(("kept-pages", str(self.site)), self.written)
