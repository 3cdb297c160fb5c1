"""go.work workspaces: would ``go work sync`` change a used module? And the sync-then-tidy fix.

``go work sync`` writes every used module's go.mod (raising requirements to the versions the
workspace selects) and the workspace's go.work / go.work.sum. tidybot never runs it in the
user's tree: the check and the fix both run it in a scratch copy that holds what go writes
there (go.work, go.work.sum, and of each used or locally replaced module its go.mod and
go.sum), go reading the Go files it needs from the tree through an overlay (``_make_copy``),
and compare. Because sync leaves go.sum untidy (reference §5.7), a
module sync touches is then tidied in the copy with ``GOWORK=off go mod tidy``.

Only the selected modules count: with ``--include``, the findings, the exit code and the files
the fix writes are those of the selected modules; go.work and go.work.sum themselves are
reported and written only when every module the workspace uses is selected.

The workspace is read by tidybot first (``bot.engine.gowork``, ``bot.engine.treefile``), so a
go.work that does not parse, uses a directory outside the checked root or without a go.mod,
or is a symlink, is refused with its file and line before go runs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from bot.engine.discover import find_workspaces, read_bytes, skip_dir_name
from bot.engine.findings import severity_of
from bot.engine.model import Finding
from bot.engine.treefile import (
    file_problem,
    local_replaces,
    local_target,
    read_tree_file,
    refusal,
    rel_inside,
)
from bot.errors import ParseError, UnsafeFile
from bot.fsutil import atomic_write, put_back, scratch_dir
from bot.record import record
from bot.toolchain import Go, GoProcess, explain_go_error

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from bot.engine.cachekey import GoFileFacts, ParseMemo
    from bot.engine.gomod import GoMod, Replace
    from bot.resultcache import ResultCache

__all__ = [
    "FINDING_ID",
    "Workspace",
    "WorkspaceCache",
    "WorkspaceCheck",
    "WorkspaceError",
    "WorkspaceModule",
    "check_workspace",
    "find_workspaces",
    "fix_workspace",
    "is_vendored_workspace",
    "read_workspace",
    "sync_key",
    "workspace_uses",
]

FINDING_ID = "work-sync"

WORKSPACE_KEY_VERSION = 1
"""Bumped whenever what goes into a workspace key (``_plan_key``) changes."""


class WorkspaceError(Exception):
    """The workspace could not be read or synced; the message is readable. ``uses``: the
    module directories go.work names, when it could be parsed (else ())."""

    def __init__(self, message: str, uses: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.uses = uses


def _join(d: str, name: str) -> str:
    return name if d == "." else f"{d}/{name}"


def _path(root: Path, rel: str) -> Path:
    return root if rel == "." else root / rel


@record
class Workspace:
    """A go.work as tidybot read it: every path checked to be inside the root."""

    gowork: str  # relative to the root
    dir: str  # the directory of go.work, relative to the root
    uses: tuple[str, ...]  # used module directories, relative to the root, in go.work order
    replaced: tuple[str, ...] = ()  # directories of local replacements (go.work and go.mods)
    paths: tuple[tuple[str, str], ...] = ()  # (module path, directory) of the used modules
    # (directory, the used or replaced module directories its go.mod replaces modules with)
    links: tuple[tuple[str, tuple[str, ...]], ...] = ()
    go: str | None = None  # go.work's go line, and where it is
    go_line: int | None = None
    overrides: bool = False  # go.work has a replace directive (of any kind)
    # (directory, the replace directives of its go.mod of modules that are not the workspace's,
    # each as "old [version] => new [version]", a local new path as its directory)
    replacing: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # (module path, the highest version a used module's go.mod requires it at), of the go.mod
    # files read whole (those with a replace directive; of the others only the module line)
    required: tuple[tuple[str, str], ...] = ()


def _module_files_problem(root: Path, d: str) -> str:
    for name in ("go.mod", "go.sum"):
        problem = file_problem(root, _join(d, name))
        if problem is not None:
            return str(problem.message)
    return ""


def _locate(root: Path, gowork: Path) -> tuple[Path, str | None]:
    """The resolved root, and go.work relative to it, without resolving go.work itself (a
    go.work that is a symlink must be refused, not followed to wherever it points)."""
    plain = Path(os.path.abspath(gowork))
    rel = rel_inside(Path(os.path.abspath(root)), plain)
    resolved = root.resolve()
    if rel is None:
        rel = rel_inside(resolved, plain)
    return resolved, rel


def read_workspace(root: Path, gowork: Path) -> Workspace:
    """Read and check a go.work below ``root``. Raises WorkspaceError (file:line: reason):
    a go.work that does not parse or is not a regular file; a ``use`` or local ``replace``
    outside ``root``, through a symlink, or of a directory without a regular go.mod."""
    from bot.engine.gomod import module_path_of
    from bot.engine.gowork import parse_gowork
    from bot.engine.semver import compare, is_valid

    root, rel_work = _locate(root, gowork)
    if rel_work is None:
        raise WorkspaceError("go.work: outside the checked directory")
    workdir = rel_work.rsplit("/", 1)[0] if "/" in rel_work else "."
    try:
        data = read_tree_file(root, rel_work)
        if data is None:
            raise WorkspaceError(f"{rel_work}: no such file")
        work = parse_gowork(data, rel_work).deduplicated()
        sum_problem = file_problem(root, _join(workdir, "go.work.sum"))
        if sum_problem is not None:
            raise sum_problem
    except (ParseError, UnsafeFile) as e:
        raise WorkspaceError(str(e)) from None
    targets_of = [local_target(root, workdir, u.path) for u in work.uses]
    named = tuple(d for d in targets_of if d is not None)
    problems: dict[str, str] = {}  # _module_files_problem by directory (many replace one)

    def module_files_problem(d: str) -> str:
        if d not in problems:
            problems[d] = _module_files_problem(root, d)
        return problems[d]

    uses: list[str] = []
    for u, d in zip(work.uses, targets_of, strict=True):
        where = f"{rel_work}:{u.line}: use {u.path}"
        if d is None:
            raise WorkspaceError(
                f"{where}: outside the checked directory; tidybot refuses a workspace that "
                "reaches outside the directory it checks (check from a directory that "
                "contains every used module)",
                named,
            )
        gomod = _path(root, d) / "go.mod"
        if not gomod.exists() and file_problem(root, _join(d, "go.mod")) is None:
            raise WorkspaceError(f"{where}: no go.mod in {d} (go: cannot load the module)", named)
        problem = module_files_problem(d)
        if problem:
            raise WorkspaceError(f"{where}: {problem}", named)
        if d not in uses:
            uses.append(d)
    vendor = _join(workdir, "vendor")
    if _path(root, vendor).is_symlink():  # go would read (and vendor into) what it leads to
        raise WorkspaceError(str(refusal(vendor, "is a symlink")), tuple(uses))
    replaced: list[str] = []
    sources: list[tuple[str, str, list[Replace]]] = [
        (rel_work, workdir, [r for r in work.replaces if r.is_local])
    ]
    paths: dict[str, str] = {}  # module path by used directory
    replaces: dict[str, tuple[Replace, ...]] = {}  # the replace directives by used directory
    required: dict[str, str] = {}  # the highest version a go.mod read whole requires, by path
    for d in uses:
        try:
            data = read_tree_file(root, _join(d, "go.mod")) or b""
        except UnsafeFile:
            continue  # the module's own check reports it; sync fails on it with go's words
        if b"=>" not in data:  # no replace directive: only the module line is needed
            paths[d] = module_path_of(data)
            continue
        mod = _parse(data, _join(d, "go.mod"))
        if mod is None:
            continue  # as above
        paths[d] = mod.module
        sources.append((_join(d, "go.mod"), d, [r for r in mod.replaces if r.is_local]))
        replaces[d] = mod.replaces
        for req in mod.requires:
            if is_valid(req.version) and compare(req.version, required.get(req.path, "")) > 0:
                required[req.path] = req.version
    targets: dict[str, list[str]] = {}
    for file, base, reps in sources:
        for r in reps:
            t = local_target(root, base, r.new_path)
            if t is None:
                raise WorkspaceError(
                    f"{file}:{r.line}: replace {r.old_path} => {r.new_path}: outside the "
                    "checked directory; tidybot refuses a workspace that reaches outside it",
                    tuple(uses),
                )
            problem = module_files_problem(t)
            if problem:
                raise WorkspaceError(
                    f"{file}:{r.line}: replace => {r.new_path}: {problem}", tuple(uses)
                )
            if t not in uses and t not in replaced and (_path(root, t) / "go.mod").is_file():
                replaced.append(t)
            targets.setdefault(base, []).append(t)
    dir_of = {m: d for d, m in paths.items() if m}
    replacing = tuple(
        (d, tuple(sorted(_replace_key(root, d, r) for r in reps if r.old_path not in dir_of)))
        for d, reps in sorted(replaces.items())
    )
    links = []
    for d in paths:
        linked = {t for t in targets.get(d, ()) if t in uses or t in replaced}
        linked.discard(d)
        links.append((d, tuple(sorted(linked))))
    return Workspace(
        rel_work,
        workdir,
        tuple(uses),
        tuple(replaced),
        tuple(sorted(dir_of.items())),
        tuple(links),
        work.go,
        work.go_line,
        bool(work.replaces),
        replacing,
        tuple(sorted(required.items())),
    )


def _replace_key(root: Path, d: str, r: Replace) -> str:
    """A replace directive of module ``d`` as "old [version] => new [version]", the same text
    for the same replacement in any module (a local new path as its root-relative directory)."""
    new = local_target(root, d, r.new_path) if r.is_local else f"{r.new_path} {r.new_version}"
    return f"{r.old_path} {r.old_version or ''} => {new}"


def _toolchain_problem(go: Go, ws: Workspace) -> str:
    """go.work's go line is newer than the gotoolchain policy can run: the message, naming the
    file and line, before go fails with its own words and no file ("" when it can run)."""
    from bot.engine.goenv import check_toolchain

    if go.policy is None or not ws.go:
        return ""
    where = f"{ws.gowork}:{ws.go_line}" if ws.go_line else ws.gowork
    problem = check_toolchain(
        go.policy, go.version(), ws.go, file=where, kind="workspace", how=go.how
    )
    return problem.message if problem else ""


def workspace_uses(go: Go, gowork: Path, root: Path | None = None) -> list[Path]:
    """The module directories go.work uses, resolved (read by tidybot, checked as
    :func:`read_workspace` does). ``go`` is not run; it stays for callers."""
    del go
    root = (root or gowork.parent).resolve()
    ws = read_workspace(root, gowork)
    return [_path(root, d) for d in ws.uses]


def is_vendored_workspace(workdir: Path) -> bool:
    mt = workdir / "vendor" / "modules.txt"
    if (workdir / "vendor").is_symlink() or not mt.is_file() or mt.is_symlink():
        return False
    with open(mt, "rb") as f:
        first = f.readline(64)
    return first.strip() == b"## workspace"


@record
class WorkspaceModule:
    dir: str  # relative to the checked root
    synced: bool  # go work sync writes its go.mod or go.sum
    changed_files: tuple[str, ...] = ()  # differ from the committed ones after sync + tidy
    diff: str = ""  # what go work sync writes to its go.mod (go's -diff layout), or ""

    @property
    def would_change(self) -> bool:
        """Whether the fix (sync, then ``GOWORK=off go mod tidy``) would change the module."""
        return bool(self.changed_files)


@record
class WorkspaceCheck:
    gowork: str  # relative to the checked root
    used: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    modules: tuple[WorkspaceModule, ...] = ()
    error: str = ""
    whole: bool = True  # every used module was selected (go.work itself is in scope)

    def module(self, module_dir: str) -> WorkspaceModule | None:
        return next((m for m in self.modules if m.dir == module_dir), None)


def _read(p: Path) -> bytes | None:
    return p.read_bytes() if p.is_file() and not p.is_symlink() else None


def _sum_lines(b: bytes | str | None) -> set[str]:
    text = b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")
    return {ln.strip() for ln in text.split("\n") if ln.strip()}


@functools.lru_cache(maxsize=64)
def _parse(data: bytes | None, file: str) -> GoMod | None:
    """A go.mod as ``parse_gomod`` reads it, None where it does not parse; remembered by
    content (immutable), as ``read_workspace`` and then the graph check read the selected
    module's go.mod (2.6 ms each time for etcd's server)."""
    from bot.engine.gomod import parse_gomod

    try:
        return parse_gomod(data or b"", file)
    except ParseError:
        return None


def _requirement_findings(
    module_dir: str, file: str, before: bytes | None, after: bytes | None, what: str
) -> list[Finding]:
    """One finding per requirement (and the go line) ``what`` changes in go.mod, at its line."""
    old, new = _parse(before, file), _parse(after, file)
    findings: list[Finding] = []

    def add(line: int | None, message: str, why: str) -> None:
        findings.append(
            Finding(module_dir, file, line, FINDING_ID, severity_of(FINDING_ID), message, why)
        )

    why = "the workspace selects this version; go work sync writes it to the module's go.mod"
    if old is None or new is None:
        add(None, f"{what} would rewrite go.mod", "run go work sync")
        return findings
    rb = {r.path: r for r in old.requires}
    ra = {r.path: r for r in new.requires}
    for path in sorted(set(rb) | set(ra)):
        a, b = rb.get(path), ra.get(path)
        if a and b and a.version != b.version:
            add(a.line, f"{what} would raise {path} {a.version} => {b.version}", why)
        elif b and not a:
            add(None, f"{what} would add require {path} {b.version}", why)
        elif a and not b:
            add(a.line, f"{what} would drop require {path}", why)
        elif a and b and a.indirect != b.indirect:
            mark = "// indirect" if b.indirect else "direct"
            add(a.line, f"{what} would mark {path} {mark}", why)
    if old.go != new.go:
        add(
            old.go_line,
            f"{what} would change the go line from {old.go or '(none)'} to {new.go}",
            "a module of the workspace needs the newer go version",
        )
    if not findings and before != after:
        add(None, f"{what} would rewrite go.mod", "run go work sync")
    return findings


# --- the scratch copy ------------------------------------------------------------------------


@record
class _Entry:
    """One thing of the scratch copy: ``rel`` (its path in the copy) made from ``src`` (a path
    of the tree) as ``kind`` says: ``copy`` (a module file), ``place`` (a Go file: go only
    reads it, so ``_make_copy`` names it in an overlay; ``_materialize`` hard-links it where
    the file system allows), ``link`` (a symlink to ``src``, a file or a directory inside the
    root) or ``tree`` (a vendor directory, copied whole)."""

    rel: str
    src: str
    kind: str


def _go_files(
    root: Path, rel_dir: str, plan: list[_Entry], refs: re.Pattern[bytes] | None
) -> set[str]:
    """The Go files of one directory of the tree into the plan. A symlinked Go file (etcd
    links test files across its modules) is linked to what it points at when that is inside
    ``root``, so go reads there what it reads in the tree; one pointing outside is left out.
    Returns the workspace import paths (``refs``) its files name in quotes."""
    src = _path(root, rel_dir)
    named: set[str] = set()
    if rel_inside(Path(os.path.realpath(root)), Path(os.path.realpath(src))) is None:
        return named  # through a link that leads out of the tree: go reads nothing there
    try:
        names = sorted(
            e.name
            for e in os.scandir(src)
            if e.name.endswith(".go") and not e.name.startswith((".", "_"))
        )
    except OSError:
        return named
    for f in names:
        file = f"{src}/{f}"
        rel = f if rel_dir == "." else f"{rel_dir}/{f}"
        if os.path.islink(file):
            target = _inside(root, file)
            if target is None or not os.path.isfile(target):
                continue
            plan.append(_Entry(rel, target, "link"))
            file = target
        elif os.path.isfile(file):
            plan.append(_Entry(rel, file, "place"))
        else:
            continue
        named |= _named(file, refs)
    return named


def _inside(root: Path, link: str) -> str | None:
    """What a symlink points at, when that is inside ``root``."""
    target = os.path.realpath(link)
    return target if rel_inside(Path(os.path.realpath(root)), Path(target)) is not None else None


def _work_files(root: Path, ws: Workspace) -> list[_Entry]:
    """go.work and go.work.sum of the workspace (regular files only), as entries of a plan."""
    plan: list[_Entry] = []
    for name in ("go.work", "go.work.sum"):
        src = _path(root, ws.dir) / name
        if src.is_file() and not src.is_symlink():
            plan.append(_Entry(_join(ws.dir, name), os.fspath(src), "copy"))
    return plan


def _module_files(root: Path, d: str, plan: list[_Entry]) -> None:
    """go.mod and go.sum of module ``d`` (regular files only) into the plan."""
    for name in ("go.mod", "go.sum"):
        src = _path(root, d) / name
        if src.is_file() and not src.is_symlink():
            plan.append(_Entry(_join(d, name), os.fspath(src), "copy"))


def _whole_module(
    root: Path, d: str, plan: list[_Entry], modules: Collection[str], refs: re.Pattern[bytes] | None
) -> set[str]:
    """go.mod, go.sum and the Go files of every package of module ``d`` (nested modules,
    vendor/, testdata/ and ``.``/``_`` directories left out, as go leaves them out) into the
    plan; a symlinked directory or Go file is linked to what it points at when that is inside
    ``root`` (see :func:`_go_files`). Returns the workspace import paths its Go files name in
    quotes: the packages it may import, untidy go.mod or not. One ``scandir`` per directory
    tells files, directories and links apart (the largest modules hold thousands of files)."""
    src_root = _path(root, d)
    named: set[str] = set()
    _module_files(root, d, plan)
    top = Path(os.path.realpath(root))
    if rel_inside(top, Path(os.path.realpath(src_root))) is None:
        return named  # through a link that leads out of the tree: go reads nothing there
    stack = [(os.fspath(src_root), d)]
    while stack:
        cur, rel_cur = stack.pop()
        try:
            with os.scandir(cur) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs: list[tuple[str, str]] = []
        for e in entries:
            name = e.name
            rel = name if rel_cur == "." else f"{rel_cur}/{name}"
            go_file = name.endswith(".go") and not name.startswith((".", "_"))
            try:
                if e.is_symlink():
                    target = _inside(root, e.path)
                    if target is None:
                        continue
                    if os.path.isdir(target):
                        if not (skip_dir_name(name) or rel in modules):
                            plan.append(_Entry(rel, target, "link"))
                    elif go_file and os.path.isfile(target):
                        plan.append(_Entry(rel, target, "link"))
                        named |= _named(target, refs)
                elif e.is_dir(follow_symlinks=False):
                    if skip_dir_name(name) or rel in modules:
                        continue
                    if not os.path.lexists(f"{e.path}/go.mod"):  # else a nested module
                        subdirs.append((e.path, rel))
                elif go_file and e.is_file(follow_symlinks=False):
                    plan.append(_Entry(rel, e.path, "place"))
                    named |= _named(e.path, refs)
            except OSError:
                continue
        stack.extend(reversed(subdirs))
    return named


def _named(file: str, refs: re.Pattern[bytes] | None) -> set[str]:
    """The workspace import paths a Go file names in quotes (none when it cannot be read)."""
    if refs is None:
        return set()
    try:
        return {m.decode() for m in refs.findall(read_bytes(file))}
    except OSError:
        return set()


def _package_dir(import_path: str, by_path: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(module directory, package directory) of an import path in a workspace module (the
    longest module path that contains it), both relative to the root; None outside, and None
    for a string no import path can be: an empty, ``.`` or ``..`` element (go's
    ``module.CheckImportPath``), which would climb out of the directory it names."""
    for path, d in by_path:
        if import_path == path or import_path.startswith(path + "/"):
            sub = import_path[len(path) + 1 :]
            if not sub:
                return d, d
            if any(e in ("", ".", "..") for e in sub.split("/")):
                return None
            return d, sub if d == "." else f"{d}/{sub}"
    return None


