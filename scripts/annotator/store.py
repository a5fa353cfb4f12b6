"""What the build knows about the publication, re-read only when a file changed.

A site generator converts page after page, each with a new Markdown instance, and `serve` does
it again after every edit. `Store.for_dirs(docs, annotations)` keeps, per pair of folders, the
articles found (re-scanned when a page under docs changes) and each article's annotated result
(re-loaded when its page, its folder or the policy changes). A failed article keeps its last
good result, so a preview can show it with an error banner instead of nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .article import find_articles, markdown_files, site_views
from .errors import AnnotationError, ProblemCollector
from .model import Article
from .paths import POLICY_NAME, RECORD_NAME
from .pipeline import AnnotatedArticle, Publication, annotate_article, load_policy_in, prepare
from .record import read_record


def _stat(path: Path) -> tuple:
    try:
        info = os.lstat(path)
    except OSError:
        return (str(path), None)
    return (str(path), info.st_mtime_ns, info.st_size, info.st_mode)


def _folder_state(folder: Path) -> tuple:
    if not folder.is_dir():
        return (_stat(folder),)
    return (_stat(folder), *(_stat(p) for p in sorted(folder.iterdir())))


@dataclass
class Result:
    """An article's latest state: annotated, or the problems that stop it (and the last good one)."""

    annotated: AnnotatedArticle | None
    error: AnnotationError | None
    last_good: AnnotatedArticle | None


class Store:
    _stores: dict[tuple[Path, Path], Store] = {}

    def __init__(self, docs: Path, annotations: Path):
        self.docs, self.annotations = docs, annotations
        self._docs_state: tuple | None = None
        self._articles: dict[str, Article] = {}  # page key -> article
        self._views: frozenset[str] = frozenset()
        self._docs_error: AnnotationError | None = None
        self._results: dict[str, tuple[tuple, Result]] = {}  # slug -> (state, result)

    @classmethod
    def for_dirs(cls, docs: str | Path, annotations: str | Path) -> Store:
        key = (Path(docs).resolve(), Path(annotations).resolve())
        if key not in cls._stores:
            cls._stores[key] = cls(*key)
        return cls._stores[key]

    def _refresh_docs(self) -> None:
        state = tuple(_stat(p) for p in markdown_files(self.docs)) if self.docs.is_dir() else ()
        if state == self._docs_state:
            return
        problems = ProblemCollector()
        articles = find_articles(self.docs, problems)
        self._articles = {a.key: a for a in articles}
        self._views = site_views(self.docs)
        self._docs_error = AnnotationError(problems.problems) if problems.problems else None
        self._docs_state = state

    def article_for(self, key: str) -> Article | None:
        """The article page whose Markdown body has this key, if any."""
        self._refresh_docs()
        return self._articles.get(key)

    def views(self) -> frozenset[str]:
        """The per-article pages (claims, sources) this site will have, for the article header."""
        self._refresh_docs()
        return self._views

    def docs_error(self) -> AnnotationError | None:
        self._refresh_docs()
        return self._docs_error

    def result(self, article: Article) -> Result:
        """The article annotated with its current files (cached until one of them changes)."""
        policy_path, record_path = self.annotations / POLICY_NAME, self.annotations / RECORD_NAME
        folder = _folder_state(self.annotations / article.slug)
        state = (_stat(article.path), article.key, _stat(policy_path), _stat(record_path), folder)
        cached = self._results.get(article.slug)
        if cached and cached[0] == state:
            return cached[1]
        problems = ProblemCollector()
        annotated = self._from_publication(article)
        if annotated is None:  # some article has problems: annotate this one on its own
            policy = load_policy_in(self.annotations, problems)
            record = read_record(self.annotations, problems)
            annotated = annotate_article(article, self.annotations, policy, problems, record)
        last_good = annotated or (cached[1].annotated or cached[1].last_good if cached else None)
        error = AnnotationError(problems.problems) if problems.problems else None
        result = Result(annotated if error is None else None, error, last_good)
        self._results[article.slug] = (state, result)
        return result

    def _from_publication(self, article: Article) -> AnnotatedArticle | None:
        """The article as the whole publication annotated it (prepare's cache spares a second pass)."""
        publication = self.publication()
        found = publication.article(article.slug) if isinstance(publication, Publication) else None
        return found if found is not None and found.article.key == article.key else None

    def publication(self) -> Publication | AnnotationError:
        """Every article annotated, or every problem (for the pages that list all articles)."""
        try:
            return prepare(self.docs, self.annotations)
        except AnnotationError as error:
            return error
