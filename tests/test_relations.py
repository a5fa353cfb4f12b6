"""One relation table: every property of a relation is a field of its row in
annotation.schema.json, and everything that depends on a relation follows from the rows."""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as etree
from pathlib import Path
from types import SimpleNamespace

import pytest

from annotator import assets, generated, model, opendata, pages, reliability
from annotator import schema as schema_module
from annotator.schema import RELATIONS, SOURCE_RELATIONS

MISLEADS = {  # the row a maintainer would add, and nothing else
    "const": "misleads",
    "title": "Misleads",
    "x-letter": "M",
    "x-rating": 2,
    "x-colour": {"light": "#6a1b9a", "dark": "#e1bee7"},
    "x-mark": {"line": "dashed", "words": "dashed underline, while read; boxed number", "rest": "number"},
    "x-needs-sources": True,
    "x-filter-word": "misleading",
    "description": "True in its words, false in what it implies. The note says how.",
}


def test_the_rows_carry_every_property():
    for r in RELATIONS:
        assert r.colour and r.colour.light.startswith("#") and r.colour.dark.startswith("#"), r.name
        assert r.mark.rest in schema_module.REST_LOOKS, r.name
        assert not (r.needs_sources and r.no_sources), r.name
        assert r.mark.line in ("solid", "dashed", "dotted", "double", "wavy", "none"), r.name
        if r.needs_deciding_source:  # a source bears it out with the same relation (reliability.check_sources)
            assert r.name in {s.name for s in SOURCE_RELATIONS} and r.needs_sources, r.name
    assert [r.name for r in SOURCE_RELATIONS if r.colour] == ["context"]  # the others share the table's classes
    assert reliability.JUDGED == ("supports", "contradicts")
    assert [r.name for r in RELATIONS if generated.disputed(r)] == ["qualifies", "contradicts"]


def test_the_validator_rules_on_sources_are_the_tables():
    """The annotation's rules on sources are generated from the table (the file holds none), and
    are what they were when they were written by hand."""
    assert "allOf" not in schema_module.read_schema()["$defs"]["annotation"]
    assert schema_module.schema()["$defs"]["annotation"]["allOf"] == [
        {
            "if": {"properties": {"relation": {"enum": ["supports", "qualifies", "contradicts"]}}},
            "then": {"required": ["sources"], "properties": {"sources": {"minItems": 1}}},
        },
        {
            "if": {"properties": {"relation": {"const": "unsourced"}}},
            "then": {"properties": {"sources": {"maxItems": 0}}},
        },
    ]


