"""Dependency-bot pull requests arrive tidy: the commit Dependabot and Renovate never make.

A monorepo of four modules: ``lib`` requires example.com/greet; ``svc`` reaches ``lib`` through a
local ``replace``; ``tool`` shares a ``go.work`` with ``lib``; ``other`` is on its own. A bot bumps
greet in ``lib`` only (``go get`` + ``go mod tidy`` there), which leaves ``svc`` and ``tool``
untidy. The two-workflow pattern runs as GitHub runs it: the ``pull_request`` run with the
read-only token a bot's pull request gets (check, artifact), then the ``workflow_run`` follow-up
with a write token, which checks out the head and pushes one commit that tidies exactly the
modules the bump affects. A person's pull request with the same change gets the comment only.
The ``pull_request`` payloads are GitHub's recorded ones (``@octokit/webhooks-examples`` has no
pull request opened by a bot), with the pull request's author and the sender set to the bot.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fakes.github import GITHUB_READ_TOKEN
from tests.fakes.goproxy import write_tree
from tests.integration.test_action_harness import REPO, ActionWorld, git, world

__all__ = ["world"]

GREET_MAIN = 'package {pkg}\n\nimport "example.com/greet"\n\nvar _ = greet.Hello\n'


def _monorepo() -> dict[str, str]:
    return {
        "lib/go.mod": (
            "module example.com/mono/lib\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n"
        ),
        "lib/lib.go": GREET_MAIN.format(pkg="lib"),
        "svc/go.mod": (
            "module example.com/mono/svc\n\ngo 1.22\n\nrequire example.com/mono/lib v0.0.0\n\n"
            "replace example.com/mono/lib => ../lib\n"
        ),
        "svc/main.go": ('package main\n\nimport _ "example.com/mono/lib"\n\nfunc main() {}\n'),
        "tool/go.mod": (
            "module example.com/mono/tool\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n"
        ),
        "tool/main.go": GREET_MAIN.format(pkg="main").replace("var _", "func main() {}\n\nvar _"),
        "go.work": "go 1.22\n\nuse (\n\t./lib\n\t./tool\n)\n",
        "other/go.mod": "module example.com/mono/other\n\ngo 1.22\n",
        "other/main.go": "package main\n\nfunc main() {}\n",
    }


def _go(env: dict[str, str], cwd: Path, *args: str) -> None:
    p = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def _tidy_all(env: dict[str, str], root: Path) -> None:
    for d in ("lib", "svc", "tool", "other"):
        _go({**env, "GOWORK": "off"}, root / d, "mod", "tidy")


def _read(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".git" not in p.parts:
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


@pytest.fixture
def bumped(world: ActionWorld, tmp_path: Path) -> tuple[dict[str, bytes | None], dict[str, bytes]]:
    """main holds the tidy monorepo; returns the files of the bot's bump (lib only) and, for
    checking, what `go mod tidy` in every module makes of that bump."""
    env = world.goenv
    root = write_tree(tmp_path / "mono", _monorepo())
    _tidy_all(env, root)
    world.gh.push(REPO, "main", _read(root), "monorepo")
    _go({**env, "GOWORK": "off"}, root / "lib", "get", "example.com/greet@v1.1.0")
    _go({**env, "GOWORK": "off"}, root / "lib", "mod", "tidy")
    bump = {k: v for k, v in _read(root).items() if k.startswith("lib/")}
    expected = tmp_path / "expected"
    shutil.copytree(root, expected)
    _go({**env, "GOWORK": str(expected / "go.work")}, expected, "work", "sync")
    _tidy_all(env, expected)
    return bump, {k: v for k, v in _read(expected).items() if v is not None}


def _open(world: ActionWorld, files: dict[str, bytes | None], author: str) -> int:
    world.gh.add_user(author, kind="Bot" if author.endswith("[bot]") else "User")
    base = world.gh.branch_sha(REPO, "main")
    world.gh.push(REPO, "bump", files, "Bump example.com/greet", parent=base)
    return world.gh.open_pull(REPO, head="bump", user=author, title="Bump example.com/greet")


def _two_workflows(world: ActionWorld, number: int, author: str) -> tuple[object, object]:
    """The pull_request run (read-only, full clone for --since) and the follow-up."""
    event = world.load_event("pull_request", "opened", number=number, sender=author)
    checked = world.checkout("bump")
    first = world.run(
        "pull_request",
        event,
        checked,
        token=GITHUB_READ_TOKEN,
        mode="check",  # the recipe's pull_request workflow only checks
        env_extra={"GITHUB_ACTOR": author},
    )
    assert first.returncode == 1, first.explain()
    follow = world.load_event("workflow_run", "completed")
    run = follow["workflow_run"]
    run["event"] = "pull_request"
    run["head_sha"] = world.gh.branch_sha(REPO, "bump")
    run["head_branch"] = "bump"
    run["head_repository"]["full_name"] = REPO
    run["pull_requests"] = [{"number": number}]
    ws = world.checkout("bump")  # the follow-up checks out the head to compute the fix
    shutil.copytree(checked / ".tidybot", ws / ".tidybot")
    second = world.run(
        "workflow_run", follow, ws, env_extra={"GITHUB_ACTOR": "github-actions[bot]"}
    )
    return first, second


@pytest.mark.parametrize("bot", ["dependabot[bot]", "renovate[bot]"])
def test_a_bot_bump_gets_one_commit_that_tidies_the_affected_modules(
    world: ActionWorld, bumped: tuple[dict[str, bytes | None], dict[str, bytes]], bot: str
) -> None:
    bump, expected = bumped
    number = _open(world, bump, bot)
    head = world.gh.branch_sha(REPO, "bump")
    first, second = _two_workflows(world, number, bot)
    report = first.report()  # type: ignore[attr-defined]
    status = {m["dir"]: m["status"] for m in report["modules"]}
    assert status == {
        ".": "skipped",  # the repository's own root module, untouched by the bump
        "lib": "clean",
        "svc": "drifted",
        "tool": "drifted",
        "other": "skipped",
    }
    assert second.returncode == 0, second.explain()  # type: ignore[attr-defined]
    sha = second.outputs["commit-sha"]  # type: ignore[attr-defined]
    assert sha and sha == world.gh.branch_sha(REPO, "bump")
    commit = world.gh.store.commit(sha)
    assert list(commit.parents) == [head]
    assert "Tidybot-Fix:" in commit.message
    before = world.gh.store.files(world.gh.store.commit(str(head)).tree)
    after = world.gh.store.files(commit.tree)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed == ["svc/go.mod", "svc/go.sum", "tool/go.mod", "tool/go.sum"]
    for path in changed:  # exactly what go mod tidy (after go work sync) writes
        assert after[path] == expected[path], path
    [comment] = world.bot_comments(number)
    body = str(comment["body"])
    assert f"fixed in {sha}" in body
    assert "svc/go.mod" in body and "tool/go.sum" in body  # what the commit changed
    assert "affected" in body and "`svc`" in body and "`tool`" in body


def test_a_persons_pull_request_gets_no_automatic_commit(
    world: ActionWorld, bumped: tuple[dict[str, bytes | None], dict[str, bytes]]
) -> None:
    bump, _ = bumped
    number = _open(world, bump, "octocat")
    head = world.gh.branch_sha(REPO, "bump")
    _, second = _two_workflows(world, number, "octocat")
    assert second.returncode == 0, second.explain()  # type: ignore[attr-defined]
    assert second.outputs["commit-sha"] == ""  # type: ignore[attr-defined]
    assert world.gh.branch_sha(REPO, "bump") == head
    [comment] = world.bot_comments(number)
    assert "not tidy" in str(comment["body"])


def test_no_second_fix_on_top_of_its_own(
    world: ActionWorld, bumped: tuple[dict[str, bytes | None], dict[str, bytes]]
) -> None:
    bump, _ = bumped
    number = _open(world, bump, "dependabot[bot]")
    _, second = _two_workflows(world, number, "dependabot[bot]")
    sha = second.outputs["commit-sha"]  # type: ignore[attr-defined]
    assert sha
    ws = world.checkout("bump")
    assert git(ws, "rev-parse", "HEAD") == sha
    # the fixed head is tidy: the pull_request run of the fix commit finds nothing to fix
    event = world.load_event("pull_request", "synchronize", number=number, sender="dependabot[bot]")
    res = world.run("pull_request", event, ws, token=GITHUB_READ_TOKEN, mode="check")
    assert res.returncode == 0, res.explain()
