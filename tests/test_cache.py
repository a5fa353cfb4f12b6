"""The one cache (annotator.cache) and what uses it: answers change exactly when files do."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from annotator.cache import CACHE, Cache, fingerprint
from annotator.errors import AnnotationError
from annotator.pipeline import prepare
from annotator.store import Store

SAMPLE = Path(__file__).parent / "sample-site"


def test_an_entry_is_computed_again_only_when_its_state_changes():
    cache, calls = Cache(), []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.get("k", 1, compute) == 1
    assert cache.get("k", 1, compute) == 1 and len(calls) == 1
    assert cache.get("k", 2, compute) == 2 and len(cache) == 1  # the new state replaces the old entry
    assert (cache.hits, cache.misses) == (1, 2)


def test_an_error_is_remembered_and_raised_again():
    cache, calls = Cache(), []

    def broken():
        calls.append(1)
        raise AnnotationError([])

    for _ in range(3):
        with pytest.raises(AnnotationError):
            cache.get("k", "s", broken)
    assert len(calls) == 1
    assert cache.previous("k") is None  # an error is never someone's last good value


def test_it_is_bounded_least_recently_used_first():
    cache = Cache(max_entries=3)
    for key in "abc":
        cache.get(key, 0, lambda key=key: key)
    cache.get("a", 0, lambda: "again")  # a is used: b is now the oldest
    cache.get("d", 0, lambda: "d")
    assert len(cache) == 3 and cache.previous("b") is None and cache.previous("a") == "a"


def test_a_sweep_forgets_what_the_last_build_did_not_use():
    cache = Cache()
    cache.get("old", 0, lambda: 1)
    cache.sweep()
    cache.get("current", 0, lambda: 2)
    assert cache.sweep() == 1 and cache.previous("old") is None and cache.previous("current") == 2


def test_what_only_a_later_build_would_reuse_is_not_kept_when_none_follows():
    cache, calls = Cache(), []

    def compute():
        calls.append(1)
        return "page"

    assert cache.get("kept", 1, compute, for_later=True) == "page"
    assert cache.get("kept", 1, compute, for_later=True) == "page" and len(calls) == 1  # serving: reused
    cache.later_builds = False  # a one-off build: computed each time asked, never stored
    assert cache.get("one-off", 1, compute, for_later=True) == "page"
    assert cache.get("one-off", 1, compute, for_later=True) == "page" and len(calls) == 3
    assert len(cache) == 1
    assert cache.get("shared", 1, compute) == "page" and cache.get("shared", 1, compute) == "page"
    assert len(calls) == 4 and len(cache) == 2  # what a build asks for again is still kept


def test_concurrent_askers_compute_once():
    cache, calls, barrier = Cache(), [], threading.Barrier(8)

    def ask():
        barrier.wait()
        cache.get("k", 0, lambda: calls.append(1) or "v")

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]


def test_by_file_reads_again_after_an_edit(tmp_path):
    cache, reads = Cache(), []
    path = tmp_path / "f.txt"
    path.write_text("one")

    @cache.by_file
    def read(p: Path) -> str:
        reads.append(p)
        return p.read_text()

    assert read(path) == read(path) == "one" and len(reads) == 1
    before = fingerprint(path)
    path.write_text("two, longer")
    assert fingerprint(path) != before and read(path) == "two, longer" and len(reads) == 2


@pytest.fixture
def site(tmp_path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "s")
    CACHE.clear()
    yield tmp_path / "s"
    CACHE.clear()


def _touch_note(path: Path) -> None:
    path.write_text(path.read_text().rstrip("\n") + " Edited.\n")  # the last note's text


def test_an_edit_annotates_only_its_own_article_again(site):
    docs, annotations = site / "docs", site / "annotations"
    first = prepare(docs, annotations)
    assert len(first.articles) == 2
    again = prepare(docs, annotations)
    assert again is first  # nothing changed: the same publication
    edited = sorted((annotations / "harbour-report").glob("*.md"))[0]
    _touch_note(edited)
    second = prepare(docs, annotations)
    assert second is not first
    unchanged = {a.article.slug: a for a in first.articles}["council-vote"]
    assert {a.article.slug: a for a in second.articles}["council-vote"] is unchanged
    changed = {a.article.slug: a for a in second.articles}["harbour-report"]
    assert changed is not {a.article.slug: a for a in first.articles}["harbour-report"]
    assert any("Edited." in n.annotation.note for n in changed.notes)


def test_the_store_finds_articles_and_follows_edits(site):
    docs, annotations = site / "docs", site / "annotations"
    store = Store(docs, annotations)
    page = docs / "harbour-report.md"
    body = page.read_text().split("---\n", 2)[2]
    from annotator.article import page_key

    article = store.article_for(page_key(body))
    assert article is not None and article.slug == "harbour-report"
    assert store.article_for(page_key("# Not a page of this site")) is None
    index_body = (docs / "index.md").read_text()
    assert store.article_for(page_key(index_body.split("---\n", 2)[-1])) is None
    assert store.views() == {"claims", "sources"}
    # The article's text changes: the old text is no longer an article, the new one is.
    page.write_text(page.read_text().replace(body, body + "\nA closing paragraph.\n"))
    assert store.article_for(page_key(body)) is None
    new = store.article_for(page_key(body + "\nA closing paragraph.\n"))
    assert new is not None and new.slug == "harbour-report"
    # A page that drops its Sources section: the views follow.
    (docs / "sources.md").write_text("# Sources\n\nNothing generated here.\n")
    assert store.views() == {"claims"}


def test_a_broken_file_keeps_the_last_good_result_for_the_preview(site):
    docs, annotations = site / "docs", site / "annotations"
    store = Store(docs, annotations)
    article = next(a for a in prepare(docs, annotations).articles if a.article.slug == "harbour-report").article
    good = store.result(article)
    assert good.annotated is not None and good.error is None
    broken = sorted((annotations / "harbour-report").glob("*.md"))[0]
    broken.write_text(broken.read_text().replace("\nrelation:", "\nrelaton:", 1))
    result = store.result(article)
    assert result.annotated is None and result.error is not None
    assert result.last_good is good.annotated
    assert any("relaton" in str(p) for p in result.error.problems)


def test_git_is_asked_again_only_when_head_moves(tmp_path):
    import subprocess

    from annotator import history

    def run(*args):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True, capture_output=True
        )

    folder = tmp_path / "annotations" / "a"
    folder.mkdir(parents=True)
    assert "not a git repository" in history._repository(folder)
    run("init", "-q")
    assert isinstance(history._repository(folder), str)  # a repository with no commit yet has no history
    (folder / "n.md").write_text("one\n")
    run("add", "-A")
    run("commit", "-qm", "one")
    first = history._repository(folder)  # the repository made above, and its first commit, are seen
    assert isinstance(first, tuple)
    misses = CACHE.misses
    assert history._repository(folder) == first and CACHE.misses == misses  # HEAD unchanged: git not asked
    (folder / "n.md").write_text("two\n")
    run("commit", "-qam", "two")
    second = history._repository(folder)
    assert second[:2] == first[:2] and second[2] != first[2]


def test_a_build_looks_at_each_file_once(tmp_path):
    from annotator.cache import CACHE, fingerprint

    path = tmp_path / "note.md"
    path.write_text("one")
    CACHE.building(True)
    try:
        before = fingerprint(path)
        path.write_text("a longer text")  # saved during the build: the next build sees it
        assert fingerprint(path) == before
        assert fingerprint(str(path)) == before  # the same name, as a string
    finally:
        CACHE.building(False)
    assert fingerprint(path) != before
