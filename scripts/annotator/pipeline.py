"""The whole merge in order: find articles -> load annotation files -> check sources -> anchor.

`prepare(docs_dir, annotations_dir)` returns the `Publication` (every article page with its
anchored notes, and the reliability policy), or raises AnnotationError listing every problem
in every file, so nothing under annotations/ is lost or published half-checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from .anchor import anchor_article
from .article import find_articles, markdown_files, site_views
from .cache import CACHE, file_content, fingerprint, fingerprints, folder_fingerprint
from .errors import AnnotationError, Problem, ProblemCollector
from .inputs import check_regular
from .load import load_folder
from .model import AnnotatedArticle, AnnotationFile, Article, MachineCheck, Publication
from .paths import POLICY_NAME, RECORD_NAME
from .record import excerpt_key, read_record
from .reliability import Policy, check_sources, check_unused, load_policy, outlets_cited


def load_policy_in(annotations_dir: Path, problems: ProblemCollector) -> Policy | None:
    """The reliability policy beside the article folders; None (with a problem) if unusable."""
    path = annotations_dir / POLICY_NAME
    if not path.exists():
        problems.add(path, 1, 1, "the reliability policy is missing", "create it; see CONTRIBUTING.md")
        return None
    try:
        return load_policy(path)
    except AnnotationError as error:
        problems.extend(error)
        return None


def annotate_article(
    article: Article,
    annotations_dir: Path,
    policy: Policy | None,
    problems: ProblemCollector,
    record: dict | None = None,
) -> AnnotatedArticle | None:
    """Load, check and anchor one article's annotation files; None if any problem."""
    before = len(problems)
    folder = annotations_dir / article.slug
    files = load_folder(folder, problems) if folder.exists() and check_regular(folder, problems, "folder") else []
    if policy is not None:
        for file in files:
            for annotation in file.annotations:
                check_sources(policy, annotation, problems)
        files = [with_standing(file, policy, record or {}) for file in files]
    try:
        notes = anchor_article(article, files)
    except AnnotationError as error:
        problems.extend(error)
        return None
    return AnnotatedArticle(article, tuple(files), tuple(notes)) if len(problems) == before else None


def with_standing(file: AnnotationFile, policy: Policy, record: dict) -> AnnotationFile:
    """The file with each source's class in the reliability policy, and its last machine check."""

    def machine(source):
        found = record.get(excerpt_key(source.read_at, source.excerpt))
        return MachineCheck(str(found.get("result")), str(found.get("checked_on"))) if found else None

    annotations = tuple(
        replace(a, sources=tuple(replace(s, standing=policy.class_of(s), machine=machine(s)) for s in a.sources))
        for a in file.annotations
    )
    return replace(file, annotations=annotations)


def _check_folders(annotations_dir: Path, articles: list[Article], problems: ProblemCollector) -> None:
    """Every entry of annotations/ is the policy or the folder of an article page."""
    slugs = {a.slug for a in articles}
    for entry in sorted(annotations_dir.iterdir()):
        if entry.name in (POLICY_NAME, RECORD_NAME):
            continue
        if entry.name not in slugs or entry.is_symlink() or not entry.is_dir():
            problems.add(
                entry,
                1,
                1,
                f"no article page has 'annotations: {entry.name}'",
                "put annotation files in annotations/<article>/, where <article> is the "
                "value of 'annotations:' in the article page's front matter",
            )


def _check_unique(articles: list[Article], problems: ProblemCollector) -> None:
    """Two pages cannot share a folder, nor a text (the build tells articles apart by text)."""
    for field, what in (("slug", "annotations: value"), ("key", "text")):
        seen: dict[str, Article] = {}
        for article in articles:
            other = seen.setdefault(getattr(article, field), article)
            if other is not article:
                problems.add(
                    article.path, 1, 1, f"this page has the same {what} as {other.path}", "each article needs its own"
                )


__all__ = [
    "AnnotatedArticle",
    "Publication",
    "annotate_article",
    "annotated",
    "load_policy_in",
    "prepare",
    "with_standing",
]


