"""`annotator verify`: fetch every cited page and check, by machine, that each excerpt is on it.

For each source it fetches the page the excerpt was read on (`via`, else `url`), and the original
and archive addresses too, extracts the page's text (BeautifulSoup, without scripts and styles),
and looks for the excerpt with quotes, dashes, spaces and case folded. It reports dead links,
redirects, pages that no longer hold their excerpt, timeouts and pages that are not HTML, and
writes what it found, and when, to annotations/verification.json: the site then shows "found on
the page by machine on <date>" beside a source, rather than only the date an editor typed.

Polite by design: one request at a time per host (hosts in parallel), a pause between requests
to a host, a timeout, a user agent naming the project, robots.txt obeyed, retries with backoff
on 429, 5xx and timeouts, and a disk cache of pages fetched in the last day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .anchor import normalize
from .errors import AnnotationError, ProblemCollector
from .inputs import cached_by_stat, check_regular, read_text, write_text
from .paths import COMMAND, RECORD_NAME

USER_AGENT = "annotated-reading-verify/0.2 (checks that quoted excerpts are still on the cited pages)"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
MAX_PAGE_BYTES = 5 * 1024 * 1024


@dataclass
class Settings:
    timeout: float = 20.0  # seconds per request
    retries: int = 2  # after the first attempt, on 429, 5xx and timeouts
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    pause: float = 1.0  # seconds between two requests to one host
    hosts_at_once: int = 4
    cache_dir: Path | None = Path(".cache/annotator-verify")
    cache_hours: float = 24.0
    obey_robots: bool = True


@dataclass
class Page:
    """What one address gave: final address after redirects, HTTP status, text, or what failed."""

    url: str
    final_url: str = ""
    status: int = 0
    text: str = ""
    problem: str = ""  # "", "dead", "timeout", "not-html", "robots", "error"
    detail: str = ""


@dataclass
class Check:
    """One source's result, as the record keeps it."""

    url: str  # the page the excerpt was read on
    excerpt: str
    result: str  # found | changed | dead | redirected | timeout | not-html | robots | error
    checked_on: str
    status: int = 0
    final_url: str = ""
    detail: str = ""
    original: str = ""  # the original's address, when the excerpt was read on a copy
    original_result: str = ""  # ok | dead | ... for that address
    archive: str = ""
    archive_result: str = ""
    notes: list[str] = field(default_factory=list)  # where the source is cited (path:line)


def excerpt_key(url: str, excerpt: str) -> str:
    digest = hashlib.sha256(" ".join(excerpt.split()).encode("utf-8")).hexdigest()[:16]
    return f"{url} {digest}"


def folded(text: str) -> str:
    return normalize(text)[0].casefold()


