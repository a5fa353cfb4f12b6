"""`annotator review BASE [HEAD]`: everything a change does that a maintainer must judge, in
Markdown, before merging a pull request.

Both revisions are read from git (HEAD defaults to the working tree), prepared as the build
prepares them, and compared. A note is known by its article and its permanent id, wherever it
sits and whatever its quote; a note whose id is in another note's `replaces` was merged into (or
renamed to) that note. The review lists, in this order:

- the problems of a side that does not validate;
- any change to the verification record (annotations/verification.json), which only the weekly
  `annotator verify` job writes: entries added, changed, removed, and results changed;
- the reliability policy: classes and outlets added, removed or changed (class, domains, aliases,
  reason, what a class may decide);
- articles added and removed;
- notes added, removed, merged or renamed, and changed (verdict, quote, claim, the note's Markdown
  as a word diff and its link targets, a move to another paragraph, every field of every source),
  each in note-number order; sources that are marked unverified;
- the article text: front matter, a word diff of each changed paragraph, links in the page;
- every changed file, with those not described above singled out, and files outside the site;
- coverage before and after.

Every field is contributor text, and the summary is posted as a GitHub comment: `md()` makes it
inert in Markdown (no markup, links, mentions or table breaks), `code()` shows addresses and paths
as code. GitHub refuses comments over 65,536 characters, so the comment is cut to `limit`
(sections share it, the smallest whole) and says what it cut; the full report (`--output-full`)
goes to the job summary and an artifact.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from html import unescape
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from .errors import AnnotationError, counted
from .model import AnchoredNote, Article, Source
from .paths import POLICY_NAME, RECORD_NAME
from .pipeline import Publication, prepare
from .report import coverage_line
from .schema import schema

MARKER = "<!-- annotator-review -->"  # finds the PR comment to update (with its author, the bot)
COMMENT_LIMIT = 60_000  # GitHub refuses a comment over 65,536 characters
FULL_LIMIT = 1_000_000  # a job summary may hold 1 MiB
RECORD_WARNING = "written by the weekly verify job, never by hand"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
_AUTOLINK = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*:)(//)|\b(www)(\.)")
_HREF = re.compile(r"""<a\s[^>]*?href="([^"]*)\"""")
_PAGE_LINK = re.compile(r"""(?:https?|ftp|mailto):[^\s<>()\[\]"'`]+""", re.IGNORECASE)


def md(text: str, length: int = 160) -> str:
    """Contributor text made inert in GitHub Markdown: one line, escaped, no @-mentions, no
    autolinks, short."""
    text = " ".join(str(text).split())
    text = text if len(text) <= length else text[: length - 1] + "…"
    text = _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")
    return _AUTOLINK.sub(lambda m: f"{m[1]}\u200b{m[2]}" if m[1] else f"{m[3]}\u200b{m[4]}", text)


def code(text: str | None, length: int = 200) -> str:
    """An address, an id or a path as inline code (never a link); '—' for none."""
    if not text:
        return "—"
    text = " ".join(str(text).split())
    text = text if len(text) <= length else text[: length - 1] + "…"
    return f"`{text}`" if "`" not in text else md(text, length)


def quoted(text: str | None, length: int = 160) -> str:
    return f"“{md(text, length)}”" if text else "—"


def word_diff(old: str, new: str, context: int = 5, length: int = 1200) -> str:
    """Only what changed between two texts, word by word, with a few words of context either
    side: removed words struck through, added words in bold (all of it escaped)."""
    a, b = old.split(), new.split()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if first and last:
                parts.append(md(" ".join(words), 200))
            elif first:
                parts.append(("… " if len(words) > context else "") + md(" ".join(words[-context:]), 200))
            elif last:
                parts.append(md(" ".join(words[:context]), 200) + (" …" if len(words) > context else ""))
            elif len(words) > 2 * context:
                parts.append(f"{md(' '.join(words[:context]), 200)} … {md(' '.join(words[-context:]), 200)}")
            else:
                parts.append(md(" ".join(words), 400))
            continue
        if i2 > i1:
            parts.append(f"~~{md(' '.join(a[i1:i2]), 300)}~~")
        if j2 > j1:
            parts.append(f"**{md(' '.join(b[j1:j2]), 300)}**")
    text = " ".join(p for p in parts if p)
    return text if len(text) <= length else text[: length - 1] + "…"


def link_targets(html: str) -> set[str]:
    """The addresses a rendered note links to."""
    return {unescape(href) for href in _HREF.findall(html)}


# ---- One revision ---------------------------------------------------------------------------------


@dataclass
class Side:
    """One revision: its publication (or the problems that stop it), its notes by (article, id),
    and its verification record as written."""

    name: str
    publication: Publication | None = None
    error: AnnotationError | None = None
    notes: dict[tuple[str, str], AnchoredNote] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    coverage: dict[str, str] = field(default_factory=dict)
    record: str | None = None  # annotations/verification.json as text, None if absent
    docs: Path | None = None
    root: str = ""  # the folder the side was read from, left out of the problems' paths

    def problems(self) -> list[str]:
        if self.error is None:
            return []
        prefixes = sorted({self.root, str(Path(self.root).resolve())}, key=len, reverse=True) if self.root else []
        lines = []
        for problem in self.error.problems:
            text = str(problem)
            for prefix in prefixes:
                text = text.replace(prefix.rstrip("/") + "/", "")
            lines.append(text)
        return lines

    @property
    def policy(self):
        return self.publication.policy if self.publication is not None else None


