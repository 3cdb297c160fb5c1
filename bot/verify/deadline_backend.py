"""An httpcore network backend whose every socket operation keeps the request's deadline.

Wrapped around the backend of an httpx client's connection pools by
``bot.verify.transport.bound_client``: connecting, the TLS handshake and each write and read
wait at most until the deadline of the request the calling thread is running
(``limits.request_deadline()``), and fail with httpcore's timeout errors once it has
passed. Outside such a request (no deadline) the timeouts pass through unchanged. Its own
module because it imports httpcore, which a run answered from the cache never loads.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpcore

from bot.verify.limits import request_deadline

__all__ = ["DeadlineBackend", "is_backend"]


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """``timeout`` cut to the time left before this thread's request deadline."""
    deadline = request_deadline()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc("the request's deadline passed")
    return left if timeout is None or timeout > left else timeout


def is_backend(obj: object) -> bool:
    return isinstance(obj, httpcore.NetworkBackend)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # the handshake is one call; CPython bounds all of it by the socket timeout given
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, _bounded(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
