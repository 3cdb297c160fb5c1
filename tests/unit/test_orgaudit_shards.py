"""The pure parts of ``tidybot org-audit``: shards, the matrix, filters, merging, the state
file, the clone environment and the progress output."""

from __future__ import annotations

import base64
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from bot.errors import UsageError
from bot.orgaudit import (
    Filters,
    OrgReport,
    Progress,
    RepoInfo,
    RepoResult,
    Shard,
    StateFile,
    auth_header,
    clone_env,
    merge_reports,
    plan_matrix,
    scrub,
    select,
    shard_of,
)

NAMES = [f"acme/repo-{i:03d}" for i in range(300)]


def _repo(name: str, **kw: object) -> RepoInfo:
    return RepoInfo(f"acme/{name}", f"https://github.com/acme/{name}.git", "main", **kw)  # type: ignore[arg-type]


# --- shards and the matrix ---------------------------------------------------------------------


def test_every_repository_is_in_exactly_one_shard() -> None:
    for count in (1, 2, 3, 7):
        owners = [[s for s in range(1, count + 1) if Shard(s, count).owns(n)] for n in NAMES]
        assert all(len(o) == 1 for o in owners)


def test_shards_are_stable_and_ignore_case() -> None:
    assert shard_of("acme/api", 3) == shard_of("ACME/Api", 3)
    # pinned: a different hash would move repositories between shards of running plans
    assert [shard_of(n, 3) for n in NAMES[:8]] == [3, 1, 3, 1, 3, 3, 1, 2]
    assert Counter(shard_of(n, 3) for n in NAMES).keys() == {1, 2, 3}


def test_shards_are_balanced_enough() -> None:
    sizes = Counter(shard_of(n, 3) for n in NAMES)
    assert max(sizes.values()) - min(sizes.values()) < 40  # 300 names: about 100 each


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", ""])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="expected I/N with 1 <= I <= N"):
        Shard.parse(text)


def test_shard_parses_and_prints() -> None:
    assert Shard.parse(" 2/3 ") == Shard(2, 3)
    assert str(Shard(2, 3)) == "2/3"


def test_plan_is_a_matrix_of_shards() -> None:
    assert plan_matrix(3) == {"include": [{"shard": "1/3"}, {"shard": "2/3"}, {"shard": "3/3"}]}
    with pytest.raises(UsageError, match="256"):
        plan_matrix(257)


# --- filters -----------------------------------------------------------------------------------


def test_filters() -> None:
    repos = [
        _repo("api", topics=("go",)),
        _repo("api-old", archived=True),
        _repo("api-fork", fork=True),
        _repo("web", topics=("js",)),
        _repo("tools"),
    ]
    chosen, excluded = select(repos, Filters(include=("api*", "acme/tools"), topics=()))
    assert [r.name for r in chosen] == ["api", "tools"]
    assert excluded == [
        ("acme/api-fork", "fork"),
        ("acme/api-old", "archived"),
        ("acme/web", "not matched by --include"),
    ]
    filters = Filters(topics=("go",), archived=True, forks=True)
    assert [r.name for r in select(repos, filters)[0]] == ["api"]
    assert [r.name for r in select(repos, Filters(exclude=("*-*",)))[0]] == ["api", "tools", "web"]


def test_a_shard_sees_only_its_repositories_and_exclusions() -> None:
    repos = [_repo(f"r{i}", archived=i % 5 == 0) for i in range(40)]
    seen: list[str] = []
    excluded: list[str] = []
    for i in (1, 2, 3):
        chosen, ex = select(repos, Filters(), Shard(i, 3))
        seen += [r.full_name for r in chosen]
        excluded += [name for name, _ in ex]
    assert sorted(seen + excluded) == sorted(r.full_name for r in repos)
    assert len(excluded) == 8


# --- merging -----------------------------------------------------------------------------------


def _report(shard: str, *repos: str) -> OrgReport:
    return OrgReport(
        "acme", [RepoResult(r, "clean", sha="a" * 40) for r in repos], shards=(shard,), listed=9
    )


