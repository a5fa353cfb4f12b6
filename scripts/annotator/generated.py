"""Generated content, as elements: the article header and data, and the sections a page asks
for with `[annotator: name]` (claims, sources, articles, legend, classes).

Links to other pages are `annotator:doc/<page>.md#id` and to generated files
`annotator:site/<path>`; `annotator postbuild` makes them relative links once URLs are known.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as etree
from collections import Counter
from pathlib import Path

from .history import ArticleHistory
from .model import Article
from .pipeline import AnnotatedArticle, Publication
from .schema import RELATIONS, SOURCE_RELATIONS
from .sidenote import element, link

ROW, MARK, LABEL_WIDTH = 20, 24, 44  # px: overview row height, mark width, paragraph label column


def doc_link(article: Article, docs_relative: str, fragment: str = "") -> str:
    return f"annotator:doc/{docs_relative}" + (f"#{fragment}" if fragment else "")


def site_link(path: str) -> str:
    return f"annotator:site/{path}"


def view_link(name: str, filename: str) -> str:
    """The address of a page postbuild derives from the Claims or Sources page ("index": that page)."""
    return f"annotator:view/{name}/{filename}"


DOWNLOADS_DIR, DATA_DIR = "downloads", "data"  # folders of the built site that postbuild writes whole


def download_path(slug: str) -> str:
    """Where the single-file edition goes inside the built site."""
    return f"{DOWNLOADS_DIR}/{slug}.html"


def data_path(slug: str) -> str:
    return f"{DATA_DIR}/{slug}.annotations.jsonld"


class Links:
    """Links to an article's notes, from generated sections (paths relative to docs)."""

    def __init__(self, publication: Publication):
        self.docs = publication.docs
        self._pages: dict[Path, str] = {}  # each article's page, resolved once (not once per link)

    def note(self, article: Article, fragment: str) -> str:
        page = self._pages.get(article.path)
        if page is None:
            page = self._pages[article.path] = article.path.resolve().relative_to(self.docs).as_posix()
        return doc_link(article, page, fragment)


def _badge(relation) -> etree.Element:
    return element("span", {"class": f"badge {relation.css_class}"}, relation.label)


def totals(item: AnnotatedArticle | None) -> list:
    counts = Counter(n.annotation.relation for n in item.notes) if item else Counter()
    return [(r, counts[r.name]) for r in RELATIONS if counts[r.name]]


VIEW_LINKS = (("claims", "All its claims in one table"), ("sources", "All its sources"))


def corrections_link(slug: str, entry: str = "") -> str:
    """The article's corrections page (derived from the Claims page, or else the Sources page)."""
    return view_link("corrections", f"corrections-{slug}.html") + (f"#{entry}" if entry else "")


FEED_PATH = "corrections.xml"  # the site's Atom feed of corrections


def article_header(
    article: Article,
    item: AnnotatedArticle | None,
    site_links: bool = True,
    views: frozenset[str] = frozenset(),
    history: ArticleHistory | None = None,
) -> etree.Element:
    """A publication's header: title, standfirst, a byline of what is known (author, outlet,
    date, the original), then what this edition adds: a one-line summary of the notes (with
    links to the one-file edition and the data, on the site, and to the article's pages among
    `views` that the site has). It also carries the numbered list of sources that print shows
    after the article (print_sources)."""
    meta = article.meta
    parts = [element("h1", None, meta.title)]
    if meta.subtitle:
        parts.append(element("p", {"class": "article-subtitle"}, meta.subtitle))
    byline = [value for value in (f"By {meta.author}" if meta.author else None, meta.outlet, meta.date) if value]
    provenance = element("p", {"class": "article-provenance"})
    if byline or meta.original_url:
        pieces: list = [" · ".join(byline)]
        if meta.original_url:
            pieces += [" · " if byline else "", link(meta.original_url, "Original publication")]
        provenance = element("p", {"class": "article-provenance"}, None, *pieces)
    missing = [
        what for what, value in (("author", meta.author), ("outlet", meta.outlet), ("date", meta.date)) if not value
    ]
    if missing:
        note = f"{', '.join(missing).capitalize()} of first publication: not stated in the text we have."
        provenance.append(element("span", {"class": "article-unknown"}, (" " if byline else "") + note))
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
        if history is not None:
            summary += history_summary(article, history, views)
    parts.append(element("p", {"class": "article-summary"}, None, *summary))
    if history is not None and (removed := removed_notes(article, item, history, views)) is not None:
        parts.append(removed)
    if (contested := disputed_nav(item)) is not None:
        parts.append(contested)
    if item is not None and item.notes:
        parts.append(print_sources(item))
    return element("div", {"class": "article-meta"}, None, *parts)


