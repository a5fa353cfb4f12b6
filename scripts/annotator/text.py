"""Free text a contributor writes: no invisible characters, and NFC-normalized.

A soft hyphen or a zero-width joiner makes "Reu\u00adters" look like "Reuters" while matching
nothing; a direction mark reorders what a reader sees. Such characters are refused by their
Unicode category (format, line and paragraph separators, private use, surrogates, controls) and,
for the few letters and marks that render as nothing (fillers, variation selectors, the
grapheme joiner, the Braille blank), by name. `check_block` checks every string of a parsed YAML
block (annotation, header, front matter, policy) and normalizes it to NFC in place;
`check_note` does the same for a note's lines.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from .errors import ProblemCollector

REFUSED_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Co", "Cs", "Cc"})
BLANK = frozenset(
    {0x034F, 0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0}  # grapheme joiner, Hangul fillers, Braille blank
    | set(range(0x180B, 0x1810))  # Mongolian free variation selectors and vowel separator
    | set(range(0xFE00, 0xFE10))  # variation selectors
    | set(range(0xE0100, 0xE01F0))  # variation selectors supplement
)
CATEGORY_WORDS = {"Co": "a private-use character", "Cs": "a surrogate", "Cc": "a control character"}
NOTE_ALLOWS = "\t\r"  # a note is Markdown lines: tabs indent (and a Windows line end may remain)
KEPT_AS_WRITTEN = frozenset({"quote", "paragraph"})  # matched against the article's text as written


def is_invisible(char: str, allow: str = "") -> bool:
    return char not in allow and (unicodedata.category(char) in REFUSED_CATEGORIES or ord(char) in BLANK)


def describe(char: str) -> str:
    """U+00AD (SOFT HYPHEN)."""
    name = unicodedata.name(char, "") or CATEGORY_WORDS.get(unicodedata.category(char), "unnamed")
    return f"U+{ord(char):04X} ({name})"


ASCII_REFUSED = re.compile(r"[\x00-\x1f\x7f]")  # the only refused ASCII: controls (category Cc)


def invisible(text: str, allow: str = "") -> list[tuple[int, str]]:
    """(index, character) of every refused character in text. Most text is ASCII, whose only
    refused characters are the controls: that is one regular-expression scan."""
    if text.isascii():
        return [(m.start(), m.group()) for m in ASCII_REFUSED.finditer(text) if m.group() not in allow]
    return [(i, c) for i, c in enumerate(text) if not " " <= c <= "~" and is_invisible(c, allow)]


def has_invisible(value) -> bool:
    return isinstance(value, str) and bool(invisible(value))


def _report(path, line: int, column: int, field: str, char: str, problems: ProblemCollector) -> None:
    problems.add(path, line, column, f"{field} contains the invisible character {describe(char)}", "delete it")


def _strings(node: yaml.Node, value, field: str):
    """(field name, scalar node, its string, setter) for every string under a YAML node."""
    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        for key_node, child in node.value:
            key = key_node.value
            if key in value:
                yield from _strings(child, value[key], key)
                if isinstance(value[key], str):
                    yield key, child, value, key
    elif isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        for i, (child, item) in enumerate(zip(node.value, value, strict=False)):
            yield from _strings(child, item, field)
            if isinstance(item, str):
                yield field, child, value, i


def check_block(path: Path, block, problems: ProblemCollector) -> None:
    """Report every invisible character in the block's strings; normalize them to NFC."""
    for field, node, container, key in _strings(block.node, block.value, "value"):
        text = container[key]
        one_line = node.start_mark.line == node.end_mark.line
        quoted = 1 if getattr(node, "style", None) in ("'", '"') else 0
        for index, char in invisible(text):
            column = node.start_mark.column + 1 + (quoted + index if one_line else 0)
            _report(path, block.first_line + node.start_mark.line, column, field, char, problems)
        if field not in KEPT_AS_WRITTEN:
            container[key] = unicodedata.normalize("NFC", text)


def check_note(path: Path, lines: list[str], first_line: int, problems: ProblemCollector) -> str:
    """A note's text (its lines, the first being line first_line), checked and NFC-normalized.
    Tabs stay (Markdown indentation). The characters reported are dropped from the text returned,
    so that later checks of the note do not report them again."""
    kept = []
    for offset, line in enumerate(lines):
        found = invisible(line, allow=NOTE_ALLOWS)
        for index, char in found:
            _report(path, first_line + offset, index + 1, "note", char, problems)
        drop = {i for i, _ in found}
        kept.append("".join(c for i, c in enumerate(line) if i not in drop))
    return unicodedata.normalize("NFC", "\n".join(kept).strip())
