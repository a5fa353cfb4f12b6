"""Content integrity of the real annotations, the Claims page and the open data files, for every
article the site has (tests/realsite.py; test_two_articles.py runs these on a two-article copy)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import jsonschema
import pytest
from bs4 import BeautifulSoup

from annotator.schema import RELATIONS

from .realsite import ROOT

pytestmark = pytest.mark.real_site

# Typos of an article's text that must each carry an editorial note (the text is never changed).
KNOWN_TYPOS = {"moscow-concert-massacre": ("T majikistan", "Whether not", "the-then chair")}


def soup(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_annotation_is_sourced_or_says_why_not(real):
    assert real.annotations, "the site has no notes"
    for a in real.annotations:
        assert a.note.strip(), a.path
        if a.relation in ("supports", "qualifies", "contradicts"):
            assert a.sources, f"{a.path}:{a.line}"
        if a.relation == "unsourced":
            assert not a.sources and "search" in a.note.lower(), f"{a.path}:{a.line}: say what was searched"


def test_every_verified_source_has_a_short_excerpt(real):
    sources = [s for a in real.annotations for s in a.sources]
    assert sources
    for s in sources:
        assert s.link.startswith(("http://", "https://"))
        if s.verified:
            assert 20 <= len(s.excerpt) <= 450, s.link


def test_one_url_has_one_title_and_date(real):
    seen: dict[str, set] = defaultdict(set)
    for a in real.annotations:  # across articles too: the Sources page lists each address once
        for s in a.sources:
            seen[s.link].add((s.title, s.date))
    conflicting = {url: meta for url, meta in seen.items() if len(meta) > 1}
    assert not conflicting


def test_text_problems_have_editorial_notes(real):
    checked = 0
    for item in real.articles:
        editorial = [n for n in item.notes if n.annotation.relation == "editorial"]
        quoted = " ".join(item.article.paragraphs[n.paragraph - 1][n.start : n.end] for n in editorial)
        for typo in KNOWN_TYPOS.get(item.article.slug, ()):
            assert typo in quoted, (item.article.slug, typo)
            checked += 1
    assert checked or not set(KNOWN_TYPOS) & {i.article.slug for i in real.articles}


def test_claims_index_lists_every_article_with_its_totals(real, site):
    page = soup(site / "claims.html")
    rows = {row.select_one("a")["href"]: row for row in page.select(".claims-index tbody tr")}
    assert sorted(rows) == sorted(real.page(item) for item in real.articles)
    for item in real.articles:
        row = rows[real.page(item)]
        assert [a["href"] for a in row.select("td:last-child a")] == [real.claims_page(item), real.sources_page(item)]
        assert sum(int(td.get_text()) for td in row.select("td")[3:-1]) == len(item.notes)


def test_claims_page_lists_exactly_the_annotations(real, site):
    letters = {r.letter for r in RELATIONS}
    for item in real.articles:
        page, href = soup(site / real.claims_page(item)), real.page(item)
        rows = page.select("table[data-sortable] tbody tr")
        assert len(rows) == len(item.notes), item.article.slug
        links = [row.select_one("a")["href"] for row in rows]
        assert links == [f"{href}#{n.anchor_id}" for n in item.notes]
        marks = page.select("svg.claims-map a")
        assert [m["href"] for m in marks] == [f"{href}#{n.note_id}" for n in item.notes]
        assert all(m.select_one("text").get_text() in letters for m in marks)  # readable without colour
        totals = page.select(".claims-totals li")
        assert sum(int(li.get_text().split()[-1]) for li in totals) == len(item.notes)


def test_web_annotations_validate_and_anchor(real, site):
    schema = json.loads((ROOT / "tests" / "schemas" / "web-annotation.schema.json").read_text(encoding="utf-8"))
    for item in real.articles:
        data = json.loads((site / real.data(item)).read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        items = data["first"]["items"] if item.notes else []
        assert data["total"] == len(items) == len(item.notes)
        for entry in items:
            selector = entry["target"]["selector"]
            context = selector["prefix"] + selector["exact"] + selector["suffix"]
            assert sum(context in p for p in item.article.paragraphs) == 1  # re-anchorable by other tools


def test_claim_reviews_have_the_required_fields(real, site):
    judged_anywhere = 0
    for item in real.articles:
        page = soup(site / real.page(item))
        script = page.find("script", type="application/ld+json")
        reviews = json.loads(script.string) if script else []
        judged = [n for n in item.notes if n.annotation.relation_row.judges]
        assert len(reviews) == len(judged), item.article.slug
        judged_anywhere += len(judged)
        for review in reviews:
            assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
            assert review["claimReviewed"] and review["url"] and review["author"]["name"]
            rating = review["reviewRating"]
            assert rating["alternateName"] in {r.label for r in RELATIONS if r.judges}
            assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert judged_anywhere > 0


def test_search_finds_outlets_and_excerpts(real, site):
    from .test_build import offline_index

    notes = {r["link"]: r["text"] for r in offline_index(site) if "#n-" in r["link"]}
    for item in real.articles:
        for n in item.notes:
            text = notes[f"{real.page(item)}#{n.note_id}"]
            for s in n.annotation.sources:
                assert s.outlet in text and s.excerpt[:40] in text


def test_every_source_has_provenance_and_a_class(real):
    for a in real.annotations:
        for s in a.sources:
            assert s.standing is not None, f"{a.path}:{s.line}"
            if s.via:  # a copy names its original, which is not the copy's own site
                assert real.publication.policy.for_name(s.outlet) or s.url, f"{a.path}:{s.line}"


def test_judged_verdicts_rest_on_sources_that_can_carry_them(real):
    for a in real.annotations:
        if a.relation in ("supports", "contradicts"):
            backing = [s for s in a.sources if s.relation == a.relation]
            assert any(s.standing.decides for s in backing), f"{a.path}:{a.line}"


def test_sources_by_class(real, capsys):
    """Prints the site's sources by class (the figures in the README); asserts primary sources exist."""
    unique = {s.link: s for a in real.annotations for s in a.sources}
    classes = Counter(s.standing.name for s in unique.values())
    with capsys.disabled():
        print(
            "\nsources by class:",
            dict(classes.most_common()),
            "; read via a copy:",
            sum(1 for s in unique.values() if s.via),
        )
    assert classes["primary"] >= 3 and classes["reliable"] > classes["partisan"] + classes["unreliable"]