def _state(docs_dir: Path, annotations_dir: Path) -> tuple:
    """What prepare reads, as the fingerprint of every file: equal states, equal results."""
    paths = markdown_files(docs_dir) if docs_dir.is_dir() else []
    if annotations_dir.is_dir():
        for entry in sorted(annotations_dir.iterdir()):
            paths.append(entry)
            if entry.is_dir() and not entry.is_symlink():
                paths += sorted(entry.iterdir())
    return fingerprints(paths)


def prepare(docs_dir: Path, annotations_dir: Path) -> Publication:
    """Load, check and anchor the annotations of every article page under docs_dir (remembered
    until a file changes: a build asks several times, for pages, sections and postbuild; an
    article none of whose files changed is not annotated again)."""
    return CACHE.get(  # keyed by the folders as given too: problems name files as the caller does
        ("publication", str(docs_dir), docs_dir.resolve(), str(annotations_dir), annotations_dir.resolve()),
        _state(docs_dir, annotations_dir),
        lambda: _prepare(docs_dir, annotations_dir),
    )


def annotated(article: Article, annotations_dir: Path) -> tuple[AnnotatedArticle | None, tuple[Problem, ...]]:
    """One article annotated on its own, and its own problems (not the policy's or the record's:
    the caller reports those once), remembered until its page, its annotation folder, the policy
    or the record changes."""
    state = (
        fingerprint(article.path),
        article.key,
        folder_fingerprint(annotations_dir / article.slug),
        fingerprint(annotations_dir / POLICY_NAME),
        fingerprint(annotations_dir / RECORD_NAME),
    )

    known: list[bytes | None] = []

    def content() -> bytes | None:  # the bytes of every file it is made from (cache.Disk)
        folder = annotations_dir / article.slug
        listed = sorted(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else [folder]
        paths = [article.path, *listed, annotations_dir / POLICY_NAME, annotations_dir / RECORD_NAME]
        files = file_content(paths)
        known.append(None if files is None else repr(article).encode() + files)
        return known[-1]

    def compute():
        problems = ProblemCollector()
        policy = load_policy_in(annotations_dir, ProblemCollector())
        record = read_record(annotations_dir, ProblemCollector()) if annotations_dir.is_dir() else {}
        item = annotate_article(article, annotations_dir, policy, problems, record)
        made_from = known[0] if known else content()
        if item is not None and made_from is not None:
            item = replace(item, inputs=hashlib.sha256(made_from).digest())
        return item, tuple(problems.problems)

    key = ("article", str(annotations_dir), annotations_dir.resolve(), str(article.path), article.slug)
    return CACHE.get(key, state, compute, content=content)


def _outlets_cited(policy: Policy, item: AnnotatedArticle, annotations_dir: Path) -> frozenset[str]:
    """The policy's outlets one article cites, worked out again only when it or the policy changed."""
    annotations = [a for f in item.files for a in f.annotations]
    key = ("outlets", str(annotations_dir), item.article.slug)
    return CACHE.get(key, (policy, item), lambda: outlets_cited(policy, annotations))


def _prepare(docs_dir: Path, annotations_dir: Path) -> Publication:
    problems = ProblemCollector()
    articles = find_articles(docs_dir, problems)
    _check_unique(articles, problems)
    policy = None
    if annotations_dir.exists() and check_regular(annotations_dir, problems, "folder"):
        _check_folders(annotations_dir, articles, problems)
        policy = load_policy_in(annotations_dir, problems)
    if annotations_dir.is_dir():
        read_record(annotations_dir, problems)
    result = []
    for article in articles:
        item, own = annotated(article, annotations_dir)
        problems.problems.extend(own)
        result.append(item if not own else None)
    if policy is not None and all(result):  # every policy entry is cited somewhere (reliability.py)
        cited = [_outlets_cited(policy, item, annotations_dir) for item in result]
        check_unused(policy, frozenset().union(*cited), problems)
    problems.raise_if_any()
    return Publication(tuple(result), policy, docs_dir.resolve(), site_views(docs_dir))
