"""Every renderer against a golden file (regenerate with TIDYBOT_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.report import FORMATS, render
from bot.report.base import HEADLINE_MAX, error_headline
from bot.report.comment import CommentRenderer

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


# go's own text for a package nobody provides (go mod tidy -diff, GOPROXY=off): the first line
# names no cause; the indented line that follows does
GO_IMPORT_CHAIN = (
    "go: example.com/m/sub imports\n"
    "\texample.com/missing/pkg: cannot find module providing package example.com/missing/pkg:"
    " module lookup disabled by GOPROXY=off\n"
)
CAUSE = (
    "example.com/missing/pkg: cannot find module providing package example.com/missing/pkg:"
    " module lookup disabled by GOPROXY=off"
)


def _failed(error: str) -> Report:
    return Report(
        root="repo",
        command="check",
        modules=(ModuleResult("svc/b", "example.com/m", Status.ERROR, error=error),),
        go_version="1.26.8",
        tool_version="0.1.0",
        duration=0.1,
    )


def test_error_headline_joins_gos_continuation_lines() -> None:
    assert error_headline(GO_IMPORT_CHAIN) == f"go: example.com/m/sub imports {CAUSE}"
    two = "go: first problem\ngo: second problem\n"
    assert error_headline(two) == "go: first problem"
    assert error_headline("\n\n  \nonly line") == "only line"
    assert error_headline("") == ""
    long = error_headline("x" * 1000)
    assert len(long) == HEADLINE_MAX and long.endswith("…")


def test_tables_name_the_cause_of_a_module_error() -> None:
    r = _failed(GO_IMPORT_CHAIN)
    for text in (render(r, "markdown"), CommentRenderer().render(r)):
        row = next(ln for ln in text.splitlines() if ln.startswith("| `svc/b`"))
        assert CAUSE in row


def test_annotation_carries_the_whole_error_bounded() -> None:
    [line] = render(_failed(GO_IMPORT_CHAIN), "github").splitlines()
    assert line == (
        "::error file=svc/b/go.mod,title=tidybot%3A module not checked::"
        f"go: example.com/m/sub imports%0A\t{CAUSE}"
    )
    many = "\n".join(f"go: line {i}" for i in range(100))
    [line] = render(_failed(many), "github").splitlines()
    shown = line.split("::", 2)[2].split("%0A")
    assert shown[:40] == [f"go: line {i}" for i in range(40)]
    assert shown[40:] == ["… 60 more lines in the job log"]
    [line] = render(_failed("y" * 10_000), "github").splitlines()
    assert len(line.split("::", 2)[2]) == 4000


def test_comment_shows_a_module_error_in_full_under_the_table() -> None:
    body = CommentRenderer().render(_failed(GO_IMPORT_CHAIN))
    assert "<summary><code>svc/b</code>: error</summary>" in body
    assert f"```\n{GO_IMPORT_CHAIN}```" in body
    # within the comment's size limit, as the diffs are
    huge = "\n".join(f"go: {i} " + "z" * 80 for i in range(5000))
    small = CommentRenderer(limit=6000).render(_failed(huge))
    assert len(small) <= 6000 and "… (cut here)" in small