def _in_nested_module(root: Path, module_dir: str, pkg: str) -> bool:
    """Whether a directory between ``module_dir`` (excluded) and ``pkg`` (included) holds a
    go.mod: the package then belongs to another module, not to ``module_dir``'s."""
    parts = pkg.split("/")
    base = 0 if module_dir == "." else len(module_dir.split("/"))
    return any(
        os.path.lexists(f"{_path(root, '/'.join(parts[:i]))}/go.mod")
        for i in range(base + 1, len(parts) + 1)
    )


def _plan_workspace(root: Path, ws: Workspace, scope: Collection[str]) -> list[_Entry]:
    """What the scratch tree ``go work sync`` runs in holds (``_make_copy`` makes it).

    Every used and replaced module's go.mod and go.sum is there (the build list comes from
    all of them). The selected modules (``scope``) and the non-workspace modules they
    replace to come with every package; of the other workspace modules, only the packages
    the copied files can import (named in quotes, followed from package to package), with
    their tests, as go's "all" of a selected module holds them. go work sync loads the
    packages of every module that has any, so leaving out what the selected modules cannot
    reach makes a one-module check cost about one module's sync."""
    plan = _work_files(root, ws)
    modules = {*ws.uses, *ws.replaced}
    dir_of = dict(ws.paths)
    links = dict(ws.links)
    by_path = sorted(dir_of.items(), key=lambda pd: -len(pd[0]))
    refs = None
    if dir_of:
        alternatives = b"|".join(re.escape(p.encode()) for p, _ in by_path)
        refs = re.compile(b'"((?:' + alternatives + b')(?:/[^"\\s]*)?)"')
    whole_modules: set[str] = set()
    packages: set[str] = set()
    named: set[str] = set()
    queue = sorted(scope)
    while queue:  # every package of the selected modules and of what they replace to
        d = queue.pop()
        if d in whole_modules:
            continue
        whole_modules.add(d)
        named |= _whole_module(root, d, plan, modules, refs)
        queue.extend(t for t in links.get(d, ()) if t in ws.replaced and t not in whole_modules)
    pending = sorted(named)
    while pending:  # the workspace packages those name, and what these name in turn
        found = _package_dir(pending.pop(), by_path)
        if found is None:
            continue
        module_dir, pkg = found
        if module_dir in whole_modules or pkg in packages:
            continue
        packages.add(pkg)
        if os.path.isdir(_path(root, pkg)) and not _in_nested_module(root, module_dir, pkg):
            pending.extend(_go_files(root, pkg, plan, refs))
    for d in sorted(modules - whole_modules):
        _module_files(root, d, plan)
    if is_vendored_workspace(_path(root, ws.dir)):  # go reads the vendored packages
        plan.append(
            _Entry(_join(ws.dir, "vendor"), os.fspath(_path(root, ws.dir) / "vendor"), "tree")
        )
    return plan