def read_side(name: str, docs: Path, annotations: Path, root: Path | None = None) -> Side:
    side = Side(name, docs=docs, root=str(root) if root else "")
    record = annotations / RECORD_NAME
    if record.is_file() and not record.is_symlink():
        side.record = record.read_bytes()[: 32 * 1024 * 1024].decode("utf-8", errors="replace")
    try:
        side.publication = prepare(docs, annotations)
    except AnnotationError as error:
        side.error = error
        return side
    for item in side.publication.articles:
        side.articles[item.article.slug] = item.article
        side.coverage[item.article.slug] = coverage_line(item)
        for note in item.notes:
            side.notes[(item.article.slug, note.id)] = note
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


def changed_files(repository: Path, base: str, head: str | None) -> list[tuple[str, str]]:
    """(status, path) of every file that differs between base and head (or the working tree,
    untracked files included), renames as 'R' with 'old -> new'."""

    def git(*args: str) -> list[str]:
        result = subprocess.run(["git", "-C", str(repository), *args], capture_output=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"git {args[0]} failed: {result.stderr.decode(errors='replace').strip()}")
        return [f for f in result.stdout.decode("utf-8", errors="replace").split("\0") if f]

    fields = git("diff", "--name-status", "-z", "-M", base, *([head] if head else []), "--")
    changes, i = [], 0
    while i < len(fields):
        status = fields[i]
        if status[:1] in "RC":
            changes.append((status[0], f"{fields[i + 1]} -> {fields[i + 2]}"))
            i += 3
        else:
            changes.append((status[0], fields[i + 1]))
            i += 2
    if head is None:
        changes += [("A", path) for path in git("ls-files", "-z", "--others", "--exclude-standard")]
    return sorted(changes, key=lambda c: c[1])


# ---- The report as sections, each a list of items that can be cut ---------------------------------


@dataclass
class Section:
    title: str  # shown as '### title (n)'
    items: list[str]
    noun: str  # what an item is, for the note on what was cut: 'note added'
    intro: list[str] = field(default_factory=list)  # lines shown before the items, never cut
    count: bool = True  # show the number of items in the title


def _paragraph(article: Article | None, number: int) -> str:
    """'¶3 (“The harbour reopened on…”)': a paragraph's number and its opening words."""
    if article is None or not 0 < number <= len(article.paragraphs):
        return f"¶{number}"
    words = article.paragraphs[number - 1].split()
    opening = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    return f"¶{number} (“{md(opening, 80)}”)"


def _where(slug: str, note: AnchoredNote) -> str:
    return f"{md(slug)} note {note.number} {code(note.id)}"


def _verified(source: Source) -> str:
    return source.verified_on if source.verified_on else "false (unverified)"


def _describe(source: Source) -> str:
    standing = f" ({md(source.standing.label)})" if source.standing else ""
    text = f"{md(source.outlet)}{standing}, “{md(source.title)}”, {md(source.relation)}, {code(source.link)}"
    return text + ("" if source.verified else ", **unverified** (`verified: false`)")


def _fields(definition: str) -> tuple[str, ...]:
    """Every field the schema allows in a definition: a field added there is reviewed at once."""
    return tuple(schema()["$defs"][definition]["properties"])


_SOURCE_FIELDS = _fields("source")
_ADDRESSES = ("url", "via", "archive_url")


def _source_field(source: Source, name: str) -> str | None:
    return _verified(source) if name == "verified" else getattr(source, name)


def _pair_sources(old: tuple[Source, ...], new: tuple[Source, ...]):
    """Sources of one note paired (same address, else same outlet and title, same excerpt, same
    title); the rest are removed and added."""
    left, right, pairs = list(old), list(new), []
    for key in (
        lambda s: s.link,
        lambda s: (s.outlet, s.title),
        lambda s: " ".join(s.excerpt.split()),
        lambda s: s.title,
    ):
        for a in list(left):
            b = next((b for b in right if key(a) and key(a) == key(b)), None)
            if b is not None:
                pairs.append((a, b))
                left.remove(a)
                right.remove(b)
    return pairs, left, right


def _source_changes(old: tuple[Source, ...], new: tuple[Source, ...]) -> list[str]:
    pairs, removed, added = _pair_sources(old, new)
    lines = [f"source added: {_describe(s)}" for s in added]
    lines += [f"source removed: {_describe(s)}" for s in removed]
    for a, b in pairs:
        changes = []
        for name in _SOURCE_FIELDS:
            before, after = _source_field(a, name), _source_field(b, name)
            if before == after:
                continue
            if name == "excerpt":
                changes.append(f"excerpt: {word_diff(before or '', after or '', length=600)}")
            elif name in _ADDRESSES:
                what = "added" if not before else "removed" if not after else "changed"
                changes.append(f"{name} {what}: {code(before)} → {code(after)}")
            elif name == "verified" and not b.verified:
                changes.append(f"verified: {md(before)} → **false (unverified)**")
            else:
                changes.append(f"{name}: {quoted(before, 100)} → {quoted(after, 100)}")
        if changes:
            lines.append(f"source changed ({md(b.outlet)}, “{md(b.title, 80)}”): " + "; ".join(changes))
    return lines