def history_summary(article: Article, history: ArticleHistory, views: frozenset[str]) -> list:
    """The header's links to the article's corrections and the site's feed of them; or, in a
    build without git history, that the notes' history is unavailable."""
    parts: list = []
    if any(v in views for v in ("claims", "sources")):
        count = len(history.corrections) if history.available else 0
        text = f"Corrections ({count})" if history.available else "Corrections"
        parts += [" ", element("a", {"href": corrections_link(article.slug)}, text), "."]
    parts += [
        " ",
        element("a", {"href": site_link(FEED_PATH), "type": "application/atom+xml"}, "Corrections feed (Atom)"),
        ".",
    ]
    if not history.available:
        parts.append(f" History unavailable in this build ({history.why}).")
    return parts


def removed_notes(
    article: Article, item: AnnotatedArticle | None, history: ArticleHistory, views: frozenset[str]
) -> etree.Element | None:
    """Where an old link to a removed note lands (its id, #n-<id>): a line saying when the note
    was removed, linking to that correction. Ids some note now has, or replaces, are left out."""
    taken = {i for n in (item.notes if item else ()) for i in (n.note_id, *n.former_ids)}
    removed = [(i, c) for i, c in sorted(history.removed().items()) if f"n-{i}" not in taken]
    if not removed:
        return None
    listed = any(v in views for v in ("claims", "sources"))
    entries = []
    for note_id, correction in removed:
        said = f"Note {note_id} (“{correction.summary}”) was removed "
        when = f"on {correction.stamp.date}" if correction.stamp.date else "(not yet committed)"
        pieces: list = [said + when]
        if listed:
            pieces += [
                ": ",
                element("a", {"href": corrections_link(article.slug, correction.anchor)}, "the correction"),
            ]
        entries.append(element("li", {"id": f"n-{note_id}"}, None, *pieces, "."))
    return element(
        "ul", {"class": "sn-removed", "aria-label": "Removed notes", "data-search-exclude": ""}, None, *entries
    )


DISPUTED_WORDS = 8  # of a claim, in the list of disputed notes


def disputed_nav(item: AnnotatedArticle | None) -> etree.Element | None:
    """The contested claims at a glance: a link to each note whose verdict falls short of
    support (qualifies, contradicts), in reading order: its number (the claim's first words
    for screen readers and on hover), so even dozens of them take a line or two.
    Plain links (they open their note without script); the next/previous buttons are in the page
    from the start (so nothing moves when the script arrives), shown only where scripts run
    (annotator.css), and sidenotes.js makes them and the keys work. None when no note is disputed."""
    notes = [n for n in item.notes if disputed(n.annotation.relation_row)] if item is not None else []
    if not notes:
        return None
    entries = []
    for n in notes:  # the number shows; the claim is said to screen readers and on hover
        words = n.annotation.summary.split()
        short = " ".join(words[:DISPUTED_WORDS]) + ("…" if len(words) > DISPUTED_WORDS else "")
        relation = n.annotation.relation_row
        attributes = {
            "href": f"#{n.note_id}",
            "class": f"sn-disputed-link {relation.css_class}",
            "title": f"{relation.label}: {short}",
        }
        said = element("span", {"class": "sn-sr"}, f"note {n.number}, {relation.label.lower()}: {short}")
        shown = element("span", {"aria-hidden": "true"}, str(n.number))
        entries.append(element("li", None, None, element("a", attributes, None, shown, said)))
    return element(
        "nav",
        {"class": "sn-disputed", "aria-label": "Disputed claims", "data-search-exclude": ""},
        None,
        element("span", {"class": "sn-disputed-title"}, f"Disputed claims ({len(notes)}): "),
        element("ol", None, None, *entries),
        *(
            element(
                "button", {"type": "button", "class": "sn-disputed-step", "data-step": step}, f"{word} disputed note"
            )
            for step, word in (("-1", "Previous"), ("1", "Next"))
        ),
    )


