"""The combined report of an organisation audit: one result per repository, the merge of
shard reports, the exit code, the Markdown rendering and the issue that keeps it.

A repository's result is one of ``clean``, ``drifted``, ``error`` (it could not be audited: a
clone refused, a broken go.mod) or ``skipped`` (no Go module), with the repository's own JSON
report. :func:`exit_code` is the one place org-audit's exit code is decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import __version__
from bot.errors import ExitCode, UsageError
from bot.forge.port import Forge, marker_for
from bot.record import field, record
from bot.report.base import STATUS_LABEL
from bot.report.escape import html_text, md_cell, md_code, md_cut, md_text

from .listing import Filters

__all__ = [
    "ORG_ISSUE_LABEL",
    "ORG_ISSUE_MARKER",
    "REPORT_KIND",
    "STATUSES",
    "OrgReport",
    "RepoResult",
    "exit_code",
    "merge_reports",
    "publish_issue",
    "render_markdown",
]

REPORT_KIND = "tidybot-org-audit"
#: Label of the combined report's issue in the central repository.
ORG_ISSUE_LABEL = "tidybot-org-audit"
#: The first line of that issue's body: with the author, what makes an issue tidybot's own.
ORG_ISSUE_MARKER = marker_for("org-audit")
STATUSES = ("clean", "drifted", "error", "skipped")


@record
class RepoResult:
    repo: str
    status: str  # clean, drifted, error, skipped
    reason: str = ""  # the skip reason or the error
    sha: str = ""
    report: Mapping[str, Any] | None = None  # the repository's audit report (JSON report)
    duration: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"repo": self.repo, "status": self.status, "sha": self.sha}
        if self.reason:
            out["reason"] = self.reason
        if self.report is not None:
            out["report"] = self.report
        out["duration"] = round(self.duration, 3)
        return out

    @classmethod
    def from_json(cls, raw: Any, where: str) -> RepoResult:
        if not isinstance(raw, dict) or not isinstance(raw.get("repo"), str):
            raise UsageError(f"{where}: a repository entry without a name")
        status = raw.get("status")
        if status not in STATUSES:
            raise UsageError(f"{where}: {raw['repo']}: unknown status {status!r}")
        report = raw.get("report")
        duration = raw.get("duration")
        return cls(
            repo=raw["repo"],
            status=str(status),
            reason=str(raw.get("reason") or ""),
            sha=str(raw.get("sha") or ""),
            report=report if isinstance(report, dict) else None,
            duration=float(duration) if isinstance(duration, int | float) else 0.0,
        )

    @property
    def summary(self) -> Mapping[str, int]:
        s = (self.report or {}).get("summary")
        return s if isinstance(s, dict) else {}


@record(frozen=False)
class OrgReport:
    org: str
    repositories: list[RepoResult]
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (repo, reason)
    shards: tuple[str, ...] = ()  # the shards this report covers ("" when unsharded)
    listed: int = 0  # repositories in the listing (before filters and sharding)
    filters: Filters = field(default_factory=Filters)
    duration: float = 0.0

    def sort(self) -> None:
        self.repositories.sort(key=lambda r: r.repo.lower())
        self.excluded.sort(key=lambda e: e[0].lower())

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.repositories:
            out[r.status] += 1
        out["repositories"] = len(self.repositories)
        out["excluded"] = len(self.excluded)
        out["drifted_modules"] = sum(int(r.summary.get("drifted", 0)) for r in self.repositories)
        return out

    def to_json(self) -> dict[str, Any]:
        self.sort()
        return {
            "schema_version": 1,
            "kind": REPORT_KIND,
            "tool": {"name": "tidybot", "version": __version__},
            "org": self.org,
            "shards": list(self.shards),
            "listed": self.listed,
            "filters": self.filters.to_json(),
            "summary": self.counts(),
            "repositories": [r.to_json() for r in self.repositories],
            "excluded": [{"repo": r, "reason": why} for r, why in self.excluded],
            "duration": round(self.duration, 3),
        }

    @classmethod
    def from_json(cls, doc: Any, where: str) -> OrgReport:
        if not isinstance(doc, dict) or doc.get("kind") != REPORT_KIND:
            raise UsageError(f"{where}: not a tidybot org-audit JSON report")
        if doc.get("schema_version") != 1:
            raise UsageError(f"{where}: org-audit report version {doc.get('schema_version')!r}")
        excluded = [
            (str(e["repo"]), str(e.get("reason", "")))
            for e in doc.get("excluded") or []
            if isinstance(e, dict) and "repo" in e
        ]
        return cls(
            org=str(doc.get("org") or ""),
            repositories=[RepoResult.from_json(r, where) for r in doc.get("repositories") or []],
            excluded=excluded,
            shards=tuple(str(s) for s in doc.get("shards") or ()),
            listed=int(doc.get("listed") or 0),
            filters=Filters.from_json(doc.get("filters")),
            duration=float(doc.get("duration") or 0.0),
        )


def exit_code(report: OrgReport) -> ExitCode:
    """org-audit's exit code for a finished audit (a run or a merge): 4 when a repository
    could not be audited (it outranks drift), 1 when one drifted, else 0. A run that fails as
    a whole (usage, configuration, GitHub) raises instead and exits 2 through the top-level
    handler; the repositories' own results come from ``bot.exitcodes.exit_code``."""
    from bot.exitcodes import across_repositories

    return across_repositories(r.status for r in report.repositories)


