"""`annotator verify` against local web servers (127.0.0.x only) serving fixture pages: an excerpt
found, a page that changed, a dead link, a redirect, a timeout, a page that is not HTML, a
page robots.txt forbids, and a server error that goes away on a retry; then hostile servers
(tests/hostile_servers.py), one test per behaviour, each asserting the run completes, reports
the source with what went wrong, and that no request reached an address not cited; and forged
verification records."""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
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
    checks = verify(publication, settings)
    results = {c.url.removeprefix(server): c.result for c in checks}
    assert results == {path: expected for path, (_, expected) in CASES.items()}
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


# ---- Hostile servers: each bad page is its own problem, and the run goes on --------------------

from annotator import verify as verify_module  # noqa: E402
from annotator.errors import ProblemCollector  # noqa: E402
from annotator.paths import COMMAND  # noqa: E402
from annotator.verify import read_record, refused_address, visible_text  # noqa: E402

from .hostile_servers import RawServer, page, redirect, routes, send  # noqa: E402

GOOD = f"<html><body><p>{EXCERPT}</p></body></html>"


def quick(**overrides) -> Settings:
    """Short deadlines, no retries, no pauses, no cache; local servers reachable unless overridden."""
    values = {"timeout": 1.0, "retries": 0, "backoff": 0.05, "pause": 0.0, "cache_dir": None, "allow_private": True}
    return Settings(**{**values, **overrides})


def run(root: Path, cited: list[str], settings: Settings):
    """verify() on a site citing each address with EXCERPT; (checks by address, all checks).

    How long a run takes is not asserted (timings belong to scripts/benchmark): the deadlines are
    checked by what each check reports (a timeout, a page cut off) and what the server saw."""
    site_citing(root, "", {address: (EXCERPT,) for address in cited})
    checks = verify(prepare(root / "docs", root / "annotations"), settings)
    return {c.url: c for c in checks}, checks


@pytest.fixture
def servers():
    started: list[RawServer] = []

    def start(respond, host: str = "127.0.0.1", robots: str | None = None, tls=None) -> RawServer:
        server = RawServer(respond, host, robots, tls)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def at(server: RawServer, path: str, name: str = SITE) -> str:
    return f"http://{name}:{server.port}{path}"


def drip(head: bytes, then: bytes, every: float = 0.1):
    def respond(connection, path):
        connection.sendall(head)
        for _ in range(300):  # 30 s at most, far past any deadline
            connection.sendall(then)
            time.sleep(every)

    return respond


def raw(data: bytes):
    def respond(connection, path):
        connection.sendall(data)

    return respond


