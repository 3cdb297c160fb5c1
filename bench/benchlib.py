"""Shared pieces of the monorepo benchmarks: the peers' sequential loop, a timed tidybot run,
the share of wall time spent outside ``go``, and git helpers.

The tidybot run is the real CLI in a child Python process (interpreter start-up included), with
``bot.toolchain.Go.start`` and ``GoProcess.wait`` wrapped to record when each ``go`` subprocess
starts and ends (``bench/_timed_cli.py``). "Outside go" is the wall time of that process during
which no ``go`` subprocess was running: Python start-up, imports, discovery, selection, cache
keys, git, report rendering.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
"""The interpreter that runs tidybot: this one (tidybot from this checkout, or however it is
installed here), or with ``--python`` another one, for example a virtual environment's after
``pip install .``: tidybot as a user installs it, without this interpreter's site hooks."""


def python_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--python",
        default=sys.executable,
        help="the Python that runs tidybot (default: this one); e.g. a venv after `pip install .`",
    )


def use_python(path: str) -> None:
    global PYTHON
    PYTHON = path


def loop_env(env: Mapping[str, str]) -> dict[str, str]:
    """What a peer's loop runs go with: no workspace, the local toolchain."""
    out = dict(env)
    out.update(GOWORK="off", GOTOOLCHAIN="local")
    return out


def sequential_loop(root: Path, dirs: Sequence[str], env: Mapping[str, str]) -> tuple[float, int]:
    """``go mod tidy -diff`` in every module, one after another: (seconds, modules that differ
    or fail)."""
    e = loop_env(env)
    start = time.monotonic()
    bad = sum(_tidy_diff(root, d, e) != 0 for d in dirs)
    return time.monotonic() - start, bad


def _tidy_diff(root: Path, d: str, env: Mapping[str, str]) -> int:
    """``go mod tidy -diff`` in module directory ``d``: its exit code."""
    cwd = root if d == "." else root / d
    res = subprocess.run(["go", "mod", "tidy", "-diff"], cwd=cwd, env=env, capture_output=True)
    return res.returncode


def parallel_floor(
    root: Path, dirs: Sequence[str], env: Mapping[str, str], jobs: int | None = None
) -> float:
    """The same ``go mod tidy -diff`` commands, ``jobs`` at a time (default: CPUs) with the Go
    runtime settings tidybot gives them, and no Python work at all: the best a parallel
    tidybot run can do on this machine. Seconds."""
    from concurrent.futures import ThreadPoolExecutor

    sys.path.insert(0, str(REPO))
    from bot.toolchain import runtime_env

    n = jobs or os.cpu_count() or 1
    e = loop_env(env)
    e.update(runtime_env(n, e))

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(lambda d: _tidy_diff(root, d, e), dirs))
    return time.monotonic() - start


def floor_row(loop: float, floor: float) -> str:
    name = "   go alone, in parallel (floor)"
    return f"{name:<34} loop {loop:7.2f}s  go only {floor:6.2f}s  ratio {floor / loop:5.3f}"


