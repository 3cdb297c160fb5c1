"""Progress of an organisation audit on stderr: a bar on a terminal, one line per repository
in a plain log, and in GitHub Actions logs one ``::group::`` per repository with a running count.

What a repository's result says (its reason, its module directories) is the repository's data:
in Actions logs it is printed between ``::stop-commands::`` fences so that it cannot speak the
runner's workflow-command protocol, and on a terminal its control characters are shown, not run.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import IO

from bot.report.escape import command_data, stop_commands, terminal_text

from .report import STATUSES, RepoResult

__all__ = ["Progress"]


class Progress:
    """A bar on a terminal; ``::group::`` sections and a running count in Actions logs."""

    def __init__(self, total: int, out: IO[str], style: str) -> None:
        self.total = total
        self.out = out
        self.style = style  # bar, actions, plain, none
        self.done = 0
        self.counts = {s: 0 for s in STATUSES}
        self._lock = threading.Lock()

    @staticmethod
    def pick(out: IO[str], environ: Mapping[str, str]) -> str:
        if environ.get("GITHUB_ACTIONS") == "true":
            return "actions"
        isatty = getattr(out, "isatty", None)
        return "bar" if isatty is not None and isatty() else "plain"

    def note(self, text: str) -> None:
        if self.style == "bar":
            self.out.write("\r\033[K")
        if self.style != "none":
            self.out.write(text + "\n")
            self.out.flush()

    def update(self, result: RepoResult, resumed: bool = False) -> None:
        with self._lock:
            self.done += 1
            self.counts[result.status] += 1
            running = (
                f"{self.done}/{self.total} repositories"
                f" ({self.counts['drifted']} drifted, {self.counts['error']} failed)"
            )
            what = f"{result.repo}: {result.status}" + (" (from the state file)" if resumed else "")
            if self.style == "actions":
                self.out.write(f"::group::[{self.done}/{self.total}] {command_data(what)}\n")
                start, body, end = stop_commands("\n".join(_result_lines(result)))
                self.out.write(f"{start}\n{body}\n{end}\n")
                self.out.write("::endgroup::\n")
                self.out.write(f"tidybot: {running}\n")
            elif self.style == "bar":
                width = 30
                filled = width * self.done // max(self.total, 1)
                bar = "#" * filled + "-" * (width - filled)
                self.out.write(f"\r\033[K[{bar}] {running} {terminal_text(result.repo)}")
                if self.done == self.total:
                    self.out.write("\n")
            elif self.style == "plain":
                self.out.write(f"[{self.done}/{self.total}] {terminal_text(what)}\n")
            self.out.flush()


def _result_lines(r: RepoResult) -> list[str]:
    out = [f"commit {r.sha[:12]}" if r.sha else "no commit"]
    if r.reason:
        out.append(r.reason)
    for m in (r.report or {}).get("modules") or []:
        if isinstance(m, dict) and m.get("status") != "clean":
            ids = sorted({str(f.get("id")) for f in m.get("findings") or [] if isinstance(f, dict)})
            out.append(f"  {m.get('dir')}: {m.get('status')} {' '.join(ids)}".rstrip())
    return out
