"""The annotatable blocks of a converted page: every block of prose a reader can point at.

A block is a paragraph, wherever it sits (at the top level, in a block quote, in a list item),
or the text of a list item that has no paragraph of its own (a tight list). Blocks are numbered
in reading order from 1; `p7` is the id of block 7 whatever its kind. The article's text and
the page being rendered are both read with these functions, so they always agree.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Iterator

from .safepage import block_placeholders_to_filler

CONTAINERS = {"blockquote", "ul", "ol", "li"}  # looked into for more blocks
NOT_INLINE = {"ul", "ol", "p", "blockquote", "pre", "table", "div", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}


def blocks_of(root: etree.Element) -> list[etree.Element]:
    """The annotatable blocks under root, in reading order."""
    found: list[etree.Element] = []
    _collect(root, found)
    return found


def _collect(element: etree.Element, found: list[etree.Element]) -> None:
    for child in element:
        if child.tag == "p":
            found.append(child)
        elif child.tag == "li" and block_text(child).strip():
            found.append(child)  # a tight list item: its own text is the block
            _collect(child, found)  # and any list nested in it
        elif child.tag in CONTAINERS:
            _collect(child, found)


def segments(block: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    """Every text run of a block in reading order, as (owner, "text" or "tail"), skipping the
    blocks nested in a list item (they are blocks of their own)."""
    yield block, "text"
    for child in block:
        if child.tag not in NOT_INLINE:
            yield from _runs(child)
        yield child, "tail"


def _runs(element: etree.Element) -> Iterator[tuple[etree.Element, str]]:
    yield element, "text"
    for child in element:
        yield from _runs(child)
        yield child, "tail"


def block_text(block: etree.Element) -> str:
    """The text a reader sees in one block (markup stored aside, such as code, as FILLER of the
    same length: a quote can never match it)."""
    return block_placeholders_to_filler("".join(getattr(owner, where) or "" for owner, where in segments(block)))
