"""Benchmark: one module of an 8-module go.work, checked alone, against go's own tidy of it.

    python bench/workspace_scope.py [--modules N] [--packages N] [--repeat N] [--python PY]
    python bench/workspace_scope.py --repo /tmp/etcd --include server [--repeat N]

Builds the fixture module proxy (tests/fakes/goproxy.py) and a workspace of ``--modules``
modules (default 8) with ``--packages`` packages each (tests/integration/engine_helpers.py
``workspace_tree``: each module imports a package of m0 through a local replace, as etcd's
modules import each other; every package imports the ``--stdlib`` packages, so that go has
about a real module's import graph to load: its plain tidy takes 0.04-0.05 s warm here, near
etcd's server module's 0.09 s, not the 0.01 s of a module importing nothing), warms
the module and build caches, then prints, for
``tidybot check --include <one module>`` (the check that includes ``go work sync`` of the
workspace), its wall time against ``go mod tidy -diff`` in that module alone, both measured in
this run (medians of ``--repeat`` rounds, default 5, alternating):

1. the workspace in sync (the usual case: the check finds nothing);
2. the workspace where the selected module's go.mod is behind (go work sync would raise it);
3. each checked again with ``--cache-dir`` (a rerun, or a pull request that edits function
   bodies): the module and the go work sync check answered from the cache (the behind
   module's drift too: bot.workspace stores a sync's findings that follow from its files);
4. the floor: ``tidybot check <the module's directory>``, where no go.work is found (it
   looks below the directory it checks): interpreter start-up, discovery and the module's own
   tidy check, no sync. What row 1 costs above this row is what the workspace check adds.

With ``--repo`` (a real checkout with a go.work, e.g. etcd) and ``--include``, the check and
its cached rerun on that checkout: its module cache must be warm (run ``go mod download`` in
the module first, with the GOMODCACHE/GOCACHE you give this script in the environment).

The target: a one-module check in an 8-module workspace costs at most 3x the plain tidy of
that module, warm. A check of an in-sync module is answered from the workspace's module graph
(no go work sync: bot.workspace ``_sync_keeps_scope``) and meets it here (2.8-2.9x), on etcd's
server and on prometheus's root module; row 4 shows what any tidybot check of the module costs
(2.5-2.6x here: the interpreter's start-up, imports and discovery around go's 0.04 s). Row 2
runs the sync (a workspace go.mod requires greet v1.1.0 where the module's build selects
v1.0.0, so the graph is not even asked); its rerun (row 3 of that case) is answered from the
result cache, which stores a sync's findings when they follow from its files. Its last row is
``go work sync`` of the whole workspace by go alone (in a fresh copy, the fastest of
``--repeat``): a drifted module's first check costs its floor and less than that.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from benchlib import HERE, REPO, machine, python_option, use_python

sys.path.insert(0, str(REPO))

from tests.fakes.goproxy import MODULES_DIR, build_proxy, go_environment
from tests.integration.engine_helpers import workspace_tree


def go_tidy_diff(module: Path, env: Mapping[str, str]) -> float:
    e = dict(env, GOWORK="off", GOTOOLCHAIN=env.get("GOTOOLCHAIN", "local"))
    start = time.monotonic()
    subprocess.run(["go", "mod", "tidy", "-diff"], cwd=module, env=e, capture_output=True)
    return time.monotonic() - start


def go_work_sync(root: Path, env: Mapping[str, str], scratch: Path) -> float:
    """``go work sync`` of the whole workspace, by go alone, in a fresh copy of ``root`` (the
    copy is made before the clock starts): what the check's sync is measured against."""
    copy = scratch / "sync-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    e = dict(env, GOWORK=str(copy / "go.work"), GOTOOLCHAIN=env.get("GOTOOLCHAIN", "local"))
    start = time.monotonic()
    res = subprocess.run(["go", "work", "sync"], cwd=copy, env=e, capture_output=True, text=True)
    took = time.monotonic() - start
    if res.returncode != 0:
        raise SystemExit(f"go work sync failed:\n{res.stderr}")
    shutil.rmtree(copy)
    return took


def tidybot_check(
    python: str, root: Path, include: str, env: Mapping[str, str], *more: str, floor: bool = False
) -> float:
    """``tidybot check ROOT --include INCLUDE``; with ``floor``, ``tidybot check ROOT/INCLUDE``
    (the module as the root: no go.work below it, so no workspace check)."""
    where = ["check", str(root / include)] if floor else ["check", str(root), "--include", include]
    cmd = [python, "-m", "bot", *where, "--format", "json", *more]
    start = time.monotonic()
    # run from bench/, where machine() found the tidybot it compiled: from the checkout's root,
    # ``-m bot`` would import this checkout's sources whatever ``--python`` installed
    res = subprocess.run(cmd, env=dict(env), capture_output=True, text=True, cwd=HERE)
    took = time.monotonic() - start
    if res.returncode not in (0, 1):
        raise SystemExit(f"tidybot check failed (exit {res.returncode}):\n{res.stderr}")
    return took


