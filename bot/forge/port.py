"""The forge ports: what tidybot asks of GitHub, in the project's own frozen records.

``Forge`` is one repository (the action, the audit, org-audit's report issue); ``Organisation``
lists an organisation's repositories (org-audit). Nothing here imports PyGithub;
``bot.forge.github`` holds the real adapters (``GitHubForge``, ``GitHubOrganisation``) and tests
may implement a port by hand where the fake GitHub server is more than they need.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal, Protocol, runtime_checkable

from bot.record import record

Reaction = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]
IssueState = Literal["open", "closed"]
# What ``permission(user)`` answers: GitHub's legacy permission names.
Permission = Literal["admin", "write", "read", "none"]

_MARKER = re.compile(r"<!-- tidybot:[A-Za-z0-9_.:/-]+ -->")


def marker_for(key: str) -> str:
    """The hidden marker that keeps one sticky comment per ``key`` (``report``, ``fix``…)."""
    text = f"<!-- tidybot:{key} -->"
    if not _MARKER.fullmatch(text):
        raise ValueError(f"invalid marker key {key!r}: use letters, digits and . _ : / -")
    return text


def check_marker(marker: str) -> str:
    if not _MARKER.fullmatch(marker):
        raise ValueError(f"invalid marker {marker!r}: build it with marker_for(key)")
    return marker


@record
class PullRequest:
    number: int
    head_sha: str
    head_ref: str
    head_repo: str  # "owner/name" of the head repository ("" when the fork was deleted)
    base_ref: str
    base_sha: str
    is_fork: bool
    maintainer_can_modify: bool
    author: str
    state: str = "open"
    title: str = ""
    url: str = ""


@record
class Comment:
    id: int
    body: str
    author: str
    url: str = ""
    author_type: str = "User"  # GitHub's user type: "User", "Bot", "Organization"


@record
class CommitInfo:
    sha: str
    message: str
    author_name: str
    author_email: str
    parents: tuple[str, ...]
    tree: str = ""


@record
class BranchInfo:
    name: str
    protected: bool
    default: bool  # the repository's default branch


@record
class Issue:
    number: int
    title: str
    body: str
    state: str
    labels: tuple[str, ...]
    url: str = ""
    author: str = ""


@record
class RepoInfo:
    """One repository of an organisation's listing, as much of it as an audit needs."""

    full_name: str
    clone_url: str
    default_branch: str
    archived: bool = False
    fork: bool = False
    topics: tuple[str, ...] = ()
    private: bool = False

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@runtime_checkable
class Organisation(Protocol):
    """The repositories of an organisation."""

    def list_repositories(self, org: str) -> list[RepoInfo]:
        """Every repository of ``org`` the token can see (archived ones and forks included)."""
        ...


@runtime_checkable
class Forge(Protocol):
    """One repository on a forge, seen through the operations tidybot needs."""

    @property
    def repository(self) -> str:
        """``owner/name``."""
        ...

    def can_write(self) -> bool:
        """False for a read-only token (a pull request from a fork): report, do not write."""
        ...

    def identity(self) -> str:
        """The login of the token's own account (``github-actions[bot]``, ``my-app[bot]``, a
        user): what tidybot wrote is what this account wrote, and nothing else is touched."""
        ...

    def read_file(self, path: str, ref: str) -> bytes | None:
        """A file of the repository at ``ref`` (None when there is none)."""
        ...

    def branch_info(self, branch: str) -> BranchInfo: ...

    # pull requests and comments
    def get_pull(self, number: int) -> PullRequest: ...

    def find_comment(self, issue_number: int, marker: str) -> Comment | None:
        """tidybot's own comment with ``marker`` (written by :meth:`identity`), or None."""
        ...

    def upsert_comment(self, issue_number: int, marker: str, body: str) -> Comment:
        """Edit tidybot's own comment with ``marker`` in place, or post it. Comments of anyone
        else are never edited or deleted, whatever they contain."""
        ...

    def react(self, comment_id: int, reaction: Reaction) -> None: ...

    def reply(self, issue_number: int, body: str) -> Comment: ...

    def permission(self, user: str) -> str: ...

    # branches and commits
    def branch_head(self, branch: str) -> str: ...

    def commit_files(
        self,
        branch: str,
        expected_head: str,
        files: Mapping[str, bytes | None],
        message: str,
    ) -> str: ...

    def last_commit(self, branch: str) -> CommitInfo: ...

    def create_or_update_branch(self, branch: str, sha: str, *, force: bool = False) -> None: ...

    # dashboard issue and fix pull request
    def find_issue_by_label(
        self, label: str, *, state: str = "open", marker: str | None = None
    ) -> Issue | None:
        """The oldest issue with ``label`` that tidybot's own account opened (and whose body
        holds ``marker``, when given); issues of anyone else are never returned."""
        ...

    def create_issue(self, title: str, body: str, labels: tuple[str, ...] = ()) -> Issue: ...

    def update_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: IssueState | None = None,
    ) -> Issue: ...

    def find_pull(self, head_branch: str, *, state: str = "open") -> PullRequest | None: ...

    def create_pull(self, head_branch: str, base: str, title: str, body: str) -> PullRequest: ...

    def update_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: IssueState | None = None,
        base: str | None = None,
    ) -> PullRequest: ...
