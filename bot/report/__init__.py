"""Output formats: one renderer class per format (each imported only when used)."""

from __future__ import annotations

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from bot.engine.model import Report

FORMATS = ("text", "json", "markdown", "github", "sarif")


def render(report: Report, fmt: str, *, show_diff: bool = False) -> str:
    if fmt == "text":
        from bot.report.text import TextRenderer

        return TextRenderer(show_diff=show_diff).render(report)
    if fmt == "json":
        from bot.report.json import JsonRenderer

        return JsonRenderer().render(report)
    if fmt == "markdown":
        from bot.report.markdown import MarkdownRenderer

        return MarkdownRenderer().render(report)
    if fmt == "github":
        from bot.report.github import GithubRenderer

        return GithubRenderer().render(report)
    if fmt == "sarif":
        from bot.report.sarif import SarifRenderer

        return SarifRenderer().render(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
