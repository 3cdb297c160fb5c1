"""``tidybot action`` with private modules: the ``private-token`` and ``gonoproxy`` inputs.

Every test runs the real command as a subprocess (``ActionWorld``) against the fake GitHub, on
a real git clone, with real ``go``. The private module is behind the loopback HTTPS proxy of
``private_proxy`` (basic auth, see tests/integration/private_proxy.py); the repository's
``.github/tidybot.yml`` names that proxy in ``private.goproxy`` / ``private.auth_hosts``.
Without the input go is refused and the refusal is reported; with it the module is found, and
the token appears nowhere the action writes: stdout (but the ``::add-mask::`` command the
runner consumes), stderr, GITHUB_OUTPUT, the job summary, the artifact directory, any request
the fake GitHub received, the environment go ran with.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.github import GITHUB_WRITE_TOKEN
from tests.fakes.github_api import FakeGitHub
from tests.fakes.goproxy import build_proxy, write_tree
from tests.integration.private_proxy import (
    MODULE,
    TOKEN,
    PrivateProxy,
    private_proxy,
    proxy_env,
)
from tests.integration.test_action_harness import REPO, ActionResult, ActionWorld, world

__all__ = ["private_proxy", "world"]

MAIN = f'package main\n\nimport "{MODULE}"\n\nfunc main() {{ println(secret.Name) }}\n'


def _config(proxy: PrivateProxy) -> str:
    return (
        "private:\n  gonosumdb: corp.example\n"
        f"  goproxy: {proxy.url}\n  auth_hosts: [{proxy.host}]\n"
    )


def _files(
    proxy: PrivateProxy, config: str | None = None, *, world: ActionWorld | None = None
) -> dict[str, bytes | None]:
    """A module that imports the private module; go.sum not written yet (drift: missing-sum).
    With ``world``, the config is committed on the base branch too: in a run on a pull
    request, only the base branch's ``private:`` section is trusted."""
    if config is None:
        config = _config(proxy)
    if world is not None:
        world.gh.push(REPO, "main", {".github/tidybot.yml": config.encode()}, "config")
    return {
        "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire {MODULE} v1.0.0\n".encode(),
        "main.go": MAIN.encode(),
        ".github/tidybot.yml": config.encode(),
    }


@pytest.fixture
def pworld(
    github_server: FakeGitHub,
    tmp_path: Path,
    goenv: dict[str, str],
    load_event: Callable[..., dict[str, Any]],
    private_proxy: PrivateProxy,
) -> ActionWorld:
    """The action's world, go trusting the proxy's certificate; TMPDIR private to the test
    (the credentials directory must be gone from it after every run)."""
    env = proxy_env(goenv, private_proxy, tmp_path)
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    return ActionWorld(github_server, tmp_path, env, load_event)


def _everything_written(world: ActionWorld, res: ActionResult) -> dict[str, str]:
    """Each place the action writes to, as text (stdout without the mask command)."""
    run_dir = world.tmp / f"run{world.runs}"
    texts = {
        "stdout": "\n".join(ln for ln in res.stdout.splitlines() if ln != f"::add-mask::{TOKEN}"),
        "stderr": res.stderr,
        "GITHUB_OUTPUT": (run_dir / "output").read_text(encoding="utf-8"),
        "GITHUB_STEP_SUMMARY": (run_dir / "summary.md").read_text(encoding="utf-8"),
    }
    artifact = res.workspace / ".tidybot"
    for p in sorted(artifact.rglob("*")) if artifact.is_dir() else []:
        if p.is_file():
            texts[f"artifact {p.name}"] = p.read_text(encoding="utf-8", errors="replace")
    for i, r in enumerate(world.gh.log):
        texts[f"request {i} {r.method} {r.path}"] = json.dumps(r.body) + json.dumps(r.query)
    return texts


