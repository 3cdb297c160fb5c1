"""go.work with real go and the fixture proxy: go work sync would raise a requirement; the fix."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.toolchain import Go
from bot.workspace import check_workspace, find_workspaces, fix_workspace, workspace_uses
from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import tree_hash

GO_FILE = 'package {name}\n\nimport "example.com/greet"\n\nvar X = greet.Hello()\n'


def _go(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p


@pytest.fixture
def workspace(tmp_path: Path, goenv: dict[str, str]) -> Path:
    """svc/a needs greet v1.0.0, svc/b needs v1.1.0; each module is tidy on its own."""
    root = tmp_path / "repo"
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./svc/a\n\t./svc/b\n)\n",
            "svc/a/go.mod": "module example.com/a\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
            "svc/a/a.go": GO_FILE.format(name="a"),
            "svc/b/go.mod": "module example.com/b\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n",
            "svc/b/b.go": GO_FILE.format(name="b"),
        },
    )
    for d in ("svc/a", "svc/b"):
        _go(goenv, root / d, "mod", "tidy")
        diff = subprocess.run(
            ["go", "mod", "tidy", "-diff"], cwd=root / d, env=goenv, capture_output=True
        )
        assert diff.returncode == 0  # tidy on its own: only the workspace disagrees
    return root


def test_find_and_read_workspace(workspace: Path, goenv: dict[str, str]) -> None:
    assert find_workspaces(workspace) == [workspace / "go.work"]
    uses = workspace_uses(Go(goenv), workspace / "go.work")
    assert uses == [(workspace / "svc/a").resolve(), (workspace / "svc/b").resolve()]


def test_sync_would_raise_a_requirement(workspace: Path, goenv: dict[str, str]) -> None:
    before = tree_hash(workspace)
    res = check_workspace(Go(goenv), workspace, workspace / "go.work")
    assert res.error == ""
    assert res.used == ("svc/a", "svc/b")
    assert [(f.id, f.file, f.line, f.message) for f in res.findings] == [
        (
            "work-sync",
            "svc/a/go.mod",
            5,
            "go work sync would raise example.com/greet v1.0.0 => v1.1.0",
        )
    ]
    a, b = res.module("svc/a"), res.module("svc/b")
    assert a is not None
    assert b is not None
    assert a.synced
    assert a.would_change
    assert a.changed_files == ("svc/a/go.mod", "svc/a/go.sum")
    assert not b.would_change
    assert tree_hash(workspace) == before  # computed in a scratch copy only


def test_fix_syncs_then_tidies(workspace: Path, goenv: dict[str, str]) -> None:
    changed, err = fix_workspace(Go(goenv), workspace, workspace / "go.work")
    assert err == ""
    assert changed == ["svc/a/go.mod", "svc/a/go.sum"]
    assert "example.com/greet v1.1.0" in (workspace / "svc/a/go.mod").read_text()
    assert "greet v1.0.0" not in (workspace / "svc/a/go.sum").read_text()
    again = check_workspace(Go(goenv), workspace, workspace / "go.work")
    assert again.findings == ()
    assert not any(m.would_change for m in again.modules)


def test_go_line_and_work_sum(workspace: Path, goenv: dict[str, str]) -> None:
    (workspace / "go.work").write_text("go 1.21\n\nuse (\n\t./svc/a\n\t./svc/b\n)\n")
    res = check_workspace(Go(goenv), workspace, workspace / "go.work", tidy_after=False)
    work = [f for f in res.findings if f.file == "go.work"]
    assert [(f.line, f.message) for f in work] == [
        (1, "go work sync would change the go line from 1.21 to 1.22")
    ]


def test_vendored_workspace(workspace: Path, goenv: dict[str, str]) -> None:
    env = dict(goenv, GOWORK=str(workspace / "go.work"))
    _go(env, workspace, "work", "sync")
    for d in ("svc/a", "svc/b"):
        _go(goenv, workspace / d, "mod", "tidy")
    _go(env, workspace, "work", "vendor")
    assert (workspace / "vendor/modules.txt").read_text().startswith("## workspace\n")
    clean = check_workspace(Go(goenv), workspace, workspace / "go.work")
    assert clean.findings == ()

    greet = workspace / "vendor/example.com/greet/greet.go"
    greet.write_text(greet.read_text() + "\n// edited\n")
    stale = check_workspace(Go(goenv), workspace, workspace / "go.work")
    assert [(f.id, f.file) for f in stale.findings] == [("vendor", "vendor/modules.txt")]
    assert stale.findings[0].message.startswith("go work vendor would change the vendor tree")

    changed, err = fix_workspace(Go(goenv), workspace, workspace / "go.work")
    assert err == ""
    assert changed == ["vendor/example.com/greet/greet.go"]
    assert check_workspace(Go(goenv), workspace, workspace / "go.work").findings == ()