def classes_legend(item: AnnotatedArticle) -> etree.Element | None:
    """What each reliability class the notes' sources have means, once for the article (a
    source shows its class's name only): the classes in the order the notes first use them.
    It goes after the article's text, closed: the header stays short."""
    used: dict[str, object] = {}
    for note in item.notes:
        for source in note.annotation.sources:
            standing = source.standing
            for found in (standing, getattr(standing, "read_class", None)):
                if found is not None:
                    used.setdefault(found.name, found)
    if not used:
        return None
    rows = [
        row
        for c in used.values()
        for row in (
            element("dt", None, None, element("span", {"class": "sn-class"}, c.label)),
            element("dd", None, c.description),
        )
    ]
    return element(
        "details",
        {"class": "article-classes", "data-search-exclude": ""},
        None,
        element("summary", None, "What the sources' classes mean"),
        element("dl", None, None, *rows),
    )


def print_sources(item: AnnotatedArticle) -> etree.Element:
    """The sources of every note, numbered as print refers to them (note 12's sources are 12a,
    12b...: annotator.css counts them the same way inside each note), with their addresses.
    Shown in print only, after the article; a source cited again points to its first entry."""
    section = element(
        "section", {"class": "sn-print-sources", "data-search-exclude": ""}, None, element("h2", None, "Sources")
    )
    first: dict[str, str] = {}
    for note in item.notes:
        if not note.annotation.sources:
            continue
        pieces: list = [element("span", {"class": "sn-ref"}, str(note.number)), " "]
        for k, source in enumerate(note.annotation.sources):
            letter = chr(ord("a") + k) if k < 26 else str(k + 1)
            pieces.append(element("span", {"class": "sn-ref"}, f"{letter}."))
            if source.link in first:
                pieces.append(f" as {first[source.link]}. ")
                continue
            first[source.link] = f"{note.number}{letter}"
            said = ", ".join(x for x in (source.outlet, source.date) if x)
            short = source.link.removeprefix("https://").removeprefix("http://").removeprefix("www.")
            pieces += [f" {said}: {source.title}. ", link(source.link, short), " "]
        section.append(element("p", None, None, *pieces))
    return section


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

# How the text marks each relation's assertions: the x-mark of its row in the relation table
# (schema.Mark). line: the underline's CSS style while the assertion is read (hovered, focused,
# open, linked to), "none" for the number alone; words: that mark, for the legend; rest: what
# marks it by default: "quiet" (its number only), "number" (a boxed number: a verdict short of
# support) or "mark" (boxed, filled number and its underline kept: what the sources contradict).
MARK_STYLES = {r.name: (r.mark.line, r.mark.words, r.mark.rest) for r in RELATIONS}  # read-only view


def mark_style(relation) -> tuple[str, str]:
    """(CSS underline style, words for the legend) of a relation's marks."""
    return relation.mark.line, relation.mark.words


def mark_rest(relation) -> str:
    """How a relation's assertions are marked before anyone reads them: quiet, number or mark."""
    return relation.mark.rest


