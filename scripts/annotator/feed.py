"""The site's Atom feed of corrections (RFC 4287): every committed correction of every article,
newest first, each linking to the note's permalink (or, for a note removed, to its entry on
the article's corrections page).

Built with xml.etree, so every field (claims, reasons, commit subjects: contributor input) is
escaped where it lands; characters XML 1.0 cannot carry are dropped. Ids are permanent (from
the article, the commit and the note), and `updated` is the newest correction's time, else
SOURCE_DATE_EPOCH, else the Unix epoch: the same history gives the same file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
import xml.etree.ElementTree as etree

from .history import ArticleHistory, Correction
from .model import AnnotatedArticle

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 200
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Text XML 1.0 can carry: control characters, lone surrogates and U+FFFE/U+FFFF dropped."""
    return _NOT_XML.sub("", text)


def _sub(parent: etree.Element, tag: str, text: str | None = None, **attributes: str) -> etree.Element:
    node = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean(v) for k, v in attributes.items()})
    if text is not None:
        node.text = clean(text)
    return node


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _said(correction: Correction) -> str:
    """What changed, in one line."""
    parts = []
    for kind, before, after in correction.changes:
        if kind == "verdict":
            parts.append(f"verdict {before} → {after}")
        elif kind == "claim":
            parts.append(f"claim “{before}” → “{after}”")
        elif kind == "sources":
            parts.append(f"sources: {after}")
        else:
            parts.append("note removed")
    return "; ".join(parts)


def corrections_feed(
    site_name: str,
    site_url: str,
    entries: list[tuple[AnnotatedArticle, str, str, Correction]],
) -> bytes:
    """The feed. entries: (article, the article page's address, its corrections page's address,
    correction), addresses relative to the feed's folder (the site's root) or absolute."""
    etree.register_namespace("", ATOM)
    committed = [e for e in entries if e[3].stamp.when is not None]
    committed.sort(key=lambda e: (e[3].stamp.when, e[3].order), reverse=True)
    committed = committed[:MAX_ENTRIES]
    feed = etree.Element(f"{{{ATOM}}}feed")
    base = f"{site_url}/" if site_url else ""
    feed_id = f"{base}corrections.xml" if site_url else f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, site_name)}"
    _sub(feed, "id", feed_id)
    _sub(feed, "title", f"Corrections: {site_name}")
    if committed:
        updated = _iso(committed[0][3].stamp.when)
    else:
        updated = _iso(int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0))
    _sub(feed, "updated", updated)
    author = _sub(feed, "author")
    _sub(author, "name", site_name)
    _sub(feed, "link", rel="self", href=f"{base}corrections.xml", type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=f"{base}index.html", type="text/html")
    for item, page, corrections_page, correction in committed:
        entry = _sub(feed, "entry")
        key = f"{item.article.slug}/{correction.stamp.commit}/{correction.note_id or correction.origin}"
        _sub(entry, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}")
        who = f"note {correction.note_id}" if correction.note_id else "a note"
        _sub(entry, "title", f"{item.article.title}: {who}: {_said(correction)}")
        _sub(entry, "updated", correction.stamp.iso)
        note_here = correction.note_id and any(n.id == correction.note_id for n in item.notes)
        entry_page = f"{base}{corrections_page}#{correction.anchor}"
        target = f"{base}{page}#n-{correction.note_id}" if note_here else entry_page
        _sub(entry, "link", rel="alternate", href=target, type="text/html")
        _sub(entry, "link", rel="related", href=entry_page, type="text/html")
        why = "Reason" if correction.reason_written else "Commit"
        summary = (
            f"{correction.summary}. {_said(correction)}. {why}: {correction.reason} (commit {correction.stamp.short})"
        )
        _sub(entry, "summary", summary, type="text")
    return etree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def feed_entries(pages: dict[str, AnnotatedArticle], views: dict[str, str], histories) -> list:
    """(article, page, corrections page, correction) of every article with history."""
    found = []
    for page, item in sorted(pages.items()):
        history: ArticleHistory = histories(item)
        corrections_page = views.get(f"corrections/corrections-{item.article.slug}.html", page)
        if history.available:
            found += [(item, page, corrections_page, c) for c in history.corrections]
    return found
