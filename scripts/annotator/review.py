"""`annotator review BASE [HEAD]`: what a change does to the claims, in Markdown for a reviewer.

Both revisions are read from git (HEAD defaults to the working tree), prepared as the build
prepares them, and compared note by note. A note is the same note when its article and its quote
are the same, wherever it sits: so the summary can say a note moved, and that its verdict went
from supports to qualifies, rather than that one note was removed and another added. It lists
notes added, removed, moved; verdicts changed, with the note's new text; notes reworded; sources
added, removed or changed (excerpts singled out); and coverage before and after.

Every field is contributor text, and the summary is posted as a GitHub comment: it is escaped
for Markdown (no markup, links, mentions or table breaks can come from a field).
"""

from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from .anchor import normalize
from .errors import AnnotationError, counted
from .model import AnchoredNote, Source
from .pipeline import Publication, prepare
from .report import coverage_line

MARKER = "<!-- annotator-review -->"  # finds the PR comment to update
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def md(text: str, length: int = 160) -> str:
    """Contributor text made inert in GitHub Markdown: one line, escaped, no @-mentions, short."""
    text = " ".join(str(text).split())
    text = text if len(text) <= length else text[: length - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")


@dataclass
class Side:
    """One revision: its publication, or the problems that stop it."""

    name: str
    publication: Publication | None = None
    error: AnnotationError | None = None
    notes: dict[tuple[str, str], AnchoredNote] = field(default_factory=dict)
    coverage: dict[str, str] = field(default_factory=dict)


def read_side(name: str, docs: Path, annotations: Path) -> Side:
    side = Side(name)
    try:
        side.publication = prepare(docs, annotations)
    except AnnotationError as error:
        side.error = error
        return side
    for item in side.publication.articles:
        side.coverage[item.article.slug] = coverage_line(item)
        for note in item.notes:
            side.notes[(item.article.slug, normalize(note.annotation.quote)[0])] = note
    return side


def checkout(revision: str, folders: list[str], target: Path, repository: Path) -> None:
    """The folders of one git revision, written under target."""
    archive = subprocess.run(
        ["git", "-C", str(repository), "archive", "--format=tar", revision, "--", *folders],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"git archive {revision} failed: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")  # the data filter refuses links and paths outside target


def _source_key(source: Source) -> str:
    return source.link


def _source_changes(old: AnchoredNote, new: AnchoredNote) -> list[str]:
    before = {_source_key(s): s for s in old.annotation.sources}
    after = {_source_key(s): s for s in new.annotation.sources}
    lines = []
    for key in sorted(after.keys() - before.keys()):
        s = after[key]
        standing = f", {md(s.standing.label)}" if s.standing else ""
        lines.append(f"source added: {md(s.outlet)}{standing}, “{md(s.title)}” ({md(s.relation)})")
    for key in sorted(before.keys() - after.keys()):
        s = before[key]
        lines.append(f"source removed: {md(s.outlet)}, “{md(s.title)}”")
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a.excerpt != b.excerpt:
            lines.append(f"excerpt changed ({md(b.outlet)}): “{md(a.excerpt, 80)}” → “{md(b.excerpt, 80)}”")
        changed = [
            f
            for f in ("title", "outlet", "relation", "via", "url", "date", "verified_on")
            if getattr(a, f) != getattr(b, f)
        ]
        if changed:
            what = ", ".join(f"{f} {md(getattr(a, f) or '—', 60)} → {md(getattr(b, f) or '—', 60)}" for f in changed)
            lines.append(f"source changed ({md(b.outlet)}): {what}")
    return lines


def compare(base: Side, head: Side) -> str:
    """The review summary in Markdown."""
    lines = [MARKER, "## What this change does to the claims", ""]
    for side in (base, head):
        if side.error is not None:
            lines += [f"**{side.name} does not validate** ({counted(len(side.error.problems), 'problem')}):", ""]
            lines += [f"- `{md(str(p), 300)}`" for p in side.error.problems[:20]]
            lines.append("")
    if base.error is not None or head.error is not None:
        return "\n".join(lines) + "\n"
    added = sorted(head.notes.keys() - base.notes.keys())
    removed = sorted(base.notes.keys() - head.notes.keys())
    verdicts, moved, reworded, sources = [], [], [], []
    for key in sorted(base.notes.keys() & head.notes.keys()):
        old, new = base.notes[key], head.notes[key]
        a, b = old.annotation, new.annotation
        where = f"{md(key[0])} note {new.number} (“{md(b.summary, 80)}”)"
        if a.relation != b.relation:
            verdicts.append(f"- {where}: **{a.relation} → {b.relation}**. New note: {md(b.rendered.text, 400)}")
        elif a.rendered.text != b.rendered.text:
            reworded.append(f"- {where}: {md(b.rendered.text, 400)}")
        if old.paragraph != new.paragraph:
            moved.append(f"- {where}: paragraph {old.paragraph} → {new.paragraph}")
        sources += [f"- {where}: {change}" for change in _source_changes(old, new)]
    sections = [
        ("Verdicts changed", verdicts),
        ("Notes added", [f"- {md(k[0])} note {head.notes[k].number}: **{head.notes[k].annotation.relation}**, "
                         f"“{md(head.notes[k].annotation.summary, 100)}”" for k in added]),
        ("Notes removed", [f"- {md(k[0])} note {base.notes[k].number}: {base.notes[k].annotation.relation}, "
                           f"“{md(base.notes[k].annotation.summary, 100)}”" for k in removed]),
        ("Notes moved", moved),
        ("Notes reworded", reworded),
        ("Sources", sources),
    ]  # fmt: skip
    for title, items in sections:
        if items:
            lines += [f"### {title} ({len(items)})", "", *items, ""]
    if not any(items for _, items in sections):
        lines += ["No note, verdict or source changed.", ""]
    lines += ["### Coverage", "", "| | Before | After |", "|---|---|---|"]
    for slug in sorted(base.coverage.keys() | head.coverage.keys()):
        before = md(base.coverage.get(slug, "—").split(": ", 1)[-1], 300)
        after = md(head.coverage.get(slug, "—").split(": ", 1)[-1], 300)
        lines.append(f"| {md(slug)} | {before} | {after} |")
    return "\n".join(lines) + "\n"


def review(base: str, head: str | None, docs: Path, annotations: Path, repository: Path = Path(".")) -> str:
    folders = [docs.as_posix(), annotations.as_posix()]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        checkout(base, folders, root / "base", repository)
        base_side = read_side(f"Base ({base})", root / "base" / docs, root / "base" / annotations)
        if head is None:
            head_side = read_side("The working tree", repository / docs, repository / annotations)
        else:
            checkout(head, folders, root / "head", repository)
            head_side = read_side(f"Head ({head})", root / "head" / docs, root / "head" / annotations)
        return compare(base_side, head_side)


def cmd_review(args) -> int:
    from .cli import _site

    _, docs, annotations = _site(args)
    text = review(args.base, args.head, docs, annotations)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return 0


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "review",
        help="summarize what a change does to the claims (for a pull request)",
        description="Compare the notes of two git revisions: notes added, removed and moved, verdicts changed "
        "(with the new note), notes reworded, sources added, removed or changed, coverage before and after. "
        "Markdown, safe to post as a comment.",
    )
    parser.add_argument("base", help="the revision to compare with, e.g. origin/main")
    parser.add_argument("head", nargs="?", help="the revision to review (default: the working tree)")
    parser.add_argument("--output", help="also write the summary to this file")
    parser.set_defaults(run=cmd_review)
