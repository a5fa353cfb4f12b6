"""Machine-readable copies of the notes: W3C Web Annotations and schema.org ClaimReview.

`web_annotations(item, page_url)` -> an AnnotationCollection (JSON-LD) whose targets are
TextQuoteSelectors other tools can anchor; `claim_reviews(item, page_url, publisher)` -> the
ClaimReview objects for notes that judge a claim (supports, qualifies, contradicts).
"""

from __future__ import annotations

from .history import ArticleHistory
from .pipeline import AnnotatedArticle

AFFIX = 32
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"  # the notes and data (LICENSE-NOTES.md)


def modified(history: ArticleHistory | None, note_id: str) -> str | None:
    """When the note last changed (its commit's time, UTC), only from a build with history and
    for a note committed as it is."""
    lineage = history.notes.get(note_id) if history is not None and history.available else None
    return lineage.changed.iso if lineage is not None else None


def web_annotations(item: AnnotatedArticle, page_url: str, history: ArticleHistory | None = None) -> dict:
    """The article's notes as a W3C AnnotationCollection (`modified`: when each last changed,
    where the build has the history)."""
    items = []
    for n in item.notes:
        a, text = n.annotation, item.article.paragraphs[n.paragraph - 1]
        bodies = [
            {"type": "TextualBody", "purpose": "commenting", "format": "text/plain", "value": a.rendered.text},
            {"type": "TextualBody", "purpose": "classifying", "value": a.relation},
        ] + [
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": s.link,
                **({"via": s.via} if s.via else {}),
                **({"reliability": s.standing.name} if s.standing else {}),
                "title": s.title,
                "creator": s.outlet,
                "value": s.excerpt,
                "relation": s.relation,
                **({"created": s.date} if s.date else {}),
                **({"verified": s.verified_on} if s.verified else {"verified": False}),
            }
            for s in a.sources
        ]
        items.append(
            {
                "id": f"{page_url}#{n.note_id}",
                "type": "Annotation",
                "motivation": "assessing",
                **({"modified": when} if (when := modified(history, n.id)) else {}),
                "body": bodies,
                "target": {
                    "source": page_url,
                    "selector": {
                        "type": "TextQuoteSelector",
                        "exact": text[n.start : n.end],
                        "prefix": text[max(0, n.start - AFFIX) : n.start],
                        "suffix": text[n.end : n.end + AFFIX],
                    },
                },
            }
        )
    return {
        "@context": ANNO_CONTEXT,
        "id": f"{page_url}#annotations",
        "type": "AnnotationCollection",
        "label": f"Notes on {item.article.title}",
        "rights": LICENSE,
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }


def claim_reviews(
    item: AnnotatedArticle, page_url: str, publisher: str, history: ArticleHistory | None = None
) -> list[dict]:
    """schema.org ClaimReview for each note whose relation judges the claim (`dateModified`:
    when it last changed, where the build has the history)."""
    reviews = []
    for n in item.notes:
        a, relation = n.annotation, n.annotation.relation_row
        if not relation.judges:
            continue
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": f"{page_url}#{n.note_id}",
                **({"dateModified": when} if (when := modified(history, n.id)) else {}),
                "claimReviewed": " ".join(a.quote.split()),
                "author": {"@type": "Organization", "name": publisher},
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": relation.rating,
                    "bestRating": 5,
                    "worstRating": 1,
                    "alternateName": relation.label,
                },
                "itemReviewed": {
                    "@type": "Claim",
                    "appearance": {"@type": "OpinionNewsArticle", "url": page_url, "headline": item.article.title},
                },
                "reviewBody": a.rendered.text,
                "license": LICENSE,
            }
        )
    return reviews
