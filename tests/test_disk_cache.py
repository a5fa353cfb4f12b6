"""The cache's second level (annotator.cache.Disk): values kept on disk by what they are made
from, read back by a new process, never when the content or the engine differs."""

from __future__ import annotations

import logging
import os

import pytest

from annotator import cache
from annotator.cache import Disk, file_content
from annotator.errors import AnnotationError


def _counting(value="value"):
    calls = []
    return calls, lambda: calls.append(1) or value


def test_a_new_process_reads_what_an_earlier_one_kept(tmp_path):
    calls, compute = _counting({"notes": (1, 2, 3)})
    assert Disk(tmp_path).remembered(("k", "a"), lambda: b"content", compute) == {"notes": (1, 2, 3)}
    later = Disk(tmp_path)  # another process: nothing in memory
    never = lambda: pytest.fail("computed again")  # noqa: E731
    assert later.remembered(("k", "a"), lambda: b"content", never) == {"notes": (1, 2, 3)}
    assert len(calls) == 1 and later.reused == 1


def test_other_content_another_key_or_another_engine_is_computed(tmp_path, monkeypatch):
    calls, compute = _counting()
    disk = Disk(tmp_path)
    disk.remembered("k", lambda: b"one", compute)
    disk.remembered("k", lambda: b"two", compute)
    disk.remembered("other", lambda: b"one", compute)
    assert len(calls) == 3
    monkeypatch.setattr(cache, "engine", lambda: b"a changed engine")
    disk.remembered("k", lambda: b"one", compute)
    assert len(calls) == 4


def test_the_engine_is_its_code_and_libraries(tmp_path, monkeypatch):
    """engine() digests the package's files and the installed distributions: changing either
    changes it (its cached value is for one process; __wrapped__ works it out again)."""
    package = tmp_path / "annotator"
    package.mkdir()
    (package / "cache.py").write_text("code")
    monkeypatch.setattr(cache, "__file__", str(package / "cache.py"))
    first = cache.engine.__wrapped__()
    assert first == cache.engine.__wrapped__()
    (package / "cache.py").write_text("changed code")
    changed = cache.engine.__wrapped__()
    assert changed != first
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "distributions", lambda: [])
    assert cache.engine.__wrapped__() != changed


def test_made_from_is_the_same_in_any_process():
    """Sets are sorted: a value's key on disk does not follow Python's per-process string hashing."""
    import subprocess
    import sys

    code = "from annotator.model import made_from; print(made_from(frozenset('abcdefgh'), ('x', {'k'})).hex())"
    keys = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1 and len(keys.pop()) > 10


def test_a_value_whose_inputs_changed_while_computing_is_not_kept(tmp_path):
    contents = iter([b"before", b"after"])
    Disk(tmp_path).remembered("k", lambda: next(contents), lambda: "made from either")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_errors_and_values_without_content_are_not_kept(tmp_path):
    disk = Disk(tmp_path)

    def broken():
        raise AnnotationError([])

    with pytest.raises(AnnotationError):
        disk.remembered("k", lambda: b"c", broken)
    calls, compute = _counting()
    disk.remembered("k", lambda: None, compute)
    disk.remembered("k", lambda: None, compute)
    assert len(calls) == 2 and not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_damaged_entry_is_computed_again_and_replaced(tmp_path):
    calls, compute = _counting()
    Disk(tmp_path).remembered("k", lambda: b"c", compute)
    (entry,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    entry.write_bytes(b"not a cache entry")
    assert Disk(tmp_path).remembered("k", lambda: b"c", compute) == "value" and len(calls) == 2
    assert Disk(tmp_path).remembered("k", lambda: b"c", compute) == "value" and len(calls) == 2


def test_a_folder_others_may_write_in_is_not_used(tmp_path, monkeypatch):
    tmp_path.chmod(0o777)
    said: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = said.append
    cache.log.addHandler(handler)
    monkeypatch.setattr(cache.log, "level", logging.INFO)
    calls, compute = _counting()
    try:
        Disk(tmp_path).remembered("k", lambda: b"c", compute)
        Disk(tmp_path).remembered("k", lambda: b"c", compute)
    finally:
        cache.log.removeHandler(handler)
    assert len(calls) == 2 and not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any("may write in it" in r.getMessage() for r in said)


def test_where_it_lives_and_how_to_turn_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.DISK_VARIABLE, "off")
    calls, compute = _counting()
    off = Disk.from_environment()
    off.remembered("k", lambda: b"c", compute)
    off.remembered("k", lambda: b"c", compute)
    assert off.root is None and len(calls) == 2
    monkeypatch.delenv(cache.DISK_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Disk.from_environment().root == tmp_path / "xdg" / "annotator"
    monkeypatch.setenv(cache.DISK_VARIABLE, str(tmp_path / "mine"))
    monkeypatch.setenv(cache.DISK_LIMIT_VARIABLE, "5")
    disk = Disk.from_environment()
    assert (disk.root, disk.limit) == (tmp_path / "mine", 5 * 2**20)


def test_trim_removes_the_least_recently_used_beyond_the_limit(tmp_path):
    disk = Disk(tmp_path, limit=10_000)
    for i in range(8):
        disk.remembered(("k", i), lambda: b"c", lambda i=i: os.urandom(2_000) + bytes([i]))
    entries = sorted((p for p in tmp_path.rglob("*") if p.is_file()), key=lambda p: p.stat().st_mtime_ns)
    for age, entry in enumerate(entries):  # oldest first, a second apart
        os.utime(entry, ns=(age * 10**9, age * 10**9))
    assert disk.trim() > 0
    left = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in left) <= 8_000
    assert entries[-1] in left and entries[0] not in left
    assert disk.trim() == 0  # under the limit: nothing more
    for i in range(8, 12):  # kept since: the folder is read again once they may exceed the limit
        disk.remembered(("k", i), lambda: b"c", lambda i=i: os.urandom(2_000) + bytes([i]))
    assert disk.trim() > 0
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) <= 8_000


def test_file_content_is_names_kinds_and_bytes(tmp_path):
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text("same")
    two.symlink_to(one)
    assert file_content([one]) == file_content([one])
    assert file_content([one]) != file_content([two])  # a link is not the file it points to
    before = file_content([one])
    one.write_text("else")
    assert file_content([one]) != before
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (cache.FILE_CONTENT_LIMIT + 1))
    assert file_content([one, big]) is None  # not read: nothing made from it is kept
