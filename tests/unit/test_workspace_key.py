"""bot.workspace.sync_key: the result-cache key of a go work sync check, by what go reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.engine.gomod import module_path_of
from bot.workspace import sync_key

HEAD = ("go 1.26.8",)
GO = 'package p\n\nimport "example.com/greet"\n\nfunc F() string { return greet.Hello() }\n'


def _tree(root: Path) -> None:
    (root / "m1" / "p").mkdir(parents=True)
    (root / "m2" / "q").mkdir(parents=True)
    (root / "go.work").write_text("go 1.22\n\nuse (\n\t./m1\n\t./m2\n)\n")
    (root / "m1" / "go.mod").write_text("module example.com/m1\n\ngo 1.22\n")
    (root / "m1" / "go.sum").write_text("")
    (root / "m1" / "p" / "p.go").write_text(GO)
    (root / "m2" / "go.mod").write_text("module example.com/m2\n\ngo 1.22\n")
    (root / "m2" / "q" / "q.go").write_text("package q\n")


def key(root: Path, scope: tuple[str, ...] = ("m1",)) -> str | None:
    return sync_key(root, root / "go.work", scope, HEAD)


def test_the_key_follows_what_go_reads_and_nothing_else(tmp_path: Path) -> None:
    _tree(tmp_path)
    k = key(tmp_path)
    assert k is not None and len(k) == 64
    assert key(tmp_path) == k  # stable
    assert sync_key(tmp_path, tmp_path / "go.work", ("m1",), ("go 1.25.0",)) != k  # the head
    assert key(tmp_path, ("m1", "m2")) != k  # and the scope

    p = tmp_path / "m1" / "p" / "p.go"
    p.write_text(GO.replace("greet.Hello()", 'greet.Hello() + "!"'))
    assert key(tmp_path) == k  # a function body is no input
    (tmp_path / "m1" / "p" / "README.md").write_text("not read by go\n")
    assert key(tmp_path) == k
    (tmp_path / "m2" / "q" / "q.go").write_text('package q\n\nimport _ "os"\n')
    assert key(tmp_path) == k  # m2's packages are out of m1's reach: not in the copy

    two = 'import (\n\t"example.com/greet"\n\t_ "os"\n)'
    p.write_text(GO.replace('import "example.com/greet"', two))
    assert key(tmp_path) != k  # an import is an input
    p.write_text(GO)
    assert key(tmp_path) == k

    p.write_text("//go:build ignore\n\n" + GO)
    assert key(tmp_path) != k  # so is whether go loads the file at all
    p.write_text(GO)

    (tmp_path / "m1" / "p" / "p_test.go").write_text("package p\n")
    assert key(tmp_path) != k  # and a new file
    os.remove(tmp_path / "m1" / "p" / "p_test.go")

    for name in ("go.work", "m1/go.mod", "m1/go.sum", "m2/go.mod"):
        f = tmp_path / name
        before = f.read_bytes()
        f.write_bytes(before + b"\n")
        assert key(tmp_path) != k, name  # every module file counts by its bytes
        f.write_bytes(before)
    assert key(tmp_path) == k


def test_a_package_the_selected_module_imports_counts(tmp_path: Path) -> None:
    _tree(tmp_path)
    p = tmp_path / "m1" / "p" / "p.go"
    p.write_text(
        GO.replace(
            'import "example.com/greet"',
            'import (\n\t"example.com/greet"\n\t_ "example.com/m2/q"\n)',
        )
    )
    k = key(tmp_path)
    (tmp_path / "m2" / "q" / "q.go").write_text('package q\n\nimport _ "os"\n')
    assert key(tmp_path) != k  # now m2/q is in the copy, and its imports are read


def test_links_are_followed_and_a_cycle_ends(tmp_path: Path) -> None:
    _tree(tmp_path)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "s.go").write_text("package shared\n")
    (tmp_path / "m1" / "shared").symlink_to(shared)
    (shared / "loop").symlink_to(tmp_path / "m1")  # a cycle through the linked directory
    k = key(tmp_path)
    assert k is not None
    (shared / "s.go").write_text('package shared\n\nimport _ "os"\n')
    assert key(tmp_path) != k  # what the link points at is read


def test_a_link_out_of_the_root_inside_a_linked_directory_gives_no_key(tmp_path: Path) -> None:
    """A linked directory is read through the link; a link in it that leads out of the root
    (it could lead to the file system's top) is not walked: nothing is cached for such a tree."""
    root = tmp_path / "repo"
    root.mkdir()
    _tree(root)
    shared = root / "shared"
    shared.mkdir()
    (shared / "s.go").write_text("package shared\n")
    (root / "m1" / "shared").symlink_to(shared)
    assert key(root) is not None
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.go").write_text("package outside\n")
    (shared / "out").symlink_to(outside)
    assert key(root) is None


def test_no_key_when_a_file_cannot_be_read_or_the_workspace_is_vendored(tmp_path: Path) -> None:
    from bot.engine.cachekey import ParseMemo
    from bot.workspace import _Entry, _plan_key

    gone = [_Entry("m1/p/gone.go", os.fspath(tmp_path / "gone.go"), "place")]
    assert _plan_key(tmp_path, gone, HEAD, ParseMemo()) is None  # vanished after planning
    _tree(tmp_path)
    assert key(tmp_path) is not None
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "modules.txt").write_text("## workspace\n")
    assert key(tmp_path) is None  # a vendored workspace is always synced


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (b"module example.com/a\n\ngo 1.22\n", "example.com/a"),
        (b'// a comment\nmodule "example.com/q" // why\n', "example.com/q"),
        (b"module `example.com/raw`\n", "example.com/raw"),
        (b"  module   example.com/s  \r\n", "example.com/s"),
        (b"modulex example.com/no\nmodule\n", ""),  # not the keyword; no path
        (b"go 1.22\n", ""),
        (b'module "example.com/unterminated\n', ""),
        (b"require (\n\tmodule example.com/late\n)\n", "example.com/late"),  # as go's scan
    ],
)
def test_module_path_of_reads_the_module_line_as_go_does(text: bytes, path: str) -> None:
    """``modfile.ModulePath``: the first line that starts with ``module`` and a path, whatever
    else the file holds (read_workspace uses it for a go.mod with no replace directive)."""
    assert module_path_of(text) == path
