"""Change-aware selection: owners, local replace and go.work reach, widening, fix order."""

from __future__ import annotations

import pytest

from bot.engine.affected import (
    Change,
    ModuleNode,
    Selection,
    Workspace,
    fix_waves,
    norm,
    relevant_file,
    resolve_dir,
    select_affected,
    tidy_order,
    topological_order,
)

# lib <- shared <- svc/a ; svc/b standalone ; tools replaces ../outside (outside the root)
MODS = [
    ModuleNode(".", ()),
    ModuleNode("lib", ()),
    ModuleNode("shared", ("lib",)),
    ModuleNode("svc/a", ("shared",)),
    ModuleNode("svc/b", ()),
    ModuleNode("tools", ("../outside",)),
]


def sel(*paths: str, status: str = "M", ws: tuple[Workspace, ...] = ()) -> list[str]:
    s = select_affected(MODS, [Change(p, status) for p in paths], ws)
    return sorted(s.reasons)


def test_owner_is_the_deepest_module() -> None:
    assert sel("svc/b/x.go") == ["svc/b"]
    assert sel("main.go") == ["."]
    assert sel("svc/b/internal/deep/x.go") == ["svc/b"]


def test_a_change_reaches_every_module_that_replaces_to_it_transitively() -> None:
    assert sel("lib/lib.go") == ["lib", "shared", "svc/a"]
    assert sel("shared/go.mod") == ["shared", "svc/a"]
    assert sel("svc/a/a_test.go") == ["svc/a"]


def test_reason_names_the_file_and_the_path() -> None:
    s = select_affected(MODS, [Change("lib/lib.go")])
    assert s.reason("lib") == "lib/lib.go changed"
    assert "reaches" in s.reason("svc/a")
    assert "svc/b" not in s and "lib" in s


def test_files_tidy_never_reads_select_nothing() -> None:
    assert sel("svc/b/README.md", "docs/x.png", "svc/b/testdata/golden.txt") == []


def test_vendor_and_gosum_count() -> None:
    assert sel("svc/b/vendor/modules.txt") == ["svc/b"]
    assert sel("svc/b/go.sum") == ["svc/b"]


def test_replace_target_outside_the_root() -> None:
    assert sel("../outside/x.go") == ["tools"]


def test_config_file_selects_everything() -> None:
    s = select_affected(MODS, [Change(".github/tidybot.yml")])
    assert s.full
    assert all(m.dir in s for m in MODS)


def test_new_go_mod_widens_to_the_enclosing_module() -> None:
    mods = [*MODS, ModuleNode("svc/b/sub", ())]
    s = select_affected(mods, [Change("svc/b/sub/go.mod", "A")])
    assert sorted(s.reasons) == ["svc/b", "svc/b/sub"]
    assert "boundary" in s.reason("svc/b")


def test_removed_go_mod_selects_the_module_that_takes_its_files() -> None:
    # svc/b/sub no longer exists as a module: its files now belong to svc/b
    s = select_affected(MODS, [Change("svc/b/sub/go.mod", "D"), Change("svc/b/sub/x.go", "M")])
    assert sorted(s.reasons) == ["svc/b"]


def test_modified_go_mod_does_not_widen() -> None:
    mods = [*MODS, ModuleNode("svc/b/sub", ())]
    assert sorted(select_affected(mods, [Change("svc/b/sub/go.mod", "M")]).reasons) == ["svc/b/sub"]


def test_gowork_change_selects_its_uses_and_what_is_below_it() -> None:
    ws = (Workspace("svc", ("svc/a", "svc/b", "lib")),)
    assert sel("svc/go.work", ws=ws) == ["lib", "shared", "svc/a", "svc/b"]
    assert sel("svc/go.work.sum", ws=ws) == ["lib", "shared", "svc/a", "svc/b"]


def test_workspace_members_affect_each_other() -> None:
    ws = (Workspace(".", ("svc/a", "svc/b")),)
    assert sel("svc/b/x.go", ws=ws) == ["svc/a", "svc/b"]
    assert sel("svc/b/x.go") == ["svc/b"]


def test_unlisted_module_dirs_are_not_returned() -> None:
    # a replace target that is not one of the checked modules still propagates
    mods = [ModuleNode("app", ("third_party/x",))]
    assert sorted(select_affected(mods, [Change("third_party/x/x.go")]).reasons) == ["app"]


def test_selection_contains() -> None:
    s = Selection({"a": "why"})
    assert "a" in s and "b" not in s
    assert "b" in Selection({}, full=True)


@pytest.mark.parametrize(
    ("path", "want"),
    [("a.go", True), ("x/go.mod", True), ("go.work.sum", True), ("a/vendor/b/c.s", True)],
)
def test_relevant_file(path: str, want: bool) -> None:
    assert relevant_file(path) is want


def test_norm_and_resolve_dir() -> None:
    assert norm("./a//b/") == "a/b"
    assert norm("") == "."
    assert resolve_dir("svc/a", "../../lib") == "lib"
    assert resolve_dir(".", "./lib") == "lib"
    assert resolve_dir("svc", "../../outside") == "../outside"
    assert resolve_dir("svc", "/repo/lib", "/repo") == "lib"


def test_fix_waves_dependencies_first() -> None:
    assert fix_waves(MODS) == [[".", "lib", "svc/b", "tools"], ["shared"], ["svc/a"]]
    order = topological_order(MODS)
    assert order.index("lib") < order.index("shared") < order.index("svc/a")


def test_fix_waves_with_a_cycle() -> None:
    mods = [ModuleNode("a", ("b",)), ModuleNode("b", ("a", "c")), ModuleNode("c", ()),
            ModuleNode("d", ("a",))]  # fmt: skip
    assert fix_waves(mods) == [["c"], ["a", "b"], ["d"]]


def test_tidy_order_puts_targets_first_and_follows_a_moving_module() -> None:
    """The modules a fix tidies, in its waves, each with whether it follows a module whose fix
    moves its requirements: svc/a reads shared's go.mod, shared reads lib's; a fix of lib
    moves both, so both follow it (svc/b and tools reach nothing)."""
    assert tidy_order(MODS, ["lib"], ["lib"]) == [
        [("lib", False)],
        [("shared", True)],
        [("svc/a", True)],
    ]
    # a drifted dependent comes after its drifted target, whatever their names
    assert tidy_order(MODS, ["svc/a", "lib"], ["svc/a", "lib"]) == [
        [("lib", False)],
        [("shared", True)],
        [("svc/a", True)],
    ]
    # drift whose fix moves no requirement (go.sum only, a go work sync the check followed)
    assert tidy_order(MODS, ["svc/a", "lib"], []) == [[("lib", False)], [("svc/a", False)]]
    assert tidy_order(MODS, ["svc/b", "lib"], ["lib"]) == [
        [("lib", False), ("svc/b", False)],
        [("shared", True)],
        [("svc/a", True)],
    ]
    # a replace cycle: both, in one wave, each following the other
    cycle = [ModuleNode("a", ("b",)), ModuleNode("b", ("a",)), ModuleNode("c", ())]
    assert tidy_order(cycle, ["a"], ["a"]) == [[("a", True), ("b", True)]]
