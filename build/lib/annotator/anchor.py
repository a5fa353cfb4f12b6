"""Anchor step: find each annotation's paragraph and the exact span of its quote.

`anchor_article(article, files)` returns the notes in reading order, numbered, or raises
AnnotationError naming every file and line that does not anchor, with candidates.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
from collections import Counter

from .errors import ProblemCollector
from .model import AnchoredNote, Annotation, AnnotationFile, Article
from .paths import COMMAND

# Typographic characters a contributor may type in their plain form.
EQUIVALENT = {
    **dict.fromkeys("‘’‚‛′`", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
}
CANDIDATES = 3
SHORTLIST = 12  # windows compared closely for the nearest-passage hint


def normalize(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes and whitespace runs; return the folded text and, for each of its
    characters, the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                origin.append(i)
            continue
        for folded in EQUIVALENT.get(char, char):
            out.append(folded)
            origin.append(i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def find_all(haystack: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of needle."""
    starts, i = [], haystack.find(needle)
    while i != -1:
        starts.append(i)
        i = haystack.find(needle, i + 1)
    return starts


def nearest_spans(paragraph: str, quote: str, limit: int = CANDIDATES) -> list[str]:
    """The spans of paragraph most similar to quote, best first, for error messages.

    Linear in the paragraph: each window of the quote's length is scored by the quote's words
    it shares (a sliding count), and only the best few windows are compared closely (difflib),
    so an unfound quote costs the same against 50 words or 50,000."""
    words, size = paragraph.split(), max(1, len(quote.split()))
    wanted = Counter(w.casefold() for w in quote.split())
    window: Counter = Counter()
    shared, scores = 0, []
    for i, word in enumerate(words):
        key = word.casefold()
        window[key] += 1
        shared += window[key] <= wanted.get(key, 0)
        if i >= size:
            old = words[i - size].casefold()
            shared -= window[old] <= wanted.get(old, 0)
            window[old] -= 1
        if i >= size - 1:
            scores.append((shared, -(i - size + 1)))
    starts = [-start for _, start in heapq.nlargest(SHORTLIST, scores)] or [0]
    scored = set()
    for start in starts:
        for width in {max(1, size - 1), size, size + 1}:
            span = " ".join(words[start : start + width])
            scored.add((difflib.SequenceMatcher(None, quote, span).ratio(), span))
    return [span for ratio, span in sorted(scored, reverse=True)[:limit] if ratio > 0.4]


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


class ParagraphIndex:
    """An article's paragraphs folded once, and found by their opening words without a scan:
    the paragraphs that start with a prefix are one run of the sorted texts (bisect)."""

    def __init__(self, article: Article):
        self.folded = [normalize(p) for p in article.paragraphs]
        self.ordered = sorted((text, number) for number, (text, _) in enumerate(self.folded, 1))
        self.texts = [text for text, _ in self.ordered]

    def starting_with(self, words: str) -> list[int]:
        """1-based numbers of the paragraphs that start with these words (quotes and dashes folded)."""
        opening = normalize(words)[0]
        found = []
        for i in range(bisect.bisect_left(self.texts, opening), len(self.texts)):
            if not self.texts[i].startswith(opening):
                break
            found.append(self.ordered[i][1])
        return sorted(found)


def anchor_article(article: Article, files: list[AnnotationFile]) -> list[AnchoredNote]:
    """Place every annotation of every file in the article; fail once with all problems."""
    problems = ProblemCollector()
    index = ParagraphIndex(article)
    folded = index.folded
    placed: list[tuple[int, int, int, Annotation]] = []
    owner: dict[int, AnnotationFile] = {}
    for file in files:
        numbers = index.starting_with(file.paragraph)
        if len(numbers) != 1:
            _report_paragraph(article, file, numbers, problems)
            continue
        number = numbers[0]
        if number in owner:
            problems.add(
                file.path,
                file.paragraph_line,
                1,
                f"paragraph {number} already has an annotation file: {owner[number].path}",
                "move these annotations into that file; one file per paragraph",
            )
            continue
        owner[number] = file
        for annotation in file.annotations:
            span = _anchor_quote(article, folded, number, annotation, problems)
            if span:
                placed.append((number, *span, annotation))
    check_ids([a for file in files for a in file.annotations], problems)
    problems.raise_if_any()
    return number_notes(placed)


