"""The work after a site is built, the same whichever generator built it (MkDocs or Zensical).

`postbuild(config, site_dir)` checks and completes a built site, in this order:

    1. check    no page has an error banner; every article page holds every note
    2. assets   the annotator's CSS and JS, written once; each page links the ones it uses
    3. links    `annotator:` addresses become relative links (and must point somewhere)
    4. data     ClaimReview in each article page; W3C Web Annotations in data/
    5. CSP      a Content Security Policy right after <meta charset>, allowing the theme's
                inline code by hash; any other inline script or style fails the build
    6. search   the theme's index (if its search box is on): one entry per note, every entry's
                title and text sanitized; else removed. The search page's index (Pagefind)
                and its whole-site file for reading from disk
    7. edition  the one-file edition of each article in downloads/

It raises AnnotationError (path: what; how to fix) when the site cannot be published.
"""

from __future__ import annotations

import html
import importlib.util
import json
import posixpath
from collections.abc import Iterator
from pathlib import Path

from markdown.serializers import to_html_string

from . import csp, generated, opendata, pages, search
from .assets import ASSETS, shipped
from .errors import ProblemCollector
from .htmlscan import BuiltPage, body_fragment
from .inputs import write_text
from .paths import COMMAND
from .pipeline import AnnotatedArticle, Publication, prepare
from .siteconfig import SiteConfig
from .standalone import standalone_html

ASSET_DIR = "assets/annotator"
PAGE_ASSETS = {  # what each kind of annotated content needs, in load order
    "article": ("annotator.css", "sidenotes.js"),
    "claims": ("annotator.css", "pages.css", "claims.css", "claims.js"),
    "search": ("annotator.css", "pages.css", "search.js"),
    "other": ("annotator.css", "pages.css"),
}
NOT_SEARCHED = {"claims", "sources", "search"}  # sections whose pages repeat the notes, or are the search


def built_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def url_of(docs_relative: str, pages: set[str]) -> str | None:
    """The built page of a source page: x.md -> x.html or x/index.html (directory URLs)."""
    stem = docs_relative.removesuffix(".md")
    for candidate in (f"{stem}.html", f"{stem}/index.html", f"{stem.removesuffix('index')}index.html"):
        if candidate in pages:
            return candidate
    return None


