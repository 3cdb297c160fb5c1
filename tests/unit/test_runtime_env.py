"""The Go runtime settings tidybot gives the go commands it runs side by side."""

from __future__ import annotations

import os

from bot.runner import RunOptions, make_go
from bot.toolchain import runtime_env


def test_each_job_gets_its_share_of_the_cpus_and_no_gc_below_a_limit() -> None:
    cpus = os.cpu_count() or 1
    env = runtime_env(2, {})
    assert env["GOMAXPROCS"] == str(max(1, cpus // 2))
    assert env["GOGC"] == "off"
    limit = int(env["GOMEMLIMIT"].removesuffix("MiB"))
    assert 128 <= limit <= 1024
    assert runtime_env(1, {})["GOMAXPROCS"] == str(cpus)
    assert runtime_env(10 * cpus, {})["GOMAXPROCS"] == "1"


def test_the_users_settings_win() -> None:
    assert runtime_env(2, {"GOMAXPROCS": "7", "GOGC": "50"}) == {}
    assert "GOGC" not in runtime_env(2, {"GOMEMLIMIT": "2GiB"})


def test_the_runner_passes_them_to_go() -> None:
    go = make_go(RunOptions(jobs=2, base_env={"PATH": os.environ["PATH"]}))
    assert go.env["GOGC"] == "off" and "GOMEMLIMIT" in go.env and "GOMAXPROCS" in go.env
    mine = make_go(RunOptions(jobs=2, base_env={"PATH": os.environ["PATH"], "GOGC": "100"}))
    assert mine.env["GOGC"] == "100" and "GOMEMLIMIT" not in mine.env
