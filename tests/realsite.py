"""The real site's content, whatever its number of articles: where it is, and what the package
loads from it. Checks of the real content read everything from here, so they hold for one article
or many, and run against a copy of the site too (ANNOTATOR_TEST_SITE, see test_two_articles.py).

Nothing here runs at import: `RealSite.load` is called by the session fixture `real` (conftest.py),
so a broken annotation fails the tests that need it instead of the collection."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from annotator.model import AnchoredNote, AnnotatedArticle, Annotation, Publication

ROOT = Path(__file__).resolve().parent.parent
SITE_ENV = "ANNOTATOR_TEST_SITE"  # the real-content checks' site (a copy with mkdocs.yml, docs/, annotations/)


def site_root() -> Path:
    """The site the real-content checks read: $ANNOTATOR_TEST_SITE, or this repository."""
    return Path(os.environ.get(SITE_ENV) or ROOT).resolve()


@dataclass(frozen=True)
class RealSite:
    root: Path
    publication: Publication

    @classmethod
    def load(cls, root: Path) -> RealSite:
        from annotator.pipeline import prepare

        return cls(root, prepare(root / "docs", root / "annotations"))

    @property
    def articles(self) -> tuple[AnnotatedArticle, ...]:
        return self.publication.articles

    @cached_property
    def first(self) -> AnnotatedArticle:
        """The article the browser tests read in depth: the one whose notes have the most kinds of
        verdict (the reader's filter offers one choice per kind), then the most notes, then the
        first by path. Other checks cover every article."""
        assert self.articles, f"no article page under {self.root / 'docs'}"
        return max(
            self.articles,
            key=lambda i: (len({n.annotation.relation for n in i.notes}), len(i.notes), -self.articles.index(i)),
        )

    @cached_property
    def notes(self) -> list[AnchoredNote]:
        return [n for item in self.articles for n in item.notes]

    @cached_property
    def annotations(self) -> list[Annotation]:
        return [n.annotation for n in self.notes]

    def page(self, item: AnnotatedArticle) -> str:
        """The built page of an article, relative to the site (use_directory_urls: false)."""
        return item.article.path.resolve().relative_to(self.publication.docs).with_suffix(".html").as_posix()

    @staticmethod
    def claims_page(item: AnnotatedArticle) -> str:
        return f"claims-{item.article.slug}.html"

    @staticmethod
    def sources_page(item: AnnotatedArticle) -> str:
        return f"sources-{item.article.slug}.html"

    @staticmethod
    def corrections_page(item: AnnotatedArticle) -> str:
        return f"corrections-{item.article.slug}.html"

    @staticmethod
    def data(item: AnnotatedArticle) -> str:
        return f"data/{item.article.slug}.annotations.jsonld"

    @staticmethod
    def edition(item: AnnotatedArticle) -> str:
        return f"downloads/{item.article.slug}.html"

    def pages(self) -> dict[str, str]:
        """The site's kinds of page (home, an article, ...) -> a built page of that kind."""
        first = self.first
        return {
            "home": "index.html",
            "article": self.page(first),
            "claims": "claims.html",
            "article-claims": self.claims_page(first),
            "sources": "sources.html",
            "corrections": self.corrections_page(first),
            "search": "search.html",
        }