def relative(target: str, page: str) -> str:
    """A link from one built page to a site path, as a relative address."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def generator_of(site: Path) -> str:
    index = (site / "index.html").read_text(encoding="utf-8") if (site / "index.html").exists() else ""
    return "zensical" if 'content="zensical' in index else "mkdocs"


def template_dirs(config: SiteConfig, generator: str) -> list[Path]:
    package = "zensical" if generator == "zensical" else "material"
    theme = Path(importlib.util.find_spec(package).origin).parent / "templates"
    return [d for d in (config.custom_dir, theme) if d]


class Site:
    """A built site being completed: its pages, where each article went, and what is wrong."""

    def __init__(self, config: SiteConfig, site: Path, publication: Publication):
        self.config, self.root, self.publication = config, site, publication
        self.pages = built_pages(site)
        self.page_set = set(self.pages)
        self.docs = config.docs_dir.resolve()
        self.problems = ProblemCollector()
        self.generator = generator_of(site)
        self.trusted = csp.TrustedCode.from_templates(template_dirs(config, self.generator))
        self.article_pages: dict[str, AnnotatedArticle] = {}
        self.markers: dict[str, set[str]] = {}  # what annotated content each page holds
        self.views: dict[str, str] = {}  # "claims/claims-<slug>.html" -> the derived page
        self.theme_search = False  # whether any page has the theme's search box
        for item in publication.articles:
            page = url_of(item.article.path.resolve().relative_to(self.docs).as_posix(), self.page_set)
            if page is None:
                self.problems.add(item.article.path, 1, 1, "this article has no built page", "check the site's nav")
            else:
                self.article_pages[page] = item

    def absolute(self, page: str) -> str:
        return f"{self.config.site_url}/{page}" if self.config.site_url else page

    def resolve(self, value: str, page: str) -> str | None:
        """An `annotator:` address as a link relative to page, or None if it points nowhere."""
        kind, _, rest = value.removeprefix("annotator:").partition("/")
        path, _, fragment = rest.partition("#")
        if kind == "site":
            target = path
        elif kind == "view":  # a per-article page derived from the Claims or Sources page
            target = self.views.get(path)
            if target is None:
                return None
        elif kind == "doc":
            target = url_of(path, self.page_set)
            if target is None:
                return None
        else:
            return None
        link = relative(target, page)
        return f"{link}#{fragment}" if fragment else link

    def check_page(self, page: str, built: BuiltPage, item: AnnotatedArticle | None) -> None:
        """A page with an error banner (a problem the extension found) or an article missing notes."""
        missing = [n.note_id for n in item.notes if n.note_id not in built.ids] if item is not None else []
        for error in built.errors:
            self.problems.add(
                self.root / page, 1, 1, f"the built page has problems: {error}", f"run {COMMAND} validate for the lines"
            )
        if missing:
            self.problems.add(
                self.root / page,
                1,
                1,
                f"the built page of {item.article.path} has {len(missing)} of its {len(item.notes)} notes missing",
                "list annotator in mkdocs.yml's markdown_extensions (see README), then rebuild",
            )

    def complete(self, page: str) -> None:
        """Check one page, then add its assets, links, data and policy: one parse, one write."""
        path = self.root / page
        built = BuiltPage(path.read_text(encoding="utf-8"))
        self.markers[page] = built.markers
        self.theme_search = self.theme_search or built.theme_search
        item = self.article_pages.get(page)
        self.check_page(page, built, item)
        for node in built.links():
            value = node.attributes.get("href") or ""
            target = self.resolve(value, page)
            if target is None:
                self.problems.add(path, built.line_of(value), 1, f"link to {value!r} points to no page", "rebuild")
                target = "#"
            node.attrs["href"] = target
        additions = self.head_additions(page, built.markers, item)
        policy, refused = csp.policy_for(built.inline(), self.trusted, self.generator, wasm="search" in built.markers)
        for inline in refused:
            self.problems.add(
                path,
                built.line_of(inline.code),
                1,
                f"an inline <{inline.tag}> that the theme did not write: {inline.code[:60]!r}",
                "content must never carry code; find which field put it there and report it",
            )
        content = html.escape(policy, quote=True)
        if not built.add_to_head(f'<meta http-equiv="Content-Security-Policy" content="{content}">', first=True):
            self.problems.add(path, 1, 1, "page has no <head>", "the theme must write one")
            return
        if additions:
            built.add_to_head(additions)
        path.write_text(built.html(), encoding="utf-8")

    def head_additions(self, page: str, markers: set[str], item: AnnotatedArticle | None) -> str:
        kind = next((k for k in ("article", "claims", "search") if k in markers), None)
        kind = kind or ("other" if markers else None)
        tags = []
        for name in PAGE_ASSETS.get(kind, ()):
            href = html.escape(relative(f"{ASSET_DIR}/{name}", page), quote=True)
            tags.append(
                f'<link rel="stylesheet" href="{href}">'
                if name.endswith(".css")
                else f'<script src="{href}" defer></script>'
            )
        if item is not None:
            reviews = opendata.claim_reviews(item, self.absolute(page), self.config.site_name)
            tags.append(f'<script type="application/ld+json">{generated.script_json(reviews)}</script>')
        return "".join(tags)

    def write_assets(self) -> None:
        for asset in sorted(ASSETS.iterdir()):
            write_text(self.root, f"{ASSET_DIR}/{asset.name}", shipped(asset.name))

    def derive_views(self) -> None:
        """Per-article pages made from the site's Claims and Sources pages: the page as the theme
        built it, with its section replaced by one article's (or one page of sources). They are
        written before the pages are completed, so they get links, assets and policy like any other."""
        kinds = (("claims", pages.claims_views), ("sources", pages.sources_views))
        shells = self._section_shells([name for name, _ in kinds])
        for name, views in kinds:
            if name not in shells:
                continue
            shell, text = shells[name]
            self.views[f"{name}/index"] = shell
            for filename, title, section in views(self.publication):
                page = posixpath.join(posixpath.dirname(shell), filename)
                built = BuiltPage(text)
                built.section(name).replace_with(body_fragment(to_html_string(section))[0])
                built.set_title(f"{title} - {self.config.site_name}")
                write_text(self.root, page, built.html())
                self.views[f"{name}/{filename}"] = page
                if page not in self.page_set:
                    self.pages.append(page)
                    self.page_set.add(page)

    def _section_shells(self, names: list[str]) -> dict[str, tuple[str, str]]:
        """name -> (the first page holding that generated section, its text): each page read once,
        parsed only when its text mentions a section."""
        found: dict[str, tuple[str, str]] = {}
        for page in self.pages:
            if len(found) == len(names):
                break
            text = (self.root / page).read_text(encoding="utf-8")
            wanted = [n for n in names if n not in found and f'data-annotator-section="{n}"' in text]
            if wanted:
                built = BuiltPage(text)
                found.update((n, (page, text)) for n in wanted if built.section(n) is not None)
        return found

    def write_search(self) -> None:
        """The search page's index, when the site has a search page: every note, every article's
        text, and the other pages' text (not those that list the notes again), streamed to
        Pagefind and to the whole-site file for reading from disk."""
        if any("search" in markers for markers in self.markers.values()):
            search.write_search_index(self.root, self.search_records())

    def search_records(self) -> Iterator[search.Record]:
        for page in self.pages:
            if page.startswith("downloads/") or page == "404.html" or self.markers.get(page, set()) & NOT_SEARCHED:
                continue
            item = self.article_pages.get(page)
            if item is not None:
                yield from search.note_records(item, page)
                yield search.article_record(item, page)
            elif (record := search.page_record(self.root, page)) is not None:
                yield record

    def write_data(self) -> None:
        for page, item in sorted(self.article_pages.items()):
            collection = opendata.web_annotations(item, self.absolute(page))
            write_text(
                self.root,
                generated.data_path(item.article.slug),
                json.dumps(collection, ensure_ascii=False, indent=1) + "\n",
            )
            write_text(self.root, generated.download_path(item.article.slug), standalone_html(item))


def postbuild(config: SiteConfig, site: Path | None = None, publication: Publication | None = None) -> Site:
    """Complete the built site at `site` (default: the config's site_dir); raise if it cannot be published."""
    site = site or config.site_dir
    publication = publication or prepare(config.docs_dir, config.annotations_dir)
    built = Site(config, site, publication)
    built.write_assets()
    built.derive_views()
    for page in built.pages:
        built.complete(page)
    if built.theme_search:  # the theme's search box, and its index, with one entry per note
        search.add_notes(site, built.article_pages, built.generator)
    else:  # its index is loaded by nothing (Zensical writes an empty one even with search off)
        search.remove_theme_index(site, built.generator)
    built.write_search()
    built.write_data()
    built.problems.raise_if_any()
    return built
