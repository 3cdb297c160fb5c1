"""The repository audit (``mode: audit``) against the fake GitHub, real git and real go.

Across runs of ``tidybot action`` on a ``schedule`` event: the dashboard issue is created,
left alone when nothing changed, edited in place, closed with a last comment when all is
clean and reopened (the same issue) when drift returns; with ``open-pr: true`` the fix pull
request from ``tidybot/tidy`` is opened, updated, closed, and tidybot force-updates no other
branch. ``go`` reaches only the fixture module proxy and the loopback checksum database.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.audit import DASHBOARD_LABEL, DASHBOARD_MARKER, FIX_BRANCH, AuditOptions, audit
from bot.engine.model import Status
from bot.runner import RunOptions
from tests.fakes.github_api import FakeGitHub
from tests.fakes.goproxy import write_tree
from tests.fakes.sumdb import SumdbServer
from tests.integration.test_action_harness import (
    APP_MAIN,
    DRIFTED,
    REPO,
    ActionResult,
    ActionWorld,
    git,
    world,
)

__all__ = ["world"]  # the fixture, imported for this module's tests

#: A second module whose go.mod lacks the requirement its code imports.
DRIFTED_LIB = {
    "lib/go.mod": b"module example.com/lib\n\ngo 1.22\n",
    "lib/lib.go": b'package lib\n\nimport "example.com/util"\n\nvar _ = util.Shout\n',
}


def _schedule(
    world: ActionWorld, sumdb: SumdbServer, run_id: str = "4242", **inputs: str
) -> ActionResult:
    ws = world.checkout("main")
    res = world.run(
        "schedule",
        world.load_event("schedule"),
        ws,
        env_extra={"GOSUMDB": sumdb.gosumdb, "GONOSUMDB": "", "GITHUB_RUN_ID": run_id},
        inputs=inputs,
    )
    assert res.returncode in (0, 1), res.explain()
    return res


def _dashboards(gh: FakeGitHub) -> list[dict[str, Any]]:
    repo = gh.repo(REPO)
    return [i for i in repo.issues.values() if DASHBOARD_LABEL in i["labels"] and not i["is_pull"]]


def _pulls(gh: FakeGitHub) -> list[tuple[int, str]]:
    repo = gh.repo(REPO)
    return [
        (n, str(repo.issues[n]["state"]))
        for n, p in sorted(repo.pulls.items())
        if p["head_ref"] == FIX_BRANCH
    ]


def _tidy_on_branch(gh: FakeGitHub, branch: str) -> dict[str, bytes]:
    files = gh.branch_files(REPO, branch)
    return {k: v for k, v in files.items() if k.endswith(("go.mod", "go.sum"))}


def test_dashboard_and_fix_pull_request_across_runs(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    gh = world.gh
    gh.push(REPO, "main", DRIFTED, "drift by hand")

    # 1. drift: the dashboard issue and the fix pull request appear
    first = _schedule(world, sumdb_server, open_pr="true")
    assert first.returncode == 1, first.explain()
    assert "dashboard issue created" in first.stdout
    assert "fix pull request opened" in first.stdout
    (issue,) = _dashboards(gh)
    number = int(issue["number"])
    assert issue["state"] == "open"
    assert str(issue["body"]).startswith(DASHBOARD_MARKER)
    assert "missing-require" in str(issue["body"])
    ((pull, state),) = _pulls(gh)
    assert state == "open"
    main1 = gh.branch_sha(REPO, "main")
    head1 = gh.branch_sha(REPO, FIX_BRANCH)
    assert head1 is not None
    assert gh.store.commit(head1).parents == (main1,)
    fixed = _tidy_on_branch(gh, FIX_BRANCH)
    assert b"require example.com/greet v1.1.0" in fixed["go.mod"]
    assert b"example.com/greet v1.1.0 h1:" in fixed["go.sum"]
    assert f"#{pull}" in str(issue["body"])

    # 2. nothing changed (another run, another run link): no write at all
    writes = len(gh.writes())
    second = _schedule(world, sumdb_server, run_id="4343", open_pr="true")
    assert "dashboard issue unchanged" in second.stdout, second.explain()
    assert "fix pull request unchanged" in second.stdout
    assert len(gh.writes()) == writes
    assert gh.branch_sha(REPO, FIX_BRANCH) == head1

    # 3. the drift changes: the same issue and the same pull request are updated
    gh.push(REPO, "main", DRIFTED_LIB, "a second untidy module")
    third = _schedule(world, sumdb_server, open_pr="true")
    assert "dashboard issue updated" in third.stdout, third.explain()
    assert "fix pull request updated" in third.stdout
    (issue,) = _dashboards(gh)
    assert issue["number"] == number and issue["state"] == "open"
    assert "lib" in str(issue["body"])
    assert _pulls(gh) == [(pull, "open")]
    main3 = gh.branch_sha(REPO, "main")
    head3 = gh.branch_sha(REPO, FIX_BRANCH)
    assert head3 is not None and head3 != head1
    assert gh.store.commit(head3).parents == (main3,)
    assert b"example.com/util" in gh.branch_files(REPO, FIX_BRANCH)["lib/go.mod"]

    # 4. someone merges the fix: the issue closes with a last note, the pull request closes
    gh.push(REPO, "main", _tidy_on_branch(gh, FIX_BRANCH), "merge the fix")
    fourth = _schedule(world, sumdb_server, open_pr="true")
    assert fourth.returncode == 0, fourth.explain()
    assert "dashboard issue closed" in fourth.stdout
    assert "fix pull request closed" in fourth.stdout
    (issue,) = _dashboards(gh)
    assert issue["number"] == number and issue["state"] == "closed"
    last_note = gh.comments(REPO, number)[-1]["body"]
    assert "closing" in str(last_note)
    assert _pulls(gh) == [(pull, "closed")]
    assert "needs no fix" in str(gh.comments(REPO, pull)[-1]["body"])

    # 5. a clean run with the issue closed writes nothing
    writes = len(gh.writes())
    _schedule(world, sumdb_server, open_pr="true")
    assert len(gh.writes()) == writes

    # 6. drift returns: the same issue is reopened, a new pull request opened
    gh.push(REPO, "main", {"go.mod": DRIFTED["go.mod"]}, "drift again")
    sixth = _schedule(world, sumdb_server, open_pr="true")
    assert "dashboard issue reopened" in sixth.stdout, sixth.explain()
    (issue,) = _dashboards(gh)
    assert issue["number"] == number and issue["state"] == "open"
    pulls = _pulls(gh)
    assert pulls[0] == (pull, "closed")
    assert len(pulls) == 2 and pulls[1][1] == "open"

    # tidybot moved no branch but its own, and forced only that one
    ref_writes = [r for r in gh.writes() if r.operation_id in ("git/update-ref", "git/create-ref")]
    assert ref_writes
    for r in ref_writes:
        assert isinstance(r.body, dict)
        target = r.path if r.operation_id == "git/update-ref" else str(r.body["ref"])
        assert target.endswith("tidybot/tidy"), target
    forced = [r for r in ref_writes if isinstance(r.body, dict) and r.body.get("force")]
    assert forced and all(r.path.endswith("heads/tidybot/tidy") for r in forced)
    assert "GITHUB_TOKEN" not in first.stdout


def test_without_open_pr_only_the_dashboard(world: ActionWorld, sumdb_server: SumdbServer) -> None:
    gh = world.gh
    gh.push(REPO, "main", DRIFTED, "drift by hand")
    res = _schedule(world, sumdb_server, fail_on_drift="false")
    assert res.returncode == 0, res.explain()
    assert res.outputs["drift"] == "true"
    assert len(_dashboards(gh)) == 1
    assert gh.branch_sha(REPO, FIX_BRANCH) is None
    assert _pulls(gh) == []
    report = res.report()
    assert report["command"] == "audit"
    assert report["audit"]["verify"]["database"]


def test_clean_repository_opens_nothing(world: ActionWorld, sumdb_server: SumdbServer) -> None:
    res = _schedule(world, sumdb_server, open_pr="true")
    assert res.returncode == 0, res.explain()
    assert _dashboards(world.gh) == []
    assert _pulls(world.gh) == []
    assert "dashboard issue none" in res.stdout


def test_bad_open_pr_input_is_one_clear_line(world: ActionWorld, sumdb_server: SumdbServer) -> None:
    ws = world.checkout("main")
    res = world.run("schedule", world.load_event("schedule"), ws, open_pr="yes")
    assert res.returncode == 2
    assert "input 'open-pr' is 'yes'; accepted values: true, false" in res.stderr
    assert "Traceback" not in res.stderr


# --- audit() itself: vendoring and workspaces join the module results --------------------------


def _go(env: dict[str, str], cwd: Path, *args: str) -> None:
    p = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr


@pytest.fixture
def audit_env(goenv: dict[str, str], sumdb_server: SumdbServer) -> dict[str, str]:
    return {**goenv, "GOSUMDB": sumdb_server.gosumdb, "GONOSUMDB": ""}


def test_audit_merges_vendor_and_workspace_findings(
    tmp_path: Path, audit_env: dict[str, str]
) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "app/go.mod": "module example.com/app\n\ngo 1.22\n",
            "app/main.go": APP_MAIN,
            "go.work": "go 1.22\n\nuse ./app\n",
        },
    )
    app = root / "app"
    _go(audit_env, app, "get", "example.com/greet@v1.0.0")
    _go(audit_env, app, "mod", "tidy")
    _go(audit_env, app, "mod", "vendor")
    greet = app / "vendor/example.com/greet/greet.go"
    greet.write_text(greet.read_text() + "\n// edited by hand\n")
    git(root, "init", "-q")

    options = AuditOptions(run=RunOptions(jobs=2, base_env=audit_env), jobs=2)
    report = audit(root, options)
    (mod,) = report.modules
    assert mod.status is Status.DRIFTED
    assert [f.id for f in mod.findings] == ["vendor"]
    parts = report.extra["audit"]
    assert isinstance(parts, dict)
    verify = parts["verify"]
    assert isinstance(verify, dict)
    assert parts == {
        "modules": 1,
        "vendored_modules": 1,
        "workspaces": 1,
        "verify": verify,
        "errors": [],
    }
    assert verify["lines"] >= 2 and verify["errors"] == 0
