"""The run's secrets, out of reach of every process tidybot starts.

A token in tidybot's environment would be readable by any process of the same user through
``/proc/<pid>/environ`` (``os.environ`` changes nothing there: the kernel shows the environment
the process was started with), and its memory through ``/proc/<pid>/mem``. Before anything else
``tidybot`` therefore

1. takes the secrets it knows (:data:`SECRET_VARS`: the GitHub token, the private-module token)
   and the runner's own tokens (:data:`RUNNER_VARS`: cache writes, cloud OIDC) out of the
   environment;
2. when there were any, starts itself again (``execve``, same process id) with that clean
   environment, handing the secrets over through a pipe: ``/proc/<pid>/environ`` then holds
   none of them;
3. marks itself not dumpable (``PR_SET_DUMPABLE``), so a process of the same user cannot read
   its memory or environment through ``/proc`` either.

Children get an allow-listed environment on top of that (``bot.childenv``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

__all__ = ["RUNNER_VARS", "SECRET_VARS", "Secrets", "isolate", "redact", "take"]

#: Variables holding a secret tidybot itself uses, by what it is.
SECRET_VARS = {
    "INPUT_TOKEN": "github",
    "GITHUB_TOKEN": "github",
    "GH_TOKEN": "github",
    "INPUT_PRIVATE-TOKEN": "private",
    "INPUT_PRIVATE_TOKEN": "private",
    "TIDYBOT_PRIVATE_TOKEN": "private",
}
#: The runner's tokens: tidybot never uses them, and nothing it starts needs them.
RUNNER_VARS = (
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_RUNTIME_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_CACHE_URL",
    "ACTIONS_RESULTS_URL",
)
_FD_VAR = "TIDYBOT_SECRETS_FD"
_PR_SET_DUMPABLE = 4


class Secrets:
    """The secrets of this run, by variable name (what the environment held)."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values = {k: v for k, v in (values or {}).items() if v.strip()}

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def all(self) -> list[str]:
        """Every secret value, longest first (so a token that contains another is replaced
        whole)."""
        return sorted({v.strip() for v in self.values.values() if v.strip()}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        return redact(text, self.all())


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def _token_env(argv: Sequence[str]) -> list[str]:
    """The variable ``org-audit --token-env VAR`` names: a secret too."""
    out = []
    for i, arg in enumerate(argv):
        if arg == "--token-env" and i + 1 < len(argv):
            out.append(argv[i + 1])
        elif arg.startswith("--token-env="):
            out.append(arg.split("=", 1)[1])
    return out


def take(environ: dict[str, str] | os._Environ[str], argv: Sequence[str] = ()) -> Secrets:
    """Remove the secrets and the runner's tokens from ``environ`` (in place) and return them,
    without starting again: for tidybot used as a library or called in-process by tests."""
    return Secrets(_take(environ, argv))


def _take(environ: dict[str, str] | os._Environ[str], argv: Sequence[str] = ()) -> dict[str, str]:
    """Remove the secrets and the runner's tokens from ``environ``; return the secrets, and
    drop any other variable that holds one of them (a workflow may pass a secret twice)."""
    names = [*SECRET_VARS, *_token_env(argv)]
    taken = {k: environ.pop(k) for k in names if k in environ}
    for k in RUNNER_VARS:
        environ.pop(k, None)
    values = {v.strip() for v in taken.values() if v.strip()}
    for k in [k for k, v in environ.items() if v.strip() in values]:
        environ.pop(k)
    return taken


def isolate(argv: Sequence[str]) -> Secrets:
    """Called first by the ``tidybot`` command: the secrets, with the process started again
    without them in its environment when it had any. Returns in the new process."""
    fd = os.environ.pop(_FD_VAR, "")
    if fd.isdigit():
        import json  # only here: a run with no secret never needs it (2 ms, at start-up)

        with os.fdopen(int(fd), "r", encoding="utf-8") as f:
            secrets = Secrets(json.load(f))
        _not_dumpable()
        return secrets
    env = dict(os.environ)
    taken = _take(env, argv)
    if not taken and len(env) == len(os.environ):
        return Secrets()
    import json

    r, w = os.pipe()
    data = json.dumps(taken).encode()
    if len(data) > 60_000:  # a pipe holds 64 KiB without a reader
        os.environ.clear()
        os.environ.update(env)
        return Secrets(taken)
    os.write(w, data)
    os.close(w)
    os.set_inheritable(r, True)
    env[_FD_VAR] = str(r)
    sys.stdout.flush()
    sys.stderr.flush()
    # -I: the interpreter ignores PYTHON* variables and the current directory (the checkout
    # must never provide a module named ``bot``)
    os.execve(sys.executable, [sys.executable, "-I", "-m", "bot", *argv], env)  # noqa: S606
    raise AssertionError("unreachable")  # pragma: no cover


def _not_dumpable() -> None:
    """``prctl(PR_SET_DUMPABLE, 0)`` on Linux: /proc/<pid>/environ and mem become unreadable to
    other processes of the same user (children included)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc/musl
        pass
