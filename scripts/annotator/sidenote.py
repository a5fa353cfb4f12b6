"""One sidenote as elements: its number, relation badge, claim, note text and sources.

Everything is built with ElementTree, so every contributor field is escaped for the place it
lands (text or attribute) by construction. The note's own HTML, already sanitized by
note.render_note, goes in through `stash` (Python-Markdown's store for finished HTML).
The result is phrasing content (spans, links, a label), valid inside the article's <p>.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable
from urllib.parse import urlsplit

from .errors import counted
from .history import ArticleHistory, Stamp
from .model import AnchoredNote, Source
from .note import LINK_REL
from .notelinks import FixLinks, at_excerpt

Stash = Callable[[str], str]  # stores finished HTML, returns the placeholder Markdown swaps back


RAW_TEXT = {"script", "style"}  # written as is by the serializer: their text is code, never contributor text


def literal(text: str | None) -> str | None:
    """Text that Python-Markdown's serializer shows exactly as written. It escapes <, > and " but
    leaves anything that looks like an entity (&amp;, &#60;) alone, for Markdown's sake; so every
    & is written as &amp; first, and a title reading "&#60;" shows "&#60;", not "<"."""
    return text.replace("&", "&amp;") if text else text


def element(tag: str, attributes: dict | None = None, text: str | None = None, *children) -> etree.Element:
    """An element with attributes, text and children (strings become the previous child's tail);
    all of them literal text (see `literal`), except a `raw` child: HTML from Python-Markdown's stash."""
    node = etree.Element(tag, {k: literal(v) for k, v in (attributes or {}).items() if v is not None})
    node.text = text if tag in RAW_TEXT else literal(text)
    last = None
    for child in children:
        if isinstance(child, str):
            if last is None:
                node.text = (node.text or "") + literal(child)
            else:
                last.tail = (last.tail or "") + literal(child)
        elif child is not None:
            node.append(child)
            last = child
    return node


def link(href: str, text: str, css: str | None = None) -> etree.Element:
    """A link out of the site: only ever an http(s) address that the schema checked."""
    return element("a", {"class": css, "href": href, "rel": LINK_REL}, text)


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower().removeprefix("www.")


def class_element(source_class, css: str = "sn-class") -> etree.Element:
    """A class's name; what it means is said once per page (generated.classes_legend, and the
    site's table of classes), not repeated on every source."""
    return element("span", {"class": css}, source_class.label)


def provenance(source: Source) -> list:
    """Who said it and where the words were read, each with its class: "Reuters (reliable
    outlet), read on teamgully.com (copy host)". A copy that cannot carry the original's standing
    (on a partisan, state-controlled or unreliable host) says so. Without a class (no policy):
    the copy's address only, as "via host"."""
    standing = source.standing
    if standing is None:
        if source.via and source.url:
            return [", ", link(at_excerpt(source.via, source.excerpt), f"via {host(source.via)}", "sn-via")]
        return [", ", element("span", {"class": "sn-via"}, f"via {host(source.via)}")] if source.via else []
    parts: list = [" (", class_element(standing), ")"]
    read_class = getattr(standing, "read_class", None)
    if source.via and source.url:
        parts += [", read on ", link(at_excerpt(source.via, source.excerpt), host(source.via), "sn-via")]
    elif source.via:  # the title links to the copy read already
        parts += [", read on ", element("span", {"class": "sn-via"}, host(source.via))]
    else:
        parts.append(f", read on {host(source.url or '')}")
    if read_class is not None:
        parts += [" (", class_element(read_class, "sn-class sn-read-class"), ")"]
    if not getattr(standing, "faithful", True):
        parts.append(", a copy that does not carry the original's standing")
    return parts


def source_element(source: Source) -> etree.Element:
    """One source: linked title; author, outlet, date; the original's class and the page read with
    its class; relation; excerpt; check. Each link opens its page at the excerpt's words (a text
    fragment, notelinks.at_excerpt)."""
    byline = ", ".join(x for x in (source.author, source.outlet, source.date) if x)
    parts: list = [
        link(at_excerpt(source.link, source.excerpt), source.title, "sn-title"),
        " ",
        element("span", {"class": "sn-outlet"}, byline),
    ]
    parts += provenance(source)
    if source.archive_url:
        parts += [" ", link(at_excerpt(source.archive_url, source.excerpt), "archived copy", "sn-archive")]
    relation = source.relation_row
    parts += [" ", element("span", {"class": f"sn-rel {relation.css_class}"}, relation.label)]
    parts += [" ", element("q", {"class": "sn-excerpt"}, source.excerpt)]
    parts.append(check_element(source))
    return element("span", {"class": "sn-source"}, None, *parts)


def _raw(node: etree.Element, placeholder: str) -> etree.Element:
    """node with a stash placeholder as its text (already HTML, so not made literal)."""
    node.text = placeholder
    return node


MACHINE = {  # what the last `annotator verify` found, in words
    "found": "found on the page by machine on {date}",
    "redirected": "found on the page (after a redirect) by machine on {date}",
    "changed": "not found on the page at the last machine check, {date}",
    "dead": "the page was gone at the last machine check, {date}",
}


def check_element(source: Source) -> etree.Element:
    """Who checked the excerpt, and when: an editor reading a copy; a machine fetching the page."""
    if source.verified:
        said = [f"excerpt read in a copy by an editor on {source.verified_on}"]
    else:
        said = ["unverified: no editor could read the excerpt in a copy"]
    machine = source.machine
    if machine is not None and machine.result in MACHINE:
        said.append(MACHINE[machine.result].format(date=machine.checked_on))
    elif machine is not None:
        said.append(f"the page could not be checked by machine on {machine.checked_on} ({machine.result})")
    warn = not source.verified or (machine is not None and not machine.found)
    return element("span", {"class": "sn-check" + (" sn-check--unverified" if warn else "")}, "; ".join(said))


def links_element(note: AnchoredNote, fixes: FixLinks | None = None) -> etree.Element:
    """The open note's own links: to itself (a permalink), and, when the site names its
    repository, to a fix (the annotation file in GitHub's editor, a pre-filled issue)."""
    parts: list = [element("a", {"class": "sn-permalink", "href": f"#{note.note_id}"}, "Link to this note")]
    for css, text, href in fixes.links(note) if fixes is not None else []:
        parts += [" · ", link(href, text, css)]
    return element("span", {"class": "sn-links"}, None, *parts)


def stamp_element(stamp: Stamp) -> list:
    """A version: its date and commit, or "not yet committed"."""
    if stamp.commit is None:
        return ["not yet committed"]
    return [element("time", {"datetime": stamp.iso}, stamp.date), f" (commit {stamp.short})"]


def history_element(note: AnchoredNote, history: ArticleHistory) -> etree.Element:
    """When the note last changed and when its verdict did, from the site's git history; or that
    this build has no history (a shallow clone, a tarball), rather than a date it cannot know."""
    lineage = history.notes.get(note.id) if history.available else None
    if lineage is None:
        return element("span", {"class": "sn-history"}, "History unavailable in this build.")
    if lineage.changed == lineage.added:
        parts: list = ["Unchanged since first published: ", *stamp_element(lineage.added), "."]
    else:
        parts = ["Last changed ", *stamp_element(lineage.changed), "; "]
        if lineage.verdict == lineage.added:
            parts += ["verdict unchanged since first published, ", *stamp_element(lineage.added), "."]
        else:
            parts += ["verdict last changed ", *stamp_element(lineage.verdict), "."]
    return element("span", {"class": "sn-history"}, None, *parts)


def sidenote_element(
    note: AnchoredNote, stash: Stash, fixes: FixLinks | None = None, history: ArticleHistory | None = None
) -> etree.Element:
    """The sidenote: back-link number, badge, source count, claim, note text, sources, links."""
    a = note.annotation
    relation = a.relation_row
    count = len(a.sources)
    parts: list = [
        element("a", {"class": "sn-back", "href": f"#{note.anchor_id}", "title": "Back to the text"}, str(note.number)),
        " ",
        element("span", {"class": f"badge {relation.css_class}"}, relation.label),
        " ",
    ]
    if count:
        parts += [element("span", {"class": "sn-count"}, counted(count, "source")), " "]
    parts += [
        element("span", {"class": "sn-claim"}, a.summary),
        element("label", {"class": "sn-more", "for": note.toggle_id, "aria-hidden": "true"}),
        _raw(element("span", {"class": "sn-text"}), stash(a.rendered.html)),
    ]
    if a.sources:
        parts.append(element("span", {"class": "sn-sources"}, None, *(source_element(s) for s in a.sources)))
    if history is not None:
        parts.append(history_element(note, history))
    parts.append(links_element(note, fixes))
    attributes = {
        "class": f"sidenote {relation.css_class}",
        "id": note.note_id,
        "role": "note",
        "aria-label": f"Note {note.number}",
        "data-search-exclude": "",
    }
    return element("span", attributes, None, *parts)
