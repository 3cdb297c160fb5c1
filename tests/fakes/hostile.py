"""A hostile HTTP server on 127.0.0.1: answers too large, too slow, or never finished.

For the limits of ``tidybot verify``: each rule maps a path prefix to a behaviour; a request
no rule matches is answered from ``upstream`` (a :class:`tests.fakes.sumdb.SumdbServer`, so the
hostile server can stand in front of a genuine database and misbehave on one kind of answer
only), or 404. Behaviours:

* :meth:`HostileServer.huge`: a 200 (or another status, a redirect) with a body of ``size``
  bytes, with or without ``Content-Length``, written lazily from one 64 KiB buffer, so a
  400 MB answer costs this process nothing but the time to send what the client reads;
* :meth:`HostileServer.gzip_bomb`: ``Content-Encoding: gzip``, a small body that inflates to
  ``size`` bytes, compressed as it is sent;
* :meth:`HostileServer.trickle`: the status line, then one byte every ``interval`` seconds,
  in the headers or in the body, until the client hangs up.

Every answer closes its connection. ``server.served`` counts the requests per rule prefix.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator

from tests.fakes.sumdb import SumdbServer

__all__ = ["HostileServer"]

_CHUNK = b"0" * 65536

Behaviour = Callable[[socket.socket, str], None]


def _send(sock: socket.socket, data: bytes | memoryview) -> bool:
    """False once the client has gone."""
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


class HostileServer:
    def __init__(self, upstream: SumdbServer | None = None) -> None:
        self.upstream = upstream
        self.rules: list[tuple[str, Behaviour]] = []
        self.served: Counter[str] = Counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    # -- behaviours ------------------------------------------------------------------------

    def huge(
        self,
        prefix: str,
        size: int,
        *,
        status: str = "200 OK",
        length: bool = True,
        location: Callable[[str], str] | None = None,
    ) -> None:
        """``size`` bytes of ``0``; with ``length=False`` no Content-Length (the end of the
        body is the end of the connection). A non-200 ``status`` starts its body with a line
        of text, as an error page would; ``location`` maps the path to a Location header."""

        def behave(sock: socket.socket, path: str) -> None:
            head = f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            if location is not None:
                head += f"Location: {location(path)}\r\n"
            if length:
                head += f"Content-Length: {size}\r\n"
            first = b"" if status.startswith("200") else b"overloaded, try later\n"
            if not _send(sock, head.encode() + b"\r\n" + first):
                return
            sent = len(first)
            view = memoryview(_CHUNK)
            while sent < size and not self._stop.is_set():
                part = view[: min(len(_CHUNK), size - sent)]
                if not _send(sock, part):
                    return
                sent += len(part)

        self.rules.append((prefix, behave))

    def gzip_bomb(self, prefix: str, size: int) -> None:
        """A gzip body that inflates to ``size`` bytes (about ``size / 1000`` on the wire)."""

        def pieces() -> Iterator[bytes]:
            z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            for _ in range(size // len(_CHUNK)):
                yield z.compress(_CHUNK)
            yield z.flush()

        def behave(sock: socket.socket, _path: str) -> None:
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                "Connection: close\r\n\r\n"
            )
            if not _send(sock, head.encode()):
                return
            for piece in pieces():
                if self._stop.is_set() or (piece and not _send(sock, piece)):
                    return

        self.rules.append((prefix, behave))

    def trickle(self, prefix: str, interval: float, *, in_headers: bool = False) -> None:
        """One byte every ``interval`` seconds, for ever: in an endless header line
        (``in_headers``) or in the body of a 200 that says it is 500 bytes long (the size of
        a lookup answer) and never gets there."""

        def behave(sock: socket.socket, _path: str) -> None:
            head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            head += "X-Slow: " if in_headers else "Content-Length: 500\r\n\r\n"
            if not _send(sock, head.encode()):
                return
            for _ in range(400 if not in_headers else 1 << 30):
                if self._stop.wait(interval) or not _send(sock, b"a"):
                    return

        self.rules.append((prefix, behave))

    # -- serving ---------------------------------------------------------------------------

    def _forward(self, sock: socket.socket, path: str) -> None:
        if self.upstream is None:
            status, ctype, body = 404, "text/plain", b"not found\n"
        else:
            status, ctype, body = self.upstream.handle(path)
        head = (
            f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        _send(sock, head.encode() + body)

    def _serve(self, sock: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            try:
                got = sock.recv(65536)
            except OSError:
                return
            if not got:
                return
            data += got
        path = data.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
        for prefix, behave in self.rules:
            if path.startswith(prefix):
                with self._lock:
                    self.served[prefix] += 1
                behave(sock, path)
                return
        self._forward(sock, path)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> HostileServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
