"""The renderer interface: one class per output format, each with one pure ``render`` method."""

from __future__ import annotations

from bot.engine.model import Report

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import ClassVar, Protocol

    class Renderer(Protocol):
        """What every renderer class is (a type only: nothing checks it at run time)."""

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


HEADLINE_MAX = 300


def error_headline(error: str) -> str:
    """An error's first message on one line, for a table cell or a title.

    go writes one message over several lines: an import or requirement chain
    (``go: example.com/m/sub imports`` then a tab-indented ``example.com/x: cannot find
    module ...``) or a hint (``to add it:`` then ``\tgo get example.com/x``). Its first line
    alone names no cause, so the indented lines that follow are joined to it.
    """
    parts: list[str] = []
    for line in error.splitlines():
        if not line.strip():
            if parts:
                break
            continue
        if parts and not line[:1].isspace():
            break
        parts.append(line.strip())
    text = " ".join(parts)
    return text if len(text) <= HEADLINE_MAX else text[: HEADLINE_MAX - 1].rstrip() + "…"
