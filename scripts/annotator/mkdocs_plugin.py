"""The MkDocs adapter: a plugin (`plugins: [annotator]` in mkdocs.yml), the only module that imports
mkdocs. The merge itself is the `annotator` Markdown extension, which Zensical runs too; this
plugin only wires MkDocs' build events to the same core calls `scripts/build` runs after
`zensical build`:

    on_startup    remember whether this is `mkdocs serve` (a preview shows problems, not fails)
    on_config     read MkDocs' parsed config once (siteconfig.from_mkdocs); give the extension
                  absolute folders, adding it to markdown_extensions if the config did not
    on_pre_build  set the folders postbuild writes whole (search index, data, editions) and the
                  pages it derives aside before the site folder is emptied, so a build writes
                  again only the files that changed (kept.set_aside)
    on_files      check every page and annotation before any page is read
    on_pre_page   a page (an article, or one with generated sections) whose Markdown, notes
                  and settings are those of an earlier build takes that build's converted HTML
                  from the cache (serving: in memory; an article's also on disk, for a new
                  process) instead of being converted again
    on_env        serving: a page whose content and site are those of the last build takes that
                  build's rendered template from the cache instead of being rendered again
    on_serve      watch the annotation folder, so an edit there reloads the preview
    on_post_page  serving: a page the theme built as last time is written completed at once
    on_post_build `annotator postbuild`: assets, links, CSP, data, search, one-file editions;
                  then the cache forgets what this build did not use (cache.CACHE.sweep) and
                  trims what it keeps on disk for later builds (cache.Disk.trim)
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial
from pathlib import Path
from types import SimpleNamespace

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.plugins import BasePlugin, event_priority

from .errors import AnnotationError, Problem
from .siteconfig import SiteConfig, from_mkdocs

log = logging.getLogger("mkdocs.plugins.annotator")


def read_mkdocs_config(path: Path) -> SiteConfig:
    """A command's settings from mkdocs.yml, loaded by MkDocs itself (config.read_config)."""
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # a command prints its own problems
    try:
        return from_mkdocs(load_config(str(path)))
    except ConfigurationError as error:
        raise AnnotationError(
            [Problem(str(path), 1, 1, f"the site's config is not valid: {error}", "fix it")]
        ) from None


def _rebuild_every_page(files) -> None:
    """`mkdocs build --dirty` reads and writes only the pages whose Markdown is newer than their
    HTML, so the others keep a navigation without titles (MkDocs warns that it "will likely lead
    to inaccurate navigation"), the theme's search index lists only the pages read, and a page
    here also depends on files MkDocs does not know (an article on its annotations and the
    policy; the Claims and Sources pages on every article). A dirty build here rebuilds every
    page, as a clean one does: the build's cache (cache.CACHE) makes that cheap, and the site
    it writes is the clean build's (files of removed pages are kept, as MkDocs' own --dirty keeps them)."""
    for file in files.documentation_pages():
        file.is_modified = lambda: True


def _files_digest(files) -> bytes:
    """Every file of the site and its address: what MkDocs' link processors read when a page
    is converted (a link to another page becomes that page's address)."""
    listed = sorted((f.src_uri, f.dest_uri, f.url) for f in files)
    return hashlib.sha256(repr(listed).encode()).digest()


def _included(config) -> list[Path]:
    """The files pymdownx.snippets may include in a page (its base_path)."""
    if "pymdownx.snippets" not in config.markdown_extensions:
        return []
    root = Path(config.config_file_path or ".").resolve().parent
    paths = [root / entry for entry in (config.mdx_configs.get("pymdownx.snippets") or {}).get("base_path") or ["."]]
    return sorted(f for p in paths for f in ([p] if not p.is_dir() else [p, *p.rglob("*")]))


