"""``tidybot action``: the GitHub Action and pull-request bot.

The runner starts this with the action's inputs as ``INPUT_<NAME>`` variables (upper case,
dashes kept: ``INPUT_FAIL-ON-DRIFT``) and its own ``GITHUB_*`` variables. One run:

1. reads everything into one :class:`Settings` (the tokens are masked at once, never printed);
2. picks the mode from the event (:func:`bot.modes.select_mode`);
3. checks every module (``bot.runner``), writes annotations, the job summary, the outputs and,
   on pull requests, the artifact of the two-workflow pattern (JSON report + patch);
4. then, by mode: the sticky comment, a fix commit through the Git Data API (``/tidy``), or
   the ``workflow_run`` follow-up that posts the comment from the artifact without ever
   checking out or running the pull request's code.

Every step that runs go runs inside :func:`bot.credentials.private_access` when the
``private-token`` input is given, as the command line does with ``TIDYBOT_PRIVATE_TOKEN``: go
and git get a run-scoped netrc / git rules for the hosts the config file's ``private:`` section
names, never the token variable itself, and every text the action writes out (log, outputs,
summary, artifact, comments) has the token replaced.

Exit codes as everywhere (``bot.errors.ExitCode``): 0 clean (or fixed), 1 drift (with
``fail-on-drift``), 2 error, 3 bug.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from bot import __version__
from bot.cachedir import cache_env, extracted_module
from bot.config import CONFIG_FILES, Config, load_config
from bot.credentials import Credentials, private_access, redact
from bot.engine.globs import GLOB_HELP, glob_error
from bot.engine.goenv import TOOLCHAIN_POLICY_HELP, parse_toolchain_policy
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.errors import ConfigError, ExitCode, ForgeError, TidybotError, UsageError
from bot.forge.port import Forge, PullRequest
from bot.fsutil import give_to_owner
from bot.modes import Decision, Mode, select_mode
from bot.record import field, record, replace
from bot.report.comment import MARKER, CommentRenderer, fix_commands
from bot.report.github import GithubRenderer, escape_data, escape_property
from bot.report.json import JsonRenderer
from bot.report.markdown import MarkdownRenderer
from bot.runner import RunOptions, check, discover, fix

#: The only files a fix may change.
FIX_FILES = frozenset({"go.mod", "go.sum", "go.work.sum"})
#: A trailer in every fix commit message: the bot never fixes on top of its own fix.
FIX_TRAILER = "Tidybot-Fix"
#: Actors whose pull_request runs always get a read-only token.
READ_ONLY_ACTORS = frozenset({"dependabot[bot]"})
#: Permissions that may run ``/tidy``.
WRITERS = frozenset({"admin", "maintain", "write"})
#: GitHub refuses a job summary over 1 MiB.
SUMMARY_LIMIT = 1024 * 1024 - 4096
#: Largest artifact file the ``workflow_run`` follow-up reads.
ARTIFACT_LIMIT = 32 * 1024 * 1024

BUG_REPORT = (
    "This is a bug in tidybot, not in your repository. Please report it with the traceback "
    "above on the tidybot issue tracker."
)

_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_SHA = re.compile(r"^[0-9a-f]{40}$")
#: Where the private-module token can come from; go and git never get these variables.
PRIVATE_TOKEN_VARS = ("INPUT_PRIVATE-TOKEN", "INPUT_PRIVATE_TOKEN", "TIDYBOT_PRIVATE_TOKEN")

ForgeFactory = Callable[["Settings", str], Forge]


# --- settings ----------------------------------------------------------------------------------


@record
class Settings:
    """Every input and runner variable the action reads, validated in one place."""

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
    gotoolchain: str = ""
    artifact_dir: str = ".tidybot"
    since: str = "auto"  # auto: a pull request's base; off; or a git ref
    cache_dir: str = ""  # the result cache, relative to the workspace ("" = none)
    private_token: str = field(default="", repr=False)  # for the hosts of the config's private:
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
    output_file: Path | None = None
    summary_file: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)  # without the private token

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str, default: str = "") -> str:
            key = "INPUT_" + name.upper().replace(" ", "_")
            for k in (key, key.replace("-", "_")):
                if k in environ:
                    return environ[k].strip()
            return default

        workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
        event_path = environ.get("GITHUB_EVENT_PATH", "")
        event: Mapping[str, Any] = {}
        if event_path:
            event = _read_event(Path(event_path))
        repository = environ.get("GITHUB_REPOSITORY", "")
        if repository and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
            raise ConfigError(f"GITHUB_REPOSITORY is {repository!r}, not owner/name")
        workdir = get("working-directory", ".") or "."
        _check_workdir(workspace, workdir)
        gotoolchain = get("gotoolchain")
        if gotoolchain and not re.fullmatch(
            r"local|auto|go1(\.\d+){1,2}((rc|beta)\d+)?", gotoolchain
        ):
            raise ConfigError(
                f"input 'gotoolchain' is {gotoolchain!r}; accepted: local, auto, or a version "
                "such as go1.25.3",
                hint="remove the input to use the Go of the action's image",
            )
        private_token = get("private-token") or environ.get("TIDYBOT_PRIVATE_TOKEN", "").strip()
        return cls(
            token=get("token") or environ.get("GITHUB_TOKEN", ""),
            mode=get("mode", "auto") or "auto",
            paths=_globs("paths", get("paths")),
            exclude=_globs("exclude", get("exclude")),
            working_directory=workdir,
            fail_on_drift=_bool("fail-on-drift", get("fail-on-drift", "true") or "true"),
            commit_message=get("commit-message", "go mod tidy") or "go mod tidy",
            goproxy=get("goproxy"),
            goprivate=get("goprivate"),
            gonoproxy=get("gonoproxy"),
            gonosumdb=get("gonosumdb"),
            gotoolchain=gotoolchain,
            artifact_dir=get("artifact-dir", ".tidybot") or ".tidybot",
            since=get("since", "auto"),
            cache_dir=_cache_dir(workspace, get("cache-dir")),
            private_token=private_token,
            event_name=environ.get("GITHUB_EVENT_NAME", ""),
            event=event,
            repository=repository,
            workspace=workspace,
            api_url=(environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            server_url=(environ.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            run_id=environ.get("GITHUB_RUN_ID", ""),
            sha=environ.get("GITHUB_SHA", ""),
            actor=environ.get("GITHUB_ACTOR", ""),
            output_file=_opt_path(environ.get("GITHUB_OUTPUT")),
            summary_file=_opt_path(environ.get("GITHUB_STEP_SUMMARY")),
            env=child_env(environ, private_token),
        )

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

    def go_env(self) -> dict[str, str]:
        pairs = {
            "GOPROXY": self.goproxy,
            "GOPRIVATE": self.goprivate,
            "GONOPROXY": self.gonoproxy,
            "GONOSUMDB": self.gonosumdb,
        }
        return {k: v for k, v in pairs.items() if v}

    def clean(self, text: str) -> str:
        """``text`` with the private-module token replaced (belt and braces for every output)."""
        return redact(text, self.private_token)


GITHUB_TOKEN_VARS = ("INPUT_TOKEN", "GITHUB_TOKEN")
"""Where the GitHub API token arrives. Only tidybot's own API client uses it: go and git never
need it (fixes are committed through the API, private modules use ``private-token``)."""


def child_env(environ: Mapping[str, str], secret: str = "") -> dict[str, str]:
    """The environment go and git get: without the token variables (the GitHub API token's
    and the private token's), and without any other variable set to one of those tokens (a
    workflow may pass the same secret twice)."""
    secrets = {environ.get(k, "").strip() for k in GITHUB_TOKEN_VARS} | {secret.strip()}
    secrets.discard("")
    dropped = (*GITHUB_TOKEN_VARS, *PRIVATE_TOKEN_VARS)
    return {k: v for k, v in environ.items() if k not in dropped and v.strip() not in secrets}


def private_credentials(settings: Settings, config: Config) -> Credentials | None:
    """The run's credentials for the ``private-token`` input (None without a token).

    The token goes only to the hosts the config file's ``private:`` section names; a token
    with nowhere to go is a configuration mistake, not something to ignore silently.
    """
    if not settings.private_token:
        return None
    creds = config.private.credentials(settings.private_token)
    if creds is None:
        where = config.file or CONFIG_FILES[0]
        if settings.workdir != ".":
            where = f"{settings.workdir}/{where}"
        raise ConfigError(
            "input 'private-token' is set but no host is named to receive it: add "
            f"private.auth_hosts or private.git.orgs to {where}"
        )
    return creds


def _read_event(path: Path) -> Mapping[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("the event file does not exist", file=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"the event file is not readable JSON: {e}", file=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("the event file does not hold a JSON object", file=str(path))
    return data


def _inside_workspace(workspace: Path, name: str, value: str, hint: str | None = None) -> Path:
    """The resolved path of a path input, which must be relative and inside the workspace."""
    if Path(value).is_absolute() or value.startswith("~"):
        raise ConfigError(
            f"input '{name}' is {value!r}: give a path relative to the repository root", hint=hint
        )
    path = (workspace / value).resolve()
    try:
        path.relative_to(workspace.resolve())
    except ValueError:
        raise ConfigError(f"input '{name}' is {value!r}, which is outside the repository") from None
    return path


def _check_workdir(workspace: Path, workdir: str) -> None:
    if not _inside_workspace(workspace, "working-directory", workdir).is_dir():
        raise ConfigError(
            f"input 'working-directory' is {workdir!r}, which is not a directory of the checkout",
            hint="check the path, and that actions/checkout runs before tidybot",
        )


def _cache_dir(workspace: Path, value: str) -> str:
    if value:
        _inside_workspace(
            workspace,
            "cache-dir",
            value,
            hint="the action runs in a container that sees only the workspace; cache e.g. "
            "`.tidybot-cache` with actions/cache (README, Speed)",
        )
    return value


def _globs(name: str, value: str) -> tuple[str, ...]:
    """A list input: globs separated by newlines or commas, each checked."""
    globs = tuple(p.strip() for p in re.split(r"[\n,]", value) if p.strip())
    for g in globs:
        if (why := glob_error(g)) is not None:
            raise ConfigError(f"input '{name}': bad glob {g!r}: {why}", hint=GLOB_HELP)
    return globs


def _bool(name: str, value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"input '{name}' is {value!r}; accepted values: true, false",
        hint=f"write `{name}: true` or `{name}: false`",
    )


def _opt_path(value: str | None) -> Path | None:
    return Path(value) if value else None


# --- workflow commands, outputs, summary -------------------------------------------------------


class Runner:
    """Talks to the Actions runner: workflow commands on stdout, the output and summary files.

    Everything written goes through ``Settings.clean``: the private-module token never leaves.
    """

    def __init__(self, settings: Settings, out: IO[str]) -> None:
        self.settings = settings
        self.out = out

    def command(self, text: str) -> None:
        self.out.write(self.settings.clean(text) + "\n")
        self.out.flush()

    def mask(self, secret: str) -> None:
        if secret:
            self.out.write(f"::add-mask::{secret}\n")  # read by the runner, never shown
            self.out.flush()

    def log(self, text: str) -> None:
        self.command(text)

    def error(self, text: str, title: str = "tidybot") -> None:
        self.command(f"::error title={escape_property(title)}::{escape_data(text)}")

    def warning(self, text: str, title: str = "tidybot") -> None:
        self.command(f"::warning title={escape_property(title)}::{escape_data(text)}")

    def notice(self, text: str, title: str = "tidybot") -> None:
        self.command(f"::notice title={escape_property(title)}::{escape_data(text)}")

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.command(f"::group::{title}")
        try:
            yield
        finally:
            self.command("::endgroup::")

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        target = self.settings.output_file
        if target is None:
            for k, v in outputs.items():
                self.log(f"output {k}={v}")
            return
        with target.open("a", encoding="utf-8") as f:
            for name, raw in outputs.items():
                value = self.settings.clean(raw)
                if "\n" in value or "\r" in value:
                    delim = f"ghadelimiter_{uuid.uuid4()}"
                    f.write(f"{name}<<{delim}\n{value}\n{delim}\n")
                else:
                    f.write(f"{name}={value}\n")

    def summary(self, markdown: str) -> None:
        target = self.settings.summary_file
        if target is None:
            return
        markdown = self.settings.clean(markdown)
        if len(markdown.encode("utf-8")) > SUMMARY_LIMIT:
            cut = markdown.encode("utf-8")[:SUMMARY_LIMIT].decode("utf-8", "ignore")
            markdown = cut + "\n\n> ✂️ Cut at GitHub's 1 MiB job summary limit.\n"
        with target.open("a", encoding="utf-8") as f:
            f.write(markdown if markdown.endswith("\n") else markdown + "\n")


# --- the engine --------------------------------------------------------------------------------


def since_for(settings: Settings) -> tuple[str | None, str]:
    """The ``--since`` ref of this run (None: every module) and, when ``auto`` cannot use the
    pull request's base, the notice saying why every module is checked."""
    value = settings.since.strip()
    if value.lower() in ("", "off", "false", "none"):
        return None, ""
    if value.lower() != "auto":
        return value, ""  # a ref the user named: a missing one is an error (the engine says so)
    pr = (
        settings.event.get("pull_request")
        if settings.event_name.startswith("pull_request")
        else None
    )
    base = pr.get("base") if isinstance(pr, dict) else None
    sha = base.get("sha") if isinstance(base, dict) else None
    if not isinstance(sha, str) or not _SHA.match(sha):
        return None, ""  # not a pull request: schedules and pushes check everything
    proc = subprocess.run(
        ["git", "-C", str(settings.workspace), "cat-file", "-e", f"{sha}^{{commit}}"],
        capture_output=True,
        check=False,
        env=child_env(settings.env),
    )
    if proc.returncode != 0:
        return None, (
            f"checking every module: the pull request's base {sha[:12]} is not in the clone "
            "(actions/checkout with fetch-depth: 0 lets tidybot check only the modules the "
            "pull request can affect)"
        )
    return sha, ""


