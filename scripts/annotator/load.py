"""Load step: read an annotation file (YAML blocks + Markdown notes) into typed data.

`load_file(path)` returns an `AnnotationFile` or raises `AnnotationError` listing every
problem in the file. Every note is rendered and sanitized here, as the build will show it, so a
file that loads is a file that builds. Everything after this step trusts what it returns.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import replace
from pathlib import Path

from . import schema
from .cache import CACHE
from .errors import AnnotationError, ProblemCollector
from .inputs import check_regular, read_text
from .messages import FORMAT_HINT, explain
from .model import Annotation, AnnotationFile, Source
from .note import NoteError, render_note
from .scaffold import placeholders
from .text import check_block, check_note, has_invisible
from .yamlblock import Block, parse_block

DELIMITER = "---"
_KEY_LINE = re.compile(r"^[A-Za-z_][\w-]*\s*:|^#|^-\s|^\s|^$")  # what a YAML block's line can look like


# Not on disk: an article's checked notes are (pipeline.annotated), and an unchanged article
# never reads its files; a file read again costs less than the thousands of entries kept.
@CACHE.by_file(on_disk=False)
def load_file(path: Path) -> AnnotationFile:
    """Parse one annotation file; raise AnnotationError with every problem found."""
    problems = ProblemCollector()
    text = read_text(path, problems) if check_regular(path, problems) else None
    result = parse_text(path, text, problems) if text is not None else None
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
    if lines[0].rstrip() != DELIMITER:
        problems.add(
            path,
            1,
            1,
            "file must start with a line containing only ---",
            f"add the header block: ---, paragraph: <first words>, --- ({FORMAT_HINT})",
        )
        return None
    before = len(problems)
    blocks = _split(path, lines, problems)
    if blocks is None:
        return None
    unclosed = len(problems) > before
    (h_open, h_close, h_note, h_end), *rest = blocks
    header = _parse(path, lines, h_open, h_close, "header", problems)
    if any(line.strip() for line in lines[h_note:h_end]):
        problems.add(
            path,
            h_close + 2,
            1,
            "text between the header and the first annotation block",
            "put notes after an annotation's closing ---, not before its opening one",
        )
    if not rest and not unclosed:
        problems.add(
            path, h_close + 1, 1, "file has a header but no annotation", "add a --- block with quote:, relation:"
        )
    annotations = []
    for opening, closing, note_start, end in rest:
        block = _parse(path, lines, opening, closing, "annotation", problems)
        note = check_note(path, lines[note_start:end], note_start + 1, problems)
        annotation = _annotation(path, block, note, note_start, problems)
        if annotation is not None:
            annotations.append(replace(annotation, lines=(opening + 1, end + 1)))
    _check_duplicate_quotes(path, annotations, problems)
    if header is None:
        return None
    return AnnotationFile(path, header.value["paragraph"], header.line("paragraph"), tuple(annotations))


def _split(path, lines: list[str], problems) -> list[tuple[int, int, int, int]] | None:
    """(opening ---, closing ---, first note line, end of note) for the header and each block.

    A block whose closing --- is missing is reported where it stops looking like YAML (the
    first line that is not a field, a list item, an indented line or a comment), not at the
    file's next ---, and is taken to end there, so the rest of the file still reads."""
    delimiters = [i for i, line in enumerate(lines) if line.rstrip() == DELIMITER]
    blocks, i = [], 0
    while i < len(delimiters):
        opening = delimiters[i]
        following = delimiters[i + 1] if i + 1 < len(delimiters) else len(lines)
        stray = next((k for k in range(opening + 1, following) if not _KEY_LINE.match(lines[k])), None)
        if stray is None and i + 1 < len(delimiters):  # closed properly
            end = delimiters[i + 2] if i + 2 < len(delimiters) else len(lines)
            blocks.append((opening, following, following + 1, end))
            i += 2
            continue
        if stray is not None:
            message = f"the block opened here has no closing --- (its fields seem to end before line {stray + 1})"
            hint = f"add a line with only --- before line {stray + 1}"
        else:
            message, hint = "the block opened here is never closed", "add a line with only --- after its fields"
        problems.add(path, opening + 1, 1, message, hint)
        if stray is None or not blocks:
            return blocks or None
        blocks.append((opening, stray, stray, following))  # the note starts at the stray line
        i += 1
    return blocks


