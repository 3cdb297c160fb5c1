"""Real webhook payloads from ``@octokit/webhooks-examples``, adjusted to the fake's state.

``load_event("pull_request", "opened", fake=gh, repo="octo/app", number=1)`` returns GitHub's
recorded payload with the repository, pull request, issue and comment replaced by the fake's
own view of them (same ids, numbers, SHAs and refs), so code under test that reads the event
and then calls the API sees one consistent world.

GitHub sends no webhook for ``schedule``: Actions writes a small payload of its own (the cron
line plus the repository); that one is built here in the same shape.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeGitHub

EXAMPLES_PATH = (
    Path(__file__).resolve().parents[2]
    / "npm"
    / "node_modules"
    / "@octokit"
    / "webhooks-examples"
    / "api.github.com"
    / "index.json"
)


@functools.cache
def _examples() -> dict[str, list[dict[str, Any]]]:
    if not EXAMPLES_PATH.is_file():
        raise FileNotFoundError(
            f"{EXAMPLES_PATH} is missing: run `npm ci --prefix tests/npm` "
            "to install @octokit/webhooks-examples"
        )
    with EXAMPLES_PATH.open("rb") as f:
        entries = json.load(f)
    return {e["name"]: e["examples"] for e in entries}


def event_names() -> list[str]:
    return sorted(_examples())


def load_event(
    name: str,
    action: str | None = None,
    *,
    fake: FakeGitHub | None = None,
    repo: str | None = None,
    number: int | None = None,
    comment_id: int | None = None,
    sender: str | None = None,
) -> dict[str, Any]:
    """A recorded payload for ``name``/``action``; adjusted to ``fake`` when one is given."""
    if name == "schedule":
        payload: dict[str, Any] = {"schedule": "17 3 * * *", "workflow": ".github/workflows/x.yml"}
        base = _examples()["workflow_dispatch"][0]
        payload["repository"] = copy.deepcopy(base["repository"])
        payload["sender"] = copy.deepcopy(base["sender"])
    else:
        examples = _examples().get(name)
        if examples is None:
            raise KeyError(f"no webhook example named {name!r}; known: {', '.join(event_names())}")
        chosen = [e for e in examples if action is None or e.get("action") == action]
        if not chosen:
            actions = sorted({str(e.get("action")) for e in examples})
            raise KeyError(f"no {name!r} example with action {action!r}; known: {actions}")
        payload = copy.deepcopy(chosen[0])
    if fake is None:
        return payload
    return _adjust(payload, fake, repo, number, comment_id, sender)


def _adjust(
    payload: dict[str, Any],
    fake: FakeGitHub,
    full_name: str | None,
    number: int | None,
    comment_id: int | None,
    sender: str | None,
) -> dict[str, Any]:
    if full_name is None:
        if len(fake.repos) != 1:
            raise ValueError("pass repo= when the fake holds more or fewer than one repository")
        full_name = next(iter(fake.repos.values())).full_name
    repo = fake.repo(full_name)
    with fake.lock:
        payload["repository"] = {**payload.get("repository", {}), **fake.repo_json(repo)}
        if sender is not None:
            payload["sender"] = {**payload.get("sender", {}), **fake.user_json(sender)}
        if number is not None:
            if "pull_request" in payload:
                payload["number"] = number
                payload["pull_request"] = {
                    **payload["pull_request"],
                    **fake.pull_json(repo, number),
                }
            if "issue" in payload:
                payload["issue"] = {**payload["issue"], **fake.issue_json(repo, number)}
        if comment_id is not None and "comment" in payload:
            comment = repo.comments[comment_id]
            payload["comment"] = {**payload["comment"], **fake.comment_json(repo, comment)}
        if "workflow_run" in payload:
            run = payload["workflow_run"]
            branch = repo.default_branch
            sha = repo.refs.get(f"refs/heads/{branch}")
            run["head_branch"] = branch
            if sha is not None:
                run["head_sha"] = sha
            run["repository"] = {**run.get("repository", {}), **fake.repo_json(repo)}
            run["head_repository"] = {**run.get("head_repository", {}), **fake.repo_json(repo)}
            run["pull_requests"] = []
        if "ref" in payload and isinstance(payload["ref"], str) and "workflow" in payload:
            payload["ref"] = f"refs/heads/{repo.default_branch}"
    return payload
