"""``tidybot org-audit``: every Go repository of an organisation, audited and reported together.

One run lists the organisation's repositories through the REST API (``GET /orgs/{org}/repos``,
every page), filters them (archived, forks, topics, name globs), shallow-clones each one with
GitPython and runs the repository audit (``bot.audit``) on it, ``--jobs`` repositories at a
time. Each finished repository is appended to the state file at once, so a run that is
interrupted resumes where it stopped and never audits a repository twice. One repository's
failure (a clone refused, a broken go.mod) is recorded as its result and the others go on. The
combined report is written as JSON and markdown and, optionally, as an issue of a central
repository.

Scale-out over GitHub Actions runners: ``org-audit plan --shards N`` prints the matrix,
each job runs ``org-audit --shard I/N`` (a stable hash of the repository name decides the
shard, so every repository lands in exactly one shard whatever the listing order), and
``org-audit merge`` joins the shard reports into the report one unsharded run would write.

The token reaches git only as an ``http.<origin>/.extraHeader`` in the clone's environment
(``GIT_CONFIG_*``): never in a URL, an argument, a file or a message.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

from bot import __version__
from bot.errors import ConfigError, ExitCode, ForgeError, TidybotError, UsageError
from bot.fsutil import atomic_write
from bot.record import field, record

STATE_VERSION = 1
REPORT_KIND = "tidybot-org-audit"
#: Label of the combined report's issue in the central repository.
ORG_ISSUE_LABEL = "tidybot-org-audit"
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_STATUSES = ("clean", "drifted", "error", "skipped")


# --- repositories and filters ------------------------------------------------------------------


@record
class RepoInfo:
    """One repository of the listing, as much of it as the audit needs."""

    full_name: str
    clone_url: str
    default_branch: str
    archived: bool = False
    fork: bool = False
    topics: tuple[str, ...] = ()
    private: bool = False

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> RepoInfo:
        topics = raw.get("topics") or []
        return cls(
            full_name=str(raw["full_name"]),
            clone_url=str(raw.get("clone_url") or ""),
            default_branch=str(raw.get("default_branch") or "main"),
            archived=bool(raw.get("archived")),
            fork=bool(raw.get("fork")),
            topics=tuple(sorted(str(t) for t in topics if isinstance(t, str))),
            private=bool(raw.get("private")),
        )


@record
class Filters:
    """Which repositories to audit. Globs match the name (``api-*``) or ``owner/name``."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # any of them
    archived: bool = False  # include archived repositories
    forks: bool = False  # include forks

    def excluded_because(self, repo: RepoInfo) -> str | None:
        if repo.archived and not self.archived:
            return "archived"
        if repo.fork and not self.forks:
            return "fork"
        if self.include and not any(_glob(g, repo) for g in self.include):
            return "not matched by --include"
        if any(_glob(g, repo) for g in self.exclude):
            return "matched by --exclude"
        if self.topics and not set(self.topics) & set(repo.topics):
            return "no topic of --topic"
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "include": list(self.include),
            "exclude": list(self.exclude),
            "topics": list(self.topics),
            "archived": self.archived,
            "forks": self.forks,
        }


def _glob(pattern: str, repo: RepoInfo) -> bool:
    target = repo.full_name if "/" in pattern else repo.name
    return fnmatch.fnmatchcase(target.lower(), pattern.lower())


