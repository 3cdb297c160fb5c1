"""Getting proved answers for module versions: threads in one process, shards across processes.

In one process (:func:`lookup_all`), three phases, all lookups of a phase in parallel
(bounded by ``jobs``):

1. fetch every distinct ``path@version`` (on-disk cache first) and open its signed tree note;
2. merge the newest tree head first, so every other head is checked against one tree and
   needs the same tiles on every run (the warm run then finds them all in the cache);
3. prove each record in that tree.

A cold verification of a large go.sum is bound by the CPU of one Python process (HTTP, TLS,
tile hashing: about 1 ms of CPU per request, thousands of requests) long before the network.
:func:`lookup_sharded` splits the module versions into shards, one per process: the calling
process proves the first shard with its own client while worker processes prove the others,
each with its own client over the same on-disk cache (go's cache files are written under
``flock``, so processes share it as concurrent go commands do). Each worker proves its
records in its own latest tree; the caller then merges every worker's latest tree into its
own, which checks that they are all one history. A worker whose tree is not consistent with
the others' has its records reported with that error (a fork), never as verified; a worker
that fails has every line of its shard unverified.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.record import record
from bot.verify.client import Lookup, Stats, SumdbClient, SumdbError, UnavailableError
from bot.verify.limits import RUN_TIMEOUT_ENV, NetLimits
from bot.verify.sumdbenv import SumdbEnv

__all__ = [
    "MIN_PER_PROCESS",
    "Answer",
    "Key",
    "auto_processes",
    "lookup_all",
    "lookup_sharded",
    "worker_main",
]

Key = tuple[str, str]  # (module path, version without /go.mod)

MIN_PER_PROCESS = 128
"""Module versions a worker process must have to be worth starting (a start costs ~0.15 s:
an interpreter and the imports; 128 lookups cost about ten times that in one process)."""

MAX_PROCESSES = 4

WORKER_GRACE = 30.0
"""Seconds a worker may take past the run's deadline (which it keeps itself: after it, it
sends nothing and only reports) before it is stopped and its shard reported unverified."""


@record(frozen=False)
class Answer:
    lines: list[str] | None = None  # the proved record's go.sum lines
    error: SumdbError | None = None


def auto_processes(n_keys: int) -> int:
    """How many processes verify ``n_keys`` module versions: one per available CPU (at most
    4), each with at least :data:`MIN_PER_PROCESS` of them."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES, n_keys // MIN_PER_PROCESS))


def lookup_all(keys: Sequence[Key], client: SumdbClient, jobs: int) -> dict[Key, Answer]:
    """Every key's answer, with ``jobs`` threads of this process."""
    answers: dict[Key, Answer] = {k: Answer() for k in keys}
    fetched: dict[Key, Lookup] = {}

    def fetch(key: Key) -> None:
        try:
            lk = fetched[key] = client.fetch(*key)
        except SumdbError as e:
            answers[key].error = e
            return
        if not lk.from_cache:
            client.prefetch_proofs([lk], lk.tree)  # overlaps the tile reads with lookups

    def prove(key: Key) -> None:
        try:
            answers[key].lines = client.prove(fetched[key])
        except SumdbError as e:
            answers[key].error = e

    with ThreadPoolExecutor(max_workers=max(jobs, 1), thread_name_prefix="sumdb") as pool:
        list(pool.map(fetch, keys))
        if fetched:
            newest = max(fetched, key=lambda k: fetched[k].tree.n)
            prove(newest)
            latest = client.latest  # lookups read in another tree may need other edge tiles
            client.prefetch_proofs(
                [lk for lk in fetched.values() if lk.from_cache or lk.tree != latest]
            )
            list(pool.map(prove, [k for k in fetched if k != newest]))
    for a in answers.values():
        if a.error is None and a.lines is None:  # pragma: no cover - defensive
            a.error = UnavailableError("lookup did not complete")
    return answers


_Work = tuple[SumdbEnv, list[Key], int, NetLimits, float]
_Result = tuple[dict[Key, Answer], Stats, bytes]


