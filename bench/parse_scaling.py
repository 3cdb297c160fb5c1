"""Benchmark: is parsing linear in the file size? Time per line at 10,000 and 160,000 lines.

    python bench/parse_scaling.py [--small N] [--large N] [--repeat N]

For each parser tidybot runs on a checkout's files, the seconds per line of a generated file
of ``--small`` lines (default 10,000) and of ``--large`` lines (default 160,000), measured in
this run (best of ``--repeat``, default 3), and their ratio: 1.0 is linear; a quadratic parser
shows the size ratio (16 at the defaults). The go.mod is a require block with `// indirect`
comments, a replace block and comment lines, the shape of a large real go.mod repeated:

* ``parse_gomod`` (the strict parse of every module's go.mod),
* ``parse_and_format`` (what the check runs: the parse and the ``go mod edit -fmt`` text),
* ``parse_gosum`` and ``parse_modules_txt``,

and, as the floor of this machine, a loop that only splits the go.sum text into lines and
fields (``str.split``): its ratio is above 1 too, from allocating and touching 16 times as
much memory, not from any algorithm; a parser's ratio is read against it.

The files tidybot accepts are bounded (README, "Limits": go.mod 4 MiB, about 90,000 such
lines; go.sum and modules.txt 32 MiB); 160,000 lines is beyond those limits on purpose.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine.gomod import _parse_and_format, parse_and_format, parse_gomod
from bot.engine.gosum import parse_gosum
from bot.engine.vendor import parse_modules_txt


def gomod(lines: int) -> str:
    out = ["module example.com/big", "", "go 1.22", "", "require ("]
    n = 0
    while len(out) < lines - 8:
        out.append(f"\tgithub.com/org{n % 97}/dep{n:06d} v1.{n % 40}.{n % 7} // indirect")
        if n % 10 == 0:
            out.append(f"\t// group {n}")
        n += 1
    out += [")", "", "replace (", "\texample.com/a => ./a", "\texample.com/b v1.0.0 => ../b", ")"]
    return "\n".join(out) + "\n"


def gosum(lines: int) -> str:
    h = "h1:" + "A" * 43 + "="
    return "".join(
        f"github.com/org{i % 97}/dep{i // 2:06d} v1.{i % 40}.0{'/go.mod' if i % 2 else ''} {h}\n"
        for i in range(lines)
    )


def modules_txt(lines: int) -> str:
    out: list[str] = []
    n = 0
    while len(out) < lines:
        out += [f"# github.com/org/dep{n:06d} v1.0.{n % 9}", "## explicit; go 1.22"]
        out += [f"github.com/org/dep{n:06d}/pkg{k}" for k in range(3)]
        n += 1
    return "\n".join(out[:lines]) + "\n"


def split_only(text: str) -> object:
    return [raw.split() for raw in text.split("\n")]


def fresh_parse_and_format(text: str) -> object:
    _parse_and_format.cache_clear()  # remembered by content: measure the work, not the memo
    return parse_and_format(text)


def per_line(fn: Callable[[str], object], text: str, repeat: int) -> float:
    lines = text.count("\n")
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
    return best / lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--large", type=int, default=160_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    gc.set_threshold(100_000, *gc.get_threshold()[1:])  # as the tidybot command (bot/__main__.py)
    cases: list[tuple[str, Callable[[str], object], Callable[[int], str]]] = [
        ("str.split (floor)", split_only, gosum),
        ("parse_gomod", lambda t: parse_gomod(t), gomod),
        ("parse_and_format", fresh_parse_and_format, gomod),
        ("parse_gosum", lambda t: parse_gosum(t), gosum),
        ("parse_modules_txt", lambda t: parse_modules_txt(t), modules_txt),
    ]
    print(f"lines: {args.small:,} and {args.large:,} (size ratio {args.large / args.small:g})")
    for name, fn, make in cases:
        small, large = make(args.small), make(args.large)
        a = per_line(fn, small, args.repeat)
        b = per_line(fn, large, args.repeat)
        print(
            f"{name:<18} {a * 1e6:7.2f} us/line at {args.small:,}  "
            f"{b * 1e6:7.2f} us/line at {args.large:,}  ratio {b / a:5.2f}  "
            f"({len(large) / 2**20:.1f} MiB: {b * args.large:.1f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
