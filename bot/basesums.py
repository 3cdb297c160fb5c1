"""The go.sum / go.work.sum files of a base commit (for ``sum-changed``), read through the git
port."""

from __future__ import annotations

from pathlib import Path

from bot.changes import fetch_hint
from bot.engine.gosum import GoSum, parse_gosum
from bot.errors import UsageError
from bot.gitport import Git

SUM_FILES = frozenset({"go.sum", "go.work.sum"})


def base_sums(root: Path, ref: str) -> dict[str, GoSum]:
    """Every sum file under ``root`` as committed at ``ref``, keyed by path relative to root."""
    root = root.resolve()
    git = Git(root)
    top = git.toplevel()
    if top is None:
        raise UsageError(
            f"{root}: not inside a git work tree, so --base has nothing to compare",
            hint="run in a git checkout, or drop --base",
        )
    if ref.startswith("-") or not git.has_commit(ref):
        raise UsageError(
            f"--base {ref}: no such commit, branch or tag",
            hint=f"{fetch_hint(ref)}, or drop --base",
        )
    top = top.resolve()
    prefix = "" if root == top else root.relative_to(top).as_posix()
    out: dict[str, GoSum] = {}
    for path, data in git.files_named(ref, SUM_FILES, prefix).items():
        rel = path[len(prefix) + 1 :] if prefix else path
        out[rel] = parse_gosum(data.decode("utf-8", errors="replace"), rel)
    return out