def _assert_token_nowhere(world: ActionWorld, res: ActionResult) -> None:
    texts = _everything_written(world, res)
    leaks = [where for where, text in texts.items() if TOKEN in text]
    assert leaks == [], leaks
    assert not list((world.tmp / "tmp").glob("tidybot-cred-*")), "credentials left behind"
    for p in res.workspace.rglob("*"):
        if p.is_file() and ".git" not in p.parts:
            assert TOKEN.encode() not in p.read_bytes(), p


def test_refused_without_the_input(pworld: ActionWorld, private_proxy: PrivateProxy) -> None:
    number = pworld.open_pr(_files(private_proxy, world=pworld))
    res = pworld.run("pull_request", pworld.pr_event(number), pworld.checkout())

    assert res.returncode == 2, res.explain()
    assert "Traceback" not in res.stderr
    # the annotation, the comment and the summary name the module as not checked (with the
    # first line of go's error); the log and the report hold go's whole error
    assert "::error file=go.mod,title=tidybot%3A module not checked::" in res.stdout
    assert "::group::.: not checked" in res.stdout  # go's whole error in the log
    assert "v1.0.0.zip: 401 Unauthorized" in res.stdout
    [comment] = pworld.bot_comments(number)
    assert "1 module could not be checked" in str(comment["body"])
    assert "**1 of 1 modules could not be checked.**" in res.summary
    (module,) = res.report()["modules"]
    assert module["status"] == "error"
    assert f"{MODULE}/@v/v1.0.0.zip: 401 Unauthorized" in module["error"]
    assert private_proxy.requests
    assert all(code == 401 and not had for _, code, had in private_proxy.requests)


def test_found_with_the_input_and_never_shown(
    pworld: ActionWorld, private_proxy: PrivateProxy
) -> None:
    number = pworld.open_pr(_files(private_proxy, world=pworld))
    res = pworld.run(
        "pull_request", pworld.pr_event(number), pworld.checkout(), private_token=TOKEN
    )

    assert res.returncode == 1, res.explain()
    [comment] = pworld.bot_comments(number)
    body = str(comment["body"])
    assert "`missing-sum`" in body
    assert f"+{MODULE} v1.0.0 h1:" in body
    (module,) = res.report()["modules"]
    assert {f["id"] for f in module["findings"]} == {"missing-sum"}
    assert f"{MODULE} v1.0.0/go.mod h1:" in (res.workspace / ".tidybot" / "tidy.patch").read_text()
    assert any(code == 200 and had for _, code, had in private_proxy.requests)
    assert res.stdout.count(TOKEN) == 1
    assert f"::add-mask::{TOKEN}" in res.stdout.splitlines()
    _assert_token_nowhere(pworld, res)


def test_tidy_command_fixes_with_the_input(
    pworld: ActionWorld, private_proxy: PrivateProxy, tmp_path: Path
) -> None:
    # git on PATH records its environment and arguments, then runs the real git
    real_git = shutil.which("git")
    assert real_git is not None
    wrapper = tmp_path / "gitbin" / "git"
    wrapper.parent.mkdir()
    seen = tmp_path / "git-env.txt"
    wrapper.write_text(
        f'#!/bin/sh\nenv >> "{seen}"\necho "--- git $*" >> "{seen}"\nexec "{real_git}" "$@"\n'
    )
    wrapper.chmod(0o755)
    path = f"{wrapper.parent}{os.pathsep}{pworld.goenv['PATH']}"

    number = pworld.open_pr(_files(private_proxy, world=pworld))
    pworld.gh.set_permission(REPO, "maintainer", "write")
    event = pworld.tidy_comment(number, "maintainer")
    res = pworld.run(
        "issue_comment",
        event,
        pworld.checkout(),
        private_token=TOKEN,
        env_extra={"PATH": path, "TIDYBOT_PRIVATE_TOKEN": TOKEN, "ALSO": TOKEN},
    )

    assert res.returncode == 0, res.explain()
    recorded = seen.read_text()
    assert "rev-parse --verify HEAD^{commit}" in recorded  # the fix's head check
    assert TOKEN not in recorded  # in no git the run starts
    assert GITHUB_WRITE_TOKEN not in recorded  # nor the GitHub API token: git never needs it
    sha = res.outputs["commit-sha"]
    assert sha and sha == pworld.gh.branch_sha(REPO, "feature")
    go_sum = pworld.gh.branch_files(REPO, "feature")["go.sum"].decode()
    assert f"{MODULE} v1.0.0 h1:" in go_sum
    assert f"{MODULE} v1.0.0/go.mod h1:" in go_sum
    assert TOKEN not in pworld.gh.store.commit(sha).message
    _assert_token_nowhere(pworld, res)


