"""Render step: mark each assertion in the article's blocks and add its numbered sidenote.

`annotate_tree(root, article, notes, stash)` works on Python-Markdown's element tree after
inline parsing; `render_article(article, notes)` converts and annotates one article on its own
(the single-file edition, validation and the tests).

Markup of one note (CSS-only toggle, after Tufte CSS; JavaScript only enhances it):

    <span class="claim-anchor" id="a-kremlin-warned"></span>
    <label class="claim rel-qualifies" for="t-kremlin-warned">assertion text</label>
    <input type="checkbox" class="sn-toggle" id="t-kremlin-warned" aria-controls="n-kremlin-warned">
    <label class="sn-num rel-qualifies" for="t-kremlin-warned"><span class="sn-sr">note </span>3</label>
    <span class="sidenote rel-qualifies" id="n-kremlin-warned" role="note">...</span>

Ids come from the note's own `id:` (never from its place), so a link to a note keeps working when
the article is edited; the ids a note `replaces:` stay on the page as empty `sn-alias` anchors
before its assertion, so links to merged or renamed notes (and first-edition position ids such
as #n-p9-2) still land on it.

Overlapping or nested assertions: the block is cut at every start and end, and each piece
becomes a label of the innermost (shortest) assertion covering it, so labels never nest and a
click always opens the most specific note. Pieces covered twice carry `claim--nested`.

Inline markup: an assertion may start or end inside a link, emphasis or code. Its text is still
marked there (inside a link as a <span>, since a label in a link is invalid), but the toggle,
number and note go right after the outermost inline element that holds its end, so no control
or note ever sits inside a link or emphasis.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .blocks import NOT_INLINE, block_text, blocks_of, segments
from .errors import AnnotationError, Problem
from .history import ArticleHistory
from .model import AnchoredNote, Article
from .notelinks import FixLinks
from .safepage import SafePage
from .sidenote import Stash, element, sidenote_element


def _controls(note: AnchoredNote, stash: Stash, fixes: FixLinks | None = None, history=None) -> list[etree.Element]:
    css = note.annotation.relation_row.css_class
    toggle = element(
        "input", {"type": "checkbox", "class": "sn-toggle", "id": note.toggle_id, "aria-controls": note.note_id}
    )
    hidden = element("span", {"class": "sn-sr"}, "note ")
    number = element("label", {"class": f"sn-num {css}", "for": note.toggle_id}, None, hidden, str(note.number))
    return [toggle, number, sidenote_element(note, stash, fixes, history)]


class _Block:
    """One block being annotated: its notes, cut points and the controls still to place."""

    def __init__(self, notes: list[AnchoredNote], stash: Stash, fixes: FixLinks | None = None, history=None):
        self.notes, self.stash, self.fixes, self.history = notes, stash, fixes, history
        self.cuts = sorted({n.start for n in notes} | {n.end for n in notes})
        self.done: set[str] = set()

    def pieces(self, text: str, start: int, in_link: bool) -> list:
        """One text run cut at note boundaries: strings, claim marks, and, where a note ends, a
        list of its controls (the caller puts them there, or after the inline element)."""
        end = start + len(text)
        points = [start] + [c for c in self.cuts if start < c < end] + [end]
        pieces: list = []
        for a, b in zip(points, points[1:], strict=False):
            covering = [n for n in self.notes if n.start <= a and b <= n.end]
            piece = text[a - start : b - start]
            if not covering:
                pieces.append(piece)
            else:
                for n in covering:
                    if n.start == a and n.id not in self.done:
                        self.done.add(n.id)
                        pieces += [element("span", {"class": "sn-alias", "id": old}) for old in n.former_ids]
                        pieces.append(element("span", {"class": "claim-anchor", "id": n.anchor_id}))
                inner = min(covering, key=lambda n: (n.end - n.start, -n.number))
                css = "claim" + (" claim--nested" if len(covering) > 1 else "")
                css += f" {inner.annotation.relation_row.css_class}"
                if in_link:  # a label inside a link is invalid HTML: mark the text only
                    mark = element("span", {"class": css + " claim--in-link"})
                else:
                    mark = element("label", {"class": css, "for": inner.toggle_id})
                mark.text = piece  # the article's own text, as Python-Markdown left it
                pieces.append(mark)
            for n in sorted((n for n in self.notes if n.end == b and n.start < b), key=lambda n: n.number):
                if f"{n.id}:end" not in self.done:
                    self.done.add(f"{n.id}:end")
                    pieces.append(_controls(n, self.stash, self.fixes, self.history))
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
    for offset, child in enumerate(elements):
        container.insert(index + offset, child)


def annotate_block(
    block: etree.Element, notes: list[AnchoredNote], stash: Stash, fixes: FixLinks | None = None, history=None
) -> None:
    """Mark each note's span inside one block, in place. Offsets index the block's text."""
    state = _Block(notes, stash, fixes, history)
    parents = {child: parent for parent in block.iter() for child in parent}
    top = {}  # each inline element -> the child of the block that holds it
    for child in block:
        if child.tag not in NOT_INLINE:
            for node in child.iter():
                top[node] = child
    pending: dict[etree.Element, list] = {}  # controls to place right after a child of the block
    offset = 0
    for owner, where in list(segments(block)):
        text = getattr(owner, where) or ""
        container = owner if where == "text" else parents[owner]
        inside = top.get(container)  # None when the text sits directly in the block
        in_link = any(node.tag == "a" for node in _ancestors(container, parents, block))
        pieces = state.pieces(text, offset, in_link) if text else []
        if inside is None:  # controls go right where the assertion ends
            before = pending.pop(owner, []) if where == "tail" else []
            flat = before + [e for p in pieces for e in (p if isinstance(p, list) else [p])]
            if flat:
                _place(owner, where, flat, parents)
        else:  # inside an inline element: its controls wait until after the element
            pending.setdefault(inside, []).extend(e for p in pieces if isinstance(p, list) for e in p)
            marks = [p for p in pieces if not isinstance(p, list)]
            if marks:
                _place(owner, where, marks, parents)
        offset += len(text)


def _ancestors(node, parents: dict, stop: etree.Element):
    while node is not None and node is not stop:
        yield node
        node = parents.get(node)


def article_body(root: etree.Element, article: Article) -> etree.Element:
    """The converted page's blocks moved into <div class="annotated-article">, which is returned
    (the page then holds the header, the filter and this body, in that order)."""
    body = element("div", {"class": "annotated-article", "data-annotator": article.slug})
    body.extend(list(root))
    for child in list(root):
        root.remove(child)
    return body


def annotate_tree(
    root: etree.Element,
    article: Article,
    notes: list[AnchoredNote],
    stash: Stash,
    fixes: FixLinks | None = None,
    history: ArticleHistory | None = None,
) -> None:
    """Annotate a converted article page; its blocks must be the article's blocks. With `fixes`
    (the site names its repository) each note links to a fix; with `history` (the site's build)
    each note says when it last changed, or that its history is unavailable."""
    blocks = blocks_of(root)
    texts = tuple(block_text(b) for b in blocks)
    if texts != article.paragraphs:
        first = next((i for i, (a, b) in enumerate(zip(texts, article.paragraphs, strict=False)) if a != b), len(texts))
        raise AnnotationError(
            [
                Problem(
                    str(article.path),
                    1,
                    1,
                    f"the page as converted differs from the article's text at block {first + 1} "
                    f"({len(texts)} blocks converted, {len(article.paragraphs)} in the source)",
                    "a Markdown extension changes the article's text (for example smarty); "
                    "remove it from markdown_extensions or keep article pages free of its syntax",
                )
            ]
        )
    by_block: dict[int, list[AnchoredNote]] = {}
    for note in notes:
        by_block.setdefault(note.paragraph, []).append(note)
    for number, block in enumerate(blocks, start=1):
        block.set("id", f"p{number}")
        if number in by_block:
            annotate_block(block, by_block[number], stash, fixes, history)


class _Annotate(Treeprocessor):
    def __init__(self, md, article: Article, notes: list[AnchoredNote]):
        super().__init__(md)
        self.article, self.notes = article, notes

    def run(self, root):
        annotate_tree(root, self.article, self.notes, self.md.htmlStash.store)


class _OneArticle(Extension):
    def __init__(self, article: Article, notes: list[AnchoredNote]):
        super().__init__()
        self.article, self.notes = article, notes

    def extendMarkdown(self, md):
        # Priority -5: after inline parsing (20) and unescaping (0), so the text is final.
        md.treeprocessors.register(_Annotate(md, self.article, self.notes), "annotate_article", -5)


def render_article(article: Article, notes: list[AnchoredNote]) -> str:
    """The article body as annotated HTML, converted here with plain Python-Markdown."""
    return markdown.Markdown(extensions=[SafePage(), _OneArticle(article, list(notes))]).convert(article.body_markdown)
