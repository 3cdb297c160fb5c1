"""JSON report, ``schema_version: 1`` (documented in README.md, "JSON report")."""

from __future__ import annotations

import json

from bot.engine.findings import RULES
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.errors import UsageError
from bot.report.base import Where
from bot.report.escape import visible_doc

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar

SCHEMA_VERSION = 1


class JsonRenderer:
    name: ClassVar[str] = "json"

    def __init__(self, where: Where | None = None) -> None:
        self.where = where

    def render(self, report: Report) -> str:
        doc: dict[str, object] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "tidybot", "version": report.tool_version},
            "go_version": report.go_version,
            "command": report.command,
            "root": report.root,
            "modules": [m.to_json() for m in report.modules],
            "findings": [f.to_json() | {"module_dir": f.module_dir} for f in report.findings],
            "summary": report.summary.to_json(),
        }
        if self.where is not None:
            # where the checked root is in its repository: a file's path from the top level
            # is this joined with its ``file`` (which is relative to the checked root)
            doc["root_in_repository"] = self.where.repo
        doc.update({k: v for k, v in report.extra.items() if k not in doc})
        return json.dumps(visible_doc(doc), indent=2, sort_keys=False) + "\n"


def parse_report(doc: Mapping[str, Any], what: str = "report.json") -> Report:
    """A Report from tidybot's JSON report, read as untrusted data (an artifact written by a
    pull request's run, a shard of an org audit): every field type-checked and length-bounded;
    anything else is a ``UsageError`` naming ``what``."""
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION:
        raise UsageError(f"{what} is not a tidybot JSON report (version {SCHEMA_VERSION})")
    modules = []
    for raw in _list(doc.get("modules")):
        m = _map(raw)
        status = _text(m.get("status"), 20)
        if status not in {s.value for s in Status}:
            raise UsageError(f"{what}: unknown module status {status!r}")
        mdir = _text(m.get("dir"), 400) or "."
        findings = tuple(_finding(mdir, f, what) for f in _list(m.get("findings")))
        modules.append(
            ModuleResult(
                dir=mdir,
                module=_text(m.get("module"), 400),
                status=Status(status),
                findings=findings,
                diff=_text(m.get("diff"), 2_000_000),
                error=_text(m.get("error"), 20_000),
            )
        )
    extra = tuple(
        _finding(_text(_map(f).get("module_dir"), 400) or ".", f, what)
        for f in _list(doc.get("findings"))
    )
    tool = _map(doc.get("tool"))
    return Report(
        root=".",
        command=_text(doc.get("command"), 40) or "check",
        modules=tuple(modules),
        go_version=_text(doc.get("go_version"), 40),
        tool_version=_text(tool.get("version"), 40),
        findings=extra,
    )


def _finding(module_dir: str, raw: Any, what: str) -> Finding:
    f = _map(raw)
    fid = _text(f.get("id"), 60)
    if fid not in RULES:  # an id is shown as it is: only tidybot's own are read
        raise UsageError(f"{what}: finding id {fid!r} is none of tidybot's: not a report")
    severity = _text(f.get("severity"), 10) or "error"
    if severity not in {s.value for s in Severity}:
        severity = "error"
    line = f.get("line")
    return Finding(
        module_dir=module_dir,
        file=_text(f.get("file"), 400),
        line=line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
        id=fid,
        severity=Severity(severity),
        message=_text(f.get("message"), 2000),
        why=_text(f.get("why"), 2000),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
