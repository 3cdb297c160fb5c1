"""Output formats: one renderer class per format."""

from __future__ import annotations

from bot.engine.model import Report
from bot.report.github import GithubRenderer
from bot.report.json import JsonRenderer
from bot.report.markdown import MarkdownRenderer
from bot.report.sarif import SarifRenderer
from bot.report.text import TextRenderer

FORMATS = ("text", "json", "markdown", "github", "sarif")


def render(report: Report, fmt: str, *, show_diff: bool = False) -> str:
    if fmt == "text":
        return TextRenderer(show_diff=show_diff).render(report)
    if fmt == "json":
        return JsonRenderer().render(report)
    if fmt == "markdown":
        return MarkdownRenderer().render(report)
    if fmt == "github":
        return GithubRenderer().render(report)
    if fmt == "sarif":
        return SarifRenderer().render(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
