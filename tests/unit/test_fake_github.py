"""The fake GitHub itself: OpenAPI validation both ways, git objects, tokens, faults, events."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.github import DEFAULT_REPO, GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN
from tests.fakes.github_api import FakeGitHub, GitStore, OpenAPI
from tests.fakes.github_api import load_event as raw_event
from tests.fakes.github_api.server import _HANDLERS


class Client:
    """Plain HTTP to the fake, to send what PyGithub never would."""

    def __init__(self, server: FakeGitHub, token: str | None = GITHUB_WRITE_TOKEN) -> None:
        self.base = server.base_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["authorization"] = f"token {token}"

    def call(self, method: str, path: str, body: Any = None, **params: str) -> requests.Response:
        return self.session.request(
            method, self.base + path, json=body, params=params or None, timeout=10
        )


@pytest.fixture
def client(github_server: FakeGitHub) -> Client:
    return Client(github_server)


@pytest.fixture
def issue(github_server: FakeGitHub) -> int:
    main = github_server.branch_sha(DEFAULT_REPO, "main")
    github_server.push(DEFAULT_REPO, "feature", {"a.go": b"package a\n"}, parent=main)
    return github_server.open_pull(DEFAULT_REPO, head="feature")


# ---- request validation ---------------------------------------------------------------


def test_bad_request_body_is_rejected_and_recorded(
    github_server: FakeGitHub, client: Client, issue: int
) -> None:
    r = client.call("POST", f"/repos/{DEFAULT_REPO}/issues/{issue}/comments", {"body": 5})
    assert r.status_code == 400
    assert "request body at body: 5 is not of type 'string'" in r.json()["message"]
    assert len(github_server.violations) == 1
    assert github_server.comments(DEFAULT_REPO, issue) == []
    github_server.violations.clear()


def test_bad_enum_missing_required_and_wrong_param_type(
    github_server: FakeGitHub, client: Client, issue: int
) -> None:
    r1 = client.call("PATCH", f"/repos/{DEFAULT_REPO}/pulls/{issue}", {"state": "merged"})
    r2 = client.call("POST", f"/repos/{DEFAULT_REPO}/git/refs", {"ref": "refs/heads/x"})
    r3 = client.call("GET", f"/repos/{DEFAULT_REPO}/pulls/abc")
    r4 = client.call("GET", f"/repos/{DEFAULT_REPO}/pulls", bogus="1")
    r5 = client.call("PUT", f"/repos/{DEFAULT_REPO}/pulls/{issue}/nonsense")
    assert [r.status_code for r in (r1, r2, r3, r4, r5)] == [400] * 5
    assert "'merged' is not one of ['open', 'closed']" in r1.json()["message"]
    assert "'sha' is a required property" in r2.json()["message"]
    assert "'abc' is not an integer" in r3.json()["message"]
    assert "query parameter 'bogus' is not declared" in r4.json()["message"]
    assert "matches no operation" in r5.json()["message"]
    assert len(github_server.violations) == 5
    github_server.violations.clear()


def test_own_responses_are_validated(github_server: FakeGitHub, client: Client, issue: int) -> None:
    # Corrupt the state behind the API: the fake's answer no longer matches the schema.
    github_server.repo(DEFAULT_REPO).issues[issue]["title"] = 42
    r = client.call("GET", f"/repos/{DEFAULT_REPO}/issues/{issue}")
    assert r.status_code == 500
    assert "response 200 at title: 42 is not of type 'string'" in r.json()["message"]
    assert github_server.violations == [r.json()["message"]]
    github_server.violations.clear()


def test_valid_but_unimplemented_operation_is_reported(
    github_server: FakeGitHub, client: Client
) -> None:
    r = client.call("GET", f"/repos/{DEFAULT_REPO}/releases")
    assert r.status_code == 404
    assert github_server.violations == [
        "repos/list-releases is valid for GitHub but the fake does not implement it"
    ]
    github_server.violations.clear()


def test_every_implemented_operation_exists_in_the_description(
    github_openapi: OpenAPI,
) -> None:
    assert set(_HANDLERS) <= set(github_openapi.operations)
    assert len(_HANDLERS) >= 30


# ---- the schema translation -----------------------------------------------------------


def test_nullable_accepts_null_and_still_checks_type(github_openapi: OpenAPI) -> None:
    issue = github_openapi.complete("issue", {"body": None, "milestone": None})
    assert github_openapi.validate_schema("issue", issue) == []
    assert github_openapi.validate_schema("issue", {**issue, "body": 7}) != []
    assert github_openapi.validate_schema("issue", {**issue, "state": None}) != []
    assert github_openapi.validate_schema("issue", {**issue, "user": {"login": 1}}) != []


def test_githubs_own_examples_fail_only_on_missing_fields(github_openapi: OpenAPI) -> None:
    """GitHub's response examples lag behind its schemas by a few required fields; they
    never disagree on a type, an enum or a null. The translation must agree."""
    checked = 0
    other: list[str] = []
    for op_id in sorted(_HANDLERS):
        op = github_openapi.operations[op_id]
        for status, response in op.raw["responses"].items():
            media = (github_openapi._deref(response).get("content") or {}).get("application/json")
            for example in (media or {}).get("examples", {}).values():
                value = github_openapi._deref(example).get("value")
                for problem in github_openapi.validate_response(op_id, int(status), value, True):
                    if not problem.endswith("is a required property"):
                        other.append(f"{op_id} {status}: {problem}")
                checked += 1
    assert checked >= 25
    assert other == []


def test_routes_match_multi_segment_refs_and_prefer_literals(github_openapi: OpenAPI) -> None:
    ref = github_openapi.match("PATCH", "/repos/o/r/git/refs/heads/feature/x")
    assert ref is not None
    assert ref.operation.operation_id == "git/update-ref"
    assert ref.path_params["ref"] == "heads/feature/x"
    comments = github_openapi.match("GET", "/repos/o/r/issues/comments/5")
    assert comments is not None
    assert comments.operation.operation_id == "issues/get-comment"
    assert github_openapi.match("GET", "/repos/o/r/pulls/1/nope/deeper") is None


# ---- git objects ----------------------------------------------------------------------


def test_git_store_hashes_like_git(tmp_path: Path) -> None:
    store = GitStore()
    data = b"module example.com/x\n\ngo 1.22\n"
    sha = store.put_blob(data)
    git = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
    )
    assert git.stdout.decode().strip() == sha
    # "a.txt" sorts before the tree "a" (git compares "a/" with "a.txt")
    tree = store.put_files({"a.txt": b"1", "a/b.txt": b"2", "a-b": b"3", "x/y/z": b"4"})
    bare = store.export(tmp_path / "r.git", {})
    listing = subprocess.run(
        ["git", "-C", str(bare), "ls-tree", "-r", "--name-only", tree],
        capture_output=True,
        check=True,
        text=True,
    )
    assert listing.stdout.split() == ["a-b", "a.txt", "a/b.txt", "x/y/z"]
    fsck = subprocess.run(
        ["git", "-C", str(bare), "fsck", "--strict", "--no-dangling"], capture_output=True
    )
    assert fsck.returncode == 0, fsck.stderr


def test_tree_api_nested_paths_deletion_and_ref_rules(
    github_server: FakeGitHub, client: Client
) -> None:
    repo = f"/repos/{DEFAULT_REPO}"
    head = github_server.branch_sha(DEFAULT_REPO, "main")
    assert head is not None
    base_tree = client.call("GET", f"{repo}/git/commits/{head}").json()["tree"]["sha"]
    tree = client.call(
        "POST",
        f"{repo}/git/trees",
        {
            "base_tree": base_tree,
            "tree": [
                {"path": "pkg/x/x.go", "mode": "100644", "type": "blob", "content": "package x\n"},
                {"path": "go.mod", "mode": "100644", "type": "blob", "sha": None},
            ],
        },
    ).json()
    commit = client.call(
        "POST", f"{repo}/git/commits", {"message": "m", "tree": tree["sha"], "parents": [head]}
    ).json()
    listed = client.call("GET", f"{repo}/git/trees/{tree['sha']}", recursive="1").json()
    assert [e["path"] for e in listed["tree"]] == ["pkg", "pkg/x", "pkg/x/x.go"]
    # An unrelated commit is not a fast-forward: 422 unless forced.
    orphan = client.call(
        "POST", f"{repo}/git/commits", {"message": "o", "tree": tree["sha"], "parents": []}
    ).json()
    r = client.call("PATCH", f"{repo}/git/refs/heads/main", {"sha": orphan["sha"]})
    assert (r.status_code, r.json()["message"]) == (422, "Update is not a fast forward")
    ok = client.call("PATCH", f"{repo}/git/refs/heads/main", {"sha": commit["sha"]})
    assert ok.status_code == 200
    forced = client.call(
        "PATCH", f"{repo}/git/refs/heads/main", {"sha": orphan["sha"], "force": True}
    )
    assert forced.json()["object"]["sha"] == orphan["sha"]
    dup = client.call("POST", f"{repo}/git/refs", {"ref": "refs/heads/main", "sha": head})
    assert (dup.status_code, dup.json()["message"]) == (422, "Reference already exists")
    assert github_server.branch_files(DEFAULT_REPO, "main") == {"pkg/x/x.go": b"package x\n"}


def test_branch_protection_is_visible_and_enforced(
    github_server: FakeGitHub, client: Client
) -> None:
    github_server.protect(DEFAULT_REPO, "main")
    branch = client.call("GET", f"/repos/{DEFAULT_REPO}/branches/main").json()
    assert branch["protected"] is True
    head = github_server.branch_sha(DEFAULT_REPO, "main")
    r = client.call("PATCH", f"/repos/{DEFAULT_REPO}/git/refs/heads/main", {"sha": head})
    assert r.status_code == 422
    assert r.json()["message"] == "Protected branch update failed for refs/heads/main."


# ---- tokens, headers, pagination, faults ----------------------------------------------


def test_tokens_and_headers(github_server: FakeGitHub, issue: int) -> None:
    github_server.add_token("ghp_classic", login="octo", scopes="repo, workflow")
    reader = Client(github_server, GITHUB_READ_TOKEN)
    denied = reader.call("POST", f"/repos/{DEFAULT_REPO}/issues/{issue}/comments", {"body": "x"})
    assert denied.status_code == 403
    assert denied.json()["message"] == "Resource not accessible by integration"
    assert denied.headers["x-accepted-github-permissions"] == "issues=write; pull_requests=write"
    assert reader.call("GET", f"/repos/{DEFAULT_REPO}/issues/{issue}").status_code == 200
    classic = Client(github_server, "ghp_classic").call("GET", f"/repos/{DEFAULT_REPO}")
    assert classic.headers["x-oauth-scopes"] == "repo, workflow"
    assert classic.headers["x-ratelimit-remaining"].isdigit()
    bad = Client(github_server, "nope").call("GET", f"/repos/{DEFAULT_REPO}")
    assert (bad.status_code, bad.json()["message"]) == (401, "Bad credentials")


def test_pagination_link_header(github_server: FakeGitHub, client: Client, issue: int) -> None:
    for i in range(5):
        github_server.add_comment(DEFAULT_REPO, issue, f"c{i}")
    path = f"/repos/{DEFAULT_REPO}/issues/{issue}/comments"
    first = client.call("GET", path, per_page="2")
    assert [c["body"] for c in first.json()] == ["c0", "c1"]
    assert 'page=2>; rel="next"' in first.headers["link"]
    assert 'page=3>; rel="last"' in first.headers["link"]
    last = client.call("GET", path, per_page="2", page="3")
    assert [c["body"] for c in last.json()] == ["c4"]
    assert 'rel="next"' not in last.headers["link"]


def test_faults_and_hooks_are_counted(github_server: FakeGitHub, client: Client) -> None:
    github_server.inject("*", 503, times=1)
    seen: list[str] = []
    github_server.before("repos/get", lambda _: seen.append("hook"))
    assert client.call("GET", f"/repos/{DEFAULT_REPO}").status_code == 503
    assert client.call("GET", f"/repos/{DEFAULT_REPO}").status_code == 200
    assert seen == ["hook"]
    assert [r.status for r in github_server.calls("repos/get")] == [503, 200]


def test_issues_labels_and_check_runs(github_server: FakeGitHub, client: Client) -> None:
    repo = f"/repos/{DEFAULT_REPO}"
    label = client.call("POST", f"{repo}/labels", {"name": "tidybot", "color": "0e8a16"})
    assert label.status_code == 201
    created = client.call("POST", f"{repo}/issues", {"title": "t", "labels": ["tidybot"]}).json()
    client.call("POST", f"{repo}/issues", {"title": "other"})
    listed = client.call("GET", f"{repo}/issues", labels="tidybot", state="open").json()
    assert [i["number"] for i in listed] == [created["number"]]
    head = github_server.branch_sha(DEFAULT_REPO, "main")
    run = client.call(
        "POST", f"{repo}/check-runs", {"name": "tidybot", "head_sha": head, "status": "in_progress"}
    ).json()
    done = client.call(
        "PATCH",
        f"{repo}/check-runs/{run['id']}",
        {"conclusion": "success", "output": {"title": "ok", "summary": "all tidy"}},
    ).json()
    assert (done["status"], done["conclusion"]) == ("completed", "success")
    assert client.call("GET", f"{repo}/labels").json()[0]["name"] == "tidybot"


# ---- webhook payloads -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "action", "schema"),
    [
        ("pull_request", "opened", "webhook-pull-request-opened"),
        ("issue_comment", "created", "webhook-issue-comment-created"),
        ("workflow_run", "completed", "webhook-workflow-run-completed"),
        ("workflow_dispatch", None, "webhook-workflow-dispatch"),
    ],
)
def test_recorded_events_adjusted_to_the_fake(
    github_server: FakeGitHub,
    github_openapi: OpenAPI,
    issue: int,
    name: str,
    action: str | None,
    schema: str,
) -> None:
    cid = github_server.add_comment(DEFAULT_REPO, issue, "/tidybot fix", user="alice")
    event = raw_event(
        name, action, fake=github_server, repo=DEFAULT_REPO, number=issue, comment_id=cid
    )
    assert event["repository"]["full_name"] == DEFAULT_REPO
    if action is not None:
        assert event["action"] == action
    if name == "pull_request":
        assert event["number"] == issue
        assert event["pull_request"]["head"]["sha"] == github_server.branch_sha(
            DEFAULT_REPO, "feature"
        )
    if name == "issue_comment":
        assert event["issue"]["number"] == issue
        assert "pull_request" in event["issue"]
        assert (event["comment"]["id"], event["comment"]["body"]) == (cid, "/tidybot fix")
    if name == "workflow_run":
        assert event["workflow_run"]["head_sha"] == github_server.branch_sha(DEFAULT_REPO, "main")
    # Adjusting never makes the recorded payload less valid than GitHub's own example.
    before = set(github_openapi.validate_schema(schema, raw_event(name, action), limit=500))
    after = set(github_openapi.validate_schema(schema, event, limit=500))
    assert after <= before


def test_schedule_event_and_unknown_events(github_server: FakeGitHub) -> None:
    event = raw_event("schedule", fake=github_server, repo=DEFAULT_REPO)
    assert event["schedule"] == "17 3 * * *"
    assert event["repository"]["full_name"] == DEFAULT_REPO
    with pytest.raises(KeyError, match="no webhook example named 'nope'"):
        raw_event("nope")
    with pytest.raises(KeyError, match="with action 'exploded'"):
        raw_event("pull_request", "exploded")


def test_load_event_fixture(load_event: Any, issue: int) -> None:
    event = load_event("pull_request", "opened", number=issue)
    assert event["pull_request"]["number"] == issue
