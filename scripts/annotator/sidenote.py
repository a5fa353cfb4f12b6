"""The HTML of one sidenote: its number, relation badge, note text and sources.

Contributors' note Markdown is untrusted: it is rendered by Python-Markdown and cleaned by nh3
(the ammonia sanitizer) with an allow-list of inline tags and http(s) links only. Every other
field is escaped. The result is phrasing content, valid inside the article's <p>.
"""

from __future__ import annotations

import html as htmlmod
from functools import cache
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .model import RELATION_LABELS, AnchoredNote, Source

# Allow-list for contributors' note Markdown after rendering: inline text and safe links only.
NOTE_TAGS = {"a", "em", "strong", "code", "br", "span", "q", "i", "b", "sub", "sup"}
NOTE_ATTRIBUTES = {"a": {"href", "title"}}
NOTE_CLASSES = {"span": {"sn-para"}}
LINK_REL = "noopener noreferrer"


class _InlineParagraphs(Treeprocessor):
    """A note sits inside the article's <p>, so its own paragraphs become <span class="sn-para">."""

    def run(self, root):
        for element in root.iter("p"):
            element.tag = "span"
            element.set("class", "sn-para")


class _NoteExtension(Extension):
    def extendMarkdown(self, md):
        # Priority 0: after the inline patterns (30) have built links and emphasis.
        md.treeprocessors.register(_InlineParagraphs(md), "inline_paragraphs", 0)


_NOTE_MARKDOWN = markdown.Markdown(extensions=[_NoteExtension()])


@cache  # the page, the search index and the data files all render each note
def sanitize_note(text: str) -> str:
    """Render untrusted note Markdown and keep only the allow-listed inline HTML (nh3)."""
    rendered = _NOTE_MARKDOWN.reset().convert(text)
    return nh3.clean(
        rendered,
        tags=NOTE_TAGS,
        attributes=NOTE_ATTRIBUTES,
        allowed_classes=NOTE_CLASSES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )


@cache
def note_text(text: str) -> str:
    """A note as plain text (for the search index and the data files)."""
    return " ".join(htmlmod.unescape(nh3.clean(sanitize_note(text), tags=set())).split())


def _attr(value: str) -> str:
    return htmlmod.escape(value, quote=True)


def render_source(source: Source) -> str:
    """One source line: linked title, outlet, date, its relation, the excerpt, verification."""
    e = htmlmod.escape
    parts = [f'<a class="sn-title" href="{_attr(source.link)}" rel="{LINK_REL}">{e(source.title)}</a>']
    byline = ", ".join(e(x) for x in (source.author, source.outlet, source.date) if x)
    parts.append(f'<span class="sn-outlet">{byline}</span>')
    if source.via:
        host = urlsplit(source.via).hostname or ""
        parts.append(f'<a class="sn-via" href="{_attr(source.via)}" rel="{LINK_REL}">via {e(host.removeprefix("www."))}</a>')
    if source.archive_url:
        parts.append(f'<a class="sn-archive" href="{_attr(source.archive_url)}" rel="{LINK_REL}">archived copy</a>')
    label = RELATION_LABELS[source.relation].lower()
    parts.append(f'<span class="sn-rel sn-rel--{source.relation}">{label}</span>')
    parts.append(f'<q class="sn-excerpt">{e(source.excerpt)}</q>')
    if source.verified:
        parts.append(f'<span class="sn-check">excerpt checked {e(source.verified_on)}</span>')
    else:
        parts.append('<span class="sn-check sn-check--unverified">unverified: not read in a stored copy</span>')
    return '<span class="sn-source">' + " ".join(parts) + "</span>"


def render_sidenote(note: AnchoredNote) -> str:
    """The sidenote body: back-link number, relation badge, source count, note text, sources."""
    a = note.annotation
    sources = "".join(render_source(s) for s in a.sources)
    count = len(a.sources)
    counted = f'<span class="sn-count">{count} source{"s" if count != 1 else ""}</span> ' if count else ""
    return (
        f'<span class="sidenote" id="{note.note_id}" role="note" aria-label="Note {note.number}" data-search-exclude>'
        f'<a class="sn-back" href="#{note.id}" title="Back to the text">{note.number}</a> '
        f'<span class="badge badge--{a.relation}">{RELATION_LABELS[a.relation]}</span> '
        f"{counted}"
        f'<label class="sn-more" for="{note.toggle_id}" aria-hidden="true"></label>'
        f'<span class="sn-text">{sanitize_note(a.note)}</span>'
        + (f'<span class="sn-sources">{sources}</span>' if sources else "")
        + "</span>"
    )
