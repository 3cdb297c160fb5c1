"""Finding ids: the one table every output format, the config's ignore list and the docs share.

Each id has a severity, a summary and a docs anchor in README.md ("Findings").
"""

from __future__ import annotations

from bot.engine.model import Severity
from bot.record import record


@record
class Rule:
    """A finding id with its default severity and a one-line summary (the README lists them)."""

    id: str
    severity: Severity
    summary: str

    @property
    def anchor(self) -> str:
        return f"#finding-{self.id}"


_RULES = [
    Rule(
        "missing-require",
        Severity.ERROR,
        "a module that provides an imported package is not required",
    ),
    Rule("unused-require", Severity.WARNING, "a required module provides no package that is used"),
    Rule(
        "duplicate-require",
        Severity.WARNING,
        "a module is required on two lines; tidy keeps only the highest version",
    ),
    Rule("indirect-mismatch", Severity.WARNING, "a `// indirect` comment is missing or wrong"),
    Rule("version-change", Severity.ERROR, "tidy would select a different version"),
    Rule("go-directive", Severity.WARNING, "tidy would change the `go` or `toolchain` line"),
    Rule("missing-sum", Severity.ERROR, "go.sum lacks a checksum the build needs"),
    Rule("stale-sum", Severity.WARNING, "go.sum holds a line tidy would remove"),
    Rule("format", Severity.WARNING, "go.mod or go.sum is not laid out the way go writes it"),
    Rule("work-sync", Severity.WARNING, "`go work sync` would change a module's go.mod"),
    Rule("vendor", Severity.ERROR, "vendor/ does not match what `go mod vendor` would write"),
    Rule("sum-mismatch", Severity.ERROR, "a go.sum hash differs from the checksum database"),
    Rule("sum-unknown", Severity.ERROR, "a go.sum line is not in the checksum database"),
    Rule(
        "sumdb-fork",
        Severity.ERROR,
        "the checksum database showed a tree inconsistent with one seen before",
    ),
    Rule("sum-changed", Severity.ERROR, "the change rewrites a hash already recorded in go.sum"),
    Rule("sum-unverified", Severity.ERROR, "a go.sum line could not be checked"),
    Rule(
        "sum-skipped",
        Severity.NOTE,
        "go.sum lines not checked (GOSUMDB=off, GONOSUMDB, GOPRIVATE)",
    ),
    Rule("sum-malformed", Severity.ERROR, "a go.sum line is malformed"),
    Rule("cache-modified", Severity.ERROR, "a module in the module cache was modified"),
    Rule("config", Severity.WARNING, "an environment or configuration mistake"),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def severity_of(rule_id: str) -> Severity:
    return RULES[rule_id].severity
