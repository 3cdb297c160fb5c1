"""Repository audit: check, verify and the workspace/vendor checks over one checkout, and the
dashboard issue and fix pull request that keep the result visible between pull requests.

* :func:`audit` runs every check over a checkout of a branch and returns one
  :class:`~bot.engine.model.Report` (command ``audit``): the module results of ``bot.runner``
  (tidy, ``go mod vendor`` and ``go work sync`` findings merged into the modules they concern)
  and the checksum database findings (``bot.verify``) as report-level findings, with the
  summary of each part in ``report.extra["audit"]``.
* :func:`sync_dashboard` keeps exactly one open issue labelled ``tidybot`` that tidybot's own
  account opened: created when something is found, edited in place when what it says changed,
  closed with a last comment when all is clean, and the closed one reopened when drift
  returns. Issues anyone else opened are never edited, closed or reopened, whatever their label.
* :func:`sync_fix_pull` keeps one fix pull request per audited branch from tidybot's own
  branch (``tidybot/tidy`` for the default branch, ``tidybot/tidy-<branch>`` for another),
  opened by tidybot's account: rebuilt on the audited commit when the branch's head is not
  exactly the fix (its tree compared with the tree the fix must give), closed when the drift is
  gone.

The action's ``audit`` mode (``bot.action.modes``) and ``tidybot org-audit`` call these.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from bot import __version__
from bot.engine.model import Report, Severity
from bot.errors import TidybotError
from bot.exitcodes import AUDIT, audit_errors, has_drift, has_error
from bot.fixplan import fingerprint
from bot.forge.port import Forge, PullRequest, marker_for
from bot.record import field, record
from bot.report.escape import md_code, md_cut, md_text
from bot.report.markdown import MarkdownRenderer
from bot.runner import RunOptions, check

#: The label of the dashboard issue (one per repository).
DASHBOARD_LABEL = "tidybot"
#: Hidden marker in the dashboard issue's body.
DASHBOARD_MARKER = marker_for("dashboard")
#: tidybot's own branch for the fix pull request of the default branch; another audited
#: branch gets ``tidybot/tidy-<branch>``. tidybot force-updates only these.
FIX_BRANCH = "tidybot/tidy"
#: Trailer of the fix commit: the fingerprint of the files it writes.
FIX_TRAILER = "Tidybot-Audit-Fix"
#: Hidden marker in the fix pull request's body.
FIX_MARKER = marker_for("audit-fix")
#: GitHub refuses issue and pull request bodies over 65536 characters.
BODY_LIMIT = 65_000


# --- the audit ---------------------------------------------------------------------------------


@record
class AuditOptions:
    run: RunOptions = field(default_factory=RunOptions)
    verify: bool = True  # check every go.sum line against the checksum database
    jobs: int = 2  # parallel lookups of the verifier


def audit(root: Path, options: AuditOptions) -> Report:
    """Every check over the checkout at ``root``. Raises ``UsageError`` when it has no go.mod."""
    from bot.runner import make_go

    start = time.monotonic()
    report = check(root, options.run)
    root = root.resolve()
    errors: list[str] = []
    from bot.engine.discover import find_workspaces, is_vendored

    vendored = [m for m in report.modules if is_vendored(root / m.dir if m.dir != "." else root)]
    parts: dict[str, object] = {
        "modules": len(report.modules),
        "vendored_modules": len(vendored),
        "workspaces": len(find_workspaces(root)),
    }
    loose = list(report.findings)
    verify_json: dict[str, object] | None = None
    if options.verify:
        from bot.verify.command import run_verify  # httpx only when verifying

        go = make_go(options.run, root)
        try:
            outcome = run_verify(root, env=go.env, cache_check=False, jobs=max(1, options.jobs))
        except TidybotError as e:
            errors.append(f"verify: {e.message}")
        else:
            loose.extend(f for f in outcome.findings if not options.run.config.is_ignored(f))
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
        modules=report.modules,
        go_version=report.go_version,
        tool_version=__version__,
        findings=tuple(dict.fromkeys(loose)),
        duration=time.monotonic() - start,
        extra={**report.extra, "audit": parts},
    )


def needs_attention(report: Report) -> bool:
    """Something to show on the dashboard: drift, an error, or a verify/config problem."""
    return has_error(report) or has_drift(report, AUDIT)


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
    """The dashboard issue's text. Its first lines say where and when (commit, run); the rest
    depends on what the audit found only, so :func:`_findings_part` tells whether it changed."""
    short = target.sha[:12]
    lines = [
        DASHBOARD_MARKER,
        f"Audit of {md_code(target.branch)} at {short} in {md_text(target.repository)}"
        + (f" ([run]({target.run_url}))" if target.run_url else "")
        + ".",
        "",
    ]
    if not needs_attention(report):
        lines.append("Every Go module is tidy and verified.")
        return "\n".join(lines) + "\n"
    if pull is not None:
        lines.extend([f"A fix is proposed in #{pull.number}.", ""])
    errors = audit_errors(report)
    if errors:
        lines.extend(["**The audit could not run every check:**", ""])
        lines.extend(f"- {md_text(e.splitlines()[0])}" for e in errors if e.strip())
        lines.append("")
    body = MarkdownRenderer(title="Modules").render(report)
    lines.append(body.rstrip("\n"))
    text = "\n".join(lines) + "\n"
    if report.drifted:
        text += "\nTo fix it locally, from the audited directory:\n\n```sh\ntidybot fix .\n```\n"
    return _cut(text)


def _findings_part(body: str) -> str:
    """A dashboard body without its first lines (marker, commit, run link)."""
    return body.split("\n", 3)[3] if body.count("\n") >= 3 else body


def _cut(text: str) -> str:
    note = "\n> ✂️ Cut at GitHub's size limit: see the run's report.json.\n"
    return md_cut(text, BODY_LIMIT, note)


def sync_dashboard(
    forge: Forge, report: Report, target: Target, *, pull: PullRequest | None = None
) -> DashboardResult:
    """Keep exactly one dashboard issue (label ``tidybot``, opened by tidybot's account, body
    with its marker) in step with ``report``. An issue of anyone else is never touched."""
    found = needs_attention(report)
    issue = forge.find_issue_by_label(DASHBOARD_LABEL, state="open", marker=DASHBOARD_MARKER)
    title = dashboard_title(report)
    body = dashboard_body(report, target, pull)
    if issue is not None:
        if not found:
            forge.reply(
                issue.number,
                f"Every Go module of {md_code(target.branch)} is tidy and verified as of "
                f"{target.sha[:12]}: closing. tidybot reopens this issue if drift returns.",
            )
            forge.update_issue(issue.number, title=title, body=body, state="closed")
            return DashboardResult("closed", issue.number)
        if issue.title == title and _findings_part(issue.body) == _findings_part(body):
            return DashboardResult("unchanged", issue.number)
        forge.update_issue(issue.number, title=title, body=body)
        return DashboardResult("updated", issue.number)
    if not found:
        return DashboardResult("none")
    closed = forge.find_issue_by_label(DASHBOARD_LABEL, state="closed", marker=DASHBOARD_MARKER)
    if closed is not None:
        forge.update_issue(closed.number, title=title, body=body, state="open")
        forge.reply(
            closed.number, f"The drift is back on {md_code(target.branch)} at {target.sha[:12]}."
        )
        return DashboardResult("reopened", closed.number)
    created = forge.create_issue(title, body, (DASHBOARD_LABEL,))
    return DashboardResult("created", created.number)


def fix_branch(branch: str, default_branch: str) -> str:
    """tidybot's fix branch for an audited branch: one per branch, so an audit of another
    branch never moves the default branch's fix pull request, nor another branch's. A name
    made only of ``A-Za-z0-9._-`` is kept (``tidybot/tidy-release-1.x``); any other gets its
    characters replaced and a digest of the whole name (``release/1.x`` ->
    ``tidybot/tidy-release-1.x-<16 hex digits>``), so two names never share a fix branch."""
    if branch == default_branch:
        return FIX_BRANCH
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", branch).strip("-.") or "branch"
    if safe == branch:
        return f"{FIX_BRANCH}-{safe}"
    digest = hashlib.sha256(branch.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"{FIX_BRANCH}-{safe}-{digest}"


def pull_body(report: Report, target: Target, files: Mapping[str, bytes | None], head: str) -> str:
    changed = "\n".join(f"- {md_code(p)}" for p in sorted(files))
    text = (
        f"{FIX_MARKER}\n"
        f"`go mod tidy` (and `go work sync` / `go mod vendor` where used) for "
        f"{md_code(target.branch)} at {target.sha[:12]}.\n\nFiles:\n\n{changed}\n\n"
        f"tidybot rebuilds this branch ({md_code(head)}) when the drift changes and closes the "
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
    expected_tree: str,
    head: str = FIX_BRANCH,
    commit_message: str = "go mod tidy",
) -> PullResult:
    """One fix pull request from tidybot's branch ``head`` into the audited branch.

    ``expected_tree`` is the tree a commit of ``files`` on ``target.sha`` holds (computed from
    the checkout, ``bot.gitport.Git.tree_with``). The branch counts as the fix only when its head
    commit has exactly that tree and the audited commit as its only parent: a commit message
    proves nothing (anyone who can push may copy it). Only a pull request that tidybot's account
    opened is adopted; anyone else's is left alone."""
    me = forge.identity()
    pull = forge.find_pull(head, state="open")
    if pull is not None and pull.author != me:
        raise TidybotError(
            f"pull request #{pull.number} from {head} was not opened by {me}: not touching it",
            hint=f"close it or rename its branch; {head} is reserved for tidybot's fix",
        )
    if not files:
        if pull is None:
            return PullResult("none")
        forge.reply(
            pull.number,
            f"{md_code(target.branch)} needs no fix as of {target.sha[:12]}: closing this pull "
            "request.",
        )
        forge.update_pull(pull.number, state="closed")
        return PullResult("closed", pull.number)
    fp = fingerprint(files)
    title = f"tidybot: tidy the Go modules of {target.branch}"
    body = pull_body(report, target, files, head)
    if pull is not None:
        last = forge.last_commit(head)
        if last.parents == (target.sha,) and last.tree == expected_tree:
            if pull.base_ref != target.branch:
                forge.update_pull(pull.number, title=title, body=body, base=target.branch)
            elif pull.title != title:
                forge.update_pull(pull.number, title=title, body=body)
            return PullResult("unchanged", pull.number, last.sha)
    # (re)build the branch on the audited commit: tidybot's own branch, the only one it forces
    forge.create_or_update_branch(head, target.sha, force=True)
    message = (
        f"{commit_message}\n\nRun by tidybot's scheduled audit"
        + (f" in {target.run_url}" if target.run_url else "")
        + f".\n\n{FIX_TRAILER}: {fp}\n"
    )
    sha = forge.commit_files(head, target.sha, files, message)
    if pull is not None:
        forge.update_pull(pull.number, title=title, body=body, base=target.branch)
        return PullResult("updated", pull.number, sha)
    created = forge.create_pull(head, target.branch, title, body)
    return PullResult("opened", created.number, sha)
