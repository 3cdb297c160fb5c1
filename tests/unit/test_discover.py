from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.discover import discover, glob_match


def _mods(root: Path, *dirs: str) -> None:
    for d in dirs:
        p = root / d
        p.mkdir(parents=True, exist_ok=True)
        (p / "go.mod").write_text(f"module example.com/{d}\n")


def test_discover_skips_what_go_skips_and_names_by_dir(tmp_path: Path) -> None:
    _mods(tmp_path, ".", "a", "a/nested", "vendor/x", "testdata/y", ".git/z", "_old/w", "b/c")
    assert [m.dir for m in discover(tmp_path)] == [".", "a", "a/nested", "b/c"]


def test_symlinked_dirs_are_not_followed_and_outside_gomod_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    _mods(outside, "m")
    root.mkdir()
    (root / "link").symlink_to(outside / "m", target_is_directory=True)
    (root / "x").mkdir()
    (root / "x" / "go.mod").symlink_to(outside / "m" / "go.mod")
    mods = discover(root)
    assert [m.dir for m in mods] == ["x"]
    assert "outside" in mods[0].skip_reason
    assert "not followed" in mods[0].skip_reason


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
    ],
)
def test_glob_match(pattern: str, path: str, ok: bool) -> None:
    assert glob_match(pattern, path) is ok
