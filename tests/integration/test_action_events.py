"""``tidybot action`` on push/schedule/closed events, with working-directory and path inputs,
and the one-line errors for bad inputs."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_action_harness import DRIFTED, ActionWorld, world

__all__ = ["world"]

NESTED = {
    "sub/svc/go.mod": DRIFTED["go.mod"].replace(b"example.com/app", b"example.com/svc"),
    "sub/svc/main.go": DRIFTED["main.go"],
    "sub/lib/go.mod": b"module example.com/lib\n\ngo 1.22\n",
    "sub/lib/lib.go": b"package lib\n",
}


def test_push_checks_without_talking_to_github(world: ActionWorld) -> None:
    world.open_pr()
    ws = world.checkout()
    res = world.run("push", world.load_event("push"), ws, token="")
    assert res.returncode == 1, res.explain()
    assert "mode check (push: check)" in res.stdout
    assert world.gh.log == []
    assert any(a.startswith("::error file=go.mod,") for a in res.annotations), res.stdout
    assert res.outputs["drift"] == "true"
    assert res.report()["summary"]["drifted"] == 1
    assert "| module | status | findings |" in res.summary


def test_schedule_audits_the_repository(world: ActionWorld) -> None:
    world.open_pr()
    res = world.run(
        "schedule", world.load_event("schedule"), world.checkout(), fail_on_drift="false"
    )
    assert res.returncode == 0, res.explain()
    assert "mode audit" in res.stdout
    assert res.outputs["drift"] == "true"
    assert "| module | status | findings |" in res.summary


def test_working_directory_and_paths_make_repository_relative_results(world: ActionWorld) -> None:
    world.open_pr(NESTED)
    ws = world.checkout()
    res = world.run("push", world.load_event("push"), ws, working_directory="sub", token="")
    assert res.returncode == 1, res.explain()
    assert json.loads(res.outputs["drifted-modules"]) == ["sub/svc"]
    assert any(a.startswith("::error file=sub/svc/go.mod,") for a in res.annotations)
    assert "go -C sub/svc mod tidy" in res.summary
    assert "| `sub/svc` (example\\.com/svc) | ❌ drifted |" in res.summary  # from the top
    assert "`tidybot fix sub`" in res.summary
    only_lib = world.run(
        "push", world.load_event("push"), ws, working_directory="sub", paths="lib", token=""
    )
    assert only_lib.returncode == 0, only_lib.explain()
    assert only_lib.report()["summary"]["modules"] == 1
    excluded = world.run(
        "push", world.load_event("push"), ws, working_directory="sub", exclude="svc", token=""
    )
    assert excluded.returncode == 0, excluded.explain()
    assert excluded.outputs["drift"] == "false"


def test_closed_pull_request_is_skipped(world: ActionWorld) -> None:
    number = world.open_pr()
    res = world.run("pull_request", world.pr_event(number, "closed"), world.checkout())
    assert res.returncode == 0, res.explain()
    assert "mode skip" in res.stdout
    assert res.outputs == {
        "drift": "false",
        "drifted-modules": "[]",
        "report": "",
        "commit-sha": "",
    }
    assert world.gh.log == []


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"fail_on_drift": "maybe"},
            "input 'fail-on-drift' is 'maybe'; accepted values: true, false",
        ),
        ({"mode": "tidy"}, "input 'mode' is 'tidy'; accepted values: auto, check, comment, fix"),
        ({"working_directory": "../elsewhere"}, "outside the repository"),
        ({"working_directory": "missing"}, "not a directory of the checkout"),
        ({"gotoolchain": "go2"}, "input 'gotoolchain' is 'go2'"),
        ({"exclude": "svc/*\n/abs"}, "input 'exclude': bad glob '/abs'"),
        ({"paths": "svc/[ab"}, "input 'paths': bad glob 'svc/[ab': unbalanced [ ]"),
    ],
)
def test_bad_inputs_are_one_line_errors(
    world: ActionWorld, inputs: dict[str, str], message: str
) -> None:
    res = world.run("push", world.load_event("push"), world.checkout("main"), inputs=inputs)
    assert res.returncode == 2, res.explain()
    assert message in res.stderr
    assert res.stderr.startswith("tidybot: error: ")
    assert "Traceback" not in res.stderr
    errors = [ln for ln in res.stdout.splitlines() if ln.startswith("::error")]
    assert len(errors) == 1 and message in errors[0]


def test_comment_mode_without_a_token_says_which_input(world: ActionWorld) -> None:
    number = world.open_pr()
    res = world.run("pull_request_target", world.pr_event(number), world.checkout(), token="")
    assert res.returncode == 2, res.explain()
    assert "input 'token' is empty" in res.stderr


def test_a_newer_go_line_names_the_action_input_that_chooses_the_toolchain(
    world: ActionWorld,
) -> None:
    """In the action the toolchain is chosen by the gotoolchain input (GOTOOLCHAIN in the
    workflow's env is not read): the error names that input, not a CLI flag."""
    world.open_pr({"go.mod": b"module example.com/app\n\ngo 1.99\n", "main.go": b"package main\n"})
    ws = world.checkout()
    res = world.run(
        "push", world.load_event("push"), ws, token="", env_extra={"GOTOOLCHAIN": "auto"}
    )
    assert res.returncode == 2, res.explain()
    (mod,) = res.report()["modules"]
    assert mod["error"].endswith(
        "(GOTOOLCHAIN=local); use the action input `gotoolchain: auto`, or install Go 1.99.0 or "
        "newer"
    )
    assert "--gotoolchain" not in res.stdout + res.summary


def test_paths_that_select_nothing_are_named_as_the_inputs(world: ActionWorld) -> None:
    """The error of paths/exclude inputs that select no module spoke of --include/--exclude,
    flags an action user never wrote: it names the inputs, with a glob that would match."""
    world.open_pr(NESTED)
    ws = world.checkout()
    res = world.run(
        "push", world.load_event("push"), ws, working_directory="sub", paths="sv", token=""
    )
    assert res.returncode == 2, res.explain()
    said = res.stdout + res.stderr
    assert "no module is selected by the paths:/exclude: globs; paths: sv matches none" in said
    assert "--include" not in said, said


def test_a_paths_glob_that_matches_no_module_is_a_notice(world: ActionWorld) -> None:
    """With ``paths: "typo\\nlib"`` the action checked lib and said nothing of typo (the
    command line prints a note; the action had no way to): now a ``::notice`` names it."""
    world.open_pr(NESTED)
    ws = world.checkout()
    res = world.run(
        "push", world.load_event("push"), ws, working_directory="sub", paths="typo\nlib", token=""
    )
    assert res.returncode == 0, res.explain()
    assert res.report()["summary"]["modules"] == 1
    notes = [ln for ln in res.stdout.splitlines() if ln.startswith("::notice ")]
    assert len(notes) == 1 and "paths: typo matches no module" in notes[0], res.stdout