def _note_details(slug: str, note: AnchoredNote, side: Side) -> list[str]:
    """What a maintainer reads of a new note: quote, note, links, sources."""
    a = note.annotation
    lines = [f"  - quote: {quoted(a.quote, 300)}", f"  - note: {md(a.note, 600)}"]
    links = sorted(link_targets(a.rendered.html))
    if links:
        lines.append("  - links: " + ", ".join(code(u) for u in links))
    if a.replaces:
        lines.append("  - replaces: " + ", ".join(code(r) for r in a.replaces))
    lines += [f"  - source: {_describe(s)}" for s in a.sources]
    return lines


def _note_changes(old: AnchoredNote, new: AnchoredNote, moved: bool, base: Side, head: Side, slug: str) -> list[str]:
    a, b = old.annotation, new.annotation
    lines = []
    if a.relation != b.relation:
        lines.append(f"verdict: **{md(a.relation)} → {md(b.relation)}**")
    if moved:
        lines.append(
            f"moved: {_paragraph(base.articles.get(slug), old.paragraph)} → "
            f"{_paragraph(head.articles.get(slug), new.paragraph)}"
        )
    if old.id != new.id:
        lines.append(f"id: {code(old.id)} → {code(new.id)}")
    if " ".join(a.quote.split()) != " ".join(b.quote.split()):
        lines.append(f"quote: {quoted(a.quote, 300)} → {quoted(b.quote, 300)}")
    if a.claim != b.claim:
        lines.append(f"claim: {quoted(a.claim, 130)} → {quoted(b.claim, 130)}")
    if a.reason != b.reason:
        lines.append(f"reason: {quoted(a.reason, 300)} → {quoted(b.reason, 300)}")
    if a.note != b.note:
        lines.append(f"note: {word_diff(a.note, b.note)}")
    before, after = link_targets(a.rendered.html), link_targets(b.rendered.html)
    if after - before:
        lines.append("link added: " + ", ".join(code(u) for u in sorted(after - before)))
    if before - after:
        lines.append("link removed: " + ", ".join(code(u) for u in sorted(before - after)))
    if set(a.replaces) != set(b.replaces):
        lines.append(f"replaces: {', '.join(map(code, a.replaces)) or '—'} → {', '.join(map(code, b.replaces)) or '—'}")
    lines += _source_changes(a.sources, b.sources)
    return lines


def _paragraph_map(old: Article, new: Article) -> tuple[dict[int, int], list[str]]:
    """Old paragraph number -> new, and the changes of the text: a word diff of each changed
    paragraph, paragraphs added and removed."""
    opcodes = difflib.SequenceMatcher(
        None, [" ".join(p.split()) for p in old.paragraphs], [" ".join(p.split()) for p in new.paragraphs], False
    ).get_opcodes()
    mapping, items = {}, []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("equal", "replace"):
            for k in range(min(i2 - i1, j2 - j1)):
                mapping[i1 + k + 1] = j1 + k + 1
                if tag == "replace":
                    where = f"¶{i1 + k + 1}" + ("" if i1 == j1 else f" (now ¶{j1 + k + 1})")
                    items.append(f"{where}: {word_diff(old.paragraphs[i1 + k], new.paragraphs[j1 + k])}")
        for k in range(j1 + (i2 - i1 if tag == "replace" else 0), j2) if tag in ("replace", "insert") else ():
            items.append(f"¶{k + 1} added: **{md(new.paragraphs[k], 1000)}**")
        for k in range(i1 + (j2 - j1 if tag == "replace" else 0), i2) if tag in ("replace", "delete") else ():
            items.append(f"¶{k + 1} removed: ~~{md(old.paragraphs[k], 1000)}~~")
    return mapping, items


def _article_changes(slug: str, old: Article, new: Article) -> list[str]:
    items = []
    names = dict.fromkeys([*_fields("article"), *dict(old.meta.front), *dict(new.meta.front)])
    for name in names:
        before, after = old.meta.field(name), new.meta.field(name)
        if before != after:
            before, after = (json.loads(v) if v is not None else None for v in (before, after))
            if not isinstance(before, str | None) or not isinstance(after, str | None):
                before, after = (json.dumps(v) if v is not None else None for v in (before, after))
            shown = (code(before), code(after)) if name == "original_url" else (quoted(before), quoted(after))
            items.append(f"- {md(slug)}: front matter {name}: {shown[0]} → {shown[1]}")
    _, text = _paragraph_map(old, new)
    items += [f"- {md(slug)} {line}" for line in text]
    before, after = set(_PAGE_LINK.findall(old.body_markdown)), set(_PAGE_LINK.findall(new.body_markdown))
    if after - before:
        items.append(f"- {md(slug)}: link added in the page: " + ", ".join(code(u) for u in sorted(after - before)))
    if before - after:
        items.append(f"- {md(slug)}: link removed from the page: " + ", ".join(code(u) for u in sorted(before - after)))
    if not text and old.body_markdown != new.body_markdown:
        items.append(f"- {md(slug)}: the page's Markdown changed outside its paragraphs' text (see the files)")
    return items


