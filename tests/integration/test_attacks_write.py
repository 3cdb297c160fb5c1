"""What tidybot writes with a write token can be steered by nobody but tidybot: each attack on
the write path is a test through ``tidybot action`` against the fake GitHub, with real webhook
payloads, real git and real go.

The items follow the review of the GitHub-facing logic: the artifact's content, the bot's own
comment as a command, the fix branch and pull request, the dashboard issue, the branch a fix goes
to, the artifact directory, the audited branch, the head a ``/tidy`` fixes, deadlines, closed
pull requests, hostile JSON, and the permission check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from bot.audit import DASHBOARD_LABEL, DASHBOARD_MARKER, FIX_BRANCH
from tests.fakes.github_api import FakeGitHub
from tests.fakes.sumdb import SumdbServer
from tests.integration.engine_helpers import tidybot
from tests.integration.test_action_harness import (
    DRIFTED,
    GITHUB_READ_TOKEN,
    REPO,
    ActionResult,
    ActionWorld,
    world,
)
from tests.integration.test_action_pr import (
    follow_up_workspace,
    fork_run,
    sender_of,
    workflow_run_event,
)

__all__ = ["world"]

FORK = "contributor/app"


def _git_writes(gh: FakeGitHub) -> list[Any]:
    return [r for r in gh.writes() if r.operation_id and r.operation_id.startswith("git/")]


# --- 0. the follow-up fixes only for a sender who may write --------------------------------------


def test_the_follow_up_fix_of_a_readers_fork_pushes_nothing(world: ActionWorld) -> None:
    """``mode: fix`` in the workflow_run follow-up checked nobody's permission: a reader's fork
    pull request that allows maintainer edits got a push (the pull_request_target run of the
    same mode refuses it: test_fix_mode_on_pull_request_target_from_a_reader_pushes_nothing)."""
    number, artifact = fork_run(world)
    head = world.gh.branch_sha(FORK, "feature")
    ws = follow_up_workspace(world, artifact, head=True)
    event = workflow_run_event(world, number)
    sender = event["sender"]
    assert isinstance(sender, dict)
    event["sender"] = {**sender, **world.gh.user_json("contributor")}  # a reader
    res = world.run("workflow_run", event, ws, mode="fix")
    assert res.returncode == 0, res.explain()
    assert world.gh.branch_sha(FORK, "feature") == head, res.explain()
    assert _git_writes(world.gh) == []
    assert "refused: permission read" in res.stdout


def test_the_follow_up_fix_of_a_readers_pull_request_pushes_nothing_to_this_repository(
    world: ActionWorld,
) -> None:
    """A writer's unprotected branch ``wip``; a reader opens a pull request from it. Its
    follow-up with ``mode: fix`` committed onto ``wip`` in the base repository."""
    base = world.gh.branch_sha(REPO, "main")
    head = world.gh.push(REPO, "wip", DRIFTED, "work in progress", parent=base)
    world.gh.set_permission(REPO, "mallory", "read")
    number = world.gh.open_pull(REPO, head="wip", user="mallory")
    ws = world.checkout("wip")
    first = world.run(
        "pull_request", world.pr_event(number), ws, token=GITHUB_READ_TOKEN, mode="check"
    )
    assert first.returncode == 1, first.explain()
    event = world.load_event("workflow_run", "completed", sender="mallory")
    event["workflow_run"].update(event="pull_request", head_sha=head, head_branch="wip")
    follow = world.checkout("wip")  # the follow-up checks out the head, with the artifact
    shutil.copytree(ws / ".tidybot", follow / ".tidybot")
    res = world.run("workflow_run", event, follow, mode="fix")
    assert res.returncode == 0, res.explain()
    assert world.gh.branch_sha(REPO, "wip") == head, res.explain()
    assert _git_writes(world.gh) == []


# --- 1. the follow-up pushes only what it computed itself -----------------------------------------


def test_an_edited_artifact_cannot_choose_the_pushed_files(world: ActionWorld) -> None:
    number, artifact = fork_run(world)
    report = json.loads((artifact / "report.json").read_text())
    evil = "replace example.com/greet => github.com/attacker/greet v6.6.6\n"
    report["fix_files"] = {
        "go.mod": "module example.com/app\n\ngo 1.22\n\n" + evil,
        "tools/evil/go.mod": "module evil\n",
        "main.go": None,
    }
    (artifact / "report.json").write_text(json.dumps(report))
    (artifact / "tidy.patch").write_text("diff --git a/go.mod b/go.mod\n+" + evil)
    ws = follow_up_workspace(world, artifact, head=True)
    event = workflow_run_event(world, number)
    world.gh.set_permission(REPO, sender_of(event), "write")  # who may fix
    res = world.run("workflow_run", event, ws, mode="fix")
    assert res.returncode == 0, res.explain()
    sha = res.outputs["commit-sha"]
    assert sha, res.explain()
    files = world.gh.branch_files(FORK, "feature")
    assert b"attacker" not in files["go.mod"]
    assert b"require example.com/greet v1.1.0" in files["go.mod"]
    assert "tools/evil/go.mod" not in files and "main.go" in files
    changed = set(world.gh.store.files(world.gh.store.commit(sha).tree)) ^ set(files)
    assert changed == set()


# --- 2. the bot's own comment is never a command --------------------------------------------------


def test_the_sticky_comment_replayed_as_a_comment_event_starts_nothing(world: ActionWorld) -> None:
    """A fork's artifact puts a bare ``/tidy`` line into the report the follow-up renders;
    GitHub then delivers tidybot's own comment as an issue_comment. Nothing happens: the
    comment is a bot's, carries tidybot's marker, and no line of it is a bare /tidy."""
    number, artifact = fork_run(world)
    report = json.loads((artifact / "report.json").read_text())
    report["modules"][0]["diff"] += "\n/tidy\n"
    report["modules"][0]["findings"][0]["message"] = "x\n/tidy\ny"
    (artifact / "report.json").write_text(json.dumps(report))
    ws = follow_up_workspace(world, artifact)
    res = world.run("workflow_run", workflow_run_event(world, number), ws)
    assert res.returncode == 0, res.explain()
    [ours] = world.bot_comments(number)
    assert "/tidy" not in [ln.strip() for ln in str(ours["body"]).splitlines()]
    # the token's account may write (a PAT or an App); the replayed event names it
    world.gh.set_permission(REPO, "github-actions[bot]", "write")
    event = world.load_event(
        "issue_comment",
        "created",
        number=number,
        comment_id=int(ours["id"]),
        sender="github-actions[bot]",
    )
    event["comment"]["body"] = str(ours["body"]) + "\n/tidy\n"  # even if it held one
    head = world.gh.branch_sha(FORK, "feature")
    again = world.run("issue_comment", event, world.checkout("feature", repo=FORK))
    assert again.returncode == 0, again.explain()
    assert "mode skip" in again.stdout
    assert world.gh.branch_sha(FORK, "feature") == head
    assert _git_writes(world.gh) == []


# --- 4, 5, 8. the audit's issue and pull request --------------------------------------------------


def _audit(
    world: ActionWorld, sumdb: SumdbServer, ref: str = "main", **inputs: str
) -> ActionResult:
    ws = world.checkout(ref)
    res = world.run(
        "schedule",
        world.load_event("schedule"),
        ws,
        env_extra={"GOSUMDB": sumdb.gosumdb, "GONOSUMDB": "", "GITHUB_REF_NAME": ref},
        inputs=inputs,
    )
    assert res.returncode in (0, 1), res.explain()
    return res


def test_a_forged_commit_on_the_fix_branch_is_replaced(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    world.gh.push(REPO, "main", DRIFTED, "drift")
    _audit(world, sumdb_server, **{"open-pr": "true"})
    fix = world.gh.branch_sha(REPO, FIX_BRANCH)
    assert fix is not None
    commit = world.gh.store.commit(fix)
    # someone who can push copies the fix commit's message and parent, and adds a backdoor
    world.gh.push(
        REPO,
        FIX_BRANCH,
        {**world.gh.branch_files(REPO, FIX_BRANCH), ".github/workflows/x.yml": b"on: push\n"},
        commit.message,
        parent=commit.parents[0],
    )
    _audit(world, sumdb_server, **{"open-pr": "true"})
    rebuilt = world.gh.branch_sha(REPO, FIX_BRANCH)
    assert rebuilt is not None
    assert ".github/workflows/x.yml" not in world.gh.branch_files(REPO, FIX_BRANCH)
    assert world.gh.store.commit(rebuilt).tree == commit.tree  # exactly the fix again


def test_a_persons_issue_with_the_label_is_never_touched(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    world.gh.push(REPO, "main", DRIFTED, "drift")
    repo = world.gh.repo(REPO)
    body = f"{DASHBOARD_MARKER}\nMy bug report: the tidybot dashboard looks odd."
    with world.gh.lock:
        theirs = world.gh._new_issue(repo, "A bug", body, "octocat", [DASHBOARD_LABEL])
    _audit(world, sumdb_server)
    issue = repo.issues[theirs]
    assert issue["body"] == body and issue["title"] == "A bug" and issue["state"] == "open"
    ours = [
        i
        for i in repo.issues.values()
        if DASHBOARD_LABEL in i["labels"] and i["user"] == "github-actions[bot]"
    ]
    assert len(ours) == 1
    # all clean later: only tidybot's own issue is closed
    world.gh.push(
        REPO,
        "main",
        {
            "go.mod": b"module example.com/app\n\ngo 1.22\n",
            "main.go": b"package main\n\nfunc main() {}\n",
        },
        "tidy",
    )
    _audit(world, sumdb_server)
    assert repo.issues[theirs]["state"] == "open" and repo.issues[theirs]["body"] == body


def test_an_audit_of_another_branch_keeps_its_own_fix_branch(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    world.gh.push(REPO, "main", DRIFTED, "drift")
    _audit(world, sumdb_server, **{"open-pr": "true"})
    main_fix = world.gh.branch_sha(REPO, FIX_BRANCH)
    [main_pr] = [p for p in world.gh.repo(REPO).pulls.values() if p["head_ref"] == FIX_BRANCH]
    world.gh.push(REPO, "release", {**DRIFTED, "other.go": b"package main\n"}, "release")
    _audit(world, sumdb_server, ref="release", **{"open-pr": "true"})
    assert world.gh.branch_sha(REPO, FIX_BRANCH) == main_fix
    assert main_pr["base_ref"] == "main"
    release = [p for p in world.gh.repo(REPO).pulls.values() if p["head_ref"] != FIX_BRANCH]
    assert [(p["head_ref"], p["base_ref"]) for p in release] == [
        (f"{FIX_BRANCH}-release", "release")
    ]


def test_an_audit_of_a_tag_opens_no_fix_pull_request(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    """A tag is no branch: the audit of one built the fix branch on the tag's commit and
    proposed it against the default branch (everything between the two in one pull request).
    Now the dashboard is kept and no fix pull request is opened, with a notice saying why."""
    world.gh.push(REPO, "main", DRIFTED, "drift")
    ws = world.checkout("main")
    res = world.run(
        "workflow_dispatch",
        world.load_event("workflow_dispatch"),
        ws,
        env_extra={
            "GOSUMDB": sumdb_server.gosumdb,
            "GONOSUMDB": "",
            "GITHUB_REF_NAME": "v1.0.0",
            "GITHUB_REF_TYPE": "tag",
            "GITHUB_REF": "refs/tags/v1.0.0",
        },
        inputs={"open-pr": "true", "mode": "audit"},
    )
    assert res.returncode == 1, res.explain()
    assert world.gh.repo(REPO).pulls == {}
    assert world.gh.branch_sha(REPO, FIX_BRANCH) is None
    assert "the audited ref is the tag v1.0.0" in res.stdout
    assert [i for i in world.gh.repo(REPO).issues.values() if DASHBOARD_LABEL in str(i)]


def test_audits_of_branches_whose_names_differ_only_in_punctuation_keep_apart(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    """``release/1.x`` and ``release-1.x`` made the same fix branch name: the second audit
    rebuilt the first one's fix branch on its own commit and moved its pull request's base."""
    world.gh.push(REPO, "main", DRIFTED, "drift")
    world.gh.push(REPO, "release/1.x", {**DRIFTED, "a.go": b"package main\n"}, "slash")
    world.gh.push(REPO, "release-1.x", {**DRIFTED, "b.go": b"package main\n"}, "dash")
    _audit(world, sumdb_server, ref="release/1.x", **{"open-pr": "true"})
    [slash_pr] = [p for p in world.gh.repo(REPO).pulls.values() if p["base_ref"] == "release/1.x"]
    slash_head = world.gh.branch_sha(REPO, str(slash_pr["head_ref"]))
    _audit(world, sumdb_server, ref="release-1.x", **{"open-pr": "true"})
    pulls = sorted(
        (str(p["base_ref"]), str(p["head_ref"])) for p in world.gh.repo(REPO).pulls.values()
    )
    assert [base for base, _ in pulls] == ["release-1.x", "release/1.x"], pulls
    assert pulls[0][1] != pulls[1][1]
    assert slash_pr["base_ref"] == "release/1.x"
    assert world.gh.branch_sha(REPO, str(slash_pr["head_ref"])) == slash_head
    # a branch whose name is already a safe one keeps the plain name, as before
    assert pulls[0][1] == f"{FIX_BRANCH}-release-1.x"
    assert "a.go" in world.gh.branch_files(REPO, str(slash_pr["head_ref"]))


# --- 6. never the default or a protected branch ---------------------------------------------------


def test_a_pull_request_from_the_default_branch_gets_no_push(world: ActionWorld) -> None:
    world.gh.push(REPO, "main", DRIFTED, "drift")
    world.gh.push(REPO, "release", {"go.mod": b"module example.com/app\n\ngo 1.22\n"}, "release")
    world.gh.set_permission(REPO, "octocat", "write")
    number = world.gh.open_pull(REPO, head="main", base="release", user="octocat")
    world.gh.set_permission(REPO, "maintainer", "write")
    head = world.gh.branch_sha(REPO, "main")
    res = world.run(
        "issue_comment", world.tidy_comment(number, "maintainer"), world.checkout("main")
    )
    assert res.returncode == 2, res.explain()
    assert "default branch" in res.stderr
    assert world.gh.branch_sha(REPO, "main") == head
    assert _git_writes(world.gh) == []


def test_a_refusal_that_names_a_hostile_branch_is_escaped_in_the_reply(world: ActionWorld) -> None:
    # git accepts this branch name; the refusal names the branch, and the reply is a comment
    branch = "evil<img>@org/team"
    number = world.open_pr(DRIFTED, branch=branch)
    world.gh.protect(REPO, branch)
    world.gh.set_permission(REPO, "maintainer", "write")
    res = world.run(
        "issue_comment", world.tidy_comment(number, "maintainer"), world.checkout(branch)
    )
    assert res.returncode == 2, res.explain()
    replies = [c for c in world.gh.comments(REPO, number) if "failed" in str(c["body"])]
    assert len(replies) == 1
    body = str(replies[0]["body"])
    assert "protect" in body
    assert "<img" not in body
    assert "@org" not in body
    assert _git_writes(world.gh) == []


# --- 7. the artifact directory is written only as a real directory --------------------------------


def test_a_committed_symlink_in_the_artifact_directory_is_not_written_through(
    world: ActionWorld, tmp_path: Path
) -> None:
    target = tmp_path / "outside.txt"
    target.write_text("original\n")
    number = world.open_pr(DRIFTED)
    ws = world.checkout()
    (ws / ".tidybot").mkdir()
    (ws / ".tidybot" / "report.json").symlink_to(target)
    (ws / ".tidybot" / "tidy.patch").symlink_to(target)
    res = world.run("pull_request", world.pr_event(number), ws, mode="check")
    assert res.returncode == 1, res.explain()
    assert target.read_text() == "original\n"
    assert not (ws / ".tidybot" / "report.json").is_symlink()
    assert json.loads((ws / ".tidybot" / "report.json").read_text())["schema_version"] == 1


def test_an_artifact_directory_that_is_a_symlink_is_refused(
    world: ActionWorld, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    number = world.open_pr(DRIFTED)
    ws = world.checkout()
    (ws / ".tidybot").symlink_to(outside)
    res = world.run("pull_request", world.pr_event(number), ws, mode="check")
    assert res.returncode == 2, res.explain()
    assert "a symbolic link that leads outside the repository" in res.stderr
    assert "Traceback" not in res.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["report.json", "tidy.patch"])
def test_a_committed_directory_in_the_artifacts_place_is_a_clear_error(
    world: ActionWorld, name: str
) -> None:
    """A pull request that commits ``.tidybot/report.json/keep`` made the report's write fail
    with IsADirectoryError: exit 3 and a traceback, no report, no comment."""
    number = world.open_pr({**DRIFTED, f".tidybot/{name}/keep": b"x\n"})
    res = world.run("pull_request", world.pr_event(number), world.checkout(), mode="check")
    assert res.returncode == 2, res.explain()
    assert f".tidybot/{name}: a directory, where tidybot writes a file" in res.stderr
    assert "Traceback" not in res.stderr


# --- 9. /tidy fixes the head its author saw -------------------------------------------------------


def test_tidy_with_a_sha_refuses_a_newer_head(world: ActionWorld) -> None:
    number = world.open_pr(DRIFTED)
    world.gh.set_permission(REPO, "maintainer", "write")
    seen = world.gh.branch_sha(REPO, "feature")
    assert seen is not None
    event = world.tidy_comment(number, "maintainer", body=f"/tidy {seen}")
    # the author pushes after the maintainer's comment, before the run checks out
    world.gh.push(REPO, "feature", {"extra.go": b"package main\n"}, "more")
    moved = world.gh.branch_sha(REPO, "feature")
    res = world.run("issue_comment", event, world.checkout())
    assert res.returncode == 2, res.explain()
    assert world.gh.branch_sha(REPO, "feature") == moved
    [reply] = [c for c in world.gh.comments(REPO, number) if "`/tidy` failed" in str(c["body"])]
    assert f"/tidy {moved}" in str(reply["body"])


def test_bare_tidy_refuses_a_head_newer_than_the_last_report(world: ActionWorld) -> None:
    number = world.open_pr(DRIFTED)
    world.gh.set_permission(REPO, "maintainer", "write")
    first = world.run("pull_request", world.pr_event(number), world.checkout())
    assert first.returncode == 1, first.explain()
    world.gh.push(REPO, "feature", {"extra.go": b"package main\n"}, "more")
    moved = world.gh.branch_sha(REPO, "feature")
    res = world.run(
        "issue_comment", world.tidy_comment(number, "maintainer", body="/tidy"), world.checkout()
    )
    assert res.returncode == 2, res.explain()
    assert world.gh.branch_sha(REPO, "feature") == moved
    assert _git_writes(world.gh) == []


def test_a_head_marker_planted_in_the_tree_binds_no_bare_tidy(world: ActionWorld) -> None:
    """The pull request's go.mod holds ``// <!-- tidybot:head:S2 -->`` (S2: a commit nobody
    reviewed), and tidybot's comment shows it in its diff, above the real marker: a bare
    ``/tidy`` took the first marker in the body and fixed S2 once the author moved the branch
    there. Only the marker on the comment's last line counts now."""
    base = world.gh.branch_sha(REPO, "main")
    unreviewed = world.gh.push(
        REPO, "side", {**DRIFTED, "backdoor.go": b"package main\n"}, "side", parent=base
    )
    planted = f"module example.com/app\n\n// <!-- tidybot:head:{unreviewed} -->\ngo 1.22\n"
    number = world.open_pr({**DRIFTED, "go.mod": planted.encode()})
    world.gh.set_permission(REPO, "maintainer", "write")
    first = world.run("pull_request", world.pr_event(number), world.checkout())
    assert first.returncode == 1, first.explain()
    [comment] = world.bot_comments(number)
    assert unreviewed in str(comment["body"])  # shown in the diff
    world.gh.repo(REPO).refs["refs/heads/feature"] = unreviewed  # the author moves the branch
    res = world.run(
        "issue_comment", world.tidy_comment(number, "maintainer", body="/tidy"), world.checkout()
    )
    assert res.returncode == 2, res.explain()
    assert world.gh.branch_sha(REPO, "feature") == unreviewed
    assert _git_writes(world.gh) == []


