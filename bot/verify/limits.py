"""How much verification reads from the checksum database, and how long it waits. Pure.

The database, or a proxy in front of it, is a server on the network: it may answer 400 MB where
a tile is 8 KiB, or send one byte every few seconds and never finish. A timeout on each socket
read bounds neither. So every answer has a size limit for its kind, read by streaming and
stopped at the limit, and every request a wall-clock deadline (connecting, sending, headers and
body together), as does the whole run:

* a hash tile of width W is exactly ``W * 32`` bytes (golang.org/x/mod/sumdb/tlog: a tile of
  height 8 holds at most 256 hashes, 8 KiB); a longer answer is refused as it arrives;
* a lookup answer is the record id, the record (two go.sum lines for a Go module) and the
  signed tree head; a tree head is three lines of text and its signature lines (x/mod's
  ``note.Open`` accepts at most 100). Real ones are about 400 bytes; :data:`MAX_LOOKUP` leaves
  room for 100 signatures with long key names. x/mod's ``ParseTree`` tolerates tree text up to
  1e6 bytes for lines a future format may add; no format adds any, and go reads answers with
  no limit at all, so the limits here are tidybot's own;
* the text of an error answer is read only as far as the one line a message shows.

The deadlines come from the environment of tidybot (not go's): :data:`RUN_TIMEOUT_ENV` for the
run, :data:`REQUEST_TIMEOUT_ENV` for one request. A request past its deadline is retried like a
timeout; once the run's deadline has passed nothing more is sent and every line still waiting
is reported ``sum-unverified``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping

from bot.errors import ConfigError
from bot.record import record

RUN_TIMEOUT_ENV = "TIDYBOT_VERIFY_TIMEOUT"
REQUEST_TIMEOUT_ENV = "TIDYBOT_VERIFY_REQUEST_TIMEOUT"
DEFAULT_RUN_TIMEOUT = 600.0
DEFAULT_REQUEST_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0  # at most this for the TCP and TLS set-up, within the request's deadline

HASH_SIZE = 32
MAX_LOOKUP = 64 * 1024
MAX_ERROR_DETAIL = 4 * 1024


def tile_limit(width: int) -> int:
    """The size of a hash tile of ``width`` hashes: its only valid size, so also its limit."""
    return width * HASH_SIZE


@record
class NetLimits:
    """Wall-clock deadlines, in seconds, for one request and for every request of a run."""

    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    run_timeout: float = DEFAULT_RUN_TIMEOUT


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(
            f"{raw!r} is not a number of seconds greater than 0",
            file=f"${name}",
            hint=f"set {name} to a number of seconds, e.g. {name}={default:g}, or unset it "
            f"(default {default:g})",
        )
    return value


def limits_from_env(env: Mapping[str, str]) -> NetLimits:
    """:class:`NetLimits` from tidybot's environment; ConfigError (exit 2) for a bad value."""
    return NetLimits(
        request_timeout=_seconds(env, REQUEST_TIMEOUT_ENV, DEFAULT_REQUEST_TIMEOUT),
        run_timeout=_seconds(env, RUN_TIMEOUT_ENV, DEFAULT_RUN_TIMEOUT),
    )


# --- the deadline of the request a thread is running ---------------------------------------------

#: .deadline: the monotonic instant the current request must end by (set by
#: ``bot.verify.transport.get_bounded``, read by the network backend of
#: ``bot.verify.deadline_backend``; here so that neither imports the other)
REQUEST = threading.local()


def request_deadline() -> float | None:
    """The deadline of the request this thread is running (None outside get_bounded)."""
    deadline: float | None = getattr(REQUEST, "deadline", None)
    return deadline
