"""GitHub workflow commands: one annotation per finding, on its go.mod/go.sum line.

GitHub attaches an annotation to a file by its path from the repository's top level, so every
``file=`` is relative to it (:class:`~bot.report.base.Where`), whatever directory was checked.
Values go through :func:`~bot.report.escape.command_property` / ``command_data``."""

from __future__ import annotations

from typing import ClassVar

from bot.engine.model import Finding, Report, Severity, Status
from bot.report.base import Where, join
from bot.report.escape import command_data, command_property

# an annotation shows the whole of a module's error, up to this much (the log has all of it)
ERROR_LINES = 40
ERROR_CHARS = 4000

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


# the names the action imports
escape_data = command_data
escape_property = command_property


def annotation(f: Finding, prefix: str = "") -> str:
    """``prefix``: the checked directory relative to the repository's top level."""
    props = [f"file={escape_property(join(prefix or '.', f.file))}"] if f.file else []
    if f.line and f.file:
        props.append(f"line={f.line}")
    props.append(f"title={escape_property('tidybot ' + f.id)}")
    msg = f.message + (f"\n{f.why}" if f.why else "")
    return f"::{_LEVEL[f.severity]} {','.join(props)}::{escape_data(msg)}"


class GithubRenderer:
    name: ClassVar[str] = "github"

    def __init__(self, where: Where | str = "") -> None:
        """``where``: the checked directory (a :class:`Where`, or its path relative to the
        repository's top level, as the action's ``working-directory``)."""
        self.where = where if isinstance(where, Where) else Where(repo=where or ".")

    def render(self, report: Report) -> str:
        prefix = self.where.repo
        lines = [annotation(f, prefix) for f in report.all_findings()]
        for m in report.modules:
            if m.status is Status.ERROR:
                gomod = self.where.in_repo(join(m.dir, "go.mod"))
                lines.append(
                    f"::error file={escape_property(gomod)},"
                    f"title={escape_property('tidybot: module not checked')}::"
                    f"{escape_data(_error_message(m.error))}"
                )
        return "\n".join(lines) + ("\n" if lines else "")


def _error_message(error: str) -> str:
    """A module's error as an annotation message: all of it (go's cause is often on the second
    line), but bounded; what is cut is said."""
    lines = [ln.rstrip() for ln in error.strip().splitlines()]
    if not lines:
        return "could not be checked"
    kept: list[str] = []
    size = 0
    for ln in lines[:ERROR_LINES]:
        if size + len(ln) + 1 > ERROR_CHARS:
            break
        kept.append(ln)
        size += len(ln) + 1
    if not kept:  # one very long line
        kept = [lines[0][: ERROR_CHARS - 1] + "…"]
    if len(kept) < len(lines):
        kept.append(f"… {len(lines) - len(kept)} more lines in the job log")
    return "\n".join(kept)