def measure(
    python: str,
    root: Path,
    include: str,
    env: Mapping[str, str],
    repeat: int,
    *more: str,
    floor: bool = False,
) -> tuple[float, float]:
    """Medians of (go mod tidy -diff in the module, tidybot check --include it)."""
    go_times, bot_times = [], []
    for _ in range(repeat):
        go_times.append(go_tidy_diff(root / include, env))
        bot_times.append(tidybot_check(python, root, include, env, *more, floor=floor))
    return statistics.median(go_times), statistics.median(bot_times)


def row(name: str, go: float, bot: float) -> str:
    return f"{name:<46} go mod tidy -diff {go:6.2f}s  tidybot {bot:6.2f}s  ratio {bot / go:5.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--modules", type=int, default=8)
    ap.add_argument("--packages", type=int, default=20)
    ap.add_argument(
        "--stdlib",
        default="net/http,encoding/json,crypto/tls,database/sql,text/template,os/exec",
        help="standard-library packages every package imports (comma-separated; '' for none)",
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--repo", type=Path, help="a real checkout with a go.work instead")
    ap.add_argument("--include", default="m3", help="the module checked (default m3)")
    python_option(ap)
    args = ap.parse_args()
    use_python(args.python)
    print(machine())
    if args.repo is not None:
        env = dict(os.environ)
        repo = args.repo.resolve()
        go, bot = measure(args.python, repo, args.include, env, args.repeat)
        print(row(f"{args.repo.name}: check --include {args.include}", go, bot), flush=True)
        with tempfile.TemporaryDirectory(prefix="tidybot-bench-rc-") as rc:
            tidybot_check(args.python, repo, args.include, env, "--cache-dir", rc)  # stored
            go, bot = measure(args.python, repo, args.include, env, args.repeat, "--cache-dir", rc)
        print(row(f"{args.repo.name}: the same, rerun with --cache-dir", go, bot), flush=True)
        if args.include != ".":  # the root module "checked as the root" is the whole checkout
            go, bot = measure(args.python, repo, args.include, env, args.repeat, floor=True)
            print(row(f"{args.repo.name}: the floor, {args.include} checked as the root", go, bot))
        return
    with tempfile.TemporaryDirectory(prefix="tidybot-bench-ws-") as tmp_s:
        tmp = Path(tmp_s)
        url = build_proxy(MODULES_DIR, tmp / "proxy")
        env = go_environment(url, tmp / "modcache", tmp / "home", tmp / "gocache")
        k = int(args.include.removeprefix("m"))
        for name, low in (("in sync", ()), ("selected module behind", (k,))):
            root = tmp / name.replace(" ", "-")
            stdlib = [x for x in args.stdlib.split(",") if x]
            workspace_tree(env, root, args.modules, packages=args.packages, low=low, stdlib=stdlib)
            go_tidy_diff(root / args.include, env)  # warm: module and build caches
            tidybot_check(args.python, root, args.include, env)
            go, bot = measure(args.python, root, args.include, env, args.repeat)
            title = f"{args.modules} modules x {args.packages} packages, {name}"
            print(row(title, go, bot), flush=True)
            rc = str(tmp / f"result-cache-{len(low)}")
            tidybot_check(args.python, root, args.include, env, "--cache-dir", rc)  # stored
            go, bot = measure(args.python, root, args.include, env, args.repeat, "--cache-dir", rc)
            print(row("  the same, rerun with --cache-dir", go, bot), flush=True)
            if not low:
                go, bot = measure(args.python, root, args.include, env, args.repeat, floor=True)
                print(row("  the floor: the module checked as the root", go, bot), flush=True)
            else:  # what go's own sync of the workspace costs, beside the module's tidy
                go = statistics.median(go_tidy_diff(root / args.include, env) for _ in range(3))
                syncs = [go_work_sync(root, env, tmp) for _ in range(args.repeat)]
                took = min(syncs)
                label = "  go work sync of the workspace, by go alone"
                sync = f"go sync {took:6.2f}s  ratio {took / go:5.2f}"
                print(f"{label:<46} go mod tidy -diff {go:6.2f}s  {sync}")
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
