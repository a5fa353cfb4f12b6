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

import hashlib
import html
import importlib.util
import json
import os
import posixpath
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from markdown.serializers import to_html_string

from . import csp, feed, generated, history, kept, opendata, pages, search
from .article import markdown_files
from .assets import ASSETS, shipped
from .cache import CACHE, fingerprints
from .errors import ProblemCollector
from .htmlscan import SECTION, BuiltPage, body_fragment
from .inputs import inside, write_text
from .model import made_from
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
NOT_SEARCHED = {
    "claims",
    "sources",
    "search",
    "corrections",
}  # sections whose pages repeat the notes, or are the search


DOWNLOADS = f"{generated.DOWNLOADS_DIR}/"  # one-file editions: complete documents of our own, not theme pages


def built_pages(site: Path) -> list[str]:
    """The site's HTML pages, site-relative. Hidden entries are not pages: MkDocs writes none,
    and a rebuild under serve keeps the last build's folders under hidden names (kept.py)."""
    pages = []
    for folder, subfolders, files in os.walk(site):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        where = Path(folder).relative_to(site).as_posix()
        pages += [
            name if where == "." else f"{where}/{name}"
            for name in files
            if name.endswith(".html") and not name.startswith(".")
        ]
    return sorted(p for p in pages if not p.startswith(DOWNLOADS))


CSP_META = '<meta http-equiv="Content-Security-Policy"'


def completed(text: str) -> bool:
    """Whether postbuild already completed this page (a page `mkdocs build --dirty` left as it
    was): its policy is the first thing in its head, and nothing is added twice."""
    return CSP_META in text[:4096]


