"""Untrusted YAML, bounded before it is walked: one block of an annotation file, or a front matter.

`parse_block(path, source, first_line, problems)` returns a `Block` (the value and a way to
point at any field's line and column) or None with every problem recorded. Before any node is
built, the event stream is checked: no anchors or aliases (a few hundred bytes of aliases can
expand to gigabytes), no tags, nesting at most MAX_DEPTH. Then mapping keys must be text, and
nothing after a value may be silently dropped as a comment. Numbers stay text (no 5,000-digit
integers, and `date: 2024` means the year); only true/false and empty are typed.
"""

from __future__ import annotations

import re

import yaml

from .errors import ProblemCollector

MAX_DEPTH = 6  # a source inside the sources list inside a block is depth 3

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: same result, faster
_TYPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}


class _Loader(_SafeLoader):
    """Safe YAML where only true/false and empty values are typed; everything else is text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _TYPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Block:
    """A parsed YAML mapping: its value and a way to point at any field's line and column."""

    def __init__(self, value: dict, node: yaml.Node, first_line: int):
        self.value, self.node, self.first_line = value, node, first_line

    def position(self, path: tuple = ()) -> tuple[int, int]:
        """Line and column of the value at path (of the key, for the last step into a mapping)."""
        node = self.node
        for depth, key in enumerate(path):
            child = None
            if isinstance(node, yaml.MappingNode):
                last = depth == len(path) - 1
                child = next((k if last else v for k, v in node.value if k.value == key), None)
                if child is None:  # point at the parent when the field is missing
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                child = node.value[key]
            else:
                break
            node = child
        return self.first_line + node.start_mark.line, node.start_mark.column + 1

    def line(self, *path) -> int:
        return self.position(path)[0]


def parse_block(path, source: str, first_line: int, problems: ProblemCollector, what: str) -> Block | None:
    """Parse one YAML mapping whose first line is line `first_line` of the file at `path`."""
    before = len(problems)
    try:
        if not _events_are_safe(path, source, first_line, problems):
            return None
        loader = _Loader(source)
        try:
            node = loader.get_single_node()
            if node is None or not isinstance(node, yaml.MappingNode):
                problems.add(path, first_line, 1, f"the {what} must contain fields (name: value)", _FORMAT_HINT)
                return None
            _check_keys(path, node, first_line, problems)
            _check_trailing_comments(path, source, node, first_line, problems)
            if len(problems) > before:
                return None
            value = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        _syntax_error(path, source, first_line, error, problems)
        return None
    return Block(value, node, first_line)


_FORMAT_HINT = "see CONTRIBUTING.md, 'The annotation format'"


def _events_are_safe(path, source: str, first_line: int, problems: ProblemCollector) -> bool:
    """Refuse anchors, aliases, tags and deep nesting before any node is built."""
    depth = 0
    for event in yaml.parse(source, Loader=_Loader):
        mark = event.start_mark
        where = (path, first_line + mark.line, mark.column + 1)
        if isinstance(event, yaml.AliasEvent):
            problems.add(*where, "aliases (*name) are not allowed", "write the value out in full")
            return False
        if getattr(event, "anchor", None):
            problems.add(*where, "anchors (&name) are not allowed", "remove the &name before the value")
            return False
        if getattr(event, "tag", None) and not _implicit(event):
            problems.add(*where, f"tags ({event.tag}) are not allowed", "remove it; put quotes around text values")
            return False
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                problems.add(*where, f"values are nested more than {MAX_DEPTH} levels deep", _FORMAT_HINT)
                return False
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return True


def _implicit(event) -> bool:
    implicit = getattr(event, "implicit", False)
    return any(implicit) if isinstance(implicit, tuple) else bool(implicit)


