"""bot.workspace.copy_key: the result-cache key of a go work sync copy, by what go reads."""

from __future__ import annotations

import os
from pathlib import Path

from bot.workspace import copy_key

HEAD = ("go 1.26.8", "scope m1")
GO = 'package p\n\nimport "example.com/greet"\n\nfunc F() string { return greet.Hello() }\n'


def _tree(root: Path) -> None:
    (root / "m1" / "p").mkdir(parents=True)
    (root / "go.work").write_text("go 1.22\n\nuse ./m1\n")
    (root / "m1" / "go.mod").write_text("module example.com/m1\n\ngo 1.22\n")
    (root / "m1" / "go.sum").write_text("")
    (root / "m1" / "p" / "p.go").write_text(GO)


def test_the_key_follows_what_go_reads_and_nothing_else(tmp_path: Path) -> None:
    _tree(tmp_path)
    key = copy_key(tmp_path, HEAD)
    assert key is not None and len(key) == 64
    assert copy_key(tmp_path, HEAD) == key  # stable
    assert copy_key(tmp_path, ("go 1.25.0", "scope m1")) != key  # the head counts

    p = tmp_path / "m1" / "p" / "p.go"
    p.write_text(GO.replace("greet.Hello()", 'greet.Hello() + "!"'))
    assert copy_key(tmp_path, HEAD) == key  # a function body is no input
    (tmp_path / "m1" / "p" / "README.md").write_text("not read by go\n")
    assert copy_key(tmp_path, HEAD) == key

    two = 'import (\n\t"example.com/greet"\n\t_ "os"\n)'
    p.write_text(GO.replace('import "example.com/greet"', two))
    with_import = copy_key(tmp_path, HEAD)
    assert with_import != key  # an import is
    p.write_text(GO)
    assert copy_key(tmp_path, HEAD) == key

    p.write_text("//go:build ignore\n\n" + GO)
    assert copy_key(tmp_path, HEAD) != key  # so is whether go loads the file at all
    p.write_text(GO)

    (tmp_path / "m1" / "p" / "p_test.go").write_text("package p\n")
    assert copy_key(tmp_path, HEAD) != key  # and a new file
    os.remove(tmp_path / "m1" / "p" / "p_test.go")

    for name in ("go.work", "m1/go.mod", "m1/go.sum"):
        f = tmp_path / name
        before = f.read_bytes()
        f.write_bytes(before + b"\n")
        assert copy_key(tmp_path, HEAD) != key, name  # module files count by their bytes
        f.write_bytes(before)
    assert copy_key(tmp_path, HEAD) == key

    (tmp_path / "m1" / "p" / "nested").mkdir()
    (tmp_path / "m1" / "p" / "nested" / "go.mod").write_text("module example.com/n\n")
    assert copy_key(tmp_path, HEAD) != key  # a module boundary moved


def test_links_are_followed_and_a_cycle_ends(tmp_path: Path) -> None:
    copy, tree = tmp_path / "copy", tmp_path / "tree"
    _tree(copy)
    (tree / "shared").mkdir(parents=True)
    (tree / "shared" / "s.go").write_text("package shared\n")
    (copy / "m1" / "shared").symlink_to(tree / "shared")
    (tree / "shared" / "loop").symlink_to(tree)  # a cycle through the linked directory
    key = copy_key(copy, HEAD)
    assert key is not None
    (tree / "shared" / "s.go").write_text('package shared\n\nimport _ "os"\n')
    assert copy_key(copy, HEAD) != key  # what the link points at is read


def test_an_unreadable_file_gives_no_key(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / "m1" / "p" / "gone.go").symlink_to(tmp_path / "missing.go")
    assert copy_key(tmp_path, HEAD) is None  # nothing is cached then
