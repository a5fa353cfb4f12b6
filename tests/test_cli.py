"""The contributor commands: validate, new, reanchor (python -m scripts.annotator ...)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.errors import AnnotationError
from annotator.load import MAX_FILE_BYTES, load_file

from .conftest import ROOT

PROBLEM_LINE = re.compile(r"^(?P<path>[^:]+\.\w+):(?P<line>\d+):(?P<col>\d+): (?P<what>.+); (?P<fix>.+)$")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.annotator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def sample(tmp_path) -> Path:
    """A writable copy of the sample site (docs/ + annotations/)."""
    shutil.copytree(ROOT / "tests" / "sample-site", tmp_path / "s")
    return tmp_path / "s"


def test_validate_passes_on_the_repository_and_reports_coverage():
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"moscow-concert-massacre: \d+/24 paragraphs annotated; \d+ annotations", result.stdout)


def test_validate_reports_every_problem_at_once(sample):
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


def test_validate_github_format_marks_the_line(sample):
    path = sample / "annotations" / "harbour-report" / "fishing-boats-returned.md"
    path.write_text(path.read_text().replace("relation: unsourced", "relation: unsure"))
    result = run("validate", "--github", cwd=sample)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=annotations/harbour-report/fishing-boats-returned.md,line=7,col=1::")


def test_new_scaffolds_a_file_for_a_paragraph(sample):
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
    assert "date 'YYYY-MM-DD' is not a date" in run("validate", cwd=sample).stdout


def test_reanchor_follows_an_edited_paragraph(sample):
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
    assert "paragraph now names 2" in result.stdout
    assert run("validate", cwd=sample).returncode == 0


def test_reanchor_lists_what_needs_a_person(sample):
    article = sample / "docs" / "harbour-report.md"
    article.write_text(article.read_text().replace("“eighteen months” of repairs", "eighteen months of work"))
    result = run("reanchor", "--dry-run", cwd=sample)
    assert result.returncode == 1
    assert "needs a person" in result.stdout and "the-harbour-reopened.md" in result.stdout


@pytest.mark.parametrize("command", ["validate", "new", "reanchor", "standalone"])
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_a_file_far_larger_than_any_annotation_is_refused(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text('---\nparagraph: "The first words"\n---\n' + "x" * MAX_FILE_BYTES)
    with pytest.raises(AnnotationError) as caught:
        load_file(path)
    assert str(caught.value).startswith(f"{path}:1:1: file is {path.stat().st_size:,} bytes, far larger")
