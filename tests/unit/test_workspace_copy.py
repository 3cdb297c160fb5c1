"""The go work sync scratch copy (``bot.workspace._materialize``, ``_make_copy``): written
inside its directory only, through no link, over no file; a vendor tree is copied without the
links it holds; the Go files go only reads are named to go in an overlay."""

from __future__ import annotations

import os
from pathlib import Path

from bot.workspace import _Entry, _make_copy, _materialize


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


def test_the_go_files_go_reads_are_named_in_an_overlay_not_made(tmp_path: Path) -> None:
    """``_make_copy``: what go writes (a ``copy``) and the links are made; the Go files go only
    reads are not. The overlay maps each to the tree's file, never a path outside the copy nor
    one below a link of the copy (as _materialize)."""
    import json

    src = tmp_path / "x.go"
    src.write_text("package x\n")
    mod = tmp_path / "go.mod"
    mod.write_text("module example.com/x\n")
    linked = tmp_path / "linked"
    linked.mkdir()
    dest = tmp_path / "copy"
    plan = [
        _Entry("a/go.mod", os.fspath(mod), "copy"),
        _Entry("a/p/x.go", os.fspath(src), "place"),
        _Entry("a/../../escape.go", os.fspath(src), "place"),
        _Entry("a/l", os.fspath(linked), "link"),
        _Entry("a/l/x.go", os.fspath(src), "place"),
    ]
    flags = _make_copy(plan, dest)
    (flag,) = flags
    overlay = Path(flag.removeprefix("-overlay="))
    assert overlay.parent == tmp_path and not overlay.is_relative_to(dest)
    replace = json.loads(overlay.read_text())["Replace"]
    assert replace == {f"{os.path.realpath(dest)}/a/p/x.go": os.fspath(src)}
    made = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*"))
    assert made == ["a", "a/go.mod", "a/l"]  # no Go file, no package directory
    assert (dest / "a" / "l").is_symlink() and list(linked.iterdir()) == []


def test_a_go_file_name_that_is_not_utf8_makes_the_copy_itself(tmp_path: Path) -> None:
    """go reads its overlay as JSON, which holds no lone surrogate (a byte of a name that is
    not UTF-8, as Python reads it): such a copy is made with its Go files, as before."""
    name = os.fsdecode(b"caf\xe9.go")
    src = tmp_path / name
    src.write_text("package x\n")
    dest = tmp_path / "copy"
    assert _make_copy([_Entry(f"p/{name}", os.fspath(src), "place")], dest) == ()
    assert (dest / "p" / name).read_text() == "package x\n"


def test_thousands_of_links_and_go_files_do_not_stall_the_copy(tmp_path: Path) -> None:
    """A pull request's module may hold thousands of directory links (inside the tree, each
    an entry of the copy) beside thousands of Go files: the overlay tested every file against
    every link, 5,000 of each took 4.7 s of the run's Python (20,000: about 75 s), which go's
    deadline does not bound. Each file's directories are looked up once now; 10,000 links and
    100,000 files (about 17 minutes before) take a few seconds, most of them making the links."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from bot.workspace import _Entry, _make_copy
        target = {os.fspath(tmp_path)!r}
        plan = [_Entry(f"m/l{{i}}", target, "link") for i in range(10_000)]
        plan += [_Entry(f"m/p{{i}}/x.go", target + "/x.go", "place") for i in range(100_000)]
        (flag,) = _make_copy(plan, Path(target) / "copy")
        print(len(open(flag.removeprefix("-overlay=")).read()))
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert int(res.stdout) > 100_000 * len("/m/p0/x.go")
