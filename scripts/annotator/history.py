"""Each note's history, read from the repository's git history at build time: when the note last
changed, when its verdict last changed, and every correction (a change of verdict, claim or
sources, or a note removed), newest first.

The cost is bounded: per article folder, one `git rev-parse`, one `git log` of the folder (at
most MAX_COMMITS commits, with the rewritten parents of path-limited history) and one
`git cat-file --batch` for the folder's tree at each of those commits, one `--batch-check` and
one `--batch` for the distinct file versions (each parsed once, with the loader's own splitting
and bounded YAML: load.raw_blocks). The result is kept for the build (keyed by HEAD). Git runs
with a timeout, no network (no protocol allowed, no lazy fetch), no pager, no fsmonitor, and
paths as literal pathspecs after `--`.

A note is followed across versions by its `id:`, or by an id it `replaces`; versions written
before notes had ids are matched by their quote. Removals of such id-less notes are not
reported (a reworded quote cannot be told from a removal). A merge reports only what differs
from every parent (what its branches changed is reported at their own commits). What the working
tree changes since the last commit is "not yet committed".

Without history (no repository: a tarball; a shallow clone; git missing or failing) the
ArticleHistory says so (`available` False, `why`), and nothing shows a date.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from .cache import CACHE, fingerprints
from .load import raw_blocks
from .model import AnnotatedArticle, Annotation
from .schema import schema

GIT_TIMEOUT = 60  # seconds, each git command
MAX_COMMITS = 5000  # newest commits of an article's folder read
MAX_BLOB = 256 * 1024  # bytes: a larger version of an annotation file is not read
SUBJECT_LIMIT = 300  # characters of a commit subject shown as a reason
SAFE_OPTIONS = [
    "--no-pager",
    "--literal-pathspecs",
    "--no-replace-objects",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.allow=never",
    "-c",
    "core.quotePath=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "i18n.logOutputEncoding=UTF-8",
]
_UNSET = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env.update(
        GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1", GIT_OPTIONAL_LOCKS="0", GIT_CONFIG_NOSYSTEM="1", LC_ALL="C"
    )
    return env


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """A git command's output, or None if it failed, timed out or git is missing."""
    try:
        result = subprocess.run(
            ["git", *SAFE_OPTIONS, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env=_env(),
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


# ---- What a note was at one version -----------------------------------------------------------


def _text(value) -> str | None:
    if value is None or value is False or isinstance(value, (dict, list)):
        return None
    return unicodedata.normalize("NFC", str(value)).strip() or None


@dataclass(frozen=True)
class SourceState:
    link: str
    title: str | None
    outlet: str | None
    relation: str | None
    excerpt: str | None
    fields: tuple  # every other field, as (name, value)


@dataclass(frozen=True)
class NoteState:
    id: str | None
    replaces: tuple[str, ...]
    quote: str  # spaces folded
    claim: str | None
    relation: str | None
    sources: tuple[SourceState, ...]
    note: str
    reason: str | None

    @property
    def summary(self) -> str:
        return self.claim or self.quote

    def content(self) -> tuple:
        """What a reader sees of the note (its names, id and replaces, left out)."""
        return (self.quote, self.claim, self.relation, self.sources, self.note, self.reason)


# Every other field the schema allows in a source (a field added there is tracked at once).
OTHER_FIELDS = tuple(
    f for f in schema()["$defs"]["source"]["properties"] if f not in ("title", "outlet", "relation", "excerpt")
)


def _source(value: dict) -> SourceState | None:
    if not isinstance(value, dict):
        return None
    link = _text(value.get("url")) or _text(value.get("via")) or ""
    others = tuple((name, _text(value.get(name))) for name in OTHER_FIELDS)
    return SourceState(
        link,
        _text(value.get("title")),
        _text(value.get("outlet")),
        _text(value.get("relation")),
        _text(value.get("excerpt")),
        others,
    )


def _state(value: dict, note: str) -> NoteState:
    sources = value.get("sources") if isinstance(value.get("sources"), list) else []
    replaces = value.get("replaces") if isinstance(value.get("replaces"), list) else []
    return NoteState(
        id=_text(value.get("id")),
        replaces=tuple(t for t in (_text(r) for r in replaces) if t),
        quote=" ".join((_text(value.get("quote")) or "").split()),
        claim=_text(value.get("claim")),
        relation=_text(value.get("relation")),
        sources=tuple(s for s in (_source(s) for s in sources) if s is not None),
        note=unicodedata.normalize("NFC", note).strip(),
        reason=_text(value.get("reason")),
    )


def state_of(annotation: Annotation) -> NoteState:
    """A loaded note (the working tree's) as a NoteState, field for field as _state reads a version."""
    sources = [
        {
            "url": s.url,
            "via": s.via,
            "title": s.title,
            "outlet": s.outlet,
            "relation": s.relation,
            "excerpt": s.excerpt,
            "archive_url": s.archive_url,
            "date": s.date,
            "author": s.author,
            "verified": s.verified_on,
        }
        for s in annotation.sources
    ]
    value = {
        "id": annotation.id,
        "replaces": list(annotation.replaces),
        "quote": annotation.quote,
        "claim": annotation.claim,
        "relation": annotation.relation,
        "sources": sources,
        "reason": annotation.reason,
    }
    return _state(value, annotation.note)


def _key(note: NoteState) -> str:
    return note.id or f"quote:{note.quote}"


def states_of_text(name: str, text: str) -> dict[str, NoteState]:
    """Every note of one version of an annotation file, by key (its id, or its quote before ids)."""
    found = {}
    for value, note in raw_blocks(Path(name), text):
        state = _state(value, note)
        if state.quote or state.id:
            found[_key(state)] = state
    return found


# ---- Stamps, lineages, corrections -------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A commit (None: the working tree, not yet committed) and its time."""

    commit: str | None
    when: int | None  # committer time, seconds since the epoch

    @property
    def short(self) -> str:
        return self.commit[:8] if self.commit else ""

    @property
    def date(self) -> str | None:
        return dt.datetime.fromtimestamp(self.when, dt.UTC).date().isoformat() if self.when else None

    @property
    def iso(self) -> str | None:
        if self.when is None:
            return None
        return dt.datetime.fromtimestamp(self.when, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Lineage:
    """A note's dates: first published, last changed, verdict last changed."""

    added: Stamp
    changed: Stamp
    verdict: Stamp
    origin: int = 0  # the same note through every version (ids may come later, or change)


@dataclass(frozen=True)
class Correction:
    """One note changed (or removed) by one commit: what changed, and why."""

    stamp: Stamp
    note_id: str | None  # the note's id at that commit
    summary: str  # its claim then (for a removal: before it went)
    changes: tuple[tuple[str, str, str], ...]  # (kind: verdict|claim|sources|removed, before, after)
    reason: str  # the note's `reason:` when the change wrote it, else the commit's subject
    reason_written: bool  # the reason is the note's own (not the commit subject)
    order: int = 0  # place in the walk, for ties between equal times
    origin: int = 0  # its Lineage.origin

    @property
    def anchor(self) -> str:
        """Its element id on the corrections page."""
        return f"c-{self.stamp.short or 'uncommitted'}-{self.note_id or f'o{self.origin}'}"

    @property
    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.changes]


@dataclass(frozen=True)
class ArticleHistory:
    available: bool
    why: str = ""  # why not, in a few words
    notes: dict[str, Lineage] = field(default_factory=dict)  # current note id -> its dates
    corrections: tuple[Correction, ...] = ()  # newest first

    def removed(self) -> dict[str, Correction]:
        """Ids of removed notes (no note has them now, nor replaces them) -> their removal."""
        found: dict[str, Correction] = {}
        for c in self.corrections:  # newest first: the latest removal of an id
            if c.note_id and "removed" in c.kinds and c.note_id not in self.notes:
                found.setdefault(c.note_id, c)
        return found


def _sources_change(before: tuple[SourceState, ...], after: tuple[SourceState, ...]) -> tuple[str, str] | None:
    if set(before) == set(after):  # the same sources, perhaps in another order
        return None
    old = {s.link: s for s in before}
    new = {s.link: s for s in after}

    def named(s: SourceState) -> str:
        return f"{s.title or s.link} ({s.outlet})" if s.outlet else (s.title or s.link)

    added = [s for link, s in new.items() if link not in old]
    removed = [s for link, s in old.items() if link not in new]
    pairs = [(old[link], s) for link, s in new.items() if link in old and old[link] != s]
    for s in list(added):  # a source whose address changed: the same title from the same outlet
        o = next((o for o in removed if (o.title, o.outlet) == (s.title, s.outlet)), None)
        if o is not None:
            added.remove(s)
            removed.remove(o)
            pairs.append((o, s))
    said = [f"added {named(s)}" for s in added] + [f"removed {named(s)}" for s in removed]
    for o, s in pairs:
        what = []
        if o.relation != s.relation:
            what.append(f"relation {o.relation} → {s.relation}")
        what += [name for name in ("title", "outlet", "excerpt") if getattr(o, name) != getattr(s, name)]
        what += [name for (name, a), (_, b) in zip(o.fields, s.fields, strict=True) if a != b]
        said.append(f"changed {named(s)}: {', '.join(what)}")
    return "", "; ".join(said)


def _changes(before: NoteState, after: NoteState) -> list[tuple[str, str, str]]:
    changes = []
    if before.relation != after.relation:
        changes.append(("verdict", before.relation or "", after.relation or ""))
    if before.summary != after.summary:
        changes.append(("claim", before.summary, after.summary))
    if (sources := _sources_change(before.sources, after.sources)) is not None:
        changes.append(("sources", *sources))
    return changes


def _subject(subject: str) -> str:
    subject = " ".join(subject.split())
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"


_ORIGINS = itertools.count(1)


def _new(stamp: Stamp) -> Lineage:
    return Lineage(stamp, stamp, stamp, next(_ORIGINS))


def _find(state: dict[str, NoteState], note: NoteState) -> str | None:
    for key in (note.id, *note.replaces, f"quote:{note.quote}"):
        if key and key in state:
            return key
    return None


def step(
    parents: list[tuple[dict[str, NoteState], dict[str, Lineage]]],
    current: dict[str, NoteState],
    stamp: Stamp,
    subject: str,
    order: int,
) -> tuple[dict[str, Lineage], list[Correction]]:
    """One version against its parents' (none: the first version): each note's dates, and the
    corrections it made."""
    lineages: dict[str, Lineage] = {}
    corrections: list[Correction] = []
    used: list[set[str]] = [set() for _ in parents]
    for key, note in current.items():
        matches = []
        for i, (state, lineage) in enumerate(parents):
            found = _find(state, note)
            if found is not None:
                used[i].add(found)
                matches.append((state[found], lineage.get(found) or _new(stamp)))
        same = next((lin for prev, lin in matches if prev.content() == note.content()), None)
        if same is not None:
            lineages[key] = same
            continue
        if not matches:
            lineages[key] = _new(stamp)
            continue
        prev, lineage = matches[0]
        verdict = stamp if prev.relation != note.relation else lineage.verdict
        lineages[key] = Lineage(lineage.added, stamp, verdict, lineage.origin)
        if changes := _changes(prev, note):
            written = bool(note.reason) and note.reason != prev.reason
            reason = note.reason if written else _subject(subject)
            corrections.append(
                Correction(stamp, note.id, note.summary, tuple(changes), reason, written, order, lineage.origin)
            )
    if parents:
        first, old = parents[0]
        for key, prev in first.items():
            gone = all(key in state and key not in used[i] for i, (state, _) in enumerate(parents))
            if gone and prev.id:  # an id-less note (before ids) cannot be told apart from a reworded one
                removal = (("removed", prev.summary, ""),)
                origin = old[key].origin if key in old else 0
                corrections.append(
                    Correction(stamp, prev.id, prev.summary, removal, _subject(subject), False, order, origin)
                )
    return lineages, corrections


# ---- Reading the repository --------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    hash: str
    parents: tuple[str, ...]
    when: int
    subject: str


def _batch(top: Path, requests: list[str], check: bool = False) -> list[tuple[str, bytes] | None] | None:
    """`git cat-file --batch` (or --batch-check) of each request: (type, content or size line)."""
    if not requests:
        return []
    out = git(
        top, "cat-file", "--batch-check" if check else "--batch", stdin="".join(f"{r}\n" for r in requests).encode()
    )
    if out is None:
        return None
    results: list[tuple[str, bytes] | None] = []
    pos = 0
    try:
        for _ in requests:
            end = out.index(b"\n", pos)
            header = out[pos:end].split(b" ")
            pos = end + 1
            if len(header) != 3:  # missing, ambiguous
                results.append(None)
                continue
            size = int(header[2])
            if check:
                results.append((header[1].decode(), header[2]))
                continue
            results.append((header[1].decode(), out[pos : pos + size]))
            pos += size + 1
    except ValueError:
        return None
    return results


def _tree(body: bytes, hash_bytes: int) -> dict[str, str]:
    """The .md files of a tree object: name -> blob hash."""
    entries, pos = {}, 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        mode, name = body[pos:space], body[space + 1 : nul]
        sha = body[nul + 1 : nul + 1 + hash_bytes].hex()
        pos = nul + 1 + hash_bytes
        if mode in (b"100644", b"100755") and name.endswith(b".md"):
            entries[name.decode("utf-8", "replace")] = sha
    return entries


def _commits(top: Path, rel: str) -> list[Commit] | None:
    out = git(
        top,
        "log",
        "--topo-order",
        "--reverse",
        "--parents",
        f"--max-count={MAX_COMMITS}",
        "--format=%H%x1f%P%x1f%ct%x1f%s%x1e",
        "--",
        rel,
    )
    if out is None:
        return None
    commits = []
    for record in out.decode("utf-8", "replace").split("\x1e"):
        parts = record.strip("\n").split("\x1f")
        if len(parts) == 4 and parts[0]:
            commits.append(Commit(parts[0], tuple(parts[1].split()), int(parts[2] or 0), parts[3]))
    return commits


_PARSED: dict[str, dict[str, NoteState]] = {}  # blob hash -> its notes (a version is parsed once)


@dataclass(frozen=True)
class _Committed:
    state: dict[str, NoteState]  # at the newest commit
    lineages: dict[str, Lineage]
    corrections: tuple[Correction, ...]
    count: int  # commits read


def _walk(top: Path, rel: str) -> _Committed | str:
    commits = _commits(top, rel)
    if commits is None:
        return "git log failed"
    trees = _batch(top, [f"{c.hash}:{rel}" for c in commits])
    if trees is None:
        return "git cat-file failed"
    files: list[dict[str, str]] = []
    for commit, tree in zip(commits, trees, strict=True):
        files.append(_tree(tree[1], len(commit.hash) // 2) if tree and tree[0] == "tree" else {})
    blobs = sorted({sha for entries in files for sha in entries.values()} - set(_PARSED))
    sizes = _batch(top, blobs, check=True)
    if sizes is None:
        return "git cat-file failed"
    wanted = [
        sha
        for sha, found in zip(blobs, sizes, strict=True)
        if found and found[0] == "blob" and int(found[1]) <= MAX_BLOB
    ]
    contents = _batch(top, wanted)
    if contents is None:
        return "git cat-file failed"
    texts = dict(zip(wanted, contents, strict=True))
    for sha in blobs:
        found = texts.get(sha)
        _PARSED[sha] = states_of_text(sha, found[1].decode("utf-8", "replace")) if found else {}
    states: dict[str, tuple[dict[str, NoteState], dict[str, Lineage]]] = {}
    corrections: list[Correction] = []
    state: dict[str, NoteState] = {}
    lineages: dict[str, Lineage] = {}
    for order, (commit, entries) in enumerate(zip(commits, files, strict=True)):
        state = {}
        for name in sorted(entries):
            state.update(_PARSED.get(entries[name], {}))
        parents = [states[p] for p in commit.parents if p in states]
        lineages, made = step(parents, state, Stamp(commit.hash, commit.when), commit.subject, order)
        corrections += made
        states[commit.hash] = (state, lineages)
    return _Committed(state, lineages, tuple(corrections), len(commits))


def _repository(folder: Path) -> tuple[Path, str, str] | str:
    """(top folder, the folder relative to it, HEAD) or why there is no history. Git is asked
    again only when a file that moves HEAD changed (its HEAD, the branch it names, packed refs,
    the shallow list; or, outside a repository, a `.git` in any folder above): a build asks for
    every article, and `serve` builds after every edit."""
    where = folder if folder.is_dir() else folder.parent
    if not where.is_dir():
        return "no annotations folder"
    key = ("repository", str(folder))
    previous = CACHE.previous(key)
    token = previous[0] if previous is not None and fingerprints(previous[1]) == previous[2] else object()
    return CACHE.get(key, token, lambda: _ask_git(folder, where, token))[3]


def _ask_git(folder: Path, where: Path, token: object) -> tuple:
    """(token, the files watched, their fingerprints, _repository's answer)."""
    watched = [p / ".git" for p in (where, *where.parents)]  # a repository made above it
    out = git(
        where, "rev-parse", "--is-shallow-repository", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"
    )
    lines = out.decode("utf-8", "replace").splitlines() if out is not None else []
    if len(lines) == 4:
        git_dir, common = Path(lines[2]), where / lines[3]  # the common folder may be relative
        ref = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        watched += [git_dir / "HEAD", common / "packed-refs", common / "shallow", git_dir / "logs" / "HEAD"]
        if ref.startswith("ref: "):
            watched.append(common / ref.removeprefix("ref: "))
    state = fingerprints(watched)  # before HEAD is read: a commit meanwhile is seen next time
    head = git(where, "rev-parse", "HEAD") if out is not None else None
    return token, tuple(watched), state, _answer(folder, lines, head)


def _answer(folder: Path, lines: list[str], head: bytes | None) -> tuple[Path, str, str] | str:
    if head is None:
        return "no git history: not a git repository, or git is not available"
    if len(lines) != 4:
        return "no git history"
    shallow, top = lines[0], lines[1]
    if shallow.strip() == "true":
        return "a shallow clone: its git history is cut"
    try:
        rel = folder.resolve().relative_to(Path(top).resolve()).as_posix()
    except ValueError:
        return "the annotations are outside the git repository"
    return Path(top), rel, head.decode("utf-8", "replace").strip()


def article_history(item: AnnotatedArticle, annotations_dir: Path) -> ArticleHistory:
    """The history of an article's notes, from git, with the working tree's changes on top."""
    folder = Path(annotations_dir) / item.article.slug
    found = _repository(folder)
    if isinstance(found, str):
        return ArticleHistory(False, found)
    top, rel, head = found
    return CACHE.get(("history", str(top), rel), (head, item), lambda: _article_history(item, top, rel, head))


def _article_history(item: AnnotatedArticle, top: Path, rel: str, head: str) -> ArticleHistory:
    committed = CACHE.get(("history-walk", str(top), rel), head, lambda: _walk(top, rel))
    if isinstance(committed, str):
        return ArticleHistory(False, committed)
    current: dict[str, NoteState] = {}
    for note in item.notes:
        state = state_of(note.annotation)
        current[_key(state)] = state
    parents = [(committed.state, committed.lineages)] if committed.count else []
    lineages, made = step(parents, current, Stamp(None, None), "not yet committed", committed.count)
    now = {lineage.origin: note_id for note_id, lineage in lineages.items()}  # ids now, for id-less versions
    every = [c if c.note_id else replace(c, note_id=now.get(c.origin)) for c in (*committed.corrections, *made)]
    every.sort(key=lambda c: (c.stamp.when is None, c.stamp.when or 0, c.order), reverse=True)
    notes = {n.id: lineages[n.id] for n in item.notes if n.id in lineages}
    return ArticleHistory(True, "", notes, tuple(every))
