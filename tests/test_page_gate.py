"""The pull-request gate for pages: article pages and every other page under docs/ are contributor
input. Each class of payload a page can carry is refused by `validate` with its path and line,
stops the MkDocs build the same way, and, where it is converted anyway (a preview, the one-file
edition), ends up as inert text."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import markdown
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from annotator.htmlscan import BuiltPage
from annotator.safepage import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, SafePage

from .conftest import ROOT

# One line of an article body per class of payload (the examples and their relatives).
BODY_PAYLOADS = {
    "script element": '<script src="evil.js"></script>',
    "meta refresh": '<meta http-equiv="refresh" content="5;url=https://example.com/">',
    "covering div": '<div style="position:fixed;inset:0;background:#fff">covered</div>',
    "off-site form": '<form action="https://example.com/"><input name="q"><button>Go</button></form>',
    "comment differential": "<!--><style>body{display:none}</style><script>alert(1)</script>-->",
    "attr_list heading": '## Heading { style="color:red" onclick="alert(1)" data-annotator-section="claims" }',
    "section marker as text": 'A paragraph reading data-annotator-section="claims" and class="annotator-errors".',
    "javascript link": "[click](javascript:alert(1))",
    "protocol-relative link": "[click](//example.com/x)",
    "annotator link": "[click](annotator:site/../../etc/passwd)",
    "remote image": "![pixel](https://example.com/track.png)",
    "data image": "![pixel](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "inline svg": '<svg onload="alert(1)"><circle r="5"/></svg>',
    "iframe": '<iframe src="https://example.com/"></iframe>',
    "base element": '<base href="https://example.com/">',
    "fenced code attributes": '```{ .py onclick="alert(1)" }\ncode\n```',
}
# Refused by validate on a site configured as this one is (attr_list off: its braces are text).
REFUSED_IN_VALIDATE = set(BODY_PAYLOADS) - {"section marker as text", "fenced code attributes", "attr_list heading"}


def convert(body: str, *extensions) -> tuple[str, list]:
    safe = SafePage()
    md = markdown.Markdown(extensions=["toc", "tables", "fenced_code", *extensions, safe])
    return md.convert(body), safe.findings


@pytest.mark.parametrize("name", sorted(BODY_PAYLOADS))
def test_a_page_payload_is_only_ever_text(name):
    html, findings = convert("Before.\n\n" + BODY_PAYLOADS[name] + "\n\nAfter.\n", "attr_list")
    body = HTMLParser(f"<body>{html}</body>").body  # read as a browser reads it (HTML5, lexbor)
    for element in body.css("body *"):  # every element inside the body
        assert element.tag in ALLOWED_TAGS | {"span", "div"}, (name, element.tag)
        for attribute, value in element.attributes.items():
            value = value or ""
            allowed = ALLOWED_ATTRIBUTES.get(element.tag, set()) | (
                {"class"} if element.tag in ("code", "pre") else set()
            )
            assert attribute in allowed or attribute == "id", (name, element.tag, attribute)
            if attribute in ("href", "src"):
                assert not str(value).startswith(("javascript:", "data:", "annotator:", "//")), (name, value)
                if attribute == "src":
                    assert "://" not in value
    if name in REFUSED_IN_VALIDATE:
        assert findings, f"{name}: nothing reported"


def test_entities_become_characters_and_no_placeholder_can_be_quoted():
    html, findings = convert("Tom &amp; Jerry &mdash; fine.")
    assert "Tom &amp; Jerry — fine." in html and not findings
    from annotator.article import block_texts

    texts = block_texts("Tom &amp; Jerry.\n\n```\ncode\n```\n")
    assert texts[0] == "Tom & Jerry." and all("wzxhzdk" not in t for t in texts)


def test_the_html5_parser_sees_what_the_browser_sees():
    """Python's HTMLParser read `<!-->` as the start of a comment hiding the style and script;
    browsers, and the parser postbuild uses, see an empty comment and live code."""
    page = BuiltPage("<!doctype html><html><head><meta charset=utf-8></head><body><!--><style>b{}</style>"
                     "<script>alert(1)</script>--><p>data-annotator-section=\"claims\"</p></body></html>")  # fmt: skip
    assert {(i.tag, i.code) for i in page.inline()} == {("style", "b{}"), ("script", "alert(1)")}
    assert page.markers == set()  # text that reads like a marker is text


@pytest.fixture
def sample(tmp_path) -> Path:
    root = tmp_path / "s"
    shutil.copytree(ROOT / "tests" / "sample-site", root)
    (root / "CONTRIBUTING.md").write_text("# How to contribute\n\nBy pull request.\n")
    return root


def _validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [Path(sys.executable).parent / "annotator", "validate"], cwd=root, capture_output=True, text=True
    )


def _build(root: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1"})


def _append(page: Path, text: str) -> int:
    """Append a paragraph to a page; returns its line number."""
    body = page.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    page.write_text(body + text + "\n", encoding="utf-8")
    return body.count("\n") + 1


@pytest.mark.parametrize("name", sorted(REFUSED_IN_VALIDATE))
def test_validate_names_the_line_and_the_build_stops_too(sample, name):
    page = sample / "docs" / "harbour-report.md"
    line = _append(page, BODY_PAYLOADS[name])
    validated = _validate(sample)
    assert validated.returncode == 1, validated.stdout
    assert f"docs/harbour-report.md:{line}:" in validated.stdout, validated.stdout
    built = _build(sample)
    assert built.returncode != 0 and "Traceback" not in built.stderr
    assert not (sample / "site" / "harbour-report.html").exists()


def test_attributes_are_refused_even_where_a_site_turns_attr_list_on(sample):
    config = sample / "mkdocs.yml"
    config.write_text(config.read_text() + "  - attr_list\n")
    line = _append(sample / "docs" / "harbour-report.md", BODY_PAYLOADS["attr_list heading"])
    line2 = _append(sample / "docs" / "harbour-report.md", BODY_PAYLOADS["fenced code attributes"])
    result = _validate(sample)
    assert f"docs/harbour-report.md:{line}:" in result.stdout and "onclick" in result.stdout
    assert f"docs/harbour-report.md:{line2 + 1}:" in result.stdout and "code block" in result.stdout  # its first line


def test_any_page_counts_not_only_articles(sample):
    index = sample / "docs" / "index.md"
    line = _append(index, '<meta http-equiv="refresh" content="0;url=https://example.com/">')
    assert f"docs/index.md:{line}:" in _validate(sample).stdout


def test_front_matter_of_any_page_is_checked(sample):
    page = sample / "docs" / "claims.md"
    text = page.read_text(encoding="utf-8")
    hostile = "description: '\"><meta http-equiv=refresh content=0><script src=evil.js>'\n"
    page.write_text(
        text.replace("---\n", "---\n" + hostile, 1) if text.startswith("---") else f"---\n{hostile}---\n{text}"
    )
    result = _validate(sample)
    assert result.returncode == 1 and "docs/claims.md:" in result.stdout and "description" in result.stdout


def test_scripts_and_pages_cannot_be_published_beside_the_pages(sample):
    (sample / "docs" / "evil.js").write_text("alert(1)")
    (sample / "docs" / "evil.html").write_text("<script>alert(1)</script>")
    result = _validate(sample)
    assert "docs/evil.js:1:1:" in result.stdout and "docs/evil.html:1:1:" in result.stdout


def test_snippets_read_nothing_outside_the_files_named(sample):
    (sample / ".git").mkdir()
    (sample / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    config = sample / "mkdocs.yml"
    config.write_text(
        config.read_text() + "  - pymdownx.snippets:\n      base_path: [CONTRIBUTING.md]\n      check_paths: true\n"
    )
    page = sample / "docs" / "harbour-report.md"
    _append(page, '    --8<-- ".git/config"')  # in an indented code block
    _append(page, '--8<-- ".git/config"')
    result = _validate(sample)
    assert result.returncode == 1 and "docs/harbour-report.md:" in result.stdout, result.stdout
    assert _build(sample).returncode != 0
    assert not any("c2VjcmV0" in p.read_text(errors="replace") for p in (sample / "site").rglob("*") if p.is_file())
    config.write_text(config.read_text().replace("base_path: [CONTRIBUTING.md]", "base_path: [.]"))
    assert "may read the whole repository" in _validate(sample).stdout


def test_a_quote_cannot_anchor_on_an_internal_placeholder(sample):
    page = sample / "docs" / "harbour-report.md"
    _append(page, "Tom &amp; Jerry wrote this.")
    note = sample / "annotations" / "harbour-report" / "tom-jerry-wrote-this.md"
    block = 'id: placeholder\nquote: "wzxhzdk:0"\nrelation: opinion\n'
    note.write_text(f'---\nparagraph: "Tom & Jerry wrote"\n---\n\n---\n{block}---\nA note.\n')
    result = _validate(sample)
    assert result.returncode == 1 and "quote 'wzxhzdk:0' is not in paragraph 3" in result.stdout, result.stdout
    note.write_text(note.read_text().replace("wzxhzdk:0", "Tom & Jerry"))
    assert _validate(sample).returncode == 0  # the entity is the character it names


def test_an_unfound_quote_in_a_huge_paragraph_is_reported_quickly(sample):
    page = sample / "docs" / "harbour-report.md"
    words = " ".join(f"word{i % 997}" for i in range(20_000))
    page.write_text(page.read_text().replace("The harbour reopened", "The harbour reopened " + words, 1))
    note = sample / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    note.write_text(note.read_text().replace('quote: "', 'quote: "nowhere in the text ', 1))
    started = time.perf_counter()
    result = _validate(sample)
    elapsed = time.perf_counter() - started
    print(f"\nvalidate, an unfound quote against a 20,000-word paragraph: {elapsed:.2f} s")
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.browser
def test_a_hostile_article_body_is_inert_in_the_one_file_edition(sample, browser, tmp_path):
    """Every payload class at once in an article body, converted anyway (the one-file edition is
    written from the article's source): in Chromium nothing runs, navigates, submits or covers."""
    page_file = sample / "docs" / "harbour-report.md"
    for payload in BODY_PAYLOADS.values():
        _append(page_file, payload)
    output = tmp_path / "edition.html"
    command = [Path(sys.executable).parent / "annotator", "standalone", "harbour-report", str(output)]
    subprocess.run(command, cwd=sample, check=True, capture_output=True)
    context = browser.new_context(java_script_enabled=True)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(output.as_uri())
    page.wait_for_timeout(300)
    live_markup = 'body script, body style, form, iframe, svg, base, meta[http-equiv="refresh" i], [onclick], [style]'
    live = page.evaluate("(selector) => document.querySelectorAll(selector).length", live_markup)
    assert live == 0 and not dialogs and page.url == output.as_uri()
    assert [r for r in requests if not r.startswith("file:")] == []
    assert "covered" in page.inner_text("body") and page.is_visible("main")  # shown as text, page not blanked
    context.close()