def _check_keys(path, node: yaml.Node, first_line: int, problems: ProblemCollector) -> None:
    """Every mapping key is text, and appears once."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                where = (path, first_line + key.start_mark.line, key.start_mark.column + 1)
                if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
                    shown = key.value if isinstance(key, yaml.ScalarNode) else "a list or mapping"
                    problems.add(*where, f"{shown!r} cannot be a field name", "field names are words such as quote:")
                elif key.value in seen:
                    problems.add(*where, f"field '{key.value}' appears twice", "keep one of them")
                else:
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _check_trailing_comments(path, source: str, node: yaml.Node, first_line: int, problems) -> None:
    """An unquoted value followed by ' #...' loses that text as a comment: say so."""
    lines = source.split("\n")
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            stack.extend(v for _, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif (
            not current.style  # a plain scalar: None, or "" from libyaml
            and current.tag == "tag:yaml.org,2002:str"  # text: a comment after true/false loses nothing
            and current.end_mark.line < len(lines)
        ):
            rest = lines[current.end_mark.line][current.end_mark.column :]
            if rest.lstrip().startswith("#"):
                problems.add(
                    path,
                    first_line + current.end_mark.line,
                    current.end_mark.column + 1,
                    f"the text after {current.value!r} is read as a comment and dropped",
                    "put the whole value in double quotes",
                )


def _syntax_error(path, source: str, first_line: int, error: yaml.YAMLError, problems) -> None:
    context = getattr(error, "context", None) or ""
    if "quoted scalar" in context and getattr(error, "context_mark", None):  # a quote never closed
        start = error.context_mark
        opening = source.split("\n")[start.line][start.column : start.column + 1]
        kind = "double" if opening == '"' else "single"
        problems.add(
            path,
            first_line + start.line,
            start.column + 1,
            f"the {kind}-quoted value that starts here is never closed",
            f"end it with a {kind} quote on the same line"
            + (' (write \\" for a quote inside it)' if kind == "double" else ""),
        )
        return
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = first_line + mark.line if mark else first_line
    column = mark.column + 1 if mark else 1
    text = source.split("\n")[mark.line] if mark and mark.line < len(source.split("\n")) else ""
    reason = getattr(error, "problem", None) or str(error).split("\n")[0]
    problems.add(path, line, column, f"YAML syntax error: {reason}", _syntax_hint(reason, text, source, mark))


_KEY = re.compile(r"^(\s*)(-\s+)?([A-Za-z_][\w-]*)\s*:(\s|$)")


def _syntax_hint(reason: str, text: str, source: str, mark) -> str:
    """A hint for the mistake at hand, from the line the parser stopped on."""
    if "\t" in text or "'\\t'" in reason:
        return "replace the tab with spaces"
    value = text.split(":", 1)[1].strip() if ":" in text else text.strip()
    if value.startswith('"') and value.count('"') - value.count('\\"') > 2:
        return (
            'this value has a " inside double quotes: write \\" for it, use typographic quotes “ ”, '
            "or single quotes around the value"
        )
    if value.startswith("'") and value.count("'") > 2 and "''" not in value:
        return "this value has a ' inside single quotes: double it ('') or put the value in double quotes"
    if "mapping values are not allowed" in reason and ": " in value and not value.startswith(("'", '"')):
        return "this value contains ': '; put the whole value in double quotes"
    lines = source.split("\n")
    above = [m for line in lines[: mark.line] if (m := _KEY.match(line))] if mark else []
    found = _KEY.match(text)
    if found and above:
        own = len(found.group(1)) + len(found.group(2) or "")
        previous = len(above[-1].group(1)) + len(above[-1].group(2) or "")
        if own != previous and abs(own - previous) <= 2:
            return f"indent this field exactly like the field above it ({previous} spaces, not {own})"
    if "expected <block end>" in reason or "did not find expected key" in reason:
        return "indent every field of a source like title:, and start each source with '- '"
    if "found character" in reason and "that cannot start any token" in reason:
        return "put the value in double quotes"
    return "put quotes around values containing ': ' or ' #', and indent list items evenly"