def worker_main(work_file: str) -> None:
    """A worker process: reads its shard (pickled) from ``work_file``, writes its answers, its
    client's counts and its latest signed tree (pickled) to stdout. Its deadline is what was
    left of the run's when the parent started it."""
    db, keys, jobs, limits, left = pickle.loads(Path(work_file).read_bytes())  # noqa: S301
    with SumdbClient(db, jobs=jobs, limits=limits, run_left=left) as client:
        answers = lookup_all(keys, client, jobs)
    result: _Result = (answers, client.stats, client.latest_note)
    sys.stdout.buffer.write(pickle.dumps(result))


class _Worker:
    """One worker process: this interpreter, isolated (``-I``: no user site, no PYTHON*
    variables, not the current directory), importing ``bot`` from where this process did, so
    it runs the same code and a checkout's own ``bot/`` directory can never stand in."""

    def __init__(self, work: _Work) -> None:
        import bot

        top = str(Path(bot.__file__).resolve().parent.parent)
        code = (
            f"import sys; sys.path.insert(0, {top!r}); "
            "from bot.verify.lookups import worker_main; worker_main(sys.argv[1])"
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self._failed = ""
        fd, self._work_file = tempfile.mkstemp(prefix="tidybot-verify-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(work, f)
            from bot.childenv import allowed

            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", code, self._work_file],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=allowed(os.environ),  # the worker's settings come in the work file
            )
        except OSError as e:
            self._failed = f"could not start: {e.strerror or e}"
            self._cleanup()

    def _cleanup(self) -> None:
        Path(self._work_file).unlink(missing_ok=True)

    def stop(self) -> None:
        """End the worker now (this process is failing or interrupted)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        self._cleanup()

    def result(self, timeout: float) -> _Result:
        """The worker's result within ``timeout`` seconds; UnavailableError when it failed or
        did not finish in time (then it is stopped)."""
        if self.proc is None:
            raise UnavailableError(f"verification worker {self._failed}")
        try:
            out, err = self.proc.communicate(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            self.stop()
            raise UnavailableError(
                f"verification worker stopped: no answer {WORKER_GRACE:g}s after the deadline "
                f"of the whole verification (${RUN_TIMEOUT_ENV})"
            ) from None
        except OSError as e:
            out, err = b"", str(e).encode()
        finally:
            self._cleanup()
        if self.proc.returncode == 0:
            try:
                res: _Result = pickle.loads(out)  # noqa: S301 - our own child's output
                return res
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
                err = f"unreadable answer ({e})".encode()
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise UnavailableError(
            f"verification worker failed (exit {self.proc.returncode}): {last[0]}"
        )


def lookup_sharded(
    keys: Sequence[Key], client: SumdbClient, jobs: int, processes: int
) -> dict[Key, Answer]:
    """Every key's answer, the keys split over ``processes`` processes (this one included),
    ``jobs`` lookups at once in all. ``client``'s stats count the workers' requests too."""
    shards = [list(keys[i::processes]) for i in range(max(1, processes))]
    shards = [s for s in shards if s]
    if len(shards) < 2:
        return lookup_all(keys, client, jobs)
    per = max(1, -(-jobs // len(shards)))
    left = client.run_left()
    workers = [
        (shard, _Worker((client.db, shard, per, client.limits, left))) for shard in shards[1:]
    ]
    try:
        answers = lookup_all(shards[0], client, per)
    except BaseException:  # interrupted, or a bug: no worker outlives this call
        for _, worker in workers:
            worker.stop()
        raise
    for shard, worker in workers:
        try:
            part, stats, note = worker.result(client.run_left() + WORKER_GRACE)
        except UnavailableError as e:
            answers.update({k: Answer(error=e) for k in shard})
            continue
        client.add_stats(stats)
        if note:
            try:
                client.merge_latest(note)  # one history: the worker's tree and ours
            except SumdbError as e:
                for a in part.values():
                    if a.error is None:
                        a.lines, a.error = None, e
        answers.update(part)
    return answers
