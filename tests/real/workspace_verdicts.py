"""Each module of a real go.work checked alone, against go's own ``go work sync`` (opt-in).

    python tests/real/workspace_verdicts.py CHECKOUT [--python PY]

For every module CHECKOUT/go.work uses, runs ``tidybot check CHECKOUT --include MODULE
--format json`` and compares its ``work-sync`` findings for that module with what
``go work sync`` of the whole workspace, run in a copy of the checkout, writes to the module's
go.mod. Prints one line per module (whether go changes it, whether tidybot reports it, and
whether tidybot ran the sync or answered from the workspace's module graph). Then it checks
each module twice more with a result cache (``--cache-dir``): both runs must report what the
first did, the second from the cache when the workspace check was stored. Exits 1 on any
disagreement. Not part of the default test command: it needs a real checkout with a warm
module cache (run it with the GOMODCACHE/GOCACHE the checkout was downloaded with; a cold one
downloads every module of the workspace). Run on etcd c34dc7ee (14 modules: 14 agree, 7 from
the graph) and prometheus d15adb9ad7 (5 modules: 5 agree, 1 from the graph); on both, every
cached rerun reported the same, from the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bot.engine.gowork import parse_gowork  # noqa: E402
from tests.integration.engine_helpers import logging_shim  # noqa: E402


def used_modules(root: Path) -> list[str]:
    work = parse_gowork((root / "go.work").read_bytes(), "go.work")
    out = []
    for use in work.uses:
        rel = os.path.normpath(use.path).replace(os.sep, "/")
        if (root / rel / "go.mod").is_file():
            out.append(rel)
    return sorted(set(out))


def go_work_sync(root: Path, tmp: Path) -> Path:
    copy = tmp / "synced"
    shutil.copytree(root, copy, symlinks=True)
    env = {**os.environ, "GOWORK": str(copy / "go.work")}
    res = subprocess.run(["go", "work", "sync"], cwd=copy, env=env, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"go work sync failed:\n{res.stderr}")
    return copy


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("checkout", type=Path)
    ap.add_argument("--python", default=sys.executable, help="the Python that runs tidybot")
    args = ap.parse_args()
    root = args.checkout.resolve()
    bad = 0
    with tempfile.TemporaryDirectory(prefix="tidybot-verdicts-") as tmp_s:
        tmp = Path(tmp_s)
        synced = go_work_sync(root, tmp)
        shim, log = logging_shim(tmp, "go")
        env = {**os.environ, "TIDYBOT_GO": str(shim)}
        for module in used_modules(root):
            rel = Path(module)
            go_changes = (root / rel / "go.mod").read_bytes() != (
                synced / rel / "go.mod"
            ).read_bytes()
            log.unlink(missing_ok=True)
            cmd = [args.python, "-m", "bot", "check", str(root), "--include", module]
            # from tmp, where ``-m bot`` finds the installed tidybot, not a checkout's sources
            res = subprocess.run(
                [*cmd, "--format", "json"], cwd=tmp, env=env, capture_output=True, text=True
            )
            if res.returncode not in (0, 1):
                print(f"{module}: tidybot exit {res.returncode}: {res.stderr.strip()}")
                bad += 1
                continue
            doc = json.loads(res.stdout)
            (checked,) = (m for m in doc["modules"] if m["dir"] == module)
            reported = any(f["id"] == "work-sync" for f in checked["findings"])
            ran_sync = "work sync" in (log.read_text() if log.exists() else "")
            verdict = "agree" if reported == go_changes else "DISAGREE"
            bad += reported != go_changes
            # the same check twice with a result cache: the rerun reports the same, and is
            # answered from the cache whenever the first run stored the workspace check
            rc = [*cmd, "--format", "json", "--cache-dir", str(tmp / "result-cache")]
            first, again = (
                subprocess.run(rc, cwd=tmp, env=env, capture_output=True, text=True)
                for _ in range(2)
            )
            hits = json.loads(again.stdout)["cache"]["hits"] if again.stdout else []
            same = (
                first.stdout
                and again.stdout
                and json.loads(first.stdout)["modules"] == doc["modules"]
                and json.loads(again.stdout)["modules"] == doc["modules"]
            )
            bad += not same
            print(
                f"{module:40} go work sync changes it: {go_changes!s:5}  "
                f"tidybot reports it: {reported!s:5}  "
                f"{'synced' if ran_sync else 'from the graph'}  {verdict}; cached rerun "
                f"{'the same' if same else 'DIFFERENT'}"
                f"{' (from the cache)' if 'go.work' in hits else ''}"
            )
    print(f"{bad} disagreement(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
