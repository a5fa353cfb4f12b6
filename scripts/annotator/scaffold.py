"""The file `annotator new` writes, and its example values, which `validate` refuses to publish."""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata

EXAMPLE = {
    "quote": "copy the exact words of the assertion here",
    "title": "The original's own title",
    "url": "https://example.org/the-original-page",
    "outlet": "Who originally published it",
    "excerpt": "A short passage copied word for word from the page you read.",
    "date": "YYYY-MM-DD",
    "verified": "YYYY-MM-DD",
    "note": "One to three neutral sentences saying what the sources say.",
}

TEMPLATE = """---
paragraph: {opening}
# Paragraph {number}, to copy quotes from:
{comment}
---

---
id: {id}
quote: "{quote}"
relation: supports
sources:
  - title: "{title}"
    outlet: {outlet}
    date: {date}
    url: {url}
    excerpt: "{excerpt}"
    verified: {verified}
    relation: supports
---
{note}
"""


_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "in",
    "is",
    "it",
    "of",
    "on",
    "that",
    "the",
    "to",
}


def slugify(text: str, words: int = 5) -> str:
    """Lower-case ASCII words joined by hyphens: a file name or an id from some text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())[:words]) or "paragraph"


def suggest_id(text: str, taken: set[str] = frozenset()) -> str:
    """A note id from its claim or quote (its first meaningful words), not one of `taken`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    words = [w for w in words if w not in _SMALL_WORDS] or words or ["note"]
    base = "-".join(words[:5])[:40].rstrip("-")
    base = base if base[:1].isalpha() else f"note-{base}"
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    return found


def scaffold(opening: str, number: int, paragraph: str, note_id: str) -> str:
    """The text of a new annotation file for one paragraph, with its text as a comment."""
    comment = "\n".join("#   " + line for line in textwrap.wrap(paragraph, 90))
    header = json.dumps(opening, ensure_ascii=False)  # a quotation mark in it stays as it is, escaped
    return TEMPLATE.format(opening=header, number=number, comment=comment, id=note_id, **EXAMPLE)


def placeholders(values: dict) -> list[str]:
    """The fields of a block (or a source) that still hold the scaffold's example value."""
    return [key for key, value in values.items() if key in EXAMPLE and value == EXAMPLE[key]]


# ---- A new article page (`annotator new-article SLUG`) ---------------------------------------------

# The article page's example values: the schema refuses the date, `validate` the others, until replaced.
ARTICLE_EXAMPLE = {
    "title": "The article's headline, as published",
    "subtitle": "Its subtitle or standfirst, as published",
    "description": "One sentence saying what the article argues",
    "author": "Who wrote it",
    "outlet": "Where it was first published",
    "date": "YYYY-MM-DD",
    "original_url": "https://example.org/the-original-article",
}
ARTICLE_BODY = "Paste the article's text here, exactly as published, typos included."
ARTICLE_HIDE = ("navigation", "toc")  # as the site's articles: the text and its margin, nothing beside


def article_scaffold(slug: str, properties: dict, title: str | None = None) -> str:
    """The text of a new article page: every field of the schema's `article` front matter
    (`properties`, in the schema's order), each with its description as a comment. Values are
    written as JSON strings, which YAML reads as they are."""
    lines = [
        "---",
        f"# A new article page ({slug}). Replace every example value, delete the optional fields",
        "# you do not know, paste the article's text after the closing ---, then run validate.",
    ]
    for key, field in properties.items():
        required = "required" if key in ("title", "annotations") else "optional"
        lines.append(f"# {key} ({required}): {field.get('description', '')}")
        if key == "annotations":
            lines.append(f"annotations: {json.dumps(slug)}")
        elif key == "title" and title is not None:
            lines.append(f"title: {json.dumps(title, ensure_ascii=False)}")
        elif key == "hide":
            lines += ["hide:", *(f"  - {json.dumps(part)}" for part in ARTICLE_HIDE)]
        else:
            lines.append(f"{key}: {json.dumps(ARTICLE_EXAMPLE.get(key, ''), ensure_ascii=False)}")
    return "\n".join([*lines, "---", "", ARTICLE_BODY, ""])


def article_placeholders(values: dict, body: str) -> list[str]:
    """The fields of an article page (and `body`) that still hold new-article's example values."""
    found = [
        key
        for key, value in values.items()
        if key in ARTICLE_EXAMPLE and key != "date" and value == ARTICLE_EXAMPLE[key]  # the schema refuses the date
    ]
    return found + (["body"] if ARTICLE_BODY in body else [])
