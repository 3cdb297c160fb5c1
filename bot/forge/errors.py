"""GitHub faults as ``bot.errors.ForgeError`` subclasses whose messages name the fix.

``classify`` decides what a failed call means (retry it, wait for a reset, or give up);
``explain`` turns a final failure into the error the user reads. Both work on plain values
(status, headers, message), so they are tested without PyGithub or a server.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping

from bot.errors import ForgeError
from bot.record import record

# Workflow ``permissions:`` keys, in the order GitHub's docs list them.
_PERMISSION_ORDER = ("contents", "pull-requests", "issues", "checks", "metadata")


class PermissionDeniedError(ForgeError):
    """The token lacks a permission (403 "Resource not accessible", or 404 hiding the repo)."""

    def __init__(self, message: str, *, permissions: Mapping[str, str], hint: str) -> None:
        super().__init__(message, hint=hint)
        self.permissions = dict(permissions)


class ReadOnlyTokenError(PermissionDeniedError):
    """A write with a read-only token, as in a pull request from a fork."""


class BranchMovedError(ForgeError):
    """The branch head is not the commit the change was computed from."""

    def __init__(self, message: str, *, branch: str, expected: str, actual: str | None) -> None:
        super().__init__(
            message,
            hint="someone pushed meanwhile; re-run tidybot on the new head (nothing was written)",
        )
        self.branch = branch
        self.expected = expected
        self.actual = actual


class ProtectedBranchError(ForgeError):
    """Branch protection or a ruleset refused the update."""


class RateLimitError(ForgeError):
    """The API rate limit is exhausted and its reset is too far away to wait for."""

    def __init__(self, message: str, *, reset_at: dt.datetime | None, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.reset_at = reset_at


class ForgeUnavailableError(ForgeError):
    """GitHub kept failing (5xx, secondary rate limit, network) after the bounded retries."""


class NotFoundError(ForgeError):
    """404: the thing does not exist, or GitHub hides it from this token."""

    def __init__(self, message: str, *, permissions: Mapping[str, str], hint: str) -> None:
        super().__init__(message, hint=hint)
        self.permissions = dict(permissions)


class RequestRejectedError(ForgeError):
    """GitHub rejected the request (422 and other 4xx not covered above)."""


class Fault(enum.Enum):
    TRANSIENT = "transient"  # 5xx, network: retry with backoff
    SECONDARY_RATE_LIMIT = "secondary"  # retry after ``retry-after`` (or backoff)
    PRIMARY_RATE_LIMIT = "primary"  # wait for ``x-ratelimit-reset`` if short, else fail
    FINAL = "final"


@record
class Failure:
    """One failed HTTP answer, reduced to what the decisions need."""

    status: int
    message: str
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name:
                return str(value)
        return None


def classify(failure: Failure) -> Fault:
    status = failure.status
    text = failure.message.lower()
    if status >= 500:
        return Fault.TRANSIENT
    if status in (403, 429):
        if "secondary rate limit" in text or (
            failure.header("retry-after") is not None and "rate limit" not in text
        ):
            return Fault.SECONDARY_RATE_LIMIT
        if failure.header("x-ratelimit-remaining") == "0" or text.startswith(
            "api rate limit exceeded"
        ):
            return Fault.PRIMARY_RATE_LIMIT
        if status == 429:
            return Fault.SECONDARY_RATE_LIMIT
    return Fault.FINAL


def reset_time(failure: Failure) -> dt.datetime | None:
    raw = failure.header("x-ratelimit-reset")
    if raw is None or not raw.strip().isdigit():
        return None
    return dt.datetime.fromtimestamp(int(raw), dt.UTC)


def retry_after(failure: Failure) -> float | None:
    raw = failure.header("retry-after")
    if raw is None:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        return None


def permissions_block(permissions: Mapping[str, str]) -> str:
    """The YAML to add to the workflow job, e.g. ``permissions:\\n  contents: write``."""
    ordered = sorted(
        permissions.items(),
        key=lambda kv: (
            _PERMISSION_ORDER.index(kv[0]) if kv[0] in _PERMISSION_ORDER else 99,
            kv[0],
        ),
    )
    return "permissions:\n" + "".join(f"  {name}: {level}\n" for name, level in ordered)


def accepted_permissions(failure: Failure) -> dict[str, str]:
    """The first alternative of GitHub's ``x-accepted-github-permissions`` header."""
    raw = failure.header("x-accepted-github-permissions")
    if not raw:
        return {}
    first = raw.split(";")[0]
    out: dict[str, str] = {}
    for item in first.split(","):
        name, _, level = item.strip().partition("=")
        if name and level:
            out[name.replace("_", "-")] = level
    return out


