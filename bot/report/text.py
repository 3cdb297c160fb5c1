"""Plain text for a terminal."""

from __future__ import annotations

from bot.engine.model import Finding, ModuleResult, Report, Status
from bot.report.base import fix_command

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import ClassVar

_MARK = {
    Status.CLEAN: "ok     ",
    Status.DRIFTED: "DRIFT  ",
    Status.ERROR: "ERROR  ",
    Status.SKIPPED: "skipped",
}


def _loc(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.line else f.file


class TextRenderer:
    name: ClassVar[str] = "text"

    def __init__(self, show_diff: bool = False) -> None:
        self.show_diff = show_diff

    def _module(self, m: ModuleResult) -> list[str]:
        name = f"{m.dir} ({m.module})" if m.module else m.dir
        head = f"{_MARK[m.status]} {name}"
        if m.fixed:
            head += "  fixed: " + ", ".join(m.changed_files or ("nothing to write",))
        lines = [head]
        for f in m.findings:
            lines.append(f"    {_loc(f)}: {f.severity}[{f.id}] {f.message}")
            if f.why:
                lines.append(f"        why: {f.why}")
        if m.error:
            for ln in m.error.splitlines():
                lines.append(f"    {ln}")
        if self.show_diff and m.diff:
            lines.extend("    | " + ln for ln in m.diff.rstrip("\n").splitlines())
        return lines

    def render(self, report: Report) -> str:
        lines: list[str] = []
        for m in report.modules:
            lines.extend(self._module(m))
        for f in report.findings:
            lines.append(f"{_loc(f)}: {f.severity}[{f.id}] {f.message}")
            if f.why:
                lines.append(f"    why: {f.why}")
        s = report.summary
        verify = report.extra.get("verify")
        if isinstance(verify, dict):
            lines.append("")
            lines.append(f"verify: {verify.get('summary', '')}")
            return "\n".join(lines) + "\n"
        lines.append("")
        lines.append(
            f"{s.modules} module{'s' if s.modules != 1 else ''}: {s.clean} clean, "
            f"{s.drifted} drifted, {s.error} error, {s.skipped} skipped; "
            f"{s.findings} finding{'s' if s.findings != 1 else ''} "
            f"({report.duration:.1f}s, go {report.go_version})"
        )
        if report.drifted and report.command == "check":
            lines.append(f"to fix: {fix_command(report)}")
        return "\n".join(lines) + "\n"
