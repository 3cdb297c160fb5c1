"""Files changed since a git ref: the working tree port used by ``--since``.

The changes of a pull request are what lies between the merge base of REF and HEAD and the
working tree (committed since the merge base, staged, unstaged) plus untracked files that are
not ignored. Paths come back relative to the checked root, ``/``-separated; a path outside the
root (the root is a subdirectory of the repository) keeps its ``..`` prefix, so a change to a
local replace target outside the root is still seen.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import git

from bot.engine.affected import (
    Change,
    ModuleNode,
    Selection,
    Workspace,
    norm,
    resolve_dir,
    select_affected,
)
from bot.engine.cachekey import ParseMemo
from bot.engine.discover import ModuleRef, skip_dir_name
from bot.engine.gowork import parse_gowork
from bot.errors import ParseError, UsageError

__all__ = ["ChangeSet", "changed_files", "module_nodes", "select_since", "workspaces"]


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
    changes = tuple(
        sorted(
            (Change(_relative(path, prefix), status) for path, status in out.items()),
            key=lambda c: c.path,
        )
    )
    return ChangeSet(ref, base.hexsha, changes)


def _relative(path: str, prefix: str) -> str:
    if prefix == ".":
        return norm(path)
    return norm(posixpath.relpath(path, prefix))


def _text(p: Path) -> str | None:
    try:
        return p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def module_nodes(
    root: Path, modules: Sequence[ModuleRef], memo: ParseMemo | None = None
) -> list[ModuleNode]:
    """Each module with the root-relative directories its go.mod replaces modules with
    (``memo``: go.mod files parsed before, by content; a go.mod that does not parse has none:
    the check reports it, and a change to it selects it)."""
    root = root.resolve()
    memo = memo if memo is not None else ParseMemo()
    out = []
    for m in modules:
        try:
            data = m.gomod.read_bytes()
        except OSError:
            data = b""
        paths = memo.local_replaces_of(data, m.rel("go.mod"))
        targets = {resolve_dir(m.dir, p, root.as_posix()) for p in paths}
        out.append(ModuleNode(m.dir, tuple(sorted(targets))))
    return out


def workspaces(root: Path) -> list[Workspace]:
    """Every go.work below ``root`` with the module directories it uses."""
    root = root.resolve()
    found = []
    for cur, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not skip_dir_name(d))
        if "go.work" not in files:
            continue
        rel = Path(cur).relative_to(root).as_posix() or "."
        text = _text(Path(cur) / "go.work")
        uses: tuple[str, ...] = ()
        if text is not None:
            try:
                work = parse_gowork(text, f"{rel}/go.work" if rel != "." else "go.work")
                uses = tuple(sorted({resolve_dir(rel, u.path, root.as_posix()) for u in work.uses}))
            except ParseError:
                pass  # the workspace check reports it
        found.append(Workspace(rel, uses))
    return found


def select_since(
    root: Path, modules: Sequence[ModuleRef], ref: str, memo: ParseMemo | None = None
) -> tuple[ChangeSet, Selection]:
    """The changes since ``ref`` and the modules of ``modules`` they can affect."""
    changes = changed_files(root, ref)
    nodes = module_nodes(root, modules, memo)
    selection = select_affected(nodes, changes.changes, workspaces(root))
    return changes, selection
