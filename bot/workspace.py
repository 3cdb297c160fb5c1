"""go.work workspaces: would ``go work sync`` change a used module? And the sync-then-tidy fix.

``go work sync`` writes every used module's go.mod (raising requirements to the versions the
workspace selects) and the workspace's go.work / go.work.sum. The check runs it in a scratch
copy of the checked tree, never in the user's tree, and turns each change into a
``work-sync`` finding at the line it concerns. Because sync leaves go.sum untidy
(reference §5.7), the scratch copy is then tidied per module with ``GOWORK=off go mod tidy``;
a module whose go.mod/go.sum then differ from the committed ones is one the fix would change.

The fix is ``go work sync`` followed by ``GOWORK=off go mod tidy`` in each used module, and
``go work vendor`` when the workspace is vendored.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from bot.engine.discover import find_workspaces
from bot.engine.findings import severity_of
from bot.engine.model import Finding
from bot.record import record
from bot.toolchain import Go, explain_go_error
from bot.vendoring import check_vendoring, fix_vendoring, scratch_dir

__all__ = [
    "FINDING_ID",
    "WorkspaceCheck",
    "WorkspaceModule",
    "check_workspace",
    "find_workspaces",
    "fix_workspace",
    "is_vendored_workspace",
    "workspace_uses",
]

FINDING_ID = "work-sync"


class WorkspaceError(Exception):
    """The workspace could not be read or synced; the message is readable."""


def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix() or "."


def _join(d: str, name: str) -> str:
    return name if d == "." else f"{d}/{name}"


def workspace_uses(go: Go, gowork: Path) -> list[Path]:
    """The module directories go.work uses, resolved (read by ``go work edit -json``)."""
    res = go.run(["work", "edit", "-json"], gowork.parent, extra_env={"GOWORK": str(gowork)})
    if not res.ok:
        raise WorkspaceError(explain_go_error(res.stderr, go.gotoolchain))
    data = json.loads(res.stdout)
    uses = data.get("Use") or []
    return [(gowork.parent / str(u["DiskPath"])).resolve() for u in uses]


def is_vendored_workspace(workdir: Path) -> bool:
    mt = workdir / "vendor" / "modules.txt"
    if not mt.is_file():
        return False
    first = mt.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.strip() == "## workspace"


@record
class WorkspaceModule:
    dir: str  # relative to the checked root
    synced: bool  # go work sync writes its go.mod or go.sum
    changed_files: tuple[str, ...] = ()  # differ from the committed ones after sync + tidy

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

    def module(self, module_dir: str) -> WorkspaceModule | None:
        return next((m for m in self.modules if m.dir == module_dir), None)


def _mod_json(go: Go, module_path: Path) -> dict[str, object]:
    res = go.run(["mod", "edit", "-json"], module_path)
    if not res.ok:
        raise WorkspaceError(explain_go_error(res.stderr, go.gotoolchain))
    data = json.loads(res.stdout)
    return data if isinstance(data, dict) else {}


def _requires(data: dict[str, object]) -> dict[str, tuple[str, bool]]:
    reqs = data.get("Require")
    out: dict[str, tuple[str, bool]] = {}
    if isinstance(reqs, list):
        for r in reqs:
            if isinstance(r, dict):
                out[str(r["Path"])] = (str(r["Version"]), bool(r.get("Indirect")))
    return out


def _line_of(lines: list[str], *tokens: str) -> int | None:
    for n, line in enumerate(lines, start=1):
        words = re.split(r"[\s()]+", line.split("//", 1)[0])
        if all(t in words for t in tokens):
            return n
    return None


def _read(p: Path) -> bytes | None:
    return p.read_bytes() if p.is_file() else None


def _sum_lines(b: bytes | None) -> set[str]:
    return {ln for ln in (b or b"").decode("utf-8", "replace").split("\n") if ln.strip()}


def _module_findings(
    go: Go, orig: Path, synced: Path, module_dir: str
) -> tuple[list[Finding], bool]:
    before_b, after_b = _read(orig / "go.mod"), _read(synced / "go.mod")
    changed = before_b != after_b or _read(orig / "go.sum") != _read(synced / "go.sum")
    if before_b == after_b:
        return [], changed
    gomod_rel = _join(module_dir, "go.mod")
    lines = (before_b or b"").decode("utf-8", "replace").split("\n")
    before, after = _mod_json(go, orig), _mod_json(go, synced)
    rb, ra = _requires(before), _requires(after)
    findings: list[Finding] = []

    def add(line: int | None, message: str, why: str) -> None:
        findings.append(
            Finding(module_dir, gomod_rel, line, FINDING_ID, severity_of(FINDING_ID), message, why)
        )

    why = "the workspace selects this version; go work sync writes it to the module's go.mod"
    for path in sorted(set(rb) | set(ra)):
        old, new = rb.get(path), ra.get(path)
        if old and new and old[0] != new[0]:
            add(
                _line_of(lines, path, old[0]),
                f"go work sync would raise {path} {old[0]} => {new[0]}",
                why,
            )
        elif new and not old:
            add(None, f"go work sync would add require {path} {new[0]}", why)
        elif old and not new:
            add(_line_of(lines, path, old[0]), f"go work sync would drop require {path}", why)
        elif old and new and old[1] != new[1]:
            mark = "// indirect" if new[1] else "direct"
            add(_line_of(lines, path, old[0]), f"go work sync would mark {path} {mark}", why)
    gb, ga = before.get("Go"), after.get("Go")
    if gb != ga:
        add(
            _line_of(lines, "go", str(gb)) if gb else None,
            f"go work sync would change the go line from {gb or '(none)'} to {ga}",
            "a module of the workspace needs the newer go version",
        )
    if not findings:
        add(None, "go work sync would rewrite go.mod", "run go work sync")
    return findings, changed


def _copy_tree(root: Path, dest: Path) -> None:
    shutil.copytree(
        root,
        dest,
        symlinks=True,
        ignore=shutil.ignore_patterns(".git"),
    )


def check_workspace(go: Go, root: Path, gowork: Path, *, tidy_after: bool = True) -> WorkspaceCheck:
    """Run ``go work sync`` (+ per-module tidy) in a scratch copy and report what would change."""
    root = root.resolve()
    gowork = gowork.resolve()
    rel_work = _rel(root, gowork)
    try:
        uses = workspace_uses(go, gowork)
    except WorkspaceError as e:
        return WorkspaceCheck(rel_work, error=str(e))
    outside = [u for u in uses if not u.is_relative_to(root)]
    if outside:
        return WorkspaceCheck(
            rel_work,
            error=(
                f"{rel_work}: uses {outside[0]}, outside the checked directory {root}; "
                "check from a directory that contains every used module"
            ),
        )
    used = tuple(_rel(root, u) for u in uses)
    workdir_rel = _rel(root, gowork.parent)
    findings: list[Finding] = []
    modules: list[WorkspaceModule] = []
    with scratch_dir("tidybot-work-") as tmp:
        copy = tmp / "tree"
        _copy_tree(root, copy)
        cwork = copy / rel_work
        res = go.run(["work", "sync"], cwork.parent, extra_env={"GOWORK": str(cwork)})
        if not res.ok:
            err = explain_go_error(res.stderr, go.gotoolchain)
            return WorkspaceCheck(rel_work, used, error=f"go work sync failed: {err}")
        for d in used:
            orig, synced = root / d, copy / d
            try:
                fs, changed = _module_findings(go, orig, synced, d)
            except WorkspaceError as e:
                return WorkspaceCheck(rel_work, used, error=str(e))
            findings.extend(fs)
            final: tuple[str, ...] = ()
            if tidy_after:
                t = go.run(["mod", "tidy"], synced)
                if not t.ok:
                    err = explain_go_error(t.stderr, go.gotoolchain)
                    return WorkspaceCheck(rel_work, used, error=f"{d}: {err}")
                final = tuple(
                    _join(d, n)
                    for n in ("go.mod", "go.sum")
                    if _read(orig / n) != _read(synced / n)
                )
            if final and not fs:
                findings.append(_follow_on_finding(orig, synced, d, final))
            modules.append(WorkspaceModule(d, changed, final))
        findings.extend(_work_file_findings(gowork, cwork, workdir_rel))
    if is_vendored_workspace(gowork.parent):
        vc = check_vendoring(
            go, root, workdir_rel, workspace=True, extra_env={"GOWORK": str(gowork)}
        )
        if vc.error:
            return WorkspaceCheck(rel_work, used, tuple(findings), tuple(modules), vc.error)
        findings.extend(vc.findings)
    return WorkspaceCheck(rel_work, used, tuple(findings), tuple(modules))


def _follow_on_finding(
    orig: Path, synced: Path, module_dir: str, final: tuple[str, ...]
) -> Finding:
    """go.mod kept, go.sum changed: the sync moved other workspace modules' requirements."""
    before, after = _sum_lines(_read(orig / "go.sum")), _sum_lines(_read(synced / "go.sum"))
    added, removed = len(after - before), len(before - after)
    return Finding(
        module_dir,
        final[0],
        None,
        FINDING_ID,
        severity_of(FINDING_ID),
        f"go work sync and tidy would change go.sum: {added} lines added, {removed} removed",
        "requirements of other workspace modules move, and this module's build list with them",
    )


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


