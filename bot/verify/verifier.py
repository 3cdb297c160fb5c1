"""Check go.sum lines against the checksum database and turn the answers into findings.

Every distinct ``path@version`` is looked up and proved once (``bot.verify.lookups``: threads,
and for a large go.sum several processes); each line is then judged against its proved record.
A line is *verified* only when its exact ``path version hash`` is in a proved record.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence

from bot.engine.gosum import GoSum, SumLine
from bot.engine.model import Finding, Severity
from bot.record import field, record
from bot.verify.client import ForkError, NotFoundError, SecurityError, SumdbClient
from bot.verify.lookups import Answer, auto_processes, lookup_sharded
from bot.verify.sumdbenv import SumdbEnv


@record
class SumFile:
    """One go.sum / go.work.sum, with where it sits relative to the checked root."""

    file: str  # e.g. "svc/a/go.sum"
    module_dir: str  # e.g. "svc/a" ("." for the root)
    sums: GoSum


@record(frozen=False)
class FileResult:
    file: str
    lines: int = 0
    verified: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: int = 0  # sum-mismatch, sum-unverified, sum-malformed
    warnings: int = 0  # sum-unknown lines (an error; the JSON name stays)

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "lines": self.lines,
            "verified": self.verified,
            "skipped": dict(self.skipped),
            "errors": self.errors,
            "warnings": self.warnings,
        }


@record(frozen=False)
class VerifyResult:
    findings: list[Finding] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    lookups: int = 0  # distinct module versions looked up


def _finding(
    sf: SumFile, line: int | None, id_: str, sev: Severity, msg: str, why: str = ""
) -> Finding:
    return Finding(sf.module_dir, sf.file, line, id_, sev, msg, why)


def _delete_the_line(sf: SumFile, workdir: str) -> str:
    """The fix of a go.sum line that must go: delete it and let ``go mod tidy`` write back what
    the module needs (verified as go verifies a new download). The command runs from where
    ``workdir`` (the checked directory as the reader reaches it) is: ``go -C svc/a mod tidy``.
    A go.work.sum line is only deleted: go.work.sum belongs to no module to tidy."""
    if sf.file.rsplit("/", 1)[-1] != "go.sum":
        return "delete the line"
    from bot.report.base import join  # the module's directory as the report prints it

    at = join(workdir, sf.module_dir)
    cmd = "go mod tidy" if at == "." else f"go -C {shlex.quote(at)} mod tidy"
    return f"delete the line and run `{cmd}`"


def verify_sum_files(
    files: Sequence[SumFile],
    db: SumdbEnv,
    client: SumdbClient | None,
    *,
    jobs: int = 16,
    processes: int | None = None,
    workdir: str = ".",
) -> VerifyResult:
    """Check every line of every file; skipped lines are counted and reported, never dropped.
    ``jobs`` lookups at once, in ``processes`` processes (default: by CPUs and go.sum size).
    ``workdir``: the checked directory as the reader reaches it, the start of the paths in the
    commands a finding suggests."""
    result = VerifyResult()
    wanted: dict[tuple[str, str], None] = {}
    plan: list[tuple[SumFile, FileResult, list[SumLine], dict[str, list[SumLine]]]] = []
    for sf in files:
        fr = FileResult(sf.file, lines=len(sf.sums.lines) + len(sf.sums.malformed))
        result.files.append(fr)
        for bad in sf.sums.malformed:
            fr.errors += 1
            result.findings.append(
                _finding(
                    sf,
                    bad.line,
                    "sum-malformed",
                    Severity.ERROR,
                    f"malformed go.sum line: {bad.reason}",
                    f"the line reads {bad.text.strip()!r}; go fails every build with "
                    f"'malformed go.sum'. Fix: {_delete_the_line(sf, workdir)}",
                )
            )
        check: list[SumLine] = []
        skipped: dict[str, list[SumLine]] = {}
        for ln in sf.sums.lines:
            reason = db.skip_reason(ln.path)
            if reason is None or client is None:
                if reason is None and client is None:
                    reason = "no checksum database client"
                if reason is None:
                    check.append(ln)
                    wanted.setdefault((ln.path, ln.module_version), None)
                    continue
            skipped.setdefault(reason or "", []).append(ln)
        plan.append((sf, fr, check, skipped))

    answers: dict[tuple[str, str], Answer] = {}
    if client is not None and wanted:
        n = auto_processes(len(wanted)) if processes is None else processes
        answers = lookup_sharded(list(wanted), client, jobs, n)
    result.lookups = len(wanted)
    forks: dict[tuple[int, int], ForkError] = {}

    for sf, fr, check, skipped in plan:
        for reason, lns in skipped.items():
            fr.skipped[reason] += len(lns)
            first = lns[0]
            sample = ", ".join(sorted({ln.path for ln in lns})[:3])
            result.findings.append(
                _finding(
                    sf,
                    first.line,
                    "sum-skipped",
                    Severity.NOTE,
                    f"{len(lns)} go.sum line(s) not checked against the checksum database "
                    f"({reason})",
                    _skip_why(reason, db, sample),
                )
            )
        for ln in check:
            ans = answers[(ln.path, ln.module_version)]
            f = _judge(sf, ln, ans, db.name, workdir)
            if f is None:
                fr.verified += 1
                continue
            if f.id == "sum-unknown":  # counted on their own: "N unknown to the database"
                fr.warnings += 1
            else:
                fr.errors += 1
            result.findings.append(f)
            if isinstance(ans.error, ForkError):
                key = (ans.error.older.n, ans.error.newer.n)
                if key not in forks:
                    forks[key] = ans.error
                    result.findings.append(_fork_finding(sf, ln, ans.error, db))
    if forks:  # the database lied: no proof it gave this run counts (go stops at the first)
        for _, fr, _, _ in plan:
            fr.errors += fr.verified
            fr.verified = 0
    return result


def _skip_why(reason: str, db: SumdbEnv, sample: str) -> str:
    if reason == "GOSUMDB=off":
        return "GOSUMDB=off turns the checksum database off for every module"
    if reason in ("GONOSUMDB", "GOPRIVATE"):
        return f"module paths ({sample}) match {reason}={db.nosumdb}: go does not check them either"
    return reason


def _fork_finding(sf: SumFile, ln: SumLine, err: ForkError, db: SumdbEnv) -> Finding:
    return _finding(
        sf,
        ln.line,
        "sumdb-fork",
        Severity.ERROR,
        f"the checksum database {db.name} signed two inconsistent trees: tree #{err.older.n} "
        f"is not a prefix of tree #{err.newer.n} (the newest head seen before is kept in "
        f"{db.sumdb_dir / db.name / 'latest'})",
        err.report(),
    )


def _judge(sf: SumFile, ln: SumLine, ans: Answer, dbname: str, workdir: str) -> Finding | None:
    mv = f"{ln.path}@{ln.version}"
    if ans.error is not None:
        e = ans.error
        if isinstance(e, NotFoundError):
            return _finding(
                sf,
                ln.line,
                "sum-unknown",
                Severity.ERROR,
                f"{mv}: not in the checksum database {dbname}",
                f"{e}. A private module belongs in GOPRIVATE or GONOSUMDB; a public one "
                "missing from the database may be a version that was never published",
            )
        kind = (
            "sumdb-fork"
            if isinstance(e, ForkError)
            else ("security" if isinstance(e, SecurityError) else "network")
        )
        return _finding(
            sf,
            ln.line,
            "sum-unverified",
            Severity.ERROR,
            f"{mv}: could not be verified: {_one_line(str(e))}",
            f"{kind} problem talking to {dbname}; the line is not counted as verified",
        )
    assert ans.lines is not None
    prefix = f"{ln.path} {ln.version} "
    db_hashes = [x[len(prefix) :] for x in ans.lines if x.startswith(prefix)]
    if ln.hash in db_hashes:
        return None
    if not db_hashes:
        return _finding(
            sf,
            ln.line,
            "sum-unverified",
            Severity.ERROR,
            f"{mv}: checksum missing from sumdb response",
            f"the record {dbname} returned for {ln.path}@{ln.module_version} has no "
            f"{'go.mod ' if ln.is_gomod else ''}line for it",
        )
    if not ln.hash.startswith("h1:"):
        return _finding(
            sf,
            ln.line,
            "sum-unverified",
            Severity.ERROR,
            f"{mv}: unknown hash algorithm in go.sum: {ln.hash.split(':', 1)[0]}",
            f"{dbname} has {db_hashes[0]}; go understands only h1: hashes",
        )
    return _finding(
        sf,
        ln.line,
        "sum-mismatch",
        Severity.ERROR,
        f"{mv}: checksum mismatch: go.sum has {ln.hash}, {dbname} has {db_hashes[0]}",
        "This go.sum line does NOT match the checksum database: the module was changed after "
        "it was published, or go.sum was edited. Fix: "
        f"{_delete_the_line(sf, workdir)}, then review the new hash",
    )


def _one_line(s: str) -> str:
    return " ".join(s.split())