def _run_options(settings: Settings, since: str | None = None) -> RunOptions:
    """Inputs over the config file (.github/tidybot.yml) over the defaults, as the CLI does."""
    config = load_config(settings.root)
    env = dict(config.private.go_env())
    env.update(settings.go_env())
    env.update(cache_env(settings.workspace, settings.cache_dir, settings.env))
    gotoolchain = config.gotoolchain.env_value
    if settings.gotoolchain:
        policy = parse_toolchain_policy(settings.gotoolchain)
        if policy is None:
            raise ConfigError(
                f"input 'gotoolchain' is {settings.gotoolchain!r}: {TOOLCHAIN_POLICY_HELP}"
            )
        gotoolchain = policy.env_value
    return RunOptions(
        include=settings.paths,
        exclude=settings.exclude,
        gotoolchain=gotoolchain,
        env=env,
        base_env=settings.env,
        config=config,
        since=since,
        cache_dir=settings.workspace / settings.cache_dir if settings.cache_dir else None,
    )


def run_check(settings: Settings, since: str | None = None) -> Report:
    return check(settings.root, _run_options(settings, since))


@record
class FixPlan:
    """What a fix changes, as data: repository-relative path -> new bytes (None: delete)."""

    files: Mapping[str, bytes | None]
    old: Mapping[str, bytes | None]
    report: Report

    @property
    def empty(self) -> bool:
        return not self.files

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            data = self.files[path]
            h.update(path.encode() + b"\0" + (b"-" if data is None else data) + b"\0")
        return h.hexdigest()[:16]

    def patch(self) -> str:
        return make_patch(self.old, self.files)


