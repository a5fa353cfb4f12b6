"""Nothing harmful through: every contributor field, with every payload class, is inert in every
place it reaches (or refused with a clear message), and every hostile input ends in seconds.

Channels checked: article HTML (marks, sidenotes, header), Claims, Sources and home pages, the
one-file edition, the search index (as the theme renders it), <head> meta, JSON-LD, the data
files, ids and attributes, file paths, and `validate --github` output. The browser side of the
same hostile site is in test_browser_security.py.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from annotator import cli
from annotator.errors import AnnotationError, Problem
from annotator.model import Source
from annotator.note import NOTE_TAGS, NoteError, render_note
from annotator.sidenote import element, source_element

from .conftest import ROOT
from .hostile import CLASSES, CLASSIC, PAYLOADS, _yaml_string, accepted

SAFE_SCHEMES = {"http", "https", ""}
SAFE_ATTRIBUTE_SCHEMES = {"http", "https", "", "data"}  # data: only in the theme's own images


def assert_inert(fragment: str, allowed_tags: set[str] | None = None) -> None:
    """No disallowed element, no event handler or style attribute, no non-http(s) link."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        assert allowed_tags is None or tag.name in allowed_tags, tag
        assert tag.name not in ("script", "style", "iframe", "object", "embed", "base", "form"), tag
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on") and name.lower() != "style", tag
            if name in ("href", "src", "action", "xlink:href", "formaction"):
                scheme = urlparse(html.unescape(str(value)).strip().lower()).scheme
                assert scheme in SAFE_SCHEMES, tag


# ---- Units: the note sanitizer and the source element ---------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_note_is_inert_or_refused(payload):
    try:
        rendered = render_note(f"Before. {payload} After.")
    except NoteError as error:
        assert error.message and error.hint  # refused, with words for the contributor
        return
    assert_inert(rendered.html, NOTE_TAGS | {"span"})
    assert "Before." in rendered.text and "After." in rendered.text


@pytest.mark.parametrize("text", ["<redacted>", "<Telegram post>", "a < b > c", "<3", "x <- y"])
def test_angle_brackets_in_a_note_are_shown_not_lost(text):
    assert text in render_note(f"The {text} here.").text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_source_fields_are_text(payload):
    source = Source(
        title=payload, url="https://example.org/a", outlet=payload, excerpt=payload, relation="supports",
        verified_on="2026-01-01", author=payload,
    )  # fmt: skip
    from markdown.serializers import to_html_string

    rendered = to_html_string(element("div", None, None, source_element(source)))
    assert_inert(rendered, {"div", "span", "a", "q"})
    assert payload in BeautifulSoup(rendered, "html.parser").get_text()  # shown as text, not dropped


def test_github_output_cannot_inject_workflow_commands():
    problem = Problem("annotations/a\n::warning file=x::spoof,b.md", 3, 1, "bad\n::error::injected", "fix%0A")
    line = problem.github()
    assert "\n" not in line and "\r" not in line  # a workflow command only starts a line
    properties = line.split("::")[1]
    assert properties.count(",") == 2 and properties.endswith(",line=3,col=1")
    assert "file=annotations/a%0A%3A%3Awarning file=x%3A%3Aspoof%2Cb.md," in line
    assert line.endswith("::bad%0A::error::injected; fix%250A")
    assert "\n" not in str(problem) and "\\n" in str(problem)


# ---- A hostile site: every accepted field carries every payload ----------------------------------


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def hostile_site(request, hostile_sites) -> Path:
    """The hostile site built by each generator (once per session, shared with the other module)."""
    return hostile_sites(request.param)


EXECUTABLE_TYPES = {"", "text/javascript", "module", "application/javascript"}


