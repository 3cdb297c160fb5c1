from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.imports import parse_go_file, scan_module, tidy_counts_file


def test_parse_imports_single_grouped_aliases_and_comments() -> None:
    src = """// Copyright

/* block
comment */
package main // the main package

import "fmt"
import alias "example.com/a"
import (
	"os" // comment
	_ "example.com/b"
	. "example.com/c"
	/* odd */ "example.com/d"
	raw `example.com/e`
)
import "C"

func main() {}

import "not/an/import"
"""
    f = parse_go_file(src, "main.go")
    assert f.package == "main"
    assert f.imports == (
        ("fmt", 7),
        ("example.com/a", 8),
        ("os", 10),
        ("example.com/b", 11),
        ("example.com/c", 12),
        ("example.com/d", 13),
        ("example.com/e", 14),
        ("C", 16),
    )


def test_parse_header_lines_after_raw_strings_semicolons_and_odd_ends() -> None:
    src = 'package p; import "a"; import ("b"; `c\nd`\n"e")\n/* x\n */ import "f"\nvar v = 1\n'
    f = parse_go_file(src)
    assert (f.package, f.imports) == ("p", (("a", 1), ("b", 1), ("c\nd", 1), ("e", 3), ("f", 5)))
    # an unterminated comment or import block ends the header without an error
    assert parse_go_file('package p\nimport "a"\n/* open').imports == (("a", 2),)
    assert parse_go_file('package p\nimport (\n"a"\n// "b"').imports == (("a", 3),)
    assert parse_go_file("// only a comment\n").package == ""
    assert parse_go_file("").imports == ()


@pytest.mark.parametrize(
    ("header", "counted"),
    [
        ("", True),
        ("//go:build ignore\n", False),
        ("//go:build !ignore\n", True),
        ("//go:build linux && amd64\n", True),
        ("//go:build ignore && linux\n", False),
        ("//go:build ignore || linux\n", True),
        ("//go:build tools\n", True),
        ("//go:build linux && !linux\n", False),
        ("//go:build (\n", False),
        ("//go:build linux\n//go:build darwin\n", False),
        ("// +build ignore\n", False),
        ("// +build linux,!ignore darwin\n", True),
        ("// Package doc.\n\n//go:build ignore\n", False),
    ],
)
def test_tidy_counts_file_like_anytags(header: str, counted: bool) -> None:
    src = header + "\npackage main\n"
    assert tidy_counts_file(src)[0] is counted


def test_scan_module_skips_what_go_skips(tmp_path: Path) -> None:
    files = {
        "a.go": 'package a\nimport "x.com/a"\n',
        "a_test.go": 'package a\nimport "x.com/t"\n',
        "a_windows.go": 'package a\nimport "x.com/w"\n',
        "gen.go": '//go:build ignore\npackage main\nimport "x.com/ignored"\n',
        "_skip.go": 'package a\nimport "x.com/underscore"\n',
        ".dot.go": 'package a\nimport "x.com/dot"\n',
        "testdata/t.go": 'package t\nimport "x.com/testdata"\n',
        "vendor/v/v.go": 'package v\nimport "x.com/vendor"\n',
        "_hidden/h.go": 'package h\nimport "x.com/hidden"\n',
        "nested/go.mod": "module x.com/nested\n",
        "nested/n.go": 'package n\nimport "x.com/nested-dep"\n',
        "sub/s.go": 'package sub\nimport "x.com/sub"\n',
        "old/o.go": 'package old\nimport "x.com/old"\n',
        "deep/old/o.go": 'package old\nimport "x.com/deepold"\n',
    }
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    found = scan_module(tmp_path, ignore=["./old"])
    got = {f.rel: [i for i, _ in f.imports] for f in found}
    assert got == {
        "a.go": ["x.com/a"],
        "a_test.go": ["x.com/t"],
        "a_windows.go": ["x.com/w"],
        "deep/old/o.go": ["x.com/deepold"],
        "sub/s.go": ["x.com/sub"],
    }
    unrooted = {f.rel for f in scan_module(tmp_path, ignore=["old"])}
    assert "deep/old/o.go" not in unrooted
    assert "sub/s.go" in unrooted