def test_tidy_with_a_short_hash_is_refused(world: ActionWorld) -> None:
    """``/tidy 01e2881`` bound the fix to any head starting with those 7 digits, and a commit
    matching them takes minutes to make: the author could swap in one nobody reviewed. Only the
    full hash binds; a short one is refused with the full command to use."""
    number = world.open_pr(DRIFTED)
    world.gh.set_permission(REPO, "maintainer", "write")
    head = world.gh.branch_sha(REPO, "feature")
    assert head is not None
    res = world.run(
        "issue_comment",
        world.tidy_comment(number, "maintainer", body=f"/tidy {head[:7]}"),
        world.checkout(),
    )
    assert res.returncode == 2, res.explain()
    assert _git_writes(world.gh) == []
    replies = [
        str(c["body"]) for c in world.gh.comments(REPO, number) if "failed" in str(c["body"])
    ]
    assert len(replies) == 1 and f"/tidy {head}" in replies[0], replies
    # the command to use is shown as code, ready to copy (not as escaped backticks)
    assert f"`/tidy {head}`" in replies[0] and "\\`" not in replies[0], replies


# --- 10. git has a deadline -----------------------------------------------------------------------


def test_a_git_that_never_ends_is_stopped(world: ActionWorld, tmp_path: Path) -> None:
    real = shutil.which("git")
    assert real is not None
    wrapper = tmp_path / "gitbin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(
        f'#!/bin/sh\ncase "$*" in *rev-parse*) exec sleep 60;; esac\nexec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    number = world.open_pr(DRIFTED)
    world.gh.set_permission(REPO, "maintainer", "write")
    ws = world.checkout()
    event = world.tidy_comment(number, "maintainer")
    started = time.monotonic()
    res = world.run(
        "issue_comment",
        event,
        ws,
        env_extra={
            "PATH": f"{wrapper.parent}{os.pathsep}{world.goenv['PATH']}",
            "TIDYBOT_GIT_TIMEOUT": "1",
        },
    )
    assert time.monotonic() - started < 45
    assert res.returncode == 2, res.explain()
    assert "ran for more than 1s and was stopped" in res.stderr
    assert "TIDYBOT_GIT_TIMEOUT" in res.stderr


