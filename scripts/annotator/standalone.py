"""The single-file edition: one self-contained page per article (styles inlined, no script, no
external request) that reads like the site's article page on screen, on a phone and in print.

`standalone_html(item)` converts the article with plain Python-Markdown, annotates it, and
builds the whole document as elements around it (so every field is escaped by construction).
"""

from __future__ import annotations

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .assets import shipped
from .csp import STANDALONE_POLICY
from .generated import article_header, classes_legend, reader_filter
from .pipeline import AnnotatedArticle
from .render import annotate_tree, article_body
from .safepage import SafePage
from .sidenote import element

PAGE_CSS = """
:root { color-scheme: light dark; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: light-dark(#1d1d1b, #e4e2dc); background: light-dark(#fffefb, #1e1f26); }
main { max-width: 64rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
a { color: light-dark(#0b57d0, #8ab4f8); }
:root { --sn-header: 1rem; }
@media print { main { max-width: none; padding: 0; } body { background: none; } }
"""


class _Document(Treeprocessor):
    """Annotates the article, then wraps it in the whole document."""

    def __init__(self, md, item: AnnotatedArticle):
        super().__init__(md)
        self.item = item

    def run(self, root):
        article = self.item.article
        body = article_body(root, article)
        annotate_tree(body, article, list(self.item.notes), self.md.htmlStash.store)
        css = PAGE_CSS + shipped("annotator.css")
        choices = reader_filter(self.item)  # before the body: the filter's CSS reads ~ siblings
        head = element(
            "head",
            None,
            None,
            element("meta", {"charset": "utf-8"}),
            element("meta", {"http-equiv": "Content-Security-Policy", "content": STANDALONE_POLICY}),
            element("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
            element("title", None, article.title),
            element("style", None, css),
        )
        legend = classes_legend(self.item)
        header = article_header(article, self.item, site_links=False)
        main = element("main", None, None, element("article", None, None, header, choices, body, legend))
        document = element("html", {"lang": "en"}, None, head, element("body", {"class": "sn-standalone"}, None, main))
        root.append(document)


class _StandaloneExtension(Extension):
    def __init__(self, item: AnnotatedArticle):
        super().__init__()
        self.item = item

    def extendMarkdown(self, md):
        # Priority -5: after inline parsing (20) and unescaping (0), so the article's text is final.
        md.treeprocessors.register(_Document(md, self.item), "standalone_document", -5)


def standalone_html(item: AnnotatedArticle) -> str:
    """A complete, self-contained HTML document of the annotated article."""
    md = markdown.Markdown(extensions=[SafePage(), _StandaloneExtension(item)])
    return "<!doctype html>\n" + md.convert(item.article.body_markdown) + "\n"
