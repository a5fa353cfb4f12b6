"""Render step: mark each assertion in the article's paragraphs and add its numbered sidenote.

It runs inside Python-Markdown, on the element tree, after inline parsing: `AnnotateExtension`
annotates whichever article its `current` attribute names; `render_article(article, notes)`
renders one article on its own (the single-file edition and the tests).

Markup of one note (CSS-only toggle, after Tufte CSS; JavaScript only enhances it):

    <span class="claim-anchor" id="p9-2"></span>
    <label class="claim" for="t-p9-2">assertion text</label>
    <input type="checkbox" class="sn-toggle" id="t-p9-2" aria-controls="n-p9-2">
    <label class="sn-num" for="t-p9-2">3</label>
    <span class="sidenote" id="n-p9-2" role="note">...</span>

Overlapping or nested assertions: the paragraph is cut at every start and end, and each piece
becomes a label of the innermost (shortest) assertion covering it, so labels never nest and a
click always opens the most specific note. Pieces covered twice carry `claim--nested`.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .errors import AnnotationError, Problem
from .model import AnchoredNote, Article
from .sidenote import render_sidenote

Stash = Callable[[str], str]  # stores finished HTML, returns the placeholder Markdown swaps back


def paragraphs_of(root: etree.Element) -> list[etree.Element]:
    """The article's paragraphs: the top-level <p> elements of a converted page."""
    return [child for child in root if child.tag == "p"]


def text_of(element: etree.Element) -> str:
    return "".join(element.itertext())


def _segments(element: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    """Every text run inside element, in reading order, as (owner, "text" or "tail")."""
    yield element, "text"
    for child in element:
        yield from _segments(child)
        yield child, "tail"


def _controls(note: AnchoredNote, stash: Stash) -> list:
    toggle = etree.Element(
        "input", {"type": "checkbox", "class": "sn-toggle", "id": note.toggle_id, "aria-controls": note.note_id}
    )
    number = etree.Element("label", {"class": f"sn-num sn-num--{note.annotation.relation}", "for": note.toggle_id})
    hidden = etree.SubElement(number, "span", {"class": "sn-sr"})
    hidden.text = "note "
    hidden.tail = str(note.number)
    return [toggle, number, stash(render_sidenote(note))]


def _pieces(text: str, start: int, notes: list[AnchoredNote], cuts: list[int], stash: Stash, done: set) -> list:
    """One text run cut at note boundaries: plain strings, claim labels and each note's controls."""
    end = start + len(text)
    points = [start] + [c for c in cuts if start < c < end] + [end]
    pieces: list = []
    for a, b in zip(points, points[1:], strict=False):
        covering = [n for n in notes if n.start <= a and b <= n.end]
        piece = text[a - start : b - start]
        if not covering:
            pieces.append(piece)
        else:
            for n in covering:
                if n.start == a and n.id not in done:
                    done.add(n.id)
                    pieces.append(etree.Element("span", {"class": "claim-anchor", "id": n.id}))
            inner = min(covering, key=lambda n: (n.end - n.start, -n.number))
            label = etree.Element(
                "label", {"class": "claim claim--nested" if len(covering) > 1 else "claim", "for": inner.toggle_id}
            )
            label.text = piece
            pieces.append(label)
        for n in sorted((n for n in notes if n.end == b and n.start < b), key=lambda n: n.number):
            if f"{n.id}:end" not in done:
                done.add(f"{n.id}:end")
                pieces.extend(_controls(n, stash))
    return pieces


def _place(owner: etree.Element, where: str, pieces: list, parents: dict) -> None:
    """Put pieces where the text run was: leading text stays text, elements are inserted."""
    container, index = (owner, 0) if where == "text" else (parents[owner], list(parents[owner]).index(owner) + 1)
    lead, elements = "", []
    for piece in pieces:
        if isinstance(piece, str):
            if elements:
                elements[-1].tail = (elements[-1].tail or "") + piece
            else:
                lead += piece
        else:
            elements.append(piece)
    setattr(owner, where, lead or None)
    for offset, element in enumerate(elements):
        container.insert(index + offset, element)


def annotate_paragraph(paragraph: etree.Element, notes: list[AnchoredNote], stash: Stash) -> None:
    """Mark each note's span inside one <p>, in place. Offsets index the paragraph's text."""
    cuts = sorted({n.start for n in notes} | {n.end for n in notes})
    parents = {child: parent for parent in paragraph.iter() for child in parent}
    done: set[str] = set()
    offset = 0
    for owner, where in list(_segments(paragraph)):
        text = getattr(owner, where) or ""
        if text:
            _place(owner, where, _pieces(text, offset, notes, cuts, stash, done), parents)
        offset += len(text)


def annotate_tree(root: etree.Element, article: Article, notes: list[AnchoredNote], stash: Stash) -> None:
    """Annotate a converted article page; its top-level <p> must be the article's paragraphs."""
    paragraphs = paragraphs_of(root)
    texts = tuple(text_of(p) for p in paragraphs)
    if texts != article.paragraphs:
        first = next((i for i, (a, b) in enumerate(zip(texts, article.paragraphs, strict=False)) if a != b), len(texts))
        raise AnnotationError(
            [
                Problem(
                    str(article.path),
                    1,
                    1,
                    f"rendered paragraph {first + 1} differs from the article source "
                    f"({len(texts)} rendered, {len(article.paragraphs)} in the source)",
                    "the article page must be plain paragraphs; check markdown_extensions",
                )
            ]
        )
    by_paragraph: dict[int, list[AnchoredNote]] = {}
    for note in notes:
        by_paragraph.setdefault(note.paragraph, []).append(note)
    for number, paragraph in enumerate(paragraphs, start=1):
        paragraph.set("id", f"p{number}")
        if number in by_paragraph:
            annotate_paragraph(paragraph, by_paragraph[number], stash)


class _Annotate(Treeprocessor):
    def __init__(self, md, extension: AnnotateExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root):
        if self.extension.current is not None:
            article, notes = self.extension.current
            try:
                annotate_tree(root, article, list(notes), self.md.htmlStash.store)
            except AnnotationError as error:
                raise self.extension.wrap_error(error) from None


class AnnotateExtension(Extension):
    """Annotates the page being converted when `current` is set to (article, notes).

    `wrap_error` turns an AnnotationError into the exception the host reports cleanly."""

    def __init__(self, wrap_error: Callable[[AnnotationError], Exception] = lambda error: error, **kwargs):
        super().__init__(**kwargs)
        self.current: tuple[Article, list[AnchoredNote]] | None = None
        self.wrap_error = wrap_error

    def extendMarkdown(self, md):
        # Priority -5: after inline parsing (20) and unescaping (0), so text is final.
        md.treeprocessors.register(_Annotate(md, self), "annotate_article", -5)


def render_article(article: Article, notes: list[AnchoredNote]) -> str:
    """The article body as annotated HTML, converted here with plain Python-Markdown."""
    extension = AnnotateExtension()
    extension.current = (article, notes)
    return markdown.Markdown(extensions=[extension]).convert(article.body_markdown)
