"""A checksum database test server: a real transparent log with tiles, on 127.0.0.1.

It speaks the protocol of sum.golang.org (``/latest``, ``/lookup/<path>@<version>``,
``/tile/<H>/<L>/<NNN>[.p/<W>]`` and ``/tile/<H>/data/...``) with tiles of height 8, signs its
tree heads with an Ed25519 key generated once per test session, and also answers under
``/sumdb/<name>/...`` (with ``/sumdb/<name>/supported``) so it can stand in for a module
proxy that proxies the database. The real ``go`` command accepts it through
``GOSUMDB="<vkey> http://127.0.0.1:PORT"``.

Fault switches (``server.faults``) make it lie the ways a compromised or broken database
could: bad signatures, an unknown key, a forged record served with a forged tile, a forged
record alone, truncated tiles, 5xx answers, and :meth:`SumdbServer.fork` (a history that
rewrites a record a client has already seen).

Fixtures: ``sumdb_key`` (session: signer and verifier keys) and ``sumdb_server`` (function:
a started server holding every fixture module of tests/data/modules plus filler records up
to 320 records, so records 0-255 sit in a full tile authenticated through its parent).
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.engine.dirhash import hash_gomod, hash_zip
from bot.engine.modpath import escape_path, escape_version, unescape_path, unescape_version
from bot.verify import tlog
from bot.verify.note import Signer, generate_key, parse_signer, sign_note
from bot.verify.tlog import HashList, Tile, Tree

__all__ = [
    "SUMDB_NAME",
    "Faults",
    "SumdbKey",
    "SumdbServer",
    "filler_record",
    "sumdb_key",
    "sumdb_server",
]

SUMDB_NAME = "sum.tidybot.test"
TILE_HEIGHT = 8
_MOD_VER = re.compile(r"^[^@]+@v[0-9]+\.[0-9]+\.[0-9]+(-[^@]*)?(\+incompatible)?$")


@dataclass(frozen=True)
class SumdbKey:
    skey: str
    vkey: str

    @property
    def signer(self) -> Signer:
        return parse_signer(self.skey)


@dataclass
class Faults:
    bad_signature: bool = False  # flip one bit of every signature served
    unknown_key: bool = False  # sign with another key of the same name
    forged_tile: str | None = None  # "path@version": forged record + forged level-0 tile
    forged_record: str | None = None  # "path@version": forged record, genuine tiles
    truncate_tiles: bool = False  # hash tiles lose their last hash
    missing_tiles: bool = False  # every tile answered 404 (a replay of an older log)
    fail_next: int = 0  # answer the next N requests with fail_status
    fail_status: int = 503


def _fake_hash(seed: str) -> str:
    return "h1:" + base64.b64encode(hashlib.sha256(seed.encode()).digest()).decode()


def filler_record(i: int) -> tuple[str, str, str, str]:
    """The i-th filler module: (path, version, zip hash, go.mod hash)."""
    path = f"filler.example/m{i:04d}"
    return path, "v1.0.0", _fake_hash(f"{path} zip"), _fake_hash(f"{path} mod")


def record_text(path: str, version: str, zip_hash: str, mod_hash: str) -> bytes:
    return f"{path} {version} {zip_hash}\n{path} {version}/go.mod {mod_hash}\n".encode()


class SumdbLog:
    """An append-only log of go.sum records with go's stored-hash layout."""

    def __init__(self) -> None:
        self.records: list[bytes] = []
        self.hashes = HashList()
        self.index: dict[str, int] = {}

    def add(self, key: str, text: bytes) -> int:
        if key in self.index:
            return self.index[key]
        n = len(self.records)
        self.hashes.hashes.extend(tlog.stored_hashes(n, text, self.hashes))
        self.records.append(text)
        self.index[key] = n
        return n

    @property
    def tree(self) -> Tree:
        n = len(self.records)
        return Tree(n, tlog.tree_hash(n, self.hashes))

    def tile(self, t: Tile) -> bytes:
        return tlog.read_tile_data(t, self.hashes)


