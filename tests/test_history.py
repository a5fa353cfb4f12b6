"""Each note's history and the corrections page and feed, from a scratch git repository: a copy
of the sample site whose commits change a verdict (with a hostile `reason:`), a claim and a
source, then remove a note; and from a shallow clone of it, which has no history to tell."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from annotator import history
from annotator.pipeline import prepare

from .conftest import ROOT, build_site, copy_site

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert(1)</script> ]]> "quoted" & more'
DAY = 86400
T1 = 1704067200  # 2024-01-01T00:00:00Z
T2, T3, T4, T5 = T1 + 31 * DAY, T1 + 60 * DAY, T1 + 91 * DAY, T1 + 121 * DAY  # Feb 1, Mar 1, Apr 1, May 1
HARBOUR = Path("annotations/harbour-report")
FERRY = HARBOUR / "fishing-boats-returned.md"
REPAIRS = HARBOUR / "the-harbour-reopened.md"


def git(repo: Path, *args: str, when: int | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    if when is not None:
        env.update(GIT_AUTHOR_DATE=f"@{when} +0000", GIT_COMMITTER_DATE=f"@{when} +0000")
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main"]
    result = subprocess.run([*command, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def edit(repo: Path, path: Path, old: str, new: str) -> None:
    text = (repo / path).read_text(encoding="utf-8")
    assert old in text, (path, old)
    (repo / path).write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """The sample site in a git repository of five commits, a month apart."""
    repo = copy_site(ROOT / "tests" / "sample-site", tmp_path_factory.mktemp("history") / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "First edition", when=T1)
    edit(repo, FERRY, "relation: unsourced\n", f"relation: opinion\nreason: {json.dumps(HOSTILE)}\n")
    git(repo, "commit", "-qam", "Ferry note re-judged", when=T2)
    edit(
        repo,
        REPAIRS,
        "relation: qualifies\nsources:",
        "claim: Repairs took eighteen months\nrelation: qualifies\nsources:",
    )
    git(repo, "commit", "-qam", "Claim for the repairs note", when=T3)
    edit(repo, REPAIRS, 'title: "Harbour works finished"', 'title: "Harbour works completed"')
    git(repo, "commit", "-qam", f"Source retitled {HOSTILE}", when=T4)
    git(repo, "rm", "-q", str(FERRY))
    git(repo, "commit", "-qm", "Ferry note removed: the timetable was found", when=T5)
    return repo


def harbour_history(site: Path) -> history.ArticleHistory:
    publication = prepare(site / "docs", site / "annotations")
    return history.article_history(publication.article("harbour-report"), site / "annotations")


def test_history_follows_each_note_through_the_commits(repo):
    found = harbour_history(repo)
    assert found.available
    kinds = [(c.stamp.when, c.note_id, c.kinds) for c in found.corrections]
    assert kinds == [  # newest first
        (T5, "ferry-services-suspended-since-2021", ["removed"]),
        (T4, "after-eighteen-months-repairs", ["sources"]),
        (T3, "after-eighteen-months-repairs", ["claim"]),
        (T2, "ferry-services-suspended-since-2021", ["verdict"]),
    ]
    removed, source, claim, verdict = found.corrections
    assert verdict.changes == (("verdict", "unsourced", "opinion"),)
    assert verdict.reason == HOSTILE and verdict.reason_written  # the note's own reason
    assert claim.reason == "Claim for the repairs note" and not claim.reason_written  # else the commit's subject
    assert claim.changes == (("claim", 'after "eighteen months" of repairs', "Repairs took eighteen months"),)
    assert "title" in source.changes[0][2] and source.reason == f"Source retitled {HOSTILE}"
    assert removed.stamp.date == "2024-05-01" and verdict.stamp.date == "2024-02-01"
    assert len(verdict.stamp.short) == 8 and verdict.stamp.commit.startswith(verdict.stamp.short)
    lineage = found.notes["after-eighteen-months-repairs"]
    assert (lineage.added.when, lineage.changed.when, lineage.verdict.when) == (T1, T4, T1)
    assert set(found.removed()) == {"ferry-services-suspended-since-2021"}


def test_working_tree_changes_are_not_yet_committed(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True, timeout=60)
    edit(clone, REPAIRS, "relation: qualifies\nsources:", "relation: opinion\nsources:")
    found = harbour_history(clone)
    newest = found.corrections[0]
    assert (
        newest.stamp.commit is None
        and newest.kinds == ["verdict"]
        and newest.note_id == "after-eighteen-months-repairs"
    )
    assert found.notes["after-eighteen-months-repairs"].changed.commit is None


def shallow_clone(repo: Path, target: Path) -> Path:
    """A clone with one commit of history, as CI's default checkout makes."""
    command = ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(target)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return target


