"""Organisation audit of the 54-repository fixture: one unsharded run against three shards run
side by side, wall time of each, and whether the merged shards equal the unsharded report.

Usage: ``python bench/org_audit.py [--rounds N] [--jobs J] [--baseline DIR]``. With
``--baseline DIR`` (a checkout of another tidybot version, e.g. ``git worktree add DIR main``)
each round also runs the unsharded audit with that checkout's code, and the summary gives this
checkout's time as a ratio of it. Everything is local: the fake
GitHub API and git smart HTTP on 127.0.0.1 (tests/fakes/github_api), the fixture module proxy
(``file://``) and the loopback checksum database. Each run is the real CLI in its own Python
process (``python -m bot org-audit``), as an Actions job would start it. A first, untimed run
fills the module and build caches, so every timed run starts warm, as the shard runners of a
matrix do after ``setup-go``; all runs share this machine's cores (the real shards each get a
runner of their own, so their wall time here is an upper bound).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.verify.note import generate_key  # noqa: E402
from tests.fakes.github import GITHUB_WRITE_TOKEN  # noqa: E402
from tests.fakes.github_api import FakeGitHub, OpenAPI  # noqa: E402
from tests.fakes.github_api.gitserve import GitTransport  # noqa: E402
from tests.fakes.goproxy import MODULES_DIR, build_proxy, go_environment  # noqa: E402
from tests.fakes.sumdb import SUMDB_NAME, SumdbKey, SumdbServer  # noqa: E402
from tests.integration.test_org_audit import ORG, build_org, normalised, tidy_templates  # noqa: E402

#: Exit codes of a finished audit: 0 clean, 1 drift, 4 a repository could not be audited (the
#: fixture has two); tidybot before exit code 4 existed exited 2 for those.
_FINISHED = (0, 1, 4)


def _cli(env: dict[str, str], log: Path, *argv: str, root: Path = ROOT) -> subprocess.Popen[str]:
    with log.open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "org-audit", *argv],
            cwd=root,
            env={**env, "PYTHONPATH": str(root)},
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )


def _wait(
    procs: list[subprocess.Popen[str]],
    logs: list[Path],
    start: float,
    finished: tuple[int, ...] = _FINISHED,
) -> list[float]:
    """Wait for every process; the time each one ended, from ``start``."""
    ends: dict[int, float] = {}
    while len(ends) < len(procs):
        for i, p in enumerate(procs):
            if i not in ends and p.poll() is not None:
                ends[i] = time.monotonic() - start
                if p.returncode not in finished:
                    raise SystemExit(f"org-audit failed ({p.returncode}):\n{logs[i].read_text()}")
        time.sleep(0.01)
    return [ends[i] for i in range(len(procs))]


def _cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its descendants."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def unsharded(env: dict[str, str], out: Path, jobs: int, root: Path = ROOT) -> float:
    return unsharded_cpu(env, out, jobs, root)[0]


def unsharded_cpu(
    env: dict[str, str], out: Path, jobs: int, root: Path = ROOT
) -> tuple[float, float]:
    """Wall time and CPU time of one unsharded run (the only process running from here: the
    CPU time is its own and its go and git children's, which the machine's load hardly moves)."""
    start, cpu = time.monotonic(), _cpu()
    log = out.with_suffix(".log")
    proc = _cli(env, log, "--org", ORG, "--jobs", str(jobs), "--json", str(out), root=root)
    finished = _FINISHED if root == ROOT else (*_FINISHED, 2)
    wall = _wait([proc], [log], start, finished)[0]
    return wall, _cpu() - cpu


def shard_alone(env: dict[str, str], tmp: Path, i: int, jobs: int) -> float:
    """One shard with the machine to itself: what one runner of the matrix does."""
    start = time.monotonic()
    log = tmp / f"alone-{i}.log"
    argv = ["--org", ORG, "--shard", f"{i}/3", "--jobs", str(jobs)]
    return _wait([_cli(env, log, *argv, "--json", str(tmp / f"alone-{i}.json"))], [log], start)[0]


def three_shards(env: dict[str, str], tmp: Path, jobs: int) -> tuple[float, Path, list[float]]:
    """The three shards side by side on this machine, then merged."""
    start = time.monotonic()
    procs, logs = [], []
    for i in (1, 2, 3):
        logs.append(tmp / f"shard-{i}.log")
        argv = ["--org", ORG, "--shard", f"{i}/3", "--jobs", str(jobs)]
        procs.append(_cli(env, logs[-1], *argv, "--json", str(tmp / f"shard-{i}.json")))
    ends = _wait(procs, logs, start)
    wall = time.monotonic() - start
    merged = tmp / "merged.json"
    shards = [str(tmp / f"shard-{i}.json") for i in (1, 2, 3)]
    log = tmp / "merge.log"
    _wait([_cli(env, log, "merge", *shards, "--json", str(merged))], [log], time.monotonic())
    return wall, merged, ends


def _statuses(doc: dict[str, Any]) -> dict[str, str]:
    """Each repository's status: what two versions of tidybot must agree on."""
    return {r["repo"]: r["status"] for r in doc["repositories"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=4, help="repositories at once per process")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of another tidybot to compare the unsharded run to",
    )
    args = parser.parse_args()
    baseline = args.baseline.resolve() if args.baseline else None
    if baseline is not None and not (baseline / "bot" / "__main__.py").is_file():
        raise SystemExit(f"--baseline {baseline}: not a tidybot checkout (no bot/__main__.py)")
    tmp = Path(tempfile.mkdtemp(prefix="tidybot-bench-org-"))
    proxy = tmp / "proxy"
    build_proxy(MODULES_DIR, proxy)
    skey, vkey = generate_key(SUMDB_NAME)
    db = SumdbServer(SumdbKey(skey, vkey))
    db.add_proxy_modules(proxy)
    db.fill(300)
    db.start()
    gh = FakeGitHub(OpenAPI.load()).start()
    try:
        gh.add_token(GITHUB_WRITE_TOKEN)
        transport = GitTransport(gh, tmp / "git").install()
        env = go_environment(
            proxy.resolve().as_uri(), tmp / "modcache", tmp / "home", tmp / "gocache"
        )
        env.update(
            GOSUMDB=db.gosumdb,
            GITHUB_TOKEN=GITHUB_WRITE_TOKEN,
            GITHUB_API_URL=gh.base_url,
        )
        env.pop("GITHUB_ACTIONS", None)
        kinds = build_org(gh, transport, tidy_templates(env, tmp / "templates"))
        audited = sum(1 for k in kinds.values() if k not in ("archived", "fork"))
        print(
            f"organisation {ORG}: {len(kinds)} repositories, {audited} audited, "
            f"{os.cpu_count()} CPUs, --jobs {args.jobs} per process"
        )
        unsharded(env, tmp / "warm.json", args.jobs)  # fills the module and build caches
        singles: list[float] = []
        shardeds: list[float] = []
        alones: list[float] = []
        bases: list[float] = []
        cpus: list[tuple[float, float]] = []  # (this checkout, baseline)
        equal = same_as_base = True
        if baseline is not None:  # the baseline's first run is untimed too
            unsharded(env, tmp / "warm-base.json", args.jobs, baseline)
        for r in range(args.rounds):
            shard_dir = tmp / f"round-{r}"
            shard_dir.mkdir()
            base: tuple[float, float] | None = None
            if baseline is not None and r % 2:  # alternate which one runs first
                base = unsharded_cpu(env, shard_dir / "base.json", args.jobs, baseline)
            one, one_cpu = unsharded_cpu(env, shard_dir / "one.json", args.jobs)
            if baseline is not None and base is None:
                base = unsharded_cpu(env, shard_dir / "base.json", args.jobs, baseline)
            if base is not None:
                bases.append(base[0])
                cpus.append((one_cpu, base[1]))
                old = json.loads((shard_dir / "base.json").read_text())
                new = json.loads((shard_dir / "one.json").read_text())
                same_as_base = same_as_base and _statuses(old) == _statuses(new)
            wall, merged, ends = three_shards(env, shard_dir, args.jobs)
            alone = [shard_alone(env, shard_dir, i, args.jobs) for i in (1, 2, 3)]
            a: dict[str, Any] = json.loads((shard_dir / "one.json").read_text())
            b: dict[str, Any] = json.loads(merged.read_text())
            sizes = [
                len(json.loads((shard_dir / f"shard-{i}.json").read_text())["repositories"])
                for i in (1, 2, 3)
            ]
            same = normalised(a) == normalised(b)
            equal = equal and same
            singles.append(one)
            shardeds.append(wall)
            alones.append(max(alone))
            vs = ""
            if base is not None:
                vs = f"baseline {base[0]:5.2f} s | CPU {one_cpu:5.2f} s, baseline {base[1]:5.2f} | "
            print(
                f"round {r + 1}: unsharded {one:5.2f} s | {vs}3 shards side by side {wall:5.2f} s "
                f"(done at {', '.join(f'{e:.2f}' for e in ends)}) | each shard alone "
                f"{', '.join(f'{e:.2f}' for e in alone)} s | repositories per shard "
                f"{sizes} | merged == unsharded: {same}"
            )
        s1, s3, sa = (statistics.median(x) for x in (singles, shardeds, alones))
        print(
            f"median: unsharded {s1:.2f} s; three shards side by side on this machine {s3:.2f} s "
            f"({s1 / s3:.2f}x); slowest shard alone (one runner each) {sa:.2f} s "
            f"({s1 / sa:.2f}x); every merged report equal to the unsharded one: {equal}"
        )
        if bases:
            ratios = [new_s / old_s for new_s, old_s in zip(singles, bases, strict=True)]
            each = ", ".join(f"{x:.2f}" for x in ratios)
            cpu_ratios = [new_c / old_c for new_c, old_c in cpus]
            cpu_each = ", ".join(f"{x:.2f}" for x in cpu_ratios)
            print(
                f"baseline {baseline}: unsharded {statistics.median(bases):.2f} s; this "
                f"checkout / baseline: wall {statistics.median(ratios):.2f} (rounds: {each}), "
                f"CPU {statistics.median(cpu_ratios):.2f} (rounds: {cpu_each}); "
                f"same status for every repository: {same_as_base}"
            )
    finally:
        gh.stop()
        db.stop()
        for d, _, _ in os.walk(tmp):  # go leaves its module cache read-only
            os.chmod(d, 0o755)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
