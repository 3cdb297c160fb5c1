"""Vendored modules: would ``go mod vendor`` change the vendor tree? And the re-vendoring fix.

The check never writes the user's tree: ``go mod vendor -o <scratch>/vendor`` builds the tree
go would write in a private temporary directory, which is compared file by file with the
committed ``vendor/``. Before that, the pure consistency check of ``vendor/modules.txt``
against go.mod (``bot.engine.vendor``) reports what ``go build`` would call
``inconsistent vendoring``, with go's own wording and no network.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.engine.discover import is_vendored
from bot.engine.model import Finding, Severity
from bot.engine.treefile import local_replaces, read_tree_file, rel_inside
from bot.engine.vendor import (
    FINDING_ID,
    Replace,
    Require,
    VendorProblem,
    check_vendor,
    parse_modules_txt,
    vendor_findings,
)
from bot.errors import ParseError, UnsafeFile
from bot.fsutil import atomic_write, scratch_dir
from bot.record import field, record
from bot.toolchain import Go, GoResult, explain_go_error

__all__ = [
    "TreeDiff",
    "VendorCheck",
    "check_vendoring",
    "consistency_problems",
    "diff_trees",
    "fix_vendoring",
    "is_vendored",
]


@record
class TreeDiff:
    added: tuple[str, ...] = ()  # in the tree go would write, not committed
    removed: tuple[str, ...] = ()  # committed, go would not write it
    changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def paths(self) -> list[str]:
        return sorted({*self.added, *self.removed, *self.changed})


class UnreadableTree(Exception):
    """A file or directory of a vendor tree that cannot be read: its path, and why."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: cannot read ({why})")
        self.path = path
        self.why = why

    def under(self, root: Path) -> str:
        """The message with the path relative to ``root``."""
        return f"{os.path.relpath(self.path, root)}: cannot read ({self.why})"