def union(intervals: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    end = float("-inf")
    for s, e in sorted(intervals):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


@dataclass(frozen=True)
class TidybotRun:
    wall: float
    inside_go: float  # union of the go subprocesses' intervals
    go_calls: int
    code: int
    report: dict[str, object]

    @property
    def outside_share(self) -> float:
        return max(0.0, self.wall - self.inside_go) / self.wall if self.wall else 0.0


def tidybot(args: Sequence[str], env: Mapping[str, str]) -> TidybotRun:
    """``tidybot <args> --format json`` in a child process, timed."""
    with tempfile.TemporaryDirectory(prefix="tidybot-bench-") as tmp:
        out = Path(tmp) / "timing.json"
        cmd = [PYTHON, str(HERE / "_timed_cli.py"), str(out), *args, "--format", "json"]
        start = time.time()
        res = subprocess.run(
            cmd, env=dict(env), capture_output=True, text=True, check=False, cwd=REPO
        )
        wall = time.time() - start
        if not out.exists():
            raise SystemExit(f"tidybot failed:\n{res.stderr}")
        timing = json.loads(out.read_text())
    intervals = [(float(s), float(e)) for s, e in timing["intervals"]]
    try:
        report = json.loads(res.stdout)
    except ValueError:
        raise SystemExit(
            f"tidybot printed no JSON (exit {res.returncode}):\n{res.stderr}"
        ) from None
    return TidybotRun(wall, union(intervals), len(intervals), res.returncode, report)


def describe(run: TidybotRun) -> str:
    rep = run.report
    summary = rep.get("summary", {})
    assert isinstance(summary, dict)
    parts = [
        f"{summary.get('modules')} modules: {summary.get('clean')} clean, "
        f"{summary.get('drifted')} drifted, {summary.get('skipped')} skipped, "
        f"{summary.get('error')} error"
    ]
    cache = rep.get("cache")
    if isinstance(cache, dict):
        hits = cache.get("hits")
        parts.append(f"cache hits {len(hits) if isinstance(hits, list) else 0}")
    parts.append(f"{run.go_calls} go calls")
    return "; ".join(parts)


def row(name: str, loop: float, run: TidybotRun) -> str:
    ratio = run.wall / loop if loop else float("nan")
    return (
        f"{name:<34} loop {loop:7.2f}s  tidybot {run.wall:6.2f}s  ratio {ratio:5.3f}  "
        f"outside go {run.outside_share * 100:5.1f}%  ({describe(run)})"
    )


def scenario(
    name: str,
    loop: Callable[[], tuple[float, int]],
    args: Sequence[str],
    env: Mapping[str, str],
    cache: Path,
    repeat: int,
) -> tuple[str, int]:
    """One scenario, ``repeat`` rounds of (the sequential loop, then tidybot), each tidybot run
    starting from the result cache as it was before the first: the row of the median loop
    against the median tidybot run (by wall time), and how many modules the loop saw differ."""
    snapshot = cache.with_name(cache.name + ".before")
    shutil.rmtree(snapshot, ignore_errors=True)
    if cache.exists():
        shutil.copytree(cache, snapshot)
    loops: list[float] = []
    runs: list[TidybotRun] = []
    bad = 0
    try:
        for _ in range(repeat):
            seconds, bad = loop()
            loops.append(seconds)
            shutil.rmtree(cache, ignore_errors=True)
            if snapshot.exists():
                shutil.copytree(snapshot, cache)
            runs.append(tidybot(args, env))
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)
    runs.sort(key=lambda r: r.wall)
    return row(name, statistics.median(loops), runs[len(runs) // 2]), bad


def median_floor(
    root: Path, dirs: Sequence[str], env: Mapping[str, str], jobs: int | None, repeat: int
) -> float:
    return statistics.median(parallel_floor(root, dirs, env, jobs) for _ in range(repeat))


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
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
    if res.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {res.stderr}")
    return res.stdout


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def machine() -> str:
    """The machine, and two things every tidybot run pays before its first line of code: the
    bytecode is compiled first (untimed, as an installed package ships it; this also makes the
    runs independent of PYTHONDONTWRITEBYTECODE), and the bare interpreter start-up is measured
    (``python -c pass``, median of 5) so the ratios can be read against that floor. Names the
    tidybot the runs use."""
    where = subprocess.run(
        [PYTHON, "-c", "import bot, os; print(os.path.dirname(bot.__file__))"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", where],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    times = []
    for _ in range(5):
        start = time.monotonic()
        subprocess.run([PYTHON, "-c", "pass"], check=True)
        times.append(time.monotonic() - start)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    gov = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=False)
    return (
        f"{os.cpu_count()} CPUs, load average {load:.2f}, {gov.stdout.strip()}, "
        f"python start-up {sorted(times)[2] * 1000:.0f} ms; tidybot from {where}"
    )
