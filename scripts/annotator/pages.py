"""The site's generated sections, as elements: what a page asks for with `[annotator: name]`.

    claims    every article in a table, with its totals; each article's full claims (overview
              and filterable table) on a page of its own, derived from this one by postbuild
    sources   every source once, by outlet, with its class and every note that cites it, in pages
              of SOURCES_PER_PAGE; each article's sources on a page of its own
    articles  the newest articles (HOME_ARTICLES), as cards; all of them are on the Claims page
    legend    the relations: badge, mark in the text, meaning
    classes   the reliability classes
    search    the search box (assets/search.js), over Pagefind's index or, from disk, the whole file

Links to article pages are `annotator:doc/...`, to derived pages `annotator:view/...`; postbuild
resolves them. Every page's size stays bounded as the publication grows.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from .article import VIEWS
from .cache import CACHE
from .errors import counted
from .generated import FEED_PATH, LABEL_WIDTH, MARK, ROW, Links, _badge, mark_style, site_link, totals, view_link
from .history import ArticleHistory, Correction
from .model import AnchoredNote, Article, Source, made_from
from .pipeline import AnnotatedArticle, Publication
from .schema import RELATION, RELATIONS
from .sidenote import element, link, provenance

HOME_ARTICLES = 12  # cards on the home page, newest first
SOURCES_PER_PAGE = 100  # sources on one page of the site-wide index


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
    """Is a verdict backed by a source of a class that can carry one (primary, reliable), whose
    text was read faithfully (on its own site, an archive, or a copy on a host that is not weak)?"""
    a = note.annotation
    return any(
        s.relation == a.relation
        and s.standing is not None
        and s.standing.decides
        and getattr(s.standing, "faithful", True)
        for s in a.sources
    )


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
                    element("a", {"href": links.note(item.article, n.anchor_id)}, str(n.number)),
                ),
                element("td", {"data-sort": str(n.paragraph), "data-label": "¶"}, str(n.paragraph)),
                element("td", {"class": "claims-claim"}, a.summary),
                element("td", {"data-sort": str(RELATIONS.index(relation))}, None, _badge(relation)),
                element("td", {"data-sort": str(len(a.sources)), "data-label": "Sources"}, str(len(a.sources))),
                element("td", {"data-label": "Read"}, status),
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


def claims_section(item: AnnotatedArticle, links: Links, views: frozenset[str] = frozenset()) -> etree.Element:
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
        element(
            "p",
            None,
            None,
            element("a", {"href": view_link("sources", f"sources-{item.article.slug}.html")}, "Its sources, by outlet"),
            ".",
        )
        if "sources" in views
        else None,
        claims_table(item, links),
    )


def _letter_heading(relation) -> etree.Element:
    """A relation's column heading by its letter (as on the Claims map), named in full for screen
    readers and on hover: the index fits its column however many relations have notes."""
    badge = element("span", {"class": f"badge {relation.css_class}", "aria-hidden": "true"}, relation.letter)
    return element("th", {"scope": "col", "title": relation.label, "aria-label": relation.label}, None, badge)


def claims_index(publication: Publication, links: Links) -> etree.Element:
    """Every article in one table: date, notes by relation, and links to its claims and sources."""
    used = Counter(n.annotation.relation for i in publication.articles for n in i.notes)
    relations = [r for r in RELATIONS if used[r.name]]  # a column of zeros says nothing and widens the table
    head = element(
        "tr",
        None,
        None,
        *(element("th", {"scope": "col"}, h) for h in ("Article", "Date", "Notes")),
        *(_letter_heading(r) for r in relations),
        element("th", {"scope": "col"}, "Views"),
    )
    body = element("tbody")
    for item in _newest_first(publication.articles):
        counts = Counter(n.annotation.relation for n in item.notes)
        slug = item.article.slug
        named = [element("a", {"href": view_link(v, f"{v}-{slug}.html")}, v) for v in VIEWS if v in publication.views]
        views = element("td", None, None, *(x for i, a in enumerate(named) for x in ((" · ", a) if i else (a,))))
        body.append(
            element(
                "tr",
                None,
                None,
                element("td", None, None, element("a", {"href": links.note(item.article, "")}, item.article.title)),
                element("td", {"data-label": "Date"}, item.article.meta.date or "not stated"),
                element("td", {"data-label": "Notes"}, str(len(item.notes))),
                *(element("td", {"data-label": r.label}, str(counts[r.name])) for r in relations),
                views,
            )
        )
    total = sum(len(i.notes) for i in publication.articles)
    return element(
        "div",
        {"class": "claims-index"},
        None,
        element(
            "p", None, f"{counted(len(publication.articles), 'article')}, {counted(total, 'annotated assertion')}."
        ),
        element(
            "table",
            {"data-sortable": ""},
            None,
            element("caption", None, "Every article, with its notes by relation"),
            element("thead", None, None, head),
            body,
        ),
    )


@dataclass(frozen=True)
class View:
    """One derived page: its file name and title, and its section, made when first asked
    (`section()`; shared between builds: never changed, postbuild only serializes it).
    state: what the section is made from (equal while unchanged, for the cache in memory);
    made_from(): the same as bytes that are the same in any process (the cache's key on disk for
    the page made from it: a page found there needs no section), or None. Asked only when the
    page is not in memory: a serve rebuild lists every view, and makes few."""

    filename: str
    title: str
    state: tuple
    make: Callable[[], etree.Element] = field(compare=False, repr=False)
    made_from: Callable[[], bytes | None] = field(compare=False, repr=False, default=lambda: None)

    def section(self) -> etree.Element:
        return self.make()


def article_view(name: str, item: AnnotatedArticle, inputs, filename: str, title: str, make) -> View:
    """One article's derived page, whose section make() makes again only when the article or
    the other inputs changed: an edit to one article makes one section again."""

    def on_disk() -> bytes | None:
        return made_from(name, item, inputs) if item.inputs else None

    section = partial(CACHE.get, ("view", name, item.article.slug), (item, inputs), make)
    return View(filename, title, (name, item, inputs), section, on_disk)


def claims_views(publication: Publication) -> list[View]:
    """Each article's own Claims page."""
    links = Links(publication)

    def view(i: AnnotatedArticle) -> View:
        section = partial(lambda i: _wrap("claims", claims_section(i, links, publication.views)), i)
        inputs = (publication.docs, publication.views)
        return article_view("claims", i, inputs, f"claims-{i.article.slug}.html", f"Claims: {i.article.title}", section)

    return [view(i) for i in publication.articles]