def test_audit_with_the_input(pworld: ActionWorld, private_proxy: PrivateProxy) -> None:
    pworld.gh.push(REPO, "main", _files(private_proxy), "private module")
    res = pworld.run(
        "schedule",
        pworld.load_event("schedule"),
        pworld.checkout("main"),
        private_token=TOKEN,
        verify="false",
    )
    assert res.returncode == 1, res.explain()
    (module,) = res.report()["modules"]
    assert module["status"] == "drifted"
    assert {f["id"] for f in module["findings"]} == {"missing-sum"}
    issues = [r for r in pworld.gh.log if r.operation_id == "issues/create"]
    assert len(issues) == 1  # the dashboard
    _assert_token_nowhere(pworld, res)


@pytest.mark.parametrize(
    "config",
    [
        "private:\n  gonosumdb: corp.example\n",
        "private:\n  git:\n    host: github.com\n",
    ],
)
def test_input_with_no_host_to_receive_it(
    pworld: ActionWorld, private_proxy: PrivateProxy, config: str
) -> None:
    number = pworld.open_pr(_files(private_proxy, config, world=pworld))
    res = pworld.run(
        "pull_request", pworld.pr_event(number), pworld.checkout(), private_token=TOKEN
    )

    assert res.returncode == 2, res.explain()
    message = (
        "input 'private-token' is set but no host is named to receive it: add "
        "private.auth_hosts or private.git.orgs to .github/tidybot.yml"
    )
    assert res.stderr == f"tidybot: error: {message}\n"
    assert f"::error title=tidybot::{message}" in res.stdout.splitlines()
    assert private_proxy.requests == []  # go never ran
    _assert_token_nowhere(pworld, res)


def test_go_and_git_never_get_the_token_variables(
    pworld: ActionWorld, private_proxy: PrivateProxy, tmp_path: Path
) -> None:
    """A stand-in go records the environment of every go command the action runs: neither
    token reaches it, under any variable name."""
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    seen = tmp_path / "go-env.txt"
    fake.write_text(f'#!/bin/sh\nenv >> "{seen}"\necho "--- $*" >> "{seen}"\necho go1.26.0\n')
    fake.chmod(0o755)
    number = pworld.open_pr(_files(private_proxy, world=pworld))
    res = pworld.run(
        "pull_request",
        pworld.pr_event(number),
        pworld.checkout(),
        private_token=TOKEN,
        gonoproxy="corp.example/nothing",
        env_extra={
            "TIDYBOT_GO": str(fake),
            "TIDYBOT_PRIVATE_TOKEN": TOKEN,
            "ALSO": TOKEN,
            "GITHUB_TOKEN": GITHUB_WRITE_TOKEN,
            "API_TOO": GITHUB_WRITE_TOKEN,
        },
    )
    recorded = seen.read_text()
    assert "--- mod tidy" in recorded, res.explain()  # the stand-in did run
    assert res.returncode == 0 and any(r.login for r in pworld.gh.log)  # the API got it
    assert TOKEN not in recorded and GITHUB_WRITE_TOKEN not in recorded
    for name in (
        "INPUT_PRIVATE-TOKEN",
        "TIDYBOT_PRIVATE_TOKEN",
        "ALSO",
        "INPUT_TOKEN",
        "GITHUB_TOKEN",
        "API_TOO",
    ):
        assert f"\n{name}=" not in recorded
    runs = recorded.split("--- ")
    assert all("GONOPROXY=corp.example/nothing" in r for r in runs[:-1])
    assert all("GOAUTH=netrc" in r and "NETRC=" in r for r in runs[:-1])


