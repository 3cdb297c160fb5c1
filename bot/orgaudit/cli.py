"""``tidybot org-audit`` on the command line: the arguments (``add_parser``, called by
``bot.cli``) and the run (``run_cli``): audit, ``plan`` or ``merge``, then the outputs.

The exit code of a finished audit or merge is ``report.exit_code`` (0 clean, 1 drift, 4 a
repository could not be audited); a run that fails as a whole raises a ``TidybotError`` (2)
for the top-level handler of ``bot.cli``, its message scrubbed of the token.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from bot.errors import ConfigError, ExitCode, TidybotError, UsageError
from bot.fsutil import atomic_write

from .listing import Filters, Shard, organisation, plan_matrix
from .report import OrgReport, exit_code, merge_reports, publish_issue, render_markdown
from .run import OrgAuditOptions, RepoAuditSettings, run_org_audit
from .tokens import redact, scrub, without

__all__ = ["add_parser", "run_cli"]

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE", help="write the combined JSON report to FILE")
    p.add_argument("--markdown", metavar="FILE", help="write the markdown report to FILE")
    p.add_argument(
        "--issue-repo",
        metavar="OWNER/NAME",
        help="also keep the report as one issue (label tidybot-org-audit) in this repository",
    )
    p.add_argument("--api-url", default=None, help="REST API URL (default: $GITHUB_API_URL)")
    p.add_argument(
        "--token-env",
        default="GITHUB_TOKEN",
        metavar="VAR",
        help="environment variable holding the token (default: GITHUB_TOKEN)",
    )


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """``org-audit`` with its ``plan`` and ``merge`` subcommands (called by ``bot.cli``)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "org-audit", help="audit every Go repository of an organisation"
    )
    p.add_argument("--org", help="the organisation (login) to audit")
    p.add_argument("--shard", metavar="I/N", help="audit shard I of N (see `org-audit plan`)")
    p.add_argument("--jobs", "-j", type=_positive, default=4, help="repositories at once (4)")
    p.add_argument("--go-jobs", type=_positive, default=2, help="modules at once per repo (2)")
    p.add_argument("--state", metavar="FILE", help="resume from / record progress in FILE")
    p.add_argument("--no-verify", action="store_true", help="skip the checksum database")
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="names to audit")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="names to skip")
    p.add_argument("--topic", action="append", default=[], help="only repositories with a topic")
    p.add_argument("--include-archived", action="store_true", help="audit archived repositories")
    p.add_argument("--include-forks", action="store_true", help="audit forks")
    p.add_argument("--workdir", metavar="DIR", help="where clones go (default: a temp dir)")
    _outputs(p)
    subs = p.add_subparsers(dest="org_command", metavar="SUBCOMMAND", parser_class=type(p))
    plan = subs.add_parser("plan", help="print the GitHub Actions matrix for N shards")
    plan.add_argument("--shards", type=_positive, required=True, help="number of shards")
    merge = subs.add_parser("merge", help="join the shard reports into one")
    merge.add_argument("reports", nargs="+", metavar="REPORT.json", help="shard JSON reports")
    merge.add_argument("--partial", action="store_true", help="allow missing shards")
    _outputs(merge)
    return p


