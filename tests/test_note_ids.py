"""A note's link lasts: its id (and so its anchors) stays the same when the article around it is
edited: a paragraph inserted at the top, its paragraph split in two (then `annotator reanchor`),
its quote re-worded. Each edit is made to a copy of the sample site, built before and after,
and the built page's note anchors compared."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import build_site

SAMPLE = Path(__file__).parent / "sample-site"
PAGE = "harbour-report.html"
NOTE = "after-eighteen-months-repairs"


def _anchors(site: Path) -> set[str]:
    """The ids of the notes on the built page, each with every anchor a link may target."""
    html = (site / PAGE).read_text(encoding="utf-8")
    ids = re.findall(r'<span [^>]*class="sidenote[^"]*"[^>]* id="n-([a-z0-9-]+)"', html)
    assert ids, "no note on the page: the test would prove nothing"
    for note in ids:  # note, toggle, the claim's anchor
        assert f'id="t-{note}"' in html and f'id="a-{note}"' in html, note
    return set(ids)


def _insert_paragraph_at_top(folder: Path) -> None:
    page = folder / "docs" / "harbour-report.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("---\n\nThe harbour reopened", "---\n\nA new opening paragraph.\n\nThe harbour reopened")
    )


def _split_paragraph(folder: Path) -> None:
    page = folder / "docs" / "harbour-report.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("of repairs, the port authority said.", "of repairs.\n\nSo the port authority said."))


def _reword_quote(folder: Path) -> None:
    path = folder / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    text = path.read_text(encoding="utf-8")
    assert "quote: 'after \"eighteen months\" of repairs'" in text
    path.write_text(
        text.replace("quote: 'after \"eighteen months\" of repairs'", "quote: '\"eighteen months\" of repairs'")
    )


EDITS = {
    "a paragraph inserted at the top": (_insert_paragraph_at_top, False),
    "its paragraph split, then reanchor": (_split_paragraph, True),
    "its quote re-worded": (_reword_quote, False),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_notes_id_and_anchors_survive_an_edit(tmp_path, edit):
    folder = tmp_path / "s"
    shutil.copytree(SAMPLE, folder)
    first = build_site(folder / "mkdocs.yml", tmp_path / "before")
    before = _anchors(first)
    assert NOTE in before
    change, reanchor = EDITS[edit]
    change(folder)
    if reanchor:
        command = [str(Path(sys.executable).parent / "annotator"), "reanchor"]
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    second = build_site(folder / "mkdocs.yml", tmp_path / "after")
    assert (second / PAGE).read_text() != (first / PAGE).read_text(), "the edit changed nothing on the page"
    after = _anchors(second)
    assert after == before, f"{edit}: ids before {sorted(before)}, after {sorted(after)}"