def test_merge_joins_shards_in_order() -> None:
    merged = merge_reports(
        [("b", _report("2/2", "acme/b")), ("a", _report("1/2", "acme/c", "acme/a"))]
    )
    assert merged.shards == ("1/2", "2/2")
    assert [r.repo for r in merged.repositories] == ["acme/a", "acme/b", "acme/c"]
    assert merged.counts()["clean"] == 3


def test_merge_refuses_duplicates_gaps_and_mixtures() -> None:
    with pytest.raises(UsageError, match="acme/a is also in x"):
        merge_reports([("x", _report("1/2", "acme/a")), ("y", _report("2/2", "acme/a"))])
    with pytest.raises(UsageError, match="shard 1/2 is also in x"):
        merge_reports([("x", _report("1/2", "acme/a")), ("y", _report("1/2", "acme/b"))])
    with pytest.raises(UsageError, match="shard 2/2 missing"):
        merge_reports([("x", _report("1/2", "acme/a"))])
    assert merge_reports([("x", _report("1/2", "acme/a"))], partial=True).shards == ("1/2",)
    with pytest.raises(UsageError, match="different --shards"):
        merge_reports([("x", _report("1/2", "acme/a")), ("y", _report("2/3", "acme/b"))])
    other = _report("2/2", "other/b")
    other.org = "other"
    with pytest.raises(UsageError, match="y: a report of other, not of acme"):
        merge_reports([("x", _report("1/2", "acme/a")), ("y", other)])


def test_report_json_round_trip() -> None:
    rep = OrgReport(
        "acme",
        [
            RepoResult("acme/b", "error", reason="acme/b: git clone failed: 500"),
            RepoResult("acme/a", "drifted", sha="f" * 40, report={"summary": {"drifted": 2}}),
        ],
        excluded=[("acme/z", "archived")],
        filters=Filters(include=("a*",)),
        listed=3,
        duration=1.5,
    )
    doc = rep.to_json()
    assert [r["repo"] for r in doc["repositories"]] == ["acme/a", "acme/b"]
    back = OrgReport.from_json(json.loads(json.dumps(doc)), "r.json")
    assert back.to_json() == doc
    assert doc["summary"]["drifted_modules"] == 2
    with pytest.raises(UsageError, match=r"r\.json: not a tidybot org-audit JSON report"):
        OrgReport.from_json({"schema_version": 1}, "r.json")


# --- the state file ----------------------------------------------------------------------------


def test_state_file_records_and_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    key = {"org": "acme", "shard": None}
    state = StateFile(path, key)
    assert state.load() == {}
    state.start()
    state.append(RepoResult("acme/a", "clean", sha="1" * 40))
    state.append(RepoResult("acme/b", "skipped", reason="not a Go repository (no go.mod)"))
    with path.open("a") as f:
        f.write('{"repo": "acme/c", "sta')  # killed while writing
    again = StateFile(path, key)
    done = again.load()
    assert sorted(done) == ["acme/a", "acme/b"]
    assert done["acme/b"].reason == "not a Go repository (no go.mod)"
    again.start()  # drops the torn line before appending
    again.append(RepoResult("acme/c", "clean"))
    assert sorted(StateFile(path, key).load()) == ["acme/a", "acme/b", "acme/c"]


def test_state_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_text("hello\n")
    with pytest.raises(UsageError, match=r"state.jsonl:1: not a tidybot org-audit state file"):
        StateFile(path, {}).load()
    StateFile(path, {"org": "acme"}).path.unlink()
    state = StateFile(path, {"org": "acme"})
    state.start()
    with path.open("a") as f:
        f.write("garbage\n{}\n")
    with pytest.raises(UsageError, match=r"state.jsonl:2: not JSON"):
        state.load()
    with pytest.raises(UsageError, match="belongs to another audit") as info:
        StateFile(path, {"org": "other"}).load()
    assert "delete the file" in str(info.value)


# --- the clone environment ---------------------------------------------------------------------


