"""`annotator review`: the summary of what a change does to the claims, on a scratch git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from annotator.review import MARKER, md, review

from .conftest import ROOT


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "sample-site", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    return repo


def change(repo: Path) -> None:
    """A verdict changed (qualifies -> contradicts), a source added, a note removed."""
    path = repo / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    text = path.read_text()
    text = text.replace("relation: qualifies\nsources:", "relation: contradicts\nsources:")
    text = text.replace("    relation: qualifies\n---", "    relation: contradicts\n"
                        '  - title: "Port reopens @maintainers <b>late</b>"\n    url: https://example.org/second\n'
                        "    outlet: Example Gazette\n    excerpt: \"It took nineteen months.\"\n"
                        "    verified: 2026-11-01\n    relation: contradicts\n---")  # fmt: skip
    text = text.replace("The gazette counts nineteen months.", "Both gazette reports count nineteen months.")
    path.write_text(text)
    (repo / "annotations" / "harbour-report" / "fishing-boats-returned.md").unlink()


def test_review_of_a_working_tree_change(repo):
    change(repo)
    summary = review("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert summary.startswith(MARKER)
    assert "### Verdicts changed (1)" in summary and "**qualifies → contradicts**" in summary
    assert "Both gazette reports count nineteen months." in summary
    assert "### Notes removed (1)" in summary and "unsourced" in summary
    assert (
        "source added: Example Gazette, reliable outlet, “Port reopens @\u200bmaintainers \\<b\\>late\\</b\\>”"
        in summary
    )
    assert "| harbour-report | 2/2 paragraphs annotated" in summary and "1/2 paragraphs annotated" in summary
    assert "1/2 paragraphs annotated; 1 annotation (1 contradicts)" in summary.replace("\\(", "(").replace("\\)", ")")


def test_review_between_two_commits(repo):
    change(repo)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "head")
    summary = review("main~1", "main", Path("docs"), Path("annotations"), repository=repo)
    assert "**qualifies → contradicts**" in summary and "### Notes removed (1)" in summary


def test_review_says_when_a_side_does_not_validate(repo):
    path = repo / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    path.write_text(path.read_text().replace("relation: qualifies\nsources:", "relation: sure\nsources:"))
    summary = review("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert "**The working tree does not validate** (1 problem)" in summary
    assert "relation is 'sure'" in summary


def test_review_of_no_change(repo):
    summary = review("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert "No note, verdict or source changed." in summary


@pytest.mark.parametrize("text", ["@octocat", "<img src=x onerror=alert(1)>", "a | b", "[x](javascript:y)", "# h"])
def test_contributor_text_is_inert_in_markdown(text):
    escaped = md(text)
    assert "@o" not in escaped and "<" not in escaped.replace("\\<", "") and "|" not in escaped.replace("\\|", "")
    assert "](" not in escaped.replace("\\]\\(", "")
