"""Files changed since a git ref: the working tree port used by ``--since``.

The changes of a pull request are what lies between the merge base of REF and HEAD and the
working tree (committed since the merge base, staged, unstaged) plus untracked files that are
not ignored. Paths come back relative to the checked root, ``/``-separated; a path outside the
root (the root is a subdirectory of the repository) keeps its ``..`` prefix, so a change to a
local replace target outside the root is still seen.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import git

from bot.engine.affected import Change, norm
from bot.errors import UsageError

__all__ = ["ChangeSet", "changed_files"]


@dataclass(frozen=True)
class ChangeSet:
    ref: str  # as given
    base: str  # the merge base commit (full hex)
    changes: tuple[Change, ...]


def _repo(root: Path) -> git.Repo:
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(
            f"{root}: not inside a git work tree, so --since has nothing to compare",
            hint="run in a git checkout, or drop --since for a full check",
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        raise UsageError(
            f"{root}: a bare git repository has no work tree to compare",
            hint="run in a checkout, or drop --since",
        )
    return repo


def changed_files(root: Path, ref: str) -> ChangeSet:
    """What changed in ``root`` since the merge base of ``ref`` and HEAD."""
    root = root.resolve()
    repo = _repo(root)
    try:
        head = repo.head.commit
    except ValueError:
        raise UsageError(
            f"{root}: the repository has no commits yet", hint="commit once, or drop --since"
        ) from None
    try:
        other = repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError):
        raise UsageError(
            f"--since {ref}: no such commit, branch or tag in {repo.working_tree_dir}",
            hint="fetch it first (actions/checkout with fetch-depth: 0, or "
            f"`git fetch origin {ref}`), or drop --since for a full check",
        ) from None
    try:
        bases = repo.merge_base(other, head)
    except git.GitCommandError as e:
        raise UsageError(
            f"--since {ref}: git merge-base failed: {e.stderr.strip() or e}",
            hint="fetch more history (actions/checkout with fetch-depth: 0)",
        ) from None
    if not bases or bases[0] is None:
        raise UsageError(
            f"--since {ref}: {ref} and HEAD have no common ancestor (a shallow clone?)",
            hint="fetch the full history (actions/checkout with fetch-depth: 0), "
            "or drop --since for a full check",
        )
    base = bases[0]
    assert isinstance(base, git.Commit)
    assert repo.working_tree_dir is not None  # checked by _repo
    top = Path(repo.working_tree_dir).resolve()
    prefix = root.relative_to(top).as_posix() if root != top else "."

    out: dict[str, str] = {}
    raw = repo.git.diff("--name-status", "-z", "--no-renames", "--no-ext-diff", base.hexsha, "--")
    parts = [p for p in raw.split("\0") if p != ""]
    for status, path in zip(parts[0::2], parts[1::2], strict=False):
        out[path] = status[:1]
    untracked = repo.git.ls_files("--others", "--exclude-standard", "-z", "--full-name")
    for path in untracked.split("\0"):
        if path:
            out[path] = "A"
    changes = tuple(Change(_relative(path, prefix), status) for path, status in sorted(out.items()))
    return ChangeSet(ref, base.hexsha, changes)


def _relative(path: str, prefix: str) -> str:
    if prefix == ".":
        return norm(path)
    return norm(posixpath.relpath(path, prefix))
