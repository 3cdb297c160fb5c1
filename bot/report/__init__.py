"""Output formats: one renderer class per format (each imported only when used)."""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from bot.engine.model import Report
    from bot.report.base import Where

FORMATS = ("text", "json", "markdown", "github", "sarif")


def render(
    report: Report,
    fmt: str,
    *,
    show_diff: bool = False,
    where: Where | None = None,
    verbose: bool = False,
) -> str:
    """``report`` in format ``fmt``. ``where`` places the checked directory in its repository
    and in the user's working directory (paths and fix commands); ``verbose`` lists what text
    output otherwise condenses (long go errors, modules ``--since`` left out)."""
    if fmt == "text":
        from bot.report.text import TextRenderer

        return TextRenderer(show_diff=show_diff, where=where, verbose=verbose).render(report)
    if fmt == "json":
        from bot.report.json import JsonRenderer

        return JsonRenderer(where).render(report)
    if fmt == "markdown":
        from bot.report.markdown import MarkdownRenderer

        return MarkdownRenderer(where=where).render(report)
    if fmt == "github":
        from bot.report.github import GithubRenderer

        return GithubRenderer(where or "").render(report)
    if fmt == "sarif":
        from bot.report.sarif import SarifRenderer

        return SarifRenderer(where).render(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
