"""The cache key: one test per tidy input showing the key follows it, and edits it must ignore."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.cachekey import KEY_ENV, KeyBuilder, KeyContext, package_imports
from bot.engine.discover import scan_tree
from tests.fakes.goproxy import write_tree

CTX = KeyContext("1.26.0", "0.1.0", {"GOPROXY": "https://proxy.golang.org,direct"})

MAIN = 'package main\n\nimport "example.com/greet"\n\nfunc main() { println(greet.Hello()) }\n'


def tree(root: Path) -> Path:
    write_tree(
        root,
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n\n"
            "replace example.com/lib => ./lib\n",
            "go.sum": "example.com/greet v1.1.0 h1:x=\n",
            "main.go": MAIN,
            "pkg/util/util.go": 'package util\n\nimport "strings"\n\nvar X = strings.ToUpper\n',
            "pkg/util/t_test.go": 'package util\n\nimport _ "example.com/t"\n',
            "lib/go.mod": "module example.com/lib\n\ngo 1.22\n\n"
            "replace example.com/deep => ../deep\n",
            "lib/lib.go": 'package lib\n\nimport "fmt"\n\nfunc F() { fmt.Println() }\n',
            "deep/go.mod": "module example.com/deep\n\ngo 1.22\n",
            "deep/deep.go": "package deep\n\nfunc D() {}\n",
            "README.md": "hello\n",
        },
    )
    return root


def key(root: Path, ctx: KeyContext = CTX, flags: tuple[str, ...] = ()) -> str:
    k = KeyBuilder(root, ctx).key(".", flags)
    assert k is not None  # every file of these trees can be read
    return k


def append(rel: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("a", encoding="utf-8") as f:
            f.write(text)

    return edit


def replace_in(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        p = root / rel
        text = p.read_text(encoding="utf-8")
        assert old in text
        p.write_text(text.replace(old, new), encoding="utf-8")

    return edit


CHANGES_KEY = {
    "go.mod": append("go.mod", "\nrequire example.com/unused v1.0.0\n"),
    "go.sum": append("go.sum", "example.com/unused v1.0.0/go.mod h1:y=\n"),
    "go.sum removed": lambda r: (r / "go.sum").unlink(),
    "new import": replace_in(
        "main.go",
        'import "example.com/greet"',
        'import (\n\t"example.com/greet"\n\t"example.com/util"\n)',
    ),
    "removed import": replace_in("pkg/util/util.go", 'import "strings"\n', ""),
    "new test import": append(
        "pkg/util/util_test.go", 'package util\n\nimport "example.com/testdep"\n'
    ),
    "import moved from a test to its package": replace_in(
        "pkg/util/util.go", "package util\n", 'package util\n\nimport _ "example.com/t"\n'
    ),
    "a new go.mod carves a package out": append("pkg/util/go.mod", "module example.com/util\n"),
    "build-tag file": append(
        "pkg/util/util_windows.go",
        '//go:build windows\n\npackage util\n\nimport "example.com/winonly"\n',
    ),
    "new package directory": append("pkg/empty/doc.go", "package empty\n"),
    "package in testdata (imported explicitly still loads)": append(
        "testdata/x/x.go", 'package x\n\nimport "example.com/q"\n'
    ),
    "replace target's go.mod": append("lib/go.mod", "\nrequire example.com/greet v1.0.0\n"),
    "replace target's imports": replace_in("lib/lib.go", '"fmt"', '"example.com/greet"'),
    "replace target's replace target": append(
        "deep/deep2.go", 'package deep\n\nimport "example.com/z"\n'
    ),
    "vendor tree": append("vendor/modules.txt", "# example.com/greet v1.1.0\n"),
}


@pytest.mark.parametrize("name", sorted(CHANGES_KEY))
def test_key_changes_with_each_input(tmp_path: Path, name: str) -> None:
    root = tree(tmp_path)
    before = key(root)
    CHANGES_KEY[name](root)
    assert key(root) != before, name


KEEPS_KEY = {
    "function body": replace_in("main.go", "println(greet.Hello())", "println(greet.Hello(), 1)"),
    "comment": append("main.go", '\n// a comment mentioning import "x"\n'),
    "new func in a file": append("pkg/util/util.go", '\nfunc Y() string { return `import "y"` }\n'),
    "file excluded by //go:build ignore": append(
        "gen.go", '//go:build ignore\n\npackage main\n\nimport "example.com/gen"\n'
    ),
    "underscore file": append("_scratch.go", 'package main\n\nimport "example.com/s"\n'),
    "dot directory": append(".cache/x.go", 'package x\n\nimport "example.com/s"\n'),
    "nested module": append("nested/go.mod", "module example.com/nested\n"),
    "README": append("README.md", "more\n"),
    "replace target's function body": replace_in("lib/lib.go", "fmt.Println()", "fmt.Println(1)"),
}


@pytest.mark.parametrize("name", sorted(KEEPS_KEY))
def test_key_ignores_what_tidy_does_not_read(tmp_path: Path, name: str) -> None:
    root = tree(tmp_path)
    before = key(root)
    KEEPS_KEY[name](root)
    assert key(root) == before, name


def test_nested_module_files_do_not_count(tmp_path: Path) -> None:
    root = tree(tmp_path)
    write_tree(root, {"nested/go.mod": "module example.com/nested\n"})
    before = key(root)
    write_tree(root, {"nested/n.go": 'package n\n\nimport "example.com/n"\n'})
    assert key(root) == before


@pytest.mark.parametrize("var", KEY_ENV)
def test_key_changes_with_each_environment_variable(tmp_path: Path, var: str) -> None:
    root = tree(tmp_path)
    other = KeyContext(CTX.go_version, CTX.tool_version, {**CTX.env, var: "something-else"})
    assert key(root, other) != key(root)


def test_credentials_are_not_in_the_key(tmp_path: Path) -> None:
    root = tree(tmp_path)
    env = {**CTX.env, "GOAUTH": "netrc", "NETRC": "/x"}
    other = KeyContext(CTX.go_version, CTX.tool_version, env)
    assert key(root, other) == key(root)


def test_key_changes_with_go_and_tool_versions_flags_and_settings(tmp_path: Path) -> None:
    root = tree(tmp_path)
    base = key(root)
    assert key(root, KeyContext("1.26.1", "0.1.0", CTX.env)) != base
    assert key(root, KeyContext("1.26.0", "0.2.0", CTX.env)) != base
    assert key(root, KeyContext("1.26.0", "0.1.0", CTX.env, ("ignore=unused-require",))) != base
    assert key(root, flags=("-e",)) != base
    assert key(root, flags=("-compat=1.21",)) != key(root, flags=("-compat=1.22",))


def test_key_is_stable_and_per_module(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert key(root) == key(root)
    kb = KeyBuilder(root, CTX)
    assert kb.key(".") != kb.key("lib")
    assert len(kb.key(".") or "") == 64


def test_forget_rereads_a_directory(tmp_path: Path) -> None:
    root = tree(tmp_path)
    kb = KeyBuilder(root, CTX)
    before = kb.key(".")
    append("lib/go.mod", "\nrequire example.com/greet v1.0.0\n")(root)
    assert kb.key(".") == before  # memoised within one builder (one run)
    kb.forget("lib")
    assert kb.key(".") != before


def test_replace_cycle_terminates(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a/go.mod": "module a\n\nreplace b => ../b\n",
            "b/go.mod": "module b\n\nreplace a => ../a\n",
        },
    )
    kb = KeyBuilder(tmp_path, CTX)
    assert kb.key("a") != kb.key("b")


def test_unparsable_gomod_still_has_a_key(tmp_path: Path) -> None:
    write_tree(tmp_path, {"go.mod": "module\n", "x.go": "package x\n"})
    assert len(key(tmp_path)) == 64


def test_package_imports_lines(tmp_path: Path) -> None:
    root = tree(tmp_path)
    write_tree(root, {"main_test.go": 'package main\n\nimport "testing"\n'})
    lines = package_imports(root)
    assert lines == [
        ". main | example.com/greet testing T",
        "pkg/util util | example.com/t T strings",
    ]


def test_parse_memo_gives_the_same_key_and_parses_each_file_once(tmp_path: Path) -> None:
    from bot.engine.cachekey import ParseMemo

    root = tree(tmp_path)
    memo = ParseMemo()
    first = KeyBuilder(root, CTX, memo).key(".")
    assert first == key(root)  # a memo changes how fast, never what
    parsed = memo.added
    assert parsed == 5 + 3  # the Go files of app, lib and deep, and their three go.mod files
    again = KeyBuilder(root, CTX, memo).key(".")
    assert again == first and memo.added == parsed  # a second builder parses nothing new
    append("main.go", "\nfunc more() {}\n")(root)  # new bytes: parsed again, same key
    assert KeyBuilder(root, CTX, memo).key(".") == first and memo.added == parsed + 1


def _reference_package_dirs(module_root: Path) -> list[str]:
    """Package directories as a plain os.walk(followlinks=False) finds them."""
    out = []
    for cur, dirs, files in os.walk(module_root, followlinks=False):
        p = Path(cur)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d != "vendor" and not (p / d / "go.mod").exists()
        )
        if any(f.endswith(".go") and not f.startswith((".", "_")) for f in files):
            out.append(p.relative_to(module_root).as_posix() or ".")
    return out


def test_package_walk_matches_os_walk_with_links_and_skipped_names(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "m",
        {
            "go.mod": "module example.com/m\n",
            "a.go": 'package m\n\nimport "example.com/a"\n',
            "_skip.go": 'package m\n\nimport "example.com/never"\n',
            "b/b.go": 'package b\n\nimport "example.com/b"\n',
            "b/c/c_test.go": 'package c\n\nimport "example.com/c"\n',
            ".hidden/h.go": 'package h\n\nimport "example.com/never"\n',
            "vendor/v/v.go": 'package v\n\nimport "example.com/never"\n',
            "nested/go.mod": "module example.com/nested\n",
            "nested/n.go": 'package n\n\nimport "example.com/never"\n',
            "testdata/t.go": 'package t\n\nimport "example.com/t"\n',
        },
    )
    outside = write_tree(tmp_path / "outside", {"o.go": 'package o\n\nimport "example.com/o"\n'})
    (root / "linkdir").symlink_to(outside, target_is_directory=True)  # listed, never entered
    (root / "b" / "linked.go").symlink_to(outside / "o.go")  # a file: read
    (root / "b" / "broken.go").symlink_to(tmp_path / "missing.go")  # unreadable: passed over

    (root / "testdata" / "inner").mkdir()  # below a directory the tree scan skips
    (root / "testdata" / "inner" / "go.mod").write_text("module example.com/inner\n")
    (root / "b" / "gone").mkdir()
    (root / "b" / "gone" / "go.mod").symlink_to(tmp_path / "missing.mod")  # no module
    (root / "b" / "gone" / "g.go").write_text('package g\n\nimport "example.com/g"\n')

    lines = package_imports(root)
    assert [ln.split(" ", 1)[0] for ln in lines] == _reference_package_dirs(root)
    assert lines == [
        ". m | example.com/a",
        "b b,o | example.com/b example.com/o",
        "b/c c | example.com/c T",
        "b/gone g | example.com/g",
        "testdata t | example.com/t",
    ]
    # the same lines from the run's tree scan, whose listings the walk reuses
    assert package_imports(root, listings=scan_tree(root).listings) == lines
