"""An on-disk cache of clean module results, keyed by ``bot.engine.cachekey``.

A module whose tidy inputs hash to a key with a valid entry was clean with exactly those
inputs, so ``go mod tidy -diff`` need not run again. Only clean module results are stored. A
workspace's ``go work sync`` check (``bot.workspace``) is stored under its own key either way:
clean, or drifted with what it found (``"workspace"``, a document only ``bot.workspace``
reads), and only when what it found follows from the files of its key alone.

Layout: ``<dir>/tidybot-v1/<key[:2]>/<key>.json``, one small JSON document per entry::

    {"schema": 1, "tool": "tidybot", "tool_version": "0.1.0", "key": "<64 hex>",
     "module_dir": "svc/a", "module": "example.com/a", "status": "clean",
     "go_version": "1.26.8", "checksum": "<BLAKE2b-256 of the fields above, canonical JSON>"}

Every entry is checked before it is believed: schema, tool, tool version, the key it is filed
under, the module directory, the status and the checksum must all match. Anything else (a
truncated write, an entry from another tidybot version or another module, a file edited by
hand) is ignored, counted as ``rejected``, and overwritten by the next clean result.
Next to the entries, ``parsed.json`` holds a ``bot.engine.cachekey.ParseMemo``: what parsing
found in Go files and go.mod files, by the digest of their bytes, so a run with warm cache
parses only new files. It is believed only when every part has the expected shape, and only
for the same tidybot version; anything else is ignored (and counted as ``rejected``).
Writes go through a temp file and a rename, so a reader never sees half an entry. The checksum
catches corruption, not forgery: whoever can write the directory can make tidybot skip a
module, so the cache must come from a trusted place (see README.md, "Speed").
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
import time
from pathlib import Path

from bot import __version__
from bot.engine.cachekey import KEY_VERSION, ParseMemo, digest
from bot.engine.model import ModuleResult, Status
from bot.errors import UsageError
from bot.fsutil import atomic_write
from bot.record import field, record
from bot.toolchain import Go

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    _T = TypeVar("_T")

__all__ = ["SCHEMA", "CacheStats", "ResultCache", "entry_checksum"]

SCHEMA = 1
_SUBDIR = f"tidybot-v{SCHEMA}"
_KEY_RE = re.compile(r"[0-9a-f]{64}\Z")
_VERSION_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\Z")
_MAX_ENTRY = 1024 * 1024  # a module's entry is a few hundred bytes; a workspace's, its diffs
_MAX_VERSIONS = 1024 * 1024  # go versions by go binary: a few lines
_MAX_MEMO = 256 * 1024 * 1024  # the parse memo: at most _MEMO_LIMIT entries beyond a run's
_TOUCH_AFTER = 86400.0  # a hit marks its entry used unless it was marked in the last day
_MEMO_LIMIT = 200_000  # parse results kept beyond those a run used
_FIELDS = ("schema", "tool", "tool_version", "key", "module_dir", "module", "status", "go_version")


def entry_checksum(doc: dict[str, object]) -> str:
    """The digest (BLAKE2b-256) of the entry's fields (all but ``checksum``) as canonical
    JSON."""
    import json  # here, not at import time: most runs keep no cache (json compiles 2 ms of
    # regular expressions when imported, before the first go command)

    body = {k: doc.get(k) for k in _FIELDS}
    if "workspace" in doc:  # a workspace check's findings (ResultCache.put_workspace)
        body["workspace"] = doc["workspace"]
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return digest(data)


@record(frozen=False)
class CacheStats:
    """What the result cache did in a run (reported in the JSON report's ``cache``)."""

    hits: list[str] = field(default_factory=list)  # module dirs answered from the cache
    misses: int = 0
    stored: int = 0
    rejected: int = 0  # entries found but not trusted
    write_errors: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "hits": sorted(self.hits),
            "misses": self.misses,
            "stored": self.stored,
            "rejected": self.rejected,
            "write_errors": self.write_errors,
        }


