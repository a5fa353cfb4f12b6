"""End to end: build the real site with MkDocs and with Zensical, and a second sample site, and
check the HTML, the data and the search index; both generators must publish the same notes."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from annotator.anchor import normalize

from .conftest import ROOT, build_site, copy_site
from .realsite import site_root

# sha256 of each article as supplied (title, subtitle, every block): the page must stay verbatim.
ARTICLE_SHA256 = {"moscow-concert-massacre": "92a30e7d88a509e8697e0d73ccb098acc8d54f4a1737c4caf57fa2f3c8f9791e"}
GENERATORS = ["mkdocs", "zensical"]
real_site = pytest.mark.real_site  # checks of the real content, for any number of articles


@pytest.fixture(params=GENERATORS)
def built(request) -> Path:
    """The real site, as built by each generator."""
    return request.getfixturevalue("site" if request.param == "mkdocs" else "zensical_site")


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def reader_text(block) -> str:
    """A block's text as published, without the notes and their controls."""
    copy = BeautifulSoup(str(block), "html.parser")
    for extra in copy.select(".sidenote, .sn-num, .sn-toggle"):
        extra.decompose()
    return copy.get_text()


@real_site
def test_article_pages_are_verbatim(real, built):
    for item in real.articles:
        article = item.article
        text = "\n\n".join([article.title, article.meta.subtitle or "", *article.paragraphs])
        if article.slug in ARTICLE_SHA256:
            assert hashlib.sha256(text.encode()).hexdigest() == ARTICLE_SHA256[article.slug], article.slug
        page = soup_of(built / real.page(item))
        blocks = page.select(".annotated-article [id^=p]")  # every annotatable block: p1, p2, ...
        published = {b["id"]: reader_text(b) for b in blocks if re.fullmatch(r"p\d+", b["id"])}
        assert list(published.values()) == list(article.paragraphs), article.slug
    guarded = set(ARTICLE_SHA256) & {i.article.slug for i in real.articles}
    assert guarded or real.root != ROOT, "the repository's article is no longer the one supplied"


@real_site
def test_every_annotation_is_one_sidenote_beside_its_assertion(real, built):
    for item in real.articles:
        page = soup_of(built / real.page(item))
        notes = page.select(".annotated-article .sidenote")
        assert [n["id"] for n in notes] == [n.note_id for n in item.notes], item.article.slug
        quotes = {normalize(n.annotation.quote)[0] for n in item.notes}
        for number, note in enumerate(notes, start=1):
            claim_id = note["id"].removeprefix("n-")
            toggle = note.find_previous_sibling("input")
            label = note.find_previous_sibling("label")
            assert toggle["id"] == f"t-{claim_id}" and label["for"] == toggle["id"]
            assert label.get_text(strip=True).endswith(str(number))
            assert note.select_one(".sn-back")["href"] == f"#a-{claim_id}"
            # The text between the claim's anchor and its toggle is exactly one of the quotes.
            pieces, node = [], page.find(id=f"a-{claim_id}").next_sibling
            while node is not toggle:
                if getattr(node, "name", None) == "label" and "claim" in node["class"]:
                    pieces.append(node.get_text())
                elif getattr(node, "name", None) is None:
                    pieces.append(str(node))
                node = node.next_sibling
            assert normalize("".join(pieces))[0] in quotes, claim_id
        assert [int(n.select_one(".sn-back").get_text()) for n in notes] == list(range(1, len(notes) + 1))


