"""--since and the result cache with real git, the real go command and the fixture proxy.

The zero-miss suite: for changes that do cause drift, the fast path (``--since`` plus a warm
cache) must report exactly what a full run reports for every module it checks, and every module
the full run finds drifted must be one it checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.changes import changed_files
from bot.cli import main
from bot.engine.affected import Change
from bot.engine.model import Report, Status
from bot.errors import UsageError
from bot.runner import RunOptions, check, fix
from tests.fakes.goproxy import go_environment, write_tree
from tests.integration.engine_helpers import logging_shim, tidy


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    res = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


# ---------------------------------------------------------------- changed files (git)


def test_changes_since_merge_base_staged_unstaged_untracked(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/x.go": "package a\n", "b/y.go": "package b\n", "c.txt": "c\n"})
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "base")
    git(tmp_path, "checkout", "-q", "-b", "pr")
    write_tree(tmp_path, {"a/x.go": "package a // committed\n"})
    commit_all(tmp_path, "pr")
    # main moves on: its own change must not count (merge base, not the tip of main)
    git(tmp_path, "checkout", "-q", "main")
    write_tree(tmp_path, {"main-only.go": "package x\n"})
    commit_all(tmp_path, "main moves")
    git(tmp_path, "checkout", "-q", "pr")
    write_tree(tmp_path, {"b/y.go": "package b // staged\n"})
    git(tmp_path, "add", "b/y.go")
    (tmp_path / "c.txt").unlink()  # unstaged delete
    write_tree(tmp_path, {"new/z.go": "package z\n", ".gitignore": "*.log\n", "x.log": "no\n"})
    cs = changed_files(tmp_path, "main")
    assert cs.changes == (
        Change(".gitignore", "A"),
        Change("a/x.go", "M"),
        Change("b/y.go", "M"),
        Change("c.txt", "D"),
        Change("new/z.go", "A"),
    )
    assert len(cs.base) == 40


def test_changes_take_four_git_commands_in_three_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every git command is mostly git's start-up, on the path a pull request takes: where and
    which commits in one ``rev-parse``, then the merge base, then the diff and the untracked
    files side by side. (Errors take more commands, to say exactly what is wrong.)"""
    write_tree(tmp_path / "repo", {"a/x.go": "package a\n"})
    repo = tmp_path / "repo"
    git(repo, "init", "-q")
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "pr")
    write_tree(repo, {"a/x.go": "package a // pr\n"})
    commit_all(repo, "pr")
    shim, log = logging_shim(tmp_path, "git")
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    cs = changed_files(repo, "main")
    assert cs.changes == (Change("a/x.go", "M"),)
    safety = "-c safe.bareRepository=explicit -c core.fsmonitor=false "  # before every command
    calls = log.read_text().splitlines()
    assert all(call.startswith(safety) for call in calls), calls
    commands = sorted(call.removeprefix(safety).split()[0] for call in calls)
    assert commands == ["diff", "ls-files", "merge-base", "rev-parse"]


def test_changes_relative_to_a_subdirectory_root(tmp_path: Path) -> None:
    write_tree(tmp_path, {"go/app/a.go": "package a\n", "shared/s.go": "package s\n"})
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "base")
    git(tmp_path, "mv", "go/app/a.go", "go/app/b.go")
    write_tree(tmp_path, {"shared/s.go": "package s // x\n"})
    cs = changed_files(tmp_path / "go", "HEAD")
    assert cs.changes == (
        Change("../shared/s.go", "M"),
        Change("app/a.go", "D"),
        Change("app/b.go", "A"),
    )


def test_not_a_git_work_tree_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not inside a git work tree") as e:
        changed_files(tmp_path, "main")
    assert "drop --since" in str(e.value)


def test_unknown_ref_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.go": "package a\n"})
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "base")
    with pytest.raises(UsageError, match=r"--since origin/nope: no such commit") as e:
        changed_files(tmp_path, "origin/nope")
    assert "fetch-depth: 0" in str(e.value)
    assert "`git fetch origin nope`" in str(e.value)  # the branch, as `git fetch` names it
    # a revision counted from another is history a shallow clone lacks, not a name to fetch
    with pytest.raises(UsageError, match=r"--since HEAD~5: no such commit") as e:
        changed_files(tmp_path, "HEAD~5")
    assert "git fetch --unshallow" in str(e.value) and "git fetch origin" not in str(e.value)