def test_no_executable_markup_in_any_page(hostile_site):
    for path in hostile_site.rglob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for script in page.find_all("script"):
            src, kind = script.get("src"), (script.get("type") or "").lower()
            if kind not in EXECUTABLE_TYPES:
                json.loads(script.string or "null")  # data blocks parse: nothing swallowed them
                continue
            assert src or "alert" not in (script.string or ""), (path, script)
        for tag in page.find_all(True):
            for name, value in tag.attrs.items():
                assert not name.lower().startswith("on"), (path, tag)
                if name in ("href", "src", "action", "formaction", "xlink:href"):
                    scheme = urlparse(html.unescape(str(value)).strip().lower()).scheme
                    assert scheme in SAFE_ATTRIBUTE_SCHEMES, (path, tag)
        for style in page.find_all("style"):
            code = style.get_text().replace(" ", "")
            assert "body{display:none}" not in code and "*{visibility:hidden}" not in code, (path, style)


def test_every_payload_is_shown_as_text(hostile_site):
    page = BeautifulSoup((hostile_site / "hostile.html").read_text(encoding="utf-8"), "html.parser")
    notes = page.select(".sidenote")
    assert len(notes) == len(accepted(PAYLOADS))
    for note, payload in zip(notes, accepted(PAYLOADS), strict=True):
        assert payload[:120] in note.select_one(".sn-claim").get_text()
        assert payload in note.select_one(".sn-excerpt").get_text()
        assert " ".join(payload.split()) in " ".join(note.select_one(".sn-title").get_text().split())


def test_head_meta_holds_the_front_matter_as_text(hostile_site):
    text = (hostile_site / "hostile.html").read_text(encoding="utf-8")
    head = text[: text.index("</head>")]
    metas = re.findall(r"<meta[^>]*>", head)
    assert "charset" in metas[0] and "Content-Security-Policy" in metas[1]
    page = BeautifulSoup(text, "html.parser")
    assert page.find("meta", attrs={"name": "description"})["content"] == "A description ' onmouseover='alert(1)"
    assert page.title.get_text().startswith("Hostile ' article {{ config }}")


def test_json_ld_and_data_files_parse_and_keep_the_text(hostile_site):
    page = BeautifulSoup((hostile_site / "hostile.html").read_text(encoding="utf-8"), "html.parser")
    (block,) = page.find_all("script", type="application/ld+json")
    raw = block.string
    assert "<" not in raw and ">" not in raw and "&" not in raw  # nothing the HTML tokenizer could act on
    reviews = json.loads(raw)
    assert len(reviews) == len(accepted(PAYLOADS))
    assert any("<!--<script>" in r["reviewBody"] for r in reviews)
    data = json.loads((hostile_site / "data" / "hostile.annotations.jsonld").read_text(encoding="utf-8"))
    assert data["total"] == len(accepted(PAYLOADS))
    assert page.select("footer") or page.select(".md-footer"), "the page after the JSON-LD was not swallowed"


def test_search_results_render_inert(hostile_site):
    path = hostile_site / "search" / "search_index.json"
    index = json.loads((path if path.exists() else hostile_site / "search.json").read_text(encoding="utf-8"))
    entries = index.get("docs") or index.get("items")
    notes = [e for e in entries if "#n-" in e["location"]]
    assert len(notes) == len(accepted(PAYLOADS))
    for entry in entries:
        assert_inert(entry["title"], {"code", "em", "strong"})
        assert_inert(entry["text"])


def test_one_file_edition_is_inert(hostile_site):
    text = (hostile_site / "downloads" / "hostile.html").read_text(encoding="utf-8")
    page = BeautifulSoup(text, "html.parser")
    assert not page.find("script")
    assert len(page.find_all("style")) == 1
    assert_inert(str(page.body))


# ---- Fields that only take a narrow form refuse every payload, with a message --------------------

NARROW = {
    "url": "    url: {v}\n",
    "via": "    via: {v}\n",
    "archive_url": "    archive_url: {v}\n",
    "date": "    date: {v}\n",
    "verified": "    verified: {v}\n",
}


