"""The Claims page: an overview picture of the article, then a filterable, sortable table.

`claims_html(articles, url)` returns HTML; `url(article, fragment)` gives the final link to a
note. Filtering works without JavaScript (radio buttons and CSS); claims.js adds sorting.
"""

from __future__ import annotations

import html as htmlmod
from collections import Counter

from .model import RELATION_LABELS, RELATIONS
from .pages import Link, claim_text
from .pipeline import AnnotatedArticle

ROW, MARK, LABEL_WIDTH = 20, 24, 44  # px: row height, mark width, paragraph label column
LETTER = {"supports": "S", "qualifies": "Q", "contradicts": "C", "unsourced": "U", "opinion": "O", "editorial": "E"}


def overview_svg(item: AnnotatedArticle, url: Link) -> str:
    """One row per paragraph, one lettered mark per note (S, Q, C...), each linking to it."""
    e = htmlmod.escape
    count = len(item.article.paragraphs)
    per = Counter(n.paragraph for n in item.notes)
    width = LABEL_WIDTH + MARK * max(per.values(), default=1) + 8
    height = ROW * count + 4
    parts = [
        # A group, not an image: it holds links to the notes (axe: nested-interactive).
        f'<svg class="claims-map" role="group" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-labelledby="map-{item.article.slug}">',
        f'<title id="map-{item.article.slug}">Notes of each paragraph of {e(item.article.title)}, '
        f"by relation: S supports, Q qualifies, C contradicts, U unsourced, O opinion, E editor's note</title>",
    ]
    placed: Counter = Counter()
    for number in range(1, count + 1):
        y = ROW * (number - 1) + 2
        parts.append(f'<text class="claims-map__para" x="0" y="{y + 14}">¶{number}</text>')
    for n in item.notes:
        x = LABEL_WIDTH + MARK * placed[n.paragraph]
        placed[n.paragraph] += 1
        y = ROW * (n.paragraph - 1) + 2
        rel = n.annotation.relation
        parts.append(
            f'<a href="{e(url(item.article, n.note_id))}" class="claims-map__mark claims-map__mark--{rel}">'
            f"<title>Note {n.number}, {RELATION_LABELS[rel]}: {e(claim_text(n, 80))}</title>"
            f'<rect x="{x}" y="{y}" width="{MARK - 4}" height="{ROW - 4}" rx="3"/>'
            f'<text x="{x + (MARK - 4) / 2}" y="{y + 12}" text-anchor="middle">{LETTER[rel]}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def claims_table(item: AnnotatedArticle, url: Link) -> str:
    e = htmlmod.escape
    counts = Counter(n.annotation.relation for n in item.notes)
    slug = item.article.slug
    filters = [
        f'<input type="radio" class="claims-filter" name="rel-{slug}" id="{slug}-all" value="all" checked>'
        f'<label for="{slug}-all">All ({len(item.notes)})</label>'
    ]
    for r in RELATIONS:
        if counts[r]:
            filters.append(
                f'<input type="radio" class="claims-filter" name="rel-{slug}" id="{slug}-{r}" '
                f'value="{r}"><label for="{slug}-{r}">Only {RELATION_LABELS[r].lower()} '
                f"({counts[r]})</label>"
            )
    rows = []
    for n in item.notes:
        a = n.annotation
        verified = sum(s.verified for s in a.sources)
        status = "—" if not a.sources else ("yes" if verified == len(a.sources) else f"{verified} of {len(a.sources)}")
        rows.append(
            f'<tr class="rel-{a.relation}"><td data-sort="{n.number}"><a href="{e(url(item.article, n.id))}">'
            f'{n.number}</a></td><td data-sort="{n.paragraph}">{n.paragraph}</td><td>{e(claim_text(n))}</td>'
            f'<td data-sort="{RELATIONS.index(a.relation)}"><span class="badge badge--{a.relation}">'
            f'{RELATION_LABELS[a.relation]}</span></td><td data-sort="{len(a.sources)}">{len(a.sources)}</td>'
            f"<td>{status}</td></tr>"
        )
    headers = "".join(f'<th scope="col">{h}</th>' for h in ("Note", "¶", "Claim", "Relation", "Sources", "Verified"))
    return (
        f'<fieldset class="claims-filters"><legend>Show</legend>{"".join(filters)}'
        f"<table data-sortable>"
        f"<caption>Annotated assertions of {e(item.article.title)}</caption>"
        f"<thead><tr>{headers}</tr></thead><tbody>{''.join(rows)}</tbody></table></fieldset>"
    )


def claims_html(articles: list[AnnotatedArticle], url: Link) -> str:
    """The generated part of the Claims page, one section per article."""
    e = htmlmod.escape
    parts = []
    for item in articles:
        counts = Counter(n.annotation.relation for n in item.notes)
        totals = "".join(
            f'<li><span class="badge badge--{r}">{RELATION_LABELS[r]}</span> {counts[r]}</li>' for r in RELATIONS
        )
        parts.append(
            f'<section class="claims" id="claims-{e(item.article.slug)}"><h2>{e(item.article.title)}</h2>'
            f"<p>{len(item.notes)} annotated assertions in {len({n.paragraph for n in item.notes})} of "
            f'{len(item.article.paragraphs)} paragraphs.</p><ul class="claims-totals">{totals}</ul>'
            f'<figure class="claims-figure">{overview_svg(item, url)}<figcaption>Each row is a paragraph; each '
            f"mark is a note, lettered by relation. Select a mark to read the note.</figcaption></figure>"
            f"{claims_table(item, url)}</section>"
        )
    return "\n".join(parts)
