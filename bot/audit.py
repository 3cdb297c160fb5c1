"""Repository audit: check, verify and the workspace/vendor checks over one checkout, and the
dashboard issue and fix pull request that keep the result visible between pull requests.

* :func:`audit` runs every check over a checkout of the default branch and returns one
  :class:`~bot.engine.model.Report` (command ``audit``): module results from ``bot.runner``
  with the ``go work sync`` and ``go mod vendor`` findings merged into the module they concern,
  the checksum database findings (``bot.verify``) as report-level findings, and the summary of
  each part in ``report.extra["audit"]``.
* :func:`sync_dashboard` keeps exactly one open issue labelled ``tidybot``: created when
  something is found, edited in place, closed with a last comment when all is clean, and the
  closed one reopened when drift returns.
* :func:`sync_fix_pull` keeps one fix pull request from tidybot's own branch ``tidybot/tidy``:
  opened when a fix exists, rebuilt on the default branch when the fix changes (the only
  branch tidybot ever force-updates), closed when the drift is gone.
* :func:`run_audit` is the action's ``audit`` mode (``schedule`` / ``workflow_dispatch``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from bot import __version__
from bot.engine.discover import skip_dir_name
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.errors import ConfigError, ExitCode, TidybotError
from bot.forge.port import Forge, PullRequest, marker_for
from bot.record import field, record, replace
from bot.report.markdown import MarkdownRenderer
from bot.runner import RunOptions, check, fix, make_go
from bot.toolchain import Go
from bot.vendoring import check_vendoring, fix_vendoring, is_vendored, scratch_dir
from bot.workspace import check_workspace, find_workspaces, fix_workspace, is_vendored_workspace

if TYPE_CHECKING:
    from bot.action import Action, Outcome
    from bot.modes import Decision

#: The label of the dashboard issue (one per repository).
DASHBOARD_LABEL = "tidybot"
#: Hidden marker in the dashboard issue's body.
DASHBOARD_MARKER = marker_for("dashboard")
#: tidybot's own branch for the fix pull request: the only branch it ever force-updates.
FIX_BRANCH = "tidybot/tidy"
#: Trailer of the fix commit: the fingerprint of the files it writes.
FIX_TRAILER = "Tidybot-Audit-Fix"
#: GitHub refuses issue and pull request bodies over 65536 characters.
BODY_LIMIT = 65_000

_FIXABLE_NAMES = frozenset({"go.mod", "go.sum", "go.work", "go.work.sum"})


# --- the audit ---------------------------------------------------------------------------------


@record
class AuditOptions:
    run: RunOptions = field(default_factory=RunOptions)
    verify: bool = True  # check every go.sum line against the checksum database
    workspaces: bool = True  # go work sync for every go.work
    vendor: bool = True  # go mod vendor for every vendored module
    jobs: int = 2  # parallel lookups of the verifier


def audit(root: Path, options: AuditOptions) -> Report:
    """Every check over the checkout at ``root``. Raises ``UsageError`` when it has no go.mod."""
    start = time.monotonic()
    report = check(root, options.run)
    root = root.resolve()
    go = make_go(options.run)
    modules = {m.dir: m for m in report.modules}
    loose: list[Finding] = []
    errors: list[str] = []
    parts: dict[str, object] = {"modules": len(report.modules)}

    if options.vendor:
        vendored = [
            d
            for d, m in modules.items()
            if m.status in (Status.CLEAN, Status.DRIFTED) and is_vendored(_module_path(root, d))
        ]
        for d in vendored:
            vc = check_vendoring(go, root, d)
            if vc.error:
                errors.append(f"{_join(d, 'vendor')}: go mod vendor failed: {vc.error}")
            _merge(modules, loose, vc.findings)
        parts["vendored_modules"] = len(vendored)

    if options.workspaces:
        works = find_workspaces(root)
        for gowork in works:
            wc = check_workspace(go, root, gowork)
            if wc.error:
                errors.append(wc.error)
            _merge(modules, loose, wc.findings)
        parts["workspaces"] = len(works)

    verify_json: dict[str, object] | None = None
    if options.verify:
        from bot.verify.command import run_verify  # httpx only when verifying

        try:
            outcome = run_verify(root, env=go.env, cache_check=False, jobs=max(1, options.jobs))
        except TidybotError as e:
            errors.append(f"verify: {e.message}")
        else:
            loose.extend(outcome.findings)
            verify_json = {
                "database": outcome.database,
                "lines": outcome.lines,
                "verified": outcome.verified,
                "errors": outcome.errors,
                "warnings": outcome.warnings,
            }
    parts["verify"] = verify_json
    parts["errors"] = errors
    return Report(
        root=report.root,
        command="audit",
        modules=tuple(modules[m.dir] for m in report.modules),
        go_version=report.go_version,
        tool_version=__version__,
        findings=tuple(_dedupe([*report.findings, *loose])),
        duration=time.monotonic() - start,
        extra={**report.extra, "audit": parts},
    )


def _module_path(root: Path, module_dir: str) -> Path:
    return root if module_dir in ("", ".") else root / module_dir


def _join(d: str, name: str) -> str:
    return name if d in ("", ".") else f"{d}/{name}"


def _merge(
    modules: dict[str, ModuleResult], loose: list[Finding], found: tuple[Finding, ...]
) -> None:
    """Findings of one module join its result (a clean module becomes drifted)."""
    for f in found:
        m = modules.get(f.module_dir)
        if m is None or m.status in (Status.ERROR, Status.SKIPPED):
            loose.append(f)
            continue
        if f in m.findings:
            continue
        modules[f.module_dir] = replace(m, status=Status.DRIFTED, findings=(*m.findings, f))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def audit_errors(report: Report) -> list[str]:
    """The parts of the audit that could not run (workspace sync, vendoring, verify)."""
    parts = report.extra.get("audit")
    errors = parts.get("errors") if isinstance(parts, Mapping) else None
    return [str(e) for e in errors] if isinstance(errors, list) else []


def needs_attention(report: Report) -> bool:
    """Something to show on the dashboard: drift, an error, or a verify/config problem."""
    if any(m.status in (Status.DRIFTED, Status.ERROR) for m in report.modules):
        return True
    if any(f.severity in (Severity.ERROR, Severity.WARNING) for f in report.findings):
        return True
    return bool(audit_errors(report))


def exit_code(report: Report) -> ExitCode:
    if any(m.status is Status.ERROR for m in report.modules) or audit_errors(report):
        return ExitCode.ERROR
    return ExitCode.DRIFT if needs_attention(report) else ExitCode.CLEAN


# --- the fix, as data --------------------------------------------------------------------------


def _tree_files(root: Path) -> dict[str, bytes]:
    """go.mod, go.sum, go.work, go.work.sum and vendor/ files below ``root``, by path."""
    out: dict[str, bytes] = {}
    for cur, dirs, files in os.walk(root):
        here = Path(cur)
        in_vendor = "vendor" in here.relative_to(root).parts
        dirs[:] = sorted(d for d in dirs if d == "vendor" or in_vendor or not skip_dir_name(d))
        for name in files:
            if in_vendor or name in _FIXABLE_NAMES:
                p = here / name
                out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def plan_fix_files(root: Path, options: AuditOptions) -> dict[str, bytes | None]:
    """What ``tidybot fix`` (+ go work sync, + re-vendoring) would write, computed in a scratch
    copy of the checkout: path relative to ``root`` -> new bytes (None: delete)."""
    root = root.resolve()
    before = _tree_files(root)
    with scratch_dir("tidybot-audit-") as tmp:
        copy = tmp / "tree"
        shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        go = make_go(options.run)
        if options.workspaces:
            for gowork in find_workspaces(copy):
                _, err = fix_workspace(go, copy, gowork)
                if err:
                    raise TidybotError(f"{gowork.relative_to(copy).as_posix()}: {err}")
        report = fix(copy, options.run)
        if options.vendor:
            _revendor(go, copy, report)
        after = _tree_files(copy)
    changed: dict[str, bytes | None] = {}
    for path in sorted(set(before) | set(after)):
        if before.get(path) != after.get(path):
            changed[path] = after.get(path)
    return changed


def _revendor(go: Go, root: Path, report: Report) -> None:
    for m in report.modules:
        path = _module_path(root, m.dir)
        if m.status is Status.CLEAN and is_vendored(path) and not is_vendored_workspace(path):
            _, err = fix_vendoring(go, root, m.dir)
            if err:
                raise TidybotError(f"{_join(m.dir, 'vendor')}: {err}")


def fingerprint(files: Mapping[str, bytes | None]) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        h.update(path.encode() + b"\0" + (b"-" if data is None else data) + b"\0")
    return h.hexdigest()[:16]


# --- dashboard and fix pull request ------------------------------------------------------------


@record
class Target:
    """Where the audit ran: the repository, its branch and commit, and the run."""

    repository: str
    branch: str
    sha: str
    run_url: str = ""
    workdir: str = "."  # the audited directory, relative to the repository root


DashboardAction = Literal["created", "updated", "unchanged", "closed", "reopened", "none"]
PullAction = Literal["opened", "updated", "unchanged", "closed", "none"]


@record
class DashboardResult:
    action: DashboardAction
    number: int | None = None


@record
class PullResult:
    action: PullAction
    number: int | None = None
    sha: str = ""


def dashboard_title(report: Report) -> str:
    s = report.summary
    if not needs_attention(report):
        return "tidybot: every Go module is tidy"
    parts = []
    if s.drifted:
        parts.append(f"{s.drifted} Go module{'s' if s.drifted != 1 else ''} not tidy")
    if s.error:
        parts.append(f"{s.error} could not be checked")
    problems = sum(1 for f in report.findings if f.severity is not Severity.NOTE)
    if problems:
        parts.append(f"{problems} go.sum/config finding{'s' if problems != 1 else ''}")
    if not parts:
        parts.append("the audit could not finish")
    return "tidybot: " + ", ".join(parts)


def dashboard_body(report: Report, target: Target, pull: PullRequest | None = None) -> str:
    """The dashboard issue's text (deterministic: the same audit gives the same text)."""
    short = target.sha[:12]
    lines = [
        DASHBOARD_MARKER,
        f"Audit of `{target.branch}` at {short} in {target.repository}"
        + (f" ([run]({target.run_url}))" if target.run_url else "")
        + ".",
        "",
    ]
    if not needs_attention(report):
        lines.append(f"Every Go module is tidy and verified as of {short}.")
        return "\n".join(lines) + "\n"
    if pull is not None:
        lines.extend([f"A fix is proposed in #{pull.number}.", ""])
    errors = audit_errors(report)
    if errors:
        lines.extend(["**The audit could not run every check:**", ""])
        lines.extend(f"- {e.splitlines()[0]}" for e in errors)
        lines.append("")
    body = MarkdownRenderer(title="Modules").render(report)
    lines.append(body.rstrip("\n"))
    text = "\n".join(lines) + "\n"
    if report.drifted:
        text += "\nTo fix it locally, from the audited directory:\n\n```sh\ntidybot fix .\n```\n"
    return _cut(text)


