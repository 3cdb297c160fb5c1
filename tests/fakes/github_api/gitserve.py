"""Git over smart HTTP next to the fake GitHub API: ``git clone <clone_url>`` really works.

``GitTransport(fake, root).install()`` makes the fake's HTTP server answer
``/<owner>/<repo>.git/info/refs`` and ``/<owner>/<repo>.git/git-upload-pack`` (fetch only)
by exporting the repository's objects and refs into a bare repository under ``root`` and
running ``git http-backend`` (CGI) on it, and sets every repository's ``clone_url`` to
``<base_url>/<owner>/<repo>.git``. These paths are git's protocol, not the REST API, so the
OpenAPI validation does not apply to them.

Like github.com with a private repository, it asks for credentials: a request needs
``Authorization: Basic base64(x-access-token:<token>)`` (what ``actions/checkout`` sends as an
``http.extraHeader``) with a token the fake knows, else 401. ``requests`` logs every request
(path with query, whether and who authenticated) so a test can prove the token never rode in
a URL. ``fail_clone(name)`` makes one repository's transport answer 500.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .server import FakeGitHub

_PATH = re.compile(
    r"^/(?P<owner>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_.-]+?)\.git"
    r"(?P<rest>/info/refs|/git-upload-pack|/git-receive-pack|/HEAD|/objects/.*)$"
)


@dataclass(frozen=True)
class GitRequest:
    method: str
    path: str  # as sent, query included
    repo: str  # owner/name
    login: str | None  # the authenticated token's login, None when unauthenticated
    status: int

    @property
    def is_handshake(self) -> bool:
        """The first request of every clone or fetch (``info/refs?service=git-upload-pack``)."""
        return self.method == "GET" and "/info/refs?service=git-upload-pack" in self.path


class GitTransport:
    """Serves git's smart HTTP protocol for the repositories of one ``FakeGitHub``."""

    def __init__(self, fake: FakeGitHub, root: Path, *, require_auth: bool = True) -> None:
        self.fake = fake
        self.root = root
        self.require_auth = require_auth
        self.requests: list[GitRequest] = []
        self.failing: set[str] = set()
        self._lock = threading.Lock()
        self._export_locks: dict[str, threading.Lock] = {}
        self._hold: tuple[int, threading.Event] | None = None

    def install(self) -> GitTransport:
        self.root.mkdir(parents=True, exist_ok=True)
        self.fake.git = self
        self.fake.clone_base = self.fake.base_url
        return self

    def hold_after(self, clones: int) -> threading.Event:
        """Clones after the first ``clones`` (counted from now) wait until the event is set:
        lets a test interrupt a run at a known point, however fast the machine is."""
        gate = threading.Event()
        with self._lock:
            start = sum(1 for r in self.requests if r.is_handshake)
            self._hold = (start + clones, gate)
        return gate

    def fail_clone(self, full_name: str) -> None:
        self.failing.add(full_name.lower())

    def clones(self, full_name: str | None = None) -> list[GitRequest]:
        """The handshakes of clones (and fetches), of one repository or of all."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.is_handshake and (full_name is None or r.repo.lower() == full_name.lower())
            ]

    # ---- called by server.py -------------------------------------------------------------

    def wants(self, raw_path: str) -> bool:
        return bool(_PATH.match(urlsplit(raw_path).path))

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        m = _PATH.match(split.path)
        assert m is not None
        full = f"{m['owner']}/{m['name']}"
        body = _read_body(handler)
        login = self._login(handler.headers.get("authorization", ""))
        hold = self._hold
        if (
            hold is not None
            and handler.command == "GET"
            and "service=git-upload-pack" in split.query
        ):
            with self._lock:
                served = sum(1 for r in self.requests if r.is_handshake)
            if served >= hold[0]:
                hold[1].wait(timeout=120)
        status, headers, data = self._answer(handler, full, m["rest"], split.query, body, login)
        with self._lock:
            self.requests.append(GitRequest(handler.command, handler.path, full, login, status))
        handler.send_response(status)
        for key, value in headers:
            handler.send_header(key, value)
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        if data and handler.command != "HEAD":
            handler.wfile.write(data)

    # ---- internals -----------------------------------------------------------------------

    def _login(self, header: str) -> str | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user_pass = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        _, _, token = user_pass.partition(":")
        entry = self.fake.tokens.get(token)
        return entry.login if entry is not None else None

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        full: str,
        rest: str,
        query: str,
        body: bytes,
        login: str | None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        text = [("content-type", "text/plain")]
        if self.require_auth and login is None:
            return 401, [*text, ("www-authenticate", 'Basic realm="GitHub"')], b"auth\n"
        if rest == "/git-receive-pack" or "service=git-receive-pack" in query:
            return 403, text, b"the fake serves fetches only\n"
        try:
            repo = self.fake.repo(full)
        except KeyError:
            return 404, text, b"Repository not found.\n"
        if full.lower() in self.failing:
            return 500, text, b"Internal Server Error\n"
        bare = self.root / repo.owner / f"{repo.name}.git"
        with self._lock:
            lock = self._export_locks.setdefault(full.lower(), threading.Lock())
        if rest == "/info/refs":
            with lock:
                self.fake.export(repo.full_name, bare)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": unquote(f"/{repo.owner}/{repo.name}.git{rest}"),
            "QUERY_STRING": query,
            "REQUEST_METHOD": handler.command,
            "CONTENT_TYPE": handler.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_USER": login or "",
            "HOME": str(self.root),
        }
        for header, var in (
            ("git-protocol", "GIT_PROTOCOL"),
            ("content-encoding", "HTTP_CONTENT_ENCODING"),
        ):
            value = handler.headers.get(header)
            if value:
                env[var] = value
        proc = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        )
        if proc.returncode != 0 and not proc.stdout:
            return 500, text, proc.stderr
        return _parse_cgi(proc.stdout)


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("transfer-encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    length = int(handler.headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""


def _parse_cgi(out: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, sep, body = out.partition(b"\r\n\r\n")
    if not sep:
        head, _, body = out.partition(b"\n\n")
    status = 200
    headers: list[tuple[str, str]] = []
    for line in head.decode("latin-1").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        elif key:
            headers.append((key.strip().lower(), value.strip()))
    return status, headers, body


__all__ = ["GitRequest", "GitTransport"]
