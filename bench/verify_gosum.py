"""Benchmark: verify a real go.sum of 1000+ lines against sum.golang.org through the module proxy.

Run by hand (needs the network):

    python bench/verify_gosum.py [--module github.com/hashicorp/terraform --version v1.9.0]

The go.sum is taken at run time from the module's zip on the proxy (nothing third-party is
stored in this repository). ``--rounds`` rounds of cold and sequential (the median ratio is
printed), then one warm run:

* cold: ``run_verify`` with an empty module cache and no latest head (``--jobs`` lookups in
  flight);
* warm: the same go.sum again with the caches the cold run left (target: zero requests);
* sequential: the lines checked one after another by a naive client, a fresh client with an
  empty cache for every lookup (only the HTTP connection is reused), on a sample of
  ``--sample`` module versions, extrapolated to every line (and, more conservatively, to
  every distinct module version).

Prints lookups per second, requests made and the ratio sequential / cold (target >= 10).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.gosum import parse_gosum
from bot.engine.modpath import escape_path, escape_version
from bot.verify.client import SumdbClient
from bot.verify.command import run_verify
from bot.verify.sumdbenv import parse_sumdb_env


def fetch_gosum(proxy: str, module: str, version: str, http: httpx.Client) -> str:
    url = f"{proxy}/{escape_path(module)}/@v/{escape_version(version)}.zip"
    resp = http.get(url, timeout=120)
    resp.raise_for_status()
    with zipfile.ZipFile(io.BytesIO(resp.content)) as zf:
        return zf.read(f"{module}@{version}/go.sum").decode("utf-8")


def env_for(proxy: str, home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "GOPATH": str(home / "gopath"),
        "GOMODCACHE": str(home / "modcache"),
        "GOPROXY": f"{proxy},direct",
        "GOSUMDB": "sum.golang.org",
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--module", default="github.com/hashicorp/terraform")
    ap.add_argument("--version", default="v1.9.0")
    ap.add_argument("--proxy", default="https://proxy.golang.org")
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--sample", type=int, default=60, help="module versions for the sequential run")
    ap.add_argument("--rounds", type=int, default=3, help="cold + sequential rounds (median)")
    args = ap.parse_args()

    with httpx.Client(follow_redirects=True) as http, tempfile.TemporaryDirectory() as tmp:
        text = fetch_gosum(args.proxy, args.module, args.version, http)
        root = Path(tmp) / "repo"
        root.mkdir()
        (root / "go.sum").write_text(text, encoding="utf-8")
        sums = parse_gosum(text)
        keys = list(dict.fromkeys((ln.path, ln.module_version) for ln in sums.lines))
        print(
            f"go.sum of {args.module}@{args.version}: {len(sums.lines)} lines, "
            f"{len(keys)} module versions"
        )
        if len(sums.lines) < 1000:
            print("warning: fewer than 1000 lines", file=sys.stderr)

        sample = keys[:: max(1, len(keys) // args.sample)][: args.sample]
        ratios: list[tuple[float, float]] = []
        for rnd in range(1, args.rounds + 1):
            # each round: a cold run with its own empty caches, then the sequential sample, so
            # both sides of the ratio see the same network and the same machine load
            env = env_for(args.proxy, Path(tmp) / f"home{rnd}")
            t0 = time.perf_counter()
            cold = run_verify(root, env=env, cache_check=False, jobs=args.jobs)
            t_cold = time.perf_counter() - t0
            print(
                f"round {rnd} cold: {t_cold:.2f}s, {cold.lookups / t_cold:.1f} lookups/s, "
                f"{cold.requests} requests, {cold.summary}"
            )
            requests = 0
            t0 = time.perf_counter()
            for i, (path, version) in enumerate(sample):
                seq_env = env_for(args.proxy, Path(tmp) / f"seq{rnd}-{i}")
                with SumdbClient(parse_sumdb_env(seq_env), http=http, jobs=1) as client:
                    client.lookup(path, version)
                    requests += client.stats.requests
            t_seq = time.perf_counter() - t0
            per = t_seq / len(sample)
            est_lines = per * len(sums.lines)  # the naive checker: one lookup per go.sum line
            est_mods = per * len(keys)  # even crediting it with one lookup per module version
            print(
                f"round {rnd} sequential: {len(sample)} lookups in {t_seq:.2f}s "
                f"({per * 1000:.0f} ms and {requests / len(sample):.1f} requests each): "
                f"{len(sums.lines)} lines would take ~{est_lines:.0f}s "
                f"({len(keys)} module versions: ~{est_mods:.0f}s); ratio "
                f"{est_lines / t_cold:.1f}x per line, {est_mods / t_cold:.1f}x per version"
            )
            ratios.append((est_lines / t_cold, est_mods / t_cold))

        t0 = time.perf_counter()
        warm = run_verify(root, env=env, cache_check=False, jobs=args.jobs)
        t_warm = time.perf_counter() - t0
        print(
            f"warm: {t_warm:.2f}s, {warm.lookups / t_warm:.1f} lookups/s, "
            f"{warm.requests} requests, {warm.cache_hits} cache hits"
        )
        per_line = sorted(r[0] for r in ratios)[len(ratios) // 2]
        per_version = sorted(r[1] for r in ratios)[len(ratios) // 2]
        print(
            f"ratio sequential / cold, median of {len(ratios)} rounds: {per_line:.1f}x per line, "
            f"{per_version:.1f}x per module version (target >= 10x); "
            f"warm requests: {warm.requests} (target 0)"
        )
        bad = [f for f in cold.findings if f.severity != "note"]
        for f in bad[:10]:
            print(f"  {f.file}:{f.line}: {f.id}: {f.message}")
    return 0 if warm.requests == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
