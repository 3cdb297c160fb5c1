"""Progress on stderr while modules are checked: the report itself comes at the end, on stdout,
in directory order; this tells, as each module finishes, that the run is alive and what it found.

Three ways to show it, chosen by where stderr goes:

* a terminal: one live line, redrawn in place (``[12/28] 10 ok, 1 drifted, 1 error · 34s``),
  with a line above it for every module that is not clean as soon as it finishes;
* anything else (a CI log, a file): one line per finished module;
* GitHub Actions (``GITHUB_ACTIONS=true``): the same lines inside a collapsed ``::group::``,
  then one line of counts outside it.

``--quiet`` shows nothing, ``--verbose`` lists every module (also the clean ones on a terminal
and those ``--since`` left out). The runner calls :meth:`Progress.__call__` from its worker
threads, once with no result when it knows how many modules there are, then once per module.
"""

from __future__ import annotations

import contextlib
import threading
import time

from bot.engine.model import ModuleResult, Status
from bot.report.base import Where, error_headline
from bot.report.escape import command_data, terminal_line

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

_SINCE = "not affected by the changes since "

#: How often the terminal line is redrawn while nothing finishes (seconds).
TICK = 1.0


class Progress:
    """The callback :class:`bot.runner.RunOptions` ``progress`` takes (thread-safe)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        where: Where | None = None,
        verbose: bool = False,
        live: bool = False,
        actions: bool = False,
        verb: str = "checking",
    ) -> None:
        from bot.report.text import TextRenderer

        self._out = stream
        self._line = TextRenderer(where=where or Where()).module_line
        self.verbose = verbose
        self.live = live
        self.actions = actions and not live
        self.verb = verb
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self.total = 0
        self.done = 0
        self.counts = {s: 0 for s in Status}
        self._grouped = False
        self._drawn = False
        self._closed = False
        self._ticker: threading.Thread | None = None

    # -- the runner's callback -------------------------------------------------------------

    def __call__(self, result: ModuleResult | None, total: int) -> None:
        with self._lock:
            if self._closed:
                return
            self.total = total
            if result is None:
                self._begin()
                return
            self.done += 1
            self.counts[result.status] += 1
            left_out = result.status is Status.SKIPPED and result.error.startswith(_SINCE)
            if self.verbose or not (left_out or (self.live and result.status is Status.CLEAN)):
                self._emit(self._describe(result))
            elif self.live:
                self._draw()

    def close(self) -> None:
        """The run is over (or stopped): clear the live line, close the group, say the counts."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._drawn:
                self._out.write("\r\x1b[K")
            if self._grouped:
                self._out.write("::endgroup::\n")
                self._out.write(f"tidybot: {self._counts()}\n")
            self._flush()

    # -- drawing ---------------------------------------------------------------------------

    def _begin(self) -> None:
        what = f"{self.verb} {self.total} module{'s' if self.total != 1 else ''}"
        if self.actions and not self._grouped:
            self._grouped = True
            self._out.write(f"::group::{command_data('tidybot: ' + what)}\n")
        if self.live:
            self._draw()
            if self._ticker is None:
                self._ticker = threading.Thread(
                    target=self._tick, name="tidybot-progress", daemon=True
                )
                self._ticker.start()
        self._flush()

    def _describe(self, m: ModuleResult) -> str:
        n = f"[{self.done}/{self.total}]"
        took = f" ({m.duration:.1f}s)" if m.duration >= 0.05 else ""
        found = f": {len(m.findings)} finding{'s' if len(m.findings) != 1 else ''}"
        extra = found if m.findings else ""
        if m.status in (Status.ERROR, Status.SKIPPED) and m.error:
            extra = f": {terminal_line(error_headline(m.error))}"
        return f"{n} {self._line(m)}{extra}{took}"

    def _emit(self, line: str) -> None:
        if self._drawn:
            self._out.write("\r\x1b[K")
        self._out.write(f"tidybot: {line}\n")
        if self.live:
            self._draw()
        self._flush()

    def _counts(self) -> str:
        c = self.counts
        parts = [
            f"{c[Status.CLEAN]} ok",
            f"{c[Status.DRIFTED]} drifted",
            f"{c[Status.ERROR]} error",
            f"{c[Status.SKIPPED]} skipped",
        ]
        took = time.monotonic() - self._start
        return f"{self.done}/{self.total} modules: {', '.join(parts)} ({took:.0f}s)"

    def _draw(self) -> None:
        self._out.write(f"\r\x1b[Ktidybot: {self.verb} {self._counts()}")
        self._drawn = True
        self._flush()

    def _tick(self) -> None:
        while True:
            time.sleep(TICK)
            with self._lock:
                if self._closed:
                    return
                self._draw()

    def _flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed stderr: not worth a crash
            self._out.flush()


def progress_for(
    stream: TextIO,
    env: Mapping[str, str],
    *,
    quiet: bool,
    verbose: bool,
    where: Where | None = None,
    verb: str = "checking",
) -> Progress | None:
    """The progress a run shows on ``stream``: None with ``--quiet``."""
    if quiet:
        return None
    try:
        live = stream.isatty()
    except (AttributeError, ValueError):
        live = False
    actions = env.get("GITHUB_ACTIONS") == "true"
    return Progress(stream, where=where, verbose=verbose, live=live, actions=actions, verb=verb)
