"""`annotator verify` against local web servers (127.0.0.x only) serving fixture pages: an excerpt
found, a page that changed, a dead link, a redirect, a timeout, a page that is not HTML, a
page robots.txt forbids, and a server error that goes away on a retry; then hostile servers
(tests/hostile_servers.py), one test per behaviour, each asserting the run completes, reports
the source with what went wrong, and that no request reached an address not cited; and forged
verification records."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from annotator.pipeline import prepare
from annotator.verify import Settings, report, verify, write_record

EXCERPT = "The harbour reopened on 2 May after nineteen months of repairs."
PAGES = {
    "/found": (200, "text/html", f"<html><body><h1>Port</h1><p>{EXCERPT.replace(' ', '  ')}</p></body></html>"),
    "/typographic": (200, "text/html", "<p>The port said it was “fully open” — at last.</p>"),
    "/changed": (200, "text/html", "<p>The page now says something else entirely.</p>"),
    "/script-only": (200, "text/html", f"<script>var t = '{EXCERPT}';</script><p>Nothing here.</p>"),
    "/pdf": (200, "application/pdf", "%PDF-1.4"),
    "/private/page": (200, "text/html", f"<p>{EXCERPT}</p>"),
}
REQUESTS: list[str] = []


class Handler(BaseHTTPRequestHandler):
    flaky_seen = False

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        REQUESTS.append(f"{self.path} {self.headers.get('User-Agent')}")
        if self.path == "/robots.txt":
            return self._send(200, "text/plain", "User-agent: *\nDisallow: /private/\n")
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/found")
            self.end_headers()
            return None
        if self.path == "/slow":
            time.sleep(3)
            return self._send(200, "text/html", f"<p>{EXCERPT}</p>")
        if self.path == "/flaky":
            if not Handler.flaky_seen:
                Handler.flaky_seen = True
                return self._send(503, "text/plain", "busy")
            return self._send(200, "text/html", f"<p>{EXCERPT}</p>")
        if self.path in PAGES:
            return self._send(*PAGES[self.path])
        return self._send(404, "text/html", "<p>Not found</p>")

    def _send(self, status, kind, body):
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except BrokenPipeError:  # the client gave up waiting (the timeout case)
            pass


@pytest.fixture(scope="module")
def httpd():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()


@pytest.fixture
def server(httpd, local_dns):
    """The fixture server's address, by a public-looking name that resolves to 127.0.0.1."""
    return f"http://{SITE}:{httpd.server_address[1]}"


CASES = {  # path -> (excerpt, expected result)
    "/found": (EXCERPT, "found"),
    "/typographic": ('The port said it was "fully open" - at last.', "found"),
    "/changed": (EXCERPT, "changed"),
    "/script-only": (EXCERPT, "changed"),
    "/gone": (EXCERPT, "dead"),
    "/moved": (EXCERPT, "redirected"),
    "/slow": (EXCERPT, "timeout"),
    "/pdf": (EXCERPT, "not-html"),
    "/private/page": (EXCERPT, "robots"),
    "/flaky": (EXCERPT, "found"),
}


SITE = "harbour-news.com"  # a public name (the policy wants one), resolved to 127.0.0.1 by local_dns
OTHER = "port-authority.org"


@pytest.fixture
def local_dns(monkeypatch):
    """Host names resolved by a table, never by the network: name -> addresses. A name not in
    the table does not resolve (EAI_NONAME), as on a network where it does not exist."""
    table: dict[str, list[str]] = {SITE: ["127.0.0.1"], OTHER: ["127.0.0.1"]}
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            asked.append(host)
        else:
            return real(host, port, *args, **kwargs)  # an address: no name server involved
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in table[host]]  # fmt: skip

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    table["asked"] = asked  # type: ignore[assignment]
    return table


def site_citing(root: Path, base: str, cases: dict = CASES) -> Path:
    """A one-article site whose one annotation cites every fixture page (base + path, or a
    full address when the path is one)."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a.md").write_text("---\ntitle: A\nannotations: a\n---\n\nThe harbour reopened in May.\n")
    (root / "annotations" / "a").mkdir(parents=True)
    (root / "annotations" / "reliability.yaml").write_text(
        "classes:\n  reliable: {label: reliable, description: x, decides: true}\n"
        "  republisher: {label: copy, description: x, decides: false}\n"
        f"outlets:\n  - {{name: Local, domains: [{SITE}, {OTHER}], class: reliable, reason: The test servers.}}\n"
    )
    sources = "".join(
        f'  - title: "Page {path}"\n    outlet: Local\n    url: {path if "://" in path else base + path}\n'
        f"    excerpt: {json.dumps(excerpt, ensure_ascii=False)}\n    verified: 2026-01-01\n    relation: context\n"
        for path, (excerpt, *_) in cases.items()
    )
    (root / "annotations" / "a" / "the-harbour.md").write_text(
        f'---\nparagraph: "The harbour reopened"\n---\n\n---\nid: reopened-may\nquote: "reopened in May"\n'
        f"relation: opinion\nsources:\n{sources}---\nA note.\n"
    )
    return root


def test_verify_reports_each_kind_of_page(server, tmp_path):
    root = site_citing(tmp_path, server)
    publication = prepare(root / "docs", root / "annotations")
    settings = Settings(timeout=1.0, retries=1, backoff=0.1, pause=0.05, cache_dir=None, allow_private=True)
    started = time.perf_counter()
    checks = verify(publication, settings)
    elapsed = time.perf_counter() - started
    results = {c.url.removeprefix(server): c.result for c in checks}
    assert results == {path: expected for path, (_, expected) in CASES.items()}
    assert elapsed < 30
    moved = next(c for c in checks if c.url.endswith("/moved"))
    assert moved.final_url == f"{server}/found"
    assert all("annotated-reading-verify" in r for r in REQUESTS if not r.startswith("/robots.txt"))
    assert not any(r.startswith("/private/") for r in REQUESTS), "robots.txt was not obeyed"
    assert sum(r.startswith("/flaky") for r in REQUESTS) == 2, "a 503 is retried once"

    path = write_record(root / "annotations", checks)
    record = json.loads(path.read_text())["checks"]
    assert len(record) == len(CASES) and all(c["checked_on"] for c in record.values())
    text = report(checks)
    assert "changed" in text and f"{server}/gone" in text and "| found |" not in text

    # The site then says what the machine found, beside each source.
    again = prepare(root / "docs", root / "annotations")
    machine = {s.url.removeprefix(server): s.machine for n in again.articles[0].notes for s in n.annotation.sources}
    assert machine["/found"].result == "found" and machine["/gone"].result == "dead"


def test_verify_command_writes_the_summary(server, tmp_path, monkeypatch, capsys):
    from annotator import cli

    root = site_citing(tmp_path, server, {path: CASES[path] for path in ("/found", "/gone")})
    monkeypatch.chdir(root)
    summary = tmp_path / "summary.md"
    code = cli.main(["--docs", "docs", "--annotations", "annotations", "verify", "--timeout", "1", "--no-cache",
                     "--allow-private-addresses", "--summary", str(summary)])  # fmt: skip
    assert code == 1  # some excerpts could not be confirmed
    assert summary.read_text().startswith("## Source verification")
    assert (root / "annotations" / "verification.json").is_file()
    assert "wrote" in capsys.readouterr().out
