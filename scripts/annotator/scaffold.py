"""The file `annotator new` writes, and its example values, which `validate` refuses to publish."""

from __future__ import annotations

import textwrap

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
paragraph: "{opening}"
# Paragraph {number}, to copy quotes from:
{comment}
---

---
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


def scaffold(opening: str, number: int, paragraph: str) -> str:
    """The text of a new annotation file for one paragraph, with its text as a comment."""
    comment = "\n".join("#   " + line for line in textwrap.wrap(paragraph, 90))
    return TEMPLATE.format(opening=opening, number=number, comment=comment, **EXAMPLE)


def placeholders(values: dict) -> list[str]:
    """The fields of a block (or a source) that still hold the scaffold's example value."""
    return [key for key, value in values.items() if key in EXAMPLE and value == EXAMPLE[key]]