class ResultCache:
    """Clean module results, and workspace checks, on disk. Safe to share between threads of
    one run."""

    def __init__(self, directory: Path, *, tool_version: str = __version__) -> None:
        self.directory = directory
        self.tool_version = tool_version
        self.stats = CacheStats()
        self._lock = threading.Lock()
        try:
            (directory / _SUBDIR).mkdir(parents=True, exist_ok=True)
            link = _a_link_inside(directory / _SUBDIR)
        except OSError as e:
            raise UsageError(
                f"{directory}: cannot use as the result cache: {e.strerror or e}",
                hint="pass --cache-dir (or TIDYBOT_CACHE_DIR) a writable directory",
            ) from e
        if link:  # tidybot makes none: the cache did not come from its runs
            raise UsageError(
                f"{directory}: the result cache holds a symbolic link ({link}), which tidybot "
                "never writes; its writes and deletions would go where it leads",
                hint=f"delete {directory} (or the cache the workflow restored) and run again",
            )

    @property
    def _entries(self) -> str:
        return f"{os.fspath(self.directory)}/{_SUBDIR}"

    def _entry(self, key: str) -> str:
        """Where ``key``'s entry lives (a plain path: a cached run looks up every module)."""
        return f"{self._entries}/{key[:2]}/{key}.json"

    def _path(self, key: str) -> Path:
        return Path(self._entry(key))

    def get(self, key: str, module_dir: str) -> ModuleResult | None:
        """The clean result stored for ``key`` and ``module_dir``, if a trusted one exists."""
        doc = self._valid(key, module_dir)
        with self._lock:
            if doc is not None:
                self.stats.hits.append(module_dir)
            else:
                self.stats.misses += 1
        if doc is None:
            return None
        return ModuleResult(module_dir, str(doc.get("module", "")), Status.CLEAN)

    def get_workspace(
        self, key: str, gowork: str, read: Callable[[dict[str, object]], _T | None]
    ) -> _T | None:
        """The workspace check stored for ``key`` and ``gowork`` (the go.work's path), if a
        trusted one exists, as ``read`` makes it from what was stored (``{}`` for a check that
        found nothing, else what ``put_workspace`` stored); ``read`` returns None for a
        document it does not believe, which counts as rejected."""
        doc = self._valid(key, gowork, workspace=True)
        found = doc.get("workspace", {}) if doc is not None else None
        result = read(found) if isinstance(found, dict) else None
        with self._lock:
            if result is not None:
                self.stats.hits.append(gowork)
            elif doc is not None:
                self.stats.rejected += 1
            else:
                self.stats.misses += 1
        return result

    def put_workspace(
        self, key: str, gowork: str, found: dict[str, object], go_version: str
    ) -> bool:
        """Store a workspace check: ``{}`` when it found nothing (a clean entry), else what it
        found as ``bot.workspace`` wrote it (a drifted one). False when nothing was written."""
        if not found:
            return self._write(key, gowork, "go.work", Status.CLEAN, go_version)
        return self._write(key, gowork, "go.work", Status.DRIFTED, go_version, found)

    def _valid(
        self, key: str, module_dir: str, *, workspace: bool = False
    ) -> dict[str, object] | None:
        import json

        if not _KEY_RE.match(key):
            return None
        path = self._entry(key)
        read = _read_regular(path, _MAX_ENTRY)
        if read is None:
            return None
        data, used = read
        try:
            doc = json.loads(data) if data is not None else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            doc = None
        trusted = (
            isinstance(doc, dict)
            and doc.get("schema") == SCHEMA
            and doc.get("tool") == "tidybot"
            and doc.get("tool_version") == self.tool_version
            and doc.get("key") == key
            and doc.get("module_dir") == module_dir
            and (
                (doc.get("status") == str(Status.CLEAN) and "workspace" not in doc)
                or (
                    workspace
                    and doc.get("status") == str(Status.DRIFTED)
                    and isinstance(doc.get("workspace"), dict)
                )
            )
            and doc.get("checksum") == entry_checksum(doc)
        )
        if not trusted or not isinstance(doc, dict):
            with self._lock:
                self.stats.rejected += 1
            return None
        if time.time() - used > _TOUCH_AFTER:
            with contextlib.suppress(OSError, NotImplementedError):
                # last use, for prune() (a day's precision is enough for it)
                os.utime(path, follow_symlinks=False)
        return doc

    def put(self, key: str, result: ModuleResult, go_version: str) -> bool:
        """Store a clean result; anything else is not stored. False when nothing was written."""
        if result.status is not Status.CLEAN or result.fixed:
            return False
        return self._write(key, result.dir, result.module, Status.CLEAN, go_version)

    def _write(
        self,
        key: str,
        module_dir: str,
        module: str,
        status: Status,
        go_version: str,
        workspace: dict[str, object] | None = None,
    ) -> bool:
        import json

        if not _KEY_RE.match(key):
            return False
        doc: dict[str, object] = {
            "schema": SCHEMA,
            "tool": "tidybot",
            "tool_version": self.tool_version,
            "key": key,
            "module_dir": module_dir,
            "module": module,
            "status": str(status),
            "go_version": go_version,
        }
        if workspace is not None:
            doc["workspace"] = workspace
        doc["checksum"] = entry_checksum(doc)
        data = (json.dumps(doc, sort_keys=True) + "\n").encode("utf-8")
        if len(data) > _MAX_ENTRY:  # it would not be read back
            return False
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data, durable=False)
        except OSError:
            with self._lock:
                self.stats.write_errors += 1
            return False
        with self._lock:
            self.stats.stored += 1
        return True

    # -- go versions

    @property
    def _versions_path(self) -> Path:
        return self.directory / _SUBDIR / "go-versions.json"

    def go_version(self, go: Go) -> str:
        """``go.version()``, remembered per go binary (``Go.identity``) so a run with a warm
        cache starts no go command just to learn the version."""
        import json

        ident = go.identity()
        read = _read_regular(os.fspath(self._versions_path), _MAX_VERSIONS)
        try:
            known = json.loads(read[0]) if read is not None and read[0] is not None else {}
        except (ValueError, UnicodeDecodeError, RecursionError):
            known = {}
        if not isinstance(known, dict):
            known = {}
        remembered = known.get(ident) if ident else None
        if isinstance(remembered, str) and _VERSION_RE.match(remembered):
            return go.version(known=remembered)
        version = go.version()
        if ident:
            known = {k: v for k, v in known.items() if isinstance(v, str)}
            known[ident] = version
            with contextlib.suppress(OSError):
                atomic_write(
                    self._versions_path, json.dumps(known, indent=1).encode("utf-8"), durable=False
                )
        return version

    # -- the parse memo

    @property
    def _memo_path(self) -> Path:
        return self.directory / _SUBDIR / "parsed.json"

    def load_memo(self) -> ParseMemo:
        """The stored parse memo, or an empty one when there is none or it is not trusted."""
        import json

        if not os.path.lexists(self._memo_path):
            return ParseMemo()
        read = _read_regular(os.fspath(self._memo_path), _MAX_MEMO)
        try:
            doc = json.loads(read[0]) if read is not None and read[0] is not None else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            doc = None
        memo = _memo_from_json(doc, self.tool_version)
        if memo is None:
            with self._lock:
                self.stats.rejected += 1
            return ParseMemo()
        return memo

    def save_memo(self, memo: ParseMemo) -> bool:
        """Store the memo when the run parsed something new: what it used plus older entries
        (dropped when there are too many). False when nothing was written."""
        import json

        if not memo.added:
            return False
        keep_all = len(memo.go_files) + len(memo.replaces) <= _MEMO_LIMIT
        doc = {
            "schema": SCHEMA,
            "tool": "tidybot",
            "tool_version": self.tool_version,
            "key_version": KEY_VERSION,
            "go": {
                h: [c, pkg, list(imps)]
                for h, (c, pkg, imps) in memo.go_files.items()
                if keep_all or h in memo.used
            },
            "replace": {
                h: list(paths) for h, paths in memo.replaces.items() if keep_all or h in memo.used
            },
        }
        try:
            atomic_write(
                self._memo_path,
                json.dumps(doc, separators=(",", ":")).encode("utf-8"),
                durable=False,
            )
        except OSError:
            with self._lock:
                self.stats.write_errors += 1
            return False
        return True

    def prune_daily(self, max_age_days: float = 30.0) -> int:
        """:meth:`prune`, at most once a day (a stamp file says when it last ran): listing
        every entry on every run would make each run slower as the cache grows."""
        stamp = self.directory / _SUBDIR / "pruned"
        try:
            st = stamp.lstat()  # a link is no stamp of ours: never followed, replaced below
            if stat.S_ISREG(st.st_mode) and time.time() - st.st_mtime < 86400:
                return 0
        except OSError:
            pass
        removed = self.prune(max_age_days)
        with contextlib.suppress(OSError):
            atomic_write(stamp, b"", durable=False)  # a new file in its place, a link too
        return removed

    def prune(self, max_age_days: float = 30.0) -> int:
        """Delete entries not used (read or written) for ``max_age_days``; returns how many."""
        cutoff = time.time() - max_age_days * 86400
        removed = 0
        base = self.directory / _SUBDIR
        for p in base.glob("*/*.json"):
            with contextlib.suppress(OSError):
                if p.stat().st_mtime < cutoff:
                    p.unlink()
                    removed += 1
        return removed