def disputed(relation) -> bool:
    """A verdict short of full support (x-rating below the table's best: qualifies, contradicts):
    the filter's "Qualified or contradicted" choice (value "disputed", as in ?notes=disputed)."""
    best = max(r.rating for r in RELATIONS if r.judges)
    return relation.judges and relation.rating < best


def _label_of_set(relations) -> str:
    """The filter's name for several relations: what it holds, in the relations' own words."""
    names = [r.filter_word or r.label.lower() for r in relations]
    return (", ".join(names[:-1]) + " or " + names[-1]).capitalize() if len(names) > 1 else names[0].capitalize()


def reader_filter(item: AnnotatedArticle | None) -> etree.Element | None:
    """The reader's filter: a radio input per choice (all; the verdicts short of support, named
    for what they hold; each relation; none), with its count. A choice with no note is not
    offered, nor one that would show exactly what another shows. It goes right before the
    article body, whose marks and notes it narrows by CSS alone (reader_filter_css);
    sidenotes.js remembers the choice for this article, says so, and puts it in the URL."""
    if item is None or not item.notes:
        return None
    slug = item.article.slug
    counts = Counter(n.annotation.relation for n in item.notes)
    every = list(RELATIONS)
    contested = [r for r in RELATIONS if disputed(r) and counts[r.name]]
    choices = [  # value, label, count, relation named, relations shown
        ("all", "All", len(item.notes), None, every),
    ]
    if len(contested) > 1:
        choices.append(("disputed", _label_of_set(contested), sum(counts[r.name] for r in contested), None, contested))
    choices += [(r.name, r.label, counts[r.name], r, [r]) for r in RELATIONS if counts[r.name]]
    choices.append(("clean", "None", None, None, []))
    fieldset = element(
        "fieldset",
        {"class": "sn-filter", "data-search-exclude": "", "data-article": slug},
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


def relation_css() -> str:
    """Each relation's colour (x-colour), as the --sn-rel of its class: the relation table's rows,
    then the source relations not among them (context). Badges, marks and notes read it."""
    rules, seen = [], set()
    for r in (*RELATIONS, *SOURCE_RELATIONS):
        if r.colour is not None and r.name not in seen:
            seen.add(r.name)
            rules.append(f".{r.css_class} {{ --sn-rel: light-dark({r.colour.light}, {r.colour.dark}); }}")
    head = "\n/* ---- Relation colours, generated from the relation table (annotation.schema.json) ---- */\n"
    return head + "\n".join(rules) + "\n"


def reader_filter_css() -> str:
    """Each relation's marks (underline style; what marks it by default), and the reader's
    filter: when the choice does not show a relation, its marks go quiet (no underline, no
    highlight, no pointer), its numbers leave the line (display: none, so no gap is left where
    they were), its toggles are hidden and its notes leave the layout. Screen only: print shows
    every note. (A link to a note left out shows all: sidenotes.js.)"""
    rest = {
        "quiet": "",
        "number": "--sn-num-ring:inset 0 0 0 1.5px currentColor",
        "mark": "--sn-rest:underline;--sn-num-ring:inset 0 0 0 1.5px var(--sn-rel);"
        "--sn-num-fill:color-mix(in srgb,var(--sn-rel) 16%,transparent)",
    }
    marks = []
    for r in RELATIONS:
        style = mark_style(r)[0]
        rules = [
            f"--sn-line:{style}" if style not in ("solid", "none") else "",
            "--sn-deco:none" if style == "none" else "",
            rest[mark_rest(r)],
        ]
        if any(rules):
            marks.append(f".{r.css_class}{{{';'.join(x for x in rules if x)}}}")
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
        + " {\n  --sn-vis: hidden; --sn-deco: none; --sn-rest: none; --sn-mark: transparent; --sn-display: none;"
        + " --sn-num-display: none; pointer-events: none;\n}\n}\n"
    )
