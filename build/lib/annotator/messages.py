"""Schema errors in words an author can act on: (what is wrong, how to fix it)."""

from __future__ import annotations

import difflib

from .errors import printable

FORMAT_HINT = "see CONTRIBUTING.md, 'The annotation format'"
_URL_FIELDS = ("url", "via", "archive_url", "original_url")
_TYPE_NAMES = {
    "dict": "fields",
    "list": "a list",
    "str": "text",
    "bool": "true/false",
    "NoneType": "empty",
}


def _where(path, definition: str) -> str:
    """A field path for people: ('sources', 0, 'url') -> 'source 1 url'."""
    words: list[str] = []
    for part in path:
        if isinstance(part, int) and words:
            words[-1] = f"{words[-1].rstrip('s')} {part + 1}"
        else:
            words.append(str(part))
    return " ".join(words) or definition


def _choices(error) -> list | None:
    """The allowed values when a field's schema is a list of documented constants."""
    rows = error.schema.get("oneOf") if isinstance(error.schema, dict) else None
    if rows and all(isinstance(r, dict) and "const" in r for r in rows):
        return [r["const"] for r in rows]
    return None


def _short(value, length: int = 60) -> str:
    text = printable(repr(value))
    return text if len(text) <= length else text[: length - 1] + "…"


def explain(error, definition: str) -> tuple[str, str]:
    """Turn a schema error into (message, hint) an author can act on."""
    where = _where(error.absolute_path, definition)
    field_name = str(error.absolute_path[-1]) if error.absolute_path else definition
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(properties))
        missing = [p for p in properties if p not in error.instance]
        close = {u: m[0] for u in unknown for m in [difflib.get_close_matches(str(u), missing, n=1)] if m}
        if close:
            return (
                f"unknown field {', '.join(_short(u) for u in unknown)} in {where}: probably a misspelling of "
                + " and ".join(f"'{m}'" for m in close.values()),
                " ".join(f"rename {u}: to {m}:" for u, m in close.items()),
            )
        near = {u: difflib.get_close_matches(str(u), list(properties), n=1) for u in unknown}
        hints = [f"did you mean '{m[0]}'?" for m in near.values() if m]
        return (
            f"unknown field {', '.join(_short(u) for u in unknown)} in {where}",
            " ".join(hints) or f"allowed fields: {', '.join(properties)}",
        )
    if error.validator == "required":
        missing = error.message.split("'")[1]
        if missing == "id" and isinstance(error.instance, dict):
            from .scaffold import suggest_id

            words = str(error.instance.get("claim") or error.instance.get("quote") or "note")
            return (
                "this note has no id",
                f"add a line id: {suggest_id(words)} (lower-case words joined by hyphens, unique in the article; "
                "links to the note use it, so keep it once published)",
            )
        if missing == "sources":
            return (
                f"relation '{error.instance.get('relation')}' needs sources",
                "add a sources: list, or use relation: unsourced or opinion",
            )
        return f"missing required field '{missing}' in {where}", f"add {missing}: ... ({FORMAT_HINT})"
    choices = _choices(error)
    if choices is not None or error.validator == "enum":
        allowed = choices if choices is not None else error.validator_value
        return f"{field_name} is {_short(error.instance)}, which is not allowed", f"use one of: {', '.join(allowed)}"
    if error.validator == "anyOf" and isinstance(error.instance, dict) and "title" in error.instance:
        return (
            f"{where} has neither url nor via",
            "give the original's address as url:, or, if you read a copy, the copy's address as via:",
        )
    if error.validator == "pattern" and field_name in _URL_FIELDS:
        return (
            f"{field_name} {_short(error.instance)} is not an absolute http(s) address",
            "copy the full address from the browser's address bar: https://..., no spaces",
        )
    if error.validator == "pattern" and field_name == "annotations":
        return (
            f"annotations {_short(error.instance)} is not a folder name",
            "use lower-case letters, digits and single hyphens, e.g. moscow-concert-massacre",
        )
    if error.validator == "pattern" and "<>" in error.validator_value:
        return (
            f"{field_name} contains a character that is not allowed in page metadata",
            "write plain text: no < > or straight double quotes (use “ ”), no invisible characters",
        )
    if error.validator == "pattern" and "\u200b" in error.validator_value:
        return (
            f"{field_name} contains an invisible or control character",
            "delete it (retype the text around it)",
        )
    if error.validator == "pattern" and (field_name == "id" or "replaces" in error.absolute_path):
        return (
            f"{where} {_short(error.instance)} is not a note id",
            "use lower-case letters, digits and single hyphens, starting with a letter (e.g. embassy-warned-of-attack)",
        )
    if error.validator == "pattern" and "[0-9]{4}" in error.validator_value:
        return f"{field_name} {_short(error.instance)} is not a date", "write it as YYYY-MM-DD (or YYYY-MM, YYYY)"
    if error.validator == "oneOf" and field_name == "verified":
        return (
            f"verified is {_short(error.instance)}",
            "write the day you read the excerpt in a copy of the source as YYYY-MM-DD, or false",
        )
    if error.validator == "type":
        kind = {
            "string": "text",
            "array": "a list (lines starting with '- ')",
            "object": "fields",
            "boolean": "true or false",
        }
        actual = _TYPE_NAMES.get(type(error.instance).__name__, type(error.instance).__name__)
        return (
            f"{field_name} should be {kind.get(error.validator_value, error.validator_value)}, not {actual}",
            "put text values in quotes; start each list item with '- '",
        )
    if error.validator in ("minItems", "maxItems") and field_name == "sources":
        if error.validator == "minItems":
            return "this relation needs at least one source", "add a source, or use relation: unsourced"
        return "too many sources", "an unsourced annotation has no sources; keep at most 10 otherwise"
    if error.validator in ("minLength", "maxLength"):
        size = "at least" if error.validator == "minLength" else "at most"
        return f"{field_name} is {len(error.instance)} characters", f"it must be {size} {error.validator_value}"
    return f"{where}: {printable(error.message)}", FORMAT_HINT
