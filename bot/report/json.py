"""JSON report, ``schema_version: 1`` (documented in README.md, "JSON report")."""

from __future__ import annotations

import json

from bot.engine.model import Report
from bot.report.base import Where

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import ClassVar

SCHEMA_VERSION = 1


class JsonRenderer:
    name: ClassVar[str] = "json"

    def __init__(self, where: Where | None = None) -> None:
        self.where = where

    def render(self, report: Report) -> str:
        doc: dict[str, object] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "tidybot", "version": report.tool_version},
            "go_version": report.go_version,
            "command": report.command,
            "root": report.root,
            "modules": [m.to_json() for m in report.modules],
            "findings": [f.to_json() | {"module_dir": f.module_dir} for f in report.findings],
            "summary": report.summary.to_json(),
        }
        if self.where is not None:
            # where the checked root is in its repository: a file's path from the top level
            # is this joined with its ``file`` (which is relative to the checked root)
            doc["root_in_repository"] = self.where.repo
        doc.update({k: v for k, v in report.extra.items() if k not in doc})
        return json.dumps(doc, indent=2, sort_keys=False) + "\n"
