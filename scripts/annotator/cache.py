"""The build's one cache: everything the package remembers between calls lives in `CACHE`.

A build asks for the same things many times (every page, the generated sections, postbuild),
and `mkdocs serve` builds again after every edit. Each entry is stored under a key (what was
asked: a function and its file, an article's slug) with a state (what the answer was computed
from: file fingerprints, or the content itself) and is used only while the state is unchanged,
so a changed file can never be answered from memory; a new state replaces the old entry.

- One fingerprint: `fingerprint(path)` (path, modification time, size, inode, mode; no read).
- Bounded: at most MAX_ENTRIES, least recently used dropped first.
- Per build: `sweep()` (the MkDocs plugin calls it after each build) forgets what the build did
  not use, so a long `serve` session holds what the current site needs, nothing more.
- Thread-safe: a lock around lookups, and one computation of a key at a time (others asking for
  it wait); no lock is held while computing, so a computation may ask for other entries (a
  publication asks for its articles) or wait on a thread that does.
- One look a build: between `building(True)` and `building(False)` (the MkDocs plugin's
  pre_build and post_build) each file's fingerprint is taken once.
- Errors are remembered like results and raised again (a broken file fails fast every time).
- Only what a build reuses: an entry asked `for_later` (a completed page, a search part: kept
  only for the next build to reuse) is not stored when no build follows in this process
  (`later_builds`, which the MkDocs plugin sets to whether it serves): a one-off build of a
  large site would otherwise hold every page it wrote.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from functools import wraps
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
MAX_ENTRIES = 20_000


def fingerprint(path: Path | str) -> tuple:
    """What says a file (or folder) changed, without reading it; a missing path has one too.
    During a build (Cache.building), each path is looked at once: the build sees one state of
    its files, and a site of thousands of files is not asked again for each page."""
    seen = CACHE.seen
    if seen is None:
        return fingerprint_now(path)
    name = os.fspath(path)  # as given: within one build the working folder does not change
    found = seen.get(name)
    if found is None:
        found = seen[name] = fingerprint_now(name)
    return found


def fingerprint_now(path: Path | str) -> tuple:
    """The fingerprint as the file is now, never the build's memo (for files a build writes)."""
    try:
        info = os.lstat(path)
    except OSError:
        return (os.path.abspath(path), None)
    return (os.path.abspath(path), info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode)


def fingerprints(paths: Iterable[Path | str]) -> tuple:
    return tuple(fingerprint(p) for p in paths)


def folder_fingerprint(folder: Path) -> tuple:
    """The folder and every entry directly in it (an annotation folder holds no subfolders)."""
    if not folder.is_dir() or folder.is_symlink():
        return (fingerprint(folder),)
    return (fingerprint(folder), *fingerprints(sorted(folder.iterdir())))


class Cache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, bool, object]] = OrderedDict()
        self._used: set[Hashable] = set()
        self._computing: dict[Hashable, threading.Event] = {}  # keys being computed, and who waits
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.later_builds = True  # will another build in this process reuse entries asked for_later?
        self.seen: dict[str, tuple] | None = None  # during a build: each file's fingerprint, once

    def building(self, started: bool) -> None:
        """A build starts (True) or ends (False): while it runs, fingerprint() looks at each
        file once (an edit saved during a build is seen by the next, which serve starts)."""
        self.seen = {} if started else None

    def get(self, key: Hashable, state: Hashable, compute: Callable[[], T], for_later: bool = False) -> T:
        """compute()'s value for key, computed again only when state differs from last time. One
        thread computes a key at a time (others asking for it wait for its value); the cache's own
        lock is not held while computing, so a computation may wait on a thread that asks the
        cache for something else. for_later: the value is asked once a build and kept only for a
        later build to reuse; with no later build (later_builds False) it is computed, not kept."""
        if for_later and not self.later_builds:
            with self._lock:
                self.misses += 1
            return compute()
        while True:
            with self._lock:
                found = self._entries.get(key)
                if found is not None and found[0] == state:
                    self.hits += 1
                    self._entries.move_to_end(key)
                    self._used.add(key)
                    break
                busy = self._computing.get(key)
                if busy is None:
                    busy = self._computing[key] = threading.Event()
                    mine = True
                else:
                    mine = False
            if not mine:
                busy.wait()  # another thread computes this key: then look again
                continue
            try:
                try:
                    found = (state, True, compute())
                except Exception as error:  # noqa: BLE001 (AnnotationError and kin, raised again below)
                    found = (state, False, error)
                with self._lock:
                    self.misses += 1
                    self._entries[key] = found
                    self._entries.move_to_end(key)
                    self._used.add(key)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:
                    del self._computing[key]
                busy.set()
            break
        _, ok, value = found
        if not ok:
            raise value
        return value

    def previous(self, key: Hashable):
        """The last value stored under key, whatever its state (None if none or an error)."""
        with self._lock:
            found = self._entries.get(key)
        return found[2] if found is not None and found[1] else None

    def last(self, key: Hashable) -> tuple | None:
        """(state, value) last stored under key, or None if none or an error."""
        with self._lock:
            found = self._entries.get(key)
        return (found[0], found[2]) if found is not None and found[1] else None

    def by_file(self, function: Callable[[Path], T]) -> Callable[[Path], T]:
        """function(path), remembered until the file's fingerprint changes."""
        name = f"{function.__module__}.{function.__qualname__}"

        @wraps(function)
        def cached(path: Path) -> T:
            return self.get((name, os.path.abspath(path)), fingerprint(path), lambda: function(path))

        return cached

    def by_content(self, function: Callable[[str], T]) -> Callable[[str], T]:
        """function(text), remembered by the text itself (a note rendered once for the page,
        the search index and the data files)."""
        name = f"{function.__module__}.{function.__qualname__}"

        @wraps(function)
        def cached(text: str) -> T:
            return self.get((name, text), None, lambda: function(text))

        return cached

    def sweep(self) -> int:
        """Forget every entry not used since the last sweep; how many were dropped."""
        with self._lock:
            stale = [key for key in self._entries if key not in self._used]
            for key in stale:
                del self._entries[key]
            self._used.clear()
            return len(stale)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


CACHE = Cache()
