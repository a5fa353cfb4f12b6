"""The hostile site in Chromium, built by each generator: every page loads with no dialog, no
Content Security Policy violation and nothing blanked; the policy sits in the parsed <head>;
every JSON-LD block parses; search results for words from the payloads render inert."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import search, served

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));
"""
PAGES = (
    "index.html",
    "hostile.html",
    "claims.html",
    "claims-hostile.html",
    "sources.html",
    "sources-hostile.html",
    "search.html",
    "downloads/hostile.html",
)
QUERIES = ("alert", "script", "style", "onerror", "tabnabbing")


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def hostile_site(request, hostile_sites):
    """The hostile site built by each generator (once per session, shared with the other module)."""
    return hostile_sites(request.param)


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    local = ("file:", "http://127.0.0.1:")  # the site from disk, or from the test's own server
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def assert_unharmed(page, where: str) -> None:
    state = page.evaluate(
        """() => ({
          csp: window.__csp,
          policyInHead: !!document.head.querySelector('meta[http-equiv="Content-Security-Policy"]'),
          bodyShown: getComputedStyle(document.body).display !== 'none'
                     && getComputedStyle(document.body).visibility !== 'hidden',
          textShown: (document.querySelector('main') || document.body).innerText.length > 100,
          jsonOk: [...document.querySelectorAll('script[type="application/ld+json"]')]
                    .every((s) => { try { JSON.parse(s.textContent); return true; } catch (e) { return false; } }),
        })"""
    )
    assert page.dialogs == [], where
    assert state["csp"] == [], (where, state["csp"])
    assert state["policyInHead"] and state["bodyShown"] and state["textShown"] and state["jsonOk"], (where, state)


def assert_inert(results, query: str) -> None:
    """Results were shown, and none holds an element that could run or restyle anything."""
    live = results.evaluate_all(
        "(items) => items.map((r) => r.querySelectorAll("
        "'script, style, img, iframe, object, embed, svg, [onerror], [onload]').length).reduce((a, b) => a + b, 0)"
    )
    assert results.count() > 0 and live == 0, (query, live)


def test_hostile_pages_load_unharmed(hostile_site, watched):
    for name in PAGES:
        watched.goto((hostile_site / name).as_uri())
        watched.wait_for_load_state("load")
        if name == "hostile.html":
            watched.locator("label.claim").first.click()  # open a note full of payloads
            expect(watched.locator(".sidenote").first).to_be_visible()
        assert_unharmed(watched, name)


@pytest.mark.parametrize("name", ["hostile.html", "search.html"])
def test_search_results_for_payload_words_are_inert(hostile_site, watched, name):
    """The theme's search box on a page, and the search page (which, from disk, reads its
    whole-site file): results for each payload word are built from text."""
    watched.goto((hostile_site / name).as_uri())
    for query in QUERIES:
        results = search(watched, query)
        expect(results.first).to_be_visible(timeout=10_000)
        assert_inert(results, query)
        assert_unharmed(watched, f"{name}, searching {query!r}")


@pytest.fixture(scope="module")
def hostile_http(hostile_site):
    with served(hostile_site) as url:
        yield url


def test_pagefind_results_render_inert(hostile_http, watched):
    """Over HTTP the search page asks Pagefind; only the <mark>s of its excerpts become markup."""
    watched.goto(hostile_http + "search.html")
    for query in ("alert", "onerror", "style"):
        results = search(watched, query)
        expect(results.first).to_be_visible(timeout=15_000)
        tags = results.evaluate_all(
            "(items) => [...new Set(items.flatMap((r) => [...r.querySelectorAll('*')].map((e) => e.tagName)))]"
        )
        assert set(tags) <= {"A", "P", "SPAN", "MARK"}, (query, tags)
        assert_unharmed(watched, f"search.html over HTTP, searching {query!r}")
