"""The reliability policy against the real annotations: every source has both classes (who said
it, where it was read), every verdict rests on a deciding source read faithfully, and the counts
by class are printed for every article (`pytest -s tests/test_policy.py` shows them)."""

from __future__ import annotations

from collections import Counter

import pytest

from annotator.pages import rests_on_reliable
from annotator.reliability import JUDGED

pytestmark = pytest.mark.real_site


@pytest.fixture(scope="module")
def publication(real):
    """Every article of the real site and the policy (loaded once, in a fixture: a broken
    annotation fails these tests rather than their collection)."""
    return real.publication


def counts(item) -> tuple[Counter, Counter, int]:
    """(citations by class of the original, by class of the page read, copies on weak hosts)."""
    said, read, weak = Counter(), Counter(), 0
    for note in item.notes:
        for source in note.annotation.sources:
            said[source.standing.name] += 1
            read[source.standing.read_class.name] += 1
            weak += not source.standing.faithful
    return said, read, weak


def test_citations_by_class_of_original_and_of_page_read(publication):
    assert publication.articles
    for item in publication.articles:
        said, read, weak = counts(item)
        total = sum(said.values())
        print(f"\n{item.article.slug}: {total} citations")
        print("  by class of the original (who said it): " + ", ".join(f"{k} {n}" for k, n in said.most_common()))
        print("  by class of the page read (where the words were taken from): "
              + ", ".join(f"{k} {n}" for k, n in read.most_common()))  # fmt: skip
        print(f"  read on a copy that does not carry the original's standing: {weak}")
        assert sum(read.values()) == total
        assert set(said) | set(read) <= set(publication.policy.classes)


def test_every_verdict_rests_on_a_deciding_source_read_faithfully(publication):
    for item in publication.articles:
        for note in item.notes:
            if note.annotation.relation in JUDGED:
                assert rests_on_reliable(note), f"{note.annotation.path}:{note.annotation.line}"


def test_primary_sources_are_read_on_the_primarys_own_pages(publication):
    """A primary original is read on its own site, a primary or archive copy, or a copy host."""
    for item in publication.articles:
        for note in item.notes:
            for source in note.annotation.sources:
                if source.standing.name == "primary":
                    assert source.standing.read_class.name in ("primary", "republisher"), source.read_at


def test_every_policy_entry_is_cited(publication):
    policy = publication.policy
    cited = set()
    for item in publication.articles:
        for note in item.notes:
            for source in note.annotation.sources:
                addresses = (source.url, source.via, source.archive_url)
                found = [policy.original(source), *(policy.for_url(u) for u in addresses if u)]
                cited.update(o.name for o in found if o is not None)
    assert not [o.name for o in policy.outlets if o.name not in cited]


def test_every_class_has_a_reason_about_reliability_not_provenance(publication):
    for outlet in publication.policy.outlets:
        assert "often carries" not in outlet.reason, outlet.name