def _named_relations(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """Relation names the code compares with or lists (a string in a comparison or a collection)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            values = [node.left, *node.comparators]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            values = node.elts
        elif isinstance(node, ast.Dict):
            values = [k for k in node.keys if k is not None]
        else:
            continue
        for value in values:
            for constant in ast.walk(value):
                if isinstance(constant, ast.Constant) and constant.value in names:
                    found.append((constant.lineno, constant.value))
    return found


def test_no_module_names_a_relation():
    """No module compares with or lists a relation's name: what a relation does is in its row."""
    names = {r.name for r in RELATIONS} | {r.name for r in SOURCE_RELATIONS}
    package = Path(schema_module.__file__).parent
    named = [
        f"{p.name}:{line}: {name}"
        for p in sorted(package.glob("*.py"))
        for line, name in _named_relations(ast.parse(p.read_text(encoding="utf-8")), names)
    ]
    assert not named
    css = (package / "assets" / "annotator.css").read_text(encoding="utf-8")
    assert not [n for n in names if f".rel-{n} {{" in css]  # colours come from x-colour


@pytest.fixture
def added_relation(monkeypatch):
    """The schema with one more row, as if the file had it: schema() returns it, and every module
    of the package that holds the relation table sees the new one."""
    document = schema_module.complete(_with_row(schema_module.read_schema()))
    table = schema_module.rows(document, "relation")
    new = {id(schema_module.RELATIONS): table, id(schema_module.RELATION): {r.name: r for r in table}}
    monkeypatch.setattr(schema_module, "schema", lambda: document)
    for name, module in list(sys.modules.items()):
        if name == "annotator" or name.startswith("annotator."):
            for attribute, value in list(vars(module).items()):
                if id(value) in new:
                    monkeypatch.setattr(module, attribute, new[id(value)])
    schema_module.validator.cache_clear()
    yield table[-1]
    schema_module.validator.cache_clear()


def _with_row(document: dict) -> dict:
    document["$defs"]["relation"]["oneOf"].append(MISLEADS)
    return document


def _item(relations: list[str]):
    def note(k: int, relation: str):
        annotation = model.Annotation(
            path=Path("annotations/a/x.md"), line=3, id=f"note-{k}", quote="the words quoted",
            relation=relation, note="How.", rendered=SimpleNamespace(text="How.", html="How."),
        )  # fmt: skip
        return model.AnchoredNote(annotation, paragraph=1, start=0, end=3, number=k)

    article = SimpleNamespace(slug="a", title="An article")
    return SimpleNamespace(article=article, notes=tuple(note(k, r) for k, r in enumerate(relations, 1)))


def test_adding_a_relation_is_one_row(added_relation):
    misleads = added_relation
    assert misleads.name == "misleads" and model.RELATION["misleads"] is misleads

    # CSS: its colour, its marks, the reader's filter and the Claims table's filter
    css = assets.source("annotator.css")
    assert ".rel-misleads { --sn-rel: light-dark(#6a1b9a, #e1bee7); }" in css
    assert ".rel-misleads{--sn-line:dashed;--sn-num-ring:inset 0 0 0 1.5px currentColor}" in css
    assert ":not([data-show~=misleads]))~* :is(:is(.claim,.sn-num,.sidenote).rel-misleads" in css
    assert '.claims-filter[value="misleads"]:checked ~ * tr[class]:not(.rel-misleads)' in assets.source("claims.css")

    # the legend: its badge, its mark in words, its meaning
    legend = etree.tostring(pages.legend_section(), encoding="unicode")
    assert '<span class="badge rel-misleads">Misleads</span>' in legend
    assert "dashed underline, while read; boxed number</span>" in legend and MISLEADS["description"] in legend

    # the reader's filter: its own choice, and among the verdicts short of support (rating 2 < 5)
    item = _item(["supports", "qualifies", "misleads", "misleads"])
    fieldset = generated.reader_filter(item)
    inputs = {i.get("value"): i for i in fieldset.iter("input")}
    assert list(inputs) == ["all", "disputed", "supports", "qualifies", "misleads", "clean"]
    assert inputs["disputed"].get("data-show") == "qualifies misleads"
    labels = ["".join(label.itertext()) for label in fieldset.iter("label")]
    assert "Qualified or misleading\u00a0(3)" in labels and "Misleads\u00a0(2)" in labels

    # schema.org ClaimReview: rated as its row says
    reviews = opendata.claim_reviews(item, "https://example.org/a.html", "The site")
    ratings = {r["url"].rpartition("#")[2]: r["reviewRating"] for r in reviews}
    assert ratings["n-note-3"]["ratingValue"] == 2 and ratings["n-note-3"]["alternateName"] == "Misleads"

    # validation: the relation is accepted, and needs a source (x-needs-sources)
    note = {"id": "a-note", "quote": "the words quoted", "relation": "misleads"}
    assert not schema_module.is_valid("annotation", note)
    assert not schema_module.is_valid("annotation", {**note, "sources": []})
    source = {
        "title": "A report", "outlet": "An outlet", "url": "https://example.org/report",
        "excerpt": "The words of the report.", "verified": False, "relation": "qualifies",
    }  # fmt: skip
    assert schema_module.is_valid("annotation", {**note, "sources": [source]})
    assert not schema_module.is_valid("annotation", {**note, "relation": "unknown", "sources": [source]})


def test_the_added_relation_is_gone_afterwards():
    """The fixture restores the real table and validator."""
    assert "misleads" not in model.RELATION and "misleads" not in {r.name for r in generated.RELATIONS}
    assert not schema_module.is_valid("annotation", {"id": "a-note", "quote": "the words", "relation": "misleads"})