@record
class Shard:
    """Shard ``index`` of ``count`` (1-based): the repositories whose name hashes to it."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m or not 1 <= int(m[1]) <= int(m[2]):
            raise UsageError(
                f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/3",
                hint="take the value from the matrix `tidybot org-audit plan --shards N` prints",
            )
        return cls(int(m[1]), int(m[2]))

    def owns(self, full_name: str) -> bool:
        return shard_of(full_name, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(full_name: str, count: int) -> int:
    """The 1-based shard of a repository: stable across runs, listings and machines."""
    digest = hashlib.sha256(full_name.lower().encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def plan_matrix(shards: int) -> dict[str, list[dict[str, str]]]:
    """The GitHub Actions matrix for ``strategy.matrix``: one job per shard."""
    if not 1 <= shards <= 256:
        raise UsageError(
            f"--shards {shards}: give 1 to 256 (GitHub runs at most 256 jobs per matrix)"
        )
    return {"include": [{"shard": f"{i}/{shards}"} for i in range(1, shards + 1)]}


# --- the listing: GitHub's REST API over httpx ------------------------------------------------


class RepoLister(Protocol):
    def list_repositories(self, org: str) -> list[RepoInfo]: ...


class GitHubLister:
    """``GET /orgs/{org}/repos``, every page (Link ``rel="next"``), waiting on rate limits.

    Transient failures (5xx, network) are retried with backoff; a secondary rate limit waits
    ``retry-after``; an exhausted primary limit waits for ``x-ratelimit-reset`` when it is at
    most ``max_wait`` seconds away (an audit is a batch job: the default is an hour).
    """

    def __init__(
        self,
        token: str,
        *,
        api_url: str = "https://api.github.com",
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        max_wait: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: Callable[[str], None] | None = None,
        per_page: int = 100,
    ) -> None:
        self._token = token
        self._per_page = per_page
        self.api_url = api_url.rstrip("/")
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._on_wait = on_wait
        self.requests = 0
        self.waited = 0.0

    def list_repositories(self, org: str) -> list[RepoInfo]:
        import httpx

        headers = {
            "accept": "application/vnd.github+json",
            "x-github-api-version": "2022-11-28",
            "user-agent": f"tidybot/{__version__}",
        }
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        url: str | None = f"{self.api_url}/orgs/{org}/repos?type=all&per_page={self._per_page}"
        out: list[RepoInfo] = []
        with httpx.Client(headers=headers, timeout=30.0) as client:
            while url is not None:
                resp = self._get(client, url, org)
                data = resp.json()
                if not isinstance(data, list):
                    raise ForgeError(f"GitHub answered the repository listing of {org} oddly")
                out.extend(RepoInfo.from_api(r) for r in data if isinstance(r, dict))
                url = resp.links.get("next", {}).get("url")
                if url is not None:
                    self._pace(resp)
        return out

    def _get(self, client: Any, url: str, org: str) -> Any:
        import httpx

        from bot.forge import errors

        action = "list the repositories"
        where = f"the organisation {org}"
        last: errors.Failure | None = None
        for attempt in range(1, self._max_attempts + 1):
            self.requests += 1
            try:
                resp = client.get(url)
            except httpx.TransportError:
                failure = None
            else:
                if resp.status_code < 400:
                    return resp
                try:
                    body = resp.json()
                except ValueError:
                    body = {}
                message = str(body.get("message", "")) if isinstance(body, dict) else ""
                failure = errors.Failure(resp.status_code, message, dict(resp.headers))
            last = failure
            kind = errors.Fault.TRANSIENT if failure is None else errors.classify(failure)
            if kind is errors.Fault.FINAL:
                assert failure is not None
                raise errors.explain(
                    failure, action=action, needs={"metadata": "read"}, repository=where
                )
            wait_s = self._backoff(attempt)
            if failure is not None and kind is errors.Fault.PRIMARY_RATE_LIMIT:
                reset = errors.reset_time(failure)
                wait_s = (reset.timestamp() - self._clock() + 1.0) if reset else wait_s
            elif failure is not None and kind is errors.Fault.SECONDARY_RATE_LIMIT:
                after = errors.retry_after(failure)
                wait_s = after if after is not None else wait_s
            if failure is not None and wait_s > self._max_wait:
                raise errors.rate_limited(
                    failure,
                    action=f"{action} of {org}",
                    max_wait=self._max_wait,
                    now=dt.datetime.fromtimestamp(self._clock(), dt.UTC),
                )
            if attempt < self._max_attempts:
                self._wait(max(wait_s, 0.0), kind.value)
        raise errors.unavailable(last, action=f"{action} of {org}", attempts=self._max_attempts)

    def _pace(self, resp: Any) -> None:
        """Out of quota with pages left: wait for the reset instead of failing the next call."""
        if resp.headers.get("x-ratelimit-remaining") != "0":
            return
        raw = resp.headers.get("x-ratelimit-reset", "")
        if raw.isdigit():
            wait_s = int(raw) - self._clock() + 1.0
            if 0 < wait_s <= self._max_wait:
                self._wait(wait_s, "primary")

    def _backoff(self, attempt: int) -> float:
        return float(self._backoff_base * (2 ** (attempt - 1)))

    def _wait(self, seconds: float, why: str) -> None:
        if self._on_wait is not None:
            what = "rate limit" if why in ("primary", "secondary") else "GitHub error"
            self._on_wait(f"waiting {seconds:.0f}s ({what})")
        self.waited += seconds
        self._sleep(seconds)


# --- cloning -----------------------------------------------------------------------------------


def auth_header(token: str) -> str:
    """The header actions/checkout sends: basic auth with the token as password."""
    raw = base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")
    return f"AUTHORIZATION: basic {raw}"


def clone_env(clone_url: str, token: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variables for git: the token as an extra header scoped to the clone URL's origin (in
    ``GIT_CONFIG_*``, not in the URL, the arguments or a file), and never a prompt."""
    src = os.environ if base is None else base
    env: dict[str, str] = {
        "GIT_TERMINAL_PROMPT": "0",
        "GCM_INTERACTIVE": "never",
        "GIT_LFS_SKIP_SMUDGE": "1",
    }
    try:
        n = int(src.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        n = 0
    pairs: list[tuple[str, str]] = []
    if token:
        parts = urlsplit(clone_url)
        origin = f"{parts.scheme}://{parts.netloc}/"
        pairs.append((f"http.{origin}.extraHeader", auth_header(token)))
    for i, (key, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{n + i}"] = key
        env[f"GIT_CONFIG_VALUE_{n + i}"] = value
    env["GIT_CONFIG_COUNT"] = str(n + len(pairs))
    return env


def scrub(text: str, token: str) -> str:
    """``text`` with the token (and its header form) replaced by ``***``."""
    if not token:
        return text
    for secret in (token, auth_header(token).split(" ", 2)[2]):
        text = text.replace(secret, "***")
    return text


def clone(repo: RepoInfo, dest: Path, token: str) -> str:
    """Shallow clone of the default branch; returns its commit. Errors name the repository."""
    import git

    if not repo.clone_url.startswith(("https://", "http://")):
        raise ForgeError(f"{repo.full_name}: clone URL {repo.clone_url!r} is not http(s)")
    try:
        cloned = git.Repo.clone_from(
            repo.clone_url,
            dest,
            env=clone_env(repo.clone_url, token),
            depth=1,
            single_branch=True,
            branch=repo.default_branch,
            no_tags=True,
        )
        sha = cloned.head.commit.hexsha
        cloned.close()
    except git.GitCommandError as e:
        lines = [ln.strip() for ln in str(e.stderr or "").splitlines() if ln.strip()]
        why = next((ln for ln in reversed(lines) if "fatal:" in ln), lines[-1] if lines else "")
        why = why.strip("'").removeprefix("stderr: ").strip("'").strip()
        raise ForgeError(
            f"{repo.full_name}: git clone failed: {scrub(why, token) or 'exit ' + str(e.status)}"
        ) from None
    return str(sha)


# --- one repository ----------------------------------------------------------------------------


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
        if status not in _STATUSES:
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


@record
class RepoAuditSettings:
    verify: bool = True
    go_jobs: int = 2
    base_env: Mapping[str, str] | None = None  # the environment go runs in (os.environ)


class Cancelled(Exception):
    """The run was interrupted: the repository was not finished."""


def audit_repository(
    repo: RepoInfo,
    token: str,
    workdir: Path,
    settings: RepoAuditSettings,
    stop: threading.Event | None = None,
) -> RepoResult:
    """Clone and audit one repository; every failure becomes its result."""
    from bot.audit import AuditOptions, audit
    from bot.config import load_config
    from bot.engine.discover import discover
    from bot.exitcodes import AUDIT, exit_code
    from bot.report.json import JsonRenderer
    from bot.runner import RunOptions

    start = time.monotonic()
    dest = Path(tempfile.mkdtemp(prefix="repo-", dir=workdir))

    def done(status: str, reason: str = "", sha: str = "", report: Any = None) -> RepoResult:
        return RepoResult(repo.full_name, status, reason, sha, report, time.monotonic() - start)

    try:
        if stop is not None and stop.is_set():
            raise Cancelled
        try:
            sha = clone(repo, dest / "src", token)
        except TidybotError as e:
            return done("error", scrub(e.message, token))
        root = dest / "src"
        if stop is not None and stop.is_set():
            raise Cancelled
        try:
            config = load_config(root)
            if not [m for m in discover(root, (), ()) if config.is_included(m.dir)]:
                return done("skipped", "not a Go repository (no go.mod)", sha)
            run = RunOptions(
                jobs=settings.go_jobs,
                gotoolchain=config.gotoolchain.env_value,
                env=config.private.go_env(),
                base_env=settings.base_env,
                config=config,
            )
            report = audit(root, AuditOptions(run=run, verify=settings.verify, jobs=2))
        except TidybotError as e:
            return done("error", scrub(str(e), token).replace(str(root) + "/", ""), sha)
        from bot.record import replace

        report = replace(report, root=repo.full_name)
        doc = json.loads(JsonRenderer().render(report))
        doc.pop("root", None)
        code = exit_code(report, AUDIT)
        status = {ExitCode.CLEAN: "clean", ExitCode.DRIFT: "drifted"}.get(code, "error")
        reason = ""
        if status == "error":
            reason = _first_error(doc)
        return done(status, scrub(reason, token), sha, doc)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def _first_error(doc: Mapping[str, Any]) -> str:
    for m in doc.get("modules") or []:
        if isinstance(m, dict) and m.get("status") == "error":
            return f"{m.get('dir')}: {str(m.get('error', '')).splitlines()[0]}"
    audit = doc.get("audit")
    errors = audit.get("errors") if isinstance(audit, dict) else None
    return str(errors[0]) if errors else "the audit failed"


# --- the state file ----------------------------------------------------------------------------


class StateFile:
    """JSON lines: a header with the run's key, then one line per finished repository.

    Each line is flushed and synced before the next repository is reported, so after an
    interruption at most the line being written is lost (and ignored on resume).
    """

    def __init__(self, path: Path, key: Mapping[str, object]) -> None:
        self.path = path
        self.key = dict(key)
        self._lock = threading.Lock()

    def load(self) -> dict[str, RepoResult]:
        if not self.path.exists():
            return {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"{self.path}: cannot read the state file: {e}") from None
        if not lines:
            return {}
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("tidybot_org_audit_state") != STATE_VERSION:
            raise UsageError(
                f"{self.path}:1: not a tidybot org-audit state file",
                hint="pass another --state path, or delete the file to start over",
            )
        if header.get("key") != self.key:
            raise UsageError(
                f"{self.path}:1: the state file belongs to another audit "
                f"({json.dumps(header.get('key'), sort_keys=True)})",
                hint="resume with the same --org, --shard and filters, or delete the file "
                "to start over",
            )
        done: dict[str, RepoResult] = {}
        for n, line in enumerate(lines[1:], start=2):
            try:
                raw = json.loads(line)
            except ValueError:
                if n == len(lines):
                    break  # the line being written when the run was interrupted
                raise UsageError(
                    f"{self.path}:{n}: not JSON", hint="delete the file to start over"
                ) from None
            result = RepoResult.from_json(raw, f"{self.path}:{n}")
            done[result.repo.lower()] = result
        return done

    def start(self) -> None:
        if self.path.exists() and self.path.stat().st_size > 0:
            text = self.path.read_text(encoding="utf-8")
            if not text.endswith("\n"):  # drop a torn last line
                atomic_write(self.path, text[: text.rfind("\n") + 1].encode("utf-8"))
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        header = {"tidybot_org_audit_state": STATE_VERSION, "key": self.key}
        atomic_write(self.path, (json.dumps(header, sort_keys=True) + "\n").encode("utf-8"))

    def append(self, result: RepoResult) -> None:
        line = json.dumps(result.to_json(), sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


# --- the combined report -----------------------------------------------------------------------


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
        out = {s: 0 for s in _STATUSES}
        for r in self.repositories:
            out[r.status] += 1
        out["repositories"] = len(self.repositories)
        out["excluded"] = len(self.excluded)
        out["drifted_modules"] = sum(int(r.summary.get("drifted", 0)) for r in self.repositories)
        return out

    def exit_code(self) -> ExitCode:
        c = self.counts()
        if c["error"]:
            return ExitCode.ERROR
        return ExitCode.DRIFT if c["drifted"] else ExitCode.CLEAN

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
        f = doc.get("filters") if isinstance(doc.get("filters"), dict) else {}
        assert isinstance(f, dict)
        filters = Filters(
            tuple(f.get("include") or ()),
            tuple(f.get("exclude") or ()),
            tuple(f.get("topics") or ()),
            bool(f.get("archived")),
            bool(f.get("forks")),
        )
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
            filters=filters,
            duration=float(doc.get("duration") or 0.0),
        )


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


_ICONS = {"clean": "✅ clean", "drifted": "❌ drifted", "error": "⚠️ error", "skipped": "⏭️ skipped"}


def render_markdown(report: OrgReport) -> str:
    from bot.report.json import parse_report
    from bot.report.markdown import MarkdownRenderer

    report.sort()
    c = report.counts()
    attention = c["drifted"] + c["error"]
    shards = f" (shards {', '.join(report.shards)})" if report.shards else ""
    lines = [
        f"## tidybot org audit: {report.org}{shards}",
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
        note = (r.reason.splitlines()[0] if r.reason else "").replace("|", "\\|")
        lines.append(
            f"| `{r.repo}` | {_ICONS[r.status]} | {s.get('modules', '')} | "
            f"{s.get('drifted', '')} | {s.get('findings', '')} | {note} |"
        )
    for r in report.repositories:
        if r.status not in ("drifted", "error") or r.report is None:
            continue
        body = MarkdownRenderer(title=f"{r.repo} at {r.sha[:12]}").render(parse_report(r.report))
        lines.extend(
            ["", f"<details><summary><code>{r.repo}</code></summary>", "", body, "</details>"]
        )
    if report.excluded:
        lines.extend(["", "<details><summary>Excluded by the filters</summary>", ""])
        lines.extend(f"- `{repo}`: {why}" for repo, why in report.excluded)
        lines.extend(["", "</details>"])
    return "\n".join(lines) + "\n"


# --- progress ----------------------------------------------------------------------------------


class Progress:
    """A bar on a terminal; ``::group::`` sections and a running count in Actions logs."""

    def __init__(self, total: int, out: IO[str], style: str) -> None:
        self.total = total
        self.out = out
        self.style = style  # bar, actions, plain, none
        self.done = 0
        self.counts = {s: 0 for s in _STATUSES}
        self._lock = threading.Lock()

    @staticmethod
    def pick(out: IO[str], environ: Mapping[str, str]) -> str:
        if environ.get("GITHUB_ACTIONS") == "true":
            return "actions"
        isatty = getattr(out, "isatty", None)
        return "bar" if isatty is not None and isatty() else "plain"

    def note(self, text: str) -> None:
        if self.style == "bar":
            self.out.write("\r\033[K")
        if self.style != "none":
            self.out.write(text + "\n")
            self.out.flush()

    def update(self, result: RepoResult, resumed: bool = False) -> None:
        with self._lock:
            self.done += 1
            self.counts[result.status] += 1
            running = (
                f"{self.done}/{self.total} repositories"
                f" ({self.counts['drifted']} drifted, {self.counts['error']} failed)"
            )
            what = f"{result.repo}: {result.status}" + (" (from the state file)" if resumed else "")
            if self.style == "actions":
                self.out.write(f"::group::[{self.done}/{self.total}] {what}\n")
                for line in _result_lines(result):
                    self.out.write(line + "\n")
                self.out.write("::endgroup::\n")
                self.out.write(f"tidybot: {running}\n")
            elif self.style == "bar":
                width = 30
                filled = width * self.done // max(self.total, 1)
                bar = "#" * filled + "-" * (width - filled)
                self.out.write(f"\r\033[K[{bar}] {running} {result.repo}")
                if self.done == self.total:
                    self.out.write("\n")
            elif self.style == "plain":
                self.out.write(f"[{self.done}/{self.total}] {what}\n")
            self.out.flush()


def _result_lines(r: RepoResult) -> list[str]:
    out = [f"commit {r.sha[:12]}" if r.sha else "no commit"]
    if r.reason:
        out.append(r.reason)
    for m in (r.report or {}).get("modules") or []:
        if isinstance(m, dict) and m.get("status") != "clean":
            ids = sorted({str(f.get("id")) for f in m.get("findings") or [] if isinstance(f, dict)})
            out.append(f"  {m.get('dir')}: {m.get('status')} {' '.join(ids)}".rstrip())
    return out


# --- the run -----------------------------------------------------------------------------------


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


def select(
    repos: Sequence[RepoInfo], options: OrgAuditOptions
) -> tuple[list[RepoInfo], list[tuple[str, str]]]:
    """The repositories of this run (shard applied), and the excluded ones of this shard."""
    chosen: list[RepoInfo] = []
    excluded: list[tuple[str, str]] = []
    for repo in sorted(repos, key=lambda r: r.full_name.lower()):
        if options.shard is not None and not options.shard.owns(repo.full_name):
            continue
        why = options.filters.excluded_because(repo)
        if why is None:
            chosen.append(repo)
        else:
            excluded.append((repo.full_name, why))
    return chosen, excluded


def run_org_audit(
    lister: RepoLister,
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
    chosen, excluded = select(listing, options)
    state = StateFile(options.state, options.state_key()) if options.state else None
    done = state.load() if state else {}
    if state is not None:
        state.start()
    progress = Progress(len(chosen), out, Progress.pick(out, env))
    results: dict[str, RepoResult] = {}
    todo: list[RepoInfo] = []
    for repo in chosen:
        prev = done.get(repo.full_name.lower())
        if prev is not None:
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

    with _workdir(options.workdir) as workdir, _sigterm_interrupts():
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


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a cancelled Actions job) stops the run like Ctrl-C: the state file is kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


# --- publishing --------------------------------------------------------------------------------


def publish_issue(report: OrgReport, forge: Any, markdown: str) -> tuple[str, int]:
    """The combined report as one issue (label ``tidybot-org-audit``), edited in place."""
    from bot.audit import BODY_LIMIT
    from bot.forge.port import marker_for

    c = report.counts()
    title = (
        f"tidybot org audit: {report.org}: {c['drifted'] + c['error']} of "
        f"{c['repositories']} repositories need attention"
    )
    body = f"{marker_for('org-audit')}\n{markdown}"
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT] + "\n\n> ✂️ Cut at GitHub's size limit: see the JSON report.\n"
    issue = forge.find_issue_by_label(ORG_ISSUE_LABEL, state="open")
    if issue is None:
        created = forge.create_issue(title, body, (ORG_ISSUE_LABEL,))
        return "created", int(created.number)
    if issue.body == body and issue.title == title:
        return "unchanged", int(issue.number)
    forge.update_issue(issue.number, title=title, body=body)
    return "updated", int(issue.number)


def write_outputs(report: OrgReport, args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    doc = json.dumps(report.to_json(), indent=2) + "\n"
    markdown = render_markdown(report)
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


# --- command line ------------------------------------------------------------------------------


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
    env = os.environ if environ is None else environ
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if args.org_command == "plan":
        out.write(json.dumps(plan_matrix(args.shards)) + "\n")
        return int(ExitCode.CLEAN)
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
        report = _run(args, env, err)
    markdown = write_outputs(report, args, env)
    out.write(markdown)
    if args.issue_repo:
        if not _REPO.match(args.issue_repo):
            raise UsageError(f"--issue-repo {args.issue_repo!r}: expected owner/name")
        token = _token(args, env)
        if not token:
            raise ConfigError(f"--issue-repo needs a token in ${args.token_env}")
        from bot.forge.github import GitHubForge

        forge = GitHubForge(args.issue_repo, token, base_url=_api_url(args, env))
        what, number = publish_issue(report, forge, markdown)
        err.write(f"tidybot: report issue #{number} in {args.issue_repo} {what}\n")
    return int(report.exit_code())


def _run(args: argparse.Namespace, env: Mapping[str, str], err: IO[str]) -> OrgReport:
    if not args.org:
        raise UsageError("org-audit needs --org NAME", hint="e.g. tidybot org-audit --org acme")
    if not _NAME.match(args.org):
        raise UsageError(f"--org {args.org!r} is not a GitHub organisation name")
    token = _token(args, env)
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
        shard=Shard.parse(args.shard) if args.shard else None,
        jobs=args.jobs,
        settings=RepoAuditSettings(verify=not args.no_verify, go_jobs=args.go_jobs, base_env=env),
        state=Path(args.state) if args.state else None,
        workdir=Path(args.workdir) if args.workdir else None,
    )

    def on_wait(text: str) -> None:
        err.write(f"tidybot: {text}\n")

    # TIDYBOT_GITHUB_PER_PAGE and TIDYBOT_GITHUB_BACKOFF tune the listing (tests, GHES)
    tuning: dict[str, Any] = {}
    for var, key, kind in (
        ("TIDYBOT_GITHUB_PER_PAGE", "per_page", int),
        ("TIDYBOT_GITHUB_BACKOFF", "backoff_base", float),
    ):
        raw = env.get(var, "").strip()
        if raw:
            try:
                tuning[key] = kind(raw)
            except ValueError:
                raise ConfigError(f"{var} is {raw!r}, not a number") from None
    lister = GitHubLister(token, api_url=_api_url(args, env), on_wait=on_wait, **tuning)
    return run_org_audit(lister, options, token, err, environ=env)