@real_site
def test_without_javascript_every_assertion_opens_its_note_by_css_alone(real, built):
    """What a reader without JavaScript clicks, for every note (the browser clicks a few, in
    test_browser.py): each assertion piece and the number are labels of the note's checkbox, which
    comes right before the note, so the theme's `:checked + label + .sidenote` rule shows it."""
    css = (built / "assets" / "annotator" / "annotator.css").read_text(encoding="utf-8")
    assert re.search(r"\.sn-toggle:checked\s*\+\s*\.sn-num\s*\+\s*\.sidenote", css.replace("~", "+")), (
        "no CSS rule opens a note whose toggle is checked"
    )
    for item in real.articles:
        page = soup_of(built / real.page(item))
        by_id = {tag["id"]: tag for tag in page.select(".annotated-article [id]")}
        claims: dict[str, list] = {}
        for label in page.select(".annotated-article label.claim"):
            claims.setdefault(label["for"], []).append(label)
        for note in item.notes:
            toggle = by_id[note.toggle_id]
            assert toggle.name == "input" and toggle["type"] == "checkbox", note.id
            number, shown = toggle.find_next_sibling(), by_id[note.note_id]
            assert number.name == "label" and "sn-num" in number["class"] and number["for"] == note.toggle_id
            assert number.find_next_sibling() is shown, f"{note.id}: the note does not follow its number"
            pieces = claims.get(note.toggle_id, [])
            assert pieces and all(c.find_parent(id=re.compile(r"^p\d+$")) for c in pieces), note.id
            assert len(shown.get_text(" ", strip=True)) > 20, note.id


@real_site
def test_both_generators_publish_the_same_notes_and_data(real, site, zensical_site):
    def notes(root: Path, item) -> list[str]:
        page = soup_of(root / real.page(item))
        for excluded in page.select("[data-search-exclude]"):  # Zensical drops it once it has indexed
            del excluded["data-search-exclude"]
        for dates in page.select(".sn-history"):  # the Zensical build is of a copy, without git history
            dates.decompose()
        return [str(n) for n in page.select(".annotated-article .sidenote")]

    def data(root: Path, item) -> dict:
        found = json.loads((root / real.data(item)).read_text(encoding="utf-8"))
        for entry in found["first"]["items"]:  # dates from git: the Zensical build is of a copy without it
            entry.pop("modified", None)
        return found

    for item in real.articles:
        assert notes(site, item) == notes(zensical_site, item), item.article.slug
        assert data(site, item) == data(zensical_site, item), item.article.slug
        edition = real.edition(item)
        assert (site / edition).read_text(encoding="utf-8") == (zensical_site / edition).read_text(encoding="utf-8")
    for page in ("claims.html", "sources.html"):
        a, b = soup_of(site / page), soup_of(zensical_site / page)
        assert str(a.select_one("[data-annotator-section=claims], .annotator-sources")) == str(
            b.select_one("[data-annotator-section=claims], .annotator-sources")
        ), page


@real_site
def test_ids_unique_and_links_absolute(built):
    for path in built.rglob("*.html"):
        page = soup_of(path)
        ids = [tag["id"] for tag in page.find_all(id=True)]
        assert len(ids) == len(set(ids)), path
        for link in page.select(".sn-title, .sn-archive, a.sn-via"):
            assert re.match(r"^https?://[!-~]+$", link["href"]), link
            assert link["rel"] == ["noopener", "noreferrer"]
        assert "annotator:" not in path.read_text(encoding="utf-8"), f"{path}: unresolved annotator: link"


@real_site
def test_nothing_lost_every_file_appears(real, built):
    for item in real.articles:
        page = soup_of(built / real.page(item))
        annotated = {n.find_parent(["p", "li"])["id"] for n in page.select(".sidenote")}
        files = sorted((real.root / "annotations" / item.article.slug).iterdir())
        assert all(f.suffix == ".md" for f in files)
        assert len(files) == len(item.files)
        assert len(annotated) == len(files), "each annotation file annotates one paragraph on the page"


