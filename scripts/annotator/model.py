"""Typed data passed between the pipeline steps: load -> anchor -> render."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Overall relation of an assertion to its sources, in the order the site lists them.
RELATIONS = ("supports", "qualifies", "contradicts", "unsourced", "opinion", "editorial")
RELATION_LABELS = {
    "supports": "Supports",
    "qualifies": "Qualifies",
    "contradicts": "Contradicts",
    "unsourced": "Unsourced",
    "opinion": "Opinion",
    "editorial": "Editor's note",
    "context": "Context",
}


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None  # the original publication's address, None when only a copy is known
    outlet: str  # who originally published it
    excerpt: str
    relation: str  # supports | qualifies | contradicts | context
    verified_on: str | None  # YYYY-MM-DD the excerpt was checked, None if unverified
    date: str | None = None
    author: str | None = None
    archive_url: str | None = None
    via: str | None = None  # the copy actually read, when it is not the original's own page
    line: int = 0  # line of the source's first field, for error messages

    @property
    def verified(self) -> bool:
        return self.verified_on is not None

    @property
    def link(self) -> str:
        """The address a reader follows: the original when known, else the copy read."""
        return self.url or self.via  # the schema requires one of them

    @property
    def read_at(self) -> str:
        """The page the excerpt was read on."""
        return self.via or self.url


@dataclass(frozen=True)
class Annotation:
    """One assertion of a paragraph, as written by a contributor."""

    path: Path
    line: int  # line of the `quote:` key, for error messages
    quote: str
    relation: str
    note: str  # Markdown, untrusted
    sources: tuple[Source, ...] = ()
    claim: str | None = None


@dataclass(frozen=True)
class AnnotationFile:
    path: Path
    paragraph: str  # the opening words that name the paragraph
    paragraph_line: int
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class Article:
    """An article page: its slug (also its annotations folder), metadata and paragraph texts."""

    slug: str
    path: Path
    title: str
    paragraphs: tuple[str, ...]
    body_markdown: str = field(default="", repr=False, compare=False)
    meta: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class AnchoredNote:
    """An annotation placed in the article: paragraph number (1-based) and character span."""

    annotation: Annotation
    paragraph: int
    start: int
    end: int
    number: int  # reading-order number across the article, shown to readers
    id: str  # stable within the paragraph, e.g. "p9-2"

    @property
    def note_id(self) -> str:
        return f"n-{self.id}"

    @property
    def toggle_id(self) -> str:
        return f"t-{self.id}"
