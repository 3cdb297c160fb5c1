"""The modes of ``tidybot action``, each a function of the run (``bot.action.context.Run``) and
the decision the trigger made (``bot.action.trigger``):

* :func:`check` (and ``comment``): check the modules, publish annotations, log and summary,
  write the report (on a pull request: the artifact of the two-workflow pattern) and, in comment
  mode, keep the sticky comment;
* :func:`fix`: ``/tidy`` or an explicit ``mode: fix``: the same check, then a fix commit through
  the GitHub API on the pull request's branch;
* :func:`audit`: a scheduled repository audit, its dashboard issue and fix pull request;
* :func:`follow_up`: the ``workflow_run`` half of the two-workflow pattern: the comment from
  the artifact, and (for the pull requests of dependency bots, or with ``mode: fix``) a fix
  computed anew from a checkout of the pull request's head.

Every write to GitHub is bound to what was checked: the head commit the check ran on
(``expected_head`` of the commit), the commit a ``/tidy <sha>`` named, and branches that are a
pull request's topic branch (never a default or protected branch).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.action.artifact import ArtifactDir
from bot.action.context import Run
from bot.action.trigger import Decision, Mode
from bot.audit import (
    AuditOptions,
    Target,
    fix_branch,
    sync_dashboard,
    sync_fix_pull,
)
from bot.audit import (
    audit as audit_repository,
)
from bot.engine.model import ModuleResult, Report, Status
from bot.errors import ExitCode, ForgeError, TidybotError, UsageError
from bot.exitcodes import Policy, exit_code
from bot.fixplan import FixPlan, plan_fix
from bot.forge.port import Forge, PullRequest, marker_for
from bot.record import record, replace
from bot.report.base import Where
from bot.report.comment import MARKER, CommentRenderer, fix_commands
from bot.report.escape import html_text, md_code, md_prose, no_command_lines
from bot.report.github import GithubRenderer
from bot.report.json import JsonRenderer
from bot.report.markdown import MarkdownRenderer
from bot.runner import check as run_check

__all__ = [
    "FIX_TRAILER",
    "Outcome",
    "audit",
    "check",
    "fix",
    "follow_up",
    "outputs",
    "publish",
]

#: A trailer in every fix commit message: the bot never fixes on top of its own fix.
FIX_TRAILER = "Tidybot-Fix"
#: Permissions that may run ``/tidy``.
WRITERS = frozenset({"admin", "maintain", "write"})
_SHA = re.compile(r"[0-9a-f]{40}")
#: The head tidybot's comment reported: the comment's last line, where tidybot puts it (tree
#: data shown in the comment, a diff, may hold the same text anywhere above it).
_HEAD_MARK = re.compile(r"<!-- tidybot:head:([0-9a-f]{40}) -->")


def _reported_head(body: str) -> str | None:
    """The head a tidybot comment reported: the marker on its last line only."""
    seen = _HEAD_MARK.fullmatch(body.rstrip().rsplit("\n", 1)[-1].strip())
    return seen.group(1) if seen is not None else None


@record(frozen=False)
class Outcome:
    report: Report | None = None
    commit_sha: str = ""
    exit_code: ExitCode = ExitCode.CLEAN
    report_path: str = ""


def _policy(run: Run, strict: bool = False) -> Policy:
    return Policy(fail_on_drift=run.s.fail_on_drift, strict=strict)


# --- check and comment ------------------------------------------------------------------------


def since_for(run: Run) -> tuple[str | None, str]:
    """The ``--since`` ref of this run (None: every module) and, when ``auto`` cannot use the
    pull request's base, the notice saying why every module is checked."""
    value = run.s.since.strip()
    if value.lower() in ("", "off", "false", "none"):
        return None, ""
    if value.lower() != "auto":
        return value, ""  # a ref the user named: a missing one is an error (the engine says so)
    if not run.s.event_name.startswith("pull_request"):
        return None, ""  # not a pull request: schedules and pushes check everything
    base = run.s.pull_request().get("base")
    sha = base.get("sha") if isinstance(base, Mapping) else None
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        return None, ""
    if not run.git().has_commit(sha):
        return None, (
            f"checking every module: the pull request's base {sha[:12]} is not in the clone "
            "(actions/checkout with fetch-depth: 0 lets tidybot check only the modules the "
            "pull request can affect)"
        )
    return sha, ""


