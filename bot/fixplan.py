"""Fixes as data: what ``tidybot fix`` would change, computed in a scratch copy of the tree.

:func:`plan_fix` is the one planner. It copies the checked tree (without ``.git`` and tidybot's
own directories) into a private temporary directory, runs the engine's fix there
(``bot.runner.fix``: tidy, ``go work sync``, re-vendoring) and returns a :class:`FixPlan`: the
changed files by repository-relative path, their old contents, and the fix's report. The user's
tree is never written while planning, so there is nothing to restore when go fails midway.

A plan is used two ways: committed through the GitHub API (``/tidy``, the fix pull request of
the scheduled audit), or written as a patch into the artifact of a pull request run. A plan only
ever holds go.mod, go.sum, go.work, go.work.sum and vendor/ files (:data:`FIX_NAMES`): nothing
else is read from either tree.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from bot.engine.model import Report
from bot.engine.treefile import read_tree_file
from bot.errors import TidybotError, UnsafeFile
from bot.record import record, replace
from bot.runner import RunOptions, fix

__all__ = ["FIX_NAMES", "FixPlan", "fingerprint", "make_patch", "plan_fix"]

#: The files a fix may change (and the vendor/ trees of vendored modules).
FIX_NAMES = frozenset({"go.mod", "go.sum", "go.work", "go.work.sum"})

#: Directories a scratch copy leaves out: git's, and tidybot's own (cache, artifact).
_SKIP_DIRS = frozenset({".git"})


@record
class FixPlan:
    """What a fix changes: repository-relative path -> new bytes (None: delete)."""

    files: Mapping[str, bytes | None]
    old: Mapping[str, bytes | None]
    report: Report

    @property
    def empty(self) -> bool:
        return not self.files

    def fingerprint(self) -> str:
        return fingerprint(self.files)

    def patch(self) -> str:
        return make_patch(self.old, self.files)


def private_code(files: Mapping[str, bytes | None], go_env: Mapping[str, str]) -> list[str]:
    """The packages of private modules whose code ``files`` writes into a vendor/ tree (added
    or changed files; a deletion shows nothing): their import paths, sorted. A module is
    private when GOPRIVATE, GONOPROXY or GONOSUMDB of ``go_env`` (what go sees:
    ``bot.childenv.layered_go_env``) matches its path, as go decides which modules it fetches
    with credentials and never checks against the public checksum database; with
    ``GOSUMDB=off`` every module may be."""
    from bot.engine.modpath import match_prefix_patterns

    patterns = ",".join(
        v for k in ("GOPRIVATE", "GONOPROXY", "GONOSUMDB") if (v := go_env.get(k, "").strip())
    )
    if go_env.get("GOSUMDB", "").strip() == "off":
        # nothing is checked against the public database, so nothing tells a public module
        # from one fetched with credentials (an authenticated proxy, git): every one counts
        patterns = "*"
    if not patterns:
        return []
    found: set[str] = set()
    for path, data in files.items():
        parts = PurePosixPath(path).parts
        if data is None or "vendor" not in parts[:-1]:
            continue
        below = parts[parts.index("vendor") + 1 :]
        if len(below) < 2:  # vendor/modules.txt: module paths and versions, no code
            continue
        package = "/".join(below[:-1])
        if match_prefix_patterns(patterns, package):
            found.add(package)
    return sorted(found)


def fingerprint(files: Mapping[str, bytes | None]) -> str:
    """A short, stable digest of a set of file changes (the fix commits' trailer)."""
    h = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        h.update(path.encode() + b"\0" + (b"-" if data is None else data) + b"\0")
    return h.hexdigest()[:16]


def _fixable(rel: PurePosixPath) -> bool:
    return rel.name in FIX_NAMES or "vendor" in rel.parts[:-1]


def _tree_files(root: Path, skip: frozenset[str]) -> dict[str, bytes]:
    """The files a fix may change below ``root`` (regular files only), by root-relative path."""
    out: dict[str, bytes] = {}
    for cur, dirs, files in os.walk(root):
        here = Path(cur)
        rel_dir = here.relative_to(root)
        dirs[:] = sorted(
            d for d in dirs if d not in _SKIP_DIRS and (rel_dir / d).as_posix() not in skip
        )
        for name in files:
            rel = PurePosixPath((rel_dir / name).as_posix())
            if not _fixable(rel):
                continue
            try:  # never through a symlink, never a FIFO, never above a file's size limit
                data = read_tree_file(root, rel.as_posix())
            except (UnsafeFile, OSError):
                continue  # the fix refuses such a file itself, and never writes it
            if data is not None:
                out[rel.as_posix()] = data
    return out


def plan_fix(
    repo: Path,
    root: Path,
    options: RunOptions,
    *,
    skip: Iterable[str] = (),
) -> FixPlan:
    """Run the fix of the modules under ``root`` in a scratch copy of the repository ``repo``
    (``root`` itself or a directory above it: a local replace may point at a sibling of
    ``root``) and return what it changed, by path relative to ``repo``.

    ``skip``: repository-relative directories not copied (the result cache, the artifact
    directory).
    """
    from bot.fsutil import scratch_dir

    repo, root = repo.resolve(), root.resolve()
    if root != repo and repo not in root.parents:
        raise TidybotError(f"{root}: not inside {repo}")
    if options.since:
        # the scratch copy has no git history: choose the modules here, fix those there
        options = _since_as_include(root, options)
        if not options.include:
            return FixPlan({}, {}, Report(str(root), "fix", ()))
    skipped = frozenset(p.strip("/") for p in skip if p.strip("/") not in ("", "."))
    before = _tree_files(repo, skipped)
    with scratch_dir("tidybot-fix-") as tmp:
        copy = tmp / "tree"

        def ignore(directory: str, names: list[str]) -> set[str]:
            rel = Path(directory).relative_to(repo)
            return {n for n in names if n in _SKIP_DIRS or (rel / n).as_posix() in skipped}

        shutil.copytree(repo, copy, symlinks=True, ignore=ignore)
        report = fix(copy / root.relative_to(repo), options)
        after = _tree_files(copy, skipped)
    files: dict[str, bytes | None] = {}
    old: dict[str, bytes | None] = {}
    for rel in sorted(set(before) | set(after)):
        if before.get(rel) == after.get(rel):
            continue
        files[rel] = after.get(rel)
        old[rel] = before.get(rel)
    return FixPlan(files, old, report)


def _since_as_include(root: Path, options: RunOptions) -> RunOptions:
    """``options`` with ``--since`` replaced by the modules it selects (as ``--include``)."""
    from bot.changes import select_since
    from bot.runner import discover

    assert options.since is not None
    modules = discover(root, options)
    _, selection = select_since(root, modules, options.since)
    chosen = tuple(m.dir for m in modules if m.dir in selection)
    return replace(options, since=None, include=chosen)


_C_ESCAPES = dict(
    zip(
        b'\a\b\t\n\v\f\r"\\',
        ["\\a", "\\b", "\\t", "\\n", "\\v", "\\f", "\\r", '\\"', "\\\\"],
        strict=True,
    )
)


def git_quoted(name: str) -> str:
    """A path as git writes it in a diff header (``quote_c_style``, ``core.quotePath``): as it
    is when plain, else in double quotes with C escapes and octal bytes. A directory name with
    a newline in it then stays one name instead of starting header lines of its own."""
    raw = os.fsencode(name)
    if not any(b < 0x20 or b in (0x22, 0x5C) or b >= 0x7F for b in raw):
        return name
    out = []
    for b in raw:
        if b in _C_ESCAPES:
            out.append(_C_ESCAPES[b])
        elif b < 0x20 or b >= 0x7F:
            out.append(f"\\{b:03o}")
        else:
            out.append(chr(b))
    return '"' + "".join(out) + '"'


def make_patch(old: Mapping[str, bytes | None], new: Mapping[str, bytes | None]) -> str:
    """A ``git apply``-able unified diff from old to new file contents; paths quoted as git
    quotes them (:func:`git_quoted`)."""
    out: list[str] = []
    for path in sorted(new):
        a, b = old.get(path), new[path]
        if a == b:
            continue
        a_lines = (a or b"").decode("utf-8", "replace").splitlines(keepends=True)
        b_lines = (b or b"").decode("utf-8", "replace").splitlines(keepends=True)
        qa, qb = git_quoted(f"a/{path}"), git_quoted(f"b/{path}")
        out.append(f"diff --git {qa} {qb}\n")
        if a is None:
            out.append("new file mode 100644\n")
        elif b is None:
            out.append("deleted file mode 100644\n")
        src = "/dev/null" if a is None else qa
        dst = "/dev/null" if b is None else qb
        for line in difflib.unified_diff(a_lines, b_lines, src, dst):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
