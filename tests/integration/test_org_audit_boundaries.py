"""The boundaries of ``tidybot org-audit``, each driven through the real command in its own
process (``python -m bot org-audit``) against the fake GitHub, real git and real go:

* no go or git child it starts sees the GitHub token (a logging go/git on PATH records every
  child's environment); git gets the token only as the clone's scoped ``extraHeader``;
* the token is in no output, even when a repository's go output carries it: the JSON and
  Markdown reports, stdout and stderr, the state file, the report issue;
* the report issue is adopted only when tidybot's own account opened it with the marker: a
  person's issue with the label (and the marker) is never edited, closed or reopened;
* the exit codes: 0 all clean, 1 drift, 4 a repository could not be audited, 2 for the run's
  own errors (a bad ``--shard``, a refused merge, a token GitHub refuses).

A small organisation of its own (``bound``) keeps these apart from the 54-repository one.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.errors import ExitCode
from tests.fakes.github import GITHUB_WRITE_TOKEN
from tests.fakes.github_api import FakeGitHub, OpenAPI
from tests.fakes.github_api.gitserve import GitTransport
from tests.fakes.github_api.orgs import add_org_repo
from tests.fakes.goproxy import go_environment
from tests.fakes.sumdb import SumdbKey, SumdbServer
from tests.integration.test_org_audit import APP_MAIN, tidy_templates

ROOT = Path(__file__).resolve().parents[2]
ORG = "bound"
TOKEN = GITHUB_WRITE_TOKEN
#: A person's token: issues opened with it are theirs.
ALICE_TOKEN = "ghp_alicePersonalToken000000000000000000"
CENTRAL = "central/audits"
LABEL = "tidybot-org-audit"
MARKER = "<!-- tidybot:org-audit -->"
#: go.mod of a module whose go output carries the token: its requirement is named after it.
LEAKY_MOD = f"module example.com/leaky\n\ngo 1.22\n\nrequire example.com/{TOKEN} v1.0.0\n"
LEAKY_MAIN = f'package main\n\nimport _ "example.com/{TOKEN}"\n\nfunc main() {{}}\n'.encode()


@dataclass
class World:
    gh: FakeGitHub
    git: GitTransport
    env: dict[str, str]
    tmp: Path

    def run(
        self, *argv: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``tidybot org-audit ARGV`` in its own process, from this checkout."""
        return subprocess.run(
            [sys.executable, "-m", "bot", "org-audit", *argv],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.fixture(scope="module")
def world(
    github_openapi: OpenAPI,
    goproxy_url: str,
    gomodcache: Path,
    gocache: Path,
    sumdb_key: SumdbKey,
    goproxy_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("bound")
    db = SumdbServer(sumdb_key)
    db.add_proxy_modules(goproxy_dir)
    db.start()
    gh = FakeGitHub(github_openapi).start()
    try:
        gh.add_token(TOKEN)
        gh.add_token(ALICE_TOKEN, login="alice")
        transport = GitTransport(gh, tmp / "git").install()
        env = go_environment(goproxy_url, gomodcache, tmp / "home", gocache)
        env["GOSUMDB"] = db.gosumdb
        env.pop("GONOSUMDB", None)
        env.pop("TIDYBOT_GO", None)
        env.update(
            GITHUB_TOKEN=TOKEN,
            GITHUB_API_URL=gh.base_url,
            TIDYBOT_GITHUB_BACKOFF="0.01",
            # another secret of the runner: no child may see it either
            ACTIONS_RUNTIME_TOKEN="runtime-secret-0000000000",
        )
        t = tidy_templates(env, tmp / "templates")

        def app(name: str, mod: str, gosum: str) -> dict[str, bytes]:
            files = {"go.mod": mod.replace("example.com/app", f"example.com/{name}")}
            files.update({"main.go": APP_MAIN, **({"go.sum": gosum} if gosum else {})})
            return {k: v.encode() for k, v in files.items()}

        add_org_repo(gh, f"{ORG}/clean", app("clean", t.app_mod, t.app_sum))
        add_org_repo(
            gh, f"{ORG}/drifted", app("drifted", "module example.com/app\n\ngo 1.22\n", "")
        )
        add_org_repo(gh, f"{ORG}/broken", app("broken", t.app_mod, t.app_sum))
        transport.fail_clone(f"{ORG}/broken")
        add_org_repo(gh, f"{ORG}/leaky", {"go.mod": LEAKY_MOD.encode(), "main.go": LEAKY_MAIN})
        gh.create_repo(CENTRAL, {"README.md": b"audits\n"})
        yield World(gh, transport, env, tmp)
    finally:
        gh.stop()
        db.stop()
    assert gh.violations == [], "OpenAPI violations:\n" + "\n".join(gh.violations)


# --- 1. no token in any child's environment ------------------------------------------------------


def _env_logging_wrapper(bin_dir: Path, tool: str, logs: Path) -> None:
    """``tool`` on PATH that writes its arguments and environment to a file of its own per
    call (``logs/<tool>.XXXXXX``), then runs the real one."""
    real = shutil.which(tool)
    assert real is not None
    bin_dir.mkdir(exist_ok=True)
    logs.mkdir(exist_ok=True)
    wrapper = bin_dir / tool
    wrapper.write_text(
        "#!/bin/sh\n"
        f'f=$(mktemp "{logs}/{tool}.XXXXXX")\n'
        '{ echo "$*"; env; } > "$f"\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)


def _calls(logs: Path, tool: str) -> list[tuple[str, dict[str, str]]]:
    """(arguments, environment) of every recorded call of ``tool``."""
    out = []
    for f in sorted(logs.glob(f"{tool}.*")):
        args, *lines = f.read_text().splitlines()
        env = dict(line.split("=", 1) for line in lines if "=" in line)
        out.append((args, env))
    return out


def test_no_go_or_git_child_sees_the_token(world: World, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    for tool in ("go", "git"):
        _env_logging_wrapper(tmp_path / "bin", tool, logs)
    env = {**world.env, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{world.env['PATH']}"}
    env["ORG_AUDIT_TOKEN"] = env.pop("GITHUB_TOKEN")  # a token under another name: same
    res = world.run(
        "--org",
        ORG,
        "--include",
        "clean",
        "--include",
        "drifted",
        "--token-env",
        "ORG_AUDIT_TOKEN",
        "--json",
        str(tmp_path / "r.json"),
        env=env,
    )
    assert res.returncode == ExitCode.DRIFT, res.stderr
    gits, gos = _calls(logs, "git"), _calls(logs, "go")
    clones = [(a, e) for a, e in gits if "clone" in a.split()]
    assert len(clones) == 2 and gos, (gits, gos)
    header = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    for args, child in gits + gos:
        seen = "\n".join(f"{k}={v}" for k, v in child.items()) + args
        assert TOKEN not in seen, args
        assert "ORG_AUDIT_TOKEN" not in child and "GITHUB_TOKEN" not in child
        assert "runtime-secret" not in seen, args
    for _, child in gos:  # the header is the clone's only: go never gets it
        assert header not in "\n".join(child.values())
    for args, child in clones:  # the token rides only as the scoped header, no LFS download
        assert child["GIT_LFS_SKIP_SMUDGE"] == "1"
        keys = {k: v for k, v in child.items() if k.startswith("GIT_CONFIG_KEY_")}
        (key_name, key), *_ = keys.items()
        assert key == f"http.{world.gh.base_url}/.extraHeader"
        value = child[key_name.replace("KEY", "VALUE")]
        assert value == f"AUTHORIZATION: basic {header}"
        assert header not in args


# --- 2. no token in any output -------------------------------------------------------------------


def test_the_token_is_redacted_from_every_output(world: World, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    state = tmp_path / "state.jsonl"
    env = {**world.env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    argv = ["--org", ORG, "--include", "leaky", "--include", "clean", "--no-verify"]
    argv += ["--json", str(tmp_path / "r.json"), "--markdown", str(tmp_path / "r.md")]
    argv += ["--state", str(state), "--issue-repo", CENTRAL]
    res = world.run(*argv, env=env)
    assert res.returncode == ExitCode.REPOSITORY_FAILED, res.stderr
    doc = json.loads((tmp_path / "r.json").read_text())
    leaky = next(r for r in doc["repositories"] if r["repo"] == f"{ORG}/leaky")
    # the repository failed on the requirement named after the token: go said so, masked
    assert leaky["status"] == "error"
    (module,) = leaky["report"]["modules"]
    assert "example.com/***" in module["error"], module
    issues = world.gh.repo(CENTRAL).issues.values()
    body = next(str(i["body"]) for i in issues if i["user"] == "github-actions[bot]")
    outputs = {
        "json": (tmp_path / "r.json").read_text(),
        "markdown": (tmp_path / "r.md").read_text(),
        "summary": summary.read_text(),
        "state": state.read_text(),
        "issue": body,
        # in Actions the token is masked by the runner: that command is its only mention
        "stderr": res.stderr.replace(f"::add-mask::{TOKEN}\n", ""),
        "stdout": res.stdout,
    }
    assert "example.com/***" in outputs["markdown"]
    header = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    leaked = [name for name, text in outputs.items() if TOKEN in text or header in text]
    assert leaked == []


def test_a_state_file_holding_the_token_does_not_leak_it(world: World, tmp_path: Path) -> None:
    """A result recorded by another version (or by hand) is redacted when it is resumed."""
    state = tmp_path / "state.jsonl"
    key = {
        "org": ORG,
        "shard": None,
        "filters": {
            "include": ["clean"],
            "exclude": [],
            "topics": [],
            "archived": False,
            "forks": False,
        },
        "verify": False,
    }
    recorded = {
        "repo": f"{ORG}/clean",
        "status": "error",
        "reason": f"clone of https://x-access-token:{TOKEN}@example.com failed",
    }
    state.write_text(
        json.dumps({"tidybot_org_audit_state": 1, "key": key}) + "\n" + json.dumps(recorded) + "\n"
    )
    env = {**world.env, "GITHUB_ACTIONS": "true"}
    argv = ["--org", ORG, "--include", "clean", "--no-verify", "--state", str(state)]
    res = world.run(*argv, "--json", str(tmp_path / "r.json"), env=env)
    assert res.returncode == ExitCode.REPOSITORY_FAILED, res.stderr
    assert "(from the state file)" in res.stderr
    stderr = res.stderr.replace(f"::add-mask::{TOKEN}\n", "")
    assert TOKEN not in stderr + res.stdout + (tmp_path / "r.json").read_text()
    assert "x-access-token:***@example.com" in stderr


# --- 3. only tidybot's own report issue ----------------------------------------------------------


def _open_issue(world: World, token: str, title: str, body: str) -> int:
    resp = httpx.post(
        f"{world.gh.base_url}/repos/{CENTRAL}/issues",
        headers={"authorization": f"Bearer {token}", "accept": "application/vnd.github+json"},
        json={"title": title, "body": body, "labels": [LABEL]},
    )
    assert resp.status_code == 201, resp.text
    return int(resp.json()["number"])


def test_a_persons_issue_with_the_label_and_marker_is_never_touched(
    world: World, tmp_path: Path
) -> None:
    central = world.gh.repo(CENTRAL)
    central.issues.clear()
    hers = _open_issue(world, ALICE_TOKEN, "org audit looks wrong", f"{MARKER}\nsee the log")
    # tidybot's own account opened this one, but not as the report (no marker): not adopted
    other = _open_issue(world, TOKEN, "a note by the bot", "not the report")
    before = {n: dict(i) for n, i in central.issues.items()}
    argv = ["--org", ORG, "--include", "clean", "--no-verify", "--issue-repo", CENTRAL]
    first = world.run(*argv)
    assert first.returncode == ExitCode.CLEAN, first.stderr
    second = world.run(*argv, "--include", "drifted")
    assert second.returncode == ExitCode.DRIFT, second.stderr
    for n in (hers, other):
        assert central.issues[n] == before[n]  # not edited, closed or reopened
    mine = [n for n in central.issues if n not in before]
    assert len(mine) == 1, central.issues
    (number,) = mine
    assert f"report issue #{number} in {CENTRAL} created" in first.stderr
    assert f"report issue #{number} in {CENTRAL} updated" in second.stderr
    issue = central.issues[number]
    assert issue["user"] == "github-actions[bot]" and issue["labels"] == [LABEL]
    assert str(issue["body"]).startswith(MARKER)
    assert "1 of 2 repositories need attention" in str(issue["title"])


def test_a_cut_report_issue_ends_at_a_line(world: World, tmp_path: Path) -> None:
    """A repository's directory names are its own: over GitHub's size limit the report issue
    is cut at a line's end, so no code span that shows one is left open to render as
    Markdown and HTML (tests/integration/test_cut_bodies.py has the same for the action)."""
    from markdown_it import MarkdownIt

    from bot.audit import BODY_LIMIT

    segment = "@octocat<img src=https:&#47;&#47;evil.example&#47;p.png>"
    deep = "/".join([segment] * 6)
    sums = "".join(
        f"example.com/stale{i} v1.0.0 h1:{base64.b64encode(bytes([i]) * 32).decode()}\n"
        for i in range(150)
    )
    add_org_repo(
        world.gh,
        f"{ORG}/hostile",
        {
            f"{deep}/go.mod": b"module example.com/deep\n\ngo 1.22\n",
            f"{deep}/main.go": b"package main\n\nfunc main() {}\n",
            f"{deep}/go.sum": sums.encode(),
        },
    )
    central = world.gh.repo(CENTRAL)
    central.issues.clear()
    res = world.run("--org", ORG, "--include", "hostile", "--no-verify", "--issue-repo", CENTRAL)
    assert res.returncode == ExitCode.DRIFT, res.stderr
    [issue] = central.issues.values()
    body = str(issue["body"])
    assert len(body) <= BODY_LIMIT and "Cut at GitHub's size limit" in body
    html = MarkdownIt("commonmark").enable("table").render(body)
    acting = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert "<img" not in acting and "@octocat" not in acting and "evil.example" not in acting


# --- 4. exit codes -------------------------------------------------------------------------------


def test_exit_codes(world: World, tmp_path: Path) -> None:
    def code(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        res = world.run(*argv, env=env)
        return res.returncode, res.stderr

    # the numbers the README documents
    documented = (ExitCode.CLEAN, ExitCode.DRIFT, ExitCode.ERROR, ExitCode.REPOSITORY_FAILED)
    assert [int(c) for c in documented] == [0, 1, 2, 4]

    base = ["--org", ORG, "--no-verify", "--include", "clean"]
    assert code(*base)[0] == ExitCode.CLEAN
    assert code(*base, "--include", "drifted")[0] == ExitCode.DRIFT
    # a repository that could not be audited outranks drift, and is not a usage error
    failed, err = code(*base, "--include", "drifted", "--include", "broken")
    assert failed == ExitCode.REPOSITORY_FAILED, err
    assert "Traceback" not in err

    bad_shard, err = code(*base, "--shard", "4/3")
    assert bad_shard == ExitCode.ERROR
    assert err == (
        "tidybot: error: --shard '4/3': expected I/N with 1 <= I <= N, e.g. --shard 2/3\n"
        "  hint: take the value from the matrix `tidybot org-audit plan --shards N` prints\n"
    )

    shard = tmp_path / "shard-1.json"
    assert code(*base, "--shard", "1/2", "--json", str(shard))[0] in (0, 1)
    refused, err = code("merge", str(shard))
    assert refused == ExitCode.ERROR
    assert err.startswith("tidybot: error: org-audit merge: shard 2/2 missing\n")

    bad_token = {**world.env, "GITHUB_TOKEN": "ghp_revoked0000000000000000000000000000"}
    unauthorised, err = code(*base, env=bad_token)
    assert unauthorised == ExitCode.ERROR
    assert err.startswith(
        "tidybot: error: GitHub refused to list the repositories in the organisation bound "
        "(401 Bad credentials): the token is invalid or expired\n"
    )
    assert "Traceback" not in err


# --- 5. one repository's tree runs nothing and chooses nothing for go -------------------------


def test_a_repositorys_go_env_runs_no_command_and_chooses_nothing(
    world: World, tmp_path: Path
) -> None:
    """One token serves every repository, so no repository's tree may decide for go: a committed
    go.env with ``GOAUTH=<command>`` ran that command (where it read the token from a
    concurrent git clone's environment), and could send go to another proxy or checksum
    database. Every tree is now audited as someone else's code: its go.env is not read."""
    marker = tmp_path / "ran"
    script = f"#!/bin/sh\necho ran > {marker}\n"
    add_org_repo(
        world.gh,
        f"{ORG}/goenv",
        {
            "go.mod": b"module example.com/goenv\n\ngo 1.22\n\nrequire evil.invalid/x v1.0.0\n",
            "main.go": b'package main\n\nimport _ "evil.invalid/x"\n\nfunc main() {}\n',
            "go.env": b"GOPRIVATE=evil.invalid\nGOAUTH=sh ./pwn.sh\nGOPROXY=http://127.0.0.1:9\n",
            "pwn.sh": script.encode(),
        },
    )
    res = world.run(
        "--org", ORG, "--no-verify", "--include", "goenv", "--json", str(tmp_path / "r.json")
    )
    assert not marker.exists(), res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    doc = json.loads((tmp_path / "r.json").read_text())
    text = json.dumps(doc)
    assert "127.0.0.1:9" not in text  # go never asked the tree's proxy
