"""The go.sum / go.work.sum files of a base commit, read with GitPython (for `sum-changed`)."""

from __future__ import annotations

from pathlib import Path

import git

from bot.engine.gosum import GoSum, parse_gosum
from bot.errors import UsageError

SUM_FILES = ("go.sum", "go.work.sum")


def base_sums(root: Path, ref: str) -> dict[str, GoSum]:
    """Every sum file under ``root`` as committed at ``ref``, keyed by path relative to root."""
    root = root.resolve()
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(
            f"{root}: not inside a git work tree, so --base has nothing to compare",
            hint="run in a git checkout, or drop --base",
        ) from None
    try:
        commit = repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError):
        raise UsageError(
            f"--base {ref}: no such commit, branch or tag",
            hint=f"fetch it first (`git fetch origin {ref}`), or drop --base",
        ) from None
    assert repo.working_tree_dir is not None
    top = Path(repo.working_tree_dir).resolve()
    prefix = "" if root == top else root.relative_to(top).as_posix() + "/"
    out: dict[str, GoSum] = {}
    for item in commit.tree.traverse():
        if not isinstance(item, git.Blob) or item.name not in SUM_FILES:
            continue
        path = str(item.path)
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        text = item.data_stream.read().decode("utf-8", errors="replace")
        out[rel] = parse_gosum(text, rel)
    return out