def trusted_code(dirs: list[Path]) -> csp.TrustedCode:
    """The theme's inline code, read again only when a template changes."""
    state = tuple((d, fingerprints(sorted(d.rglob("*.html")))) for d in dirs)
    return CACHE.get(("trusted", tuple(dirs)), state, lambda: csp.TrustedCode.from_templates(dirs))


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

    def __init__(
        self,
        config: SiteConfig,
        site: Path,
        publication: Publication,
        written: dict[str, tuple[str, str, bytes]] | None = None,
    ):
        self.config, self.root, self.publication = config, site, publication
        # Pages the generator handed over (MkDocs under serve): page -> (its HTML as the theme
        # built it, what was written for it: that HTML, or the page as the last build completed
        # it, and the HTML's digest: completed_before). Such a page is not read back or hashed
        # again, and not written again if what was written is what completing it gives.
        self.written = written or {}
        self.pages = built_pages(site)
        self.page_set = set(self.pages)
        self.docs = config.docs_dir.resolve()
        self.problems = ProblemCollector()
        self.generator = generator_of(site)
        self.trusted = trusted_code(template_dirs(config, self.generator))
        self.article_pages: dict[str, AnnotatedArticle] = {}
        self.markers: dict[str, set[str]] = {}  # what annotated content each page holds
        self.views: dict[str, str] = {}  # "claims/claims-<slug>.html" -> the derived page
        self.done: set[str] = set()  # pages completed
        self.derived = kept.Pages(site)  # the per-article pages derive_views writes
        self._links: tuple | None = None  # set once the views are derived (_links_state)
        self._site_made_from: bytes | None = None  # the same as bytes, for the cache on disk (_completed_from)
        self._histories: dict[str, history.ArticleHistory] = {}
        self.theme_search = False  # whether any page has the theme's search box
        for item in publication.articles:
            page = url_of(item.article.path.resolve().relative_to(self.docs).as_posix(), self.page_set)
            if page is None:
                self.problems.add(item.article.path, 1, 1, "this article has no built page", "check the site's nav")
            else:
                self.article_pages[page] = item

    def history(self, item: AnnotatedArticle) -> history.ArticleHistory:
        """The article's notes' history from git (history.py), read once per build."""
        slug = item.article.slug
        if slug not in self._histories:
            self._histories[slug] = history.article_history(item, self.config.annotations_dir)
        return self._histories[slug]

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

    def complete(self, page: str, text: str | None = None) -> None:
        """Check one page, then add its assets, links, data and policy: one parse, one write.
        The result is remembered by the page's text and everything else it depends on, so a
        rebuild (serve) re-completes only the pages whose built text or inputs changed. text:
        the page as derived in memory (derive_views), else read from the built site; a page is
        completed once."""
        if page in self.done:
            return
        self.done.add(page)
        derived, on_disk, digest = text is not None, None, None
        path = inside(self.root, page) if derived else self.root / page
        if text is None:
            text, on_disk, digest = self.written.get(page) or (path.read_text(encoding="utf-8"), None, None)
        digest = digest or hashlib.sha256(text.encode()).digest()
        item = self.article_pages.get(page)
        if completed(text):  # a page postbuild already completed: read, never completed twice
            markers, theme_search = CACHE.get(("markers", digest), None, partial(_scan_markers, text))
            self.markers[page] = markers
            self.theme_search = self.theme_search or theme_search
            return
        dates = self.history(item) if item is not None else None  # ClaimReview's dateModified
        state = (digest, item, dates, self._links_state())
        content = None if item is not None and not item.inputs else partial(self._completed_from, digest, item, dates)
        markers, output, problems, theme_search = CACHE.get(
            ("complete", str(self.root), page),
            state,
            lambda: self._complete(page, text, item),
            for_later=True,
            content=content,
        )
        self.markers[page] = markers
        self.theme_search = self.theme_search or theme_search
        self.problems.problems.extend(problems)
        if derived:
            self.derived.write(page, path, output if output is not None else text)
        elif output is not None and output is not on_disk:
            path.write_text(output, encoding="utf-8")

    def _links_state(self) -> tuple:
        """What a completed page depends on besides its own text and article."""
        if self._links is None:
            self._links = (
                frozenset(self.page_set),
                tuple(sorted(self.views.items())),
                self.trusted,
                self.generator,
                self.config.site_url,
                self.config.site_name,
            )
        return self._links

    def _completed_from(self, *parts) -> bytes:
        """What a completed page is made from (parts, and the site's links: _links_state), as
        bytes that stay the same from one process to the next: the cache's key on disk."""
        if self._site_made_from is None:  # once per build: the links state is too
            pages, views, trusted, generator, url, name = self._links_state()
            patterns = [(tag, rx.pattern) for tag, rx in trusted.patterns]
            self._site_made_from = made_from(pages, views, patterns, generator, url, name)
        return made_from(*parts) + b"\0" + self._site_made_from

    def _complete(self, page: str, text: str, item: AnnotatedArticle | None) -> tuple[set, str | None, tuple, bool]:
        """(markers, the completed page or None, problems, has the theme's search box) of one
        page's built text."""
        before = len(self.problems.problems)
        path = self.root / page
        built = BuiltPage(text)
        markers = built.markers
        self.check_page(page, built, item)
        for node in built.links():
            value = node.attributes.get("href") or ""
            target = self.resolve(value, page)
            if target is None:
                self.problems.add(path, built.line_of(value), 1, f"link to {value!r} points to no page", "rebuild")
                target = "#"
            node.attrs["href"] = target
        additions = self.head_additions(page, markers, item)
        policy, refused = csp.policy_for(built.inline(), self.trusted, self.generator, wasm="search" in markers)
        for inline in refused:
            self.problems.add(
                path,
                built.line_of(inline.code),
                1,
                f"an inline <{inline.tag}> that the theme did not write: {inline.code[:60]!r}",
                "content must never carry code; find which field put it there and report it",
            )
        content = html.escape(policy, quote=True)
        output = None
        if not built.add_to_head(f'{CSP_META} content="{content}">', first=True):
            self.problems.add(path, 1, 1, "page has no <head>", "the theme must write one")
        else:
            if additions:
                built.add_to_head(additions)
            output = built.html()
        problems = tuple(self.problems.problems[before:])
        del self.problems.problems[before:]
        return markers, output, problems, built.theme_search

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
            reviews = opendata.claim_reviews(item, self.absolute(page), self.config.site_name, self.history(item))
            tags.append(f'<script type="application/ld+json">{generated.script_json(reviews)}</script>')
        return "".join(tags)

    def write_assets(self) -> None:
        for asset in sorted(ASSETS.iterdir()):
            write_text(self.root, f"{ASSET_DIR}/{asset.name}", shipped(asset.name))

    def derive_views(self) -> None:
        """Per-article pages made from the site's Claims and Sources pages: the page as the theme
        built it, with its section replaced by one article's (or one page of sources). They are
        written before the pages are completed, so they get links, assets and policy like any other.
        Each is remembered by the shell's text and its section, so a rebuild writes what it had."""
        kinds = (("claims", pages.claims_views), ("sources", pages.sources_views))
        shells = self._section_shells([name for name, _ in kinds])
        corrections = next((name for name in ("claims", "sources") if name in shells), None)
        if corrections is not None:  # the corrections pages take the Claims page's shell, or else the Sources page's
            kinds += (("corrections", lambda p: pages.corrections_views(p, self.history)),)
            shells["corrections"] = shells[corrections]
        made: list[tuple[str, tuple, partial, partial]] = []
        for name, views in kinds:
            if name not in shells:
                continue
            shell, text = shells[name]
            shell_section = corrections if name == "corrections" else name
            if name != "corrections":
                self.views[f"{name}/index"] = shell
            fresh = not completed(text)  # else --dirty left the shell, and the pages made from it, as they were
            digest = hashlib.sha256(text.encode()).digest()
            inputs = self.publication
            if name == "corrections":  # the corrections come from git too: its state is the histories'
                inputs = (self.publication, tuple(self.history(item) for item in self.publication.articles))
            listed = CACHE.get(("views", name), inputs, lambda views=views: list(views(self.publication)))
            for view in listed:
                page = posixpath.join(posixpath.dirname(shell), view.filename)
                if fresh:
                    alone = name == "corrections"
                    state = (digest, view.state, view.title, self.config.site_name)
                    derive = partial(self._derive, text, shell_section, view.section, view.title, alone)
                    on_disk = partial(self._view_made_from, view, digest, shell_section, alone)
                    made.append((page, state, derive, on_disk))
                self.views[f"{name}/{view.filename}"] = page
                if page not in self.page_set:
                    self.pages.append(page)
                    self.page_set.add(page)
        # Once every view is known (a page's links may point to any), each is derived and
        # completed in memory, and written once (serving: linked back if unchanged, kept.Pages).
        for page, state, derive, on_disk in made:
            output = CACHE.get(("derived", str(self.root), page), state, derive, for_later=True, content=on_disk)
            self.complete(page, output)
        self.derived.finish()

    def _view_made_from(self, view: pages.View, digest: bytes, name: str, alone: bool) -> bytes | None:
        """What a derived page is made from, as bytes (the cache's key on disk), if its view says."""
        section = view.made_from()
        return None if section is None else made_from(digest, section, view.title, self.config.site_name, name, alone)

    def _derive(self, text: str, name: str, section, title: str, alone: bool = False) -> str:
        """The shell page with its section replaced by section(); alone: with what the shell's page wrote
        before the section removed too (a corrections page is not the Claims page it is made from)."""
        built = BuiltPage(text)
        node = built.section(name)
        if alone:
            before = node.prev
            while before is not None:
                previous = before.prev
                before.decompose()
                before = previous
        node.replace_with(body_fragment(to_html_string(section()))[0])
        if alone:  # the theme's "Skip to content" pointed at the shell's heading: point it at ours
            heading = built.tree.css_first(f"[{SECTION}] h1[id]")
            for skip in built.tree.css("a.md-skip"):
                if heading is not None:
                    skip.attrs["href"] = "#" + heading.attributes["id"]
        built.set_title(f"{title} - {self.config.site_name}")
        return built.html()

    def _section_shells(self, names: list[str]) -> dict[str, tuple[str, str]]:
        """name -> (the first page built from docs/ holding that generated section, its text):
        each page read once, parsed only when its text mentions a section."""
        found: dict[str, tuple[str, str]] = {}
        sources = {url_of(p.relative_to(self.docs).as_posix(), self.page_set) for p in markdown_files(self.docs)}
        for page in self.pages:
            if len(found) == len(names):
                break
            if page not in sources:  # a page derived by an earlier build (--dirty) is not a shell
                continue
            text = self.written[page][0] if page in self.written else (self.root / page).read_text(encoding="utf-8")
            wanted = [n for n in names if n not in found and f'data-annotator-section="{n}"' in text]
            if wanted:
                built = BuiltPage(text)
                found.update((n, (page, text)) for n in wanted if built.section(n) is not None)
        return found

    def write_search(self) -> None:
        """The search page's index, when the site has a search page: every note, every article's
        text, and the other pages' text (not those that list the notes again), streamed to
        Pagefind (each part of the index indexed again only when its records changed) and to
        the whole-site file for reading from disk."""
        if any("search" in markers for markers in self.markers.values()):
            search.write_search_index(self.root, self.search_records())
        else:
            kept.discard(self.root, search.PAGEFIND_DIR)

    def search_records(self) -> Iterator[search.Record]:
        for page in self.pages:
            if page.startswith("downloads/") or page == "404.html" or self.markers.get(page, set()) & NOT_SEARCHED:
                continue
            item = self.article_pages.get(page)
            if item is not None:  # the same records while the article is unchanged (search.write_search_index)
                yield from CACHE.get(("records", page), item, partial(_article_records, item, page), for_later=True)
            elif (record := self.page_record(page)) is not None:
                yield record

    def page_record(self, page: str) -> search.Record | None:
        """A page's search record, read from its HTML again only when its text changed."""
        text = (self.root / page).read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).digest()
        return CACHE.get(
            ("page-record", page),
            digest,
            partial(search.page_record, text, page),
            for_later=True,
            content=lambda: digest,
        )

    def write_feed(self) -> None:
        """The site's Atom feed of corrections (feed.py), at the site's root."""
        entries = feed.feed_entries(self.article_pages, self.views, self.history)
        data = feed.corrections_feed(self.config.site_name, self.config.site_url, entries)
        (self.root / generated.FEED_PATH).write_bytes(data)

    def write_data(self) -> None:
        """Each article's W3C annotations and one-file edition (remembered by the article's state;
        serving, a file already on disk as it would be written is left as it is: kept.Folder)."""
        data_files = kept.Folder(self.root, generated.DATA_DIR, fresh=False)
        editions = kept.Folder(self.root, generated.DOWNLOADS_DIR, fresh=False)
        for page, item in sorted(self.article_pages.items()):
            address, dates = self.absolute(page), self.history(item)
            data, edition = CACHE.get(
                ("data", item.article.slug),
                (item, address, dates),
                partial(_data, item, address, dates),
                for_later=True,
                content=partial(made_from, item, address, dates) if item.inputs else None,
            )
            data_files.write(generated.data_path(item.article.slug), data)
            editions.write(generated.download_path(item.article.slug), edition)
        data_files.finish()
        editions.finish()


