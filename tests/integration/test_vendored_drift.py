"""A vendored root module with ordinary tidy drift (the containerd case: one requirement
lowered by hand below what a dependency needs), through `tidybot check|fix` and the JSON
report: drifted with the tidy findings (not an error), and the fix leaves exactly the tree
`go mod tidy && go mod vendor` leaves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fakes.goproxy import MODULES_DIR, build_proxy, write_tree
from tests.integration.engine_helpers import go, snapshot, tidybot

NEEDS_NEW = "example.com/needsnew"

APP = """package main

import (
\t"fmt"

\t"example.com/greet"
\t"example.com/needsnew"
)

func main() { fmt.Println(greet.Hello(), needsnew.Name()) }
"""


@pytest.fixture
def env(tmp_path: Path, goenv: dict[str, str], goproxy_dir: Path) -> dict[str, str]:
    """The fixture proxy plus ``example.com/needsnew``, whose go.mod requires greet v1.1.0."""
    src = write_tree(
        tmp_path / "src",
        {
            f"{NEEDS_NEW}@v1.0.0/go.mod": (
                f"module {NEEDS_NEW}\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n"
            ),
            f"{NEEDS_NEW}@v1.0.0/needsnew.go": (
                'package needsnew\n\nimport "example.com/greet"\n\n'
                "func Name() string { return greet.Hello() }\n"
            ),
        },
    )
    for v in ("v1.0.0", "v1.1.0"):  # build_proxy lays out only what src holds
        shutil.copytree(MODULES_DIR / f"example.com/greet@{v}", src / f"example.com/greet@{v}")
    extra = build_proxy(src, tmp_path / "extra-proxy")
    return dict(goenv, GOPROXY=f"{extra},{goproxy_dir.resolve().as_uri()}")


def _vendored_repo(env: dict[str, str], root: Path) -> None:
    write_tree(root, {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": APP})
    for args in (("mod", "tidy"), ("mod", "vendor")):
        res = go(env, root, *args)
        assert res.returncode == 0, res.stderr
    assert "example.com/greet v1.1.0" in (root / "go.mod").read_text()


def test_lowered_requirement_in_a_vendored_module(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "repo"
    _vendored_repo(env, root)
    gomod = root / "go.mod"
    gomod.write_text(
        gomod.read_text().replace("example.com/greet v1.1.0", "example.com/greet v1.0.0")
    )
    # go.sum already knows v1.0.0 (as it does in a repository that once required it)
    assert go(env, root, "mod", "download", "example.com/greet@v1.0.0").returncode == 0
    # go itself refuses to vendor it as it is
    res = go(env, root, "mod", "vendor", "-o", str(tmp_path / "probe"))
    assert res.returncode != 0 and "updates to go.mod needed" in res.stderr

    before = snapshot(root)
    res = tidybot(env, "check", str(root), "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    (m,) = json.loads(res.stdout)["modules"]
    assert m["status"] == "drifted"
    ids = [(f["id"], f["line"]) for f in m["findings"]]
    line = gomod.read_text().split("\n").index("\texample.com/greet v1.0.0") + 1
    assert ("version-change", line) in ids
    # what go build says of the tree as it is, at the lowered line; the tree tidy + vendor
    # would write is the committed one, so no tree difference besides
    assert ("vendor", line) in ids
    assert all("would change the vendor tree" not in f["message"] for f in m["findings"])
    assert snapshot(root) == before  # the check writes nothing

    # the fix equals `go mod tidy && go mod vendor` in a copy
    expected = tmp_path / "expected"
    shutil.copytree(root, expected)
    for args in (("mod", "tidy"), ("mod", "vendor")):
        assert go(env, expected, *args).returncode == 0
    res = tidybot(env, "fix", str(root), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    (m,) = json.loads(res.stdout)["modules"]
    assert m["changed_files"] == ["go.mod", "go.sum"]  # tidy restores the vendored versions
    assert snapshot(root) == snapshot(expected)
    assert go(env, root, "mod", "tidy", "-diff").returncode == 0
    assert tidybot(env, "check", str(root)).returncode == 0


def test_new_import_in_a_vendored_module(tmp_path: Path, env: dict[str, str]) -> None:
    """An import added without go mod tidy: missing-require, and the vendor tree the fix
    writes after tidying (util's files added); the fix is tidy + vendor, byte for byte."""
    root = tmp_path / "repo"
    _vendored_repo(env, root)
    (root / "util.go").write_text('package main\n\nimport _ "example.com/util"\n')
    res = tidybot(env, "check", str(root), "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    (m,) = json.loads(res.stdout)["modules"]
    assert m["status"] == "drifted"
    assert [f["id"] for f in m["findings"]][:1] == ["missing-require"]
    (vendor,) = [f for f in m["findings"] if f["id"] == "vendor"]
    assert vendor["message"] == (
        "go mod vendor would change the vendor tree after go mod tidy: 1 added, 0 removed, "
        "1 changed"
    )
    expected = tmp_path / "expected"
    shutil.copytree(root, expected)
    for args in (("mod", "tidy"), ("mod", "vendor")):
        assert go(env, expected, *args).returncode == 0
    res = tidybot(env, "fix", str(root), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    (m,) = json.loads(res.stdout)["modules"]
    assert m["changed_files"] == [
        "go.mod",
        "go.sum",
        "vendor/example.com/util/util.go",
        "vendor/modules.txt",
    ]
    assert snapshot(root) == snapshot(expected)