def check_ids(annotations: list[Annotation], problems: ProblemCollector) -> None:
    """Every id (and every id a note replaces) names one note of the article."""
    seen: dict[str, Annotation] = {}
    for a in annotations:
        for name in (a.id, *a.replaces):
            other = seen.setdefault(name, a)
            if other is not a:
                problems.add(
                    a.path,
                    a.id_line or a.line,
                    1,
                    f"id {name!r} is already used by the note at {other.path}:{other.id_line or other.line}",
                    "give this note an id of its own (lower-case words joined by hyphens); "
                    "never reuse the id of a published note",
                )


def number_notes(placed: list[tuple[int, int, int, Annotation]]) -> list[AnchoredNote]:
    """Number notes in the order their markers appear: by paragraph, then where each assertion
    ends (the number follows it), outer before inner when two end together."""
    ordered = sorted(placed, key=lambda p: (p[0], p[2], p[1]))
    return [
        AnchoredNote(a, paragraph, start, end, number) for number, (paragraph, start, end, a) in enumerate(ordered, 1)
    ]


def _anchor_quote(article, folded, number, annotation, problems) -> tuple[int, int] | None:
    quote = normalize(annotation.quote)[0]
    if not quote:
        problems.add(annotation.path, annotation.line, 1, "quote is empty", "copy the assertion's words into it")
        return None
    text, origin = folded[number - 1]
    starts = find_all(text, quote)
    if len(starts) == 1:
        start = origin[starts[0]]
        end = origin[starts[0] + len(quote) - 1] + 1
        return start, end
    path, line = annotation.path, annotation.line
    paragraph = article.paragraphs[number - 1]
    if starts:
        problems.add(
            path,
            line,
            1,
            f"quote {_short(annotation.quote)!r} occurs {len(starts)} times in paragraph {number}",
            "add words before or after it so it occurs once",
        )
        return None
    elsewhere = [n for n, (t, _) in enumerate(folded, 1) if n != number and quote in t]  # only on failure
    if elsewhere:
        where = ", ".join(f"{n} ({_short(article.paragraphs[n - 1], 40)!r})" for n in elsewhere)
        problems.add(
            path,
            line,
            1,
            f"quote {_short(annotation.quote)!r} is not in paragraph {number} but in paragraph {where}",
            "move this annotation to that paragraph's file",
        )
        return None
    candidates = nearest_spans(text, quote)
    hint = ("nearest: " + " | ".join(repr(c) for c in candidates)) if candidates else "copy it from the article"
    problems.add(
        path,
        line,
        1,
        f"quote {_short(annotation.quote)!r} is not in paragraph {number} ({_short(paragraph, 80)!r})",
        f"copy the words exactly; {hint}",
    )
    return None


def _report_paragraph(article, file, numbers, problems) -> None:
    if numbers:
        problems.add(
            file.path,
            file.paragraph_line,
            1,
            f"paragraph {file.paragraph!r} matches the start of paragraphs {', '.join(map(str, numbers))}",
            "add more of the paragraph's first words",
        )
        return
    openings = [" ".join(p.split()[:8]) for p in article.paragraphs]
    close = difflib.get_close_matches(" ".join(file.paragraph.split()), openings, n=2, cutoff=0.3)
    hint = (
        ("nearest openings: " + " | ".join(repr(c) for c in close))
        if close
        else ("copy the paragraph's first words from the article")
    )
    problems.add(
        file.path,
        file.paragraph_line,
        1,
        f"no paragraph of {article.path.name} starts with {file.paragraph!r}",
        f"{hint}; if the article was edited, run: {COMMAND} reanchor",
    )
