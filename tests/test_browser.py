"""Real-browser tests of the reading experience: sidenote layout, opening and closing notes by
mouse and keyboard, JavaScript off, focus, deep links and layout stability.

Accessibility, print and offline reading are in test_browser_site.py. Contexts (one per width,
palette and JavaScript setting) come from the `contexts` fixture in conftest.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser_support import (
    CLS_JS,
    DRIFT_JS,
    NARROW,
    NOTE_GAP,
    NOTES_GEOMETRY_JS,
    PAGE_KINDS,
    PX,
    SCHEMES,
    TEXT_UNDER_NOTES_JS,
    WIDE,
    overlaps,
)

pytestmark = pytest.mark.browser

BOTH = pytest.mark.parametrize("generator", ["mkdocs", "zensical"])


@pytest.fixture
def geometry(real):
    """The notes' geometry on the first article's page, which must hold every one of its notes."""

    def measure(page) -> dict:
        data = page.evaluate(NOTES_GEOMETRY_JS)
        assert len(data["notes"]) == len(real.first.notes), f"{len(data['notes'])} notes on the article page"
        return data

    return measure


# ---- 1. Layout: margin notes on wide screens ---------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDE)
@BOTH
def test_margin_notes_overlap_no_other_note_text_or_navigation(measured_page, geometry, width, scheme):
    page = measured_page(width=width, scheme=scheme)
    data = geometry(page)
    notes = data["notes"]
    # In the margin: set level with its line by sidenotes.js (absolute), or floated without it.
    # (A closed note is a block, or one clamped line, -webkit-box, in the narrower margin.)
    shown = ("block", "-webkit-box", "flow-root")  # a clamped box, absolutely placed, computes to flow-root
    assert all(n["display"] in shown and (n["position"] == "absolute" or n["float"] == "right") for n in notes)
    assert all(n["box"]["height"] > 0 and n["text"] for n in notes)

    collisions = [
        (a["id"], b["id"]) for i, a in enumerate(notes) for b in notes[i + 1 :] if overlaps(a["box"], b["box"])
    ]
    assert not collisions, f"notes overlap each other: {collisions}"

    # The text column: paragraphs are 62% wide, so every note must start right of each
    # paragraph's content box, and no line of text anywhere in the content may sit under a note.
    text_right = max(p["contentRight"] for p in data["paragraphs"])
    crowded = [(n["id"], n["box"]["left"], text_right) for n in notes if n["box"]["left"] < text_right - PX]
    assert not crowded, f"notes start inside the text column (note left, text right): {crowded}"
    covered = page.evaluate(TEXT_UNDER_NOTES_JS, [n["id"] for n in notes])
    assert covered["checked"] > 100, "no text measured"
    assert not covered["hits"], f"notes cover text: {covered['hits'][:5]}"

    assert data["nav"], "no navigation measured"
    under_nav = [(n["id"], nav["name"]) for n in notes for nav in data["nav"] if overlaps(n["box"], nav["box"])]
    assert not under_nav, f"notes overlap the navigation: {under_nav}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDE)
def test_margin_notes_are_not_cut_off_horizontally(measured_page, geometry, width, scheme):
    data = geometry(measured_page(width=width, scheme=scheme))
    cut = [
        (n["id"], n["box"]["left"], n["box"]["right"])
        for n in data["notes"]
        if n["box"]["left"] < 0 or n["box"]["right"] > data["viewportWidth"] + 0.5
    ]
    assert not cut, f"notes cut off by the {data['viewportWidth']}px viewport: {cut}"
    assert data["scrollWidth"] <= data["viewportWidth"], "the page scrolls sideways"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDE)
def test_margin_note_is_level_with_its_assertion_or_just_below_the_previous_note(
    measured_page, geometry, width, scheme
):
    page = measured_page(width=width, scheme=scheme)
    geometry(page)  # every note is there
    for note in page.evaluate(DRIFT_JS):
        drift = note["drift"]  # below the first line of its assertion
        assert drift >= -PX, f"{note['id']} starts {-drift:.0f}px above its assertion"
        level = drift <= note["lineHeight"]
        # A note pushed down by the one before starts just below it (sidenotes.js leaves a small
        # gap), never over it and never further down.
        gap = note["top"] - note["marginTop"] - note["previousBottom"] if note["previousBottom"] else None
        stacked = gap is not None and -PX <= gap <= NOTE_GAP + PX
        assert level or stacked, (
            f"{note['id']} is {drift:.0f}px below its assertion and not directly below the previous note ({gap})"
        )


@pytest.mark.parametrize("width", WIDE)
def test_margin_notes_stay_within_one_screen_of_their_assertion(measured_page, geometry, width):
    data = geometry(measured_page(width=width))
    drift = {n["id"]: round(n["box"]["top"] - n["num"]["top"]) for n in data["notes"]}
    too_far = {k: v for k, v in drift.items() if v > data["viewportHeight"]}
    assert not too_far, (
        f"{len(too_far)} of {len(drift)} notes sit more than one {data['viewportHeight']}px screen below "
        f"their assertion (px): {too_far}"
    )


# ---- 1. Layout: inline notes on narrow screens -------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", NARROW)
@BOTH
def test_inline_notes_are_closed_until_opened(measured_page, geometry, width, scheme):
    data = geometry(measured_page(width=width, scheme=scheme))
    shown = [n["id"] for n in data["notes"] if n["display"] != "none"]
    assert not shown, f"notes open on load: {shown}"
    assert data["scrollWidth"] <= data["viewportWidth"], "the page scrolls sideways"


# Where the text after a note (rest of its paragraph) and the next paragraph start, in page px.
TEXT_AFTER_NOTE_JS = """(id) => {
  const note = document.getElementById(id);
  const range = document.createRange();
  range.setStartAfter(note);
  range.setEndAfter(note.closest('p'));
  const first = [...range.getClientRects()].find((r) => r.width > 0 && r.height > 0);
  const next = note.closest('p').nextElementSibling.getBoundingClientRect();
  return { text: range.toString().trim(), top: first.top + scrollY, nextTop: next.top + scrollY };
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", NARROW)
def test_opening_an_inline_note_pushes_following_text_down_and_covers_nothing(open_page, picked, width, scheme):
    page = open_page(width=width, scheme=scheme)
    note_id = picked.mid.note_id  # mid-paragraph: text follows it in the same paragraph
    following = page.evaluate(
        TEXT_AFTER_NOTE_JS,
        note_id,
    )
    assert following["text"], "nothing follows the note in its paragraph"

    page.locator(f"label.claim[for='t-{note_id[2:]}']").first.click()
    note = page.locator(f"#{note_id}")
    expect(note).to_be_visible()
    box = page.evaluate(
        "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
        " return { top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, height: r.height,"
        " vw: document.documentElement.clientWidth }; }",
        note_id,
    )
    after = page.evaluate(
        TEXT_AFTER_NOTE_JS,
        note_id,
    )
    assert box["height"] > 20
    assert after["top"] >= box["bottom"] - PX, "text after the note is not below it"
    assert after["nextTop"] - following["nextTop"] >= box["height"] - PX, "the next paragraph was not pushed down"
    assert box["left"] >= 0 and box["right"] <= box["vw"] + 0.5, "the open note is cut off"
    covered = page.evaluate(TEXT_UNDER_NOTES_JS, [note_id])
    assert covered["checked"] > 100 and not covered["hits"], f"open note covers text: {covered['hits'][:5]}"


def click_where_drawn(page, locator):
    """Click the middle of an element's drawn box with the mouse, as a reader would.

    Playwright's own click aims at the element's layout quad, which for the superscript note
    number (line-height: 0) is a zero-height line at its baseline, owned by the paragraph."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('label')?.htmlFor",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == locator.get_attribute("for"), f"{locator} is not what is under the pointer ({hit})"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


# ---- 2. Opening and closing a note at 375px ----------------------------------------------------


def tab_to(page, element_id: str, limit: int = 300):
    """Press Tab from the top of the page until `element_id` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


@BOTH
def test_clicking_the_assertion_opens_and_closes_its_note_on_a_phone(open_page, picked):
    page = open_page(width=375)
    claim = page.locator(f"label.claim[for='{picked.mid.toggle_id}']").first
    note = page.locator(f"#{picked.mid.note_id}")
    expect(note).to_be_hidden()
    claim.click()
    expect(note).to_be_visible()
    expect(note).to_be_in_viewport()
    expect(page.locator(f"#{picked.mid.toggle_id}")).to_be_checked()
    claim.click()
    expect(note).to_be_hidden()


def test_tab_then_enter_or_space_opens_and_closes_a_note_on_a_phone(open_page, picked):
    page = open_page(width=375)
    toggle, note = page.locator(f"#{picked.second.toggle_id}"), page.locator(f"#{picked.second.note_id}")
    tab_to(page, picked.second.toggle_id)
    expect(toggle).to_be_focused()
    for key in ("Enter", "Space"):
        page.keyboard.press(key)
        expect(note).to_be_visible()
        expect(toggle).to_be_checked()
        page.keyboard.press(key)
        expect(note).to_be_hidden()
        expect(toggle).not_to_be_checked()
        expect(toggle).to_be_focused()


def test_escape_closes_the_open_note_and_returns_focus_to_its_toggle(open_page, picked):
    page = open_page(width=375)
    toggle, note = page.locator(f"#{picked.second.toggle_id}"), page.locator(f"#{picked.second.note_id}")
    tab_to(page, picked.second.toggle_id)
    page.keyboard.press("Space")
    expect(note).to_be_visible()
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(toggle).to_be_focused()

    # From inside the note too: Tab into its first link, then Escape.
    page.keyboard.press("Enter")
    expect(note).to_be_visible()
    page.keyboard.press("Tab")
    expect(note.locator("a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(note).to_be_hidden()
    expect(toggle).to_be_focused()


# ---- 3. JavaScript disabled: every note reachable by CSS alone ---------------------------------


@pytest.mark.parametrize("width", WIDE)
@BOTH
def test_without_javascript_every_margin_note_is_shown_and_readable(measured_page, geometry, width):
    page = measured_page(width=width, js=False)
    assert "no-js" in page.evaluate("document.documentElement.className"), "JavaScript ran"
    data = geometry(page)
    unreadable = [
        n["id"]
        for n in data["notes"]
        if n["display"] == "none"
        or n["box"]["height"] < 10
        or len(n["text"]) < 20
        or n["box"]["right"] > data["viewportWidth"]
    ]
    assert not unreadable, f"notes not readable without JavaScript: {unreadable}"
    collisions = [
        (a["id"], b["id"])
        for i, a in enumerate(data["notes"])
        for b in data["notes"][i + 1 :]
        if overlaps(a["box"], b["box"])
    ]
    assert not collisions
    covered = page.evaluate(TEXT_UNDER_NOTES_JS, [n["id"] for n in data["notes"]])
    assert covered["checked"] > 100 and not covered["hits"], f"notes cover text: {covered['hits'][:5]}"


@pytest.mark.parametrize("width", NARROW)
@BOTH
def test_without_javascript_clicking_an_assertion_opens_its_note(open_page, real, width):
    """A few notes, clicked as a reader would (first, middle, last); that every note is wired the
    same way is checked in the HTML by test_build.py (…_opens_its_note_by_css_alone)."""
    page = open_page(width=width, js=False)
    assert "no-js" in page.evaluate("document.documentElement.className"), "JavaScript ran"
    ids = page.eval_on_selector_all(".annotated-article .sidenote", "ns => ns.map(n => n.id)")
    assert ids == [n.note_id for n in real.first.notes]
    for note_id in dict.fromkeys([ids[0], ids[len(ids) // 2], ids[-1]]):
        bare = note_id[2:]
        note = page.locator(f"#{note_id}")
        expect(note).to_be_hidden()
        page.locator(f"label.claim[for='t-{bare}']").last.click()
        expect(note).to_be_visible()
        assert page.evaluate(f"document.getElementById('{note_id}').innerText.trim().length") > 20
        click_where_drawn(page, page.locator(f"label.sn-num[for='t-{bare}']"))  # the number closes it again
        expect(note).to_be_hidden()


# ---- 4. Keyboard: every toggle in reading order, with a visible focus ring ---------------------

FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || !el.matches('.sn-toggle')) return { id: el && el.id, toggle: false };
  const rings = [...document.querySelectorAll(`label[for="${el.id}"]`)].map((label) => {
    const s = getComputedStyle(label);
    return { cls: label.className, style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
  });
  return { id: el.id, toggle: true, focusVisible: el.matches(':focus-visible'), rings };
}
"""


@pytest.mark.parametrize(
    ("width", "scheme", "every"), [(1440, "light", True), (1440, "dark", False), (375, "light", False)]
)
def test_tab_reaches_the_assertion_toggles_in_reading_order_with_a_visible_focus_ring(open_page, width, scheme, every):
    """Every toggle, in reading order, once (1440 light); the first few in the other settings,
    where only the ring's colour and the layout differ."""
    page = open_page(width=width, scheme=scheme)
    expected = page.eval_on_selector_all(".annotated-article .sn-toggle", "ts => ts.map(t => t.id)")
    assert len(expected) >= 2
    expected = expected if every else expected[:3]
    reached = []
    limit = page.evaluate("document.querySelectorAll('a[href], input, button, [tabindex]').length") + 20
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if not focus["toggle"]:
            if reached and reached[-1] == expected[-1]:
                break
            continue
        reached.append(focus["id"])
        assert focus["focusVisible"]
        assert len(focus["rings"]) >= 2, f"{focus['id']} has no assertion and number labels"
        faint = [
            r
            for r in focus["rings"]
            if r["style"] == "none" or r["width"] < 2 or r["color"] in ("transparent", "rgba(0, 0, 0, 0)")
        ]
        assert not faint, f"{focus['id']}: labels without a visible focus outline: {faint}"
        if len(reached) == len(expected) and not every:
            break
    assert reached == expected


# ---- 6. Deep links -----------------------------------------------------------------------------

HIGHLIGHT_RECORDER = """
window.__highlighted = [];
new MutationObserver((records) => records.forEach((r) => {
  if (r.target.classList && r.target.classList.contains('is-highlighted')) window.__highlighted.push(r.target.id);
})).observe(document, { subtree: true, attributes: true, attributeFilter: ['class'] });
"""


def open_deep_link(site, contexts, article, width, fragment):
    page = contexts.get(width).new_page()
    page.add_init_script(HIGHLIGHT_RECORDER)
    page.goto(f"{(site / article).as_uri()}#{fragment}")
    return page


def assert_shown_and_highlighted(page, note_id):
    note = page.locator(f"#{note_id}")
    expect(note).to_be_visible()
    expect(note).to_be_in_viewport()
    expect(page.locator(f"#t-{note_id[2:]}")).to_be_checked()
    assert note_id in page.evaluate("window.__highlighted"), "the note never got class is-highlighted"
    header_bottom = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    box = note.bounding_box()
    assert box["y"] + box["height"] > header_bottom + 20, "the note is hidden under the header"


@pytest.mark.parametrize("width", [1440, 375])
def test_deep_link_to_a_note_shows_it_in_view_and_highlighted(site, contexts, pages, picked, width):
    page = open_deep_link(site, contexts, pages["article"], width, picked.linked.note_id)
    try:
        assert_shown_and_highlighted(page, picked.linked.note_id)
    finally:
        page.close()


@pytest.mark.parametrize("width", [1440, 375])
def test_deep_link_to_an_assertion_shows_it_with_its_note_highlighted(site, contexts, pages, picked, width):
    page = open_deep_link(site, contexts, pages["article"], width, picked.linked.anchor_id)
    try:
        expect(page.locator(f"label.claim[for='{picked.linked.toggle_id}']").first).to_be_in_viewport()
        assert_shown_and_highlighted(page, picked.linked.note_id)
    finally:
        page.close()


@pytest.mark.parametrize("width", [1440, 375])
def test_deep_link_without_javascript_shows_the_note_outlined(open_page, picked, width):
    note_id = picked.linked.note_id
    page = open_page(width=width, js=False, fragment=note_id)
    note = page.locator(f"#{note_id}")
    expect(note).to_be_visible()
    expect(note).to_be_in_viewport()
    outline = page.evaluate(
        "(id) => { const s = getComputedStyle(document.getElementById(id));"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }",
        note_id,
    )
    assert outline[0] == "solid" and outline[1] >= 2, f":target outline missing: {outline}"
    top = note.bounding_box()["y"]
    header_bottom = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert top >= header_bottom - PX, f"the note's top ({top:.0f}px) is hidden under the header ({header_bottom:.0f}px)"


# ---- 9. Layout stability -----------------------------------------------------------------------


@pytest.mark.parametrize("width", [1440, 375])
@pytest.mark.parametrize("name", PAGE_KINDS)
def test_pages_do_not_shift_after_load(open_page, pages, name, width):
    page = open_page(pages[name], width=width)
    result = page.evaluate(CLS_JS)
    assert result["supported"], "this chromium does not report layout shifts"
    assert result["cls"] == 0, f"layout shifts: {result['shifts']}"


# ---- Every article page on a phone (the widths of every page: test_browser_site.py, offline) ---


@pytest.mark.real_site
@BOTH
def test_every_article_page_holds_its_layout_at_375(real, reading_site, contexts, generator):
    """Every article of the site, loaded on a phone: all its notes there and closed, nothing
    spilling sideways (the other tests read the first article in depth)."""
    for item in real.articles:
        page = contexts.open(reading_site, real.page(item), 375)
        try:
            data = page.evaluate(NOTES_GEOMETRY_JS)
            assert [n["id"] for n in data["notes"]] == [n.note_id for n in item.notes], item.article.slug
            assert not [n["id"] for n in data["notes"] if n["display"] != "none"], f"{item.article.slug}: open notes"
            assert data["scrollWidth"] <= data["viewportWidth"], f"{item.article.slug} scrolls sideways"
            blocks = page.eval_on_selector_all(".annotated-article [id^=p]", "es => es.map(e => e.id)")
            assert {f"p{i}" for i in range(1, len(item.article.paragraphs) + 1)} <= set(blocks), item.article.slug
        finally:
            page.close()
