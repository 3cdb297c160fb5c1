"""SARIF 2.1.0, for GitHub code scanning (upload with github/codeql-action/upload-sarif)."""

from __future__ import annotations

import json
from typing import ClassVar

from bot.engine.findings import RULES
from bot.engine.model import Report, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


class SarifRenderer:
    name: ClassVar[str] = "sarif"

    def render(self, report: Report) -> str:
        findings = report.all_findings()
        used = sorted({f.id for f in findings})
        rules = [
            {
                "id": rid,
                "name": rid,
                "shortDescription": {"text": RULES[rid].summary},
                "help": {"text": f"See README.md, Findings, {RULES[rid].anchor}"},
                "defaultConfiguration": {"level": _LEVEL[RULES[rid].severity]},
            }
            for rid in used
            if rid in RULES
        ]
        results = []
        for f in findings:
            region = {"startLine": f.line} if f.line else None
            loc: dict[str, object] = {"artifactLocation": {"uri": f.file}}
            if region:
                loc["region"] = region
            results.append(
                {
                    "ruleId": f.id,
                    "level": _LEVEL[f.severity],
                    "message": {"text": f.message + (f" ({f.why})" if f.why else "")},
                    "locations": [{"physicalLocation": loc}],
                    "partialFingerprints": {
                        "tidybot/v1": f"{f.id}:{f.file}:{f.message}",
                    },
                }
            )
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "tidybot",
                            "version": report.tool_version,
                            "rules": rules,
                        }
                    },
                    "results": results,
                }
            ],
        }
        return json.dumps(doc, indent=2) + "\n"
