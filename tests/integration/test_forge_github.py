"""GitHubForge (PyGithub) against the fake GitHub over real HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path

import pytest

from bot.errors import ForgeError
from bot.forge.errors import (
    BranchMovedError,
    ForgeUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    ProtectedBranchError,
    RateLimitError,
    ReadOnlyTokenError,
)
from bot.forge.github import GitHubForge
from bot.forge.port import Forge, marker_for
from tests.fakes.github import DEFAULT_REPO, GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN
from tests.fakes.github_api import BOT_LOGIN, FakeGitHub

MARKER = marker_for("report")


class Sleeps:
    """Records the adapter's waits instead of sleeping (passed in, not patched)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_forge(
    server: FakeGitHub,
    token: str = GITHUB_WRITE_TOKEN,
    *,
    sleep: Sleeps | None = None,
    **kwargs: object,
) -> GitHubForge:
    return GitHubForge(
        DEFAULT_REPO,
        token,
        base_url=server.base_url,
        backoff_base=0.001,
        seconds_between_requests=0,
        seconds_between_writes=0,
        sleep=sleep or Sleeps(),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def forge(github_server: FakeGitHub) -> GitHubForge:
    return make_forge(github_server)


@pytest.fixture
def pull(github_server: FakeGitHub) -> int:
    main = github_server.branch_sha(DEFAULT_REPO, "main")
    github_server.push(DEFAULT_REPO, "feature", {"go.sum": b""}, "Add go.sum", parent=main)
    return github_server.open_pull(DEFAULT_REPO, head="feature", user="alice")


def test_forge_satisfies_the_port(forge: GitHubForge) -> None:
    assert isinstance(forge, Forge)
    assert forge.repository == DEFAULT_REPO


def test_get_pull_from_same_repository(
    github_server: FakeGitHub, forge: GitHubForge, pull: int
) -> None:
    pr = forge.get_pull(pull)
    assert pr.number == pull
    assert pr.head_sha == github_server.branch_sha(DEFAULT_REPO, "feature")
    assert pr.base_sha == github_server.branch_sha(DEFAULT_REPO, "main")
    assert (pr.head_ref, pr.base_ref, pr.head_repo) == ("feature", "main", DEFAULT_REPO)
    assert pr.is_fork is False
    assert pr.author == "alice"
    # base_url without /api/v3: PyGithub builds http://127.0.0.1:PORT/repos/...
    assert github_server.log[-1].path == f"/repos/{DEFAULT_REPO}/pulls/{pull}"


def test_get_pull_from_fork(github_server: FakeGitHub, forge: GitHubForge) -> None:
    github_server.create_repo("mallory/app", fork_of=DEFAULT_REPO)
    github_server.push("mallory/app", "patch-1", {"evil.go": b"package evil\n"})
    number = github_server.open_pull(
        DEFAULT_REPO,
        head="patch-1",
        head_repo="mallory/app",
        user="mallory",
        maintainer_can_modify=True,
    )
    pr = forge.get_pull(number)
    assert pr.is_fork is True
    assert pr.head_repo == "mallory/app"
    assert pr.maintainer_can_modify is True
    assert pr.head_sha == github_server.branch_sha("mallory/app", "patch-1")


def test_sticky_comment_created_then_edited_in_place(
    github_server: FakeGitHub, forge: GitHubForge, pull: int
) -> None:
    assert forge.find_comment(pull, MARKER) is None
    github_server.add_comment(DEFAULT_REPO, pull, "LGTM", user="alice")
    first = forge.upsert_comment(pull, MARKER, "3 modules drifted")
    second = forge.upsert_comment(pull, MARKER, "all modules tidy")
    assert second.id == first.id
    bodies = [c["body"] for c in github_server.comments(DEFAULT_REPO, pull)]
    assert bodies == ["LGTM", f"{MARKER}\nall modules tidy"]
    found = forge.find_comment(pull, MARKER)
    assert found is not None
    assert (found.id, found.author) == (first.id, BOT_LOGIN)
    edits = github_server.calls("issues/update-comment")
    assert len(edits) == 1
    assert len(github_server.calls("issues/create-comment")) == 1


def test_unchanged_comment_is_not_rewritten(
    github_server: FakeGitHub, forge: GitHubForge, pull: int
) -> None:
    forge.upsert_comment(pull, MARKER, "same")
    forge.upsert_comment(pull, MARKER, "same")
    assert github_server.calls("issues/update-comment") == []


def test_comments_found_across_pages(github_server: FakeGitHub, pull: int) -> None:
    for i in range(7):
        github_server.add_comment(DEFAULT_REPO, pull, f"chatter {i}")
    forge = make_forge(github_server, per_page=3)
    created = forge.upsert_comment(pull, MARKER, "report")
    for i in range(4):
        github_server.add_comment(DEFAULT_REPO, pull, f"more {i}")
    again = forge.upsert_comment(pull, MARKER, "report v2")
    assert again.id == created.id
    pages = {r.query.get("page", ["1"])[0] for r in github_server.calls("issues/list-comments")}
    assert pages >= {"1", "2", "3", "4"}


def test_concurrent_upserts_leave_one_comment(github_server: FakeGitHub, pull: int) -> None:
    barrier = threading.Barrier(2)
    results: list[int] = []
    failures: list[BaseException] = []

    def run(text: str) -> None:
        forge = make_forge(github_server)
        try:
            barrier.wait(timeout=10)
            results.append(forge.upsert_comment(pull, MARKER, text).id)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    # Hold each create until both runs have found no comment and decided to create one:
    # the race that makes two comments, made certain.
    creating = threading.Barrier(2)
    github_server.before("issues/create-comment", lambda _: creating.wait(timeout=10), times=2)
    threads = [threading.Thread(target=run, args=(f"run {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    comments = github_server.comments(DEFAULT_REPO, pull)
    assert len(comments) == 1
    assert len(github_server.calls("issues/create-comment")) == 2
    assert results == [comments[0]["id"]] * 2
    assert comments[0]["body"] in (f"{MARKER}\nrun 0", f"{MARKER}\nrun 1")


def test_react_and_reply(github_server: FakeGitHub, forge: GitHubForge, pull: int) -> None:
    cid = github_server.add_comment(DEFAULT_REPO, pull, "/tidybot fix", user="alice")
    forge.react(cid, "eyes")
    forge.react(cid, "+1")
    reply = forge.reply(pull, "On it.")
    stored = github_server.repo(DEFAULT_REPO).comments[cid]
    assert [r["content"] for r in stored["reactions"]] == ["eyes", "+1"]
    assert reply.body == "On it."
    assert reply.author == BOT_LOGIN


def test_permission_lookup(github_server: FakeGitHub, forge: GitHubForge) -> None:
    github_server.set_permission(DEFAULT_REPO, "alice", "write")
    github_server.set_permission(DEFAULT_REPO, "bob", "triage")
    github_server.add_user("carol")
    assert forge.permission("octo") == "admin"
    assert forge.permission("alice") == "write"
    assert forge.permission("bob") == "read"
    assert forge.permission("carol") == "read"
    assert forge.permission("nobody-at-all") == "none"


def test_commit_files_makes_a_commit_holding_the_files(
    github_server: FakeGitHub, forge: GitHubForge, tmp_path: Path
) -> None:
    head = forge.branch_head("main")
    files = {
        "go.mod": b"module example.com/app\n\ngo 1.23\n",
        "sub/go.sum": b"x v1 h1:abc=\n",
        "vendor/blob.bin": bytes(range(256)),  # not UTF-8: uploaded as a base64 blob
    }
    sha = forge.commit_files("main", head, files, "tidybot: go mod tidy")
    assert github_server.branch_sha(DEFAULT_REPO, "main") == sha
    assert github_server.branch_files(DEFAULT_REPO, "main") == files
    info = forge.last_commit("main")
    assert info.sha == sha
    assert info.parents == (head,)
    assert info.message == "tidybot: go mod tidy"
    assert info.author_name == BOT_LOGIN
    update = github_server.calls("git/update-ref")
    assert len(update) == 1
    assert update[0].body == {"sha": sha, "force": False}
    # The SHAs are real git SHAs: a real git clone shows the same commit and content.
    bare = github_server.export(DEFAULT_REPO, tmp_path / "app.git")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    rev = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    )
    assert rev.stdout.strip() == sha
    assert (clone / "sub" / "go.sum").read_bytes() == files["sub/go.sum"]
    assert (clone / "vendor" / "blob.bin").read_bytes() == files["vendor/blob.bin"]
    assert len(github_server.calls("git/create-blob")) == 1
    fsck = subprocess.run(["git", "-C", str(bare), "fsck", "--strict"], capture_output=True)
    assert fsck.returncode == 0, fsck.stderr


def test_commit_files_with_no_change_makes_no_commit(
    github_server: FakeGitHub, forge: GitHubForge
) -> None:
    head = forge.branch_head("main")
    assert forge.commit_files("main", head, {}, "nothing") == head
    same = github_server.branch_files(DEFAULT_REPO, "main")
    assert forge.commit_files("main", head, same, "same content") == head
    assert github_server.calls("git/create-commit") == []
    assert github_server.branch_sha(DEFAULT_REPO, "main") == head


def test_head_moved_before_write_is_refused_and_nothing_written(
    github_server: FakeGitHub, forge: GitHubForge
) -> None:
    head = forge.branch_head("main")
    moved = github_server.push(DEFAULT_REPO, "main", {"README.md": b"hi\n"}, "someone else")
    start = len(github_server.log)
    with pytest.raises(BranchMovedError) as info:
        forge.commit_files("main", head, {"go.mod": b"module x\n"}, "fix")
    assert info.value.actual == moved
    assert "nothing was written" in str(info.value)
    assert [r for r in github_server.log[start:] if r.is_write] == []
    assert github_server.branch_sha(DEFAULT_REPO, "main") == moved


def test_head_moved_during_write_maps_non_fast_forward(
    github_server: FakeGitHub, forge: GitHubForge
) -> None:
    head = forge.branch_head("main")
    pushed: list[str] = []
    github_server.before(
        "git/update-ref",
        lambda gh: pushed.append(gh.push(DEFAULT_REPO, "main", {"x": b"1"}, "racer")),
    )
    with pytest.raises(BranchMovedError, match="moved away from"):
        forge.commit_files("main", head, {"go.mod": b"module x\n"}, "fix")
    assert github_server.branch_sha(DEFAULT_REPO, "main") == pushed[0]
    assert github_server.calls("git/update-ref")[0].status == 422


def test_create_or_update_branch(github_server: FakeGitHub, forge: GitHubForge) -> None:
    head = forge.branch_head("main")
    forge.create_or_update_branch("tidybot/fix", head)
    assert github_server.branch_sha(DEFAULT_REPO, "tidybot/fix") == head
    other = github_server.push(DEFAULT_REPO, "side", {"y": b"2"}, "side", parent=head)
    forge.create_or_update_branch("tidybot/fix", other, force=True)
    assert github_server.branch_sha(DEFAULT_REPO, "tidybot/fix") == other
    with pytest.raises(ForgeError, match="only tidybot's own branches"):
        forge.create_or_update_branch("main", other, force=True)


def test_dashboard_issue_and_fix_pull(github_server: FakeGitHub, forge: GitHubForge) -> None:
    assert forge.find_issue_by_label("tidybot") is None
    issue = forge.create_issue("Go modules dashboard", "all tidy", ("tidybot",))
    assert forge.find_issue_by_label("tidybot") == issue
    closed = forge.update_issue(issue.number, state="closed", body="done")
    assert (closed.state, closed.body) == ("closed", "done")
    assert forge.find_issue_by_label("tidybot") is None
    assert forge.find_issue_by_label("tidybot", state="closed") == closed

    head = forge.branch_head("main")
    forge.create_or_update_branch("tidybot/fix", head)
    forge.commit_files("tidybot/fix", head, {"go.sum": b"\n"}, "tidy")
    assert forge.find_pull("tidybot/fix") is None
    pr = forge.create_pull("tidybot/fix", "main", "Tidy Go modules", "body")
    assert forge.find_pull("tidybot/fix") == pr
    updated = forge.update_pull(pr.number, title="Tidy Go modules (2)")
    assert updated.title == "Tidy Go modules (2)"
    assert forge.update_pull(pr.number, state="closed").state == "closed"
    assert forge.find_pull("tidybot/fix") is None


# ---- faults ---------------------------------------------------------------------------


def test_5xx_retried_then_success(github_server: FakeGitHub, pull: int) -> None:
    sleeps = Sleeps()
    forge = make_forge(github_server, sleep=sleeps)
    github_server.inject("pulls/get", 502, times=2)
    assert forge.get_pull(pull).number == pull
    assert [r.status for r in github_server.calls("pulls/get")] == [502, 502, 200]
    assert sleeps.waits == [0.001, 0.002]  # exponential from the constructor's base


def test_5xx_gives_up_after_bounded_attempts(github_server: FakeGitHub, pull: int) -> None:
    sleeps = Sleeps()
    forge = make_forge(github_server, sleep=sleeps, max_attempts=3)
    github_server.inject("pulls/get", 503, times=10)
    with pytest.raises(ForgeUnavailableError, match="after 3 attempts") as info:
        forge.get_pull(pull)
    assert "githubstatus.com" in str(info.value)
    assert len(github_server.calls("pulls/get")) == 3
    assert len(sleeps.waits) == 2


def test_secondary_rate_limit_waits_retry_after(github_server: FakeGitHub, pull: int) -> None:
    sleeps = Sleeps()
    forge = make_forge(github_server, sleep=sleeps)
    github_server.inject_secondary_rate_limit("issues/create-comment", retry_after=7)
    forge.reply(pull, "hello")
    assert [r.status for r in github_server.calls("issues/create-comment")] == [403, 201]
    assert sleeps.waits == [7.0]
    assert len(github_server.comments(DEFAULT_REPO, pull)) == 1


def test_primary_rate_limit_short_reset_is_waited_for(github_server: FakeGitHub, pull: int) -> None:
    sleeps = Sleeps()
    forge = make_forge(github_server, sleep=sleeps, max_rate_limit_wait=60)
    github_server.inject_primary_rate_limit("pulls/get", reset_in=20, status=429)
    assert forge.get_pull(pull).number == pull
    assert len(sleeps.waits) == 1
    assert 15 <= sleeps.waits[0] <= 22


def test_primary_rate_limit_long_reset_is_a_clear_error(
    github_server: FakeGitHub, pull: int
) -> None:
    sleeps = Sleeps()
    forge = make_forge(github_server, sleep=sleeps, max_rate_limit_wait=60)
    github_server.inject_primary_rate_limit("pulls/get", reset_in=3600)
    with pytest.raises(RateLimitError) as info:
        forge.get_pull(pull)
    text = str(info.value)
    assert "rate limit exhausted" in text
    assert "resets at 20" in text  # the reset time, ISO 8601
    assert "(in 60 min)" in text
    assert info.value.reset_at is not None
    assert sleeps.waits == []
    assert len(github_server.calls("pulls/get")) == 1


def test_read_only_token_write_names_the_permissions_block(
    github_server: FakeGitHub, pull: int
) -> None:
    forge = make_forge(github_server, GITHUB_READ_TOKEN)
    with pytest.raises(ReadOnlyTokenError) as info:
        forge.reply(pull, "hello")
    text = str(info.value)
    assert "Resource not accessible by integration" in text
    assert "permissions:\n      pull-requests: write\n      issues: write\n" in text
    assert "fork" in text
    assert len(github_server.calls("issues/create-comment")) == 1  # a 403 is not retried


def test_missing_contents_permission_on_commit(github_server: FakeGitHub) -> None:
    github_server.add_token("ghs_noContents", permissions={"contents": "read"})
    forge = make_forge(github_server, "ghs_noContents")
    head = forge.branch_head("main")
    with pytest.raises(PermissionDeniedError) as info:
        forge.commit_files("main", head, {"go.mod": b"module y\n"}, "fix")
    assert "permissions:\n      contents: write\n" in str(info.value)
    assert github_server.branch_sha(DEFAULT_REPO, "main") == head


def test_404_for_missing_permission_names_the_block(
    github_server: FakeGitHub, forge: GitHubForge, pull: int
) -> None:
    github_server.inject("pulls/get", 404, message="Not Found")
    with pytest.raises(NotFoundError) as info:
        forge.get_pull(pull)
    text = str(info.value)
    assert f"pull request #{pull}" in text
    assert "hidden from this token" in text
    assert "permissions:\n      pull-requests: read\n" in text


def test_protected_branch_is_a_clear_error(github_server: FakeGitHub, forge: GitHubForge) -> None:
    github_server.protect(DEFAULT_REPO, "main")
    head = forge.branch_head("main")
    with pytest.raises(ProtectedBranchError) as info:
        forge.commit_files("main", head, {"go.mod": b"module z\n"}, "fix")
    text = str(info.value)
    assert "Protected branch update failed for refs/heads/main" in text
    assert "fix pull request" in text
    assert github_server.branch_sha(DEFAULT_REPO, "main") == head


def test_can_write_probe(github_server: FakeGitHub) -> None:
    assert make_forge(github_server).can_write() is True
    reader = make_forge(github_server, GITHUB_READ_TOKEN)
    assert reader.can_write() is False
    assert reader.can_write() is False
    probes = github_server.calls("git/create-blob")
    assert [r.status for r in probes] == [201, 403]  # asked once per forge


def test_fork_pull_with_event_known_read_only_makes_no_write_call(
    github_server: FakeGitHub,
) -> None:
    github_server.create_repo("mallory/app", fork_of=DEFAULT_REPO)
    github_server.push("mallory/app", "patch-1", {"go.mod": b"module evil\n"})
    number = github_server.open_pull(
        DEFAULT_REPO, head="patch-1", head_repo="mallory/app", user="mallory"
    )
    forge = make_forge(github_server, GITHUB_READ_TOKEN, read_only=True)
    pr = forge.get_pull(number)
    assert pr.is_fork
    assert forge.can_write() is False
    assert forge.find_comment(number, MARKER) is None
    assert github_server.writes() == []


def test_bad_credentials(github_server: FakeGitHub, pull: int) -> None:
    forge = make_forge(github_server, "ghp_unknown")
    with pytest.raises(PermissionDeniedError, match="invalid or expired"):
        forge.get_pull(pull)


def test_invalid_repository_name_is_a_usage_error() -> None:
    with pytest.raises(ForgeError, match="expected owner/name"):
        GitHubForge("justaname", "t", base_url="http://127.0.0.1:9")


def test_network_error_is_retried_then_reported() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    forge = GitHubForge(
        DEFAULT_REPO,
        "t",
        base_url=f"http://127.0.0.1:{port}",
        max_attempts=2,
        backoff_base=0.001,
        seconds_between_requests=0,
        sleep=sleeps,
    )
    with pytest.raises(ForgeUnavailableError, match=r"after 2 attempts \(network error\)"):
        forge.branch_head("main")
    assert sleeps.waits == [0.001]


def test_api_url_from_the_actions_environment(
    github_server: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", github_server.base_url)
    forge = GitHubForge(DEFAULT_REPO, GITHUB_WRITE_TOKEN, seconds_between_requests=0)
    assert forge.base_url == github_server.base_url
    assert forge.branch_head("main") == github_server.branch_sha(DEFAULT_REPO, "main")


def test_ruleset_refusal_without_reason_is_explained(
    github_server: FakeGitHub, forge: GitHubForge
) -> None:
    github_server.inject("git/update-ref", 422, message="Reference update failed")
    head = forge.branch_head("main")
    with pytest.raises(ProtectedBranchError, match="ruleset or branch protection") as info:
        forge.commit_files("main", head, {"go.mod": b"module r\n"}, "fix")
    assert "fix pull request" in str(info.value)
    assert len(github_server.calls("git/update-ref")) == 1
    assert github_server.branch_sha(DEFAULT_REPO, "main") == head
