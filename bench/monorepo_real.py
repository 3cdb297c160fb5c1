"""Benchmark (b): a real monorepo with a warm module cache and the real module proxy.

    git clone --depth 1 https://github.com/open-telemetry/opentelemetry-go-contrib /tmp/otel
    python bench/monorepo_real.py /tmp/otel [--jobs N] [--repeat N] [--keep DIR] [--python PY]

The tree is copied into the benchmark's work dir (the original is never touched) and committed
to a fresh git repository there. The sequential loop runs first once to warm the module cache
(untimed), then the script prints for each scenario tidybot's wall time against the sequential
``go mod tidy -diff`` loop over the same modules, both measured in this run (the medians of
``--repeat`` rounds, default 3, every tidybot run starting from the same result cache state):

1. full check, empty result cache;
2. a PR that changes one function body in one leaf module (no module replaces to it):
   ``--since main``, warm cache;
3. a PR that adds an import to the module most others reach through local replaces
   (a standard-library import, so the benchmark never needs a module it has not downloaded):
   ``--since main``, warm cache;
4. a rerun with nothing changed (warm cache, no ``--since``).

Modules that fail in go itself (a module go cannot load) fail the same way in both; tidybot
never caches a failure, so they are run again every time.

``--cold`` measures instead the runs that start from empty Go caches (a CI job's first run, or
every run of a job that keeps no cache), each round in a fresh module and build cache for every
run (every module downloaded from the real proxy again), no result cache, against the
sequential loop from empty caches in the same round:

0a. tidybot with GOMAXPROCS capped to its share of the CPUs, as before (set explicitly);
0b. tidybot as it is: GOMAXPROCS not capped while the module cache is empty;
0c. as 0b, but one go command (the largest module) alone first, the others after it;
0d. warm: the module and build caches the round left, tidybot and the loop;
0e. a cold build cache with a warm module cache: tidybot, and (0f) one go command alone first.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import (
    REPO,
    TidybotRun,
    commit_all,
    floor_row,
    git,
    loop_env,
    machine,
    median_floor,
    python_option,
    row,
    scenario,
    sequential_loop,
    tidybot,
    use_python,
)

sys.path.insert(0, str(REPO))

from bot.engine.affected import Change, module_nodes, select_affected
from bot.engine.discover import discover
from bot.engine.imports import iter_go_files
from bot.toolchain import runtime_env


def pick_modules(root: Path) -> tuple[str, str, list[str]]:
    """(a leaf module, the most shared module, every module dir)."""
    mods = discover(root)
    nodes = module_nodes(root, mods)
    dirs = [m.dir for m in mods]
    reached = {r for n in nodes for r in n.replaces}
    reach_count = {
        d: len(select_affected(nodes, [Change(f"{d}/go.mod")]).reasons) for d in dirs if d != "."
    }
    shared = max(sorted(reach_count), key=lambda d: reach_count[d])
    leaves = [d for d in dirs if d not in reached and d != "." and _a_go_file(root, d)]
    return leaves[len(leaves) // 2], shared, dirs


def _a_go_file(root: Path, d: str) -> Path | None:
    """A non-test Go file of module ``d`` with a function body to edit, the shallowest first
    (a module such as etcd's client/pkg has no Go file at its top)."""
    files = sorted(iter_go_files(root / d), key=lambda rp: (rp[0].count("/"), rp[0]))
    for rel, path in files:
        if not rel.endswith("_test.go"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if re.search(r"^func \w+\([^)]*\)[^{]*\{\n", text, re.M):
                return path
    return None


def failing_modules(root: Path, dirs: list[str], env: dict[str, str]) -> list[str]:
    """Modules where ``go mod tidy -diff`` fails without printing a diff."""
    out = []
    for d in dirs:
        res = subprocess.run(
            ["go", "mod", "tidy", "-diff"],
            cwd=root / d,
            env=loop_env(env),
            capture_output=True,
            check=False,
        )
        if res.returncode != 0 and not res.stdout.strip():
            out.append(d)
    return out


def change_body(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^func \w+\([^)]*\)[^{]*\{\n", text, re.M)
    assert m, path
    path.write_text(text[: m.end()] + "\t_ = 0\n" + text[m.end() :], encoding="utf-8")


def add_import(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^package \w+\n", text, re.M)
    assert m, path
    imp = '\nimport _ "net/http/httptest"\n'
    path.write_text(text[: m.end()] + imp + text[m.end() :], encoding="utf-8")


def _fresh_caches(base: Path, env: dict[str, str], modules: Path | None = None) -> dict[str, str]:
    """``env`` with an empty module cache and build cache under ``base`` (or a copy of the
    module cache ``modules``)."""
    _remove(base)
    base.mkdir(parents=True)
    if modules is not None:
        shutil.copytree(modules, base / "mod", symlinks=True)
    return {
        **env,
        "GOMODCACHE": str(base / "mod"),
        "GOCACHE": str(base / "build"),
        "GOFLAGS": "-modcacherw",
    }


def _remove(path: Path) -> None:
    if path.exists():
        for dirpath, _, _ in os.walk(path):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(path)


def _alone_first(root: Path, first: str, args: list[str], env: dict[str, str]) -> TidybotRun:
    """One go command alone (``first``), then tidybot over the other modules: one run."""
    start = time.monotonic()
    _tidy_diff_alone(root, first, env)
    alone = time.monotonic() - start
    run = tidybot([*args, "--exclude", first], env)
    return TidybotRun(
        run.wall + alone, run.inside_go + alone, run.go_calls + 1, run.code, run.report
    )


def _tidy_diff_alone(root: Path, d: str, env: dict[str, str]) -> None:
    subprocess.run(
        ["go", "mod", "tidy", "-diff"],
        cwd=root / d,
        env={**loop_env(env), **runtime_env(1, env)},
        capture_output=True,
        check=False,
    )


def cold(
    root: Path, dirs: list[str], env: dict[str, str], args: argparse.Namespace, left_out: list[str]
) -> None:
    """The ``--cold`` scenarios (see the module's docstring)."""
    base = args.work / "go-caches"
    cpus = os.cpu_count() or 1
    jobs = int(args.jobs) if args.jobs else cpus
    common = [
        "check",
        str(root),
        "--jobs",
        str(jobs),
        *(a for d in left_out for a in ("--exclude", d)),
    ]
    first = max(dirs, key=lambda d: (root / d / "go.mod").stat().st_size)
    print(f"one go command alone first: {first} (the largest go.mod)")
    names = ["0a. cold, GOMAXPROCS capped (before)", "0b. cold, uncapped while empty (now)"]
    names += ["0c. cold, now, one go command first"]
    loops: dict[str, list[float]] = {"cold": [], "warm": []}
    runs: dict[str, list[TidybotRun]] = {}
    capped = str(max(1, cpus // jobs))
    for n in range(args.repeat):
        loops["cold"].append(sequential_loop(root, dirs, _fresh_caches(base, env))[0])
        order = names[n % 3 :] + names[: n % 3]  # every scenario in every position once
        for name in order:
            e = _fresh_caches(base, env)
            if name.startswith("0a"):
                run = tidybot(common, {**e, "GOMAXPROCS": capped})
            elif name.startswith("0b"):
                run = tidybot(common, e)
            else:
                run = _alone_first(root, first, common, e)
            runs.setdefault(name, []).append(run)
        loops["warm"].append(sequential_loop(root, dirs, e)[0])
        runs.setdefault("0d. warm (the round's caches)", []).append(tidybot(common, e))
        warm_modules = base.with_name("warm-modules")
        _remove(warm_modules)
        shutil.copytree(base / "mod", warm_modules, symlinks=True)
        for name in ("0e. cold build cache, warm modules", "0f. as 0e, one go command first"):
            e = _fresh_caches(base, env, modules=warm_modules)
            run = (
                tidybot(common, e)
                if name.startswith("0e")
                else _alone_first(root, first, common, e)
            )
            runs.setdefault(name, []).append(run)
        _remove(warm_modules)
        print(f"  round {n + 1}: loop cold {loops['cold'][-1]:.2f}s, warm {loops['warm'][-1]:.2f}s")
    _remove(base)
    for name, rs in runs.items():
        middle = sorted(rs, key=lambda r: r.wall)[len(rs) // 2]
        loop = statistics.median(loops["cold" if name < "0d" else "warm"])
        print(row(name, loop, middle))
        print(f"{'':<34} round by round: " + ", ".join(f"{r.wall:.2f}s" for r in rs))
    print("(0a-0c against the loop from empty caches; 0d-0f against the loop on warm caches)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree", type=Path, help="a checkout of the monorepo (it is copied)")
    ap.add_argument("--jobs", default="", help="tidybot --jobs (default: CPUs)")
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it")
    ap.add_argument(
        "--repeat", type=int, default=3, help="rounds per scenario; medians are printed"
    )
    ap.add_argument(
        "--cold",
        action="store_true",
        help="measure runs from empty Go caches instead (downloads every module each run)",
    )
    python_option(ap)
    args = ap.parse_args()
    use_python(args.python)
    if not (args.tree / "go.mod").exists() and not any(args.tree.glob("*/go.mod")):
        raise SystemExit(f"{args.tree}: no Go modules here (see the usage in this file)")
    base = args.keep or Path(tempfile.mkdtemp(prefix="tidybot-bench-real-"))
    base.mkdir(parents=True, exist_ok=True)
    root = base / "repo"
    try:
        shutil.copytree(
            args.tree,
            root,
            symlinks=True,
            ignore=shutil.ignore_patterns(".git"),
            dirs_exist_ok=True,
        )
        git(root, "init", "-q")
        commit_all(root, "snapshot")
        env = dict(os.environ)
        leaf, shared, dirs = pick_modules(root)
        print(f"machine: {machine()}")
        print(f"{args.tree}: {len(dirs)} modules; leaf {leaf}; most shared {shared}")
        failing = failing_modules(root, dirs, env)  # also warms the module cache, untimed
        if failing:
            # go itself cannot load these (e.g. a dependency the proxy no longer serves): they
            # fail the same way on both sides, and failures are never cached; leave them out
            print(f"left out of both sides, go fails on them: {', '.join(failing)}")
            dirs = [d for d in dirs if d not in failing]
        if args.cold:
            args.work = base
            cold(root, dirs, env, args, failing)
            return
        cache = base / "result-cache"
        jobs = ["--jobs", args.jobs] if args.jobs else []
        jobs += [a for d in failing for a in ("--exclude", d)]
        common = [*jobs, "--cache-dir", str(cache)]

        n = args.repeat
        jobs_n = int(args.jobs) if args.jobs else None

        def loop() -> tuple[float, int]:
            return sequential_loop(root, dirs, env)

        print(f"medians of {n} rounds (loop, then tidybot), each from the same cache state")
        full = ["check", str(root), *common]
        print(scenario("1. full check (empty cache)", loop, full, env, cache, n)[0])
        print(
            floor_row(
                statistics.median(loop()[0] for _ in range(n)),
                median_floor(root, dirs, env, jobs_n, n),
            )
        )

        since = ["check", str(root), "--since", "main", *common]
        git(root, "checkout", "-q", "-b", "pr-body")
        target = _a_go_file(root, leaf)
        assert target is not None
        change_body(target)
        commit_all(root, "one function body in one leaf module")
        print(scenario("2. one-file PR (--since, cache)", loop, since, env, cache, n)[0])

        git(root, "checkout", "-q", "main")
        git(root, "checkout", "-q", "-b", "pr-import")
        target = _a_go_file(root, shared)
        assert target is not None
        add_import(target)
        commit_all(root, "an import in the most shared module")
        print(scenario("3. import in a shared module", loop, since, env, cache, n)[0])

        git(root, "checkout", "-q", "main")
        print(scenario("4. rerun, nothing changed (cache)", loop, full, env, cache, n)[0])
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