def _token(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    name = args.token_env or "GITHUB_TOKEN"
    return (environ.get(name) or environ.get("GH_TOKEN") or "").strip()


def _api_url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    return (args.api_url or environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")


def run_cli(
    args: argparse.Namespace,
    environ: Mapping[str, str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run ``org-audit`` (or its ``plan``/``merge``); returns the exit code. Errors of the run
    itself are raised, scrubbed of the token."""
    env = os.environ if environ is None else environ
    token = _token(args, env)
    try:
        return _run_cli(args, env, token, stdout or sys.stdout, stderr or sys.stderr)
    except TidybotError as e:
        e.message = scrub(e.message, token)
        e.hint = scrub(e.hint, token) if e.hint else e.hint
        raise


def _run_cli(
    args: argparse.Namespace, env: Mapping[str, str], token: str, out: IO[str], err: IO[str]
) -> int:
    if args.org_command == "plan":
        out.write(json.dumps(plan_matrix(args.shards)) + "\n")
        return int(ExitCode.CLEAN)
    if args.issue_repo and not _REPO.match(args.issue_repo):
        raise UsageError(f"--issue-repo {args.issue_repo!r}: expected owner/name")
    if args.issue_repo and not token:
        raise ConfigError(f"--issue-repo needs a token in ${args.token_env}")
    if args.org_command == "merge":
        loaded = []
        for name in args.reports:
            try:
                doc = json.loads(Path(name).read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise UsageError(f"{name}: no such report file") from None
            except (OSError, UnicodeDecodeError, ValueError) as e:
                raise UsageError(f"{name}: not a readable JSON report: {e}") from None
            loaded.append((name, OrgReport.from_json(doc, name)))
        report = merge_reports(loaded, partial=args.partial)
    else:
        report = _audit(args, env, token, err)
    markdown = write_outputs(report, args, env, token)
    if env.get("GITHUB_ACTIONS") == "true":  # stdout is the job log: the report is data there
        from bot.report.escape import stop_commands

        start, body, end = stop_commands(markdown.rstrip("\n"))
        out.write(f"{start}\n{body}\n{end}\n")
    else:
        out.write(markdown)
    if args.issue_repo:
        from bot.forge.github import GitHubForge

        forge = GitHubForge(args.issue_repo, token, base_url=_api_url(args, env))
        what, number = publish_issue(report, forge, markdown)
        err.write(f"tidybot: report issue #{number} in {args.issue_repo} {what}\n")
    return int(exit_code(report))


def write_outputs(
    report: OrgReport, args: argparse.Namespace, environ: Mapping[str, str], token: str = ""
) -> str:
    """The JSON and Markdown files and the job summary; returns the Markdown. The token is
    scrubbed once more on the way out (a merge reads reports written by other runs)."""
    doc = json.dumps(redact(report.to_json(), token), indent=2) + "\n"
    markdown = scrub(render_markdown(report), token)
    for target, text in ((args.json, doc), (args.markdown, markdown)):
        if target:
            try:
                atomic_write(Path(target), text.encode("utf-8"))
            except OSError as e:
                raise UsageError(f"{target}: cannot write the report: {e.strerror or e}") from e
    summary = environ.get("GITHUB_STEP_SUMMARY", "")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(markdown)
    return markdown


def _audit(args: argparse.Namespace, env: Mapping[str, str], token: str, err: IO[str]) -> OrgReport:
    from bot.gitport import git_timeout

    if not args.org:
        raise UsageError("org-audit needs --org NAME", hint="e.g. tidybot org-audit --org acme")
    if not _NAME.match(args.org):
        raise UsageError(f"--org {args.org!r} is not a GitHub organisation name")
    shard = Shard.parse(args.shard) if args.shard else None
    git_timeout(env)  # a bad TIDYBOT_GIT_TIMEOUT stops the run, not each repository
    if not token:
        err.write(
            f"tidybot: warning: ${args.token_env} is empty: only public repositories, "
            "at the unauthenticated rate limit\n"
        )
    elif env.get("GITHUB_ACTIONS") == "true":
        err.write(f"::add-mask::{token}\n")
    options = OrgAuditOptions(
        org=args.org,
        filters=Filters(
            tuple(args.include),
            tuple(args.exclude),
            tuple(args.topic),
            args.include_archived,
            args.include_forks,
        ),
        shard=shard,
        jobs=args.jobs,
        settings=RepoAuditSettings(
            verify=not args.no_verify, go_jobs=args.go_jobs, base_env=without(env, token)
        ),
        state=Path(args.state) if args.state else None,
        workdir=Path(args.workdir) if args.workdir else None,
    )

    def on_wait(text: str) -> None:
        err.write(f"tidybot: {text}\n")

    lister = organisation(token, _api_url(args, env), env, on_wait)
    return run_org_audit(lister, options, token, err, environ=env)
