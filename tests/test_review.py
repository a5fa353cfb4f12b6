"""`annotator review`: everything a change does that a maintainer must judge, on a scratch git
repository made from the sample site (one test per kind of change)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from annotator.review import COMMENT_LIMIT, MARKER, RECORD_WARNING, md, review, review_both

from .conftest import ROOT

USER = ("-c", "user.name=t", "-c", "user.email=t@example.org")
HARBOUR = Path("annotations") / "harbour-report" / "the-harbour-reopened.md"
FISHING = Path("annotations") / "harbour-report" / "fishing-boats-returned.md"
FARES = Path("annotations") / "council-vote" / "fares-will-not-rise.md"
POLICY = Path("annotations") / "reliability.yaml"
RECORD = Path("annotations") / "verification.json"
ARTICLE = Path("docs") / "harbour-report.md"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *USER, *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "sample-site", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    return repo


def edit(repo: Path, path: Path, old: str, new: str) -> None:
    text = (repo / path).read_text()
    assert old in text, old
    (repo / path).write_text(text.replace(old, new, 1))


def commit(repo: Path) -> None:
    """The working tree becomes the base (main)."""
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "new base")


def summary_of(repo: Path, **options) -> str:
    text = review("main", None, Path("docs"), Path("annotations"), repository=repo, **options)
    assert "does not validate" not in text, text
    return text


def note_file(paragraph: str, *blocks: str) -> str:
    return f'---\nparagraph: "{paragraph}"\n---\n' + "".join(f"\n{block}" for block in blocks)


def block(id: str, quote: str, note: str = "An opinion.", relation: str = "opinion", extra: str = "") -> str:
    return f'---\nid: {id}\nquote: "{quote}"\nrelation: {relation}\n{extra}---\n{note}\n'


def change(repo: Path) -> None:
    """A verdict changed (qualifies -> contradicts), a source added, a note removed."""
    text = (repo / HARBOUR).read_text()
    text = text.replace("relation: qualifies\nsources:", "relation: contradicts\nsources:")
    text = text.replace("    relation: qualifies\n---", "    relation: contradicts\n"
                        '  - title: "Port reopens @maintainers <b>late</b>"\n    url: https://example.org/second\n'
                        "    outlet: Example Gazette\n    excerpt: \"It took nineteen months.\"\n"
                        "    verified: 2026-11-01\n    relation: contradicts\n---")  # fmt: skip
    text = text.replace("The gazette counts nineteen months.", "Both gazette reports count nineteen months.")
    (repo / HARBOUR).write_text(text)
    (repo / FISHING).unlink()


def test_review_of_a_working_tree_change(repo):
    change(repo)
    summary = summary_of(repo)
    assert summary.startswith(MARKER)
    assert "### Verdicts changed (1)" in summary and "**qualifies → contradicts**" in summary
    assert "~~The~~ **Both** gazette ~~counts~~ **reports count** nineteen months." in summary
    assert "### Notes removed (1)" in summary and "unsourced" in summary
    assert (
        "source added: Example Gazette (reliable outlet), “Port reopens @\u200bmaintainers \\<b\\>late\\</b\\>”, "
        "contradicts, `https://example.org/second`" in summary
    )
    assert "| harbour-report | 2/2 paragraphs annotated" in summary and "1/2 paragraphs annotated" in summary
    assert "1/2 paragraphs annotated; 1 annotation (1 contradicts)" in summary.replace("\\(", "(").replace("\\)", ")")
    assert "deleted: `annotations/harbour-report/fishing-boats-returned.md`" in summary


def test_review_between_two_commits(repo):
    change(repo)
    git(repo, "commit", "-qam", "head")
    summary = review("main~1", "main", Path("docs"), Path("annotations"), repository=repo)
    assert "**qualifies → contradicts**" in summary and "### Notes removed (1)" in summary


def test_review_says_when_a_side_does_not_validate_and_still_lists_the_files(repo):
    edit(repo, HARBOUR, "relation: qualifies\nsources:", "relation: sure\nsources:")
    (repo / "docs" / "extra.js").write_text("alert(1)\n")
    summary = review("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert "### The working tree does not validate (1 problem)" in summary
    assert "relation is 'sure'" in summary and "`annotations/harbour-report/the-harbour-reopened.md:" in summary
    assert "changed: `annotations/harbour-report/the-harbour-reopened.md`" in summary
    assert "added: `docs/extra.js`" in summary


def test_review_of_no_change(repo):
    assert "No note, verdict or source changed." in summary_of(repo)


@pytest.mark.parametrize(
    "text",
    ["@octocat", "<img src=x onerror=alert(1)>", "a | b", "[x](javascript:y)", "# h", "see https://evil.example"],
)
def test_contributor_text_is_inert_in_markdown(text):
    escaped = md(text)
    assert "@o" not in escaped and "<" not in escaped.replace("\\<", "") and "|" not in escaped.replace("\\|", "")
    assert "](" not in escaped.replace("\\]\\(", "")
    assert "https://" not in escaped  # GitHub would make it a link


# ---- Every field of a note and its sources --------------------------------------------------------


def test_a_changed_claim_is_named(repo):
    edit(repo, FARES, "claim: No fare rise", "claim: Fares are frozen")
    summary = summary_of(repo)
    assert "council-vote note" in summary and "`no-fare-rise`" in summary
    assert "claim: “No fare rise” → “Fares are frozen”" in summary


def test_a_changed_link_target_in_a_note_is_named(repo):
    edit(repo, FARES, "A promise; nothing to check yet.", "A promise; see [the minutes](https://example.org/a).")
    commit(repo)
    edit(repo, FARES, "https://example.org/a", "https://example.org/b")
    summary = summary_of(repo)
    assert "link added: `https://example.org/b`" in summary
    assert "link removed: `https://example.org/a`" in summary
    assert "~~example.org/a).~~" in summary.replace("https://", "") or "example.org/a" in summary


def test_a_changed_source_author_is_named(repo):
    edit(repo, HARBOUR, "    date: 2023-05-02\n", "    date: 2023-05-02\n    author: Ann Smith\n")
    commit(repo)
    edit(repo, HARBOUR, "author: Ann Smith", "author: Bob Jones")
    summary = summary_of(repo)
    assert "source changed (Example Gazette, “Harbour works finished”): author: “Ann Smith” → “Bob Jones”" in summary


def test_an_added_archive_url_is_named(repo):
    edit(repo, HARBOUR, "    date: 2023-05-02\n", "    date: 2023-05-02\n    archive_url: https://example.org/kept\n")
    summary = summary_of(repo)
    assert "No note, verdict or source changed." not in summary
    assert "archive_url added: — → `https://example.org/kept`" in summary


def test_a_source_marked_unverified_is_called_out(repo):
    edit(repo, HARBOUR, "verified: 2026-11-01", "verified: false")
    summary = summary_of(repo)
    assert "### Sources marked unverified (1)" in summary
    assert "verified: 2026-11-01 → **false (unverified)**" in summary


# ---- The policy and the verification record -------------------------------------------------------

PARTISAN = "  - name: Party Paper\n    domains: [partypaper.com]\n    class: partisan\n    reason: Campaigns.\n"


def cite(repo: Path, outlet: str, url: str) -> None:
    """A source from outlet (for context) in the opinion note on fares: a policy entry must be cited."""
    edit(repo, FARES, "relation: opinion\n", "relation: opinion\nsources:\n"
         f'  - title: "Fares"\n    url: {url}\n    outlet: {outlet}\n    excerpt: "Fares stay."\n'
         "    verified: 2026-11-01\n    relation: context\n")  # fmt: skip


def test_a_reclassified_outlet_is_named(repo):
    (repo / POLICY).write_text((repo / POLICY).read_text() + PARTISAN)
    cite(repo, "Party Paper", "https://partypaper.com/fares")
    commit(repo)
    edit(repo, POLICY, "class: partisan\n    reason: Campaigns.", "class: reliable\n    reason: Campaigns.")
    summary = summary_of(repo)
    assert "### Reliability policy (reliability.yaml) (1)" in summary
    assert "outlet “Party Paper” (cited by 1 source): class **partisan → reliable** — **can now carry" in summary
    assert "No note, verdict or source changed; but: 1 change to the policy." in summary


def test_a_new_primary_outlet_is_named(repo):
    (repo / POLICY).write_text(
        (repo / POLICY).read_text()
        + "  - name: Ministry\n    domains: [ministry.gov.uk, www.transport.gov.uk]\n"
        + "    class: primary\n    reason: Says so.\n"
    )
    cite(repo, "Ministry", "https://www.transport.gov.uk/fares")
    summary = summary_of(repo)
    assert "outlet added: “Ministry”, class **primary** — **can carry a verdict alone**" in summary
    assert "`ministry.gov.uk`, `transport.gov.uk`" in summary and "(cited by 1 source)" in summary
    assert "source added: Ministry (primary source), “Fares”, context, `https://www.transport.gov.uk/fares`" in summary


def test_a_changed_class_definition_is_named(repo):
    edit(repo, POLICY, "An advocacy outlet.\n    decides: false", "An advocacy outlet.\n    decides: true")
    summary = summary_of(repo)
    assert "class `partisan`: decides **False → True**: **can now carry a verdict alone**" in summary


def record(result: str) -> str:
    """A verification record as `annotator verify` writes it, with one check."""
    url, excerpt = "https://example.org/harbour", "Repairs took nineteen months."
    key = f"{url} {hashlib.sha256(excerpt.encode()).hexdigest()[:16]}"
    check = {"url": url, "excerpt": excerpt, "result": result, "checked_on": "2026-11-02", "status": 200}
    return json.dumps({"about": "Written by `annotator verify`.", "checks": {key: check}}, indent=1)


def test_a_forged_verification_record_is_flagged(repo):
    (repo / RECORD).write_text(record("changed"))
    commit(repo)
    (repo / RECORD).write_text(record("found"))
    summary = review("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert "**Warning: annotations/verification.json changed.**" in summary and RECORD_WARNING in summary
    assert "Entries added: 0, changed: 1, removed: 0; results changed: 1." in summary
    assert "`https://example.org/harbour`: result **changed → found**" in summary
    assert summary.index("Warning: annotations/verification.json") < summary.index("### Files")


def test_a_new_verification_record_is_flagged(repo):
    (repo / RECORD).write_text("not json")
    summary = review("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert RECORD_WARNING in summary and "not what `annotator verify` writes" in summary


# ---- Notes: identity, order, moves, merges ---------------------------------------------------------


def test_two_new_notes_with_one_quote_in_two_paragraphs_are_both_listed(repo):
    edit(repo, ARTICLE, "resumed in June.\n", "resumed in June.\n\nThe quay is new. Said the mayor.\n\n"
         "The road is new. Said the mayor.\n")  # fmt: skip
    folder = repo / "annotations" / "harbour-report"
    (folder / "quay.md").write_text(note_file("The quay is new.", block("mayor-on-quay", "Said the mayor")))
    (folder / "road.md").write_text(note_file("The road is new.", block("mayor-on-road", "Said the mayor")))
    summary = summary_of(repo)
    assert "### Notes added (2)" in summary
    assert "`mayor-on-quay` at ¶3" in summary and "`mayor-on-road` at ¶4" in summary


def test_notes_are_listed_in_number_order(repo):
    edit(repo, HARBOUR, "The gazette counts nineteen months.\n", "The gazette counts nineteen months.\n\n"
         + block("zz-port-authority", "the port authority said"))  # fmt: skip
    found = "No report of the ferry timetable was found.\n"
    edit(repo, FISHING, found, found + "\n" + block("aa-boats-returned", "Fishing boats returned"))
    summary = summary_of(repo)
    assert "### Notes added (2)" in summary
    assert summary.index("`zz-port-authority`") < summary.index("`aa-boats-returned`")
    assert (
        "harbour-report note 2 `zz-port-authority`" in summary
        and "harbour-report note 3 `aa-boats-returned`" in summary
    )


def move_the_ferry_sentence(repo: Path) -> str:
    """The ferry sentence (and its note) moves from paragraph 2 to paragraph 1."""
    sentence = " Ferry services – suspended since 2021 – resumed in June."
    edit(repo, ARTICLE, sentence, "")
    edit(repo, ARTICLE, "the port authority said.", "the port authority said." + sentence)
    ferry = (repo / FISHING).read_text().split("---\n", 3)[3]
    (repo / FISHING).unlink()
    (repo / HARBOUR).write_text((repo / HARBOUR).read_text() + "\n---\n" + ferry)
    return ferry


def test_a_note_in_another_paragraph_is_shown_as_moved(repo):
    move_the_ferry_sentence(repo)
    summary = summary_of(repo)
    assert "Notes removed" not in summary and "Notes added" not in summary
    assert "`ferry-services-suspended-since-2021`" in summary
    assert "moved: ¶2 (“Fishing boats returned the same week.…”) → ¶1 (“The harbour reopened on 2 May…”)" in summary
    assert "¶2: … boats returned the same week. ~~Ferry services – suspended since 2021 – resumed in June.~~" in summary


def test_a_note_merged_into_another_through_replaces(repo):
    (repo / FISHING).unlink()
    edit(
        repo,
        HARBOUR,
        "relation: qualifies\nsources:",
        "relation: qualifies\nreplaces: [ferry-services-suspended-since-2021]\nsources:",
    )
    summary = summary_of(repo)
    assert "Notes removed" not in summary
    assert "### Notes merged or renamed (1)" in summary
    assert (
        "harbour-report note 2 `ferry-services-suspended-since-2021` (“Ferry services - suspended since 2021 - "
        "resumed in June”) **merged into** note 1 `after-eighteen-months-repairs`" in summary
    )


def test_a_renamed_note_is_shown_as_renamed(repo):
    edit(
        repo,
        FISHING,
        "id: ferry-services-suspended-since-2021",
        "id: ferries-resumed\nreplaces: [ferry-services-suspended-since-2021]",
    )
    summary = summary_of(repo)
    assert "Notes removed" not in summary and "Notes added" not in summary
    assert "**renamed to** note 2 `ferries-resumed`" in summary
    assert "id: `ferry-services-suspended-since-2021` → `ferries-resumed`" in summary


# ---- Articles, text, other files ------------------------------------------------------------------


def test_a_new_article_is_named(repo):
    (repo / "docs" / "new-story.md").write_text(
        '---\ntitle: "A new story"\nannotations: new-story\n---\n\nSomething happened on Monday.\n'
    )
    summary = summary_of(repo)
    assert "### Articles added (1)" in summary and "`new-story`: “A new story”, 1 paragraph" in summary


def test_a_removed_article_is_named_with_its_notes(repo):
    (repo / "docs" / "council-vote.md").unlink()
    shutil.rmtree(repo / "annotations" / "council-vote")
    summary = summary_of(repo)
    assert "### Articles removed (1)" in summary and "`council-vote`: “The council vote, and what" in summary
    assert "### Notes removed (4)" in summary


def test_article_text_changes_are_a_word_diff(repo):
    edit(repo, ARTICLE, "the port authority said.", "the port authority claimed.")
    edit(repo, ARTICLE, 'subtitle: "A test article', 'subtitle: "A changed article')
    summary = summary_of(repo)
    assert "### Article text changed (2)" in summary
    assert "harbour-report ¶1: … of repairs, the port authority ~~said.~~ **claimed.**" in summary
    assert "front matter subtitle: “A test article" in summary and "→ “A changed article" in summary


def test_other_changed_files_are_listed(repo):
    edit(repo, Path("docs") / "index.md", "\n", "\n<script>alert(1)</script>\n")
    summary = summary_of(repo)
    assert "### Files under docs/ and annotations/ not described above (1)" in summary
    assert "changed: `docs/index.md`" in summary


# ---- The size limit and the workflow ---------------------------------------------------------------


def test_hundreds_of_added_notes_stay_under_the_limit_and_say_what_was_cut(repo):
    paragraphs = [" ".join(f"w{p}x{i}y" for i in range(60)) + "." for p in range(8)]
    (repo / "docs" / "big.md").write_text(
        '---\ntitle: "Big"\nannotations: big\n---\n\n' + "\n\n".join(paragraphs) + "\n"
    )
    folder = repo / "annotations" / "big"
    folder.mkdir()
    for p, text in enumerate(paragraphs):
        blocks = [block(f"note-{p}-{i}", f"w{p}x{i}y", "A long opinion about this word. " * 4) for i in range(60)]
        (folder / f"p{p}.md").write_text(note_file(" ".join(text.split()[:3]), *blocks))
    result = review_both("main", None, Path("docs"), Path("annotations"), repository=repo)
    assert len(result.comment) < COMMENT_LIMIT and "does not validate" not in result.comment
    assert "**This report is shortened**" in result.comment
    assert "of 480 in “Notes added”" in result.comment and "more not shown here" in result.comment
    assert "### Coverage" in result.comment and "### Articles added (1)" in result.comment
    assert "`note-7-59`" in result.full and "shortened" not in result.full


def test_the_workflow_finds_its_comment_by_marker_and_by_author():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pr.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    script = next(s["with"]["script"] for s in steps if "github-script" in s.get("uses", ""))
    assert MARKER in script and "c.user.login === 'github-actions[bot]'" in script and "c.user.type === 'Bot'" in script
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "--output-full" in runs and "GITHUB_STEP_SUMMARY" in runs
    uploads = [s for s in steps if "upload-artifact" in s.get("uses", "")]
    assert any("review" in str(s["with"]["path"]) for s in uploads)
