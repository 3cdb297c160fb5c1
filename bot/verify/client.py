"""The checksum database client: httpx transport, go's on-disk cache, full verification.

Follows golang.org/x/mod/sumdb/client.go (reference §4.6): every tree head is a signed note
checked with the database key; every lookup record is proved by the tiles of the latest tree
head; every tile is authenticated before it is used or cached (``tlog.TileHashReader``);
every new tree head must contain the newest one seen before (``<name>/latest``), otherwise
:class:`ForkError`.

Every answer is read up to a limit for its kind and every request has a wall-clock deadline,
as has the run (``bot.verify.limits``, ``bot.verify.transport``); cache files are read up to
the same limits (a longer one is read as missing and fetched again).

Cache layout is go's, so go and tidybot share it:

* ``$GOMODCACHE/cache/download/sumdb/<name>/lookup/<escpath>@<escvers>``: raw lookups,
  written only once proved;
* ``$GOMODCACHE/cache/download/sumdb/<name>/tile/<H>/<L>/<NNN>[.p/<W>]``: authenticated tiles;
* ``$GOPATH/pkg/sumdb/<name>/latest``: the newest signed tree head seen, updated by
  compare-and-swap under an exclusive ``flock`` (go's lockedfile uses flock on Linux too).

The database URL is found lazily, the first time something is not in the cache: a run that
needs nothing from the network makes no request at all.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import stat
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from bot.engine.modpath import escape_path, escape_version
from bot.record import fields, record
from bot.verify import tlog
from bot.verify.limits import (
    CONNECT_TIMEOUT,
    MAX_LOOKUP,
    REQUEST_TIMEOUT_ENV,
    RUN_TIMEOUT_ENV,
    NetLimits,
    tile_limit,
)
from bot.verify.note import NoteError, Verifiers, open_note
from bot.verify.sumdbenv import SumdbEnv
from bot.verify.tlog import Tile, TileHashReader, TlogError, Tree
from bot.verify.transport import (
    DeadlineError,
    EncodingError,
    TooLargeError,
    bound_client,
    get_bounded,
)

T = TypeVar("T")

TILE_HEIGHT = 8
USER_AGENT = "tidybot-verify"


class SumdbError(Exception):
    """A lookup that could not be completed; ``str()`` says why in one line."""


class NotFoundError(SumdbError):
    """The database (or the proxy in front of it) answered 404 or 410."""


class UnavailableError(SumdbError):
    """Network trouble or an unexpected HTTP status, after retries."""


class SecurityError(SumdbError):
    """The database sent data that does not verify: bad signature, unknown key, bad tile..."""


class ForkError(SecurityError):
    """The database presented a tree inconsistent with one seen before (go: SECURITY ERROR)."""

    def __init__(
        self, older: Tree, older_note: bytes, newer: Tree, newer_note: bytes, proof: str
    ) -> None:
        super().__init__(
            f"checksum database misbehaviour: tree #{older.n} is not a prefix of tree #{newer.n}"
        )
        self.older, self.newer = older, newer
        self.older_note, self.newer_note = older_note, newer_note
        self.proof = proof

    def __reduce__(self) -> tuple[type[ForkError], tuple[Tree, bytes, Tree, bytes, str]]:
        # crosses from a worker process (bot.verify.lookups) with every field
        return (ForkError, (self.older, self.older_note, self.newer, self.newer_note, self.proof))

    def report(self) -> str:
        """go's SECURITY ERROR text: both signed notes and the proof of misbehaviour."""

        def indent(b: bytes) -> str:
            return b.decode("utf-8", "replace").replace("\n", "\n\t")

        return (
            "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n"
            f"old database:\n\t{indent(self.older_note)}\n"
            f"new database:\n\t{indent(self.newer_note)}\n"
            f"proof of misbehavior:\n\t{self.proof}"
        )


# --- on-disk cache ------------------------------------------------------------------------


def _read_locked(path: Path, limit: int) -> bytes | None:
    """The file's bytes; None when it is missing or longer than ``limit``."""
    try:
        with path.open("rb") as f:
            fcntl.flock(f, fcntl.LOCK_SH)
            try:
                data = f.read(limit + 1)
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    return data if len(data) <= limit else None


class WriteConflictError(Exception):
    pass


