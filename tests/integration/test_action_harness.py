"""Harness for the ``tidybot action`` integration tests, and its own checks.

``ActionWorld`` runs ``tidybot action`` the way the Actions runner does: a subprocess with
every input of action.yml as ``INPUT_<NAME>`` (defaults filled in, dashes kept), the runner's
``GITHUB_*`` variables, the event payload in ``GITHUB_EVENT_PATH``, the output and summary
files, ``GITHUB_API_URL`` pointing at the fake GitHub server, and ``GITHUB_WORKSPACE`` a real
git clone of the fake's repository. ``go`` reaches only the fixture module proxy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.github import DEFAULT_REPO, GITHUB_READ_TOKEN, GITHUB_WRITE_TOKEN
from tests.fakes.github_api import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
ACTION_YML = ROOT / "action.yml"

REPO = DEFAULT_REPO
APP_MAIN = (
    "package main\n\n"
    'import (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\n'
    "func main() { fmt.Println(greet.Hello()) }\n"
)
#: go.mod without the requirement main.go needs: `go mod tidy` adds it and writes go.sum.
DRIFTED = {"go.mod": b"module example.com/app\n\ngo 1.22\n", "main.go": APP_MAIN.encode()}


@dataclass
class ActionResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    workspace: Path

    @property
    def annotations(self) -> list[str]:
        return [ln for ln in self.stdout.splitlines() if re.match(r"::(error|warning) file=", ln)]

    def report(self) -> dict[str, Any]:
        path = self.outputs.get("report", "")
        assert path, f"no report output: {self.outputs}"
        data: dict[str, Any] = json.loads((self.workspace / path).read_text(encoding="utf-8"))
        return data

    def explain(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIM heredocs."""
    out: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            while lines[i] != delim:
                value.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(value)
        else:
            name, _, value_s = line.partition("=")
            out[name] = value_s
    return out


def action_inputs() -> dict[str, str]:
    """Every input of action.yml with its default, as the runner fills them in."""
    meta = yaml.safe_load(ACTION_YML.read_text(encoding="utf-8"))
    return {name: str(spec.get("default", "")) for name, spec in meta["inputs"].items()}


def tidybot_command() -> list[str]:
    exe = shutil.which("tidybot")
    return [exe, "action"] if exe else [sys.executable, "-m", "bot", "action"]


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


