"""Fixture pairs: tests/fixtures/<behaviour>/ holds article.md and annotations/, plus either
expected.html (the annotated article body) or expected-errors.txt (the exact messages).

Set UPDATE_FIXTURES=1 to write missing expected files after a deliberate change; review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.anchor import anchor_article
from annotator.article import read_article
from annotator.errors import AnnotationError, ProblemCollector
from annotator.load import load_folder
from annotator.reliability import apply_policy, load_policy
from annotator.render import render_article

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def run_case(folder: Path) -> tuple[str, str]:
    """('html', body) or ('errors', messages) for one fixture folder, with paths relative to it."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        article = read_article(Path("article.md"))
        problems = ProblemCollector()
        files = load_folder(Path("annotations"), problems)
        if Path("reliability.yaml").exists():  # a fixture with a policy: its rules and classes apply
            files = apply_policy(load_policy(Path("reliability.yaml")), files, problems)
        problems.raise_if_any()
        notes = anchor_article(article, files)
        return "html", render_article(article, notes).rstrip("\n") + "\n"
    except AnnotationError as error:
        return "errors", str(error) + "\n"
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("name", CASES)
def test_fixture(name):
    folder = FIXTURES / name
    kind, output = run_case(folder)
    expected = folder / ("expected.html" if kind == "html" else "expected-errors.txt")
    if os.environ.get("UPDATE_FIXTURES") and not expected.exists():
        expected.write_text(output, encoding="utf-8")
    assert name.startswith("error-") == (kind == "errors"), f"{name} produced {kind}:\n{output}"
    assert expected.exists(), f"missing {expected}: run with UPDATE_FIXTURES=1 and review it"
    assert output == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [n for n in CASES if (FIXTURES / n / "expected.html").exists()])
def test_rendered_html_nests_validly(name):
    """Controls and notes sit directly in their block, never inside a link or emphasis; no label
    or control is inside a link, and labels never nest (HTML's interactive-content rules)."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup((FIXTURES / name / "expected.html").read_text(encoding="utf-8"), "html.parser")
    for control in page.select(".sn-toggle, .sn-num, .sidenote"):
        assert control.parent.name in ("p", "li"), (name, control.parent.name)
    for link in page.select("a"):
        assert not link.select("a, label, input"), (name, link)
    for label in page.select("label"):
        assert not label.select("label, input, a"), (name, label)