# --- 11. the follow-up leaves closed pull requests alone ------------------------------------------


def test_the_follow_up_does_nothing_on_a_closed_pull_request(world: ActionWorld) -> None:
    number, artifact = fork_run(world)
    ws = follow_up_workspace(world, artifact, head=True)
    with world.gh.lock:
        world.gh.repo(REPO).issues[number]["state"] = "closed"
    head = world.gh.branch_sha(FORK, "feature")
    res = world.run("workflow_run", workflow_run_event(world, number), ws, mode="fix")
    assert res.returncode == 0, res.explain()
    assert f"#{number} is closed" in res.stdout
    assert world.gh.branch_sha(FORK, "feature") == head
    assert world.gh.comments(REPO, number) == []


# --- 12. hostile JSON in the artifact -------------------------------------------------------------


def test_deeply_nested_artifact_json_is_a_clear_error(world: ActionWorld) -> None:
    number, artifact = fork_run(world)
    (artifact / "report.json").write_text("[" * 200_000 + "]" * 200_000)
    ws = follow_up_workspace(world, artifact)
    res = world.run("workflow_run", workflow_run_event(world, number), ws)
    assert res.returncode == 2, res.explain()
    assert "nests deeper than" in res.stderr
    assert "Traceback" not in res.stderr and "RecursionError" not in res.stderr