def _materialize(plan: list[_Entry], dest: Path) -> None:
    """Make the scratch tree of ``plan`` under ``dest``: every entry inside it, none written
    through a link (the links the plan makes lead into the tree; what they hold is there
    already) and none over another. An entry whose path is not a clean relative one is
    skipped: the plan never makes one, and no tree may make it write elsewhere."""
    top = os.path.realpath(dest)
    os.makedirs(top, exist_ok=True)
    safe_dirs: set[str] = {top}  # directories of the copy known to be real ones, below top
    for e in sorted(plan, key=lambda e: (e.kind != "link", e.rel)):  # links first
        parts = e.rel.split("/")
        if e.rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            continue
        parent = top
        for name in parts[:-1]:
            nxt = f"{parent}/{name}"
            if nxt not in safe_dirs:
                try:
                    os.mkdir(nxt)  # never through a link: mkdir makes the last name itself
                except FileExistsError:
                    if os.path.islink(nxt) or not os.path.isdir(nxt):
                        break  # a link the plan made, or a file: nothing goes through it
                safe_dirs.add(nxt)
            parent = nxt
        else:
            out = f"{parent}/{parts[-1]}"
            if e.kind in ("copy", "tree") and os.path.lexists(out):
                continue  # (a hard link or a symlink is refused over anything by the call)
            with contextlib.suppress(FileExistsError):  # over nothing: the entry is skipped
                _place(e, out)