def _remember_render(page, state, content) -> None:
    """Replace this page's render(config, files) with one that answers from the cache while
    state(page.markdown) (what the page's conversion reads: its Markdown, its notes, the
    converter's settings, the site's files) is that of the build that converted it; state
    None: converted as usual. content(markdown): the same as bytes, for the cache on disk (a
    new process), or None. Everything render() sets is kept, links to other files by their
    path (the files are new objects each build), and the warnings it logged are logged again."""
    from .cache import CACHE

    convert = page.render

    def render(config, files):
        current = state(page.markdown)
        if current is None:
            return convert(config, files)
        fresh = []

        def compute():
            fresh.append(True)
            records: list[logging.LogRecord] = []
            handler = logging.Handler(logging.WARNING)
            handler.emit = records.append
            logger = logging.getLogger("mkdocs")
            logger.addHandler(handler)
            try:
                convert(config, files)
            finally:
                logger.removeHandler(handler)
            links = {f.src_uri: anchors for f, anchors in (page.links_to_anchors or {}).items()}
            return page.content, page.toc, page._title_from_render, page.present_anchor_ids, links, records

        made_from = partial(content, page.markdown)
        html, toc, title, anchors, links, records = CACHE.get(
            ("page", page.file.abs_src_path), current, compute, for_later=True, content=made_from
        )
        if not fresh:  # from memory: set what render() sets, and say again what it said
            page.content, page.toc, page._title_from_render, page.present_anchor_ids = html, toc, title, anchors
            if page.links_to_anchors is not None or links:
                page.links_to_anchors = {files.get_file_from_path(uri): a for uri, a in links.items()}
            for record in records:
                logging.getLogger(record.name).handle(record)

    page.render = render


class _RememberedTemplate:
    """A theme template whose render(context) for a page answers from the cache while what the
    page's output is made from is unchanged: the page (its HTML, table of contents, title,
    metadata, address), the build (its navigation, files, settings, templates: `site()`,
    computed once per build once every page is converted) and the template's name. Anything
    else (includes, other templates' contexts) goes to the template itself."""

    def __init__(self, template, site):
        self._template, self._site = template, site

    def __getattr__(self, name):
        return getattr(self._template, name)

    def render(self, *args, **kwargs):
        from .cache import CACHE

        context = args[0] if len(args) == 1 and not kwargs else None
        page = context.get("page") if context is not None else None
        if page is None or getattr(page, "file", None) is None or page.content is None:
            return self._template.render(*args, **kwargs)
        own = (page.content, _toc(page.toc), page.title, repr(page.meta), page.url, page.file.src_uri)
        more = (page.canonical_url, page.edit_url, page.is_homepage, page.file.inclusion, context.get("base_url"))
        state = (self._template.name, own, more, self._site())
        return CACHE.get(("output", page.file.abs_src_path), state, lambda: self._template.render(context))


class _CompiledTemplates:
    """Each build's theme has a new Jinja environment, which would compile every template
    again: the compiled code is kept in the one cache instead, by the template's source (and
    the environment's extensions, which change what it compiles to). Jinja's bytecode cache
    interface: the loader asks get_bucket for the code, and hands back what it compiled."""

    def get_bucket(self, environment, name, filename, source):
        from .cache import CACHE

        state = (source, tuple(sorted(environment.extensions)))
        code = CACHE.get(("template", name, filename), state, lambda: environment.compile(source, name, filename))
        return SimpleNamespace(code=code)

    def set_bucket(self, bucket):
        pass  # get_bucket compiled and stored it


def _toc(links) -> tuple:
    return tuple((a.title, a.id, a.level, _toc(a.children)) for a in links)


def _settings_digest(config) -> bytes:
    """The site's settings as the templates read them (plugins by their options)."""
    settings = [(k, v) for k, v in config.items() if k != "plugins"]
    plugins = [(name, dict(plugin.config)) for name, plugin in config.plugins.items()]
    return hashlib.sha256(repr((settings, plugins)).encode()).digest()


