"""Generated content, as elements: the article header and data, and the sections a page asks
for with `[annotator: name]` (claims, sources, articles, legend, classes).

Links to other pages are `annotator:doc/<page>.md#id` and to generated files
`annotator:site/<path>`; `annotator postbuild` makes them relative links once URLs are known.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as etree
from collections import Counter

from .model import Article
from .pipeline import AnnotatedArticle, Publication
from .schema import RELATIONS
from .sidenote import element, link

ROW, MARK, LABEL_WIDTH = 20, 24, 44  # px: overview row height, mark width, paragraph label column


def doc_link(article: Article, docs_relative: str, fragment: str = "") -> str:
    return f"annotator:doc/{docs_relative}" + (f"#{fragment}" if fragment else "")


def site_link(path: str) -> str:
    return f"annotator:site/{path}"


def view_link(name: str, filename: str) -> str:
    """The address of a page postbuild derives from the Claims or Sources page ("index": that page)."""
    return f"annotator:view/{name}/{filename}"


def download_path(slug: str) -> str:
    """Where the single-file edition goes inside the built site."""
    return f"downloads/{slug}.html"


def data_path(slug: str) -> str:
    return f"data/{slug}.annotations.jsonld"


class Links:
    """Links to an article's notes, from generated sections (paths relative to docs)."""

    def __init__(self, publication: Publication):
        self.docs = publication.docs

    def note(self, article: Article, fragment: str) -> str:
        return doc_link(article, article.path.resolve().relative_to(self.docs).as_posix(), fragment)


def _badge(relation) -> etree.Element:
    return element("span", {"class": f"badge {relation.css_class}"}, relation.label)


def totals(item: AnnotatedArticle | None) -> list:
    counts = Counter(n.annotation.relation for n in item.notes) if item else Counter()
    return [(r, counts[r.name]) for r in RELATIONS if counts[r.name]]


VIEW_LINKS = (("claims", "All its claims in one table"), ("sources", "All its sources"))


def article_header(
    article: Article, item: AnnotatedArticle | None, site_links: bool = True, views: frozenset[str] = frozenset()
) -> etree.Element:
    """Title, subtitle, what is known of the publication, and a one-line summary of the notes
    (with links to the one-file edition and the data, on the site, and to the article's pages
    among `views` that the site has)."""
    meta = article.meta
    parts = [element("h1", None, meta.title)]
    if meta.subtitle:
        parts.append(element("p", {"class": "article-subtitle"}, meta.subtitle))
    known = [
        (label, value)
        for label, value in (("By", meta.author), ("Published by", meta.outlet), ("Date", meta.date))
        if value
    ]
    provenance = element("p", {"class": "article-provenance"})
    if known or meta.original_url:
        pieces: list = [" · ".join(f"{label}: {value}" for label, value in known)]
        if meta.original_url:
            pieces += [" · " if known else "", link(meta.original_url, "Original publication")]
        provenance = element("p", {"class": "article-provenance"}, None, *pieces)
    missing = [
        what for what, value in (("author", meta.author), ("outlet", meta.outlet), ("date", meta.date)) if not value
    ]
    if missing:
        note = f"{', '.join(missing).capitalize()} of first publication: not stated in the text we have."
        provenance.append(element("span", {"class": "article-unknown"}, (" " if known else "") + note))
    parts.append(provenance)
    if item is not None and item.notes:
        summary: list = [f"{len(item.notes)} notes: "]
        for i, (relation, count) in enumerate(totals(item)):
            summary += [", " if i else "", _badge(relation), f"\u00a0{count}"]
        summary.append(". ")
    else:
        summary = ["No notes yet. "]
    if site_links:
        summary += [
            element(
                "a",
                {"href": site_link(download_path(article.slug)), "download": ""},
                "Download this annotated article as one HTML file",
            ),
            ". ",
            element(
                "a",
                {"href": site_link(data_path(article.slug)), "type": "application/ld+json"},
                "The notes as data (W3C Web Annotations)",
            ),
            ".",
        ]
        for name, text in VIEW_LINKS:
            if name in views:
                summary += [" ", element("a", {"href": view_link(name, f"{name}-{article.slug}.html")}, text), "."]
    parts.append(element("p", {"class": "article-summary"}, None, *summary))
    return element("div", {"class": "article-meta"}, None, *parts)


