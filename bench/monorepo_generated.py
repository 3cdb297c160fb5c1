"""Benchmark (a): a generated monorepo of 60 modules joined by local replaces, no network.

    python bench/monorepo_generated.py [--jobs N] [--repeat N] [--keep DIR] [--python PY]
                                       [--download-experiment]

Builds the fixture module proxy (tests/fakes/goproxy.py) in a temp dir, generates 5 shared
"core" modules (a replace chain core0 <- core1 <- ... <- core4) and 55 services that each
replace to one or two cores (and, as go requires, to the cores those reach), tidies them all,
commits them in a git repository, then prints for each scenario tidybot's wall time against the
sequential ``go mod tidy -diff`` loop over the same 60 modules, measured in the same run: the
medians of ``--repeat`` rounds (default 3), each round the loop then tidybot, every tidybot run
starting from the same result cache state:

1. full check, empty result cache;
2. a PR that changes one function body in one leaf service (``--since main``, warm cache);
3. a PR that adds an import to the most shared module, core0 (``--since main``, warm cache);
4. a rerun with nothing changed (warm cache, no ``--since``).

``--download-experiment`` also measures, on cold module caches, a full check with and without a
single deduplicated ``go mod download`` of every go.sum module before it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import (
    REPO,
    commit_all,
    floor_row,
    git,
    machine,
    median_floor,
    python_option,
    scenario,
    sequential_loop,
    tidybot,
    use_python,
)

sys.path.insert(0, str(REPO))

from bot.engine.gosum import parse_gosum
from tests.fakes.goproxy import MODULES_DIR, build_proxy, go_environment, write_tree

CORES = 5
SERVICES = 55
PKGS = 4  # packages per module, 2 files + 1 test each


def core_files(i: int) -> dict[str, str]:
    files: dict[str, str] = {}
    for p in range(PKGS):
        imports = ['"strings"', '"example.com/greet"']
        if i > 0:
            imports.append(f'"example.org/core{i - 1}/pkg0"')
        body = "\n\t".join(imports)
        call = f"pkg0.F{i - 1}()" if i > 0 else '""'
        files[f"pkg{p}/a.go"] = (
            f"package pkg{p}\n\nimport (\n\t{body}\n)\n\n"
            f"func F{i}() string {{ return strings.ToUpper(greet.Hello()) + {call} }}\n"
        )
        files[f"pkg{p}/b.go"] = (
            f'package pkg{p}\n\nimport "fmt"\n\nfunc B() string {{ return fmt.Sprint({p}) }}\n'
        )
        files[f"pkg{p}/a_test.go"] = (
            f'package pkg{p}\n\nimport (\n\t"testing"\n\n\t"example.com/testdep"\n)\n\n'
            f'func TestF(t *testing.T) {{ _ = testdep.Check("a", "a") }}\n'
        )
    return files


def service_files(s: int, core: int) -> dict[str, str]:
    files: dict[str, str] = {
        "main.go": (
            f'package main\n\nimport (\n\t"fmt"\n\n\t"example.org/svc{s:02d}/pkg0"\n'
            f'\tc "example.org/core{core}/pkg0"\n)\n\n'
            f"func main() {{ fmt.Println(pkg0.Run(), c.F{core}()) }}\n"
        )
    }
    for p in range(PKGS):
        files[f"pkg{p}/run.go"] = (
            f'package pkg{p}\n\nimport "example.com/util"\n\n'
            f"func Run() string {{ return util.Shout() }}\n"
        )
        files[f"pkg{p}/more.go"] = (
            f'package pkg{p}\n\nimport "sort"\n\nfunc More(x []int) {{ sort.Ints(x) }}\n'
        )
        files[f"pkg{p}/run_test.go"] = (
            f'package pkg{p}\n\nimport "testing"\n\nfunc TestRun(t *testing.T) {{ _ = Run() }}\n'
        )
    return files


def gomod(path: str, local: list[int]) -> str:
    text = f"module {path}\n\ngo 1.22\n"
    if local:
        text += "\nrequire (\n" + "".join(f"\texample.org/core{c} v0.0.0\n" for c in local) + ")\n"
        text += "\nreplace (\n"
        text += "".join(f"\texample.org/core{c} => ../core{c}\n" for c in local) + ")\n"
    return text


def generate(root: Path, env: dict[str, str]) -> list[str]:
    dirs: list[str] = []
    for i in range(CORES):
        d = f"core{i}"
        write_tree(root / d, {"go.mod": gomod(f"example.org/{d}", list(range(i))), **core_files(i)})
        dirs.append(d)
    for s in range(SERVICES):
        core = s % CORES
        d = f"svc{s:02d}"
        files = {
            "go.mod": gomod(f"example.org/{d}", list(range(core + 1))),
            **service_files(s, core),
        }
        write_tree(root / d, files)
        dirs.append(d)
    for d in dirs:  # cores first: dependents read their tidy go.mod
        res = subprocess.run(
            ["go", "mod", "tidy"],
            cwd=root / d,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if res.returncode != 0:
            raise SystemExit(f"{d}: go mod tidy failed:\n{res.stderr}")
    return dirs


def download_list(root: Path, dirs: list[str]) -> list[str]:
    """Every module version whose zip some go.sum pins, once."""
    seen: set[str] = set()
    for d in dirs:
        p = root / d / "go.sum"
        if not p.exists():
            continue
        for line in parse_gosum(p.read_text(encoding="utf-8"), f"{d}/go.sum").lines:
            if not line.version.endswith("/go.mod"):
                seen.add(f"{line.path}@{line.version}")
    return sorted(seen)


def download_experiment(root: Path, dirs: list[str], proxy: str, base: Path, jobs: str) -> None:
    print("\nsingle deduplicated `go mod download` before the parallel tidies (cold caches):")
    for variant in ("tidybot check", "go mod download + tidybot check"):
        cache = Path(tempfile.mkdtemp(prefix="modcache-", dir=base))
        env = go_environment(proxy, cache, Path(tempfile.mkdtemp(dir=base)), None)
        env["GOCACHE"] = str(Path(tempfile.mkdtemp(prefix="gocache-", dir=base)))
        start = time.monotonic()
        dl = 0.0
        if variant.startswith("go mod download"):
            mods = download_list(root, dirs)
            scratch = Path(tempfile.mkdtemp(dir=base))
            res = subprocess.run(
                ["go", "mod", "download", *mods],
                cwd=scratch,
                env={**env, "GOWORK": "off"},
                capture_output=True,
                text=True,
                check=False,
            )
            if res.returncode != 0:
                raise SystemExit(f"go mod download failed:\n{res.stderr}")
            dl = time.monotonic() - start
        run = tidybot(["check", str(root), "--jobs", jobs], env)
        total = time.monotonic() - start
        print(f"  {variant:<34} {total:6.2f}s (download {dl:.2f}s, check {run.wall:.2f}s)")
        subprocess.run(["chmod", "-R", "u+w", str(cache)], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", default="", help="tidybot --jobs (default: CPUs)")
    ap.add_argument("--keep", type=Path, help="work in DIR and keep it")
    ap.add_argument(
        "--repeat", type=int, default=3, help="rounds per scenario; medians are printed"
    )
    ap.add_argument("--download-experiment", action="store_true")
    python_option(ap)
    args = ap.parse_args()
    use_python(args.python)
    base = args.keep or Path(tempfile.mkdtemp(prefix="tidybot-bench-gen-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        proxy = build_proxy(MODULES_DIR, base / "proxy")
        env = go_environment(proxy, base / "modcache", base / "home", base / "gocache")
        root = base / "repo"
        print(f"machine: {machine()}")
        t = time.monotonic()
        dirs = generate(root, env)
        git(root, "init", "-q")
        commit_all(root, "generated monorepo")
        print(f"generated {len(dirs)} modules in {time.monotonic() - t:.1f}s (not timed below)")
        cache = base / "result-cache"
        jobs = ["--jobs", args.jobs] if args.jobs else []
        common = [*jobs, "--cache-dir", str(cache)]

        n = args.repeat
        jobs_n = int(args.jobs) if args.jobs else None

        def loop() -> tuple[float, int]:
            return sequential_loop(root, dirs, env)

        print(f"medians of {n} rounds (loop, then tidybot), each from the same cache state")
        text, bad = scenario(
            "1. full check (empty cache)", loop, ["check", str(root), *common], env, cache, n
        )
        assert bad == 0, "the generated monorepo is not tidy"
        print(text)
        print(
            floor_row(
                statistics.median(loop()[0] for _ in range(n)),
                median_floor(root, dirs, env, jobs_n, n),
            )
        )

        since = ["check", str(root), "--since", "main", *common]
        git(root, "checkout", "-q", "-b", "pr-body")
        leaf = root / "svc54" / "pkg3" / "more.go"
        leaf.write_text(leaf.read_text().replace("sort.Ints(x)", "sort.Ints(x); _ = len(x)"))
        commit_all(root, "one function body in one leaf module")
        print(scenario("2. one-file PR (--since, cache)", loop, since, env, cache, n)[0])

        git(root, "checkout", "-q", "main")
        git(root, "checkout", "-q", "-b", "pr-import")
        shared = root / "core0" / "pkg1" / "b.go"
        shared.write_text(
            'package pkg1\n\nimport (\n\t"fmt"\n\n\t"example.com/Upper"\n)\n\n'
            "func B() string { return fmt.Sprint(upper.Name) }\n"
        )
        commit_all(root, "an import in the most shared module")
        text, bad = scenario("3. import in a shared module", loop, since, env, cache, n)
        print(f"{text}; loop saw {bad} drifted")

        git(root, "checkout", "-q", "main")
        rerun = ["check", str(root), *common]
        print(scenario("4. rerun, nothing changed (cache)", loop, rerun, env, cache, n)[0])

        if args.download_experiment:
            download_experiment(root, dirs, proxy, base, args.jobs or "2")
    finally:
        if args.keep is None:
            subprocess.run(["chmod", "-R", "u+w", str(base)], check=False)
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
