"""What the build says about coverage, and what needs an editor's eye."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from .errors import counted
from .pipeline import AnnotatedArticle
from .schema import RELATIONS
from .uncovered import uncovered

STALE_AFTER_DAYS = 365


def coverage_line(item: AnnotatedArticle) -> str:
    """'slug: 20/24 paragraphs annotated; 60 annotations (...); 90/95 sources verified'."""
    counts = Counter(n.annotation.relation for n in item.notes)
    sources = {s.link: s for n in item.notes for s in n.annotation.sources}
    covered = len({n.paragraph for n in item.notes})
    by_relation = ", ".join(f"{counts[r.name]} {r.name}" for r in RELATIONS if counts[r.name]) or "none"
    verified = sum(s.verified for s in sources.values())
    return (
        f"{item.article.slug}: {covered}/{len(item.article.paragraphs)} paragraphs annotated; "
        f"{counted(len(item.notes), 'annotation')} ({by_relation}); {verified}/{len(sources)} sources verified"
    )


def needs_attention(item: AnnotatedArticle, today: dt.date | None = None) -> list[str]:
    """Paragraphs without notes, unsourced assertions, unverified and stale sources."""
    today = today or dt.date.today()
    lines = []
    covered = {n.paragraph for n in item.notes}
    missing = [n for n in range(1, len(item.article.paragraphs) + 1) if n not in covered]
    if missing:
        lines.append(f"paragraphs without annotations: {', '.join(map(str, missing))}")
    for sentence in uncovered(item):
        lines.append(f"no note covers ¶{sentence.paragraph}: {sentence.text[:100]}")
    for n in item.notes:
        a = n.annotation
        where = f"{a.path}:{a.line}"
        if a.relation_row.no_sources:  # nothing could be found (x-no-sources: unsourced)
            lines.append(f"{where}: note {n.number} is {a.relation_row.label.lower()}")
        for s in a.sources:
            if not s.verified:
                lines.append(f"{where}: note {n.number} source not verified: {s.link}")
            elif (today - dt.date.fromisoformat(s.verified_on)).days > STALE_AFTER_DAYS:
                lines.append(f"{where}: note {n.number} source last checked {s.verified_on}: {s.link}")
    return lines
