from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.engine.discover import discover, read_bytes, scan_tree, skip_dir_name
from bot.engine.globs import glob_error, glob_match, suggest_glob, unmatched_globs
from bot.errors import ConfigError


def _mods(root: Path, *dirs: str) -> None:
    for d in dirs:
        p = root / d
        p.mkdir(parents=True, exist_ok=True)
        (p / "go.mod").write_text(f"module example.com/{d}\n")


def test_discover_skips_what_go_skips_and_names_by_dir(tmp_path: Path) -> None:
    _mods(tmp_path, ".", "a", "a/nested", "vendor/x", "testdata/y", ".git/z", "_old/w", "b/c")
    assert [m.dir for m in discover(tmp_path)] == [".", "a", "a/nested", "b/c"]


def test_symlinked_dirs_are_not_followed_and_a_symlinked_gomod_is_found(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    _mods(outside, "m")
    root.mkdir()
    (root / "link").symlink_to(outside / "m", target_is_directory=True)
    (root / "x").mkdir()
    (root / "x" / "go.mod").symlink_to(outside / "m" / "go.mod")
    mods = discover(root)
    assert [m.dir for m in mods] == ["x"]
    assert mods[0].skip_reason == ""  # found, and refused by its check (bot.engine.treefile)


def _reference_scan(root: Path) -> tuple[list[str], list[str]]:
    """go.mod and go.work directories as os.walk(followlinks=False) finds them."""
    mods, works = [], []
    for cur, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not skip_dir_name(d))
        rel = Path(cur).relative_to(root).as_posix() or "."
        if "go.mod" in files:
            mods.append(rel)
        if "go.work" in files:
            works.append(rel)
    return mods, works


def test_scan_tree_walks_as_os_walk_does(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    _mods(outside, "m")
    _mods(root, ".", "b", "a/x", "a/x/y", "testdata/t", "_old/o", ".git/g", "vendor/v", "c-d")
    (root / "go.work").write_text("go 1.22\n")
    (root / "a" / "go.work").write_text("go 1.22\n")
    (root / "a" / "Z").mkdir()
    (root / "a" / "Z" / "go.mod").symlink_to(outside / "m" / "go.mod")  # a file: counted
    (root / "linked").symlink_to(outside / "m", target_is_directory=True)  # never entered
    (root / "b" / "go.work").symlink_to(tmp_path / "missing")  # broken: a file name
    (root / "a" / "go.mod").mkdir()  # a directory named go.mod is no go.mod
    scan = scan_tree(root)
    assert (list(scan.gomod_dirs), list(scan.gowork_dirs)) == _reference_scan(root)
    assert scan.gomod_dirs == (".", "a/Z", "a/x", "a/x/y", "b", "c-d")
    assert scan.gowork_dirs == (".", "a", "b")


@pytest.mark.parametrize(
    ("pattern", "path", "ok"),
    [
        ("svc/*", "svc/a", True),
        ("svc/*", "svc/a/b", False),
        ("svc/**", "svc/a/b", True),
        ("svc/**", "svc", True),
        ("**/tools", "a/b/tools", True),
        ("**/tools", "tools", True),
        (".", ".", True),
        ("./svc/a", "svc/a", True),
        ("svc/[ab]", "svc/b", True),
        ("svc/[!ab]", "svc/b", False),
        ("svc/", "svc", True),
        ("./", ".", True),
        ("**", ".", True),
        ("a/**/z", "a/z", True),
    ],
)
def test_glob_match(pattern: str, path: str, ok: bool) -> None:
    assert glob_match(pattern, path) is ok


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("/svc", "must not start with '/'"),
        ("../x", "'..' path segment"),
        ("svc**", "'**' must be a whole path segment"),
        ("svc/[ab", "unbalanced"),
        ("a//b", "empty or '..' path segment"),
        ("", "empty glob"),
        ("a" * 257, "longer than 256 characters"),
        ("/".join(["*"] * 33), "more than 32 path segments"),
    ],
)
def test_one_glob_grammar_refuses_the_same_mistakes(pattern: str, why: str) -> None:
    """The command line, the action's inputs and the config file share this grammar."""
    reason = glob_error(pattern)
    assert reason is not None and why in reason
    with pytest.raises(ValueError, match="bad glob"):
        glob_match(pattern, "svc")
    with pytest.raises(ConfigError, match=re.escape(f"bad glob {pattern!r}")):
        parse_config(f"exclude: ['{pattern}']\n")


def test_read_bytes_whole_files_of_any_size(tmp_path: Path) -> None:
    for size in (0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_001):
        f = tmp_path / f"f{size}"
        data = os.urandom(size)
        f.write_bytes(data)
        assert read_bytes(str(f)) == data, size
    with pytest.raises(FileNotFoundError):
        read_bytes(str(tmp_path / "missing"))
    with pytest.raises(IsADirectoryError):
        read_bytes(str(tmp_path))


def test_unmatched_include_globs_and_the_glob_that_would_match() -> None:
    dirs = [".", "good", "svc/a", "svc/b"]
    assert unmatched_globs(["good", "typo", "svc/*", "typo"], dirs) == ["typo"]
    assert suggest_glob("svc", dirs) == "svc/**"  # holds modules, is not one
    assert suggest_glob("repo/svc/a", dirs) == "svc/a"  # the path from above the checked dir
    assert suggest_glob("./repo/svc/*/", dirs) == "svc/*"
    assert suggest_glob("goood", dirs) == "good"  # a typo
    assert suggest_glob("zzzzzz", dirs) is None
    assert suggest_glob("svc", []) is None
