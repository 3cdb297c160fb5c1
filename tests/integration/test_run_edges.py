"""Edges real repositories hit, through `tidybot check` and the JSON report: duplicate
requirements, the Go release a run reports, Go older than 1.23 said once, the why of a
toolchain line, and go.mod layout that follows the Go release that runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.engine.classify import ModuleTexts, classify
from bot.engine.gomod import format_gomod
from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import MAIN_GO, logging_shim, module, tidy_module, tidybot


def _doc(res: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_duplicate_require_is_reported_at_the_duplicate(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    gomod = tmp_path / "go.mod"
    text = gomod.read_text()
    assert "require example.com/greet v1.1.0\n" in text
    gomod.write_text(
        text.replace(
            "require example.com/greet v1.1.0\n",
            "require example.com/greet v1.1.0\n\nrequire example.com/greet v1.0.0\n",
        )
    )
    line = gomod.read_text().split("\n").index("require example.com/greet v1.0.0") + 1
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    (m,) = _doc(res)["modules"]
    assert m["status"] == "drifted"
    assert [(f["id"], f["line"], f["message"]) for f in m["findings"]] == [
        (
            "duplicate-require",
            line,
            "example.com/greet is required twice: v1.0.0 here, v1.1.0 at line 5",
        )
    ]
    fixed = tidybot(goenv, "fix", str(tmp_path))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert gomod.read_text().count("example.com/greet") == 1


def test_go_version_is_the_release_that_runs(tmp_path: Path, goenv: dict[str, str]) -> None:
    """With a pinned release the report names it, not the Go on PATH (here the module needs a
    newer Go, so the pinned release is refused before any download)."""
    module(tmp_path, ".", "example.com/app", {}, go_line="1.99")
    res = tidybot(goenv, "check", str(tmp_path), "--gotoolchain", "go1.24.0", "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    assert _doc(res)["go_version"] == "1.24.0"
    text = tidybot(goenv, "check", str(tmp_path), "--gotoolchain", "go1.24.0")
    assert "go 1.24.0)" in text.stdout


def test_go_older_than_1_23_is_said_once_before_any_module(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, "a", "example.com/a", {"main.go": MAIN_GO})
    tidy_module(goenv, tmp_path, "b", "example.com/b", {"main.go": MAIN_GO})
    wrapper, log = logging_shim(tmp_path, "go")
    env = dict(goenv, TIDYBOT_GO=str(wrapper))
    for command in ("check", "fix"):
        res = tidybot(env, command, str(tmp_path), "--gotoolchain", "go1.22.5")
        assert res.returncode == 2, res.stdout + res.stderr
        assert res.stdout == ""
        assert res.stderr.splitlines()[0] == (
            "tidybot: error: GOTOOLCHAIN=go1.22.5: tidybot needs Go 1.23 or newer "
            "(for `go mod tidy -diff`)"
        )
        assert res.stderr.count("needs Go 1.23") == 1  # once, not once per module
    assert not [c for c in (log.read_text().splitlines() if log.exists() else []) if "mod" in c]


def test_a_pinned_release_go_cannot_download_is_said_once(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A pinned release that does not exist (or that the proxy does not serve) failed every
    module with the same download error; now the run stops with one error, exit 2."""
    tidy_module(goenv, tmp_path, "a", "example.com/a", {"main.go": MAIN_GO})
    tidy_module(goenv, tmp_path, "b", "example.com/b", {"main.go": MAIN_GO})
    for command in ("check", "fix"):
        res = tidybot(goenv, command, str(tmp_path), "--gotoolchain", "go1.24.99")
        assert res.returncode == 2, res.stdout + res.stderr
        assert res.stdout == ""
        lines = res.stderr.splitlines()
        assert lines[0] == (
            "tidybot: error: GOTOOLCHAIN=go1.24.99: go could not download go1.24.99: "
            "toolchain not available"
        )
        assert lines[1].startswith("  hint: pin a Go release that exists")
        assert res.stderr.count("go1.24.99: toolchain not available") == 1
        assert "ERROR" not in res.stderr  # no module reported as an error of its own
    # under auto, a release one module's go.mod asks for stays that module's error
    module(tmp_path, "c", "example.com/c", {}, go_line="1.99.1")
    res = tidybot(goenv, "check", str(tmp_path), "--gotoolchain", "auto", "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    status = {m["dir"]: m["status"] for m in _doc(res)["modules"]}
    assert status == {"a": "clean", "b": "clean", "c": "error"}


def test_why_of_a_toolchain_line() -> None:
    """Tidy adding a toolchain line (Go 1.21 to 1.24 do when they raise the go line) is not
    a line that "is dropped"."""
    cur = "module example.com/app\n\ngo 1.22\n"
    added = "module example.com/app\n\ngo 1.24\n\ntoolchain go1.24.13\n"
    t = ModuleTexts(".", "go.mod", "go.sum", cur, added, "", "")
    whys = {f.message: f.why for f in classify(t)}
    assert whys["toolchain line: (none) -> go1.24.13"] == (
        "tidy raises the go line and records the Go release it ran with "
        "(a toolchain line newer than the go line)"
    )
    t = ModuleTexts(".", "go.mod", "go.sum", added, cur.replace("1.22", "1.24"), "", "")
    whys = {f.message: f.why for f in classify(t)}
    assert whys["toolchain line: go1.24.13 -> (none)"].endswith("is dropped")


BLANK_BEFORE_PAREN = (
    "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/greet v1.1.0\n\n)\n"
)


def test_layout_follows_the_release() -> None:
    """What `go mod edit -fmt` of each release writes (recorded from go1.24.13 and go1.25.0):
    1.24 keeps the blank line before `)`, 1.25 drops it (and the block collapses)."""
    assert format_gomod(BLANK_BEFORE_PAREN, blank_before_rparen=True) == BLANK_BEFORE_PAREN
    assert format_gomod(BLANK_BEFORE_PAREN) == (
        "module example.com/app\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n"
    )


def _online_env(goenv: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The fixture proxy first, then the public one for golang.org/toolchain."""
    env = dict(goenv)
    env["GOPROXY"] = goenv["GOPROXY"] + ",https://proxy.golang.org"
    env["GOSUMDB"] = "sum.golang.org"
    env["GONOSUMDB"] = "example.com"
    env["GOMODCACHE"] = os.environ.get("ONLINE_GOMODCACHE", str(tmp_path / "modcache"))
    return env


@pytest.mark.online
def test_layout_under_go_1_24_is_no_format_finding(tmp_path: Path, goenv: dict[str, str]) -> None:
    """A module go1.24.13 itself keeps as it is (blank line before `)`) is clean under
    --gotoolchain go1.24.13; under the local Go (1.25+) it is a format finding."""
    env = _online_env(goenv, tmp_path)
    root = write_tree(tmp_path / "repo", {"go.mod": BLANK_BEFORE_PAREN, "main.go": MAIN_GO})
    res = subprocess.run(
        ["go", "mod", "tidy"],
        cwd=root,
        env=dict(env, GOTOOLCHAIN="go1.24.13"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert (root / "go.mod").read_text() == BLANK_BEFORE_PAREN
    res = tidybot(env, "check", str(root), "--gotoolchain", "go1.24.13", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert _doc(res)["go_version"] == "1.24.13"
    res = tidybot(env, "check", str(root), "--format", "json")
    assert res.returncode == 1
    assert [f["id"] for f in _doc(res)["modules"][0]["findings"]] == ["format"]


@pytest.mark.online
def test_toolchain_line_added_by_go_1_24(tmp_path: Path, goenv: dict[str, str]) -> None:
    env = _online_env(goenv, tmp_path)
    root = write_tree(
        tmp_path / "repo",
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/ziprules v1.1.0\n",
            "main.go": 'package main\n\nimport _ "example.com/ziprules"\n\nfunc main() {}\n',
        },
    )
    res = tidybot(env, "check", str(root), "--gotoolchain", "go1.24.13", "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    whys = {f["message"]: f["why"] for f in _doc(res)["modules"][0]["findings"]}
    assert "is dropped" not in whys["toolchain line: (none) -> go1.24.13"]


def test_a_go_mod_or_go_sum_that_is_not_utf8_is_named_with_its_line(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A byte that is not UTF-8 was reported as Python's words ("cannot read: 'utf-8' codec
    can't decode byte 0xff in position 41"), and always as go.mod's, also when go.sum held it.
    Now the file and line are named, with the fix; the other modules are checked as usual."""
    tidy_module(goenv, tmp_path, "ok", "example.com/ok", {"main.go": MAIN_GO})
    tidy_module(goenv, tmp_path, "badmod", "example.com/badmod", {"main.go": MAIN_GO})
    tidy_module(goenv, tmp_path, "badsum", "example.com/badsum", {"main.go": MAIN_GO})
    gomod = tmp_path / "badmod" / "go.mod"
    gomod.write_bytes(gomod.read_bytes().replace(b"go 1.", b"// caf\xe9\ngo 1.", 1))
    (tmp_path / "badsum" / "go.sum").write_bytes(b"example.com/x v1.0.0 h1:\xff=\n")
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    mods = {m["dir"]: m for m in _doc(res)["modules"]}
    assert mods["ok"]["status"] == "clean"
    assert mods["badmod"]["error"] == (
        "badmod/go.mod:3: not UTF-8 (byte 0xe9); go reads go.mod as UTF-8 text: save it as UTF-8"
    )
    assert mods["badsum"]["error"] == (
        "badsum/go.sum:1: not UTF-8 (byte 0xff); go reads go.sum as UTF-8 text: save it as UTF-8"
    )
