"""The GitHub adapters over PyGithub: ``GitHubForge`` (one repository, the ``Forge`` port) and
``GitHubOrganisation`` (an organisation's repositories, the ``Organisation`` port).

Both are a :class:`GitHubClient`, which holds the one retry policy and error translation of
every call tidybot makes to GitHub. PyGithub's ``GithubRetry`` is switched off (``retry=0``) so
every wait is bounded, visible in one place and testable through constructor arguments
(``backoff_base``, ``sleep``, ``clock``, ``on_wait``) rather than patching. What is retried:

* 5xx answers and network errors: up to ``max_attempts`` calls, exponential backoff;
* secondary rate limits (403/429 with ``retry-after`` or the "secondary rate limit" text):
  wait ``retry-after`` seconds (capped by ``max_rate_limit_wait``), else backoff;
* primary rate limits (``x-ratelimit-remaining: 0``): wait for ``x-ratelimit-reset`` only
  when it is at most ``max_rate_limit_wait`` seconds away, else ``RateLimitError`` naming
  the reset time. A pull request's run waits a minute at most; an organisation audit, a batch
  job, an hour (the clients' defaults).

Everything else becomes a ``ForgeError`` subclass from ``bot.forge.errors`` whose hint names
the fix (the ``permissions:`` block to add, the protected branch, the moved head).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException
from github.GitCommit import GitCommit
from github.GithubObject import CompletableGithubObject
from github.InputGitTreeElement import InputGitTreeElement
from github.Issue import Issue as GhIssue
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest as GhPull
from github.Repository import Repository as GhRepository

from bot.errors import ForgeError

from . import errors
from .errors import BranchMovedError, Failure, Fault
from .port import (
    BranchInfo,
    Comment,
    CommitInfo,
    Issue,
    IssueState,
    PullRequest,
    Reaction,
    RepoInfo,
    check_marker,
)

T = TypeVar("T")

DEFAULT_API_URL = "https://api.github.com"

# Permissions each operation needs, as workflow ``permissions:`` keys.
_READ_PR = {"pull-requests": "read"}
_WRITE_COMMENT = {"pull-requests": "write", "issues": "write"}
_READ_CONTENTS = {"contents": "read"}
_WRITE_CONTENTS = {"contents": "write"}
_WRITE_ISSUES = {"issues": "write"}
_READ_ISSUES = {"issues": "read"}
_WRITE_PULLS = {"contents": "write", "pull-requests": "write"}
_EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


class GitHubClient:
    """One PyGithub connection and the retry policy of every call made through it."""

    def __init__(
        self,
        token: str,
        *,
        where: str,
        base_url: str | None = None,
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        max_rate_limit_wait: float = 60.0,
        per_page: int = 100,
        timeout: int = 30,
        seconds_between_requests: float | None = None,
        seconds_between_writes: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """``where`` names what the calls are about in messages (``owner/name``).
        ``base_url`` defaults to ``GITHUB_API_URL`` (set by Actions), then api.github.com;
        an empty ``token`` makes unauthenticated calls. ``seconds_between_*`` default to
        PyGithub's throttling (GitHub's advice against secondary rate limits); tests pass 0.
        ``on_wait`` hears each wait before it starts (``waiting 31s (rate limit)``)."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        url = (base_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        throttle: dict[str, Any] = {}
        if seconds_between_requests is not None:
            throttle["seconds_between_requests"] = seconds_between_requests
        if seconds_between_writes is not None:
            throttle["seconds_between_writes"] = seconds_between_writes
        self._gh = Github(
            auth=Auth.Token(token) if token else None,
            base_url=url,
            timeout=timeout,
            per_page=per_page,
            retry=0,  # retries are ours (see the module docstring)
            lazy=True,  # no request until a value is read; ``_call`` completes inside retries
            **throttle,
        )
        self.base_url = url
        self._where = where
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._max_rate_limit_wait = max_rate_limit_wait
        self._sleep = sleep
        self._clock = clock
        self._on_wait = on_wait

    def close(self) -> None:
        self._gh.close()

    # ---- the retry/translation core ------------------------------------------------------

    def _call(
        self,
        action: str,
        needs: Mapping[str, str],
        fn: Callable[[], T],
        *,
        branch: str | None = None,
        where: str | None = None,
    ) -> T:
        """``fn()`` under the retry policy; a final failure becomes the error naming the fix.
        ``action`` completes "GitHub refused to …", ``where`` (default: the client's) what
        it was about, ``needs`` the workflow permissions it takes."""
        place = self._where if where is None else where
        last: Failure | None = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                result = fn()
                if isinstance(result, CompletableGithubObject):
                    result.complete()  # a lazy object fetches now, inside the retry loop
                return result
            except GithubException as exc:
                failure = _failure(exc)
            except (requests.ConnectionError, requests.Timeout):
                failure = None
            last = failure
            kind = Fault.TRANSIENT if failure is None else errors.classify(failure)
            if kind is Fault.FINAL:
                assert failure is not None
                raise errors.explain(
                    failure, action=action, needs=needs, repository=place, branch=branch
                )
            if kind is Fault.PRIMARY_RATE_LIMIT:
                assert failure is not None
                wait = self._reset_wait(failure)
                if wait is None or wait > self._max_rate_limit_wait:
                    raise self._rate_limited(failure, f"{action} in {place}")
            elif kind is Fault.SECONDARY_RATE_LIMIT:
                assert failure is not None
                after = errors.retry_after(failure)
                wait = self._backoff(attempt) if after is None else after
                if wait > self._max_rate_limit_wait:
                    raise self._rate_limited(failure, f"{action} in {place}")
            else:
                wait = self._backoff(attempt)
            if attempt < self._max_attempts:
                self._wait(wait, kind)
        raise errors.unavailable(last, action=f"{action} in {place}", attempts=self._max_attempts)

    def _rate_limited(self, failure: Failure, action: str) -> ForgeError:
        return errors.rate_limited(
            failure,
            action=action,
            max_wait=self._max_rate_limit_wait,
            now=dt.datetime.fromtimestamp(self._clock(), dt.UTC),
        )

    def _backoff(self, attempt: int) -> float:
        return float(self._backoff_base * (2 ** (attempt - 1)))

    def _reset_wait(self, failure: Failure) -> float | None:
        reset = errors.reset_time(failure)
        if reset is None:
            after = errors.retry_after(failure)
            return after
        return max(reset.timestamp() - self._clock(), 0.0) + 1.0

    def _wait(self, seconds: float, kind: Fault) -> None:
        if self._on_wait is not None:
            what = "GitHub error" if kind is Fault.TRANSIENT else "rate limit"
            self._on_wait(f"waiting {seconds:.0f}s ({what})")
        self._sleep(seconds)