def _sample_with_source_field(tmp_path: Path, field: str, value: str) -> Path:
    import shutil

    root = tmp_path / "s"
    shutil.copytree(ROOT / "tests" / "sample-site", root)
    path = root / "annotations" / "harbour-report" / "the-harbour-reopened.md"
    text = path.read_text(encoding="utf-8")
    line = NARROW[field].format(v=_yaml_string(value))
    text = re.sub(rf"^    {field}: .*\n", "", text, flags=re.M).replace("    excerpt:", line + "    excerpt:", 1)
    path.write_text(text, encoding="utf-8")
    return root


def run_cli(args: list[str], cwd: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("field", list(NARROW))
@pytest.mark.parametrize("payload", [p for ps in CLASSES.values() for p in ps] + CLASSIC[:12])
def test_narrow_fields_refuse_payloads_with_a_message(tmp_path, capsys, monkeypatch, field, payload):
    root = _sample_with_source_field(tmp_path, field, payload)
    code, out, err = run_cli(["validate"], root, capsys, monkeypatch)
    if payload == "https://en.wikipedia.org/wiki/People's_Republic_of_China" and field in ("url", "via", "archive_url"):
        assert code == 1 and "wikipedia.org" in out  # a real address: accepted by the schema, not in the policy
        return
    assert code == 1, out
    assert re.search(rf"the-harbour-reopened\.md:\d+:\d+: .*{field}", out), out
    assert "Traceback" not in out + err


FRONT = ["title", "subtitle", "description", "author", "outlet"]


@pytest.mark.parametrize("key", FRONT)
@pytest.mark.parametrize("payload", ['"><script>alert(1)</script>', "<style>body{display:none}</style>", "a\u202eb"])
def test_article_front_matter_refuses_markup(tmp_path, capsys, monkeypatch, key, payload):
    import shutil

    root = tmp_path / "s"
    shutil.copytree(ROOT / "tests" / "sample-site", root)
    page = root / "docs" / "harbour-report.md"
    page.write_text(
        page.read_text().replace(
            "annotations: harbour-report", f"annotations: harbour-report\n{key}: {_yaml_string(payload)}"
        )
    )
    page.write_text(re.sub(rf"^{key}: .*\n(?=(?s:.*)^{key}: )", "", page.read_text(), count=1, flags=re.M))
    code, out, err = run_cli(["validate"], root, capsys, monkeypatch)
    assert code == 1 and "harbour-report.md:" in out and key in out, out


@pytest.mark.parametrize(
    "slug", ["../../../x", "/etc", 'a"b', "a b", "A-Z", "x/../../y", "con\u202ex", "-x", "a--b", ""]
)
def test_a_slug_is_checked_before_it_reaches_a_path_or_an_id(tmp_path, capsys, monkeypatch, slug):
    import shutil

    root = tmp_path / "s"
    shutil.copytree(ROOT / "tests" / "sample-site", root)
    page = root / "docs" / "harbour-report.md"
    page.write_text(page.read_text().replace("annotations: harbour-report", f"annotations: {_yaml_string(slug)}"))
    code, out, err = run_cli(["validate"], root, capsys, monkeypatch)
    assert code == 1 and "harbour-report.md:" in out and "annotations" in out, out
    assert not (tmp_path / "x").exists()


# ---- Hostile inputs end in seconds, with a message and no traceback -------------------------------

BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
HOSTILE_BLOCKS = {
    "alias bomb": BOMB,
    "nesting 1,000 deep": "quote: " + "[" * 1000 + "]" * 1000,
    "nesting 25,000 deep": "quote: " + "[" * 25000,
    "key yes": "yes: 1\nquote: abc\nrelation: opinion",
    "key 1": "1: x\nquote: abc\nrelation: opinion",
    "key ~": "~: x\nquote: abc\nrelation: opinion",
    "5,000-digit number": "quote: abc\nrelation: opinion\nclaim: " + "9" * 5000,
    "a tag": "quote: !!python/object:os.system abc\nrelation: opinion",
    "a merge key": "<<: {quote: abc}\nrelation: opinion",
}
HOSTILE_NOTES = {
    "30,000 brackets": "[" * 30000,
    "nested links": "[a " * 60 + "](https://example.org)" * 60,
}
TIMINGS: dict[str, float] = {}


def _hostile_file(tmp_path: Path, block: str, note: str = "A note.") -> Path:
    import shutil

    root = tmp_path / "s"
    shutil.copytree(ROOT / "tests" / "sample-site", root)
    path = root / "annotations" / "harbour-report" / "fishing-boats-returned.md"
    path.write_text(f'---\nparagraph: "Fishing boats returned"\n---\n\n---\n{block}\n---\n{note}\n')
    return root


def _timed_validate(root: Path, name: str) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    result = subprocess.run(
        [Path(sys.executable).parent / "annotator", "validate"], cwd=root, capture_output=True, text=True, timeout=60
    )
    TIMINGS[name] = time.perf_counter() - started
    return result


@pytest.mark.parametrize("name", list(HOSTILE_BLOCKS))
def test_hostile_yaml_ends_fast_with_a_message(tmp_path, name):
    result = _timed_validate(_hostile_file(tmp_path, HOSTILE_BLOCKS[name]), name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"fishing-boats-returned\.md:\d+:\d+: .+; .+", result.stdout), result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", list(HOSTILE_NOTES))
def test_costly_markdown_is_refused_fast(tmp_path, name):
    result = _timed_validate(
        _hostile_file(tmp_path, 'id: fishing\nquote: "Fishing boats"\nrelation: opinion', HOSTILE_NOTES[name]), name
    )
    assert result.returncode == 1 and "note" in result.stdout, result.stdout


def test_a_linked_file_is_never_read_or_written_through(tmp_path, capsys, monkeypatch):
    root = _hostile_file(tmp_path, 'id: fishing\nquote: "Fishing boats"\nrelation: opinion')
    outside = tmp_path / "secret.md"
    outside.write_text("x" * 50_000_000)  # a huge file: refusing it must not mean reading it first
    folder = root / "annotations" / "harbour-report"
    (folder / "linked.md").symlink_to(outside)
    started = time.perf_counter()
    code, out, err = run_cli(["validate"], root, capsys, monkeypatch)
    TIMINGS["link to a 50 MB file"] = time.perf_counter() - started
    assert code == 1 and "linked.md:1:1: is a symbolic link" in out
    (folder / "linked.md").unlink()
    (root / "annotations" / "elsewhere").symlink_to(folder)
    code, out, err = run_cli(["validate"], root, capsys, monkeypatch)
    assert code == 1 and "elsewhere:1:1:" in out


def test_a_front_matter_bomb_stops_the_build_before_mkdocs_reads_it(tmp_path):
    import shutil

    root = tmp_path / "s"
    shutil.copytree(ROOT / "tests" / "sample-site", root)
    page = root / "docs" / "harbour-report.md"
    page.write_text(
        page.read_text().replace(
            "annotations: harbour-report", "annotations: harbour-report\n" + BOMB.replace("a: &a", "x0: &a")
        )
    )
    started = time.perf_counter()
    result = subprocess.run(
        [Path(sys.executable).parent / "mkdocs", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    TIMINGS["front matter alias bomb (build)"] = time.perf_counter() - started
    assert result.returncode == 1 and "harbour-report.md:5:5: anchors (&name) are not allowed" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module", autouse=True)
def report_the_slowest_hostile_input(request):
    """Prints how long the slowest hostile input took (a figure, not a test: validate's own limits
    end each one; a run that hung would meet the subprocess's timeout)."""
    yield
    if TIMINGS:
        slowest = max(TIMINGS, key=TIMINGS.get)
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"hostile inputs: {len(TIMINGS)}, slowest {slowest}: {TIMINGS[slowest]:.2f} s")


def test_errors_are_one_type():
    with pytest.raises(AnnotationError):
        from annotator.article import read_article

        read_article(ROOT / "docs" / "index.md")
