"""Benchmark: the action's image on a real monorepo, run the way the Actions runner runs it,
against the sequential ``go mod tidy -diff`` loop (on this machine, outside the container) in
the same round.

    python bench/action_image.py /tmp/otel --image localhost/tidybot:smoke [--repeat 3]

Each round:

1. the loop from empty Go caches;
2. the action from an empty cache directory (``cache-dir: .tidybot-cache``), GOMAXPROCS capped
   to each go command's share of the CPUs as before (passed as ``-e GOMAXPROCS``);
3. the same, as the action is now (not capped while the module cache is empty); 2 and 3 take
   turns at going first;
4. the loop again, on the caches it left;
5. the action in a fresh checkout and a fresh ``/github/home`` with the cache directory run 3
   left restored (as actions/cache restores it) but its result cache removed: go runs for
   every module, from Go's caches;
6. the same with the result cache too: a re-run of the job on the same commit.

Every action run is a fresh copy of the tree, committed to git and owned by uid 1001, mounted
at ``/github/workspace`` with ``--network host`` (go reaches the real module proxy), the
inputs of action.yml with their defaults (``mode: check``, ``since: off``). Modules that go
itself cannot load are left out of both sides. ``--ca-bundle`` mounts a CA bundle for go (a
machine whose HTTPS goes through an intercepting proxy).
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
from pathlib import Path

from benchlib import REPO, commit_all, git, machine, sequential_loop

sys.path.insert(0, str(REPO))

from monorepo_real import _fresh_caches, _remove, failing_modules

from bot.engine.discover import discover
from tests.integration.test_action_harness import action_inputs, parse_outputs

RUNNER = (1001, 1001)


def chown_tree(top: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(top):
        os.chown(dirpath, *RUNNER)
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), *RUNNER, follow_symlinks=False)


class Action:
    def __init__(self, args: argparse.Namespace, tree: Path, work: Path, left_out: list[str]):
        self.args = args
        self.tree = tree
        self.work = work
        self.left_out = left_out
        self.runs = 0

    def checkout(self) -> Path:
        self.runs += 1
        ws = self.work / f"ws{self.runs}"
        _remove(ws)
        shutil.copytree(self.tree, ws, symlinks=True)
        chown_tree(ws)
        return ws

    def run(self, ws: Path, env: dict[str, str] | None = None) -> tuple[float, dict[str, str]]:
        job = self.work / f"job{self.runs}"
        _remove(job)
        home, flow, commands = job / "home", job / "workflow", job / "commands"
        for d in (home, flow, commands):
            d.mkdir(parents=True)
        (flow / "event.json").write_text('{"ref": "refs/heads/main"}')
        (commands / "output").touch()
        (commands / "summary").touch()
        chown_tree(job)
        values = action_inputs()
        values.update(
            {"mode": "check", "since": "off", "fail-on-drift": "false", "token": "ghs_bench"}
        )
        values["cache-dir"] = ".tidybot-cache"
        values["exclude"] = ",".join(self.left_out)
        passed = {f"INPUT_{k.upper()}": v for k, v in values.items()}
        passed.update(
            HOME="/github/home",
            GITHUB_WORKSPACE="/github/workspace",
            GITHUB_EVENT_NAME="push",
            GITHUB_EVENT_PATH="/github/workflow/event.json",
            GITHUB_OUTPUT="/github/file_commands/output",
            GITHUB_STEP_SUMMARY="/github/file_commands/summary",
            GITHUB_REPOSITORY="octo/app",
            GITHUB_ACTIONS="true",
            CI="true",
            **(env or {}),
        )
        cmd = [self.args.engine, "run", "--rm", "--network", "host", "--workdir"]
        cmd.append("/github/workspace")
        if self.args.engine == "podman":
            cmd += ["--runtime", "runc", "--ulimit", "nofile=20000:20000"]
            cmd += ["--ulimit", "nproc=4096:4096"]
        if self.args.ca_bundle:
            cmd += ["-v", f"{self.args.ca_bundle}:/etc/ssl/bench-ca.pem:ro"]
            passed["SSL_CERT_FILE"] = "/etc/ssl/bench-ca.pem"
        for name in passed:
            cmd += ["-e", name]
        mounts = {ws: "workspace", home: "home", flow: "workflow", commands: "file_commands"}
        for src, dst in mounts.items():
            cmd += ["-v", f"{src}:/github/{dst}"]
        cmd.append(self.args.image)
        start = time.monotonic()
        proc = subprocess.run(
            cmd, env={**os.environ, **passed}, capture_output=True, text=True, check=False
        )
        wall = time.monotonic() - start
        if proc.returncode not in (0, 1):
            why = proc.stdout + proc.stderr
            raise SystemExit(f"the action failed (exit {proc.returncode}):\n{why}")
        return wall, parse_outputs((commands / "output").read_text())


def statuses(ws: Path, outputs: dict[str, str]) -> str:
    report = json.loads((ws / outputs["report"]).read_text())
    s = report["summary"]
    hits = len(report.get("cache", {}).get("hits", []))
    return f"{s['modules']} modules: {s['clean']} clean, {s['drifted']} drifted; {hits} cache hits"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree", type=Path, help="a checkout of the monorepo (it is copied)")
    ap.add_argument("--image", required=True, help="the action's image")
    ap.add_argument("--engine", default="podman" if shutil.which("podman") else "docker")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are printed")
    ap.add_argument("--ca-bundle", help="a CA bundle go in the container must trust")
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="tidybot-bench-image-"))
    base.mkdir(parents=True, exist_ok=True)
    tree = base / "tree"
    try:
        _remove(tree)
        shutil.copytree(args.tree, tree, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        git(tree, "init", "-q")
        commit_all(tree, "snapshot")
        dirs = [m.dir for m in discover(tree)]
        env = dict(os.environ)
        print(f"machine: {machine()}")
        print(f"{args.tree}: {len(dirs)} modules; image {args.image} ({args.engine})")
        left_out = failing_modules(tree, dirs, env)
        if left_out:
            print(f"left out of both sides, go fails on them: {', '.join(left_out)}")
            dirs = [d for d in dirs if d not in left_out]
        action = Action(args, tree, base, left_out)
        caches = base / "loop-caches"
        capped = {"GOMAXPROCS": "1"}  # the action runs one go command per CPU, a CPU each
        rows: dict[str, list[float]] = {}
        shown: dict[str, str] = {}
        for n in range(args.repeat):
            e = _fresh_caches(caches, env)
            rows.setdefault("loop, empty caches", []).append(sequential_loop(tree, dirs, e)[0])
            colds = [
                ("action, empty cache, GOMAXPROCS capped (before)", capped),
                ("action, empty cache (now)", {}),
            ]
            for name, extra in colds if n % 2 == 0 else colds[::-1]:  # each first in turn
                ws = action.checkout()
                wall, out = action.run(ws, extra)
                rows.setdefault(name, []).append(wall)
                shown[name] = statuses(ws, out)
            saved = base / "saved-cache"
            _remove(saved)
            shutil.copytree(ws / ".tidybot-cache", saved, symlinks=True)  # the cache step
            rows.setdefault("loop, warm caches", []).append(sequential_loop(tree, dirs, e)[0])
            for name, keep_results in (
                ("action, restored cache, no result cache", False),
                ("action, restored cache (rerun)", True),
            ):
                ws = action.checkout()
                shutil.copytree(saved, ws / ".tidybot-cache", symlinks=True)
                if not keep_results:
                    _remove(ws / ".tidybot-cache" / "tidybot-v1")
                wall, out = action.run(ws)
                rows.setdefault(name, []).append(wall)
                shown[name] = statuses(ws, out)
            print(f"  round {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in rows.items()))
        cold = statistics.median(rows["loop, empty caches"])
        warm = statistics.median(rows["loop, warm caches"])
        for name, walls in rows.items():
            loop = cold if "empty" in name else warm
            ratio = statistics.median(walls) / loop
            print(
                f"{name:<48} {statistics.median(walls):7.2f}s  vs loop {loop:6.2f}s: "
                f"{ratio:5.3f}  [{', '.join(f'{w:.2f}' for w in walls)}]  {shown.get(name, '')}"
            )
    finally:
        if args.keep is None:
            _remove(base)


if __name__ == "__main__":
    main()
