"""Nothing harmful through: untrusted annotation text never becomes executable markup."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from annotator.model import Source
from annotator.sidenote import NOTE_TAGS, render_source, sanitize_note

from .conftest import ROOT, build_site

PAYLOADS = [line for line in (Path(__file__).parent / "xss" / "payloads.txt").read_text().splitlines() if line]
SAFE_SCHEMES = {"http", "https", ""}


def assert_inert(fragment: str, allowed_tags: set[str]) -> None:
    """No disallowed element, no event handler or style attribute, no non-http(s) link."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in allowed_tags, tag
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on") and name.lower() != "style", tag
            if name in ("href", "src", "action", "xlink:href", "formaction"):
                scheme = urlparse(html.unescape(str(value)).strip().lower()).scheme
                assert scheme in SAFE_SCHEMES, tag
    values = " ".join(str(v) for tag in soup.find_all(True) for v in tag.attrs.values())
    assert not re.search(r"(?i)(java|vb)script:", html.unescape(values))  # text mentioning it is inert


@pytest.mark.parametrize("payload", PAYLOADS)
def test_note_markdown_is_sanitized(payload):
    assert_inert(sanitize_note(f"Before. {payload} After."), NOTE_TAGS | {"span"})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_source_fields_are_escaped(payload):
    source = Source(
        title=payload,
        url="https://example.org/a",
        outlet=payload,
        excerpt=payload,
        relation="supports",
        verified_on="2026-01-01",
        author=payload,
    )
    rendered = render_source(source)
    assert_inert(rendered, {"span", "a", "q"})
    assert payload in BeautifulSoup(rendered, "html.parser").get_text()  # shown as text, not dropped


def test_links_in_notes_open_safely():
    rendered = sanitize_note("[a report](https://example.org/x)")
    link = BeautifulSoup(rendered, "html.parser").a
    assert link["href"] == "https://example.org/x" and link["rel"] == ["noopener", "noreferrer"]


def test_built_site_with_xss_corpus_has_no_executable_markup(tmp_path):
    """Every payload as a note in a real build: the site's scripts are only our own files."""
    source = tmp_path / "sample-site"
    shutil.copytree(ROOT / "tests" / "sample-site", source)
    shutil.copytree(ROOT / "scripts", source / "scripts")
    blocks = "".join(
        f'---\nquote: "{word}"\nrelation: opinion\n---\nNote {i}: {payload}\n\n'
        for i, (word, payload) in enumerate(
            zip(["Fishing boats", "returned the same week"], PAYLOADS[:2], strict=False)
        )
    )
    notes = "".join(f"- {p}\n" for p in PAYLOADS)
    target = source / "annotations" / "harbour-report" / "fishing-boats-returned.md"
    target.write_text(
        '---\nparagraph: "Fishing boats returned"\n---\n\n'
        + blocks
        + '---\nquote: "resumed in June"\nrelation: opinion\n---\n'
        + notes,
        encoding="utf-8",
    )
    site = build_site(source / "mkdocs.yml", source / "site")
    for path in site.rglob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for script in page.find_all("script"):
            src, kind = script.get("src"), script.get("type", "")
            assert (src and not urlparse(src).scheme and not script.string) or kind.startswith("application/"), script
        assert page.find("meta", attrs={"http-equiv": "Content-Security-Policy"}), path
        content = page.select_one(".annotated-article")
        if content is not None:
            assert len(content.select(".sidenote")) == 4
            for note in content.select(".sidenote"):
                assert_inert(str(note), NOTE_TAGS | {"span", "a", "q", "label"})
