"""Re-anchor: after an article's text changed, point each annotation file at its paragraph again.

For every file whose annotations no longer anchor, `plan_article` finds where its quotes went:

    all in one paragraph        rewrite `paragraph:` with that paragraph's shortest unique
                                opening, and rename the file after it
    split over paragraphs       each paragraph's annotations go to that paragraph's file
                                (appended to an existing one, or a new file)
    not found, or ambiguous     listed for a person, with the nearest candidates

Every line it prints says what it wrote (or, with --dry-run, would write); nothing is reported
as done that was not written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .anchor import ParagraphIndex, find_all, nearest_spans, normalize
from .article import find_articles
from .errors import ProblemCollector
from .inputs import check_regular, read_text
from .load import load_folder
from .model import Annotation, AnnotationFile, Article
from .paths import COMMAND
from .scaffold import slugify

MIN_OPENING_WORDS = 4


@dataclass
class Plan:
    """What to do with one article's files: (file, target paragraph) moves and manual notes."""

    article: Article
    index: ParagraphIndex
    moves: dict[Path, dict[int, list[Annotation]]] = field(default_factory=dict)  # file -> paragraph -> annotations
    manual: list[str] = field(default_factory=list)


def unique_opening(index: ParagraphIndex, article: Article, number: int) -> str | None:
    """The shortest opening (at least four words) naming only this paragraph, or None."""
    words = article.paragraphs[number - 1].split()
    for count in range(min(MIN_OPENING_WORDS, len(words)), len(words) + 1):
        opening = " ".join(words[:count])
        if index.starting_with(opening) == [number]:
            return opening
    return None


def homes(index: ParagraphIndex, quote: str) -> list[int]:
    """The paragraphs in which a quote occurs exactly once."""
    folded = normalize(quote)[0]
    return [n for n, (text, _) in enumerate(index.folded, 1) if folded and len(find_all(text, folded)) == 1]


def plan_file(plan: Plan, file: AnnotationFile) -> None:
    named = plan.index.starting_with(file.paragraph)
    where = {id(a): homes(plan.index, a.quote) for a in file.annotations}
    lost = [a for a in file.annotations if not where[id(a)]]
    for a in lost:
        near = {n: nearest_spans(text, normalize(a.quote)[0], 1) for n, (text, _) in enumerate(plan.index.folded, 1)}
        best = [f"paragraph {n}: {spans[0]!r}" for n, spans in near.items() if spans][:2]
        plan.manual.append(
            f"{a.path}:{a.line}: quote {a.quote[:50]!r} is in no paragraph; nearest: " + " | ".join(best)
        )
    if lost:
        return
    common = set.intersection(*(set(where[id(a)]) for a in file.annotations)) if file.annotations else set()
    if len(named) == 1 and named[0] in common:
        return  # anchors as it is
    if len(common) == 1 or (common and len(set(named) & common) == 1):
        target = (set(named) & common or common).pop()
        plan.moves[file.path] = {target: list(file.annotations)}
        return
    if common:
        plan.manual.append(
            f"{file.path}:{file.paragraph_line}: all its quotes occur in paragraphs {sorted(common)}; "
            "add words to paragraph: so that it names one"
        )
        return
    groups: dict[int, list[Annotation]] = {}
    for a in file.annotations:
        choices = where[id(a)]
        choice = next((n for n in choices if n in named), choices[0]) if len(choices) > 1 else choices[0]
        if len(choices) > 1 and not set(choices) & set(named):
            plan.manual.append(f"{a.path}:{a.line}: quote {a.quote[:50]!r} occurs once in each of paragraphs {choices}")
            return
        groups.setdefault(choice, []).append(a)
    plan.moves[file.path] = groups


def plan_article(article: Article, files: list[AnnotationFile]) -> Plan:
    plan = Plan(article, ParagraphIndex(article))
    for file in files:
        plan_file(plan, file)
    return plan


def _header(opening: str) -> str:
    return f"paragraph: {json.dumps(opening, ensure_ascii=False)}"


