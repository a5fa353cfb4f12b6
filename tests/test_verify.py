"""`annotator verify` against a local web server (127.0.0.1) serving fixture pages: an excerpt
found, a page that changed, a dead link, a redirect, a timeout, a page that is not HTML, a
page robots.txt forbids, and a server error that goes away on a retry."""

from __future__ import annotations

import json
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
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


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


def site_citing(root: Path, base: str, cases: dict = CASES) -> Path:
    """A one-article site whose one annotation cites every fixture page."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a.md").write_text("---\ntitle: A\nannotations: a\n---\n\nThe harbour reopened in May.\n")
    (root / "annotations" / "a").mkdir(parents=True)
    (root / "annotations" / "reliability.yaml").write_text(
        "classes:\n  reliable: {label: reliable, description: x, decides: true}\n"
        "  republisher: {label: copy, description: x, decides: false}\n"
        "outlets:\n  - {name: Local, domains: [127.0.0.1], class: reliable, reason: The test server.}\n"
    )
    sources = "".join(
        f'  - title: "Page {path}"\n    outlet: Local\n    url: {base}{path}\n'
        f"    excerpt: {json.dumps(excerpt, ensure_ascii=False)}\n    verified: 2026-01-01\n    relation: context\n"
        for path, (excerpt, _) in cases.items()
    )
    (root / "annotations" / "a" / "the-harbour.md").write_text(
        f'---\nparagraph: "The harbour reopened"\n---\n\n---\nquote: "reopened in May"\nrelation: opinion\n'
        f"sources:\n{sources}---\nA note.\n"
    )
    return root


def test_verify_reports_each_kind_of_page(server, tmp_path):
    root = site_citing(tmp_path, server)
    publication = prepare(root / "docs", root / "annotations")
    settings = Settings(timeout=1.0, retries=1, backoff=0.1, pause=0.05, cache_dir=None)
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
                     "--summary", str(summary)])  # fmt: skip
    assert code == 1  # some excerpts could not be confirmed
    assert summary.read_text().startswith("## Source verification")
    assert (root / "annotations" / "verification.json").is_file()
    assert "wrote" in capsys.readouterr().out
