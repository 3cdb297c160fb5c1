"""Run the tidybot CLI and record when each ``go`` subprocess ran.

Usage: ``python bench/_timed_cli.py TIMING.json <tidybot arguments>``. Writes
``{"intervals": [[start, end], ...], "code": N}`` (``time.time()`` seconds) to TIMING.json.
Instrumentation for the benchmarks only: it wraps ``bot.toolchain.Go.start`` and
``GoProcess.wait`` (a go command runs from its start to the end of the wait for it).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import bot.__main__  # noqa: F401 - first, as the command starts: its garbage collector setting
from bot import toolchain
from bot.cli import exit_now, main

TYPE_CHECKING = False  # as tidybot's own modules: the timed run must not load typing itself
if TYPE_CHECKING:
    from typing import Any

_intervals: list[tuple[float, float]] = []
_started: dict[int, float] = {}
_start = toolchain.Go.start
_wait = toolchain.GoProcess.wait


def _timed_start(self: toolchain.Go, *args: Any, **kwargs: Any) -> toolchain.GoProcess:
    start = time.time()
    proc = _start(self, *args, **kwargs)
    _started[id(proc)] = start
    return proc


def _timed_wait(self: toolchain.GoProcess) -> toolchain.GoResult:
    try:
        return _wait(self)
    finally:
        _intervals.append((_started.pop(id(self)), time.time()))


toolchain.Go.start = _timed_start  # type: ignore[method-assign]
toolchain.GoProcess.wait = _timed_wait  # type: ignore[method-assign]

if __name__ == "__main__":
    out = Path(sys.argv[1])
    code = main(sys.argv[2:])
    out.write_text(json.dumps({"intervals": _intervals, "code": code}))
    exit_now(code)  # as the tidybot command ends
