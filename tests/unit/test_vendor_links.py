"""``bot.vendoring.link_out_of``: a link below a module go vendors from that leads outside."""

from __future__ import annotations

from pathlib import Path

from bot.vendoring import link_out_of


def test_a_link_out_is_found_through_links_inside_and_cycles_end(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "lib" / "pkg").mkdir(parents=True)
    (root / "other").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("x")
    (root / "lib" / "pkg" / "self").symlink_to(root / "lib")  # a cycle: walked once
    (root / "lib" / "shared").symlink_to(root / "other")  # inside: followed
    assert link_out_of(root, [root / "lib"]) is None
    (root / "other" / "leak.txt").symlink_to(tmp_path / "outside" / "secret")
    assert link_out_of(root, [root / "lib"]) == "lib/shared/leak.txt"  # as go would reach it
    assert link_out_of(root, [root / "missing"]) is None


def test_a_replaced_directory_that_is_itself_outside_is_found(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "lib").symlink_to(tmp_path / "outside")
    assert link_out_of(root, [root / "lib"]) == "lib"