def explain(
    failure: Failure,
    *,
    action: str,
    needs: Mapping[str, str],
    repository: str,
    branch: str | None = None,
) -> ForgeError:
    """The error for a failure that will not be retried, with the fix named."""
    status = failure.status
    text = failure.message or "(no message)"
    lower = text.lower()
    head = f"GitHub refused to {action} in {repository} ({status} {text})"
    if status == 401:
        return PermissionDeniedError(
            f"{head}: the token is invalid or expired",
            permissions=needs,
            hint="pass a valid token (the workflow's GITHUB_TOKEN, or a fine-grained token "
            "with access to the repository)",
        )
    if status == 403 and "not accessible by integration" in lower:
        wanted = {**needs, **accepted_permissions(failure)}
        block = permissions_block(wanted)
        is_write = any(level == "write" for level in wanted.values())
        cls = ReadOnlyTokenError if is_write else PermissionDeniedError
        return cls(
            f"{head}: the workflow token lacks permission",
            permissions=wanted,
            hint="add to the workflow job:\n"
            + _indent(block)
            + "  (a pull request from a fork always gets a read-only token: run the write "
            "steps from a `workflow_run` or `issue_comment` workflow instead)",
        )
    if status == 403 and _is_protection(lower):
        return ProtectedBranchError(
            f"{head}: branch protection refused the update",
            hint=_protection_hint(branch),
        )
    if status == 403:
        return PermissionDeniedError(
            f"{head}",
            permissions=needs,
            hint="check that the token may write to this repository; add to the workflow job:\n"
            + _indent(permissions_block(needs)),
        )
    if status == 404:
        return NotFoundError(
            f"{head}: not found, or hidden from this token",
            permissions=needs,
            hint="check the name; if it exists, the token cannot see it: add to the "
            "workflow job:\n" + _indent(permissions_block(needs)),
        )
    if status == 409 and "empty" in lower:
        return RequestRejectedError(f"{head}: the repository is empty", hint="push a commit first")
    if status == 422 and "not a fast forward" in lower:
        where = f"branch {branch}" if branch else "the branch"
        return BranchMovedError(
            f"{head}: {where} moved while tidybot was writing",
            branch=branch or "",
            expected="",
            actual=None,
        )
    if status == 422 and lower.startswith("reference update failed"):
        # GitHub's answer when a ruleset refuses a ref update: it gives no reason.
        return ProtectedBranchError(
            f"{head}: GitHub gives no reason; most often a ruleset or branch protection rule",
            hint=_protection_hint(branch),
        )
    if status in (409, 422) and _is_protection(lower):
        return ProtectedBranchError(
            f"{head}: branch protection refused the update",
            hint=_protection_hint(branch),
        )
    return RequestRejectedError(head)


def rate_limited(failure: Failure, *, action: str, max_wait: float, now: dt.datetime) -> ForgeError:
    reset = reset_time(failure)
    if reset is None:
        when = "at an unknown time"
    else:
        minutes = max((reset - now).total_seconds(), 0) / 60
        when = f"at {reset.strftime('%Y-%m-%dT%H:%M:%SZ')} (in {minutes:.0f} min)"
    return RateLimitError(
        f"GitHub API rate limit exhausted while trying to {action}; it resets {when}",
        reset_at=reset,
        hint=f"tidybot waits for a reset only up to {max_wait:.0f}s; re-run the job after the "
        "reset, or use a token with its own quota (a GitHub App installation token)",
    )


def unavailable(failure: Failure | None, *, action: str, attempts: int) -> ForgeError:
    what = f"{failure.status} {failure.message}" if failure is not None else "network error"
    return ForgeUnavailableError(
        f"GitHub kept failing to {action} after {attempts} attempts ({what})",
        hint="GitHub may be degraded (https://www.githubstatus.com); re-run the job later",
    )


def _is_protection(lower: str) -> bool:
    return (
        "protected branch" in lower
        or "repository rule violations" in lower
        or "branch protection" in lower
    )


def _protection_hint(branch: str | None) -> str:
    name = branch or "the branch"
    return (
        f"{name} is protected: let tidybot open a fix pull request instead of pushing "
        "(mode `fix` with a pull request branch), or allow the workflow's actor to bypass "
        "the rule"
    )


def _indent(block: str) -> str:
    return "".join(f"    {line}\n" for line in block.splitlines())