def test_a_finding_id_in_the_artifact_writes_no_markdown(world: ActionWorld) -> None:
    """An edited artifact's finding id left its code span: a heading, a team mention, HTML and
    a link in the comment and the job summary. Only tidybot's own finding ids are read now."""
    number, artifact = fork_run(world)
    doc = json.loads((artifact / "report.json").read_text())
    doc["modules"][0]["findings"][0]["id"] = (
        "x`\n\n## @octo/admins <img src=x> [login](https://e.vil)\n`"
    )
    (artifact / "report.json").write_text(json.dumps(doc))
    ws = follow_up_workspace(world, artifact)
    res = world.run("workflow_run", workflow_run_event(world, number), ws)
    assert res.returncode == 2, res.explain()
    assert "is none of tidybot's: not a report" in res.stderr
    for c in world.gh.comments(REPO, number):
        assert "@octo/admins" not in str(c["body"]) and "e.vil" not in str(c["body"])
    assert "@octo/admins" not in res.summary and "<img" not in res.summary


# --- 13. the permission check does not depend on the payload's shape ------------------------------


def test_a_tidy_comment_without_an_integer_id_is_still_checked(world: ActionWorld) -> None:
    number = world.open_pr(DRIFTED)
    world.gh.set_permission(REPO, "reader", "read")
    event = world.tidy_comment(number, "reader")
    event["comment"]["id"] = "not-a-number"
    head = world.gh.branch_sha(REPO, "feature")
    res = world.run("issue_comment", event, world.checkout())
    assert res.returncode == 0, res.explain()
    assert "refused: permission read" in res.stdout
    assert world.gh.branch_sha(REPO, "feature") == head
    assert _git_writes(world.gh) == []