def check(run: Run, decision: Decision) -> Outcome:
    since, why_not = since_for(run)
    if why_not:
        run.w.notice(why_not)
    report = _checked(run, since)
    outcome = Outcome(report, exit_code=exit_code(report, _policy(run)))
    publish(run, report, decision)
    if decision.pull_number is not None and run.s.event_name.startswith("pull_request"):
        outcome.report_path = write_artifact(run, report, decision)
    else:
        outcome.report_path = write_report(run, report)
    if decision.mode is Mode.COMMENT and decision.pull_number is not None:
        comment(run, decision.pull_number, report, head_sha=_event_head_sha(run))
    return outcome


def _checked(run: Run, since: str | None = None) -> Report:
    """The check of the checked root, with a line per finished module on stderr (the log)."""
    import sys

    from bot.progress import progress_for

    options = run.resolve(since).options
    progress = progress_for(
        run.w.cleaned(sys.stderr),
        run.s.env,
        quiet=False,
        verbose=False,
        where=Where(repo=run.s.workdir),
    )
    said: set[str] = set()

    def notice(text: str) -> None:  # a paths: glob that matches no module: a ::notice, once
        if text not in said:
            said.add(text)
            run.w.notice(text)

    try:
        return run_check(run.s.root, replace(options, progress=progress, notice=notice))
    finally:
        if progress is not None:
            progress.close()


def publish(run: Run, report: Report, decision: Decision) -> None:
    """Annotations, the log and the job summary: on every run."""
    workdir = run.s.workdir
    annotations = GithubRenderer(workdir).render(report)
    if annotations:
        run.w.commands(annotations)
    s = report.summary
    run.w.log(
        f"tidybot: {s.modules} modules: {s.drifted} drifted, {s.error} failed, "
        f"{s.skipped} skipped, {s.clean} clean"
    )
    for m in report.drifted:
        if m.diff:
            with run.w.group(f"{_join(workdir, m.dir)}: go mod tidy -diff"):
                run.w.log(m.diff.rstrip("\n"))
    for m in report.modules:
        if m.status is Status.ERROR and "\n" in m.error.strip():
            # annotations and tables show the first line; go's reason is often further down
            with run.w.group(f"{_join(workdir, m.dir)}: not checked"):
                run.w.log(m.error.rstrip("\n"))
    summary = MarkdownRenderer(where=workdir).render(report)  # paths from the top level
    summary += f"\n<sub>mode {decision.mode}: {html_text(decision.reason)}</sub>\n"
    run.w.summary(summary)


def comment(
    run: Run,
    number: int,
    report: Report,
    *,
    head_sha: str = "",
    fixed_in: str = "",
    tidy_command: bool = True,
    workdir: str | None = None,
    extra: str = "",
) -> None:
    """Keep the sticky comment (tidybot's own, found by its marker and author) in step."""
    renderer = CommentRenderer(
        workdir=run.s.workdir if workdir is None else workdir,
        summary_url=run.s.run_url,
        head_sha=head_sha,
        tidy_command=tidy_command,
        fixed_in=fixed_in,
        selection=(
            *(w for g in run.s.paths for w in ("--include", g)),
            *(w for g in run.s.exclude for w in ("--exclude", g)),
        ),
    )
    drift = bool(report.drifted) or any(m.status is Status.ERROR for m in report.modules)
    existing = run.forge.find_comment(number, MARKER)
    if existing is None and not drift and not fixed_in:
        run.w.log("tidybot: no drift and no earlier comment: nothing to post")
        return
    body = no_command_lines(renderer.render(report) + extra)
    if _SHA.fullmatch(head_sha):
        body += f"\n{marker_for('head:' + head_sha)}\n"
    if existing is not None and existing.body == body:
        run.w.log(f"tidybot: comment {existing.id} is up to date")
        return
    posted = run.forge.upsert_comment(number, MARKER, body)
    run.w.log(f"tidybot: comment {posted.id} {'updated' if existing else 'posted'}")


