"""The contributor commands (scripts/annotate ..., i.e. annotator ...), run in-process."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from annotator import cli
from annotator.errors import AnnotationError
from annotator.inputs import MAX_FILE_BYTES
from annotator.load import load_file

from .conftest import ROOT

PROBLEM_LINE = re.compile(r"^(?P<path>[^:]+\.\w+):(?P<line>\d+):(?P<col>\d+): (?P<what>.+); (?P<fix>.+)$")


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run(capsys, monkeypatch):
    """Run `annotator ARGS` in-process in a folder; returns the exit code and what it printed."""

    def call(*args: str, cwd: Path = ROOT) -> Result:
        monkeypatch.chdir(cwd)
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:  # argparse: --help, usage errors
            code = exit_.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


@pytest.fixture
def sample(tmp_path) -> Path:
    """A writable copy of the sample site (docs/ + annotations/)."""
    shutil.copytree(ROOT / "tests" / "sample-site", tmp_path / "s")
    return tmp_path / "s"


@pytest.mark.real_site
def test_validate_passes_on_the_repository_and_reports_coverage(run, real):
    result = run("validate", cwd=real.root)
    assert result.returncode == 0, result.stdout + result.stderr
    for item in real.articles:  # one line an article, with its figures
        blocks, notes = len(item.article.paragraphs), len(item.notes)
        assert re.search(rf"{item.article.slug}: \d+/{blocks} paragraphs annotated; {notes} annotations", result.stdout)


def test_validate_reports_every_problem_at_once(run, sample):
    folder = sample / "annotations" / "harbour-report"
    (folder / "the-harbour-reopened.md").write_text(
        (folder / "the-harbour-reopened.md")
        .read_text()
        .replace("relation: qualifies\nsources", "relation: sure\nsorce")
    )
    (folder / "fishing-boats-returned.md").write_text(
        (folder / "fishing-boats-returned.md").read_text().replace("resumed in June", "resumed in July")
    )
    result = run("validate", cwd=sample)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(PROBLEM_LINE.match(line) for line in lines), lines
    assert {PROBLEM_LINE.match(line)["path"] for line in lines} == {
        "annotations/harbour-report/the-harbour-reopened.md",
        "annotations/harbour-report/fishing-boats-returned.md",
    }
    assert "3 problem(s) found." in result.stderr


def test_validate_github_format_marks_the_line(run, sample):
    path = sample / "annotations" / "harbour-report" / "fishing-boats-returned.md"
    path.write_text(path.read_text().replace("relation: unsourced", "relation: unsure"))
    result = run("validate", "--github", cwd=sample)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=annotations/harbour-report/fishing-boats-returned.md,line=8,col=1::")


def test_new_scaffolds_a_file_for_a_paragraph(run, sample):
    result = run("new", "2", "--article", "harbour-report", cwd=sample)
    assert result.returncode == 1  # paragraph 2 already has a file
    (sample / "annotations" / "harbour-report" / "fishing-boats-returned.md").unlink()
    result = run("new", "2", "--article", "harbour-report", cwd=sample)
    assert result.returncode == 0, result.stderr
    created = sample / "annotations" / "harbour-report" / "fishing-boats-returned-the-same.md"
    text = created.read_text()
    assert 'paragraph: "Fishing boats returned the same week."' in text
    assert "#   Fishing boats returned the same week. Ferry services" in text
    # The placeholder is caught until the contributor fills it in.
    result = run("validate", cwd=sample)
    assert "quote still holds the example value" in result.stdout
    assert (
        "url still holds the example value" in result.stdout
        and "the note still holds the example text" in result.stdout
    )


def test_reanchor_follows_an_edited_paragraph(run, sample):
    article = sample / "docs" / "harbour-report.md"
    text = article.read_text()
    text = text.replace(
        "The harbour reopened on 2 May 2023", "New paragraph first.\n\nOn 2 May 2023 the harbour reopened"
    )
    text = text.replace("after “eighteen months”", "after “eighteen months”")
    article.write_text(text)
    assert run("validate", cwd=sample).returncode == 1
    result = run("reanchor", cwd=sample)
    assert result.returncode == 0, result.stdout
    assert "paragraph: names 2" in result.stdout
    assert run("validate", cwd=sample).returncode == 0


def test_reanchor_lists_what_needs_a_person(run, sample):
    article = sample / "docs" / "harbour-report.md"
    article.write_text(article.read_text().replace("“eighteen months” of repairs", "eighteen months of work"))
    result = run("reanchor", "--dry-run", cwd=sample)
    assert result.returncode == 1
    assert "needs a person" in result.stdout and "the-harbour-reopened.md" in result.stdout


@pytest.mark.parametrize("command", ["validate", "new", "new-article", "reanchor", "standalone", "postbuild"])
def test_every_command_has_help(run, command):
    result = run(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_a_file_far_larger_than_any_annotation_is_refused(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text('---\nparagraph: "The first words"\n---\n' + "x" * MAX_FILE_BYTES)
    with pytest.raises(AnnotationError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}:1:1: file is {path.stat().st_size:,} bytes, far larger")


# ---- reanchor: every change it reports is a change it made -----------------------------------


def _article(root: Path, paragraphs: list[str]) -> Path:
    page = root / "docs" / "harbour-report.md"
    head = page.read_text().split("---\n\n", 1)[0]
    page.write_text(head + "---\n\n" + "\n\n".join(paragraphs) + "\n")
    return page


def test_reanchor_names_one_paragraph_when_the_header_matches_two(run, sample):
    """The old bug: 'fixed' printed and nothing written, because six words still named two paragraphs."""
    _article(
        sample,
        [
            "The harbour reopened on 2 May 2023 after “eighteen months” of repairs, the port authority said.",
            "The harbour reopened on 2 May 2023 to ferries only, a week later.",
            "Fishing boats returned the same week. Ferry services – suspended since 2021 – resumed in June.",
        ],
    )
    assert run("validate", cwd=sample).returncode == 1
    result = run("reanchor", cwd=sample)
    assert result.returncode == 0, result.stdout
    path = sample / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    header = path.read_text().split("\n")[1]
    assert f"rewrite {path.relative_to(sample)}:2: paragraph: names 1" in result.stdout
    assert header.startswith('paragraph: "The harbour reopened on 2 May 2023 after')
    assert run("validate", cwd=sample).returncode == 0


def test_reanchor_splits_a_file_whose_paragraph_was_split(run, sample):
    page = sample / "docs" / "harbour-report.md"
    path = sample / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    path.write_text(
        path.read_text()
        + '\n---\nid: port-authority-said\nquote: "the port authority said"\nrelation: opinion\n---\nWho said it.\n'
    )
    assert run("validate", cwd=sample).returncode == 0
    page.write_text(
        page.read_text().replace("of repairs, the port authority said.", "of repairs.\n\nSo the port authority said.")
    )
    dry = run("reanchor", "--dry-run", cwd=sample)
    assert (
        "would create" in dry.stdout
        and not (sample / "annotations" / "harbour-report" / "so-the-port-authority-said.md").exists()
    )
    result = run("reanchor", cwd=sample)
    created = sample / "annotations" / "harbour-report" / "so-the-port-authority-said.md"
    assert (
        f"create {created.relative_to(sample)} for paragraph 2 with 1 annotation(s) ('the port authority said')"
        in result.stdout
    )
    assert created.is_file() and "the port authority said" in created.read_text()
    assert "the port authority said" not in path.read_text()
    assert run("validate", cwd=sample).returncode == 0


def test_reanchor_renames_a_file_when_its_paragraph_opening_changed(run, sample):
    page = sample / "docs" / "harbour-report.md"
    page.write_text(
        page.read_text().replace("The harbour reopened on 2 May 2023", "On 2 May 2023 the harbour reopened")
    )
    result = run("reanchor", cwd=sample)
    assert result.returncode == 0, result.stdout
    renamed = sample / "annotations" / "harbour-report" / "on-2-may-2023-the.md"
    assert "rename annotations/harbour-report/the-harbour-reopened.md -> on-2-may-2023-the.md" in result.stdout
    assert renamed.is_file() and not (sample / "annotations" / "harbour-report" / "the-harbour-reopened.md").exists()
    assert run("validate", cwd=sample).returncode == 0


def test_reanchor_dry_run_writes_nothing(run, sample):
    page = sample / "docs" / "harbour-report.md"
    page.write_text(
        page.read_text().replace("The harbour reopened on 2 May 2023", "On 2 May 2023 the harbour reopened")
    )
    before = {p: p.read_bytes() for p in (sample / "annotations").rglob("*") if p.is_file()}
    result = run("reanchor", "--dry-run", cwd=sample)
    assert "would rewrite" in result.stdout and "would rename" in result.stdout
    assert {p: p.read_bytes() for p in (sample / "annotations").rglob("*") if p.is_file()} == before


# ---- Every command a message prints runs as printed, from the repository root -------------------


def test_commands_in_messages_exist():
    import re as _re

    from annotator.cli import parser

    sources = "\n".join(p.read_text() for p in (ROOT / "scripts" / "annotator").glob("*.py"))
    docs = "\n".join((ROOT / name).read_text() for name in ("README.md", "CONTRIBUTING.md"))
    printed = set(_re.findall(r"\{COMMAND\} ([a-z][a-z-]*)", sources))
    printed |= set(_re.findall(r"scripts/annotate ([a-z][a-z-]*)", docs))
    commands = set(parser()._subparsers._group_actions[0].choices)
    assert printed and printed <= commands, printed - commands
    assert (ROOT / "scripts" / "annotate").stat().st_mode & 0o111


def test_scripts_annotate_runs_as_printed():
    result = subprocess.run([str(ROOT / "scripts" / "annotate"), "validate"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and "paragraphs annotated" in result.stdout, result.stderr


def test_standalone_with_an_unknown_article_says_so(run, sample, tmp_path):
    result = run("standalone", "no-such-article", str(tmp_path / "x.html"), cwd=sample)
    assert (
        result.returncode == 2
        and "no article has 'annotations: no-such-article'; known: council-vote, harbour-report" in result.stderr
    )


def test_uncovered_lists_sentences_without_a_note(run, sample):
    result = run("uncovered", cwd=sample)
    assert result.returncode == 0
    assert "harbour-report: 1 of 3 sentences have no note" in result.stdout
    assert "¶2: Fishing boats returned the same week." in result.stdout


# ---- new-article: a page to fill in, which validate refuses until it is filled ------------------


def test_new_article_writes_every_front_matter_field_and_validate_accepts_it_once_filled(run, sample):
    import yaml

    from annotator.article import split_front_matter
    from annotator.schema import read_schema

    result = run("new-article", "the-bridge-vote", cwd=sample)
    assert result.returncode == 0, result.stderr
    page = sample / "docs" / "articles" / "the-bridge-vote.md"
    assert (sample / "annotations" / "the-bridge-vote").is_dir()
    front, body = split_front_matter(page.read_text(encoding="utf-8"))
    fields = yaml.safe_load(front)
    assert list(fields) == list(read_schema()["$defs"]["article"]["properties"])  # every field, in order
    assert fields["annotations"] == "the-bridge-vote"
    for key, spec in read_schema()["$defs"]["article"]["properties"].items():
        assert f"# {key} (" in front and spec["description"] in front, key  # each one explained

    refused = run("validate", cwd=sample)  # the examples are not an article
    assert refused.returncode == 1
    complaints = {m["what"] for m in map(PROBLEM_LINE.match, refused.stdout.splitlines()) if m}
    for key in ("title", "subtitle", "description", "author", "outlet", "original_url"):
        assert f"{key} still holds the example value" in complaints, (key, refused.stdout)
    assert "the page still holds the example text" in complaints

    filled = {
        **fields,
        "title": "The bridge vote",
        "subtitle": "What the council decided",
        "description": "A short article about a bridge.",
        "author": "A. Writer",
        "outlet": "The Harbour Times",
        "date": "2024-05-01",
        "original_url": "https://www.example.com/bridge-vote",
    }
    text = "The council voted on Tuesday to rebuild the old bridge.\n\n- It will cost less than planned.\n"
    page.write_text(f"---\n{yaml.safe_dump(filled, sort_keys=False)}---\n\n{text}", encoding="utf-8")
    accepted = run("validate", cwd=sample)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert re.search(r"the-bridge-vote: 0/2 paragraphs annotated; 0 annotations", accepted.stdout), accepted.stdout
    created = run("new", "2", "--article", "the-bridge-vote", cwd=sample)  # and the next step works
    assert created.returncode == 0, created.stderr
    assert list((sample / "annotations" / "the-bridge-vote").glob("it-will-cost-*.md"))


def test_new_article_escapes_what_it_writes(run, sample):
    import yaml

    from annotator.article import split_front_matter

    title = 'He said "no": #1\nannotations: other\n---'
    assert run("new-article", "quoted", "--title", title, cwd=sample).returncode == 0
    front, _ = split_front_matter((sample / "docs" / "articles" / "quoted.md").read_text(encoding="utf-8"))
    fields = yaml.safe_load(front)
    assert fields["title"] == title and fields["annotations"] == "quoted"  # one field, read back as given
    assert "title" in run("validate", cwd=sample).stdout  # and refused as a title (quotes, a line break)


@pytest.mark.parametrize("slug", ["../outside", "Capitals", "two--hyphens", "-leading", "a b", ""])
def test_new_article_refuses_a_bad_slug(run, sample, slug):
    result = run("new-article", "--", slug, cwd=sample)
    assert result.returncode == 2 and "is not a slug" in result.stderr
    assert not (sample / "docs" / "articles").exists() and not (sample / "outside").exists()


def test_new_article_refuses_to_overwrite(run, sample):
    page = sample / "docs" / "articles" / "taken.md"
    assert run("new-article", "taken", cwd=sample).returncode == 0
    page.write_text(page.read_text() + "\nMy edits.\n")
    before = page.read_text()
    again = run("new-article", "taken", cwd=sample)
    assert again.returncode == 1 and "already exists" in again.stderr and page.read_text() == before
    (sample / "annotations" / "harbour-report").rename(sample / "annotations" / "harbour-report.keep")
    used = run("new-article", "harbour-report", cwd=sample)  # a page elsewhere already has that slug
    assert used.returncode == 1 and "harbour-report.md already has" in used.stderr, used.stderr
    folder = run("new-article", "council-vote", cwd=sample)  # its annotations folder exists
    assert folder.returncode == 1 and "already exists" in folder.stderr
