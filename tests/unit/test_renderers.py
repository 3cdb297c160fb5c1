"""Every renderer against a golden file (regenerate with TIDYBOT_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from bot.action.trigger import is_tidy_command
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.report import FORMATS, render
from bot.report.base import HEADLINE_MAX, Where, condense_error, error_headline, fix_command
from bot.report.comment import CommentRenderer
from bot.report.text import TextRenderer

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


#: ``tidybot check ../repo/services`` run from a sibling of the repository ``repo``: paths for
#: GitHub from the repository's top level, commands for the terminal from where it ran
WHERE = Where(repo="services", local="../repo/services", top_uri="file:///work/repo/")


def golden(name: str, out: str) -> None:
    path = GOLDEN / name
    if os.environ.get("TIDYBOT_UPDATE_GOLDEN") == "1":
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_renderer_matches_golden(fmt: str) -> None:
    golden(f"report.{fmt}", render(sample_report(), fmt, where=WHERE))


def test_comment_matches_golden() -> None:
    golden(
        "report.comment",
        CommentRenderer(workdir="services", tidy_command=True).render(sample_report()),
    )


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
        assert CAUSE in row.replace("\\", "")  # as shown: Markdown's escapes removed


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
    huge = "\n".join(f"go: {i} " + "z" * 300 for i in range(5000))
    small = CommentRenderer(limit=6000).render(_failed(huge))
    assert len(small) <= 6000 and "… (cut here)" in small


# -- hostile data: what a pull request controls, in every renderer -----------------------------

EVIL_DIR = (
    "x\n::warning title=LGTM::approved\n::add-mask::tidybot\n/tidy\n</details><h1>x</h1>|@org/team"
)
EVIL_TEXT = (
    "![i](https://evil.example/p.png) [l](https://evil.example) @org/team ``` | \x1b[2J\n/tidy"
)
EVIL_DIFF = "diff current/go.mod tidy/go.mod\n /tidy\n-```\n+::add-mask::x\n\x0c/tidy\n"


def hostile_report() -> Report:
    f = Finding(
        EVIL_DIR, f"{EVIL_DIR}/go.mod", 3, "unused-require", Severity.WARNING, EVIL_TEXT, EVIL_TEXT
    )
    return Report(
        root="repo",
        command="check",
        modules=(
            ModuleResult(EVIL_DIR, EVIL_TEXT, Status.DRIFTED, (f,), EVIL_DIFF),
            ModuleResult(EVIL_DIR + "2", "m", Status.ERROR, error=EVIL_TEXT + "\n" + EVIL_TEXT),
        ),
        findings=(Finding(".", "go.work", 2, "work-sync", Severity.WARNING, EVIL_TEXT, EVIL_TEXT),),
        go_version="1.26.8",
        tool_version="0.1.0",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_report_matches_golden(fmt: str) -> None:
    golden(f"report_hostile.{fmt}", render(hostile_report(), fmt, where=WHERE))


def test_hostile_comment_matches_golden() -> None:
    body = CommentRenderer(workdir="services", tidy_command=True).render(hostile_report())
    golden("report_hostile.comment", body)


def test_hostile_data_forms_no_workflow_command() -> None:
    for fmt in ("github", "text"):
        out = render(hostile_report(), fmt, where=WHERE)
        for line in out.splitlines():
            if fmt == "github":
                assert re.match(r"::(error|warning|notice) (file=[^,:]*,)?(line=\d+,)?title=", line)
            else:
                assert not line.lstrip().startswith("::"), line
                assert "\x1b" not in line


def test_hostile_data_renders_no_markdown_or_html_and_no_tidy_line() -> None:
    md = MarkdownIt("commonmark").enable("table")
    bodies = {
        "markdown": render(hostile_report(), "markdown", where=WHERE),
        "comment": CommentRenderer(workdir="services", tidy_command=True).render(hostile_report()),
    }
    for name, body in bodies.items():
        assert not is_tidy_command(body), name
        html = md.render(body)
        tags = set(re.findall(r"<([a-z0-9]+)", html))
        assert tags <= {
            "h3",
            "p",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "code",
            "pre",
            "details",
            "summary",
            "strong",
            "ul",
            "li",
            "sub",
            "a",
        }, (name, tags)
        assert "<h1" not in html and "<img" not in html, name
        assert "evil.example" not in "".join(re.findall(r'href="([^"]*)"', html)), name
        # a mention outside code (GitHub mentions no one inside code)
        assert "@org" not in re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S), name
        # the details blocks open and close in pairs: no </details> from the data
        assert html.count("<details>") == html.count("</details>"), name


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_hostile_data_survives_json_formats_intact(fmt: str) -> None:
    doc = json.loads(render(hostile_report(), fmt, where=WHERE))
    if fmt == "json":
        assert doc["modules"][0]["module"] == EVIL_TEXT
        assert doc["modules"][0]["findings"][0]["file"] == f"{EVIL_DIR}/go.mod"
    else:
        result = doc["runs"][0]["results"][0]
        assert result["message"]["text"] == f"{EVIL_TEXT} ({EVIL_TEXT})"
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert urllib.parse.unquote(uri) == f"services/{EVIL_DIR}/go.mod"  # a URI: encoded
        assert "\n" not in uri and ":" not in uri and "#" not in uri


# -- fix commands and condensed errors ---------------------------------------------------------


def _f(fid: str, file: str = "a/go.mod", message: str = "m") -> Finding:
    return Finding("a", file, None, fid, Severity.WARNING, message)


def test_one_function_decides_each_kind_of_fix() -> None:
    assert fix_command("a", [_f("unused-require"), _f("missing-sum")]) == "go -C a mod tidy"
    assert fix_command(".", [_f("format")]) == "go mod tidy"
    assert fix_command("a", [_f("work-sync")]) == "go -C a work sync && go -C a mod tidy"
    assert fix_command(".", [_f("work-sync", "go.work")]) == "go work sync"
    assert fix_command("a b", [_f("vendor", "a b/vendor/modules.txt")]) == (
        "GOWORK=off go -C 'a b' mod vendor"
    )
    ws_vendor = _f("vendor", "vendor/modules.txt", "go work vendor would change the vendor tree")
    assert fix_command(".", [ws_vendor]) == "go work vendor"
    assert fix_command("a", [_f("unused-require"), _f("vendor")]) == (
        "go -C a mod tidy && GOWORK=off go -C a mod vendor"
    )
    assert fix_command("a", [_f("sum-mismatch"), _f("config")]) == ""  # go cannot repair these
    # the config's flags go to go mod tidy only, as tidybot fix gives them
    flags = ("-e", "-go=1.23", "-compat=1.21")
    assert fix_command("a", [_f("go-directive"), _f("vendor")], flags) == (
        "go -C a mod tidy -e -go=1.23 -compat=1.21 && GOWORK=off go -C a mod vendor"
    )
    assert fix_command("a", [_f("vendor")], flags) == "GOWORK=off go -C a mod vendor"
    # the workspace steps name their go.work, absolute where the command is pasted: they work
    # where GOWORK=off is set
    assert fix_command("w s/a", [_f("work-sync")], work_file="w s/go.work") == (
        "GOWORK=\"$PWD\"/'w s/go.work' go work sync && go -C 'w s/a' mod tidy"
    )
    assert (
        fix_command(".", [ws_vendor], work_file="/r/go.work") == "GOWORK=/r/go.work go work vendor"
    )


def test_the_comment_the_summary_and_the_text_give_the_same_commands() -> None:
    r = sample_report()
    text = render(r, "text", where=Where(repo="services", local="services"))
    md = render(r, "markdown", where=Where(repo="services"))
    body = CommentRenderer(workdir="services").render(r)
    for out in (text, md, body):
        assert "go -C services/svc/a mod tidy" in out
        assert "tidybot fix services" in out


def test_condense_error_tells_each_cause_once() -> None:
    progress = [f"go: finding module for package example.org/dep{i}/pkg" for i in range(15)]
    chains = [
        f"go: example.com/m imports\n\texample.org/dep{i}/pkg: reading "
        f"https://proxy.example/example.org/dep{i}/pkg/@v/list: 403 Forbidden"
        for i in range(15)
    ]
    other = "go: example.com/m/x: malformed module path"
    error = "\n".join([*progress, *chains, other]) + "\n"
    out = condense_error(error)
    assert out == [
        "go: finding module for package … (15 progress lines like this)",
        "go: example.com/m imports",
        "\texample.org/dep0/pkg: reading https://proxy.example/example.org/dep0/pkg/@v/list: "
        "403 Forbidden",
        "    … and 14 more with the same cause (example.org/dep1/pkg, example.org/dep2/pkg, "
        "example.org/dep3/pkg, …)",
        other,
    ]
    assert condense_error("go: one\ngo: two\n") == ["go: one", "go: two"]  # short: as is
    many = "\n".join(f"go: problem number {i}: cause {i}" for i in range(40))
    assert condense_error(many)[-1] == "… 28 more messages (--verbose prints all)"
    assert error_headline(error) == "go: example.com/m imports " + chains[0].split("\n\t")[1]


def test_a_re_vendored_module_is_one_entry_in_its_fixed_line() -> None:
    """A fix that re-vendored listed every vendored file go rewrote on the module's line."""
    files = ("svc/go.mod", "svc/vendor/modules.txt", *(f"svc/vendor/x/f{i}.go" for i in range(24)))
    m = ModuleResult("svc", "example.com/svc", Status.CLEAN, fixed=True, changed_files=files)
    line = TextRenderer().module_line(m)
    assert line == "fixed   svc (example.com/svc): svc/go.mod, svc/vendor/ (25 files)"
    assert "svc/vendor/x/f23.go" in TextRenderer(verbose=True).module_line(m)  # all of them