def _event_head_sha(run: Run) -> str:
    head = run.s.pull_request().get("head")
    if isinstance(head, Mapping) and isinstance(head.get("sha"), str):
        return str(head["sha"])
    return run.s.sha


# --- report files -----------------------------------------------------------------------------


def _artifact_dir(run: Run) -> ArtifactDir:
    return ArtifactDir(run.s.workspace, run.s.artifact_dir)


def write_report(run: Run, report: Report, extra: Mapping[str, object] | None = None) -> str:
    doc = replace(report, extra={**report.extra, **(extra or {})})
    text = run.w.clean(JsonRenderer().render(doc))
    return _artifact_dir(run).write("report.json", text.encode("utf-8"))


def write_artifact(run: Run, report: Report, decision: Decision) -> str:
    """The JSON report, the patch, and what the follow-up needs to find the pull request."""
    head = run.s.pull_request().get("head")
    head = head if isinstance(head, Mapping) else {}
    head_repo = head.get("repo")
    meta = {
        "pull_number": decision.pull_number,
        "head_sha": _text(head.get("sha"), 40),
        "head_ref": _text(head.get("ref"), 255),
        "head_repo": _text(
            head_repo.get("full_name") if isinstance(head_repo, Mapping) else "", 200
        ),
        "workdir": run.s.workdir,
        "event": run.s.event_name,
    }
    patch = ""
    if report.drifted:
        try:
            plan = _plan(run)
            private = _private_code(run, plan) if run.s.untrusted else []
            if private:
                run.w.warning(
                    "no patch in the artifact: it would hold the code of private modules "
                    f"({_names(private)}), and the artifact of a run on a pull request's "
                    "code is read by whoever reads this repository's runs"
                )
            else:
                patch = plan.patch()
        except TidybotError as e:
            run.w.warning(f"no patch in the artifact: {e.message}")
    path = write_report(run, report, {"tidybot_action": meta})
    _artifact_dir(run).write("tidy.patch", run.w.clean(patch).encode("utf-8"))
    run.w.log(f"tidybot: report and patch written to {_artifact_dir(run).display()}")
    return path


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _mention(login: str) -> str:
    """``@login`` for a GitHub login (it notifies that person), else the text as code."""
    if re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", login):
        return f"@{login}"
    return md_code(login or "the sender")


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else None


def _plan(run: Run, since: str | None = None) -> FixPlan:
    """What a fix of the checked tree changes (computed in a scratch copy)."""
    options = run.resolve(since).options
    skip = [run.s.artifact_dir]
    if run.s.cache_dir:
        skip.append(run.s.cache_dir)
    return plan_fix(run.s.workspace, run.s.root, options, skip=skip)


def _private_code(run: Run, plan: FixPlan, since: str | None = None) -> list[str]:
    """The private modules' packages whose code the fix vendors (``bot.fixplan.private_code``,
    with the environment go ran with in this run). Such code goes only where this repository's
    own files go: never in a push to a fork, never in the artifact of a run on a pull
    request's code (whoever reads the repository's runs reads it)."""
    from bot.childenv import layered_go_env
    from bot.fixplan import private_code
    from bot.runner import make_go

    if not any("vendor" in p.split("/")[:-1] for p in plan.files):
        return []
    go = make_go(run.resolve(since).options, run.s.root)
    return private_code(plan.files, layered_go_env(go.env, go.binary()))


