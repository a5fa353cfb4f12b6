"""Check a whole site's input as the build will read it: `check_site(config)` raises
AnnotationError listing every problem (`path:line:column: what; how to fix`), so a green
`validate` means the build finishes and publishes nothing a page did not mean to.

    articles   every article page and its annotation files (pipeline.prepare)
    pages      every page's front matter (article.page_article), and its Markdown converted
               with the site's own extensions: what safepage.SafePage removed (raw HTML,
               attributes, links off http(s), markup in code), unknown `[annotator: ...]`
               sections, snippets that cannot be included
    files      docs/ holds only pages and images (a .js or .html file there would be published
               as it is), no links; snippets may only read the files the config names
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import markdown

from .article import check_limits, markdown_files, split_front_matter
from .cache import CACHE, fingerprint, fingerprints
from .errors import AnnotationError, Problem, ProblemCollector
from .inputs import check_regular, read_text
from .pipeline import prepare
from .siteconfig import SiteConfig

PUBLISHABLE = {".md", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico"}  # no .svg: it can run script
MAX_PAGE_BYTES = 1024 * 1024


def check_site(config: SiteConfig) -> None:
    """Raise AnnotationError with every problem of the site's pages, annotations and files."""
    problems = ProblemCollector()
    try:
        prepare(config.docs_dir, config.annotations_dir)
    except AnnotationError as error:
        problems.extend(error)
    check_files(config.docs_dir, problems)
    check_snippet_paths(config, problems)
    for path in markdown_files(config.docs_dir):
        check_page(path, config, problems)
    problems.raise_if_any()


def check_files(docs: Path, problems: ProblemCollector) -> None:
    """Only pages and images under docs/, and no links (they could publish any file)."""
    for folder, dirs, files in os.walk(docs, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                problems.add(
                    path, 1, 1, "is a symbolic link", "replace it with the file itself; links are not followed"
                )
            elif stat.S_ISREG(info.st_mode) and path.suffix.lower() not in PUBLISHABLE:
                problems.add(
                    path,
                    1,
                    1,
                    f"{path.suffix or 'a file without extension'} files are not published from docs/",
                    "docs/ holds Markdown pages and images (" + ", ".join(sorted(PUBLISHABLE)) + "); remove it",
                )


def check_snippet_paths(config: SiteConfig, problems: ProblemCollector) -> None:
    """pymdownx.snippets may include only files the config names, never the repository itself."""
    if "pymdownx.snippets" not in config.markdown_extensions:
        return
    options = config.mdx_configs.get("pymdownx.snippets") or {}
    root = config.config_file.resolve().parent
    for entry in options.get("base_path") or ["."]:
        path = (root / entry).resolve()
        if path.is_dir() and (path == root or (path / ".git").exists() or root.is_relative_to(path)):
            problems.add(
                config.config_file,
                1,
                1,
                f"pymdownx.snippets may read the whole repository ({entry!r}), .git included",
                "set base_path to the files a page includes, e.g. [CONTRIBUTING.md]",
            )
        elif path.exists():
            check_regular(path, problems, "folder" if path.is_dir() else "file")
    if options.get("url_download"):
        problems.add(config.config_file, 1, 1, "pymdownx.snippets may download URLs", "remove url_download")


def _line_of(text: str, snippet: str, offset: int) -> int:
    at = text.find(snippet[:40]) if snippet else -1
    return offset + (text.count("\n", 0, at) if at >= 0 else 0)


def check_page(path: Path, config: SiteConfig, problems: ProblemCollector) -> None:
    """Convert one page as the build does and report what its Markdown asked for that is refused
    (remembered until the page, the files its snippets may include, or the config change)."""
    options = {**config.mdx_configs, "annotator": {**(config.mdx_configs.get("annotator") or {}), "check_only": True}}
    settings = json.dumps([config.markdown_extensions, options], sort_keys=True, default=str)
    state = (fingerprint(path), settings, _snippets_state(config))
    key = ("pagecheck", str(path), path.resolve())
    for problem in CACHE.get(key, state, lambda: _check_page(path, config, options)):
        problems.problems.append(problem)


def _snippets_state(config: SiteConfig) -> tuple | object:
    """The fingerprints of the files snippets may include; a folder there (any file of it may
    change unseen) gives a state equal to nothing, so pages are checked every time."""
    if "pymdownx.snippets" not in config.markdown_extensions:
        return ()
    root = config.config_file.resolve().parent
    paths = [root / e for e in (config.mdx_configs.get("pymdownx.snippets") or {}).get("base_path") or ["."]]
    return object() if any(p.is_dir() for p in paths) else fingerprints(paths)


def _check_page(path: Path, config: SiteConfig, options: dict) -> tuple[Problem, ...]:
    problems = ProblemCollector()
    quiet = ProblemCollector()  # what this page's reading finds is reported by prepare (it reads every page)
    text = read_text(path, quiet, limit=MAX_PAGE_BYTES) if check_regular(path, quiet) else None
    if text is None:
        return ()
    source, body = split_front_matter(text)
    first = (source.count("\n") + 4) if source is not None else 1  # the body's first line in the file
    if not check_limits(path, body, first, quiet):
        return ()  # too costly to convert: reported by prepare
    md = markdown.Markdown(extensions=list(config.markdown_extensions), extension_configs=options)
    from .safepage import SafePage

    safe = next((e for e in md.registeredExtensions if isinstance(e, SafePage)), None)
    if safe is None:
        safe = SafePage()
        safe.extendMarkdown(md)
    try:
        md.convert(body)
    except Exception as error:  # noqa: BLE001 (an extension refusing the page: snippets, mostly)
        message = " ".join(str(error).split())[:200] or type(error).__name__
        snippet = "--8<--" if "snippet" in type(error).__name__.lower() or "Snippet" in message else ""
        problems.add(path, _line_of(body, snippet, first), 1, f"the page cannot be converted: {message}", "fix it")
        return tuple(problems.problems)
    for finding in safe.findings:
        problems.add(path, _line_of(body, finding.snippet, first), 1, f"page has {finding.message}", finding.hint)
    return tuple(problems.problems)
