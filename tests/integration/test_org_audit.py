"""``tidybot org-audit`` over a 54-repository organisation on the fake GitHub.

Every repository is a real git repository served by ``git http-backend`` behind the fake's
HTTP server on 127.0.0.1 (tests/fakes/github_api/gitserve.py), cloned by git (bot.gitport) with
the token in an http header; go reaches only the fixture module proxy and the loopback checksum
database. The organisation (one per module, built once) holds clean Go repositories, drifted
ones (three kinds of drift), repositories without Go, one with a broken go.mod, one whose clone
fails, an archived one and a fork.

Shown here: the unsharded report; three shards merged equal to it; a run interrupted with
SIGINT and resumed from its state file, with no repository audited twice; rate limits waited
for; the token never in a URL, a report or a log; the report kept as an issue.
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.cli import build_parser
from bot.errors import ExitCode
from bot.forge.errors import ForgeUnavailableError, NotFoundError, RateLimitError
from bot.forge.github import GitHubOrganisation
from bot.forge.port import Organisation
from bot.orgaudit import run_cli
from tests.fakes.github import GITHUB_WRITE_TOKEN
from tests.fakes.github_api import FakeGitHub, OpenAPI
from tests.fakes.github_api.gitserve import GitTransport
from tests.fakes.github_api.orgs import add_org_repo
from tests.fakes.goproxy import go_environment, write_tree
from tests.fakes.sumdb import SumdbKey, SumdbServer
from tests.integration.engine_helpers import start_tidybot

ORG = "acme"
TOKEN = GITHUB_WRITE_TOKEN
ROOT = Path(__file__).resolve().parents[2]

APP_MAIN = (
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\n'
    "func main() { fmt.Println(greet.Hello()) }\n"
)
LIB_GO = (
    'package lib\n\nimport "example.com/util"\n\n'
    "// Loud shouts.\nfunc Loud() string { return util.Shout() }\n"
)


@dataclass
class Templates:
    """Tidy go.mod/go.sum pairs computed once with the real go command."""

    app_mod: str
    app_sum: str
    lib_mod: str
    lib_sum: str


@dataclass
class Org:
    gh: FakeGitHub
    git: GitTransport
    env: dict[str, str]
    tmp: Path
    kinds: dict[str, str] = field(default_factory=dict)  # full name -> expected status/why

    def names(self, kind: str) -> list[str]:
        return sorted(n for n, k in self.kinds.items() if k == kind)

    @property
    def audited(self) -> list[str]:
        return sorted(n for n, k in self.kinds.items() if k not in ("archived", "fork"))


def _go(env: dict[str, str], cwd: Path, *args: str) -> None:
    p = subprocess.run(["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr


def _mod(path: str) -> str:
    return f"module {path}\n\ngo 1.22\n"


def tidy_templates(env: dict[str, str], tmp: Path) -> Templates:
    app = write_tree(
        tmp / "app", {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": APP_MAIN}
    )
    _go(env, app, "mod", "tidy")
    lib = write_tree(
        tmp / "lib", {"go.mod": "module example.com/lib\n\ngo 1.22\n", "lib.go": LIB_GO}
    )
    _go(env, lib, "mod", "tidy")
    return Templates(
        (app / "go.mod").read_text(),
        (app / "go.sum").read_text(),
        (lib / "go.mod").read_text(),
        (lib / "go.sum").read_text(),
    )


def _b(files: dict[str, str]) -> dict[str, bytes]:
    return {k: v.encode() for k, v in files.items()}


def build_org(gh: FakeGitHub, git: GitTransport, t: Templates, org: str = ORG) -> dict[str, str]:
    """54 repositories: 22 clean, 15 drifted, 12 without Go, 2 multi-module (one broken),
    one whose clone fails, one archived, one fork, two with the ``legacy`` topic.
    Returns full name -> kind."""
    kinds: dict[str, str] = {}

    def add(name: str, kind: str, files: dict[str, str], **kw: Any) -> None:
        full = f"{org}/{name}"
        add_org_repo(gh, full, _b(files), **kw)
        kinds[full] = kind

    def app(name: str, mod: str | None = None, gosum: str | None = None) -> dict[str, str]:
        m = (mod if mod is not None else t.app_mod).replace(
            "example.com/app", f"example.com/{name}"
        )
        out = {"go.mod": m, "main.go": APP_MAIN, "README.md": f"# {name}\n"}
        if gosum is None:
            gosum = t.app_sum if mod is None else ""
        if gosum:
            out["go.sum"] = gosum
        return out

    for i in range(22):
        topics = ["legacy"] if i in (3, 7) else ["go"]
        add(f"svc-{i:02d}", "clean", app(f"svc-{i:02d}"), topics=topics)
    for i in range(15):
        name = f"api-{i:02d}"
        if i % 3 == 0:  # the requirement the code imports is missing
            files = app(name, "module example.com/app\n\ngo 1.22\n", "")
        elif i % 3 == 1:  # a requirement nothing imports
            files = app(name, t.app_mod + "\nrequire example.com/unused v1.0.0\n", t.app_sum)
        else:  # go.sum lines tidy would drop
            files = app(name, None, t.app_sum + t.lib_sum)
        add(name, "drifted", files, topics=["go"])
    for i in range(12):
        add(f"docs-{i:02d}", "skipped", {"README.md": f"# docs {i}\n", "index.html": "<p>hi</p>\n"})
    add(
        "mono-ok",
        "clean",
        {
            **app("mono-ok"),
            "lib/go.mod": t.lib_mod,
            "lib/go.sum": t.lib_sum,
            "lib/lib.go": LIB_GO,
        },
    )
    add(
        "mono-broken",
        "error",
        {**app("mono-broken"), "lib/go.mod": "module example.com/lib\n\ngo 1.22\nrequire (\n"},
    )
    add("flaky", "error", app("flaky"))
    git.fail_clone(f"{org}/flaky")
    add("old", "archived", app("old", "module example.com/app\n\ngo 1.22\n", ""), archived=True)
    add("svc-00-fork", "fork", {}, fork_of=f"{org}/svc-00")
    return kinds


@pytest.fixture(scope="module")
def org(
    github_openapi: OpenAPI,
    goproxy_url: str,
    gomodcache: Path,
    gocache: Path,
    sumdb_key: SumdbKey,
    goproxy_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Org]:
    tmp = tmp_path_factory.mktemp("org")
    db = SumdbServer(sumdb_key)
    db.add_proxy_modules(goproxy_dir)
    db.fill(300)
    db.start()
    gh = FakeGitHub(github_openapi).start()
    try:
        gh.add_token(TOKEN)
        transport = GitTransport(gh, tmp / "git").install()
        env = go_environment(goproxy_url, gomodcache, tmp / "home", gocache)
        env["GOSUMDB"] = db.gosumdb
        env.pop("GONOSUMDB", None)
        env.update(
            GITHUB_TOKEN=TOKEN,
            GITHUB_API_URL=gh.base_url,
            TIDYBOT_GITHUB_PER_PAGE="20",
            TIDYBOT_GITHUB_BACKOFF="0.01",
        )
        world = Org(gh, transport, env, tmp)
        world.kinds = build_org(gh, transport, tidy_templates(env, tmp / "templates"))
        yield world
    finally:
        gh.stop()
        db.stop()
    assert gh.violations == [], "OpenAPI violations:\n" + "\n".join(gh.violations)


def org_audit(world: Org, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``tidybot org-audit ...`` in this process; returns (exit code, stdout, stderr)."""
    args = build_parser().parse_args(["org-audit", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(args, environ=env or world.env, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def normalised(doc: dict[str, Any]) -> dict[str, Any]:
    """A report without what differs between runs of the same audit: timings and shards."""
    doc = json.loads(json.dumps(doc))
    doc.pop("duration")
    doc.pop("shards")
    for r in doc["repositories"]:
        r.pop("duration")
    return doc


@pytest.fixture(scope="module")
def unsharded(org: Org) -> dict[str, Any]:
    out = org.tmp / "unsharded"
    out.mkdir()
    before_api = len(org.gh.calls("repos/list-for-org"))
    code, stdout, stderr = org_audit(
        org,
        "--org",
        ORG,
        "--jobs",
        "4",
        "--json",
        str(out / "report.json"),
        "--markdown",
        str(out / "report.md"),
    )
    doc: dict[str, Any] = json.loads((out / "report.json").read_text())
    doc["_run"] = {
        "code": code,
        "stdout": stdout,
        "stderr": stderr,
        "pages": len(org.gh.calls("repos/list-for-org")) - before_api,
        "markdown": (out / "report.md").read_text(),
    }
    return doc


# --- one unsharded run -------------------------------------------------------------------------


def test_every_repository_gets_one_result(org: Org, unsharded: dict[str, Any]) -> None:
    run = unsharded["_run"]
    # a clone failed, a go.mod is broken: two repositories could not be audited
    assert run["code"] == ExitCode.REPOSITORY_FAILED, run["stderr"]
    assert len(org.kinds) == 54
    by_repo = {r["repo"]: r for r in unsharded["repositories"]}
    assert sorted(by_repo) == org.audited
    for name, r in by_repo.items():
        assert r["status"] == org.kinds[name], (name, r)
    assert unsharded["summary"] == {
        "clean": 23,
        "drifted": 15,
        "error": 2,
        "skipped": 12,
        "repositories": 52,
        "excluded": 2,
        "drifted_modules": 15,
    }
    assert unsharded["excluded"] == [
        {"repo": f"{ORG}/old", "reason": "archived"},
        {"repo": f"{ORG}/svc-00-fork", "reason": "fork"},
    ]
    assert unsharded["listed"] == 54
    assert run["pages"] == 3  # 54 repositories, 20 a page, followed by the Link header


def test_findings_and_errors_are_readable(unsharded: dict[str, Any]) -> None:
    by_repo = {r["repo"]: r for r in unsharded["repositories"]}
    ids = {
        name: sorted({f["id"] for m in r["report"]["modules"] for f in m["findings"]})
        for name, r in by_repo.items()
        if r["status"] == "drifted"
    }
    assert "missing-require" in ids[f"{ORG}/api-00"]
    assert ids[f"{ORG}/api-01"] == ["unused-require"]
    assert ids[f"{ORG}/api-02"] == ["stale-sum"]
    flaky = by_repo[f"{ORG}/flaky"]
    assert flaky["reason"].startswith(f"{ORG}/flaky: git clone failed:")
    assert "500" in flaky["reason"]
    broken = by_repo[f"{ORG}/mono-broken"]
    assert broken["reason"].startswith("lib: lib/go.mod:")
    assert by_repo[f"{ORG}/docs-00"]["reason"] == "not a Go repository (no go.mod)"
    clean = by_repo[f"{ORG}/mono-ok"]["report"]
    assert [m["dir"] for m in clean["modules"]] == [".", "lib"]
    assert clean["audit"]["verify"]["errors"] == 0 and clean["audit"]["verify"]["verified"] > 0
    md = unsharded["_run"]["markdown"]
    assert md.startswith(f"## tidybot org audit: {ORG}\n")
    assert "**17 of 52 repositories need attention**" in md
    assert f"| `{ORG}/api-00` | ❌ drifted |" in md


def test_token_only_in_an_http_header(org: Org, unsharded: dict[str, Any]) -> None:
    requests = org.git.requests
    assert requests
    for r in requests:
        assert TOKEN not in r.path
        assert r.login is not None, r  # every git request carried the header
    run = unsharded["_run"]
    everything = json.dumps(unsharded)
    assert TOKEN not in everything
    assert TOKEN not in run["stdout"] + run["stderr"]
    clones = Counter(r.repo for r in org.git.clones())
    assert set(clones) == {n for n in org.audited}


def test_archived_and_forks_on_request(org: Org) -> None:
    code, _, err = org_audit(
        org,
        "--org",
        ORG,
        "--include",
        "old",
        "--include",
        "*-fork",
        "--include-archived",
        "--include-forks",
        "--json",
        str(org.tmp / "flags.json"),
    )
    doc = json.loads((org.tmp / "flags.json").read_text())
    statuses = {r["repo"]: r["status"] for r in doc["repositories"]}
    assert statuses == {f"{ORG}/old": "drifted", f"{ORG}/svc-00-fork": "clean"}, err
    assert code == ExitCode.DRIFT
    assert len(doc["excluded"]) == 52


def test_topic_filter(org: Org) -> None:
    code, _, _ = org_audit(
        org, "--org", ORG, "--topic", "legacy", "--no-verify", "--json", str(org.tmp / "t.json")
    )
    doc = json.loads((org.tmp / "t.json").read_text())
    assert [r["repo"] for r in doc["repositories"]] == [f"{ORG}/svc-03", f"{ORG}/svc-07"]
    assert code == ExitCode.CLEAN
    assert doc["repositories"][0]["report"]["audit"]["verify"] is None


# --- three shards ------------------------------------------------------------------------------


def test_three_shards_merged_equal_one_unsharded_run(org: Org, unsharded: dict[str, Any]) -> None:
    code, plan, _ = org_audit(org, "plan", "--shards", "3")
    assert code == 0
    matrix = json.loads(plan)
    shards = [job["shard"] for job in matrix["include"]]
    assert shards == ["1/3", "2/3", "3/3"]
    files = []
    seen: set[str] = set()
    for shard in shards:
        target = org.tmp / f"shard-{shard[0]}.json"
        org_audit(org, "--org", ORG, "--shard", shard, "--json", str(target))
        doc = json.loads(target.read_text())
        names = {r["repo"] for r in doc["repositories"]}
        assert names, f"shard {shard} is empty"
        assert not names & seen
        seen |= names
        files.append(str(target))
    merged_path = org.tmp / "merged.json"
    code, md, _ = org_audit(org, "merge", *files, "--json", str(merged_path))
    merged = json.loads(merged_path.read_text())
    assert merged["shards"] == shards
    expected = {k: v for k, v in unsharded.items() if k != "_run"}
    assert normalised(merged) == normalised(expected)
    assert code == unsharded["_run"]["code"]
    assert md == unsharded["_run"]["markdown"].replace(
        f"## tidybot org audit: {ORG}\n", f"## tidybot org audit: {ORG} (shards 1/3, 2/3, 3/3)\n"
    )


def test_merge_refuses_a_missing_shard(org: Org) -> None:
    target = org.tmp / "only-1.json"
    org_audit(
        org,
        "--org",
        ORG,
        "--shard",
        "1/3",
        "--no-verify",
        "--include",
        "docs-*",
        "--json",
        str(target),
    )
    args = build_parser().parse_args(["org-audit", "merge", str(target)])
    from bot.errors import UsageError

    with pytest.raises(UsageError, match="shard 2/3, 3/3 missing"):
        run_cli(args, environ=org.env, stdout=io.StringIO(), stderr=io.StringIO())


# --- interrupted and resumed -------------------------------------------------------------------


def test_interrupted_run_resumes_without_auditing_a_repository_twice(
    org: Org, unsharded: dict[str, Any]
) -> None:
    state = org.tmp / "state.jsonl"
    report = org.tmp / "resumed.json"
    first_request = len(org.git.requests)
    args = [
        "org-audit",
        "--org",
        ORG,
        "--jobs",
        "2",
        "--state",
        str(state),
        "--json",
        str(report),
    ]
    gate = org.git.hold_after(16)  # the 17th clone waits: the run cannot finish first
    proc = start_tidybot(org.env, *args, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines = state.read_text().splitlines() if state.exists() else []
        if len(lines) >= 1 + 12:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    gate.set()  # let the clones in flight finish so the process can wind down
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert not report.exists()  # no report from a run that did not finish
    before = [json.loads(x) for x in state.read_text().splitlines()[1:]]
    done_first = [r["repo"] for r in before]
    assert 12 <= len(done_first) < 52
    assert len(set(done_first)) == len(done_first)
    cloned_first = Counter(r.repo for r in org.git.requests[first_request:] if r.is_handshake)

    mid = len(org.git.requests)
    code, _, err = org_audit(
        org, "--org", ORG, "--jobs", "4", "--state", str(state), "--json", str(report)
    )
    assert f"resuming from {state}: {len(done_first)} done" in err
    cloned_second = Counter(r.repo for r in org.git.requests[mid:] if r.is_handshake)
    assert not set(done_first) & set(cloned_second)  # nothing finished is done again
    assert set(cloned_first) | set(cloned_second) == set(org.audited)
    after = [json.loads(x)["repo"] for x in state.read_text().splitlines()[1:]]
    assert sorted(after) == org.audited  # each repository recorded exactly once
    doc = json.loads(report.read_text())
    assert normalised(doc) == normalised({k: v for k, v in unsharded.items() if k != "_run"})
    assert code == unsharded["_run"]["code"]


def test_state_of_another_audit_is_refused(org: Org) -> None:
    state = org.tmp / "other.jsonl"
    state.write_text(json.dumps({"tidybot_org_audit_state": 1, "key": {"org": "x"}}) + "\n")
    args = build_parser().parse_args(["org-audit", "--org", ORG, "--state", str(state)])
    from bot.errors import UsageError

    with pytest.raises(UsageError, match=r"other\.jsonl:1: the state file belongs to another"):
        run_cli(args, environ=org.env, stdout=io.StringIO(), stderr=io.StringIO())


# --- rate limits, the issue, progress in Actions logs ------------------------------------------


def _lister(org: Org, **kw: Any) -> GitHubOrganisation:
    return GitHubOrganisation(
        TOKEN, base_url=org.gh.base_url, seconds_between_requests=0, per_page=20, **kw
    )


def test_listing_waits_on_rate_limits(org: Org) -> None:
    waits: list[float] = []
    said: list[str] = []
    lister = _lister(org, sleep=waits.append, backoff_base=0.01, on_wait=said.append)
    org.gh.inject_primary_rate_limit("repos/list-for-org", reset_in=30)
    org.gh.inject_secondary_rate_limit("repos/list-for-org", retry_after=7)
    org.gh.inject("repos/list-for-org", 502)
    before = len(org.gh.calls("repos/list-for-org"))
    repos = lister.list_repositories(ORG)
    assert len(repos) == 54
    assert len({r.full_name for r in repos}) == 54
    assert len(waits) == 3
    assert 29 <= waits[0] <= 32  # until x-ratelimit-reset
    assert waits[1] == 7  # retry-after
    assert waits[2] < 1  # backoff after a 502
    assert said[0].startswith("waiting 3") and said[0].endswith("s (rate limit)")
    assert said[1:] == ["waiting 7s (rate limit)", "waiting 0s (GitHub error)"]
    assert len(org.gh.calls("repos/list-for-org")) - before == 3 + 3  # 3 failed, 3 pages

    org.gh.inject_primary_rate_limit("repos/list-for-org", reset_in=3 * 3600)
    with pytest.raises(RateLimitError, match="rate limit exhausted") as info:
        _lister(org, sleep=waits.append).list_repositories(ORG)
    assert info.value.reset_at is not None
    assert "list the repositories in the organisation acme" in info.value.message


def test_the_command_says_when_it_waits(org: Org) -> None:
    """The listing's waits are the organisation client's, reported through its ``on_wait``."""
    org.gh.inject("repos/list-for-org", 502)
    env = {k: v for k, v in org.env.items() if k != "GITHUB_ACTIONS"}
    code, _, err = org_audit(org, "--org", ORG, "--include", "docs-00", "--no-verify", env=env)
    assert code == ExitCode.CLEAN
    assert err.splitlines() == [
        "tidybot: waiting 0s (GitHub error)",
        f"[1/1] {ORG}/docs-00: skipped",
    ]
    assert isinstance(_lister(org), Organisation)


def test_a_page_that_fails_is_asked_again_from_where_the_listing_stopped(org: Org) -> None:
    """A 5xx on the second page retries that page, not the listing: no page twice, no
    repository missing, and no request per repository (the page holds every field read)."""
    waits: list[float] = []
    lister = _lister(org, sleep=waits.append, backoff_base=0.01)
    seen: list[int] = []

    def second_page_fails_twice(gh: FakeGitHub) -> None:
        seen.append(1)
        if len(seen) == 2:
            gh.inject("repos/list-for-org", 503, times=2)

    org.gh.before("repos/list-for-org", second_page_fails_twice, times=2)
    start, gets = len(org.gh.calls("repos/list-for-org")), len(org.gh.calls("repos/get"))
    repos = lister.list_repositories(ORG)
    assert sorted(r.full_name for r in repos) == sorted(org.kinds)
    asked = [
        (c.query.get("page", ["1"])[-1], c.status)
        for c in org.gh.calls("repos/list-for-org")[start:]
    ]
    assert asked == [("1", 200), ("2", 503), ("2", 503), ("2", 200), ("3", 200)]
    assert len(waits) == 2
    assert len(org.gh.calls("repos/get")) == gets
    fork = next(r for r in repos if r.full_name == f"{ORG}/svc-00-fork")
    assert fork.fork and not fork.archived
    old = next(r for r in repos if r.full_name == f"{ORG}/old")
    assert old.archived and old.default_branch == "main" and old.clone_url.endswith("/old.git")
    assert next(r for r in repos if r.full_name == f"{ORG}/svc-03").topics == ("legacy",)


def test_listing_retries_5xx_then_gives_up_with_one_clear_error(org: Org) -> None:
    waits: list[float] = []
    org.gh.inject("repos/list-for-org", 502, times=5)
    with pytest.raises(ForgeUnavailableError) as info:
        _lister(org, sleep=waits.append, backoff_base=0.01).list_repositories(ORG)
    assert info.value.message == (
        "GitHub kept failing to list the repositories in the organisation acme after 5 "
        "attempts (502 Bad Gateway)"
    )
    assert waits == [0.01, 0.02, 0.04, 0.08]


def test_unknown_org_is_one_clear_error(org: Org) -> None:
    args = build_parser().parse_args(["org-audit", "--org", "nobody-here"])
    with pytest.raises(NotFoundError) as info:
        run_cli(args, environ=org.env, stdout=io.StringIO(), stderr=io.StringIO())
    assert info.value.message == (
        "GitHub refused to list the repositories in the organisation nobody-here "
        "(404 Not Found): not found, or hidden from this token"
    )
    assert info.value.exit_code == ExitCode.ERROR


def test_report_issue_and_actions_log(org: Org) -> None:
    org.gh.create_repo(f"{ORG}/audits", {"README.md": b"audits\n"})
    summary = org.tmp / "summary.md"
    env = {**org.env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    argv = [
        "--org",
        ORG,
        "--include",
        "api-0[0-2]",
        "--include",
        "docs-00",
        "--no-verify",
        "--issue-repo",
        f"{ORG}/audits",
    ]
    code, stdout, err = org_audit(org, *argv, env=env)
    assert code == ExitCode.DRIFT
    assert f"::add-mask::{TOKEN}" in err
    assert err.count("::group::") == 4 and err.count("::endgroup::") == 4
    assert re.search(r"^::group::\[[1-4]/4\] acme/api-00: drifted$", err, re.MULTILINE)
    assert re.search(r"^  \.: drifted missing-require missing-sum", err, re.MULTILINE)
    assert "tidybot: 4/4 repositories (3 drifted, 0 failed)" in err
    # the log shows the report between fences: go's output in it cannot speak to the runner
    first, *body, last = stdout.splitlines()
    assert first.startswith("::stop-commands::") and last == f"::{first[17:]}::"
    assert "\n".join(body) + "\n" == summary.read_text()
    issues = [i for i in org.gh.repo(f"{ORG}/audits").issues.values() if not i["is_pull"]]
    assert len(issues) == 1
    assert issues[0]["labels"] == ["tidybot-org-audit"]
    assert "3 of 4 repositories need attention" in str(issues[0]["title"])
    code, _, err = org_audit(org, *argv, env=env)
    assert "report issue #1 in acme/audits unchanged" in err
    assert len(org.gh.repo(f"{ORG}/audits").issues) == 1


def test_plain_progress_without_a_terminal(org: Org) -> None:
    env = {k: v for k, v in org.env.items() if k != "GITHUB_ACTIONS"}
    code, _, err = org_audit(org, "--org", ORG, "--include", "docs-0[01]", "--no-verify", env=env)
    assert code == ExitCode.CLEAN
    lines = err.splitlines()
    assert [ln.split(" ", 1)[0] for ln in lines] == ["[1/2]", "[2/2]"]
    assert sorted(ln.split(" ", 1)[1] for ln in lines) == [
        f"{ORG}/docs-00: skipped",
        f"{ORG}/docs-01: skipped",
    ]


__all__ = ["ORG", "Org", "Templates", "build_org", "normalised", "tidy_templates"]
