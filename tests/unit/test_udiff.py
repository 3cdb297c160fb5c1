from __future__ import annotations

import pytest

from bot.engine.udiff import DiffError, apply, split_diff

SP = " "  # a context line holding an empty line

GO_DIFF = f"""diff current/go.mod tidy/go.mod
--- current/go.mod
+++ tidy/go.mod
@@ -1,3 +1,5 @@
 module example.com/m
{SP}
 go 1.22
+
+require example.com/a v1.0.0

diff current/go.sum tidy/go.sum
--- current/go.sum
+++ tidy/go.sum
@@ -0,0 +1,2 @@
+example.com/a v1.0.0 h1:x=
+example.com/a v1.0.0/go.mod h1:y=

"""


def test_split_and_apply_go_diff() -> None:
    d = split_diff(GO_DIFF)
    assert sorted(d) == ["go.mod", "go.sum"]
    cur = "module example.com/m\n\ngo 1.22\n"
    assert apply(cur, d["go.mod"]) == cur + "\nrequire example.com/a v1.0.0\n"
    assert apply("", d["go.sum"]) == (
        "example.com/a v1.0.0 h1:x=\nexample.com/a v1.0.0/go.mod h1:y=\n"
    )


def test_apply_removal_in_the_middle() -> None:
    diff = """diff current/go.sum tidy/go.sum
--- current/go.sum
+++ tidy/go.sum
@@ -1,3 +1,2 @@
 a v1 h1:1=
-b v1 h1:2=
 c v1 h1:3=
"""
    d = split_diff(diff)["go.sum"]
    assert apply("a v1 h1:1=\nb v1 h1:2=\nc v1 h1:3=\n", d) == "a v1 h1:1=\nc v1 h1:3=\n"


def test_no_newline_at_end_of_file_is_fixed() -> None:
    diff = f"""diff current/go.mod tidy/go.mod
--- current/go.mod
+++ tidy/go.mod
@@ -1,3 +1,3 @@
 module m
{SP}
-go 1.22
\\ No newline at end of file
+go 1.22
"""
    d = split_diff(diff)["go.mod"]
    assert apply("module m\n\ngo 1.22", d) == "module m\n\ngo 1.22\n"


def test_context_mismatch_is_refused() -> None:
    d = split_diff(GO_DIFF)["go.mod"]
    with pytest.raises(DiffError):
        apply("module other\n\ngo 1.22\n", d)
