"""Credentials for private modules, for one run only.

A token given as an input (never in the config file) is made available to ``go`` and ``git``
without ever appearing on a command line, in a log or in a report:

* for a private module proxy: a netrc file (``machine <host[:port]> login <user> password
  <token>``) that go reads through ``NETRC`` with ``GOAUTH=netrc`` (go sends it over HTTPS
  only);
* for a private git host: ``url.<rewritten>.insteadOf`` rules scoped to the named
  organisations, and a credential helper, both passed as ``GIT_CONFIG_COUNT`` /
  ``GIT_CONFIG_KEY_n`` / ``GIT_CONFIG_VALUE_n`` environment variables (never the user's git
  config). The rewritten URL carries only a user name that no other URL has, so the helper
  answers for these organisations and nothing else; the helper reads the token from a file.

Everything lives in a private (0700) temporary directory with 0600 files and is removed when
the context manager exits, even on error.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from bot.errors import ConfigError
from bot.record import field, record

__all__ = ["Credentials", "private_access"]

_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]+)?")
_ORG = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
GIT_USER = "tidybot-x-access-token"  # a user name only the rewritten URLs carry


@record
class Credentials:
    token: str = field(repr=False)
    proxy_hosts: tuple[str, ...] = ()  # host[:port] of private proxies that get the token
    proxy_user: str = "x-access-token"
    git_host: str = ""  # e.g. github.com; "" = no git rules
    git_orgs: tuple[str, ...] = ()
    git_login: str = "x-access-token"  # what the git host expects as user name with a token

    def __post_init__(self) -> None:
        if not self.token or any(c.isspace() for c in self.token):
            raise ConfigError("the private-module token is empty or contains whitespace")
        for h in (*self.proxy_hosts, *([self.git_host] if self.git_host else [])):
            if not _HOST.fullmatch(h):
                raise ConfigError(f"{h!r} is not a host name (expected host or host:port)")
        for o in self.git_orgs:
            if not _ORG.fullmatch(o):
                raise ConfigError(f"{o!r} is not an organisation name")
        if self.git_orgs and not self.git_host:
            raise ConfigError("git organisations given without a git host")
        if any(c.isspace() for c in self.proxy_user + self.git_login):
            raise ConfigError("a user name for private modules contains whitespace")


def _write_private(path: Path, data: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(data)


@contextlib.contextmanager
def private_access(
    creds: Credentials, base_env: Mapping[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """Yield the environment variables that give go and git the token for this run.

    ``base_env`` is the environment the variables will be added to: existing
    ``GIT_CONFIG_COUNT`` entries there are kept (ours are appended after them).
    """
    base = dict(os.environ if base_env is None else base_env)
    tmp = Path(tempfile.mkdtemp(prefix="tidybot-cred-"))
    try:
        tmp.chmod(stat.S_IRWXU)
        env: dict[str, str] = {}
        if creds.proxy_hosts:
            netrc = tmp / "netrc"
            _write_private(
                netrc,
                "".join(
                    f"machine {h} login {creds.proxy_user} password {creds.token}\n"
                    for h in creds.proxy_hosts
                ),
            )
            env["NETRC"] = str(netrc)
            env["GOAUTH"] = "netrc"
        if creds.git_host and creds.git_orgs:
            token_file = tmp / "git-token"
            _write_private(token_file, creds.token)
            env.update(_git_env(creds, token_file, base))
        yield env
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _git_env(creds: Credentials, token_file: Path, base: Mapping[str, str]) -> dict[str, str]:
    try:
        start = int(base.get("GIT_CONFIG_COUNT", "0") or "0")
    except ValueError:
        start = 0
    host = creds.git_host
    entries: list[tuple[str, str]] = []
    for org in creds.git_orgs:
        target = f"https://{GIT_USER}@{host}/{org}/"
        for source in (f"https://{host}/{org}/", f"ssh://git@{host}/{org}/", f"git@{host}:{org}/"):
            entries.append((f"url.{target}.insteadOf", source))
    helper = (
        '!f() { test "$1" = get || exit 0; '
        f"echo username={shlex.quote(creds.git_login)}; "
        f"printf 'password=%s\\n' \"$(cat {shlex.quote(str(token_file))})\"; }}; f"
    )
    scope = f"credential.https://{GIT_USER}@{host}"
    entries.append((f"{scope}.helper", ""))  # drop helpers from other config for this scope
    entries.append((f"{scope}.helper", helper))
    env = {"GIT_CONFIG_COUNT": str(start + len(entries))}
    for i, (k, v) in enumerate(entries, start=start):
        env[f"GIT_CONFIG_KEY_{i}"] = k
        env[f"GIT_CONFIG_VALUE_{i}"] = v
    return env