def page_text(html: str) -> str:
    """The text a reader sees on a page (scripts, styles and templates left out)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    return soup.get_text(" ")


class Fetcher:
    """Fetches pages politely: per-host locks and pauses, retries, robots.txt, a disk cache."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self.last: dict[str, float] = {}
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def _cache_path(self, url: str) -> Path | None:
        if not self.settings.cache_dir:
            return None
        return self.settings.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _from_cache(self, url: str) -> Page | None:
        path = self._cache_path(url)
        if path is None or not path.is_file():
            return None
        if time.time() - path.stat().st_mtime > self.settings.cache_hours * 3600:
            return None
        return Page(**json.loads(path.read_text(encoding="utf-8")))

    def _to_cache(self, page: Page) -> None:
        path = self._cache_path(page.url)
        if path is not None and page.problem in ("", "dead", "not-html"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(asdict(page)), encoding="utf-8")

    def _allowed(self, url: str) -> bool:
        if not self.settings.obey_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            robots = urllib.robotparser.RobotFileParser()
            try:
                request = urllib.request.Request(f"{origin}/robots.txt", headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                    robots.parse(response.read(100_000).decode("utf-8", "replace").splitlines())
            except (urllib.error.URLError, OSError, ValueError):
                robots = None  # no robots.txt (or unreachable): nothing forbidden
            self.robots[origin] = robots
        robots = self.robots[origin]
        return robots is None or robots.can_fetch(USER_AGENT, url)

    def fetch(self, url: str) -> Page:
        cached = self._from_cache(url)
        if cached is not None:
            return cached
        host = urlsplit(url).hostname or ""
        with self.locks[host]:  # one request at a time per host
            if not self._allowed(url):
                return Page(url, problem="robots", detail="robots.txt disallows this address")
            page = self._fetch_with_retries(url, host)
        self._to_cache(page)
        return page

    def _fetch_with_retries(self, url: str, host: str) -> Page:
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            wait = self.last.get(host, 0) + self.settings.pause - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            page = self._fetch_once(url)
            self.last[host] = time.monotonic()
            retry = page.problem == "timeout" or page.status == 429 or 500 <= page.status < 600
            if not retry or attempt == self.settings.retries:
                return page
            time.sleep(delay)
            delay *= 2
        return page

    def _fetch_once(self, url: str) -> Page:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                kind = response.headers.get_content_type()
                final = response.geturl()
                if kind not in TEXT_TYPES:
                    return Page(url, final, response.status, problem="not-html", detail=kind)
                body = response.read(MAX_PAGE_BYTES)
                charset = response.headers.get_content_charset() or "utf-8"
                return Page(url, final, response.status, text=page_text(body.decode(charset, "replace")))
        except urllib.error.HTTPError as error:
            problem = "dead" if error.code in (404, 410) else "error"
            return Page(url, url, error.code, problem=problem, detail=f"HTTP {error.code}")
        except TimeoutError:
            return Page(url, problem="timeout", detail=f"no answer in {self.settings.timeout:g} s")
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                return Page(url, problem="timeout", detail=f"no answer in {self.settings.timeout:g} s")
            if isinstance(reason, socket.gaierror):
                return Page(url, problem="dead", detail="the host name does not resolve")
            return Page(url, problem="error", detail=str(reason)[:200])
        except (OSError, ValueError) as error:
            return Page(url, problem="error", detail=str(error)[:200])


def judge(page: Page, excerpt: str) -> tuple[str, str]:
    """(result, detail) for one excerpt on one fetched page."""
    if page.problem:
        return page.problem, page.detail
    if folded(excerpt) not in folded(page.text):
        return "changed", "the page no longer holds the excerpt"
    if page.final_url and page.final_url != page.url:
        return "redirected", f"found, after a redirect to {page.final_url}"
    return "found", ""


def reachable(page: Page) -> str:
    return page.problem or ("redirected" if page.final_url and page.final_url != page.url else "ok")


def verify(publication, settings: Settings, today: dt.date | None = None) -> list[Check]:
    """Check every source of every article; returns one Check per (page read, excerpt)."""
    today = today or dt.date.today()
    sources: dict[str, tuple] = {}
    citing: dict[str, list[str]] = defaultdict(list)
    for item in publication.articles:
        for note in item.notes:
            for s in note.annotation.sources:
                key = excerpt_key(s.read_at, s.excerpt)
                sources.setdefault(key, s)
                citing[key].append(f"{note.annotation.path}:{s.line}")
    addresses = sorted({a for s in sources.values() for a in (s.read_at, s.url, s.archive_url) if a})
    fetcher = Fetcher(settings)
    by_host: dict[str, list[str]] = defaultdict(list)
    for address in addresses:
        by_host[urlsplit(address).hostname or ""].append(address)
    pages: dict[str, Page] = {}

    def visit(host_addresses: list[str]) -> None:
        for address in host_addresses:
            pages[address] = fetcher.fetch(address)

    with ThreadPoolExecutor(max_workers=settings.hosts_at_once) as pool:
        list(pool.map(visit, by_host.values()))
    checks = []
    for key, s in sorted(sources.items()):
        result, detail = judge(pages[s.read_at], s.excerpt)
        if result in ("changed", "dead") and s.archive_url and judge(pages[s.archive_url], s.excerpt)[0] == "found":
            detail = f"{detail}; the archived copy still holds it"
        page = pages[s.read_at]
        checks.append(
            Check(
                url=s.read_at,
                excerpt=s.excerpt,
                result=result,
                checked_on=today.isoformat(),
                status=page.status,
                final_url=page.final_url,
                detail=detail,
                original=s.url if s.via and s.url else "",
                original_result=reachable(pages[s.url]) if s.via and s.url else "",
                archive=s.archive_url or "",
                archive_result=reachable(pages[s.archive_url]) if s.archive_url else "",
                notes=citing[key],
            )
        )
    return checks


# ---- The record: what a machine found, and when -------------------------------------------------


def _compact(check: dict) -> dict:
    return {key: value for key, value in check.items() if value not in ("", [], 0)}


def write_record(annotations: Path, checks: list[Check]) -> Path:
    record = {
        "about": "Written by `annotator verify`: for each page an excerpt was read on, whether a machine "
        "found the excerpt there, and when. Do not edit by hand.",
        "checks": {
            excerpt_key(c.url, c.excerpt): {k: v for k, v in asdict(c).items() if v not in ("", [], 0)} for c in checks
        },
    }
    return write_text(annotations, RECORD_NAME, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def read_record(annotations: Path, problems: ProblemCollector) -> dict[str, dict]:
    """The record's checks by key, or {} (with a problem if the file is there but unusable)."""
    path = annotations / RECORD_NAME
    if not path.exists():
        return {}
    try:
        return _load_record(path)
    except AnnotationError as error:
        problems.extend(error)
        return {}


@cached_by_stat
def _load_record(path: Path) -> dict[str, dict]:
    problems = ProblemCollector()
    text = read_text(path, problems, limit=16 * 1024 * 1024) if check_regular(path, problems) else None
    checks = {}
    if text is not None:
        try:
            checks = json.loads(text)["checks"]
            ok = isinstance(checks, dict) and all(isinstance(v, dict) for v in checks.values())
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            problems.add(
                path, 1, 1, "the verification record is not what annotator verify writes", f"run: {COMMAND} verify"
            )
            checks = {}
    problems.raise_if_any()
    return checks


# ---- The report ---------------------------------------------------------------------------------

TROUBLE = ("changed", "dead", "timeout", "error", "not-html", "robots")


def report(checks: list[Check]) -> str:
    """Markdown for the job summary: totals, then every source that needs an editor."""
    totals: dict[str, int] = defaultdict(int)
    for c in checks:
        totals[c.result] += 1
    lines = [
        "## Source verification",
        "",
        f"{len(checks)} excerpts checked on {checks[0].checked_on if checks else dt.date.today()}: "
        + ", ".join(f"{n} {r}" for r, n in sorted(totals.items())),
        "",
    ]
    trouble = [c for c in checks if c.result in TROUBLE or c.original_result in TROUBLE or c.archive_result in TROUBLE]
    if trouble:
        lines += ["| Result | Page read | Detail | Cited at |", "|---|---|---|---|"]
        for c in trouble:
            detail = c.detail or ""
            if c.original_result in TROUBLE:
                detail += f" (original {c.original}: {c.original_result})"
            if c.archive_result in TROUBLE:
                detail += f" (archive: {c.archive_result})"
            cells = [c.result, c.url, detail.strip(), ", ".join(c.notes[:3])]
            lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    else:
        lines.append("Every excerpt was found on its page.")
    return "\n".join(lines) + "\n"


def cmd_verify(args) -> int:
    from .cli import _site
    from .pipeline import prepare

    _, docs, annotations = _site(args)
    publication = prepare(docs, annotations)
    if args.article:
        publication = type(publication)(
            tuple(i for i in publication.articles if i.article.slug == args.article),
            publication.policy,
            publication.docs,
        )
    settings = Settings(timeout=args.timeout, cache_dir=None if args.no_cache else Settings.cache_dir)
    checks = verify(publication, settings)
    text = report(checks)
    print(text)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as summary:
            summary.write(text)
    if not args.dry_run:
        print(f"wrote {write_record(annotations, checks)}")
    return 1 if any(c.result in TROUBLE for c in checks) else 0


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "verify",
        help="fetch every cited page and check that its excerpt is still there",
        description="Fetch each page an excerpt was read on (and original and archive addresses), check the "
        "excerpt is on it, report dead links, redirects and missing excerpts, and record the results in "
        f"annotations/{RECORD_NAME}. Polite: one request per host at a time, robots.txt, retries with "
        "backoff, a one-day cache. Exit 1 if any excerpt could not be confirmed.",
    )
    parser.add_argument("--article", help="only this article's sources (its annotations: value)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for a page (default 20)")
    parser.add_argument("--no-cache", action="store_true", help="fetch every page again")
    parser.add_argument("--summary", help="also append the Markdown report to this file (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the record")
    parser.set_defaults(run=cmd_verify)