@real_site
def test_sources_pages_list_each_source_once_with_backlinks(real, built):
    in_files = [a for item in real.articles for f in item.files for a in f.annotations]  # as the site reads them
    sources = {s.link: s for a in in_files for s in a.sources}
    pages = [soup_of(built / "sources.html"), *(soup_of(p) for p in sorted(built.glob("sources-page-*.html")))]

    def address(a) -> str:  # links open the cited page at the excerpt (a text fragment)
        return a["href"].split("#:~:")[0]

    listed = [address(a) for page in pages for a in page.select(".source-list a.source-title")]
    assert sorted(listed) == sorted(sources)  # the site-wide index, in pages
    assert all(len(page.select(".source-list > li")) <= 100 for page in pages)
    vias = [address(a) for page in pages for a in page.select(".source-list a.sn-via")]
    # "read on <copy>", linked when the title links to the original (else the title is that link)
    assert sorted(vias) == sorted(s.via for s in sources.values() if s.via and s.url)
    for item in real.articles:
        own_sources = {s.link for n in item.notes for s in n.annotation.sources}
        backlinks = [a for page in pages for a in page.select(f".source-list a[href^='{real.page(item)}#a-']")]
        assert len(backlinks) >= len(own_sources)
        own = soup_of(built / real.sources_page(item))  # the article's own sources page
        assert sorted(address(a) for a in own.select(".source-list a.source-title")) == sorted(own_sources)
        # It links each source to the notes citing it, whose excerpts the article's page holds.
        assert not own.select(".source-excerpt") and pages[0].select(".source-excerpt")
        cited = {a["href"].split("#")[-1] for a in own.select(f".source-list a[href^='{real.page(item)}#a-']")}
        assert cited == {n.anchor_id for n in item.notes if n.annotation.sources}


def offline_index(built: Path) -> list[dict]:
    text = (built / "search" / "annotator-index.js").read_text(encoding="utf-8")
    return json.loads(text.removeprefix("var __annotatorSearch = ").rstrip().removesuffix(";"))


@real_site
def test_search_page_index_has_one_record_per_note(real, built):
    records = offline_index(built)
    notes = [r for r in records if "#n-" in r["link"]]
    assert sorted(r["link"] for r in notes) == sorted(
        f"{real.page(i)}#{n.note_id}" for i in real.articles for n in i.notes
    )
    first = real.annotations[0].sources[0]
    assert any(first.outlet.split()[0] in r["text"] for r in notes)
    pages = {r["link"] for r in records if "#" not in r["link"]}
    assert {*(real.page(i) for i in real.articles), "index.html", "contributing.html"} <= pages
    assert "claims.html" not in pages
    assert (built / "pagefind" / "pagefind.js").is_file() and (built / "pagefind" / "pagefind-entry.json").is_file()


