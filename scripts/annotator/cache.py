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
- Across processes: an entry asked with `content` (bytes saying everything its value is made
  from: files' bytes, never their dates) is also kept on disk (`Disk`), so another run of the
  build (`scripts/build` again, `annotator postbuild` after `zensical build`) reuses what an
  earlier one computed from the same content with the same engine.
- Only what a build reuses: an entry asked `for_later` (a completed page, a search part: kept
  only for the next build to reuse) is not stored when no build follows in this process
  (`later_builds`, which the MkDocs plugin sets to whether it serves): a one-off build of a
  large site would otherwise hold every page it wrote.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import stat
import sys
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextlib import suppress
from functools import cache, partial, wraps
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
MAX_ENTRIES = 20_000
DISK_VARIABLE = "ANNOTATOR_CACHE_DIR"  # where Disk keeps its entries; "off": nowhere
DISK_LIMIT_VARIABLE = "ANNOTATOR_CACHE_MB"  # how much it may keep, in megabytes
DISK_LIMIT_MB = 2048
FILE_CONTENT_LIMIT = 16 * 2**20  # larger than any input the build accepts (inputs.MAX_FILE_BYTES)
log = logging.getLogger("mkdocs.plugins.annotator")


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
        self.disk = Disk.from_environment()

    def building(self, started: bool) -> None:
        """A build starts (True) or ends (False): while it runs, fingerprint() looks at each
        file once (an edit saved during a build is seen by the next, which serve starts)."""
        self.seen = {} if started else None

    def get(
        self,
        key: Hashable,
        state: Hashable,
        compute: Callable[[], T],
        for_later: bool = False,
        content: Callable[[], bytes | None] | None = None,
    ) -> T:
        """compute()'s value for key, computed again only when state differs from last time. One
        thread computes a key at a time (others asking for it wait for its value); the cache's own
        lock is not held while computing, so a computation may wait on a thread that asks the
        cache for something else. for_later: the value is asked once a build and kept only for a
        later build to reuse; with no later build (later_builds False) it is computed, not kept.
        content: what the value is made from, as bytes (Disk.remembered): a value not in memory
        is then looked for on disk, and kept there once computed."""
        if content is not None:
            compute = partial(self.disk.remembered, key, content, compute)
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

    def by_file(self, function: Callable[[Path], T] | None = None, *, on_disk: bool = True):
        """function(path), remembered until the file's fingerprint changes, and on disk by the
        file's bytes (function must read nothing but that file). on_disk=False: in memory only,
        for a value cheaper to compute again than to keep (`@CACHE.by_file(on_disk=False)`)."""
        if function is None:
            return partial(self.by_file, on_disk=on_disk)
        name = f"{function.__module__}.{function.__qualname__}"

        @wraps(function)
        def cached(path: Path) -> T:
            content = partial(file_content, [path]) if on_disk else None
            return self.get((name, os.path.abspath(path)), fingerprint(path), lambda: function(path), content=content)

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


class Disk:
    """The cache's second level: values kept on disk by what they are made from, so that a new
    process reuses what an earlier one computed.

    An entry is named by a digest of the engine (this package's files, the installed libraries'
    versions, Python's), its key and its content; a changed input or engine never finds an old
    value, at worst an entry is computed again. Entries are pickles, which only a trusted
    writer may produce: the folder is outside the repository ($ANNOTATOR_CACHE_DIR, else
    $XDG_CACHE_HOME/annotator, else ~/.cache/annotator), so a pull request cannot put one there,
    and a folder owned by another user or writable by others is not used. Bounded: `trim()`
    (after each build) removes the least recently used entries beyond $ANNOTATOR_CACHE_MB
    (default 2048). ANNOTATOR_CACHE_DIR=off keeps nothing."""

    def __init__(self, root: Path | None, limit: int = DISK_LIMIT_MB * 2**20):
        self.root, self.limit = root, limit
        self.reused = self.kept = 0
        self._checked = False
        self._total: int | None = None  # bytes in the folder at the last trim, plus those kept since

    @classmethod
    def from_environment(cls) -> Disk:
        where = os.environ.get(DISK_VARIABLE, "")
        if where.lower() == "off":
            return cls(None)
        if not where:
            base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
            where = os.path.join(base, "annotator")
        try:
            limit = int(os.environ.get(DISK_LIMIT_VARIABLE) or DISK_LIMIT_MB) * 2**20
        except ValueError:
            limit = DISK_LIMIT_MB * 2**20
        return cls(Path(where).absolute(), limit)

    def usable(self) -> bool:
        """Is the folder there (made if not), this user's, and writable by nobody else? Looked
        at once."""
        if self.root is None or self._checked:
            return self.root is not None
        self._checked = True
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.lstat(self.root)
        except OSError:
            return self._refuse("it cannot be made")
        if not stat.S_ISDIR(info.st_mode):
            return self._refuse("it is not a folder")
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            return self._refuse("another user owns it or may write in it")
        return True

    def _refuse(self, why: str) -> bool:
        # Said, not warned: a cache it cannot keep slows a build, it does not fail it (--strict).
        log.info("annotator: not keeping the build's cache in %s: %s", self.root, why)
        self.root = None
        return False

    def path(self, key: Hashable, content: bytes) -> Path:
        digest = hashlib.sha256(engine())
        digest.update(repr(key).encode("utf-8", "backslashreplace"))
        digest.update(b"\0")
        digest.update(content)
        name = digest.hexdigest()
        return self.root / name[:2] / name

    def remembered(self, key: Hashable, content: Callable[[], bytes | None], compute: Callable[[], T]) -> T:
        """compute()'s value, read from disk when this engine computed it from the same content
        before; else computed and kept, unless content() changed while computing (an edit saved
        meanwhile: the value may be made from either). content() None: nothing on disk."""
        if not self.usable() or (before := content()) is None:
            return compute()
        path = self.path(key, before)
        found, value = self._read(path)
        if found:
            self.reused += 1
            return value
        value = compute()
        if content() == before:
            self._write(path, value)
        return value

    def last(self, key: Hashable):
        """The value last put under key by this engine (any process), or None."""
        return self._read(self.path(("last", key), b""))[1] if self.usable() else None

    def put(self, key: Hashable, value) -> None:
        """Keep value as key's last (`last`), for a later process."""
        if self.usable():
            self._write(self.path(("last", key), b""), value)

    def _read(self, path: Path) -> tuple[bool, object]:
        """(found, value) of the entry at path; a damaged one is removed (computed again)."""
        try:
            value = _Unpickler(io.BytesIO(zlib.decompress(path.read_bytes()))).load()
        except FileNotFoundError:
            return False, None
        except Exception:  # noqa: BLE001 (a damaged entry: as if none, and replaced)
            with suppress(OSError):
                path.unlink(missing_ok=True)
            return False, None
        with suppress(OSError):  # another build may have trimmed it meanwhile
            os.utime(path)  # recently used: trim() keeps it
        return True, value

    def _write(self, path: Path, value) -> None:
        """Keep value at path: pickled and compressed as it is written (in frames: a large page
        is never held twice in memory), under a temporary name, then renamed (a reader never
        sees half an entry). Any failure (a value pickle cannot keep, a full disk, the folder
        gone) leaves nothing: the value is computed next time, and the build goes on."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            with open(temporary, "wb") as file:
                packed = _Compressed(file)
                _Pickler(packed, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
                packed.close()
            os.replace(temporary, path)
        except Exception:  # noqa: BLE001 (see above)
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self.kept += 1
        if self._total is not None:
            self._total += packed.size

    def trim(self) -> int:
        """Remove the least recently used entries until the folder holds at most 80 % of the
        limit (when it holds more than the limit); how many were removed. The folder is read
        again only when what it held at the last trim and what was kept since may exceed it."""
        if self.root is None or not self.root.is_dir():
            return 0
        if self._total is not None and self._total <= self.limit:
            return 0
        entries = []
        with suppress(OSError):  # another build trimming at once: what is gone is not counted
            for folder in os.scandir(self.root):
                if folder.is_dir(follow_symlinks=False):
                    for entry in os.scandir(folder.path):
                        info = entry.stat(follow_symlinks=False)
                        entries.append((info.st_mtime_ns, info.st_size, entry.path))
        total = self._total = sum(size for _, size, _ in entries)
        if total <= self.limit:
            return 0
        removed = 0
        for _, size, path in sorted(entries):
            if total <= self.limit * 0.8:
                break
            with suppress(OSError):
                Path(path).unlink(missing_ok=True)
            total -= size
            removed += 1
        self._total = total
        return removed


class _Pickler(pickle.Pickler):
    """Pickles a long non-ASCII text as its UTF-8 bytes, encoded here: pickle's own encoding keeps
    a UTF-8 copy inside the text for as long as it lives (CPython's PyUnicode_AsUTF8AndSize), and
    the build holds its pages' texts to the end: 0.7 MB more memory an article."""

    def persistent_id(self, obj):
        if type(obj) is str and len(obj) > 256 and not obj.isascii():
            return obj.encode("utf-8", "surrogatepass")
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        if type(pid) is not bytes:
            raise pickle.UnpicklingError("not an entry of this cache")
        return pid.decode("utf-8", "surrogatepass")


class _Compressed:
    """A file pickle writes to, compressed on the way (zlib, fast level)."""

    def __init__(self, file):
        self.file, self.size = file, 0
        self._zlib = zlib.compressobj(1)

    def write(self, data) -> int:
        self._put(self._zlib.compress(data))
        return len(data)

    def close(self) -> None:
        self._put(self._zlib.flush())

    def _put(self, data: bytes) -> None:
        if data:
            self.file.write(data)
            self.size += len(data)


@cache
def engine() -> bytes:
    """What the engine is: a digest of this package's files (code, schema, theme, assets), the
    versions of every installed distribution, and Python's version. Taken once per process."""
    from importlib.metadata import distributions

    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    digest.update("\n".join(versions).encode())
    return digest.digest()


def file_content(paths: Iterable[Path | str]) -> bytes | None:
    """Each path's name, kind and (a regular file) bytes, as one digest: what a value made from
    those files depends on. None (keep nothing on disk) if a file is over FILE_CONTENT_LIMIT: no
    input of the build is that large, it is refused, and is not read here."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            info = os.lstat(path)
        except OSError:
            kind, data = "missing", b""
        else:
            if stat.S_ISREG(info.st_mode) and info.st_size > FILE_CONTENT_LIMIT:
                return None
            kind = stat.filemode(info.st_mode)[0]
            data = Path(path).read_bytes() if stat.S_ISREG(info.st_mode) else b""
        digest.update(f"{os.fspath(path)}\0{kind}\0{len(data)}\0".encode("utf-8", "backslashreplace"))
        digest.update(data)
    return digest.digest()


CACHE = Cache()
