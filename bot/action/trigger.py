"""Which mode a run of ``tidybot action`` is in, decided from the triggering event alone.

One pure function, :func:`select_mode`: event name + event payload + the ``mode`` input (+ what
is known about the token) -> a :class:`Decision`. Nothing here reads the environment, the
network or the disk, so every branch is a unit test.

Modes:

* ``check``   - report only: annotations, job summary, outputs (and, on pull requests, the
  artifact the two-workflow pattern needs). Never writes to GitHub.
* ``comment`` - ``check`` plus the sticky pull-request comment.
* ``fix``     - ``comment`` plus a fix commit pushed to the pull request's branch.
* ``audit``   - a repository-wide check for schedule / workflow_dispatch runs.
* ``skip``    - the event asks for nothing (a closed PR, a comment that is not ``/tidy``, ...).

The ``auto`` mode picks from the event:

==========================  =============================================================
event                       mode
==========================  =============================================================
pull_request                comment; check when the PR comes from a fork or the token is
                            read-only (the report then goes to the summary and an artifact)
pull_request_target         comment (the workflow must not check out the PR's code)
issue_comment ``/tidy``     fix (the permission of the commenter is checked later, by API);
                            skipped when a bot wrote the comment or it carries tidybot's marker
workflow_run                comment, posted from the artifact of the pull_request run
push                        check
schedule, workflow_dispatch audit
==========================  =============================================================
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.errors import ConfigError
from bot.record import record
from bot.report.escape import fence_after


class Mode(enum.StrEnum):
    CHECK = "check"
    COMMENT = "comment"
    FIX = "fix"
    AUDIT = "audit"
    SKIP = "skip"


#: Values the ``mode`` input accepts.
MODE_INPUTS: tuple[str, ...] = ("auto", "check", "comment", "fix", "audit")

#: Events the action knows; any other event runs a plain check.
EVENTS: tuple[str, ...] = (
    "pull_request",
    "pull_request_target",
    "issue_comment",
    "workflow_run",
    "push",
    "schedule",
    "workflow_dispatch",
)

TIDY_COMMAND = "/tidy"

#: Any hidden marker of tidybot's (its comments, issues and pull requests carry one).
TIDYBOT_MARKER = "<!-- tidybot:"


@record
class Decision:
    """What to do, and why (the reason is logged as is)."""

    mode: Mode
    reason: str
    #: the pull request number the run is about, when there is one in the payload
    pull_number: int | None = None
    #: the PR comes from a fork (its head repository is not the base repository)
    fork: bool = False
    #: ``workflow_run``: the report comes from the artifact of the triggering run
    from_artifact: bool = False
    #: ``issue_comment``: the run answers a ``/tidy`` command (react, check permission, reply)
    command: bool = False
    #: ``/tidy <sha>``: the head commit the maintainer asked to fix ("" for a bare ``/tidy``)
    command_sha: str = ""


def tidy_command(body: str) -> str | None:
    """The commit a comment asks to fix: ``""`` for a line that is exactly ``/tidy``, the hex
    digits of ``/tidy <sha>`` (7 to 40 hex: a short one is refused where it is used, naming the
    full command); None when the comment asks nothing. Only a line the comment shows as text
    counts: one in a code block (fenced, or indented by four spaces or a tab), in an HTML
    comment or in a quote (``> /tidy``) shows the command, it does not give it."""
    for line in _text_lines(body):
        words = line.split()
        if not words or words[0] != TIDY_COMMAND or len(words) > 2:
            continue
        if len(words) == 1:
            return ""
        if re.fullmatch(r"[0-9a-f]{7,40}", words[1]):
            return words[1]
    return None


def _text_lines(body: str) -> Iterator[str]:
    """The lines of a Markdown comment that GitHub renders as text (CommonMark): not in a
    fenced code block (```` ``` ```` or ``~~~``, closed by a run of the same character at least
    as long, or by the end), not in an HTML comment (a line that starts with ``<!--``, to the
    line with ``-->``), not an indented code block (four spaces or a tab, where no paragraph
    goes on: an indented line right after a line of text is that paragraph's)."""
    fence = ""
    in_comment = False
    paragraph = False
    for line in body.splitlines():
        if fence:
            fence = fence_after(line, fence)
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        fence = fence_after(line, "")
        if fence:
            paragraph = False
            continue
        c = _COMMENT.match(line)
        if c:
            in_comment, paragraph = "-->" not in line[c.end() :], False
            continue
        if not line.strip():
            paragraph = False
            continue
        if line.startswith(("    ", "\t")) and not paragraph:
            continue
        paragraph = True
        yield line


_COMMENT = re.compile(r" {0,3}<!--")


def is_tidy_command(body: str) -> bool:
    """True when a comment asks for a fix (``/tidy`` or ``/tidy <sha>`` on a line of its own)."""
    return tidy_command(body) is not None


def is_fork(pull: Mapping[str, Any]) -> bool:
    """A PR whose head repository differs from its base repository (or was deleted)."""
    head_repo = _get(pull, "head", "repo")
    base_repo = _get(pull, "base", "repo")
    if not isinstance(head_repo, Mapping):
        return True  # the fork was deleted: treat as foreign
    if not isinstance(base_repo, Mapping):
        return bool(head_repo.get("fork"))
    return bool(head_repo.get("full_name") != base_repo.get("full_name"))


def select_mode(
    event_name: str,
    payload: Mapping[str, Any],
    requested: str = "auto",
    *,
    token_can_write: bool | None = None,
) -> Decision:
    """Map the event and the ``mode`` input to a :class:`Decision`.

    ``token_can_write`` is ``False`` when the token is known to be read-only (a fork's
    ``pull_request`` run), ``None`` when unknown. An explicit ``mode`` input wins over the
    event, except that a read-only token cannot comment or fix (the run falls back to
    ``check`` and says so) and an event that asks for nothing stays ``skip``.
    """
    wanted = requested.strip().lower() or "auto"
    if wanted not in MODE_INPUTS:
        raise ConfigError(
            f"input 'mode' is {requested!r}; accepted values: {', '.join(MODE_INPUTS)}",
            hint="set `with: mode: auto` (or remove it) to let the event decide",
        )
    auto = _auto(event_name, payload, token_can_write)
    if wanted == "auto":
        return auto
    mode = Mode(wanted)
    if auto.mode is Mode.SKIP:
        # an event that asks for nothing (an ordinary comment, a closed PR) stays a no-op
        return auto
    reason = f"mode input {wanted!r} (event {event_name or 'unknown'})"
    read_only = token_can_write is False or (auto.fork and event_name == "pull_request")
    if mode in (Mode.COMMENT, Mode.FIX) and read_only:
        return Decision(
            Mode.CHECK,
            reason + ": the token is read-only here (a fork's pull_request run), so only check",
            pull_number=auto.pull_number,
            fork=auto.fork,
        )
    if mode in (Mode.COMMENT, Mode.FIX) and auto.pull_number is None and not auto.from_artifact:
        return Decision(
            Mode.CHECK,
            reason + ": no pull request in this event to comment on or fix, so only check",
        )
    return Decision(
        mode,
        reason,
        pull_number=auto.pull_number,
        fork=auto.fork,
        from_artifact=auto.from_artifact,
        command=auto.command,
        command_sha=auto.command_sha,
    )


def _auto(event: str, payload: Mapping[str, Any], can_write: bool | None) -> Decision:
    if event in ("pull_request", "pull_request_target"):
        pull = payload.get("pull_request")
        if not isinstance(pull, Mapping):
            return Decision(Mode.CHECK, f"{event} event without a pull_request object")
        number = _int(pull.get("number")) or _int(payload.get("number"))
        fork = is_fork(pull)
        if payload.get("action") == "closed" or pull.get("state") == "closed":
            return Decision(Mode.SKIP, "the pull request is closed", pull_number=number, fork=fork)
        if event == "pull_request" and (fork or can_write is False):
            why = "from a fork" if fork else "with a read-only token"
            return Decision(
                Mode.CHECK,
                f"pull_request {why}: report to the job summary and the artifact",
                pull_number=number,
                fork=fork,
            )
        return Decision(Mode.COMMENT, f"{event}: sticky comment", pull_number=number, fork=fork)
    if event == "issue_comment":
        issue = payload.get("issue")
        comment = payload.get("comment")
        if not isinstance(issue, Mapping) or not isinstance(comment, Mapping):
            return Decision(Mode.SKIP, "issue_comment event without issue/comment")
        if payload.get("action", "created") != "created":
            return Decision(Mode.SKIP, f"comment {payload.get('action')}, not created")
        body = str(comment.get("body") or "")
        sha = tidy_command(body)
        if sha is None:
            return Decision(Mode.SKIP, "the comment is not a /tidy command")
        user = comment.get("user")
        if isinstance(user, Mapping) and user.get("type") != "User":
            return Decision(Mode.SKIP, f"/tidy from a {user.get('type')} account: not honoured")
        if TIDYBOT_MARKER in body:
            return Decision(Mode.SKIP, "a comment carrying tidybot's marker is never a command")
        number = _int(issue.get("number"))
        if not issue.get("pull_request"):
            return Decision(Mode.SKIP, "/tidy on an issue, not a pull request", command=True)
        if issue.get("state") == "closed":
            return Decision(Mode.SKIP, "/tidy on a closed pull request", command=True)
        return Decision(
            Mode.FIX, "/tidy command", pull_number=number, command=True, command_sha=sha
        )
    if event == "workflow_run":
        run = payload.get("workflow_run")
        if not isinstance(run, Mapping):
            return Decision(Mode.SKIP, "workflow_run event without a workflow_run object")
        if run.get("event") not in ("pull_request", "pull_request_target"):
            return Decision(Mode.SKIP, f"workflow_run of a {run.get('event')} run, not a PR")
        pulls = run.get("pull_requests")
        number = None
        if isinstance(pulls, list) and pulls and isinstance(pulls[0], Mapping):
            number = _int(pulls[0].get("number"))
        return Decision(
            Mode.COMMENT,
            "workflow_run: comment from the pull_request run's artifact",
            pull_number=number,
            from_artifact=True,
        )
    if event == "push":
        return Decision(Mode.CHECK, "push: check")
    if event in ("schedule", "workflow_dispatch"):
        return Decision(Mode.AUDIT, f"{event}: repository-wide audit")
    return Decision(Mode.CHECK, f"event {event or 'unknown'!r}: check")


def _get(obj: Mapping[str, Any], *keys: str) -> Any:
    cur: Any = obj
    for key in keys:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None