def test_a_go_that_quotes_the_token_is_redacted_everywhere(
    pworld: ActionWorld, private_proxy: PrivateProxy, tmp_path: Path
) -> None:
    """Belt and braces: a stand-in go whose error quotes the password of the run's netrc.
    The action replaces it in the log, annotations, summary, outputs, artifact and comment."""
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1 $2" = "mod tidy" ]; then\n'
        '  echo "go: reading https://u:$(awk \'{print $6}\' "$NETRC")@proxy/: 401" >&2\n'
        "  exit 1\n"
        "fi\n"
        "echo go1.26.0\n"
    )
    fake.chmod(0o755)
    number = pworld.open_pr(_files(private_proxy, world=pworld))
    res = pworld.run(
        "pull_request",
        pworld.pr_event(number),
        pworld.checkout(),
        private_token=TOKEN,
        env_extra={"TIDYBOT_GO": str(fake)},
    )
    assert res.returncode == 2, res.explain()
    (module,) = res.report()["modules"]
    assert module["error"] == "go: reading https://u:***@proxy/: 401"  # quoted, then replaced
    [comment] = pworld.bot_comments(number)
    assert "go: reading https://u:***@proxy/: 401" in str(comment["body"])
    assert (
        "::error file=go.mod,title=tidybot%3A module not checked::go: reading https://u:***@"
        in (res.stdout)
    )
    _assert_token_nowhere(pworld, res)


# --- gonoproxy ---------------------------------------------------------------------------------

LIB = "github.com/acme/lib"


@pytest.fixture
def acme_proxy(tmp_path: Path) -> str:
    """A file:// proxy serving github.com/acme/lib v1.0.0 (a host go knows uses git)."""
    src = write_tree(
        tmp_path / "acme-src",
        {
            f"{LIB}@v1.0.0/go.mod": f"module {LIB}\n\ngo 1.22\n",
            f"{LIB}@v1.0.0/lib.go": "package lib\n\nconst N = 1\n",
        },
    )
    build_proxy(src, tmp_path / "acme-proxy")
    return (tmp_path / "acme-proxy").resolve().as_uri()


def test_gonoproxy_reaches_go(world: ActionWorld, acme_proxy: str, tmp_path: Path) -> None:
    """GONOPROXY sends the module around GOPROXY, to git, which GOVCS=*:off forbids before any
    network access: go's refusal proves the input reached go; without it, the proxy serves."""
    files: dict[str, bytes | None] = {
        "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire {LIB} v1.0.0\n".encode(),
        "main.go": f'package main\n\nimport "{LIB}"\n\nfunc main() {{ println(lib.N) }}\n'.encode(),
    }
    number = world.open_pr(files)
    env = {
        "GOVCS": "*:off",
        "GOMODCACHE": str(tmp_path / "modcache"),
        "GONOSUMDB": "example.com,github.com/acme",  # the fixture module is in no database
    }
    direct = world.run(
        "pull_request",
        world.pr_event(number),
        world.checkout(),
        goproxy=acme_proxy,
        gonoproxy="github.com/acme",
        mode="check",
        env_extra=env,
    )
    assert direct.returncode == 2, direct.explain()
    (module,) = direct.report()["modules"]
    assert module["status"] == "error"
    assert f"GOVCS disallows using git for public {LIB}" in module["error"]

    proxied = world.run(
        "pull_request",
        world.pr_event(number),
        world.checkout(),
        goproxy=acme_proxy,
        mode="check",
        env_extra=env,
    )
    assert proxied.returncode == 1, proxied.explain()
    (module,) = proxied.report()["modules"]
    assert {f["id"] for f in module["findings"]} == {"missing-sum"}


# --- a private module's code never goes to a fork ---------------------------------------------

FORK = "contributor/app"
SECRET_CODE = 'const Name = "secret"'


