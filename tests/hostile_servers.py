"""Local servers for tests/test_verify.py: well-behaved and hostile ones, on 127.0.0.x only.

`RawServer` answers each request with a function writing raw bytes to the socket (for
malformed status lines, too many headers, dripping servers); it counts the requests it sees,
so a test can assert that an address it must not reach got none. Every socket has a short
timeout, and `stop` closes the listener and every open connection: no test can hang on one.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable

Respond = Callable[[socket.socket, str], None]  # (connection, request path)


class RawServer:
    """A TCP server on host:0; `respond(connection, path)` writes the answer (robots.txt gets a
    404 unless `robots` is given). `requests` lists each request's path and Host header."""

    def __init__(
        self, respond: Respond, host: str = "127.0.0.1", robots: str | None = None, tls: ssl.SSLContext | None = None
    ):
        self.respond = respond
        self.tls = tls
        self.robots = robots
        self.requests: list[tuple[str, str]] = []
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(0.2)
        self.host, self.port = self._listener.getsockname()[:2]
        self.base = f"http://{host}:{self.port}"
        self._open: list[socket.socket] = []
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def paths(self, robots: bool = False) -> list[str]:
        return [path for path, _ in self.requests if robots or path != "/robots.txt"]

    def _serve(self) -> None:
        while self._running:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            self._open.append(connection)
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        try:
            connection.settimeout(10)
            if self.tls is not None:
                connection = self.tls.wrap_socket(connection, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = connection.recv(4096)
                if not data:
                    return
                head += data
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else ""
            host = next((line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("host:")), "")
            self.requests.append((path, host))
            if path == "/robots.txt":
                if self.robots is None:
                    send(connection, 404, "text/plain", b"none")
                else:
                    send(connection, 200, "text/plain", self.robots.encode())
            else:
                self.respond(connection, path)
        except (OSError, ValueError):
            pass  # the client went away (as it should, past its deadline)
        finally:
            connection.close()

    def stop(self) -> None:
        self._running = False
        self._listener.close()
        for connection in self._open:
            try:
                connection.close()
            except OSError:
                pass
        self._thread.join(2)


def send(connection: socket.socket, status: int, kind: str, body: bytes, extra: str = "") -> None:
    """A well-formed HTTP/1.1 answer (`extra`: more header lines, each ending in CRLF)."""
    head = (
        f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n{extra}\r\n"
    )
    connection.sendall(head.encode("latin-1") + body)


def redirect(location: str, status: int = 302) -> Respond:
    def respond(connection: socket.socket, path: str) -> None:
        send(connection, status, "text/html", b"moved", f"Location: {location}\r\n")

    return respond


def page(body: str | bytes, kind: str = "text/html; charset=utf-8") -> Respond:
    data = body.encode("utf-8") if isinstance(body, str) else body

    def respond(connection: socket.socket, path: str) -> None:
        send(connection, 200, kind, data)

    return respond


def routes(table: dict[str, Respond]) -> Respond:
    """Dispatch on the path; anything else is a 404."""

    def respond(connection: socket.socket, path: str) -> None:
        handler = table.get(path)
        if handler is None:
            send(connection, 404, "text/html", b"<p>Not found</p>")
        else:
            handler(connection, path)

    return respond
