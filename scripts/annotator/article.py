"""Read an article page: its front matter and the plain text of each paragraph."""

from __future__ import annotations

from pathlib import Path

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor

from .model import Article
from .render import paragraphs_of, text_of

FRONT_MATTER = "---"


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return (front matter dict, body) of a Markdown page; {} when it has none."""
    lines = text.split("\n")
    if lines and lines[0].rstrip() == FRONT_MATTER:
        for i, line in enumerate(lines[1:], start=1):
            if line.rstrip() == FRONT_MATTER:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
                return (meta if isinstance(meta, dict) else {}), "\n".join(lines[i + 1 :])
    return {}, text


class _CollectParagraphs(Treeprocessor):
    """Records the text of each top-level paragraph, as the reader will see it."""

    found: list[str] = []

    def run(self, root):
        self.found = [text_of(p) for p in paragraphs_of(root)]


def paragraph_texts(body: str) -> list[str]:
    """The text of each paragraph of a Markdown body, in order."""
    md = markdown.Markdown()
    collect = _CollectParagraphs(md)
    md.treeprocessors.register(collect, "collect_paragraphs", -5)  # after unescaping (0): final text
    md.convert(body)
    return collect.found


def load_article(path: Path) -> Article:
    """Load an article page whose front matter names its annotations folder (`annotations:`)."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    meta, body = split_front_matter(text)
    return Article(
        slug=str(meta.get("annotations", path.stem)),
        path=path,
        title=str(meta.get("title", path.stem)),
        paragraphs=tuple(paragraph_texts(body)),
        body_markdown=body,
        meta=meta,
    )


def find_articles(docs_dir: Path) -> list[Article]:
    """Every page under docs_dir whose front matter has an `annotations:` key, sorted by path."""
    articles = []
    for path in sorted(docs_dir.rglob("*.md")):
        head = path.read_text(encoding="utf-8-sig")[:4096]
        if head.startswith(FRONT_MATTER) and "\nannotations:" in head:
            article = load_article(path)
            if "annotations" in article.meta:
                articles.append(article)
    return articles
