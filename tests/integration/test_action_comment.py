"""The sticky comment body (``bot.report.comment``): pure rendering, no server needed."""

from __future__ import annotations

import pytest

from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.forge.port import check_marker
from bot.report.comment import (
    COMMENT_LIMIT,
    MARKER,
    MAX_COMMANDS,
    CommentRenderer,
    fix_commands,
)

DIFF = (
    "diff current/go.mod tidy/go.mod\n--- current/go.mod\n+++ tidy/go.mod\n"
    "@@ -1,3 +1,5 @@\n module example.com/app\n \n go 1.22\n+\n+require example.com/greet v1.1.0\n"
)


def finding(d: str, fid: str = "missing-require") -> Finding:
    gomod = "go.mod" if d == "." else f"{d}/go.mod"
    return Finding(d, gomod, 3, fid, Severity.ERROR, "example.com/greet is imported, not required")


def drifted(d: str, diff: str = DIFF, n: int = 1) -> ModuleResult:
    return ModuleResult(d, f"example.com/{d}", Status.DRIFTED, (finding(d),) * n, diff)


def report(*modules: ModuleResult) -> Report:
    return Report(".", "check", modules)


def test_marker_is_a_valid_forge_marker_and_comes_first() -> None:
    assert check_marker(MARKER) == MARKER
    body = CommentRenderer().render(report(drifted(".")))
    assert body.startswith(MARKER + "\n")


def test_drift_body_has_table_diff_and_fix_command() -> None:
    r = report(
        drifted("svc/a", n=2),
        ModuleResult("svc/b", "example.com/b", Status.CLEAN),
        ModuleResult("svc/c", "", Status.ERROR, error="go: svc/c/go.mod:3: unknown directive: x|y"),
    )
    body = CommentRenderer(summary_url="https://x/runs/1", head_sha="a" * 40).render(r)
    assert "### ❌ tidybot: 1 module of 3 not tidy" in body
    assert "Checked 3 modules at `aaaaaaaaaaaa`: 1 drifted, 1 failed, 0 skipped, 1 clean." in body
    lines = body.splitlines()
    rows = [ln for ln in lines if ln.startswith("| `")]
    assert rows == [
        "| `svc/a` (example\\.com/svc/a) | ❌ drifted | `missing-require` ×2 |",
        "| `svc/c` | ⚠️ error | go\\: svc/c/go\\.mod\\:3\\: unknown directive\\: x\\|y |",
        "| `svc/b` (example\\.com/b) | ✅ clean | — |",
    ]
    assert "<details><summary><code>svc/a</code>: <code>go mod tidy -diff</code></summary>" in body
    assert "```diff\n" + DIFF + "```\n</details>" in body
    assert "```sh\ngo -C svc/a mod tidy\n```" in body
    assert "Or, with tidybot installed: `tidybot fix`" in body  # go first, tidybot second
    assert "[Run details and job summary](https://x/runs/1)" in body


def test_fix_commands_are_relative_to_the_repository_root() -> None:
    r = report(drifted("."), drifted("tools"))
    assert fix_commands(r) == ["go mod tidy", "go -C tools mod tidy"]
    assert fix_commands(r, "go") == ["go -C go mod tidy", "go -C go/tools mod tidy"]
    assert fix_commands(report(drifted("a b"))) == ["go -C 'a b' mod tidy"]


def test_tidy_command_is_offered_only_when_asked() -> None:
    r = report(drifted("."))
    assert "/tidy" not in CommentRenderer().render(r)
    assert "or comment `/tidy` on this pull request" in CommentRenderer(tidy_command=True).render(r)


def test_clean_body_says_the_drift_is_gone() -> None:
    r = report(ModuleResult(".", "example.com/app", Status.CLEAN))
    body = CommentRenderer(head_sha="b" * 40).render(r)
    assert "### ✅ tidybot: go.mod and go.sum are tidy" in body
    assert "The drift reported earlier is gone: 1 module tidy at `bbbbbbbbbbbb`." in body
    fixed = CommentRenderer(fixed_in="c" * 40).render(r)
    assert f"fixed in {'c' * 40}" in fixed


def test_a_diff_with_backticks_gets_a_longer_fence() -> None:
    body = CommentRenderer().render(report(drifted(".", diff="+// ```go\n")))
    assert "````diff\n+// ```go\n````" in body


@pytest.mark.parametrize(("modules", "diff_lines"), [(1, 40_000), (30, 2_000), (3_000, 30)])
def test_long_reports_are_cut_below_the_comment_limit(modules: int, diff_lines: int) -> None:
    diff = "".join(f"+example.com/m{i} v1.0.0 h1:{'x' * 40}=\n" for i in range(diff_lines))
    r = report(*(drifted(f"m{i:04}", diff) for i in range(modules)))
    body = CommentRenderer(summary_url="https://x/runs/1").render(r)
    assert len(body) <= COMMENT_LIMIT
    assert body.startswith(MARKER)
    assert "the full report is in the [job summary](https://x/runs/1)" in body
    assert body.count("<details>") == body.count("</details>")
    assert body.count("```") % 2 == 0, "no code fence left open"
    assert "| `m0000` (example\\.com/m0000) | ❌ drifted |" in body


def test_many_modules_list_a_bounded_number_of_commands() -> None:
    r = report(*(drifted(f"m{i:03}", diff="") for i in range(MAX_COMMANDS + 5)))
    body = CommentRenderer().render(r)
    assert body.count("go -C m") == MAX_COMMANDS
    assert "…and 5 more commands (see the job summary)." in body


def test_a_short_report_is_not_cut() -> None:
    body = CommentRenderer(summary_url="u").render(report(drifted(".")))
    assert "cut" not in body
