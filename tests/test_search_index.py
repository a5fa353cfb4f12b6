"""The search page's index: records fed to Pagefind's service (no page per record), in parts of
PAGEFIND_SHARD records that search.js merges, and the whole-site file for reading from disk."""

from __future__ import annotations

import gzip
import json

from annotator import search
from annotator.search import Record


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
    misses = CACHE.misses
    records[-1] = Record("c.html#n-0", "T", "an edited note")
    search.write_search_index(tmp_path / "two", records)
    assert CACHE.misses == misses + 1  # the second part only
    fresh = tmp_path / "fresh"
    CACHE.clear()
    search.write_search_index(fresh, records)
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file())
    assert all((fresh / f).read_bytes() == (tmp_path / "two" / f).read_bytes() for f in files)
