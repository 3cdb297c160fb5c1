"""Markdown: a module table, findings, diffs folded in <details>, and the command that fixes it."""

from __future__ import annotations

from typing import ClassVar

from bot.engine.model import Finding, ModuleResult, Report, Status
from bot.report.base import error_headline, fix_command

_ICON = {
    Status.CLEAN: "✅ clean",
    Status.DRIFTED: "❌ drifted",
    Status.ERROR: "⚠️ error",
    Status.SKIPPED: "⏭️ skipped",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _loc(f: Finding) -> str:
    return f"`{f.file}:{f.line}`" if f.line else f"`{f.file}`"


def _fence(text: str) -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}diff\n{text.rstrip()}\n{ticks}"


class MarkdownRenderer:
    name: ClassVar[str] = "markdown"

    def __init__(self, title: str = "tidybot") -> None:
        self.title = title

    def table(self, report: Report) -> list[str]:
        lines = ["| module | status | findings |", "| --- | --- | --- |"]
        for m in report.modules:
            ids = sorted({f.id for f in m.findings})
            detail = ", ".join(f"`{i}`" for i in ids) if ids else ""
            if m.status is Status.ERROR or m.status is Status.SKIPPED:
                detail = _cell(error_headline(m.error))
            name = f"`{m.dir}`" + (f" ({_cell(m.module)})" if m.module else "")
            lines.append(f"| {name} | {_ICON[m.status]} | {detail} |")
        return lines

    def details(self, m: ModuleResult) -> list[str]:
        out = [
            f"<details><summary><code>{m.dir}</code>: {len(m.findings)} finding(s)</summary>",
            "",
        ]
        for f in m.findings:
            out.append(f"- {_loc(f)} **{f.id}**: {f.message}" + (f" — {f.why}" if f.why else ""))
        if m.diff:
            out.extend(["", _fence(m.diff)])
        out.extend(["", "</details>"])
        return out

    def render(self, report: Report) -> str:
        s = report.summary
        lines = [f"### {self.title}", ""]
        verify = report.extra.get("verify")
        if isinstance(verify, dict):
            lines.append(f"go.sum verification: {verify.get('summary', '')}")
        elif s.drifted:
            verb = "is" if s.drifted == 1 else "are"
            lines.append(f"**{s.drifted} of {s.modules} modules {verb} not tidy.**")
        elif s.error:
            lines.append(f"**{s.error} of {s.modules} modules could not be checked.**")
        else:
            lines.append(f"All {s.modules} modules are tidy.")
        lines.append("")
        if report.modules:
            lines.extend(self.table(report))
        for m in report.modules:
            if m.findings or m.diff:
                lines.append("")
                lines.extend(self.details(m))
        errors = [m for m in report.modules if m.status is Status.ERROR]
        for m in errors:
            lines.extend(
                [
                    "",
                    f"<details><summary><code>{m.dir}</code>: error</summary>",
                    "",
                    "```",
                    m.error.rstrip(),
                    "```",
                    "",
                    "</details>",
                ]
            )
        if report.findings:
            lines.extend(["", "| file | finding | message |", "| --- | --- | --- |"])
            for f in report.findings:
                lines.append(f"| {_loc(f)} | `{f.id}` | {_cell(f.message)} |")
        if s.drifted and report.command == "check":
            lines.extend(["", "To fix it locally:", "", "```sh", fix_command(report), "```"])
        return "\n".join(lines) + "\n"