def _newest_first(articles) -> list[AnnotatedArticle]:
    return sorted(articles, key=lambda i: (i.article.meta.date or "", i.article.title), reverse=True)


def _wrap(name: str, *children: etree.Element) -> etree.Element:
    return element("div", {"class": "annotator-section", "data-annotator-section": name}, None, *children)


# ---- Sources ------------------------------------------------------------------------------------


def unique_sources(articles) -> dict[str, tuple[Source, list[tuple[Article, AnchoredNote]]]]:
    """Every source once, keyed by the address a reader follows, with the notes that cite it."""
    found: dict[str, tuple[Source, list]] = {}
    for item in articles:
        for note in item.notes:
            for source in note.annotation.sources:
                found.setdefault(source.link, (source, []))[1].append((item.article, note))
    return found


def _source_entry(
    source: Source, citing: list[tuple[Article, AnchoredNote]], links: Links, several: bool, excerpt: bool = True
):
    """One source: linked title, author, date, via, class, who read it; the notes citing it
    (by article, each article once); its excerpt, unless the page leaves it to the notes."""
    details: list = [link(source.link, source.title, "source-title")]
    if source.author:
        details.append(f", {source.author}")
    if source.date:
        details.append(f" ({source.date})")
    details.append(f", {source.outlet}" if source.standing else "")
    details += provenance(source)
    status = f"excerpt read in a copy on {source.verified_on}" if source.verified else "unverified: not read in a copy"
    details.append(f". {status}. Cited by ")
    by_article: dict[Article, list[AnchoredNote]] = {}
    for article, note in citing:
        by_article.setdefault(article, []).append(note)
    for i, (article, notes) in enumerate(by_article.items()):
        details.append("; " if i else "")
        if several:
            details += [element("a", {"href": links.note(article, "")}, article.title), ": "]
        for k, note in enumerate(notes):
            label = f"note {note.number}"
            details += [
                ", " if k else "",
                element("a", {"href": links.note(article, note.anchor_id), "title": note.annotation.summary}, label),
            ]
    details.append(".")
    if excerpt:
        details.append(element("blockquote", {"class": "source-excerpt"}, source.excerpt))
    return element("li", None, None, *details)


