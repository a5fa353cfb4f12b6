"""In Chromium: the header's disputed notes (links without script; next/previous keys and buttons
with it) and each open note's permalink."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DISPUTED_IDS_JS = "() => [...document.querySelectorAll('nav.sn-disputed a')].map((a) => a.hash.slice(1))"
OPEN_JS = "(id) => document.getElementById('t-' + id.slice(2)).checked"
SHOWN_JS = "(id) => getComputedStyle(document.querySelector('#' + id + ' .sn-text')).display !== 'none'"


@pytest.mark.parametrize("js, width", [(False, 768), (True, 1440)])
def test_the_disputed_list_opens_its_notes(open_page, js, width):
    page = open_page(width=width, js=js)
    nav = page.get_by_role("navigation", name="Disputed claims")
    ids = page.evaluate(DISPUTED_IDS_JS)
    assert len(ids) > 2
    target = ids[2]
    nav.locator(f'a[href="#{target}"]').click()
    page.wait_for_function("(id) => location.hash === '#' + id", arg=target)
    assert page.evaluate(SHOWN_JS, target), "the linked note's explanation is shown"
    note = page.locator(f"#{target}")
    assert note.is_visible() and note.bounding_box()["y"] < page.viewport_size["height"]
    if js:
        assert page.evaluate(OPEN_JS, target)


def test_next_and_previous_keys_and_buttons_move_through_disputed_notes(open_page):
    page = open_page(width=1440)
    ids = page.evaluate(DISPUTED_IDS_JS)
    page.locator("body").click(position={"x": 5, "y": 5})

    def at(index):  # the address names the note, and the note is open (the script does both, in turn)
        page.wait_for_function(f"(id) => location.hash === '#' + id && ({OPEN_JS})(id)", arg=ids[index])

    page.keyboard.press("j")
    at(0)
    page.keyboard.press("j")
    at(1)
    assert not page.evaluate(OPEN_JS, ids[0]), "the note the keys left is closed"
    page.keyboard.press("k")
    at(0)
    page.keyboard.press("k")
    at(-1)  # wraps round
    page.get_by_role("button", name="Next disputed note").click()
    at(0)
    page.get_by_role("button", name="Previous disputed note").click()
    at(-1)
    buttons = page.locator("nav.sn-disputed button")
    assert buttons.count() == 2


def test_an_open_notes_permalink_links_to_it(open_page):
    page = open_page(width=1440)
    note = page.locator(".annotated-article .sidenote").nth(4)
    note_id = note.get_attribute("id")
    permalink = note.locator("a.sn-permalink")
    assert not permalink.is_visible(), "a closed margin note shows no links"
    toggle = page.locator(f"#t-{note_id[2:]}")
    toggle.focus()
    page.keyboard.press("Enter")  # opens it (sidenotes.js), as Space does
    assert permalink.is_visible() and permalink.inner_text() == "Link to this note"
    assert permalink.get_attribute("href") == f"#{note_id}"
    permalink.click()
    page.wait_for_function("(id) => location.hash === '#' + id", arg=note_id)
    assert page.evaluate(OPEN_JS, note_id)
