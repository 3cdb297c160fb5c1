"""SARIF 2.1.0, for GitHub code scanning (upload with github/codeql-action/upload-sarif).

Every ``artifactLocation.uri`` is relative to the repository's top level (percent-encoded:
``file_uri``) and names the base ``%SRCROOT%`` (``run.originalUriBaseIds`` says where that is,
when known), as code scanning expects; each rule links its section of the README
(``helpUri``)."""

from __future__ import annotations

import json
import os
from typing import ClassVar
from urllib.parse import quote

from bot.engine.findings import RULES
from bot.engine.model import Report, Severity
from bot.report.base import HOME, Where
from bot.report.escape import visible_doc

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}

#: The base every uri is relative to: the repository's top level.
SRCROOT = "%SRCROOT%"


def help_uri(rule_id: str, version: str) -> str:
    """The README's section on a finding, at the release that reported it."""
    ref = f"v{version}" if version and version[0].isdigit() else "main"
    return f"{HOME}/blob/{ref}/README.md{RULES[rule_id].anchor}"


def file_uri(path: str) -> str:
    """A relative path as the URI reference SARIF wants (§3.10.2): its bytes percent-encoded
    where a URI path could not hold them (RFC 3986: all but letters, digits, ``-._~``, the
    sub-delimiters and ``@``; ``:`` too, which in a first segment would read as a scheme), so
    a directory named ``a#b`` or ``x y`` (or with bytes that are not UTF-8) still names that
    file, not a fragment or an invalid URI."""
    return quote(os.fsencode(path), safe="/@!$&'()*+,;=")


class SarifRenderer:
    name: ClassVar[str] = "sarif"

    def __init__(self, where: Where | None = None) -> None:
        self.where = where or Where()

    def render(self, report: Report) -> str:
        findings = report.all_findings()
        used = sorted({f.id for f in findings})
        rules = [
            {
                "id": rid,
                "name": rid,
                "shortDescription": {"text": RULES[rid].summary},
                "helpUri": help_uri(rid, report.tool_version),
                "help": {"text": f"See README.md, Findings, {RULES[rid].anchor}"},
                "defaultConfiguration": {"level": _LEVEL[RULES[rid].severity]},
            }
            for rid in used
            if rid in RULES
        ]
        results = []
        for f in findings:
            path = self.where.in_repo(f.file) if f.file else ""
            loc: dict[str, object] = {}
            if path:
                loc["artifactLocation"] = {"uri": file_uri(path), "uriBaseId": SRCROOT}
                if f.line:
                    loc["region"] = {"startLine": f.line}
            result: dict[str, object] = {
                "ruleId": f.id,
                "level": _LEVEL[f.severity],
                "message": {"text": f.message + (f" ({f.why})" if f.why else "")},
                "partialFingerprints": {"tidybot/v1": f"{f.id}:{path}:{f.message}"},
            }
            if loc:
                result["locations"] = [{"physicalLocation": loc}]
            results.append(result)
        run: dict[str, object] = {
            "tool": {
                "driver": {
                    "name": "tidybot",
                    "version": report.tool_version,
                    "informationUri": HOME,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {
                SRCROOT: {"uri": self.where.top_uri}
                if self.where.top_uri
                else {"description": {"text": "the repository's top level"}}
            },
            "results": results,
        }
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        }
        return json.dumps(visible_doc(doc), indent=2) + "\n"