def _cut(text: str) -> str:
    if len(text) <= BODY_LIMIT:
        return text
    return text[:BODY_LIMIT] + "\n\n> ✂️ Cut at GitHub's size limit: see the run's report.json.\n"


def sync_dashboard(
    forge: Forge, report: Report, target: Target, *, pull: PullRequest | None = None
) -> DashboardResult:
    """Keep exactly one dashboard issue (label ``tidybot``) in step with ``report``."""
    found = needs_attention(report)
    issue = forge.find_issue_by_label(DASHBOARD_LABEL, state="open")
    title = dashboard_title(report)
    body = dashboard_body(report, target, pull)
    if issue is not None:
        if not found:
            forge.reply(
                issue.number,
                f"Every Go module of `{target.branch}` is tidy and verified as of "
                f"{target.sha[:12]}: closing. tidybot reopens this issue if drift returns.",
            )
            forge.update_issue(issue.number, title=title, body=body, state="closed")
            return DashboardResult("closed", issue.number)
        if issue.body == body and issue.title == title:
            return DashboardResult("unchanged", issue.number)
        forge.update_issue(issue.number, title=title, body=body)
        return DashboardResult("updated", issue.number)
    if not found:
        return DashboardResult("none")
    closed = forge.find_issue_by_label(DASHBOARD_LABEL, state="closed")
    if closed is not None:
        forge.update_issue(closed.number, title=title, body=body, state="open")
        forge.reply(closed.number, f"The drift is back on `{target.branch}` at {target.sha[:12]}.")
        return DashboardResult("reopened", closed.number)
    created = forge.create_issue(title, body, (DASHBOARD_LABEL,))
    return DashboardResult("created", created.number)


