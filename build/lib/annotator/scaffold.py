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
