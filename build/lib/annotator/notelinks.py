"""Links from a note: to itself (a permalink), to a fix (the repository's web editor on its
annotation file, a pre-filled issue) and to the words in each source (a text fragment).

Every address is built here from parts that are percent-encoded for where they land, so no
contributor text (claim, title, excerpt) can add a parameter, a fragment or a path to it. The
links are plain links: no script, no request until a reader follows one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from .model import AnchoredNote, Article

FRAGMENT_WORDS = 4  # words of the excerpt at each end of a text fragment
ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\])\s*")  # an excerpt's elisions
OPENING, CLOSING = "\"'“‘«(", "\"'”’».,;:)"  # quotation marks and closing punctuation, left out at the ends
DEFAULT_BRANCH = "main"  # GitHub's, when edit_uri does not name one
EDIT_URI = re.compile(r"^/?(?:edit|blob)/([^/?#]+)/")
ISSUE_LIMIT = 6000  # characters of the issue's address: GitHub refuses very long ones


def _encode(text: str) -> str:
    """Percent-encoded for a text directive: every character but letters, digits and . _ ~
    (the directive's own delimiters - , & are encoded too)."""
    return quote(text, safe="").replace("-", "%2D")


def text_fragment(excerpt: str) -> str:
    """`:~:text=<start>,<end>` for an excerpt (its first and last few words; the whole excerpt
    when it is short), "" when it has no words. An elided excerpt ("a ... b") starts at its
    first part's words and ends at its last part's."""
    parts = [p.split() for p in ELLIPSIS.split(excerpt.strip()) if p.split()]
    if not parts:
        return ""
    parts[0][0] = parts[0][0].lstrip(OPENING) or parts[0][0]
    parts[-1][-1] = parts[-1][-1].rstrip(CLOSING) or parts[-1][-1]
    words = [w for p in parts for w in p]
    if len(parts) == 1 and len(words) <= 2 * FRAGMENT_WORDS:
        return ":~:text=" + _encode(" ".join(words))
    start, end = parts[0][:FRAGMENT_WORDS], parts[-1][-FRAGMENT_WORDS:]
    return ":~:text=" + _encode(" ".join(start)) + "," + _encode(" ".join(end))


def at_excerpt(url: str | None, excerpt: str) -> str | None:
    """The address opened at the excerpt's words, unless it already has a fragment."""
    if not url or "#" in url or not urlsplit(url).scheme.startswith("http"):
        return url
    fragment = text_fragment(excerpt)
    return f"{url}#{fragment}" if fragment else url


def branch_of(edit_uri: str) -> str | None:
    """The branch in MkDocs' edit_uri ("edit/main/docs/" -> main); GitHub's default without one."""
    if not edit_uri:
        return DEFAULT_BRANCH
    match = EDIT_URI.match(edit_uri)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Repository:
    """Where the site's sources are, for the links from a note to a fix."""

    url: str  # https://github.com/owner/name, without a trailing slash
    branch: str | None  # None: the edit link is left out (edit_uri names no branch)
    root: Path  # the folder repository paths start from (the config file's), resolved

    def edit_url(self, note: AnchoredNote) -> str | None:
        """GitHub's web editor on the note's annotation file, at the note's first line."""
        if self.branch is None:
            return None
        try:
            path = note.annotation.path.resolve().relative_to(self.root)
        except ValueError:
            return None
        line = note.annotation.lines[0] or note.annotation.line
        return f"{self.url}/edit/{quote(self.branch, safe='')}/{quote(path.as_posix())}#L{line}"

    def issue_url(self, article: Article, note: AnchoredNote) -> str:
        """A new issue, its title and body filled in: the article, the note's id, its claim and
        its sources' addresses (all urlencoded: the claim is contributor text)."""
        a = note.annotation
        title = f"Note {note.id} ({article.title}): "
        sources = [f"- {s.link}" + (f" (read on {s.via})" if s.via and s.url else "") for s in a.sources]
        body = "\n".join(
            [
                f"Article: {article.title}",
                f"Note: {note.id} (#{note.note_id})",
                f"Claim: {a.summary}",
                "Sources:" if sources else "Sources: none",
                *sources,
                "",
                "What is wrong, and what source shows it:",
                "",
            ]
        )
        summary = a.summary if len(a.summary) <= 80 else a.summary[:79] + "…"
        query = urlencode({"title": title + summary, "body": body}, quote_via=quote)
        if len(query) > ISSUE_LIMIT:  # many sources: the body keeps the note's id, the rest is cut
            query = urlencode({"title": title + summary, "body": body[:1500] + "\n…\n"}, quote_via=quote)
        return f"{self.url}/issues/new?{query}"


def repository(repo_url: str | None, edit_uri: str | None, root: str | Path | None) -> Repository | None:
    """The site's repository from the extension's options; None without an http(s) repo_url."""
    url = (repo_url or "").strip().rstrip("/")
    if not url or urlsplit(url).scheme not in ("http", "https") or any(c in url for c in "?# \"'<>"):
        return None
    return Repository(url, branch_of(edit_uri or ""), Path(root or ".").resolve())


@dataclass(frozen=True)
class FixLinks:
    """The fix links of one article's notes (what sidenote_element adds to each note)."""

    repository: Repository
    article: Article

    def links(self, note: AnchoredNote) -> list[tuple[str, str, str]]:
        """(css class, text, address) of each link, in the order shown."""
        found = [("sn-edit", "Suggest a correction", self.repository.edit_url(note))]
        found.append(("sn-report", "Report a problem", self.repository.issue_url(self.article, note)))
        return [(css, text, href) for css, text, href in found if href]
