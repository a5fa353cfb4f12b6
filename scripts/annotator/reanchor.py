"""Re-anchor: after the article text changes, find where each annotation's paragraph and quote went.

Fixes what is unambiguous (a paragraph reference whose quotes now all sit in one other
paragraph) by rewriting the file's `paragraph:` line, and lists everything else with candidates.
"""

from __future__ import annotations

import json
from pathlib import Path

from .anchor import ParagraphIndex, find_all, nearest_spans, normalize
from .article import find_articles
from .errors import AnnotationError, ProblemCollector
from .load import load_folder
from .model import AnnotationFile


def opening_words(paragraph: str, count: int = 6) -> str:
    return " ".join(paragraph.split()[:count])


def locate(index: ParagraphIndex, file: AnnotationFile) -> tuple[list[int], int | None, list[str]]:
    """(paragraphs the file names now, paragraph it should name or None, lines for a person)."""
    folded = [text for text, _ in index.folded]
    quotes = [normalize(a.quote)[0] for a in file.annotations]
    current = index.starting_with(file.paragraph)
    homes = {n for n, text in enumerate(folded, 1) if all(len(find_all(text, q)) == 1 for q in quotes)}
    report = []
    target = current[0] if len(current) == 1 else None
    if target is None or target not in homes:
        target = next(iter(homes)) if len(homes) == 1 else None
        if target is None:
            report.append(f"{file.path}:{file.paragraph_line}: no single paragraph holds all its quotes")
    if target is not None:
        for a, q in zip(file.annotations, quotes, strict=True):
            if len(find_all(folded[target - 1], q)) != 1:
                others = [n for n, t in enumerate(folded, 1) if q in t and n != target]
                near = nearest_spans(folded[target - 1], q)
                where = f"now in paragraph {others}" if others else "nearest: " + " | ".join(map(repr, near))
                report.append(f"{a.path}:{a.line}: quote {a.quote[:50]!r} not found once; {where}")
    return current, target, report


def reanchor(docs: Path, annotations: Path, write: bool = True) -> tuple[list[str], list[str]]:
    """Return (fixed, needs_a_person) report lines; rewrite fixable files when write is True."""
    fixed, manual = [], []
    problems = ProblemCollector()
    articles = find_articles(docs, problems)
    problems.raise_if_any()
    for article in articles:
        folder = annotations / article.slug
        if not folder.is_dir():
            continue
        index = ParagraphIndex(article)  # folded once per article, not once per file
        problems = ProblemCollector()
        for file in load_folder(folder, problems):
            current, target, report = locate(index, file)
            manual.extend(report)
            if target is not None and current != [target]:
                new = opening_words(article.paragraphs[target - 1])
                if write:
                    _rewrite_line(file.path, file.paragraph_line, f"paragraph: {json.dumps(new, ensure_ascii=False)}")
                fixed.append(f"{file.path}:{file.paragraph_line}: paragraph now names {target}: {new!r}")
        manual.extend(str(p) for p in problems.problems)
    return fixed, manual


def _rewrite_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n")
    lines[line - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def cmd_reanchor(args) -> int:
    try:
        fixed, manual = reanchor(args.docs, args.annotations, write=not args.dry_run)
    except AnnotationError as error:
        print(error)
        return 1
    verb = "would fix" if args.dry_run else "fixed"
    for line in fixed:
        print(f"{verb}: {line}")
    for line in manual:
        print(f"needs a person: {line}")
    if not fixed and not manual:
        print("every annotation still anchors; nothing to do")
    return 1 if manual else 0


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "reanchor",
        help="after the article changed, re-point annotations at their paragraphs",
        description="Find where each annotation file's paragraph went after the article was edited "
        "(paragraphs inserted, split, edited). Rewrites 'paragraph:' where all of a file's quotes now sit "
        "in one paragraph; lists every other case with candidates. Exit 1 if anything needs a person.",
    )
    parser.add_argument("--dry-run", action="store_true", help="report only; change no file")
    parser.set_defaults(run=cmd_reanchor)