class SumdbServer:
    """The server state plus its HTTP front end (start/stop)."""

    def __init__(self, key: SumdbKey, name: str = SUMDB_NAME) -> None:
        self.key = key
        self.name = name
        self.log = SumdbLog()
        self.faults = Faults()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._other_key = generate_key(name)[0]
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- content ---------------------------------------------------------------------------

    def add_module(self, path: str, version: str, zip_hash: str, mod_hash: str) -> int:
        with self._lock:
            return self.log.add(f"{path}@{version}", record_text(path, version, zip_hash, mod_hash))

    def add_proxy_modules(self, proxy_dir: Path) -> None:
        """Record every module version of a GOPROXY directory with its real h1: hashes."""
        for mod in sorted(proxy_dir.rglob("*.zip")):
            version = unescape_version(mod.stem)
            esc_path = mod.parent.parent.relative_to(proxy_dir).as_posix()
            path = unescape_path(esc_path)
            gomod = mod.with_suffix(".mod").read_bytes()
            self.add_module(path, version, hash_zip(mod), hash_gomod(gomod))

    def fill(self, n: int) -> None:
        """Add filler records until the log holds n records."""
        i = 0
        while len(self.log.records) < n:
            path, version, zh, mh = filler_record(i)
            self.add_module(path, version, zh, mh)
            i += 1

    def gosum_lines(self, path: str, version: str) -> list[str]:
        """The go.sum lines of a record, as the log holds them."""
        text = self.log.records[self.log.index[f"{path}@{version}"]].decode()
        return text.splitlines()

    def fork(self, rewrite: str, extra: int = 10) -> None:
        """Replace the log by one whose record ``rewrite`` (path@version) has another hash,
        grown by ``extra`` records: a history inconsistent with every head served before."""
        with self._lock:
            old = self.log
            new = SumdbLog()
            keys = sorted(old.index, key=old.index.__getitem__)
            for key in keys:
                text = old.records[old.index[key]]
                if key == rewrite:
                    lines = text.decode().splitlines()
                    p, v, _ = lines[0].split(" ")
                    text = f"{p} {v} {_fake_hash('forked')}\n{lines[1]}\n".encode()
                new.add(key, text)
            self.log = new
        base = len(self.log.records)
        for i in range(extra):
            path, version, zh, mh = filler_record(10_000 + base + i)
            self.add_module(path, version, zh, mh)

    # -- protocol --------------------------------------------------------------------------

    def signed_head(self) -> bytes:
        signer = parse_signer(self._other_key) if self.faults.unknown_key else self.key.signer
        msg = sign_note(tlog.format_tree(self.log.tree).decode(), signer)
        if self.faults.bad_signature:
            text, _, sig = msg.decode().rpartition("\n\n")
            prefix, b64 = sig.rstrip("\n").rsplit(" ", 1)
            raw = bytearray(base64.b64decode(b64))
            raw[10] ^= 1
            msg = f"{text}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n".encode()
        return msg

    def _forged(self, text: bytes) -> bytes:
        lines = text.decode().splitlines()
        p, v, _ = lines[0].split(" ")
        return f"{p} {v} {_fake_hash('forged')}\n{lines[1]}\n".encode()

    def handle(self, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of path."""
        with self._lock:
            self.requests.append(path)
            if self.faults.fail_next > 0:
                self.faults.fail_next -= 1
                return self.faults.fail_status, "text/plain", b"temporarily unavailable\n"
            prefix = f"/sumdb/{self.name}"
            if path == prefix + "/supported":
                return 200, "text/plain", b""
            path = path.removeprefix(prefix)
            if path == "/latest":
                return 200, "text/plain; charset=UTF-8", self.signed_head()
            if path.startswith("/lookup/"):
                return self._lookup(path.removeprefix("/lookup/"))
            if path.startswith("/tile/"):
                return self._tile(path.removeprefix("/"))
            return 404, "text/plain", b"not found\n"

    def _lookup(self, mod: str) -> tuple[int, str, bytes]:
        if not _MOD_VER.match(mod):
            return 400, "text/plain", b"invalid module@version syntax\n"
        esc_path, esc_vers = mod.split("@", 1)
        try:
            key = f"{unescape_path(esc_path)}@{unescape_version(esc_vers)}"
        except ValueError as e:
            return 400, "text/plain", f"{e}\n".encode()
        id_ = self.log.index.get(key)
        if id_ is None:
            return 404, "text/plain", f"not found: {key}\n".encode()
        text = self.log.records[id_]
        if key in (self.faults.forged_tile, self.faults.forged_record):
            text = self._forged(text)
        body = tlog.format_record(id_, text) + self.signed_head()
        return 200, "text/plain; charset=UTF-8", body

    def _tile(self, path: str) -> tuple[int, str, bytes]:
        if self.faults.missing_tiles:
            return 404, "text/plain", b"tile not found\n"
        try:
            t = tlog.parse_tile_path(path)
        except tlog.TlogError:
            return 400, "text/plain", b"invalid tile syntax\n"
        if t.h != TILE_HEIGHT:
            return 404, "text/plain", b"wrong tile height\n"
        size = len(self.log.records)
        if t.l == -1:
            start = t.n << t.h
            if start + t.w > size:
                return 404, "text/plain", b"tile not found\n"
            body = b"".join(self.log.records[start + i] + b"\n" for i in range(t.w))
            return 200, "text/plain; charset=UTF-8", body
        if ((t.n << t.h) + t.w) << (t.l * t.h) > size:
            return 404, "text/plain", b"tile not found\n"
        data = self.log.tile(t)
        if t.l == 0 and self.faults.forged_tile is not None:
            id_ = self.log.index.get(self.faults.forged_tile)
            if id_ is not None and id_ >> t.h == t.n and (id_ & 0xFF) < t.w:
                off = (id_ & 0xFF) * 32
                forged = tlog.record_hash(self._forged(self.log.records[id_]))
                data = data[:off] + forged + data[off + 32 :]
        if self.faults.truncate_tiles:
            data = data[:-32]
        return 200, "application/octet-stream", data

    # -- HTTP ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def gosumdb(self) -> str:
        """GOSUMDB value that points go (and tidybot) straight at this server."""
        return f"{self.key.vkey} {self.url}"

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                status, ctype, body = server.handle(self.path.split("?", 1)[0])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def lookup_requests(self) -> list[str]:
        return [r for r in self.requests if "/lookup/" in r]

    def tile_requests(self) -> list[str]:
        return [r for r in self.requests if "/tile/" in r]


def lookup_path(path: str, version: str) -> str:
    return f"/lookup/{escape_path(path)}@{escape_version(version)}"


@pytest.fixture(scope="session")
def sumdb_key() -> SumdbKey:
    """An Ed25519 key pair for the test database, generated once per session."""
    skey, vkey = generate_key(SUMDB_NAME)
    return SumdbKey(skey, vkey)


@pytest.fixture
def sumdb_server(sumdb_key: SumdbKey, goproxy_dir: Path) -> Iterator[SumdbServer]:
    """A started test database holding every fixture module, padded to 320 records."""
    server = SumdbServer(sumdb_key)
    server.add_proxy_modules(goproxy_dir)
    server.fill(320)
    server.start()
    try:
        yield server
    finally:
        server.stop()