def pull_body(report: Report, target: Target, files: Mapping[str, bytes | None]) -> str:
    changed = "\n".join(f"- `{p}`" for p in sorted(files))
    text = (
        f"{marker_for('audit-fix')}\n"
        f"`go mod tidy` (and `go work sync` / `go mod vendor` where used) for `{target.branch}` "
        f"at {target.sha[:12]}.\n\nFiles:\n\n{changed}\n\n"
        f"tidybot rebuilds this branch (`{FIX_BRANCH}`) when the drift changes and closes the "
        "pull request when it is gone; do not push to it.\n\n"
        + MarkdownRenderer(title="What the audit found").render(report)
    )
    return _cut(text)


def sync_fix_pull(
    forge: Forge,
    report: Report,
    target: Target,
    files: Mapping[str, bytes | None],
    *,
    commit_message: str = "go mod tidy",
) -> PullResult:
    """One fix pull request from ``tidybot/tidy`` into the audited branch."""
    pull = forge.find_pull(FIX_BRANCH, state="open")
    if not files:
        if pull is None:
            return PullResult("none")
        forge.reply(
            pull.number,
            f"`{target.branch}` needs no fix as of {target.sha[:12]}: closing this pull request.",
        )
        forge.update_pull(pull.number, state="closed")
        return PullResult("closed", pull.number)
    fp = fingerprint(files)
    title = f"tidybot: tidy the Go modules of {target.branch}"
    body = pull_body(report, target, files)
    if pull is not None and pull.base_ref == target.branch:
        last = forge.last_commit(FIX_BRANCH)
        if last.parents == (target.sha,) and f"{FIX_TRAILER}: {fp}" in last.message:
            if pull.title != title:
                forge.update_pull(pull.number, title=title, body=body)
            return PullResult("unchanged", pull.number, last.sha)
    # (re)build the branch on the audited commit: tidybot's own branch, the only one it forces
    forge.create_or_update_branch(FIX_BRANCH, target.sha, force=True)
    message = (
        f"{commit_message}\n\nRun by tidybot's scheduled audit"
        + (f" in {target.run_url}" if target.run_url else "")
        + f".\n\n{FIX_TRAILER}: {fp}\n"
    )
    sha = forge.commit_files(FIX_BRANCH, target.sha, files, message)
    if pull is not None:
        forge.update_pull(pull.number, title=title, body=body)
        return PullResult("updated", pull.number, sha)
    created = forge.create_pull(FIX_BRANCH, target.branch, title, body)
    return PullResult("opened", created.number, sha)


