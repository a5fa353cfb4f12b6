"""The merge as a Python-Markdown extension, loaded by name by any generator that renders with
Python-Markdown (MkDocs, Zensical):

    markdown_extensions:
      - annotator:
          docs_dir: docs                 # where article pages are (relative to the current folder)
          annotations_dir: annotations   # where their annotation folders and the policy are
          repo_url: https://github.com/owner/name   # optional: each note links to a fix there
          edit_uri: edit/main/                      # optional, MkDocs' setting (its branch is used)

The repository is the extension's option, not MkDocs' `repo_url`: with that set, the theme
fetches the repository's statistics from the network on every page.

Each page is converted by its own Markdown instance; the extension finds by itself whether the
page is an article (by its text, see article.page_key) and which generated section a page asks
for (a paragraph reading `[annotator: claims]`, `sources`, `articles`, `legend` or `classes`).
Links it writes to other pages and files use `annotator:` addresses that `annotator postbuild`
resolves once the site is built. A problem in an article's annotations shows as an error
banner on its page (and `postbuild` then fails), so a preview keeps working while it is fixed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from . import generated, history, pages
from .article import page_key
from .errors import AnnotationError
from .model import made_from
from .notelinks import FixLinks, repository
from .paths import ANNOTATIONS, DOCS
from .render import annotate_tree, article_body
from .safepage import SafePage
from .sidenote import element
from .store import Store

MARKER = re.compile(r"^\[annotator: ([a-z]+)(?: ([a-z0-9-]+))?\]$")
ERROR_CLASS = "annotator-errors"


class _Identify(Preprocessor):
    """Records which article (if any) this page is, from its Markdown before any change."""

    def __init__(self, md, extension: AnnotatorExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines):
        self.extension.article = self.extension.store.article_for(page_key("\n".join(lines)))
        return lines


def error_banner(error: AnnotationError, fallback: bool) -> etree.Element:
    """The problems, in full, at the top of the page (seen only in a preview: a build fails)."""
    intro = "This page's annotations have problems" + (
        "; the notes shown are from the last version that built." if fallback else "; no notes are shown."
    )
    items = [element("li", None, str(p)) for p in error.problems[:50]]
    return element(
        "div",
        {"class": ERROR_CLASS, "role": "alert"},
        None,
        element("p", None, intro),
        element("ul", None, None, *items),
    )


class _Annotate(Treeprocessor):
    """Marks the assertions of an article page and adds its header and data."""

    def __init__(self, md, extension: AnnotatorExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        article = self.extension.article
        if article is None or self.extension.getConfig("check_only"):
            return
        result = self.extension.store.result(article)
        item = result.annotated or result.last_good
        body = article_body(root, article)
        dates = history.article_history(item, self.extension.store.annotations) if item is not None else None
        if item is not None:
            try:
                repo = self.extension.repository
                fixes = FixLinks(repo, article) if repo is not None else None
                annotate_tree(body, article, list(item.notes), self.md.htmlStash.store, fixes, dates)
            except AnnotationError as error:
                result.error, item = error, None
        if result.error is not None:
            root.append(error_banner(result.error, fallback=item is not None))
        root.append(generated.article_header(article, item, views=self.extension.store.views(), history=dates))
        if (choices := generated.reader_filter(item)) is not None:  # before the body: its CSS reads ~
            root.append(choices)
        root.append(body)
        if item is not None and (legend := generated.classes_legend(item)) is not None:
            root.append(legend)
        if item is not None:
            anchors = (
                self.md.treeprocessors["mkdocs_extract_anchors"]
                if "mkdocs_extract_anchors" in self.md.treeprocessors
                else None
            )
            if anchors is not None:  # MkDocs checks links to these ids against the ids it saw
                anchors.present_anchor_ids.update(
                    i for n in item.notes for i in (n.anchor_id, n.note_id, *n.former_ids)
                )


class _Sections(Treeprocessor):
    """Replaces each `[annotator: name]` paragraph with the generated section it names."""

    def __init__(self, md, extension: AnnotatorExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        markers = [(p, MARKER.match((p.text or "").strip())) for p in root.iter("p") if not len(p)]
        markers = [(p, m) for p, m in markers if m]
        if not markers:
            return
        safe = self.extension.safe
        if self.extension.article is not None:  # an article is the text as published: no sections
            for _, match in markers:
                safe.found(
                    f"a section {match.group()!r}", match.group(), "article pages cannot hold generated sections"
                )
            return
        unknown = [(p, m) for p, m in markers if m.group(1) not in pages.SECTIONS]
        for _, match in unknown:
            safe.found(f"an unknown section {match.group()!r}", match.group(), "known: " + ", ".join(pages.SECTIONS))
        markers = [(p, m) for p, m in markers if m.group(1) in pages.SECTIONS]
        if self.extension.getConfig("check_only"):
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        publication = self.extension.store.publication()
        for paragraph, match in markers:
            if isinstance(publication, AnnotationError):
                section = error_banner(publication, fallback=False)
            else:
                section = pages.section(match.group(1), match.group(2), publication)
            parent = parents[paragraph]
            index = list(parent).index(paragraph)
            section.tail = paragraph.tail
            parent.remove(paragraph)
            parent.insert(index, section)


class _Problems(Treeprocessor):
    """A page whose Markdown asked for something the site does not publish says so at its top
    (a preview shows it; `annotator postbuild` fails a build on it; `validate` gives the lines)."""

    def __init__(self, md, extension: AnnotatorExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        findings = self.extension.safe.findings
        if findings:
            items = [element("li", None, f"{f.message}; {f.hint}") for f in findings[:50]]
            intro = "This page asks for markup the site does not publish (run annotator validate for the lines):"
            banner = element("div", {"class": ERROR_CLASS, "role": "alert"}, None, element("p", None, intro))
            banner.append(element("ul", None, None, *items))
            root.insert(0, banner)


class AnnotatorExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "docs_dir": [DOCS, "Folder of the site's pages (relative to the current folder)"],
            "annotations_dir": [ANNOTATIONS, "Folder of the annotation folders and the reliability policy"],
            "repo_url": ["", "The site's repository (https://github.com/owner/name): notes link to a fix there"],
            "edit_uri": ["", "MkDocs' edit_uri (edit/<branch>/docs/): the branch the edit links open"],
            "repo_root": ["", "Folder that repository paths start from (default: the current folder)"],
            "check_only": [False, "Only report what a page asks for that is refused (pagecheck): no notes, sections"],
        }
        super().__init__(**kwargs)
        self.article = None
        self.safe = SafePage()  # every page is contributor input

    @property
    def repository(self):
        return repository(self.getConfig("repo_url"), self.getConfig("edit_uri"), self.getConfig("repo_root") or None)

    @property
    def store(self) -> Store:
        return Store(self.getConfig("docs_dir"), self.getConfig("annotations_dir"))  # its state is in the cache

    def extendMarkdown(self, md):
        md.registerExtension(self)
        self.safe.extendMarkdown(md)  # raw HTML off, the page's tree cleaned (priority 7)
        # Priority -10: last, once the page and the sections have said what they refused.
        md.treeprocessors.register(_Problems(md, self), "annotator_problems", -10)
        # Priority 35: before snippets (32) and whitespace normalization (30) change the lines.
        md.preprocessors.register(_Identify(md, self), "annotator_identify", 35)
        # Priority 6: before toc and MkDocs' anchor and link processors (5, 0) see the sections.
        md.treeprocessors.register(_Sections(md, self), "annotator_sections", 6)
        # Priority -5: after inline parsing (20) and unescaping (0), so the article's text is final.
        md.treeprocessors.register(_Annotate(md, self), "annotator_article", -5)

    def reset(self):
        self.article = None
        self.safe.reset()


def page_state(markdown: str, docs_dir: str, annotations_dir: str) -> tuple | None:
    """What the extension adds to a page depends on, besides the page's Markdown and the
    extension's options: for an article, its annotated result, its notes' history and the
    site's views; for a page asking for generated sections, the publication's listing
    (pages.listing: not the notes' text). None for any other page, or while the publication
    has problems (its banner is shown): such pages are converted anew. A generator may reuse a
    page's converted HTML while this state, the Markdown and its own settings are unchanged
    (the MkDocs plugin does)."""
    store = Store(docs_dir, annotations_dir)
    article = store.article_for(page_key(markdown))
    if article is None:
        if "[annotator:" not in markdown:
            return None
        publication = store.publication()
        return None if isinstance(publication, AnnotationError) else ("sections", pages.listing(publication))
    result = store.result(article)
    item = result.annotated or result.last_good
    dates = history.article_history(item, store.annotations) if item is not None else None
    return article, result, dates, store.views()


def state_content(state: tuple | None) -> bytes | None:
    """An article's page_state as bytes that stay the same from one process to the next (the
    cache's key on disk: its inputs' digest, its notes' history, the site's views); None for
    any other page, or an article with problems."""
    if state is None or state[0] == "sections":
        return None
    _, result, dates, views = state
    item = result.annotated
    if result.error is not None or item is None or not item.inputs:
        return None
    return made_from(item, dates, views)


def makeExtension(**kwargs):  # noqa: N802 (Python-Markdown's name)
    return AnnotatorExtension(**kwargs)
