"""A built page read the way browsers read it (an HTML5 parser: lexbor, through selectolax), for
the post-build step to check and complete it.

`BuiltPage(html)` parses once and answers what postbuild asks (markers, ids, error banners,
`annotator:` links, inline scripts and styles, a generated section, <title>), lets it edit the
tree (attributes, elements added to <head>, a section replaced) and serializes the result. A
decision about what runs on a page is never made on a different parse than the browser's: a
`<!-->` or `<style>` hidden from a naive tokenizer is seen here as the browser sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

EXECUTABLE = {"", "text/javascript", "module", "application/javascript"}
ERROR_CLASS = "annotator-errors"  # the extension's banner for problems (extension.ERROR_CLASS)
SECTION = "data-annotator-section"  # the extension's generated sections (pages.section)
ARTICLE = ".annotated-article[data-annotator]"  # the extension's article body (render.article_body)


@dataclass
class Inline:
    tag: str  # script or style
    code: str
    node: LexborNode


def fragment(html: str) -> list[LexborNode]:
    """Nodes parsed from an HTML fragment meant for <head> or <body>."""
    tree = LexborHTMLParser(f"<!doctype html><html><head>{html}</head><body></body></html>")
    nodes = list(tree.head.iter(include_text=False)) if tree.head is not None else []
    if not nodes and tree.body is not None:
        nodes = list(tree.body.iter(include_text=False))
    return nodes


def body_fragment(html: str) -> list[LexborNode]:
    tree = LexborHTMLParser(f"<!doctype html><html><head></head><body>{html}</body></html>")
    return list(tree.body.iter(include_text=False)) if tree.body is not None else []


class BuiltPage:
    def __init__(self, html: str):
        self.source = html
        self.tree = LexborHTMLParser(html)

    @property
    def markers(self) -> set[str]:
        """What annotated content the page holds: the sections' names, and "article"."""
        found = {node.attributes.get(SECTION) or "" for node in self.tree.css(f"[{SECTION}]")}
        if self.tree.css_first(ARTICLE) is not None:
            found.add("article")
        return found

    @property
    def theme_search(self) -> bool:
        """Whether the page carries the theme's own search box (which loads the theme's index)."""
        return self.tree.css_first(".md-search") is not None

    @property
    def ids(self) -> set[str]:
        return {node.attributes["id"] for node in self.tree.css("[id]") if node.attributes.get("id")}

    @property
    def errors(self) -> list[str]:
        return [node.text(strip=True)[:300] for node in self.tree.css(f".{ERROR_CLASS}")]

    def links(self) -> list[LexborNode]:
        """Elements whose href is an `annotator:` address (only the extension writes those)."""
        return self.tree.css('[href^="annotator:"]')

    def inline(self) -> list[Inline]:
        found = []
        for node in self.tree.css("script, style"):
            if node.tag == "script":
                if "src" in node.attributes or (node.attributes.get("type") or "").strip().lower() not in EXECUTABLE:
                    continue
            found.append(Inline(node.tag, node.text(deep=True) or "", node))
        return found

    def section(self, name: str) -> LexborNode | None:
        return self.tree.css_first(f'[{SECTION}="{name}"]')  # name: [a-z]+, from the extension

    def set_title(self, text: str) -> None:
        title = self.tree.css_first("title")
        if title is not None:
            for child in list(title.iter(include_text=True)):
                child.decompose()
            title.insert_child(text)  # a text node: escaped when serialized

    def add_to_head(self, html: str, first: bool = False) -> bool:
        """Add elements to <head>: at its end, or (first) right after <meta charset>."""
        head = self.tree.head
        if head is None:
            return False
        nodes = fragment(html)
        charset = self.tree.css_first("meta[charset]")
        if first and charset is not None:
            for node in reversed(nodes):
                charset.insert_after(node)
        elif first and head.child is not None:
            for node in nodes:
                head.child.insert_before(node)
        else:
            for node in nodes:
                head.insert_child(node)
        return True

    def line_of(self, text: str) -> int:
        at = self.source.find(text[:80]) if text else -1
        return self.source.count("\n", 0, at) + 1 if at >= 0 else 1

    def html(self) -> str:
        return self.tree.html or ""
