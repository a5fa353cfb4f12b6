"""Command line: python -m scripts.annotator {validate,new,reanchor,standalone} --help."""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import unicodedata
from pathlib import Path

from .article import find_articles
from .errors import AnnotationError, Problem
from .pipeline import prepare
from .report import coverage_line, needs_attention

DOCS, ANNOTATIONS = Path("docs"), Path("annotations")


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that marks the problem on the pull request's line."""
    message = str(problem.message + (f"; {problem.hint}" if problem.hint else "")).replace("%", "%25")
    message = message.replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file={problem.path},line={problem.line},col={problem.column}::{message}"


def cmd_validate(args) -> int:
    try:
        items = prepare(args.docs, args.annotations)
    except AnnotationError as error:
        for problem in error.problems:
            print(github_annotation(problem) if args.github else problem, file=sys.stdout)
        print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return 1
    for item in items:
        print(coverage_line(item))
        if args.verbose:
            for line in needs_attention(item):
                print(f"  needs an editor: {line}")
    return 0


def slugify(text: str, words: int = 5) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower())[:words]) or "paragraph"


TEMPLATE = """---
paragraph: "{opening}"
# Paragraph {number}, to copy quotes from:
{comment}
---

---
quote: "copy the exact words of the assertion here"
relation: supports
sources:
  - title: "The source's own title"
    url: https://example.org/the-page-you-read
    outlet: Who published it
    date: YYYY-MM-DD
    excerpt: "A short passage copied word for word from the source."
    verified: YYYY-MM-DD
    relation: supports
---
One to three neutral sentences saying what the sources say.
"""


def cmd_new(args) -> int:
    articles = {a.slug: a for a in find_articles(args.docs)}
    if args.article not in articles:
        print(f"no article page has 'annotations: {args.article}'; known: {', '.join(articles)}", file=sys.stderr)
        return 2
    article = articles[args.article]
    if not 1 <= args.paragraph <= len(article.paragraphs):
        print(f"paragraph must be between 1 and {len(article.paragraphs)}", file=sys.stderr)
        return 2
    text = article.paragraphs[args.paragraph - 1]
    opening = " ".join(text.split()[:6]).replace('"', "'")
    folder = args.annotations / article.slug
    existing = [p for p in folder.glob("*.md") if f'paragraph: "{opening}' in p.read_text(encoding="utf-8")]
    target = folder / f"{slugify(text)}.md"
    if existing or target.exists():
        print(f"{(existing or [target])[0]} already annotates this paragraph: add to that file", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    comment = "\n".join("#   " + line for line in textwrap.wrap(text, 90))
    target.write_text(TEMPLATE.format(opening=opening, number=args.paragraph, comment=comment), encoding="utf-8")
    print(f"created {target}: fill in quote, sources and the note, then run: python -m scripts.annotator validate")
    return 0


def cmd_standalone(args) -> int:
    from .standalone import standalone_html

    items = {i.article.slug: i for i in prepare(args.docs, args.annotations)}
    item = items[args.article]
    args.output.write_text(standalone_html(item), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.annotator", description=__doc__)
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder of article pages (default: docs)")
    parser.add_argument(
        "--annotations", type=Path, default=ANNOTATIONS, help="folder of annotation folders (default: annotations)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser(
        "validate",
        help="check every annotation without building the site",
        description="Check every annotation file; print each problem as "
        "path:line:column: what is wrong; how to fix it. Exit 1 on any problem.",
    )
    validate.add_argument("--github", action="store_true", help="print problems as GitHub Actions annotations")
    validate.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also list what needs an editor: unannotated paragraphs, unsourced, unverified",
    )
    validate.set_defaults(run=cmd_validate)

    new = commands.add_parser(
        "new",
        help="create the annotation file for a paragraph",
        description="Scaffold annotations/<article>/<first-words>.md for paragraph N, "
        "with the paragraph's text as a comment to copy quotes from.",
    )
    new.add_argument("paragraph", type=int, help="paragraph number, 1 = first after the subtitle")
    new.add_argument("--article", default="moscow-concert-massacre", help="article slug (its annotations folder)")
    new.set_defaults(run=cmd_new)

    from .reanchor import add_parser as add_reanchor

    add_reanchor(commands)

    single = commands.add_parser("standalone", help="write the single-file HTML edition of an article")
    single.add_argument("article", help="article slug")
    single.add_argument("output", type=Path, help="file to write")
    single.set_defaults(run=cmd_standalone)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except AnnotationError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
