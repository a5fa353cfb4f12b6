"""Links from a note: its permalink, the links to a fix (GitHub's editor at the annotation's
line, a pre-filled issue), each source opened at its excerpt (a text fragment), the header's
list of disputed notes, and the stable ids in the data (W3C annotations, ClaimReview)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import xml.etree.ElementTree as etree
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from annotator.generated import disputed, disputed_nav
from annotator.notelinks import FixLinks, at_excerpt, branch_of, repository, text_fragment
from annotator.opendata import claim_reviews, web_annotations
from annotator.render import render_article
from annotator.sidenote import source_element
from annotator.standalone import standalone_html

from .conftest import ROOT, copy_site


@pytest.fixture(scope="module")
def item(real):
    """The real site's first article, with its notes (the package's own loader, in a fixture)."""
    return real.first


HOSTILE = 'a & b=c #frag "q" <script>alert(1)</script> %41 ?x=1\nnext'


# ---- Text fragments ---------------------------------------------------------------------------


def test_a_short_excerpt_is_one_text_directive():
    assert text_fragment("Repairs took nineteen months.") == ":~:text=Repairs%20took%20nineteen%20months"


def test_a_long_excerpt_is_its_first_and_last_words():
    excerpt = "One two three four five six seven eight nine ten eleven."
    assert text_fragment(excerpt) == ":~:text=One%20two%20three%20four,eight%20nine%20ten%20eleven"


def test_the_directives_delimiters_are_encoded():
    fragment = text_fragment("well-known, rock & roll")
    assert fragment == ":~:text=well%2Dknown%2C%20rock%20%26%20roll"
    assert fragment.count(",") == 0 and "-" not in fragment.removeprefix(":~:text=") and "&" not in fragment


def test_an_elided_excerpt_starts_and_ends_at_its_parts():
    fragment = text_fragment("“The first part here … and [...] the very last words.”")
    start, end = fragment.removeprefix(":~:text=").split(",")
    assert unquote(start) == "The first part here" and unquote(end) == "the very last words"


def test_a_fragment_is_added_only_where_the_address_has_none():
    assert at_excerpt("https://example.org/a", "Some words") == "https://example.org/a#:~:text=Some%20words"
    assert at_excerpt("https://example.org/a#section", "Some words") == "https://example.org/a#section"
    assert at_excerpt(None, "x") is None
    assert at_excerpt("https://example.org/a", "  ") == "https://example.org/a"


# ---- The repository and the links to a fix ------------------------------------------------------


def test_the_branch_comes_from_edit_uri():
    assert branch_of("") == "main"
    assert branch_of("edit/trunk/docs/") == "trunk"
    assert branch_of("/blob/dev/docs/") == "dev"
    assert branch_of("?path=/docs/") is None


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://example.org/x", 'https://x.org/"><b>'])
def test_no_repository_without_an_http_address(url):
    assert repository(url, "", ROOT) is None


def note(item, relation: str | None = None):
    return next(n for n in item.notes if relation is None or n.annotation.relation == relation)


def test_the_edit_link_opens_the_annotation_file_at_its_line(item):
    repo = repository("https://github.com/owner/name/", "edit/trunk/docs/", ROOT)
    n = note(item)
    url = repo.edit_url(n)
    path = n.annotation.path.resolve().relative_to(ROOT).as_posix()
    assert url == f"https://github.com/owner/name/edit/trunk/{path}#L{n.annotation.lines[0]}"
    lines = n.annotation.path.read_text(encoding="utf-8").splitlines()
    block = "\n".join(lines[n.annotation.lines[0] - 1 : n.annotation.lines[1] - 1])
    assert f"id: {n.id}" in block  # the line opens this note's block
    assert repository("https://github.com/o/n", "?path=docs", ROOT).edit_url(n) is None  # no branch, no link


def test_the_issue_is_prefilled_and_hostile_text_stays_inside_its_parameter(item):
    repo = repository("https://github.com/owner/name", "", ROOT)
    n = note(item)
    a = dataclasses.replace(n.annotation, claim=HOSTILE)
    hostile = dataclasses.replace(n, annotation=a)
    url = repo.issue_url(item.article, hostile)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
        "https",
        "github.com",
        "/owner/name/issues/new",
        "",
    )
    assert re.fullmatch(r"[!-~]+", url) and not re.search(r"[<>\"' ]", url)
    query = parse_qs(parts.query, strict_parsing=True)
    assert sorted(query) == ["body", "title"]
    body = query["body"][0]
    assert n.id in query["title"][0] and HOSTILE.split("\n")[0][:40] in query["title"][0]
    assert f"Claim: {HOSTILE}" in body and item.article.title in body and f"Note: {n.id}" in body
    assert all(s.link in body for s in n.annotation.sources)


def test_fix_links_appear_only_with_a_repository(item):
    plain = BeautifulSoup(render_article(item.article, item.notes), "html.parser")
    assert not plain.select(".sn-edit, .sn-report")
    repo = repository("https://github.com/owner/name", "edit/main/docs/", ROOT)
    fixes = FixLinks(repo, item.article)
    links = fixes.links(note(item))
    assert [css for css, _, _ in links] == ["sn-edit", "sn-report"]
    assert all(href.startswith("https://github.com/owner/name/") for _, _, href in links)


# ---- The permalink, the sources' fragments, the disputed notes -----------------------------------


def test_each_note_has_its_permalink_and_keeps_its_back_link(item):
    page = BeautifulSoup(render_article(item.article, item.notes), "html.parser")
    notes = page.select(".sidenote")
    assert len(notes) == len(item.notes)
    for element in notes:
        permalink = element.select_one(".sn-links a.sn-permalink")
        assert permalink["href"] == f"#{element['id']}" and permalink.get_text() == "Link to this note"
        assert element.select_one(".sn-back")["href"] == "#a-" + element["id"].removeprefix("n-")


def test_the_one_file_edition_has_the_permalinks_and_the_disputed_list(item):
    page = BeautifulSoup(standalone_html(item), "html.parser")
    assert len(page.select(".sidenote .sn-permalink")) == len(item.notes)
    ids = {t["id"] for t in page.select("[id]")}
    links = [a["href"] for a in page.select("nav.sn-disputed a")]
    assert links and all(h.removeprefix("#") in ids for h in links)


def test_each_source_link_opens_at_its_excerpt(item):
    page = BeautifulSoup(render_article(item.article, item.notes), "html.parser")
    sources = [s for n in item.notes for s in n.annotation.sources]
    titles = page.select(".sn-source .sn-title")
    assert len(titles) == len(sources)
    for link, source in zip(titles, sources, strict=True):
        address, _, fragment = link["href"].partition("#")
        assert address == source.link.split("#")[0]
        if "#" not in source.link:
            assert fragment == text_fragment(source.excerpt) and fragment.startswith(":~:text=")
    source = dataclasses.replace(
        sources[0],
        url="https://example.org/a",
        archive_url="https://web.archive.org/web/2024/https://example.org/a",
        via="https://copy.example/a",
    )
    element = BeautifulSoup(etree.tostring(source_element(source), encoding="unicode"), "html.parser")
    fragment = "#" + text_fragment(source.excerpt)
    assert element.select_one(".sn-archive")["href"] == source.archive_url + fragment
    assert element.select_one("a.sn-via")["href"] == source.via + fragment
    # No original's address: the title links to the copy read, and "read on" names it unlinked.
    copy_only = dataclasses.replace(source, url=None, archive_url=None)
    element = BeautifulSoup(etree.tostring(source_element(copy_only), encoding="unicode"), "html.parser")
    assert element.select_one(".sn-title")["href"] == copy_only.via + fragment
    assert element.select_one("span.sn-via").get_text() == "copy.example" and not element.select("a.sn-via")


def test_the_disputed_list_links_every_disputed_note_in_order(item):
    nav = disputed_nav(item)
    assert nav.tag == "nav" and nav.get("aria-label") == "Disputed claims"
    hrefs = [a.get("href") for a in nav.iter("a")]
    expected = [f"#{n.note_id}" for n in item.notes if disputed(n.annotation.relation_row)]
    assert hrefs == expected and expected
    assert {n.annotation.relation for n in item.notes if f"#{n.note_id}" in hrefs} <= {"qualifies", "contradicts"}


# ---- The data carries the stable ids -----------------------------------------------------------


def test_the_data_names_each_note_by_its_permanent_id(item):
    page = "https://example.org/articles/a.html"
    ids = [n.id for n in item.notes]
    annotations = web_annotations(item, page)["first"]["items"]
    assert [a["id"] for a in annotations] == [f"{page}#n-{i}" for i in ids]
    reviews = claim_reviews(item, page, "Annotated reading")
    judged = [n.id for n in item.notes if n.annotation.relation_row.judges]
    assert [r["url"] for r in reviews] == [f"{page}#n-{i}" for i in judged]
    for data in annotations:  # the sources' addresses stay as written: no text fragment in the data
        assert all(":~:" not in b.get("source", "") for b in data["body"])


# ---- A site whose config names its repository --------------------------------------------------


def _build_with_repo(tmp_path: Path, generator: str) -> Path:
    source = copy_site(ROOT / "tests" / "sample-site", tmp_path / "s")
    config = source / "mkdocs.yml"
    text = config.read_text()
    options = "  - annotator:\n      repo_url: https://github.com/example/sample\n      edit_uri: edit/trunk/docs/\n"
    config.write_text(text.replace("markdown_extensions:\n  - annotator\n", "markdown_extensions:\n" + options))
    assert "repo_url: https" in config.read_text()
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT / "scripts")}
    if generator == "mkdocs":
        command = ["bash", "-c", f"{bin_dir}/mkdocs build --strict"]
    else:
        command = ["bash", "-c", f"{bin_dir}/zensical build --clean && {bin_dir}/annotator postbuild"]
    result = subprocess.run(command, cwd=source, capture_output=True, text=True, env=env)
    assert result.returncode == 0, (result.stdout + result.stderr)[-2000:]
    return source


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_a_site_with_a_repository_links_each_note_to_its_file_and_line(tmp_path, generator):
    source = _build_with_repo(tmp_path, generator)
    html = (source / "site" / "harbour-report.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    notes = page.select(".annotated-article .sidenote")
    assert notes
    for element in notes:
        note_id = element["id"].removeprefix("n-")
        edit = element.select_one("a.sn-edit")["href"]
        match = re.fullmatch(r"https://github\.com/example/sample/edit/trunk/(annotations/[^#]+)#L(\d+)", edit)
        assert match, edit
        lines = (source / match.group(1)).read_text(encoding="utf-8").splitlines()
        assert lines[int(match.group(2)) - 1] == "---" and f"id: {note_id}" == lines[int(match.group(2))]
        report = urlsplit(element.select_one("a.sn-report")["href"])
        assert report.netloc == "github.com" and report.path == "/example/sample/issues/new"
        assert f"Note: {note_id}" in parse_qs(report.query)["body"][0]
        for link in element.select("a.sn-edit, a.sn-report"):
            assert link["rel"] == ["noopener", "noreferrer"]
    # The repository is the extension's option: the theme shows no repository widget, so it
    # fetches no statistics (Material's source.html and its fetch need MkDocs' repo_url).
    assert "md-source" not in html and "api.github.com" not in html