class DiskCache:
    """go's sumdb cache (module cache) and config (``$GOPATH/pkg/sumdb``) files."""

    def __init__(self, gomodcache: Path, sumdb_dir: Path) -> None:
        self.cache_root = gomodcache / "cache" / "download" / "sumdb"
        self.config_root = sumdb_dir
        self._dirs: set[Path] = set()
        # Cache files are written by one background thread: a lookup or tile is written only
        # after it was proved, nothing reads it back in the same run (the client keeps what
        # it read), and the verifying threads need not wait for the file system.
        self._writer: ThreadPoolExecutor | None = None
        self._writer_lock = threading.Lock()

    def write_cache_later(self, file: str, data: bytes) -> None:
        """:meth:`write_cache` on the writer thread; :meth:`flush` waits for every write."""
        with self._writer_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sumdb-write")
            self._writer.submit(self.write_cache, file, data)

    def flush(self) -> None:
        with self._writer_lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)

    def read_cache(self, file: str, limit: int) -> bytes | None:
        try:
            data = _read_locked(self.cache_root / file, limit)
        except OSError:
            return None
        return data or None  # go: an empty file is a write in progress, i.e. missing

    def write_cache(self, file: str, data: bytes) -> None:
        target = self.cache_root / file
        try:
            if target.parent not in self._dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._dirs.add(target.parent)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o666)
            with os.fdopen(fd, "wb") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                f.truncate(0)
                f.write(data)
                f.flush()
        except OSError:
            pass  # like go: a cache that cannot be written is refetched next time

    def read_config(self, file: str) -> bytes:
        """A signed tree head go or tidybot kept (b"" when missing or too long to be one)."""
        return _read_locked(self.config_root / file, MAX_LOOKUP) or b""

    def write_config(self, file: str, old: bytes, new: bytes) -> None:
        """Replace ``old`` by ``new`` atomically; WriteConflictError if the file moved on."""
        target = self.config_root / file
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o666)
        with os.fdopen(fd, "r+b") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            data = f.read()
            if data and data != old:
                raise WriteConflictError
            f.seek(0)
            f.truncate(0)
            f.write(new)
            f.flush()


# --- the client ---------------------------------------------------------------------------


@record(frozen=False)
class Stats:
    requests: int = 0  # HTTP requests sent (retries included)
    retries: int = 0
    cache_hits: int = 0  # lookups and tiles served from the on-disk cache
    lookups_remote: int = 0
    tiles_remote: int = 0


@record
class Lookup:
    """A lookup response: record id, record text and the signed tree note it came with."""

    path: str
    version: str
    data: bytes
    from_cache: bool
    id: int
    text: bytes
    note: bytes
    tree: Tree


class _Once:
    """Single-flight: concurrent callers of the same key share one computation (and its error)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[object, Future[object]] = {}

    def done(self, key: object) -> bool:
        """True when key's computation has finished (successfully or not)."""
        with self._lock:
            fut = self._futures.get(key)
        return fut is not None and fut.done()

    def do(self, key: object, fn: Callable[[], T]) -> T:
        with self._lock:
            fut = self._futures.get(key)
            owner = fut is None
            if fut is None:
                fut = Future()
                self._futures[key] = fut
        if owner:
            try:
                fut.set_result(fn())
            except BaseException as e:  # stored for every waiter, re-raised below
                fut.set_exception(e)
        return fut.result()  # type: ignore[return-value]


