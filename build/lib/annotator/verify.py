"""`annotator verify`: fetch every cited page and check, by machine, that each excerpt is on it.

For each source it fetches the page the excerpt was read on (`via`, else `url`), and the original
and archive addresses too, extracts the page's visible text, and looks for the excerpt with
quotes, dashes, spaces and case folded. It reports dead links, redirects, pages that no longer
hold their excerpt, timeouts and pages that are not HTML, and writes what it found, and when, to
annotations/verification.json: the site then shows "found on the page by machine on <date>"
beside a source, rather than only the date an editor typed.

Polite by design: one request at a time per host (hosts in parallel), a pause between requests
to a host, a user agent naming the project, robots.txt obeyed, retries with backoff on 429, 5xx
and timeouts, and a disk cache of pages fetched in the last day.

Robust by design, because a cited page (or a pull request citing one) may be hostile:
- each request has one deadline for connecting and every read together (`Settings.timeout`): a
  timer shuts the socket down when it passes, so a server dripping a byte a second is cut off;
- bodies are read incrementally and not past `Settings.max_bytes` (5 MB);
- the visible text is taken by a linear, tree-less scan (`visible_text`), itself bounded in time;
- redirects are followed by hand, at most `Settings.max_hops`, each hop checked like the first:
  http(s) only, a public address, robots.txt of its host;
- host names are resolved here and every address checked: loopback, private, link-local,
  multicast, unspecified and reserved addresses (and `localhost` names) are refused unless
  `Settings.allow_private` (`--allow-private-addresses`, for tests against local servers); the
  connection is made to the address checked, and its peer address checked again;
- any exception while handling one address becomes that address's problem ("error", naming the
  exception's class): one bad page never stops the run;
- a run with no network at all (no host resolves, or the network is unreachable) says so, calls
  nothing dead, and writes no record.

The record is untrusted input too (a pull request can edit it): `read_record` accepts only what
`write_record` writes (RECORD_SCHEMA, real dates not in the future, keys matching their checks).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import html
import ipaddress
import json
import re
import socket
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from email.message import Message
from functools import cache
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from .anchor import EQUIVALENT
from .inputs import write_text
from .paths import RECORD_NAME
from .record import (  # the record's reading lives in record.py; these names stay importable here
    MAX_RECORD_BYTES,
    MAX_URL,
    REACHABILITY,
    RECORD_SCHEMA,
    RESULTS,
    excerpt_key,
    read_record,
    record_problem,
)

__all__ = [  # the record's names, re-exported: they were defined here
    "MAX_RECORD_BYTES", "MAX_URL", "REACHABILITY", "RECORD_SCHEMA", "RESULTS", "excerpt_key", "read_record",
    "record_problem", "Settings", "Check", "Checks", "verify", "report", "write_record", "cmd_verify", "add_parser",
]  # fmt: skip

USER_AGENT = "annotated-reading-verify/0.3 (checks that quoted excerpts are still on the cited pages)"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_ROBOTS_BYTES = 500 * 1024  # what RFC 9309 asks a crawler to read at least
MAX_HOPS = 5
MAX_DETAIL = 300
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Settings:
    timeout: float = 20.0  # seconds per request: connecting and every read together
    retries: int = 2  # after the first attempt, on 429, 5xx and timeouts
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    pause: float = 1.0  # seconds between two requests to one host
    hosts_at_once: int = 4
    cache_dir: Path | None = Path(".cache/annotator-verify")
    cache_hours: float = 24.0
    obey_robots: bool = True
    allow_private: bool = False  # fetch loopback/private addresses too: for tests against local servers
    max_bytes: int = MAX_PAGE_BYTES  # a page's body is not read past this
    max_hops: int = MAX_HOPS  # redirects followed from one address
    parse_seconds: float = 10.0  # time allowed to take one page's text


@dataclass
class Page:
    """What one address gave: final address after redirects, HTTP status, text, or what failed."""

    url: str
    final_url: str = ""
    status: int = 0
    text: str = ""
    problem: str = ""  # "", "dead", "timeout", "not-html", "robots", "error", "refused", "offline", "unresolved"
    detail: str = ""
    truncated: bool = False  # the body was over Settings.max_bytes: text holds its beginning only
    redirect: str = ""  # (one hop) the address a 3xx answer points to


@dataclass
class Check:
    """One source's result, as the record keeps it."""

    url: str  # the page the excerpt was read on
    excerpt: str
    result: str  # one of RESULTS
    checked_on: str
    status: int = 0
    final_url: str = ""
    detail: str = ""
    original: str = ""  # the original's address, when the excerpt was read on a copy
    original_result: str = ""  # one of REACHABILITY, for that address
    archive: str = ""
    archive_result: str = ""
    notes: list[str] = field(default_factory=list)  # where the source is cited (path:line)


