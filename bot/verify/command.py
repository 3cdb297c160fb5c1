"""``tidybot verify PATH``: every go.sum and go.work.sum under PATH, proved against the database."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import httpx

from bot.engine.discover import skip_dir_name
from bot.engine.gosum import GoSum, parse_gosum
from bot.engine.model import Finding, Severity
from bot.engine.sumdiff import changed_sums
from bot.errors import UsageError
from bot.record import field, record
from bot.verify.cache_check import check_module_cache
from bot.verify.client import SumdbClient
from bot.verify.envcheck import check_env
from bot.verify.limits import NetLimits, limits_from_env
from bot.verify.sumdbenv import parse_sumdb_env
from bot.verify.verifier import FileResult, SumFile, verify_sum_files

SUM_FILE_NAMES = ("go.sum", "go.work.sum")


@record(frozen=False)
class VerifyOutcome:
    """What ``tidybot verify`` found, with the counts a report shows."""

    findings: list[Finding] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    lines: int = 0  # go.sum lines read (malformed ones included)
    verified: int = 0  # lines whose exact hash is in a proved database record
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> lines
    errors: int = 0  # lines that are errors: mismatch, unverified, malformed
    warnings: int = 0  # sum-unknown lines (an error; the JSON name stays)
    lookups: int = 0  # distinct module versions looked up
    requests: int = 0  # HTTP requests made (retries included)
    cache_hits: int = 0  # lookups and tiles read from the on-disk cache
    cache_checked: int = 0  # module versions rehashed by --cache
    database: str = ""  # checksum database name ("" when GOSUMDB=off)
    duration: float = 0.0

    @property
    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        why = ", ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items()))
        parts = [
            f"{self.lines} go.sum lines in {len(self.files)} files",
            f"{self.verified} verified",
            f"{skipped} skipped" + (f" ({why})" if why else ""),
            f"{self.errors} errors",
        ]
        if self.warnings:
            parts.append(f"{self.warnings} unknown to the database")
        parts.append(f"{self.requests} requests, {self.cache_hits} cache hits")
        return ", ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {
            "database": self.database,
            "lines": self.lines,
            "verified": self.verified,
            "skipped": dict(self.skipped),
            "errors": self.errors,
            "warnings": self.warnings,
            "lookups": self.lookups,
            "requests": self.requests,
            "cache_hits": self.cache_hits,
            "cache_checked": self.cache_checked,
            "files": [f.to_json() for f in self.files],
            "findings": [f.to_json() for f in self.findings],
        }


def find_sum_files(root: Path) -> list[SumFile]:
    """Every go.sum / go.work.sum under root, skipping vendor/, testdata/, dot and _ dirs."""
    out: list[SumFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not skip_dir_name(d))
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        for name in SUM_FILE_NAMES:
            if name not in filenames:
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            text = (here / name).read_bytes().decode("utf-8", "replace")
            out.append(SumFile(rel, rel_dir, parse_gosum(text, rel)))
    return out


def run_verify(
    root: Path,
    *,
    env: Mapping[str, str],
    cache_check: bool,
    jobs: int,
    base_ref_sums: Mapping[str, GoSum] | None = None,
    http: httpx.Client | None = None,
    processes: int | None = None,
    limits: NetLimits | None = None,
    workdir: str = ".",
) -> VerifyOutcome:
    """Verify every go.sum line under root.

    ``env`` is the go environment (GOSUMDB, GOPROXY, GONOSUMDB, GOPRIVATE, GOPATH,
    GOMODCACHE...); ``base_ref_sums`` maps a sum file's path relative to root to its content
    on the base branch (pull requests: ``sum-changed``). ``processes``: how many processes
    share the lookups (default: ``bot.verify.lookups.auto_processes``); ``http`` serves this
    process's lookups only. ``limits``: the deadlines of one request and of the run
    (default: ``$TIDYBOT_VERIFY_REQUEST_TIMEOUT`` and ``$TIDYBOT_VERIFY_TIMEOUT`` of this
    process, tidybot's settings rather than go's; a bad value is a ConfigError).
    ``workdir``: ``root`` as the reader reaches it (the command line's PATH), the start of the
    paths in the commands a finding suggests (``go -C <workdir>/svc/a mod tidy``).
    """
    started = time.monotonic()
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory", hint="pass the repository root to verify")
    if limits is None:
        limits = limits_from_env(os.environ)
    outcome = VerifyOutcome()
    outcome.findings.extend(check_env(env))
    db = parse_sumdb_env(env)
    outcome.database = db.name
    files = find_sum_files(root)

    if base_ref_sums:
        for sf in files:
            base = base_ref_sums.get(sf.file)
            if base is not None:
                outcome.findings.extend(
                    changed_sums(base, sf.sums, module_dir=sf.module_dir, file=sf.file)
                )

    client = None if db.off else SumdbClient(db, http=http, jobs=jobs, limits=limits)
    try:
        res = verify_sum_files(files, db, client, jobs=jobs, processes=processes, workdir=workdir)
    finally:
        if client is not None:
            client.close()
    outcome.findings.extend(res.findings)
    outcome.files = res.files
    outcome.lookups = res.lookups
    if client is not None:
        outcome.requests = client.stats.requests
        outcome.cache_hits = client.stats.cache_hits
    for fr in res.files:
        outcome.lines += fr.lines
        outcome.verified += fr.verified
        outcome.skipped.update(fr.skipped)
        outcome.errors += fr.errors
        outcome.warnings += fr.warnings
    outcome.errors += sum(1 for f in outcome.findings if f.id == "sum-changed")

    if cache_check:
        cc = check_module_cache(files, db.gomodcache, jobs=max(1, min(jobs, os.cpu_count() or 1)))
        outcome.findings.extend(cc.findings)
        outcome.cache_checked = cc.checked
        outcome.errors += len(cc.findings)

    outcome.findings.sort(key=_order)
    outcome.duration = time.monotonic() - started
    return outcome


_SEV_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def _order(f: Finding) -> tuple[str, int, int, str]:
    return (f.file, f.line or 0, _SEV_ORDER[f.severity], f.id)