def _parse(path, lines, opening, closing, definition, problems) -> Block | None:
    """One block's YAML, checked against its schema definition, or None."""
    source = "\n".join(lines[opening + 1 : closing])
    before = len(problems)
    if definition == "annotation" and _misplaced_source_fields(path, lines, opening, closing, problems):
        return None
    block = parse_block(path, source, opening + 2, problems, f"{definition} block")
    if block is None:
        return None
    check_against_schema(path, block, definition, problems)
    for field_path, date in _dates(block.value):
        _check_date(path, block, field_path, date, problems)
    _check_placeholders(path, block, problems)
    return block if len(problems) == before else None


_FIELD_AT_LINE_START = re.compile(r"^([A-Za-z_]+):")
SOURCE_LAYOUT = (
    "indent each of them with four spaces, under its source's '- ' line: "
    "'sources:', then '  - title: \"…\"', then '    url: https://…', '    excerpt: \"…\"' "
    "(see CONTRIBUTING.md, 'The annotation format')"
)


def _misplaced_source_fields(path, lines, opening, closing, problems) -> bool:
    """A source's fields pushed to the start of the line after 'sources:' (a paste, an editor's
    auto-format) break the YAML in a different way for each line moved: one message names
    them all and shows the layout, instead of one line-by-line hint per round."""
    annotation = set(schema.schema()["$defs"]["annotation"]["properties"])
    source = set(schema.schema()["$defs"]["source"]["properties"])
    seen: set[str] = set()
    in_sources, misplaced = False, []
    for number in range(opening + 1, closing):
        match = _FIELD_AT_LINE_START.match(lines[number])
        if not match:
            continue
        name = match.group(1)
        if in_sources and name in source and (name not in annotation or name in seen):
            misplaced.append((number + 1, name))
            continue
        seen.add(name)
        in_sources = name == "sources"
    if not misplaced:
        return False
    where = ", ".join(f"{name}: (line {line})" for line, name in misplaced)
    problems.add(
        path,
        misplaced[0][0],
        1,
        f"source field{'s' if len(misplaced) > 1 else ''} at the start of the line after sources: {where}",
        SOURCE_LAYOUT,
    )
    return True


def check_against_schema(path, block: Block, definition: str, problems: ProblemCollector) -> None:
    """Record every schema error of a parsed block, each at its field's line and column."""
    check_block(path, block, problems)  # invisible characters by Unicode category (text.py); NFC
    if schema.is_valid(definition, block.value):
        return
    errors = list(schema.validator(definition).iter_errors(block.value))
    misspelt = _misspellings(errors)
    for error in errors:
        if error.validator == "pattern" and has_invisible(error.instance):
            continue  # check_block reported it, naming the character
        where = tuple(error.absolute_path)
        if _follows_from(error, misspelt):
            continue
        if error.validator == "additionalProperties":  # point at the unknown key itself
            unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            where += (unknown[0],)
        line, column = block.position(where)
        problems.add(path, line, column, *explain(error, definition))


def _misspellings(errors) -> dict[tuple, set[str]]:
    """For each object with an unknown field close to a known one it lacks ('relaton' beside a
    missing 'relation'): the known names it probably means."""
    found: dict[tuple, set[str]] = {}
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            for name in set(error.instance) - set(known):
                close = difflib.get_close_matches(str(name), [k for k in known if k not in error.instance], n=1)
                if close:
                    found.setdefault(tuple(error.absolute_path), set()).add(close[0])
    return found


