"""A rebuild never serves a stale page: after every kind of edit, a build that reuses the cache
(as `mkdocs serve` does, in one process) and a `mkdocs build --dirty` write exactly the files a
clean build writes, byte for byte."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cache import CACHE, DISK_VARIABLE

SAMPLE = Path(__file__).parent / "sample-site"


def _build(folder: Path, site: Path) -> None:
    """A build in this process as `mkdocs serve` makes it, so the cache holds what the last one
    computed (serve's rebuilds also remember converted and rendered pages)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    config = load_config(str(folder / "mkdocs.yml"), site_dir=str(site), strict=True)
    config.plugins.on_startup(command="serve", dirty=False)  # serve's rebuilds remember pages
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def _build_apart(folder: Path, site: Path, *options: str, disk: Path | str | None = None) -> None:
    """`mkdocs build` in a process of its own (the theme's search plugin keeps state between
    builds of one process, which a real `mkdocs build` never sees). disk: the cache's folder
    on disk (cache.Disk), "off" for none; default the test session's."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    if disk is not None:
        env[DISK_VARIABLE] = str(disk)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", *options, "-d", str(site)]
    subprocess.run(command, cwd=folder, env=env, check=True)


def _files(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def _clean(folder: Path, site: Path) -> dict[str, str]:
    """A build from nothing: a new process, an empty site folder, no cache on disk."""
    shutil.rmtree(site, ignore_errors=True)
    _build_apart(folder, site, disk="off")
    return _files(site)


def _entries(disk: Path) -> dict[str, int]:
    """The cache's entries on disk, by name, with their inode (a value kept again gets a new one)."""
    return {p.name: p.stat().st_ino for p in disk.rglob("*") if p.is_file()}


def _append(path: Path, words: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + words + "\n", encoding="utf-8")


def _note(folder: Path) -> None:
    _append(sorted((folder / "annotations" / "harbour-report").glob("*.md"))[0], " An edited note.")


def _source(folder: Path) -> None:
    path = folder / "annotations" / "council-vote" / "repairs-cost-less-than.md"
    path.write_text(path.read_text().replace("Audit of the harbour works", "Audit of the harbour repairs"))


def _policy(folder: Path) -> None:
    path = folder / "annotations" / "reliability.yaml"
    text = path.read_text()
    assert "label: reliable outlet" in text
    path.write_text(text.replace("label: reliable outlet", "label: reliable news outlet"))


def _article_text(folder: Path) -> None:
    _append(folder / "docs" / "council-vote.md", "\n\nA paragraph added at the end.")


def _new_article(folder: Path) -> None:
    text = (folder / "docs" / "council-vote.md").read_text()
    text = text.replace("annotations: council-vote", "annotations: council-vote-again")
    (folder / "docs" / "council-vote-again.md").write_text(text + "\nA second, different edition.\n")
    shutil.copytree(folder / "annotations" / "council-vote", folder / "annotations" / "council-vote-again")


def _removed_article(folder: Path) -> None:
    (folder / "docs" / "council-vote.md").unlink()
    shutil.rmtree(folder / "annotations" / "council-vote")


def _site_name(folder: Path) -> None:
    """A setting every page's template shows (a rendered page is remembered with the settings)."""
    path = folder / "mkdocs.yml"
    path.write_text(path.read_text().replace("site_name: Sample annotated site", "site_name: Sample site"))


def _page_title(folder: Path) -> None:
    """A page that is not an article: its new title is in every page's navigation."""
    path = folder / "docs" / "claims.md"
    path.write_text(path.read_text().replace("title: Claims", "title: Every claim"))


# In the order they are made, each on top of the last, as edits come in under `mkdocs serve`
# (the removed article last: a dirty build keeps a removed page's files, as MkDocs' own does).
EDITS = {
    "note": _note,
    "source": _source,
    "policy": _policy,
    "site name": _site_name,
    "page title": _page_title,
    "article text": _article_text,
    "new article": _new_article,
    "removed article": _removed_article,
}


@pytest.fixture
def site(tmp_path) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(SAMPLE, folder)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    yield folder
    CACHE.clear()


def test_a_warm_rebuild_and_a_dirty_build_equal_a_clean_build_after_each_edit(site, tmp_path):
    """After each kind of edit: serve's rebuild (memory), `mkdocs build --dirty`, and `mkdocs
    build` in a new process with the cache an earlier build kept on disk all equal a build from
    nothing."""
    warm, dirty, again, disk = tmp_path / "warm", tmp_path / "dirty", tmp_path / "again", tmp_path / "disk"
    CACHE.clear()
    _build(site, warm)
    _build_apart(site, dirty)
    _build_apart(site, again, disk=disk)
    before = _files(warm)
    for edit, make in EDITS.items():
        make(site)
        _build(site, warm)  # the cache holds the last build: what serve does after an edit
        _build_apart(site, dirty, "--dirty")
        kept = _entries(disk)
        _build_apart(site, again, disk=disk)
        reused = {name for name, inode in _entries(disk).items() if kept.get(name) == inode}
        assert reused, f"{edit}: the build in a new process reused nothing from the disk"
        expected = _clean(site, tmp_path / "clean")
        assert expected != before, f"{edit}: the edit changed nothing: the test would prove nothing"
        built_apart = (("warm rebuild", _files(warm)), ("dirty build", _files(dirty)), ("new process", _files(again)))
        for name, built in built_apart:
            stale = sorted(p for p in expected if built.get(p) != expected[p])
            kept = name == "dirty build" and edit == "removed article"  # its files stay, as in MkDocs' --dirty
            extra = [] if kept else sorted(set(built) - set(expected))
            assert not stale and not extra, f"{edit}: the {name} differs from a clean build: {stale[:8]} {extra[:8]}"
        before = expected


def test_a_new_process_with_nothing_changed_computes_nothing_kept_on_disk(site, tmp_path):
    """`mkdocs build` again, nothing changed: every value the first build kept on disk (each
    article's notes, converted page, completed pages, data, search index) is read back, none
    computed and kept again, and the site is the same, byte for byte."""
    disk = tmp_path / "disk"
    _build_apart(site, tmp_path / "a", disk=disk)
    first, kept = _files(tmp_path / "a"), _entries(disk)
    articles = [p for p in (site / "docs").glob("*.md") if "annotations:" in p.read_text()]
    assert len(kept) > 3 * len(articles) > 0  # notes, converted page, completed page, data... for each
    _build_apart(site, tmp_path / "a", disk=disk)
    assert _files(tmp_path / "a") == first
    assert _entries(disk) == kept, "entries were computed and kept again with nothing changed"
    assert _files(tmp_path / "a") == _clean(site, tmp_path / "clean")


def test_a_rebuild_with_nothing_changed_reuses_every_page(site, tmp_path, monkeypatch):
    CACHE.clear()
    _build(site, tmp_path / "a")
    before = _files(tmp_path / "a")
    misses = CACHE.misses
    rewritten = []
    write_text = Path.write_text
    monkeypatch.setattr(
        Path, "write_text", lambda self, *a, **k: rewritten.append(self.name) or write_text(self, *a, **k)
    )
    _build(site, tmp_path / "a")
    monkeypatch.setattr(Path, "write_text", write_text)
    assert _files(tmp_path / "a") == before
    # MkDocs wrote each article page completed, as the last build left it: postbuild wrote none again.
    articles = [f"{p.stem}.html" for p in (site / "docs").glob("*.md") if "annotations:" in p.read_text()]
    assert articles and not set(articles) & set(rewritten), rewritten
    # The per-article pages postbuild derives got their names back from the last build's files.
    derived = [n for n in before if n.startswith(("claims-", "sources-", "corrections-"))]
    assert derived and not set(derived) & set(rewritten), rewritten
    # Nothing is computed again but what depends on the output folder's fresh pages' states.
    assert CACHE.misses == misses, f"{CACHE.misses - misses} entries computed again with nothing changed"
