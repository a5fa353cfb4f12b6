"""The search page's index: records fed to Pagefind's service (no page per record), in parts of
PAGEFIND_SHARD records that search.js merges, and the whole-site file for reading from disk."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from annotator import kept, search
from annotator.search import Record

ASIDE = f"{kept.PREFIX}pagefind"


def _stored(folder) -> list[dict]:
    return [
        json.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))
        for p in (folder / "fragment").iterdir()
    ]


def test_records_are_indexed_in_parts_and_listed_for_merging(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "PAGEFIND_SHARD", 2)
    records = (Record(f"a.html#n-{i}", f"Note {i} <b>", f"text {i} <script>x</script> & more") for i in range(5))
    assert search.write_search_index(tmp_path, records) == 5
    shards = json.loads((tmp_path / "pagefind" / "shards.json").read_text())
    assert shards == ["pagefind/part-2/", "pagefind/part-3/"]
    assert (tmp_path / "pagefind" / "pagefind.js").is_file()
    stored = _stored(tmp_path / "pagefind")
    for folder in shards:  # a merged part holds only its index: the code and WebAssembly are the first's
        part = tmp_path / folder
        assert (part / "pagefind-entry.json").is_file() and not (part / "pagefind.js").exists()
        assert not list(part.glob("wasm.*"))
        stored += _stored(part)
    assert sorted(r["meta"]["link"] for r in stored) == [f"a.html#n-{i}" for i in range(5)]
    assert all(
        r["content"] == f"{r['meta']['title']} text {r['meta']['link'][-1]} <script>x</script> & more" for r in stored
    )
    offline = (tmp_path / "search" / "annotator-index.js").read_text()
    data = json.loads(offline.removeprefix("var __annotatorSearch = ").rstrip().removesuffix(";"))
    assert [r["link"] for r in data] == [f"a.html#n-{i}" for i in range(5)]
    assert not list(tmp_path.rglob("*.html"))  # no page per record


def test_a_small_site_has_one_index(tmp_path):
    records = [Record("a.html#n-1", "Note 1", "text")]
    assert search.write_search_index(tmp_path, iter(records)) == 1
    assert json.loads((tmp_path / "pagefind" / "shards.json").read_text()) == []
    assert not list((tmp_path / "pagefind").glob("part-*"))


def test_an_exact_multiple_of_the_part_size_writes_no_empty_part(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "PAGEFIND_SHARD", 2)
    assert search.write_search_index(tmp_path, [Record(f"p{i}.html", "T", "x") for i in range(4)]) == 4
    assert json.loads((tmp_path / "pagefind" / "shards.json").read_text()) == ["pagefind/part-2/"]


def test_a_page_stays_in_one_part_and_an_edit_indexes_only_its_part_again(tmp_path, monkeypatch):
    from annotator.cache import CACHE

    monkeypatch.setattr(search, "PAGEFIND_SHARD", 3)
    pages = (("a", 2), ("b", 2), ("c", 1))
    records = [Record(f"{page}.html#n-{i}", "T", f"text {page} {i}") for page, count in pages for i in range(count)]
    search.write_search_index(tmp_path / "one", records)
    assert json.loads((tmp_path / "one" / "pagefind" / "shards.json").read_text()) == ["pagefind/part-2/"]
    assert sorted(r["meta"]["link"] for r in _stored(tmp_path / "one" / "pagefind")) == ["a.html#n-0", "a.html#n-1"]
    indexed = []
    index_part = search._index_part
    monkeypatch.setattr(search, "_index_part", lambda folder, part: indexed.append(folder) or index_part(folder, part))
    records[-1] = Record("c.html#n-0", "T", "an edited note")
    search.write_search_index(tmp_path / "two", records)
    assert indexed == ["pagefind/part-2"]  # the second part only
    fresh = tmp_path / "fresh"
    CACHE.clear()
    search.write_search_index(fresh, records)
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    assert all((fresh / f).read_bytes() == (tmp_path / "two" / f).read_bytes() for f in files)


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_serving_rewrites_only_the_files_an_edit_changed(tmp_path, monkeypatch):
    """As `mkdocs serve` rebuilds: the index is set aside before the site folder is emptied,
    then taken back; files of unchanged parts are not written again, a part that is gone is
    removed, and the result is a fresh index's, file for file."""
    from annotator.cache import CACHE, Cache

    monkeypatch.setattr(search, "PAGEFIND_SHARD", 3)
    monkeypatch.setattr(CACHE, "later_builds", True)
    site = tmp_path / "site"
    records = [Record(f"{page}.html#n-{i}", "T", f"text {page} {i}") for page in "abcd" for i in range(2)]
    search.write_search_index(site, records)
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == [f"pagefind/part-{n}/" for n in (2, 3, 4)]
    first = {p: p.stat().st_mtime_ns for p in (site / "pagefind").rglob("*.pf_fragment")}

    def rebuild(records):
        kept.set_aside(site)
        assert not (site / "pagefind").exists() and (site / ASIDE).is_dir()
        written = []
        write_bytes = Path.write_bytes
        monkeypatch.setattr(  # the site's files (the cache's own, on disk, are not the site's)
            Path,
            "write_bytes",
            lambda self, data: (site in self.parents and written.append(self)) or write_bytes(self, data),
        )
        search.write_search_index(site, records)
        monkeypatch.setattr(Path, "write_bytes", write_bytes)
        assert not (site / ASIDE).exists()
        fresh = tmp_path / f"fresh-{len(records)}"
        with monkeypatch.context() as apart:  # a fresh index, by a cache of its own
            apart.setattr(search, "CACHE", Cache())
            search.write_search_index(fresh, records)
        assert _tree(site) == _tree(fresh)
        return written

    records[-1] = Record("d.html#n-1", "T", "an edited note")
    written = rebuild(records)
    assert written and all("part-4" in p.as_posix() for p in written)  # one page a part
    unchanged = [p for p in first if "part-4" not in p.as_posix()]
    assert unchanged and all(p.stat().st_mtime_ns == first[p] for p in unchanged)
    assert not rebuild(records)  # nothing changed: nothing written
    rebuild(records[:4])  # pages c and d gone: their parts are removed
    assert not (site / "pagefind" / "part-3").exists() and not (site / "pagefind" / "part-4").exists()


def test_an_index_set_aside_with_no_record_of_it_is_written_anew(tmp_path, monkeypatch):
    from annotator.cache import CACHE

    monkeypatch.setattr(CACHE, "later_builds", True)
    site = tmp_path / "site"
    (site / ASIDE / "fragment").mkdir(parents=True)
    (site / ASIDE / "fragment" / "planted.pf_fragment").write_text("x")
    (site / "pagefind").mkdir()
    (site / "pagefind" / "stale.txt").write_text("x")
    CACHE.clear()
    search.write_search_index(site, [Record("a.html#n-1", "T", "text")])
    assert not (site / ASIDE).exists() and not (site / "pagefind" / "stale.txt").exists()
    kept.set_aside(site)
    assert (site / ASIDE).is_dir()
    kept.discard(site, "pagefind")  # the site has no search page any more
    assert not (site / ASIDE).exists()
    kept.set_aside(site)  # nothing remembered: nothing set aside
    assert not (site / ASIDE).exists()
