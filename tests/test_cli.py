"""The contributor commands (scripts/annotate ..., i.e. annotator ...), run in-process."""

from __future__ import annotations

import re
import shutil
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


def test_validate_passes_on_the_repository_and_reports_coverage(run):
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"moscow-concert-massacre: \d+/24 paragraphs annotated; \d+ annotations", result.stdout)


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
    assert result.stdout.startswith("::error file=annotations/harbour-report/fishing-boats-returned.md,line=7,col=1::")


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


@pytest.mark.parametrize("command", ["validate", "new", "reanchor", "standalone", "postbuild"])
def test_every_command_has_help(run, command):
    result = run(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_a_file_far_larger_than_any_annotation_is_refused(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text('---\nparagraph: "The first words"\n---\n' + "x" * MAX_FILE_BYTES)
    with pytest.raises(AnnotationError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}:1:1: file is {path.stat().st_size:,} bytes, far larger")
