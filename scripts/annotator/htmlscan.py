"""Where things are in a built HTML page, found with the standard library's HTML tokenizer.

`scan(html)` returns the offsets the post-build step needs to insert into or rewrite a page
without re-serializing it: the charset meta and the end of <head>, every inline <script> and
<style> with its code, every element id, `annotator:` link, and annotator marker attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

EXECUTABLE = {"", "text/javascript", "module", "application/javascript"}


@dataclass
class Inline:
    tag: str  # script or style
    code: str
    start: int  # offset of the start tag
    end: int  # offset just after the end tag


@dataclass
class Page:
    charset_end: int | None = None  # just after <meta charset=...>
    head_start_end: int | None = None  # just after <head>
    head_end: int | None = None  # at </head>
    inline: list[Inline] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, value) of annotator: hrefs
    markers: set[str] = field(default_factory=set)  # data-annotator-section values, "article"
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)  # section name -> (start, end) of its div
    title: tuple[int, int] | None = None  # the text of <title>
    errors: list[str] = field(default_factory=list)  # classes marking an error banner


class _Scanner(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.lines = [0]
        for i, char in enumerate(html):
            if char == "\n":
                self.lines.append(i + 1)
        self.page = Page()
        self.open: tuple[str, int] | None = None  # an inline script or style being read
        self.code: list[str] = []
        self.section: tuple[str, int, int] | None = None  # (name, start, div depth) of a section being read
        self.divs = 0

    def position(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self.position()
        text = self.get_starttag_text() or ""
        values = dict(attrs)
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "meta" and "charset" in values and self.page.charset_end is None:
            self.page.charset_end = start + len(text)
        elif tag == "head" and self.page.head_start_end is None:
            self.page.head_start_end = start + len(text)
        elif tag == "script" and "src" not in values and (values.get("type") or "").lower() in EXECUTABLE:
            self.open, self.code = ("script", start), []
        elif tag == "style":
            self.open, self.code = ("style", start), []
        if "data-annotator-section" in values:
            self.page.markers.add(values["data-annotator-section"] or "")
            if self.section is None:
                self.section = (values["data-annotator-section"] or "", start, self.divs)
        if tag == "div":
            self.divs += 1
        elif tag == "title" and self.page.title is None:
            self.page.title = (start + len(text), start + len(text))
        if "data-annotator" in values and "annotated-article" in (values.get("class") or ""):
            self.page.markers.add("article")
        if "annotator-errors" in (values.get("class") or "").split():
            self.page.errors.append(tag)
        href = values.get("href") or ""
        if href.startswith("annotator:"):  # written by the extension, always as href="..."
            at = text.index('href="') + len('href="')
            self.page.links.append((start + at, start + text.index('"', at), href))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.open:
            self.code.append(data)

    def handle_endtag(self, tag):
        if tag == "head" and self.page.head_end is None:
            self.page.head_end = self.position()
        if tag == "title" and self.page.title is not None and self.page.title[0] == self.page.title[1]:
            self.page.title = (self.page.title[0], self.position())
        if tag == "div":
            self.divs -= 1
            if self.section is not None and self.divs == self.section[2]:
                name, start, _ = self.section
                self.page.sections[name] = (start, self.html.index(">", self.position()) + 1)
                self.section = None
        if self.open and tag == self.open[0]:
            end = self.html.index(">", self.position()) + 1
            self.page.inline.append(Inline(tag, "".join(self.code), self.open[1], end))
            self.open = None


def scan(html: str) -> Page:
    scanner = _Scanner(html)
    scanner.feed(html)
    scanner.close()
    return scanner.page


def line_of(html: str, offset: int) -> int:
    return html.count("\n", 0, offset) + 1
