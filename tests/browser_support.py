"""Helpers for the browser tests: pages, viewports, one context per width and palette, geometry.

Geometry is measured in the page (document coordinates, CSS px) by the JavaScript snippets
below and returned as plain dicts, so the assertions in the tests read as Python."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from annotator.model import AnchoredNote, AnnotatedArticle

# The kinds of page every site has; the `pages` fixture (conftest.py) says which file each is, from
# the site's articles (tests/realsite.py): "article" is the first article's page.
PAGE_KINDS = ("home", "article", "claims", "article-claims", "sources", "corrections", "search")
WIDTHS = (1440, 1024, 768, 375)
WIDE = (1440, 1024)  # notes in the right margin (>= 60em = 960px)
NARROW = (768, 375)  # notes inline, closed until opened
HEIGHTS = {1440: 900, 1024: 768, 768: 1024, 375: 812}
SCHEMES = ("light", "dark")
MATERIAL_SCHEME = {"light": "default", "dark": "slate"}
PX = 2  # rounding slack for sub-pixel layout
NOTE_GAP = 6  # px between margin notes stacked by sidenotes.js (its SETTINGS.gapPx)


@dataclass(frozen=True)
class Picked:
    """The few notes of the interaction article (the site's first) that browser tests click, chosen
    by what each test needs rather than by their place in one article."""

    first: AnchoredNote  # note 1
    second: AnchoredNote  # note 2: its paragraph also holds note 1 when the article allows
    mid: AnchoredNote  # text follows its assertion in the same paragraph
    linked: AnchoredNote  # replaces a first-edition position id (p7-2) when any note does
    former: str | None  # that position id (links of the first edition), if any

    @classmethod
    def of(cls, item: AnnotatedArticle) -> Picked:
        notes = item.notes
        assert len(notes) >= 2, f"{item.article.slug}: the interaction tests need an article with two notes"
        paragraphs = item.article.paragraphs

        def alone(n: AnchoredNote) -> bool:  # no other assertion overlaps it: hovering it is hovering it alone
            return not any(
                o is not n and o.paragraph == n.paragraph and o.start < n.end and n.start < o.end for o in notes
            )

        mid = next(
            (
                n
                for n in notes
                if alone(n) and n.paragraph < len(paragraphs) and paragraphs[n.paragraph - 1][n.end :].strip(" .,;:")
            ),
            notes[0],
        )
        positions = [(n, old) for n in notes for old in n.annotation.replaces if old[:1] == "p" and old[1:2].isdigit()]
        linked, former = positions[len(positions) // 2] if positions else (notes[len(notes) // 2], None)
        return cls(notes[0], notes[1], mid, linked, former)


def paragraph_id(note: AnchoredNote) -> str:
    """The element id of the block a note's assertion is in (p1, p2, ...)."""
    return f"p{note.paragraph}"


def url_of(site: Path, name: str, fragment: str = "") -> str:
    return (site / name).as_uri() + (f"#{fragment}" if fragment else "")


class ContextPool:
    """One browser context per (width, palette, javascript), created on first use.

    Every context aborts requests that leave file:// so no test can touch the network."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = {}
        self.pages = {}  # pages opened once and only read (measured), shared by the tests that read them

    def get(self, width: int, scheme: str = "light", js: bool = True):
        key = (width, scheme, js)
        if key not in self.contexts:
            context = self.browser.new_context(
                viewport={"width": width, "height": HEIGHTS.get(width, 900)},
                color_scheme=scheme,
                java_script_enabled=js,
                reduced_motion="reduce",
            )
            context.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
            )
            self.contexts[key] = context
        return self.contexts[key]

    def open(self, site: Path, name: str, width: int, scheme: str = "light", js: bool = True, fragment: str = ""):
        page = self.get(width, scheme, js).new_page()
        page.goto(url_of(site, name, fragment))
        return page

    def shared(self, site: Path, name: str, width: int, scheme: str = "light", js: bool = True):
        """A page opened once for every test that only measures it (no click, key or hover): opening
        and laying out the article is most of a browser test's time."""
        key = (site, name, width, scheme, js)
        if key not in self.pages or self.pages[key].is_closed():
            self.pages[key] = self.open(site, name, width, scheme, js)
        return self.pages[key]

    def close(self):
        for context in self.contexts.values():
            context.close()


# ---- In-page measurements -------------------------------------------------------------------

# Boxes of every article note and of its number label, plus what the tests compare them with.
NOTES_GEOMETRY_JS = """
() => {
  const box = (e) => {
    const r = e.getBoundingClientRect();
    return { left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY,
             bottom: r.bottom + scrollY, width: r.width, height: r.height };
  };
  const notes = [...document.querySelectorAll('.annotated-article .sidenote')].map((note) => {
    const bare = note.id.slice(2);
    const style = getComputedStyle(note);
    const para = note.closest('p');
    return {
      id: note.id,
      box: box(note),
      display: style.display,
      float: style.float,
      position: style.position,
      marginTop: parseFloat(style.marginTop),
      marginBottom: parseFloat(style.marginBottom),
      num: box(document.querySelector(`label.sn-num[for="t-${bare}"]`)),
      lineHeight: parseFloat(getComputedStyle(para).lineHeight),
      text: note.innerText.trim(),
    };
  });
  const navSelectors = ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-sidebar--secondary',
                        '.md-footer', '.md-footer-meta'];
  const nav = navSelectors.flatMap((sel) => [...document.querySelectorAll(sel)])
    .filter((e) => getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden')
    .map((e) => ({ name: e.className, box: box(e) }))
    .filter((n) => n.box.width > 0 && n.box.height > 0 && n.box.right > 0 && n.box.left < innerWidth);
  const paragraphs = [...document.querySelectorAll('.annotated-article > p')].map((p) => {
    const s = getComputedStyle(p);
    const b = box(p);
    return { id: p.id, contentRight: b.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth),
             top: b.top, bottom: b.bottom };
  });
  return { notes, nav, paragraphs, viewportWidth: document.documentElement.clientWidth,
           viewportHeight: innerHeight, scrollWidth: document.documentElement.scrollWidth };
}
"""

# Every margin note shown (not left out by the reader's filter): its top and bottom, the top of
# its assertion's first line (the assertion runs from its anchor to its toggle) and the drift
# between the two, the bottom of the note shown before it (margin included), in page px.
DRIFT_JS = """
() => {
  const notes = [...document.querySelectorAll('.annotated-article .sidenote')]
    .filter((n) => getComputedStyle(n).display !== 'none');
  let previous = null;
  return notes.map((note) => {
    const bare = note.id.slice(2);
    const range = document.createRange();
    range.setStartAfter(document.getElementById('a-' + bare));
    range.setEndBefore(document.getElementById('t-' + bare));
    const line = [...range.getClientRects()].find((r) => r.width > 0 && r.height > 0);
    const box = note.getBoundingClientRect();
    const style = getComputedStyle(note);
    const result = {
      id: note.id,
      top: box.top + scrollY,
      bottom: box.bottom + scrollY + parseFloat(style.marginBottom),
      marginTop: parseFloat(style.marginTop),
      line: line.top + scrollY,
      lineHeight: parseFloat(getComputedStyle(note.closest('p') || note.parentElement).lineHeight),
      previousBottom: previous && previous.bottom,
    };
    result.drift = result.top - result.line;
    previous = result;
    return result;
  });
}
"""

# Text that a note box would hide: line boxes of every text node in the page content outside
# notes (Range rects, so the text's real right edge, not the paragraph's box). Returns the
# text pieces that intersect any of the given note ids' boxes.
TEXT_UNDER_NOTES_JS = """
(ids) => {
  const content = document.querySelector('.md-content') || document.body;
  const notes = ids.map((id) => document.getElementById(id));
  const boxes = notes.map((n) => n.getBoundingClientRect());
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
  const hits = [];
  let checked = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const parent = node.parentElement;
    if (parent.closest('.sidenote, .sn-sr, script, style, [hidden]')) continue;
    if (parent.closest('details:not([open]) > :not(summary)')) continue;  // not shown: nothing to cover
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      checked += 1;
      boxes.forEach((b, i) => {
        const overlapX = Math.min(b.right, r.right) - Math.max(b.left, r.left);
        const overlapY = Math.min(b.bottom, r.bottom) - Math.max(b.top, r.top);
        if (overlapX > 1 && overlapY > 1) hits.push({ note: ids[i], text: node.textContent.trim().slice(0, 60),
          textRect: [r.left, r.top, r.right, r.bottom], noteRect: [b.left, b.top, b.right, b.bottom] });
      });
    }
  }
  return { checked, hits };
}
"""

# Cumulative Layout Shift after load: buffered layout-shift entries once fonts are ready and
# two frames have been painted.
CLS_JS = """
() => new Promise((resolve) => {
  const shifts = [];
  const record = (entries) => entries.forEach((e) => {
    if (!e.hadRecentInput) shifts.push({ value: e.value, sources: (e.sources || []).map((s) =>
      s.node ? (s.node.id || s.node.className || s.node.nodeName) : '?') });
  });
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ type: 'layout-shift', buffered: true });
  document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => {
    record(observer.takeRecords());
    observer.disconnect();
    resolve({ supported: PerformanceObserver.supportedEntryTypes.includes('layout-shift'),
              cls: shifts.reduce((sum, s) => sum + s.value, 0), shifts });
  })));
})
"""


def overlaps(a: dict, b: dict, slack: float = PX) -> bool:
    """Whether two boxes (dicts with left/right/top/bottom) share more than `slack` px each way."""
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def search(page, query: str):
    """Type a query in the search page's box, or in the theme's own search (Material's box, or
    Zensical's dialog in a shadow root, which Playwright's CSS selectors pierce); returns the
    locator of the results."""
    if page.locator("#annotator-q").count():  # our search page (Pagefind, or the file from disk)
        box, results = page.locator("#annotator-q"), page.locator(".annotator-search-result")
    elif page.locator(".md-search__button").count():  # Zensical
        box, results = page.locator("input[role=combobox]"), page.locator("[role=option]")
        if not box.is_visible():
            page.locator(".md-search__button").click()
    else:
        box, results = page.locator("input[data-md-component=search-query]"), page.locator(".md-search-result__item")
        box.click()
    from playwright.sync_api import expect

    if box.input_value():  # a second query on the same page: no result of the first may linger
        box.fill("")
        expect(results).to_have_count(0)
    box.press_sequentially(query, delay=20)  # the themes search on key events, which fill() does not send
    return results


def forget(page) -> None:
    """Forget the filter's choice (sidenotes.js remembers it): other tests share the context."""
    if page.context.pages and not page.is_closed():
        page.evaluate("() => { try { localStorage.removeItem('annotator.notes'); } catch (e) {} }")


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve a built site over HTTP on a free local port; yields its base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