def pagefind_records(built: Path) -> list[dict]:
    """Pagefind's stored records (its fragments: gzip, a signature, then JSON)."""
    found = []
    for path in (built / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        found.append(json.loads(data.removeprefix(b"pagefind_dcd")))
    return found


def test_pagefind_holds_the_same_records_as_the_offline_file(built):
    """One record per note or page, linking to the note's permalink, fed to Pagefind directly."""
    offline = {r["link"]: r for r in offline_index(built)}
    stored = pagefind_records(built)
    assert sorted(r["meta"]["link"] for r in stored) == sorted(offline)
    for record in stored:
        want = offline[record["meta"]["link"]]
        assert record["url"] == "/" + want["link"] and record["meta"]["title"] == want["title"]
        assert record["content"] == " ".join(f"{want['title']} {want['text']}".split())  # Pagefind folds spaces


def test_one_whole_site_search_file(built):
    """The search page's file is the only whole-site index: the theme's search is off, and the
    index Zensical writes anyway is removed (nothing loads it)."""
    theirs = ["search/search_index.json", "search/search_index.js", "search.json", "search.js"]
    assert [name for name in theirs if (built / name).exists()] == []
    scripts = built / "assets" / "javascripts"  # nor the theme's search code, loaded only by its box
    assert not (scripts / "lunr").exists() and not list(scripts.glob("workers/search.*"))
    assert not list(built.rglob("r0*.html"))  # no page per record


@real_site
def test_offline_no_remote_assets(built):
    for path in built.rglob("*.html"):
        page = soup_of(path)
        for tag in page.select("script[src], link[href], img[src], iframe"):
            url = tag.get("src") or tag.get("href") or ""
            assert not re.match(r"^(https?:)?//", url), f"{path.name} loads {url}"
        if path.name == "404.html":  # served by a web server, with site-absolute paths
            continue
        for tag in page.select("script[src], link[rel=stylesheet], img[src]"):
            url = (tag.get("src") or tag.get("href")).split("#")[0]
            if not url.startswith("data:"):
                assert (path.parent / url).resolve().is_file(), f"{path.name}: {url} is missing"


ASSET_BUDGET = 22_000  # bytes of our CSS + JS on an article page, minified (20.3 KB: margins, print, type, steps)


@real_site
def test_pages_load_only_their_own_assets(real, built):
    """An article page loads what its notes need and nothing of the other pages', within budget."""

    def ours(page: str) -> list[str]:
        tags = soup_of(built / page).select("link[rel=stylesheet][href], script[src]")
        names = [(t.get("href") or t.get("src")).split("#")[0] for t in tags]
        return [n.rsplit("/", 1)[1] for n in names if "assets/annotator/" in n]

    for item in real.articles:
        assert ours(real.page(item)) == ["annotator.css", "sidenotes.js"]
    first = real.page(real.first)
    assert sum((built / "assets" / "annotator" / n).stat().st_size for n in ours(first)) <= ASSET_BUDGET
    assert ours("index.html") == ["annotator.css", "pages.css"]
    claims = next(p for p in ("claims.html", "claims/index.html") if (built / p).is_file())
    assert ours(claims)[-2:] == ["claims.css", "claims.js"] and "sidenotes.js" not in ours(claims)


@real_site
def test_csp_is_the_first_thing_after_charset_on_every_page(built):
    for path in built.rglob("*.html"):
        if path.parent.name == "downloads":
            continue
        text = path.read_text(encoding="utf-8")
        head = text[: text.index("</head>")]
        metas = re.findall(r"<meta[^>]*>", head)
        assert "charset" in metas[0] and "Content-Security-Policy" in metas[1], path
        assert "'unsafe-inline'" not in metas[1].split("script-src")[1].split(";")[0], path


@real_site
def test_single_file_editions(real, built):
    for item in real.articles:
        page = soup_of(built / real.edition(item))
        assert not page.find("script") and not page.select("link[rel=stylesheet]")
        assert page.find("style") and "sidenote" in page.find("style").get_text()
        assert [n["id"] for n in page.select(".sidenote")] == [n.note_id for n in item.notes]
        article = soup_of(built / real.page(item))
        depth = real.page(item).count("/")
        assert article.select_one("a[download]")["href"] == "../" * depth + real.edition(item)


def test_builds_are_reproducible(site, tmp_path):
    again = build_site(site_root() / "mkdocs.yml", tmp_path / "again")

    def digest(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert digest(site) == digest(again)


def test_second_site_needs_no_code_change(fixture_site):
    page = soup_of(fixture_site / "harbour-report.html")
    notes = page.select(".sidenote")
    assert [n["id"] for n in notes] == ["n-after-eighteen-months-repairs", "n-ferry-services-suspended-since-2021"]
    assert (
        page.select_one("label.claim[for='t-after-eighteen-months-repairs']").get_text()
        == "after “eighteen months” of repairs"
    )
    assert notes[0].select_one(".badge").get_text() == "Qualifies"
    assert (fixture_site / "downloads" / "harbour-report.html").is_file()


# ---- A build must fail, cleanly, when it cannot publish everything --------------------------------


def _sample(tmp_path) -> Path:
    return copy_site(ROOT / "tests" / "sample-site", tmp_path / "s")


def _build(source: Path, generator: str) -> subprocess.CompletedProcess:
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"}
    if generator == "mkdocs":
        return subprocess.run(
            [bin_dir / "mkdocs", "build", "--strict"], cwd=source, capture_output=True, text=True, env=env
        )
    script = f"{bin_dir}/zensical build --clean && {bin_dir}/annotator postbuild"
    return subprocess.run(["bash", "-c", script], cwd=source, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("generator", GENERATORS)
def test_a_broken_annotation_fails_the_build(tmp_path, generator):
    source = _sample(tmp_path)
    path = source / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    path.write_text(path.read_text().replace('"eighteen months"', '"twenty months"'))
    result = _build(source, generator)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "the-harbour-reopened.md:" in output and "is not in paragraph" in output, output[-2000:]
    assert "Traceback" not in output


@pytest.mark.parametrize("generator", GENERATORS)
def test_an_extension_that_changes_the_text_is_caught(tmp_path, generator):
    """The mismatch guard: smarty turns -- into a dash, so the page no longer matches the article."""
    source = _sample(tmp_path)
    config = source / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - annotator\n", "  - annotator\n  - smarty\n"))
    article = source / "docs" / "harbour-report.md"
    article.write_text(article.read_text().replace("resumed in June.", "resumed in June -- on time."))
    result = _build(source, generator)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "differs from the article's text at block 2" in output, output[-2000:]
    assert "Traceback" not in output


@pytest.mark.parametrize("generator", GENERATORS)
def test_a_site_without_claims_or_sources_pages_links_to_none(tmp_path, generator):
    """The article header links to the article's claims and sources pages only where the site
    has a Claims or Sources page to derive them from."""
    source = _sample(tmp_path)
    (source / "docs" / "claims.md").unlink()
    result = _build(source, generator)
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    header = soup_of(source / "site" / "harbour-report.html").select_one(".article-summary")
    names = [a.get_text() for a in header.select("a")]
    assert "All its sources" in names and "All its claims in one table" not in names, names
    (source / "docs" / "sources.md").unlink()
    result = _build(source, generator)
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    header = soup_of(source / "site" / "harbour-report.html").select_one(".article-summary")
    assert not [a for a in header.select("a") if "All its" in a.get_text()], header
    assert not list((source / "site").glob("sources-*.html"))


def test_inline_code_the_theme_did_not_write_fails_the_build(tmp_path):
    """Were any field to slip a script into a page, postbuild would refuse it (the CSP check)."""
    source = _sample(tmp_path)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "zensical", "build", "--clean"], cwd=source, check=True, capture_output=True)
    page = source / "site" / "harbour-report.html"
    page.write_text(page.read_text().replace("</article>", "<script>alert(1)</script></article>", 1))
    result = subprocess.run([bin_dir / "annotator", "postbuild"], cwd=source, capture_output=True, text=True)
    assert result.returncode == 1
    assert "an inline <script> that the theme did not write: 'alert(1)'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_site_of_several_articles_needs_no_configuration(fixture_site):
    """Two articles, one with block quotes, lists, links, emphasis and code: both in the navigation
    and on the home page without any nav: in mkdocs.yml, every block annotatable."""
    home = soup_of(fixture_site / "index.html")
    cards = [a.get_text() for a in home.select(".annotator-article-card h2 a")]
    assert sorted(cards) == ["The council vote, and what the minister said", "The harbour reopened – at last"]
    nav = {a.get_text(strip=True) for a in home.select(".md-nav a, .md-tabs a")}
    assert {"The council vote, and what the minister said", "The harbour reopened – at last"} <= nav
    page = soup_of(fixture_site / "council-vote.html")
    quoted = page.select_one("blockquote p#p3 .sidenote.rel-contradicts")
    listed = page.select_one("li#p6 .sidenote")
    coded = page.select_one("p#p9 > .sidenote")  # after the <strong> its assertion ends in, not inside it
    assert quoted is not None and listed is not None and coded is not None
    assert not page.select("a .sidenote, code .sidenote, strong .sidenote, a label, a input")
    edition = soup_of(fixture_site / "downloads" / "council-vote.html")
    assert len(edition.select(".sidenote")) == 4


@real_site
def test_each_class_is_explained_once_per_article(real, built):
    """A source shows its class's name; what the class means is said once, after the article's
    text (on its page and in its one-file edition), for the classes its sources have."""
    for item in real.articles:
        used = {}
        for note in item.notes:
            for source in note.annotation.sources:
                for found in (source.standing, getattr(source.standing, "read_class", None)):
                    if found is not None:
                        used.setdefault(found.label, found.description)
        for path in (built / real.page(item), built / "downloads" / f"{item.article.slug}.html"):
            page = soup_of(path)
            assert not page.select(".sn-class[title]"), path
            legend = page.select_one("details.article-classes")
            assert legend is None or not legend.find_parent(class_="article-meta"), path  # after the text
            if not used:
                assert legend is None, path
                continue
            labels = [dt.get_text() for dt in legend.select("dt")]
            assert labels == list(dict.fromkeys(labels)) and set(labels) == set(used), path
            assert [dd.get_text() for dd in legend.select("dd")] == [used[label] for label in labels], path
