"""The go work sync scratch copy (``bot.workspace._materialize``): written inside its directory
only, through no link, over no file; a vendor tree is copied without the links it holds."""

from __future__ import annotations

import os
from pathlib import Path

from bot.workspace import _Entry, _materialize


def test_a_vendor_tree_is_copied_without_its_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    vendor = tmp_path / "tree" / "vendor"
    (vendor / "example.com" / "greet").mkdir(parents=True)
    (vendor / "modules.txt").write_text("## workspace\n")
    (vendor / "example.com" / "greet" / "greet.go").write_text("package greet\n")
    (vendor / "example.com" / "greet" / "leak.go").symlink_to(outside)
    dest = tmp_path / "copy"
    _materialize([_Entry("vendor", os.fspath(vendor), "tree")], dest)
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*"))
    assert copied == [
        "vendor",
        "vendor/example.com",
        "vendor/example.com/greet",
        "vendor/example.com/greet/greet.go",
        "vendor/modules.txt",
    ]


def test_entries_never_leave_the_copy_or_go_through_its_links(tmp_path: Path) -> None:
    src = tmp_path / "src.go"
    src.write_text("package x\n")
    linked = tmp_path / "linked"
    linked.mkdir()
    dest = tmp_path / "copy"
    plan = [
        _Entry("../escape.go", os.fspath(src), "place"),
        _Entry("a/../../escape2.go", os.fspath(src), "place"),
        _Entry("/abs.go", os.fspath(src), "copy"),
        _Entry("b/l/x.go", os.fspath(src), "place"),  # below the link the plan makes
        _Entry("b/l", os.fspath(linked), "link"),
        _Entry("c/x.go", os.fspath(src), "copy"),
        _Entry("c/x.go", os.fspath(tmp_path / "other.go"), "copy"),  # never over a file
    ]
    _materialize(plan, dest)
    assert not (tmp_path / "escape.go").exists() and not (tmp_path / "escape2.go").exists()
    assert list(linked.iterdir()) == []  # nothing written through the link
    assert (dest / "b" / "l").is_symlink()
    assert (dest / "c" / "x.go").read_text() == "package x\n"