class Checks(list):
    """verify()'s checks; `offline` when no address could be reached because there is no network."""

    offline: bool = False


_FOLD = str.maketrans(EQUIVALENT)
_SPACES = re.compile(r"\s+")


def folded(text: str) -> str:
    """anchor.normalize's folding (quotes, dashes, whitespace runs), then case; linear, no offsets."""
    return _SPACES.sub(" ", text).strip().translate(_FOLD).casefold()


def _named(error: BaseException) -> str:
    """An exception as a detail: its class, then its message, short and on one line."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return " ".join(text.split())[:MAX_DETAIL]


# ---- A page's visible text: one linear scan, no tree --------------------------------------------

# A comment's start; or a tag's name, and its whole rest when it holds no quote (the common case,
# one match; possessive, so a long run never backtracks); or other markup ("<!DOCTYPE", "<?").
_MARKUP = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\s/>]*+)([^>\"']*+>)?|[!?/])")
_TAG_END = re.compile(r"[>\"']")
_HIDDEN = ("script", "style", "noscript", "template")
_CLOSE = {name: re.compile(rf"</{name}(?=[\s/>]|$)", re.IGNORECASE) for name in _HIDDEN}
# Elements inside a line of text: their tags do not separate words ("<em>word</em>." is "word.").
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small span strike strong sub sup "
    "time tt u var wbr".split()
)
_CHECK_EVERY = 4096  # tags between two looks at the clock


class TooSlow(Exception):
    """Taking a page's text went past Settings.parse_seconds."""


def visible_text(markup: str, seconds: float = 10.0) -> str:
    """The text a reader sees on a page: tags, comments, scripts, styles, noscript and templates
    left out, character references decoded. One left-to-right scan (every search starts where
    the last ended), so time is linear in the page's length and memory a few copies of it, whatever
    the nesting; raises TooSlow past `seconds` all the same."""
    out: list[str] = []
    append, search = out.append, _MARKUP.search
    pos, end = 0, len(markup)
    deadline = time.monotonic() + seconds
    tags = 0
    while pos < end:
        tag = search(markup, pos)
        if tag is None:
            append(markup[pos:])
            break
        start, after = tag.span()
        if start > pos:
            append(markup[pos:start])
        tags += 1
        if tags % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise TooSlow(f"taking the page's text took more than {seconds:g} s")
        comment, closing, name, rest = tag.groups()
        if comment:  # a comment runs to "-->", or to the end
            close = markup.find("-->", after)
            pos = end if close < 0 else close + 3
            append(" ")
            continue
        pos = after if rest else _tag_end(markup, after)
        if name is None:  # "<!DOCTYPE ...>", "<?...>", "</ ...>": markup, not text
            append(" ")
            continue
        if name not in _INLINE:
            name = name.lower()
            if name in _CLOSE and not closing:  # a hidden element's content runs to its end tag
                close = _CLOSE[name].search(markup, pos)
                pos = end if close is None else _tag_end(markup, close.end())
            if name not in _INLINE:
                append(" ")
    return html.unescape("".join(out))