class Writer:
    """Applies a plan to the annotation files, or (dry run) only says what it would write. Files
    are edited in memory first, so a dry run reports exactly what a real run writes."""

    def __init__(self, folder: Path, write: bool):
        self.folder, self.write = folder, write
        self.report: list[str] = []
        self.buffers: dict[Path, list[str]] = {}
        self.would = "" if write else "would "

    def _lines(self, path: Path) -> list[str]:
        if path not in self.buffers:
            problems = ProblemCollector()
            text = read_text(path, problems) if check_regular(path, problems) else None
            problems.raise_if_any()
            self.buffers[path] = text.split("\n")
        return self.buffers[path]

    def _save(self, path: Path, lines: list[str]) -> None:
        self.buffers[path] = lines
        if self.write:
            problems = ProblemCollector()
            if path.is_symlink() or (path.exists() and not check_regular(path, problems)):
                problems.raise_if_any()
            path.write_text("\n".join(lines), encoding="utf-8")

    def apply(self, plan: Plan, files: dict[Path, AnnotationFile]) -> None:
        owners = {
            n: f.path for f in files.values() if f.path not in plan.moves for n in plan.index.starting_with(f.paragraph)
        }
        for path, groups in plan.moves.items():
            file = files[path]
            keep = max(groups, key=lambda n: (len(groups[n]), -n))  # this file keeps its largest group
            opening = unique_opening(plan.index, plan.article, keep)
            if opening is None:
                plan.manual.append(f"{path}:{file.paragraph_line}: paragraph {keep} has no opening that names only it")
                continue
            lines = list(self._lines(path))
            moving = set()
            for number, group in sorted(groups.items()):
                if number != keep:
                    blocks = [lines[a.lines[0] - 1 : a.lines[1] - 1] for a in group]
                    moving.update(i for a in group for i in range(a.lines[0] - 1, a.lines[1] - 1))
                    owners[number] = self._add_blocks(plan, number, blocks, owners.get(number), group)
            lines[file.paragraph_line - 1] = _header(opening)
            self._save(path, [line for i, line in enumerate(lines) if i not in moving])
            self.report.append(
                f"{self.would}rewrite {path}:{file.paragraph_line}: paragraph: names {keep} ({opening!r})"
            )
            owners[keep] = self._rename(path, plan.article.paragraphs[keep - 1])

    def _add_blocks(self, plan: Plan, number: int, blocks: list[list[str]], owner: Path | None, annotations) -> Path:
        quotes = ", ".join(repr(a.quote[:40]) for a in annotations)
        moved = [line for block in blocks for line in block]
        if owner is not None:
            lines = self._lines(owner)
            self._save(owner, [*lines[: len(lines) - (lines[-1] == "")], "", *moved])
            self.report.append(
                f"{self.would}move {len(blocks)} annotation(s) ({quotes}) to {owner}, paragraph {number}"
            )
            return owner
        opening = unique_opening(plan.index, plan.article, number) or plan.article.paragraphs[number - 1][:60]
        target = self.folder / f"{slugify(plan.article.paragraphs[number - 1])}.md"
        self._save(target, ["---", _header(opening), "---", "", *moved])
        self.report.append(
            f"{self.would}create {target} for paragraph {number} with {len(blocks)} annotation(s) ({quotes})"
        )
        return target

    def _rename(self, path: Path, paragraph: str) -> Path:
        """Rename a file whose name no longer starts like its paragraph (its opening changed)."""
        if slugify(paragraph, 12).startswith(path.stem):
            return path
        target = path.with_name(f"{slugify(paragraph)}.md")
        if target.exists() or target in self.buffers:
            return path
        if self.write:
            path.rename(target)
        self.buffers[target] = self.buffers.pop(path)
        self.report.append(f"{self.would}rename {path} -> {target.name}")
        return target


def reanchor(docs: Path, annotations: Path, write: bool = True) -> tuple[list[str], list[str]]:
    """(what was written, what needs a person) for every article."""
    problems = ProblemCollector()
    articles = find_articles(docs, problems)
    problems.raise_if_any()
    done, manual = [], []
    for article in articles:
        folder = annotations / article.slug
        if not folder.is_dir():
            continue
        files = load_folder(folder, problems)
        problems.raise_if_any()
        plan = plan_article(article, files)
        writer = Writer(folder, write)
        writer.apply(plan, {f.path: f for f in files})
        done += writer.report
        manual += plan.manual
    return done, manual


def cmd_reanchor(args) -> int:
    from .config import site_of

    _, docs, annotations = site_of(args)
    done, manual = reanchor(docs, annotations, write=not args.dry_run)
    for line in done:
        print(line)
    for line in manual:
        print(f"needs a person: {line}")
    if not done and not manual:
        print("every annotation file still names its paragraph and every quote anchors; nothing to do")
    elif not args.dry_run and not manual:
        print(f"done; check with: {COMMAND} validate")
    return 1 if manual else 0


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "reanchor",
        help="after the article changed, point annotation files at their paragraphs again",
        description="Find where each annotation file's quotes went after the article was edited (paragraphs "
        "inserted, split, reworded). A file whose quotes all sit in one paragraph gets that paragraph's opening "
        "words and a matching name; a file whose quotes now sit in several paragraphs is split, each part going "
        "to its paragraph's file (created if needed). Everything else is listed with the nearest candidates. "
        "Exit 1 if anything needs a person.",
    )
    parser.add_argument("--dry-run", action="store_true", help="report what would be written; change no file")
    parser.set_defaults(run=cmd_reanchor)
