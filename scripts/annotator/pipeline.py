"""The whole merge in order: find articles -> load annotation files -> anchor them.

`prepare(docs_dir, annotations_dir)` returns one AnnotatedArticle per article page, or raises
AnnotationError listing every problem in every file, so nothing under annotations/ is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .anchor import anchor_article
from .article import find_articles
from .errors import AnnotationError, ProblemCollector
from .load import load_file
from .model import AnchoredNote, AnnotationFile, Article
from .reliability import POLICY_NAME, Policy, check_sources, load_policy


@dataclass(frozen=True)
class AnnotatedArticle:
    article: Article
    files: tuple[AnnotationFile, ...]
    notes: tuple[AnchoredNote, ...]


def annotation_files(folder: Path, problems: ProblemCollector) -> list[Path]:
    """The .md files of one article's folder; anything else there is reported."""
    paths = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix == ".md":
            paths.append(path)
        else:
            problems.add(
                path,
                1,
                1,
                "not an annotation file (annotation files are .md files)",
                "rename it to end in .md, or move it out of annotations/",
            )
    return paths


def load_folder(folder: Path, problems: ProblemCollector) -> list[AnnotationFile]:
    """Load every annotation file of one folder, collecting all problems."""
    files = []
    for path in annotation_files(folder, problems):
        try:
            files.append(load_file(path))
        except AnnotationError as error:
            problems.extend(error)
    return files


def _policy(annotations_dir: Path, problems: ProblemCollector) -> Policy | None:
    """The reliability policy beside the article folders; None (with a problem) if unusable."""
    path = annotations_dir / POLICY_NAME
    if not path.is_file():
        problems.add(path, 1, 1, "the reliability policy is missing", "create it; see CONTRIBUTING.md")
        return None
    try:
        return load_policy(path)
    except AnnotationError as error:
        problems.extend(error)
        return None


def prepare(docs_dir: Path, annotations_dir: Path) -> list[AnnotatedArticle]:
    """Load and anchor the annotations of every article page under docs_dir."""
    problems = ProblemCollector()
    articles = find_articles(docs_dir)
    slugs = {a.slug for a in articles}
    policy = _policy(annotations_dir, problems)
    if annotations_dir.is_dir():
        for entry in sorted(annotations_dir.iterdir()):
            if entry.name == POLICY_NAME:
                continue
            if entry.is_file() or entry.name not in slugs:
                problems.add(
                    entry,
                    1,
                    1,
                    f"no article page has 'annotations: {entry.name}'",
                    "put annotation files in annotations/<article>/, where <article> is the "
                    "value of 'annotations:' in the article page's front matter",
                )
    result = []
    for article in articles:
        folder = annotations_dir / article.slug
        files = load_folder(folder, problems) if folder.is_dir() else []
        if policy is not None:
            for file in files:
                for annotation in file.annotations:
                    check_sources(policy, annotation, problems)
        try:
            notes = anchor_article(article, files)
        except AnnotationError as error:
            problems.extend(error)
            continue
        result.append(AnnotatedArticle(article, tuple(files), tuple(notes)))
    problems.raise_if_any()
    return result
