"""Every input and runner variable the action reads, read and validated once, with its source.

The runner passes the action's inputs as ``INPUT_<NAME>`` (upper case, dashes kept:
``INPUT_FAIL-ON-DRIFT``) and its own ``GITHUB_*`` variables. All of them are trusted: they come
from the workflow file and the runner. The event payload is read here too; its structure is the
runner's, but the strings in it (titles, branch names, comment bodies) are whatever the people
who opened the pull request or wrote the comment typed, and are treated as such by every mode.

The tokens are not read from the environment here: ``bot.secrets`` took them out of it before
anything else ran, and hands them over as :class:`~bot.secrets.Secrets`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from bot.errors import ConfigError, UsageError
from bot.options import check_globs, toolchain_value, tree_is_untrusted
from bot.record import field, record
from bot.secrets import SECRET_VARS, Secrets
from bot.toolchain import parse_go_timeout

__all__ = ["EVENT_LIMIT", "Settings"]

_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
#: Largest event payload read (GitHub's webhook payloads are capped at 25 MB).
EVENT_LIMIT = 25 * 1024 * 1024
#: Logins whose pull requests get the automatic fix of the ``workflow_run`` follow-up.
DEFAULT_FIX_BOTS = ("dependabot[bot]", "renovate[bot]")


@record
class Settings:
    """Every input and runner variable of one run."""

    token: str = field(repr=False)
    mode: str = "auto"
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    working_directory: str = "."
    fail_on_drift: bool = True
    commit_message: str = "go mod tidy"
    goproxy: str = ""
    goprivate: str = ""
    gonoproxy: str = ""
    gonosumdb: str = ""
    gotoolchain: str = ""  # the GOTOOLCHAIN value, validated ("" = the trusted config's)
    artifact_dir: str = ".tidybot"
    since: str = "auto"  # auto: a pull request's base; off; or a git ref
    cache_dir: str = ""  # the result cache, relative to the workspace ("" = none)
    private_token: str = field(default="", repr=False)
    open_pr: bool = False  # audit: keep a fix pull request
    verify: bool = True  # audit: prove go.sum against the checksum database
    fix_bots: tuple[str, ...] = DEFAULT_FIX_BOTS  # follow-up: whose pull requests it fixes
    go_timeout: float | None = None  # seconds each go command may run (None: the default)
    # runner
    event_name: str = ""
    event: Mapping[str, Any] = field(default_factory=dict, repr=False)
    repository: str = ""
    workspace: Path = Path()
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    run_id: str = ""
    sha: str = ""
    actor: str = ""
    ref_name: str = ""
    ref_type: str = ""
    output_file: Path | None = None
    summary_file: Path | None = None
    #: the process environment without any secret: what go and git start from
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], secrets: Secrets | None = None) -> Settings:
        """Read every input. ``secrets`` holds the tokens (``bot.secrets``); without it they
        are read from ``environ`` (tidybot used in-process)."""
        if secrets is None:
            secrets = Secrets({k: environ[k] for k in SECRET_VARS if k in environ})

        def get(name: str, default: str = "") -> str:
            key = "INPUT_" + name.upper().replace(" ", "_")
            for k in (key, key.replace("-", "_")):
                if k in environ:
                    return environ[k].strip()
            return default

        if environ.get("GITHUB_ACTIONS") != "true":  # the runner sets it in every job
            raise UsageError(
                "tidybot action is the GitHub Action's entry point and runs in an Actions job "
                "(GITHUB_ACTIONS is not 'true' here)",
                hint="on your machine or in another CI, run tidybot check or tidybot fix",
            )
        workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
        event_path = environ.get("GITHUB_EVENT_PATH", "")
        event = _read_event(Path(event_path)) if event_path else {}
        repository = environ.get("GITHUB_REPOSITORY", "")
        if repository and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
            raise ConfigError(f"GITHUB_REPOSITORY is {repository!r}, not owner/name")
        workdir = get("working-directory", ".") or "."
        if not inside_workspace(workspace, "working-directory", workdir).is_dir():
            raise ConfigError(
                f"input 'working-directory' is {workdir!r}, which is not a directory of the "
                "checkout",
                hint="check the path, and that actions/checkout runs before tidybot",
            )
        artifact_dir = get("artifact-dir", ".tidybot") or ".tidybot"
        inside_workspace(workspace, "artifact-dir", artifact_dir)
        cache_dir = get("cache-dir")
        if cache_dir:
            inside_workspace(
                workspace,
                "cache-dir",
                cache_dir,
                hint="the action runs in a container that sees only the workspace; cache e.g. "
                "`.tidybot-cache` with actions/cache (README, Speed)",
            )
        token = secrets.get("INPUT_TOKEN") or secrets.get("GITHUB_TOKEN")
        private = (
            secrets.get("INPUT_PRIVATE-TOKEN")
            or secrets.get("INPUT_PRIVATE_TOKEN")
            or secrets.get("TIDYBOT_PRIVATE_TOKEN")
        )
        return cls(
            token=token,
            mode=get("mode", "auto") or "auto",
            paths=check_globs("input 'paths'", _split(get("paths"))),
            exclude=check_globs("input 'exclude'", _split(get("exclude"))),
            working_directory=workdir,
            fail_on_drift=_bool("fail-on-drift", get("fail-on-drift", "true") or "true"),
            commit_message=get("commit-message", "go mod tidy") or "go mod tidy",
            goproxy=get("goproxy"),
            goprivate=get("goprivate"),
            gonoproxy=get("gonoproxy"),
            gonosumdb=get("gonosumdb"),
            gotoolchain=toolchain_value(get("gotoolchain"), "input 'gotoolchain'"),
            artifact_dir=artifact_dir,
            since=get("since", "auto"),
            cache_dir=cache_dir,
            private_token=private,
            open_pr=_bool("open-pr", get("open-pr", "false") or "false"),
            verify=_bool("verify", get("verify", "true") or "true"),
            fix_bots=_logins(get("fix-bots", ",".join(DEFAULT_FIX_BOTS))),
            go_timeout=parse_go_timeout(raw, "input 'go-timeout'")
            if (raw := get("go-timeout"))
            else None,
            event_name=environ.get("GITHUB_EVENT_NAME", ""),
            event=event,
            repository=repository,
            workspace=workspace,
            api_url=(environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            server_url=(environ.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            run_id=environ.get("GITHUB_RUN_ID", ""),
            sha=environ.get("GITHUB_SHA", ""),
            actor=environ.get("GITHUB_ACTOR", ""),
            ref_name=environ.get("GITHUB_REF_NAME", ""),
            ref_type=environ.get("GITHUB_REF_TYPE", ""),
            output_file=Path(p) if (p := environ.get("GITHUB_OUTPUT")) else None,
            summary_file=Path(p) if (p := environ.get("GITHUB_STEP_SUMMARY")) else None,
            env={k: v for k, v in environ.items() if v.strip() not in secrets.all()},
        )

    # -- derived ----------------------------------------------------------------------------

    @property
    def untrusted(self) -> bool:
        """The checkout is a pull request's code (``bot.options.tree_is_untrusted``)."""
        return tree_is_untrusted(self.event_name or "unknown")

    @property
    def root(self) -> Path:
        return (self.workspace / self.working_directory).resolve()

    @property
    def workdir(self) -> str:
        """The checked root relative to the workspace, "." for the workspace itself."""
        rel = os.path.relpath(self.root, self.workspace.resolve())
        return "." if rel == "." else PurePosixPath(Path(rel).as_posix()).as_posix()

    @property
    def artifact_path(self) -> Path:
        return self.workspace / self.artifact_dir

    @property
    def run_url(self) -> str:
        if not (self.repository and self.run_id):
            return ""
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secrets every output is cleaned of."""
        return tuple(s for s in (self.token, self.private_token) if s)

    def go_settings(self) -> dict[str, str]:
        """The GO* inputs that are set."""
        pairs = {
            "GOPROXY": self.goproxy,
            "GOPRIVATE": self.goprivate,
            "GONOPROXY": self.gonoproxy,
            "GONOSUMDB": self.gonosumdb,
        }
        return {k: v for k, v in pairs.items() if v}

    def pull_request(self) -> Mapping[str, Any]:
        """The event's ``pull_request`` object ({} when there is none)."""
        pull = self.event.get("pull_request")
        return pull if isinstance(pull, Mapping) else {}

    def trusted_ref(self) -> str:
        """The commit whose config file is trusted in a run on a pull request's code: the base
        of a ``pull_request`` (the checkout is the merge with the head), else the commit the
        workflow itself runs on (``GITHUB_SHA``: the base branch for ``pull_request_target``,
        the default branch for ``issue_comment`` and ``workflow_run``). "" when unknown."""
        if self.event_name == "pull_request":
            base = self.pull_request().get("base")
            sha = base.get("sha") if isinstance(base, Mapping) else None
            return sha if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha) else ""
        if self.event_name in ("pull_request_target", "issue_comment", "workflow_run"):
            return self.sha if re.fullmatch(r"[0-9a-f]{40}", self.sha) else ""
        return ""