def _tag_end(markup: str, pos: int) -> int:
    """Just after the '>' ending the tag whose attributes start at pos (quoted values may hold
    '>'); an unclosed quote ends at the next '>'; no '>' at all ends the page."""
    while True:
        stop = _TAG_END.search(markup, pos)
        if stop is None:
            return len(markup)
        if stop.group() == ">":
            return stop.end()
        close = markup.find(stop.group(), stop.end())
        if close < 0:
            plain = markup.find(">", stop.end())
            return len(markup) if plain < 0 else plain + 1
        pos = close + 1


def page_text(markup: str) -> str:
    """The text a reader sees on a page (scripts, styles and templates left out)."""
    return visible_text(markup)


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)


def decoded(body: bytes, kind: str, charset: str | None) -> str:
    """The body as text: the header's charset, else a <meta> one, else UTF-8. An unknown or
    non-text charset raises LookupError (the caller makes it the page's problem)."""
    if not charset and kind != "text/plain":
        meta = _META_CHARSET.search(body[:2048])
        charset = meta.group(1).decode("ascii") if meta else None
    return body.decode(charset or "utf-8", "replace")


# ---- Addresses: which the rules allow, resolved here and connected to as checked ----------------


class Refused(Exception):
    """An address the rules do not let verify fetch (scheme, local name, non-public address)."""


class Unresolved(Exception):
    """The host name does not resolve."""


class Offline(Exception):
    """No network: the name server does not answer, or the network is unreachable."""


class DeadlineExpired(Exception):
    """The request's deadline passed."""