def _follows_from(error, misspelt: dict[tuple, set[str]]) -> bool:
    """Whether error only follows from a misspelt field of its object: the field is 'missing',
    or a rule that depends on field values (if/then/else) misfired without it. The misspelling
    is the one message: nothing else is inferred from it."""
    path = tuple(error.absolute_path)
    for where in misspelt:
        if path[: len(where)] != where:
            continue
        if error.validator == "required" and path == where:
            return True
        if {"if", "then", "else"} & {str(p) for p in error.relative_schema_path}:
            return True
    return False


def _dates(value: dict):
    """(field path, text) of every date in a block, for the calendar and future checks."""
    if isinstance(value.get("date"), str):
        yield ("date",), value["date"]
    for i, source in enumerate(value.get("sources") or []):
        if isinstance(source, dict):
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
            path, line, column, f"{field_path[-1]} {text!r} is in the future", "use the date it was published or read"
        )


def _check_placeholders(path, block: Block, problems) -> None:
    """The scaffold's example values never pass: each one left in is reported."""
    groups = [((), block.value)] + [
        (("sources", i), s) for i, s in enumerate(block.value.get("sources") or []) if isinstance(s, dict)
    ]
    for prefix, values in groups:
        for key in placeholders(values):
            line, column = block.position((*prefix, key))
            problems.add(path, line, column, f"{key} still holds the example value", f"replace it with the real {key}")


def _annotation(path, block: Block | None, note: str, note_start: int, problems) -> Annotation | None:
    """The typed annotation with its rendered note, or None with problems recorded."""
    if not note:
        problems.add(
            path,
            note_start,
            1,
            "annotation has no note",
            "write one to three sentences after the closing --- saying what the sources say",
        )
        return None
    if placeholders({"note": note}):
        problems.add(path, note_start + 1, 1, "the note still holds the example text", "write the note")
        return None
    try:
        rendered = render_note(note)
    except NoteError as error:
        problems.add(path, note_start + 1, 1, error.message, error.hint)
        return None
    if block is None:
        return None
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
        id=value["id"],
        id_line=block.line("id"),
        replaces=tuple(value.get("replaces") or ()),
        quote=value["quote"].strip(),
        relation=value["relation"],
        note=note,
        rendered=rendered,
        sources=sources,
        claim=(value.get("claim") or "").strip() or None,
        reason=(value.get("reason") or "").strip() or None,
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


def load_folder(folder: Path, problems: ProblemCollector) -> list[AnnotationFile]:
    """Load every annotation file of one article's folder, collecting all problems."""
    files = []
    for path in sorted(folder.iterdir()):
        if not check_regular(path, problems):
            continue
        if path.suffix != ".md":
            problems.add(
                path,
                1,
                1,
                "not an annotation file (annotation files are .md files)",
                "rename it to end in .md, or move it out of annotations/",
            )
            continue
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.md", path.name):
            problems.add(
                path,
                1,
                1,
                f"{path.name!r} is not a valid annotation file name",
                "name it after the paragraph's first words: lower-case letters, digits and hyphens, ending in .md",
            )
            continue
        try:
            files.append(load_file(path))
        except AnnotationError as error:
            problems.extend(error)
    return files


def raw_blocks(path: Path, text: str) -> list[tuple[dict, str]]:
    """Each annotation block of a file as written (its YAML value, and its note), read with the
    loader's own splitting and bounded YAML but without the schema's checks: for old versions
    of a file (history.py), which were valid under the rules of their day, not necessarily today's."""
    problems = ProblemCollector()
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].rstrip() != DELIMITER:
        return []
    blocks = _split(path, lines, problems) or []
    found = []
    for opening, closing, note_start, end in blocks[1:]:
        block = parse_block(path, "\n".join(lines[opening + 1 : closing]), opening + 2, problems, "annotation block")
        if block is not None and isinstance(block.value, dict):
            found.append((block.value, "\n".join(lines[note_start:end]).strip()))
    return found
