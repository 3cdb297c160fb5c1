"""Plain text for a terminal (or a CI log): every path as the reader reaches it from where the
command ran, every printed value through :func:`bot.report.escape.terminal_text`."""

from __future__ import annotations

from bot.engine.model import Finding, ModuleResult, Report, Status
from bot.report.base import (
    Where,
    condense_error,
    fix_commands,
    go_hints_at,
    since_skipped,
    tidybot_fix,
)
from bot.report.escape import terminal_line, terminal_text

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import ClassVar

_MARK = {
    Status.CLEAN: "ok     ",
    Status.DRIFTED: "DRIFT  ",
    Status.ERROR: "ERROR  ",
    Status.SKIPPED: "skipped",
}

#: At most this many fix commands are printed; `tidybot fix` covers the rest.
MAX_COMMANDS = 10


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _vendor_condensed(files: tuple[str, ...]) -> tuple[str, ...]:
    """The files a fix changed, those of a vendor tree told as one entry (``vendor/ (24
    files)``): a re-vendored module lists every package file go rewrote. --verbose lists all."""
    out: list[str] = []
    counts: dict[str, int] = {}
    for f in files:
        parts = f.split("/")
        if "vendor" in parts[:-1]:
            tree = "/".join(parts[: parts.index("vendor") + 1]) + "/"
            if tree not in counts:
                out.append(tree)
            counts[tree] = counts.get(tree, 0) + 1
        else:
            out.append(f)
    return tuple(
        f"{f} ({counts[f]} file{'s' if counts[f] != 1 else ''})" if f in counts else f for f in out
    )