def _names(packages: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(packages[:limit])
    return shown + (f" and {len(packages) - limit} more" if len(packages) > limit else "")


# --- fix --------------------------------------------------------------------------------------


def _permission(run: Run, actor: str) -> str:
    """What ``actor`` (who asked for a fix) may do on the repository, by the API: a fix is
    pushed only for ``WRITERS``, whatever event started the run (``/tidy``, ``mode: fix`` on a
    pull request, or its ``workflow_run`` follow-up)."""
    return run.forge.permission(actor) if actor else "none"


def fix(run: Run, decision: Decision) -> Outcome:
    """``/tidy`` (or ``mode: fix``) on a pull request: check, then commit the fix."""
    number = decision.pull_number
    if number is None:
        raise UsageError("fix mode needs a pull request event")
    raw_comment = run.s.event.get("comment")
    raw_comment = raw_comment if isinstance(raw_comment, Mapping) else {}
    comment_id = raw_comment.get("id")
    comment_id = comment_id if isinstance(comment_id, int) and comment_id > 0 else None
    user = raw_comment.get("user")
    commenter = _text(user.get("login") if isinstance(user, Mapping) else "", 100)
    sender = run.s.event.get("sender")
    actor = commenter if decision.command else _text(_get(sender, "login"), 100) or run.s.actor
    if decision.command:
        if not commenter or commenter == run.forge.identity():
            run.w.notice("a comment by tidybot's own account is never a command: skipped")
            return Outcome()
        if comment_id is not None:
            _react(run, comment_id, "eyes")
    # who asked for the fix must be able to write, whatever started the run
    permission = _permission(run, actor)
    if permission not in WRITERS:
        text = (
            f"`/tidy` needs write, maintain or admin permission on {run.s.repository}; "
            f"{_mention(actor)} has {permission}. A maintainer can comment "
            "`/tidy`, or fix it locally with `go mod tidy`."
        )
        if decision.command:
            _reply(run, number, text)
            if comment_id is not None:
                _react(run, comment_id, "confused")
        run.w.notice(f"fix by {actor or 'an unknown sender'} refused: permission {permission}")
        return Outcome()
    try:
        outcome = _fix(run, number, decision)
    except TidybotError as e:
        if decision.command:
            # an error's text may name the pull request's branch or module directories:
            # Markdown-escaped, as everything else in a comment, its `code` shown as code
            hint = f"\n\n{md_prose(e.hint)}" if e.hint else ""
            _reply(run, number, f"`/tidy` failed: {md_prose(e.message)}{hint}")
            if comment_id is not None:
                _react(run, comment_id, "confused")
        raise
    if decision.command and comment_id is not None:
        _react(run, comment_id, "rocket" if outcome.commit_sha else "+1")
    return outcome


def _reply(run: Run, number: int, body: str) -> None:
    """Answer a ``/tidy`` comment: no line of the answer reads as a command."""
    run.forge.reply(number, no_command_lines(body))


def _react(run: Run, comment_id: int, reaction: Any) -> None:
    try:
        run.forge.react(comment_id, reaction)
    except ForgeError as e:
        run.w.warning(f"could not react to the comment: {e.message}")


def _bound_head(run: Run, pull: PullRequest, decision: Decision) -> None:
    """A ``/tidy`` fixes the commit its author saw: ``/tidy <sha>`` names it; a bare ``/tidy``
    means the head tidybot's comment reported. A newer head is refused, nothing pushed."""
    if not decision.command:
        return
    offer = f"comment `/tidy {pull.head_sha}` to fix the current head"
    if decision.command_sha:
        if len(decision.command_sha) < 40:  # seven digits are matched by a commit made to match
            raise ForgeError(
                f"`/tidy {decision.command_sha}` names the commit by {len(decision.command_sha)} "
                "hex digits; a commit can be made to match that many, so tidybot takes the "
                "full hash only; nothing pushed",
                hint=offer,
            )
        if pull.head_sha != decision.command_sha:
            raise ForgeError(
                f"`/tidy {decision.command_sha}` names a commit that is not the pull request's "
                f"head ({pull.head_sha[:12]}); nothing pushed",
                hint=offer,
            )
        return
    existing = run.forge.find_comment(pull.number, MARKER)
    seen = _reported_head(existing.body) if existing is not None else None
    if seen != pull.head_sha:
        raise ForgeError(
            f"the head {pull.head_sha[:12]} is newer than tidybot's last report on this pull "
            "request, so a bare `/tidy` could fix commits nobody reviewed; nothing pushed",
            hint=offer,
        )


def _target_branch(run: Run, pull: PullRequest) -> Forge:
    """The forge of the pull request's head repository, once its branch is known to be a topic
    branch: never a default branch of this repository, never a protected branch."""
    if pull.is_fork:
        if not pull.head_repo:
            raise ForgeError(f"the fork of pull request #{pull.number} was deleted: cannot push")
        if not pull.maintainer_can_modify:
            raise ForgeError(
                f"pull request #{pull.number} comes from {pull.head_repo}, which does not allow "
                "edits by maintainers; nothing pushed",
                hint="the author can tick 'Allow edits by maintainers', or run `go mod tidy`",
            )
        target = run.forge_for(pull.head_repo)
    else:
        target = run.forge
    info = target.branch_info(pull.head_ref)
    if info.protected or (info.default and not pull.is_fork):
        what = "protected" if info.protected else "the repository's default branch"
        raise ForgeError(
            f"pull request #{pull.number} comes from {pull.head_ref}, which is {what}: tidybot "
            "pushes only to a pull request's own topic branch; nothing pushed",
            hint="open the pull request from a topic branch, or fix it locally with go mod tidy",
        )
    return target


def _fix(run: Run, number: int, decision: Decision, since: str | None = None) -> Outcome:
    pull = run.forge.get_pull(number)
    if pull.state != "open":
        raise ForgeError(f"pull request #{number} is {pull.state}: nothing to fix")
    _bound_head(run, pull, decision)
    checked = run.git().head()
    if checked != pull.head_sha:
        raise ForgeError(
            f"the pull request's head is {pull.head_sha[:12]} but the checkout is "
            f"{checked[:12]}; nothing pushed",
            hint=(
                "the head moved since this run started (the newer run will check it), or "
                "the workflow checks out another commit: use actions/checkout with "
                "`ref: refs/pull/<number>/head` (issue_comment) or "
                "`ref: ${{ github.event.pull_request.head.sha }}` (pull_request)"
            ),
        )
    target = _target_branch(run, pull)
    report = _checked(run, since)
    publish(run, report, decision)
    outcome = Outcome(report, exit_code=exit_code(report, _policy(run)))
    outcome.report_path = write_report(run, report)
    if not report.drifted:
        run.w.log("tidybot: every module is tidy: no fix commit")
        comment(run, number, report, head_sha=pull.head_sha)
        return outcome
    last = target.last_commit(pull.head_ref)
    if last.sha == pull.head_sha and f"{FIX_TRAILER}:" in last.message:
        raise ForgeError(
            f"the head commit {pull.head_sha[:12]} is already tidybot's fix and the drift "
            "remains; not pushing a second fix on top of it",
            hint="fix it locally: " + "; ".join(fix_commands(report, run.s.workdir)),
        )
    plan = _plan(run, since)
    if plan.empty:
        run.w.log("tidybot: the fix changes no file: no commit")
        comment(run, number, report, head_sha=pull.head_sha)
        return outcome
    private = _private_code(run, plan, since) if pull.is_fork else []
    if private:
        raise ForgeError(
            f"the fix would push the code of private modules ({_names(private)}) to "
            f"{pull.head_repo}, a fork, where this repository's access to them does not "
            "reach; nothing pushed",
            hint="vendor them on a branch of this repository, or run go mod vendor where "
            "they may be read",
        )
    message = (
        f"{run.s.commit_message}\n\n"
        f"Run by tidybot in {run.s.run_url or 'GitHub Actions'}.\n\n"
        f"{FIX_TRAILER}: {plan.fingerprint()}\n"
    )
    sha = target.commit_files(pull.head_ref, pull.head_sha, plan.files, message)
    if sha == pull.head_sha:
        run.w.log("tidybot: the fix changes no file on the branch: no commit")
        return outcome
    run.w.notice(f"pushed fix commit {sha} to {pull.head_repo}:{pull.head_ref}")
    comment(
        run,
        number,
        plan.report,
        head_sha=sha,
        fixed_in=sha,
        extra=_affected(report, since) + _changed(plan),
    )
    return Outcome(
        plan.report, commit_sha=sha, exit_code=ExitCode.CLEAN, report_path=outcome.report_path
    )


def _affected(report: Report, since: str | None) -> str:
    """Which modules the change since ``since`` (a pull request's base) can affect."""
    if since is None:
        return ""
    dirs = [m.dir for m in report.modules if m.status is not Status.SKIPPED]
    names = ", ".join(md_code(d) for d in dirs) or "none"
    skipped = len(report.modules) - len(dirs)
    return (
        f"\n**The change since {since[:12]} affected:** {names}"
        + (f" ({skipped} other modules not affected, not run)" if skipped else "")
        + "\n"
    )


def _changed(plan: FixPlan) -> str:
    files = "\n".join(f"- {md_code(p)}" for p in sorted(plan.files))
    return f"\n**The fix commit changed:**\n\n{files}\n"


# --- the workflow_run follow-up ---------------------------------------------------------------


def follow_up(run: Run, decision: Decision) -> Outcome:
    """Post the comment from the pull_request run's artifact, and fix where asked.

    The artifact is data a run on someone else's code wrote: checked against the trusted
    ``workflow_run`` payload and the API, rendered with every field escaped, and never pushed.
    A fix (``mode: fix``, or a pull request of a login in ``fix-bots``) is computed here from a
    checkout of the pull request's head, as ``/tidy`` computes it."""
    wf_run = run.s.event.get("workflow_run")
    wf_run = wf_run if isinstance(wf_run, Mapping) else {}
    run_sha = _text(wf_run.get("head_sha"), 40)
    artifact = _artifact_dir(run).read_artifact()
    if artifact is None:
        run.w.warning(
            f"no tidybot report at {_artifact_dir(run).display('report.json')}: download the "
            "artifact of the pull_request run into the artifact-dir first"
        )
        return Outcome()
    if decision.pull_number is not None and decision.pull_number != artifact.pull_number:
        raise UsageError(
            f"the artifact is about #{artifact.pull_number} but the run was for "
            f"#{decision.pull_number}"
        )
    if not _SHA.fullmatch(run_sha) or artifact.head_sha != run_sha:
        raise UsageError("the artifact was not made for the head commit of the run")
    number = artifact.pull_number
    pull = run.forge.get_pull(number)
    report = artifact.report
    if pull.state != "open":
        run.w.notice(f"#{number} is {pull.state}: nothing to report or fix")
        return Outcome(report)
    if pull.head_sha != run_sha:
        run.w.notice(
            f"#{number} moved on to {pull.head_sha[:12]} since {run_sha[:12]}: the newer "
            "run will report"
        )
        return Outcome(report)
    head_repo = wf_run.get("head_repository")
    head_name = _text(head_repo.get("full_name") if isinstance(head_repo, Mapping) else "", 200)
    if head_name and pull.head_repo and head_name.lower() != pull.head_repo.lower():
        raise UsageError("the run's head repository is not the pull request's")
    bot_pull = pull.author in run.s.fix_bots and run.s.mode in ("auto", "comment", "fix")
    wants_fix = decision.mode is Mode.FIX or bot_pull
    if wants_fix and report.drifted and not bot_pull:  # a fix-bots pull request is trusted
        sender = _text(_get(run.s.event.get("sender"), "login"), 100)
        permission = _permission(run, sender)
        if permission not in WRITERS:
            run.w.notice(
                f"fix by {sender or 'an unknown sender'} refused: permission {permission} "
                "(the sender of the pull_request run must be able to write)"
            )
            wants_fix = False
    if wants_fix and report.drifted:
        outcome = _follow_up_fix(run, pull, decision, bot_pull)
        if outcome is not None:
            return outcome
    drift = bool(report.drifted) or any(m.status is Status.ERROR for m in report.modules)
    if drift or run.forge.find_comment(number, MARKER) is not None:
        comment(
            run,
            number,
            report,
            head_sha=run_sha,
            tidy_command=not pull.is_fork or pull.maintainer_can_modify,
            workdir=artifact.workdir,
        )
    run.w.summary(MarkdownRenderer(where=artifact.workdir).render(report))
    return Outcome(report, report_path=_artifact_dir(run).display("report.json"))


def _follow_up_fix(
    run: Run, pull: PullRequest, decision: Decision, bot_pull: bool
) -> Outcome | None:
    """The follow-up's fix, from the checkout of the head (None: no checkout, comment only)."""
    try:
        checked = run.git().head()
    except TidybotError:
        checked = ""
    if checked != pull.head_sha:
        run.w.warning(
            f"no fix: the workspace is not a checkout of #{pull.number}'s head "
            f"{pull.head_sha[:12]} (README: the follow-up workflow checks it out to fix)"
        )
        return None
    since = pull.base_sha if bot_pull and run.git().has_commit(pull.base_sha) else None
    fixing = replace(decision, mode=Mode.FIX, command=False)
    try:
        outcome = _fix(run, pull.number, fixing, since)
    except ForgeError as e:
        run.w.warning(f"fix not pushed: {e.message}")
        return None
    return outcome


# --- audit ------------------------------------------------------------------------------------


def _branch(run: Run) -> tuple[str, str]:
    """The audited branch and the repository's default branch."""
    repo = run.s.event.get("repository")
    default = ""
    if isinstance(repo, Mapping) and isinstance(repo.get("default_branch"), str):
        default = str(repo["default_branch"])
    branch = run.s.ref_name if run.s.ref_type in ("", "branch") and run.s.ref_name else ""
    branch = branch or default or "main"
    return branch, default or branch


def audit(run: Run, decision: Decision) -> Outcome:
    """``mode: audit``: audit the checkout, then keep the dashboard (and the fix PR) current."""
    s = run.s
    options = AuditOptions(run=run.resolve().options, verify=s.verify)
    report = audit_repository(s.root, options)
    publish(run, report, decision)
    outcome = Outcome(report, exit_code=exit_code(report, _policy(run, strict=True)))
    outcome.report_path = write_report(run, report)
    branch, default = _branch(run)
    head = run.git().head()
    target = Target(s.repository, branch, head, s.run_url, s.workdir)
    pull: PullRequest | None = None
    if s.open_pr and s.ref_type == "tag":
        run.w.notice(
            f"open-pr: the audited ref is the tag {s.ref_name}, and a fix goes to a branch: "
            "no fix pull request (run the audit on a branch for one)"
        )
    elif s.open_pr:
        plan = None
        if report.drifted:
            skip = [s.artifact_dir] + ([s.cache_dir] if s.cache_dir else [])
            plan = plan_fix(s.workspace, s.root, options.run, skip=skip)
        files: Mapping[str, bytes | None] = plan.files if plan is not None else {}
        if any(p.split("/", 1)[0] == ".github" for p in files):
            raise TidybotError("the fix would write under .github/: refused")
        tree = run.git().tree_with(head, files) if files else ""
        pr = sync_fix_pull(
            run.forge,
            report,
            target,
            files,
            expected_tree=tree,
            head=fix_branch(branch, default),
            commit_message=s.commit_message,
        )
        run.w.log(f"tidybot: fix pull request {pr.action}" + _num(pr.number))
        if pr.number is not None and pr.action not in ("closed", "none"):
            pull = run.forge.get_pull(pr.number)
    dash = sync_dashboard(run.forge, report, target, pull=pull)
    run.w.log(f"tidybot: dashboard issue {dash.action}" + _num(dash.number))
    return outcome


def _num(number: int | None) -> str:
    return f" (#{number})" if number is not None else ""


# --- outputs ----------------------------------------------------------------------------------


def _join(workdir: str, d: str) -> str:
    if workdir in (".", ""):
        return d or "."
    return workdir if d in (".", "") else f"{workdir}/{d}"


def drifted_dirs(workdir: str, modules: Sequence[ModuleResult]) -> list[str]:
    return [_join(workdir, m.dir) for m in modules if m.status is Status.DRIFTED]


def outputs(run: Run, outcome: Outcome) -> None:
    report = outcome.report
    drifted = drifted_dirs(run.s.workdir, report.modules) if report is not None else []
    if outcome.commit_sha:
        drifted = []
    run.w.set_outputs(
        {
            "drift": "true" if drifted else "false",
            "drifted-modules": json.dumps(drifted),
            "report": outcome.report_path,
            "commit-sha": outcome.commit_sha,
        }
    )
