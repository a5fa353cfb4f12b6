"""Search: the theme's own index (one entry per note, and nothing in it a theme could run), and
the search page's index (Pagefind's chunked index, and a whole-site file for reading from disk).

Material and Zensical render a result's title and text as HTML, so every entry (the
generator's own and ours) is cleaned with nh3: titles keep only inline code and emphasis, texts
a small set of formatting tags, and nothing executable or styled. Note entries are plain text,
escaped. MkDocs writes search/search_index.json (and, offline, search_index.js); Zensical
writes search.json (and search.js).
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nh3

from .inputs import write_text
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


# ---- The search page's index: Pagefind, and a whole-site file for reading from disk -------------

PAGEFIND_DIR = "pagefind"
OFFLINE_INDEX = "search/annotator-index.js"


@dataclass(frozen=True)
class Record:
    """One search result: a note, or a page's text."""

    link: str  # site-relative address, with the note's fragment
    title: str
    text: str


def note_records(item: AnnotatedArticle, page: str) -> list[Record]:
    records = []
    for n in item.notes:
        a = n.annotation
        sources = " ".join(f"{s.outlet}. {s.title}. {s.excerpt}" for s in a.sources)
        title = f"Note {n.number} ({a.relation_row.label}): {a.summary} — {item.article.title}"
        records.append(Record(f"{page}#{n.note_id}", title, f"{a.rendered.text} {sources}".strip()))
    return records


def article_record(item: AnnotatedArticle, page: str) -> Record:
    """An article's own text, from its source (not re-read from the built page)."""
    meta = item.article.meta
    text = " ".join(filter(None, (meta.subtitle, *item.article.paragraphs)))
    return Record(page, meta.title, " ".join(text.split()))


def page_record(site: Path, page: str) -> Record | None:
    """A content page's title and text (its notes, if any, are records of their own)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
    content = soup.select_one("article.md-content__inner") or soup.body
    if content is None:
        return None
    for hidden in content.select(".sidenote, .sn-num, .sn-toggle, script, style, .headerlink"):
        hidden.decompose()
    title = soup.title.get_text().strip() if soup.title else page
    return Record(page, title, " ".join(content.get_text(" ").split()))


def write_search_index(site: Path, records: list[Record]) -> None:
    """Pagefind's chunked index (one small HTML file per record, indexed by Pagefind's own
    command) and the whole-site file that search.js reads from disk."""
    with tempfile.TemporaryDirectory() as folder:
        for i, r in enumerate(records):
            page = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body data-pagefind-body>'
                f'<h1 data-pagefind-meta="title">{html.escape(r.title)}</h1>'
                f'<span data-pagefind-meta="link:{html.escape(r.link, quote=True)}"></span>'
                f"<p>{html.escape(r.text)}</p></body></html>"
            )
            Path(folder, f"r{i:06d}.html").write_text(page, encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--site", folder, "--output-path", str(site / PAGEFIND_DIR)]
        subprocess.run([*command, "--silent"], check=True)
    for unused in (site / PAGEFIND_DIR).glob("pagefind-*ui*"):  # its ready-made interfaces: search.js is ours
        unused.unlink()
    data = json.dumps([{"link": r.link, "title": r.title, "text": r.text} for r in records], ensure_ascii=False)
    write_text(site, OFFLINE_INDEX, f"var __annotatorSearch = {data};\n")
