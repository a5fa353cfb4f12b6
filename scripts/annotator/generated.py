"""Generated content, as elements: the article header and data, and the sections a page asks
for with `[annotator: name]` (claims, sources, articles, legend, classes).

Links to other pages are `annotator:doc/<page>.md#id` and to generated files
`annotator:site/<path>`; `annotator postbuild` makes them relative links once URLs are known.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as etree
from collections import Counter, defaultdict

from .model import AnchoredNote, Article, Source
from .pipeline import AnnotatedArticle, Publication
from .schema import RELATIONS
from .sidenote import element, link

ROW, MARK, LABEL_WIDTH = 20, 24, 44  # px: overview row height, mark width, paragraph label column


def doc_link(article: Article, docs_relative: str, fragment: str = "") -> str:
    return f"annotator:doc/{docs_relative}" + (f"#{fragment}" if fragment else "")


def site_link(path: str) -> str:
    return f"annotator:site/{path}"


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


def article_header(article: Article, item: AnnotatedArticle | None, site_links: bool = True) -> etree.Element:
    """Title, subtitle, what is known of the publication, and a one-line summary of the notes
    (with links to the one-file edition and the data, on the site)."""
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


# ---- Claims -------------------------------------------------------------------------------------


def overview_svg(item: AnnotatedArticle, links: Links, small: bool = False) -> etree.Element:
    """One row per paragraph, one lettered mark per note, each linking to it (readable without colour)."""
    count = len(item.article.paragraphs)
    per = Counter(n.paragraph for n in item.notes)
    width = LABEL_WIDTH + MARK * max(per.values(), default=1) + 8
    height = ROW * count + 4
    slug = item.article.slug
    title_id = f"map-{slug}" + ("-small" if small else "")
    legend = ", ".join(f"{r.letter} {r.label.lower()}" for r in RELATIONS)
    svg = element(
        "svg",
        {
            "class": "claims-map" + (" claims-map--small" if small else ""),
            "role": "group",  # a group, not an image: it holds links (axe: nested-interactive)
            "viewBox": f"0 0 {width} {height}",
            "width": str(width // 2 if small else width),
            "height": str(height // 2 if small else height),
            "aria-labelledby": title_id,
        },
        None,
        element("title", {"id": title_id}, f"Notes of each paragraph of {item.article.title}, by relation: {legend}"),
    )
    for number in range(1, count + 1):
        svg.append(
            element("text", {"class": "claims-map__para", "x": "0", "y": str(ROW * (number - 1) + 16)}, f"¶{number}")
        )
    placed: Counter = Counter()
    for n in item.notes:
        x = LABEL_WIDTH + MARK * placed[n.paragraph]
        placed[n.paragraph] += 1
        y = ROW * (n.paragraph - 1) + 2
        relation = n.annotation.relation_row
        svg.append(
            element(
                "a",
                {"href": links.note(item.article, n.note_id), "class": f"claims-map__mark {relation.css_class}"},
                None,
                element("title", None, f"Note {n.number}, {relation.label}: {n.annotation.summary}"),
                element("rect", {"x": str(x), "y": str(y), "width": str(MARK - 4), "height": str(ROW - 4), "rx": "3"}),
                element(
                    "text", {"x": str(x + (MARK - 4) / 2), "y": str(y + 12), "text-anchor": "middle"}, relation.letter
                ),
            )
        )
    return svg


def rests_on_reliable(note: AnchoredNote) -> bool:
    """Is a verdict backed by a source of a class that can carry one (primary, reliable...)?"""
    a = note.annotation
    return any(s.relation == a.relation and s.standing is not None and s.standing.decides for s in a.sources)


def claims_table(item: AnnotatedArticle, links: Links) -> etree.Element:
    counts = Counter(n.annotation.relation for n in item.notes)
    slug = item.article.slug
    filters = element(
        "fieldset", {"class": "claims-filters", "data-annotator-filters": ""}, None, element("legend", None, "Show")
    )
    choices = [("all", f"All ({len(item.notes)})")] + [
        (r.name, f"Only {r.label.lower()} ({counts[r.name]})") for r in RELATIONS if counts[r.name]
    ]
    reliable = sum(rests_on_reliable(n) for n in item.notes)
    choices.append(("reliable", f"Verdicts resting on primary or reliable sources ({reliable})"))
    for value, label in choices:
        attributes = {
            "type": "radio",
            "class": "claims-filter",
            "name": f"rel-{slug}",
            "id": f"{slug}-{value}",
            "value": value,
        }
        if value == "all":
            attributes["checked"] = ""
        filters.append(element("input", attributes))
        filters.append(element("label", {"for": f"{slug}-{value}"}, label))
    head = element(
        "tr",
        None,
        None,
        *(element("th", {"scope": "col"}, h) for h in ("Note", "¶", "Claim", "Relation", "Sources", "Read")),
    )
    body = element("tbody")
    for n in item.notes:
        a, relation = n.annotation, n.annotation.relation_row
        read = sum(s.verified for s in a.sources)
        status = "—" if not a.sources else ("all" if read == len(a.sources) else f"{read} of {len(a.sources)}")
        row_class = relation.css_class + (" rests-on-reliable" if rests_on_reliable(n) else "")
        body.append(
            element(
                "tr",
                {"class": row_class},
                None,
                element(
                    "td",
                    {"data-sort": str(n.number)},
                    None,
                    element("a", {"href": links.note(item.article, n.id)}, str(n.number)),
                ),
                element("td", {"data-sort": str(n.paragraph)}, str(n.paragraph)),
                element("td", None, a.summary),
                element("td", {"data-sort": str(RELATIONS.index(relation))}, None, _badge(relation)),
                element("td", {"data-sort": str(len(a.sources))}, str(len(a.sources))),
                element("td", None, status),
            )
        )
    table = element(
        "table",
        {"data-sortable": ""},
        None,
        element("caption", None, f"Annotated assertions of {item.article.title}"),
        element("thead", None, None, head),
        body,
    )
    filters.append(table)
    return filters


def claims_section(item: AnnotatedArticle, links: Links) -> etree.Element:
    totals_list = element("ul", {"class": "claims-totals"}, None)
    counts = Counter(n.annotation.relation for n in item.notes)
    for relation in RELATIONS:
        totals_list.append(element("li", None, None, _badge(relation), f" {counts[relation.name]}"))
    covered = len({n.paragraph for n in item.notes})
    return element(
        "section",
        {"class": "claims", "id": f"claims-{item.article.slug}"},
        None,
        element("h2", None, None, element("a", {"href": links.note(item.article, "")}, item.article.title)),
        element(
            "p",
            None,
            f"{len(item.notes)} annotated assertions in {covered} of {len(item.article.paragraphs)} paragraphs.",
        ),
        totals_list,
        element(
            "figure",
            {"class": "claims-figure"},
            None,
            overview_svg(item, links),
            element(
                "figcaption",
                None,
                "Each row is a paragraph; each mark is a note, lettered by relation. Select a mark to read the note.",
            ),
        ),
        claims_table(item, links),
    )


# ---- Sources ------------------------------------------------------------------------------------


def unique_sources(articles) -> dict[str, tuple[Source, list[tuple[Article, AnchoredNote]]]]:
    """Every source once, keyed by the address a reader follows, with the notes that cite it."""
    found: dict[str, tuple[Source, list]] = {}
    for item in articles:
        for note in item.notes:
            for source in note.annotation.sources:
                found.setdefault(source.link, (source, []))[1].append((item.article, note))
    return found


def sources_section(publication: Publication, links: Links) -> etree.Element:
    """Sources grouped by outlet, each once, with its class, status, excerpt and citing notes."""
    from .sidenote import host

    sources = unique_sources(publication.articles)
    section = element("div", {"class": "annotator-sources"})
    if not sources:
        section.append(element("p", None, "No sources yet."))
        return section
    read = sum(1 for s, _ in sources.values() if s.verified)
    by_outlet: dict[str, list] = defaultdict(list)
    for source, citing in sources.values():
        by_outlet[source.outlet].append((source, citing))
    classes = Counter(s.standing.label for s, _ in sources.values() if s.standing)
    section.append(
        element(
            "p",
            None,
            f"{len(sources)} sources from {len(by_outlet)} outlets; {read} read in a copy by an editor, "
            f"{len(sources) - read} unverified. By class: "
            + ", ".join(f"{label} {n}" for label, n in classes.most_common())
            + ".",
        )
    )
    several = len(publication.articles) > 1
    for outlet in sorted(by_outlet, key=str.casefold):
        entries = element("ul", {"class": "source-list"})
        for source, citing in sorted(by_outlet[outlet], key=lambda sc: (sc[0].date or "", sc[0].title)):
            details: list = [link(source.link, source.title, "source-title")]
            if source.author:
                details.append(f", {source.author}")
            if source.date:
                details.append(f" ({source.date})")
            if source.via and source.url:
                details += [", ", link(source.via, f"via {host(source.via)}", "sn-via")]
            elif source.via:
                details += [", ", element("span", {"class": "sn-via"}, f"via {host(source.via)}")]
            if source.standing:
                details += [
                    " ",
                    element("span", {"class": "sn-class", "title": source.standing.description}, source.standing.label),
                ]
            status = (
                f"excerpt read in a copy on {source.verified_on}"
                if source.verified
                else "unverified: not read in a copy"
            )
            details.append(f". {status}. Cited by ")
            for i, (article, note) in enumerate(citing):
                label = f"note {note.number}" + (f" of {article.title}" if several else "")
                details += [
                    ", " if i else "",
                    element("a", {"href": links.note(article, note.id), "title": note.annotation.summary}, label),
                ]
            details += [".", element("blockquote", {"class": "source-excerpt"}, source.excerpt)]
            entries.append(element("li", None, None, *details))
        section.append(element("h2", None, outlet))
        section.append(entries)
    return section


# ---- Home page: the articles; legends -----------------------------------------------------------


def articles_section(publication: Publication, links: Links) -> etree.Element:
    """Every article: title, subtitle, what is known, verdict totals and the small overview."""
    section = element("div", {"class": "annotator-articles"})
    ordered = sorted(publication.articles, key=lambda i: (i.article.meta.date or "", i.article.title), reverse=True)
    for item in ordered:
        meta = item.article.meta
        summary: list = [f"{len(item.notes)} notes: "]
        for i, (relation, count) in enumerate(totals(item)):
            summary += [", " if i else "", _badge(relation), f"\u00a0{count}"]
        known = (
            " · ".join(x for x in (meta.author, meta.outlet, meta.date) if x) or "Author, outlet and date not stated"
        )
        section.append(
            element(
                "article",
                {"class": "annotator-article-card"},
                None,
                element("h2", None, None, element("a", {"href": links.note(item.article, "")}, meta.title)),
                element("p", {"class": "article-subtitle"}, meta.subtitle) if meta.subtitle else None,
                element("p", {"class": "article-provenance"}, known),
                element("p", {"class": "article-summary"}, None, *summary),
                overview_svg(item, links, small=True),
            )
        )
    return section


def legend_section() -> etree.Element:
    """Each relation: its badge, the underline that marks its assertions in the text, its meaning."""
    rows = [
        element(
            "tr",
            None,
            None,
            element("td", None, None, _badge(r)),
            element("td", None, None, element("span", {"class": f"mark-key {r.css_class}"}, mark_style(r)[1])),
            element("td", None, r.description),
        )
        for r in RELATIONS
    ]
    head = element("tr", None, None, *(element("th", None, h) for h in ("Badge", "Mark in the text", "Meaning")))
    return element(
        "table",
        {"class": "annotator-legend"},
        None,
        element("thead", None, None, head),
        element("tbody", None, None, *rows),
    )


def classes_section(publication: Publication) -> etree.Element:
    policy = publication.policy
    rows = [
        element(
            "tr",
            None,
            None,
            element("td", None, None, element("span", {"class": "sn-class"}, c.label)),
            element("td", None, c.description),
        )
        for c in (policy.classes.values() if policy else ())
    ]
    return element(
        "table",
        {"class": "annotator-legend"},
        None,
        element(
            "thead", None, None, element("tr", None, None, element("th", None, "Class"), element("th", None, "Meaning"))
        ),
        element("tbody", None, None, *rows),
    )


def section(name: str, argument: str | None, publication: Publication) -> etree.Element:
    """The generated section a `[annotator: name]` paragraph asks for."""
    links = Links(publication)
    wrapper = element("div", {"class": "annotator-section", "data-annotator-section": name})
    if name == "claims":
        items = [i for i in publication.articles if argument in (None, i.article.slug)]
        wrapper.extend(claims_section(i, links) for i in items)
    elif name == "sources":
        wrapper.append(sources_section(publication, links))
    elif name == "articles":
        wrapper.append(articles_section(publication, links))
    elif name == "legend":
        wrapper.append(legend_section())
    elif name == "classes":
        wrapper.append(classes_section(publication))
    else:
        wrapper.append(
            element("p", {"class": "annotator-errors", "role": "alert"}, f"Unknown section [annotator: {name}]")
        )
    return wrapper
