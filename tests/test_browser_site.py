"""Real-browser tests of the site as a whole: accessibility (axe-core), print and PDF, and
reading offline from disk (site and single-file edition), with no request leaving file://."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser_support import HEIGHTS, MATERIAL_SCHEME, PAGE_KINDS, SCHEMES, WIDTHS, search, url_of

pytestmark = pytest.mark.browser


# ---- 5. Accessibility --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGE_KINDS)
def test_axe_finds_no_violations(site, contexts, pages, axe, name, scheme):
    page = contexts.open(site, pages[name], 1440, scheme)
    try:
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", MATERIAL_SCHEME[scheme])
        options = {"resultTypes": ["violations"]}
        results = axe.run(page, options=options)
        assert results.response.get("testEngine"), "axe did not run"
        assert results.violations_count == 0, results.generate_report()
    finally:
        page.close()


def test_axe_finds_no_nested_interactive_controls_in_the_claims_map(site, contexts, pages, axe):
    page = contexts.open(site, pages["article-claims"], 1440)
    try:
        assert page.locator(".claims-map a").count() > 0
        results = axe.run(page, context=".claims-map", options={"runOnly": ["nested-interactive"]})
        assert results.violations_count == 0, results.generate_report()
    finally:
        page.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_violations_on_a_phone_with_a_note_open(site, contexts, pages, picked, axe, scheme):
    page = contexts.open(site, pages["article"], 375, scheme)
    try:
        page.locator(f"label.claim[for='{picked.mid.toggle_id}']").first.click()
        expect(page.locator(f"#{picked.mid.note_id}")).to_be_visible()
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        page.close()


def test_toggle_exposes_its_note_number_and_checked_state(site, contexts, pages, picked):
    note = picked.second
    page = contexts.open(site, pages["article"], 375)
    try:
        toggle = page.locator(f"#{note.toggle_id}")
        closed = toggle.aria_snapshot()
        assert re.fullmatch(rf'- checkbox "[^"]*\bnote {note.number}\b[^"]*"', closed.strip()), closed
        page.locator(f"label.claim[for='{note.toggle_id}']").first.click()
        opened = toggle.aria_snapshot()
        assert re.fullmatch(rf'- checkbox "[^"]*\bnote {note.number}\b[^"]*" \[checked\]', opened.strip()), opened
        expect(page.get_by_role("note", name=f"Note {note.number}")).to_be_visible()
    finally:
        page.close()


# ---- 7. Print ----------------------------------------------------------------------------------

PRINT_WIDTH = 718  # A4 (794px) minus the 1cm margins used for page.pdf() below


@pytest.fixture(scope="module")
def print_page(site, browser, pages):
    context = browser.new_context(viewport={"width": PRINT_WIDTH, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    page.goto(url_of(site, pages["article"]))
    page.emulate_media(media="print")
    yield page
    context.close()


def test_print_shows_every_note_and_lists_every_source(print_page, real):
    """Print is a book page: every note beside its paragraph (number, verdict, claim, sources as
    lettered references), and the sources listed in full, numbered, after the article."""
    notes = print_page.eval_on_selector_all(
        ".annotated-article .sidenote",
        """ns => ns.map(n => ({
             id: n.id,
             display: getComputedStyle(n).display,
             height: n.getBoundingClientRect().height,
             claim: getComputedStyle(n.querySelector('.sn-claim')).display }))""",
    )
    assert [n["id"] for n in notes] == [n.note_id for n in real.first.notes]
    assert [n["id"] for n in notes if n["display"] == "none" or n["height"] < 10 or n["claim"] == "none"] == []
    listed = print_page.eval_on_selector_all(".sn-print-sources li, .sn-print-sources p", "es => es.length")
    assert print_page.locator(".sn-print-sources").is_visible() and listed >= 1


def test_print_fits_the_printable_width(print_page):
    overflow = print_page.evaluate(
        """(width) => [...document.querySelectorAll('.md-content *')]
             .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
             .map((e) => `${e.tagName}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)
             .slice(0, 10)""",
        PRINT_WIDTH,
    )
    assert overflow == []
    assert print_page.evaluate("document.documentElement.scrollWidth") <= PRINT_WIDTH


def test_print_hides_material_header_navigation_and_footer(print_page):
    shown = print_page.evaluate(
        """() => ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer']
             .flatMap((sel) => [...document.querySelectorAll(sel)].map((e) => [sel, e]))
             .filter(([, e]) => {
               const r = e.getBoundingClientRect();
               return getComputedStyle(e).display !== 'none' && r.width * r.height > 0; })
             .map(([sel]) => sel)"""
    )
    assert print_page.locator(".md-header").count() == 1, "no Material header to hide"
    assert shown == []


def test_pdf_is_produced_with_several_pages(print_page):
    pdf = print_page.pdf(format="A4", margin={"top": "1cm", "bottom": "1cm", "left": "1cm", "right": "1cm"})
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 5, f"only {pages} pages for an article with every note printed"


# ---- 8. Offline: file:// with every other request aborted ---------------------------------------


class OfflineContext:
    """A context that aborts every request leaving file:// and records what went wrong."""

    def __init__(self, browser, width, scheme="light"):
        self.context = browser.new_context(viewport={"width": width, "height": HEIGHTS[width]}, color_scheme=scheme)
        self.blocked, self.failed, self.errors, self.requests = [], [], [], []
        self.context.route("**/*", self._route)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.context.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.context.on("weberror", lambda e: self.errors.append(str(e.error)))

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def assert_clean(self):
        assert self.blocked == [], "requests left file://"
        assert self.failed == [], "local resources failed to load"
        assert self.errors == [], "console errors"


@pytest.fixture
def offline(browser):
    made = []

    def _make(width, scheme="light"):
        made.append(OfflineContext(browser, width, scheme))
        return made[-1]

    yield _make
    for o in made:
        o.context.close()


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGE_KINDS)
def test_offline_page_renders_styled_with_every_local_resource_and_fits_every_width(
    reading_site, offline, pages, name, scheme
):
    ctx = offline(1440, scheme)
    page = ctx.context.new_page()
    page.goto(url_of(reading_site, pages[name]))
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", MATERIAL_SCHEME[scheme])
    styles = page.evaluate(
        """() => ({ header: getComputedStyle(document.querySelector('.md-header')).backgroundColor,
                    headerPosition: getComputedStyle(document.querySelector('.md-header')).position,
                    body: getComputedStyle(document.body).backgroundColor,
                    sheets: document.styleSheets.length })"""
    )
    assert styles["header"] not in ("rgba(0, 0, 0, 0)", "transparent"), styles
    assert styles["headerPosition"] == "sticky", "Material's stylesheet is not applied"
    assert styles["sheets"] >= 3  # the theme's main + palette + annotator.css
    if name == "article":  # in the margin: placed by sidenotes.js (absolute), else floated
        where = page.locator(".sidenote").first.evaluate(
            "n => [getComputedStyle(n).position, getComputedStyle(n).float]"
        )
        assert where in (["absolute", "none"], ["relative", "right"]), where
    for width in WIDTHS:  # nothing spills sideways at any width (the window resized, as a reader would)
        page.set_viewport_size({"width": width, "height": HEIGHTS[width]})
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        sizes = page.evaluate(
            "() => ({ scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,"
            " content: document.querySelector('.md-content').getBoundingClientRect().height })"
        )
        assert sizes["view"] <= width and sizes["content"] > 100, (width, sizes)
        assert sizes["scroll"] <= sizes["view"], f"{name} scrolls sideways at {width}px: {sizes}"
    ctx.assert_clean()


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_offline_notes_toggle_on_a_phone(reading_site, offline, pages, picked):
    ctx = offline(375)
    page = ctx.context.new_page()
    page.goto(url_of(reading_site, pages["article"]))
    note = page.locator(f"#{picked.mid.note_id}")
    expect(note).to_be_hidden()
    page.locator(f"label.claim[for='{picked.mid.toggle_id}']").first.click()
    expect(note).to_be_visible()
    page.keyboard.press("Escape")  # focus is on the toggle after a label click
    expect(note).to_be_hidden()
    ctx.assert_clean()


@pytest.fixture(scope="module")
def source_only_word(real) -> str:
    """A word (an outlet's name) found in the first article's sources but in no article's text."""
    text = " ".join(p for item in real.articles for p in item.article.paragraphs).lower()
    outlets = sorted({s.outlet for n in real.first.notes for s in n.annotation.sources})
    return next(o for o in outlets if o.isalpha() and len(o) > 5 and o.lower() not in text)


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_offline_search_finds_a_word_from_a_note_source_and_links_to_the_note(
    reading_site, offline, pages, source_only_word
):
    word = source_only_word
    ctx = offline(1440)
    page = ctx.context.new_page()
    page.goto(url_of(reading_site, pages["article"]))
    article_text = page.evaluate(
        """() => { const copy = document.querySelector('.annotated-article').cloneNode(true);
                   copy.querySelectorAll('.sidenote').forEach((n) => n.remove()); return copy.textContent; }"""
    )
    assert word not in article_text
    assert word in page.locator(".annotated-article .sn-source").all_inner_texts().__str__()

    page.goto(url_of(reading_site, pages["search"]))  # from disk, the search page reads its whole-site file
    results = search(page, word.lower())
    expect(results.first).to_be_visible()
    hrefs = results.evaluate_all(
        "rs => rs.flatMap(r => [...r.querySelectorAll('a[href]'), r.closest('a[href]')])"
        ".filter(Boolean).map(a => a.href)"
    )
    article = re.escape(pages["article"])
    note_links = [h for h in hrefs if re.search(rf"/{article}(\?[^#]*)?#n-[a-z0-9-]+$", h)]
    assert note_links, f"no result links to a note: {hrefs}"
    page.goto(note_links[0])  # the hit may sit in a collapsed "more on this page" group
    note = page.locator("#" + note_links[0].rsplit("#", 1)[1])
    expect(note).to_be_in_viewport()
    ctx.assert_clean()


def test_single_file_edition_is_styled_and_loads_nothing_else(site, offline, pages, real):
    edition = pages["edition"]
    ctx = offline(1440)
    page = ctx.context.new_page()
    page.goto(url_of(site, edition))
    assert page.locator("script").count() == 0
    font = page.evaluate("getComputedStyle(document.querySelector('.annotated-article p')).fontFamily")
    assert "serif" in font.replace("sans-serif", "")  # a reading face, as on the site
    notes = page.locator(".sidenote")
    assert notes.count() == len(real.first.notes)
    assert notes.first.evaluate("n => getComputedStyle(n).float") == "right"
    assert ctx.requests == [url_of(site, edition)]
    ctx.assert_clean()


def test_single_file_edition_notes_toggle_on_a_phone(site, offline, pages, picked):
    ctx = offline(375)
    page = ctx.context.new_page()
    page.goto(url_of(site, pages["edition"]))
    note = page.locator(f"#{picked.mid.note_id}")
    expect(note).to_be_hidden()
    page.locator(f"label.claim[for='{picked.mid.toggle_id}']").first.click()
    expect(note).to_be_visible()
    page.locator(f"label.claim[for='{picked.mid.toggle_id}']").first.click()
    expect(note).to_be_hidden()
    assert ctx.requests == [url_of(site, pages["edition"])]
    ctx.assert_clean()