def inside_workspace(workspace: Path, name: str, value: str, hint: str | None = None) -> Path:
    """The resolved path of a path input, which must be relative and inside the workspace."""
    if Path(value).is_absolute() or value.startswith("~"):
        raise ConfigError(
            f"input '{name}' is {value!r}: give a path relative to the repository root", hint=hint
        )
    lexical = os.path.normpath(os.path.join(workspace, value))
    path = (workspace / value).resolve()
    try:
        path.relative_to(workspace.resolve())
    except ValueError:
        if os.path.commonpath([lexical, os.path.normpath(workspace)]) == os.path.normpath(
            workspace
        ):
            raise ConfigError(
                f"input '{name}' is {value!r}, a symbolic link that leads outside the repository",
                hint="remove the link from the checkout, or choose another path",
            ) from None
        raise ConfigError(f"input '{name}' is {value!r}, which is outside the repository") from None
    return path


def _read_event(path: Path) -> Mapping[str, Any]:
    try:
        with path.open("rb") as f:
            raw = f.read(EVENT_LIMIT + 1)
    except FileNotFoundError:
        raise ConfigError("the event file does not exist", file=str(path)) from None
    except OSError as e:
        raise ConfigError(f"the event file is not readable: {e}", file=str(path)) from None
    if len(raw) > EVENT_LIMIT:
        raise ConfigError(f"the event file is larger than {EVENT_LIMIT} bytes", file=str(path))
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ConfigError(f"the event file is not readable JSON: {e}", file=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("the event file does not hold a JSON object", file=str(path))
    return data


def _split(value: str) -> tuple[str, ...]:
    """A list input: items separated by newlines or commas."""
    return tuple(p.strip() for p in re.split(r"[\n,]", value) if p.strip())


def _logins(value: str) -> tuple[str, ...]:
    logins = _split(value)
    for login in logins:
        if not re.fullmatch(r"[A-Za-z0-9-]+(\[bot\])?", login):
            raise ConfigError(
                f"input 'fix-bots': {login!r} is not a GitHub login",
                hint="list logins such as dependabot[bot], renovate[bot]",
            )
    return logins


def _bool(name: str, value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"input '{name}' is {value!r}; accepted values: true, false",
        hint=f"write `{name}: true` or `{name}: false`",
    )
