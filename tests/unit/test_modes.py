"""The event -> mode table, driven by GitHub's own example payloads (@octokit/webhooks-examples)."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.action.trigger import Decision, Mode, is_fork, is_tidy_command, select_mode
from bot.errors import ConfigError

EXAMPLES = (
    Path(__file__).resolve().parents[1]
    / "npm/node_modules/@octokit/webhooks-examples/api.github.com/index.json"
)


@cache
def _examples() -> dict[str, list[dict[str, Any]]]:
    data = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return {entry["name"]: entry["examples"] for entry in data}


def example(event: str, action: str | None = None, **where: Any) -> dict[str, Any]:
    for ex in _examples()[event]:
        if action is not None and ex.get("action") != action:
            continue
        if all(ex.get(k) == v for k, v in where.items()):
            return copy.deepcopy(ex)
    raise LookupError(f"no {event}/{action} example")


def forked(payload: dict[str, Any]) -> dict[str, Any]:
    head = payload["pull_request"]["head"]["repo"]
    head["full_name"] = "contributor/Hello-World"
    head["fork"] = True
    return payload


def tidy_comment(body: str = "/tidy", *, on_pull: bool = True) -> dict[str, Any]:
    payload = example("issue_comment", "created")
    payload["comment"]["body"] = body
    if on_pull:
        payload["issue"]["pull_request"] = {
            "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"
        }
    else:
        payload["issue"].pop("pull_request", None)
    return payload


@pytest.mark.parametrize(
    ("event", "action", "mode"),
    [
        ("pull_request", "opened", Mode.COMMENT),
        ("pull_request", "synchronize", Mode.COMMENT),
        ("pull_request", "reopened", Mode.COMMENT),
        ("pull_request", "closed", Mode.SKIP),
        ("push", None, Mode.CHECK),
        ("workflow_dispatch", None, Mode.AUDIT),
    ],
)
def test_auto_mode_from_real_payloads(event: str, action: str | None, mode: Mode) -> None:
    decision = select_mode(event, example(event, action))
    assert decision.mode is mode
    assert decision.reason


def test_pull_request_carries_number_and_same_repo_is_not_a_fork() -> None:
    payload = example("pull_request", "opened")
    decision = select_mode("pull_request", payload)
    assert decision == Decision(
        Mode.COMMENT, decision.reason, pull_number=payload["pull_request"]["number"], fork=False
    )


def test_fork_pull_request_only_checks() -> None:
    decision = select_mode("pull_request", forked(example("pull_request", "opened")))
    assert decision.mode is Mode.CHECK
    assert decision.fork
    assert decision.pull_number == 2
    assert "fork" in decision.reason


def test_read_only_token_on_own_pull_request_only_checks() -> None:
    decision = select_mode("pull_request", example("pull_request", "opened"), token_can_write=False)
    assert decision.mode is Mode.CHECK
    assert "read-only" in decision.reason


def test_pull_request_target_from_fork_comments() -> None:
    decision = select_mode("pull_request_target", forked(example("pull_request", "opened")))
    assert decision.mode is Mode.COMMENT
    assert decision.fork


def test_deleted_fork_counts_as_fork() -> None:
    payload = example("pull_request", "opened")
    payload["pull_request"]["head"]["repo"] = None
    assert is_fork(payload["pull_request"])


def test_schedule_is_an_audit() -> None:
    # there is no `schedule` example payload: GitHub sends only {"schedule": "<cron>"}
    assert select_mode("schedule", {"schedule": "17 3 * * 1"}).mode is Mode.AUDIT


def test_unknown_event_checks() -> None:
    assert select_mode("merge_group", example("merge_group")).mode is Mode.CHECK


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/tidy", True),
        ("  /tidy  ", True),
        ("please\n/tidy\nthanks", True),
        ("/tidy please", False),
        ("run /tidy", False),
        ("/tidyup", False),
        ("", False),
        # shown, not given: code blocks, quotes, HTML comments
        ("```\n/tidy\n```", False),
        ("```sh\n/tidy\n```\nthen it is tidy", False),
        ("~~~~\n/tidy\n~~~\n/tidy", False),  # a shorter run does not close the fence
        ("~~~\n/tidy", False),  # a fence left open runs to the end
        ("    /tidy", False),
        ("\t/tidy", False),
        ("> /tidy", False),
        ("<!--\n/tidy\n-->", False),
        # given after what only shows it
        ("```\ngo mod tidy\n```\n/tidy", True),
        ("~~~\n/tidy\n~~~\n/tidy", True),
        ("<!-- a note -->\n/tidy", True),
        ("``` inline code ```\n/tidy", True),  # a backtick run with backticks after: no fence
        ("   /tidy", True),  # three spaces: still text
        ("Hidden notes start with `<!--` in Markdown.\n/tidy", True),  # not at a line's start
        ("a note <!-- unclosed\n/tidy", True),
        ("  <!-- a note\n/tidy\n-->\n", False),
        ("Please run\n    /tidy", True),  # an indented line goes on the paragraph above
        ("Please run\n\n    /tidy", False),  # after a blank line: indented code
    ],
)
def test_tidy_command_is_a_line_of_its_own(body: str, expected: bool) -> None:
    assert is_tidy_command(body) is expected


def test_tidy_comment_on_pull_request_fixes() -> None:
    decision = select_mode("issue_comment", tidy_comment())
    assert decision.mode is Mode.FIX
    assert decision.command
    assert decision.pull_number == 1


def test_ordinary_comment_is_skipped_whatever_the_mode_input() -> None:
    payload = example("issue_comment", "created")
    assert select_mode("issue_comment", payload).mode is Mode.SKIP
    assert select_mode("issue_comment", payload, "fix").mode is Mode.SKIP


def test_tidy_on_plain_issue_is_skipped() -> None:
    decision = select_mode("issue_comment", tidy_comment(on_pull=False))
    assert decision.mode is Mode.SKIP
    assert decision.command


def test_edited_or_deleted_tidy_comment_is_skipped() -> None:
    for action in ("edited", "deleted"):
        payload = example("issue_comment", action)
        payload["comment"]["body"] = "/tidy"
        payload["issue"]["pull_request"] = {"url": "x"}
        assert select_mode("issue_comment", payload).mode is Mode.SKIP


def test_workflow_run_of_pull_request_comments_from_artifact() -> None:
    payload = example("workflow_run", "completed")
    payload["workflow_run"]["event"] = "pull_request"
    decision = select_mode("workflow_run", payload)
    assert decision.mode is Mode.COMMENT
    assert decision.from_artifact
    assert decision.pull_number is None  # fork runs list no pull requests: the artifact says


def test_workflow_run_takes_number_when_listed() -> None:
    payload = next(
        copy.deepcopy(ex)
        for ex in _examples()["workflow_run"]
        if ex["workflow_run"]["pull_requests"]
    )
    payload["workflow_run"]["event"] = "pull_request"
    assert select_mode("workflow_run", payload).pull_number == 2


def test_workflow_run_of_other_event_is_skipped() -> None:
    decision = select_mode("workflow_run", example("workflow_run", "completed"))
    assert decision.mode is Mode.SKIP


@pytest.mark.parametrize("requested", ["check", "comment", "fix", "audit", "CHECK ", ""])
def test_mode_input_overrides_the_event(requested: str) -> None:
    decision = select_mode("pull_request", example("pull_request", "opened"), requested)
    expected = requested.strip().lower() or "comment"
    assert decision.mode == Mode(expected)


def test_mode_input_cannot_write_with_read_only_token() -> None:
    payload = forked(example("pull_request", "opened"))
    for requested in ("comment", "fix"):
        decision = select_mode("pull_request", payload, requested)
        assert decision.mode is Mode.CHECK
        assert "read-only" in decision.reason


def test_mode_input_comment_without_pull_request_checks() -> None:
    decision = select_mode("push", example("push"), "comment")
    assert decision.mode is Mode.CHECK
    assert "no pull request" in decision.reason


def test_bad_mode_input_names_the_input_and_accepted_values() -> None:
    with pytest.raises(ConfigError) as info:
        select_mode("push", {}, "tidy")
    text = str(info.value)
    assert "input 'mode'" in text
    assert "auto, check, comment, fix, audit" in text


def test_mode_input_fix_on_workflow_run_keeps_the_artifact_flow() -> None:
    payload = example("workflow_run", "completed")
    payload["workflow_run"]["event"] = "pull_request"
    decision = select_mode("workflow_run", payload, "fix")
    assert decision.mode is Mode.FIX
    assert decision.from_artifact
