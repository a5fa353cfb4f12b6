"""Thin MkDocs adapter: runs the annotator pipeline at the right build events.

Only this module imports mkdocs; moving to another site generator means rewriting it, not the
pipeline in scripts/annotator. Events used, in build order:

    on_config        add the sidenote stylesheet/script and our theme overrides; local worker shim
    on_files         load + anchor every annotation (fails the build with every problem found)
    on_env           theme templates: inline scripts become files (CSP forbids inline scripts)
    on_page_markdown fill the generated Sources and Claims pages; say which article is converted
    (Markdown)       render.AnnotateExtension marks assertions and adds sidenotes in the tree
    on_page_content  add the article header, the ClaimReview data and the page's anchors
    on_post_build    add notes to the search index, write the single-file article and data
    on_serve         rebuild when anything under annotations/ changes
"""

from __future__ import annotations

import importlib.util
import json
import logging
import posixpath
import sys
from pathlib import Path

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.annotator import claims, csp, opendata, pages, render, report, standalone  # noqa: E402
from scripts.annotator.errors import AnnotationError  # noqa: E402
from scripts.annotator.pipeline import AnnotatedArticle, prepare  # noqa: E402

log = logging.getLogger("mkdocs.hooks.annotations")
ASSETS = Path(__file__).resolve().parent / "annotator" / "assets"
ASSET_URL = "assets/annotator"
ANNOTATIONS_DIR = "annotations"  # beside mkdocs.yml
THEME = Path(__file__).resolve().parent / "annotator" / "theme"

_state: dict = {"articles": {}, "pages": {}, "scripts": {}, "bodies": {}}
# Annotates the article page MkDocs is converting (set in on_page_markdown, read in its render).
_annotate = render.AnnotateExtension(wrap_error=lambda error: PluginError(str(error)))


def _annotations_dir(config) -> Path:
    return Path(config.config_file_path).resolve().parent / ANNOTATIONS_DIR


def on_config(config):
    _state.update(articles={}, pages={}, scripts={}, bodies={})  # each (re)build starts clean
    config.theme.dirs.insert(0, str(THEME))
    config.markdown_extensions.append(_annotate)
    config.extra["csp_policy"] = csp.POLICY
    config.extra_css.append(f"{ASSET_URL}/sidenotes.css")
    config.extra_javascript.append(f"{ASSET_URL}/sidenotes.js")
    # Material's offline plugin adds a worker shim from a CDN; use our local one instead.
    polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in p]
    config.extra["polyfills"] = polyfills + [f"{ASSET_URL}/offline-worker.js"]
    return config


def on_env(env, config, files):
    # "material/..." names Material's own templates, which our overrides wrap.
    material = Path(importlib.util.find_spec("material").origin).parent / "templates"
    env.loader = jinja2.ChoiceLoader([env.loader, jinja2.PrefixLoader({"material": jinja2.FileSystemLoader(material)})])

    def external_script(fragment: str) -> str:
        path, code = csp.external_script(str(fragment))
        _state["scripts"][path] = code
        return path

    env.filters["external_script"] = external_script
    return env


def on_files(files, config):
    try:
        prepared = prepare(Path(config.docs_dir), _annotations_dir(config))
    except AnnotationError as error:
        raise PluginError(f"annotations have {len(error.problems)} problem(s):\n{error}") from None
    _state["articles"] = {a.article.path.resolve(): a for a in prepared}
    for asset in sorted(ASSETS.iterdir()):
        files.append(File.generated(config, f"{ASSET_URL}/{asset.name}", abs_src_path=str(asset)))
    return files


def _article_for(page) -> AnnotatedArticle | None:
    return _state["articles"].get(Path(page.file.abs_src_path).resolve())


def _linker(page, config, files, final: bool):
    """Link targets from a generated page to a note of an article page: the article's Markdown
    path (for Markdown, which MkDocs resolves and checks) or, when final, its built URL (for HTML)."""
    docs = Path(config.docs_dir).resolve()
    here = posixpath.dirname(page.url if final else page.file.src_uri) or "."
    targets: dict = {}

    def link(article, fragment: str) -> str:
        if article.path not in targets:
            source = article.path.resolve().relative_to(docs).as_posix()
            target = files.get_file_from_path(source).url if final else source
            targets[article.path] = posixpath.relpath(target, here)
        return f"{targets[article.path]}#{fragment}"

    return link


def on_page_markdown(markdown, page, config, files):
    item = _article_for(page)
    _annotate.current = (item.article, list(item.notes)) if item else None
    generated = page.meta.get("annotations_page")
    articles = list(_state["articles"].values())
    if generated == "sources":
        return markdown + "\n\n" + pages.sources_markdown(articles, _linker(page, config, files, final=False))
    if generated == "claims":
        return markdown + "\n\n" + claims.claims_html(articles, _linker(page, config, files, final=True)) + "\n"
    return markdown


def on_page_content(html, page, config, files):
    item = _article_for(page)
    if item is None:
        return html
    _state["pages"][page.url] = item
    _state["bodies"][item.article.slug] = html  # annotated during the Markdown conversion
    # Let MkDocs' link validation see the ids we added after its Markdown pass.
    page.present_anchor_ids = (
        (page.present_anchor_ids or set())
        | {i for n in item.notes for i in (n.id, n.note_id)}
        | {f"p{k}" for k in range(1, len(item.article.paragraphs) + 1)}
    )
    here = posixpath.dirname(page.url) or "."
    download = posixpath.relpath(standalone.download_path(item.article), here)
    data = posixpath.relpath(data_path(item), here)
    reviews = opendata.claim_reviews(item, _absolute(config, page.url), config.site_name)
    json_ld = json.dumps(reviews, ensure_ascii=False).replace("</", "<\\/")
    return (
        standalone.article_header(item, download, data)
        + f'<div class="annotated-article">{html}</div>'
        + f'<script type="application/ld+json">{json_ld}</script>'
    )


def _absolute(config, url: str) -> str:
    """The page's absolute URL when site_url is set, else its site-relative path."""
    return (config.site_url or "") + url


def data_path(item: AnnotatedArticle) -> str:
    return f"data/{item.article.slug}.annotations.jsonld"


@event_priority(-50)  # after the search plugin writes its index (0), before offline inlines it (-100)
def on_post_build(config):
    site = Path(config.site_dir)
    index_path = site / "search" / "search_index.json"
    if index_path.is_file():
        index = json.loads(index_path.read_text(encoding="utf-8"))
        for url, item in sorted(_state["pages"].items()):
            index["docs"].extend(pages.search_entries(item, url))
        index_path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    for item in _state["articles"].values():
        target = site / standalone.download_path(item.article)
        target.parent.mkdir(parents=True, exist_ok=True)
        body = _state["bodies"].get(item.article.slug)  # reuse the page's rendering when there is one
        target.write_text(standalone.standalone_html(item, body), encoding="utf-8")
    for path, code in sorted(_state["scripts"].items()):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(code, encoding="utf-8")
    for url, item in sorted(_state["pages"].items()):
        target = site / data_path(item)
        target.parent.mkdir(parents=True, exist_ok=True)
        collection = opendata.web_annotations(item, _absolute(config, url))
        target.write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        log.info(report.coverage_line(item))
        for line in report.needs_attention(item):
            log.info(f"needs an editor: {line}")


def on_serve(server, config, builder):
    server.watch(str(_annotations_dir(config)))
    server.watch(str(ASSETS))
    server.watch(str(Path(__file__).resolve().parent / "annotator"))
    return server
