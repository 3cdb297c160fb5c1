"""GitHub workflow commands: one annotation per finding, on its go.mod/go.sum line."""

from __future__ import annotations

from typing import ClassVar

from bot.engine.model import Finding, Report, Severity, Status

# an annotation shows the whole of a module's error, up to this much (the log has all of it)
ERROR_LINES = 40
ERROR_CHARS = 4000

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, prefix: str = "") -> str:
    props = [f"file={escape_property(prefix + f.file)}"]
    if f.line:
        props.append(f"line={f.line}")
    props.append(f"title={escape_property('tidybot ' + f.id)}")
    msg = f.message + (f"\n{f.why}" if f.why else "")
    return f"::{_LEVEL[f.severity]} {','.join(props)}::{escape_data(msg)}"


class GithubRenderer:
    name: ClassVar[str] = "github"

    def __init__(self, path_prefix: str = "") -> None:
        # prefix turns root-relative paths into repository-relative ones (working-directory)
        self.prefix = path_prefix.rstrip("/") + "/" if path_prefix not in ("", ".") else ""

    def render(self, report: Report) -> str:
        lines = [annotation(f, self.prefix) for f in report.all_findings()]
        for m in report.modules:
            if m.status is Status.ERROR:
                gomod = "go.mod" if m.dir == "." else f"{m.dir}/go.mod"
                lines.append(
                    f"::error file={escape_property(self.prefix + gomod)},"
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