def _files(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not root.is_dir():
        return out

    def refuse(e: OSError) -> None:
        raise UnreadableTree(str(e.filename), e.strerror or str(e))

    for dirpath, dirnames, filenames in os.walk(root, onerror=refuse):
        dirnames.sort()
        for name in filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            try:
                if p.is_symlink():
                    out[rel] = "symlink:" + os.readlink(p)
                elif p.is_file():
                    out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError as e:
                raise UnreadableTree(str(p), e.strerror or str(e)) from None
    return out


def diff_trees(committed: Path, expected: Path) -> TreeDiff:
    """Compare two directory trees by relative path and content. Raises UnreadableTree."""
    a, b = _files(committed), _files(expected)
    return TreeDiff(
        added=tuple(sorted(set(b) - set(a))),
        removed=tuple(sorted(set(a) - set(b))),
        changed=tuple(sorted(k for k in set(a) & set(b) if a[k] != b[k])),
    )


@record
class VendorCheck:
    module_dir: str
    findings: tuple[Finding, ...] = ()
    problems: tuple[VendorProblem, ...] = ()  # the modules.txt consistency problems
    diff: TreeDiff = field(default_factory=TreeDiff)
    error: str = ""  # go could not build the vendor tree (readable)

    @property
    def drifted(self) -> bool:
        return bool(self.findings)


def _line_of(lines: list[str], *tokens: str) -> int | None:
    for n, line in enumerate(lines, start=1):
        words = re.split(r"[\s()]+", line.split("//", 1)[0])
        if all(t in words for t in tokens if t):
            return n
    return None


def _text(root: Path, rel: str) -> str:
    """A go.mod or modules.txt of the tree, read safely (``bot.engine.treefile``)."""
    data = read_tree_file(root, rel)
    return "" if data is None else data.decode("utf-8", "replace")


def consistency_problems(
    go: Go, module_path: Path, root: Path | None = None
) -> list[VendorProblem]:
    """The modules.txt-vs-go.mod problems ``go build`` would report. go.mod is read by the
    engine's port of go's parser (the same requirements, replacements and versions ``go mod
    edit -json`` gives, without starting go). Raises ParseError or UnsafeFile."""
    del go  # kept in the signature for callers; nothing here runs go
    root = module_path if root is None else root
    prefix = os.path.relpath(module_path, root).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    mt = parse_modules_txt(_text(root, f"{prefix}vendor/modules.txt"), "vendor/modules.txt")
    from bot.engine.gomod import parse_gomod

    text = _text(root, f"{prefix}go.mod")
    mod = parse_gomod(text, f"{prefix}go.mod")
    lines = text.split("\n")
    requires = [
        Require(r.path, r.version, _line_of(lines, r.path, r.version)) for r in mod.requires
    ]
    replaces = []
    for rp in mod.replaces:
        op, ov = rp.old_path, rp.old_version or ""
        np_, nv = rp.new_path, rp.new_version or ""
        replaces.append(Replace(op, ov, np_, nv, _line_of(lines, op, ov, "=>", np_)))
    return check_vendor(mt, requires, replaces, go_version=mod.go, main_modules=[mod.module])


def _vendored_from_tree(
    root: Path, module_dir: str, replaced: Sequence[str] | None = None
) -> list[Path]:
    """The directories of the tree go vendors packages from: the modules a local ``replace``
    of the module's go.mod names, or ``replaced`` (root-relative; a workspace's, which
    ``bot.workspace`` knows). go never vendors a main module's own packages, and a module from
    the proxy holds no symlink. A replace naming a directory outside ``root`` is not among
    them: the check allows it, a fix refuses it (``bot.runner``)."""
    dirs = local_replaces(root, module_dir) if replaced is None else replaced
    return [root / d if d != "." else root for d in dirs]


def link_out_of(root: Path, dirs: Iterable[Path]) -> str | None:
    """The first file or directory below ``dirs`` (links followed, each directory once) that is
    outside ``root`` once its links are resolved: root-relative as found, or None. ``go mod
    vendor`` copies every file of a vendored package through the links it meets, so a
    replaced module holding such a link would put what it points at (another checkout, a
    secret of the runner) into vendor/, and from there into a fix commit or a patch."""
    top = Path(os.path.realpath(root))
    seen: set[str] = set()

    def outside(p: str) -> bool:
        return rel_inside(top, Path(os.path.realpath(p))) is None

    for d in dirs:
        if not os.path.isdir(d) or rel_inside(Path(root), d) is None:
            continue  # a replace that names a directory outside: the check allows it, a fix not
        if outside(os.fspath(d)):  # inside by its name, outside through a link on the way
            return os.path.relpath(d, root)
        for cur, subdirs, files in os.walk(d, followlinks=True):
            real = os.path.realpath(cur)
            if real in seen:
                subdirs[:] = []
                continue
            seen.add(real)
            for name in [*subdirs, *files]:
                p = os.path.join(cur, name)
                if os.path.islink(p) and outside(p):
                    return os.path.relpath(p, root)
    return None


def _links_out_problem(root: Path, module_dir: str, replaced: Sequence[str] | None) -> str:
    found = link_out_of(root, _vendored_from_tree(root, module_dir, replaced))
    if found is None:
        return ""
    return (
        f"{found}: a symbolic link to outside the checked directory, in a module go vendors "
        "from; tidybot does not run go mod vendor through it (go would copy what it points at "
        "into vendor/): remove the link"
    )


def _snapshot(paths: list[Path]) -> dict[Path, bytes | None]:
    return {p: (p.read_bytes() if p.is_file() and not p.is_symlink() else None) for p in paths}


_UPDATES_NEEDED = "updates to go.mod needed"


def _tidy_texts(go: Go, path: Path) -> tuple[str, str] | None:
    """The go.mod and go.sum ``go mod tidy`` would write, from ``go mod tidy -diff`` (None
    when go fails or its diff cannot be applied)."""
    from bot.engine.udiff import DiffError, apply, split_diff

    res = go.run(["mod", "tidy", "-diff"], path)
    if res.returncode == 0 or not res.stdout.strip():
        return None
    mod = (path / "go.mod").read_text(encoding="utf-8")
    gosum = path / "go.sum"
    cur_sum = gosum.read_text(encoding="utf-8") if gosum.is_file() else ""
    diffs = split_diff(res.stdout)
    try:
        from bot.engine.modfile import format_syntax, parse_syntax

        tidy_mod = (
            apply(format_syntax(parse_syntax(mod, "go.mod")), diffs["go.mod"])
            if ("go.mod" in diffs)
            else mod
        )
        tidy_sum = apply(cur_sum, diffs["go.sum"]) if "go.sum" in diffs else cur_sum
    except (DiffError, ParseError):
        return None
    return tidy_mod, tidy_sum


def check_vendoring(
    go: Go,
    root: Path,
    module_dir: str,
    *,
    workspace: bool = False,
    extra_env: dict[str, str] | None = None,
    tidy: tuple[str, str] | None = None,
    replaced: Sequence[str] | None = None,
) -> VendorCheck:
    """Check the vendor tree of one module (or of a workspace with ``workspace=True``).

    ``module_dir`` is relative to ``root`` ("." for the root). For a workspace it is the
    directory of go.work, ``extra_env`` must carry its ``GOWORK``, and ``replaced`` names the
    directories of the modules it replaces locally (``bot.workspace.Workspace.replaced``):
    go vendors from them, so a link out of the root there is refused (``link_out_of``).

    ``tidy``: the go.mod and go.sum ``go mod tidy`` would write, for a module that is not
    tidy. ``go mod vendor`` refuses such a module ("updates to go.mod needed"), so the tree
    is then built from the tidy files (``-modfile`` in the scratch directory): the vendor
    tree the fix (tidy, then re-vendor) leaves. Without them, a module that needs updates
    gets them from ``go mod tidy -diff`` here.
    """
    path = root / module_dir if module_dir not in ("", ".") else root
    refused = _links_out_problem(root, module_dir, replaced if workspace else None)
    if refused:
        return VendorCheck(module_dir, error=refused)
    problems: list[VendorProblem] = []
    if not workspace:
        try:
            problems = consistency_problems(go, path, root)
        except (ParseError, UnsafeFile) as e:
            return VendorCheck(module_dir, error=str(e))
    findings = vendor_findings(module_dir, problems, workspace=workspace)
    guard = [path / "go.mod", path / "go.sum", path / "go.work", path / "go.work.sum"]
    before = _snapshot(guard)
    sub = ["work", "vendor"] if workspace else ["mod", "vendor"]
    with scratch_dir("tidybot-vendor-") as tmp:
        out = tmp / "vendor"

        def vendor(texts: tuple[str, str] | None) -> GoResult:
            args = [*sub, "-o", str(out)]
            if texts is not None:
                (tmp / "tidy.mod").write_text(texts[0], encoding="utf-8")
                (tmp / "tidy.sum").write_text(texts[1], encoding="utf-8")
                args.insert(2, f"-modfile={tmp / 'tidy.mod'}")
            return go.run(args, path, extra_env=extra_env)

        res = vendor(None if workspace else tidy)
        if not res.ok and _UPDATES_NEEDED in res.stderr and not workspace and tidy is None:
            texts = _tidy_texts(go, path)
            if texts is not None:
                res = vendor(texts)
        if _snapshot(guard) != before:  # go must not have written the user's files
            for p, data in before.items():
                if data is not None:
                    atomic_write(p, data)
        if not res.ok and "no dependencies to vendor" not in res.stderr:
            err = explain_go_error(res.stderr, go.gotoolchain, go.how)
            return VendorCheck(module_dir, tuple(findings), tuple(problems), error=err)
        try:
            diff = diff_trees(path / "vendor", out)
        except UnreadableTree as e:
            error = e.under(root)
            return VendorCheck(module_dir, tuple(findings), tuple(problems), error=error)
    rel_mt = "vendor/modules.txt" if module_dir in ("", ".") else f"{module_dir}/vendor/modules.txt"
    others = [p for p in diff.paths() if p != "modules.txt"]
    if others or (not problems and not diff.empty):
        cmd = " ".join(["go", *sub])
        sample = ", ".join(f"vendor/{p}" for p in diff.paths()[:3])
        more = "" if len(diff.paths()) <= 3 else f" and {len(diff.paths()) - 3} more"
        after = " after go mod tidy" if tidy is not None else ""
        findings.append(
            Finding(
                module_dir=module_dir or ".",
                file=rel_mt,
                line=None,
                id=FINDING_ID,
                severity=Severity.ERROR,
                message=(
                    f"{cmd} would change the vendor tree{after}: {len(diff.added)} added, "
                    f"{len(diff.removed)} removed, {len(diff.changed)} changed"
                ),
                why=f"{sample}{more}; run {cmd}",
            )
        )
    return VendorCheck(module_dir, tuple(findings), tuple(problems), diff)


def fix_vendoring(
    go: Go,
    root: Path,
    module_dir: str,
    *,
    workspace: bool = False,
    extra_env: dict[str, str] | None = None,
    replaced: Sequence[str] | None = None,
) -> tuple[list[str], str]:
    """Re-vendor (after tidying). Returns (changed paths relative to root, error or "").
    ``replaced``: as for :func:`check_vendoring`.

    go writes the new tree next to the old one (``-o`` into a ``.``-directory of the module,
    which go and tidybot skip), and only a complete tree replaces ``vendor/``, by two renames:
    a go that fails midway leaves the committed tree as it was."""
    path = root / module_dir if module_dir not in ("", ".") else root
    refused = _links_out_problem(root, module_dir, replaced if workspace else None)
    if refused:
        return [], refused
    vendor = path / "vendor"
    if vendor.is_symlink():
        rel = "vendor" if module_dir in ("", ".") else f"{module_dir}/vendor"
        return [], f"{rel} is a symlink; tidybot does not write through symlinks"
    sub = ["work", "vendor"] if workspace else ["mod", "vendor"]
    tag = os.urandom(6).hex()
    new, old = path / f".tidybot-vendor-new-{tag}", path / f".tidybot-vendor-old-{tag}"
    try:
        res = go.run([*sub, "-o", str(new)], path, extra_env=extra_env)
        if not res.ok and "no dependencies to vendor" not in res.stderr:
            return [], explain_go_error(res.stderr, go.gotoolchain, go.how)
        try:
            diff = diff_trees(vendor, new)
        except UnreadableTree as e:
            return [], e.under(root)
        if diff.empty:
            return [], ""
        if vendor.exists():
            os.rename(vendor, old)
        if new.exists():
            try:
                os.rename(new, vendor)
            except BaseException:
                if old.exists():
                    os.rename(old, vendor)
                raise
    finally:
        shutil.rmtree(new, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    prefix = "" if module_dir in ("", ".") else f"{module_dir}/"
    return [f"{prefix}vendor/{k}" for k in diff.paths()], ""
