"""The renderer interface: one class per output format, each with one pure ``render`` method."""

from __future__ import annotations

from typing import ClassVar, Protocol

from bot.engine.model import Report


class Renderer(Protocol):
    name: ClassVar[str]

    def render(self, report: Report) -> str: ...


def fix_command(report: Report) -> str:
    """The exact command that fixes the drift locally."""
    dirs = [m.dir for m in report.drifted]
    if not dirs:
        return "tidybot fix ."
    if len(dirs) == 1:
        d = dirs[0]
        return "go mod tidy" if d == "." else f"(cd {d} && go mod tidy)"
    return "tidybot fix .   # or, per module: " + "; ".join(
        "go mod tidy" if d == "." else f"(cd {d} && go mod tidy)" for d in dirs
    )
