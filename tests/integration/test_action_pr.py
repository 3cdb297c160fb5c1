"""``tidybot action`` on pull requests: sticky comment, annotations, summary, outputs, fixes.

Every test runs the real command as a subprocess against the fake GitHub server, on a real git
clone, with real ``go`` and the fixture module proxy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.integration.test_action_harness import (
    DRIFTED,
    GITHUB_READ_TOKEN,
    GITHUB_WRITE_TOKEN,
    REPO,
    ActionWorld,
    git,
    world,
)

__all__ = ["world"]

GIT_WRITES = ("git/create-blob", "git/create-tree", "git/create-commit", "git/update-ref")


def tidy_files(world: ActionWorld, workspace: Path) -> dict[str, bytes]:
    """What `go mod tidy` makes of the workspace (run here, independently of tidybot)."""
    scratch = world.tmp / "scratch"
    shutil.copytree(workspace, scratch, ignore=shutil.ignore_patterns(".git", ".tidybot"))
    subprocess.run(["go", "mod", "tidy"], cwd=scratch, env=world.goenv, check=True)
    return {p.name: p.read_bytes() for p in (scratch / "go.mod", scratch / "go.sum") if p.exists()}


def pushed(world: ActionWorld) -> list[str]:
    return [r.operation_id for r in world.gh.log if r.operation_id in GIT_WRITES[1:]]


# --- comment mode ------------------------------------------------------------------------------


def test_drift_on_a_pull_request(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    res = world.run("pull_request", world.pr_event(number), ws)

    assert res.returncode == 1, res.explain()
    # one sticky comment with the table, the diff and the local fix command
    comments = world.bot_comments(number)
    assert len(comments) == 1
    body = str(comments[0]["body"])
    assert body.startswith("<!-- tidybot:report -->")
    assert "1 module of 1 not tidy" in body
    assert "| `.` (example\\.com/app) | ❌ drifted |" in body
    assert "`missing-require`" in body
    assert "<details>" in body and "+require example.com/greet v1.1.0" in body
    assert "```sh\ngo mod tidy\n```" in body
    assert "https://github.com/octo/app/actions/runs/4242" in body
    # annotations on the go.mod line, the job summary, the outputs
    assert any(a.startswith("::error file=go.mod") for a in res.annotations), res.stdout
    assert "| module | status | findings |" in res.summary
    assert res.outputs["drift"] == "true"
    assert json.loads(res.outputs["drifted-modules"]) == ["."]
    assert res.outputs["commit-sha"] == ""
    report = res.report()
    assert report["schema_version"] == 1
    assert report["summary"]["drifted"] == 1
    assert report["tidybot_action"]["pull_number"] == number
    # the patch in the artifact applies to the checkout, and the check left the files alone
    patch = ws / ".tidybot" / "tidy.patch"
    assert "+require example.com/greet v1.1.0" in patch.read_text()
    git(ws, "apply", "--check", str(patch))
    assert git(ws, "status", "--porcelain", "--", "go.mod", "go.sum") == ""
    # the token only ever appears in the mask command
    assert res.stdout.count(GITHUB_WRITE_TOKEN) == 1
    assert f"::add-mask::{GITHUB_WRITE_TOKEN}" in res.stdout
    assert GITHUB_WRITE_TOKEN not in res.stderr + res.summary + body
    assert pushed(world) == []


def test_second_run_edits_the_same_comment(world: ActionWorld) -> None:
    number = world.open_pr()
    first = world.run("pull_request", world.pr_event(number), world.checkout())
    assert first.returncode == 1, first.explain()
    [before] = world.bot_comments(number)
    before_id, before_body = before["id"], str(before["body"])
    # a new commit that keeps the drift: the same comment is edited, not a new one posted
    world.gh.push(REPO, "feature", {"README.md": b"docs\n"}, "Docs")
    second = world.run("pull_request", world.pr_event(number), world.checkout())
    assert second.returncode == 1, second.explain()
    [after] = world.bot_comments(number)
    assert after["id"] == before_id
    assert str(after["body"]) != before_body  # it names the new head commit
    assert len(world.gh.calls("issues/create-comment")) == 1
    assert len(world.gh.calls("issues/update-comment")) == 1
    # a third run on the same commit finds the comment up to date and writes nothing
    edits = len(world.gh.calls("issues/update-comment"))
    third = world.run("pull_request", world.pr_event(number), world.checkout())
    assert third.returncode == 1
    assert len(world.gh.calls("issues/update-comment")) == edits
    assert len(world.bot_comments(number)) == 1


def test_drift_fixed_the_comment_says_so(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    assert world.run("pull_request", world.pr_event(number), ws).returncode == 1
    world.gh.push(REPO, "feature", tidy_files(world, ws), "Tidy")
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 0, res.explain()
    [comment] = world.bot_comments(number)
    body = str(comment["body"])
    assert "go.mod and go.sum are tidy" in body
    assert "The drift reported earlier is gone" in body
    assert "not tidy" not in body
    assert res.outputs["drift"] == "false"
    assert json.loads(res.outputs["drifted-modules"]) == []
    assert res.annotations == []


def test_no_comment_for_a_pull_request_that_never_drifted(world: ActionWorld) -> None:
    ws0 = world.checkout("main")
    number = world.open_pr({"README.md": b"hello\n", **tidy_files(world, ws0)})
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 0, res.explain()
    assert world.gh.comments(REPO, number) == []
    assert world.gh.calls("issues/create-comment") == []
    assert res.outputs["drift"] == "false"
    assert "All 1 modules are tidy." in res.summary


def test_quick_start_permissions_are_enough_to_comment(world: ActionWorld) -> None:
    """contents: read + pull-requests: write, as in the README's quick start."""
    token = "ghs_fakeQuickStartToken00000000000000000"
    perms = {"contents": "read", "pull_requests": "write", "issues": "read", "metadata": "read"}
    world.gh.add_token(token, permissions=perms)
    number = world.open_pr()
    res = world.run("pull_request", world.pr_event(number), world.checkout(), token=token)
    assert res.returncode == 1, res.explain()
    assert "mode comment" in res.stdout
    assert len(world.bot_comments(number)) == 1


