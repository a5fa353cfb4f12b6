"""End to end: build the real site (and a second sample article) with MkDocs, check the HTML."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from annotator.anchor import normalize
from annotator.article import load_article
from annotator.load import load_file

from .conftest import ROOT, build_site

ARTICLE = ROOT / "docs" / "moscow-concert-massacre.md"
ANNOTATIONS = ROOT / "annotations" / "moscow-concert-massacre"
# sha256 of the article as supplied (title, subtitle, 24 paragraphs): the page must stay verbatim.
ARTICLE_SHA256 = "92a30e7d88a509e8697e0d73ccb098acc8d54f4a1737c4caf57fa2f3c8f9791e"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def annotations_in(folder: Path):
    return [a for path in sorted(folder.glob("*.md")) for a in load_file(path).annotations]


def reader_text(paragraph) -> str:
    """A paragraph's text as published, without the notes and their controls."""
    copy = BeautifulSoup(str(paragraph), "html.parser")
    for extra in copy.select(".sidenote, .sn-num, .sn-toggle"):
        extra.decompose()
    return copy.get_text()


def test_article_page_is_verbatim(site):
    article = load_article(ARTICLE)
    text = "\n\n".join([article.title, article.meta["subtitle"], *article.paragraphs])
    assert len(article.paragraphs) == 24
    assert hashlib.sha256(text.encode()).hexdigest() == ARTICLE_SHA256
    page = soup_of(site / "moscow-concert-massacre.html")
    published = [reader_text(p) for p in page.select(".annotated-article > p")]
    assert published == list(article.paragraphs)


def test_every_annotation_is_one_sidenote_beside_its_assertion(site):
    page = soup_of(site / "moscow-concert-massacre.html")
    notes = page.select(".annotated-article .sidenote")
    expected = annotations_in(ANNOTATIONS)
    assert len(expected) >= 3
    assert len(notes) == len(expected)
    quotes = {normalize(a.quote)[0] for a in expected}
    for number, note in enumerate(notes, start=1):
        note_id = note["id"]
        claim_id = note_id.removeprefix("n-")
        toggle = note.find_previous_sibling("input")
        label = note.find_previous_sibling("label")
        assert toggle["id"] == f"t-{claim_id}" and label["for"] == toggle["id"]
        assert label.get_text(strip=True).endswith(str(number))
        assert note.select_one(".sn-back")["href"] == f"#{claim_id}"
        # The text between the claim's anchor and its toggle is exactly one of the quotes.
        start = page.find(id=claim_id)
        pieces, node = [], start.next_sibling
        while node is not toggle:
            if getattr(node, "name", None) == "label" and "claim" in node["class"]:
                pieces.append(node.get_text())
            elif getattr(node, "name", None) is None:
                pieces.append(str(node))
            node = node.next_sibling
        assert normalize("".join(pieces))[0] in quotes, note_id
    assert [int(n.select_one(".sn-back").get_text()) for n in notes] == list(range(1, len(notes) + 1))


def test_ids_unique_and_links_absolute(site):
    for path in site.rglob("*.html"):
        page = soup_of(path)
        ids = [tag["id"] for tag in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), path
        for link in page.select(".sn-title, .sn-archive"):
            assert re.match(r"^https?://[^\s]+$", link["href"]), link
            assert link["rel"] == ["noopener", "noreferrer"]


def test_nothing_lost_every_file_appears(site):
    page = soup_of(site / "moscow-concert-massacre.html")
    annotated = {int(n["id"].split("-")[1].removeprefix("p")) for n in page.select(".sidenote")}
    files = sorted(ANNOTATIONS.iterdir())
    assert all(f.suffix == ".md" for f in files)
    assert len(annotated) == len(files), "each annotation file annotates one paragraph on the page"


def test_sources_page_lists_each_source_once_with_backlinks(site):
    urls = {s.link for a in annotations_in(ANNOTATIONS) for s in a.sources}
    page = soup_of(site / "sources.html")
    listed = [a["href"] for a in page.select("article a[href^='http']")]
    assert sorted(listed) == sorted(urls)
    backlinks = page.select("article a[href^='moscow-concert-massacre.html#p']")
    assert len(backlinks) >= len(urls)


def test_search_index_has_notes_and_their_sources(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    notes = [d for d in index["docs"] if "#n-p" in d["location"]]
    assert len(notes) == len(annotations_in(ANNOTATIONS))
    first = annotations_in(ANNOTATIONS)[0].sources[0]
    assert any(first.outlet.split()[0] in d["text"] for d in notes)
    # The offline plugin inlines the same index for file:// reading.
    inlined = (site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert inlined.startswith("var __index =") and notes[0]["location"] in inlined


def test_offline_no_remote_assets(site):
    for path in site.rglob("*.html"):
        page = soup_of(path)
        for tag in page.select("script[src], link[href], img[src], iframe"):
            url = tag.get("src") or tag.get("href") or ""
            assert not re.match(r"^(https?:)?//", url), f"{path.name} loads {url}"
    assert not any("fonts.googleapis" in p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


def test_single_file_edition(site):
    path = site / "downloads" / "moscow-concert-massacre.html"
    page = soup_of(path)
    assert not page.find("script") and not page.select("link[rel=stylesheet]")
    assert page.find("style") and "sidenote" in page.find("style").get_text()
    assert len(page.select(".sidenote")) == len(annotations_in(ANNOTATIONS))
    article = soup_of(site / "moscow-concert-massacre.html")
    assert article.select_one("a[download]")["href"] == "downloads/moscow-concert-massacre.html"


def test_builds_are_reproducible(site, tmp_path):
    again = build_site(ROOT / "mkdocs.yml", tmp_path / "again")

    def digest(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert digest(site) == digest(again)


def test_second_article_needs_no_code_change(fixture_site):
    page = soup_of(fixture_site / "harbour-report.html")
    notes = page.select(".sidenote")
    assert [n["id"] for n in notes] == ["n-p1-1", "n-p2-1"]
    assert page.select_one("label.claim[for='t-p1-1']").get_text() == "after “eighteen months” of repairs"
    assert notes[0].select_one(".badge").get_text() == "Qualifies"
    assert (fixture_site / "downloads" / "harbour-report.html").is_file()