class TextRenderer:
    name: ClassVar[str] = "text"

    def __init__(
        self, show_diff: bool = False, where: Where | None = None, *, verbose: bool = False
    ) -> None:
        self.show_diff = show_diff
        self.where = where or Where()
        self.verbose = verbose

    def _loc(self, f: Finding) -> str:
        if not f.file:
            return ""
        path = terminal_line(self.where.here(f.file))
        return (f"{path}:{f.line}" if f.line else path) + ": "

    def module_line(self, m: ModuleResult) -> str:
        """The one line that heads a module: its status, directory and module path. ``fixed``
        only for a module a fix left clean; one whose files were written but that ended in
        error (its go.work failed after its own fix) or still drifted shows that status first,
        then the files written."""
        name = terminal_line(self.where.here(m.dir))
        if m.module:
            name += f" ({terminal_line(m.module)})"
        if not m.fixed:
            return f"{_MARK[m.status]} {name}"
        files = _vendor_condensed(m.changed_files) if not self.verbose else m.changed_files
        listed = ", ".join(terminal_line(self.where.here(f)) for f in files) or "nothing to write"
        if m.status is Status.CLEAN:
            return f"fixed   {name}: {listed}"
        return f"{_MARK[m.status]} {name}: files written: {listed}"

    def _module(self, m: ModuleResult, seen_errors: dict[str, str]) -> list[str]:
        lines = [self.module_line(m)]
        for f in m.findings:
            # after a fix the findings are what was repaired, not what is left
            was = "was " if m.fixed else ""
            lines.append(f"    {was}{self._loc(f)}{f.severity}[{f.id}] {terminal_line(f.message)}")
            if f.why:
                lines.append(f"        why: {terminal_line(self.where.here_in(f.why))}")
        if m.error:
            error = self.where.here_in(m.error)  # tidybot's own files, named from here
            shown = error.rstrip().splitlines() if self.verbose else condense_error(error)
            # the same error in another module, but for the module's own path in it
            key = "\n".join(shown).replace(m.module, "\0") if m.module else "\n".join(shown)
            if (
                not self.verbose
                and m.status is Status.ERROR
                and len(shown) > 1
                and key in seen_errors
            ):
                same = terminal_line(self.where.here(seen_errors[key]))
                lines.append(f"    the same error as {same}")
            else:
                seen_errors.setdefault(key, m.dir)
                here = self.where.here(m.dir)  # go's own hints, pasted where tidybot ran
                lines.extend(f"    {terminal_line(go_hints_at(ln, here))}" for ln in shown)
        if self.show_diff and m.diff:
            lines.extend("    | " + terminal_line(ln) for ln in m.diff.rstrip("\n").split("\n"))
        return lines

    def render(self, report: Report) -> str:
        lines: list[str] = []
        quiet_skips = [] if self.verbose else since_skipped(report)
        hidden = {id(m) for m in quiet_skips}
        seen_errors: dict[str, str] = {}
        for m in report.modules:
            if id(m) not in hidden:
                lines.extend(self._module(m, seen_errors))
        if quiet_skips:
            since = report.extra.get("since")
            ref = since.get("ref") if isinstance(since, dict) else ""
            lines.append(
                f"skipped {_plural(len(quiet_skips), 'module')} not affected by the changes "
                f"since {terminal_line(str(ref))} (--verbose lists them)"
            )
        for f in report.findings:
            lines.append(f"{self._loc(f)}{f.severity}[{f.id}] {terminal_line(f.message)}")
            if f.why:
                lines.append(f"    why: {terminal_line(self.where.here_in(f.why))}")
        verify = report.extra.get("verify")
        if lines:
            lines.append("")
        if isinstance(verify, dict):
            lines.append(_verify_line(verify, report))
        else:
            lines.append(self._summary(report))
            lines.extend(self._hint(report))
        return terminal_text("\n".join(lines) + "\n")  # each value is escaped; this is a guard

    def _summary(self, report: Report) -> str:
        s = report.summary
        if report.command == "fix":
            fixed = [m for m in report.modules if m.fixed]
            repaired = sum(len(m.findings) for m in fixed)
            left = s.findings - repaired
            # each module counted once, by how it ended: "fixed" is fixed and now clean; one
            # whose files were written but that ended in error or drift counts as that
            now_clean = sum(1 for m in fixed if m.status is Status.CLEAN)
            counts = (
                f"{now_clean} fixed, {s.clean - now_clean} clean, {s.drifted} drifted, "
                f"{s.error} error, {s.skipped} skipped; {_plural(repaired, 'finding')} fixed, "
                f"{left} left"
            )
        else:
            counts = (
                f"{s.clean} clean, {s.drifted} drifted, {s.error} error, {s.skipped} skipped; "
                f"{_plural(s.findings, 'finding')}"
            )
        return (
            f"{_plural(s.modules, 'module')}: {counts} "
            f"({report.duration:.1f}s, go {report.go_version})"
        )

    def _hint(self, report: Report) -> list[str]:
        """The commands that fix it, to paste where the command ran."""
        if report.command != "check":
            return []
        cmds = fix_commands(report, self.where.here)
        if not cmds:
            return []
        cmds = [terminal_line(c) for c in cmds]
        alt = terminal_line(tidybot_fix(self.where.local, self.where.selection))
        if len(cmds) == 1:
            return [f"to fix: {cmds[0]}", f"    or: {alt}"]
        out = ["to fix, run here:"]
        out += [f"    {c}" for c in cmds[:MAX_COMMANDS]]
        if len(cmds) > MAX_COMMANDS:
            out.append(f"    … and {len(cmds) - MAX_COMMANDS} more")
        out.append(f"or all at once: {alt}")
        return out


def _verify_line(verify: dict[str, object], report: Report) -> str:
    """verify's counts: lines by outcome, then findings by severity (the exit code follows
    the findings: an error finding is exit 1 or 2)."""

    def n(key: str) -> int:
        v = verify.get(key)
        return v if isinstance(v, int) else 0

    skipped = verify.get("skipped")
    skipped = skipped if isinstance(skipped, dict) else {}
    why = ", ".join(f"{k}: {v}" for k, v in sorted(skipped.items()))
    n_skipped = sum(v for v in skipped.values() if isinstance(v, int))
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    notes = len(report.findings) - errors - warnings
    files = f" in {_plural(n('files'), 'file')}" if "files" in verify else ""
    lines = (
        f"{_plural(n('lines'), 'go.sum line')}{files}: {n('verified')} verified, "
        f"{n_skipped} skipped" + (f" ({why})" if why else "") + f", {n('errors')} failed"
    )
    if n("warnings"):
        lines += f", {n('warnings')} unknown to the database"
    found = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    if notes:
        found += f", {_plural(notes, 'note')}"
    return (
        f"verify: {lines}; findings: {found} "
        f"({n('requests')} requests, {n('cache_hits')} cache hits, {report.duration:.1f}s)"
    )
