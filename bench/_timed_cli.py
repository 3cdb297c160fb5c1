"""Run the tidybot CLI and record when each ``go`` subprocess ran.

Usage: ``python bench/_timed_cli.py TIMING.json <tidybot arguments>``. Writes
``{"intervals": [[start, end], ...], "code": N}`` (``time.time()`` seconds) to TIMING.json.
Instrumentation for the benchmarks only: it wraps ``bot.toolchain.Go.run``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from bot import toolchain
from bot.cli import exit_now, main

_intervals: list[tuple[float, float]] = []
_orig = toolchain.Go.run


def _timed(self: toolchain.Go, *args: Any, **kwargs: Any) -> toolchain.GoResult:
    start = time.time()
    try:
        return _orig(self, *args, **kwargs)
    finally:
        _intervals.append((start, time.time()))


toolchain.Go.run = _timed  # type: ignore[method-assign]

if __name__ == "__main__":
    out = Path(sys.argv[1])
    code = main(sys.argv[2:])
    out.write_text(json.dumps({"intervals": _intervals, "code": code}))
    exit_now(code)  # as the tidybot command ends
