"""Which modules a change can affect, and the order fixes run in. Pure, but for
``read_workspaces`` and ``module_nodes``, which read the go.work and go.mod files they work from.

A module's tidy result depends on its own files and on the modules it reaches through local
``replace`` directives (their go.mod and their packages' imports); a workspace check depends on
every module its go.work uses. So a change affects:

* the module that owns a changed file (the deepest module directory holding it), when the file
  is one tidy or tidybot reads (``.go`` files, go.mod, go.sum, anything under ``vendor/``);
* every module that reaches an affected module through a local ``replace`` (transitively), and
  every module used by a go.work that uses an affected module;
* for a changed go.work or go.work.sum: every module it uses and every module below its
  directory;
* for a go.mod that appeared or disappeared (a module boundary moved): also the module that
  encloses its directory, whose package set grew or shrank;
* for a change to tidybot's config file: every module (``Selection.full``).

Paths are root-relative and ``/``-separated; ``.`` is the root. Directories outside the root
(a replace to ``../shared``) are written with leading ``..`` segments.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence

from bot.engine.discover import norm, resolve_dir
from bot.record import field, record

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

    from bot.engine.cachekey import ParseMemo
    from bot.engine.discover import ModuleRef, TreeScan

__all__ = [
    "CONFIG_FILES",
    "Change",
    "ModuleNode",
    "Selection",
    "Workspace",
    "fix_waves",
    "module_nodes",
    "norm",
    "read_workspaces",
    "relevant_file",
    "resolve_dir",
    "select_affected",
    "strongly_connected",
    "tidy_order",
    "topological_order",
]

CONFIG_FILES = frozenset({".github/tidybot.yml", ".github/tidybot.yaml", ".tidybot.yml"})
"""tidybot's config files (root-relative): a change to one of them selects every module."""

_MODULE_FILES = frozenset({"go.mod", "go.sum"})
_WORK_FILES = frozenset({"go.work", "go.work.sum"})


@record
class Change:
    """One changed path. ``status``: ``A`` added, ``M`` modified, ``D`` deleted (a rename is a
    ``D`` of the old path and an ``A`` of the new one)."""

    path: str
    status: str = "M"


@record
class ModuleNode:
    """A module directory and the directories its go.mod replaces modules with."""

    dir: str
    replaces: tuple[str, ...] = ()


@record
class Workspace:
    """A go.work: its directory and the module directories it uses."""

    dir: str
    uses: tuple[str, ...] = ()


@record
class Selection:
    """The modules to check, each with the reason it was selected."""

    reasons: Mapping[str, str] = field(default_factory=dict)
    full: bool = False  # a change (the config file) selects everything

    def __contains__(self, module_dir: object) -> bool:
        return self.full or module_dir in self.reasons

    def reason(self, module_dir: str) -> str:
        return self.reasons.get(module_dir, "")


def _within(path: str, dir_: str) -> bool:
    if dir_ == ".":
        return not path.startswith("../") and path != ".."
    return path == dir_ or path.startswith(dir_ + "/")


def _owner(path: str, module_dirs: Iterable[str]) -> str | None:
    """The deepest module directory holding ``path``."""
    best: str | None = None
    for d in module_dirs:
        if _within(path, d) and (best is None or best == "." or len(d) > len(best)):
            best = d
    return best


def relevant_file(path: str) -> bool:
    """Whether a change to this file can change a module's result: Go sources, go.mod, go.sum,
    go.work(.sum), anything under a ``vendor/`` directory, tidybot's config."""
    name = posixpath.basename(path)
    if name.endswith(".go") or name in _MODULE_FILES or name in _WORK_FILES:
        return True
    return path in CONFIG_FILES or "/vendor/" in f"/{path}"


def select_affected(
    modules: Sequence[ModuleNode],
    changes: Iterable[Change],
    workspaces: Sequence[Workspace] = (),
) -> Selection:
    """The modules (of ``modules``) a set of changes can affect, with a reason for each."""
    dirs = {m.dir for m in modules}
    # directories that hold a module: the checked ones and every local replace target
    holders = dirs | {r for m in modules for r in m.replaces}
    direct: dict[str, str] = {}  # module-like dir -> reason

    def hit(d: str | None, reason: str) -> None:
        if d is not None:
            direct.setdefault(d, reason)

    for ch in changes:
        path = norm(ch.path)
        if path in CONFIG_FILES:
            return Selection({d: f"{path} changed" for d in sorted(dirs)}, full=True)
        if not relevant_file(path):
            continue
        name = posixpath.basename(path)
        parent = posixpath.dirname(path) or "."
        if name in _WORK_FILES:
            for ws in workspaces:
                if ws.dir == parent:
                    for u in ws.uses:
                        hit(u, f"{path} changed")
            for d in holders:
                if _within(d, parent):
                    hit(d, f"{path} changed")
            continue
        hit(_owner(path, holders), f"{path} changed")
        if name == "go.mod" and ch.status in ("A", "D"):
            # a module boundary moved: the enclosing module's package set changed
            hit(_owner(parent, holders - {parent}), f"{path} moved a module boundary")

    # propagate: a module that reaches an affected directory is affected
    reverse: dict[str, set[str]] = {}
    for m in modules:
        for r in m.replaces:
            reverse.setdefault(r, set()).add(m.dir)
    for ws in workspaces:
        for u in ws.uses:
            for v in ws.uses:
                if u != v:
                    reverse.setdefault(u, set()).add(v)
    reasons = dict(direct)
    queue = sorted(direct)
    while queue:
        cur = queue.pop()
        for dep in sorted(reverse.get(cur, ())):
            if dep not in reasons:
                why = f"reaches {cur} through a local replace or go.work use"
                reasons[dep] = why
                queue.append(dep)
    return Selection({d: reasons[d] for d in sorted(reasons) if d in dirs})