def _templates_state(dirs) -> tuple:
    """The theme's templates (the HTML files of its folders: pages, partials), by fingerprint.
    Walked with os.walk on strings: the theme's folders also hold thousands of icons."""
    import os

    from .cache import fingerprints

    def html_files(top: str) -> list[str]:
        return sorted(os.path.join(d, n) for d, _, names in os.walk(top) for n in names if n.endswith(".html"))

    return tuple((d, fingerprints(html_files(d))) for d in dirs)


class AnnotatorConfig(base.Config):
    enabled = c.Type(bool, default=True)
    postbuild = c.Type(bool, default=True)  # complete the site after the build (assets, CSP, data...)


class AnnotatorPlugin(BasePlugin[AnnotatorConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.serving = self.dirty = False
        self.files_digest = b""
        self.converting: tuple = ()
        self.converting_content: bytes | None = None
        self.nav = None
        self.site: SiteConfig | None = None
        self.written: dict[str, tuple[str, str, bytes]] = {}  # serving: the pages MkDocs wrote this build

    def on_startup(self, *, command, dirty):
        from .cache import CACHE

        self.serving = command == "serve"
        self.dirty = dirty
        CACHE.later_builds = self.serving  # a one-off build keeps no page for a build to come

    def _fail(self, error: AnnotationError, what: str) -> None:
        """A build stops with every problem; a preview keeps serving and shows them on the page."""
        message = f"{what}: {len(error.problems)} problem(s):\n{error}"
        if self.serving:
            log.warning(message)
        else:
            raise PluginError(message)

    def on_config(self, config):
        if not self.config.enabled:
            return config
        if "annotator" not in config.markdown_extensions:
            config.markdown_extensions.append("annotator")
        self.site = from_mkdocs(config)
        options = config.mdx_configs.setdefault("annotator", {})
        options.update(docs_dir=str(self.site.docs_dir), annotations_dir=str(self.site.annotations_dir))
        # The repository the notes link to for a fix: the extension's own repo_url (MkDocs'
        # repo_url, if set, makes the theme fetch repository statistics on every page).
        options.setdefault("repo_url", self.site.repo_url)
        options.setdefault("edit_uri", self.site.edit_uri)
        options["repo_root"] = str(self.site.config_file.parent)
        return config

    def on_pre_build(self, *, config):
        """A build starts: each file is looked at once until it ends (cache.Cache.building).
        The folders postbuild writes whole (search index, data, editions) and the pages it
        derives are set aside before MkDocs empties the site folder, so this build writes again
        only the files that changed since the last (in this process or, by the record the cache
        keeps on disk, another: kept.set_aside)."""
        if not self.config.enabled:
            return
        from .cache import CACHE

        CACHE.building(True)
        self.written = {}
        if self.config.postbuild:
            from .kept import set_aside

            set_aside(Path(config.site_dir))

    def on_build_error(self, *, error):
        from .cache import CACHE

        CACHE.building(False)

    def on_files(self, files, *, config):
        if not self.config.enabled:
            return files
        from .pagecheck import check_site

        try:
            check_site(self.site)
        except AnnotationError as error:
            self._fail(error, "annotations and pages")
        if self.dirty:
            _rebuild_every_page(files)
        self.files_digest = _files_digest(files)
        # What converting any page reads besides its own Markdown and notes (see on_pre_page);
        # as bytes for the cache on disk (none if snippets may include many files).
        from .cache import file_content, fingerprints

        settings = (repr(config.markdown_extensions), repr(config.mdx_configs), config.use_directory_urls)
        included = _included(config)
        self.converting = (settings, repr(config.validation), self.files_digest, fingerprints(included))
        files_read = file_content(included) if len(included) <= 100 else None
        self.converting_content = None
        if files_read is not None:
            self.converting_content = repr(self.converting[:3]).encode() + files_read
        return files

    def on_pre_page(self, page, *, config, files):
        """An article's or a generated section's page conversion is remembered (see
        _remember_render): it depends on its Markdown, what the extension reads for it
        (extension.page_state), the settings, the site's files and the files snippets include.
        Under `mkdocs serve` in memory; an article's also on disk (extension.state_content),
        for the next build in a new process."""
        if not self.config.enabled:
            return page
        from .extension import page_state, state_content

        docs, annotations, site = str(self.site.docs_dir), str(self.site.annotations_dir), self.converting
        states: dict[str, tuple | None] = {}

        def state(markdown: str):
            found = states[markdown] = page_state(markdown, docs, annotations)
            return None if found is None else (markdown, found, site)

        def content(markdown: str) -> bytes | None:
            found = state_content(states.get(markdown))
            if found is None or self.converting_content is None:
                return None
            return repr(markdown).encode() + b"\0" + found + b"\0" + self.converting_content

        _remember_render(page, state, content)
        return page

    def on_nav(self, nav, *, config, files):
        self.nav = nav
        return nav

    def on_env(self, env, *, config, files):
        """Under `mkdocs serve`, each page's rendered template is remembered
        (_RememberedTemplate): a rebuild renders again only the pages whose content, or the
        site's navigation, settings or templates, changed (the navigation lists every page, so a
        new title renders every page again). Not in a one-off build (see on_pre_page)."""
        if not (self.config.enabled and self.serving):
            return env
        built: list = []
        nav, templates = self.nav, _templates_state(config.theme.dirs)

        def site():
            if not built:  # once per build, when the first page is rendered: every title is known
                metadata = tuple(repr(p.meta) for p in nav.pages)  # the theme shows some (icon, status)
                built.append((str(nav), metadata, nav.homepage and nav.homepage.url, self.files_digest))
                built.append((_settings_digest(config), templates))
            return tuple(built)

        env.bytecode_cache = _CompiledTemplates()
        get_template = env.get_template
        env.get_template = lambda *args, **kwargs: _RememberedTemplate(get_template(*args, **kwargs), site)
        return env

    def on_shutdown(self):
        from .cache import CACHE

        CACHE.later_builds = True  # the default, for whatever runs next in this process
        CACHE.building(False)

    def on_serve(self, server, *, config, builder):
        if self.config.enabled:  # an edit to a note, the policy or the package's CSS/JS reloads the preview
            for folder in (self.site.annotations_dir, Path(__file__).with_name("assets")):
                if folder.is_dir():
                    server.watch(str(folder))
        return server

    @event_priority(-1000)  # after every other plugin: what this returns is what MkDocs writes
    def on_post_page(self, output, *, page, config):
        """Serving: a page the theme built as last time is written as the last build completed
        it (postbuild.completed_before); postbuild then checks it without reading it back, and
        writes it again only if something else it depends on changed. (A plugin changing pages
        on disk in its own on_post_build before this one's would not be seen: none here does.)"""
        if not (self.config.enabled and self.config.postbuild and self.serving):
            return output
        from .postbuild import completed_before

        written, digest = completed_before(Path(config.site_dir), page.file.dest_uri, output)
        self.written[page.file.dest_uri] = (output, written, digest)
        return written

    @event_priority(-50)  # after the search plugin writes its index (0), before offline inlines it (-100)
    def on_post_build(self, *, config):
        from .cache import CACHE

        if not (self.config.enabled and self.config.postbuild):
            CACHE.building(False)
            return
        from .postbuild import postbuild, preview

        try:
            postbuild(self.site, Path(config.site_dir), written=self.written)
        except AnnotationError as error:
            self._fail(error, "the built site")
            preview(self.site, Path(config.site_dir))  # serving (a build stopped above): keep the styles
        finally:
            CACHE.sweep()  # forget what this build did not use: a long serve holds only the current site
            CACHE.building(False)
            CACHE.disk.trim()  # and the disk, its least recently used entries beyond its limit
            self.written = {}