def _notes_sections(base: Side, head: Side) -> list[Section]:
    replaced_by = {}  # (slug, old id) -> the head note that replaces it
    for (slug, _), note in head.notes.items():
        for old in note.annotation.replaces:
            if (slug, old) in base.notes and (slug, old) not in head.notes:
                replaced_by[(slug, old)] = note
    renamed = {(slug, note.id) for (slug, _), note in replaced_by.items()}  # shown as merged or renamed
    mappings = {
        slug: _paragraph_map(base.articles[slug], head.articles[slug])[0]
        for slug in base.articles.keys() & head.articles.keys()
    }
    order = sorted(base.articles.keys() | head.articles.keys())

    def by_number(keys, side):
        return sorted(keys, key=lambda k: (order.index(k[0]), side.notes[k].number))

    added = [
        f"- {_where(k[0], head.notes[k])} at {_paragraph(head.articles.get(k[0]), head.notes[k].paragraph)}: "
        f"**{md(head.notes[k].annotation.relation)}**, “{md(head.notes[k].annotation.summary, 130)}”\n"
        + "\n".join(_note_details(k[0], head.notes[k], head))
        for k in by_number(head.notes.keys() - base.notes.keys() - renamed, head)
    ]
    gone = base.notes.keys() - head.notes.keys()
    removed = [
        f"- {_where(k[0], base.notes[k])} at {_paragraph(base.articles.get(k[0]), base.notes[k].paragraph)}: "
        f"{md(base.notes[k].annotation.relation)}, “{md(base.notes[k].annotation.summary, 130)}”"
        for k in by_number(gone - replaced_by.keys(), base)
    ]
    merged, changed, verdicts, moves = [], [], [], 0
    for k in by_number(gone & replaced_by.keys(), base):
        old, new = base.notes[k], replaced_by[k]
        how = "merged into" if (k[0], new.id) in base.notes else "renamed to"
        if how == "renamed to" and old.annotation.relation != new.annotation.relation:
            verdicts.append(
                f"- {_where(k[0], new)} (“{md(new.annotation.summary, 100)}”, was {code(old.id)}): "
                f"**{md(old.annotation.relation)} → {md(new.annotation.relation)}**"
            )
        lines = _note_changes(old, new, _moved(old, new, mappings.get(k[0])), base, head, k[0])
        merged.append(
            f"- {_where(k[0], old)} (“{md(old.annotation.summary, 100)}”) **{how}** note {new.number} {code(new.id)}"
            + "".join(f"\n  - {line}" for line in lines)
        )
    for k in by_number(base.notes.keys() & head.notes.keys(), head):
        old, new = base.notes[k], head.notes[k]
        moved = _moved(old, new, mappings.get(k[0]))
        lines = _note_changes(old, new, moved, base, head, k[0])
        if lines:
            if old.annotation.relation != new.annotation.relation:
                verdicts.append(
                    f"- {_where(k[0], new)} (“{md(new.annotation.summary, 100)}”): "
                    f"**{md(old.annotation.relation)} → {md(new.annotation.relation)}**"
                )
            moves += moved
            changed.append(
                f"- {_where(k[0], new)} (“{md(new.annotation.summary, 100)}”)" + "".join(f"\n  - {x}" for x in lines)
            )
    unverified = []
    for k in by_number(head.notes.keys(), head):
        note = head.notes[k]
        before = base.notes.get(k) or next((base.notes[o] for o, n in replaced_by.items() if n is note), None)
        old_sources = before.annotation.sources if before else ()
        pairs, _, new_sources = _pair_sources(old_sources, note.annotation.sources)
        for source in [b for a, b in pairs if a.verified and not b.verified] + new_sources:
            if not source.verified:
                unverified.append(
                    f"- {_where(k[0], note)}: {md(source.outlet)}, “{md(source.title)}”, {code(source.link)}"
                )
    return [
        Section("Verdicts changed", verdicts, "verdict changed"),
        Section("Notes added", added, "note added"),
        Section("Notes removed", removed, "note removed"),
        Section("Notes merged or renamed", merged, "note merged or renamed"),
        Section(
            "Notes changed",
            changed,
            "note changed",
            intro=[
                (f"{counted(moves, 'note')} moved to another paragraph. " if moves else "")
                + "Each note with all its changes:",
                "",
            ]
            if changed
            else [],
        ),
        Section(
            "Sources marked unverified",
            unverified,
            "source marked unverified",
            intro=["New sources, or sources that were verified, now marked `verified: false`:", ""]
            if unverified
            else [],
        ),
    ]