HOSTILE = {  # path -> (answer, result, what the detail must name)
    "/charset": (page(GOOD, "text/html; charset=x-no-such-charset"), "error", "LookupError"),
    "/meta-charset": (page(f'<meta charset="x-bogus">{GOOD}', "text/html"), "error", "LookupError"),
    "/status-line": (raw(b"HTTP/1.1 OK-ish\r\n\r\nbody"), "error", "BadStatusLine"),
    "/not-http": (raw(b"\x00\xff garbage, not HTTP at all\r\n\r\n"), "error", "BadStatusLine"),
    "/headers": (
        raw(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n"),
        "error",
        "HTTPException",
    ),  # fmt: skip
    "/long-line": (raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"), "error", "LineTooLong"),
    "/hang-up": (raw(b""), "error", "RemoteDisconnected"),
    "/short-body": (
        raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 9999\r\n\r\n<p>x"),
        "error",
        "ProtocolError",
    ),  # fmt: skip
}


@pytest.mark.parametrize("path", HOSTILE)
def test_a_hostile_answer_is_that_source_s_problem_and_the_run_goes_on(path, servers, local_dns, tmp_path):
    answer, expected, named = HOSTILE[path]
    server = servers(routes({path: answer, "/good": page(GOOD)}))
    by_url, checks = run(tmp_path, [at(server, path), at(server, "/good")], quick())
    bad = by_url[at(server, path)]
    assert (bad.result, by_url[at(server, "/good")].result) == (expected, "found")
    assert named in bad.detail, bad.detail
    assert sorted(server.paths()) == sorted([path, "/good"]), "each cited page once, nothing else"
    text = report(checks)
    assert f"| {expected} | {at(server, path)} |" in text and named in text
    problems = ProblemCollector()  # the record written is one read_record accepts
    write_record(tmp_path / "annotations", checks)
    assert len(read_record(tmp_path / "annotations", problems)) == 2 and not problems.problems


@pytest.mark.parametrize("where", ["head", "body"])
def test_a_server_dripping_a_byte_at_a_time_is_cut_off_at_the_deadline(where, servers, local_dns, tmp_path):
    if where == "head":  # status line sent, then one header byte every 0.1 s
        answer = drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a")
    else:  # headers sent, then one body byte every 0.1 s
        answer = drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n", b"a")
    server = servers(routes({"/drip": answer}))
    by_url, _ = run(tmp_path, [at(server, "/drip")], quick(timeout=1.0, retries=1))
    check = by_url[at(server, "/drip")]
    assert check.result == "timeout" and "1 s" in check.detail
    assert server.paths() == ["/drip", "/drip"], "two attempts (one retry), each cut at its 1 s deadline"


def test_a_redirect_is_checked_like_a_cited_address(servers, local_dns, tmp_path, monkeypatch):
    """127.0.0.1 stands for a public address here (the test's one change to the rules); a
    redirect from it to 127.0.0.2 (loopback), to localhost, or to ftp: or file: is refused, and
    the server behind 127.0.0.2 sees no request at all, not even for robots.txt."""
    real = refused_address
    monkeypatch.setattr(verify_module, "refused_address", lambda ip: "" if str(ip) == "127.0.0.1" else real(ip))
    inside = servers(page(GOOD), host="127.0.0.2")
    outside = servers(
        routes({
            "/to-loopback": redirect(f"http://127.0.0.2:{inside.port}/secret"),
            "/to-localhost": redirect(f"http://localhost:{inside.port}/secret", 301),
            "/to-ftp": redirect(f"ftp://{SITE}/file.txt"),
            "/to-file": redirect("file:///etc/passwd", 307),
            "/good": page(GOOD),
        })
    )  # fmt: skip
    cited = [at(outside, p) for p in ("/to-loopback", "/to-localhost", "/to-ftp", "/to-file", "/good")]
    by_url, checks = run(tmp_path, cited, quick(allow_private=False))
    assert {url.rsplit("/", 1)[1]: c.result for url, c in by_url.items()} == {
        "to-loopback": "refused", "to-localhost": "refused", "to-ftp": "refused", "to-file": "refused", "good": "found",
    }  # fmt: skip
    assert "127.0.0.2, a loopback address" in by_url[cited[0]].detail
    assert by_url[cited[0]].final_url == f"http://127.0.0.2:{inside.port}/secret", "the address refused is reported"
    assert "local host name" in by_url[cited[1]].detail
    assert "not an http(s) address" in by_url[cited[2]].detail and "ftp://" in by_url[cited[2]].detail
    assert inside.requests == [], "no request reached the address not cited"
    assert sorted(outside.paths()) == sorted(p.rsplit(":", 1)[1].split("/", 1)[1].join("/ ").strip() for p in cited)
    assert "| refused |" in report(checks)


def test_a_redirect_to_another_host_obeys_that_host_s_robots_txt(servers, local_dns, tmp_path):
    other = servers(routes({"/ok": page(GOOD), "/private/x": page(GOOD)}), host="127.0.0.2",
                    robots="User-agent: *\nDisallow: /private/\n")  # fmt: skip
    first = servers(
        routes({
            "/hop": redirect(f"http://127.0.0.2:{other.port}/ok"),
            "/hop-private": redirect(f"http://127.0.0.2:{other.port}/private/x"),
        })
    )  # fmt: skip
    by_url, _ = run(tmp_path, [at(first, "/hop"), at(first, "/hop-private")], quick())
    hop, private = by_url[at(first, "/hop")], by_url[at(first, "/hop-private")]
    assert (hop.result, hop.final_url) == ("redirected", f"http://127.0.0.2:{other.port}/ok")
    assert private.result == "robots" and "/private/x" in private.detail
    assert other.paths(robots=True) == ["/robots.txt", "/ok"], "robots.txt read once, the forbidden page never"
    assert first.requests[0][1] == f"{SITE}:{first.port}", "connected to the address checked, Host: the name"


def test_redirects_stop_after_five_hops(servers, local_dns, tmp_path):
    def loop(connection, path):
        send(connection, 302, "text/html", b"again", f"Location: /loop/{int(path.rsplit('/', 1)[1]) + 1}\r\n")

    server = servers(lambda connection, path: loop(connection, path) if path.startswith("/loop/") else None)
    by_url, _ = run(tmp_path, [at(server, "/loop/0")], quick())
    check = by_url[at(server, "/loop/0")]
    assert check.result == "error" and "more than 5 redirects" in check.detail
    assert check.final_url == at(server, "/loop/5")
    assert server.paths() == [f"/loop/{n}" for n in range(6)], "the address, then five hops; not a sixth"


def nested(depth: int, inner: str) -> str:
    return "<div>" * depth + inner + "</div>" * depth


def test_a_huge_nested_page_is_read_in_linear_time(servers, local_dns, tmp_path):
    body = "<html><body>" + nested(450_000, f"<p>{EXCERPT}</p>") + "</body></html>"  # 4.95 MB, 450,000 deep
    assert 4_500_000 < len(body) < verify_module.MAX_PAGE_BYTES
    server = servers(routes({"/deep": page(body)}))
    by_url, _ = run(tmp_path, [at(server, "/deep")], quick(timeout=10.0))
    assert by_url[at(server, "/deep")].result == "found"


@pytest.mark.parametrize(
    "markup",
    [  # each about 5 MB, the most a page can bring (Settings.max_bytes)
        nested(470_000, "x"),
        "<!--" * 1_300_000,  # comments never closed (quadratic in html.parser: minutes)
        "<a " * 1_700_000,  # tags never closed
        "<" * 5_000_000,
        "<b x='" * 870_000,  # quotes never closed
        "<script>" * 650_000,  # scripts never closed
        "&amp;x" * 870_000,
        "<a>x" * 1_300_000,  # the most tags per byte
        '<a href="x>y" class=z>t</a>' * 190_000,  # quoted attributes holding ">"
    ],
    ids=["nested", "comments", "open-tags", "angles", "quotes", "scripts", "entities", "tags", "attributes"],
)
def test_taking_a_page_s_text_is_bounded_whatever_the_markup(markup):
    assert len(markup) <= verify_module.MAX_PAGE_BYTES
    assert isinstance(visible_text(markup), str)  # within its own deadline (TooSlow otherwise); BeautifulSoup took 66 s


def test_taking_a_page_s_text_stops_at_its_time_limit():
    with pytest.raises(verify_module.TooSlow):
        visible_text(nested(100_000, "x"), seconds=0.0)


def test_visible_text_leaves_out_what_a_reader_does_not_see():
    markup = (
        "<html><head><title>T</title><style>p{x:'<p>'}</style><script>var s = '</p><p>hidden';</script></head>"
        "<body><noscript>no</noscript><template><p>tpl</p></template><!-- a <p>comment</p> -->"
        "<p title='a > b'>The <em>port</em>. Said &ldquo;open&rdquo;</p><div>two</div><div>words</div></body></html>"
    )
    text = " ".join(visible_text(markup).split())
    assert text == "T The port. Said “open” two words"


def test_a_page_over_the_size_limit_is_read_only_to_the_limit(servers, local_dns, tmp_path):
    filler = "<p>" + "filler text " * 500_000 + "</p>"  # 6 MB
    server = servers(routes({"/big-end": page(filler + f"<p>{EXCERPT}</p>"), "/big-start": page(GOOD + filler)}))
    by_url, checks = run(tmp_path, [at(server, "/big-end"), at(server, "/big-start")], quick(timeout=5.0))
    assert by_url[at(server, "/big-end")].result == "too-large", "the excerpt lies past the 5 MB read"
    assert by_url[at(server, "/big-start")].result == "found", "the first 5 MB hold it"
    assert "| too-large |" in report(checks)


def test_loopback_is_refused_without_the_option(servers, local_dns, tmp_path):
    server = servers(page(GOOD))
    local_dns["mixed.example.com"] = ["93.184.216.34", "127.0.0.1"]  # a public address and a loopback one
    cited = [at(server, "/page"), f"http://127.0.0.1:{server.port}/page", f"http://localhost:{server.port}/page"]
    from annotator import verify as v

    fetcher = v.Fetcher(quick(allow_private=False))
    pages = {url: fetcher.fetch(url) for url in [*cited, f"http://mixed.example.com:{server.port}/page"]}
    assert {p.problem for p in pages.values()} == {"refused"}
    assert "resolves to 127.0.0.1, a loopback address" in pages[cited[0]].detail
    assert "127.0.0.1 is 127.0.0.1, a loopback address" in pages[cited[1]].detail
    assert "localhost is a local host name" in pages[cited[2]].detail
    assert "resolves to 127.0.0.1" in pages[f"http://mixed.example.com:{server.port}/page"].detail
    by_url, _ = run(tmp_path, [cited[0]], quick(allow_private=False))  # and through verify()
    assert by_url[cited[0]].result == "refused"
    assert server.requests == [], "no request, not even for robots.txt, reached the refused server"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::", "224.0.0.1",
     "240.0.0.1", "255.255.255.255", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fe80::1", "fc00::1",
     "ff02::1", "192.0.2.1"],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    assert refused_address(ipaddress.ip_address(address))


def test_public_addresses_are_allowed():
    assert not refused_address(ipaddress.ip_address("93.184.216.34"))
    assert not refused_address(ipaddress.ip_address("2606:4700:4700::1111"))


def test_the_connection_must_reach_the_address_checked(servers, local_dns, tmp_path, monkeypatch):
    """If the connection lands elsewhere than the address resolved and checked (a rebinding, a
    hijack), nothing is sent: the peer address is checked before the request."""
    elsewhere = servers(page(GOOD), host="127.0.0.2")
    server = servers(page(GOOD))
    real = verify_module._open_socket
    monkeypatch.setattr(
        verify_module, "_open_socket", lambda address, timeout: real(("127.0.0.2", elsewhere.port), timeout)
    )
    by_url, _ = run(tmp_path, [at(server, "/page")], quick())
    check = by_url[at(server, "/page")]
    assert check.result == "refused" and "not to the address checked (127.0.0.1)" in check.detail
    assert elsewhere.requests == [] and server.requests == []


def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for name (openssl; the test is skipped without it)."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("openssl is missing: CI must run the HTTPS tests (apt-get install openssl)")
        pytest.skip("openssl is not installed")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def test_https_is_checked_against_the_name_though_connected_by_address(servers, local_dns, tmp_path, monkeypatch):
    """HTTPS to the address resolved, with the host name sent (SNI) and checked in the
    certificate: a trusted certificate for the name is found; a certificate for another name,
    an untrusted one, and a server that never speaks TLS are each that source's problem."""
    good_cert, good_key = certificate(tmp_path, SITE)
    wrong_cert, wrong_key = certificate(tmp_path, "someone-else.net")
    (tmp_path / "trusted.pem").write_text(good_cert.read_text() + wrong_cert.read_text())

    def tls(cert, key):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        return context

    right = servers(page(GOOD), tls=tls(good_cert, good_key))
    wrong = servers(page(GOOD), tls=tls(wrong_cert, wrong_key))
    silent = servers(lambda connection, path: None, tls=None)  # accepts, never answers the TLS hello
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "trusted.pem"))
    cited = [f"https://{SITE}:{s.port}/page" for s in (right, wrong, silent)]
    by_url, _ = run(tmp_path / "site", cited, quick())
    assert [by_url[url].result for url in cited] == ["found", "error", "timeout"]
    assert "SSLCertVerificationError" in by_url[cited[1]].detail and "someone-else.net" not in cited[1]
    assert right.paths() == ["/page"] and wrong.paths() == [], "no request sent over an unverified connection"