def test_licences_are_named_where_readers_and_contributors_look(real, site):
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "creativecommons.org/licenses/by/4.0" in (ROOT / "LICENSE-NOTES.md").read_text()
    for name in ("README.md", "CONTRIBUTING.md"):
        text = (ROOT / name).read_text()
        assert "CC BY 4.0" in text and "MIT" in text, name
    footer = soup(site / "index.html").select_one(".md-copyright")
    assert "CC BY 4.0" in footer.get_text() and "MIT" in footer.get_text()
    for item in real.articles:
        data = json.loads((site / real.data(item)).read_text(encoding="utf-8"))
        assert data["rights"] == "https://creativecommons.org/licenses/by/4.0/"


def test_the_home_page_lists_every_article_and_reads_right_for_their_number(real, site):
    home = soup(site / "index.html")
    cards = home.select(".annotator-article-card")
    assert sorted(c.select_one("h2 a")["href"] for c in cards) == sorted(real.page(i) for i in real.articles)
    for card in cards:
        item = next(i for i in real.articles if real.page(i) == card.select_one("h2 a")["href"])
        summary = card.select_one(".article-summary").get_text()
        assert summary.startswith(f"{len(item.notes)} note{'' if len(item.notes) == 1 else 's'}"), summary
    intro = home.select_one(".md-content p").get_text()
    if len(real.articles) > 1:
        assert " an opinion article " not in intro and " the article " not in intro, intro
