"""Render step: turn anchored notes into sidenote HTML inside the article's paragraphs.

`annotate_html(html, article, notes)` takes the article body as HTML (one <p> per paragraph)
and returns it with every assertion marked, numbered and followed by its sidenote.

Markup of one note (CSS-only toggle, after Tufte CSS; JavaScript only enhances it):

    <span class="claim-anchor" id="p9-2"></span>
    <label class="claim" for="t-p9-2">assertion text</label>
    <input type="checkbox" class="sn-toggle" id="t-p9-2" aria-controls="n-p9-2">
    <label class="sn-num" for="t-p9-2">3</label>
    <span class="sidenote" id="n-p9-2" role="note">...</span>

Overlapping or nested assertions: the paragraph is cut at every start and end, and each piece
becomes a label of the innermost (shortest) assertion covering it, so labels never nest and a
click always opens the most specific note. Pieces covered twice carry `claim--nested`.
"""

from __future__ import annotations

import html as htmlmod
import re
from functools import lru_cache

import markdown
import nh3
from bs4 import BeautifulSoup, NavigableString, Tag
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .errors import AnnotationError, Problem
from .model import RELATION_LABELS, AnchoredNote, Article, Source

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


@lru_cache(maxsize=4096)  # the page, the search index and the data files all render each note
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


@lru_cache(maxsize=4096)
def note_text(text: str) -> str:
    """A note as plain text (for the search index and the data files)."""
    return " ".join(BeautifulSoup(sanitize_note(text), "html.parser").get_text(" ").split())


def _attr(value: str) -> str:
    return htmlmod.escape(value, quote=True)


def render_source(source: Source) -> str:
    """One source line: linked title, outlet, date, its relation, the excerpt, verification."""
    e = htmlmod.escape
    parts = [f'<a class="sn-title" href="{_attr(source.url)}" rel="{LINK_REL}">{e(source.title)}</a>']
    byline = ", ".join(e(x) for x in (source.author, source.outlet, source.date) if x)
    parts.append(f'<span class="sn-outlet">{byline}</span>')
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
        f'<span class="sidenote" id="{note.note_id}" role="note" aria-label="Note {note.number}">'
        f'<a class="sn-back" href="#{note.id}" title="Back to the text">{note.number}</a> '
        f'<span class="badge badge--{a.relation}">{RELATION_LABELS[a.relation]}</span> '
        f"{counted}"
        f'<label class="sn-more" for="{note.toggle_id}" aria-hidden="true"></label>'
        f'<span class="sn-text">{sanitize_note(a.note)}</span>'
        + (f'<span class="sn-sources">{sources}</span>' if sources else "")
        + "</span>"
    )


# Sidenotes are already-clean HTML: the tree holds a marker for each, replaced after serializing,
# so they are never parsed again. Private-use characters cannot come from the article (checked).
MARKER = "\ue000{}\ue001"
MARKER_PATTERN = re.compile("\ue000([^\ue001]+)\ue001")


def _controls(soup: BeautifulSoup, note: AnchoredNote) -> list:
    toggle = soup.new_tag(
        "input", attrs={"type": "checkbox", "class": "sn-toggle", "id": note.toggle_id, "aria-controls": note.note_id}
    )
    number = soup.new_tag("label", attrs={"class": f"sn-num sn-num--{note.annotation.relation}", "for": note.toggle_id})
    hidden = soup.new_tag("span", attrs={"class": "sn-sr"})
    hidden.string = "note "
    number.append(hidden)
    number.append(str(note.number))
    return [toggle, number, NavigableString(MARKER.format(note.note_id))]


def annotate_paragraph(soup: BeautifulSoup, paragraph: Tag, notes: list[AnchoredNote]) -> None:
    """Mark each note's span inside one <p>, in place. Offsets index paragraph.get_text().
    Each sidenote is left as a MARKER for annotate_html to fill in."""
    cuts = sorted({n.start for n in notes} | {n.end for n in notes})
    texts = [node for node in paragraph.descendants if isinstance(node, NavigableString)]
    ends = {n.end: [m for m in notes if m.end == n.end] for n in notes}
    started: set[str] = set()
    offset = 0
    for node in texts:
        text, node_start = str(node), offset
        offset += len(text)
        points = [node_start] + [c for c in cuts if node_start < c < offset] + [offset]
        pieces: list = []
        for a, b in zip(points, points[1:], strict=False):
            covering = [n for n in notes if n.start <= a and b <= n.end]
            piece = text[a - node_start : b - node_start]
            if not covering:
                pieces.append(NavigableString(piece))
            else:
                for n in covering:
                    if n.id not in started and n.start == a:
                        started.add(n.id)
                        pieces.append(soup.new_tag("span", attrs={"class": "claim-anchor", "id": n.id}))
                inner = min(covering, key=lambda n: (n.end - n.start, -n.number))
                label = soup.new_tag("label", attrs={"for": inner.toggle_id, "class": "claim"})
                if len(covering) > 1:
                    label["class"] = "claim claim--nested"
                label.string = piece
                pieces.append(label)
            for n in sorted(ends.get(b, []), key=lambda n: n.number):
                if n.start < b and n.end == b and f"{n.id}:end" not in started:
                    started.add(f"{n.id}:end")
                    pieces.extend(_controls(soup, n))
        if pieces:
            node.replace_with(*pieces)


def annotate_html(html: str, article: Article, notes: list[AnchoredNote]) -> str:
    """Annotate the article body HTML; its top-level <p> must be the article's paragraphs."""
    soup = BeautifulSoup(html, "html.parser")
    paragraphs = soup.find_all("p", recursive=False)
    texts = tuple(p.get_text() for p in paragraphs)
    if texts != article.paragraphs:
        first = next((i for i, (a, b) in enumerate(zip(texts, article.paragraphs, strict=False)) if a != b), len(texts))
        raise AnnotationError(
            [
                Problem(
                    str(article.path),
                    1,
                    1,
                    f"rendered paragraph {first + 1} differs from the article source "
                    f"({len(texts)} rendered, {len(article.paragraphs)} in the source)",
                    "the article page must be plain paragraphs; check markdown_extensions",
                )
            ]
        )
    if MARKER_PATTERN.search(html) or "\ue000" in html:
        raise AnnotationError(
            [
                Problem(
                    str(article.path),
                    1,
                    1,
                    "the article contains the private-use character U+E000",
                    "remove it; it is reserved for the build",
                )
            ]
        )
    by_paragraph: dict[int, list[AnchoredNote]] = {}
    for note in notes:
        by_paragraph.setdefault(note.paragraph, []).append(note)
    for number, paragraph in enumerate(paragraphs, start=1):
        paragraph["id"] = f"p{number}"
        if number in by_paragraph:
            annotate_paragraph(soup, paragraph, by_paragraph[number])
    sidenotes = {n.note_id: render_sidenote(n) for n in notes}
    return MARKER_PATTERN.sub(lambda m: sidenotes[m.group(1)], str(soup))