def refused_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why verify may not connect to ip ("" if it is a public address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for flag, words in (
        ("is_loopback", "a loopback address"),
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(ip, flag):
            return words
    return "" if ip.is_global else "not a public address"


def _open_socket(address: tuple[str, int], timeout: float) -> socket.socket:
    """Connect a TCP socket (a seam for tests)."""
    return socket.create_connection(address, timeout)


def _lookup(name: str, port: int, seconds: float) -> list[str]:
    """getaddrinfo in a helper thread, so a silent name server cannot outlast the deadline."""
    answer: dict = {}

    def run() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except BaseException as error:  # noqa: BLE001 (handed to the caller)
            answer["error"] = error

    thread = threading.Thread(target=run, name=f"resolve {name}", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise Offline(f"the name server did not answer for {name} in {seconds:.3g} s")
    error = answer.get("error")
    if isinstance(error, socket.gaierror):
        if error.errno == socket.EAI_AGAIN:
            raise Offline(f"the name server did not answer for {name}")
        raise Unresolved(f"the host name {name} does not resolve")
    if error is not None:
        raise error
    return list(dict.fromkeys(info[4][0] for info in answer["infos"]))


class _Deadline:
    """One deadline for a whole request: when it passes, a timer shuts the connection's socket
    down, which wakes any read blocked on it (a server dripping a byte a second included)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._expired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def expired(self) -> bool:
        return self._expired or time.monotonic() >= self.end

    def left(self) -> float:
        return max(0.001, self.end - time.monotonic())  # never 0: that would make a socket non-blocking

    def watch(self, sock: socket.socket) -> None:
        """Shut sock down at the deadline (a duplicate is kept, so TLS wrapping cannot detach it)."""
        with self._lock:
            if self._socket is not None:
                self._socket.close()
            self._socket = sock.dup()
            if self._expired:
                self._shut()

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            self._shut()

    def _shut(self) -> None:
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None


class _Guarded:
    """For urllib3's connections: connect to the address checked, hand the socket to the
    deadline, and check the connected peer is that address (no DNS between check and use)."""

    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    deadline: _Deadline
    allow_private: bool

    def _new_conn(self) -> socket.socket:
        sock = _open_socket((str(self.address), self.port), self.deadline.left())  # type: ignore[attr-defined]
        try:
            self.deadline.watch(sock)
            peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
            if peer != self.address or (not self.allow_private and refused_address(peer)):
                raise Refused(f"connected to {peer}, not to the address checked ({self.address})")
        except BaseException:
            sock.close()
            raise
        return sock


@cache
def _connections() -> tuple[type, type]:
    """urllib3's HTTP and HTTPS connections, guarded (imported only when verify runs: the build
    imports this module for the record, and should not pay for an HTTP client)."""
    import urllib3.connection

    class GuardedHTTP(_Guarded, urllib3.connection.HTTPConnection):
        pass

    class GuardedHTTPS(_Guarded, urllib3.connection.HTTPSConnection):
        pass

    return GuardedHTTP, GuardedHTTPS


@dataclass
class _Answer:
    status: int
    location: str = ""
    kind: str = ""
    charset: str | None = None
    body: bytes = b""
    truncated: bool = False


_SAFE = "/:@!$&'()*+,;=-._~%"


def _clean(url: str) -> str:
    """url without its fragment, other characters percent-encoded (as a request line needs)."""
    url = url.split("#", 1)[0]
    return quote(url, safe=_SAFE + "?[]")


class Fetcher:
    """Fetches pages politely: per-host locks and pauses, retries, robots.txt, a disk cache;
    and safely: one deadline per request, a size limit, redirects checked hop by hop, public
    addresses only."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.last: dict[str, float] = {}
        self.robots: dict[str, object | None] = {}  # origin -> its RobotFileParser, None: nothing forbidden

    def _lock(self, host: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(host, threading.Lock())

    # -- the disk cache

    def _cache_path(self, url: str) -> Path | None:
        if not self.settings.cache_dir:
            return None
        return self.settings.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _from_cache(self, url: str) -> Page | None:
        path = self._cache_path(url)
        try:
            if path is None or not path.is_file():
                return None
            if time.time() - path.stat().st_mtime > self.settings.cache_hours * 3600:
                return None
            page = Page(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None  # unreadable: fetch again
        return page if page.url == url and isinstance(page.text, str) else None

    def _to_cache(self, page: Page) -> None:
        path = self._cache_path(page.url)
        if path is not None and page.problem in ("", "dead", "not-html"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(asdict(page)), encoding="utf-8")

    # -- one request

    def _resolve(self, host: str, port: int, deadline: _Deadline) -> list:
        """The addresses to connect to, every one checked against the rules."""
        name = host.rstrip(".").lower()
        private = self.settings.allow_private
        if not private and (name == "localhost" or name.endswith(".localhost")):
            raise Refused(f"{host} is a local host name")
        try:
            addresses = [ipaddress.ip_address(name)]
        except ValueError:
            found = _lookup(name.encode("idna").decode("ascii"), port, deadline.left())
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
        if not addresses:
            raise Unresolved(f"the host name {host} does not resolve")
        for address in addresses if not private else ():
            reason = refused_address(address)
            if reason:
                raise Refused(f"{host} is {address}, {reason}" if str(address) == name else
                              f"{host} resolves to {address}, {reason}")  # fmt: skip
        return addresses

    def _request(self, url: str, limit: int) -> _Answer:
        """GET url once, without following redirects: every rule checked, one deadline for all."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise Refused(f"not an http(s) address: {url[:100]}")
        host = parts.hostname or ""
        if not host:
            raise Refused(f"no host name in {url[:100]}")
        default = 443 if parts.scheme == "https" else 80
        port = parts.port or default
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
        shown = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
        headers = {
            "Host": shown if port == default else f"{shown}:{port}",
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
        }
        target = quote(parts.path or "/", safe=_SAFE) + (
            "?" + quote(parts.query, safe=_SAFE + "?") if parts.query else ""
        )
        http_connection, https_connection = _connections()
        deadline = _Deadline(self.settings.timeout)
        connection = None
        try:
            last_error: BaseException | None = None
            for address in self._resolve(host, port, deadline):
                if parts.scheme == "https":
                    connection = https_connection(
                        str(address), port, timeout=deadline.left(), server_hostname=ascii_host
                    )
                else:
                    connection = http_connection(str(address), port, timeout=deadline.left())
                connection.address, connection.deadline = address, deadline
                connection.allow_private = self.settings.allow_private
                try:
                    connection.connect()
                    break
                except Refused:
                    raise
                except OSError as error:  # this address did not answer: try the next one
                    connection.close()
                    connection, last_error = None, error
                    if deadline.expired:
                        raise DeadlineExpired from error
            if connection is None:
                if isinstance(last_error, OSError) and last_error.errno == errno.ENETUNREACH:
                    raise Offline("the network is unreachable") from last_error
                raise last_error or Unresolved(f"the host name {host} does not resolve")
            connection.timeout = deadline.left()
            connection.request("GET", target, headers=headers, preload_content=False)
            connection.timeout = deadline.left()
            response = connection.getresponse()
            content_type = Message()
            content_type["content-type"] = response.headers.get("content-type", "")
            answer = _Answer(response.status, kind=content_type.get_content_type())
            answer.charset = content_type.get_content_charset()
            if response.status in REDIRECTS:
                answer.location = response.headers.get("location", "")
                return answer
            if not 200 <= response.status < 300 or answer.kind not in TEXT_TYPES:
                return answer
            chunks, size = [], 0
            while size <= limit:
                if connection.sock is not None:
                    connection.sock.settimeout(deadline.left())
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if deadline.expired:  # the timer cut the body short
                raise DeadlineExpired
            body = b"".join(chunks)
            answer.body, answer.truncated = body[:limit], size > limit
            return answer
        except Exception as error:
            import urllib3.exceptions

            timed_out = isinstance(error, (TimeoutError, urllib3.exceptions.TimeoutError)) and not isinstance(
                error, urllib3.exceptions.NewConnectionError
            )
            if (deadline.expired or timed_out) and not isinstance(error, (Refused, Unresolved, Offline)):
                raise DeadlineExpired from error
            raise
        finally:
            deadline.close()
            if connection is not None:
                connection.close()

    def _fetch_once(self, url: str) -> Page:
        """One hop: the page at url, or its redirect, or what went wrong (never an exception)."""
        timeout = f"no complete answer in {self.settings.timeout:g} s"
        try:
            answer = self._request(url, self.settings.max_bytes)
            if answer.status in REDIRECTS and answer.location:
                return Page(url, url, answer.status, redirect=answer.location)
            if answer.status in (404, 410):
                return Page(url, url, answer.status, problem="dead", detail=f"HTTP {answer.status}")
            if not 200 <= answer.status < 300:
                return Page(url, url, answer.status, problem="error", detail=f"HTTP {answer.status}")
            if answer.kind not in TEXT_TYPES:
                return Page(url, url, answer.status, problem="not-html", detail=answer.kind[:100])
            text = decoded(answer.body, answer.kind, answer.charset)
            if answer.kind != "text/plain":
                text = visible_text(text, self.settings.parse_seconds)
            return Page(url, url, answer.status, text=text, truncated=answer.truncated)
        except (DeadlineExpired, TimeoutError):
            return Page(url, problem="timeout", detail=timeout)
        except Refused as error:
            return Page(url, url, problem="refused", detail=str(error)[:MAX_DETAIL])
        except Unresolved as error:
            return Page(url, problem="unresolved", detail=str(error)[:MAX_DETAIL])
        except Offline as error:
            return Page(url, problem="offline", detail=str(error)[:MAX_DETAIL])
        except Exception as error:  # noqa: BLE001 (whatever a page does, it is that page's problem)
            if isinstance(error, OSError) and error.errno == errno.ENETUNREACH:
                return Page(url, problem="offline", detail="the network is unreachable")
            return Page(url, problem="error", detail=_named(error))

    # -- politeness: robots.txt, pauses, retries

    def _wait_turn(self, host: str) -> None:
        wait = self.last.get(host, 0) + self.settings.pause - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _allowed(self, url: str, host: str) -> bool:
        """Does robots.txt of url's origin allow it? (Called holding host's lock.) robots.txt
        is fetched like a page (same rules and deadline), not past MAX_ROBOTS_BYTES, without
        following redirects; anything but a 200 means nothing is forbidden."""
        if not self.settings.obey_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        if origin not in self.robots:
            robots = None
            self._wait_turn(host)
            try:
                answer = self._request(f"{origin}/robots.txt", MAX_ROBOTS_BYTES)
                if answer.status == 200:
                    import urllib.robotparser

                    robots = urllib.robotparser.RobotFileParser()
                    robots.parse(answer.body.decode("utf-8", "replace").splitlines())
            except Exception:  # noqa: BLE001 (no robots.txt, or an unreachable one: nothing forbidden)
                robots = None
            self.last[host] = time.monotonic()
            self.robots[origin] = robots
        robots = self.robots[origin]
        try:
            return robots is None or robots.can_fetch(USER_AGENT, url)
        except Exception:  # noqa: BLE001 (a robots.txt the parser cannot apply forbids nothing)
            return True

    def _fetch_with_retries(self, url: str, host: str) -> Page:
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            self._wait_turn(host)
            page = self._fetch_once(url)
            self.last[host] = time.monotonic()
            retry = page.problem == "timeout" or page.status == 429 or 500 <= page.status < 600
            if not retry or attempt == self.settings.retries:
                return page
            time.sleep(delay)
            delay *= 2
        return page

    def _follow(self, url: str) -> Page:
        """url's page, following at most max_hops redirects, each hop checked like the first."""
        start = current = _clean(url)
        hops = 0
        while True:
            host = urlsplit(current).hostname or ""
            with self._lock(host):  # one request at a time per host (never two locks held)
                if urlsplit(current).scheme in ("http", "https") and not self._allowed(current, host):
                    return Page(url, current, problem="robots", detail=f"robots.txt disallows {current}"[:MAX_DETAIL])
                page = self._fetch_once(current) if not host else self._fetch_with_retries(current, host)
            if not page.redirect:
                page.url, page.final_url = url, url if current == start else current
                return page
            target = _clean(urljoin(current, page.redirect.strip()))
            hops += 1
            if urlsplit(target).scheme not in ("http", "https"):
                detail = f"redirected to {target}, which is not an http(s) address"
                return Page(url, current, page.status, problem="refused", detail=detail[:MAX_DETAIL])
            if len(target) > MAX_URL:
                return Page(url, current, page.status, problem="error", detail="redirected to an overlong address")
            if hops > self.settings.max_hops:
                detail = f"more than {self.settings.max_hops} redirects (the next to {target})"
                return Page(url, current, page.status, problem="error", detail=detail[:MAX_DETAIL])
            current = target

    def fetch(self, url: str) -> Page:
        cached = self._from_cache(url)
        if cached is not None:
            return cached
        try:
            page = self._follow(url)
        except Exception as error:  # noqa: BLE001 (one bad address never stops the run)
            page = Page(url, problem="error", detail=_named(error))
        self._to_cache(page)
        return page


# ---- Judging and the run ------------------------------------------------------------------------


def judge(page: Page, excerpt: str) -> tuple[str, str]:
    """(result, detail) for one excerpt on one fetched page."""
    if page.problem:
        return page.problem, page.detail
    if folded(excerpt) not in folded(page.text):
        if page.truncated:
            return "too-large", "the page is over the size limit and its beginning does not hold the excerpt"
        return "changed", "the page no longer holds the excerpt"
    if page.final_url and page.final_url != page.url:
        return "redirected", f"found, after a redirect to {page.final_url}"[:MAX_DETAIL]
    return "found", ""


def reachable(page: Page) -> str:
    return page.problem or ("redirected" if page.final_url and page.final_url != page.url else "ok")


NO_NETWORK = ("unresolved", "offline")


def verify(publication, settings: Settings, today: dt.date | None = None) -> Checks:
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
        try:
            by_host[urlsplit(address).hostname or ""].append(address)
        except ValueError:
            by_host[""].append(address)
    pages: dict[str, Page] = {}

    def visit(host_addresses: list[str]) -> None:
        for address in host_addresses:
            try:
                pages[address] = fetcher.fetch(address)
            except Exception as error:  # noqa: BLE001 (fetch catches all; this is the last net)
                pages[address] = Page(address, problem="error", detail=_named(error))

    with ThreadPoolExecutor(max_workers=settings.hosts_at_once) as pool:
        list(pool.map(visit, by_host.values()))
    # No network at all: every address that went to the network failed to resolve or to route.
    tried = [p for p in pages.values() if p.problem not in ("refused", "robots")]
    offline = bool(tried) and all(p.problem in NO_NETWORK for p in tried)
    for page in pages.values():
        if page.problem == "unresolved":
            page.problem = "offline" if offline else "dead"
            if offline:
                page.detail = "the network is unreachable (no host name resolves)"
    checks = Checks()
    checks.offline = offline
    for key, s in sorted(sources.items()):
        page = pages[s.read_at]
        result, detail = judge(page, s.excerpt)
        if result in ("changed", "dead") and s.archive_url and judge(pages[s.archive_url], s.excerpt)[0] == "found":
            detail = f"{detail}; the archived copy still holds it"
        checks.append(
            Check(
                url=s.read_at,
                excerpt=s.excerpt,
                result=result,
                checked_on=today.isoformat(),
                status=page.status,
                final_url=page.final_url if len(page.final_url) <= MAX_URL else "",
                detail=detail[: 2 * MAX_DETAIL],
                original=s.url if s.via and s.url else "",
                original_result=reachable(pages[s.url]) if s.via and s.url else "",
                archive=s.archive_url or "",
                archive_result=reachable(pages[s.archive_url]) if s.archive_url else "",
                notes=citing[key],
            )
        )
    return checks


# ---- The record: what a machine found, and when -------------------------------------------------


def write_record(annotations: Path, checks: list[Check]) -> Path:
    record = {
        "about": "Written by `annotator verify`: for each page an excerpt was read on, whether a machine "
        "found the excerpt there, and when. Do not edit by hand.",
        "checks": {
            excerpt_key(c.url, c.excerpt): {k: v for k, v in asdict(c).items() if v not in ("", [], 0)} for c in checks
        },
    }
    return write_text(annotations, RECORD_NAME, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


# ---- The report ---------------------------------------------------------------------------------

TROUBLE = ("changed", "dead", "timeout", "error", "not-html", "robots", "refused", "too-large", "offline")
OFFLINE = "the network is unreachable: no cited host could be reached, so nothing was checked"


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
    if getattr(checks, "offline", False):
        return "\n".join([*lines, f"**Offline**: {OFFLINE}. No source is called dead; no record was written."]) + "\n"
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
    from .config import site_of
    from .pipeline import prepare

    _, docs, annotations = site_of(args)
    publication = prepare(docs, annotations)
    if args.article:
        publication = type(publication)(
            tuple(i for i in publication.articles if i.article.slug == args.article),
            publication.policy,
            publication.docs,
        )
    settings = Settings(
        timeout=args.timeout,
        cache_dir=None if args.no_cache else Settings.cache_dir,
        allow_private=args.allow_private_addresses,
    )
    checks = verify(publication, settings)
    text = report(checks)
    print(text)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as summary:
            summary.write(text)
    if getattr(checks, "offline", False):
        print(f"annotator verify: {OFFLINE}; no record written (run it again with a network)")
        return 2
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
        "backoff, a one-day cache. Safe: one deadline per request, pages read up to "
        f"{MAX_PAGE_BYTES // (1024 * 1024)} MB, at most {MAX_HOPS} redirects, each checked; public addresses only. "
        "Exit 1 if any excerpt could not be confirmed, 2 if the network is unreachable (no record written).",
    )
    parser.add_argument("--article", help="only this article's sources (its annotations: value)")
    parser.add_argument(
        "--timeout", type=float, default=20.0,
        help="seconds allowed for each request, connecting and reading together (default 20)",
    )  # fmt: skip
    parser.add_argument("--no-cache", action="store_true", help="fetch every page again")
    parser.add_argument("--summary", help="also append the Markdown report to this file (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write the record")
    parser.add_argument(
        "--allow-private-addresses", action="store_true",
        help="also fetch loopback, private and link-local addresses and localhost "
        "(for tests against local servers; never for real runs)",
    )  # fmt: skip
    parser.set_defaults(run=cmd_verify)
