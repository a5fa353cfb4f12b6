"""Pages are contributor input: the Markdown a page may use, enforced inside Python-Markdown.

Every page under docs/ can be changed by a pull request, so every page is converted with these
limits (the `annotator` extension registers them, and so does every converter of ours):

    raw HTML     not interpreted: `<script>` or `<!-- -->` shows as the text it is (and
                 `validate` reports it, so nothing is published by surprise)
    elements     only what Markdown writes for prose: paragraphs, headings, lists, block
                 quotes, emphasis, code, links, images, tables, rules (ALLOWED_TAGS)
    attributes   only those Markdown itself sets (ALLOWED_ATTRIBUTES); nothing an extension
                 such as attr_list could add (style, on*, data-*, class) survives
    links        http(s) or relative (no `javascript:`, `data:`, `annotator:` or `//host`)
    images       relative paths only: a page makes no request off the site
    entities     `&amp;` and friends become the characters they name, so the text of a block
                 is only text (no internal placeholder can be quoted or annotated)

`SafePage` is the Python-Markdown extension; `Finding`s are what it removed, for `validate` and
the build to report with the page's path and line.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "em", "strong", "b", "i",
    "a", "code", "pre", "br", "hr", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "del",
    "ins", "sup", "sub", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style", "align"},
    "td": {"style", "align"},
}
_ALIGN = re.compile(r"^text-align: (left|right|center);?$")  # what the tables extension writes
_NUMBER = re.compile(r"^[0-9]{1,6}$")
STASH_TAGS = {"pre", "code", "span", "div"}  # what fenced code and its highlighter write
# Classes a highlighter writes: the language, its wrappers, and Pygments' short token names.
_CODE_CLASS = re.compile(r"language-[\w#.+-]{1,40}|highlight(table)?|linenos|linenodiv|filename|[a-z][a-z0-9]{0,3}")


def _comparable(fragment: str) -> str:
    """HTML as a reader would get it: entities decoded, spaces collapsed (nh3 re-encodes both)."""
    return " ".join(html.unescape(fragment).split())


def _language_class(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return None
    kept = [token for token in value.split() if _CODE_CLASS.fullmatch(token)]
    return " ".join(kept) or None


PLACEHOLDER = re.compile(f"{STX}wzxhzdk:([0-9]+){ETX}")  # Python-Markdown's stash placeholders
_TAG_LIKE = re.compile(r"<[A-Za-z!/?][^<>\n]{0,60}")  # what would have been raw HTML, for the report
ENTITY = re.compile(r"&#?[A-Za-z0-9]+;")  # what Python-Markdown stores aside for `&amp;` and friends
FILLER = "\ufffc"  # stands for markup inside a block's text: never typed, so never quoted


@dataclass(frozen=True)
class Finding:
    """Something a page asked for that the site does not publish."""

    message: str
    snippet: str  # the page's own text around it, to find its line
    hint: str


def link_allowed(href: str, image: bool = False) -> bool:
    """http(s) or relative links; images relative only (a page makes no request off the site)."""
    href = href.strip()
    if not href or href.startswith("//") or any(c in href for c in "\x00\\"):
        return False
    parts = urlsplit(href)
    if parts.scheme:
        return not image and parts.scheme in ("http", "https") and bool(parts.netloc)
    return True


def resolve_entities(element: etree.Element, stash) -> None:
    """Entity placeholders (`&amp;` -> its stash entry) become the characters they name."""

    def text_of(match: re.Match) -> str:
        index = int(match.group(1))
        raw = stash.rawHtmlBlocks[index] if index < len(stash.rawHtmlBlocks) else ""
        return html.unescape(raw) if isinstance(raw, str) and ENTITY.fullmatch(raw) else match.group()

    for node in element.iter():
        for where in ("text", "tail"):
            value = getattr(node, where)
            if value and STX in value:
                setattr(node, where, PLACEHOLDER.sub(text_of, value))


class _Sanitize(Treeprocessor):
    """Removes every element, attribute and link a page may not publish, and records each."""

    def __init__(self, md, extension: SafePage):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        resolve_entities(root, self.md.htmlStash)
        self._clean(root, in_code=False)
        self._clean_stash()

    def _clean_stash(self) -> None:
        """HTML that extensions stored for the page so far (a fenced code block, say) is cleaned
        too: only <pre>, <code> and a language class survive. (The annotator's own notes and
        sections are stored later, already built safely.)"""
        blocks = self.md.htmlStash.rawHtmlBlocks
        for index, raw in enumerate(blocks):
            if not isinstance(raw, str) or ENTITY.fullmatch(raw):
                continue
            cleaned = nh3.clean(raw, tags=STASH_TAGS, attributes={t: {"class"} for t in STASH_TAGS},
                                attribute_filter=_language_class)  # fmt: skip
            if _comparable(cleaned) != _comparable(raw):
                text = html.unescape(nh3.clean(raw, tags=set())).strip().split("\n")[0]  # to find its line
                self.extension.found("markup in a code block", text, "pages may use Markdown only")
            blocks[index] = cleaned

    def _clean(self, parent: etree.Element, in_code: bool) -> None:
        for child in list(parent):
            if not isinstance(child.tag, str):  # a comment or processing instruction
                parent.remove(child)
                continue
            code = in_code or child.tag in ("code", "pre")
            for name, value in list(child.attrib.items()):
                if not self._attribute_allowed(child.tag, name, value):
                    del child.attrib[name]
                    self.extension.found(
                        f"the attribute {name}={value[:40]!r} on <{child.tag}>",
                        value or name,
                        "pages may not set attributes (attr_list) or link outside http(s); write plain Markdown",
                    )
            self._check_text(child.text, code)
            self._check_text(child.tail, in_code)
            self._clean(child, code)
            if child.tag not in ALLOWED_TAGS:
                self.extension.found(f"a <{child.tag}> element", child.tag, "pages may use Markdown only")
                _unwrap(parent, child)

    def _check_text(self, text: str | None, in_code: bool) -> None:
        if text and not in_code and (found := _TAG_LIKE.search(text)):
            self.extension.found(
                f"raw HTML {found.group()!r}, shown as text",
                found.group(),
                "HTML is not interpreted in pages: write Markdown, or \\< for a literal <",
            )

    def _attribute_allowed(self, tag: str, name: str, value: str) -> bool:
        if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
            return False
        if name == "href":
            return link_allowed(value)
        if name == "src":
            return link_allowed(value, image=True)
        if name == "style":
            return bool(_ALIGN.match(value))
        if name == "align":
            return value in ("left", "right", "center")
        if name == "start":
            return bool(_NUMBER.match(value))
        return True


def _unwrap(parent: etree.Element, child: etree.Element) -> None:
    """Replace child by its text and its children, in place."""
    index = list(parent).index(child)
    children = list(child)
    parent.remove(child)

    def append_text(text: str) -> None:
        if index == 0:
            parent.text = (parent.text or "") + text
        else:
            parent[index - 1].tail = (parent[index - 1].tail or "") + text

    if child.text:
        append_text(child.text)
    for offset, node in enumerate(children):
        parent.insert(index + offset, node)
    if child.tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + child.tail
        else:
            append_text(child.tail)


class SafePage(Extension):
    """The limits above, for one Markdown instance; `findings` holds what the last page asked for."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.findings: list[Finding] = []

    def found(self, message: str, snippet: str, hint: str) -> None:
        self.findings.append(Finding(message, snippet, hint))

    def extendMarkdown(self, md):
        md.registerExtension(self)
        for name in ("html_block",):  # raw HTML blocks and inline HTML are text here
            if name in md.preprocessors:
                md.preprocessors.deregister(name)
        if "html" in md.inlinePatterns:
            md.inlinePatterns.deregister("html")
        # Priority 7: after inline parsing (20) and attr_list (8), before toc (5) and the annotator's
        # sections (6) and marks (-5), which add the site's own markup after the page is cleaned.
        md.treeprocessors.register(_Sanitize(md, self), "annotator_safe_page", 7)

    def reset(self):
        self.findings = []


def block_placeholders_to_filler(text: str) -> str:
    """A block's text with any stash placeholder left in it (markup the site inserted, such as a
    code block) replaced by as many FILLER characters: same length, never matched by a quote."""
    return PLACEHOLDER.sub(lambda m: FILLER * len(m.group()), text) if STX in text else text