# --- 12. vendor/ never carries files from outside the checkout ------------------------------------

SECRET = "TIDYBOT_TEST_SECRET=hunter2-4f1c9a"
LINKED: dict[str, bytes | None] = {
    "go.mod": b"module example.com/app\n\ngo 1.22\n\nreplace example.com/lib => ./lib\n",
    "main.go": b'package main\n\nimport "example.com/lib/pkg"\n\nfunc main() { _ = pkg.X() }\n',
    "lib/go.mod": b"module example.com/lib\n\ngo 1.22\n",
    "vendor/modules.txt": b"",
}


def _outside(where: Path) -> Path:
    """A Go package directory on the runner, outside the checkout, with a secret next to it."""
    where.mkdir(parents=True)
    (where / "x.go").write_text("package pkg\n\nfunc X() int { return 1 }\n")
    (where / "config.env").write_text(SECRET + "\n")
    return where


def test_tidy_never_pushes_files_from_outside_the_checkout(world: ActionWorld) -> None:
    """A pull request's locally replaced module holds a package directory that is a symlink
    to a directory of the runner: go mod vendor copied everything in it into vendor/, and the
    fix commit pushed it to the fork, where its author reads it. Now the vendoring is refused
    with the link named, and nothing is pushed."""
    outside = _outside(world.tmp / "private-checkout" / "pkg")
    number = world.open_pr(LINKED, head_repo=FORK, maintainer_can_modify=True)
    world.gh.set_permission(REPO, "maintainer", "write")
    ws = world.checkout("feature", repo=FORK)
    (ws / "lib" / "pkg").symlink_to(outside)  # as git checks out a committed symlink
    head = world.gh.branch_sha(FORK, "feature")
    res = world.run("issue_comment", world.tidy_comment(number, "maintainer"), ws)
    files = world.gh.branch_files(FORK, "feature")
    assert [p for p, data in files.items() if SECRET.encode() in (data or b"")] == []
    assert world.gh.branch_sha(FORK, "feature") == head, res.explain()
    assert "lib/pkg: a symbolic link to outside the checked directory" in res.stdout + res.stderr
    patch = ws / ".tidybot" / "tidy.patch"
    assert not patch.exists() or SECRET not in patch.read_text()