@dataclass
class ActionWorld:
    gh: FakeGitHub
    tmp: Path
    goenv: dict[str, str]
    load_event: Callable[..., dict[str, Any]]
    runs: int = field(default=0)

    # -- repository state ----------------------------------------------------------------

    def open_pr(
        self,
        files: Mapping[str, bytes | None] = DRIFTED,
        *,
        branch: str = "feature",
        head_repo: str | None = None,
        maintainer_can_modify: bool = False,
    ) -> int:
        where = head_repo or REPO
        if head_repo is not None and head_repo.lower() not in self.gh.repos:
            self.gh.create_repo(head_repo, fork_of=REPO)
        base = self.gh.branch_sha(REPO, "main")
        self.gh.push(where, branch, files, "Change", parent=base)
        if head_repo is None:  # a branch of this repository: its author can push here
            self.gh.set_permission(REPO, "octocat", "write")
        return self.gh.open_pull(
            REPO,
            head=branch,
            head_repo=head_repo,
            maintainer_can_modify=maintainer_can_modify,
            user="contributor" if head_repo else "octocat",
        )

    def checkout(self, ref: str = "feature", *, repo: str = REPO) -> Path:
        """A fresh clone of ``repo`` at ``ref``: the workspace actions/checkout would leave."""
        self.runs += 1
        bare = self.gh.export(repo, self.tmp / f"export{self.runs}.git")
        ws = self.tmp / f"ws{self.runs}"
        git(self.tmp, "clone", "-q", "--branch", ref, str(bare), str(ws))
        git(ws, "config", "user.email", "ci@example.com")
        git(ws, "config", "user.name", "CI")
        return ws

    # -- running the action --------------------------------------------------------------

    def run(
        self,
        event_name: str,
        payload: Mapping[str, Any],
        workspace: Path,
        *,
        token: str = GITHUB_WRITE_TOKEN,
        env_extra: Mapping[str, str] | None = None,
        inputs: Mapping[str, str] | None = None,
        **more_inputs: str,
    ) -> ActionResult:
        self.runs += 1
        run_dir = self.tmp / f"run{self.runs}"
        run_dir.mkdir()
        event_path = run_dir / "event.json"
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        output = run_dir / "output"
        summary = run_dir / "summary.md"
        output.touch()
        summary.touch()
        env = dict(self.goenv)
        values = action_inputs()
        values["token"] = token
        given = {**(inputs or {}), **more_inputs}
        values.update({k.replace("_", "-"): v for k, v in given.items()})
        for name, value in values.items():
            env["INPUT_" + name.upper().replace(" ", "_")] = value
        env.update(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_EVENT_NAME=event_name,
            GITHUB_EVENT_PATH=str(event_path),
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_API_URL=self.gh.base_url,
            GITHUB_SERVER_URL="https://github.com",
            GITHUB_REPOSITORY=REPO,
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_RUN_ID="4242",
            GITHUB_SHA=git(workspace, "rev-parse", "HEAD") if (workspace / ".git").exists() else "",
            TIDYBOT_GITHUB_BACKOFF="0.01",
            TIDYBOT_GITHUB_THROTTLE="0",
        )
        env.update(env_extra or {})
        proc = subprocess.run(
            tidybot_command(),
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return ActionResult(
            proc.returncode,
            proc.stdout,
            proc.stderr,
            parse_outputs(output.read_text(encoding="utf-8")),
            summary.read_text(encoding="utf-8"),
            workspace,
        )

    def pr_event(self, number: int, action: str = "synchronize") -> dict[str, Any]:
        author = str(self.gh.repo(REPO).issues[number]["user"])
        return self.load_event("pull_request", action, number=number, sender=author)

    def tidy_comment(self, number: int, user: str, body: str | None = None) -> dict[str, Any]:
        """``user`` comments ``body``; by default ``/tidy <head>``, naming the pull request's
        head commit as tidybot's comment offers it."""
        if body is None:
            pull = self.gh.repo(REPO).pulls[number]
            head = self.gh.branch_sha(str(pull["head_repo"]), str(pull["head_ref"]))
            body = f"/tidy {head}"
        cid = self.gh.add_comment(REPO, number, body, user=user)
        return self.load_event(
            "issue_comment", "created", number=number, comment_id=cid, sender=user
        )

    def bot_comments(self, number: int) -> list[dict[str, Any]]:
        return [
            c for c in self.gh.comments(REPO, number) if "<!-- tidybot:report -->" in str(c["body"])
        ]


@pytest.fixture
def world(
    github_server: FakeGitHub,
    tmp_path: Path,
    goenv: dict[str, str],
    load_event: Callable[..., dict[str, Any]],
) -> ActionWorld:
    return ActionWorld(github_server, tmp_path, goenv, load_event)


__all__ = [
    "APP_MAIN",
    "DRIFTED",
    "GITHUB_READ_TOKEN",
    "GITHUB_WRITE_TOKEN",
    "REPO",
    "ActionResult",
    "ActionWorld",
    "action_inputs",
    "git",
    "parse_outputs",
    "world",
]


# --- the harness's own checks ------------------------------------------------------------------


def test_outputs_parser_reads_both_forms() -> None:
    text = "drift=true\nreport<<ghadelimiter_1\na\nb\nghadelimiter_1\ncommit-sha=\n"
    assert parse_outputs(text) == {"drift": "true", "report": "a\nb", "commit-sha": ""}


def test_inputs_come_from_action_yml_with_dashes() -> None:
    inputs = action_inputs()
    assert inputs["fail-on-drift"] == "true"
    assert inputs["token"] == "${{ github.token }}"
    assert "working-directory" in inputs


def test_workspace_is_a_clone_at_the_pull_request_head(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    head = world.gh.branch_sha(REPO, "feature")
    assert git(ws, "rev-parse", "HEAD") == head
    assert world.pr_event(number)["pull_request"]["head"]["sha"] == head
    assert os.path.isfile(ws / "main.go")
