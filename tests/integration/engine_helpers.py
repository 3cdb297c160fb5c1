"""Helpers for engine scenario tests: lay out modules, make them tidy with the real go command."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from tests.fakes.goproxy import write_tree

MAIN_GO = """package main

import "example.com/greet"

func main() { println(greet.Hello()) }
"""


def go(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def tidy(env: dict[str, str], cwd: Path) -> None:
    res = go(env, cwd, "mod", "tidy")
    assert res.returncode == 0, res.stderr


def module(root: Path, rel: str, path: str, files: dict[str, str], go_line: str = "1.22") -> Path:
    d = root if rel == "." else root / rel
    write_tree(d, {"go.mod": f"module {path}\n\ngo {go_line}\n", **files})
    return d


def tidy_module(
    env: dict[str, str], root: Path, rel: str, path: str, files: dict[str, str]
) -> Path:
    d = module(root, rel, path, files)
    tidy(env, d)
    return d


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def tree_hash(root: Path) -> str:
    """One hash over every file's path and bytes (equal before and after: nothing written)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()
