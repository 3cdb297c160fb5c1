"""``--cache``: recompute the h1: of modules in the module cache, like ``go mod verify`` (§5.6).

For every module version a go.sum lists (zip lines, not ``/go.mod`` lines):

* nothing downloaded (no ``.ziphash``, no zip, no extracted dir): skipped;
* ``.ziphash`` missing while a zip or dir exists: ``missing ziphash``;
* the zip's recomputed hash differs from ``.ziphash``: ``zip has been modified``;
* the extracted directory's hash differs from ``.ziphash``: ``dir has been modified``;

and, beyond ``go mod verify``, a ``.ziphash`` or cached ``.mod`` that disagrees with the
go.sum line itself (go trusts ``.ziphash`` on every build).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.engine.dirhash import hash_dir, hash_gomod, hash_zip
from bot.engine.model import Finding, Severity
from bot.engine.modpath import escape_path, escape_version
from bot.record import field, record
from bot.verify.verifier import SumFile


@record(frozen=False)
class CacheCheckResult:
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0  # module versions found in the cache and hashed
    not_downloaded: int = 0


@record
class _Item:
    sf: SumFile
    line: int
    path: str
    version: str
    sum_hash: str
    is_gomod: bool


def _finding(it: _Item, msg: str, why: str) -> Finding:
    return Finding(
        it.sf.module_dir, it.sf.file, it.line, "cache-modified", Severity.ERROR, msg, why
    )


_FIX = "Fix: `go clean -modcache` (or delete that module's cache entries) and download again"


def _check(it: _Item, gomodcache: Path) -> tuple[list[Finding], bool]:
    try:
        epath, evers = escape_path(it.path), escape_version(it.version)
    except ValueError:
        return [], False
    dl = gomodcache / "cache" / "download" / epath / "@v"
    out: list[Finding] = []
    mv = f"{it.path} {it.version}"
    if it.is_gomod:
        mod = dl / f"{evers}.mod"
        if not mod.is_file():
            return [], False
        got = hash_gomod(mod.read_bytes())
        if got != it.sum_hash and it.sum_hash.startswith("h1:"):
            out.append(
                _finding(
                    it,
                    f"{mv}/go.mod: cached go.mod hashes to {got}, go.sum has {it.sum_hash} ({mod})",
                    _FIX,
                )
            )
        return out, True
    ziphash_file = dl / f"{evers}.ziphash"
    zip_file = dl / f"{evers}.zip"
    dir_ = gomodcache / f"{epath}@{evers}"
    if not ziphash_file.exists() and not zip_file.exists() and not dir_.exists():
        return [], False
    try:
        ziphash = ziphash_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        out.append(_finding(it, f"{mv}: missing ziphash: {e}", _FIX))
        return out, True
    if zip_file.exists():
        try:
            got = hash_zip(zip_file)
        except (OSError, ValueError) as e:
            got = f"unreadable zip ({e})"
        if got != ziphash:
            out.append(_finding(it, f"{mv}: zip has been modified ({zip_file})", _FIX))
    if dir_.is_dir():
        try:
            got = hash_dir(dir_, f"{it.path}@{it.version}")
        except (OSError, ValueError) as e:
            got = f"unreadable dir ({e})"
        if got != ziphash:
            out.append(_finding(it, f"{mv}: dir has been modified ({dir_})", _FIX))
    if it.sum_hash.startswith("h1:") and ziphash != it.sum_hash:
        out.append(
            _finding(
                it,
                f"{mv}: module cache records {ziphash}, go.sum has {it.sum_hash} ({ziphash_file})",
                "go trusts .ziphash on every build, so this cache disagrees with go.sum. " + _FIX,
            )
        )
    return out, True


def check_module_cache(
    files: Sequence[SumFile], gomodcache: Path, *, jobs: int = 4
) -> CacheCheckResult:
    """Hash the cached zips, extracted dirs and go.mod files of every go.sum line."""
    items: list[_Item] = []
    seen: set[tuple[str, str, str]] = set()
    for sf in files:
        for ln in sf.sums.lines:
            key = (ln.path, ln.version, ln.hash)
            if key in seen:
                continue
            seen.add(key)
            items.append(_Item(sf, ln.line, ln.path, ln.module_version, ln.hash, ln.is_gomod))
    result = CacheCheckResult()
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        for findings, present in pool.map(lambda it: _check(it, gomodcache), items):
            result.findings.extend(findings)
            if present:
                result.checked += 1
            else:
                result.not_downloaded += 1
    return result