def postbuild(
    config: SiteConfig,
    site: Path | None = None,
    publication: Publication | None = None,
    written: dict[str, tuple[str, str, bytes]] | None = None,
) -> Site:
    """Complete the built site at `site` (default: the config's site_dir); raise if it cannot be
    published. written: the pages the generator handed over as it wrote them (see Site)."""
    site = site or config.site_dir
    publication = publication or prepare(config.docs_dir, config.annotations_dir)
    built = Site(config, site, publication, written)
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
    built.write_feed()
    kept.tidy(site)  # nothing set aside stays hidden in the published folder
    built.problems.raise_if_any()
    return built


def completed_before(site: Path, page: str, text: str) -> tuple[str, bytes]:
    """(what to write for a page the theme built as text, text's digest): the page as the last
    build in this process completed it, when the theme built it the same as then (and it had
    no problem), else text itself. Written in its place, it is checked again by Site.complete
    (given the digest), which writes it anew if anything else it depends on changed: serve
    writes an unchanged page once, instead of writing, reading back and writing it completed."""
    digest = hashlib.sha256(text.encode()).digest()
    found = CACHE.last(("complete", str(site), page))
    if found is not None:
        state, (_, output, problems, _) = found
        if output is not None and not problems and state[0] == digest:
            return output, digest
    return text, digest


def _article_records(item: AnnotatedArticle, page: str) -> tuple[search.Record, ...]:
    return (*search.note_records(item, page), search.article_record(item, page))


def _scan_markers(text: str) -> tuple[set[str], bool]:
    built = BuiltPage(text)
    return built.markers, built.theme_search


def _data(item: AnnotatedArticle, address: str, dates: history.ArticleHistory) -> tuple[str, str]:
    """An article's W3C annotations (JSON) and its one-file edition (HTML)."""
    data = json.dumps(opendata.web_annotations(item, address, dates), ensure_ascii=False, separators=(",", ":")) + "\n"
    return data, standalone_html(item)


def preview(config: SiteConfig, site: Path | None = None) -> None:
    """What `serve` does when the annotations have problems: the pages as built (each article
    with its error banner and its last good notes), still given their styles, scripts and
    security policy, so the preview reads as the site will, not as bare HTML. Nothing is
    checked or derived: the build itself fails on those problems."""
    site = site or config.site_dir
    built = Site(config, site, Publication((), None, config.docs_dir.resolve()))
    built.write_assets()
    for page in built.pages:
        built.complete(page)
