"""Files changed since a git ref: the working tree port used by ``--since``.

The changes of a pull request are what lies between the merge base of REF and HEAD and the
working tree (committed since the merge base, staged, unstaged) plus untracked files that are
not ignored. Paths come back relative to the checked root, ``/``-separated; a path outside the
root (the root is a subdirectory of the repository) keeps its ``..`` prefix, so a change to a
local replace target outside the root is still seen.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path

from bot.engine.affected import (
    Change,
    Selection,
    module_nodes,
    norm,
    read_workspaces,
    select_affected,
)
from bot.engine.cachekey import ParseMemo
from bot.engine.discover import ModuleRef, TreeScan
from bot.errors import UsageError
from bot.gitport import Git, GitResult
from bot.record import record

__all__ = ["ChangeSet", "changed_files", "select_since"]


@record
class ChangeSet:
    ref: str  # as given
    base: str  # the merge base commit (full hex)
    changes: tuple[Change, ...]


def _git(cwd: Path, *args: str) -> GitResult:
    return Git(cwd).run(*args)


def _work_tree(root: Path) -> Path:
    """The top of the git work tree holding ``root``; UsageError when there is none."""
    res = None
    if root.is_dir():
        where = ("--is-bare-repository", "--is-inside-work-tree", "--show-toplevel")
        res = _git(root, "rev-parse", *where)
    lines = res.text.splitlines() if res is not None else []
    if lines[:1] == ["true"]:
        raise UsageError(
            f"{root}: a bare git repository has no work tree to compare",
            hint="run in a checkout, or drop --since",
        )
    if res is not None and "safe.bareRepository" in res.error:
        raise UsageError(
            f"{root}: a bare git repository has no work tree to compare (tidybot's git uses "
            "no bare repository it finds: one committed in a tree could run commands)",
            hint="run in a checkout (a directory of the tree holding HEAD, objects/ and refs/ "
            "is taken for one: remove it), or drop --since for a full check",
        )
    if res is None or res.returncode != 0 or lines[1:2] != ["true"] or len(lines) < 3:
        raise UsageError(
            f"{root}: not inside a git work tree, so --since has nothing to compare",
            hint="run in a git checkout, or drop --since for a full check",
        )
    return Path(lines[2]).resolve()


def _commit(top: Path, rev: str) -> str | None:
    """The full hash of the commit ``rev`` names, or None."""
    if rev.startswith("-"):  # never an option to git; no ref or hash starts with "-"
        return None
    res = _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return res.text.strip() if res.returncode == 0 and res.text.strip() else None


def _locate(root: Path, ref: str) -> tuple[Path, str, str]:
    """The work tree's top, HEAD's commit and ``ref``'s commit, in one git command when all is
    well; otherwise step by step, for the message that says what is wrong."""
    if root.is_dir() and not ref.startswith("-"):  # never an option to git
        where = ("--is-bare-repository", "--is-inside-work-tree", "--show-toplevel")
        res = _git(root, "rev-parse", *where, "HEAD^{commit}", f"{ref}^{{commit}}", "--")
        lines = res.text.splitlines()  # git echoes the closing "--"
        if res.returncode == 0 and lines[:2] == ["false", "true"] and lines[5:] == ["--"]:
            return Path(lines[2]).resolve(), lines[3], lines[4]
    top = _work_tree(root)
    head = _commit(top, "HEAD")
    if head is None:
        raise UsageError(
            f"{root}: the repository has no commits yet", hint="commit once, or drop --since"
        )
    other = _commit(top, ref)
    if other is None:
        raise UsageError(
            f"--since {ref}: no such commit, branch or tag in {top}",
            hint=f"{fetch_hint(ref)}, or drop --since for a full check",
        )
    return top, head, other


def fetch_hint(ref: str) -> str:
    """How to get a missing ``ref`` into the clone, as a command that works for its kind: a
    revision counted from another (``HEAD~5``, ``main^``) needs history a shallow clone lacks;
    ``origin/main`` is fetched as ``main``; a name or a hash is fetched as it is."""
    import shlex

    if any(c in ref for c in "~^:") or "@{" in ref:
        return (
            "the history it names is not in this clone (a shallow checkout?): fetch it "
            "(`git fetch --unshallow`, or actions/checkout with fetch-depth: 0)"
        )
    remote, _, branch = ref.partition("/")
    name = branch if branch and remote == "origin" else ref
    return (
        "fetch it first (actions/checkout with fetch-depth: 0, or "
        f"`git fetch origin {shlex.quote(name)}`)"
    )


def changed_files(root: Path, ref: str) -> ChangeSet:
    """What changed in ``root`` since the merge base of ``ref`` and HEAD.

    Three rounds of git through ``bot.gitport`` (where and which commits; the merge base; the
    diff and the untracked files, side by side): ``--since`` is the path that must be fast."""
    root = root.resolve()
    top, head, other = _locate(root, ref)
    mb = _git(top, "merge-base", other, head)
    if mb.returncode not in (0, 1) or (mb.returncode == 1 and mb.error):
        raise UsageError(
            f"--since {ref}: git merge-base failed: {mb.error or mb.returncode}",
            hint="fetch more history (actions/checkout with fetch-depth: 0)",
        )
    base = mb.text.split()[0] if mb.text.split() else ""
    if not base:
        raise UsageError(
            f"--since {ref}: {ref} and HEAD have no common ancestor (a shallow clone?)",
            hint="fetch the full history (actions/checkout with fetch-depth: 0), "
            "or drop --since for a full check",
        )
    prefix = root.relative_to(top).as_posix() if root != top else "."

    out: dict[str, str] = {}
    diff, untracked = Git(top).together(
        ("diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", base, "--"),
        ("ls-files", "--others", "--exclude-standard", "-z", "--full-name"),
    )
    for res in (diff, untracked):
        if res.returncode != 0:
            raise UsageError(
                f"--since {ref}: git {res.args[0]} failed: {res.error or res.returncode}",
                hint="check the repository with `git status`, or drop --since",
            )
    parts = [p for p in diff.text.split("\0") if p != ""]
    for status, path in zip(parts[0::2], parts[1::2], strict=False):
        out[path] = status[:1]
    for path in untracked.text.split("\0"):
        if path:
            out[path] = "A"
    changes = tuple(
        sorted(
            (Change(_relative(path, prefix), status) for path, status in out.items()),
            key=lambda c: c.path,
        )
    )
    return ChangeSet(ref, base, changes)


def _relative(path: str, prefix: str) -> str:
    if prefix == ".":
        return norm(path)
    return norm(posixpath.relpath(path, prefix))


def select_since(
    root: Path,
    modules: Sequence[ModuleRef],
    ref: str,
    memo: ParseMemo | None = None,
    scan: TreeScan | None = None,
) -> tuple[ChangeSet, Selection]:
    """The changes since ``ref`` and the modules of ``modules`` they can affect (``scan``: the
    run's walk of ``root``, if it has one)."""
    changes = changed_files(root, ref)
    nodes = module_nodes(root, modules, memo)
    selection = select_affected(nodes, changes.changes, read_workspaces(root, scan))
    return changes, selection
