"""Who a token is, and files by path: ``GET /user``, ``GET /repos/{owner}/{repo}/contents/{path}``
and the GraphQL ``viewer`` query, for the fake GitHub.

As on GitHub, ``GET /user`` answers a personal access token with its user and refuses an
integration token (the workflow's ``GITHUB_TOKEN``, an App installation token) with 403
"Resource not accessible by integration"; the GraphQL query ``{ viewer { login } }`` names the
token's account for both kinds. GraphQL is not in the REST OpenAPI description, so
:func:`graphql` is served beside it (``server.py`` calls it for ``POST /graphql``) and accepts
exactly that one query. Imported by ``server.py`` so the REST handlers are registered.
"""

from __future__ import annotations

import base64
import re

from .openapi import JSON
from .server import ApiError, FakeGitHub, _ok, _Request, _resolve_commitish, _route

_VIEWER = re.compile(r"^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$")


@_route("users/get-authenticated")
def _authenticated(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    if r.token is None:
        raise ApiError(401, "Requires authentication", docs="https://docs.github.com/rest/users")
    user = r.gh.add_user(r.token.login)
    if user.get("type") == "Bot":
        raise ApiError(
            403,
            "Resource not accessible by integration",
            docs="https://docs.github.com/rest/users/users#get-the-authenticated-user",
        )
    data = dict(user)
    data.update(
        {
            "name": None,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2020-01-01T00:00:00Z",
        }
    )
    return _ok(r.gh.api.complete("public-user", data))


@_route("repos/get-content")
def _content(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    ref = r.q("ref") or r.repo.default_branch
    sha = _resolve_commitish(r, ref)
    path = r.params["path"].strip("/")
    entries = r.gh.store.walk(r.gh.store.commit(sha).tree)
    entry = entries.get(path)
    if entry is None or entry.type != "blob":
        raise ApiError(404, "Not Found", docs="https://docs.github.com/rest/repos/contents")
    data = r.gh.store.data(entry.sha)
    api = f"{r.gh.base_url}/repos/{r.repo.full_name}"
    return _ok(
        r.gh.api.complete(
            "content-file",
            {
                "type": "file",
                "encoding": "base64",
                "size": len(data),
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "content": base64.b64encode(data).decode(),
                "sha": entry.sha,
                "url": f"{api}/contents/{path}?ref={ref}",
                "git_url": f"{api}/git/blobs/{entry.sha}",
                "html_url": f"https://github.com/{r.repo.full_name}/blob/{ref}/{path}",
                "download_url": None,
                "_links": {
                    "git": f"{api}/git/blobs/{entry.sha}",
                    "html": f"https://github.com/{r.repo.full_name}/blob/{ref}/{path}",
                    "self": f"{api}/contents/{path}?ref={ref}",
                },
            },
        )
    )


def graphql(gh: FakeGitHub, token: str | None, body: JSON | None) -> tuple[int, JSON]:
    """``POST /graphql``: the ``viewer { login }`` query, or a GraphQL error."""
    entry = gh.tokens.get(token) if token else None
    if entry is None:
        return 401, {
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/graphql",
        }
    query = body.get("query") if isinstance(body, dict) else None
    if not isinstance(query, str) or not _VIEWER.match(query):
        gh.violations.append(
            f"graphql: the fake answers only {{ viewer {{ login }} }}, not {query!r}"
        )
        return 200, {"errors": [{"message": "the fake answers only { viewer { login } }"}]}
    return 200, {"data": {"viewer": {"login": entry.login}}}
