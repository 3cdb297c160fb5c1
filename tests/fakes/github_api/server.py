"""A stateful fake of the GitHub REST API over real HTTP on 127.0.0.1.

Every request is matched against GitHub's OpenAPI description and validated (path, query,
body); every response is validated against the declared response schema. A violation is
recorded in ``violations`` (the pytest fixture fails the test on teardown) and is also sent to
the client: 400 for a bad request, 500 for a bad response.

State lives in memory: repositories with real git objects (``GitStore``), refs, branch
protection, pull requests, issues, comments, labels, reactions, check runs, collaborators and
tokens with GitHub App style permissions. Faults are injected per operation id
(``git/update-ref``) or for every operation (``*``).
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

from .gitstore import GitStore, Signature, TreeEntry
from .openapi import JSON, Match, OpenAPI

WRITE = "write"
READ = "read"
ALL_WRITE = {
    "contents": WRITE,
    "pull_requests": WRITE,
    "issues": WRITE,
    "checks": WRITE,
    "metadata": READ,
}
READ_ONLY = {
    "contents": READ,
    "pull_requests": READ,
    "issues": READ,
    "checks": READ,
    "metadata": READ,
}
BOT_LOGIN = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"

# operation id -> alternatives of (permission, level); any one alternative suffices.
PERMISSIONS: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    "repos/get": (((("metadata", READ),)),),
    "repos/get-content": ((("contents", READ),),),
    "pulls/get": ((("pull_requests", READ),),),
    "pulls/list": ((("pull_requests", READ),),),
    "pulls/create": ((("pull_requests", WRITE),),),
    "pulls/update": ((("pull_requests", WRITE),),),
    "issues/list-comments": ((("issues", READ),), (("pull_requests", READ),)),
    "issues/get-comment": ((("issues", READ),), (("pull_requests", READ),)),
    "issues/create-comment": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "issues/update-comment": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "issues/delete-comment": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "reactions/create-for-issue-comment": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "repos/get-collaborator-permission-level": ((("metadata", READ),),),
    "git/create-blob": ((("contents", WRITE),),),
    "git/get-blob": ((("contents", READ),),),
    "git/create-tree": ((("contents", WRITE),),),
    "git/get-tree": ((("contents", READ),),),
    "git/create-commit": ((("contents", WRITE),),),
    "git/get-commit": ((("contents", READ),),),
    "git/get-ref": ((("contents", READ),),),
    "git/update-ref": ((("contents", WRITE),),),
    "git/create-ref": ((("contents", WRITE),),),
    "repos/get-commit": ((("contents", READ),),),
    "repos/get-branch": ((("contents", READ),),),
    "issues/create": ((("issues", WRITE),),),
    "issues/update": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "issues/get": ((("issues", READ),), (("pull_requests", READ),)),
    "issues/list-for-repo": ((("issues", READ),),),
    "issues/list-labels-for-repo": ((("issues", READ),), (("pull_requests", READ),)),
    "issues/get-label": ((("issues", READ),), (("pull_requests", READ),)),
    "issues/create-label": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "issues/add-labels": ((("issues", WRITE),), (("pull_requests", WRITE),)),
    "checks/create": ((("checks", WRITE),),),
    "checks/update": ((("checks", WRITE),),),
}

_LEVEL = {"none": 0, READ: 1, WRITE: 2}
_DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """A GitHub error answer raised by a handler."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        docs: str = _DOCS,
        errors: list[JSON] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, JSON] = {
            "message": message,
            "documentation_url": docs,
            "status": str(status),
        }
        if errors is not None:
            self.body["errors"] = errors
        self.headers = dict(headers or {})


@dataclass
class Token:
    token: str = field(repr=False)
    login: str
    permissions: dict[str, str]
    scopes: str | None = None  # classic personal access token: the x-oauth-scopes value


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: Mapping[str, list[str]]
    body: JSON | None
    operation_id: str | None
    status: int
    login: str | None

    @property
    def is_write(self) -> bool:
        if self.operation_id == "graphql":  # a POST, but only a mutation writes
            query = self.body.get("query") if isinstance(self.body, dict) else None
            return str(query or "").lstrip().startswith("mutation")
        return self.method not in ("GET", "HEAD")


@dataclass
class Fault:
    operation: str  # operation id or "*"
    status: int
    times: int
    body: dict[str, JSON]
    headers: dict[str, str]


