"""A contributor's note: untrusted Markdown rendered to inline HTML, bounded and sanitized.

`render_note(text)` returns a `RenderedNote` (sanitized HTML and plain text) or raises
NoteError with what is wrong. The loader calls it, so `validate` renders every note exactly as
the build does. Raw HTML is not Markdown here: `<redacted>` shows as text instead of vanishing.
Links must be http(s); images are refused. The result is cleaned by nh3 with an allow-list of
inline tags, and nothing the reader would have seen may be removed by that cleaning.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .cache import CACHE
from .errors import printable
from .schema import schema

MAX_NOTE_CHARS = 2000  # three sentences are about 500
MAX_NOTE_BRACKETS = 50  # '[' drives Python-Markdown's link parsing, which is quadratic in them
NOTE_TAGS = {"a", "em", "strong", "code", "br", "span", "q", "i", "b", "sub", "sup"}
NOTE_ATTRIBUTES = {"a": {"href", "title"}}
NOTE_CLASSES = {"span": {"sn-para"}}
LINK_REL = "noopener noreferrer"
_URL = re.compile(schema()["$defs"]["url"]["pattern"])  # the same addresses sources may use
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


class NoteError(ValueError):
    """What is wrong with a note: (message, hint)."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class RenderedNote:
    html: str  # sanitized inline HTML, valid inside the article's <p>
    text: str  # plain text, for the search index and the data files


class _InlineNote(Treeprocessor):
    """A note sits inside the article's <p>: its paragraphs become <span class="sn-para">.
    Also records links that are not http(s) and images, which the sanitizer would drop."""

    def run(self, root):
        self.refused: list[tuple[str, str]] = []
        for element in root.iter():
            if element.tag == "p":
                element.tag = "span"
                element.set("class", "sn-para")
            elif element.tag == "img":
                self.refused.append(("images are not allowed in notes", "link to the image instead"))
            elif element.tag == "a" and not _URL.match(element.get("href", "")):
                self.refused.append(
                    (
                        f"the link to {printable(element.get('href', ''))!r} is not a full http(s) address",
                        "link to a full https:// address with no spaces or quotes; text after it may have been "
                        "read as part of the link",
                    )
                )


class _NoteExtension(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")  # raw HTML is text in a note
        md.inlinePatterns.deregister("html")
        # Priority 0: after the inline patterns (20) have built links and emphasis.
        md.treeprocessors.register(_InlineNote(md), "inline_note", 0)


_PER_THREAD = threading.local()


def _markdown() -> markdown.Markdown:
    """This thread's converter for notes (a Markdown instance is not thread-safe; one per thread
    is made once and reset between notes)."""
    md = getattr(_PER_THREAD, "md", None)
    if md is None:
        md = _PER_THREAD.md = markdown.Markdown(extensions=[_NoteExtension()])
    return md


def _visible(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


@CACHE.by_content  # the page, the search index and the data files all use each note
def render_note(text: str) -> RenderedNote:
    """Render and sanitize one note, or raise NoteError."""
    if len(text) > MAX_NOTE_CHARS:
        raise NoteError(
            f"note is {len(text):,} characters", f"keep it to one to three sentences (limit {MAX_NOTE_CHARS:,})"
        )
    if text.count("[") > MAX_NOTE_BRACKETS:
        raise NoteError(
            f"note has {text.count('[')} '[' characters", f"a note may have at most {MAX_NOTE_BRACKETS} (links use two)"
        )
    unsafe = _UNSAFE.search(text)
    if unsafe:
        code = unsafe.group().encode("unicode_escape").decode("ascii")
        raise NoteError(f"note contains the invisible character {code}", "delete it (retype the text around it)")
    md = _markdown()
    rendered = md.reset().convert(text)
    refused = md.treeprocessors["inline_note"].refused
    if refused:
        raise NoteError(*refused[0])
    cleaned = nh3.clean(
        rendered,
        tags=NOTE_TAGS,
        attributes=NOTE_ATTRIBUTES,
        allowed_classes=NOTE_CLASSES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )
    if _visible(cleaned) != _visible(rendered):  # never lose what a reader would have seen
        raise NoteError(
            "part of the note would be removed by the sanitizer",
            "write plain text, *emphasis* and [links](https://...)",
        )
    return RenderedNote(cleaned, _visible(cleaned))
