"""A hostile site for the security tests: every contributor field carries every payload class.

The payloads are tests/xss/payloads.txt (a classic XSS corpus) and tests/xss/classes.txt (the
classes found by trying this project as a hostile contributor would)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from annotator.note import NoteError, render_note
from annotator.text import has_invisible

XSS = Path(__file__).parent / "xss"
CLASSIC = [line for line in (XSS / "payloads.txt").read_text(encoding="utf-8").splitlines() if line]
CLASSES: dict[str, list[str]] = {}
for _line in (XSS / "classes.txt").read_text(encoding="utf-8").splitlines():
    if _line.startswith("## "):
        CLASSES[_line[3:]] = []
    elif _line and not _line.startswith("#"):
        list(CLASSES.values())[-1].append(_line)
PAYLOADS = CLASSIC + [p for ps in CLASSES.values() for p in ps]
POLICY = """classes:
  reliable: {label: reliable outlet, description: An example., decides: true, copies: true}
  republisher: {label: copy host, description: An example., decides: false, copies: true}
outlets:
  - name: Example Copies
    domains: [example.com]
    class: republisher
    reason: A test copy host.
"""


def _policy(payloads: list[str]) -> str:
    """The policy, with one outlet per payload: its name is the payload (policy names are input
    too), its domain s<i>.example.org."""
    entries = "".join(
        f"  - name: {_yaml_string(p)}\n    domains: [s{i}.example.org]\n    class: reliable\n"
        "    reason: A test outlet.\n"
        for i, p in enumerate(payloads)
    )
    return POLICY + entries


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def hostile_files(root: Path, payloads: list[str]) -> None:
    """One article of one paragraph per payload; each annotated with the payload in every field
    that takes free text (claim, note, title, outlet, author, excerpt) and in URLs' paths."""
    paragraphs = [f"Sentence {i} states a checkable fact number {i}." for i in range(len(payloads))]
    front = {
        "title": "Hostile ' article {{ config }}",
        "subtitle": "Subtitle ‘quoted’ & javascript:alert(1)",
        "description": "A description ' onmouseover='alert(1)",
        "author": "Author {% raw %}",
        "annotations": "hostile",
    }
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n\n[annotator: articles]\n\n[annotator: legend]\n")
    (root / "docs" / "claims.md").write_text("# Claims\n\n[annotator: claims]\n")
    (root / "docs" / "sources.md").write_text("# Sources\n\n[annotator: classes]\n\n[annotator: sources]\n")
    (root / "docs" / "search.md").write_text("# Search\n\n[annotator: search]\n")
    header = "".join(f"{k}: {_yaml_string(v)}\n" for k, v in front.items())
    (root / "docs" / "hostile.md").write_text(f"---\n{header}---\n\n" + "\n\n".join(paragraphs) + "\n")
    folder = root / "annotations" / "hostile"
    folder.mkdir(parents=True)
    (root / "annotations" / "reliability.yaml").write_text(_policy(payloads))
    for i, payload in enumerate(payloads):
        text = _yaml_string(payload)
        (folder / f"sentence-{i}.md").write_text(
            f'---\nparagraph: "Sentence {i} states"\n---\n\n---\nid: fact-{i}\nquote: "checkable fact number {i}"\n'
            f"claim: {_yaml_string(payload[:120])}\nrelation: supports\nsources:\n"
            f"  - title: {text}\n    outlet: {text}\n    author: {text}\n"
            f"    url: https://s{i}.example.org/a/{i}?q=%22'%3C\n    via: https://example.com/copy/{i}'s\n"
            f"    excerpt: {text}\n    verified: 2026-01-01\n    relation: supports\n"
            f"---\nNote {i}: {payload}\n"
        )
    (root / "mkdocs.yml").write_text(
        "site_name: Hostile ' \"site\n"
        "theme: {name: material, font: false}\n"
        "extra: {polyfills: [assets/annotator/iframe-worker.js]}\n"
        "plugins: [{search: {separator: '[\\s\\-,:!=\\[\\]()\"`/]+|\\.(?!\\d)|&[lg]t;|&amp;|&quot;|&#x27;'}},"
        " offline, annotator]\n"
        "markdown_extensions: [annotator]\n"
    )


def accepted(payloads: list[str]) -> list[str]:
    """The payloads every field accepts: a note renders them, they hold no invisible character
    (refused by `validate` with a message, tested in test_policy and the fixtures), and each is a
    distinct outlet name. The rest are refused with a message, tested above."""
    out, names = [], set()
    for p in payloads:
        try:
            render_note(f"Note: {p}")
        except NoteError:
            continue
        key = unicodedata.normalize("NFC", p).strip().casefold()
        if not has_invisible(p) and key not in names:
            names.add(key)
            out.append(p)
    return out
