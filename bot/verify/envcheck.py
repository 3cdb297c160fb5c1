"""Environment mistakes that weaken checksum verification, as ``config`` findings. Pure.

Reference §3.7-3.10: GONOSUMCHECK is not a Go variable; GOSUMDB=off turns the database off;
GONOSUMDB (or GOPRIVATE, its default) patterns that cover public hosts skip them; GOINSECURE
allows plain-HTTP fetches; ``-insecure`` in GOFLAGS is no flag of today's go.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from bot.engine.model import Finding, Severity
from bot.engine.modpath import match_prefix_patterns

# Public hosts whose modules the checksum database must cover. A pattern that matches a
# made-up repository on one of them skips the whole host.
PUBLIC_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "golang.org",
    "google.golang.org",
    "gopkg.in",
    "go.googlesource.com",
    "k8s.io",
    "sigs.k8s.io",
    "go.uber.org",
    "cloud.google.com",
    "honnef.co",
)
_PROBE = "tidybot-probe-owner/tidybot-probe-repo"


def _config(message: str, why: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(".", "", None, "config", severity, message, why)


def covered_public_hosts(patterns: str) -> list[str]:
    """The public hosts a GONOSUMDB/GOPRIVATE pattern list covers entirely."""
    return [h for h in PUBLIC_HOSTS if match_prefix_patterns(patterns, f"{h}/{_PROBE}")]


def _goflags_words(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def check_env(env: Mapping[str, str]) -> list[Finding]:
    """Findings (id ``config``) for environment settings that weaken or fake verification."""
    out: list[Finding] = []
    if "GONOSUMCHECK" in env:
        out.append(
            _config(
                f"GONOSUMCHECK={env['GONOSUMCHECK']} is not a Go environment variable and does "
                "nothing",
                "go ignores it (it is not in go's list of known variables). To skip the checksum "
                "database for private modules set GONOSUMDB=<globs> or GOPRIVATE=<globs>; to "
                "allow go.sum updates use GOFLAGS=-mod=mod",
            )
        )
    if env.get("GOSUMDB") == "off":
        out.append(
            _config(
                "GOSUMDB=off: no module is checked against the checksum database",
                "new downloads are trusted on first use and a changed hash goes unnoticed. "
                "Fix: unset GOSUMDB and list only private modules in GOPRIVATE or GONOSUMDB",
                Severity.ERROR,
            )
        )
    for var in ("GONOSUMDB", "GOPRIVATE"):
        value = env.get(var, "")
        if not value or (var == "GOPRIVATE" and env.get("GONOSUMDB")):
            continue
        hosts = covered_public_hosts(value)
        if not hosts:
            continue
        everything = len(hosts) == len(PUBLIC_HOSTS)
        what = "every module" if everything else "all modules on " + ", ".join(hosts)
        out.append(
            _config(
                f"{var}={value} skips the checksum database for {what}",
                f"{var} takes globs of private module path prefixes (e.g. "
                f"{var}=github.com/your-org/*,git.example.com); a pattern that covers a public "
                "host turns verification off for every public module there",
                Severity.ERROR,
            )
        )
    if env.get("GOINSECURE"):
        out.append(
            _config(
                f"GOINSECURE={env['GOINSECURE']}: modules matching it may be fetched over plain "
                "HTTP or unverified TLS",
                "it does not turn off the checksum database, but lets a network attacker serve "
                "the direct fetch. Fix: unset it and serve private modules over HTTPS",
            )
        )
    words = _goflags_words(env.get("GOFLAGS", ""))
    if any(w.split("=", 1)[0] in ("-insecure", "--insecure") for w in words):
        out.append(
            _config(
                "GOFLAGS contains -insecure",
                "old go versions let `go get -insecure` skip checksum verification; current go "
                "ignores it in every command but `go get`, which fails with `go: -insecure flag "
                "is no longer supported; use GOINSECURE instead`. Fix: remove it; use "
                "GOINSECURE/GOPRIVATE for the modules that need it",
                Severity.ERROR,
            )
        )
    return out