def _read_regular(path: str, limit: int) -> tuple[bytes | None, float] | None:
    """(bytes, mtime) of ``path`` when it is a regular file of at most ``limit`` bytes; (None,
    0) for anything else there (a link, a FIFO, a device, a larger file: none of them is read,
    none blocks); None when there is nothing to open."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError:  # ELOOP: a link
        return None, 0.0
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None, 0.0
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        return (data, st.st_mtime) if len(data) <= limit else (None, 0.0)
    except OSError:
        return None, 0.0
    finally:
        os.close(fd)


def _a_link_inside(entries: Path) -> str:
    """``entries`` when it is a symbolic link, else the first link in it that leads to a
    directory (the directories where tidybot writes and deletes entries), relative to its
    parent; "" when there is none. A link in a file's place is only never read (files are
    opened without following links) and replaced by the next atomic write."""
    if entries.is_symlink():
        return entries.name
    with os.scandir(entries) as it:
        for e in it:
            if e.is_symlink() and e.is_dir():
                return f"{entries.name}/{e.name}"
    return ""


def _strs(v: object) -> tuple[str, ...] | None:
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    return None


def _memo_from_json(doc: object, tool_version: str) -> ParseMemo | None:
    """A ParseMemo from its JSON document, or None unless every part has the expected shape."""
    if not (
        isinstance(doc, dict)
        and doc.get("schema") == SCHEMA
        and doc.get("tool") == "tidybot"
        and doc.get("tool_version") == tool_version
        and doc.get("key_version") == KEY_VERSION
        and isinstance(doc.get("go"), dict)
        and isinstance(doc.get("replace"), dict)
    ):
        return None
    memo = ParseMemo()
    for h, v in doc["go"].items():
        if not (_KEY_RE.match(h) and isinstance(v, list) and len(v) == 3):
            return None
        counted, pkg, imps = v[0], v[1], _strs(v[2])
        if not (isinstance(counted, bool) and isinstance(pkg, str) and imps is not None):
            return None
        memo.go_files[h] = (counted, pkg, imps)
    for h, v in doc["replace"].items():
        paths = _strs(v)
        if not _KEY_RE.match(h) or paths is None:
            return None
        memo.replaces[h] = paths
    return memo