def module_nodes(
    root: Path, modules: Sequence[ModuleRef], memo: ParseMemo | None = None
) -> list[ModuleNode]:
    """Each module with the root-relative directories its go.mod replaces modules with
    (``memo``: go.mod files parsed before, by content; a go.mod that does not parse has none:
    the check reports it, and a change to it selects it)."""
    from bot.engine.cachekey import ParseMemo
    from bot.engine.treefile import read_tree_file
    from bot.errors import UnsafeFile

    root = root.resolve()
    memo = memo if memo is not None else ParseMemo()
    out = []
    for m in modules:
        try:
            data = read_tree_file(root, m.rel("go.mod")) or b""
        except (UnsafeFile, OSError):
            data = b""  # the check reports it
        paths = memo.local_replaces_of(data, m.rel("go.mod"))
        targets = {resolve_dir(m.dir, p, root.as_posix()) for p in paths}
        out.append(ModuleNode(m.dir, tuple(sorted(targets))))
    return out


def tidy_order(
    modules: Sequence[ModuleNode], drifted: Collection[str], moving: Collection[str]
) -> list[list[tuple[str, bool]]]:
    """The modules a fix of the ``drifted`` ones tidies, in the waves ``tidybot fix`` tidies
    them in (``fix_waves``: every module after its local replace targets), each with whether
    it follows one of the ``moving`` ones (those whose fix changes the requirements in their
    go.mod): it reaches one through local replaces, so its build list moves with that fix and
    it is tidied again after it, drifted now or not."""
    reverse: dict[str, set[str]] = {}
    for m in modules:
        for r in m.replaces:
            reverse.setdefault(r, set()).add(m.dir)
    follows: set[str] = set()
    queue = sorted(moving)
    while queue:
        for dep in reverse.get(queue.pop(), ()):
            if dep not in follows:
                follows.add(dep)
                queue.append(dep)
    want = follows | set(drifted)
    waves = [[(d, d in follows) for d in wave if d in want] for wave in fix_waves(modules)]
    return [w for w in waves if w]


def topological_order(modules: Sequence[ModuleNode]) -> list[str]:
    """Module directories, dependencies (local replace targets) before their dependents."""
    return [d for wave in fix_waves(modules) for d in wave]


def fix_waves(modules: Sequence[ModuleNode]) -> list[list[str]]:
    """Module directories in waves: every module's local replace targets (among ``modules``)
    are in an earlier wave, so the modules of one wave can be fixed in parallel. Modules on a
    replace cycle share the wave after their other dependencies."""
    dirs = {m.dir for m in modules}
    deps = {m.dir: {r for r in m.replaces if r in dirs and r != m.dir} for m in modules}
    depth: dict[str, int] = {}
    # longest path from a module to a leaf, cycles collapsed (Tarjan's SCCs)
    for comp in strongly_connected(sorted(dirs), deps):
        d = 0
        for v in comp:
            for w in deps[v]:
                if w not in comp:
                    d = max(d, depth[w] + 1)
        for v in comp:
            depth[v] = d
    waves: dict[int, list[str]] = {}
    for v in sorted(dirs):
        waves.setdefault(depth[v], []).append(v)
    return [waves[k] for k in sorted(waves)]


def strongly_connected(nodes: list[str], edges: Mapping[str, set[str]]) -> list[set[str]]:
    """Strongly connected components (iterative Tarjan), each after every component it has
    edges to; ``edges`` names the successors of every node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        # iterative Tarjan
        work: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, todo = work[-1]
            if todo:
                w = todo.pop(0)
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, sorted(edges[w])))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp: set[str] = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def read_workspaces(root: Path, scan: TreeScan | None = None) -> list[Workspace]:
    """Every go.work below ``root`` with the module directories it uses (none for a go.work
    that cannot be read or parsed: the workspace check reports it). Read as the engine reads
    a tree file: never through a symlink, never above its size limit. Kept out of
    ``bot.changes`` (git) so that a run with no ``--since`` does not import git's port."""
    from bot.engine.discover import find_workspaces
    from bot.engine.gowork import parse_gowork
    from bot.engine.treefile import read_tree_file
    from bot.errors import ParseError, UnsafeFile

    root = root.resolve()
    found = []
    for path in find_workspaces(root, scan):
        rel = path.parent.relative_to(root).as_posix() or "."
        uses: tuple[str, ...] = ()
        try:
            data = read_tree_file(root, path.relative_to(root).as_posix())
            if data is not None:
                text = data.decode("utf-8", errors="replace")
                work = parse_gowork(text, f"{rel}/go.work" if rel != "." else "go.work")
                uses = tuple(sorted({resolve_dir(rel, u.path, root.as_posix()) for u in work.uses}))
        except (UnsafeFile, OSError, ParseError):
            pass
        found.append(Workspace(rel, uses))
    return found
