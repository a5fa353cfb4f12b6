"""The site's search index: one entry per note, and nothing in it that a theme could run.

Material and Zensical render a result's title and text as HTML, so every entry (the
generator's own and ours) is cleaned with nh3: titles keep only inline code and emphasis, texts
a small set of formatting tags, and nothing executable or styled. Note entries are plain text,
escaped. MkDocs writes search/search_index.json (and, offline, search_index.js); Zensical
writes search.json (and search.js).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nh3

from .pipeline import AnnotatedArticle

TITLE_TAGS = {"code", "em", "strong"}
TEXT_TAGS = {
    "p",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
INDEXES = {  # generator -> (index file, its inlined copy for file://, list key)
    "mkdocs": ("search/search_index.json", "search/search_index.js", "docs"),
    "zensical": ("search.json", "search.js", "items"),
}


def note_entries(item: AnnotatedArticle, page: str, generator: str) -> list[dict]:
    """One entry per note: its claim as title; its text, sources' outlets, titles and excerpts."""
    entries = []
    for n in item.notes:
        a = n.annotation
        sources = " ".join(f"{s.outlet}. {s.title}. {s.excerpt}" for s in a.sources)
        entry = {
            "location": f"{page}#{n.note_id}",
            "title": html.escape(f"Note {n.number} ({a.relation_row.label}): {a.summary}"),
            "text": html.escape(f"{a.rendered.text} {sources}".strip()),
        }
        if generator == "zensical":
            entry.update(level=2, path=[item.article.title], tags=[])
        entries.append(entry)
    return entries


def clean_entry(entry: dict) -> dict:
    """A generator's own entry with title and text reduced to harmless formatting."""
    if isinstance(entry.get("title"), str):
        entry["title"] = nh3.clean(entry["title"], tags=TITLE_TAGS, attributes={})
    if isinstance(entry.get("text"), str):
        entry["text"] = nh3.clean(entry["text"], tags=TEXT_TAGS, attributes={})
    return entry


def add_notes(site: Path, article_pages: dict[str, AnnotatedArticle], generator: str) -> int:
    """Add note entries to the built index and clean every entry; returns the entries added."""
    index_name, inlined_name, key = INDEXES[generator]
    path = site / index_name
    if not path.is_file():
        return 0
    index = json.loads(path.read_text(encoding="utf-8"))
    entries = [clean_entry(e) for e in index.get(key, [])]
    added = [e for page, item in sorted(article_pages.items()) for e in note_entries(item, page, generator)]
    index[key] = entries + added
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    path.write_text(data, encoding="utf-8")
    if (site / inlined_name).is_file():
        (site / inlined_name).write_text(f"var __index = {data}", encoding="utf-8")
    return len(added)
