"""Content integrity of the real annotations, the Claims page and the open data files."""

from __future__ import annotations

import json
from collections import defaultdict

import jsonschema
from bs4 import BeautifulSoup

from annotator.pipeline import prepare
from annotator.schema import RELATIONS

from .conftest import ROOT

PUBLICATION = prepare(ROOT / "docs", ROOT / "annotations")
ITEM = PUBLICATION.article("moscow-concert-massacre")
ARTICLE = ITEM.article
NOTES = ITEM.notes
ANNOTATIONS = [n.annotation for n in NOTES]
PAGE = "articles/moscow-concert-massacre.html"


def test_every_annotation_is_sourced_or_says_why_not():
    assert len(ANNOTATIONS) >= 40
    for a in ANNOTATIONS:
        assert a.note.strip(), a.path
        if a.relation in ("supports", "qualifies", "contradicts"):
            assert a.sources, f"{a.path}:{a.line}"
        if a.relation == "unsourced":
            assert not a.sources and "search" in a.note.lower(), f"{a.path}:{a.line}: say what was searched"


def test_every_verified_source_has_a_short_excerpt():
    sources = [s for a in ANNOTATIONS for s in a.sources]
    assert sources
    for s in sources:
        assert s.link.startswith(("http://", "https://"))
        if s.verified:
            assert 20 <= len(s.excerpt) <= 450, s.link


def test_one_url_has_one_title_and_date():
    seen: dict[str, set] = defaultdict(set)
    for a in ANNOTATIONS:
        for s in a.sources:
            seen[s.link].add((s.title, s.date))
    conflicting = {url: meta for url, meta in seen.items() if len(meta) > 1}
    assert not conflicting


def test_text_problems_have_editorial_notes():
    editorial = [n for n in NOTES if n.annotation.relation == "editorial"]
    quoted = " ".join(ARTICLE.paragraphs[n.paragraph - 1][n.start : n.end] for n in editorial)
    for typo in ("T majikistan", "Whether not", "the-then chair"):
        assert typo in quoted, typo


def test_claims_index_lists_the_article_with_its_totals(site):
    page = BeautifulSoup((site / "claims.html").read_text(encoding="utf-8"), "html.parser")
    (row,) = page.select(".claims-index tbody tr")
    assert row.select_one("a")["href"] == PAGE
    assert [a["href"] for a in row.select("td:last-child a")] == [
        "claims-moscow-concert-massacre.html",
        "sources-moscow-concert-massacre.html",
    ]
    assert sum(int(td.get_text()) for td in row.select("td")[3:-1]) == len(ANNOTATIONS)


def test_claims_page_lists_exactly_the_annotations(site):
    page = BeautifulSoup((site / "claims-moscow-concert-massacre.html").read_text(encoding="utf-8"), "html.parser")
    rows = page.select("table[data-sortable] tbody tr")
    assert len(rows) == len(ANNOTATIONS)
    links = [row.select_one("a")["href"] for row in rows]
    assert links == [f"{PAGE}#{n.anchor_id}" for n in NOTES]
    marks = page.select("svg.claims-map a")
    assert [m["href"] for m in marks] == [f"{PAGE}#{n.note_id}" for n in NOTES]
    letters = {r.letter for r in RELATIONS}
    assert all(m.select_one("text").get_text() in letters for m in marks)  # readable without colour
    totals = page.select(".claims-totals li")
    assert sum(int(li.get_text().split()[-1]) for li in totals) == len(ANNOTATIONS)


def test_web_annotations_validate_and_anchor(site):
    data = json.loads((site / "data" / "moscow-concert-massacre.annotations.jsonld").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "tests" / "schemas" / "web-annotation.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    items = data["first"]["items"]
    assert data["total"] == len(items) == len(ANNOTATIONS)
    for item in items:
        selector = item["target"]["selector"]
        context = selector["prefix"] + selector["exact"] + selector["suffix"]
        assert sum(context in p for p in ARTICLE.paragraphs) == 1  # re-anchorable by other tools


def test_claim_reviews_have_the_required_fields(site):
    page = BeautifulSoup((site / PAGE).read_text(encoding="utf-8"), "html.parser")
    reviews = json.loads(page.find("script", type="application/ld+json").string)
    judged = [a for a in ANNOTATIONS if a.relation_row.judges]
    assert len(reviews) == len(judged) > 0
    for review in reviews:
        assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
        assert review["claimReviewed"] and review["url"] and review["author"]["name"]
        rating = review["reviewRating"]
        assert rating["alternateName"] in {r.label for r in RELATIONS if r.judges}
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


def test_search_finds_outlets_and_excerpts(site):
    from .test_build import offline_index

    notes = {r["link"].split("#")[1]: r["text"] for r in offline_index(site) if "#n-" in r["link"]}
    for n in NOTES:
        for s in n.annotation.sources:
            assert s.outlet in notes[n.note_id] and s.excerpt[:40] in notes[n.note_id]


def test_every_source_has_provenance_and_a_class():
    for a in ANNOTATIONS:
        for s in a.sources:
            assert s.standing is not None, f"{a.path}:{s.line}"
            if s.via:  # a copy names its original, which is not the copy's own site
                assert PUBLICATION.policy.for_name(s.outlet) or s.url, f"{a.path}:{s.line}"


def test_judged_verdicts_rest_on_sources_that_can_carry_them():
    for a in ANNOTATIONS:
        if a.relation in ("supports", "contradicts"):
            backing = [s for s in a.sources if s.relation == a.relation]
            assert any(s.standing.decides for s in backing), f"{a.path}:{a.line}"


def test_sources_by_class(capsys):
    """Prints the article's sources by class (the figures in the README); asserts primary sources exist."""
    from collections import Counter

    unique = {s.link: s for a in ANNOTATIONS for s in a.sources}
    classes = Counter(s.standing.name for s in unique.values())
    with capsys.disabled():
        print(
            "\nsources by class:",
            dict(classes.most_common()),
            "; read via a copy:",
            sum(1 for s in unique.values() if s.via),
        )
    assert classes["primary"] >= 3 and classes["reliable"] > classes["partisan"] + classes["unreliable"]


def test_licences_are_named_where_readers_and_contributors_look(site):
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "creativecommons.org/licenses/by/4.0" in (ROOT / "LICENSE-NOTES.md").read_text()
    for name in ("README.md", "CONTRIBUTING.md"):
        text = (ROOT / name).read_text()
        assert "CC BY 4.0" in text and "MIT" in text, name
    footer = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser").select_one(".md-copyright")
    assert "CC BY 4.0" in footer.get_text() and "MIT" in footer.get_text()
    data = json.loads((site / "data" / "moscow-concert-massacre.annotations.jsonld").read_text(encoding="utf-8"))
    assert data["rights"] == "https://creativecommons.org/licenses/by/4.0/"
