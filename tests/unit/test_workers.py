"""The run's worker threads (bot.runner._Workers): every submitted check runs once, at most
``jobs`` at a time; a check's exception reaches whoever waits for it; close() drops what has not
started and leaves no thread behind."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.engine.discover import ModuleRef
from bot.engine.model import ModuleResult, Status
from bot.runner import RunOptions, _Outcome, _Workers
from bot.toolchain import Go


def _ref(name: str) -> ModuleRef:
    return ModuleRef(name, Path("/nonexistent") / name)


def test_results_in_submission_order_at_most_jobs_at_once() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def check(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return _Outcome(ModuleResult(ref.dir, ref.dir, Status.CLEAN))

    workers = _Workers(3)
    go = Go({})
    names = [f"m{i}" for i in range(12)]
    jobs = [workers.submit(check, go, _ref(n), RunOptions()) for n in names]
    assert [j.outcome().result.dir for j in jobs] == names
    workers.close()
    assert peak == 3
    assert not [t for t in threading.enumerate() if t.name.startswith("tidybot-worker")]


def test_an_exception_reaches_the_waiter_and_others_still_run() -> None:
    def check(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
        if ref.dir == "bad":
            raise ValueError("boom")
        return _Outcome(ModuleResult(ref.dir, "", Status.CLEAN))

    workers = _Workers(2)
    bad = workers.submit(check, Go({}), _ref("bad"), RunOptions())
    good = workers.submit(check, Go({}), _ref("good"), RunOptions())
    with pytest.raises(ValueError, match="boom"):
        bad.outcome()
    assert good.outcome().result.status is Status.CLEAN
    workers.close()


def test_close_drops_what_has_not_started() -> None:
    started: list[str] = []
    gate = threading.Event()

    def check(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
        started.append(ref.dir)
        gate.wait(5)
        return _Outcome(ModuleResult(ref.dir, "", Status.CLEAN))

    workers = _Workers(1)
    for n in ("first", "second", "third"):
        workers.submit(check, Go({}), _ref(n), RunOptions())
    while not started:
        time.sleep(0.001)
    closer = threading.Thread(target=workers.close)
    closer.start()
    while any(j is not None for j in workers._todo):  # until close() has dropped the queue
        time.sleep(0.001)
    gate.set()
    closer.join(5)
    assert not closer.is_alive()
    assert started == ["first"]
