"""Load step: read an annotation file (YAML blocks + Markdown notes) into typed data.

`load_file(path)` returns an `AnnotationFile` or raises `AnnotationError` listing every
problem in the file. Everything after this step trusts what it returns.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import fastjsonschema
import yaml

from .errors import ProblemCollector
from .messages import FORMAT_HINT, explain
from .model import Annotation, AnnotationFile, Source

SCHEMA_PATH = Path(__file__).with_name("annotation.schema.json")
MAX_FILE_BYTES = 64 * 1024  # a real annotation file is a few KB
DELIMITER = "---"


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: same result, faster


class _Loader(_SafeLoader):
    """Safe YAML that keeps dates as the strings the author wrote (the schema checks them)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _compose_and_construct(source: str) -> tuple[yaml.Node | None, object]:
    """Parse once: the node tree (for line numbers) and the plain value built from it."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


@cache
def schema() -> dict:
    """The annotation JSON Schema, read once."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator(definition: str):
    """The full validator: slower, but lists every error with its path (used only on failure)."""
    import jsonschema  # imported only when a block is invalid: it is the slow part of a start-up

    defs = schema()["$defs"]
    return jsonschema.Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": defs})


@cache
def _is_valid(definition: str):
    """The same schema compiled to Python code: a fast yes/no for the common, valid case."""
    check = fastjsonschema.compile({"$ref": f"#/$defs/{definition}", "$defs": schema()["$defs"]})

    def is_valid(value) -> bool:
        try:
            check(value)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def read_text(path: Path, problems: ProblemCollector, limit: int = MAX_FILE_BYTES) -> str | None:
    """Read a file as UTF-8 text with a tolerated BOM and Windows line endings; None on failure."""
    data = path.read_bytes()
    if len(data) > limit:
        problems.add(
            path,
            1,
            1,
            f"file is {len(data):,} bytes, far larger than any annotation file",
            f"keep one paragraph per file and excerpts short (limit {limit:,} bytes)",
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.add(
            path, line, column, "file is not valid UTF-8 text", "save it as UTF-8 (GitHub's web editor always does)"
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_file(path: Path) -> AnnotationFile:
    """Parse one annotation file; raise AnnotationError with every problem found."""
    problems = ProblemCollector()
    text = read_text(path, problems)
    if text is None:
        problems.raise_if_any()
    result = parse_text(path, text, problems)
    problems.raise_if_any()
    return result


def parse_text(path: Path, text: str, problems: ProblemCollector) -> AnnotationFile | None:
    """Split text into blocks and build the AnnotationFile, recording problems as it goes."""
    lines = text.split("\n")
    if not text.strip():
        problems.add(
            path,
            1,
            1,
            "file is empty",
            f"start with a --- block naming the paragraph ({FORMAT_HINT}), or delete the file",
        )
        return None
    delimiters = [i for i, line in enumerate(lines) if line.rstrip() == DELIMITER]
    if not delimiters or lines[0].rstrip() != DELIMITER:
        problems.add(
            path,
            1,
            1,
            "file must start with a line containing only ---",
            f"add the header block: ---, paragraph: <first words>, --- ({FORMAT_HINT})",
        )
        return None
    if len(delimiters) % 2:
        problems.add(
            path,
            delimiters[-1] + 1,
            1,
            "this --- opens a YAML block that is never closed",
            "add a line with --- after the block's fields; a note may not contain a --- line",
        )
        return None
    if len(delimiters) < 4:
        problems.add(
            path,
            delimiters[-1] + 1,
            1,
            "file has a header but no annotation",
            "add a --- block with quote:, relation: and sources:, then the note",
        )
        return None

    header = _parse_block(path, lines, delimiters[0], delimiters[1], "header", problems)
    between = delimiters[1] + 1
    if any(line.strip() for line in lines[between : delimiters[2]]):
        problems.add(
            path,
            between + 1,
            1,
            "text between the header and the first annotation block",
            "put notes after an annotation's closing ---, not before its opening one",
        )

    annotations = []
    for k in range(2, len(delimiters), 2):
        opening, closing = delimiters[k], delimiters[k + 1]
        end = delimiters[k + 2] if k + 2 < len(delimiters) else len(lines)
        data = _parse_block(path, lines, opening, closing, "annotation", problems)
        note = "\n".join(lines[closing + 1 : end]).strip()
        if not note:
            problems.add(
                path,
                closing + 1,
                1,
                "annotation has no note",
                "write one to three sentences after the closing --- saying what the sources say",
            )
        if data is not None:
            annotations.append(_build_annotation(path, data, note))

    _check_duplicate_quotes(path, annotations, problems)
    if header is None:
        return None
    return AnnotationFile(path, header.value["paragraph"], header.line("paragraph"), tuple(annotations))


class _Block:
    """A parsed YAML block: its value and a way to point at any field's line and column."""

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


def _parse_block(path, lines, opening, closing, definition, problems, check_schema=True) -> _Block | None:
    first_line = opening + 2  # 1-based line of the block's first YAML line
    source = "\n".join(lines[opening + 1 : closing])
    try:
        node, value = _compose_and_construct(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark else opening + 1
        column = mark.column + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        problems.add(
            path,
            line,
            column,
            f"YAML syntax error: {reason}",
            "put quotes around values containing ': ' or '#', and indent list items evenly",
        )
        return None
    if not isinstance(node, yaml.MappingNode):
        problems.add(path, opening + 1, 1, f"the {definition} block must contain fields (name: value)", FORMAT_HINT)
        return None
    if _duplicate_keys(path, node, first_line, problems):
        return None
    block = _Block(value, node, first_line)
    if not check_schema:
        return block
    before = len(problems.problems)
    check_against_schema(path, block, definition, problems)
    for field_path, date in _dates(value):
        _check_date(path, block, field_path, date, problems)
    return block if len(problems.problems) == before else None


def check_against_schema(path, block: _Block, definition: str, problems: ProblemCollector) -> None:
    """Record every schema error of a parsed block, each at its field's line and column."""
    errors = [] if _is_valid(definition)(block.value) else _validator(definition).iter_errors(block.value)
    for error in errors:
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties":  # point at the unknown key itself
            unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            where += (unknown[0],)
        line, column = block.position(where)
        problems.add(path, line, column, *explain(error, definition))


def parse_yaml_document(path: Path, definition: str, problems: ProblemCollector) -> _Block | None:
    """A whole file as one YAML mapping (the reliability policy), or None with problems recorded."""
    text = read_text(path, problems, limit=1024 * 1024)
    if text is None:
        return None
    lines = text.split("\n")
    # As if the file were one block between --- lines: line numbers then start at 1.
    return _parse_block(path, lines, -1, len(lines), definition, problems, check_schema=False)


def _duplicate_keys(path, node, first_line, problems) -> bool:
    found = False
    for parent in _mappings(node):
        seen = set()
        for key, _ in parent.value:
            if key.value in seen:
                problems.add(
                    path,
                    first_line + key.start_mark.line,
                    key.start_mark.column + 1,
                    f"field '{key.value}' appears twice",
                    "keep one of them",
                )
                found = True
            seen.add(key.value)
    return found


def _mappings(node):
    if isinstance(node, yaml.MappingNode):
        yield node
        for _, child in node.value:
            yield from _mappings(child)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _mappings(child)


def _dates(value: dict):
    """(field path, text) of every date a source gives, for the calendar and future checks."""
    for i, source in enumerate(value.get("sources") or []):
        if not isinstance(source, dict):
            continue
        for key in ("date", "verified"):
            if isinstance(source.get(key), str):
                yield ("sources", i, key), source[key]


def _check_date(path, block, field_path, text, problems) -> None:
    parts = text.split("-")
    if not all(p.isdigit() for p in parts) or len(parts) > 3:
        return  # the schema already reported the shape
    try:
        year, month, day = (int(p) for p in parts + ["1"] * (3 - len(parts)))
        date = dt.date(year, month, day)
    except ValueError:
        line, column = block.position(field_path)
        problems.add(path, line, column, f"{field_path[-1]} {text!r} is not a real date", "check the month and day")
        return
    if date > dt.date.today():
        line, column = block.position(field_path)
        problems.add(
            path,
            line,
            column,
            f"{field_path[-1]} {text!r} is in the future",
            "use the date the source was published or read",
        )


def _build_annotation(path, block: _Block, note: str) -> Annotation:
    value = block.value
    sources = tuple(
        Source(
            title=s["title"].strip(),
            url=s.get("url"),
            outlet=s["outlet"].strip(),
            excerpt=s["excerpt"].strip(),
            relation=s["relation"],
            verified_on=s["verified"] or None,
            date=s.get("date"),
            author=s.get("author"),
            archive_url=s.get("archive_url"),
            via=s.get("via"),
            line=block.line("sources", i),
        )
        for i, s in enumerate(value.get("sources") or [])
    )
    return Annotation(
        path=path,
        line=block.line("quote"),
        quote=value["quote"].strip(),
        relation=value["relation"],
        note=note,
        sources=sources,
        claim=value.get("claim"),
    )


def _check_duplicate_quotes(path, annotations, problems) -> None:
    seen: dict[str, int] = {}
    for a in annotations:
        key = " ".join(a.quote.split())
        if key in seen:
            problems.add(
                path,
                a.line,
                1,
                f"two annotations have the same quote (the first is on line {seen[key]})",
                "merge them into one annotation with several sources",
            )
        seen.setdefault(key, a.line)
