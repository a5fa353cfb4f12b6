"""The verification record (annotations/verification.json): what `annotator verify` wrote, read
back and checked before anything trusts it.

`read_record(annotations, problems)` returns the checks by key (`excerpt_key(url, excerpt)`), or {}
with a problem when the file is there but is not exactly what verify writes (RECORD_SCHEMA, real
past dates, keys that match their checks). The build (pipeline, store) reads it through here;
verify.py writes it and re-exports these names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path

from .cache import CACHE
from .errors import AnnotationError, ProblemCollector
from .inputs import check_regular, read_text
from .paths import COMMAND, RECORD_NAME

MAX_URL = 2048

# What a check's result can be (the record accepts no other), and an address's reachability.
RESULTS = (
    "found", "redirected", "changed", "dead", "timeout", "not-html", "robots", "error", "refused", "too-large",
    "offline",
)  # fmt: skip
REACHABILITY = ("ok", "redirected", "dead", "timeout", "not-html", "robots", "error", "refused", "offline")


def excerpt_key(url: str, excerpt: str) -> str:
    digest = hashlib.sha256(" ".join(excerpt.split()).encode("utf-8")).hexdigest()[:16]
    return f"{url} {digest}"


_URL = {"type": "string", "maxLength": MAX_URL, "pattern": r"^https?://[^\s]+$"}
_TEXT = {"type": "string", "maxLength": 1000}
RECORD_SCHEMA = {  # exactly what write_record writes, and nothing else
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["checks"],
    "additionalProperties": False,
    "properties": {
        "about": _TEXT,
        "checks": {
            "type": "object",
            "maxProperties": 100_000,
            "propertyNames": {"maxLength": MAX_URL + 17},
            "additionalProperties": {
                "type": "object",
                "required": ["url", "excerpt", "result", "checked_on"],
                "additionalProperties": False,
                "properties": {
                    "url": _URL,
                    "excerpt": {"type": "string", "minLength": 1, "maxLength": 450},
                    "result": {"enum": list(RESULTS)},
                    "checked_on": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                    "status": {"type": "integer", "minimum": 100, "maximum": 999},
                    "final_url": _URL,
                    "detail": _TEXT,
                    "original": _URL,
                    "original_result": {"enum": list(REACHABILITY)},
                    "archive": _URL,
                    "archive_result": {"enum": list(REACHABILITY)},
                    "notes": {"type": "array", "maxItems": 10_000, "items": {"type": "string", "maxLength": 4096}},
                },
            },
        },
    },
}
MAX_RECORD_BYTES = 16 * 1024 * 1024


def read_record(annotations: Path, problems: ProblemCollector) -> dict[str, dict]:
    """The record's checks by key, or {} (with a problem if the file is there but unusable)."""
    path = annotations / RECORD_NAME
    if not path.exists():
        return {}
    try:
        return _load_record(path)
    except AnnotationError as error:
        problems.extend(error)
        return {}


@cache
def _record_validator():
    import jsonschema

    return jsonschema.Draft202012Validator(RECORD_SCHEMA)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def record_problem(record, today: dt.date | None = None) -> str:
    """What makes record not something write_record wrote ("" if nothing): the schema first,
    then what a schema cannot say: real dates not in the future (a day's grace for time
    zones), keys that match their checks."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_record_validator().iter_errors(record))
    if error is not None:
        where = "/".join(_short(str(p)) for p in error.absolute_path)
        return _short(f"at {where or 'the top'}: {error.message}", 300)
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    for key, check in record["checks"].items():
        where = f"at checks/{_short(key)}"
        try:
            day = dt.date.fromisoformat(check["checked_on"])
        except ValueError:
            return f"{where}/checked_on: {check['checked_on']} is not a date"
        if day > latest:
            return f"{where}/checked_on: {check['checked_on']} is in the future"
        if key != excerpt_key(check["url"], check["excerpt"]):
            return f"{where}: the key is not its url and excerpt's"
    return ""


@CACHE.by_file
def _load_record(path: Path) -> dict[str, dict]:
    problems = ProblemCollector()
    text = read_text(path, problems, limit=MAX_RECORD_BYTES) if check_regular(path, problems) else None
    checks = {}
    if text is not None:
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            why = "it is not JSON"
        else:
            why = record_problem(record)
        if why:
            problems.add(
                path, 1, 1, f"the verification record is not what annotator verify writes ({why})",
                f"run: {COMMAND} verify, or remove the file",
            )  # fmt: skip
        else:
            checks = record["checks"]
    problems.raise_if_any()
    return checks