def fix_workspace(go: Go, root: Path, gowork: Path) -> tuple[list[str], str]:
    """``go work sync``, then ``GOWORK=off go mod tidy`` per used module, then re-vendor.

    Returns (files changed relative to ``root``, error or "").
    """
    root = root.resolve()
    gowork = gowork.resolve()
    try:
        uses = workspace_uses(go, gowork)
    except WorkspaceError as e:
        return [], str(e)
    watch = [gowork, gowork.parent / "go.work.sum"]
    for u in uses:
        watch += [u / "go.mod", u / "go.sum"]
    before = {p: _read(p) for p in watch}
    env = {"GOWORK": str(gowork)}
    res = go.run(["work", "sync"], gowork.parent, extra_env=env)
    if not res.ok:
        return [], f"go work sync failed: {explain_go_error(res.stderr, go.gotoolchain)}"
    for u in uses:
        t = go.run(["mod", "tidy"], u)
        if not t.ok:
            return _changed(root, before), f"{_rel(root, u)}: {explain_go_error(t.stderr, '')}"
    changed = _changed(root, before)
    if is_vendored_workspace(gowork.parent):
        vchanged, err = fix_vendoring(
            go, root, _rel(root, gowork.parent), workspace=True, extra_env=env
        )
        changed += vchanged
        if err:
            return changed, err
    return changed, ""


def _changed(root: Path, before: dict[Path, bytes | None]) -> list[str]:
    return sorted(_rel(root, p) for p, data in before.items() if _read(p) != data)
