"""The one exit-code rule: a report and a policy in, the exit code out.

Every command asks this function: ``tidybot check|fix|verify``, every mode of ``tidybot action``
(audit included) and ``tidybot org-audit`` for each repository. The table (README, "Exit codes"):

* 3 - a bug (decided by the top-level handlers, never here);
* 2 - something could not be checked: a module in status ``error``, a report finding that says
  a line or file could not be checked (:data:`UNCHECKED`), or a part of an audit that could not
  run. Errors outrank drift;
* 1 - drift: a module in status ``drifted``, or a report-level finding of severity ``error``
  (``sum-mismatch``, ``sumdb-fork``, ...), or of severity ``warning`` under a strict policy
  (the scheduled audit shows warnings on its dashboard, so they are "attention" there);
  with ``fail_on_drift=False`` drift exits 0;
* 0 - everything else.

``tidybot org-audit`` gives each repository its code by :func:`exit_code` under :data:`AUDIT`,
and the run one code over them (:func:`across_repositories`): 4 when a repository could not be
audited (it outranks drift), 1 when one drifted, else 0; the run failing as a whole is 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.engine.model import Report, Severity, Status
from bot.errors import ExitCode
from bot.record import record

#: Report findings that mean "this could not be checked" rather than "this is off".
UNCHECKED = frozenset({"sum-unverified"})


@record
class Policy:
    """How a command turns what it found into an exit code."""

    #: drift exits 1 (the action's ``fail-on-drift``; always true on the command line)
    fail_on_drift: bool = True
    #: report-level warnings count as drift (the scheduled audit and org-audit)
    strict: bool = False


CHECK = Policy()
AUDIT = Policy(strict=True)


def audit_errors(report: Report) -> list[str]:
    """The parts of an audit that could not run (workspace sync, vendoring, verify)."""
    parts = report.extra.get("audit")
    errors = parts.get("errors") if isinstance(parts, Mapping) else None
    return [str(e) for e in errors] if isinstance(errors, list) else []


def has_error(report: Report) -> bool:
    """Something could not be checked."""
    return (
        any(m.status is Status.ERROR for m in report.modules)
        or any(f.id in UNCHECKED for f in report.findings)
        or bool(audit_errors(report))
    )


def has_drift(report: Report, policy: Policy = CHECK) -> bool:
    """Something is off: a drifted module or a report finding the policy counts."""
    if any(m.status is Status.DRIFTED for m in report.modules):
        return True
    counted = (Severity.ERROR, Severity.WARNING) if policy.strict else (Severity.ERROR,)
    return any(f.severity in counted for f in report.findings if f.id not in UNCHECKED)


def exit_code(report: Report, policy: Policy = CHECK) -> ExitCode:
    """The exit code of a run that produced ``report`` (errors outrank drift)."""
    if has_error(report):
        return ExitCode.ERROR
    if has_drift(report, policy):
        return ExitCode.DRIFT if policy.fail_on_drift else ExitCode.CLEAN
    return ExitCode.CLEAN


def across_repositories(statuses: Iterable[str]) -> ExitCode:
    """org-audit's code from its repositories' statuses (``clean``, ``drifted``, ``error``,
    ``skipped``): a repository that could not be audited outranks drift."""
    seen = set(statuses)
    if "error" in seen:
        return ExitCode.REPOSITORY_FAILED
    return ExitCode.DRIFT if "drifted" in seen else ExitCode.CLEAN