def test_only_the_commands_go_suggests_get_the_module_directory() -> None:
    """go indents the commands it suggests; tidybot's own messages that start with "go ..."
    (``go mod vendor failed: ...``) are words, not commands, and stay as they are."""
    from bot.report.base import go_hints_at

    assert go_hints_at("\tgo get example.com/x", "svc") == "\tgo -C svc get example.com/x"
    assert go_hints_at("\tgo mod edit -module=m", "a b") == "\tgo -C 'a b' mod edit -module=m"
    assert go_hints_at("go mod vendor failed: x", "svc") == "go mod vendor failed: x"
    assert go_hints_at("go failed without a message", "svc") == "go failed without a message"
    assert go_hints_at("\tgo get example.com/x", ".") == "\tgo get example.com/x"


def test_the_comment_names_what_a_diff_shows() -> None:
    """A module drifted by go work sync alone had its diff titled "go mod tidy -diff"."""
    synced = "diff current/go.mod synced/go.mod\n--- current/go.mod\n+++ synced/go.mod\n"
    tidy = "diff current/go.mod tidy/go.mod\n--- current/go.mod\n+++ tidy/go.mod\n"
    f = Finding("m1", "m1/go.mod", 5, "work-sync", Severity.WARNING, "go work sync would raise")
    for diff, title in (
        (synced, "<code>go work sync</code>"),
        (tidy + synced, "<code>go mod tidy -diff</code>, then <code>go work sync</code>"),
        (tidy, "<code>go mod tidy -diff</code>"),
    ):
        m = ModuleResult("m1", "example.com/m1", Status.DRIFTED, findings=(f,), diff=diff)
        report = Report(root=".", command="check", modules=(m,))
        body = CommentRenderer().render(report)
        assert f"<summary><code>m1</code>: {title}</summary>" in body, body


