"""Markdown (the job summary, the dashboard issue): a module table, findings, diffs folded in
<details>, and the commands that fix it. Paths are relative to the repository's top level;
every value from the checked tree or from go goes through :mod:`bot.report.escape`."""

from __future__ import annotations

from typing import ClassVar

from bot.engine.model import Finding, ModuleResult, Report, Status
from bot.report.base import (
    STATUS_LABEL,
    Where,
    condense_error,
    error_headline,
    fix_commands,
    since_skipped,
    tidybot_fix,
)
from bot.report.escape import (
    html_text,
    md_block,
    md_cell,
    md_cell_code,
    md_code,
    md_prose,
    md_text,
    no_command_lines,
)

#: A module's error is shown condensed to about this many lines (the job log has all of it).
ERROR_LINES = 40


class MarkdownRenderer:
    name: ClassVar[str] = "markdown"

    def __init__(self, title: str = "tidybot", where: Where | str | None = None) -> None:
        """``where``: the checked directory (a :class:`Where`, or its path relative to the
        repository's top level, as the action's ``working-directory``)."""
        self.title = title
        self.where = Where(repo=where or ".") if isinstance(where, str | None) else where

    def _path(self, d: str) -> str:
        return self.where.in_repo(d)

    def _loc(self, f: Finding, cell: bool = False) -> str:
        path = self._path(f.file) if f.file else ""
        loc = f"{path}:{f.line}" if path and f.line else path
        if not loc:
            return "—"
        return md_cell_code(loc) if cell else md_code(loc)

    def table(self, report: Report) -> list[str]:
        lines = ["| module | status | findings |", "| --- | --- | --- |"]
        quiet = {id(m) for m in since_skipped(report)}
        for m in report.modules:
            if id(m) in quiet:
                continue
            ids = sorted({f.id for f in m.findings})
            detail = ", ".join(md_cell_code(i) for i in ids) if ids else ""
            if m.status is Status.ERROR or m.status is Status.SKIPPED:
                detail = md_cell(error_headline(m.error))
            name = md_cell_code(self._path(m.dir))
            if m.module:
                name += f" ({md_cell(m.module)})"
            lines.append(f"| {name} | {STATUS_LABEL[m.status]} | {detail} |")
        if quiet:
            since = report.extra.get("since")
            ref = since.get("ref", "") if isinstance(since, dict) else ""
            lines.append(
                f"| {len(quiet)} more | {STATUS_LABEL[Status.SKIPPED]} | not affected by the "
                f"changes since {md_cell_code(str(ref))} |"
            )
        return lines

    def details(self, m: ModuleResult) -> list[str]:
        out = [
            f"<details><summary><code>{html_text(self._path(m.dir))}</code>: "
            f"{len(m.findings)} finding(s)</summary>",
            "",
        ]
        for f in m.findings:
            why = f" — {md_prose(f.why)}" if f.why else ""
            out.append(f"- {self._loc(f)} **{f.id}**: {md_prose(f.message)}{why}")  # a known id
        if m.diff:
            out.extend(["", md_block(m.diff, "diff")])
        out.extend(["", "</details>"])
        return out

    def render(self, report: Report) -> str:
        s = report.summary
        lines = [f"### {md_text(self.title)}", ""]
        verify = report.extra.get("verify")
        if isinstance(verify, dict):
            lines.append(f"go.sum verification: {md_text(str(verify.get('summary', '')))}")
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
        for m in (m for m in report.modules if m.status is Status.ERROR):
            error = "\n".join(condense_error(m.error, ERROR_LINES))
            lines.extend(
                [
                    "",
                    f"<details><summary><code>{html_text(self._path(m.dir))}</code>: "
                    "error</summary>",
                    "",
                    md_block(error),
                    "",
                    "</details>",
                ]
            )
        if report.findings:
            lines.extend(["", "| file | finding | message |", "| --- | --- | --- |"])
            for f in report.findings:
                message = md_prose(f.message, cell=True)
                lines.append(f"| {self._loc(f, cell=True)} | {md_cell_code(f.id)} | {message} |")
        if report.command == "check":
            lines.extend(self.fix_section(report))
        return no_command_lines("\n".join(lines) + "\n")

    def fix_section(self, report: Report) -> list[str]:
        """go's commands first (everyone has go), tidybot's one command second."""
        cmds = fix_commands(report, self._path)
        if not cmds:
            return []
        alt = md_code(tidybot_fix(self.where.repo, self.where.selection))
        return [
            "",
            "To fix it locally, from the repository root:",
            "",
            md_block("\n".join(cmds), "sh"),
            "",
            f"or, with tidybot installed: {alt}",
        ]
