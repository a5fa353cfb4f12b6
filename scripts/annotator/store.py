"""What the build knows about the publication, asked for page after page.

A site generator converts page after page, each with a new Markdown instance, and `serve` does
it again after every edit. `Store(docs, annotations)` answers the extension's questions from the
one cache (`cache.CACHE`) at a cost that does not grow with the publication:

- which article a page is: the scan of the docs folder is reused while no folder changed (an
  added or removed page changes its folder), no non-article page changed and the page's own
  file is the one scanned; a page text the scan does not know triggers a new scan;
- an article's annotated result: re-computed only when its page, its annotation folder, the
  policy or the verification record changed. A failed article keeps its last good result, so
  a preview can show it with an error banner instead of nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .article import markdown_files, page_article, page_key, read_page, site_views
from .cache import CACHE, fingerprint, fingerprints, folder_fingerprint
from .errors import AnnotationError, ProblemCollector
from .model import AnnotatedArticle, Article
from .paths import POLICY_NAME, RECORD_NAME
from .pipeline import Publication, annotated, load_policy_in, prepare
from .record import read_record


@dataclass
class Result:
    """An article's latest state: annotated, or the problems that stop it (and the last good one)."""

    annotated: AnnotatedArticle | None
    error: AnnotationError | None
    last_good: AnnotatedArticle | None


@dataclass(frozen=True)
class _Scan:
    """The docs folder as last read: every page's text key with the article it is (or None),
    and what says the scan still holds."""

    token: object  # the cache state it was stored under
    pages: dict[str, tuple[Article | None, Path, tuple]]  # page key -> (article or None, file, its fingerprint)
    views: frozenset[str]
    folders: tuple  # fingerprints of every folder under docs (adding or removing a page changes one)
    others: tuple  # paths of the pages that are not articles (their sections decide the views)
    others_state: tuple

    def knows(self, key: str) -> bool:
        found = self.pages.get(key)
        return found is not None and fingerprint(found[1]) == found[2]

    def views_hold(self, docs: Path) -> bool:
        return _folders(docs) == self.folders and fingerprints(self.others) == self.others_state


def _folders(docs: Path) -> tuple:
    if not docs.is_dir():
        return (fingerprint(docs),)
    return fingerprints(sorted(Path(folder) for folder, _, _ in os.walk(docs, followlinks=False)))


def _scan(docs: Path, token: object) -> _Scan:
    pages: dict[str, tuple[Article | None, Path, tuple]] = {}
    others = []
    for path in markdown_files(docs) if docs.is_dir() else []:
        try:
            article = page_article(path)
        except AnnotationError:  # reported by check_site and prepare; the page is not an article here
            article = None
        if article is not None:
            pages[article.key] = (article, path, fingerprint(path))
            continue
        others.append(path)
        page = read_page(path, ProblemCollector())
        if page is not None:
            pages.setdefault(page_key(page[2]), (None, path, fingerprint(path)))
    return _Scan(token, pages, site_views(docs), _folders(docs), tuple(others), fingerprints(others))


class Store:
    def __init__(self, docs: str | Path, annotations: str | Path):
        self.docs, self.annotations = Path(docs).resolve(), Path(annotations).resolve()

    def _scan(self, holds) -> _Scan:
        """The docs scan, read again unless holds(previous scan) says it still describes the docs."""
        key = ("docs", self.docs)
        previous = CACHE.previous(key)
        token = previous.token if previous is not None and holds(previous) else object()
        return CACHE.get(key, token, lambda: _scan(self.docs, token))

    def article_for(self, key: str) -> Article | None:
        """The article page whose Markdown body has this key, if any."""
        found = self._scan(lambda scan: scan.knows(key)).pages.get(key)
        return found[0] if found else None

    def views(self) -> frozenset[str]:
        """The per-article pages (claims, sources) this site will have, for the article header."""
        return self._scan(lambda scan: scan.views_hold(self.docs)).views

    def result(self, article: Article) -> Result:
        """The article annotated with its current files, its problems, and its last good state."""
        policy, record = self.annotations / POLICY_NAME, self.annotations / RECORD_NAME
        state = (
            fingerprint(article.path),
            article.key,
            folder_fingerprint(self.annotations / article.slug),
            fingerprint(policy),
            fingerprint(record),
        )
        key = ("result", self.annotations, article.slug)
        previous = CACHE.previous(key)

        def compute() -> Result:
            problems = ProblemCollector()
            load_policy_in(self.annotations, problems)
            if self.annotations.is_dir():
                read_record(self.annotations, problems)
            item, own = annotated(article, self.annotations)
            problems.problems.extend(own)
            last_good = item or (previous.annotated or previous.last_good if previous else None)
            error = AnnotationError(problems.problems) if problems.problems else None
            return Result(item if error is None else None, error, last_good)

        return CACHE.get(key, state, compute)

    def publication(self) -> Publication | AnnotationError:
        """Every article annotated, or every problem (for the pages that list all articles)."""
        try:
            return prepare(self.docs, self.annotations)
        except AnnotationError as error:
            return error
