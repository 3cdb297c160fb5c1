"""Where the GitHub token of an organisation audit may go, and where it may not.

It goes to git only as an ``http.<origin>/.extraHeader`` in the clone's environment
(``GIT_CONFIG_*``, as actions/checkout passes it): never in a URL, an argument, a file or the
environment of any other child (``bot.childenv`` gives go and git an allow-list, and
:func:`without` drops any variable holding the token's value on top of that).

It never leaves in output: every repository's result (its reason and its whole JSON report) is
:func:`redact`-ed when it is made, before the state file, the progress lines, the reports and
the issue see it, and the reports and messages are :func:`scrub`-bed once more on the way out.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = ["auth_header", "clone_env", "redact", "scrub", "without"]

MASK = "***"


def auth_header(token: str) -> str:
    """The header actions/checkout sends: basic auth with the token as password."""
    raw = base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")
    return f"AUTHORIZATION: basic {raw}"


def clone_env(clone_url: str, token: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variables for the clone's git on top of its allowed environment: the token as an extra
    header scoped to the clone URL's origin (after any ``GIT_CONFIG_*`` entries of ``base``),
    LFS objects not downloaded, and never a prompt."""
    src = os.environ if base is None else base
    env: dict[str, str] = {
        "GIT_TERMINAL_PROMPT": "0",
        "GCM_INTERACTIVE": "never",
        "GIT_LFS_SKIP_SMUDGE": "1",
    }
    try:
        n = int(src.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        n = 0
    pairs: list[tuple[str, str]] = []
    if token:
        parts = urlsplit(clone_url)
        origin = f"{parts.scheme}://{parts.netloc}/"
        pairs.append((f"http.{origin}.extraHeader", auth_header(token)))
    for i, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{n + i}"] = key
        env[f"GIT_CONFIG_VALUE_{n + i}"] = value
    env["GIT_CONFIG_COUNT"] = str(n + len(pairs))
    return env


def _forms(token: str) -> tuple[str, ...]:
    """The token as text and as the credential of its header."""
    return (token, auth_header(token).split(" ", 2)[2]) if token else ()


def scrub(text: str, token: str) -> str:
    """``text`` with the token (and its header form) replaced by ``***``."""
    for secret in _forms(token):
        text = text.replace(secret, MASK)
    return text


def redact(value: Any, token: str) -> Any:
    """``value`` (a JSON document: dicts, lists, strings, numbers) with the token scrubbed from
    every string, keys included."""
    if not token:
        return value
    if isinstance(value, str):
        return scrub(value, token)
    if isinstance(value, dict):
        return {scrub(str(k), token): redact(v, token) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, token) for v in value]
    return value


def without(environ: Mapping[str, str], token: str) -> dict[str, str]:
    """``environ`` without the variables whose value is the token (whatever their name)."""
    return {k: v for k, v in environ.items() if not token or v.strip() != token}
