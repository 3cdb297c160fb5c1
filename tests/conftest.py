"""Shared test setup.

The fakes register their fixtures as pytest plugins:
- tests.fakes.goproxy: a hermetic file:// module proxy built from tests/data/modules and
  a `go` environment that uses it;
- tests.fakes.sumdb: a loopback checksum database server signed with a test key;
- tests.fakes.github: a fake GitHub REST API over real HTTP, validated against GitHub's OpenAPI.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.fakes.goproxy", "tests.fakes.sumdb", "tests.fakes.github"]

# Tests commit in throwaway repositories: give git an identity on machines that have none.
for _name, _value in (
    ("GIT_AUTHOR_NAME", "tidybot tests"),
    ("GIT_AUTHOR_EMAIL", "tests@tidybot.invalid"),
    ("GIT_COMMITTER_NAME", "tidybot tests"),
    ("GIT_COMMITTER_EMAIL", "tests@tidybot.invalid"),
):
    os.environ.setdefault(_name, _value)

_AMBIENT_PREFIXES = ("GITHUB_", "INPUT_", "RUNNER_", "TIDYBOT_")
_AMBIENT_NAMES = ("CI", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_URL")


@pytest.fixture(autouse=True)
def _clean_ambient_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass the same inside GitHub Actions: no ambient GITHUB_*/INPUT_* variables."""
    for name in list(os.environ):
        if name.startswith(_AMBIENT_PREFIXES) or name in _AMBIENT_NAMES:
            if name in ("TIDYBOT_ONLINE", "TIDYBOT_UPDATE_GOLDEN"):
                continue
            monkeypatch.delenv(name, raising=False)


#: Tests that start go, git, tidybot itself or the linters, or compute large trees: the
#: ``slow`` tier. ``python -m pytest -m "not slow"`` runs the rest in seconds, for local work.
SLOW = (
    "tests/integration/",
    "tests/test_quality.py",
    "tests/unit/test_lint_workflows.py",
    "tests/unit/test_tlog.py",
    "tests/unit/test_workers.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    slow = pytest.mark.slow
    for item in items:
        if item.path.relative_to(root).as_posix().startswith(SLOW):
            item.add_marker(slow)
    if os.environ.get("TIDYBOT_ONLINE") == "1":
        return
    skip = pytest.mark.skip(reason="online test: set TIDYBOT_ONLINE=1 to run")
    for item in items:
        if "online" in item.keywords:
            item.add_marker(skip)
