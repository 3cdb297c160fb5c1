"""Pytest plugin: a fake GitHub REST API over real HTTP, validated against GitHub's OpenAPI.

Fixtures:

* ``github_openapi`` (session): GitHub's OpenAPI description, loaded once (~0.2 s);
* ``github_server`` (function): a fresh ``FakeGitHub`` on ``http://127.0.0.1:<port>`` with
  one repository ``octo/app`` (branch ``main`` holding a ``go.mod``) and two tokens:
  ``GITHUB_WRITE_TOKEN`` (contents, pull requests, issues, checks: write) and
  ``GITHUB_READ_TOKEN`` (everything read-only, like a fork pull request's token). The test
  fails on teardown if any request or response violated the OpenAPI description; a test
  that provokes a violation on purpose clears ``github_server.violations`` itself.
* ``load_event``: ``load_event("pull_request", "opened", number=1)`` returns a recorded
  webhook payload adjusted to ``github_server``'s state.

The implementation lives in ``tests/fakes/github_api/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fakes.github_api import READ_ONLY, FakeGitHub, OpenAPI
from tests.fakes.github_api import load_event as _load_event

GITHUB_WRITE_TOKEN = "ghs_fakeWriteToken0000000000000000000000"
GITHUB_READ_TOKEN = "ghs_fakeReadToken00000000000000000000000"
DEFAULT_REPO = "octo/app"
DEFAULT_GO_MOD = b"module example.com/app\n\ngo 1.22\n"


@pytest.fixture(scope="session")
def github_openapi() -> OpenAPI:
    return OpenAPI.load()


@pytest.fixture
def github_server(github_openapi: OpenAPI) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(github_openapi).start()
    try:
        fake.add_token(GITHUB_WRITE_TOKEN)
        fake.add_token(GITHUB_READ_TOKEN, permissions=READ_ONLY)
        fake.create_repo(DEFAULT_REPO, {"go.mod": DEFAULT_GO_MOD})
        yield fake
    finally:
        fake.stop()
    assert fake.violations == [], "the fake GitHub saw OpenAPI violations:\n" + "\n".join(
        fake.violations
    )


@pytest.fixture
def load_event(github_server: FakeGitHub) -> Callable[..., dict[str, Any]]:
    def load(name: str, action: str | None = None, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("repo", DEFAULT_REPO)
        return _load_event(name, action, fake=github_server, **kwargs)

    return load
