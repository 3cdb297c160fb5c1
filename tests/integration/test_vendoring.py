"""Vendored modules with real go and the fixture proxy: stale trees, bad modules.txt, fix."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.engine.vendor import inconsistent_vendoring_message
from bot.toolchain import Go
from bot.vendoring import check_vendoring, diff_trees, fix_vendoring, is_vendored
from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import tree_hash

MAIN_GO = """\
package main

import (
\t"fmt"

\t"example.com/greet"
\t_ "example.com/util"
)

func main() { fmt.Println(greet.Hello()) }
"""


def _go(env: dict[str, str], cwd: Path, *args: str, check: bool = True) -> str:
    p = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check:
        assert p.returncode == 0, p.stderr
    return p.stderr


@pytest.fixture
def repo(tmp_path: Path, goenv: dict[str, str]) -> Path:
    """A tidy, freshly vendored module in svc/ of a repository root."""
    root = tmp_path / "repo"
    write_tree(root, {"svc/go.mod": "module example.com/svc\n\ngo 1.22\n", "svc/main.go": MAIN_GO})
    svc = root / "svc"
    _go(goenv, svc, "get", "example.com/greet@v1.0.0", "example.com/util@v1.0.0")
    _go(goenv, svc, "mod", "tidy")
    _go(goenv, svc, "mod", "vendor")
    assert is_vendored(svc)
    return root


def test_fresh_vendor_tree_is_clean(repo: Path, goenv: dict[str, str]) -> None:
    before = tree_hash(repo)
    res = check_vendoring(Go(goenv), repo, "svc")
    assert res.error == ""
    assert res.findings == ()
    assert res.diff.empty
    assert tree_hash(repo) == before  # nothing written in the user's tree


def test_stale_vendor_tree(repo: Path, goenv: dict[str, str]) -> None:
    greet = repo / "svc/vendor/example.com/greet/greet.go"
    greet.write_text(greet.read_text().replace('"hello"', '"patched by hand"'))
    (repo / "svc/vendor/example.com/greet/extra.go").write_text("package greet\n")
    before = tree_hash(repo)
    res = check_vendoring(Go(goenv), repo, "svc")
    assert res.problems == ()  # modules.txt itself is consistent
    assert res.diff.changed == ("example.com/greet/greet.go",)
    assert res.diff.removed == ("example.com/greet/extra.go",)
    assert [(f.id, f.file) for f in res.findings] == [("vendor", "svc/vendor/modules.txt")]
    assert res.findings[0].message == (
        "go mod vendor would change the vendor tree: 0 added, 1 removed, 1 changed"
    )
    assert tree_hash(repo) == before

    changed, err = fix_vendoring(Go(goenv), repo, "svc")
    assert err == ""
    assert changed == [
        "svc/vendor/example.com/greet/extra.go",
        "svc/vendor/example.com/greet/greet.go",
    ]
    assert check_vendoring(Go(goenv), repo, "svc").findings == ()


def test_inconsistent_modules_txt_matches_go(repo: Path, goenv: dict[str, str]) -> None:
    gomod = repo / "svc/go.mod"
    text = gomod.read_text()
    assert "example.com/greet v1.0.0" in text
    gomod.write_text(text.replace("example.com/greet v1.0.0", "example.com/greet v1.1.0"))
    _go(goenv, repo / "svc", "mod", "download", "example.com/greet@v1.1.0")

    res = check_vendoring(Go(goenv), repo, "svc")
    assert [p.text for p in res.problems] == [
        "example.com/greet@v1.1.0: is explicitly required in go.mod, but not marked as "
        "explicit in vendor/modules.txt",
        "example.com/greet@v1.0.0: is marked as explicit in vendor/modules.txt, but not "
        "explicitly required in go.mod",
    ]
    line = (
        text.split("\n").index(next(ln for ln in text.split("\n") if "example.com/greet" in ln)) + 1
    )
    assert [(f.file, f.line) for f in res.findings[:2]] == [
        ("svc/go.mod", line),
        ("svc/vendor/modules.txt", 1),
    ]
    # the same text go build prints
    go_err = _go(goenv, repo / "svc", "build", "./...", check=False)
    assert inconsistent_vendoring_message(str(repo / "svc"), res.problems) in go_err
    # the vendored greet.go differs from v1.1.0's, so the tree diff is reported too
    assert any("would change the vendor tree" in f.message for f in res.findings)

    changed, err = fix_vendoring(Go(goenv), repo, "svc")
    assert err == ""
    assert "svc/vendor/modules.txt" in changed
    assert check_vendoring(Go(goenv), repo, "svc").findings == ()
    _go(goenv, repo / "svc", "build", "./...")


def test_diff_trees_on_missing_dirs(tmp_path: Path) -> None:
    write_tree(tmp_path / "a", {"x/y.go": "package y\n"})
    d = diff_trees(tmp_path / "a", tmp_path / "missing")
    assert d.removed == ("x/y.go",)
    assert not d.empty
    assert diff_trees(tmp_path / "none", tmp_path / "missing").empty