def _vendored_files(proxy: PrivateProxy, world: ActionWorld) -> dict[str, bytes | None]:
    """A vendored module that starts to import the private module: its vendor/ lacks it, so
    the fix re-vendors, and vendor/corp.example/secret/secret.go is the module's code."""
    files = _files(proxy, world=world)
    files["vendor/modules.txt"] = b""
    return files


def _tidy_on_the_fork(
    pworld: ActionWorld, files: dict[str, bytes | None], **env: str
) -> tuple[int, ActionResult]:
    """A fork's pull request of ``files``, a maintainer's ``/tidy`` with the private token;
    asserts the refusal: exit 2, the fork's branch where it was, no private code on it."""
    number = pworld.open_pr(files, head_repo=FORK, maintainer_can_modify=True)
    pworld.gh.set_permission(REPO, "maintainer", "write")
    head = pworld.gh.branch_sha(FORK, "feature")
    res = pworld.run(
        "issue_comment",
        pworld.tidy_comment(number, "maintainer"),
        pworld.checkout("feature", repo=FORK),
        private_token=TOKEN,
        env_extra=env,
    )
    assert res.returncode == 2, res.explain()
    assert pworld.gh.branch_sha(FORK, "feature") == head
    pushed = pworld.gh.branch_files(FORK, "feature")
    assert not [p for p, data in pushed.items() if SECRET_CODE.encode() in (data or b"")]
    return number, res


def test_tidy_on_a_fork_never_pushes_a_private_modules_code(
    pworld: ActionWorld, private_proxy: PrivateProxy
) -> None:
    """The pull request's author, with no access to corp.example/secret, requires it in a
    vendored module and asks a maintainer for ``/tidy``: the fix re-vendors with the private
    token, and the commit pushed to the fork held the private module's source. Now the push
    is refused, naming the module; the fork's branch does not move."""
    number, res = _tidy_on_the_fork(pworld, _vendored_files(private_proxy, pworld))
    replies = [
        str(c["body"]) for c in pworld.gh.comments(REPO, number) if "failed" in str(c["body"])
    ]
    assert len(replies) == 1, replies
    assert MODULE.replace(".", "\\.") in replies[0]  # Markdown-escaped, as every reply text
    assert SECRET_CODE not in replies[0]
    _assert_token_nowhere(pworld, res)


def test_a_check_of_a_fork_keeps_a_private_modules_code_out_of_the_patch(
    pworld: ActionWorld, private_proxy: PrivateProxy
) -> None:
    """pull_request_target runs with the private token on the fork's code; the artifact's
    tidy.patch (uploaded where anyone who can read the repository's runs reads it) held the
    re-vendored private module's source. Now the patch is left out, with a warning."""
    number = pworld.open_pr(
        _vendored_files(private_proxy, pworld), head_repo=FORK, maintainer_can_modify=True
    )
    res = pworld.run(
        "pull_request_target",
        pworld.pr_event(number),
        pworld.checkout("feature", repo=FORK),
        private_token=TOKEN,
    )
    assert res.returncode == 1, res.explain()
    patch = res.workspace / ".tidybot" / "tidy.patch"
    assert patch.is_file() and SECRET_CODE not in patch.read_text()
    assert MODULE in res.stdout  # the warning names the module
    _assert_token_nowhere(pworld, res)


def test_tidy_on_a_fork_with_the_checksum_database_off_pushes_no_vendored_code(
    pworld: ActionWorld, private_proxy: PrivateProxy
) -> None:
    """The private modules come from an authenticated proxy with GOSUMDB=off and no
    GOPRIVATE/GONOSUMDB: no pattern named them, so the private module's code was taken for
    public and pushed to the fork. Now, with the database off, no vendored code goes to a
    fork."""
    config = f"private:\n  goproxy: {private_proxy.url}\n  auth_hosts: [{private_proxy.host}]\n"
    files = _files(private_proxy, config, world=pworld)
    files["vendor/modules.txt"] = b""
    _tidy_on_the_fork(pworld, files, GOSUMDB="off")