@pytest.mark.parametrize("command", ["check", "fix"])
def test_the_command_line_never_vendors_files_from_outside_the_root(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    outside = _outside(tmp_path / "outside" / "pkg")
    root = tmp_path / "repo"
    for name, data in LINKED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data or b"")
    (root / "lib" / "pkg").symlink_to(outside)
    res = tidybot(goenv, command, str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    leaked = [p for p in root.rglob("*") if p.is_file() and SECRET in p.read_text(errors="replace")]
    assert leaked == [] and "config.env" not in res.stdout
    mods = {m["dir"]: m for m in json.loads(res.stdout)["modules"]}
    assert "lib/pkg: a symbolic link to outside the checked directory" in mods["."]["error"]


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_vendored_workspace_never_vendors_files_from_outside_the_root(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """The same through ``go work vendor``: a module the workspace replaces locally (not one
    it uses) holds a package directory linked out of the root."""
    root = tmp_path / "repo"
    files = {
        "go.work": "go 1.22\n\nuse ./app\n",
        "app/go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n\n"
        "replace example.com/lib => ../lib\n",
        "app/main.go": (LINKED["main.go"] or b"").decode(),
        "lib/go.mod": "module example.com/lib\n\ngo 1.22\n",
        "lib/pkg/x.go": "package pkg\n\nfunc X() int { return 1 }\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    env = dict(goenv, GOWORK=str(root / "go.work"))
    subprocess.run(["go", "work", "vendor"], cwd=root, env=env, check=True, capture_output=True)
    shutil.rmtree(root / "lib" / "pkg")
    (root / "lib" / "pkg").symlink_to(_outside(tmp_path / "outside" / "pkg"))
    res = tidybot(goenv, command, str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    leaked = [p for p in root.rglob("*") if p.is_file() and SECRET in p.read_text(errors="replace")]
    assert leaked == [] and "config.env" not in res.stdout
    assert "lib/pkg: a symbolic link to outside the checked directory" in res.stdout


def test_a_workspace_fix_that_fails_at_vendoring_leaves_the_tree_as_it_was(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The sync raises app's greet (b needs v1.1.0); then re-vendoring the workspace is refused
    (a replaced module's package holds a link out of the root). fix reported the error but left
    app/go.mod and go.sum rewritten, with vendor/ untouched: a tree go cannot build."""
    root = tmp_path / "repo"
    files = {
        "go.work": "go 1.22\n\nuse (\n\t./app\n\t./b\n)\n",
        "app/go.mod": "module example.com/app\n\ngo 1.22\n\nrequire (\n"
        "\texample.com/greet v1.0.0\n\texample.com/lib v0.0.0\n)\n\n"
        "replace example.com/lib => ../lib\n",
        "app/main.go": 'package main\n\nimport (\n\t"example.com/greet"\n'
        '\t"example.com/lib/pkg"\n)\n\nfunc main() { _ = pkg.X(); println(greet.Hello()) }\n',
        "b/go.mod": "module example.com/b\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n",
        "b/b.go": 'package b\n\nimport "example.com/greet"\n\nvar X = greet.Hello\n',
        "lib/go.mod": "module example.com/lib\n\ngo 1.22\n",
        "lib/pkg/x.go": "package pkg\n\nfunc X() int { return 1 }\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    env = dict(goenv, GOWORK=str(root / "go.work"))
    for d in ("app", "b"):
        subprocess.run(["go", "mod", "tidy"], cwd=root / d, env=env, check=True)
    (root / "app" / "go.mod").write_text(files["app/go.mod"])  # back to v1.0.0: sync drift
    subprocess.run(["go", "work", "vendor"], cwd=root, env=env, check=True, capture_output=True)
    outside = _outside(tmp_path / "outside" / "pkg")
    (root / "lib" / "pkg" / "leak.txt").symlink_to(outside / "config.env")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    res = tidybot(goenv, "fix", str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "lib/pkg/leak.txt: a symbolic link to outside" in res.stdout, res.stdout
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    changed = sorted(
        str(p.relative_to(root)) for p in set(before) | set(after) if before.get(p) != after.get(p)
    )
    assert changed == [], changed


def test_a_replace_outside_the_root_without_a_link_is_still_checked(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A vendored module whose replace names a sibling directory outside the checked one (a
    monorepo checked from a module's own directory): no link anywhere, and the check goes on
    as before (the link check had taken the directory itself for a link out)."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "go.mod").write_text("module example.com/lib\n\ngo 1.22\n")
    (tmp_path / "lib" / "lib.go").write_text("package lib\n\nfunc X() int { return 1 }\n")
    svc = tmp_path / "svc"
    svc.mkdir()
    (svc / "go.mod").write_text(
        "module example.com/svc\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n\n"
        "replace example.com/lib => ../lib\n"
    )
    (svc / "main.go").write_text(
        'package main\n\nimport "example.com/lib"\n\nfunc main() { _ = lib.X() }\n'
    )
    subprocess.run(["go", "mod", "vendor"], cwd=svc, env=goenv, check=True, capture_output=True)
    res = tidybot(goenv, "check", str(svc))
    assert res.returncode == 0, res.stdout + res.stderr
