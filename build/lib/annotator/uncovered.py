"""`annotator uncovered`: the sentences of each article that no note covers, for a contributor
looking for work. A sentence counts as covered when any note's assertion overlaps it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .pipeline import AnnotatedArticle

# A sentence ends at . ! ? (and any closing quote or bracket) before a space and a capital or an
# opening quote; "U.S. officials" and "No. 5" stay whole because a capital must follow.
_BOUNDARY = re.compile(r"(?<=[.!?])[”’\"')\]]*\s+(?=[“‘\"'(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("U.S.", "U.K.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "No.", "Gen.", "Sen.", "Rep.", "Jan.", "Feb.")


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    start: int
    end: int
    text: str


def sentences(paragraph: str, number: int) -> list[Sentence]:
    """The sentences of one paragraph, with their spans."""
    found, start = [], 0
    for match in _BOUNDARY.finditer(paragraph):
        if paragraph[: match.start()].endswith(_ABBREVIATIONS):
            continue
        found.append(Sentence(number, start, match.start(), paragraph[start : match.start()].strip()))
        start = match.end()
    if paragraph[start:].strip():
        found.append(Sentence(number, start, len(paragraph), paragraph[start:].strip()))
    return found


def uncovered(item: AnnotatedArticle) -> list[Sentence]:
    """Every sentence of the article that no note's assertion overlaps."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for note in item.notes:
        spans.setdefault(note.paragraph, []).append((note.start, note.end))
    return [
        s
        for number, text in enumerate(item.article.paragraphs, 1)
        for s in sentences(text, number)
        if not any(start < s.end and s.start < end for start, end in spans.get(number, []))
    ]


def cmd_uncovered(args) -> int:
    from .config import site_of
    from .pipeline import prepare

    _, docs, annotations = site_of(args)
    for item in prepare(docs, annotations).articles:
        if args.article and item.article.slug != args.article:
            continue
        missing = uncovered(item)
        total = sum(len(sentences(t, n)) for n, t in enumerate(item.article.paragraphs, 1))
        print(f"{item.article.slug}: {len(missing)} of {total} sentences have no note")
        for s in missing:
            print(f"  ¶{s.paragraph}: {s.text}")
    return 0


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "uncovered",
        help="list the sentences no note covers (work waiting for a contributor)",
        description="For each article, list the sentences that no annotation's quote overlaps, by paragraph "
        "number (the number `new` takes).",
    )
    parser.add_argument("--article", help="only this article (its annotations: value)")
    parser.set_defaults(run=cmd_uncovered)