def test_dependabot_pull_request_only_checks(world: ActionWorld) -> None:
    number = world.open_pr()
    res = world.run(
        "pull_request",
        world.pr_event(number),
        world.checkout(),
        token=GITHUB_READ_TOKEN,
        env_extra={"GITHUB_ACTOR": "dependabot[bot]"},
    )
    assert res.returncode == 1, res.explain()
    assert "read-only token" in res.stdout
    assert world.gh.writes() == []
    assert (res.workspace / ".tidybot" / "tidy.patch").is_file()


def test_fail_on_drift_false_reports_without_failing(world: ActionWorld) -> None:
    number = world.open_pr()
    res = world.run("pull_request", world.pr_event(number), world.checkout(), fail_on_drift="false")
    assert res.returncode == 0, res.explain()
    assert res.outputs["drift"] == "true"
    assert len(world.bot_comments(number)) == 1


# --- fix mode ----------------------------------------------------------------------------------


def test_fix_mode_pushes_a_commit_with_the_tidy_files(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    old_head = world.gh.branch_sha(REPO, "feature")
    before = world.gh.branch_files(REPO, "feature")
    expected = tidy_files(world, ws)

    res = world.run("pull_request", world.pr_event(number), ws, mode="fix")

    assert res.returncode == 0, res.explain()
    sha = res.outputs["commit-sha"]
    assert sha and sha == world.gh.branch_sha(REPO, "feature")
    commit = world.gh.store.commit(sha)
    assert list(commit.parents) == [old_head]
    assert "Tidybot-Fix:" in commit.message
    after = world.gh.branch_files(REPO, "feature")
    assert after["go.mod"] == expected["go.mod"]
    assert after["go.sum"] == expected["go.sum"]
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed == {"go.mod", "go.sum"}
    # the ref moved forward without force
    [update] = world.gh.calls("git/update-ref")
    assert update.body is not None and update.body.get("force") is False
    # the comment says the drift was fixed in that commit
    [comment] = world.bot_comments(number)
    assert f"fixed in {sha}" in str(comment["body"])
    assert res.outputs["drift"] == "false"


def test_fix_refused_when_the_head_moved_before_the_run(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    event = world.pr_event(number)
    moved = world.gh.push(REPO, "feature", {"README.md": b"new\n"}, "Someone else")
    res = world.run("pull_request", event, ws, mode="fix")
    assert res.returncode == 2, res.explain()
    assert "nothing pushed" in res.stderr
    assert world.gh.branch_sha(REPO, "feature") == moved
    assert pushed(world) == []


def test_fix_refused_when_the_head_moves_during_the_push(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    moved: list[str] = []
    world.gh.before(
        "git/update-ref",
        lambda gh: moved.append(gh.push(REPO, "feature", {"README.md": b"race\n"}, "Race")),
    )
    res = world.run("pull_request", world.pr_event(number), ws, mode="fix")
    assert res.returncode == 2, res.explain()
    assert "moved" in res.stderr
    assert world.gh.branch_sha(REPO, "feature") == moved[0]  # the other push stands
    assert res.outputs.get("commit-sha", "") == ""


def test_no_second_fix_on_top_of_the_bots_own_fix(world: ActionWorld) -> None:
    number = world.open_pr()
    # the head is already a tidybot fix commit, yet the module is still not tidy
    world.gh.push(
        REPO,
        "feature",
        {"go.mod": DRIFTED["go.mod"]},
        "go mod tidy\n\nTidybot-Fix: 0123456789abcdef\n",
    )
    head = world.gh.branch_sha(REPO, "feature")
    res = world.run("pull_request", world.pr_event(number), world.checkout(), mode="fix")
    assert res.returncode == 2, res.explain()
    assert "already tidybot's fix" in res.stderr
    assert world.gh.branch_sha(REPO, "feature") == head
    assert pushed(world) == []


def test_fix_mode_on_a_tidy_pull_request_makes_no_commit(world: ActionWorld) -> None:
    ws0 = world.checkout("main")
    number = world.open_pr(tidy_files(world, ws0))
    res = world.run("pull_request", world.pr_event(number), world.checkout(), mode="fix")
    assert res.returncode == 0, res.explain()
    assert res.outputs["commit-sha"] == ""
    assert pushed(world) == []
    assert world.gh.comments(REPO, number) == []


# --- /tidy -------------------------------------------------------------------------------------


def test_tidy_command_by_a_reader_is_refused_with_a_reply(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.set_permission(REPO, "reader", "read")
    event = world.tidy_comment(number, "reader")
    head = world.gh.branch_sha(REPO, "feature")
    res = world.run("issue_comment", event, world.checkout())
    assert res.returncode == 0, res.explain()
    replies = [c for c in world.gh.comments(REPO, number) if "needs write" in str(c["body"])]
    assert len(replies) == 1
    assert "@reader" in str(replies[0]["body"])
    reactions = [r.body for r in world.gh.calls("reactions/create-for-issue-comment")]
    assert {"content": "eyes"} in reactions
    assert world.gh.branch_sha(REPO, "feature") == head
    assert pushed(world) == []


def test_tidy_command_by_a_writer_fixes_the_pull_request(world: ActionWorld) -> None:
    number = world.open_pr()
    world.gh.set_permission(REPO, "maintainer", "write")
    # the pull request's run reports the head the maintainer then sees
    report = world.run("pull_request", world.pr_event(number), world.checkout())
    assert report.returncode == 1, report.explain()
    event = world.tidy_comment(number, "maintainer")
    res = world.run("issue_comment", event, world.checkout())
    assert res.returncode == 0, res.explain()
    sha = res.outputs["commit-sha"]
    assert sha == world.gh.branch_sha(REPO, "feature")
    files = world.gh.branch_files(REPO, "feature")
    assert b"require example.com/greet v1.1.0" in files["go.mod"]
    assert "go.sum" in files
    reactions = [r.body for r in world.gh.calls("reactions/create-for-issue-comment")]
    assert reactions == [{"content": "eyes"}, {"content": "rocket"}]
    [comment] = world.bot_comments(number)
    assert f"fixed in {sha}" in str(comment["body"])
    assert f"<!-- tidybot:head:{sha} -->" in str(comment["body"])
    # a second /tidy on the fixed head finds nothing to do
    again = world.run("issue_comment", world.tidy_comment(number, "maintainer"), world.checkout())
    assert again.returncode == 0, again.explain()
    assert again.outputs["commit-sha"] == ""
    assert world.gh.branch_sha(REPO, "feature") == sha


def test_ordinary_comment_does_nothing(world: ActionWorld) -> None:
    number = world.open_pr()
    event = world.tidy_comment(number, "octocat", body="looks good to me")
    res = world.run("issue_comment", event, world.checkout())
    assert res.returncode == 0, res.explain()
    assert "mode skip" in res.stdout
    assert world.gh.writes() == []


def test_tidy_shown_in_code_or_a_quote_is_no_command(world: ActionWorld) -> None:
    """A maintainer who shows how to ask for a fix (a code block, a quote, a hidden HTML
    comment) has not asked for one: nothing is pushed, no reaction, no reply."""
    number = world.open_pr()
    world.gh.set_permission(REPO, "maintainer", "write")
    head = world.gh.branch_sha(REPO, "feature")
    for body in (
        "To fix it, comment:\n\n```\n/tidy\n```\n",
        "~~~markdown\n/tidy\n~~~",
        f"    /tidy {head}",
        f"> /tidy {head}\n\nthanks, merging once it is tidy",
        "<!--\n/tidy\n-->\nnot yet",
    ):
        event = world.tidy_comment(number, "maintainer", body=body)
        res = world.run("issue_comment", event, world.checkout())
        assert res.returncode == 0, res.explain()
        assert "mode skip" in res.stdout, body
    assert world.gh.writes() == []
    assert world.gh.branch_sha(REPO, "feature") == head
    # the same maintainer's command after a code block is one
    body = f"```\ngo mod tidy\n```\n/tidy {head}"
    event = world.tidy_comment(number, "maintainer", body=body)
    res = world.run("issue_comment", event, world.checkout())
    assert res.returncode == 0, res.explain()
    assert res.outputs["commit-sha"] == world.gh.branch_sha(REPO, "feature") != head


# --- forks and the two-workflow pattern --------------------------------------------------------


def fork_run(world: ActionWorld) -> tuple[int, Path]:
    number = world.open_pr(head_repo="contributor/app", maintainer_can_modify=True)
    ws = world.checkout("feature", repo="contributor/app")
    res = world.run("pull_request", world.pr_event(number), ws, token=GITHUB_READ_TOKEN)
    assert res.returncode == 1, res.explain()
    assert "mode check" in res.stdout
    assert world.gh.writes() == []
    assert world.gh.comments(REPO, number) == []
    assert "| module | status | findings |" in res.summary
    artifact = ws / ".tidybot"
    assert (artifact / "report.json").is_file()
    assert "+require example.com/greet v1.1.0" in (artifact / "tidy.patch").read_text()
    return number, artifact


def test_fork_pull_request_writes_the_artifact_and_nothing_to_github(world: ActionWorld) -> None:
    fork_run(world)


def sender_of(event: dict[str, object]) -> str:
    """The login of an event's sender."""
    sender = event["sender"]
    assert isinstance(sender, dict)
    return str(sender["login"])


def workflow_run_event(world: ActionWorld, number: int) -> dict[str, object]:
    event = world.load_event("workflow_run", "completed")
    run = event["workflow_run"]
    run["event"] = "pull_request"
    run["head_sha"] = world.gh.branch_sha("contributor/app", "feature")
    run["head_branch"] = "feature"
    run["head_repository"]["full_name"] = "contributor/app"
    return event


def follow_up_workspace(world: ActionWorld, artifact: Path, *, head: bool = False) -> Path:
    """The workflow_run job downloads the artifact; to fix, it also checks out the head."""
    if head:
        ws = world.checkout("feature", repo="contributor/app")
        shutil.rmtree(ws / ".tidybot", ignore_errors=True)
    else:
        ws = world.tmp / "follow-up"
        ws.mkdir()
    shutil.copytree(artifact, ws / ".tidybot")
    return ws


def test_workflow_run_posts_the_comment_from_the_artifact(world: ActionWorld) -> None:
    number, artifact = fork_run(world)
    ws = follow_up_workspace(world, artifact)
    no_go = {"TIDYBOT_GO": str(world.tmp / "no-go-here")}  # running go would fail loudly
    res = world.run("workflow_run", workflow_run_event(world, number), ws, env_extra=no_go)
    assert res.returncode == 0, res.explain()
    [comment] = world.bot_comments(number)
    body = str(comment["body"])
    assert "1 module of 1 not tidy" in body
    assert "+require example.com/greet v1.1.0" in body
    assert pushed(world) == []  # mode auto comments only
    assert sorted(p.name for p in ws.iterdir()) == [".tidybot"]  # no PR code came in


def test_workflow_run_fix_pushes_to_a_fork_that_allows_maintainer_edits(
    world: ActionWorld,
) -> None:
    number, artifact = fork_run(world)
    ws = follow_up_workspace(world, artifact, head=True)
    head = world.gh.branch_sha("contributor/app", "feature")
    event = workflow_run_event(world, number)
    world.gh.set_permission(REPO, sender_of(event), "write")  # who may fix
    res = world.run("workflow_run", event, ws, mode="fix")
    assert res.returncode == 0, res.explain()
    sha = res.outputs["commit-sha"]
    assert sha == world.gh.branch_sha("contributor/app", "feature")
    assert list(world.gh.store.commit(sha).parents) == [head]
    files = world.gh.branch_files("contributor/app", "feature")
    assert b"require example.com/greet v1.1.0" in files["go.mod"]
    [comment] = world.bot_comments(number)
    assert f"fixed in {sha}" in str(comment["body"])


def test_the_comments_tidybot_fix_keeps_the_actions_paths_and_exclude(world: ActionWorld) -> None:
    """The comment suggested a bare ``tidybot fix``, which fixes modules the action's ``paths``
    and ``exclude`` inputs left out of the check."""
    number = world.open_pr()
    res = world.run(
        "pull_request", world.pr_event(number), world.checkout(), paths=".,svc/**", exclude="x"
    )
    assert res.returncode == 1, res.explain()
    [comment] = world.bot_comments(number)
    body = str(comment["body"])
    assert "`tidybot fix --include . --include 'svc/**' --exclude x`" in body, body


def test_workflow_run_refuses_an_artifact_for_another_commit(world: ActionWorld) -> None:
    number, artifact = fork_run(world)
    report = json.loads((artifact / "report.json").read_text())
    report["tidybot_action"]["head_sha"] = "f" * 40
    (artifact / "report.json").write_text(json.dumps(report))
    ws = follow_up_workspace(world, artifact)
    res = world.run("workflow_run", workflow_run_event(world, number), ws)
    assert res.returncode == 2, res.explain()
    assert "not made for the head commit" in res.stderr
    assert world.gh.comments(REPO, number) == []


def test_workflow_run_fix_without_the_head_checked_out_only_comments(world: ActionWorld) -> None:
    """The follow-up never pushes what the artifact says: without a checkout of the head to
    compute the fix from, it comments and says why."""
    number, artifact = fork_run(world)
    ws = follow_up_workspace(world, artifact)
    event = workflow_run_event(world, number)
    world.gh.set_permission(REPO, sender_of(event), "write")  # who may fix
    res = world.run("workflow_run", event, ws, mode="fix")
    assert res.returncode == 0, res.explain()
    assert "no fix: the workspace is not a checkout" in res.stdout
    assert pushed(world) == []
    assert len(world.bot_comments(number)) == 1