def _moved(old: AnchoredNote, new: AnchoredNote, mapping: dict[int, int] | None) -> bool:
    """The note now sits in another paragraph (not the same one renumbered by an insertion)."""
    return (mapping or {}).get(old.paragraph, old.paragraph if mapping is None else None) != new.paragraph


# ---- The policy, the record, the articles, the files -----------------------------------------------


def _host(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").rstrip(".").lower().removeprefix("www.")


def _outlet_of(outlets, source: Source):
    """The policy outlet that originally published a source: by its url's domain, else its name."""
    if source.url:
        parts = _host(source.url).split(".")
        domains = {d: o for o in outlets for d in o.domains}
        return next((domains[".".join(parts[i:])] for i in range(len(parts)) if ".".join(parts[i:]) in domains), None)
    names = {n.casefold(): o for o in outlets for n in (o.name, *o.aliases)}
    return names.get(source.outlet.strip().casefold())


def _shown(value) -> str:
    """Any value of the policy, for a line of the review."""
    if value is None or value == () or value == frozenset() or value == []:
        return "—"
    if isinstance(value, (tuple, list, set, frozenset)):
        return ", ".join(md(str(v), 80) for v in sorted(map(str, value)))
    return quoted(str(value), 200)


def _other_fields(a, b, known: set[str]) -> list[str]:
    """Changes to the fields of two policy entries that the review does not name one by one
    (any field the policy gains is shown, without this module knowing it)."""
    if not dataclasses.is_dataclass(a) or type(a) is not type(b):
        return []
    names = [f.name for f in dataclasses.fields(a) if f.name not in known and not f.name.startswith("_")]
    return [
        f"{md(n)} {_shown(getattr(a, n))} → {_shown(getattr(b, n))}" for n in names if getattr(a, n) != getattr(b, n)
    ]


def _policy_section(base: Side, head: Side) -> Section:
    old, new = base.policy, head.policy
    items: list[str] = []
    if old is None or new is None:
        return Section(f"Reliability policy ({POLICY_NAME})", items, "change to the policy")
    decides = {name for name, c in new.classes.items() if c.decides}
    for name in sorted(new.classes.keys() - old.classes.keys()):
        c = new.classes[name]
        can = " — **can carry a verdict alone** (`decides: true`)" if c.decides else ""
        items.append(f"- class added: {code(name)} “{md(c.label)}”{can}: {md(c.description, 200)}")
    for name in sorted(old.classes.keys() - new.classes.keys()):
        items.append(f"- class removed: {code(name)} “{md(old.classes[name].label)}”")
    for name in sorted(old.classes.keys() & new.classes.keys()):
        a, b = old.classes[name], new.classes[name]
        if a.decides != b.decides:
            what = "**can now carry a verdict alone**" if b.decides else "can no longer carry a verdict alone"
            items.append(f"- class {code(name)}: decides **{a.decides} → {b.decides}**: {what}")
        if a.label != b.label:
            items.append(f"- class {code(name)}: label {quoted(a.label)} → {quoted(b.label)}")
        if a.description != b.description:
            items.append(f"- class {code(name)}: description {word_diff(a.description, b.description, length=400)}")
        items += [
            f"- class {code(name)}: {change}"
            for change in _other_fields(a, b, {"name", "label", "description", "decides"})
        ]
    items += [f"- the policy's {change}" for change in _other_fields(old, new, {"path", "classes", "outlets"})]
    sources = [s for n in head.notes.values() for s in n.annotation.sources]

    def cited(outlet) -> str:
        count = sum(_outlet_of(new.outlets, s) is outlet for s in sources)
        return f" (cited by {counted(count, 'source')})" if count else ""

    before = {o.name: o for o in old.outlets}
    after = {o.name: o for o in new.outlets}
    for name in [o.name for o in new.outlets if o.name not in before]:
        o = after[name]
        flag = " — **can carry a verdict alone**" if o.source_class in decides else ""
        aliases = f"; aliases {', '.join(quoted(a, 60) for a in o.aliases)}" if o.aliases else ""
        known = {"name", "aliases", "domains", "source_class", "reason", "line"}
        extra = "".join(
            f"; {md(f.name)} {_shown(getattr(o, f.name))}"
            for f in dataclasses.fields(o)
            if f.name not in known and getattr(o, f.name) not in (None, "", (), frozenset())
        )
        items.append(
            f"- outlet added: {quoted(o.name, 80)}, class **{md(o.source_class)}**{flag}; "
            f"domains {', '.join(code(d, 80) for d in o.domains) or '—'}{aliases}; reason {quoted(o.reason, 200)}"
            f"{extra}{cited(o)}"
        )
    for name in [o.name for o in old.outlets if o.name not in after]:
        o = before[name]
        items.append(f"- outlet removed: {quoted(o.name, 80)}, class {md(o.source_class)}")
    for name in [o.name for o in new.outlets if o.name in before]:
        a, b = before[name], after[name]
        changes = []
        if a.source_class != b.source_class:
            flag = (
                " — **can now carry a verdict alone**"
                if b.source_class in decides and a.source_class not in decides
                else ""
            )
            changes.append(f"class **{md(a.source_class)} → {md(b.source_class)}**{flag}")
        for what, x, y in (("domain", a.domains, b.domains), ("alias", a.aliases, b.aliases)):
            if set(y) - set(x):
                changes.append(f"{what} added {', '.join(code(d, 80) for d in sorted(set(y) - set(x)))}")
            if set(x) - set(y):
                changes.append(f"{what} removed {', '.join(code(d, 80) for d in sorted(set(x) - set(y)))}")
        if a.reason != b.reason:
            changes.append(f"reason {quoted(a.reason, 200)} → {quoted(b.reason, 200)}")
        changes += _other_fields(a, b, {"name", "aliases", "domains", "source_class", "reason", "line"})
        if changes:
            items.append(f"- outlet {quoted(name, 80)}{cited(b)}: " + "; ".join(changes))
    return Section(f"Reliability policy ({POLICY_NAME})", items, "change to the policy")


def _record_checks(text: str | None) -> dict | None:
    """The record's checks by key; None if the text is not what `annotator verify` writes."""
    if text is None:
        return {}
    try:
        checks = json.loads(text)["checks"]
    except (ValueError, KeyError, TypeError):
        return None
    return checks if isinstance(checks, dict) and all(isinstance(v, dict) for v in checks.values()) else None


def _record_section(base: Side, head: Side) -> Section:
    title = f"The verification record (annotations/{RECORD_NAME}) changed"
    if base.record == head.record:
        return Section(title, [], "change to the record")
    before, after = _record_checks(base.record), _record_checks(head.record)
    intro = [
        f"> **Warning: annotations/{RECORD_NAME} changed.** It is {RECORD_WARNING} (`annotator verify`, whose "
        "record a maintainer commits from that job's artifact). Unless this pull request is exactly that commit, "
        "do not merge it: the record makes notes say an excerpt was found on a page by machine.",
        "",
    ]
    if head.record is None:
        intro += ["The record is **deleted**.", ""]
    if after is None:
        intro += ["The new record is **not what `annotator verify` writes** (not JSON, or no `checks`).", ""]
        return Section(title, [], "change to the record", intro=intro, count=False)
    before = before or {}
    added, removed = after.keys() - before.keys(), before.keys() - after.keys()
    changed = [k for k in sorted(before.keys() & after.keys()) if before[k] != after[k]]
    results = [k for k in changed if before[k].get("result") != after[k].get("result")]
    intro += [
        f"Entries added: {len(added)}, changed: {len(changed)}, removed: {len(removed)}; "
        f"results changed: {len(results)}.",
        "",
    ]
    items = [
        f"- {code(k.split(' ')[0])}: result **{md(before[k].get('result'), 40)} → {md(after[k].get('result'), 40)}**"
        for k in results
    ]
    items += [
        f"- added {code(k.split(' ')[0])}: result **{md(after[k].get('result'), 40)}**, "
        f"checked {md(after[k].get('checked_on'), 40)}"
        for k in sorted(added)
    ]
    items += [f"- removed {code(k.split(' ')[0])}" for k in sorted(removed)]
    items += [
        f"- {code(k.split(' ')[0])}: "
        + ", ".join(
            f"{md(f, 40)} changed"
            for f in sorted(before[k].keys() | after[k].keys())
            if before[k].get(f) != after[k].get(f)
        )
        for k in changed
        if k not in results
    ]
    return Section(title, items, "change to the record", intro=intro, count=False)


def _articles_sections(base: Side, head: Side) -> list[Section]:
    added = [
        f"- {code(slug)}: {quoted(head.articles[slug].title)}, "
        f"{counted(len(head.articles[slug].paragraphs), 'paragraph')}"
        + "".join(
            f"; {name} {code(value) if name == 'original_url' else quoted(value, 100)}"
            for name in ("author", "outlet", "date", "original_url")
            if (value := getattr(head.articles[slug].meta, name))
        )
        for slug in sorted(head.articles.keys() - base.articles.keys())
    ]
    removed = [
        f"- {code(slug)}: {quoted(base.articles[slug].title)}"
        for slug in sorted(base.articles.keys() - head.articles.keys())
    ]
    text = [
        item
        for slug in sorted(base.articles.keys() & head.articles.keys())
        for item in _article_changes(slug, base.articles[slug], head.articles[slug])
    ]
    return [
        Section("Articles added", added, "article added"),
        Section("Articles removed", removed, "article removed"),
        Section("Article text changed", text, "change to the text"),
    ]


def _covered(path: str, sides: list[Side], docs: str, annotations: str) -> bool:
    """Whether the sections above describe a change to this file."""
    for side in sides:
        if side.publication is None:
            return False
    relative = [p.relative_to(s.docs).as_posix() for s in sides for p in (a.path for a in s.articles.values())]
    slugs = {slug for s in sides for slug in s.articles}
    if path in (f"{annotations}/{POLICY_NAME}", f"{annotations}/{RECORD_NAME}"):
        return True
    if path.startswith(f"{annotations}/"):
        parts = path[len(annotations) + 1 :].split("/")
        return len(parts) == 2 and parts[0] in slugs and parts[1].endswith(".md")
    return path.startswith(f"{docs}/") and path[len(docs) + 1 :] in relative


def _files_sections(files: list[tuple[str, str]], base: Side, head: Side, docs: str, annotations: str) -> list[Section]:
    site = [(s, p) for s, p in files if p.startswith((f"{docs}/", f"{annotations}/"))]
    outside = [(s, p) for s, p in files if (s, p) not in site]
    names = {"A": "added", "D": "deleted", "M": "changed", "R": "renamed", "C": "copied", "T": "type changed"}

    def line(status: str, path: str) -> str:
        return f"- {names.get(status, md(status))}: {code(path, 300)}"

    def is_covered(path: str) -> bool:
        return all(_covered(p, [base, head], docs, annotations) for p in path.split(" -> "))

    hidden = [line(s, p) for s, p in site if not is_covered(p)]
    shown = [line(s, p) for s, p in site if is_covered(p)]
    code_note = []
    if any(p.startswith("scripts/") for _, p in outside):
        code_note = ["This pull request changes `scripts/`: this review was written by the code it changes.", ""]
    return [
        Section(
            f"Files under {docs}/ and {annotations}/ not described above",
            hidden,
            "file",
            intro=["Read these in the pull request's diff:", ""] if hidden else [],
        ),
        Section(f"Files under {docs}/ and {annotations}/ described above", shown, "file"),
        Section(
            f"Files outside {docs}/ and {annotations}/",
            [line(s, p) for s, p in outside],
            "file",
            intro=code_note if outside else [],
        ),
    ]


def _coverage_section(base: Side, head: Side) -> Section:
    rows = []
    for slug in sorted(base.coverage.keys() | head.coverage.keys()):
        before = md(base.coverage.get(slug, "—").split(": ", 1)[-1], 300)
        after = md(head.coverage.get(slug, "—").split(": ", 1)[-1], 300)
        rows.append(f"| {md(slug)} | {before} | {after} |")
    intro = ["| | Before | After |", "|---|---|---|"] if rows else []
    return Section("Coverage", rows, "row of coverage", intro=intro, count=False)


# ---- The comment: every section, cut to fit ---------------------------------------------------------


def _size(text: str) -> int:
    return len(text.encode("utf-8"))  # bytes: never fewer than characters


def plural(count: int, noun: str) -> str:
    """'1 note added', '2 notes added': the count, and the noun's first word in the plural."""
    first, _, rest = noun.partition(" ")
    return " ".join(filter(None, (counted(count, first), rest)))


def _cut_note(noun: str, cut: int) -> str:
    return f"- … **{cut} more not shown here** (cut to keep this comment short): see the full report"


def render(header: list[str], sections: list[Section], limit: int) -> str:
    """The sections in order, each cut to its share of limit: a section smaller than an equal
    share shows whole, and what it leaves goes to the larger ones."""
    shown = [s for s in sections if s.items or s.intro]
    heads = [f"### {s.title}" + (f" ({len(s.items)})" if s.count and s.items else "") for s in shown]
    fixed = _size("\n".join(header)) + sum(
        _size("\n".join([h, "", *s.intro])) + 4 for h, s in zip(heads, shown, strict=True)
    )
    reserve = 600 + 220 * len(shown)  # the note at the top on what was cut, and each section's
    available = max(limit - fixed - reserve, 0)
    sizes = [sum(_size(i) + 1 for i in s.items) for s in shown]
    shares = [0] * len(shown)
    remaining = available
    for rank, index in enumerate(sorted(range(len(shown)), key=lambda i: sizes[i])):
        shares[index] = min(sizes[index], remaining // (len(shown) - rank))
        remaining -= shares[index]
    body, cuts = [], []
    for head, section, share in zip(heads, shown, shares, strict=True):
        kept, used = [], 0
        for item in section.items:
            if used + _size(item) + 1 > share:
                break
            kept.append(item)
            used += _size(item) + 1
        body += [head, "", *section.intro, *kept]
        if len(kept) < len(section.items):
            cut = len(section.items) - len(kept)
            cuts.append(f"{cut} of {len(section.items)} in “{section.title}”")
            body.append(_cut_note(section.noun, cut))
        body.append("")
    lines = list(header)
    if cuts:
        lines += [
            f"> **This report is shortened** to stay under {limit:,} characters. Cut: {'; '.join(cuts)}. "
            "The full report is in this check's job summary and in its `review` artifact "
            "(`annotator review --output-full`).",
            "",
        ]
    text = "\n".join(lines + body) + "\n"
    if _size(text) > limit:  # only when the parts never cut are too long themselves
        text = text.encode("utf-8")[: limit - 200].decode("utf-8", errors="ignore")
        text += "\n\n> **Cut here** to stay under the size limit: the full report is in the job summary.\n"
    return text


@dataclass
class Review:
    comment: str  # for the pull request, within COMMENT_LIMIT
    full: str  # everything, within FULL_LIMIT (a job summary's size)


def compare(
    base: Side,
    head: Side,
    files: list[tuple[str, str]] | None = None,
    docs: str = "docs",
    annotations: str = "annotations",
    limit: int = COMMENT_LIMIT,
) -> Review:
    """The review in Markdown: the comment (cut to limit) and the full report."""
    header = [MARKER, "## What this change does to the claims", ""]
    sections = [_record_section(base, head)]
    for side in (base, head):
        if side.error is not None:
            problems = side.problems()
            sections.append(
                Section(
                    f"{side.name} does not validate ({counted(len(problems), 'problem')})",
                    [f"- {code(p, 300)}" for p in problems[:50]],
                    "problem",
                    count=False,
                )
            )
    if base.error is None and head.error is None:
        notes = _notes_sections(base, head)
        sections += [_policy_section(base, head), *_articles_sections(base, head)[:2], *notes]
        sections.append(_articles_sections(base, head)[2])
    else:
        header += ["Notes, sources, policy and article text are compared once both sides validate.", ""]
    sections += _files_sections(files or [], base, head, docs, annotations)
    notes = {"Verdicts changed", "Notes added", "Notes removed", "Notes merged or renamed", "Notes changed"}
    notes_count = [plural(len(s.items), s.noun) for s in sections if s.title in notes and s.items]
    others = [
        plural(len(s.items), s.noun)
        for s in sections
        if s.title not in notes and s.items and "does not validate" not in s.title and "described above" not in s.title
        and not s.title.startswith(("Files outside", "The verification record"))
    ]  # fmt: skip
    if base.record != head.record:
        others.insert(0, "**the verification record changed**")
    if base.error is None and head.error is None:
        if notes_count:
            header += ["In short: " + ", ".join(notes_count + others) + ".", ""]
        else:
            header += ["No note, verdict or source changed" + (f"; but: {', '.join(others)}." if others else "."), ""]
    sections.append(_coverage_section(base, head))
    return Review(render(header, sections, limit), render(header, sections, FULL_LIMIT))


def _in_repository(repository: Path, *folders: Path) -> tuple[Path, ...]:
    """The repository's top folder, and each folder relative to it (as git names paths); the
    folders may be given relative to the repository or absolute (as mkdocs.yml's are read)."""
    found = subprocess.run(
        ["git", "-C", str(repository), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    if found.returncode != 0:
        raise SystemExit(f"{repository} is not in a git repository: {found.stderr.strip()}")
    top = Path(found.stdout.strip()).resolve()
    relative = []
    for folder in folders:
        path = (folder if folder.is_absolute() else repository / folder).resolve()
        if not path.is_relative_to(top):
            raise SystemExit(f"{folder} is not in the git repository {top}")
        relative.append(path.relative_to(top))
    return (top, *relative)


def review_both(
    base: str,
    head: str | None,
    docs: Path,
    annotations: Path,
    repository: Path = Path("."),
    limit: int = COMMENT_LIMIT,
) -> Review:
    repository, docs, annotations = _in_repository(repository, docs, annotations)
    folders = [docs.as_posix(), annotations.as_posix()]
    files = changed_files(repository, base, head)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        checkout(base, folders, root / "base", repository)
        base_side = read_side(
            f"Base ({md(base, 80)})", root / "base" / docs, root / "base" / annotations, root / "base"
        )
        if head is None:
            head_side = read_side("The working tree", repository / docs, repository / annotations, repository)
        else:
            checkout(head, folders, root / "head", repository)
            head_side = read_side(
                f"Head ({md(head, 80)})", root / "head" / docs, root / "head" / annotations, root / "head"
            )
        return compare(base_side, head_side, files, docs.as_posix(), annotations.as_posix(), limit)


def review(
    base: str,
    head: str | None,
    docs: Path,
    annotations: Path,
    repository: Path = Path("."),
    limit: int = COMMENT_LIMIT,
) -> str:
    """The comment for the pull request (cut to limit)."""
    return review_both(base, head, docs, annotations, repository, limit).comment


def cmd_review(args) -> int:
    from .config import site_of

    _, docs, annotations = site_of(args)
    result = review_both(args.base, args.head, docs, annotations, limit=args.limit)
    if args.output:
        Path(args.output).write_text(result.comment, encoding="utf-8")
    if args.output_full:
        Path(args.output_full).write_text(result.full, encoding="utf-8")
    print(result.comment)
    return 0


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "review",
        help="summarize what a change does to the claims (for a pull request)",
        description="Compare two git revisions: the verification record, the reliability policy, articles added "
        "and removed, notes added, removed, merged and changed (every field of every source), the article text, "
        "every changed file, coverage before and after. Markdown, safe to post as a comment.",
    )
    parser.add_argument("base", help="the revision to compare with, e.g. origin/main")
    parser.add_argument("head", nargs="?", help="the revision to review (default: the working tree)")
    parser.add_argument("--output", help="also write the summary (cut to --limit) to this file")
    parser.add_argument("--output-full", help="write the full report (for the job summary) to this file")
    parser.add_argument(
        "--limit", type=int, default=COMMENT_LIMIT, help=f"the summary's size limit (default {COMMENT_LIMIT:,})"
    )
    parser.set_defaults(run=cmd_review)
