"""Property-based tests: for any input, the parser and the anchoring either succeed or raise
the project's own AnnotationError - never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.anchor import anchor_article, find_all, normalize
from annotator.errors import AnnotationError
from annotator.load import load_file
from annotator.model import Annotation, AnnotationFile, Article, ArticleMeta
from annotator.note import render_note
from annotator.text import invisible, is_invisible

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = [
    "paragraph",
    "quote",
    "relation",
    "sources",
    "title",
    "url",
    "outlet",
    "date",
    "excerpt",
    "verified",
    "note",
    "claim",
    "sorce",
    "- title",
    "  - url",
]
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["supports", "2024-01-01", "false", "https://x.org/a", "[", "{", "'", '"', ":", "- a", "null", "2999-12-31"]
    ),
)
LINE = st.one_of(
    st.just("---"),
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(FIELDS), VALUES),
    st.builds(lambda k, v: f"  {k}: {v}", st.sampled_from(FIELDS), VALUES),
    st.text(max_size=40),
)
DOCUMENTS = st.lists(LINE, max_size=25).map("\n".join)


def parse_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.md"
        path.write_bytes(data)
        try:
            return load_file(path)
        except AnnotationError as error:
            assert error.problems and all(p.line >= 1 and p.column >= 1 for p in error.problems)
            return error


@SETTINGS
@given(DOCUMENTS)
def test_parser_never_crashes_on_structured_text(text):
    result = parse_bytes(text.encode("utf-8"))
    assert isinstance(result, AnnotationFile | AnnotationError)


@SETTINGS
@given(st.binary(max_size=400))
def test_parser_never_crashes_on_bytes(data):
    assert isinstance(parse_bytes(data), AnnotationFile | AnnotationError)


@SETTINGS
@given(st.text(max_size=200))
def test_normalize_maps_every_character_back(text):
    folded, origin = normalize(text)
    assert len(folded) == len(origin)
    assert origin == sorted(origin) and all(0 <= i < len(text) for i in origin)


def _article(paragraphs):
    return Article(
        path=Path("a.md"), meta=ArticleMeta("A", "a"), paragraphs=tuple(paragraphs), body_markdown="", key=""
    )


def _annotation(quote):
    return Annotation(
        path=Path("a.md"), line=5, id="a-note", quote=quote, relation="opinion", note="n", rendered=render_note("n")
    )


@SETTINGS
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=4), st.text(max_size=30), st.data())
def test_anchoring_succeeds_or_raises_annotation_error(paragraphs, quote, data):
    article = _article(paragraphs)
    opening = data.draw(st.sampled_from(paragraphs))[:20]
    annotation = _annotation(quote)
    try:
        notes = anchor_article(article, [AnnotationFile(Path("a.md"), opening, 2, (annotation,))])
    except AnnotationError as error:
        assert error.problems
        return
    (note,) = notes
    span = article.paragraphs[note.paragraph - 1][note.start : note.end]
    assert normalize(span)[0] == normalize(quote)[0]


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=5, max_size=120), st.data())
def test_a_span_copied_from_the_paragraph_anchors_to_itself(paragraph, data):
    start = data.draw(st.integers(0, len(paragraph) - 1))
    end = data.draw(st.integers(start + 1, len(paragraph)))
    quote = paragraph[start:end]
    folded_quote, folded_paragraph = normalize(quote)[0], normalize(paragraph)[0]
    if not folded_quote or len(find_all(folded_paragraph, folded_quote)) != 1:
        return  # ambiguous (overlapping matches count) or blank spans are covered by the test above
    annotation = _annotation(quote)
    (note,) = anchor_article(_article([paragraph]), [AnnotationFile(Path("a.md"), paragraph[:3], 2, (annotation,))])
    assert normalize(paragraph[note.start : note.end])[0] == folded_quote


# ---- A green validate means the build finishes, and publishes nothing executable --------------

PAYLOADS = (Path(__file__).parent / "xss" / "payloads.txt").read_text().splitlines()
FREE_TEXT = st.one_of(
    st.sampled_from(["A plain note.", "<redacted>", "**bold** and [a link](https://example.org/x)", "&amp; &#60;"]),
    st.sampled_from(PAYLOADS[:20]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40),
)
QUOTES = st.sampled_from(["eighteen months", "the port authority said", "not in the text", "2 May 2023", "x"])
RELATIONS = st.sampled_from(["supports", "qualifies", "opinion", "unsourced", "contradicts", "sure"])
URLS = st.sampled_from(
    ["https://example.org/a", "https://example.org/a'b", "javascript:alert(1)", "https://nowhere.test/"]
)


@st.composite
def annotation_files(draw) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        relation = draw(RELATIONS)
        lines = [f"id: note-{len(blocks)}", f"quote: {json.dumps(draw(QUOTES))}", f"relation: {relation}"]
        if draw(st.booleans()):
            lines.append(f"claim: {json.dumps(draw(FREE_TEXT)[:100], ensure_ascii=False)}")
        if relation not in ("unsourced", "opinion") or draw(st.booleans()):
            lines += [
                "sources:",
                f"  - title: {json.dumps(draw(FREE_TEXT), ensure_ascii=False)}",
                f"    outlet: {json.dumps(draw(FREE_TEXT), ensure_ascii=False)}",
                f"    url: {json.dumps(draw(URLS))}",
                f"    excerpt: {json.dumps(draw(FREE_TEXT), ensure_ascii=False)}",
                f"    verified: {draw(st.sampled_from(['2026-01-01', 'false', '2999-01-01']))}",
                f"    relation: {draw(st.sampled_from(['supports', 'context', 'qualifies']))}",
            ]
        blocks.append("---\n" + "\n".join(lines) + "\n---\n" + draw(FREE_TEXT) + "\n")
    return '---\nparagraph: "The harbour reopened"\n---\n\n' + "\n".join(blocks)


# Mostly files validate accepts, carrying hostile text wherever free text may hold it (raw HTML
# is shown as text, so it passes), so that the check of what a green build publishes runs.
SAFE_TEXT = st.one_of(
    st.sampled_from(["A plain note.", "**bold** and [a link](https://example.org/x)", "&amp; &#60;", "`code`"]),
    st.sampled_from([p for p in PAYLOADS if p.startswith("<")]),
    st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs", "Sm", "Sc")), min_size=3, max_size=40).filter(
        lambda t: (
            len(t.strip()) >= 3 and not t.startswith(("-", "!", "[", "`", "*", "#", ">", "|", "%", "@", "&", "?", "{"))
        )
    ),
)
OPENING = "The harbour reopened"
VALID_QUOTES = ["eighteen months", "the port authority said", "2 May 2023", "The harbour reopened"]
BACKING = {"supports": "supports", "qualifies": "qualifies", "contradicts": "contradicts", "opinion": "context"}


@st.composite
def valid_annotation_files(draw) -> str:
    quotes = draw(st.permutations(VALID_QUOTES))[: draw(st.integers(1, 3))]
    blocks = []
    for number, quote in enumerate(quotes):
        relation = draw(st.sampled_from(["supports", "qualifies", "contradicts", "opinion", "unsourced"]))
        lines = [f"id: note-{number}", f"quote: {json.dumps(quote)}", f"relation: {relation}"]
        if draw(st.booleans()):
            lines.append(f"claim: {json.dumps(draw(SAFE_TEXT)[:100], ensure_ascii=False)}")
        if relation != "unsourced":
            lines += [
                "sources:",
                f"  - title: {json.dumps(draw(SAFE_TEXT), ensure_ascii=False)}",
                "    outlet: Example Gazette",
                f"    url: {json.dumps(draw(st.sampled_from(['https://example.org/a', 'https://example.org/a?b=1'])))}",
                f"    excerpt: {json.dumps(draw(SAFE_TEXT), ensure_ascii=False)}",
                f"    verified: {draw(st.sampled_from(['2026-01-01', 'false']))}",
                f"    relation: {BACKING[relation]}",
            ]
        blocks.append("---\n" + "\n".join(lines) + "\n---\n" + draw(SAFE_TEXT) + "\n")
    return f'---\nparagraph: "{OPENING}"\n---\n\n' + "\n".join(blocks)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(valid_annotation_files(), valid_annotation_files(), valid_annotation_files(), annotation_files()))
def test_validate_passes_exactly_when_the_build_does(text):
    """About four files in five are valid (the rest anything): validate runs in-process, the build
    as a contributor runs it; a green build's notes must be inert."""
    import contextlib
    import io
    import shutil
    import subprocess
    import sys

    from annotator import cli

    from .conftest import ROOT
    from .test_security import assert_inert

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "s"
        shutil.copytree(ROOT / "tests" / "sample-site", root)
        (root / "annotations" / "harbour-report" / "the-harbour-reopened.md").write_text(text, encoding="utf-8")
        printed = io.StringIO()
        with contextlib.chdir(root), contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            validated = cli.main(["validate"])
        command = [Path(sys.executable).parent / "mkdocs", "build", "--strict", "--quiet"]
        built = subprocess.run(command, cwd=root, capture_output=True, text=True)
        assert "Traceback" not in built.stderr and "internal error" not in printed.getvalue()
        assert (validated == 0) == (built.returncode == 0), printed.getvalue() + built.stderr
        if built.returncode == 0:
            notes = [
                note
                for page in (root / "site").rglob("*.html")
                for note in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select(".sidenote")
            ]
            assert notes, "a green build published no note"
            for note in notes:
                assert_inert(str(note))


@SETTINGS
@given(st.text(), st.sampled_from(["", "\t\r"]))
def test_the_invisible_character_scan_is_the_per_character_rule(text, allow):
    """text.invisible's ASCII shortcut finds exactly what the per-character rule refuses."""
    expected = [(i, c) for i, c in enumerate(text) if is_invisible(c, allow)]
    assert invisible(text, allow) == expected
    ascii_text = "".join(chr(i) for i in range(128)) + text.encode("ascii", "ignore").decode()
    assert invisible(ascii_text, allow) == [(i, c) for i, c in enumerate(ascii_text) if is_invisible(c, allow)]
    assert len(invisible(ascii_text, allow)) >= 33 - len(allow)  # the 33 controls, less those allowed
