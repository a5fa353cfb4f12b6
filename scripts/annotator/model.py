"""Typed data passed between the pipeline steps: load -> anchor -> render, and what the pipeline
hands the build (AnnotatedArticle, Publication)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from .note import RenderedNote
from .schema import RELATION, SOURCE_RELATION, Relation

if TYPE_CHECKING:  # a type in annotations only: reliability builds on this module
    from .reliability import Policy


@dataclass(frozen=True)
class SourceClass:
    """A class of the reliability policy (annotations/reliability.yaml)."""

    name: str
    label: str
    description: str
    decides: bool  # can carry a supports/contradicts verdict on its own


@dataclass(frozen=True)
class MachineCheck:
    """What `annotator verify` last found for a source's excerpt on the page it was read on."""

    result: str  # found | redirected | changed | dead | timeout | not-html | robots | error
    checked_on: str  # YYYY-MM-DD

    @property
    def found(self) -> bool:
        return self.result in ("found", "redirected")


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None  # the original publication's address, None when only a copy is known
    outlet: str  # who originally published it
    excerpt: str
    relation: str  # a name from SOURCE_RELATIONS
    verified_on: str | None  # YYYY-MM-DD a person read the excerpt in a copy, None if nobody could
    date: str | None = None
    author: str | None = None
    archive_url: str | None = None
    via: str | None = None  # the copy actually read, when it is not the original's own page
    line: int = 0  # line of the source in its file, for error messages
    standing: SourceClass | None = None  # its class in the reliability policy, set by the pipeline
    machine: MachineCheck | None = None  # the last machine check of its excerpt, set by the pipeline

    @property
    def verified(self) -> bool:
        return self.verified_on is not None

    @property
    def link(self) -> str:
        """The address a reader follows: the original when known, else the copy read."""
        return self.url or self.via or ""

    @property
    def read_at(self) -> str:
        """The page the excerpt was read on (and that `verify` checks)."""
        return self.via or self.url or ""

    @property
    def relation_row(self) -> Relation:
        return SOURCE_RELATION[self.relation]


@dataclass(frozen=True)
class Annotation:
    """One assertion of a paragraph, as written by a contributor (already validated)."""

    path: Path
    line: int  # line of the `quote:` key, for error messages
    id: str  # permanent, unique in the article: links to the note use it
    quote: str
    relation: str  # a name from RELATIONS
    note: str  # the Markdown as written
    rendered: RenderedNote  # the note sanitized, as every page shows it
    sources: tuple[Source, ...] = ()
    claim: str | None = None
    lines: tuple[int, int] = (0, 0)  # the block and its note in the file: first line, line after the last
    replaces: tuple[str, ...] = ()  # ids this note took over (old links to them open it)
    id_line: int = 0  # line of the `id:` key
    reason: str | None = None  # why the note last changed (the corrections page shows it)

    @property
    def relation_row(self) -> Relation:
        return RELATION[self.relation]

    @property
    def summary(self) -> str:
        """The claim in a few words: `claim` if given, else the quote."""
        return self.claim or " ".join(self.quote.split())


@dataclass(frozen=True)
class AnnotationFile:
    path: Path
    paragraph: str  # the opening words that name the paragraph
    paragraph_line: int
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class ArticleMeta:
    """An article page's front matter, checked against the schema's `article` definition."""

    title: str
    slug: str  # `annotations:`, the article's folder under annotations/
    subtitle: str | None = None
    description: str | None = None
    author: str | None = None
    outlet: str | None = None
    date: str | None = None
    original_url: str | None = None
    front: tuple[tuple[str, str], ...] = ()  # every front-matter field as JSON text, for the review

    def field(self, name: str) -> str | None:
        """A front-matter field as the page writes it (JSON text), None if absent."""
        return dict(self.front).get(name)


@dataclass(frozen=True)
class Article:
    """An article page: its metadata, the text of each annotatable block, and its body."""

    path: Path
    meta: ArticleMeta
    paragraphs: tuple[str, ...]  # every annotatable block (paragraph, list item, quoted paragraph)
    body_markdown: str
    key: str  # identifies the page's Markdown whichever generator converts it

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title


@dataclass(frozen=True)
class AnchoredNote:
    """An annotation placed in the article: block number (1-based) and character span."""

    annotation: Annotation
    paragraph: int
    start: int
    end: int
    number: int  # reading-order number across the article, shown to readers

    @property
    def id(self) -> str:
        """The note's permanent id (its `id:`), whatever its place in the article."""
        return self.annotation.id

    @property
    def note_id(self) -> str:
        return f"n-{self.id}"

    @property
    def toggle_id(self) -> str:
        return f"t-{self.id}"

    @property
    def anchor_id(self) -> str:
        """The start of the assertion in the text (what "back to the text" links to)."""
        return f"a-{self.id}"

    @property
    def former_ids(self) -> list[str]:
        """Element ids that links to the notes this one replaces used: (assertion, note) pairs.
        First-edition ids were positions (p9-2 for the assertion, n-p9-2 for the note)."""
        return [
            i for old in self.annotation.replaces for i in ((old if old[1:2].isdigit() else f"a-{old}"), f"n-{old}")
        ]


@dataclass(frozen=True)
class AnnotatedArticle:
    """An article page with its annotation files and anchored notes, all checked."""

    article: Article
    files: tuple[AnnotationFile, ...]
    notes: tuple[AnchoredNote, ...]
    # A digest of every file it was made from (page, annotation files, policy, record), set by
    # the pipeline: what the cache keeps values made from it by on disk (cache.Disk); b"": unknown.
    inputs: bytes = field(default=b"", compare=False, repr=False)


@dataclass(frozen=True)
class Publication:
    """Every article page of a site with its notes, and the reliability policy (pipeline.prepare)."""

    articles: tuple[AnnotatedArticle, ...]
    policy: Policy | None
    docs: Path  # the folder of the article pages, resolved
    views: frozenset[str] = frozenset()  # the per-article pages the site will have (article.VIEWS)

    def article(self, slug: str) -> AnnotatedArticle | None:
        return next((a for a in self.articles if a.article.slug == slug), None)


def made_from(*parts) -> bytes:
    """parts as bytes that are the same in any process: what the cache keys a value made from
    them by on disk (cache.Disk). An annotated article is its inputs' digest; sets are sorted,
    paths are text; anything else is its repr."""

    def stable(value):
        if isinstance(value, AnnotatedArticle):
            return value.inputs
        if isinstance(value, (set, frozenset)):
            return sorted(stable(v) for v in value)
        if isinstance(value, (tuple, list)):
            return tuple(stable(v) for v in value)
        return str(value) if isinstance(value, PurePath) else value

    return repr(stable(parts)).encode("utf-8", "backslashreplace")