@dataclass
class Hook:
    operation: str
    callback: Callable[[FakeGitHub], object]
    times: int


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    default_branch: str = "main"
    private: bool = False
    fork_of: str | None = None
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> sha
    protected: set[str] = field(default_factory=set)
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> permission
    issues: dict[int, dict[str, JSON]] = field(default_factory=dict)
    pulls: dict[int, dict[str, JSON]] = field(default_factory=dict)
    comments: dict[int, dict[str, JSON]] = field(default_factory=dict)
    labels: dict[str, dict[str, JSON]] = field(default_factory=dict)
    check_runs: dict[int, dict[str, JSON]] = field(default_factory=dict)
    next_number: int = 1
    archived: bool = False
    topics: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class FakeGitHub:
    """The fake server: state, fault injection, request log, and the HTTP front end."""

    def __init__(self, api: OpenAPI) -> None:
        self.api = api
        self.store = GitStore()
        self.repos: dict[str, Repo] = {}
        self.users: dict[str, dict[str, JSON]] = {}
        self.tokens: dict[str, Token] = {}
        self.log: list[LoggedRequest] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.hooks: list[Hook] = []
        self.lock = threading.RLock()
        self._ids = itertools.count(1000)
        self._clock = 1_767_225_600  # 2026-01-01T00:00:00Z, advanced one second per write
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.rate_limit_remaining = 5000
        self.base_url = ""
        # Hooks for tests/fakes/github_api/gitserve.py: a git smart-HTTP transport served next
        # to the API, and the base of the ``clone_url`` of every repository.
        self.git: Any = None
        self.clone_base = "https://github.com"

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # ---- setup helpers for tests ---------------------------------------------------------

    def add_user(self, login: str, *, kind: str = "User") -> dict[str, JSON]:
        with self.lock:
            if login not in self.users:
                uid = next(self._ids)
                self.users[login] = {
                    "login": login,
                    "id": uid,
                    "node_id": f"U_{uid}",
                    "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
                    "gravatar_id": "",
                    "url": f"{self.base_url}/users/{login}",
                    "html_url": f"https://github.com/{login}",
                    "type": kind,
                    "site_admin": False,
                }
            return self.users[login]

    def add_token(
        self,
        token: str,
        *,
        login: str = BOT_LOGIN,
        permissions: Mapping[str, str] | None = None,
        scopes: str | None = None,
    ) -> Token:
        self.add_user(login, kind="Bot" if login.endswith("[bot]") else "User")
        entry = Token(token, login, dict(ALL_WRITE if permissions is None else permissions), scopes)
        with self.lock:
            self.tokens[token] = entry
        return entry

    def create_repo(
        self,
        full_name: str,
        files: Mapping[str, bytes] | None = None,
        *,
        default_branch: str = "main",
        private: bool = False,
        fork_of: str | None = None,
    ) -> Repo:
        owner, name = full_name.split("/")
        self.add_user(owner)
        with self.lock:
            repo = Repo(owner, name, next(self._ids), default_branch, private, fork_of)
            repo.collaborators[owner] = "admin"
            self.repos[full_name.lower()] = repo
            if fork_of is not None:
                parent = self.repo(fork_of)
                repo.refs = dict(parent.refs)
            elif files is not None:
                self.push(full_name, default_branch, files, "Initial commit")
            return repo

    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name.lower()]

    def push(
        self,
        full_name: str,
        branch: str,
        files: Mapping[str, bytes | None],
        message: str = "Update",
        *,
        author: tuple[str, str] = ("Octo Cat", "octocat@example.com"),
        parent: str | None = None,
    ) -> str:
        """Commit ``files`` on top of ``branch`` (or ``parent``) and move the branch there."""
        with self.lock:
            repo = self.repo(full_name)
            ref = f"refs/heads/{branch}"
            base = parent if parent is not None else repo.refs.get(ref)
            base_tree = self.store.commit(base).tree if base else None
            tree = self.store.put_files(files, base_tree)
            sig = Signature(author[0], author[1], self._tick())
            sha = self.store.put_commit(tree, [base] if base else [], sig, sig, message)
            repo.refs[ref] = sha
            return sha

    def protect(self, full_name: str, branch: str) -> None:
        with self.lock:
            self.repo(full_name).protected.add(branch)

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        self.add_user(login)
        with self.lock:
            self.repo(full_name).collaborators[login] = permission

    def open_pull(
        self,
        full_name: str,
        *,
        head: str,
        base: str = "main",
        title: str = "Change",
        body: str = "",
        user: str = "octocat",
        head_repo: str | None = None,
        maintainer_can_modify: bool = False,
    ) -> int:
        """Open a pull request; ``head_repo`` names a fork for a fork pull request."""
        self.add_user(user)
        with self.lock:
            repo = self.repo(full_name)
            number = self._new_issue(repo, title, body, user, labels=[])
            head_full = head_repo or full_name
            repo.pulls[number] = {
                "number": number,
                "head_repo": head_full,
                "head_ref": head,
                "base_ref": base,
                "maintainer_can_modify": maintainer_can_modify,
                "merged": False,
                "draft": False,
            }
            repo.issues[number]["is_pull"] = True
            return number

    def add_comment(self, full_name: str, number: int, body: str, user: str = "octocat") -> int:
        self.add_user(user)
        with self.lock:
            return self._new_comment(self.repo(full_name), number, body, user)["id"]  # type: ignore[no-any-return]

    def inject(
        self,
        operation: str,
        status: int = 502,
        *,
        times: int = 1,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
        docs: str = _DOCS,
    ) -> None:
        """The next ``times`` calls of ``operation`` (an operation id or "*") fail."""
        text = message or HTTPStatus(status).phrase
        body: dict[str, JSON] = {"message": text, "documentation_url": docs, "status": str(status)}
        with self.lock:
            self.faults.append(Fault(operation, status, times, body, dict(headers or {})))

    def inject_secondary_rate_limit(
        self, operation: str, *, retry_after: int = 1, times: int = 1
    ) -> None:
        self.inject(
            operation,
            403,
            times=times,
            message=(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again. If you reach out to GitHub Support for help, please include the "
                "request ID 0000:0000:0000000:0000000:00000000."
            ),
            headers={"retry-after": str(retry_after)},
            docs="https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        )

    def inject_primary_rate_limit(
        self, operation: str, *, reset_in: int = 3600, status: int = 403, times: int = 1
    ) -> None:
        reset = int(time.time()) + reset_in
        self.inject(
            operation,
            status,
            times=times,
            message=(
                "API rate limit exceeded for installation ID 1000. If you reach out to GitHub "
                "Support for help, please include the request ID 0000:0000:0000000:0000000."
            ),
            headers={
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-used": "5000",
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-resource": "core",
            },
            docs="https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
        )

    def before(
        self, operation: str, callback: Callable[[FakeGitHub], object], times: int = 1
    ) -> None:
        """Run ``callback`` just before the next ``times`` calls of ``operation`` are handled."""
        with self.lock:
            self.hooks.append(Hook(operation, callback, times))

    # ---- inspection helpers --------------------------------------------------------------

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        return self.repo(full_name).refs.get(f"refs/heads/{branch}")

    def branch_files(self, full_name: str, branch: str) -> dict[str, bytes]:
        sha = self.branch_sha(full_name, branch)
        assert sha is not None, f"no branch {branch} in {full_name}"
        return self.store.files(self.store.commit(sha).tree)

    def comments(self, full_name: str, number: int) -> list[dict[str, JSON]]:
        repo = self.repo(full_name)
        return [c for c in repo.comments.values() if c["issue_number"] == number]

    def writes(self) -> list[LoggedRequest]:
        return [r for r in self.log if r.is_write]

    def calls(self, operation: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.operation_id == operation]

    def export(self, full_name: str, path: Path) -> Path:
        """The repository as a bare git repository at ``path`` (for ``git clone``)."""
        repo = self.repo(full_name)
        with self.lock:
            return self.store.export(path, dict(repo.refs), head=repo.default_branch)

    # ---- request handling ----------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: Mapping[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, str], JSON | None]:
        split = urlsplit(raw_path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        body: JSON | None = None
        has_body = bool(raw_body.strip())
        token = _token(headers.get("authorization", ""))
        if method == "POST" and path.rstrip("/") == "/graphql":
            from .identity import graphql

            with self.lock:
                entry = self.tokens.get(token) if token else None
                try:
                    request = json.loads(raw_body) if has_body else None
                except ValueError:
                    request = None
                status, answer = graphql(self, token or "", request)
                return self._finish(
                    method,
                    path,
                    query,
                    request,
                    "graphql",
                    entry.login if entry else None,
                    status,
                    {},
                    answer,
                )
        with self.lock:
            entry = self.tokens.get(token) if token else None
            login = entry.login if entry else None
            match = self.api.match(method, path)
            if has_body:
                try:
                    body = json.loads(raw_body)
                except ValueError as exc:
                    return self._finish(
                        method,
                        path,
                        query,
                        None,
                        None,
                        login,
                        *self._bad(f"request body is not JSON: {exc}"),
                    )
            if match is None:
                return self._finish(
                    method,
                    path,
                    query,
                    body,
                    None,
                    login,
                    *self._bad(
                        f"{method} {path} matches no operation of GitHub's OpenAPI description"
                    ),
                )
            op_id = match.operation.operation_id
            problems = self.api.validate_request(match, query, body, has_body)
            if problems:
                return self._finish(
                    method,
                    path,
                    query,
                    body,
                    op_id,
                    login,
                    *self._bad(
                        f"{op_id}: request violates GitHub's OpenAPI description: "
                        + "; ".join(problems)
                    ),
                )
            due = [h for h in self.hooks if h.times > 0 and h.operation in (op_id, "*")]
            for hook in due:
                hook.times -= 1
        # Hooks run outside the lock: they may block (a barrier) or change state (a push).
        for hook in due:
            hook.callback(self)
        with self.lock:
            fault = self._take_fault(op_id)
            if fault is not None:
                return self._finish(
                    method,
                    path,
                    query,
                    body,
                    op_id,
                    login,
                    fault.status,
                    dict(fault.headers),
                    dict(fault.body),
                    True,
                )
            extra: dict[str, str] = {}
            try:
                if token and entry is None:
                    raise ApiError(401, "Bad credentials")
                self._authorize(op_id, match, entry, extra)
                status, payload, more = self._dispatch(op_id, match, query, body, entry, path)
                extra.update(more)
            except ApiError as err:
                status, payload = err.status, err.body
                extra.update(err.headers)
            if entry is not None and entry.scopes is not None:
                extra["x-oauth-scopes"] = entry.scopes
            problems = self.api.validate_response(op_id, status, payload, payload is not None)
            if problems:
                return self._finish(
                    method,
                    path,
                    query,
                    body,
                    op_id,
                    login,
                    *self._broken(
                        f"{op_id}: the fake's {status} response violates GitHub's OpenAPI "
                        "description: " + "; ".join(problems)
                    ),
                )
            return self._finish(method, path, query, body, op_id, login, status, extra, payload)

    def _finish(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        body: JSON | None,
        op_id: str | None,
        login: str | None,
        status: int,
        headers: dict[str, str],
        payload: JSON | None,
        fault: bool = False,
    ) -> tuple[int, dict[str, str], JSON | None]:
        self.log.append(LoggedRequest(method, path, query, body, op_id, status, login))
        base = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(self.rate_limit_remaining),
            "x-ratelimit-used": str(5000 - self.rate_limit_remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-request-id": f"FAKE:{len(self.log):06d}",
        }
        base.update(headers)
        if not fault:
            self.rate_limit_remaining = max(self.rate_limit_remaining - 1, 1)
        return status, base, payload

    def _bad(self, text: str) -> tuple[int, dict[str, str], JSON]:
        self.violations.append(text)
        return 400, {}, {"message": text, "documentation_url": _DOCS}

    def _broken(self, text: str) -> tuple[int, dict[str, str], JSON]:
        self.violations.append(text)
        return 500, {}, {"message": text, "documentation_url": _DOCS}

    def _take_fault(self, op_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.operation in (op_id, "*"):
                fault.times -= 1
                return fault
        return None

    def _authorize(
        self, op_id: str, match: Match, entry: Token | None, headers: dict[str, str]
    ) -> None:
        alternatives = PERMISSIONS.get(op_id)
        if alternatives is None:
            return
        headers["x-accepted-github-permissions"] = "; ".join(
            ",".join(f"{perm}={level}" for perm, level in alt) for alt in alternatives
        )
        granted = entry.permissions if entry is not None else READ_ONLY
        full = f"{match.path_params.get('owner')}/{match.path_params.get('repo')}"
        repo = self.repos.get(full.lower())
        if repo is not None and repo.private and entry is None:
            raise ApiError(404, "Not Found")
        for alt in alternatives:
            if all(_LEVEL[granted.get(p, "none")] >= _LEVEL[lvl] for p, lvl in alt):
                return
        raise ApiError(
            403,
            "Resource not accessible by integration",
            docs=f"{_DOCS}/{op_id.split('/')[0]}",
        )

    def _dispatch(
        self,
        op_id: str,
        match: Match,
        query: Mapping[str, list[str]],
        body: JSON | None,
        entry: Token | None,
        path: str,
    ) -> tuple[int, JSON | None, dict[str, str]]:
        handler = _HANDLERS.get(op_id)
        if handler is None:
            self.violations.append(
                f"{op_id} is valid for GitHub but the fake does not implement it"
            )
            raise ApiError(404, f"Not Found (the fake does not implement {op_id})")
        params = dict(match.path_params)
        repo: Repo | None = None
        if "owner" in params and "repo" in params:
            repo = self.repos.get(f"{params['owner']}/{params['repo']}".lower())
            if repo is None:
                raise ApiError(404, "Not Found")
        req = _Request(
            self, repo, params, query, body if isinstance(body, dict) else {}, entry, path
        )
        return handler(req)

    # ---- state helpers -------------------------------------------------------------------

    def _tick(self) -> int:
        self._clock += 1
        return self._clock

    def _iso(self, ts: int | None = None) -> str:
        when = dt.datetime.fromtimestamp(ts if ts is not None else self._tick(), dt.UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _new_issue(
        self, repo: Repo, title: str, body: str | None, user: str, labels: list[str]
    ) -> int:
        number = repo.next_number
        repo.next_number += 1
        now = self._iso()
        for label in labels:
            self._ensure_label(repo, label)
        repo.issues[number] = {
            "id": next(self._ids),
            "number": number,
            "title": title,
            "body": body,
            "user": user,
            "state": "open",
            "labels": list(labels),
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "is_pull": False,
        }
        return number

    def _ensure_label(self, repo: Repo, name: str, color: str = "ededed") -> dict[str, JSON]:
        key = name.lower()
        if key not in repo.labels:
            lid = next(self._ids)
            repo.labels[key] = {
                "id": lid,
                "node_id": f"LA_{lid}",
                "url": f"{self.base_url}/repos/{repo.full_name}/labels/{name}",
                "name": name,
                "description": None,
                "color": color,
                "default": False,
            }
        return repo.labels[key]

    def _new_comment(self, repo: Repo, number: int, body: str, user: str) -> dict[str, JSON]:
        if number not in repo.issues:
            raise ApiError(404, "Not Found")
        now = self._iso()
        cid = next(self._ids)
        comment: dict[str, JSON] = {
            "id": cid,
            "issue_number": number,
            "body": body,
            "user": user,
            "created_at": now,
            "updated_at": now,
            "reactions": [],
        }
        repo.comments[cid] = comment
        return comment

    # ---- JSON views ----------------------------------------------------------------------

    def user_json(self, login: str) -> dict[str, JSON]:
        return self.api.complete("simple-user", self.add_user(login))

    def repo_json(self, repo: Repo, schema: str = "repository") -> dict[str, JSON]:
        url = f"{self.base_url}/repos/{repo.full_name}"
        data: dict[str, JSON] = {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self.user_json(repo.owner),
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "html_url": f"https://github.com/{repo.full_name}",
            "url": url,
            "fork": repo.fork_of is not None,
            "default_branch": repo.default_branch,
            "clone_url": f"{self.clone_base}/{repo.full_name}.git",
            "git_url": f"git://github.com/{repo.full_name}.git",
            "ssh_url": f"git@github.com:{repo.full_name}.git",
            "svn_url": f"https://github.com/{repo.full_name}",
            "pulls_url": url + "/pulls{/number}",
            "issues_url": url + "/issues{/number}",
            "created_at": self._iso(1_767_225_600),
            "updated_at": self._iso(1_767_225_600),
            "pushed_at": self._iso(1_767_225_600),
            "archived": repo.archived,
            "topics": list(repo.topics),
            "disabled": False,
        }
        if schema == "full-repository" and repo.fork_of is not None:
            parent = self.repo(repo.fork_of)
            data["parent"] = self.repo_json(parent)
            data["source"] = self.repo_json(parent)
        return self.api.complete(schema, data)

    def label_json(self, repo: Repo, name: str) -> dict[str, JSON]:
        return self.api.complete("label", dict(repo.labels[name.lower()]))

    def issue_json(self, repo: Repo, number: int) -> dict[str, JSON]:
        issue = repo.issues[number]
        url = f"{self.base_url}/repos/{repo.full_name}/issues/{number}"
        html_kind = "pull" if issue["is_pull"] else "issues"
        data: dict[str, JSON] = {
            "id": issue["id"],
            "node_id": f"I_{issue['id']}",
            "number": number,
            "title": issue["title"],
            "body": issue["body"],
            "state": issue["state"],
            "state_reason": "completed" if issue["state"] == "closed" else None,
            "user": self.user_json(issue["user"]),
            "labels": [self.label_json(repo, name) for name in issue["labels"]],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "comments": len([c for c in repo.comments.values() if c["issue_number"] == number]),
            "url": url,
            "repository_url": f"{self.base_url}/repos/{repo.full_name}",
            "labels_url": url + "/labels{/name}",
            "comments_url": url + "/comments",
            "events_url": url + "/events",
            "html_url": f"https://github.com/{repo.full_name}/{html_kind}/{number}",
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_at": issue["closed_at"],
            "author_association": self._association(repo, issue["user"]),
        }
        if issue["is_pull"]:
            pulls = f"{self.base_url}/repos/{repo.full_name}/pulls/{number}"
            data["pull_request"] = {
                "url": pulls,
                "html_url": f"https://github.com/{repo.full_name}/pull/{number}",
                "diff_url": f"https://github.com/{repo.full_name}/pull/{number}.diff",
                "patch_url": f"https://github.com/{repo.full_name}/pull/{number}.patch",
                "merged_at": None,
            }
        return self.api.complete("issue", data)

    def comment_json(self, repo: Repo, comment: Mapping[str, JSON]) -> dict[str, JSON]:
        cid = comment["id"]
        number = comment["issue_number"]
        return self.api.complete(
            "issue-comment",
            {
                "id": cid,
                "node_id": f"IC_{cid}",
                "url": f"{self.base_url}/repos/{repo.full_name}/issues/comments/{cid}",
                "html_url": f"https://github.com/{repo.full_name}/issues/{number}#issuecomment-{cid}",
                "issue_url": f"{self.base_url}/repos/{repo.full_name}/issues/{number}",
                "body": comment["body"],
                "user": self.user_json(comment["user"]),
                "created_at": comment["created_at"],
                "updated_at": comment["updated_at"],
                "author_association": self._association(repo, comment["user"]),
            },
        )

    def pull_json(self, repo: Repo, number: int, schema: str = "pull-request") -> dict[str, JSON]:
        pull = repo.pulls[number]
        issue = self.issue_json(repo, number)
        head_repo = self.repos.get(pull["head_repo"].lower())
        head_sha = (
            head_repo.refs.get(f"refs/heads/{pull['head_ref']}", "0" * 40)
            if head_repo
            else "0" * 40
        )
        base_sha = repo.refs.get(f"refs/heads/{pull['base_ref']}", "0" * 40)
        url = f"{self.base_url}/repos/{repo.full_name}/pulls/{number}"
        review_comment = f"{self.base_url}/repos/{repo.full_name}/pulls/comments{{/number}}"

        def side(r: Repo | None, ref: str, sha: str) -> dict[str, JSON]:
            owner = r.owner if r is not None else "ghost"
            return {
                "label": f"{owner}:{ref}",
                "ref": ref,
                "sha": sha,
                "user": self.user_json(owner),
                "repo": self.repo_json(r) if r is not None else None,
            }

        data: dict[str, JSON] = {
            "url": url,
            "id": issue["id"],
            "node_id": f"PR_{issue['id']}",
            "html_url": f"https://github.com/{repo.full_name}/pull/{number}",
            "diff_url": f"https://github.com/{repo.full_name}/pull/{number}.diff",
            "patch_url": f"https://github.com/{repo.full_name}/pull/{number}.patch",
            "issue_url": issue["url"],
            "commits_url": url + "/commits",
            "review_comments_url": url + "/comments",
            "review_comment_url": review_comment,
            "comments_url": issue["comments_url"],
            "statuses_url": f"{self.base_url}/repos/{repo.full_name}/statuses/{head_sha}",
            "number": number,
            "state": issue["state"],
            "locked": False,
            "title": issue["title"],
            "user": issue["user"],
            "body": issue["body"],
            "labels": issue["labels"],
            "milestone": None,
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_at": issue["closed_at"],
            "merged_at": None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": side(head_repo, pull["head_ref"], head_sha),
            "base": side(repo, pull["base_ref"], base_sha),
            "_links": {
                k: {"href": v}
                for k, v in {
                    "self": url,
                    "html": f"https://github.com/{repo.full_name}/pull/{number}",
                    "issue": issue["url"],
                    "comments": issue["comments_url"],
                    "review_comments": url + "/comments",
                    "review_comment": review_comment,
                    "commits": url + "/commits",
                    "statuses": f"{self.base_url}/repos/{repo.full_name}/statuses/{head_sha}",
                }.items()
            },
            "author_association": issue["author_association"],
            "auto_merge": None,
            "draft": pull["draft"],
            "active_lock_reason": None,
        }
        if schema == "pull-request":
            data.update(
                {
                    "merged": pull["merged"],
                    "mergeable": True,
                    "rebaseable": True,
                    "mergeable_state": "clean",
                    "merged_by": None,
                    "comments": issue["comments"],
                    "review_comments": 0,
                    "maintainer_can_modify": pull["maintainer_can_modify"],
                    "commits": 1,
                    "additions": 0,
                    "deletions": 0,
                    "changed_files": 0,
                }
            )
        return self.api.complete(schema, data)

    def git_commit_json(self, repo: Repo, sha: str) -> dict[str, JSON]:
        c = self.store.commit(sha)
        base = f"{self.base_url}/repos/{repo.full_name}/git"

        def person(s: Signature) -> dict[str, JSON]:
            return {"name": s.name, "email": s.email, "date": self._iso(s.timestamp)}

        return self.api.complete(
            "git-commit",
            {
                "sha": sha,
                "node_id": f"C_{sha}",
                "url": f"{base}/commits/{sha}",
                "html_url": f"https://github.com/{repo.full_name}/commit/{sha}",
                "author": person(c.author),
                "committer": person(c.committer),
                "message": c.message,
                "tree": {"sha": c.tree, "url": f"{base}/trees/{c.tree}"},
                "parents": [
                    {
                        "sha": p,
                        "url": f"{base}/commits/{p}",
                        "html_url": f"https://github.com/{repo.full_name}/commit/{p}",
                    }
                    for p in c.parents
                ],
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
        )

    def commit_json(self, repo: Repo, sha: str) -> dict[str, JSON]:
        git = self.git_commit_json(repo, sha)
        api = f"{self.base_url}/repos/{repo.full_name}"
        inner = {k: git[k] for k in ("author", "committer", "message", "tree", "url")}
        inner["url"] = f"{api}/git/commits/{sha}"
        inner["comment_count"] = 0
        return self.api.complete(
            "commit",
            {
                "url": f"{api}/commits/{sha}",
                "sha": sha,
                "node_id": f"C_{sha}",
                "html_url": f"https://github.com/{repo.full_name}/commit/{sha}",
                "comments_url": f"{api}/commits/{sha}/comments",
                "commit": inner,
                "author": None,
                "committer": None,
                "parents": [
                    {
                        "sha": p,
                        "url": f"{api}/commits/{p}",
                        "html_url": f"https://github.com/{repo.full_name}/commit/{p}",
                    }
                    for p in self.store.commit(sha).parents
                ],
                "files": [],
                "stats": {"additions": 0, "deletions": 0, "total": 0},
            },
        )

    def ref_json(self, repo: Repo, ref: str) -> dict[str, JSON]:
        sha = repo.refs[ref]
        return {
            "ref": ref,
            "node_id": f"REF_{ref}",
            "url": f"{self.base_url}/repos/{repo.full_name}/git/{ref}",
            "object": {
                "type": self.store.kind(sha),
                "sha": sha,
                "url": f"{self.base_url}/repos/{repo.full_name}/git/commits/{sha}",
            },
        }

    def tree_json(self, repo: Repo, sha: str, recursive: bool = False) -> dict[str, JSON]:
        base = f"{self.base_url}/repos/{repo.full_name}/git"
        entries = self._recursive_entries(sha, "") if recursive else self.store.tree(sha)
        items: list[JSON] = []
        for e in entries:
            item: dict[str, JSON] = {
                "path": e.name,
                "mode": e.mode,
                "type": e.type,
                "sha": e.sha,
                "url": f"{base}/{e.type}s/{e.sha}",
            }
            if e.type == "blob":
                item["size"] = len(self.store.data(e.sha))
            items.append(item)
        return {"sha": sha, "url": f"{base}/trees/{sha}", "tree": items, "truncated": False}

    def _recursive_entries(self, sha: str, prefix: str) -> list[TreeEntry]:
        out = []
        for e in self.store.tree(sha):
            out.append(TreeEntry(e.mode, prefix + e.name, e.sha))
            if e.type == "tree":
                out.extend(self._recursive_entries(e.sha, prefix + e.name + "/"))
        return out

    def _association(self, repo: Repo, login: str) -> str:
        if login == repo.owner:
            return "OWNER"
        if login in repo.collaborators:
            return "COLLABORATOR"
        if login.endswith("[bot]"):
            return "NONE"
        return "CONTRIBUTOR"


def _token(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("token", "bearer") and value:
        return value.strip()
    return None


# ---- handlers ----------------------------------------------------------------------------


@dataclass
class _Request:
    gh: FakeGitHub
    repo_or_none: Repo | None
    params: dict[str, str]
    query: Mapping[str, list[str]]
    body: dict[str, JSON]
    token: Token | None
    path: str

    @property
    def repo(self) -> Repo:
        assert self.repo_or_none is not None
        return self.repo_or_none

    @property
    def login(self) -> str:
        return self.token.login if self.token is not None else "ghost"

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_param(self, name: str) -> int:
        return int(self.params[name])

    def paginate(self, items: list[JSON]) -> tuple[int, JSON, dict[str, str]]:
        per_page = min(int(self.q("per_page", "30") or 30), 100)
        page = max(int(self.q("page", "1") or 1), 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        last = max((len(items) + per_page - 1) // per_page, 1)
        links = []
        path = self.path

        def link(p: int, rel: str) -> str:
            query = {k: v[-1] for k, v in self.query.items()}
            query.update({"per_page": str(per_page), "page": str(p)})
            return f'<{self.gh.base_url}{path}?{urlencode(query)}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        headers = {"link": ", ".join(links)} if links else {}
        return 200, chunk, headers


Handler = Callable[[_Request], tuple[int, JSON | None, dict[str, str]]]
_HANDLERS: dict[str, Handler] = {}


def _route(op_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[op_id] = fn
        return fn

    return register


def _ok(body: JSON | None, status: int = 200) -> tuple[int, JSON | None, dict[str, str]]:
    return status, body, {}


def _invalid(text: str, docs: str = _DOCS, **error: JSON) -> ApiError:
    errors: list[JSON] | None = [error] if error else None
    return ApiError(422, text, docs=docs, errors=errors)


@_route("repos/get")
def _repos_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok(r.gh.repo_json(r.repo, "full-repository"))


@_route("repos/get-collaborator-permission-level")
def _permission(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    username = r.params["username"]
    if username not in r.gh.users:
        raise ApiError(404, "Not Found")
    permission = r.repo.collaborators.get(username, "read")
    role = permission
    legacy = {"maintain": "write", "triage": "read"}.get(permission, permission)
    user = r.gh.user_json(username)
    user["permissions"] = {
        "admin": legacy == "admin",
        "maintain": permission in ("admin", "maintain"),
        "push": legacy in ("admin", "write"),
        "triage": permission in ("admin", "maintain", "write", "triage"),
        "pull": True,
    }
    user["role_name"] = role
    collaborator = r.gh.api.complete("nullable-collaborator", user)
    return _ok({"permission": legacy, "role_name": role, "user": collaborator})


# pulls ----------------------------------------------------------------------------------


def _pull(r: _Request) -> int:
    number = r.int_param("pull_number")
    if number not in r.repo.pulls:
        raise ApiError(404, "Not Found")
    return number


@_route("pulls/get")
def _pulls_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok(r.gh.pull_json(r.repo, _pull(r)))


@_route("pulls/list")
def _pulls_list(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    state = r.q("state", "open")
    head = r.q("head")
    base = r.q("base")
    out: list[JSON] = []
    for number in sorted(r.repo.pulls, reverse=r.q("direction", "desc") == "desc"):
        pull = r.repo.pulls[number]
        issue = r.repo.issues[number]
        if state != "all" and issue["state"] != state:
            continue
        if head is not None:
            owner, _, ref = head.partition(":")
            head_owner = pull["head_repo"].split("/")[0]
            if not ref or owner.lower() != head_owner.lower() or ref != pull["head_ref"]:
                continue
        if base is not None and pull["base_ref"] != base:
            continue
        out.append(r.gh.pull_json(r.repo, number, "pull-request-simple"))
    return r.paginate(out)


@_route("pulls/create")
def _pulls_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    head = r.body["head"]
    base = r.body["base"]
    owner, _, ref = head.rpartition(":")
    head_repo = r.repo
    if owner and owner.lower() != r.repo.owner.lower():
        forks = [x for x in r.gh.repos.values() if x.owner.lower() == owner.lower()]
        if not forks:
            raise _invalid(
                "Validation Failed", resource="PullRequest", field="head", code="invalid"
            )
        head_repo = forks[0]
    if f"refs/heads/{ref}" not in head_repo.refs:
        raise _invalid("Validation Failed", resource="PullRequest", field="head", code="invalid")
    if f"refs/heads/{base}" not in r.repo.refs:
        raise _invalid("Validation Failed", resource="PullRequest", field="base", code="invalid")
    for number, pull in r.repo.pulls.items():
        if (
            pull["head_ref"] == ref
            and pull["head_repo"].lower() == head_repo.full_name.lower()
            and r.repo.issues[number]["state"] == "open"
        ):
            raise _invalid(
                "Validation Failed",
                resource="PullRequest",
                code="custom",
                message=f"A pull request already exists for {head_repo.owner}:{ref}.",
            )
    number = r.gh.open_pull(
        r.repo.full_name,
        head=ref,
        base=base,
        title=r.body.get("title", ref),
        body=r.body.get("body") or "",
        user=r.login,
        head_repo=head_repo.full_name,
        maintainer_can_modify=bool(r.body.get("maintainer_can_modify", False)),
    )
    r.repo.pulls[number]["draft"] = bool(r.body.get("draft", False))
    return _ok(r.gh.pull_json(r.repo, number), 201)


@_route("pulls/update")
def _pulls_update(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    number = _pull(r)
    issue = r.repo.issues[number]
    pull = r.repo.pulls[number]
    for key in ("title", "body", "state"):
        if key in r.body:
            issue[key] = r.body[key]
    if "state" in r.body:
        issue["closed_at"] = r.gh._iso() if r.body["state"] == "closed" else None
    if "base" in r.body:
        pull["base_ref"] = r.body["base"]
    if "maintainer_can_modify" in r.body:
        pull["maintainer_can_modify"] = r.body["maintainer_can_modify"]
    issue["updated_at"] = r.gh._iso()
    return _ok(r.gh.pull_json(r.repo, number))


# issues, comments, labels, reactions ------------------------------------------------------


def _issue(r: _Request) -> int:
    number = r.int_param("issue_number")
    if number not in r.repo.issues:
        raise ApiError(404, "Not Found")
    return number


@_route("issues/get")
def _issues_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok(r.gh.issue_json(r.repo, _issue(r)))


@_route("issues/list-for-repo")
def _issues_list(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    state = r.q("state", "open")
    wanted = [x.strip().lower() for x in (r.q("labels") or "").split(",") if x.strip()]
    creator = r.q("creator")
    out: list[JSON] = []
    for number in sorted(r.repo.issues, reverse=r.q("direction", "desc") == "desc"):
        issue = r.repo.issues[number]
        if state != "all" and issue["state"] != state:
            continue
        labels = {x.lower() for x in issue["labels"]}
        if any(w not in labels for w in wanted):
            continue
        if creator is not None and issue["user"].lower() != creator.lower():
            continue
        out.append(r.gh.issue_json(r.repo, number))
    return r.paginate(out)


@_route("issues/create")
def _issues_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    labels: list[str] = []
    for label in r.body.get("labels", []):
        labels.append(label if isinstance(label, str) else label["name"])
    title = r.body["title"]
    number = r.gh._new_issue(r.repo, str(title), r.body.get("body"), r.login, labels)
    return _ok(r.gh.issue_json(r.repo, number), 201)


@_route("issues/update")
def _issues_update(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    number = _issue(r)
    issue = r.repo.issues[number]
    for key in ("title", "body"):
        if key in r.body:
            issue[key] = r.body[key]
    if "state" in r.body:
        issue["state"] = r.body["state"]
        issue["closed_at"] = r.gh._iso() if r.body["state"] == "closed" else None
    if "labels" in r.body:
        names = [x if isinstance(x, str) else x["name"] for x in r.body["labels"]]
        for name in names:
            r.gh._ensure_label(r.repo, name)
        issue["labels"] = names
    issue["updated_at"] = r.gh._iso()
    return _ok(r.gh.issue_json(r.repo, number))


@_route("issues/list-comments")
def _comments_list(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    number = _issue(r)
    items: list[JSON] = [
        r.gh.comment_json(r.repo, c)
        for c in sorted(r.repo.comments.values(), key=lambda c: c["id"])
        if c["issue_number"] == number
    ]
    return r.paginate(items)


def _comment(r: _Request) -> dict[str, JSON]:
    comment = r.repo.comments.get(r.int_param("comment_id"))
    if comment is None:
        raise ApiError(404, "Not Found")
    return comment


@_route("issues/get-comment")
def _comment_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok(r.gh.comment_json(r.repo, _comment(r)))


@_route("issues/create-comment")
def _comment_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    number = _issue(r)
    comment = r.gh._new_comment(r.repo, number, r.body["body"], r.login)
    return _ok(r.gh.comment_json(r.repo, comment), 201)


@_route("issues/update-comment")
def _comment_update(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    comment = _comment(r)
    comment["body"] = r.body["body"]
    comment["updated_at"] = r.gh._iso()
    return _ok(r.gh.comment_json(r.repo, comment))


@_route("issues/delete-comment")
def _comment_delete(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    comment = _comment(r)
    del r.repo.comments[comment["id"]]
    return _ok(None, 204)


@_route("reactions/create-for-issue-comment")
def _reaction_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    comment = _comment(r)
    content = r.body["content"]
    for existing in comment["reactions"]:
        if existing["content"] == content and existing["user"] == r.login:
            return _ok(_reaction_json(r, existing), 200)
    reaction = {"id": next(r.gh._ids), "content": content, "user": r.login, "at": r.gh._iso()}
    comment["reactions"].append(reaction)
    return _ok(_reaction_json(r, reaction), 201)


def _reaction_json(r: _Request, reaction: Mapping[str, JSON]) -> JSON:
    return {
        "id": reaction["id"],
        "node_id": f"REA_{reaction['id']}",
        "user": r.gh.user_json(reaction["user"]),
        "content": reaction["content"],
        "created_at": reaction["at"],
    }


@_route("issues/list-labels-for-repo")
def _labels_list(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return r.paginate([r.gh.label_json(r.repo, name) for name in sorted(r.repo.labels)])


@_route("issues/get-label")
def _label_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    if r.params["name"].lower() not in r.repo.labels:
        raise ApiError(404, "Not Found")
    return _ok(r.gh.label_json(r.repo, r.params["name"]))


@_route("issues/create-label")
def _label_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    name = r.body["name"]
    if name.lower() in r.repo.labels:
        raise _invalid("Validation Failed", resource="Label", code="already_exists", field="name")
    label = r.gh._ensure_label(r.repo, name, r.body.get("color", "ededed").lstrip("#"))
    label["description"] = r.body.get("description")
    return _ok(r.gh.label_json(r.repo, name), 201)


@_route("issues/add-labels")
def _labels_add(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    number = _issue(r)
    issue = r.repo.issues[number]
    raw = r.body.get("labels", [])
    names = [x if isinstance(x, str) else x["name"] for x in raw]
    for name in names:
        r.gh._ensure_label(r.repo, name)
        if name.lower() not in {x.lower() for x in issue["labels"]}:
            issue["labels"].append(name)
    return _ok([r.gh.label_json(r.repo, n) for n in issue["labels"]])


# git data ---------------------------------------------------------------------------------


def _sha_of(r: _Request, key: str, kind: str) -> str:
    sha = r.params[key]
    if not r.gh.store.has(sha, kind):
        raise ApiError(404, "Not Found")
    return sha


@_route("git/create-blob")
def _blob_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    content = r.body["content"]
    if r.body.get("encoding", "utf-8") == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except ValueError as exc:
            raise _invalid("Problems parsing JSON") from exc
    else:
        data = content.encode()
    sha = r.gh.store.put_blob(data)
    url = f"{r.gh.base_url}/repos/{r.repo.full_name}/git/blobs/{sha}"
    return _ok({"url": url, "sha": sha}, 201)


@_route("git/get-blob")
def _blob_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    sha = _sha_of(r, "file_sha", "blob")
    data = r.gh.store.data(sha)
    return _ok(
        {
            "content": base64.encodebytes(data).decode(),
            "encoding": "base64",
            "url": f"{r.gh.base_url}/repos/{r.repo.full_name}/git/blobs/{sha}",
            "sha": sha,
            "size": len(data),
            "node_id": f"B_{sha}",
        }
    )


@_route("git/create-tree")
def _tree_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    store = r.gh.store
    base_tree = r.body.get("base_tree")
    if base_tree is not None and not store.has(base_tree, "tree"):
        raise _invalid("base_tree is not a valid tree oid")
    changes: dict[str, tuple[str, str] | None] = {}
    for item in r.body["tree"]:
        path = item.get("path")
        mode = item.get("mode")
        if not path or not mode:
            raise _invalid("Must supply a valid tree.path and tree.mode")
        if "content" in item and item.get("sha") is not None:
            raise _invalid("Must supply either tree.sha or tree.content, not both")
        if "content" in item:
            changes[path] = (mode, store.put_blob(item["content"].encode()))
        elif item.get("sha") is None:
            if "sha" not in item:
                raise _invalid("Must supply either tree.sha or tree.content")
            changes[path] = None
        else:
            if not store.has(item["sha"]):
                raise _invalid(f"tree.sha {item['sha']} is not a valid blob")
            changes[path] = (mode, item["sha"])
    sha = store.apply(base_tree, changes)
    return _ok(r.gh.tree_json(r.repo, sha), 201)


@_route("git/get-tree")
def _tree_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    sha = r.params["tree_sha"]
    store = r.gh.store
    if store.has(sha, "commit"):
        sha = store.commit(sha).tree
    ref = r.repo.refs.get(f"refs/heads/{sha}")
    if ref is not None:
        sha = store.commit(ref).tree
    if not store.has(sha, "tree"):
        raise ApiError(404, "Not Found")
    recursive = r.q("recursive") not in (None, "", "0", "false")
    return _ok(r.gh.tree_json(r.repo, sha, recursive))


@_route("git/create-commit")
def _commit_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    store = r.gh.store
    tree = r.body["tree"]
    if not store.has(tree, "tree"):
        raise _invalid("Tree SHA does not exist")
    parents = r.body.get("parents", [])
    for parent in parents:
        if not store.has(parent, "commit"):
            raise _invalid("Parent SHA does not exist or is not a commit object")
    token_user = r.gh.users.get(r.login, {"login": r.login})
    default_email = (
        BOT_EMAIL
        if r.login == BOT_LOGIN
        else f"{token_user.get('id', 0)}+{r.login}@users.noreply.github.com"
    )

    def sig(raw: JSON | None) -> Signature:
        now = r.gh._tick()
        if not isinstance(raw, dict):
            return Signature(r.login, default_email, now)
        when = now
        if raw.get("date"):
            when = int(dt.datetime.fromisoformat(raw["date"].replace("Z", "+00:00")).timestamp())
        return Signature(raw.get("name", r.login), raw.get("email", default_email), when)

    author = sig(r.body.get("author"))
    committer = sig(r.body.get("committer")) if "committer" in r.body else author
    sha = store.put_commit(tree, parents, author, committer, r.body["message"])
    return _ok(r.gh.git_commit_json(r.repo, sha), 201)


@_route("git/get-commit")
def _commit_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok(r.gh.git_commit_json(r.repo, _sha_of(r, "commit_sha", "commit")))


def _full_ref(ref: str) -> str:
    return ref if ref.startswith("refs/") else f"refs/{ref}"


@_route("git/get-ref")
def _ref_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    ref = _full_ref(r.params["ref"])
    if ref not in r.repo.refs:
        raise ApiError(404, "Not Found", docs=f"{_DOCS}/git/refs#get-a-reference")
    return _ok(r.gh.ref_json(r.repo, ref))


def _check_protection(r: _Request, ref: str) -> None:
    branch = ref.removeprefix("refs/heads/")
    if ref.startswith("refs/heads/") and branch in r.repo.protected:
        raise ApiError(
            422,
            f"Protected branch update failed for {ref}.",
            docs="https://docs.github.com/rest/git/refs#update-a-reference",
        )


@_route("git/update-ref")
def _ref_update(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    ref = _full_ref(r.params["ref"])
    sha = r.body["sha"]
    force = bool(r.body.get("force", False))
    docs = "https://docs.github.com/rest/git/refs#update-a-reference"
    if ref not in r.repo.refs:
        raise ApiError(422, "Reference does not exist", docs=docs)
    if not r.gh.store.has(sha, "commit"):
        raise ApiError(422, "Object does not exist", docs=docs)
    _check_protection(r, ref)
    current = r.repo.refs[ref]
    if not force and not r.gh.store.is_ancestor(current, sha):
        raise ApiError(422, "Update is not a fast forward", docs=docs)
    r.repo.refs[ref] = sha
    return _ok(r.gh.ref_json(r.repo, ref))


@_route("git/create-ref")
def _ref_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    ref = r.body["ref"]
    sha = r.body["sha"]
    docs = "https://docs.github.com/rest/git/refs#create-a-reference"
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, f"{ref} is not a valid ref name.", docs=docs)
    if ref in r.repo.refs:
        raise ApiError(422, "Reference already exists", docs=docs)
    if not r.gh.store.has(sha, "commit"):
        raise ApiError(422, "Object does not exist", docs=docs)
    r.repo.refs[ref] = sha
    return _ok(r.gh.ref_json(r.repo, ref), 201)


def _resolve_commitish(r: _Request, ref: str) -> str:
    for candidate in (f"refs/heads/{ref}", f"refs/tags/{ref}", _full_ref(ref)):
        if candidate in r.repo.refs:
            return r.repo.refs[candidate]
    if r.gh.store.has(ref, "commit"):
        return ref
    raise ApiError(422, f"No commit found for SHA: {ref}")


@_route("repos/get-commit")
def _repo_commit(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    return _ok(r.gh.commit_json(r.repo, _resolve_commitish(r, r.params["ref"])))


@_route("repos/get-branch")
def _branch_get(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    branch = r.params["branch"]
    sha = r.repo.refs.get(f"refs/heads/{branch}")
    if sha is None:
        raise ApiError(404, "Branch not found", docs=f"{_DOCS}/branches/branches#get-a-branch")
    api = f"{r.gh.base_url}/repos/{r.repo.full_name}"
    protected = branch in r.repo.protected
    protection: dict[str, JSON] = {"enabled": protected}
    if protected:
        protection["required_status_checks"] = {
            "enforcement_level": "non_admins",
            "contexts": [],
            "checks": [],
        }
    return _ok(
        {
            "name": branch,
            "commit": r.gh.commit_json(r.repo, sha),
            "_links": {
                "html": f"https://github.com/{r.repo.full_name}/tree/{branch}",
                "self": f"{api}/branches/{branch}",
            },
            "protected": protected,
            "protection": protection,
            "protection_url": f"{api}/branches/{branch}/protection",
        }
    )


# checks -----------------------------------------------------------------------------------


def _check_json(r: _Request, run: Mapping[str, JSON]) -> JSON:
    api = f"{r.gh.base_url}/repos/{r.repo.full_name}"
    out = dict(run["output"])
    out.setdefault("title", None)
    out.setdefault("summary", None)
    out.setdefault("text", None)
    out["annotations_count"] = len(run["output"].get("annotations", []))
    out.pop("annotations", None)
    out["annotations_url"] = f"{api}/check-runs/{run['id']}/annotations"
    return r.gh.api.complete(
        "check-run",
        {
            "id": run["id"],
            "head_sha": run["head_sha"],
            "node_id": f"CR_{run['id']}",
            "external_id": run.get("external_id", ""),
            "url": f"{api}/check-runs/{run['id']}",
            "html_url": f"https://github.com/{r.repo.full_name}/runs/{run['id']}",
            "details_url": run.get("details_url"),
            "status": run["status"],
            "conclusion": run.get("conclusion"),
            "started_at": run["started_at"],
            "completed_at": run.get("completed_at"),
            "output": out,
            "name": run["name"],
            "check_suite": None,
            "app": None,
            "pull_requests": [],
        },
    )


@_route("checks/create")
def _check_create(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    run: dict[str, JSON] = {
        "id": next(r.gh._ids),
        "name": r.body["name"],
        "head_sha": r.body["head_sha"],
        "status": r.body.get("status", "queued"),
        "conclusion": r.body.get("conclusion"),
        "started_at": r.body.get("started_at", r.gh._iso()),
        "completed_at": r.body.get("completed_at"),
        "output": dict(r.body.get("output", {})),
        "details_url": r.body.get("details_url"),
        "external_id": r.body.get("external_id", ""),
    }
    if run["conclusion"] is not None:
        run["status"] = "completed"
        run["completed_at"] = run["completed_at"] or r.gh._iso()
    r.repo.check_runs[run["id"]] = run
    return _ok(_check_json(r, run), 201)


@_route("checks/update")
def _check_update(r: _Request) -> tuple[int, JSON | None, dict[str, str]]:
    run = r.repo.check_runs.get(r.int_param("check_run_id"))
    if run is None:
        raise ApiError(404, "Not Found")
    for key in ("name", "status", "conclusion", "completed_at", "details_url", "external_id"):
        if key in r.body:
            run[key] = r.body[key]
    if "output" in r.body:
        run["output"] = dict(r.body["output"])
    if run.get("conclusion") is not None:
        run["status"] = "completed"
        run["completed_at"] = run.get("completed_at") or r.gh._iso()
    return _ok(_check_json(r, run))


# ---- HTTP front end ----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One buffered write per response and no Nagle: keep-alive clients otherwise wait
    # ~40 ms per request on delayed ACKs.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server_state: ClassVar[FakeGitHub]

    def _serve(self) -> None:
        git = self.server_state.git
        if git is not None and git.wants(self.path):
            git.serve(self)  # git smart HTTP, not the REST API (gitserve.py)
            return
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        state = self.server_state
        status, out_headers, payload = state.handle(self.command, self.path, headers, raw)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("content-type", "application/json; charset=utf-8")
        for key, value in out_headers.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


# Handlers that live in their own files register themselves on import.
from . import identity as _identity  # noqa: E402, F401
from . import orgs as _orgs  # noqa: E402, F401
