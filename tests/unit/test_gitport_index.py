"""``Git.tree_with``: the tree of a commit made through the API, computed in a private index."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.gitport import Git


def _git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=True)
    return res.stdout.decode().strip()


def test_a_path_with_a_newline_adds_no_entry_of_its_own(tmp_path: Path) -> None:
    """Records went to ``git update-index --index-info`` one per line, the path unquoted: a
    path holding a newline and a record of its own added a file of its choosing to the tree
    (a workflow, past a check that only looks at the first path component)."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "README").write_text("hi\n")
    _git(tmp_path, "add", "README")
    _git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init")
    payload = _git(tmp_path, "hash-object", "-w", "--stdin", data=b"on: push\n")
    evil = f"a\n100644 {payload}\t.github/workflows/pwn.yml\n100644 {payload}\tz/go.mod"
    tree = Git(tmp_path).tree_with(_git(tmp_path, "rev-parse", "HEAD"), {evil: b"module a\n"})
    names = _git(tmp_path, "ls-tree", "-r", "-z", "--name-only", tree).split("\0")
    assert sorted(n for n in names if n) == ["README", evil]


def test_files_are_written_and_removed(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "go.mod").write_text("module a\n")
    (tmp_path / "b.txt").write_text("b\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init")
    head = _git(tmp_path, "rev-parse", "HEAD")
    tree = Git(tmp_path).tree_with(head, {"a/go.mod": b"module a\n\ngo 1.22\n", "b.txt": None})
    assert _git(tmp_path, "ls-tree", "-r", "--name-only", tree).split() == ["a/go.mod"]
    assert _git(tmp_path, "cat-file", "-p", f"{tree}:a/go.mod") == "module a\n\ngo 1.22"
