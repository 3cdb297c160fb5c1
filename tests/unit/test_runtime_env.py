"""The Go runtime settings tidybot gives the go commands it runs side by side."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.runner import RunOptions, make_go
from bot.toolchain import module_cache_dir, module_cache_is_empty, runtime_env


@pytest.fixture
def warm(tmp_path: Path) -> dict[str, str]:
    """An environment whose module cache has downloads in it."""
    (tmp_path / "mod" / "cache" / "download").mkdir(parents=True)
    return {"GOMODCACHE": str(tmp_path / "mod")}


def test_each_job_gets_its_share_of_the_cpus_and_no_gc_below_a_limit(
    warm: dict[str, str],
) -> None:
    cpus = os.cpu_count() or 1
    env = runtime_env(2, warm)
    assert env["GOMAXPROCS"] == str(max(1, cpus // 2))
    assert env["GOGC"] == "off"
    limit = int(env["GOMEMLIMIT"].removesuffix("MiB"))
    assert 128 <= limit <= 1024
    assert runtime_env(1, warm)["GOMAXPROCS"] == str(cpus)
    assert runtime_env(10 * cpus, warm)["GOMAXPROCS"] == "1"


def test_the_users_settings_win(warm: dict[str, str]) -> None:
    assert runtime_env(2, {**warm, "GOMAXPROCS": "7", "GOGC": "50"}) == {}
    assert "GOGC" not in runtime_env(2, {**warm, "GOMEMLIMIT": "2GiB"})
    assert "GOMAXPROCS" not in runtime_env(2, {"GOMODCACHE": "/none", "GOMAXPROCS": "1"})


def test_go_downloading_into_an_empty_module_cache_is_not_capped(tmp_path: Path) -> None:
    """go downloads with GOMAXPROCS workers: a cold run keeps every CPU's worth in flight."""
    env = {"GOMODCACHE": str(tmp_path / "mod")}
    assert module_cache_is_empty(env)
    assert "GOMAXPROCS" not in runtime_env(2, env)
    assert runtime_env(2, env)["GOGC"] == "off"
    (tmp_path / "mod" / "cache").mkdir(parents=True)  # go made the tree, downloaded nothing
    assert "GOMAXPROCS" not in runtime_env(2, env)
    (tmp_path / "mod" / "cache" / "download").mkdir()
    assert not module_cache_is_empty(env)
    assert "GOMAXPROCS" in runtime_env(2, env)


def test_the_module_cache_is_found_where_go_looks(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert module_cache_dir({"HOME": home}) == f"{home}/go/pkg/mod"
    assert module_cache_dir({"HOME": home, "GOPATH": f"/a{os.pathsep}/b"}) == "/a/pkg/mod"
    assert module_cache_dir({"HOME": home, "GOPATH": "/a", "GOMODCACHE": "/m"}) == "/m"
    # go env -w GOMODCACHE=... : the GOENV file, under the user's config directory
    written = tmp_path / "home" / ".config" / "go" / "env"
    written.parent.mkdir(parents=True)
    written.write_text("GOMODCACHE=/written\n")
    assert module_cache_dir({"HOME": home}) == "/written"
    assert module_cache_dir({"HOME": home, "GOPATH": "/a"}) == "/written"  # as in go
    assert module_cache_dir({"HOME": home, "GOMODCACHE": "/m"}) == "/m"  # the variable wins
    written.write_text("GOPATH=/w\n")
    assert module_cache_dir({"HOME": home}) == "/w/pkg/mod"
    assert module_cache_dir({"HOME": home, "GOPATH": "/a"}) == "/a/pkg/mod"
    assert module_cache_dir({"HOME": home, "GOENV": "off"}) == f"{home}/go/pkg/mod"
    other = tmp_path / "goenv"
    other.write_text("GOPATH=/from-goenv\n")
    assert module_cache_dir({"HOME": home, "GOENV": str(other)}) == "/from-goenv/pkg/mod"
    xdg = tmp_path / "xdg" / "go" / "env"
    xdg.parent.mkdir(parents=True)
    xdg.write_text("GOMODCACHE=/xdg\n")
    assert module_cache_dir({"HOME": home, "XDG_CONFIG_HOME": str(tmp_path / "xdg")}) == "/xdg"


def test_the_runner_passes_them_to_go(warm: dict[str, str]) -> None:
    base = {"PATH": os.environ["PATH"], **warm}
    go = make_go(RunOptions(jobs=2, base_env=base))
    assert go.env["GOGC"] == "off" and "GOMEMLIMIT" in go.env and "GOMAXPROCS" in go.env
    mine = make_go(RunOptions(jobs=2, base_env={**base, "GOGC": "100"}))
    assert mine.env["GOGC"] == "100" and "GOMEMLIMIT" not in mine.env
    cold = make_go(RunOptions(jobs=2, base_env={**base, "GOMODCACHE": "/nonexistent/mod"}))
    assert "GOMAXPROCS" not in cold.env and cold.env["GOGC"] == "off"