def script_json(value) -> str:
    """JSON safe inside <script>: no character can end the element or open a comment there."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def claims_filter_css() -> str:
    """The Claims table's relation filter, one rule per relation of the table (CSS only)."""
    rules = [
        f'.claims-filter[value="{r.name}"]:checked ~ * tr[class]:not(.{r.css_class}) {{ display: none; }}'
        for r in RELATIONS
    ]
    rules.append('.claims-filter[value="reliable"]:checked ~ * tr[class]:not(.rests-on-reliable) { display: none; }')
    return "\n/* ---- Generated from the relation table (annotation.schema.json) ---- */\n" + "\n".join(rules) + "\n"


# ---- The article's marks and the reader's filter ------------------------------------------------

# How the text marks each relation's assertions: a thin underline whose style (not only its
# colour) says the verdict. CSS text-decoration-style; "none": the note's number alone marks it.
MARK_STYLES = {
    "supports": ("solid", "solid underline"),
    "qualifies": ("dashed", "dashed underline"),
    "contradicts": ("wavy", "wavy underline"),
    "unsourced": ("double", "double underline"),
    "opinion": ("dotted", "dotted underline"),
    "editorial": ("none", "no underline: the number alone"),
}


def mark_style(relation) -> tuple[str, str]:
    """(CSS underline style, words for the legend) of a relation's marks."""
    return MARK_STYLES.get(relation.name, ("solid", "solid underline"))


def disputed(relation) -> bool:
    """A verdict short of full support (qualifies, contradicts): the filter's "Disputed"."""
    best = max(r.rating for r in RELATIONS if r.judges)
    return relation.judges and relation.rating < best


def reader_filter(item: AnnotatedArticle | None) -> etree.Element | None:
    """The reader's filter: a radio input per choice (all, disputed, each relation, clean), with
    its count. It goes right before the article body, whose marks and notes it narrows by CSS
    alone (reader_filter_css); sidenotes.js remembers the choice and puts it in the URL."""
    if item is None or not item.notes:
        return None
    slug = item.article.slug
    counts = Counter(n.annotation.relation for n in item.notes)
    every, contested = list(RELATIONS), [r for r in RELATIONS if disputed(r)]
    choices = [  # value, label, count, relation named, relations shown
        ("all", "All", len(item.notes), None, every),
        ("disputed", "Disputed", sum(counts[r.name] for r in contested), None, contested),
        *((r.name, r.label, counts[r.name], r, [r]) for r in RELATIONS),
        ("clean", "Clean", None, None, []),
    ]
    fieldset = element(
        "fieldset",
        {"class": "sn-filter", "data-search-exclude": ""},
        None,
        element("legend", None, "Show notes"),
    )
    for value, label, count, relation, shown in choices:
        attributes = {
            "type": "radio",
            "name": f"show-{slug}",
            "id": f"show-{slug}-{value}",
            "value": value,
            "data-show": " ".join(r.name for r in shown),  # read by reader_filter_css
        }
        if value == "all":
            attributes["checked"] = ""
        name = element("span", {"class": f"mark-key {relation.css_class}"}, label) if relation else label
        counted = f"\u00a0({count})" if count is not None else element("span", {"class": "sn-sr"}, " (no notes)")
        fieldset.append(element("label", {"for": attributes["id"]}, None, element("input", attributes), name, counted))
    return fieldset


def reader_filter_css() -> str:
    """Each relation's mark style, and the reader's filter: when the choice does not show a
    relation, its marks go quiet (no underline, no highlight, no pointer), its numbers and
    toggles are hidden (so the text never reflows) and its notes leave the layout (no gaps).
    Screen only: print shows every note. (A link to a note left out shows all: sidenotes.js.)"""
    marks = [  # solid is annotator.css's default
        f".{r.css_class}{{--sn-line:{style}}}" if style != "none" else f".{r.css_class}{{--sn-deco:none}}"
        for r, style in ((r, mark_style(r)[0]) for r in RELATIONS)
        if style != "solid"
    ]
    hidden = [
        f".sn-filter:has(:checked:not([data-show~={r.name}]))~* "
        f":is(:is(.claim,.sn-num,.sidenote).{r.css_class},.sn-toggle:has(+.{r.css_class}))"
        for r in RELATIONS
    ]
    return (
        "\n/* ---- Generated from the relation table (annotation.schema.json) ---- */\n"
        + "\n".join(marks)
        + "\n@media screen {\n"
        + ",\n".join(hidden)
        + " {\n  --sn-vis: hidden; --sn-deco: none; --sn-mark: transparent; --sn-display: none;"
        + " pointer-events: none;\n}\n}\n"
    )
