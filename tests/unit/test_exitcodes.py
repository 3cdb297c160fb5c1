"""The one exit-code rule, pinned for every finding kind under every policy, and which policy
each command and mode uses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.engine.findings import RULES
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.errors import ExitCode
from bot.exitcodes import AUDIT, CHECK, Policy, exit_code

ROOT = Path(__file__).resolve().parents[2]
LENIENT = Policy(fail_on_drift=False)
LENIENT_AUDIT = Policy(fail_on_drift=False, strict=True)
POLICIES = {
    "check": CHECK,
    "check-lenient": LENIENT,
    "audit": AUDIT,
    "audit-lenient": LENIENT_AUDIT,
}

# The table (README, "Exit codes"), written out rather than derived: a finding reported at
# report level (verify, the audit's config checks) -> exit code under each policy.
REPORT_LEVEL: dict[str, dict[str, int]] = {}
for rule in RULES.values():
    if rule.id == "sum-unverified":
        row = {"check": 2, "check-lenient": 2, "audit": 2, "audit-lenient": 2}
    elif rule.severity is Severity.ERROR:
        row = {"check": 1, "check-lenient": 0, "audit": 1, "audit-lenient": 0}
    elif rule.severity is Severity.WARNING:
        row = {"check": 0, "check-lenient": 0, "audit": 1, "audit-lenient": 0}
    else:
        row = {"check": 0, "check-lenient": 0, "audit": 0, "audit-lenient": 0}
    REPORT_LEVEL[rule.id] = row

EXPECTED_IDS = {
    "missing-require": Severity.ERROR,
    "unused-require": Severity.WARNING,
    "duplicate-require": Severity.WARNING,
    "indirect-mismatch": Severity.WARNING,
    "version-change": Severity.ERROR,
    "go-directive": Severity.WARNING,
    "missing-sum": Severity.ERROR,
    "stale-sum": Severity.WARNING,
    "format": Severity.WARNING,
    "work-sync": Severity.WARNING,
    "vendor": Severity.ERROR,
    "sum-mismatch": Severity.ERROR,
    "sum-unknown": Severity.ERROR,
    "sumdb-fork": Severity.ERROR,
    "sum-changed": Severity.ERROR,
    "sum-unverified": Severity.ERROR,
    "sum-skipped": Severity.NOTE,
    "sum-malformed": Severity.ERROR,
    "cache-modified": Severity.ERROR,
    "config": Severity.WARNING,
}


def _finding(rule_id: str) -> Finding:
    return Finding(".", "go.sum", 1, rule_id, RULES[rule_id].severity, "m")


def _report(modules: tuple[ModuleResult, ...] = (), findings: tuple[Finding, ...] = ()) -> Report:
    return Report(".", "check", modules, findings=findings)


def test_the_table_covers_every_finding_id() -> None:
    assert {r.id: r.severity for r in RULES.values()} == EXPECTED_IDS


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_report_level_finding(rule_id: str, policy: str) -> None:
    report = _report(findings=(_finding(rule_id),))
    assert exit_code(report, POLICIES[policy]) == REPORT_LEVEL[rule_id][policy]


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_module_finding_makes_the_module_drifted(rule_id: str, policy: str) -> None:
    module = ModuleResult(".", "example.com/m", Status.DRIFTED, (_finding(rule_id),))
    expected = 0 if policy.endswith("lenient") else 1
    assert exit_code(_report((module,)), POLICIES[policy]) == expected


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_module_statuses(policy: str) -> None:
    p = POLICIES[policy]
    clean = ModuleResult("a", "m", Status.CLEAN)
    skipped = ModuleResult("b", "m", Status.SKIPPED, error="not affected")
    failed = ModuleResult("c", "m", Status.ERROR, error="go: boom")
    drifted = ModuleResult("d", "m", Status.DRIFTED, (_finding("missing-require"),))
    assert exit_code(_report((clean, skipped)), p) == ExitCode.CLEAN
    assert exit_code(_report((clean, failed)), p) == ExitCode.ERROR
    # errors outrank drift, whatever fail-on-drift says
    assert exit_code(_report((drifted, failed)), p) == ExitCode.ERROR


def test_an_audit_part_that_could_not_run_is_an_error() -> None:
    report = Report(".", "audit", (), extra={"audit": {"errors": ["verify: unreachable"]}})
    assert exit_code(report, AUDIT) == ExitCode.ERROR


def test_a_scheduled_audit_with_a_checksum_mismatch_fails() -> None:
    """The bug this rule fixed: the action's audit mode passed green on sum-mismatch."""
    report = Report(
        ".", "audit", (ModuleResult(".", "m", Status.CLEAN),), findings=(_finding("sum-mismatch"),)
    )
    assert exit_code(report, AUDIT) == ExitCode.DRIFT


# --- which policy each command and mode uses ------------------------------------------------------


def _policies_used(path: Path) -> list[str]:
    """The policy expression of every exit_code(...) call in a source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "exit_code":
            out.append(ast.unparse(node.args[1]) if len(node.args) > 1 else "CHECK")
    return out


def test_each_entry_point_asks_the_one_rule() -> None:
    """check, fix and verify use the default policy; the action's modes pass fail-on-drift
    (and strict for audit); nothing else computes an exit code from a report."""
    assert _policies_used(ROOT / "bot/cli.py") == ["CHECK", "CHECK"]
    assert sorted(_policies_used(ROOT / "bot/action/modes.py")) == [
        "_policy(run)",
        "_policy(run)",
        "_policy(run, strict=True)",
    ]
    computed = []
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "ExitCode.DRIFT" in text and path.name not in ("exitcodes.py", "errors.py"):
            computed.append(path.relative_to(ROOT).as_posix())
    assert computed == [], "exit codes decided outside bot/exitcodes.py"
