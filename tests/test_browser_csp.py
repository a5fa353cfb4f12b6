"""The Content Security Policy in a real browser: it is in force (an injected inline script is
blocked and reported), and the site itself triggers no violation while a reader uses it, from
disk and over HTTP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import PAGE_KINDS, served, url_of

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest.fixture(scope="module")
def http_site(site):
    with served(site) as url:
        yield url


@pytest.fixture
def csp_page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


def use_the_page(page, name: str) -> None:
    """What a reader does: open a note, search."""
    if name == "article":
        label = page.locator("label.claim").first
        label.click()
        expect(page.locator(".sidenote").first).to_be_visible()
    if name == "search":  # Pagefind over HTTP (WebAssembly), the whole-site file from disk
        page.locator("#annotator-q").press_sequentially("Reuters", delay=20)
        expect(page.locator(".annotator-search-result").first).to_be_visible(timeout=10_000)


@pytest.mark.parametrize("name", PAGE_KINDS)
def test_no_csp_violation_while_reading_from_disk(site, csp_page, pages, name):
    csp_page.goto(url_of(site, pages[name]))
    use_the_page(csp_page, name)
    assert csp_page.evaluate("window.__csp") == []


@pytest.mark.parametrize("name", ["home", "article", "search"])
def test_no_csp_violation_while_reading_over_http(http_site, csp_page, pages, name):
    csp_page.goto(http_site + pages[name])
    use_the_page(csp_page, name)
    assert csp_page.evaluate("window.__csp") == []


def test_the_policy_blocks_inline_script(http_site, csp_page, pages):
    csp_page.goto(http_site + pages["article"])
    csp_page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); }"
    )
    expect(csp_page.locator("body")).to_be_visible()
    assert csp_page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in csp_page.evaluate("window.__csp"))