def offline_site(tmp_path, monkeypatch, failure):
    """A site citing two hosts, on a machine whose network fails as `failure` says."""

    def getaddrinfo(host, port, *args, **kwargs):
        if failure in ("EAI_AGAIN", "EAI_NONAME"):
            raise socket.gaierror(getattr(socket, failure), "no network")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    def unreachable(address, timeout):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(verify_module, "_open_socket", unreachable)
    return site_citing(tmp_path, "", {f"https://{SITE}/a": (EXCERPT,), f"https://{OTHER}/b": (EXCERPT,)})


@pytest.mark.parametrize("failure", ["EAI_AGAIN", "EAI_NONAME", "ENETUNREACH"])
def test_no_network_is_reported_as_offline_not_dead(failure, tmp_path, monkeypatch, capsys):
    from annotator import cli

    root = offline_site(tmp_path, monkeypatch, failure)
    checks = verify(prepare(root / "docs", root / "annotations"), quick(allow_private=False))
    assert checks.offline and {c.result for c in checks} == {"offline"}
    assert "network is unreachable" in report(checks) and "| dead |" not in report(checks)
    monkeypatch.chdir(root)
    code = cli.main(["--docs", "docs", "--annotations", "annotations", "verify", "--timeout", "1", "--no-cache"])
    out = capsys.readouterr().out
    assert code == 2 and "the network is unreachable" in out and "no record written" in out
    assert not (root / "annotations" / "verification.json").exists()


