"""The data every part of tidybot passes around: findings, module results, reports.

All frozen records (`bot.record`); renderers and forges read these and nothing else.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from bot.record import field, record


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Status(enum.StrEnum):
    CLEAN = "clean"
    DRIFTED = "drifted"
    ERROR = "error"
    SKIPPED = "skipped"


@record(order=True)
class Finding:
    """One thing that is off, with a stable id (see ``bot.engine.findings.RULES``)."""

    module_dir: str  # module directory relative to the checked root, "." for the root
    file: str  # path relative to the checked root, e.g. "svc/a/go.mod"
    line: int | None  # 1-based line in the current file, None when the line does not exist
    id: str
    severity: Severity
    message: str  # one line
    why: str = ""  # a short explanation: who imports it, that nothing imports it, ...

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "why": self.why,
        }


@record
class ModuleResult:
    """Exactly one result per discovered module."""

    dir: str  # relative to the checked root, "." for the root
    module: str  # module path from go.mod ("" when go.mod could not be parsed)
    status: Status
    findings: tuple[Finding, ...] = ()
    diff: str = ""  # `go mod tidy -diff` output (drift), then go work sync's go.mod, or empty
    error: str = ""  # readable error (status error) or skip reason (status skipped)
    fixed: bool = False  # for `fix`: files were rewritten
    changed_files: tuple[str, ...] = ()  # for `fix`: files written, relative to the root
    duration: float = 0.0
    #: the config's ``go mod tidy`` flags for this module (``-e``, ``-go=1.23``,
    #: ``-compat=1.21``), which the report's fix commands repeat
    tidy_flags: tuple[str, ...] = ()
    #: the go.work (relative to the root) whose findings (``work-sync``, a workspace's
    #: ``vendor``) this module has, named by the fix commands' ``GOWORK=``
    work_file: str = ""
    #: what the report's fix commands need to tidy the modules in the fix's order, filled
    #: in by a check that found drift: the directories (root-relative) this module's go.mod
    #: replaces modules with, and whether it has a vendor/ tree (vendored again after a tidy)
    replaces: tuple[str, ...] = ()
    vendored: bool = False

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "dir": self.dir,
            "module": self.module,
            "status": str(self.status),
            "findings": [f.to_json() for f in self.findings],
            "diff": self.diff,
        }
        if self.error:
            out["error"] = self.error
        if self.fixed or self.changed_files:
            out["fixed"] = self.fixed
            out["changed_files"] = list(self.changed_files)
        return out


@record
class Summary:
    """How many modules ended in each status."""

    modules: int
    clean: int
    drifted: int
    error: int
    skipped: int
    findings: int

    @classmethod
    def of(cls, results: Iterable[ModuleResult], extra_findings: int = 0) -> Summary:
        rs = list(results)
        by = {s: sum(1 for r in rs if r.status is s) for s in Status}
        return cls(
            modules=len(rs),
            clean=by[Status.CLEAN],
            drifted=by[Status.DRIFTED],
            error=by[Status.ERROR],
            skipped=by[Status.SKIPPED],
            findings=sum(len(r.findings) for r in rs) + extra_findings,
        )

    def to_json(self) -> dict[str, int]:
        return {
            "modules": self.modules,
            "clean": self.clean,
            "drifted": self.drifted,
            "error": self.error,
            "skipped": self.skipped,
            "findings": self.findings,
        }


@record
class Report:
    """The result of one run over one root directory."""

    root: str  # as given by the user
    command: str  # "check", "fix", "verify", ...
    modules: tuple[ModuleResult, ...]
    go_version: str = ""
    tool_version: str = ""
    findings: tuple[Finding, ...] = ()  # findings not tied to one module (config, verify)
    duration: float = 0.0
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.modules, extra_findings=len(self.findings))

    def all_findings(self) -> list[Finding]:
        out = [f for m in self.modules for f in m.findings]
        out.extend(self.findings)
        return out

    @property
    def drifted(self) -> list[ModuleResult]:
        return [m for m in self.modules if m.status is Status.DRIFTED]
