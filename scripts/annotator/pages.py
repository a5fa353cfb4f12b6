"""Generated pages (Sources, Claims) as Markdown, and search entries for every note.

Each function takes the AnnotatedArticles and a `link(article, fragment)` callable that
returns a Markdown link target to the article page, so this module knows nothing of MkDocs.
"""

from __future__ import annotations

import html as htmlmod
import re
from collections import defaultdict
from collections.abc import Callable

from .model import RELATION_LABELS, AnchoredNote, Article, Source
from .pipeline import AnnotatedArticle
from .sidenote import note_text

Link = Callable[[Article, str], str]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^])")


def md_escape(text: str) -> str:
    """Make untrusted text literal in Markdown: HTML-escape it, then backslash-escape syntax."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", htmlmod.escape(" ".join(text.split())))


def md_url(url: str) -> str:
    """A validated http(s) URL made safe as a Markdown link destination."""
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def claim_text(note: AnchoredNote, length: int = 110) -> str:
    text = note.annotation.claim or note.annotation.quote
    return text if len(text) <= length else text[: length - 1] + "…"


def unique_sources(articles: list[AnnotatedArticle]) -> dict[str, tuple[Source, list[tuple[Article, AnchoredNote]]]]:
    """Every source once, keyed by URL, with the notes that cite it in reading order."""
    found: dict[str, tuple[Source, list]] = {}
    for item in articles:
        for note in item.notes:
            for source in note.annotation.sources:
                found.setdefault(source.link, (source, []))[1].append((item.article, note))
    return found


def sources_markdown(articles: list[AnnotatedArticle], link: Link) -> str:
    """The Sources page body: sources grouped by outlet, each with its status and citing notes."""
    sources = unique_sources(articles)
    if not sources:
        return "No sources yet.\n"
    verified = sum(1 for s, _ in sources.values() if s.verified)
    by_outlet: dict[str, list] = defaultdict(list)
    for source, citing in sources.values():
        by_outlet[source.outlet].append((source, citing))
    lines = [
        f"{len(sources)} sources from {len(by_outlet)} outlets; {verified} verified against a stored copy, "
        f"{len(sources) - verified} unverified.",
        "",
    ]
    for outlet in sorted(by_outlet, key=str.casefold):
        lines += [f"## {md_escape(outlet)}", ""]
        for source, citing in sorted(by_outlet[outlet], key=lambda sc: (sc[0].date or "", sc[0].title)):
            date = f" ({md_escape(source.date)})" if source.date else ""
            author = f", {md_escape(source.author)}" if source.author else ""
            status = (
                f"excerpt checked {source.verified_on}"
                if source.verified
                else "**unverified**: not read in a stored copy"
            )
            cites = ", ".join(f'[note {n.number}]({link(a, n.id)} "{md_escape(claim_text(n, 80))}")' for a, n in citing)
            lines.append(
                f"- [{md_escape(source.title)}]({md_url(source.link)}){author}{date}: {status}. Cited by {cites}."
            )
            lines.append(f"    > {md_escape(source.excerpt)}")
            lines.append("")
    return "\n".join(lines) + "\n"


def search_entries(item: AnnotatedArticle, page_url: str) -> list[dict]:
    """One search-index entry per note: its text plus its sources' titles, outlets and excerpts."""
    entries = []
    for n in item.notes:
        a = n.annotation
        sources = " ".join(f"{s.outlet}. {s.title}. {s.excerpt}" for s in a.sources)
        entries.append(
            {
                "location": f"{page_url}#{n.note_id}",
                "title": f"Note {n.number} ({RELATION_LABELS[a.relation]}): {claim_text(n, 80)}",
                "text": htmlmod.escape(f"{note_text(a.note)} {sources}".strip()),
            }
        )
    return entries