class GitHubOrganisation(GitHubClient):
    """The repositories of organisations, for ``tidybot org-audit``.

    The same client and retry policy as :class:`GitHubForge`; only the defaults differ for a
    batch job: five attempts, and a wait of up to an hour for a primary rate limit's reset.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        max_rate_limit_wait: float = 3600.0,
        per_page: int = 100,
        timeout: int = 30,
        seconds_between_requests: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(
            token,
            where="",
            base_url=base_url,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            max_rate_limit_wait=max_rate_limit_wait,
            per_page=per_page,
            timeout=timeout,
            seconds_between_requests=seconds_between_requests,
            sleep=sleep,
            clock=clock,
            on_wait=on_wait,
        )

    def list_repositories(self, org: str) -> list[RepoInfo]:
        """``GET /orgs/{org}/repos?type=all``, every page (PyGithub follows the Link header).

        Each page is fetched inside its own retry loop: indexing one past what the list holds
        fetches the next page, and a page that failed is asked again from where it stopped."""
        pages = self._gh.get_organization(org).get_repos(type="all")
        where = f"the organisation {org}"
        out: list[RepoInfo] = []
        while True:
            try:
                info = self._call(
                    "list the repositories",
                    {"metadata": "read"},
                    lambda: _repo_info(pages[len(out)]),
                    where=where,
                )
            except IndexError:  # past the last page
                return out
            out.append(info)


class GitHubForge(GitHubClient):
    """One repository on GitHub (or GitHub Enterprise) through the REST API."""

    def __init__(
        self,
        repository: str,
        token: str,
        *,
        base_url: str | None = None,
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        max_rate_limit_wait: float = 60.0,
        read_only: bool | None = None,
        per_page: int = 100,
        timeout: int = 30,
        seconds_between_requests: float | None = None,
        seconds_between_writes: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``read_only`` is known from the event for a fork pull request; ``None`` means
        ``can_write`` asks GitHub once. The other arguments are :class:`GitHubClient`'s."""
        if "/" not in repository.strip("/"):
            raise ForgeError(
                f"invalid repository {repository!r}: expected owner/name",
                hint="set GITHUB_REPOSITORY or the `repository` input to owner/name",
            )
        self._repository = repository.strip("/")
        super().__init__(
            token,
            where=self._repository,
            base_url=base_url,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            max_rate_limit_wait=max_rate_limit_wait,
            per_page=per_page,
            timeout=timeout,
            seconds_between_requests=seconds_between_requests,
            seconds_between_writes=seconds_between_writes,
            sleep=sleep,
            clock=clock,
        )
        self._repo = self._gh.get_repo(self._repository)
        self._read_only = read_only
        self._lock = threading.Lock()
        self._identity: str | None = None

    @property
    def repository(self) -> str:
        return self._repository

    # ---- token capability ----------------------------------------------------------------

    def can_write(self) -> bool:
        """Whether the token may write contents, asked once with a harmless write.

        The probe stores the empty blob (it exists in nearly every repository, and an
        unreferenced blob is invisible and garbage-collected). A 403/404 means read-only.
        """
        with self._lock:
            if self._read_only is not None:
                return not self._read_only
        try:
            self._call(
                "check write access",
                _WRITE_CONTENTS,
                lambda: self._repo.create_git_blob("", "utf-8"),
            )
        except (errors.PermissionDeniedError, errors.NotFoundError):
            writable = False
        else:
            writable = True
        with self._lock:
            self._read_only = not writable
        return writable

    # ---- who this token is, files, branches ----------------------------------------------

    def identity(self) -> str:
        """The token's own login, asked once: ``GET /user`` for a personal token; GitHub
        refuses that to integration tokens (the workflow's ``GITHUB_TOKEN``, App installation
        tokens), whose account the GraphQL ``viewer`` names (``github-actions[bot]``)."""
        with self._lock:
            if self._identity is not None:
                return self._identity
        try:
            login = self._call("read the token's account", {}, lambda: self._gh.get_user().login)
        except errors.PermissionDeniedError:
            data = self._call(
                "read the token's account (GraphQL viewer)",
                {},
                lambda: self._gh.requester.graphql_query("query { viewer { login } }", {}),
            )
            login = str(data[1].get("data", {}).get("viewer", {}).get("login") or "")
        if not login:
            raise ForgeError("GitHub did not say which account the token belongs to")
        with self._lock:
            self._identity = login
        return login

    def read_file(self, path: str, ref: str, *, limit: int = 1 << 20) -> bytes | None:
        """A regular file at ``ref``, at most ``limit`` bytes (None: no such file, or larger)."""
        try:
            content = self._call(
                f"read {path} at {ref[:12]}",
                _READ_CONTENTS,
                lambda: self._repo.get_contents(path, ref=ref),
            )
        except errors.NotFoundError:
            return None
        if isinstance(content, list) or content.type != "file" or content.size > limit:
            return None
        return bytes(content.decoded_content)

    def branch_info(self, branch: str) -> BranchInfo:
        data = self._call(
            f"read branch {branch}",
            _READ_CONTENTS,
            lambda: self._repo.get_branch(branch),
            branch=branch,
        )
        default = self._call("read the repository", {"metadata": "read"}, lambda: self._repo)
        return BranchInfo(branch, bool(data.protected), branch == default.default_branch)

    # ---- pull requests -------------------------------------------------------------------

    def get_pull(self, number: int) -> PullRequest:
        pull = self._call(
            f"read pull request #{number}",
            _READ_PR,
            lambda: self._repo.get_pull(number),
        )
        return self._pull(pull)

    def find_pull(self, head_branch: str, *, state: str = "open") -> PullRequest | None:
        owner = self._repository.split("/")[0]
        pulls = self._call(
            f"list pull requests for {head_branch}",
            _READ_PR,
            lambda: list(self._repo.get_pulls(state=state, head=f"{owner}:{head_branch}")),
        )
        for pull in pulls:
            if pull.head.ref == head_branch:
                return self._pull(pull)
        return None

    def create_pull(self, head_branch: str, base: str, title: str, body: str) -> PullRequest:
        pull = self._call(
            f"open a pull request from {head_branch}",
            _WRITE_PULLS,
            lambda: self._repo.create_pull(
                base=base, head=head_branch, title=title, body=body, maintainer_can_modify=True
            ),
            branch=head_branch,
        )
        return self._pull(pull)

    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: IssueState | None = None,
        base: str | None = None,
    ) -> PullRequest:
        fields: dict[str, Any] = {
            k: v
            for k, v in (("title", title), ("body", body), ("state", state), ("base", base))
            if v is not None
        }

        def edit() -> GhPull:
            pull = self._repo.get_pull(number)
            pull.edit(**fields)
            return pull

        return self._pull(self._call(f"update pull request #{number}", _WRITE_PULLS, edit))

    def _pull(self, pull: GhPull) -> PullRequest:
        head_repo = pull.head.repo.full_name if pull.head.repo is not None else ""
        return PullRequest(
            number=pull.number,
            head_sha=pull.head.sha,
            head_ref=pull.head.ref,
            head_repo=head_repo,
            base_ref=pull.base.ref,
            base_sha=pull.base.sha,
            is_fork=head_repo.lower() != self._repository.lower(),
            maintainer_can_modify=bool(pull.raw_data.get("maintainer_can_modify", False)),
            author=pull.user.login if pull.user is not None else "ghost",
            state=pull.state,
            title=pull.title,
            url=pull.html_url,
        )

    # ---- comments ------------------------------------------------------------------------

    def _comments(self, issue_number: int, marker: str) -> list[IssueComment]:
        """tidybot's own comments with ``marker``, oldest first: the marker alone proves
        nothing (anyone can post it), the author does."""
        me = self.identity()
        issue: GhIssue = self._repo.get_issue(issue_number)
        found = [
            c
            for c in issue.get_comments()
            if c.user is not None
            and c.user.login == me
            and (c.body or "").lstrip().startswith(marker)
        ]
        return sorted(found, key=lambda c: c.id)

    def find_comment(self, issue_number: int, marker: str) -> Comment | None:
        check_marker(marker)
        found = self._call(
            f"list comments of #{issue_number}",
            _READ_PR,
            lambda: self._comments(issue_number, marker),
        )
        return _comment(found[0]) if found else None

    def upsert_comment(self, issue_number: int, marker: str, body: str) -> Comment:
        """One sticky comment per marker, edited in place; only tidybot's own comments count.

        Two runs racing may both create one; after creating, each lists again, keeps the
        oldest own comment with the marker (the same one for both runs), writes its body there
        and deletes its own newer duplicates.
        """
        check_marker(marker)
        text = body if body.lstrip().startswith(marker) else f"{marker}\n{body}"
        where = f"#{issue_number}"
        found = self._call(
            f"list comments of {where}", _READ_PR, lambda: self._comments(issue_number, marker)
        )
        if not found:
            self._call(
                f"comment on {where}",
                _WRITE_COMMENT,
                lambda: self._repo.get_issue(issue_number).create_comment(text),
            )
            found = self._call(
                f"list comments of {where}", _READ_PR, lambda: self._comments(issue_number, marker)
            )
        if not found:
            raise ForgeError(f"the comment posted on {where} is not listed as tidybot's own")
        keep, duplicates = found[0], found[1:]
        for dup in duplicates:
            self._delete_comment(dup.id)
        if keep.body != text:
            self._call(
                f"edit comment {keep.id} on {where}", _WRITE_COMMENT, lambda: keep.edit(text)
            )
        return Comment(keep.id, text, keep.user.login if keep.user else "", keep.html_url, "Bot")

    def _delete_comment(self, comment_id: int) -> None:
        comment = self._comment_object(comment_id)
        try:
            self._call(f"delete duplicate comment {comment_id}", _WRITE_COMMENT, comment.delete)
        except errors.NotFoundError:
            return  # the other run deleted it first

    def _comment_object(self, comment_id: int) -> IssueComment:
        url = f"{self._repo.url}/issues/comments/{comment_id}"
        return IssueComment(self._gh.requester, url=url)

    def react(self, comment_id: int, reaction: Reaction) -> None:
        comment = self._comment_object(comment_id)
        self._call(
            f"react to comment {comment_id}",
            _WRITE_COMMENT,
            lambda: comment.create_reaction(reaction),
        )

    def reply(self, issue_number: int, body: str) -> Comment:
        created = self._call(
            f"comment on #{issue_number}",
            _WRITE_COMMENT,
            lambda: self._repo.get_issue(issue_number).create_comment(body),
        )
        return _comment(created)

    def permission(self, user: str) -> str:
        try:
            return self._call(
                f"read {user}'s permission",
                {"metadata": "read"},
                lambda: self._repo.get_collaborator_permission(user),
            )
        except errors.NotFoundError:
            return "none"

    # ---- branches and commits ------------------------------------------------------------

    def branch_head(self, branch: str) -> str:
        ref = self._call(
            f"read branch {branch}",
            _READ_CONTENTS,
            lambda: self._repo.get_git_ref(f"heads/{branch}"),
            branch=branch,
        )
        return ref.object.sha

    def last_commit(self, branch: str) -> CommitInfo:
        sha = self.branch_head(branch)
        commit = self._call(
            f"read commit {sha[:12]}", _READ_CONTENTS, lambda: self._repo.get_git_commit(sha)
        )
        return CommitInfo(
            sha=commit.sha,
            message=commit.message,
            author_name=commit.author.name,
            author_email=commit.author.email,
            parents=tuple(p.sha for p in commit.parents),
            tree=commit.tree.sha,
        )

    def commit_files(
        self,
        branch: str,
        expected_head: str,
        files: Mapping[str, bytes | None],
        message: str,
    ) -> str:
        """Commit ``files`` (path -> content; None deletes) on ``branch`` without forcing.

        Refuses with ``BranchMovedError`` before writing anything when the branch head is not
        ``expected_head``; a head that moves between that check and the ref update makes
        GitHub answer 422 "not a fast forward", mapped to the same error (only unreferenced
        objects were written then). An empty change makes no commit and returns the head.
        """
        ref = self._call(
            f"read branch {branch}",
            _READ_CONTENTS,
            lambda: self._repo.get_git_ref(f"heads/{branch}"),
            branch=branch,
        )
        actual = ref.object.sha
        if actual != expected_head:
            raise BranchMovedError(
                f"branch {branch} of {self._repository} is at {actual[:12]}, not at "
                f"{expected_head[:12]} where tidybot computed its fix",
                branch=branch,
                expected=expected_head,
                actual=actual,
            )
        if not files:
            return expected_head
        parent = self._call(
            f"read commit {expected_head[:12]}",
            _READ_CONTENTS,
            lambda: self._repo.get_git_commit(expected_head),
        )
        elements: list[InputGitTreeElement] = []
        for path in sorted(files):
            data = files[path]
            if data is None:
                elements.append(InputGitTreeElement(path, "100644", "blob", sha=None))
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:  # text rides in the tree request itself: one request, not one per file
                elements.append(InputGitTreeElement(path, "100644", "blob", content=text))
                continue
            encoded = base64.b64encode(data).decode("ascii")
            blob = self._call(
                f"upload {path}",
                _WRITE_CONTENTS,
                lambda encoded=encoded: self._repo.create_git_blob(encoded, "base64"),  # type: ignore[misc]
                branch=branch,
            )
            elements.append(InputGitTreeElement(path, "100644", "blob", sha=blob.sha))
        tree = self._call(
            "create a tree",
            _WRITE_CONTENTS,
            lambda: self._repo.create_git_tree(elements, parent.tree),
            branch=branch,
        )
        if tree.sha == parent.tree.sha:
            return expected_head
        commit: GitCommit = self._call(
            "create a commit",
            _WRITE_CONTENTS,
            lambda: self._repo.create_git_commit(message, tree, [parent]),
            branch=branch,
        )
        try:
            self._call(
                f"update branch {branch}",
                _WRITE_CONTENTS,
                lambda: ref.edit(commit.sha, force=False),
                branch=branch,
            )
        except BranchMovedError as exc:
            raise BranchMovedError(
                f"branch {branch} of {self._repository} moved away from {expected_head[:12]} "
                "while tidybot was committing; the branch was not changed",
                branch=branch,
                expected=expected_head,
                actual=None,
            ) from exc
        return commit.sha

    def create_or_update_branch(self, branch: str, sha: str, *, force: bool = False) -> None:
        """Point ``branch`` at ``sha``; ``force`` only for tidybot's own branches."""
        if force and not branch.startswith("tidybot/"):
            raise ForgeError(
                f"refusing to force-update branch {branch}: only tidybot's own branches "
                "(tidybot/…) may be force-updated",
                hint="use a branch name under tidybot/ for the fix pull request",
            )
        try:
            ref = self._call(
                f"read branch {branch}",
                _READ_CONTENTS,
                lambda: self._repo.get_git_ref(f"heads/{branch}"),
                branch=branch,
            )
        except errors.NotFoundError:
            self._call(
                f"create branch {branch}",
                _WRITE_CONTENTS,
                lambda: self._repo.create_git_ref(f"refs/heads/{branch}", sha),
                branch=branch,
            )
            return
        if ref.object.sha == sha:
            return
        self._call(
            f"update branch {branch}",
            _WRITE_CONTENTS,
            lambda: ref.edit(sha, force=force),
            branch=branch,
        )

    # ---- issues --------------------------------------------------------------------------

    def find_issue_by_label(
        self, label: str, *, state: str = "open", marker: str | None = None
    ) -> Issue | None:
        me = self.identity()
        issues = self._call(
            f"list issues labelled {label}",
            _READ_ISSUES,
            lambda: [
                i
                for i in self._repo.get_issues(state=state, labels=[label])
                if i.pull_request is None
                and i.user is not None
                and i.user.login == me
                and (marker is None or marker in (i.body or ""))
            ],
        )
        if not issues:
            return None
        return _issue(min(issues, key=lambda i: i.number))

    def create_issue(self, title: str, body: str, labels: tuple[str, ...] = ()) -> Issue:
        created = self._call(
            "open an issue",
            _WRITE_ISSUES,
            lambda: self._repo.create_issue(title=title, body=body, labels=list(labels)),
        )
        return _issue(created)

    def update_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: IssueState | None = None,
    ) -> Issue:
        fields: dict[str, Any] = {
            k: v for k, v in (("title", title), ("body", body), ("state", state)) if v is not None
        }

        def edit() -> GhIssue:
            issue = self._repo.get_issue(number)
            issue.edit(**fields)
            return issue

        return _issue(self._call(f"update issue #{number}", _WRITE_ISSUES, edit))


def _failure(exc: GithubException) -> Failure:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc.message or "")
    return Failure(exc.status, message, dict(exc.headers or {}))


def _repo_info(r: GhRepository) -> RepoInfo:
    """A repository of a listing as the project's record. Every field read here is in the
    listing's answer, so PyGithub makes no request per repository."""
    return RepoInfo(
        full_name=r.full_name,
        clone_url=r.clone_url or "",
        default_branch=r.default_branch or "main",
        archived=bool(r.archived),
        fork=bool(r.fork),
        topics=tuple(sorted(t for t in r.topics or () if isinstance(t, str))),
        private=bool(r.private),
    )


def _comment(c: IssueComment) -> Comment:
    user = c.user
    return Comment(
        c.id, c.body or "", user.login if user else "", c.html_url, user.type if user else ""
    )


def _issue(i: GhIssue) -> Issue:
    return Issue(
        number=i.number,
        title=i.title,
        body=i.body or "",
        state=i.state,
        labels=tuple(label.name for label in i.labels),
        url=i.html_url,
        author=i.user.login if i.user is not None else "",
    )
