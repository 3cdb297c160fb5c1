"""Where the checksum database is and which modules it covers, read from the environment.

Pure: reads a ``Mapping[str, str]`` the caller layered the way go does (process environment,
GOENV file, $GOROOT/go.env); unset variables take go.env's defaults. Reference §3.7, §3.8.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from bot.engine.modpath import match_prefix_patterns
from bot.errors import ConfigError
from bot.record import record
from bot.verify.note import NoteError, Verifier, parse_verifier

DEFAULT_GOPROXY = "https://proxy.golang.org,direct"
DEFAULT_GOSUMDB = "sum.golang.org"

# go: src/cmd/go/internal/modfetch/key.go knownGOSUMDB (reference §4.1; the key hash checks).
KNOWN_GOSUMDB = {
    "sum.golang.org": "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
}

_GOSUMDB_HINT = (
    "set GOSUMDB to 'sum.golang.org', 'off', '<name>+<hash>+<key>' or '<name>+<hash>+<key> <url>'"
)


@record
class ProxyEntry:
    url: str  # "https://...", "file://...", or the keywords "direct", "off", "noproxy"
    fallback_on_error: bool = False  # the entry is followed by '|'


@record
class SumdbEnv:
    """The checksum database settings of one environment."""

    off: bool  # GOSUMDB=off
    name: str  # database name, e.g. "sum.golang.org" ("" when off)
    verifier: Verifier | None
    url: str | None  # explicit URL from GOSUMDB (bypasses proxies)
    proxies: tuple[ProxyEntry, ...]
    nosumdb: str  # GONOSUMDB, defaulting to GOPRIVATE
    nosumdb_source: str  # "GONOSUMDB" or "GOPRIVATE": which variable the patterns came from
    gomodcache: Path
    sumdb_dir: Path  # $GOPATH/pkg/sumdb: where go keeps <name>/latest

    def skip_reason(self, module_path: str) -> str | None:
        """Why a module's lines are not looked up, or None when they are."""
        if self.off:
            return "GOSUMDB=off"
        if self.nosumdb and match_prefix_patterns(self.nosumdb, module_path):
            return self.nosumdb_source
        return None

    @property
    def direct_url(self) -> str:
        return f"https://{self.name}"


def getenv(env: Mapping[str, str], name: str, default: str = "") -> str:
    """go's rule: an empty value counts as unset."""
    return env.get(name) or default


def gopath_first(env: Mapping[str, str]) -> Path:
    gopath = getenv(env, "GOPATH")
    if gopath:
        first = gopath.split(os.pathsep)[0]
        if first:
            return Path(first)
    home = getenv(env, "HOME") or os.path.expanduser("~")
    return Path(home) / "go"


def gomodcache_dir(env: Mapping[str, str]) -> Path:
    cache = getenv(env, "GOMODCACHE")
    return Path(cache) if cache else gopath_first(env) / "pkg" / "mod"


def parse_goproxy(env: Mapping[str, str]) -> tuple[ProxyEntry, ...]:
    """go's proxyList(): entries up to the first ``direct``/``off``, with their fallback mode."""
    value = env.get("GOPROXY")
    if value is None or value == "":
        value = DEFAULT_GOPROXY
    out: list[ProxyEntry] = []
    noproxy = getenv(env, "GONOPROXY") or getenv(env, "GOPRIVATE")
    if noproxy and value != "direct":
        out.append(ProxyEntry("noproxy"))
    rest = value
    while rest:
        cut = min((i for i in (rest.find(","), rest.find("|")) if i >= 0), default=-1)
        if cut < 0:
            entry, fallback, rest = rest, False, ""
        else:
            entry, fallback, rest = rest[:cut], rest[cut] == "|", rest[cut + 1 :]
        entry = entry.strip()
        if not entry:
            continue
        if entry in ("off", "direct"):
            out.append(ProxyEntry(entry, fallback))
            break
        if entry == "noproxy":
            raise ConfigError(
                "invalid proxy URL missing scheme: noproxy", file="$GOPROXY", hint=_proxy_hint()
            )
        if any(c in entry for c in ".:/") and ":/" not in entry and not os.path.isabs(entry):
            entry = "https://" + entry
        scheme = urlsplit(entry).scheme
        if not scheme:
            raise ConfigError(
                f"invalid proxy URL missing scheme: {entry}", file="$GOPROXY", hint=_proxy_hint()
            )
        if scheme not in ("https", "http", "file"):
            raise ConfigError(
                f"invalid proxy URL scheme (must be https, http, file): {entry}",
                file="$GOPROXY",
                hint=_proxy_hint(),
            )
        out.append(ProxyEntry(entry.rstrip("/"), fallback))
    if not [p for p in out if p.url != "noproxy"]:
        raise ConfigError(
            "GOPROXY list is not the empty string, but contains no entries",
            file="$GOPROXY",
            hint=_proxy_hint(),
        )
    return tuple(out)


def _proxy_hint() -> str:
    return (
        "set GOPROXY to a comma-separated list of proxy URLs, e.g. https://proxy.golang.org,direct"
    )


def parse_sumdb_env(env: Mapping[str, str]) -> SumdbEnv:
    """Read GOSUMDB, GOPROXY, GONOSUMDB/GOPRIVATE, GOPATH and GOMODCACHE like go does.

    Raises ConfigError (naming the variable and the fix) for a GOSUMDB go would reject.
    """
    gosumdb = getenv(env, "GOSUMDB", DEFAULT_GOSUMDB)
    nosumdb = getenv(env, "GONOSUMDB")
    source = "GONOSUMDB"
    if not nosumdb:
        nosumdb, source = getenv(env, "GOPRIVATE"), "GOPRIVATE"
    modcache = gomodcache_dir(env)
    sumdb_dir = gopath_first(env) / "pkg" / "sumdb"
    if gosumdb == "off":
        return SumdbEnv(True, "", None, None, (), nosumdb, source, modcache, sumdb_dir)
    if gosumdb == "sum.golang.google.cn":
        gosumdb = "sum.golang.org https://sum.golang.google.cn"
    fields = gosumdb.split()
    if not fields:
        raise ConfigError("missing GOSUMDB", file="$GOSUMDB", hint=_GOSUMDB_HINT)
    if len(fields) > 2:
        raise ConfigError("invalid GOSUMDB: too many fields", file="$GOSUMDB", hint=_GOSUMDB_HINT)
    key = KNOWN_GOSUMDB.get(fields[0], fields[0])
    try:
        verifier = parse_verifier(key)
    except NoteError as e:
        raise ConfigError(f"invalid GOSUMDB: {e}", file="$GOSUMDB", hint=_GOSUMDB_HINT) from e
    name = verifier.name
    parsed = urlsplit("https://" + name)
    if (
        name.endswith("/")
        or not parsed.hostname
        or parsed.query
        or parsed.fragment
        or "@" in parsed.netloc
        or "%" in name
    ):
        raise ConfigError(
            f"invalid sumdb name (must be host[/path]): {name}", file="$GOSUMDB", hint=_GOSUMDB_HINT
        )
    url = None
    if len(fields) == 2:
        u = urlsplit(fields[1])
        if u.scheme not in ("https", "http", "file") or (u.scheme != "file" and not u.netloc):
            raise ConfigError(
                f"invalid GOSUMDB URL: {fields[1]}", file="$GOSUMDB", hint=_GOSUMDB_HINT
            )
        url = fields[1].rstrip("/")
    return SumdbEnv(
        False, name, verifier, url, parse_goproxy(env), nosumdb, source, modcache, sumdb_dir
    )