def test_token_goes_in_a_scoped_header_only() -> None:
    token = "ghs_secret123"
    env = clone_env("https://ghe.example.com/acme/api.git", token, base={})
    assert env["GIT_CONFIG_COUNT"] == "1"
    assert env["GIT_CONFIG_KEY_0"] == "http.https://ghe.example.com/.extraHeader"
    header = env["GIT_CONFIG_VALUE_0"]
    assert header.startswith("AUTHORIZATION: basic ")
    assert base64.b64decode(header.split()[-1]) == b"x-access-token:ghs_secret123"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    others = {k: v for k, v in env.items() if k != "GIT_CONFIG_VALUE_0"}
    assert token not in json.dumps(others)


def test_clone_env_keeps_existing_git_config_variables() -> None:
    env = clone_env("https://github.com/a/b.git", "t", base={"GIT_CONFIG_COUNT": "2"})
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert "GIT_CONFIG_KEY_2" in env
    assert clone_env("https://github.com/a/b.git", "", base={})["GIT_CONFIG_COUNT"] == "0"


def test_scrub_hides_the_token_and_its_header_form() -> None:
    token = "ghs_secret123"
    encoded = auth_header(token).split()[-1]
    text = f"fatal: https://x-access-token:{token}@github.com/ and {encoded}"
    assert scrub(text, token) == "fatal: https://x-access-token:***@github.com/ and ***"


# --- progress ----------------------------------------------------------------------------------


def test_progress_bar_on_a_terminal() -> None:
    out = io.StringIO()
    p = Progress(2, out, "bar")
    p.update(RepoResult("acme/a", "clean"))
    p.update(RepoResult("acme/b", "drifted"))
    text = out.getvalue()
    assert "\r\033[K[###############---------------] 1/2 repositories" in text
    assert text.endswith(
        "[##############################] 2/2 repositories (1 drifted, 0 failed) acme/b\n"
    )


def test_progress_in_actions_logs_groups_each_repository() -> None:
    out = io.StringIO()
    p = Progress(1, out, "actions")
    p.update(RepoResult("acme/a", "error", reason="acme/a: git clone failed: 500"))
    lines = out.getvalue().splitlines()
    assert lines[0] == "::group::[1/1] acme/a: error"
    assert lines[2:4] == ["no commit", "acme/a: git clone failed: 500"]
    assert lines[5:] == ["::endgroup::", "tidybot: 1/1 repositories (0 drifted, 1 failed)"]
    # what the repository says is fenced: the runner ignores workflow commands in between
    fence = lines[1].removeprefix("::stop-commands::")
    assert lines[1] != fence and len(fence) > 20
    assert lines[4] == f"::{fence}::"


def test_progress_in_actions_logs_cannot_be_steered_by_a_repository() -> None:
    """A module directory named like a workflow command stays text between the fences."""
    out = io.StringIO()
    hostile = "x\n::warning title=LGTM::approved\n::add-mask::tidybot"
    report = {"modules": [{"dir": hostile, "status": "error", "findings": []}]}
    Progress(1, out, "actions").update(
        RepoResult("acme/a", "error", reason=f"{hostile}: broken", report=report)
    )
    lines = out.getvalue().splitlines()
    start = lines.index(next(ln for ln in lines if ln.startswith("::stop-commands::")))
    end = lines.index("::" + lines[start].removeprefix("::stop-commands::") + "::")
    outside = lines[:start] + lines[end + 1 :]
    assert not [ln for ln in outside if "warning" in ln or "add-mask" in ln]


def test_progress_style_follows_the_environment() -> None:
    assert Progress.pick(io.StringIO(), {"GITHUB_ACTIONS": "true"}) == "actions"
    assert Progress.pick(io.StringIO(), {}) == "plain"


# --- the README shows the example workflow as it is ----------------------------------------


def test_readme_shows_the_example_workflow() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Scheduled audits\n") :]
    flow = (root / ".github" / "workflows" / "org-audit.example.yml").read_text(encoding="utf-8")
    assert f"```yaml\n{flow}```\n" in section