def test_a_host_that_does_not_resolve_is_dead_when_others_answer(servers, local_dns, tmp_path):
    server = servers(page(GOOD))
    by_url, checks = run(tmp_path, [at(server, "/page"), f"https://gone.{OTHER}/x"], quick())
    assert by_url[at(server, "/page")].result == "found" and not checks.offline
    assert by_url[f"https://gone.{OTHER}/x"].result == "dead"
    assert "does not resolve" in by_url[f"https://gone.{OTHER}/x"].detail


def test_verify_help_names_the_private_addresses_option(capsys):
    from annotator import cli

    with pytest.raises(SystemExit):
        cli.main(["verify", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--allow-private-addresses" in out and "for tests against local servers" in out


# ---- The record is untrusted input: only what write_record writes is read -----------------------

URL = "https://harbour-news.com/a"
KEY = verify_module.excerpt_key(URL, EXCERPT)


def good_check(**changes) -> dict:
    return {"url": URL, "excerpt": EXCERPT, "result": "found", "checked_on": "2026-01-01", **changes}


FORGED = {
    "unknown result": {"checks": {KEY: good_check(result="verified-by-hand")}},
    "free text date": {"checks": {KEY: good_check(checked_on="last Tuesday")}},
    "impossible date": {"checks": {KEY: good_check(checked_on="2026-02-30")}},
    "future date": {"checks": {KEY: good_check(checked_on="2999-01-01")}},
    "excerpt not text": {"checks": {KEY: good_check(excerpt=["a"])}},
    "status not a number": {"checks": {KEY: good_check(status="200")}},
    "excerpt too long": {"checks": {KEY: good_check(excerpt="x" * 451)}},
    "javascript url": {"checks": {KEY: good_check(url="javascript:alert(1)")}},
    "unknown field": {"checks": {KEY: good_check(html="<script>")}},
    "no date": {"checks": {KEY: {k: v for k, v in good_check().items() if k != "checked_on"}}},
    "key not its check's": {"checks": {"https://harbour-news.com/a 0000000000000000": good_check()}},
    "checks a list": {"checks": [good_check()]},
    "extra top-level": {"checks": {}, "trusted": True},
    "no checks": {"about": "x"},
    "a string": "checks",
}


@pytest.mark.parametrize("forged", [*FORGED, "not JSON", "deeply nested"])
def test_a_forged_record_is_refused_with_a_message(forged, tmp_path):
    path = tmp_path / "verification.json"
    if forged == "not JSON":
        path.write_text("{'checks': {}}")
    elif forged == "deeply nested":
        path.write_text("[" * 200_000)
    else:
        path.write_text(json.dumps(FORGED[forged]))
    problems = ProblemCollector()
    assert read_record(tmp_path, problems) == {}
    (problem,) = problems.problems
    assert str(problem).startswith(f"{path}:1:1: the verification record is not what annotator verify writes (")
    assert str(problem).endswith(f"; run: {COMMAND} verify, or remove the file")


def test_a_record_as_written_is_read(tmp_path):
    path = tmp_path / "verification.json"
    path.write_text(json.dumps({"about": "x", "checks": {KEY: good_check(status=200, notes=["a/b.md:3"])}}))
    problems = ProblemCollector()
    assert read_record(tmp_path, problems) == {KEY: good_check(status=200, notes=["a/b.md:3"])}
    assert not problems.problems
