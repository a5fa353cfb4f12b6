"""The `annotator` command (scripts/annotate runs it from a fresh clone): validate, new, new-article,
reanchor, uncovered, review, verify, standalone, postbuild. Each has --help.

No command ends in a traceback: a problem in the input is printed as
`path:line:column: what is wrong; how to fix it` and the command exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from .config import site_of
from .errors import AnnotationError, ProblemCollector, printable
from .paths import COMMAND

# Commands that live in their own module: name -> module with add_parser(commands).
EXTERNAL = ("reanchor", "review", "uncovered", "verify")


def cmd_validate(args) -> int:
    from .pagecheck import check_site
    from .pipeline import prepare
    from .render import render_article
    from .report import coverage_line, needs_attention

    config, docs, annotations = site_of(args)
    try:
        if config is not None:  # every page converted with the site's own extensions, as the build does
            check_site(replace(config, docs_dir=docs, annotations_dir=annotations))
        publication = prepare(docs, annotations)
        for item in publication.articles:
            render_article(item.article, list(item.notes))  # the same rendering as the build
    except AnnotationError as error:
        for problem in error.problems:
            print(problem.github() if args.github else problem)
        print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return 1
    for item in publication.articles:
        print(coverage_line(item))
        if args.verbose:
            for line in needs_attention(item):
                print(f"  needs an editor: {line}")
    return 0


def cmd_new(args) -> int:
    from .anchor import ParagraphIndex
    from .article import find_articles
    from .load import load_file
    from .scaffold import scaffold, slugify, suggest_id

    _, docs, annotations = site_of(args)
    problems = ProblemCollector()
    articles = {a.slug: a for a in find_articles(docs, problems)}
    problems.raise_if_any()
    slug = args.article or (next(iter(articles)) if len(articles) == 1 else None)
    if slug not in articles:
        known = ", ".join(sorted(articles)) or "none"
        print(f"name the article with --article SLUG (its annotations: value); known: {known}", file=sys.stderr)
        return 2
    article = articles[slug]
    if not 1 <= args.paragraph <= len(article.paragraphs):
        print(f"{slug} has {len(article.paragraphs)} paragraphs: give a number from 1 to that", file=sys.stderr)
        return 2
    text = article.paragraphs[args.paragraph - 1]
    index = ParagraphIndex(article)
    words = text.split()
    count = 3
    while count < len(words) and index.starting_with(" ".join(words[:count])) != [args.paragraph]:
        count += 1
    opening = " ".join(words[: max(count, 6)])
    folder = annotations / article.slug
    target = folder / f"{slugify(text)}.md"
    taken: set[str] = set()
    for existing in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            loaded = load_file(existing)
        except AnnotationError:
            continue
        taken.update(i for a in loaded.annotations for i in (a.id, *a.replaces))
        if index.starting_with(loaded.paragraph) == [args.paragraph]:
            print(f"{existing} already annotates this paragraph: add to that file", file=sys.stderr)
            return 1
    if target.exists():
        print(f"{target} already exists: add to that file", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(scaffold(opening, args.paragraph, text, suggest_id(text, taken)), encoding="utf-8")
    print(f"created {target}: fill in quote, sources and the note, then run: {COMMAND} validate")
    return 0


def cmd_new_article(args) -> int:
    from .scaffold import article_scaffold
    from .schema import is_valid, read_schema

    _, docs, annotations = site_of(args)
    if not is_valid("slug", args.slug):
        print(
            f"{printable(repr(args.slug))[:100]} is not a slug: use lower-case letters, digits and single hyphens "
            "(e.g. the headline's first words: harbour-reopens)",
            file=sys.stderr,
        )
        return 2
    target = docs / "articles" / f"{args.slug}.md"
    folder = annotations / args.slug
    for existing in (target, folder):
        if existing.exists() or existing.is_symlink():
            print(f"{existing} already exists: choose another slug, or edit that article", file=sys.stderr)
            return 1
    taken = next((p for p in find_article_slug(docs, args.slug)), None)
    if taken is not None:
        print(f"{taken} already has 'annotations: {args.slug}': choose another slug", file=sys.stderr)
        return 1
    properties = read_schema()["$defs"]["article"]["properties"]
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as file:  # never over a file made meanwhile
        file.write(article_scaffold(args.slug, properties, args.title))
    folder.mkdir(parents=True)
    print(
        f"created {target} and {folder}/: fill in the front matter, paste the article's text, then run: "
        f"{COMMAND} validate; annotate its paragraphs with: {COMMAND} new N --article {args.slug}"
    )
    return 0


def find_article_slug(docs: Path, slug: str) -> list[Path]:
    """Article pages already using `slug` as their annotations: value (a bad page is skipped here:
    validate reports it)."""
    from .article import find_articles

    return [a.path for a in find_articles(docs, ProblemCollector()) if a.slug == slug] if docs.is_dir() else []


def cmd_standalone(args) -> int:
    from .pipeline import prepare
    from .standalone import standalone_html

    _, docs, annotations = site_of(args)
    publication = prepare(docs, annotations)
    item = publication.article(args.article)
    if item is None:
        known = ", ".join(i.article.slug for i in publication.articles) or "none"
        print(f"no article has 'annotations: {args.article}'; known: {known}", file=sys.stderr)
        return 2
    args.output.write_text(standalone_html(item), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def cmd_postbuild(args) -> int:
    from .postbuild import postbuild

    config, _, _ = site_of(args)
    if config is None:
        print(f"{args.config} not found: give the site's config with --config", file=sys.stderr)
        return 2
    from .cache import CACHE

    later, CACHE.later_builds = CACHE.later_builds, False  # one command, one build: keep no page
    CACHE.building(True)
    try:
        built = postbuild(config, args.site or config.site_dir)
    finally:
        CACHE.later_builds = later
        CACHE.building(False)
        CACHE.disk.trim()
    notes = sum(len(i.notes) for i in built.article_pages.values())
    print(f"completed {len(built.pages)} pages of {built.root} ({built.generator}): {notes} notes")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="annotator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    main.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="the site's config (default: mkdocs.yml)")
    main.add_argument("--docs", type=Path, help="folder of article pages (default: from the config, else docs)")
    main.add_argument("--annotations", type=Path, help="folder of annotation folders (default: from the config)")
    commands = main.add_subparsers(dest="command", required=True, metavar="command")

    validate = commands.add_parser(
        "validate",
        help="check every annotation and article page without building the site",
        description="Check every article page and annotation file, rendering every note as the build does; "
        "print each problem as path:line:column: what is wrong; how to fix it. Exit 1 on any problem.",
    )
    validate.add_argument("--github", action="store_true", help="print problems as GitHub Actions annotations")
    validate.add_argument("-v", "--verbose", action="store_true", help="also list what needs an editor")
    validate.set_defaults(run=cmd_validate)

    new = commands.add_parser(
        "new",
        help="create the annotation file for a paragraph",
        description="Write annotations/<article>/<first-words>.md for paragraph N (every paragraph, list item "
        "and quoted paragraph counts, in reading order), with its text as a comment to copy quotes from.",
    )
    new.add_argument("paragraph", type=int, help="paragraph number, 1 = the first after the subtitle")
    new.add_argument("--article", help="the article's annotations: value (needed when there are several)")
    new.set_defaults(run=cmd_new)

    article = commands.add_parser(
        "new-article",
        help="create the page of a new article and its annotations folder",
        description="Write docs/articles/SLUG.md with every front-matter field an article page takes (each "
        "explained in a comment, with example values validate refuses until replaced) and create "
        "annotations/SLUG/. Refuses to overwrite anything.",
    )
    article.add_argument("slug", help="the article's name in addresses and folders: lower-case words and hyphens")
    article.add_argument("--title", help="the article's headline (otherwise an example to replace)")
    article.set_defaults(run=cmd_new_article)

    for name in EXTERNAL:
        module = __import__(f"annotator.{name}", fromlist=["add_parser"])
        module.add_parser(commands)

    single = commands.add_parser("standalone", help="write the single-file HTML edition of an article")
    single.add_argument("article", help="the article's annotations: value")
    single.add_argument("output", type=Path, help="file to write")
    single.set_defaults(run=cmd_standalone)

    post = commands.add_parser(
        "postbuild",
        help="complete a built site (run after zensical build; MkDocs runs it itself)",
        description="Check that every article page holds its notes, then add assets, links, data, the Content "
        "Security Policy, notes in search and the one-file editions to a built site.",
    )
    post.add_argument("--site", type=Path, help="the built site (default: site_dir of the config)")
    post.set_defaults(run=cmd_postbuild)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except AnnotationError as error:
        for problem in error.problems:
            print(problem.github() if getattr(args, "github", False) else problem, file=sys.stderr)
        return 1
    except Exception as error:  # a bug: say so in one line; the traceback only when asked for
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        print(f"annotator: internal error, please report it: {printable(repr(error))[:300]}", file=sys.stderr)
        print("(run again with ANNOTATOR_DEBUG=1 for the details)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
