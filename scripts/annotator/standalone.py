"""The article header shown above an annotated article, and the single-file HTML edition.

`standalone_html(item)` returns one self-contained page (styles inlined, no script, no
external request) that reads like the site's article page, on screen, on a phone and in print.
"""

from __future__ import annotations

import html as htmlmod
from collections import Counter
from pathlib import Path

from .model import RELATION_LABELS, RELATIONS
from .pipeline import AnnotatedArticle
from .render import render_article

ASSETS = Path(__file__).with_name("assets")
# Only inline styles; no script or remote resource can run or load in the file.
STANDALONE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STANDALONE_CSS = """
:root { color-scheme: light dark; }
body { margin: 0; font: 17px/1.6 Georgia, "Times New Roman", serif;
       color: light-dark(#1b1b1b, #e3e3e3); background: light-dark(#fff, #16171d); }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 .5rem; }
a { color: light-dark(#0b57d0, #8ab4f8); }
@media (min-width: 60em) { h1, .article-meta { width: 62%; } }
"""


def download_path(article) -> str:
    """Where the single-file edition goes inside the built site."""
    return f"downloads/{article.slug}.html"


def article_header(item: AnnotatedArticle, download_href: str | None = None, data_href: str | None = None) -> str:
    """Subtitle, what is known of the publication, and a one-line summary of the notes."""
    e = htmlmod.escape
    meta = item.article.meta
    parts = [f"<h1>{e(item.article.title)}</h1>"]
    if meta.get("subtitle"):
        parts.append(f'<p class="article-subtitle">{e(str(meta["subtitle"]))}</p>')
    known = [
        (label, meta[key])
        for key, label in (
            ("author", "Author"),
            ("outlet", "Published by"),
            ("date", "Date"),
            ("original_url", "Original"),
        )
        if meta.get(key)
    ]
    if known:
        parts.append(
            '<p class="article-provenance">' + " · ".join(f"{label}: {e(str(v))}" for label, v in known) + "</p>"
        )
    else:
        parts.append(
            '<p class="article-provenance">Author, outlet and date of first publication are not stated '
            "in the text we have, so they are left unknown.</p>"
        )
    counts = Counter(n.annotation.relation for n in item.notes)
    summary = ", ".join(
        f'<span class="badge badge--{r}">{RELATION_LABELS[r]}</span>&nbsp;{counts[r]}' for r in RELATIONS if counts[r]
    )
    line = f"{len(item.notes)} notes: {summary}." if item.notes else "No notes yet."
    if download_href:
        line += f' <a href="{e(download_href)}" download>Download this annotated article as one HTML file</a>.'
    if data_href:
        line += f' <a href="{e(data_href)}" type="application/ld+json">The notes as data (W3C Web Annotations)</a>.'
    parts.append(f'<p class="article-summary">{line}</p>')
    return f'<div class="article-meta">{"".join(parts)}</div>'


def standalone_html(item: AnnotatedArticle, body: str | None = None) -> str:
    """A complete, self-contained HTML document of the annotated article; `body` is the
    already annotated article body when the caller has it."""
    e = htmlmod.escape
    css = STANDALONE_CSS + (ASSETS / "sidenotes.css").read_text(encoding="utf-8")
    body = body if body is not None else render_article(item.article, list(item.notes))
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{STANDALONE_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(item.article.title)}</title>\n<style>{css}</style>\n</head>\n"
        f'<body class="sn-standalone">\n<main>\n<article>\n'
        f'{article_header(item)}\n<div class="annotated-article">{body}</div>\n'
        "</article>\n</main>\n</body>\n</html>\n"
    )
