"""Every renderer against a golden file (regenerate with TIDYBOT_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.report import FORMATS, render

GOLDEN = Path(__file__).parent.parent / "data" / "golden"

DIFF = """diff current/go.mod tidy/go.mod
--- current/go.mod
+++ tidy/go.mod
@@ -3,3 +3,1 @@
 go 1.22
-
-require example.com/unused v1.0.0
"""


def sample_report() -> Report:
    f1 = Finding(
        "svc/a",
        "svc/a/go.mod",
        5,
        "unused-require",
        Severity.WARNING,
        "example.com/unused v1.0.0 is required but unused",
        "no package or test of this module imports a package of it",
    )
    f2 = Finding(
        "svc/a",
        "svc/a/go.sum",
        None,
        "missing-sum",
        Severity.ERROR,
        "go.sum lacks the module checksum of example.com/greet v1.1.0",
        "without it, go build fails with `missing go.sum entry`",
    )
    return Report(
        root="repo",
        command="check",
        modules=(
            ModuleResult(".", "example.com/root", Status.CLEAN),
            ModuleResult("svc/a", "example.com/svc/a", Status.DRIFTED, (f1, f2), DIFF),
            ModuleResult(
                "svc/b",
                "example.com/svc/b",
                Status.ERROR,
                error="main.go:3:8: no required module provides package example.com/x; to add it:"
                "\n\tgo get example.com/x",
            ),
            ModuleResult("tools", "", Status.SKIPPED, error="go.mod is a symlink outside"),
        ),
        go_version="1.26.8",
        tool_version="0.1.0",
        duration=1.25,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_renderer_matches_golden(fmt: str) -> None:
    out = render(sample_report(), fmt)
    path = GOLDEN / f"report.{fmt}"
    if os.environ.get("TIDYBOT_UPDATE_GOLDEN") == "1":
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_json_report_shape() -> None:
    doc = json.loads(render(sample_report(), "json"))
    assert doc["schema_version"] == 1
    assert doc["summary"] == {
        "modules": 4,
        "clean": 1,
        "drifted": 1,
        "error": 1,
        "skipped": 1,
        "findings": 2,
    }
    m = doc["modules"][1]
    assert set(m) >= {"dir", "module", "status", "findings", "diff"}
    assert m["findings"][0] == {
        "id": "unused-require",
        "severity": "warning",
        "file": "svc/a/go.mod",
        "line": 5,
        "message": "example.com/unused v1.0.0 is required but unused",
        "why": "no package or test of this module imports a package of it",
    }


def test_github_annotations_escape_and_point_at_lines() -> None:
    lines = render(sample_report(), "github").splitlines()
    assert lines[0] == (
        "::warning file=svc/a/go.mod,line=5,title=tidybot unused-require::"
        "example.com/unused v1.0.0 is required but unused%0A"
        "no package or test of this module imports a package of it"
    )
    assert lines[1].startswith("::error file=svc/a/go.sum,title=tidybot missing-sum::")
    assert lines[2].startswith("::error file=svc/b/go.mod,title=tidybot%3A module not checked::")