def test_a_ref_that_looks_like_an_option_is_never_one(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.go": "package a\n"})
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "base")
    with pytest.raises(UsageError, match=r"--since --output=x: no such commit"):
        changed_files(tmp_path, "--output=x")
    assert not (tmp_path / "x").exists()


def test_bare_repository_and_a_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    with pytest.raises(UsageError, match="a bare git repository has no work tree"):
        changed_files(tmp_path / "bare.git", "main")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    with pytest.raises(UsageError, match="the repository has no commits yet"):
        changed_files(fresh, "main")


def test_unrelated_histories_are_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.go": "package a\n"})
    git(tmp_path, "init", "-q")
    commit_all(tmp_path, "base")
    git(tmp_path, "checkout", "-q", "--orphan", "other")
    commit_all(tmp_path, "orphan")
    with pytest.raises(UsageError, match="no common ancestor"):
        changed_files(tmp_path, "main")


def test_cli_since_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], goenv: dict[str, str]
) -> None:
    write_tree(tmp_path, {"go.mod": "module example.com/x\n\ngo 1.22\n"})
    assert main(["check", str(tmp_path), "--since", "main"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tidybot: error: ") and "not inside a git work tree" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- the monorepo under test

LIB = 'package lib\n\nimport "example.com/greet"\n\nfunc Hi() string { return greet.Hello() }\n'
LIB2 = 'package lib\n\nimport "example.com/util"\n\nfunc Hi() string { return util.Shout() }\n'
APP = 'package main\n\nimport "example.org/lib"\n\nfunc main() { println(lib.Hi()) }\n'
LEAF = 'package leaf\n\nimport "example.com/util"\n\nfunc L() string { return util.Shout() }\n'
SUB = 'package sub\n\nimport "example.com/greet"\n\nfunc S() string { return greet.Hello() }\n'
OTHER = 'package other\n\nimport "example.com/greet"\n\nfunc O() string { return greet.Hello() }\n'
MODS = ("app", "leaf", "lib", "lib2", "other")
HITS = sorted([*MODS, "go.work"])  # every module, and the go work sync check of go.work


def _gomod(path: str, extra: str = "") -> str:
    return f"module {path}\n\ngo 1.22\n{extra}"


@dataclass(frozen=True)
class Base:
    repo: Path  # a tidy monorepo, committed on main, checked out on branch pr
    cache: Path  # a result cache warmed by a check of the base
    env: dict[str, str]


@pytest.fixture(scope="module")
def base(
    tmp_path_factory: pytest.TempPathFactory, goproxy_url: str, gomodcache: Path, gocache: Path
) -> Base:
    env = go_environment(goproxy_url, gomodcache, tmp_path_factory.mktemp("home"), gocache)
    repo = tmp_path_factory.mktemp("base") / "repo"
    replace = "\nrequire example.org/lib v0.0.0\n\nreplace example.org/lib => ../lib\n"
    write_tree(
        repo,
        {
            "lib/go.mod": _gomod("example.org/lib"),
            "lib/lib.go": LIB,
            "lib2/go.mod": _gomod("example.org/lib"),
            "lib2/lib.go": LIB2,
            "app/go.mod": _gomod("example.org/app", replace),
            "app/main.go": APP,
            "leaf/go.mod": _gomod("example.org/leaf"),
            "leaf/leaf.go": LEAF,
            "leaf/sub/sub.go": SUB,
            "other/go.mod": _gomod("example.org/other"),
            "other/other.go": OTHER,
            "go.work": "go 1.22\n\nuse (\n\t./leaf\n\t./other\n)\n",
            "README.md": "a monorepo\n",
        },
    )
    for d in MODS:
        tidy(env, repo / d)
    git(repo, "init", "-q")
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "pr")
    cache = repo.parent / "cache"
    r = check(repo, RunOptions(base_env=env, cache_dir=cache))
    assert {m.dir: m.status for m in r.modules} == dict.fromkeys(MODS, Status.CLEAN)
    return Base(repo, cache, env)


@pytest.fixture
def work(base: Base, tmp_path: Path) -> Base:
    """A private copy of the base repository and its warm cache."""
    repo = tmp_path / "repo"
    shutil.copytree(base.repo, repo, symlinks=True)
    shutil.copytree(base.cache, tmp_path / "cache")
    return Base(repo, tmp_path / "cache", base.env)


def _view(r: Report) -> dict[str, tuple[object, ...]]:
    return {m.dir: (m.status, m.module, m.findings, m.diff, m.error) for m in r.modules}


def cache_of(r: Report) -> dict[str, object]:
    cache = r.extra["cache"]
    assert isinstance(cache, dict)
    return cache


def edit(root: Path, rel: str, old: str, new: str) -> None:
    p = root / rel
    text = p.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


# each scenario: the edit, whether to commit it, and the modules a full run finds drifted
Scenario = tuple[Callable[[Path], object], bool, set[str]]
SCENARIOS: dict[str, Scenario] = {
    "new import in a leaf": (
        lambda r: edit(
            r,
            "leaf/leaf.go",
            'import "example.com/util"',
            'import (\n\t"example.com/util"\n\t_ "example.com/Upper"\n)',
        ),
        True,
        {"leaf"},
    ),
    "removed import": (
        lambda r: write_tree(
            r, {"leaf/leaf.go": 'package leaf\n\nfunc L() string { return "" }\n'}
        ),
        False,
        {"leaf"},
    ),
    "new test import": (
        lambda r: write_tree(
            r,
            {
                "leaf/leaf_test.go": 'package leaf\n\nimport "example.com/testdep"\n\n'
                "var _ = testdep.Check\n"
            },
        ),
        True,
        {"leaf"},
    ),
    "build-tag file": (
        lambda r: write_tree(
            r,
            {
                "leaf/leaf_windows.go": "//go:build windows\n\npackage leaf\n\n"
                'import "example.com/winonly"\n\nvar _ = winonly.Name\n'
            },
        ),
        False,
        {"leaf"},
    ),
    "import added in a shared module": (
        lambda r: edit(
            r,
            "lib/lib.go",
            'import "example.com/greet"',
            'import (\n\t"example.com/greet"\n\t"example.com/util"\n)\n\nvar _ = util.Shout',
        ),
        True,
        {"lib", "app"},
    ),
    "replace edit": (
        lambda r: edit(r, "app/go.mod", "=> ../lib", "=> ../lib2"),
        True,
        {"app"},
    ),
    "go.work edit": (
        lambda r: edit(r, "go.work", "./leaf\n", "./lib2\n"),  # sync raises lib2's greet
        False,
        {"lib2"},
    ),
    "new nested module moves a boundary": (
        lambda r: write_tree(r, {"leaf/sub/go.mod": _gomod("example.org/leaf/sub")}),
        True,
        {"leaf", "leaf/sub"},
    ),
    "removed go.sum": (
        lambda r: (r / "other" / "go.sum").unlink(),
        False,
        {"other"},
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fast_path_reports_what_the_full_run_reports(work: Base, name: str) -> None:
    change, commit, drifted = SCENARIOS[name]
    change(work.repo)
    if commit:
        commit_all(work.repo, name)
    full = check(work.repo, RunOptions(base_env=work.env))
    fast = check(work.repo, RunOptions(base_env=work.env, since="main", cache_dir=work.cache))

    assert {m.dir for m in full.modules if m.status is Status.DRIFTED} == drifted
    assert not [m for m in full.modules if m.status is Status.ERROR]
    assert fast.findings == full.findings
    full_v, fast_v = _view(full), _view(fast)
    assert full_v.keys() == fast_v.keys()
    checked = {m.dir for m in fast.modules if m.status is not Status.SKIPPED}
    assert drifted <= checked, "the fast path missed drift"
    for d in checked:
        assert fast_v[d] == full_v[d], d
    for m in fast.modules:
        if m.status is Status.SKIPPED:
            assert m.error == "not affected by the changes since main"
            assert full_v[m.dir][0] is Status.CLEAN
    since = fast.extra["since"]
    assert isinstance(since, dict)
    assert since["selected"] == len(checked) and since["not_affected"] == len(MODS) - len(
        checked
    ) + (1 if "leaf/sub" in full_v else 0)


def test_one_file_body_change_checks_one_module_and_hits_the_cache(work: Base) -> None:
    edit(work.repo, "leaf/leaf.go", "return util.Shout()", 'return util.Shout() + "?"')
    commit_all(work.repo, "body only")
    r = check(work.repo, RunOptions(base_env=work.env, since="main", cache_dir=work.cache))
    status = {m.dir: m.status for m in r.modules}
    assert status == {
        "app": Status.SKIPPED,
        "leaf": Status.CLEAN,
        "lib": Status.SKIPPED,
        "lib2": Status.SKIPPED,
        "other": Status.CLEAN,  # in leaf's workspace
    }
    cache = cache_of(r)
    # a function body is no input of tidy or of go work sync: no go command at all
    assert cache["hits"] == ["go.work", "leaf", "other"] and cache["misses"] == 0


def test_shared_change_reaches_dependents(work: Base) -> None:
    edit(work.repo, "lib/lib.go", "return greet.Hello()", "return greet.Hello() + greet.Hello()")
    r = check(work.repo, RunOptions(base_env=work.env, since="main"))
    checked = sorted(m.dir for m in r.modules if m.status is not Status.SKIPPED)
    assert checked == ["app", "lib"]


def test_rerun_with_nothing_changed_is_all_cache_hits(work: Base) -> None:
    r = check(work.repo, RunOptions(base_env=work.env, cache_dir=work.cache))
    assert all(m.status is Status.CLEAN for m in r.modules)
    cache = cache_of(r)
    assert cache["hits"] == HITS and cache["misses"] == 0 and cache["stored"] == 0


def test_drift_is_never_cached(work: Base) -> None:
    (work.repo / "other" / "go.sum").unlink()
    for _ in range(2):
        r = check(work.repo, RunOptions(base_env=work.env, cache_dir=work.cache))
        (other,) = [m for m in r.modules if m.dir == "other"]
        assert other.status is Status.DRIFTED


def test_corrupt_cache_is_ignored_and_rewritten(work: Base) -> None:
    for p in (work.cache / "tidybot-v1").glob("*/*.json"):
        p.write_text('{"schema": 1, "status": "clean"}')
    r = check(work.repo, RunOptions(base_env=work.env, cache_dir=work.cache))
    cache = cache_of(r)
    assert cache["hits"] == [] and cache["rejected"] == len(HITS) and cache["stored"] == len(HITS)
    r2 = check(work.repo, RunOptions(base_env=work.env, cache_dir=work.cache))
    assert cache_of(r2)["hits"] == HITS


def test_changed_environment_misses_the_cache(work: Base) -> None:
    env = {**work.env, "GOFLAGS": "-modcacherw -buildvcs=false"}
    r = check(work.repo, RunOptions(base_env=env, cache_dir=work.cache))
    assert cache_of(r)["hits"] == []


def test_fix_runs_dependencies_first_and_ends_clean(work: Base) -> None:
    SCENARIOS["import added in a shared module"][0](work.repo)
    r = fix(work.repo, RunOptions(base_env=work.env, since="main", cache_dir=work.cache))
    fixed = sorted(m.dir for m in r.modules if m.fixed)
    assert fixed == ["app", "lib"]
    after = check(work.repo, RunOptions(base_env=work.env))
    assert all(m.status is Status.CLEAN for m in after.modules)


def test_cli_json_reports_since_and_cache(
    work: Base, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in work.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("TIDYBOT_CACHE_DIR", str(work.cache))
    edit(work.repo, "leaf/leaf.go", "return util.Shout()", 'return util.Shout() + "!"')
    code = main(["check", str(work.repo), "--since", "main", "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["since"]["ref"] == "main" and doc["since"]["selected"] == 2
    assert doc["cache"]["hits"] == ["go.work", "leaf", "other"]
    assert doc["summary"]["skipped"] == 3 and doc["summary"]["clean"] == 2


# ---------------------------------------------------------------- what a warm run skips


def test_warm_run_asks_no_version_tidies_nothing_parses_nothing(work: Base, tmp_path: Path) -> None:
    wrapper, log = logging_shim(tmp_path, "go")
    env = {**work.env, "TIDYBOT_GO": str(wrapper)}
    r = check(work.repo, RunOptions(base_env=env, cache_dir=work.cache))
    calls = log.read_text().splitlines()
    assert calls.count("env GOVERSION") == 1  # a new go binary: asked once, then remembered
    assert cache_of(r)["hits"] == HITS
    memo = work.cache / "tidybot-v1" / "parsed.json"
    before = memo.stat().st_mtime_ns
    log.unlink()
    r2 = check(work.repo, RunOptions(base_env=env, cache_dir=work.cache))
    assert cache_of(r2)["hits"] == HITS
    # no version probe, no module tidied again, the workspace not synced again: no go at all
    # (go.work is read by tidybot itself)
    assert not log.exists()
    assert memo.stat().st_mtime_ns == before  # nothing new parsed, nothing rewritten
    # a replaced go binary (new size, time or inode) is asked again
    wrapper.write_text(wrapper.read_text() + "# replaced\n")
    check(work.repo, RunOptions(base_env=env, cache_dir=work.cache))
    assert log.read_text().splitlines().count("env GOVERSION") == 1


def test_since_leaves_out_the_sync_of_a_workspace_no_change_reaches(
    work: Base, tmp_path: Path
) -> None:
    """--since selects no module of the go.work (only app changed): go work sync does not run,
    as no module's tidy does; a change to a used module runs it again."""
    wrapper, log = logging_shim(tmp_path, "go")
    env = {**work.env, "TIDYBOT_GO": str(wrapper)}
    edit(work.repo, "app/main.go", "println(lib.Hi())", 'println(lib.Hi() + "!")')
    r = check(work.repo, RunOptions(base_env=env, since="main"))
    assert {m.dir for m in r.modules if m.status is Status.CLEAN} == {"app"}
    calls = log.read_text().splitlines()
    assert not [c for c in calls if c.startswith("work sync")], calls
    assert [c for c in calls if c.startswith("mod tidy")]  # app was checked
    log.unlink()
    edit(work.repo, "leaf/leaf.go", "return util.Shout()", 'return util.Shout() + "!"')
    r = check(work.repo, RunOptions(base_env=env, since="main"))
    assert {m.dir for m in r.modules if m.status is Status.CLEAN} == {"app", "leaf", "other"}
    assert [c for c in log.read_text().splitlines() if c.startswith("work sync")]


def test_fix_since_writes_nothing_to_a_workspace_no_change_reaches(work: Base) -> None:
    """The workspace drifts on main already (go work sync would raise lib2's greet); a change
    to app alone, fixed with --since, leaves the workspace's files as they are."""
    git(work.repo, "checkout", "-q", "main")
    edit(work.repo, "go.work", "./leaf\n", "./lib2\n")
    commit_all(work.repo, "workspace drift on main")
    git(work.repo, "checkout", "-q", "-B", "pr", "main")
    before = {p: (work.repo / p).read_bytes() for p in ("lib2/go.mod", "other/go.mod", "go.work")}
    whole = check(work.repo, RunOptions(base_env=work.env))
    assert {m.dir for m in whole.modules if m.status is Status.DRIFTED} == {"lib2"}
    edit(work.repo, "app/main.go", "println(lib.Hi())", 'println(lib.Hi() + "!")')
    r = fix(work.repo, RunOptions(base_env=work.env, since="main"))
    assert {m.dir: m.status for m in r.modules if m.status is not Status.SKIPPED} == {
        "app": Status.CLEAN
    }
    assert all(not m.changed_files for m in r.modules)
    assert {p: (work.repo / p).read_bytes() for p in before} == before


def test_corrupt_parse_memo_is_ignored_and_rewritten(work: Base) -> None:
    memo = work.cache / "tidybot-v1" / "parsed.json"
    doc = json.loads(memo.read_text())
    h = next(iter(doc["go"]))
    doc["go"][h] = [True, "main", "not a list"]  # wrong shape: the whole memo is distrusted
    memo.write_text(json.dumps(doc))
    r = check(work.repo, RunOptions(base_env=work.env, cache_dir=work.cache))
    cache = cache_of(r)
    assert cache["hits"] == HITS  # same keys, computed by parsing again
    assert cache["rejected"] == 1
    assert isinstance(json.loads(memo.read_text())["go"][h][2], list)


def test_go_runs_largest_first_after_a_quick_start(tmp_path: Path) -> None:
    """With the cache on, the first go commands (one per job) go to the largest modules whose
    key needs no replaced module read first; then every other module, largest go.mod first.
    A stand-in go records the directory of each ``go mod tidy``."""
    seen = tmp_path / "order.txt"
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in "env GOVERSION") echo go1.26.0; exit 0;; esac\n'
        f'basename "$PWD" >> "{seen}"\n'
    )
    fake.chmod(0o755)
    root = tmp_path / "repo"
    pad = "// " + "x" * 100 + "\n"
    sizes = {"small": 1, "big": 6, "mid": 3, "huge-replacing": 9, "bigger-replacing": 8}
    for name, n in sizes.items():
        (root / name).mkdir(parents=True)
        text = pad * n + f"module example.com/{name}\n\ngo 1.22\n"
        if "replacing" in name:
            text += "\nreplace example.com/small => ../small\n"
        (root / name / "go.mod").write_text(text)
    env = {**os.environ, "TIDYBOT_GO": str(fake)}
    options = RunOptions(jobs=1, base_env=env, cache_dir=tmp_path / "cache")
    report = check(root, options)
    assert [m.status for m in report.modules] == [Status.CLEAN] * 5, report.modules
    assert seen.read_text().split() == ["big", "huge-replacing", "bigger-replacing", "mid", "small"]


def test_cli_cache_dir_with_a_tilde_is_under_home(
    work: Base, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit passes ``args:`` without a shell: ``~/...`` is expanded by tidybot."""
    for k, v in work.env.items():
        monkeypatch.setenv(k, v)
    home = work.cache.parent / "home"
    monkeypatch.setenv("HOME", str(home))
    code = main(["check", str(work.repo), "--cache-dir", "~/.cache/tidybot", "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cache"]["dir"] == str(home / ".cache" / "tidybot")
    # every clean module, and the clean go work sync check of the go.work
    assert doc["cache"]["stored"] == doc["summary"]["clean"] + 1 > 1
    assert (home / ".cache" / "tidybot").is_dir() and not Path("~").exists()


def test_a_cached_check_imports_nothing_heavy_it_does_not_need(work: Base) -> None:
    """Start-up is part of every run (a pre-commit hook runs on each commit): a cached check,
    and a check of one module of a workspace (whose scratch copies bot.fsutil makes), load
    neither ``typing`` nor ``tempfile`` (about 5 ms each; ``json``, 2 ms, when it prints text
    and keeps no cache), nor ``dataclasses`` with the
    ``inspect`` it imports (about 8 ms, and 0.7 ms per class; see bot/record.py), nor
    ``hashlib``, which loads OpenSSL (3 ms; keys use the built-in BLAKE2b). Run without site
    hooks (``-S``, site-packages on PYTHONPATH), which may import them for their own
    reasons."""
    import site
    import sys

    import bot

    probe = (
        "import sys\n"
        "from bot.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = ('typing', 'tempfile', 'dataclasses', 'inspect', 'hashlib', '_hashlib')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    path = [str(Path(bot.__file__).parent.parent), *site.getsitepackages()]
    env = {**work.env, "PYTHONPATH": os.pathsep.join(path)}
    # a check of a workspace without a cache makes scratch copies (bot.fsutil.make_temp_dir);
    # one that prints text and keeps no cache needs no json either (bot.resultcache, secrets)
    args = ["check", str(work.repo), "--include", "leaf"]
    text_probe = probe.replace("'hashlib',", "'hashlib', 'json',")
    res = subprocess.run(
        [sys.executable, "-S", "-c", text_probe, *args], env=env, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines()[-1] == "[]", res.stderr
    for name in ("go.work", "go.work.sum"):  # `go work sync` runs in a temporary copy
        (work.repo / name).unlink(missing_ok=True)
    check(work.repo, RunOptions(base_env=work.env, cache_dir=work.cache))  # warm again
    for fmt in ("text", "json"):
        args = ["check", str(work.repo), "--cache-dir", str(work.cache), "--format", fmt]
        res = subprocess.run(
            [sys.executable, "-S", "-c", probe, *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert res.returncode == 0, res.stderr
        assert res.stderr.splitlines()[-1] == "[]", res.stderr