def sources_list(sources: list, links: Links, several: bool, excerpts: bool = True) -> list[etree.Element]:
    """Sources grouped by outlet (headings and lists), in the given order; excerpts False: each
    source's excerpt is left to the notes citing it (an article's own Sources page, whose notes
    are on the article's page)."""
    out: list[etree.Element] = []
    outlet, entries = None, None
    for source, citing in sources:
        if source.outlet != outlet:
            outlet, entries = source.outlet, element("ul", {"class": "source-list"})
            out += [element("h2", None, outlet), entries]
        entries.append(_source_entry(source, citing, links, several, excerpts))
    return out


def ordered_sources(articles) -> list:
    """Every source of these articles once, by outlet, date and title: sorted once per state of
    the articles, however many pages of the index ask (the key holds ids; the state, the
    articles themselves, keeps them alive and is what is compared)."""
    articles = tuple(articles)

    def order() -> list:
        found = unique_sources(articles)
        return sorted(found.values(), key=lambda sc: (sc[0].outlet.casefold(), sc[0].date or "", sc[0].title))

    return CACHE.get(("ordered-sources", tuple(map(id, articles))), articles, order)


def _sources_summary(sources: list) -> etree.Element:
    read = sum(1 for s, _ in sources if s.verified)
    outlets = len({s.outlet for s, _ in sources})
    said = Counter(s.standing.label for s, _ in sources if s.standing)
    pages = Counter(
        s.standing.read_class.label for s, _ in sources if s.standing and getattr(s.standing, "read_class", None)
    )
    weak = sum(1 for s, _ in sources if s.standing and not getattr(s.standing, "faithful", True))

    def listed(counter: Counter) -> str:
        return ", ".join(f"{label} {n}" for label, n in counter.most_common())

    return element(
        "p",
        None,
        f"{len(sources)} sources from {outlets} outlets; {read} read in a copy by an editor, "
        f"{len(sources) - read} unverified. By class of the original (who said it): {listed(said)}. "
        f"By class of the page read (where the words were taken from): {listed(pages)}"
        + (f"; {weak} read on a copy that does not carry the original's standing" if weak else "")
        + ".",
    )


def _pager(pages: int, current: int, where: str = "top") -> etree.Element | None:
    if pages <= 1:
        return None
    label = f"Pages of sources ({where} of the list)"  # two landmarks on a page: each named apart
    nav = element("nav", {"class": "annotator-pager", "aria-label": label}, "Pages of sources: ")
    for number in range(1, pages + 1):
        target = "index" if number == 1 else f"sources-page-{number}.html"  # page 1 is the Sources page itself
        attributes = {"href": view_link("sources", target)}
        if number == current:
            attributes["aria-current"] = "page"
        nav.append(element("a", attributes, str(number)))
        nav[-1].tail = " "
    return nav


