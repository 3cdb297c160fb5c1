"""``tidybot org-audit``: every Go repository of an organisation, audited and reported together.

One run lists the organisation's repositories, filters them (archived, forks, topics, name
globs), shallow-clones each one and runs the repository audit (``bot.audit``) on it, ``--jobs``
repositories at a time; each finished repository is recorded in the state file at once, so an
interrupted run resumes where it stopped. ``org-audit plan`` prints the shard matrix for GitHub
Actions, ``org-audit --shard I/N`` audits one shard, ``org-audit merge`` joins the shard reports
into the report one unsharded run would write.

Where things are:

=============  ================================================================================
``listing``    which repositories: ``Filters``, ``Shard``, ``select``, ``plan_matrix``, and the
               organisation client (``bot.forge.github.GitHubOrganisation``: the one GitHub
               client and retry policy of tidybot)
``run``        one run: clone (``bot.gitport``), audit each repository, collect
``state``      the state file that makes a run resumable
``report``     results, the combined report, ``merge_reports``, the Markdown, the report issue
               and ``exit_code`` (0 clean, 1 drift, 4 a repository could not be audited)
``progress``   the progress bar / Actions log groups
``tokens``     where the GitHub token may go (a scoped git header) and where not (any output)
``cli``        ``add_parser`` and ``run_cli``, called by ``bot.cli``
=============  ================================================================================
"""

from __future__ import annotations

from .cli import add_parser, run_cli
from .listing import Filters, RepoInfo, Shard, plan_matrix, select, shard_of
from .progress import Progress
from .report import (
    ORG_ISSUE_LABEL,
    ORG_ISSUE_MARKER,
    OrgReport,
    RepoResult,
    exit_code,
    merge_reports,
    publish_issue,
    render_markdown,
)
from .run import OrgAuditOptions, RepoAuditSettings, audit_repository, run_org_audit
from .state import StateFile
from .tokens import auth_header, clone_env, redact, scrub

__all__ = [
    "ORG_ISSUE_LABEL",
    "ORG_ISSUE_MARKER",
    "Filters",
    "OrgAuditOptions",
    "OrgReport",
    "Progress",
    "RepoAuditSettings",
    "RepoInfo",
    "RepoResult",
    "Shard",
    "StateFile",
    "add_parser",
    "audit_repository",
    "auth_header",
    "clone_env",
    "exit_code",
    "merge_reports",
    "plan_matrix",
    "publish_issue",
    "redact",
    "render_markdown",
    "run_cli",
    "run_org_audit",
    "scrub",
    "select",
    "shard_of",
]