def test_sarif_uris_encode_what_a_uri_path_cannot_hold() -> None:
    from bot.report.sarif import file_uri

    assert file_uri("svc/go.mod") == "svc/go.mod"
    assert file_uri("a b/go.mod") == "a%20b/go.mod"
    assert file_uri("a#b/go.mod") == "a%23b/go.mod"  # not a fragment
    assert file_uri("x:y/go.mod") == "x%3Ay/go.mod"  # not a scheme
    assert file_uri("v2+x@y/go.mod") == "v2+x@y/go.mod"  # allowed in a path as they are
    assert file_uri("\u00e9/go.mod") == "%C3%A9/go.mod"
    assert file_uri("bad\udcff/go.mod") == "bad%FF/go.mod"  # the byte, not UTF-8


def test_the_comments_list_of_repository_findings_shows_names_as_they_are() -> None:
    """The findings of no module (go.work, checksums) are a list in the comment, not a table:
    a ``|`` in a file name showed as ``\\|`` inside its code span (cell escaping)."""
    f = Finding(".", "a|b/go.work", 2, "work-sync", Severity.WARNING, "go.work: x | y", "")
    report = Report(root="repo", command="check", modules=(), findings=(f,))
    body = CommentRenderer(workdir=".", tidy_command=False).render(report)
    html = MarkdownIt("commonmark").enable("table").render(body)
    assert "<code>a|b/go.work</code>" in html, body
    assert "x | y" in html and "\\|" not in html


