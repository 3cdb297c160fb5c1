"""``tidybot action`` when GitHub misbehaves: retries, rate limits, permissions, races."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.fakes.github import GITHUB_WRITE_TOKEN
from tests.fakes.github_api import BOT_LOGIN, FakeGitHub
from tests.integration.test_action_harness import (
    REPO,
    ActionWorld,
    action_inputs,
    tidybot_command,
    world,
)

__all__ = ["world"]


def test_5xx_is_retried_and_the_comment_still_lands(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.inject("issues/create-comment", 502, times=2)
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    assert len(world.gh.calls("issues/create-comment")) == 3
    assert len(world.bot_comments(number)) == 1


def test_5xx_that_never_ends_is_a_clear_error(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.inject("issues/create-comment", 503, times=100)
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 2, res.explain()
    assert "kept failing" in res.stderr
    assert "Traceback" not in res.stderr
    assert 1 < len(world.gh.calls("issues/create-comment")) <= 10
    # the report still reached the summary and the outputs before the comment failed
    assert "| module | status | findings |" in res.summary


def test_secondary_rate_limit_waits_and_retries(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.inject_secondary_rate_limit("issues/list-comments", retry_after=1)
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    assert len(world.bot_comments(number)) == 1


def test_primary_rate_limit_far_from_reset_names_the_reset(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.inject_primary_rate_limit("issues/list-comments", reset_in=3600, times=5)
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 2, res.explain()
    assert "rate limit" in res.stderr
    assert "resets at" in res.stderr
    assert world.gh.comments(REPO, number) == []


def test_403_without_permission_names_the_permissions_block(world: ActionWorld) -> None:
    number = world.open_pr()
    token = "ghs_fakeNoIssuesToken0000000000000000000"
    world.gh.add_token(
        token,
        permissions={
            "contents": "write",
            "pull_requests": "read",
            "issues": "read",
            "metadata": "read",
        },
    )
    res = world.run("pull_request", world.pr_event(number), world.checkout(), token=token)
    assert res.returncode == 2, res.explain()
    assert "lacks permission" in res.stderr
    assert "permissions:" in res.stderr
    assert "pull-requests: write" in res.stderr or "issues: write" in res.stderr
    assert "Traceback" not in res.stderr
    assert token not in res.stderr


def test_422_protected_branch_is_explained_and_nothing_moves(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.protect(REPO, "feature")
    head = world.gh.branch_sha(REPO, "feature")
    res = world.run("pull_request", world.pr_event(number), world.checkout(), mode="fix")
    assert res.returncode == 2, res.explain()
    assert "protect" in res.stderr
    assert world.gh.branch_sha(REPO, "feature") == head


def test_422_protected_branch_on_tidy_is_answered_with_a_reply(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.protect(REPO, "feature")
    world.gh.set_permission(REPO, "maintainer", "maintain")
    res = world.run("issue_comment", world.tidy_comment(number, "maintainer"), world.checkout())
    assert res.returncode == 2, res.explain()
    replies = [c for c in world.gh.comments(REPO, number) if "`/tidy` failed" in str(c["body"])]
    assert len(replies) == 1
    assert "protect" in str(replies[0]["body"])
    reactions = [r.body for r in world.gh.calls("reactions/create-for-issue-comment")]
    assert {"content": "confused"} in reactions


def test_two_runs_at_once_leave_one_comment(world: ActionWorld) -> None:
    number = world.open_pr()
    event = world.pr_event(number)
    ws1, ws2 = world.checkout(), world.checkout()
    # start both, then let both race through listing and creating the comment
    procs = []
    for ws in (ws1, ws2):
        procs.append(_start(world, event, ws))
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [1, 1]
    assert len(world.bot_comments(number)) == 1


def test_a_comment_from_a_concurrent_run_is_merged_into_one(world: ActionWorld) -> None:
    """Deterministic race: the other run's comment lands between our listing and our post."""
    number = world.open_pr()

    def other_run_posts(gh: FakeGitHub) -> None:
        gh.add_comment(REPO, number, "<!-- tidybot:report -->\nfrom the other run", user=BOT_LOGIN)

    world.gh.before("issues/create-comment", other_run_posts)
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    [comment] = world.bot_comments(number)
    assert "not tidy" in str(comment["body"])  # the survivor holds this run's report


def _start(world: ActionWorld, event: dict[str, object], ws: Path) -> subprocess.Popen[str]:
    """``world.run`` without waiting: the same environment, started in the background."""
    world.runs += 1
    run_dir = world.tmp / f"bg{world.runs}"
    run_dir.mkdir()
    (run_dir / "event.json").write_text(json.dumps(event))
    env = dict(world.goenv)
    for name, value in action_inputs().items():
        env["INPUT_" + name.upper()] = value
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "INPUT_TOKEN": GITHUB_WRITE_TOKEN,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(run_dir / "event.json"),
            "GITHUB_OUTPUT": str(run_dir / "output"),
            "GITHUB_STEP_SUMMARY": str(run_dir / "summary"),
            "GITHUB_API_URL": world.gh.base_url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_WORKSPACE": str(ws),
            "TIDYBOT_GITHUB_BACKOFF": "0.01",
            "TIDYBOT_GITHUB_THROTTLE": "0",
        }
    )
    return subprocess.Popen(
        tidybot_command(),
        cwd=ws,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