# --- the action's audit mode -------------------------------------------------------------------


def _input_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    key = "INPUT_" + name.upper()
    raw = (env.get(key) or env.get(key.replace("-", "_")) or "").strip()
    if not raw:
        return default
    if raw in ("true", "True", "TRUE"):
        return True
    if raw in ("false", "False", "FALSE"):
        return False
    raise ConfigError(
        f"input '{name}' is {raw!r}; accepted values: true, false",
        hint=f"write `{name}: true` or `{name}: false`",
    )


def _branch(action: Action) -> str:
    env = action.s.env
    if env.get("GITHUB_REF_TYPE", "branch") == "branch" and env.get("GITHUB_REF_NAME"):
        return env["GITHUB_REF_NAME"]
    repo = action.s.event.get("repository")
    if isinstance(repo, Mapping) and isinstance(repo.get("default_branch"), str):
        return str(repo["default_branch"])
    return "main"


def run_audit(action: Action, decision: Decision) -> Outcome:
    """``mode: audit``: audit the checkout, then keep the dashboard (and the fix PR) current.

    Inputs read here: ``open-pr`` (keep a fix pull request, default false) and ``verify``
    (check go.sum against the checksum database, default true).
    """
    from bot.action import Outcome, _run_options, git_head

    s = action.s
    open_pr = _input_bool(s.env, "open-pr", False)
    options = AuditOptions(run=_run_options(s), verify=_input_bool(s.env, "verify", True))
    report = audit(s.root, options)
    action._publish(report, decision)
    outcome = Outcome(report, exit_code=action._exit_code(report))
    outcome.report_path = action._write_report(report)
    target = Target(s.repository, _branch(action), git_head(s.workspace), s.run_url, s.workdir)
    pull: PullRequest | None = None
    if open_pr:
        files = plan_fix_files(s.root, options) if report.drifted else {}
        prefix = "" if s.workdir in ("", ".") else s.workdir + "/"
        files = {prefix + k: v for k, v in files.items()}
        if any(PurePosixPath(p).parts[:1] == (".github",) for p in files):
            raise TidybotError("the fix would write under .github/: refused")
        pr = sync_fix_pull(action.forge, report, target, files, commit_message=s.commit_message)
        action.r.log(f"tidybot: fix pull request {pr.action}" + _num(pr.number))
        if pr.number is not None and pr.action not in ("closed", "none"):
            pull = action.forge.get_pull(pr.number)
    dash = sync_dashboard(action.forge, report, target, pull=pull)
    action.r.log(f"tidybot: dashboard issue {dash.action}" + _num(dash.number))
    return outcome


def _num(number: int | None) -> str:
    return f" (#{number})" if number is not None else ""