def test_fix_summary_counts_each_module_once_by_how_it_ended() -> None:
    """A module whose files a fix wrote can still end in error (its go.work failed) or drift
    (go leaves a change it does not write): counted under that status, never also as fixed,
    so the counts add up and none goes negative; its line leads with the status."""
    modules = (
        ModuleResult(
            "a",
            "example.com/a",
            Status.ERROR,
            error="boom",
            fixed=True,
            changed_files=("a/go.mod",),
        ),
        ModuleResult("b", "example.com/b", Status.CLEAN, fixed=True, changed_files=("b/go.mod",)),
        ModuleResult("c", "example.com/c", Status.DRIFTED, fixed=True, changed_files=("c/go.sum",)),
        ModuleResult("d", "example.com/d", Status.CLEAN),
    )
    out = TextRenderer().render(Report(root=".", command="fix", modules=modules, go_version="1"))
    assert "4 modules: 1 fixed, 1 clean, 1 drifted, 1 error, 0 skipped;" in out
    lines = out.splitlines()
    assert "ERROR   a (example.com/a): files written: a/go.mod" in lines
    assert "fixed   b (example.com/b): b/go.mod" in lines
    assert "DRIFT   c (example.com/c): files written: c/go.sum" in lines


def test_own_paths_are_named_from_here_and_quoted_data_is_not() -> None:
    """Where.here_in rewrites tidybot's own shapes only: a why that quotes a go.sum line
    ("the line reads 'file evil.go: x'") is the file's text, not a path of tidybot's."""
    where = Where(local="repo")
    assert where.here_in("file svc/main.go:3 imports example.com/x") == (
        "file repo/svc/main.go:3 imports example.com/x"
    )
    quoted = "the line reads 'file evil.go: x y z w'; delete it"
    assert where.here_in(quoted) == quoted
    assert where.here_in("main.go:3:8: no required module provides package x") == (
        "main.go:3:8: no required module provides package x"  # go's own, module-relative
    )


def test_a_comment_exactly_at_the_limit_is_not_cut() -> None:
    from bot.report.comment import _fit

    body = "x\n" * 50
    assert _fit(body, len(body)) == body
    assert "Cut to fit" in _fit(body, len(body) - 1)


def test_a_workspace_is_synced_once_in_the_fix_commands() -> None:
    """Seven drifted modules of one go.work each got "GOWORK=... go work sync && go -C m mod
    tidy" (etcd): the sync writes every module of the workspace, so running it seven times
    did the same work seven times. It now comes once, first, and each module then its tidy."""
    from bot.report.base import fix_commands

    def drifted(d: str) -> ModuleResult:
        f = Finding(d, f"{d}/go.mod", 3, "work-sync", Severity.WARNING, "raise x", "")
        return ModuleResult(d, f"example.com/{d}", Status.DRIFTED, (f,), work_file="go.work")

    report = Report(root="repo", command="check", modules=(drifted("a"), drifted("b")))
    assert fix_commands(report, Where(local="ws").here) == [
        'GOWORK="$PWD"/ws/go.work go work sync && go -C ws/a mod tidy',
        "go -C ws/b mod tidy",
    ]
