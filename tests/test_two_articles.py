"""A second article in a copy of the real site: the real-content checks (every test marked
real_site: test_content.py, test_build.py, test_policy.py, validate's coverage, every article
page's layout at 375 px) run again on the copy, built by both generators, and must stay green
with two articles."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT, copy_site
from .realsite import SITE_ENV

SLUG = "second-article"

# A short page of our own (it exists only in the tests' copy) with a block quote, a bulleted list
# and links; its notes cite a source the real notes cite, as the policy has it.
ARTICLE = f"""---
title: "A second article, for the tests"
subtitle: "A block quote, a bulleted list and links, annotated as any article."
annotations: {SLUG}
author: Test Writer
date: 2024-04-01
hide:
  - navigation
  - toc
---

This page exists only in a copy of the site that the tests make. In June 2014 the Islamic State \
declared a caliphate, as [the Guardian reported](https://www.theguardian.com/world/2014/jun/29/\
isis-iraq-caliphate-delcaration-war) at the time, and named its leader caliph.

> Its leader, the group said, was now the head of state.

The page shows three things:

- this block quote and list,
- a [link inside a list item](https://example.org/second),
- and notes from one annotation file.
"""

SOURCE = """  - title: "Isis announces caliphate in 'declaration of war'"
    url: https://www.theguardian.com/world/2014/jun/29/isis-iraq-caliphate-delcaration-war
    outlet: The Guardian
    date: 2014-06-29
    excerpt: "The Islamic State in Iraq and Greater Syria (Isis) group has sought to solidify its leadership \
of worldwide jihad today by declaring that its leader, Abu Bakr al-Baghdadi, is the new caliph, or head of state."
    verified: 2026-11-25
    relation: {relation}
"""

ANNOTATION = f"""---
paragraph: "This page exists only in a copy"
---

---
id: second-caliphate-declared-june-2014
quote: "In June 2014 the Islamic State declared a caliphate"
claim: The Islamic State declared a caliphate in June 2014
relation: supports
sources:
{SOURCE.format(relation="supports")}---
The Guardian reported the declaration on 29 June 2014.

---
id: second-leader-named-caliph
quote: "named its leader caliph"
claim: The group named its leader caliph
relation: qualifies
sources:
{SOURCE.format(relation="qualifies")}---
The Guardian's report says the group declared its leader, Abu Bakr al-Baghdadi, "the new caliph, or head
of state"; the [report](https://www.theguardian.com/world/2014/jun/29/isis-iraq-caliphate-delcaration-war)
names him.
"""


def test_the_real_content_checks_hold_with_two_articles(tmp_path):
    copy = copy_site(ROOT, tmp_path / "two")
    (copy / "docs" / "articles" / f"{SLUG}.md").write_text(ARTICLE, encoding="utf-8")
    (copy / "annotations" / SLUG).mkdir()
    (copy / "annotations" / SLUG / "this-page-exists-only-in.md").write_text(ANNOTATION, encoding="utf-8")

    from annotator.pipeline import prepare

    publication = prepare(copy / "docs", copy / "annotations")  # the copy is a valid site of two articles
    assert sorted(i.article.slug for i in publication.articles) == sorted(["moscow-concert-massacre", SLUG])
    second = publication.article(SLUG)
    assert len(second.notes) == 2 and len(second.article.paragraphs) == 6  # quote and list items are blocks

    env = {**os.environ, SITE_ENV: str(copy)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-m", "real_site", "-x"]
    tests = [
        "tests/test_content.py",
        "tests/test_build.py",
        "tests/test_cli.py",
        "tests/test_policy.py",
        "tests/test_browser.py",
    ]
    result = subprocess.run([*command, *tests], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    summary = output.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 20, summary  # the checks ran, not skipped
