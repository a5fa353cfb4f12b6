"""The format's contract: annotation.schema.json, its validators, and the relation table.

The schema is the one place relations are defined; `RELATIONS` and `SOURCE_RELATIONS` are read
from it, so labels, letters, ratings and CSS classes cannot drift from what `validate` accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("annotation.schema.json")


@dataclass(frozen=True)
class Relation:
    """One row of a relation table."""

    name: str  # as written in annotation files
    label: str  # shown on the badge
    description: str
    letter: str = ""  # marks the note on the Claims map
    rating: int | None = None  # schema.org ClaimReview rating, for relations that judge a claim

    @property
    def css_class(self) -> str:
        return f"rel-{self.name}"

    @property
    def judges(self) -> bool:
        """Does this relation judge the claim (and so need sources)?"""
        return self.rating is not None


@cache
def schema() -> dict:
    """The whole JSON Schema, read once."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _table(definition: str) -> tuple[Relation, ...]:
    return tuple(
        Relation(
            name=row["const"],
            label=row["title"],
            description=row["description"],
            letter=row.get("x-letter", ""),
            rating=row.get("x-rating"),
        )
        for row in schema()["$defs"][definition]["oneOf"]
    )


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
