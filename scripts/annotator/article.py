"""Read article pages: their front matter (untrusted, checked) and the text of each block.

`find_articles(docs_dir, problems)` returns every page whose front matter has `annotations:`.
Every page's front matter is read with the same bounded YAML as annotation files (a page is
refused before a site generator could expand an alias bomb in it); an article's front matter
must also match the schema's `article` definition: known keys, plain one-line text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from pathlib import Path

import markdown
from markdown.treeprocessors import Treeprocessor

from .blocks import block_text, blocks_of
from .cache import CACHE
from .errors import AnnotationError, ProblemCollector
from .inputs import check_regular, read_text
from .load import check_against_schema
from .model import Article, ArticleMeta
from .safepage import SafePage
from .scaffold import article_placeholders
from .yamlblock import parse_block

FRONT_MATTER = "---"
MAX_PAGE_BYTES = 1024 * 1024


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter YAML or None, body) of a Markdown page."""
    lines = text.split("\n")
    if lines and lines[0].rstrip() == FRONT_MATTER:
        for i, line in enumerate(lines[1:], start=1):
            if line.rstrip() in (FRONT_MATTER, "..."):
                return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return None, text


def page_key(body: str) -> str:
    """Identifies a page's Markdown body as any generator hands it to Python-Markdown: line
    endings, tabs, trailing spaces and surrounding blank lines do not count."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n")]
    normalized = "\n".join(lines).strip("\n").lstrip("\ufeff")
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:24]


class _CollectBlocks(Treeprocessor):
    """Records the text of each block, as the reader will see it."""

    found: list[str] = []

    def run(self, root):
        self.found = [block_text(b) for b in blocks_of(root)]


@cache
def _converter() -> tuple[markdown.Markdown, _CollectBlocks]:
    md = markdown.Markdown(extensions=[SafePage()])
    collect = _CollectBlocks(md)
    md.treeprocessors.register(collect, "collect_blocks", -5)  # after unescaping (0): final text
    return md, collect


def block_texts(body: str) -> tuple[str, ...]:
    """The text of each annotatable block of a Markdown body, in order."""
    md, collect = _converter()
    md.reset().convert(body)
    return tuple(collect.found)


# Python-Markdown's cost grows faster than the page with some constructs: 10,000 '[' take 48 s,
# 100,000 entities 15 s, and 500 nested list levels overflow its recursion. A page is refused
# past these bounds before any converter reads it (a real article uses a few of each).
PAGE_LIMITS = (("[", 2000, "'[' characters"), ("&", 5000, "'&' characters"))
MAX_NESTING = 12  # block quotes or list levels on one line


def check_limits(path: Path, body: str, first_line: int, problems: ProblemCollector) -> bool:
    """Is the page within what Markdown converts in bounded time? Records a problem if not."""
    before = len(problems)
    for char, limit, what in PAGE_LIMITS:
        if body.count(char) > limit:
            problems.add(path, first_line, 1, f"page has {body.count(char):,} {what}", f"a page may have {limit:,}")
    for number, line in enumerate(body.split("\n")):
        stripped = line.lstrip(" >")
        depth = line[: len(line) - len(stripped)].count(">") + (len(line) - len(line.lstrip(" "))) // 4
        if depth > MAX_NESTING:
            problems.add(path, first_line + number, 1, f"line nests {depth} levels deep", f"keep to {MAX_NESTING}")
            break
    return len(problems) == before


def read_page(path: Path, problems: ProblemCollector) -> tuple[dict | None, int, str] | None:
    """(front matter or None, its line count, body) of one page, or None with problems."""
    if not check_regular(path, problems):
        return None
    text = read_text(path, problems, limit=MAX_PAGE_BYTES)
    if text is None:
        return None
    source, body = split_front_matter(text)
    if not check_limits(path, body, (source.count("\n") + 4) if source is not None else 1, problems):
        return None
    if source is None:
        return None, 0, body
    block = parse_block(path, source, 2, problems, "front matter")
    if block is None:
        return None
    return block, source.count("\n") + 2, body


def load_article(path: Path, block, body: str, problems: ProblemCollector) -> Article | None:
    """An article from its parsed front matter and body, if the front matter is valid."""
    before = len(problems)
    value = block.value
    for key in article_placeholders(value if isinstance(value, dict) else {}, body):  # new-article's examples
        if key == "body":
            problems.add(path, 1, 1, "the page still holds the example text", "paste the article's text in its place")
        else:
            line, column = block.position((key,))
            problems.add(path, line, column, f"{key} still holds the example value", f"replace it, or delete {key}")
    check_against_schema(path, block, "article", problems)
    if len(problems) > before:
        return None
    meta = ArticleMeta(
        title=value["title"],
        slug=value["annotations"],
        subtitle=value.get("subtitle"),
        description=value.get("description"),
        author=value.get("author"),
        outlet=value.get("outlet"),
        date=value.get("date"),
        original_url=value.get("original_url"),
        front=tuple(sorted((str(k), json.dumps(v, ensure_ascii=False, sort_keys=True)) for k, v in value.items())),
    )
    return Article(path=path, meta=meta, paragraphs=block_texts(body), body_markdown=body, key=page_key(body))


def markdown_files(root: Path) -> list[Path]:
    """Every .md file under root, sorted, without following linked folders."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        found.extend(Path(folder) / name for name in files if name.endswith(".md"))
    return sorted(found)


@CACHE.by_file
def page_article(path: Path) -> Article | None:
    """The article a page is, None if it has no `annotations:`; raises AnnotationError."""
    problems = ProblemCollector()
    page = read_page(path, problems)
    article = None
    if page is not None and page[0] is not None and "annotations" in page[0].value:
        article = load_article(path, page[0], page[2], problems)
    elif page is not None and page[0] is not None:  # any other page: its front matter is input too
        check_against_schema(path, page[0], "page", problems)
    problems.raise_if_any()
    return article


def find_articles(docs_dir: Path, problems: ProblemCollector) -> list[Article]:
    """Every page under docs_dir whose front matter has `annotations:`, sorted by path."""
    articles = []
    for path in markdown_files(docs_dir):
        try:
            article = page_article(path)
        except AnnotationError as error:
            problems.extend(error)
            continue
        if article is not None:
            articles.append(article)
    return articles


VIEWS = ("claims", "sources")  # sections from which postbuild derives a page per article
_VIEW_MARKER = re.compile(r"^\[annotator: (claims|sources)\][ \t]*$", re.MULTILINE)


@CACHE.by_file
def _page_views(path: Path) -> frozenset[str]:
    text = read_text(path, ProblemCollector(), limit=MAX_PAGE_BYTES)  # a bad file is reported elsewhere
    return frozenset(_VIEW_MARKER.findall(text or ""))


def site_views(docs_dir: Path) -> frozenset[str]:
    """Which of VIEWS the site has a page for (so that per-article pages of it will exist)."""
    return frozenset().union(*(_page_views(p) for p in markdown_files(docs_dir))) if docs_dir.is_dir() else frozenset()


def read_article(path: Path) -> Article:
    """One article page on its own (tests, tools); raise AnnotationError if it is not one."""
    problems = ProblemCollector()
    page = read_page(path, problems)
    if page is not None and (page[0] is None or "annotations" not in page[0].value):
        problems.add(path, 1, 1, "this page has no annotations: in its front matter", "add annotations: <folder>")
    article = load_article(path, page[0], page[2], problems) if not problems.problems else None
    problems.raise_if_any()
    if article is None:
        raise AnnotationError(problems.problems)
    return article