def plan_fix(settings: Settings, *, keep: bool) -> FixPlan:
    """Run the engine's fix in the workspace and collect what it changed.

    ``keep=False`` puts the original files back afterwards (check mode: the patch only).
    Only go.mod, go.sum and go.work.sum may change; anything else is a bug and stops here.
    """
    options = _run_options(settings)
    root = settings.root
    watched: dict[str, Path] = {}
    for ref in discover(root, options):
        for name in ("go.mod", "go.sum"):
            path = ref.gomod.parent / name
            watched[_repo_rel(settings, path)] = path
    for name in ("go.work", "go.work.sum"):
        if (root / "go.work").exists():
            watched[_repo_rel(settings, root / name)] = root / name
    before = {rel: _read_bytes(p) for rel, p in watched.items()}
    report = fix(root, options)
    for m in report.modules:
        for rel in m.changed_files:
            path = root / rel
            watched.setdefault(_repo_rel(settings, path), path)
            before.setdefault(_repo_rel(settings, path), None)
    after = {rel: _read_bytes(p) for rel, p in watched.items()}
    files = {rel: after[rel] for rel in sorted(watched) if after[rel] != before[rel]}
    if not keep:
        for rel, data in before.items():
            if after[rel] != data:
                _restore(watched[rel], data)
    for rel in files:
        name = PurePosixPath(rel).name
        if name not in FIX_FILES:
            raise TidybotError(f"{rel}: the fix changed a file other than go.mod/go.sum")
    return FixPlan(files, {rel: before[rel] for rel in files}, report)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _restore(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(data)


def _repo_rel(settings: Settings, path: Path) -> str:
    return Path(os.path.relpath(path.resolve(), settings.workspace.resolve())).as_posix()


def make_patch(old: Mapping[str, bytes | None], new: Mapping[str, bytes | None]) -> str:
    """A ``git apply``-able unified diff from old to new file contents."""
    out: list[str] = []
    for path in sorted(new):
        a, b = old.get(path), new[path]
        if a == b:
            continue
        a_lines = (a or b"").decode("utf-8", "replace").splitlines(keepends=True)
        b_lines = (b or b"").decode("utf-8", "replace").splitlines(keepends=True)
        out.append(f"diff --git a/{path} b/{path}\n")
        if a is None:
            out.append("new file mode 100644\n")
        elif b is None:
            out.append("deleted file mode 100644\n")
        src = "/dev/null" if a is None else f"a/{path}"
        dst = "/dev/null" if b is None else f"b/{path}"
        for line in difflib.unified_diff(a_lines, b_lines, src, dst):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# --- reports: repository-relative paths, JSON round trip --------------------------------------


def drifted_dirs(settings: Settings, report: Report) -> list[str]:
    return [_join(settings.workdir, m.dir) for m in report.drifted]


def _join(workdir: str, d: str) -> str:
    if workdir in (".", ""):
        return d or "."
    return workdir if d in (".", "") else f"{workdir}/{d}"


def report_from_json(doc: Mapping[str, Any]) -> Report:
    """Rebuild a Report from tidybot's JSON report (an artifact: untrusted, so validated)."""
    if not isinstance(doc, Mapping) or doc.get("schema_version") != 1:
        raise UsageError("the artifact's report.json is not a tidybot JSON report (version 1)")
    modules = []
    for raw in _list(doc.get("modules")):
        m = _map(raw)
        status = _text(m.get("status"), 20)
        if status not in {s.value for s in Status}:
            raise UsageError(f"report.json: unknown module status {status!r}")
        mdir = _text(m.get("dir"), 400) or "."
        findings = tuple(_finding(mdir, f) for f in _list(m.get("findings")))
        modules.append(
            ModuleResult(
                dir=mdir,
                module=_text(m.get("module"), 400),
                status=Status(status),
                findings=findings,
                diff=_text(m.get("diff"), 2_000_000),
                error=_text(m.get("error"), 20_000),
            )
        )
    extra = tuple(
        _finding(_text(_map(f).get("module_dir"), 400) or ".", f)
        for f in _list(doc.get("findings"))
    )
    tool = _map(doc.get("tool"))
    return Report(
        root=".",
        command=_text(doc.get("command"), 40) or "check",
        modules=tuple(modules),
        go_version=_text(doc.get("go_version"), 40),
        tool_version=_text(tool.get("version"), 40),
        findings=extra,
    )


def _finding(module_dir: str, raw: Any) -> Finding:
    f = _map(raw)
    severity = _text(f.get("severity"), 10) or "error"
    if severity not in {s.value for s in Severity}:
        severity = "error"
    line = f.get("line")
    return Finding(
        module_dir=module_dir,
        file=_text(f.get("file"), 400),
        line=line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
        id=_text(f.get("id"), 60),
        severity=Severity(severity),
        message=_text(f.get("message"), 2000),
        why=_text(f.get("why"), 2000),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


# --- git ---------------------------------------------------------------------------------------


def git_head(workspace: Path, env: Mapping[str, str] | None = None) -> str:
    """The checked-out commit. ``env``: the run's environment (default: the process's), without
    the private-token variables either way."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(workspace), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            env=child_env(os.environ if env is None else env),
        )
    except FileNotFoundError:
        raise UsageError(
            "git is not installed", hint="install git, or use the Docker action"
        ) from None
    if proc.returncode != 0:
        raise UsageError(
            f"{workspace} is not a git checkout: {proc.stderr.strip()}",
            hint="run actions/checkout before tidybot",
        )
    return proc.stdout.strip()


# --- the action --------------------------------------------------------------------------------


def make_forge(settings: Settings, repository: str, *, read_only: bool | None = None) -> Forge:
    """The real adapter. ``TIDYBOT_GITHUB_BACKOFF`` (seconds) and ``TIDYBOT_GITHUB_THROTTLE``
    (seconds between requests) tune the retry backoff and the pacing, e.g. for tests."""
    from bot.forge.github import GitHubForge

    kwargs: dict[str, Any] = {}
    backoff = _float_env(settings.env, "TIDYBOT_GITHUB_BACKOFF")
    if backoff is not None:
        kwargs["backoff_base"] = backoff
    throttle = _float_env(settings.env, "TIDYBOT_GITHUB_THROTTLE")
    if throttle is not None:
        kwargs["seconds_between_requests"] = throttle
        kwargs["seconds_between_writes"] = throttle
    return GitHubForge(
        repository, settings.token, base_url=settings.api_url, read_only=read_only, **kwargs
    )


def _float_env(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} is {raw!r}, not a number of seconds") from None
    if value < 0:
        raise ConfigError(f"{name} is {raw!r}: give a number of seconds >= 0")
    return value


class _RedactingForge:
    """A forge whose every text argument (comment, issue and pull request bodies, titles,
    commit messages) has the private-module token replaced: belt and braces, since these texts
    quote go's output. File contents (bytes) pass unchanged."""

    def __init__(self, inner: Forge, token: str) -> None:
        self._inner = inner
        self._token = token

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return attr(
                *(self._clean(a) for a in args), **{k: self._clean(v) for k, v in kwargs.items()}
            )

        return call

    def _clean(self, value: Any) -> Any:
        return redact(value, self._token) if isinstance(value, str) else value


@record(frozen=False)
class Outcome:
    report: Report | None = None
    commit_sha: str = ""
    exit_code: ExitCode = ExitCode.CLEAN
    report_path: str = ""


class Action:
    """One run of the action. ``main`` builds it; tests may pass their own forge factory."""

    def __init__(
        self, settings: Settings, runner: Runner, forge_factory: ForgeFactory = make_forge
    ) -> None:
        self.s = settings
        self.r = runner
        self._factory = forge_factory
        self._forge: Forge | None = None

    @property
    def forge(self) -> Forge:
        if self._forge is None:
            if not self.s.repository:
                raise ConfigError(
                    "GITHUB_REPOSITORY is not set: this mode talks to GitHub",
                    hint="run inside GitHub Actions, or set mode: check",
                )
            if not self.s.token:
                raise ConfigError(
                    "input 'token' is empty: this mode talks to GitHub",
                    hint="pass `token: ${{ github.token }}` or use mode: check",
                )
            self._forge = self._make_forge(self.s.repository)
        return self._forge

    def _make_forge(self, repository: str) -> Forge:
        forge = self._factory(self.s, repository)
        if self.s.private_token:
            return cast(Forge, _RedactingForge(forge, self.s.private_token))
        return forge

    # -- entry ---------------------------------------------------------------------------

    def run(self) -> int:
        dependabot = self.s.actor in READ_ONLY_ACTORS and self.s.event_name == "pull_request"
        known = False if dependabot else None
        decision = select_mode(self.s.event_name, self.s.event, self.s.mode, token_can_write=known)
        # a fix needs contents: write; ask once (a comment needs only pull-requests: write,
        # and a missing permission there is reported with the block to add)
        pr_fix = decision.mode is Mode.FIX and self.s.event_name == "pull_request"
        if pr_fix and not self._can_write():
            decision = select_mode(
                self.s.event_name, self.s.event, self.s.mode, token_can_write=False
            )
        self.r.log(f"tidybot {__version__}: mode {decision.mode} ({decision.reason})")
        if decision.mode is Mode.SKIP:
            self._outputs(Outcome())
            return int(ExitCode.CLEAN)
        with contextlib.ExitStack() as stack:
            if decision.from_artifact:
                outcome = self.follow_up(decision)  # reads the artifact: runs no go
            else:
                self._enter_private_access(stack)
                if decision.mode is Mode.FIX:
                    outcome = self.fix(decision)
                elif decision.mode is Mode.AUDIT:
                    from bot.audit import run_audit  # the dashboard issue and fix PR

                    outcome = run_audit(self, decision)
                else:
                    outcome = self.check(decision)
        self._outputs(outcome)
        return int(outcome.exit_code)

    def _enter_private_access(self, stack: contextlib.ExitStack) -> None:
        """With the ``private-token`` input, go and git of this run reach the private hosts
        the config file names, as with the command line's ``TIDYBOT_PRIVATE_TOKEN``: a netrc
        and git rules in a private temporary directory, removed when the run ends."""
        creds = private_credentials(self.s, load_config(self.s.root))
        if creds is None:
            return
        access = stack.enter_context(private_access(creds, self.s.env))
        self.s = replace(self.s, env={**self.s.env, **access})

    def _can_write(self) -> bool:
        try:
            return self.forge.can_write()
        except ForgeError as e:
            self.r.warning(f"cannot tell whether the token may write, so only checking: {e}")
            return False

    # -- check / comment / audit ---------------------------------------------------------

    def check(self, decision: Decision) -> Outcome:
        since, why_not = since_for(self.s)
        if why_not:
            self.r.notice(why_not)
        report = run_check(self.s, since)
        outcome = Outcome(report, exit_code=self._exit_code(report))
        self._publish(report, decision)
        if decision.pull_number is not None and self.s.event_name.startswith("pull_request"):
            outcome.report_path = self._write_artifact(report, decision)
        else:
            outcome.report_path = self._write_report(report)
        if decision.mode is Mode.COMMENT and decision.pull_number is not None:
            self._comment(decision.pull_number, report, head_sha=self._event_head_sha())
        return outcome

    def _publish(self, report: Report, decision: Decision) -> None:
        """Annotations, the log and the job summary: on every run."""
        annotations = GithubRenderer(self.s.workdir).render(report)
        if annotations:
            self.r.command(annotations.rstrip("\n"))
        s = report.summary
        self.r.log(
            f"tidybot: {s.modules} modules: {s.drifted} drifted, {s.error} failed, "
            f"{s.skipped} skipped, {s.clean} clean"
        )
        for m in report.drifted:
            if m.diff:
                with self.r.group(f"{_join(self.s.workdir, m.dir)}: go mod tidy -diff"):
                    self.r.log(m.diff.rstrip("\n"))
        for m in report.modules:
            if m.status is Status.ERROR and "\n" in m.error.strip():
                # annotations and tables show the first line; go's reason is often further down
                with self.r.group(f"{_join(self.s.workdir, m.dir)}: not checked"):
                    self.r.log(m.error.rstrip("\n"))
        summary = MarkdownRenderer().render(report)
        cmds = fix_commands(report, self.s.workdir)
        if cmds and self.s.workdir not in (".", ""):
            summary += "\nFrom the repository root:\n\n```sh\n" + "\n".join(cmds) + "\n```\n"
        summary += f"\n<sub>mode {decision.mode}: {decision.reason}</sub>\n"
        self.r.summary(summary)

    def _comment(
        self, number: int, report: Report, *, head_sha: str = "", fixed_in: str = ""
    ) -> None:
        renderer = CommentRenderer(
            workdir=self.s.workdir,
            summary_url=self.s.run_url,
            head_sha=head_sha,
            tidy_command=True,
            fixed_in=fixed_in,
        )
        drift = bool(report.drifted) or any(m.status is Status.ERROR for m in report.modules)
        existing = self.forge.find_comment(number, MARKER)
        if existing is None and not drift and not fixed_in:
            self.r.log("tidybot: no drift and no earlier comment: nothing to post")
            return
        body = renderer.render(report)
        if existing is not None and existing.body == body:
            self.r.log(f"tidybot: comment {existing.id} is up to date")
            return
        comment = self.forge.upsert_comment(number, MARKER, body)
        self.r.log(f"tidybot: comment {comment.id} {'updated' if existing else 'posted'}")

    def _event_head_sha(self) -> str:
        pull = self.s.event.get("pull_request")
        if isinstance(pull, Mapping):
            head = pull.get("head")
            if isinstance(head, Mapping) and isinstance(head.get("sha"), str):
                return str(head["sha"])
        return self.s.sha

    # -- report files / the artifact -----------------------------------------------------

    def _write_report(self, report: Report, extra: Mapping[str, object] | None = None) -> str:
        target = self.s.artifact_path
        target.mkdir(parents=True, exist_ok=True)
        doc = replace(report, extra={**report.extra, **(extra or {})})
        text = self.s.clean(JsonRenderer().render(doc))
        (target / "report.json").write_text(text, encoding="utf-8")
        return self._rel(target / "report.json")

    def _write_artifact(self, report: Report, decision: Decision) -> str:
        """JSON report + patch + what the follow-up needs to find the pull request."""
        pull = self.s.event.get("pull_request")
        pull = pull if isinstance(pull, Mapping) else {}
        head = _map(pull.get("head"))
        meta = {
            "pull_number": decision.pull_number,
            "head_sha": _text(head.get("sha"), 40),
            "head_ref": _text(head.get("ref"), 255),
            "head_repo": _text(_map(head.get("repo")).get("full_name"), 200),
            "workdir": self.s.workdir,
            "event": self.s.event_name,
        }
        patch = ""
        files: dict[str, str | None] = {}
        if report.drifted:
            plan = plan_fix(self.s, keep=False)
            patch = plan.patch()
            files = {
                k: (v.decode("utf-8") if v is not None else None) for k, v in plan.files.items()
            }
        path = self._write_report(report, {"tidybot_action": meta, "fix_files": files})
        (self.s.artifact_path / "tidy.patch").write_text(self.s.clean(patch), encoding="utf-8")
        self.r.log(f"tidybot: report and patch written to {self._rel(self.s.artifact_path)}")
        return path

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.s.workspace.resolve()).as_posix()
        except ValueError:
            return str(path)

    # -- fix -----------------------------------------------------------------------------

    def fix(self, decision: Decision) -> Outcome:
        number = decision.pull_number
        if number is None:
            raise UsageError("fix mode needs a pull request event")
        comment_id = _map(self.s.event.get("comment")).get("id")
        commenter = _text(_map(_map(self.s.event.get("comment")).get("user")).get("login"), 100)
        if decision.command and isinstance(comment_id, int):
            self._react(comment_id, "eyes")
            permission = self.forge.permission(commenter)
            if permission not in WRITERS:
                text = (
                    f"@{commenter} `/tidy` needs write, maintain or admin permission on "
                    f"{self.s.repository}; you have {permission}. A maintainer can comment "
                    "`/tidy`, or fix it locally with `go mod tidy`."
                )
                self.forge.reply(number, text)
                self._react(comment_id, "confused")
                self.r.notice(f"/tidy by {commenter} refused: permission {permission}")
                return Outcome(exit_code=ExitCode.CLEAN)
        try:
            outcome = self._fix(number, decision)
        except TidybotError as e:
            if decision.command and isinstance(comment_id, int):
                self.forge.reply(number, f"`/tidy` failed: {e.message}" + _hint(e))
                self._react(comment_id, "confused")
            raise
        if decision.command and isinstance(comment_id, int):
            self._react(comment_id, "rocket" if outcome.commit_sha else "+1")
        return outcome

    def _react(self, comment_id: int, reaction: Any) -> None:
        try:
            self.forge.react(comment_id, reaction)
        except ForgeError as e:
            self.r.warning(f"could not react to the comment: {e}")

    def _fix(self, number: int, decision: Decision) -> Outcome:
        pull = self.forge.get_pull(number)
        if pull.state != "open":
            raise ForgeError(f"pull request #{number} is {pull.state}: nothing to fix")
        checked = git_head(self.s.workspace, self.s.env)
        if checked != pull.head_sha:
            raise ForgeError(
                f"the pull request's head is {pull.head_sha[:12]} but the checkout is "
                f"{checked[:12]}; nothing pushed",
                hint=(
                    "the head moved since this run started (the newer run will check it), or "
                    "the workflow checks out another commit: use actions/checkout with "
                    "`ref: refs/pull/<number>/head` (issue_comment) or "
                    "`ref: ${{ github.event.pull_request.head.sha }}` (pull_request)"
                ),
            )
        report = run_check(self.s)
        self._publish(report, decision)
        outcome = Outcome(report, exit_code=self._exit_code(report))
        outcome.report_path = self._write_report(report)
        if not report.drifted:
            self.r.log("tidybot: every module is tidy: no fix commit")
            self._comment(number, report, head_sha=pull.head_sha)
            return outcome
        target = self._forge_for_head(pull)
        last = target.last_commit(pull.head_ref)
        if last.sha == pull.head_sha and f"{FIX_TRAILER}:" in last.message:
            raise ForgeError(
                f"the head commit {pull.head_sha[:12]} is already tidybot's fix and the drift "
                "remains; not pushing a second fix on top of it",
                hint="fix it locally: " + "; ".join(fix_commands(report, self.s.workdir)),
            )
        plan = plan_fix(self.s, keep=True)
        if plan.empty:
            self.r.log("tidybot: the fix changes no file: no commit")
            self._comment(number, report, head_sha=pull.head_sha)
            return outcome
        message = (
            f"{self.s.commit_message}\n\n"
            f"Run by tidybot in {self.s.run_url or 'GitHub Actions'}.\n\n"
            f"{FIX_TRAILER}: {plan.fingerprint()}\n"
        )
        sha = target.commit_files(pull.head_ref, pull.head_sha, plan.files, message)
        if sha == pull.head_sha:
            self.r.log("tidybot: the fix changes no file on the branch: no commit")
            return outcome
        self.r.notice(f"pushed fix commit {sha} to {pull.head_repo}:{pull.head_ref}")
        self._comment(number, plan.report, head_sha=sha, fixed_in=sha)
        return Outcome(
            plan.report, commit_sha=sha, exit_code=ExitCode.CLEAN, report_path=outcome.report_path
        )

    def _forge_for_head(self, pull: PullRequest) -> Forge:
        if not pull.is_fork:
            return self.forge
        if not pull.head_repo:
            raise ForgeError(f"the fork of pull request #{pull.number} was deleted: cannot push")
        if not pull.maintainer_can_modify:
            raise ForgeError(
                f"pull request #{pull.number} comes from {pull.head_repo}, which does not allow "
                "edits by maintainers; nothing pushed",
                hint="the author can tick 'Allow edits by maintainers', or run `go mod tidy`",
            )
        return self._make_forge(pull.head_repo)

    # -- workflow_run follow-up ----------------------------------------------------------

    def follow_up(self, decision: Decision) -> Outcome:
        """Post the comment (and maybe push the fix) from the pull_request run's artifact.

        Reads data only: the artifact is untrusted (a fork wrote it), so every field is
        validated and checked against the trusted ``workflow_run`` payload and the API.
        """
        run = _map(self.s.event.get("workflow_run"))
        run_sha = _text(run.get("head_sha"), 40)
        path = self.s.artifact_path / "report.json"
        if not path.is_file():
            self.r.warning(
                f"no tidybot report at {self._rel(path)}: download the artifact of the "
                "pull_request run into the artifact-dir first"
            )
            return Outcome()
        if path.stat().st_size > ARTIFACT_LIMIT:
            raise UsageError(f"{self._rel(path)} is larger than {ARTIFACT_LIMIT} bytes")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise UsageError(f"{self._rel(path)} is not JSON: {e}") from None
        report = report_from_json(doc)
        meta = _map(doc.get("tidybot_action"))
        number = meta.get("pull_number")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise UsageError("the artifact names no pull request number")
        if decision.pull_number is not None and decision.pull_number != number:
            raise UsageError(
                f"the artifact is about #{number} but the run was for #{decision.pull_number}"
            )
        if not _SHA.match(run_sha) or meta.get("head_sha") != run_sha:
            raise UsageError("the artifact was not made for the head commit of the run")
        pull = self.forge.get_pull(number)
        if pull.head_sha != run_sha:
            self.r.notice(
                f"#{number} moved on to {pull.head_sha[:12]} since {run_sha[:12]}: the newer "
                "run will report"
            )
            return Outcome(report)
        head_repo = _text(_map(run.get("head_repository")).get("full_name"), 200)
        if head_repo and pull.head_repo and head_repo.lower() != pull.head_repo.lower():
            raise UsageError("the run's head repository is not the pull request's")
        workdir = _text(meta.get("workdir"), 400) or "."
        renderer_workdir = workdir if re.fullmatch(r"[\w./-]+", workdir) else "."
        sha = ""
        if decision.mode is Mode.FIX and report.drifted:
            sha = self._push_from_artifact(pull, doc)
        drift = bool(report.drifted) or any(m.status is Status.ERROR for m in report.modules)
        existing = self.forge.find_comment(number, MARKER)
        if drift or existing is not None:
            body = CommentRenderer(
                workdir=renderer_workdir,
                summary_url=self.s.run_url,
                head_sha=run_sha,
                tidy_command=not pull.is_fork or pull.maintainer_can_modify,
                fixed_in=sha,
            ).render(replace(report, modules=_as_fixed(report.modules)) if sha else report)
            if existing is None or existing.body != body:
                self.forge.upsert_comment(number, MARKER, body)
                self.r.log(f"tidybot: comment on #{number} from the artifact")
        self.r.summary(MarkdownRenderer().render(report))
        return Outcome(report, commit_sha=sha, report_path=self._rel(path))

    def _push_from_artifact(self, pull: PullRequest, doc: Mapping[str, Any]) -> str:
        raw = _map(doc.get("fix_files"))
        files: dict[str, bytes | None] = {}
        for name, content in raw.items():
            p = PurePosixPath(str(name))
            if (
                p.is_absolute()
                or ".." in p.parts
                or p.name not in FIX_FILES
                or (p.parts and p.parts[0] == ".github")
            ):
                raise UsageError(f"the artifact's fix touches {name!r}: refused")
            if content is not None and not isinstance(content, str):
                raise UsageError(f"the artifact's fix for {name!r} is not text: refused")
            files[p.as_posix()] = None if content is None else content.encode("utf-8")
        if not files:
            return ""
        try:
            target = self._forge_for_head(pull)
            last = target.last_commit(pull.head_ref)
            if last.sha == pull.head_sha and f"{FIX_TRAILER}:" in last.message:
                self.r.warning("the head is already tidybot's fix: not pushing a second one")
                return ""
            plan = FixPlan(files, {}, Report(".", "fix", ()))
            message = f"{self.s.commit_message}\n\n{FIX_TRAILER}: {plan.fingerprint()}\n"
            sha = target.commit_files(pull.head_ref, pull.head_sha, files, message)
            if sha == pull.head_sha:
                return ""
        except ForgeError as e:
            self.r.warning(f"fix not pushed: {e}")
            return ""
        self.r.notice(f"pushed fix commit {sha} to {pull.head_repo}:{pull.head_ref}")
        return sha

    # -- outputs -------------------------------------------------------------------------

    def _exit_code(self, report: Report) -> ExitCode:
        if any(m.status is Status.ERROR for m in report.modules):
            return ExitCode.ERROR
        if report.drifted and self.s.fail_on_drift:
            return ExitCode.DRIFT
        return ExitCode.CLEAN

    def _outputs(self, outcome: Outcome) -> None:
        report = outcome.report
        drifted = drifted_dirs(self.s, report) if report is not None else []
        if outcome.commit_sha:
            drifted = []
        self.r.set_outputs(
            {
                "drift": "true" if drifted else "false",
                "drifted-modules": json.dumps(drifted),
                "report": outcome.report_path,
                "commit-sha": outcome.commit_sha,
            }
        )


def _as_fixed(modules: Sequence[ModuleResult]) -> tuple[ModuleResult, ...]:
    return tuple(
        replace(m, status=Status.CLEAN, findings=(), diff="", fixed=True)
        if m.status is Status.DRIFTED
        else m
        for m in modules
    )


def _hint(e: TidybotError) -> str:
    return f"\n\n{e.hint}" if e.hint else ""


# --- entry point -------------------------------------------------------------------------------


def main(
    environ: Mapping[str, str] | None = None,
    *,
    out: IO[str] | None = None,
    forge_factory: ForgeFactory = make_forge,
) -> int:
    """Run the action; returns the exit code. Never raises for a user mistake."""
    env = dict(os.environ if environ is None else environ)
    stream = out or sys.stdout
    secrets = [env.get(name, "").strip() for name in ("INPUT_TOKEN", "GITHUB_TOKEN")]
    secrets += [env.get(name, "").strip() for name in PRIVATE_TOKEN_VARS]
    for secret in dict.fromkeys(s for s in secrets if s):
        stream.write(f"::add-mask::{secret}\n")
    private = next((s for s in secrets[2:] if s), "")
    if environ is None or environ is os.environ:
        # every child process (go, git, and git run by libraries) inherits the process's own
        # environment: the tokens leave it once read (``env`` keeps them for the API client)
        kept = child_env(os.environ, private)
        for name in [k for k in os.environ if k not in kept]:
            del os.environ[name]
    started = time.time()
    try:
        settings = Settings.from_env(env)
        runner = Runner(settings, stream)
        try:
            return Action(settings, runner, forge_factory).run()
        finally:  # run as root in a container: what the run wrote goes to the checkout's owner
            written = (settings.artifact_dir, settings.cache_dir)
            give_to_owner(settings.workspace, written, started, settled=extracted_module)
    except TidybotError as e:
        text = redact(str(e), private)
        stream.write(f"::error title=tidybot::{escape_data(text)}\n")
        print(f"tidybot: error: {text}", file=sys.stderr)
        return int(e.exit_code)
    except Exception:
        print(redact(traceback.format_exc(), private), file=sys.stderr, end="")
        stream.write(f"::error title=tidybot::{escape_data('internal error. ' + BUG_REPORT)}\n")
        return int(ExitCode.BUG)
