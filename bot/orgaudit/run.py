"""One organisation audit: list, select, resume, clone and audit each repository (``jobs`` at
a time), and collect the results into one report.

Each repository is shallow-cloned through the git port (``bot.gitport.clone``: a git child with
the allow-listed environment of ``bot.childenv`` plus the token's scoped header) and audited by
the repository audit (``bot.audit``), whose report becomes the repository's result through the
one exit-code rule (``bot.exitcodes``). Every failure of one repository is that repository's
result; the others go on. Each result is appended to the state file as soon as it exists, so an
interrupted run (Ctrl-C, SIGTERM: ``bot.cli.main``) resumes without auditing anything twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

from bot.errors import ForgeError, TidybotError
from bot.forge.port import Organisation
from bot.record import field, record, replace

from .listing import Filters, RepoInfo, Shard, select
from .progress import Progress
from .report import OrgReport, RepoResult
from .state import StateFile
from .tokens import clone_env, redact, scrub

__all__ = [
    "Cancelled",
    "OrgAuditOptions",
    "RepoAuditSettings",
    "audit_repository",
    "clone",
    "run_org_audit",
]


@record
class RepoAuditSettings:
    verify: bool = True
    go_jobs: int = 2
    #: the environment go and git start from (os.environ without the token; each child then
    #: gets the allow-list of ``bot.childenv``)
    base_env: Mapping[str, str] | None = None


@record
class OrgAuditOptions:
    org: str
    filters: Filters = field(default_factory=Filters)
    shard: Shard | None = None
    jobs: int = 4  # repositories at once
    settings: RepoAuditSettings = field(default_factory=RepoAuditSettings)
    state: Path | None = None
    workdir: Path | None = None  # where clones go (default: a temporary directory)

    def state_key(self) -> dict[str, object]:
        return {
            "org": self.org.lower(),
            "shard": str(self.shard) if self.shard else None,
            "filters": self.filters.to_json(),
            "verify": self.settings.verify,
        }


class Cancelled(Exception):
    """The run was interrupted: the repository was not finished."""


def clone(repo: RepoInfo, dest: Path, token: str, environ: Mapping[str, str] | None = None) -> str:
    """Shallow clone of the default branch; returns its commit. Errors name the repository."""
    from bot.gitport import GitError
    from bot.gitport import clone as git_clone

    if not repo.clone_url.startswith(("https://", "http://")):
        raise ForgeError(f"{repo.full_name}: clone URL {repo.clone_url!r} is not http(s)")
    base = os.environ if environ is None else environ
    try:
        return git_clone(
            repo.clone_url,
            dest,
            branch=repo.default_branch,
            environ=base,
            extra_env=clone_env(repo.clone_url, token, base),
        )
    except GitError as e:
        raise ForgeError(f"{repo.full_name}: {scrub(e.message, token)}") from None


def audit_repository(
    repo: RepoInfo,
    token: str,
    workdir: Path,
    settings: RepoAuditSettings,
    stop: threading.Event | None = None,
) -> RepoResult:
    """Clone and audit one repository; every failure becomes its result. The result carries
    no trace of the token (its reason and its whole report are redacted)."""
    from bot.audit import AuditOptions, audit
    from bot.config import load_config
    from bot.engine.discover import discover
    from bot.exitcodes import AUDIT, exit_code
    from bot.options import Request, resolve
    from bot.report.json import JsonRenderer

    start = time.monotonic()
    dest = Path(tempfile.mkdtemp(prefix="repo-", dir=workdir))

    def done(status: str, reason: str = "", sha: str = "", report: Any = None) -> RepoResult:
        return RepoResult(
            repo.full_name,
            status,
            scrub(reason, token),
            sha,
            redact(report, token),
            time.monotonic() - start,
        )

    try:
        if stop is not None and stop.is_set():
            raise Cancelled
        root = dest / "src"
        try:
            sha = clone(repo, root, token, settings.base_env)
        except TidybotError as e:
            return done("error", e.message)
        if stop is not None and stop.is_set():
            raise Cancelled
        try:
            config = load_config(root)
            if not [m for m in discover(root, (), ()) if config.is_included(m.dir)]:
                return done("skipped", "not a Go repository (no go.mod)", sha)
            # one token serves every repository, and whoever may push to one of them may not
            # act for the others: each tree is someone else's code (its go.env is not read, its
            # config chooses no toolchain and no private module source; SECURITY.md)
            run = resolve(
                root,
                Request(jobs=settings.go_jobs, untrusted=True),
                settings.base_env or os.environ,
            ).options
            report = audit(root, AuditOptions(run=run, verify=settings.verify, jobs=2))
        except TidybotError as e:
            return done("error", str(e).replace(str(root) + "/", ""), sha)
        report = replace(report, root=repo.full_name)
        doc = json.loads(JsonRenderer().render(report))
        doc.pop("root", None)
        code = int(exit_code(report, AUDIT))  # the one rule names the repository's status
        status = "clean" if code == 0 else "drifted" if code == 1 else "error"
        return done(status, _first_error(doc) if status == "error" else "", sha, doc)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def _first_error(doc: Mapping[str, Any]) -> str:
    for m in doc.get("modules") or []:
        if isinstance(m, dict) and m.get("status") == "error":
            return f"{m.get('dir')}: {str(m.get('error', '')).splitlines()[0]}"
    audit = doc.get("audit")
    errors = audit.get("errors") if isinstance(audit, dict) else None
    return str(errors[0]) if errors else "the audit failed"


def run_org_audit(
    lister: Organisation,
    options: OrgAuditOptions,
    token: str,
    progress_out: IO[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> OrgReport:
    """List, filter, shard, resume, audit (``options.jobs`` at a time) and collect."""
    env = os.environ if environ is None else environ
    start = time.monotonic()
    out = progress_out or sys.stderr
    listing = lister.list_repositories(options.org)
    chosen, excluded = select(listing, options.filters, options.shard)
    state = StateFile(options.state, options.state_key()) if options.state else None
    done = state.load() if state else {}
    if state is not None:
        state.start()
    progress = Progress(len(chosen), out, Progress.pick(out, env))
    results: dict[str, RepoResult] = {}
    todo: list[RepoInfo] = []
    for repo in chosen:
        prev = done.get(repo.full_name.lower())
        if prev is not None:  # redacted again: the file may come from another version
            prev = replace(
                prev, reason=scrub(prev.reason, token), report=redact(prev.report, token)
            )
            results[repo.full_name.lower()] = prev
            progress.update(prev, resumed=True)
        else:
            todo.append(repo)
    if done:
        progress.note(
            f"tidybot: resuming from {options.state}: {len(results)} done, {len(todo)} to go"
        )
    stop = threading.Event()
    recorded: set[Future[RepoResult]] = set()

    def record(repo: RepoInfo, fut: Future[RepoResult]) -> None:
        recorded.add(fut)
        try:
            result = fut.result()
        except Cancelled:
            return
        except Exception as e:  # a bug met in one repository: record it, go on
            result = RepoResult(repo.full_name, "error", scrub(f"internal error: {e!r}", token))
        results[result.repo.lower()] = result
        if state is not None:
            state.append(result)
        progress.update(result)

    with _workdir(options.workdir) as workdir:
        pool = ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="audit")
        futures: dict[Future[RepoResult], RepoInfo] = {}
        try:
            for repo in todo:
                fut = pool.submit(audit_repository, repo, token, workdir, options.settings, stop)
                futures[fut] = repo
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    record(futures[fut], fut)
        except BaseException:
            # interrupted: start nothing new, keep what the running audits finish
            stop.set()
            for fut in futures:
                fut.cancel()
            running = [f for f in futures if not f.cancelled() and f not in recorded]
            for fut in running:
                with contextlib.suppress(BaseException):
                    fut.exception()  # waits
            for fut in running:
                if not fut.cancelled() and fut.exception() is None:
                    record(futures[fut], fut)
            pool.shutdown(wait=True)
            raise
        pool.shutdown(wait=True)
    report = OrgReport(
        org=options.org,
        repositories=list(results.values()),
        excluded=excluded,
        shards=(str(options.shard),) if options.shard else (),
        listed=len(listing),
        filters=options.filters,
        duration=time.monotonic() - start,
    )
    report.sort()
    return report


@contextlib.contextmanager
def _workdir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    d = Path(tempfile.mkdtemp(prefix="tidybot-org-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
