"""The format's contract: annotation.schema.json, its validators, and the relation table.

The schema is the one place relations are defined: each row of `$defs/relation` (and
`$defs/source_relation`) carries everything about one relation (its badge, letter, rating, colour,
mark, and the sources it needs), and `RELATIONS` and `SOURCE_RELATIONS` are read from it. What
depends on a relation is generated from these rows: the CSS colour and mark rules, the legend, the
reader's filter, ClaimReview ratings, the reliability rule on deciding sources, and the validator's
rules on sources (`complete`). Adding a relation is one row in the schema, plus its docs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("annotation.schema.json")


@dataclass(frozen=True)
class Colour:
    """A relation's colour (x-colour), for light and dark schemes."""

    light: str
    dark: str


@dataclass(frozen=True)
class Mark:
    """How the article's text marks a relation's assertions (x-mark)."""

    line: str  # the underline's CSS style while the assertion is read; "none": the number alone
    words: str  # that mark, in words, for the legend
    rest: str  # what marks it before anyone reads it: REST_LOOKS


REST_LOOKS = ("quiet", "number", "mark")  # its number only; a boxed number; boxed, filled and underlined
QUIET = Mark("solid", "solid underline, while read", "quiet")


@dataclass(frozen=True)
class Relation:
    """One row of a relation table: every property of a relation, from its row in the schema."""

    name: str  # as written in annotation files (const)
    label: str  # shown on the badge (title)
    description: str
    letter: str = ""  # marks the note on the Claims map (x-letter)
    rating: int | None = None  # schema.org ClaimReview rating, for relations that judge a claim (x-rating)
    colour: Colour | None = None  # its badge, marks and notes (x-colour); None: the page's colours
    mark: Mark = QUIET  # (x-mark)
    needs_sources: bool = False  # an annotation with it cites at least one source (x-needs-sources)
    no_sources: bool = False  # an annotation with it cites none (x-no-sources)
    needs_deciding_source: bool = False  # a source of a deciding class bears it out (x-needs-deciding-source)
    filter_word: str = ""  # its notes in the reader's filter ("qualified"); default: the label (x-filter-word)

    @property
    def css_class(self) -> str:
        return f"rel-{self.name}"

    @property
    def judges(self) -> bool:
        """Does this relation judge the claim (and so make a ClaimReview)?"""
        return self.rating is not None


def read_schema() -> dict:
    """annotation.schema.json as the file has it."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def schema() -> dict:
    """The whole JSON Schema, read once, with the rules the relation table implies (complete)."""
    return complete(read_schema())


def rows(document: dict, definition: str) -> tuple[Relation, ...]:
    """The relation table of one definition ("relation" or "source_relation") of a schema."""

    def relation(row: dict) -> Relation:
        colour, mark = row.get("x-colour"), row.get("x-mark")
        return Relation(
            name=row["const"],
            label=row["title"],
            description=row["description"],
            letter=row.get("x-letter", ""),
            rating=row.get("x-rating"),
            colour=Colour(colour["light"], colour["dark"]) if colour else None,
            mark=Mark(mark["line"], mark["words"], mark["rest"]) if mark else QUIET,
            needs_sources=row.get("x-needs-sources", False),
            no_sources=row.get("x-no-sources", False),
            needs_deciding_source=row.get("x-needs-deciding-source", False),
            filter_word=row.get("x-filter-word", ""),
        )

    return tuple(relation(row) for row in document["$defs"][definition]["oneOf"])


def _names(names: list[str]) -> dict:
    return {"const": names[0]} if len(names) == 1 else {"enum": names}


def source_rules(table: tuple[Relation, ...]) -> list[dict]:
    """The annotation's rules on sources, from the relation table: at least one where a relation
    needs sources (x-needs-sources), none where it forbids them (x-no-sources)."""
    rules = []
    if needs := [r.name for r in table if r.needs_sources]:
        rules.append(
            {
                "if": {"properties": {"relation": _names(needs)}},
                "then": {"required": ["sources"], "properties": {"sources": {"minItems": 1}}},
            }
        )
    if none := [r.name for r in table if r.no_sources]:
        rules.append(
            {"if": {"properties": {"relation": _names(none)}}, "then": {"properties": {"sources": {"maxItems": 0}}}}
        )
    return rules


def complete(document: dict) -> dict:
    """The schema with the rules its relation table implies written in (the annotation's allOf),
    so that validate follows the table: the file holds them nowhere else."""
    document["$defs"]["annotation"]["allOf"] = source_rules(rows(document, "relation"))
    return document


def _table(definition: str) -> tuple[Relation, ...]:
    return rows(schema(), definition)


RELATIONS: tuple[Relation, ...] = _table("relation")
SOURCE_RELATIONS: tuple[Relation, ...] = _table("source_relation")
RELATION = {r.name: r for r in RELATIONS}
SOURCE_RELATION = {r.name: r for r in SOURCE_RELATIONS}


def _definition(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}", "$defs": schema()["$defs"]}


@cache
def validator(name: str):
    """The validator of one definition: JSON Schema 2020-12, as the schema declares (jsonschema
    implements it whole, so a keyword added to the schema is never silently ignored)."""
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema())
    return jsonschema.Draft202012Validator(_definition(name), format_checker=None)


def is_valid(name: str, value) -> bool:
    return validator(name).is_valid(value)
