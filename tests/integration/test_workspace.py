"""go.work with real go and the fixture proxy: go work sync would raise a requirement, or change
only a module's go.sum; the fix."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.toolchain import Go
from bot.workspace import check_workspace, find_workspaces, fix_workspace, workspace_uses
from tests.fakes.goproxy import build_proxy, proxy_sums, write_tree
from tests.integration.engine_helpers import tidybot, tree_hash

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
    changed, err, _ = fix_workspace(Go(goenv), workspace, workspace / "go.work")
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

    changed, err, _ = fix_workspace(Go(goenv), workspace, workspace / "go.work")
    assert err == ""
    assert changed == ["vendor/example.com/greet/greet.go"]
    assert check_workspace(Go(goenv), workspace, workspace / "go.work").findings == ()


# --- go.mod kept, go.sum changed ----------------------------------------------------------------

OLD = "example.com/old"  # a go 1.16 module: no graph pruning, so its go.mod sums travel upward


@pytest.fixture
def sum_only(tmp_path: Path, goenv: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A workspace where go work sync + tidy changes one module's go.sum and not its go.mod.

    ``a`` imports a package of ``b`` that imports nothing, through ``replace example.com/b =>
    ../b``. ``b`` is a go 1.16 module (its module graph is not pruned) requiring old v1.0.0;
    ``c`` requires old v1.1.0. Each is tidy on its own, and ``a``'s go.sum holds
    ``old v1.0.0/go.mod`` because b's unpruned graph is part of a's. go work sync raises b's
    requirement to v1.1.0 and leaves a's go.mod alone (a imports nothing of old), so a's own
    tidy afterwards swaps that line for ``old v1.1.0/go.mod``: only go.sum changes.
    """
    src = write_tree(
        tmp_path / "src",
        {
            f"{OLD}@{v}/{name}": text
            for v in ("v1.0.0", "v1.1.0")
            for name, text in (
                ("go.mod", f"module {OLD}\n\ngo 1.16\n"),
                ("old.go", f'package old\n\nconst V = "{v}"\n'),
            )
        },
    )
    build_proxy(src, tmp_path / "proxy")
    env = dict(goenv, GOPROXY=(tmp_path / "proxy").resolve().as_uri())
    env["GOMODCACHE"] = str(tmp_path / "modcache")  # this proxy's modules only
    root = write_tree(
        tmp_path / "repo",
        {
            "go.work": "go 1.22\n\nuse (\n\t./a\n\t./b\n\t./c\n)\n",
            "a/go.mod": "module example.com/a\n\ngo 1.22\n\nrequire example.com/b v0.0.0\n\n"
            "replace example.com/b => ../b\n",
            "a/a.go": 'package a\n\nimport "example.com/b/plain"\n\nvar X = plain.Y\n',
            "b/go.mod": f"module example.com/b\n\ngo 1.16\n\nrequire {OLD} v1.0.0\n",
            "b/b.go": f'package b\n\nimport "{OLD}"\n\nvar X = old.V\n',
            "b/plain/plain.go": "package plain\n\nconst Y = 1\n",
            "c/go.mod": f"module example.com/c\n\ngo 1.22\n\nrequire {OLD} v1.1.0\n",
            "c/c.go": f'package c\n\nimport "{OLD}"\n\nvar X = old.V\n',
        },
    )
    for d in ("b", "c", "a"):
        _go(env, root / d, "mod", "tidy")
    assert (root / "a/go.sum").read_text().splitlines() == [
        f"{OLD} v1.0.0/go.mod {proxy_sums(tmp_path / 'proxy', src)[(OLD, 'v1.0.0/go.mod')]}"
    ]
    return root, env


def test_go_sum_only_change_is_real(sum_only: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """(a) real go: sync + tidy in a scratch copy keeps a/go.mod byte for byte, changes a/go.sum."""
    root, env = sum_only
    scratch = tmp_path / "scratch"
    shutil.copytree(root, scratch)
    _go(dict(env, GOWORK=str(scratch / "go.work")), scratch, "work", "sync")
    for d in ("a", "b", "c"):
        _go(env, scratch / d, "mod", "tidy")
    assert (scratch / "a/go.mod").read_bytes() == (root / "a/go.mod").read_bytes()
    before = (root / "a/go.sum").read_text().splitlines()
    after = (scratch / "a/go.sum").read_text().splitlines()
    assert [ln.split()[:2] for ln in before] == [[OLD, "v1.0.0/go.mod"]]
    assert [ln.split()[:2] for ln in after] == [[OLD, "v1.1.0/go.mod"]]
    assert (scratch / "b/go.mod").read_text() != (root / "b/go.mod").read_text()  # raised
    assert (scratch / "c/go.mod").read_bytes() == (root / "c/go.mod").read_bytes()


def test_go_sum_only_change_is_reported_and_fixed(sum_only: tuple[Path, dict[str, str]]) -> None:
    """(b) tidybot check: one work-sync finding for a, at a/go.sum, with the line counts;
    (c) tidybot fix: the check is clean afterwards and a/go.mod is unchanged."""
    root, env = sum_only
    gomod_a = (root / "a/go.mod").read_bytes()
    res = tidybot(env, "check", str(root), "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    report = json.loads(res.stdout)
    found = {
        m["dir"]: [(f["id"], f["file"], f["line"], f["message"]) for f in m["findings"]]
        for m in report["modules"]
    }
    assert found["a"] == [
        (
            "work-sync",
            "a/go.sum",
            None,
            "go work sync and tidy would change go.sum: 1 lines added, 1 removed",
        )
    ]
    assert found["b"] == [
        ("work-sync", "b/go.mod", 5, f"go work sync would raise {OLD} v1.0.0 => v1.1.0")
    ]
    assert found["c"] == []
    assert report["findings"] == []

    fixed = tidybot(env, "fix", str(root))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (root / "a/go.mod").read_bytes() == gomod_a
    assert [ln.split()[:2] for ln in (root / "a/go.sum").read_text().splitlines()] == [
        [OLD, "v1.1.0/go.mod"]
    ]
    again = tidybot(env, "check", str(root), "--format", "json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert all(m["status"] == "clean" for m in json.loads(again.stdout)["modules"])


def test_go_sum_change_follows_the_selection(sum_only: tuple[Path, dict[str, str]]) -> None:
    """a's go.sum moves only because the sync raises b's go.mod. With only a selected, the fix
    leaves b alone, so nothing of a would change: no finding, and fix --include a writes
    nothing. With a and b selected, a's finding is back."""
    root, env = sum_only
    before = {p: (root / p).read_bytes() for p in ("a/go.mod", "a/go.sum", "b/go.mod")}
    res = tidybot(env, "check", str(root), "--include", "a", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert [m["findings"] for m in json.loads(res.stdout)["modules"]] == [[]]
    fixed = tidybot(env, "fix", str(root), "--include", "a")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert {p: (root / p).read_bytes() for p in before} == before
    res = tidybot(env, "check", str(root), "--include", "a", "--include", "b", "--format", "json")
    assert res.returncode == 1
    found = {
        m["dir"]: [f["file"] for f in m["findings"]] for m in json.loads(res.stdout)["modules"]
    }
    assert found == {"a": ["a/go.sum"], "b": ["b/go.mod"]}
