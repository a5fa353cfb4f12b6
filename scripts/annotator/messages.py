"""Schema errors in words an author can act on: (what is wrong, how to fix it)."""

from __future__ import annotations

import difflib

FORMAT_HINT = "see CONTRIBUTING.md, 'The annotation format'"


def _where(path, definition: str) -> str:
    """A field path for people: ('sources', 0, 'url') -> 'source 1 url'."""
    words = []
    for part in path:
        if isinstance(part, int):
            words[-1] = f"{words[-1].rstrip('s')} {part + 1}"
        else:
            words.append(str(part))
    return " ".join(words) or definition


_TYPE_NAMES = {
    "dict": "fields",
    "list": "a list",
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "NoneType": "empty",
}


def explain(error, definition: str) -> tuple[str, str]:
    """Turn a schema error into (message, hint) an author can act on."""
    where = _where(error.absolute_path, definition)
    field_name = str(error.absolute_path[-1]) if error.absolute_path else definition
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(properties))
        hints = [
            f"did you mean '{m[0]}'?"
            for u in unknown
            for m in [difflib.get_close_matches(u, list(properties), n=1)]
            if m
        ]
        allowed = ", ".join(properties)
        return (
            f"unknown field {', '.join(repr(u) for u in unknown)} in {where}",
            " ".join(hints) or f"allowed fields: {allowed}",
        )
    if error.validator == "required":
        missing = error.message.split("'")[1]
        if missing == "sources":
            return (
                f"relation '{error.instance.get('relation')}' needs sources",
                "add a sources: list, or use relation: unsourced or opinion",
            )
        return f"missing required field '{missing}' in {where}", f"add {missing}: ... ({FORMAT_HINT})"
    if error.validator == "enum":
        choices = ", ".join(error.validator_value)
        return f"{field_name} is {error.instance!r}, which is not allowed", f"use one of: {choices}"
    if error.validator == "anyOf" and isinstance(error.instance, dict) and "title" in error.instance:
        return (
            f"{where} has neither url nor via",
            "give the original's address as url:, or, if you read a copy, the copy's address as via:",
        )
    if error.validator == "pattern" and field_name in ("url", "via", "archive_url"):
        return (
            f"{field_name} {error.instance!r} is not an absolute http(s) address",
            "copy the full address starting with https:// and with no spaces",
        )
    if error.validator == "pattern":
        return f"{field_name} {error.instance!r} is not a date", "write it as YYYY-MM-DD (or YYYY-MM, YYYY)"
    if error.validator == "oneOf" and field_name == "verified":
        return (
            f"verified is {error.instance!r}",
            "write the day you read the excerpt in a copy of the source as YYYY-MM-DD, or false",
        )
    if error.validator == "type":
        kind = {"string": "text", "array": "a list (lines starting with '- ')", "object": "fields"}
        return (
            f"{field_name} should be {kind.get(error.validator_value, error.validator_value)}, "
            f"not {_TYPE_NAMES.get(type(error.instance).__name__, type(error.instance).__name__)}",
            "put text values in quotes; start each list item with '- '",
        )
    if error.validator in ("minItems", "maxItems") and field_name == "sources":
        if error.validator == "minItems":
            return "this relation needs at least one source", "add a source, or use relation: unsourced"
        return "too many sources", "an unsourced annotation has no sources; keep at most 10 otherwise"
    if error.validator in ("minLength", "maxLength"):
        limit = error.validator_value
        size = "at least" if error.validator == "minLength" else "at most"
        return f"{field_name} is {len(error.instance)} characters", f"it must be {size} {limit}"
    return f"{where}: {error.message}", FORMAT_HINT
