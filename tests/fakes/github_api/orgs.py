"""Organisations for the fake GitHub: ``GET /orgs/{org}/repos`` (paginated, Link headers) and
``GET /repos/{owner}/{repo}/topics``, validated against the OpenAPI description like every
other handler of ``server.py``, plus :func:`add_org_repo` to set an organisation up.

A repository's ``archived`` flag and ``topics`` live on ``Repo``; a fork is a repository
created with ``fork_of``. Imported by ``server.py`` so the handlers are registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .openapi import JSON
from .server import ApiError, FakeGitHub, Repo, _ok, _Request, _route


def add_org(fake: FakeGitHub, org: str) -> None:
    """Make ``org`` an organisation (its repositories may exist already)."""
    fake.add_user(org, kind="Organization")
    with fake.lock:
        fake.users[org]["type"] = "Organization"


def add_org_repo(
    fake: FakeGitHub,
    full_name: str,
    files: Mapping[str, bytes] | None,
    *,
    archived: bool = False,
    topics: Iterable[str] = (),
    fork_of: str | None = None,
    private: bool = False,
    default_branch: str = "main",
) -> Repo:
    """A repository of an organisation, with its flags; ``files`` make the first commit."""
    add_org(fake, full_name.split("/")[0])
    repo = fake.create_repo(
        full_name, files, default_branch=default_branch, private=private, fork_of=fork_of
    )
    with fake.lock:
        repo.archived = archived
        repo.topics = sorted(set(topics))
    return repo


@_route("repos/list-for-org")
def _list_for_org(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    org = r.params["org"]
    user = r.gh.users.get(org) or next(
        (u for login, u in r.gh.users.items() if login.lower() == org.lower()), None
    )
    if user is None or user.get("type") != "Organization":
        raise ApiError(404, "Not Found", docs="https://docs.github.com/rest/repos/repos")
    kind = r.q("type", "all") or "all"
    sort = r.q("sort", "created") or "created"
    direction = r.q("direction") or ("asc" if sort == "full_name" else "desc")
    repos = [x for x in r.gh.repos.values() if x.owner.lower() == org.lower()]
    if r.token is None:
        repos = [x for x in repos if not x.private]
    if kind == "public":
        repos = [x for x in repos if not x.private]
    elif kind == "private":
        repos = [x for x in repos if x.private]
    elif kind == "forks":
        repos = [x for x in repos if x.fork_of is not None]
    elif kind == "sources":
        repos = [x for x in repos if x.fork_of is None]
    if sort == "full_name":
        repos.sort(key=lambda x: x.full_name.lower())
    else:  # created, updated, pushed: the fake's repositories were created in id order
        repos.sort(key=lambda x: x.id)
    if direction == "desc":
        repos.reverse()
    items: list[JSON] = [r.gh.repo_json(x, "minimal-repository") for x in repos]
    return r.paginate(items)


@_route("repos/get-all-topics")
def _topics(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok({"names": list(r.repo.topics)})


__all__ = ["add_org", "add_org_repo"]