def _place(e: _Entry, out: str) -> None:
    """One entry of the copy at ``out``, never following a link there and never over anything
    there (FileExistsError, whatever is at ``out``: a file, a directory or a link)."""
    if e.kind == "copy":
        _copy_new(e.src, out)
    elif e.kind == "place":
        try:
            os.link(e.src, out)
        except FileExistsError:
            pass
        except OSError:
            _copy_new(e.src, out)
    elif e.kind == "link":
        os.symlink(e.src, out)
    else:
        # a link in the tree's vendor/ is not copied: go would read where it leads (a vendor
        # tree of go's making holds none, and the vendor check reports it)
        shutil.copytree(e.src, out, symlinks=True, ignore=_links_in)


def _links_in(directory: str, names: list[str]) -> set[str]:
    """``shutil.copytree``'s ``ignore``: the entries of ``directory`` that are links."""
    return {n for n in names if os.path.islink(os.path.join(directory, n))}


def _copy_new(src: str, out: str) -> None:
    """Copy ``src`` to a new file ``out``: refused if anything (a link too) is there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with open(src, "rb") as f, os.fdopen(os.open(out, flags, 0o644), "wb") as w:
        shutil.copyfileobj(f, w)


def _copy_workspace(
    root: Path, ws: Workspace, dest: Path, scope: Collection[str]
) -> tuple[Path, tuple[str, ...]]:
    """The scratch tree ``go work sync`` runs in (``_plan_workspace``, ``_make_copy``); returns
    its go.work and the flags that give go the Go files it reads there."""
    flags = _make_copy(_plan_workspace(root, ws, scope), dest)
    return _path(dest, ws.dir) / "go.work", flags


def _make_copy(plan: list[_Entry], dest: Path) -> tuple[str, ...]:
    """The scratch tree of ``plan`` under ``dest`` (an absolute path with no link in it), as go
    sees it: what go writes there (go.work, go.mod and go.sum), the links and the vendor
    trees are made (``_materialize``); the Go files it only reads are not. An overlay
    (``go -overlay``, written next to ``dest``) maps each of their paths in the copy to the
    tree's file: go reads them as if they were there, directories included, and nothing in
    the tree is written. On this machine's ext4 the fixture's one-module copy (40 Go files in
    29 directories) took 4 ms to make and 6.5 ms to remove; etcd's takes thousands of links.
    Returns the flags that give go the overlay (none when no Go file is read). A Go file
    below a link of the copy is left out, as ``_materialize`` leaves it out; a name that is
    not UTF-8 (which go's JSON would not read back) makes the copy the old way."""
    import json  # here: only a check that syncs needs it

    files = [e for e in plan if e.kind == "place"]
    linked = {e.rel for e in plan if e.kind == "link"}
    top = os.path.realpath(dest)
    read: dict[str, str] = {}
    for e in files:
        parts = e.rel.split("/")
        if e.rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            continue  # as _materialize: never a path outside the copy
        # below a link of the copy? Each directory of the path is looked up once: a tree may
        # hold thousands of links and files, and a test of each against each took seconds
        if linked and _below(parts, linked):
            continue
        read.setdefault(f"{top}/{e.rel}", os.path.abspath(e.src))  # go reads it from the copy
    try:
        text = json.dumps({"Replace": read}, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a file name that is not UTF-8
        _materialize(plan, dest)
        return ()
    _materialize([e for e in plan if e.kind != "place"], dest)
    if not read:
        return ()
    overlay = Path(top).parent / f"{Path(top).name}.overlay.json"
    overlay.write_bytes(text)
    return (f"-overlay={overlay}",)


def _below(parts: list[str], dirs: Collection[str]) -> bool:
    """Whether the path of ``parts`` lies below one of ``dirs`` (paths of the copy)."""
    prefix = parts[0]
    for part in parts[1:]:
        if prefix in dirs:
            return True
        prefix = f"{prefix}/{part}"
    return False


def _sync(
    go: Go,
    copy_work: Path,
    sync_env: Mapping[str, str] | None = None,
    flags: Sequence[str] = (),
) -> str:
    env = {**(sync_env or {}), "GOWORK": str(copy_work)}
    res = go.run(["work", "sync", *flags], copy_work.parent, extra_env=env)
    if not res.ok:
        return f"go work sync failed: {explain_go_error(res.stderr, go.gotoolchain, go.how)}"
    return ""


_GRAPH_ARGS_LIMIT = 64 * 1024
"""The most bytes of module paths the graph check names to go: far above a real go.sum's
(prometheus's root module: 299 modules, 10 KB), far below what a command line holds."""

_PRUNED_GO = "1.17"
"""The first go line with a pruned module graph; an older module's "all" closes over the tests
of its dependencies, so the graph check leaves it to the sync (a conservative guard: the
version comparison catches the case tests/integration/test_workspace_graph.py builds)."""


def _sync_keeps_scope(
    go: Go,
    root: Path,
    ws: Workspace,
    scope: Collection[str],
    dest: Path,
    sync_env: Mapping[str, str] | None = None,
) -> bool:
    """Whether ``go work sync`` leaves the go.mod of every module of ``scope`` as it is, told
    from the workspace's module graph (``go list -m``, which loads no package), for modules
    that are tidy on their own (the caller knows that from their own checks).

    go work sync loads each module's packages and their tests with the versions the
    workspace selects, and raises the module's requirements so that its own build selects
    those versions of the modules that provide them; it writes go.mod only when one is
    raised (it may rewrite go.sum all the same: the check reports go.mod changes, and the
    fix's tidy after the sync decides go.sum). A module that is tidy on its own keeps in
    go.sum the checksum of the zip of every module that provides a package go loads for
    it, tests of its dependencies included, at the version its own build selects. So when
    the workspace selects, for each of those, that very version, the sync loads the same
    packages from the same files and has nothing to raise. This holds only where the
    module builds the same packages in both: every workspace module it requires it
    replaces locally with that very directory (else on its own it builds a released copy),
    go.work replaces nothing, and no other module of the workspace replaces a module it does
    not replace the same way (go applies every workspace module's replace directives to the
    whole workspace). A module of the workspace's graph beside those (a nested
    module such as ``go.opentelemetry.io/otel/sdk/metric``) cannot take a package over at
    the same versions: a second module holding one makes its import ambiguous, which the
    sync skips. False (run the sync) whenever any of that is not so, the go line is older
    than graph pruning (go 1.17), or go fails."""
    from bot.engine.goenv import compare_go

    if ws.overrides:
        return False
    if len(ws.paths) != len(ws.uses):  # a go.mod tidybot could not read: go would read it
        return False
    dir_of = dict(ws.paths)
    replacing = dict(ws.replacing)
    for d in scope:  # another module's replace applies to every module in the workspace
        if any(not set(reps) <= set(replacing.get(d, ())) for reps in replacing.values()):
            return False
    own: dict[str, str] = {}  # module path -> the version the scope's own builds select
    for d in scope:
        mod = _parse(_read(_path(root, d) / "go.mod"), _join(d, "go.mod"))
        if mod is None or not mod.go or compare_go(mod.go, _PRUNED_GO) < 0:
            return False
        local = {
            r.old_path: (r.old_version, local_target(root, d, r.new_path))
            for r in mod.replaces
            if r.is_local
        }
        for r in mod.requires:
            if r.path in dir_of:
                old_version, target = local.get(r.path, (None, None))
                if target != dir_of[r.path] or old_version not in (None, r.version):
                    return False
        for path, version in _zip_sums(_read(_path(root, d) / "go.sum")).items():
            if path in dir_of:
                continue
            if not version or own.setdefault(path, version) != version:
                return False  # two versions in one go.sum, or in two modules of the scope
    if not own:
        return True  # no module outside the workspace provides a package
    if _required_higher(ws, own):
        return False  # the graph would say so: the sync runs without asking it first
    if not all(_module_path(path) for path in own):
        return False  # go.sum is the tree's: what is not a module path never reaches go's argv
    if sum(len(path) + 1 for path in own) > _GRAPH_ARGS_LIMIT:
        return False  # more than a command line holds: the sync decides
    cwork = _graph_work(root, ws, dest)
    if cwork is None:
        return False
    env = {**(sync_env or {}), "GOWORK": str(cwork)}
    args = ["list", "-m", "-f", "{{.Path}} {{.Version}}", "--", *sorted(own)]
    res = go.run(args, cwork.parent, extra_env=env)
    if not res.ok:
        return False
    selected = dict(line.partition(" ")[::2] for line in res.stdout.splitlines())
    return all(selected.get(path) == version for path, version in own.items())


def _required_higher(ws: Workspace, own: Mapping[str, str]) -> bool:
    """Whether a used module's go.mod requires a module at a higher version than the one a
    selected module's own build selects (``own``), of the go.mod files ``read_workspace``
    read whole (``Workspace.required``: those with a replace directive; this is a shortcut,
    and the others are left to the graph): every used module's requirements are roots
    of the workspace's build list, so the workspace selects that version or a higher one,
    never the selected module's, and ``go list -m`` need not be asked (50 ms on etcd). Were
    this ever wrong, the sync would run where the graph would have spared it: the findings
    are go's either way."""
    from bot.engine.semver import compare, is_valid

    required = dict(ws.required)
    return any(
        path in required and is_valid(version) and compare(required[path], version) > 0
        for path, version in own.items()
    )


def _graph_work(root: Path, ws: Workspace, dest: Path) -> Path | None:
    """A go.work in ``dest`` (a new directory) that uses the modules where they are in the
    tree (``with_uses_at``), and a copy of go.work.sum, for ``go list -m``: in workspace mode
    go writes no go.mod and no module's go.sum, only go.work.sum (``modload``
    ``commitRequirements``), so nothing is written in the tree, and the graph check needs no
    copy of each module's files (on ext4 here, a copy of eight modules' go.mod and go.sum
    took 6 ms to make and remove). The modules' go.mod and go.sum are regular files
    (``read_workspace``), as is what the copy holds. None: go.work did not read again."""
    from bot.engine.gowork import with_uses_at

    def where(path: str) -> str:
        d = local_target(root, ws.dir, path)
        if d is None:  # read_workspace refused such a go.work
            raise ValueError(path)
        return os.fspath(_path(root, d))

    try:
        text = with_uses_at(read_tree_file(root, ws.gowork) or b"", where, ws.gowork)
    except (ParseError, UnsafeFile, ValueError):
        return None
    dest.mkdir()
    cwork = dest / "go.work"
    cwork.write_text(text, encoding="utf-8", errors="surrogateescape")
    sums = _path(root, ws.dir) / "go.work.sum"
    if sums.is_file() and not sums.is_symlink():
        _copy_new(os.fspath(sums), os.fspath(dest / "go.work.sum"))
    return cwork


def _module_path(path: str) -> bool:
    """Whether ``path`` is a module path as go checks one (``module.CheckPath``): no leading
    dash (a flag), no ``@version`` (a query), no pattern, nothing go would read another way."""
    from bot.engine.modpath import check_path

    try:
        check_path(path)
    except ValueError:
        return False
    return "..." not in path


def _zip_sums(gosum: bytes | None) -> dict[str, str]:
    """The modules of a go.sum's lines for module zips (not ``/go.mod`` lines), by path; a
    path with lines for two versions maps to "" (a tidy go.sum holds the zip sums of the
    versions its module's build selects, one each)."""
    from bot.engine.gosum import parse_gosum

    out: dict[str, str] = {}
    for ln in parse_gosum((gosum or b"").decode("utf-8", "replace")).lines:
        if not ln.is_gomod:
            out[ln.path] = ln.version if out.get(ln.path, ln.version) == ln.version else ""
    return out


def _keep_scope(root: Path, copy: Path, ws: Workspace, scope: Collection[str]) -> None:
    """Put back, in the copy, the go.mod and go.sum the sync wrote for modules outside the
    scope: the fix leaves those alone, so what the selected modules' tidy sees afterwards
    (through a go.mod they replace locally) is what it sees after the scoped fix."""
    for d in {*ws.uses, *ws.replaced} - set(scope):
        for name in ("go.mod", "go.sum"):
            src, dest = _path(root, d) / name, _path(copy, d) / name
            original = _read(src)
            if original is None:
                dest.unlink(missing_ok=True)
            elif _read(dest) != original:
                dest.write_bytes(original)


_LOOKS_UP = "go: finding module for package "
"""What go prints before it asks the module proxy which module provides a package that no
module of the build list has (``modload.queryImport``): the answer ("latest") depends on the
day, not on the files."""


def _tidy_all(
    go: Go, copy: Path, waves: list[list[str]], jobs: int, flags: Sequence[str] = ()
) -> tuple[dict[str, str], bool]:
    """``GOWORK=off go mod tidy`` in the copy, wave after wave, the modules of a wave ``jobs``
    at a time: the errors by directory (the waves after a failed one are not run), and
    whether any tidy looked up a module for a package no module provides (``_LOOKS_UP``)."""
    errors: dict[str, str] = {}
    looked_up = False
    for wave in waves:
        procs: list[tuple[str, GoProcess]] = []
        pending = list(wave)
        while pending or procs:
            while pending and len(procs) < max(1, jobs):
                d = pending.pop(0)
                procs.append((d, go.start(["mod", "tidy", *flags], _path(copy, d))))
            d, proc = procs.pop(0)
            res = proc.wait()
            looked_up = looked_up or _LOOKS_UP in res.stderr
            if not res.ok:
                errors[d] = explain_go_error(res.stderr, go.gotoolchain, go.how)
        if errors:
            break
    return errors, looked_up


def _tidy_waves(
    root: Path, scope: Collection[str], changed_mods: set[str], tidy_after: bool
) -> list[list[str]]:
    """The modules to tidy in the copy after the sync, in waves, a module's local replace
    targets in an earlier wave (as the fix tidies them): those whose go.mod the sync changed
    (with ``tidy_after``), those that replace such a module locally, and the changed modules
    those replace, whose tidied go.mod the dependents then read."""
    from bot.engine.affected import ModuleNode, fix_waves

    targets = {d: [t for t in local_replaces(root, d) if t in scope] for d in scope}
    want = {
        d
        for d in scope
        if (tidy_after and d in changed_mods) or any(t in changed_mods for t in targets[d])
    }
    queue = list(want)
    while queue:
        for t in targets[queue.pop()]:
            if t in changed_mods and t not in want:
                want.add(t)
                queue.append(t)
    nodes = [ModuleNode(d, tuple(t for t in targets[d] if t in want)) for d in sorted(want)]
    return fix_waves(nodes)


def _changed_modules(root: Path, copy: Path, dirs: Collection[str]) -> set[str]:
    return {d for d in dirs if _read(_path(root, d) / "go.mod") != _read(_path(copy, d) / "go.mod")}


_KEY_FILES = ("go.mod", "go.sum", "go.work", "go.work.sum")


def _key_line(rel: str, name: str, data: bytes, memo: ParseMemo) -> str:
    from bot.engine.cachekey import digest

    if name.endswith(".go"):
        counted, package, imports = memo.go_file(data)
        return f"go {rel} {int(counted)} {package} {' '.join(imports)}"
    return f"file {rel} {digest(data)}"


def _plan_key(root: Path, plan: list[_Entry], head: Collection[str], memo: ParseMemo) -> str | None:
    """The result-cache key of a ``go work sync`` in the copy ``plan`` makes: ``head`` (the
    Go version, tidybot's, the environment, the scope) and what go reads there. go.work,
    go.work.sum and every go.mod and go.sum by their bytes; a Go file by what loading packages
    takes from it (whether go loads it, its package clause, its imports:
    ``bot.engine.cachekey``), so editing a function body keeps the key and adding an import
    changes it. A linked directory is read through the link, as go reads it to import a
    package there. The copy is the whole input of the sync, so an equal key means an equal
    sync. None when a file cannot be read, for a vendored workspace, or when a linked
    directory holds a link that leads out of ``root`` (nothing is cached then, and the walk
    never goes through the rest of the file system)."""
    from bot.engine.cachekey import digest

    top = Path(os.path.realpath(root))
    lines: list[tuple[str, str]] = []
    seen: set[str] = set()
    try:
        for e in sorted(plan, key=lambda e: e.rel):
            if e.kind == "tree":
                return None
            if e.kind != "link" or not os.path.isdir(e.src):
                name = e.rel.rsplit("/", 1)[-1]
                lines.append((e.rel, _key_line(e.rel, name, read_bytes(e.src), memo)))
                continue
            for cur, dirs, files in os.walk(e.src, followlinks=True):
                real = os.path.realpath(cur)
                if rel_inside(top, Path(real)) is None:
                    return None
                if real in seen:  # a symlink cycle, or a directory reached twice
                    dirs[:] = []
                    continue
                seen.add(real)
                dirs.sort()
                sub = os.path.relpath(cur, e.src).replace(os.sep, "/")
                base = e.rel if sub == "." else f"{e.rel}/{sub}"
                for name in sorted(files):
                    if name.endswith(".go") or name in _KEY_FILES:
                        rel = f"{base}/{name}"
                        lines.append((rel, _key_line(rel, name, read_bytes(f"{cur}/{name}"), memo)))
    except OSError:
        return None
    lines.sort()
    text = "\n".join(
        [f"tidybot-workspace-key {WORKSPACE_KEY_VERSION}", *head, *(t for _, t in lines)]
    )
    return digest(text.encode("utf-8", errors="surrogateescape"))


def sync_key(
    root: Path,
    gowork: Path,
    scope: Collection[str],
    head: Collection[str],
    known: Mapping[str, GoFileFacts] | None = None,
) -> str | None:
    """The result-cache key of the ``go work sync`` check of ``scope`` (``_plan_key``), made
    from the tree without copying it; ``known``: Go file facts by content digest, parsed
    before (``bot.engine.cachekey.ParseMemo``). Raises WorkspaceError for a go.work that
    cannot be read."""
    from bot.engine.cachekey import ParseMemo

    ws = read_workspace(root, gowork)
    memo = ParseMemo(go_files=dict(known or {}))
    return _plan_key(root, _plan_workspace(root, ws, scope), head, memo)


class WorkspaceCache:
    """Where a workspace check keeps its results: ``bot.resultcache.ResultCache``
    (entries filed under the go.work's path instead of a module directory), with the key's
    head for this run (``bot.engine.cachekey.KeyContext.lines``) and a parse memo of its own,
    started from ``known`` (Go file facts parsed before, by content digest; the memo takes
    the dict as its own)."""

    def __init__(
        self,
        results: ResultCache,
        head: Collection[str],
        known: dict[str, GoFileFacts] | None = None,
    ) -> None:
        from bot.engine.cachekey import ParseMemo

        self.results = results
        self.head = tuple(head)
        self.memo = ParseMemo(go_files={} if known is None else known)


def check_workspace(
    go: Go,
    root: Path,
    gowork: Path,
    *,
    tidy_after: bool = True,
    selected: Collection[str] | None = None,
    own_tidy: Mapping[str, tuple[str, str]]
    | Callable[[], Mapping[str, tuple[str, str]]]
    | None = None,
    jobs: int = 1,
    sync_env: Mapping[str, str] | None = None,
    cache: WorkspaceCache | None = None,
    clean_alone: Callable[[], Collection[str]] | None = None,
) -> WorkspaceCheck:
    """What ``go work sync`` (+ the per-module tidy) would change, computed in a scratch copy.
    ``tidy_after=False``: no tidy after the sync of a module whose go.mod the sync changes (its
    ``changed_files`` are then the sync's alone).

    ``selected``: the module directories in scope (None: all); ``own_tidy``: the go.mod and
    go.sum ``go mod tidy`` writes for a module that is not tidy on its own (by directory),
    so that only what the workspace adds is reported here. It may be a function, called
    once the sync is done: the runner checks the modules while the workspace syncs.
    ``sync_env``: more environment for ``go work sync`` (the runner gives it every CPU).
    ``cache``: the result cache; a check is stored under the key of the copy
    (``_plan_key``), and a copy with a stored key is not synced again (a vendored workspace
    is always checked in full, as a vendored module is). A check that finds nothing is
    always stored; one that finds drift only when that follows from the copy's files alone:
    ``tidy_after=False``, the selected modules tidy on their own (``clean_alone``), and no
    tidy after the sync looked up a module for a missing import (``_LOOKS_UP``), since the
    module proxy's answer to that depends on the day.
    ``clean_alone``: called once the modules' own checks are done, the directories that are
    tidy on their own. Given it, a check of some of the modules (not the whole workspace,
    ``tidy_after=False``) first asks go for the workspace's module graph alone: when that
    shows the sync can change none of the selected modules (``_sync_keeps_scope``) and they
    are tidy on their own, the check finds nothing without running the sync."""
    root, rel = _locate(root, gowork)
    rel_work = rel or "go.work"
    gowork = _path(root, rel_work)
    try:
        ws = read_workspace(root, gowork)
    except WorkspaceError as e:
        return WorkspaceCheck(rel_work, e.uses, error=str(e))
    too_new = _toolchain_problem(go, ws)
    if too_new:
        return WorkspaceCheck(rel_work, ws.uses, error=too_new)
    scope = [d for d in ws.uses if selected is None or d in selected]
    whole = len(scope) == len(ws.uses)
    if not scope:
        return WorkspaceCheck(rel_work, ws.uses, whole=False)
    findings: list[Finding] = []
    modules: list[WorkspaceModule] = []
    with scratch_dir("tidybot-work-") as tmp:
        copy = Path(os.path.realpath(tmp)) / "tree"  # as _make_copy's overlay names it
        plan = None
        key = None
        nothing = tuple(WorkspaceModule(d, False) for d in scope)
        if cache is not None:
            plan = _plan_workspace(root, ws, scope)
            head = (*cache.head, f"scope {' '.join(sorted(scope))}", f"tidy-after {tidy_after}")
            key = _plan_key(root, plan, head, cache.memo)
            found = None
            if key is not None:
                found = cache.results.get_workspace(key, rel_work, lambda d: _from_stored(d, scope))
            if found is not None:
                return WorkspaceCheck(rel_work, ws.uses, *found, whole=whole)
        if (
            clean_alone is not None
            and not whole
            and not tidy_after
            and not is_vendored_workspace(gowork.parent)
            and _sync_keeps_scope(go, root, ws, scope, tmp / "graph", sync_env)
            and set(scope) <= set(clean_alone())
        ):
            _store_clean(cache, key, rel_work, go)
            return WorkspaceCheck(rel_work, ws.uses, (), nothing, whole=whole)
        if plan is None:
            plan = _plan_workspace(root, ws, scope)
        flags = _make_copy(plan, copy)
        cwork = _path(copy, ws.dir) / "go.work"
        err = _sync(go, cwork, sync_env, flags)
        if err:
            return WorkspaceCheck(rel_work, ws.uses, error=err, whole=whole)
        _keep_scope(root, copy, ws, scope)
        changed_mods = _changed_modules(root, copy, ws.uses)
        # a module whose go.mod the sync changes has its findings from that change (as the
        # sync wrote it); its tidy after the sync only tells which files the fix would write
        # (``tidy_after``). One whose go.mod stays may still move: through a go.mod it
        # replaces locally, tidied first as the fix tidies it first.
        after_sync = {d: _read(_path(copy, d) / "go.mod") for d in scope}
        synced_sums = {d: _read(_path(copy, d) / "go.sum") for d in scope}
        waves = _tidy_waves(root, scope, changed_mods, tidy_after)
        to_tidy = {d for wave in waves for d in wave}
        errors, looked_up = _tidy_all(go, copy, waves, jobs, flags)
        if errors:
            d = sorted(errors)[0]
            return WorkspaceCheck(rel_work, ws.uses, error=f"{d}: {errors[d]}", whole=whole)
        own = (own_tidy() if callable(own_tidy) else own_tidy) or {}
        for d in scope:
            orig, synced = _path(root, d), _path(copy, d)
            gomod_rel = _join(d, "go.mod")
            fs: list[Finding] = []
            diff = ""
            if d in changed_mods:
                from bot.engine.udiff import unified  # difflib: only when there is a change

                before = _read(orig / "go.mod")
                fs = _requirement_findings(d, gomod_rel, before, after_sync[d], "go work sync")
                diff = unified(
                    "go.mod",
                    (before or b"").decode("utf-8", "replace"),
                    (after_sync[d] or b"").decode("utf-8", "replace"),
                    to="synced",
                )
            final = tuple(
                _join(d, n) for n in ("go.mod", "go.sum") if _read(orig / n) != _read(synced / n)
            )
            if d in to_tidy and d not in changed_mods:
                fs = _follow_on_findings(d, orig, synced, own.get(d))
            findings.extend(fs)
            synced_files = d in changed_mods or synced_sums[d] != _read(orig / "go.sum")
            modules.append(WorkspaceModule(d, synced_files, final, diff))
        if whole:
            findings.extend(_work_file_findings(gowork, cwork, ws.dir))
    quiet = not findings and not to_tidy and not any(m.synced or m.changed_files for m in modules)
    if quiet:
        _store_clean(cache, key, rel_work, go)
    elif (
        cache is not None
        and key is not None
        and not tidy_after
        and not looked_up
        and clean_alone is not None
        and set(scope) <= set(clean_alone())
    ):
        # what was found follows from the files of the key alone: the sync resolves no
        # missing import, no tidy after it looked one up, and the modules' own go.mod and
        # go.sum are what their tidy writes (the findings compare with those)
        cache.results.put_workspace(key, rel_work, _to_stored(findings, modules), go.version())
    if whole and is_vendored_workspace(gowork.parent):
        from bot.vendoring import check_vendoring  # a vendored workspace only

        vc = check_vendoring(
            go,
            root,
            ws.dir,
            workspace=True,
            extra_env={"GOWORK": str(gowork)},
            replaced=ws.replaced,
        )
        if vc.error:
            return WorkspaceCheck(
                rel_work, ws.uses, tuple(findings), tuple(modules), vc.error, whole
            )
        findings.extend(vc.findings)
    return WorkspaceCheck(rel_work, ws.uses, tuple(findings), tuple(modules), whole=whole)


def _to_stored(
    findings: Sequence[Finding], modules: Sequence[WorkspaceModule]
) -> dict[str, object]:
    """A check that found drift, as the result cache stores it (``_from_stored`` reads it)."""
    return {
        "findings": [
            [f.module_dir, f.file, f.line, f.id, str(f.severity), f.message, f.why]
            for f in findings
        ],
        "modules": [[m.dir, m.synced, list(m.changed_files), m.diff] for m in modules],
    }


def _from_stored(
    doc: Mapping[str, object], scope: Sequence[str]
) -> tuple[tuple[Finding, ...], tuple[WorkspaceModule, ...]] | None:
    """The findings and modules of a stored check (``_to_stored``; ``{}``: one that found
    nothing), or None when any part is not what tidybot writes (the entry is not believed)."""
    from bot.engine.model import Severity

    if not doc:
        return (), tuple(WorkspaceModule(d, False) for d in scope)
    fs, ms = doc.get("findings"), doc.get("modules")
    if not isinstance(fs, list) or not isinstance(ms, list) or len(ms) != len(scope):
        return None
    findings: list[Finding] = []
    modules: list[WorkspaceModule] = []
    try:
        for f in fs:
            d, file, line, fid, sev, message, why = f
            if not all(isinstance(x, str) for x in (d, file, fid, message, why)) or not (
                line is None or (isinstance(line, int) and not isinstance(line, bool))
            ):
                return None
            findings.append(Finding(d, file, line, fid, Severity(sev), message, why))
        for m, d in zip(ms, scope, strict=True):
            mdir, synced, changed, diff = m
            if (
                mdir != d
                or not isinstance(synced, bool)
                or not isinstance(changed, list)
                or not all(isinstance(x, str) for x in changed)
                or not isinstance(diff, str)
            ):
                return None
            modules.append(WorkspaceModule(mdir, synced, tuple(changed), diff))
    except (TypeError, ValueError):  # not a list of the right length, an unknown severity
        return None
    return tuple(findings), tuple(modules)


def _store_clean(cache: WorkspaceCache | None, key: str | None, rel_work: str, go: Go) -> None:
    """Remember a workspace check that found nothing under its key (a rerun is not synced)."""
    if key is not None and cache is not None:
        cache.results.put_workspace(key, rel_work, {}, go.version())


def _follow_on_findings(
    d: str, orig: Path, synced: Path, own_tidy: tuple[str, str] | None
) -> list[Finding]:
    """go.mod kept by the sync, but the tidy after it differs from the module's own tidy: the
    sync moved other workspace modules' requirements, and this module's build list with them.
    Only real changes count: a go.sum with the same lines in another order is no finding."""
    out: list[Finding] = []
    if own_tidy is not None:
        mod_before: bytes | None = own_tidy[0].encode("utf-8")
        sum_before: bytes | None = own_tidy[1].encode("utf-8")
    else:
        mod_before, sum_before = _read(orig / "go.mod"), _read(orig / "go.sum")
    mod_after = _read(synced / "go.mod")
    if mod_before != mod_after:
        out += [
            f
            for f in _requirement_findings(
                d, _join(d, "go.mod"), mod_before, mod_after, "go work sync and tidy"
            )
            if "would rewrite" not in f.message  # layout only: the module's own check
        ]
    before, after = _sum_lines(sum_before), _sum_lines(_read(synced / "go.sum"))
    added, removed = len(after - before), len(before - after)
    if added or removed:
        out.append(
            Finding(
                d,
                _join(d, "go.sum"),
                None,
                FINDING_ID,
                severity_of(FINDING_ID),
                f"go work sync and tidy would change go.sum: {added} lines added, "
                f"{removed} removed",
                "requirements of other workspace modules move, and this module's build list "
                "with them",
            )
        )
    return out


def _work_file_findings(gowork: Path, synced_work: Path, workdir_rel: str) -> list[Finding]:
    out: list[Finding] = []
    before, after = _read(gowork), _read(synced_work)
    rel_work = _join(workdir_rel, "go.work")
    if before != after:
        old = re.search(rb"(?m)^go\s+(\S+)", before or b"")
        new = re.search(rb"(?m)^go\s+(\S+)", after or b"")
        line = None
        if old:
            line = (before or b"")[: old.start()].count(b"\n") + 1
        if old and new and old.group(1) != new.group(1):
            msg = (
                f"go work sync would change the go line from {old.group(1).decode()} "
                f"to {new.group(1).decode()}"
            )
        else:
            msg = "go work sync would rewrite go.work"
        out.append(
            Finding(
                workdir_rel,
                rel_work,
                line,
                FINDING_ID,
                severity_of(FINDING_ID),
                msg,
                "run go work sync",
            )
        )
    sb, sa = (
        _sum_lines(_read(gowork.parent / "go.work.sum")),
        _sum_lines(_read(synced_work.parent / "go.work.sum")),
    )
    if sb != sa:
        added, removed = len(sa - sb), len(sb - sa)
        out.append(
            Finding(
                workdir_rel,
                _join(workdir_rel, "go.work.sum"),
                None,
                FINDING_ID,
                severity_of(FINDING_ID),
                f"go work sync would change go.work.sum: {added} lines added, {removed} removed",
                "checksums the workspace needs that no used module's go.sum holds",
            )
        )
    return out


def fix_workspace(
    go: Go,
    root: Path,
    gowork: Path,
    *,
    selected: Collection[str] | None = None,
    jobs: int = 1,
    sync_env: Mapping[str, str] | None = None,
) -> tuple[list[str], str, tuple[Finding, ...]]:
    """``go work sync`` then ``GOWORK=off go mod tidy`` of each module it changed, both in a
    scratch copy; then the changed go.mod/go.sum of the selected modules (and go.work and
    go.work.sum when every used module is selected) are written into the tree, and a
    vendored workspace is re-vendored. go never writes the tree itself, so nothing outside
    ``root`` is ever written; a failure restores every file already written.

    Returns (files changed relative to ``root``, error or "", what the sync and the tidy after
    it changed in the selected modules: the ``work-sync`` findings a check reports, now
    fixed)."""
    root, rel = _locate(root, gowork)
    gowork = _path(root, rel or "go.work")
    try:
        ws = read_workspace(root, gowork)
    except WorkspaceError as e:
        return [], str(e), ()
    too_new = _toolchain_problem(go, ws)
    if too_new:
        return [], too_new, ()
    scope = [d for d in ws.uses if selected is None or d in selected]
    whole = len(scope) == len(ws.uses)
    if not scope:
        return [], "", ()
    plan: dict[str, bytes] = {}
    fixed: list[Finding] = []
    with scratch_dir("tidybot-work-") as tmp:
        copy = Path(os.path.realpath(tmp)) / "tree"  # as _make_copy's overlay names it
        cwork, flags = _copy_workspace(root, ws, copy, scope)
        err = _sync(go, cwork, sync_env, flags)
        if err:
            return [], err, ()
        _keep_scope(root, copy, ws, scope)
        changed_mods = _changed_modules(root, copy, ws.uses)
        for d in scope:
            if d in changed_mods:
                gomod_rel = _join(d, "go.mod")
                after = _read(_path(copy, gomod_rel))
                before = _read(_path(root, gomod_rel))
                fixed += _requirement_findings(d, gomod_rel, before, after, "go work sync")
        waves = _tidy_waves(root, scope, changed_mods, tidy_after=True)
        errors, _ = _tidy_all(go, copy, waves, jobs, flags)
        if errors:
            d = sorted(errors)[0]
            return [], f"{d}: {errors[d]}", ()
        for d in sorted({d for wave in waves for d in wave} - changed_mods):
            # its go.mod kept, but its tidy moved with the modules it replaces: as the check
            # reports it (its own drift, if any, is fixed here too)
            fixed += _follow_on_findings(d, _path(root, d), _path(copy, d), None)
        names = [_join(d, n) for d in scope for n in ("go.mod", "go.sum")]
        if whole:
            names += [_join(ws.dir, "go.work"), _join(ws.dir, "go.work.sum")]
        for rel in names:
            new = _read(_path(copy, rel))
            if new is not None and new != _read(_path(root, rel)):
                plan[rel] = new
    originals = {rel: _read(_path(root, rel)) for rel in plan}
    try:
        written = write_files(root, plan)
    except (OSError, UnsafeFile) as e:
        return [], f"could not write the synced files: {e}", ()
    changed = sorted(written)
    if whole and is_vendored_workspace(gowork.parent):
        from bot.vendoring import fix_vendoring  # a vendored workspace only

        done = False
        try:
            vchanged, verr = fix_vendoring(
                go,
                root,
                ws.dir,
                workspace=True,
                extra_env={"GOWORK": str(gowork)},
                replaced=ws.replaced,
            )
            done = not verr
        finally:  # an error or an interrupt: the vendor tree stays as it was, and so do the
            if not done:  # files the sync wrote
                put_back(root, originals)
        if verr:
            return [], verr, ()
        changed += vchanged
    return changed, "", tuple(fixed)


def write_files(root: Path, plan: Mapping[str, bytes]) -> list[str]:
    """Write ``plan`` (root-relative path -> bytes) atomically, each path checked again to be
    a regular file (or absent) inside ``root``; all or nothing: a failure puts back every file
    written so far, then raises."""
    originals: dict[str, bytes | None] = {}
    done = False
    try:
        for rel, data in sorted(plan.items()):
            problem = file_problem(root, rel)
            if problem is not None:
                raise problem
            originals[rel] = read_tree_file(root, rel)
            atomic_write(_path(root, rel), data)
        done = True
    finally:
        if not done:
            put_back(root, originals)
    return sorted(plan)
