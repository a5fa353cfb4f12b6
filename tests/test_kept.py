"""kept.py: the folders postbuild writes whole survive MkDocs emptying the site folder, and a
rebuild (under `mkdocs serve`, or a new process by the record kept on disk) writes only the files
whose bytes changed."""

from __future__ import annotations

import pytest

from annotator import kept
from annotator.cache import CACHE, Disk


@pytest.fixture
def serving(monkeypatch):
    monkeypatch.setattr(CACHE, "later_builds", True)
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


def _empty_as_mkdocs_does(site):
    """MkDocs' clean_directory: every entry but the hidden ones."""
    for entry in site.iterdir():
        if not entry.name.startswith("."):
            kept._remove(entry)


def _build(site, files: dict[str, str]) -> list[str]:
    """One build writing files into the data folder; the files it actually wrote (a file left
    as it was keeps the last build's record of it)."""
    folder = kept.Folder(site, "data", fresh=False)
    for relative, text in files.items():
        folder.write(relative, text)
    folder.finish()
    return [r for r in files if r not in folder.on_disk or folder.written.get(r) is not folder.on_disk[r]]


def test_a_rebuild_writes_only_what_changed_and_removes_what_is_gone(site, serving):
    one, two = "data/one.jsonld", "data/two.jsonld"
    texts = {one: "first", two: "second"}
    assert sorted(_build(site, texts)) == [one, two]
    inode = (site / one).stat().st_ino

    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    assert not (site / "data").exists() and (site / f"{kept.PREFIX}data" / "one.jsonld").is_file()
    texts[two] = "second, edited"
    assert _build(site, texts) == [two]  # one.jsonld is left as it was
    assert (site / one).stat().st_ino == inode
    assert (site / two).read_text() == "second, edited"

    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    _build(site, {one: "first"})  # two's article is gone
    assert sorted(p.name for p in (site / "data").iterdir()) == ["one.jsonld"]
    assert not any(p.name.startswith(".") for p in site.iterdir())


def test_a_file_changed_on_disk_since_is_written_again(site, serving):
    _build(site, {"data/one.jsonld": "first"})
    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    (site / f"{kept.PREFIX}data" / "one.jsonld").write_text("tampered, same length?")
    _build(site, {"data/one.jsonld": "first"})
    assert (site / "data" / "one.jsonld").read_text() == "first"


def test_a_new_process_finds_the_record_an_earlier_one_kept_on_disk(site, tmp_path, monkeypatch):
    """`mkdocs build`, then `mkdocs build` again: nothing in memory, the record on disk."""
    monkeypatch.setattr(CACHE, "later_builds", False)
    monkeypatch.setattr(CACHE, "disk", Disk(tmp_path / "disk"))
    CACHE.clear()
    one, two = "data/one.jsonld", "data/two.jsonld"
    assert sorted(_build(site, {one: "first", two: "second"})) == [one, two]
    inode = (site / one).stat().st_ino
    CACHE.clear()  # a new process
    monkeypatch.setattr(CACHE, "disk", Disk(tmp_path / "disk"))
    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    assert _build(site, {one: "first", two: "second, edited"}) == [two]
    assert (site / one).stat().st_ino == inode and (site / two).read_text() == "second, edited"


def test_with_no_record_nothing_is_set_aside(site, monkeypatch):
    """No cache on disk (ANNOTATOR_CACHE_DIR=off) and no build before in this process."""
    monkeypatch.setattr(CACHE, "later_builds", False)
    monkeypatch.setattr(CACHE, "disk", Disk(None))
    CACHE.clear()
    _build(site, {"data/one.jsonld": "first"})
    kept.set_aside(site)
    assert (site / "data" / "one.jsonld").is_file() and not list(site.glob(".*"))


@pytest.mark.parametrize("relative", ["data/../escape.txt", "/data/x", "other/x", "data"])
def test_a_path_outside_the_folder_is_refused(site, serving, relative):
    folder = kept.Folder(site, "data", fresh=False)
    with pytest.raises(ValueError):
        folder.write(relative, "x")


def test_a_link_out_of_the_site_is_not_followed(site, tmp_path, serving):
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "data").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError):
        kept.Folder(site, "data", fresh=False)
    (site / "data").unlink()
    folder = kept.Folder(site, "data", fresh=False)
    (site / "data").mkdir()
    (site / "data" / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError):
        folder.write("data/sub/one.jsonld", "first")
    assert not list(outside.iterdir())


def test_pages_beside_mkdocs_own_are_linked_back_when_unchanged(site, serving):

    def build(texts: dict[str, str]) -> None:
        pages = kept.Pages(site)
        for page, text in texts.items():
            pages.write(page, site / page, text)
        pages.finish()

    texts = {"claims-a.html": "<p>a</p>", "claims-b.html": "<p>b</p>"}
    build(texts)
    inode = (site / "claims-a.html").stat().st_ino
    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    assert not (site / "claims-a.html").exists()
    texts["claims-b.html"] = "<p>b, edited</p>"
    build(texts)
    assert (site / "claims-a.html").stat().st_ino == inode  # its name back, nothing written
    assert (site / "claims-b.html").read_text() == "<p>b, edited</p>"
    assert not (site / kept.PAGES).exists()

    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    (site / kept.PAGES / "claims-a.html").write_text("<p>tampered</p>")
    build(texts)
    assert (site / "claims-a.html").read_text() == "<p>a</p>"  # changed since: written again


def test_nothing_set_aside_stays_after_a_build(site, serving):
    _build(site, {"data/one.jsonld": "first"})
    kept.set_aside(site)
    _empty_as_mkdocs_does(site)
    assert list(site.glob(f"{kept.PREFIX}*"))  # set aside, and this build writes no data folder
    kept.tidy(site)
    assert not list(site.iterdir())