class SumdbClient:
    """One checksum database, verified like go verifies it. Thread-safe."""

    def __init__(
        self,
        db: SumdbEnv,
        *,
        http: httpx.Client | None = None,
        jobs: int = 16,
        limits: NetLimits | None = None,
        run_left: float | None = None,
        retries: int = 3,
        backoff: float = 0.25,
        tile_height: int = TILE_HEIGHT,
    ) -> None:
        if db.off or db.verifier is None:
            raise ValueError("the checksum database is disabled (GOSUMDB=off)")
        self.db = db
        self.name = db.name
        self.verifiers = Verifiers([db.verifier])
        self.cache = DiskCache(db.gomodcache, db.sumdb_dir)
        self.height = tile_height
        self.retries = retries
        self.backoff = backoff
        self.stats = Stats()
        self._own_http = http is None
        self._http = http
        self._http_bound = False
        self._http_lock = threading.Lock()
        self.limits = limits if limits is not None else NetLimits()
        # the run's deadline: limits.run_timeout from now, or what a parent had left of it
        left = self.limits.run_timeout if run_left is None else run_left
        self._run_deadline = time.monotonic() + left
        self._jobs = jobs
        self._pool = ThreadPoolExecutor(max_workers=max(jobs, 1), thread_name_prefix="sumdb-tile")
        self._stats_lock = threading.Lock()
        self._base_lock = threading.Lock()
        self._base: str | None = db.url
        self._base_err: SumdbError | None = None
        self._base_done = db.url is not None
        self._latest_lock = threading.Lock()
        self._latest = Tree(0, tlog.EMPTY_HASH)
        self._latest_note = b""
        self._init_once = _Once()
        self._lookups = _Once()
        self._tiles = _Once()
        self._saved_lock = threading.Lock()
        self._saved: set[Tile] = set()
        # Memos: work already done for identical inputs (CPU, not trust: keys hold the data).
        self._hash_memo: dict[tuple[Tile, int, bytes], bytes] = {}
        self._trees: dict[bytes, Tree] = {}
        self._consistent: set[tuple[Tree, Tree]] = set()
        self._files: dict[tuple[str, str], tuple[str, str]] = {}

    @property
    def http(self) -> httpx.Client:
        """The HTTP client, made on first use: a run answered from the cache makes none (and
        sets up no TLS). Its socket operations keep to each request's deadline."""
        with self._http_lock:
            if self._http is None:
                t = self.limits.request_timeout
                self._http = httpx.Client(
                    timeout=httpx.Timeout(t, connect=min(t, CONNECT_TIMEOUT)),
                    limits=httpx.Limits(
                        max_connections=max(self._jobs, 1) * 2, max_keepalive_connections=64
                    ),
                    headers={"User-Agent": USER_AGENT},
                    follow_redirects=True,
                )
            if not self._http_bound:
                bound_client(self._http)
                self._http_bound = True
            return self._http

    def run_left(self) -> float:
        """Seconds left before the run's deadline (negative once it has passed)."""
        return self._run_deadline - time.monotonic()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.cache.flush()
        with self._http_lock:
            if self._own_http and self._http is not None:
                self._http.close()

    def __enter__(self) -> SumdbClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def latest(self) -> Tree:
        with self._latest_lock:
            return self._latest

    @property
    def latest_note(self) -> bytes:
        """The signed note of :attr:`latest` (b"" before any tree head was seen)."""
        with self._latest_lock:
            return self._latest_note

    def _count(self, **fields: int) -> None:
        with self._stats_lock:
            for k, v in fields.items():
                setattr(self.stats, k, getattr(self.stats, k) + v)

    def add_stats(self, other: Stats) -> None:
        """Count the work another client did for this one (a worker process's)."""
        self._count(**{k: getattr(other, k) for k in (f.name for f in fields(Stats))})

    # -- transport -------------------------------------------------------------------------

    def _get(self, url: str, limit: int, what: str) -> bytes:
        """GET ``url``, at most ``limit`` bytes of ``what`` (0: only the status matters),
        with retries for 5xx, 429, transport errors and requests past their deadline, all
        within the run's deadline; 404/410 raise NotFoundError."""
        if url.startswith("file://"):
            return _read_file(url, limit, what)
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._count(retries=1)
                delay = self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random())
                time.sleep(max(0.0, min(delay, self.run_left())))
            if self.run_left() <= 0:
                raise UnavailableError(f"reading {url}: not sent: {self._run_over()}")
            self._count(requests=1)
            deadline = min(time.monotonic() + self.limits.request_timeout, self._run_deadline)
            try:
                ans = get_bounded(self.http, url, limit=limit, deadline=deadline)
            except TooLargeError as e:
                raise UnavailableError(
                    f"reading {url}: refused: the answer {e} bytes, the limit for {what}"
                ) from None
            except EncodingError as e:
                raise UnavailableError(f"reading {url}: refused: the answer {e}") from None
            except (DeadlineError, httpx.TimeoutException):
                if self.run_left() <= 0:
                    raise UnavailableError(f"reading {url}: stopped: {self._run_over()}") from None
                last = (
                    f"no complete answer within {self.limits.request_timeout:g}s, the deadline "
                    f"of one request (${REQUEST_TIMEOUT_ENV})"
                )
                continue
            except httpx.TooManyRedirects as e:
                raise UnavailableError(f"reading {url}: {e}") from None
            except httpx.TransportError as e:
                last = str(e) or type(e).__name__
                continue
            if ans.status == 200:
                return ans.body
            detail = f" (server response: {ans.detail})" if ans.detail else ""
            if ans.status in (404, 410):
                raise NotFoundError(f"reading {url}: {ans.status} {ans.reason}{detail}")
            last = f"{ans.status} {ans.reason}{detail}"
            if ans.status < 500 and ans.status != 429:
                break
        raise UnavailableError(f"reading {url}: {last}")

    def _run_over(self) -> str:
        return (
            f"the deadline of the whole verification passed "
            f"({self.limits.run_timeout:g}s, ${RUN_TIMEOUT_ENV})"
        )

    def _resolve_base(self) -> str:
        with self._base_lock:
            if not self._base_done:
                try:
                    self._base = self._find_base()
                except SumdbError as e:
                    self._base_err = e
                self._base_done = True
            if self._base_err is not None:
                raise self._base_err
            assert self._base is not None
            return self._base

    def _find_base(self) -> str:
        """go's initBase: the first proxy whose /sumdb/<name>/supported answers 200."""
        for proxy in self.db.proxies:
            if proxy.url == "noproxy":
                continue
            if proxy.url in ("direct", "off"):
                break
            url = f"{proxy.url}/sumdb/{self.name}"
            try:
                self._get(f"{url}/supported", 0, "the supported probe")
            except NotFoundError:
                continue
            except UnavailableError:
                if proxy.fallback_on_error:
                    continue
                raise
            return url
        return self.db.direct_url

    def read_remote(self, path: str, limit: int, what: str) -> bytes:
        """``path`` from the database, at most ``limit`` bytes (``what``: for messages)."""
        return self._get(self._resolve_base() + path, limit, what)

    # -- latest tree head ------------------------------------------------------------------

    def _init(self) -> None:
        def work() -> None:
            self.merge_latest(self.cache.read_config(f"{self.name}/latest"))

        self._init_once.do("init", work)

    def open_tree(self, msg: bytes) -> Tree:
        """Open a signed tree note with the database key and parse the tree."""
        tree = self._trees.get(msg)
        if tree is None:
            tree = self._open_tree(msg)
            self._trees[msg] = tree
        return tree

    def _open_tree(self, msg: bytes) -> Tree:
        try:
            n = open_note(msg, self.verifiers)
        except NoteError as e:
            raise SecurityError(f"reading tree note: {e}") from e
        try:
            return tlog.parse_tree(n.text.encode("utf-8"))
        except TlogError as e:
            raise SecurityError(f"reading tree: {e}") from e

    def merge_latest(self, msg: bytes) -> None:
        """Merge a signed tree head into the latest one (memory, then ``<name>/latest``)."""
        if self._merge_latest_mem(msg) != "future":
            return
        file = f"{self.name}/latest"
        for _ in range(100):
            stored = self.cache.read_config(file)
            if self._merge_latest_mem(stored) != "past":
                return
            with self._latest_lock:
                latest_msg = self._latest_note
            try:
                self.cache.write_config(file, stored, latest_msg)
            except WriteConflictError:
                continue
            except OSError:
                return  # like go: the latest head could not be written; verification stands
            return

    def _merge_latest_mem(self, msg: bytes) -> str:
        if not msg:
            with self._latest_lock:
                return "now" if self._latest.n == 0 else "past"
        tree = self.open_tree(msg)
        with self._latest_lock:
            latest, latest_msg = self._latest, self._latest_note
        while True:
            if tree.n <= latest.n:
                self._check_trees(tree, msg, latest, latest_msg)
                return "past" if tree.n < latest.n else "now"
            self._check_trees(latest, latest_msg, tree, msg)
            with self._latest_lock:
                if self._latest == latest:
                    self._latest, self._latest_note = tree, msg
                    return "future"
                latest, latest_msg = self._latest, self._latest_note

    def _check_trees(self, older: Tree, older_note: bytes, newer: Tree, newer_note: bytes) -> None:
        if older == newer or (older, newer) in self._consistent:
            return
        thr = self._reader(newer)
        try:
            h = tlog.tree_hash(older.n, thr)
        except TlogError as e:
            raise SecurityError(f"checking tree#{older.n} against tree#{newer.n}: {e}") from e
        if h == older.hash:
            self._consistent.add((older, newer))
            return
        lines = [tlog.format_hash(h)]
        try:
            proof = tlog.prove_tree(newer.n, older.n, thr)
            tlog.check_tree(proof, newer.n, newer.hash, older.n, h)
            lines += [tlog.format_hash(p) for p in proof]
        except TlogError:
            lines.append("internal error: generated inconsistent proof")
        raise ForkError(older, older_note, newer, newer_note, "\n\t".join(lines))

    # -- records ---------------------------------------------------------------------------

    def check_record(self, id_: int, text: bytes) -> None:
        latest = self.latest
        if id_ >= latest.n or id_ < 0:
            raise SecurityError(f"cannot validate record {id_} in tree of size {latest.n}")
        try:
            hashes = self._reader(latest).read_hashes([tlog.stored_hash_index(0, id_)])
        except TlogError as e:
            raise SecurityError(str(e)) from e
        if hashes[0] != tlog.record_hash(text):
            raise SecurityError("cannot authenticate record data in server response")

    def _lookup_file(self, path: str, version: str) -> tuple[str, str]:
        key = (path, version.removesuffix("/go.mod"))
        found = self._files.get(key)
        if found is None:
            try:
                epath, evers = escape_path(key[0]), escape_version(key[1])
            except ValueError as e:
                raise SumdbError(str(e)) from e
            remote = f"/lookup/{epath}@{evers}"
            found = self._files[key] = (remote, self.name + remote)
        return found

    def fetch(self, path: str, version: str) -> Lookup:
        """Read a lookup (cache first, then the database) and open its tree note.

        Nothing is trusted yet: call :meth:`prove` before using the record.
        """
        self._init()
        remote, file = self._lookup_file(path, version)

        def work() -> Lookup:
            data = self.cache.read_cache(file, MAX_LOOKUP)
            from_cache = data is not None
            if data is None:
                data = self.read_remote(remote, MAX_LOOKUP, "a lookup answer")
                self._count(lookups_remote=1)
            else:
                self._count(cache_hits=1)
            try:
                id_, text, note = tlog.parse_record(data)
            except TlogError as e:
                raise SecurityError(f"{e} in server response") from e
            tree = self.open_tree(note)
            return Lookup(
                path, version.removesuffix("/go.mod"), data, from_cache, id_, text, note, tree
            )

        return self._lookups.do(("fetch", file), work)

    def prove(self, lk: Lookup) -> list[str]:
        """Merge the lookup's tree head, prove its record, cache it; return the record's lines."""
        _, file = self._lookup_file(lk.path, lk.version)

        def work() -> list[str]:
            self.merge_latest(lk.note)
            self.check_record(lk.id, lk.text)
            if not lk.from_cache:
                self.cache.write_cache_later(file, lk.data)
            # go splits a record on "\n" only: splitlines() would also split at U+2028 or
            # U+0085, which a record's text may hold, and read lines a record does not have
            return lk.text.decode("utf-8").split("\n")

        return self._lookups.do(("prove", file), work)

    def prefetch_proofs(self, lookups: Sequence[Lookup], tree: Tree | None = None) -> None:
        """Fetch, all in parallel, the tiles that prove these records in ``tree`` (default: the
        latest tree; a lookup's own tree shares every full tile with the latest one, so its
        tiles can be fetched before the newest head is known). Nothing is trusted here:
        :meth:`prove` authenticates every tile against the latest tree, and a tile that could
        not be read fails its proof there."""
        latest = tree if tree is not None else self.latest
        reader = self._reader(latest)
        wanted: dict[Tile, None] = {}
        for lk in lookups:
            if 0 <= lk.id < latest.n:
                wanted.update(dict.fromkeys(reader.tiles_for([tlog.stored_hash_index(0, lk.id)])))
        todo = [t for t in wanted if not self._tiles.done(t)]
        for fut in [self._pool.submit(self._try_read_tile, t) for t in todo]:
            fut.result()

    def _try_read_tile(self, tile: Tile) -> None:
        with contextlib.suppress(SumdbError):
            self.read_tile(tile)  # an error is kept for the proof that needs the tile

    def lookup(self, path: str, version: str) -> list[str]:
        """go's Client.Lookup: the proved go.sum lines for path@version[/go.mod]."""
        lines = self.prove(self.fetch(path, version))
        prefix = f"{path} {version} "
        return [ln for ln in lines if ln.startswith(prefix)]

    # -- tiles -----------------------------------------------------------------------------

    def _reader(self, tree: Tree) -> TileHashReader:
        return TileHashReader(tree, _Tiles(self), self._hash_memo)

    def read_tile(self, tile: Tile) -> bytes:
        """go's readTile: cache (exact, then full truncated), then server (partial, then full)."""

        def work() -> bytes:
            try:
                return fetch()
            except NotFoundError as e:
                # "not found" is an answer about a module's lookup only: a database that signed
                # a tree and serves no tile of it proves nothing (a replay of an older log
                # answers so), and the line stays unverified, never "unknown"
                raise SecurityError(
                    f"{e}: the database does not serve a tile of a tree it signed"
                ) from None

        def fetch() -> bytes:
            # a hash tile has exactly tile_limit(w) bytes: a longer answer is refused as it
            # arrives, a shorter one fails authentication (tlog.TileHashReader)
            size, full = tile_limit(tile.w), tile.full
            data = self.cache.read_cache(f"{self.name}/{tile.path()}", size)
            if data is not None:
                self._mark_saved(tile)
                self._count(cache_hits=1)
                return data
            if tile != full:
                data = self.cache.read_cache(f"{self.name}/{full.path()}", tile_limit(full.w))
                if data is not None:
                    self._mark_saved(tile)
                    self._count(cache_hits=1)
                    return data[: len(data) // full.w * tile.w]
            try:
                data = self.read_remote("/" + tile.path(), size, _tile_what(tile))
                self._count(tiles_remote=1)
                return data
            except SumdbError as err:
                if tile == full:
                    raise
                try:
                    data = self.read_remote("/" + full.path(), tile_limit(full.w), _tile_what(full))
                except SumdbError:
                    raise err from None
                self._count(tiles_remote=1)
                return data[: len(data) // full.w * tile.w]

        return self._tiles.do(tile, work)

    def _mark_saved(self, tile: Tile) -> None:
        with self._saved_lock:
            self._saved.add(tile)

    def save_tiles(self, tiles: Sequence[Tile], data: Sequence[bytes]) -> None:
        with self._saved_lock:
            todo = [(t, d) for t, d in zip(tiles, data, strict=True) if t not in self._saved]
            self._saved.update(t for t, _ in todo)
        for t, d in todo:
            self.cache.write_cache_later(f"{self.name}/{t.path()}", d)

    def read_tiles(self, tiles: Sequence[Tile]) -> list[bytes]:
        """All tiles, the ones not yet read fetched in parallel."""
        todo = [t for t in tiles if not self._tiles.done(t)]
        futures = {t: self._pool.submit(self.read_tile, t) for t in todo[1:]}
        if todo:
            self.read_tile(todo[0])
        return [futures[t].result() if t in futures else self.read_tile(t) for t in tiles]


class _Tiles:
    """The TileReader view of a client (keeps read_tiles/save_tiles off the public surface)."""

    def __init__(self, client: SumdbClient) -> None:
        self.c = client

    def height(self) -> int:
        return self.c.height

    def read_tiles(self, tiles: Sequence[Tile]) -> list[bytes]:
        return self.c.read_tiles(tiles)

    def save_tiles(self, tiles: Sequence[Tile], data: Sequence[bytes]) -> None:
        self.c.save_tiles(tiles, data)


def _tile_what(tile: Tile) -> str:
    return f"a tile of {tile.w} hash{'es' if tile.w > 1 else ''}"


def _read_file(url: str, limit: int, what: str) -> bytes:
    """A ``file://`` database or proxy: a regular file, at most ``limit`` bytes of it."""
    try:
        fd = os.open(unquote(urlsplit(url).path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError as e:
        raise NotFoundError(f"reading {url}: not found") from e
    except OSError as e:
        raise UnavailableError(f"reading {url}: {e.strerror}") from e
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnavailableError(f"reading {url}: not a regular file")
        try:
            data = f.read(limit + 1) if limit else b""
        except OSError as e:
            raise UnavailableError(f"reading {url}: {e.strerror}") from e
    if len(data) > limit:
        raise UnavailableError(
            f"reading {url}: refused: the file is larger than {limit} bytes, the limit for {what}"
        )
    return data
