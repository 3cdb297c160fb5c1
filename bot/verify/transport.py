"""Bounded HTTP reads: each answer streamed up to a size limit, each request under a deadline.

httpx's timeouts apply to each socket operation, so a server that sends one byte every few
seconds keeps a request alive for ever, and ``Response.content`` holds whatever the server
sends. Here:

* the request's deadline (a ``time.monotonic()`` instant) is kept in a thread-local while the
  request runs (httpx's sync client runs a request on the calling thread), and every socket
  operation (connect, TLS set-up, each write and read, for the headers as for the body) waits
  at most until then. That is done by a network backend (``bot.verify.deadline_backend``)
  wrapped around the client's own (:func:`bound_client`): httpcore documents network
  backends, httpx does not expose the one its transports use, so it is reached through
  their pools. Should a future httpx hide it, the request still gets the time left as its
  httpx timeout and the body is checked against the deadline chunk by chunk; only a server
  that trickles its *headers* would then outlast it (tests/integration/test_verify_limits.py
  has a server that does, and fails then);
* the body is read raw, chunk by chunk, and the read stops as soon as it passes the limit (a
  ``Content-Length`` above it is refused before reading). tidybot asks for no compression
  (``Accept-Encoding: identity``); a server that compresses anyway is decoded incrementally,
  with the limit on the decoded bytes, so a small compressed answer cannot inflate past it;
* redirects are followed here (at most 10, as go's HTTP client), each within the same
  deadline and without reading the redirect's body: httpx would read all of it first.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx

from bot.record import record
from bot.verify.limits import CONNECT_TIMEOUT, MAX_ERROR_DETAIL, REQUEST

__all__ = [
    "Answer",
    "DeadlineError",
    "EncodingError",
    "TooLargeError",
    "bound_client",
    "get_bounded",
]


class DeadlineError(Exception):
    """The request's deadline passed before its answer was complete."""


class TooLargeError(Exception):
    """The answer is larger than its limit; ``str()`` completes "the answer ... bytes"."""

    def __init__(self, limit: int, detail: str = "") -> None:
        super().__init__(detail or f"is larger than {limit}")
        self.limit = limit


class EncodingError(Exception):
    """The answer is compressed in a way tidybot does not read; ``str()`` completes "the
    answer ..."."""


@record
class Answer:
    status: int
    reason: str
    body: bytes  # the whole body of a 200 answer; otherwise b""
    detail: str = ""  # a non-200 answer: the first line of its text, if it has one


# --- deadlines on every socket operation ---------------------------------------------------

_local = REQUEST  # .deadline: the monotonic instant the current request must end by


def bound_client(client: httpx.Client) -> bool:
    """Make every transport of ``client`` (its own and the proxies' it mounted from the
    environment) honour the deadline of :func:`get_bounded`; idempotent. Outside
    :func:`get_bounded` nothing changes. False when a transport's backend could not be
    reached (a future httpx): the deadline is then enforced between reads only."""
    # httpcore is loaded by httpx's transports, i.e. once a client exists; not before (a run
    # answered from the cache never needs it)
    from bot.verify.deadline_backend import DeadlineBackend, is_backend

    transports: list[object] = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    reached = True
    for transport in transports:
        if transport is None:
            continue
        pool: Any = getattr(transport, "_pool", None)
        backend: Any = getattr(pool, "_network_backend", None)
        if isinstance(backend, DeadlineBackend):
            continue
        if not is_backend(backend):
            reached = False
            continue
        pool._network_backend = DeadlineBackend(backend)
    return reached


# --- bounded reads ------------------------------------------------------------------------

MAX_REDIRECTS = 10  # as go's HTTP client
# No compression, whatever the client's defaults: an answer's size is its size on the wire.
_HEADERS = {"Accept-Encoding": "identity"}


def get_bounded(http: httpx.Client, url: str, *, limit: int, deadline: float) -> Answer:
    """GET ``url``: at most ``limit`` bytes of body (0: the body is not wanted), all of it by
    ``deadline``. Raises DeadlineError, TooLargeError, EncodingError, or httpx's errors (a
    timeout once the deadline has passed is a DeadlineError)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlineError
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        request = http.build_request(
            "GET",
            url,
            headers=_HEADERS,
            timeout=httpx.Timeout(left, connect=min(left, CONNECT_TIMEOUT)),
        )
        # Redirects are followed here, not by httpx: it reads a redirect's whole body first.
        for _ in range(MAX_REDIRECTS + 1):
            resp = http.send(request, stream=True, follow_redirects=False)
            try:
                if resp.next_request is not None:
                    request = resp.next_request
                    continue
                if resp.status_code != 200:
                    detail = _detail(resp, deadline)
                    return Answer(resp.status_code, resp.reason_phrase, b"", detail)
                body = _read_body(resp, limit, deadline) if limit else b""
                return Answer(resp.status_code, resp.reason_phrase, body)
            finally:
                resp.close()
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)
    except httpx.TimeoutException as e:
        if time.monotonic() >= deadline:
            raise DeadlineError from e
        raise
    finally:
        _local.deadline = outer


def _chunks(resp: httpx.Response, deadline: float) -> Iterator[bytes]:
    for chunk in resp.iter_raw():
        if time.monotonic() > deadline:
            raise DeadlineError
        yield chunk


def _read_body(resp: httpx.Response, limit: int, deadline: float) -> bytes:
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLargeError(
            limit, f"is {int(length)} bytes long (Content-Length), more than {limit}"
        )
    encoding = resp.headers.get("content-encoding", "identity").strip().lower()
    decoder = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected
    elif encoding not in ("", "identity"):
        raise EncodingError(f"is compressed with {encoding!r}, which tidybot does not read")
    parts: list[bytes] = []
    size = 0
    for raw in _chunks(resp, deadline):
        if decoder is None:
            data = raw
        else:
            try:
                data = decoder.decompress(raw, limit + 1 - size)
            except zlib.error as e:
                raise EncodingError(f"is not valid {encoding} ({e})") from e
        size += len(data)
        if size > limit:
            raise TooLargeError(limit)
        parts.append(data)
    return b"".join(parts)


def _detail(resp: httpx.Response, deadline: float) -> str:
    """The first line of an error answer's text (at most 200 characters), read from at most
    its first few KiB; "" when it has none or cannot be read in time."""
    if resp.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity"):
        return ""
    head = b""
    try:
        for chunk in _chunks(resp, deadline):
            head += chunk
            if len(head) >= MAX_ERROR_DETAIL:
                break
    except (DeadlineError, httpx.HTTPError):
        pass
    text = head[:MAX_ERROR_DETAIL].decode("utf-8", "replace").strip()
    if not text or "\x00" in text:
        return ""
    return text.splitlines()[0][:200]
