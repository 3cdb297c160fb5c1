"""Vendored modules: would ``go mod vendor`` change the vendor tree? And the re-vendoring fix.

The check never writes the user's tree: ``go mod vendor -o <scratch>/vendor`` builds the tree
go would write in a private temporary directory, which is compared file by file with the
committed ``vendor/``. Before that, the pure consistency check of ``vendor/modules.txt``
against go.mod (``bot.engine.vendor``) reports what ``go build`` would call
``inconsistent vendoring``, with go's own wording and no network.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bot.engine.discover import is_vendored
from bot.engine.model import Finding, Severity
from bot.engine.vendor import (
    FINDING_ID,
    Replace,
    Require,
    VendorProblem,
    check_vendor,
    parse_modules_txt,
    vendor_findings,
)
from bot.record import field, record
from bot.toolchain import Go, explain_go_error

__all__ = [
    "TreeDiff",
    "VendorCheck",
    "check_vendoring",
    "consistency_problems",
    "diff_trees",
    "fix_vendoring",
    "is_vendored",
    "scratch_dir",
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


def _files(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not root.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "symlink:" + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def diff_trees(committed: Path, expected: Path) -> TreeDiff:
    """Compare two directory trees by relative path and content."""
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


def _mod_json(go: Go, module_path: Path) -> dict[str, object]:
    res = go.run(["mod", "edit", "-json"], module_path)
    if not res.ok:
        raise ValueError(explain_go_error(res.stderr, go.gotoolchain))
    data = json.loads(res.stdout)
    assert isinstance(data, dict)
    return data


def _line_of(lines: list[str], *tokens: str) -> int | None:
    for n, line in enumerate(lines, start=1):
        words = re.split(r"[\s()]+", line.split("//", 1)[0])
        if all(t in words for t in tokens if t):
            return n
    return None


def consistency_problems(go: Go, module_path: Path) -> list[VendorProblem]:
    """The modules.txt-vs-go.mod problems ``go build`` would report (go.mod read by go itself)."""
    mt_path = module_path / "vendor" / "modules.txt"
    mt = parse_modules_txt(mt_path.read_text(encoding="utf-8"), "vendor/modules.txt")
    data = _mod_json(go, module_path)
    lines = (module_path / "go.mod").read_text(encoding="utf-8").split("\n")
    requires = []
    for r in _list(data.get("Require")):
        path, version = str(r["Path"]), str(r["Version"])
        requires.append(Require(path, version, _line_of(lines, path, version)))
    replaces = []
    for rp in _list(data.get("Replace")):
        old, new = _dict(rp.get("Old")), _dict(rp.get("New"))
        op, ov = str(old.get("Path", "")), str(old.get("Version", ""))
        np_, nv = str(new.get("Path", "")), str(new.get("Version", ""))
        replaces.append(Replace(op, ov, np_, nv, _line_of(lines, op, ov, "=>", np_)))
    module = _dict(data.get("Module"))
    go_line = data.get("Go")
    return check_vendor(
        mt,
        requires,
        replaces,
        go_version=str(go_line) if go_line else None,
        main_modules=[str(module.get("Path", ""))],
    )


def _list(v: object) -> list[dict[str, object]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _dict(v: object) -> dict[str, object]:
    return v if isinstance(v, dict) else {}


@contextlib.contextmanager
def scratch_dir(prefix: str = "tidybot-") -> Iterator[Path]:
    """A private (0700) temporary directory, removed afterwards."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _snapshot(paths: list[Path]) -> dict[Path, bytes | None]:
    return {p: (p.read_bytes() if p.is_file() else None) for p in paths}


def check_vendoring(
    go: Go,
    root: Path,
    module_dir: str,
    *,
    workspace: bool = False,
    extra_env: dict[str, str] | None = None,
) -> VendorCheck:
    """Check the vendor tree of one module (or of a workspace with ``workspace=True``).

    ``module_dir`` is relative to ``root`` ("." for the root). For a workspace it is the
    directory of go.work, and ``extra_env`` must carry its ``GOWORK``.
    """
    path = root / module_dir if module_dir not in ("", ".") else root
    problems: list[VendorProblem] = []
    if not workspace:
        try:
            problems = consistency_problems(go, path)
        except ValueError as e:
            return VendorCheck(module_dir, error=str(e))
    findings = vendor_findings(module_dir, problems, workspace=workspace)
    guard = [path / "go.mod", path / "go.sum", path / "go.work", path / "go.work.sum"]
    before = _snapshot(guard)
    sub = ["work", "vendor"] if workspace else ["mod", "vendor"]
    with scratch_dir("tidybot-vendor-") as tmp:
        out = tmp / "vendor"
        res = go.run([*sub, "-o", str(out)], path, extra_env=extra_env)
        if _snapshot(guard) != before:  # go must not have written the user's files
            for p, data in before.items():
                if data is not None:
                    p.write_bytes(data)
        if not res.ok:
            if "no dependencies to vendor" in res.stderr:
                diff = diff_trees(path / "vendor", out)
            else:
                err = explain_go_error(res.stderr, go.gotoolchain)
                return VendorCheck(module_dir, tuple(findings), tuple(problems), error=err)
        else:
            diff = diff_trees(path / "vendor", out)
    rel_mt = "vendor/modules.txt" if module_dir in ("", ".") else f"{module_dir}/vendor/modules.txt"
    others = [p for p in diff.paths() if p != "modules.txt"]
    if others or (not problems and not diff.empty):
        cmd = " ".join(["go", *sub])
        sample = ", ".join(f"vendor/{p}" for p in diff.paths()[:3])
        more = "" if len(diff.paths()) <= 3 else f" and {len(diff.paths()) - 3} more"
        findings.append(
            Finding(
                module_dir=module_dir or ".",
                file=rel_mt,
                line=None,
                id=FINDING_ID,
                severity=Severity.ERROR,
                message=(
                    f"{cmd} would change the vendor tree: {len(diff.added)} added, "
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
) -> tuple[list[str], str]:
    """Re-vendor (after tidying). Returns (changed paths relative to root, error or "")."""
    path = root / module_dir if module_dir not in ("", ".") else root
    before = _files(path / "vendor")
    sub = ["work", "vendor"] if workspace else ["mod", "vendor"]
    res = go.run(sub, path, extra_env=extra_env)
    if not res.ok and "no dependencies to vendor" not in res.stderr:
        return [], explain_go_error(res.stderr, go.gotoolchain)
    after = _files(path / "vendor")
    prefix = "" if module_dir in ("", ".") else f"{module_dir}/"
    changed = sorted(
        f"{prefix}vendor/{k}" for k in set(before) | set(after) if before.get(k) != after.get(k)
    )
    return changed, ""