def sources_index(publication: Publication, links: Links, page: int = 1) -> etree.Element:
    """One page of the site-wide index: each source once, with every article and note citing it."""
    sources = ordered_sources(publication.articles)
    section = element("div", {"class": "annotator-sources"})
    if not sources:
        section.append(element("p", None, "No sources yet."))
        return section
    pages = -(-len(sources) // SOURCES_PER_PAGE)
    section.append(_sources_summary(sources))
    chunk = sources[(page - 1) * SOURCES_PER_PAGE : page * SOURCES_PER_PAGE]
    listed = sources_list(chunk, links, len(publication.articles) > 1)
    contents = element("ul", {"class": "annotator-sources-contents"})
    for heading in (e for e in listed if e.tag == "h2"):  # this page's own outlets, each with its id
        words = "".join(c if c.isalnum() else " " for c in heading.text.lower()).split()
        heading.set("id", "outlet-" + "-".join(words))
        contents.append(element("li", None, None, element("a", {"href": f"#{heading.get('id')}"}, heading.text)))
    pager = _pager(pages, page)
    section.extend([pager] if pager is not None else [])
    if pages > 1:
        section.append(
            element("nav", {"class": "annotator-sources-toc", "aria-label": "Outlets on this page"}, None, contents)
        )
    section.extend(listed)
    if pager is not None:
        section.append(_pager(pages, page, "end"))
    section.set("data-page", str(page))
    return section


def sources_views(publication: Publication) -> list[View]:
    """Each derived Sources page: the index's later pages, and each article's own sources."""
    links = Links(publication)
    views = []
    pages = -(-len(unique_sources(publication.articles)) // SOURCES_PER_PAGE)
    for number in range(2, pages + 1):

        def index_page(number=number) -> etree.Element:
            return _wrap("sources", sources_index(publication, links, number))

        listed = listing(publication)
        section = partial(CACHE.get, ("view", "sources-index", number), listed, index_page)
        views.append(View(f"sources-page-{number}.html", f"Sources, page {number}", (number, listed), section))

    def section(item: AnnotatedArticle) -> etree.Element:
        sources = ordered_sources([item])
        body = element(
            "div",
            {"class": "annotator-sources"},
            None,
            element(
                "h2",
                None,
                None,
                "Sources of ",
                element("a", {"href": links.note(item.article, "")}, item.article.title),
            ),
            _sources_summary(sources),
            element("p", None, "Each source's excerpt, and what it says of the claim, is in the notes that cite it."),
            *sources_list(sources, links, several=False, excerpts=False),
        )
        return _wrap("sources", body)

    for i in publication.articles:
        filename, title = f"sources-{i.article.slug}.html", f"Sources: {i.article.title}"
        views.append(article_view("sources", i, publication.docs, filename, title, partial(section, i)))
    return views


# ---- Home page: the articles; legends -----------------------------------------------------------


def articles_section(publication: Publication, links: Links) -> etree.Element:
    """Every article: title, subtitle, what is known, verdict totals and the small overview."""
    section = element("div", {"class": "annotator-articles"})
    ordered = _newest_first(publication.articles)
    for item in ordered[:HOME_ARTICLES]:
        meta = item.article.meta
        summary: list = [f"{counted(len(item.notes), 'note')}: "]
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
    if len(ordered) > HOME_ARTICLES and "claims" in publication.views:
        section.append(
            element(
                "p", None, None, element("a", {"href": view_link("claims", "index")}, f"All {len(ordered)} articles")
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


def search_section() -> etree.Element:
    """The search box; assets/search.js makes it work (it is hidden until the script runs)."""
    form = element(
        "form",
        {"class": "annotator-search", "role": "search", "data-annotator-search": "", "hidden": ""},
        None,
        element("label", {"for": "annotator-q"}, "Search the notes and the articles"),
        element("input", {"type": "search", "id": "annotator-q", "name": "q", "autocomplete": "off"}),
        element("p", {"role": "status", "aria-live": "polite"}),
        element("ol", {"class": "annotator-search-results"}),
    )
    return element(
        "div",
        None,
        None,
        form,
        element(
            "p",
            {"class": "annotator-search-noscript"},
            "Search needs JavaScript; the Claims and Sources pages list everything without it.",
        ),
    )


SECTIONS = {
    "claims": lambda publication, links: claims_index(publication, links),
    "sources": lambda publication, links: sources_index(publication, links),
    "articles": lambda publication, links: articles_section(publication, links),
    "legend": lambda publication, links: legend_section(),
    "classes": lambda publication, links: classes_section(publication),
    "search": lambda publication, links: search_section(),
}


def listing(publication: Publication) -> tuple:
    """What the site-wide sections (claims, sources, articles, classes, and the later pages of
    the sources index) read of the publication: its folder, views and policy; each article's
    page, metadata and number of paragraphs; each note's number, ids, paragraph, relation,
    summary and sources. Not a note's text: an edit to it leaves those sections, and the pages
    holding them, as they were. A section that reads anything else must add it here."""

    def one(i: AnnotatedArticle) -> tuple:
        return (
            i.article.path,
            i.article.slug,
            i.article.meta,
            len(i.article.paragraphs),
            tuple(
                (n.number, n.note_id, n.anchor_id, n.paragraph, n.annotation.relation, n.annotation.summary)
                + (n.annotation.sources,)
                for n in i.notes
            ),
        )

    def listed() -> tuple:  # each article's part made again only when that article changed
        articles = tuple(
            CACHE.get(("listed", publication.docs, i.article.slug), i, partial(one, i)) for i in publication.articles
        )
        return publication.docs, publication.views, publication.policy, articles

    return CACHE.get(("listing", publication.docs), publication, listed)


def section(name: str, argument: str | None, publication: Publication) -> etree.Element:
    """The generated section a `[annotator: name]` paragraph asks for: a copy of the one made
    for this publication's listing (the page's tree takes it in, so each page gets its own)."""
    made = CACHE.get(("section", name, argument), listing(publication), lambda: _section(name, publication))
    return copy.deepcopy(made)


def _section(name: str, publication: Publication) -> etree.Element:
    build = SECTIONS.get(name)
    if build is None:
        known = ", ".join(SECTIONS)
        return element(
            "p", {"class": "annotator-errors", "role": "alert"}, f"Unknown section [annotator: {name}]; known: {known}"
        )
    return _wrap(name, build(publication, Links(publication)))


# ---- Corrections --------------------------------------------------------------------------------


def _relation_name(name: str) -> str:
    row = RELATION.get(name)
    return row.label if row is not None else name


def _change_item(kind: str, before: str, after: str) -> etree.Element:
    if kind == "verdict":
        return element("li", None, f"Verdict: {_relation_name(before)} → {_relation_name(after)}")
    if kind == "claim":
        return element("li", None, f"Claim: “{before}” → “{after}”")
    if kind == "sources":
        return element("li", None, f"Sources: {after}")
    return element("li", None, f"Note removed (it read: “{before}”)")


def correction_entry(item: AnnotatedArticle, correction: Correction, links: Links) -> etree.Element:
    """One correction: when, which commit, which note (linked to its permalink while it exists),
    what changed, and why (the note's `reason:`, else the commit's subject)."""
    current = {n.id for n in item.notes}
    stamp = correction.stamp
    when: list = (
        [element("time", {"datetime": stamp.iso}, stamp.date), " · commit ", element("code", None, stamp.short)]
        if stamp.commit
        else ["Not yet committed"]
    )
    note_id = correction.note_id
    if note_id and note_id in current:
        named: list = [element("a", {"href": links.note(item.article, f"n-{note_id}")}, f"note {note_id}")]
    else:
        named = [f"note {note_id}" if note_id else "a note from before notes had ids"]
    why = "Reason: " if correction.reason_written else "Commit: "
    return element(
        "li",
        {"id": correction.anchor, "class": "correction"},
        None,
        element("p", {"class": "correction-when"}, None, *when, " · ", *named, f": {correction.summary}"),
        element("ul", None, None, *(_change_item(*change) for change in correction.changes)),
        element("p", {"class": "correction-reason"}, why + correction.reason),
    )


def corrections_section(item: AnnotatedArticle, links: Links, history: ArticleHistory) -> etree.Element:
    """An article's corrections, newest first, all read from the repository's history."""
    title = element("a", {"href": links.note(item.article, "")}, item.article.title)
    feed = element("a", {"href": site_link(FEED_PATH), "type": "application/atom+xml"}, "the site's corrections feed")
    intro = (
        "Every change of a note's verdict, claim or sources, and every note removed, newest first: read from "
        "the site's git history when it was built, with the commit and its reason (the note's own, or the "
        "commit's subject). Also in "
    )
    body = element(
        "div",
        {"class": "annotator-corrections"},
        None,
        element("h1", {"id": "corrections"}, None, "Corrections to ", title),  # its own (postbuild drops the shell's)
        element("p", None, None, intro, feed, "."),
    )
    if not history.available:
        body.append(
            element("p", {"class": "corrections-unavailable"}, f"History unavailable in this build ({history.why}).")
        )
    elif not history.corrections:
        body.append(element("p", None, "No corrections yet."))
    else:
        entries = [correction_entry(item, c, links) for c in history.corrections]
        body.append(element("ol", {"class": "corrections", "reversed": ""}, None, *entries))
    return body


def corrections_views(publication: Publication, histories) -> list[View]:
    """Each article's corrections page; histories: slug -> ArticleHistory."""
    links = Links(publication)

    def section(i: AnnotatedArticle, history: ArticleHistory) -> etree.Element:
        return _wrap("corrections", corrections_section(i, links, history))

    views = []
    for i in publication.articles:
        filename, title, history = f"corrections-{i.article.slug}.html", f"Corrections: {i.article.title}", histories(i)
        made = partial(section, i, history)
        views.append(article_view("corrections", i, (publication.docs, history), filename, title, made))
    return views