def test_no_repository_and_shallow_clone_have_no_history(repo, tmp_path):
    plain = copy_site(repo, tmp_path / "plain")  # a tarball: no .git
    assert harbour_history(plain).available is False
    shallow = shallow_clone(repo, tmp_path / "shallow")
    found = harbour_history(shallow)
    assert found.available is False and "shallow" in found.why and not found.corrections


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _built(repo: Path, target: Path, generator: str) -> Path:
    source = target / "src"
    subprocess.run(["git", "clone", "-q", str(repo), str(source)], check=True, capture_output=True, timeout=60)
    return build_site(source / "mkdocs.yml", source / "site", generator=generator)


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_corrections_page_feed_and_data_of_a_built_site(repo, tmp_path, generator):
    site = _built(repo, tmp_path, generator)
    page = site / "corrections-harbour-report.html"
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    entries = soup(page).select(".annotator-corrections li.correction")
    assert [e.select_one("time")["datetime"][:10] for e in entries] == [
        "2024-05-01",
        "2024-04-01",
        "2024-03-01",
        "2024-02-01",
    ]
    removed, source, claim, verdict = entries
    assert "Note removed" in removed.get_text() and removed["id"].endswith("-ferry-services-suspended-since-2021")
    assert verdict.select_one(".correction-reason").get_text() == f"Reason: {HOSTILE}"
    assert "Verdict: Unsourced → Opinion" in verdict.get_text()
    assert claim.select_one(".correction-reason").get_text() == "Commit: Claim for the repairs note"
    assert source.select_one("a")["href"] == "harbour-report.html#n-after-eighteen-months-repairs"
    assert all(len(e.select_one("code").get_text()) == 8 for e in entries)

    article = soup(site / "harbour-report.html")
    links = {a.get_text(): a["href"] for a in article.select(".article-summary a")}
    assert links["Corrections (4)"] == "corrections-harbour-report.html"
    assert links["Corrections feed (Atom)"] == "corrections.xml"
    alias = article.select_one("#n-ferry-services-suspended-since-2021")  # the removed note's old link lands here
    assert alias is not None and "removed on 2024-05-01" in alias.get_text()
    assert alias.select_one("a")["href"] == f"corrections-harbour-report.html#{removed['id']}"
    note = article.select_one("#n-after-eighteen-months-repairs .sn-history")
    assert "Last changed 2024-04-01" in note.get_text() and "verdict unchanged since first published, 2024-01-01" in (
        note.get_text()
    )

    data = json.loads((site / "data" / "harbour-report.annotations.jsonld").read_text(encoding="utf-8"))
    assert data["first"]["items"][0]["modified"] == "2024-04-01T00:00:00Z"
    reviews = json.loads(article.select_one("script[type='application/ld+json']").get_text())
    assert reviews[0]["dateModified"] == "2024-04-01T00:00:00Z"

    feed = ET.parse(site / "corrections.xml").getroot()  # parses: everything escaped
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}title") == "Corrections: Sample annotated site"
    assert feed.findtext(f"{ATOM}updated") == "2024-05-01T00:00:00Z"
    items = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}updated")[:10] for e in items] == [
        "2024-05-01",
        "2024-04-01",
        "2024-03-01",
        "2024-02-01",
    ]
    assert len({e.findtext(f"{ATOM}id") for e in items}) == 4
    for entry in items:
        assert entry.findtext(f"{ATOM}title") and entry.find(f"{ATOM}link[@rel='alternate']") is not None
    alternate = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in items]
    assert alternate[1] == "harbour-report.html#n-after-eighteen-months-repairs"
    assert alternate[0] == f"corrections-harbour-report.html#{removed['id']}"  # a removed note: its correction
    assert HOSTILE in items[3].findtext(f"{ATOM}summary") and HOSTILE in items[1].findtext(f"{ATOM}summary")


def test_a_shallow_clone_says_its_history_is_unavailable(repo, tmp_path):
    shallow = shallow_clone(repo, tmp_path / "shallow")
    site = build_site(shallow / "mkdocs.yml", shallow / "site")
    article = soup(site / "harbour-report.html")
    assert "History unavailable in this build" in article.select_one(".article-summary").get_text()
    assert all(h.get_text() == "History unavailable in this build." for h in article.select(".sn-history"))
    assert not article.select("time")
    corrections = soup(site / "corrections-harbour-report.html").select_one(".annotator-corrections")
    assert "History unavailable in this build" in corrections.get_text() and not corrections.select("li.correction")
    data = json.loads((site / "data" / "harbour-report.annotations.jsonld").read_text(encoding="utf-8"))
    assert all("modified" not in item for item in data["first"]["items"])
    feed = ET.parse(site / "corrections.xml").getroot()
    assert not feed.findall(f"{ATOM}entry") and feed.findtext(f"{ATOM}updated") == "2023-11-14T22:13:20Z"


def test_merges_and_renames_report_each_change_once(tmp_path):
    """A branch's change is reported at its own commit, not again at the merge; a note renamed
    with `replaces:` keeps its dates (its name is not what readers see), and its old id is not
    reported removed."""
    repo = copy_site(ROOT / "tests" / "sample-site", tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "First edition", when=T1)
    git(repo, "checkout", "-qb", "rejudge")
    edit(repo, FERRY, "relation: unsourced\n", "relation: opinion\n")
    git(repo, "commit", "-qam", "Ferry note re-judged on a branch", when=T2)
    git(repo, "checkout", "-q", "main")
    edit(
        repo,
        REPAIRS,
        "id: after-eighteen-months-repairs\n",
        "id: repairs-took-months\nreplaces: [after-eighteen-months-repairs]\n",
    )
    git(repo, "commit", "-qam", "Repairs note renamed", when=T3)
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge the re-judging", "rejudge", when=T4)
    found = harbour_history(repo)
    assert [(c.stamp.when, c.note_id, c.kinds) for c in found.corrections] == [
        (T2, "ferry-services-suspended-since-2021", ["verdict"])
    ]
    lineage = found.notes["repairs-took-months"]  # a new name is no change of what readers see
    assert lineage.added.when == lineage.changed.when == T1 and not found.removed()
