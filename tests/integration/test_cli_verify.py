"""`tidybot verify` as a user runs it, against the loopback checksum database."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.fakes.goproxy import write_tree
from tests.fakes.sumdb import SumdbServer
from tests.integration.engine_helpers import tidybot
from tests.integration.test_action_harness import git

GREET = "example.com/greet"


@pytest.fixture
def env(goenv: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path) -> dict[str, str]:
    e = dict(goenv)
    e["GOSUMDB"] = sumdb_server.gosumdb
    e.pop("GONOSUMDB", None)
    e["GOMODCACHE"] = str(tmp_path / "modcache")
    e["GOPATH"] = str(tmp_path / "gopath")
    return e


def test_verify_clean_then_mismatch(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    lines = sumdb_server.gosum_lines(GREET, "v1.0.0")
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/m\n\ngo 1.22\n", "go.sum": "\n".join(lines) + "\n"},
    )
    res = tidybot(env, "verify", str(root))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith(
        "verify: 2 go.sum lines in 1 file: 2 verified, 0 skipped, 0 failed"
    )

    bad = lines[0].rsplit(" ", 1)[0] + " h1:" + "A" * 43 + "="
    (root / "go.sum").write_text(bad + "\n" + lines[1] + "\n")
    res = tidybot(env, "verify", str(root), "--format", "json")
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    (f,) = doc["findings"]
    assert (f["id"], f["file"], f["line"], f["severity"]) == ("sum-mismatch", "go.sum", 1, "error")
    assert doc["verify"]["verified"] == 1


def test_verify_base_flags_a_changed_hash(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    lines = sumdb_server.gosum_lines(GREET, "v1.0.0")
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/m\n\ngo 1.22\n", "go.sum": "\n".join(lines) + "\n"},
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "go.mod", "go.sum")
    git(root, "commit", "-q", "-m", "base")
    changed = lines[0].rsplit(" ", 1)[0] + " h1:" + "C" * 43 + "="
    (root / "go.sum").write_text(changed + "\n" + lines[1] + "\n")
    res = tidybot(env, "verify", str(root), "--base", "main", "--format", "json")
    assert res.returncode == 1
    ids = sorted(f["id"] for f in json.loads(res.stdout)["findings"])
    assert ids == ["sum-changed", "sum-mismatch"]


def test_verify_bad_base_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"go.mod": "module example.com/m\n"})
    git(root, "init", "-q")
    res = tidybot(env, "verify", str(root), "--base", "nope")
    assert res.returncode == 2
    assert res.stderr.startswith("tidybot: error: --base nope: no such commit")
    assert "Traceback" not in res.stderr


def test_verify_text_counts_lines_and_findings_apart(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """GONOSUMDB='*': every line skipped and a config error with no file. The error is shown
    without an empty location, the summary counts it as a finding (exit 1 follows from it), not
    as a failed line, and says "1 file"."""
    lines = sumdb_server.gosum_lines(GREET, "v1.0.0")
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/m\n\ngo 1.22\n", "go.sum": "\n".join(lines) + "\n"},
    )
    res = tidybot(dict(env, GONOSUMDB="*"), "verify", str(root))
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout.splitlines()
    assert out[0] == "error[config] GONOSUMDB=* skips the checksum database for every module"
    assert not any(ln.startswith(":") for ln in out)
    assert out[-1].startswith(
        "verify: 2 go.sum lines in 1 file: 0 verified, 2 skipped (GONOSUMDB: 2), 0 failed; "
        "findings: 1 error, 0 warnings, 1 note ("
    )


def test_verify_where_there_is_no_module_says_so(env: dict[str, str], tmp_path: Path) -> None:
    """``tidybot verify`` in a directory without Go modules printed "0 go.sum lines in 0 files"
    and exited 0, where ``check`` says there is no go.mod (exit 2): a wrong directory looked
    verified. A module without dependencies (no go.sum) is still verified clean."""
    empty = write_tree(tmp_path / "docs", {"README.md": "no Go here\n"})
    res = tidybot(env, "verify", str(empty))
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.startswith(f"tidybot: error: {empty}: no go.mod found"), res.stderr
    alone = write_tree(tmp_path / "alone", {"go.mod": "module example.com/alone\n\ngo 1.22\n"})
    res = tidybot(env, "verify", str(alone))
    assert res.returncode == 0, res.stdout + res.stderr


def test_verify_fix_advice_runs_where_tidybot_ran(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """A sum-mismatch said "delete the line and run `go mod tidy`": run where tidybot ran
    (above the module), go found no go.mod. The advice names the module's directory as the
    report prints it; following it (the line deleted, the command pasted) verifies clean."""
    lines = sumdb_server.gosum_lines(GREET, "v1.0.0")
    bad = lines[0].rsplit(" ", 1)[0] + " h1:" + "A" * 43 + "="
    app = write_tree(
        tmp_path / "my repo" / "app",
        {
            "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire {GREET} v1.0.0\n",
            "main.go": f'package main\n\nimport "{GREET}"\n\nvar X = greet.Hello()\n',
            "go.sum": bad + "\n" + lines[1] + "\n",
        },
    )
    res = tidybot(env, "verify", "my repo", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert res.stdout.startswith("my repo/app/go.sum:1: error[sum-mismatch]"), res.stdout
    commands = re.findall(r"Fix: delete the line and run `([^`]+)`", res.stdout)
    assert commands == ["go -C 'my repo/app' mod tidy"], res.stdout
    (app / "go.sum").write_text(lines[1] + "\n")  # the line deleted, as the advice says
    ran = subprocess.run(
        ["bash", "-c", commands[0]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    again = tidybot(env, "verify", "my repo", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_verify_with_an_empty_base_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    """``--base "$BASE"`` with BASE empty verified as if no base were given, silently."""
    root = write_tree(tmp_path / "repo", {"go.mod": "module example.com/m\n"})
    res = tidybot(env, "verify", str(root), "--base", "")
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.startswith("tidybot: error: --base '': empty ref"), res.stderr
