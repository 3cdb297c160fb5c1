"""An on-disk cache of clean module results, keyed by ``bot.engine.cachekey``.

A module whose tidy inputs hash to a key with a valid entry was clean with exactly those
inputs, so ``go mod tidy -diff`` need not run again. Only clean results are stored.

Layout: ``<dir>/tidybot-v1/<key[:2]>/<key>.json``, one small JSON document per entry::

    {"schema": 1, "tool": "tidybot", "tool_version": "0.1.0", "key": "<64 hex>",
     "module_dir": "svc/a", "module": "example.com/a", "status": "clean",
     "go_version": "1.26.8", "checksum": "<sha256 of the fields above, canonical JSON>"}

Every entry is checked before it is believed: schema, tool, tool version, the key it is filed
under, the module directory, the status and the checksum must all match. Anything else (a
truncated write, an entry from another tidybot version or another module, a file edited by
hand) is ignored, counted as ``rejected``, and overwritten by the next clean result.
Writes go through a temp file and a rename, so a reader never sees half an entry. The checksum
catches corruption, not forgery: whoever can write the directory can make tidybot skip a
module, so the cache must come from a trusted place (see README.md, "Speed").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot import __version__
from bot.engine.model import ModuleResult, Status
from bot.errors import UsageError
from bot.fsutil import atomic_write

__all__ = ["SCHEMA", "CacheStats", "ResultCache", "entry_checksum"]

SCHEMA = 1
_SUBDIR = f"tidybot-v{SCHEMA}"
_KEY_RE = re.compile(r"[0-9a-f]{64}\Z")
_MAX_ENTRY = 64 * 1024  # an entry is a few hundred bytes; anything bigger is not ours
_FIELDS = ("schema", "tool", "tool_version", "key", "module_dir", "module", "status", "go_version")


def entry_checksum(doc: dict[str, object]) -> str:
    """sha256 of the entry's fields (all but ``checksum``) as canonical JSON."""
    body = {k: doc.get(k) for k in _FIELDS}
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass
class CacheStats:
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
    """Clean results on disk. Safe to share between threads of one run."""

    def __init__(self, directory: Path, *, tool_version: str = __version__) -> None:
        self.directory = directory
        self.tool_version = tool_version
        self.stats = CacheStats()
        self._lock = threading.Lock()
        try:
            (directory / _SUBDIR).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UsageError(
                f"{directory}: cannot use as the result cache: {e.strerror or e}",
                hint="pass --cache-dir (or TIDYBOT_CACHE_DIR) a writable directory",
            ) from e

    def _path(self, key: str) -> Path:
        return self.directory / _SUBDIR / key[:2] / f"{key}.json"

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

    def _valid(self, key: str, module_dir: str) -> dict[str, object] | None:
        if not _KEY_RE.match(key):
            return None
        path = self._path(key)
        try:
            with path.open("rb") as f:
                data = f.read(_MAX_ENTRY + 1)
        except OSError:
            return None
        try:
            doc = json.loads(data) if len(data) <= _MAX_ENTRY else None
        except (ValueError, UnicodeDecodeError):
            doc = None
        trusted = (
            isinstance(doc, dict)
            and doc.get("schema") == SCHEMA
            and doc.get("tool") == "tidybot"
            and doc.get("tool_version") == self.tool_version
            and doc.get("key") == key
            and doc.get("module_dir") == module_dir
            and doc.get("status") == str(Status.CLEAN)
            and doc.get("checksum") == entry_checksum(doc)
        )
        if not trusted or not isinstance(doc, dict):
            with self._lock:
                self.stats.rejected += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # last use, for prune()
        return doc

    def put(self, key: str, result: ModuleResult, go_version: str) -> bool:
        """Store a clean result; anything else is not stored. False when nothing was written."""
        if result.status is not Status.CLEAN or result.fixed or not _KEY_RE.match(key):
            return False
        doc: dict[str, object] = {
            "schema": SCHEMA,
            "tool": "tidybot",
            "tool_version": self.tool_version,
            "key": key,
            "module_dir": result.dir,
            "module": result.module,
            "status": str(Status.CLEAN),
            "go_version": go_version,
        }
        doc["checksum"] = entry_checksum(doc)
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, (json.dumps(doc, sort_keys=True) + "\n").encode("utf-8"))
        except OSError:
            with self._lock:
                self.stats.write_errors += 1
            return False
        with self._lock:
            self.stats.stored += 1
        return True

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