def merge_reports(reports: Sequence[tuple[str, OrgReport]], *, partial: bool = False) -> OrgReport:
    """Join shard reports: one organisation, every shard once, every repository once."""
    if not reports:
        raise UsageError("org-audit merge: no report files given")
    org = reports[0][1].org
    seen_shards: dict[str, str] = {}
    counts: set[int] = set()
    by_repo: dict[str, tuple[str, RepoResult]] = {}
    excluded: dict[str, str] = {}
    for where, rep in reports:
        if rep.org.lower() != org.lower():
            raise UsageError(f"{where}: a report of {rep.org}, not of {org}")
        if rep.filters != reports[0][1].filters:
            raise UsageError(f"{where}: made with other filters than {reports[0][0]}")
        for s in rep.shards or ("1/1",):
            if s in seen_shards:
                raise UsageError(f"{where}: shard {s} is also in {seen_shards[s]}")
            seen_shards[s] = where
            counts.add(int(s.split("/")[1]))
        for r in rep.repositories:
            key = r.repo.lower()
            if key in by_repo:
                raise UsageError(f"{where}: {r.repo} is also in {by_repo[key][0]}")
            by_repo[key] = (where, r)
        excluded.update({repo: why for repo, why in rep.excluded})
    if len(counts) != 1:
        raise UsageError("org-audit merge: the reports come from plans with different --shards")
    total = counts.pop()
    missing = [f"{i}/{total}" for i in range(1, total + 1) if f"{i}/{total}" not in seen_shards]
    if missing and not partial:
        raise UsageError(
            f"org-audit merge: shard {', '.join(missing)} missing",
            hint="download every shard's report (or pass --partial to merge what is there)",
        )
    merged = OrgReport(
        org=org,
        repositories=[r for _, r in by_repo.values()],
        excluded=sorted(excluded.items()),
        shards=tuple(sorted(seen_shards, key=lambda s: int(s.split("/")[0]))),
        listed=max(rep.listed for _, rep in reports),
        filters=reports[0][1].filters,
        duration=max(rep.duration for _, rep in reports),
    )
    merged.sort()
    return merged


def render_markdown(report: OrgReport) -> str:
    """The report as Markdown (stdout, ``--markdown``, the job summary, the issue). Names,
    reasons and everything from the repositories go through ``bot.report.escape``."""
    from bot.report.json import parse_report
    from bot.report.markdown import MarkdownRenderer

    report.sort()
    c = report.counts()
    attention = c["drifted"] + c["error"]
    shards = f" (shards {', '.join(report.shards)})" if report.shards else ""
    lines = [
        f"## tidybot org audit: {md_text(report.org)}{shards}",
        "",
        f"**{attention} of {c['repositories']} repositories need attention**: "
        f"{c['drifted']} drifted ({c['drifted_modules']} modules), {c['error']} failed, "
        f"{c['clean']} clean, {c['skipped']} not Go; {c['excluded']} excluded by the filters.",
        "",
        "| repository | status | modules | drifted | findings | note |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in report.repositories:
        s = r.summary
        note = md_cell(r.reason.splitlines()[0]) if r.reason else ""
        lines.append(
            f"| {md_code(r.repo)} | {STATUS_LABEL[r.status]} | {s.get('modules', '')} | "
            f"{s.get('drifted', '')} | {s.get('findings', '')} | {note} |"
        )
    for r in report.repositories:
        if r.status not in ("drifted", "error") or r.report is None:
            continue
        body = MarkdownRenderer(title=f"{r.repo} at {r.sha[:12]}").render(parse_report(r.report))
        summary = f"<details><summary><code>{html_text(r.repo)}</code></summary>"
        lines.extend(["", summary, "", body, "</details>"])
    if report.excluded:
        lines.extend(["", "<details><summary>Excluded by the filters</summary>", ""])
        lines.extend(f"- {md_code(repo)}: {md_text(why)}" for repo, why in report.excluded)
        lines.extend(["", "</details>"])
    return "\n".join(lines) + "\n"


def publish_issue(report: OrgReport, forge: Forge, markdown: str) -> tuple[str, int]:
    """The combined report as one issue labelled ``tidybot-org-audit``, edited in place.

    Only an open issue that tidybot's own account opened and whose body carries
    :data:`ORG_ISSUE_MARKER` is adopted (``Forge.find_issue_by_label`` checks the author);
    anyone else's issue with the label is never edited, closed or reopened: a new one is
    opened beside it."""
    from bot.audit import BODY_LIMIT

    c = report.counts()
    title = (
        f"tidybot org audit: {report.org}: {c['drifted'] + c['error']} of "
        f"{c['repositories']} repositories need attention"
    )
    body = f"{ORG_ISSUE_MARKER}\n{markdown}"
    body = md_cut(body, BODY_LIMIT, "\n> ✂️ Cut at GitHub's size limit: see the JSON report.\n")
    issue = forge.find_issue_by_label(ORG_ISSUE_LABEL, state="open", marker=ORG_ISSUE_MARKER)
    if issue is None:
        created = forge.create_issue(title, body, (ORG_ISSUE_LABEL,))
        return "created", int(created.number)
    if issue.body == body and issue.title == title:
        return "unchanged", int(issue.number)
    forge.update_issue(issue.number, title=title, body=body)
    return "updated", int(issue.number)
