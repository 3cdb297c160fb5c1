"""Every run option, resolved once: flags or inputs over the config file over the defaults.

The command line (``bot.cli``) and the action (``bot.action.settings``) each turn what they were
given into a :class:`Request`; :func:`resolve` turns a request and the checked tree into the
engine's ``RunOptions``. This is the only place that layers those sources, validates the
``gotoolchain`` policy, and sets up the private-module token.

**Trust.** A pull request's tree is data written by whoever opened it. When tidybot runs on such a
tree in GitHub Actions (every event but ``push``, ``schedule`` and ``workflow_dispatch``, see
:func:`tree_is_untrusted`) or with ``--untrusted``, the config keys that decide where go fetches
from, what it verifies, which toolchain runs, or where a secret goes (:data:`TRUSTED_KEYS`) are
read only from a trusted config: the base branch's file in the action, ``--config FILE`` on the
command line; the tree's own values for them are ignored (and said so). A ``go.env`` committed
in the tree is not read at all then (``bot.childenv``). The other keys (``include``, ``exclude``,
``modules``, ``ignore``) only choose what is reported and come from the tree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

from bot.config import CONFIG_FILES, Config, load_config
from bot.engine.globs import GLOB_HELP, glob_error
from bot.engine.goenv import TOOLCHAIN_POLICY_HELP, parse_toolchain_policy
from bot.errors import ConfigError
from bot.record import field, record, replace
from bot.runner import RunOptions

__all__ = [
    "ACTION_TOOLCHAIN_SETTING",
    "CLI_TOOLCHAIN_SETTING",
    "TRUSTED_EVENTS",
    "TRUSTED_KEYS",
    "Request",
    "Resolved",
    "check_globs",
    "private_env",
    "resolve",
    "toolchain_value",
    "tree_is_untrusted",
]

#: GitHub events whose checkout is the repository's own code (a writer pushed or started it).
TRUSTED_EVENTS = frozenset({"push", "schedule", "workflow_dispatch"})

#: The setting that chooses the gotoolchain policy, as a toolchain error's advice names it
#: ("{0}": the value). Flags and inputs win over the config file, so these always apply;
#: ``GOTOOLCHAIN`` in the environment does not (go's trust variables, ``bot.childenv``).
CLI_TOOLCHAIN_SETTING = "--gotoolchain {0} (or TIDYBOT_GOTOOLCHAIN={0})"
ACTION_TOOLCHAIN_SETTING = "the action input `gotoolchain: {0}`"

#: Config-file keys that only a trusted place may set, and why.
TRUSTED_KEYS = {
    "gotoolchain": "which toolchain runs",
    "private": "where go fetches from, what it verifies and where the private token goes",
}


def tree_is_untrusted(event_name: str | None, *, forced: bool = False) -> bool:
    """Whether the checked tree is someone else's code: ``--untrusted``, or a GitHub Actions
    run of any event but ``push``, ``schedule`` and ``workflow_dispatch``. Outside Actions (no
    event) the tree is the user's own."""
    if forced:
        return True
    return bool(event_name) and event_name not in TRUSTED_EVENTS


@record
class Request:
    """What the caller asks for: command-line flags or action inputs (both trusted)."""

    jobs: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    gotoolchain: str = ""  # validated with toolchain_value; "" = the config's
    go_settings: Mapping[str, str] = field(default_factory=dict)  # GOPROXY, GOPRIVATE, ...
    since: str | None = None
    cache_dir: Path | None = None
    untrusted: bool = False
    #: the config from a trusted place (--config, the base branch); None: none was found
    trusted_config: Config | None = None
    #: where ``trusted_config`` came from, for messages ("the base branch at 1a2b3c")
    trusted_source: str = ""
    #: an explicit config (``--config FILE``) used instead of the tree's file
    config_override: Config | None = None
    go_timeout: float | None = None  # seconds each go command may run (None: the default)
    #: how the caller's user chooses gotoolchain (CLI_TOOLCHAIN_SETTING, ...); "": no way
    gotoolchain_setting: str = ""
    #: how the caller's user gives ``include`` and ``exclude`` globs, for messages
    globs_named: tuple[str, str] = ("--include", "--exclude")


@record
class Resolved:
    options: RunOptions
    notices: tuple[str, ...] = ()

    @property
    def config(self) -> Config:
        return self.options.config


def _named(what: str, value: str) -> str:
    """How an error names a value: ``--flag 'value'`` or ``input 'name' is 'value'``."""
    return f"{what} {value!r}" if what.startswith("--") else f"{what} is {value!r}"


def check_globs(what: str, globs: tuple[str, ...]) -> tuple[str, ...]:
    """Each glob checked; ``what`` names the flag (``--include``) or input in the error."""
    for g in globs:
        if (why := glob_error(g)) is not None:
            where = f"{what} {g!r}" if what.startswith("--") else f"{what}: bad glob {g!r}"
            raise ConfigError(f"{where}: {why}", hint=GLOB_HELP)
    return globs


def toolchain_value(value: str, what: str) -> str:
    """A ``gotoolchain`` setting as the GOTOOLCHAIN value to run go with ("" stays "")."""
    value = value.strip()
    if not value:
        return ""
    policy = parse_toolchain_policy(value)
    if policy is None:
        raise ConfigError(
            f"{_named(what, value)}: {TOOLCHAIN_POLICY_HELP}",
            hint="remove it to use the installed Go (local)",
        )
    return policy.env_value


def _go_env_left_out(root: Path) -> list[str]:
    """The names a go.env committed at ``root`` sets that tidybot does not read
    (``bot.childenv.TREE_GOENV``), read as ``bot.runner.make_go`` reads the file."""
    from bot.childenv import tree_goenv
    from bot.engine.treefile import file_problem, read_tree_file

    if not root.is_dir() or file_problem(root, "go.env") is not None:
        return []
    data = read_tree_file(root, "go.env")
    if data is None:
        return []
    return tree_goenv(data.decode("utf-8", "replace"))[1]


def resolve(root: Path, request: Request, environ: Mapping[str, str]) -> Resolved:
    """The engine's options for a run over ``root``."""
    tree = request.config_override or (load_config(root) if root.is_dir() else Config())
    config = tree
    notices: list[str] = []
    if request.untrusted and request.config_override is None:
        trusted = request.trusted_config or Config()
        config = replace(tree, gotoolchain=trusted.gotoolchain, private=trusted.private)
        ignored = [
            k
            for k in TRUSTED_KEYS
            if getattr(tree, k) != getattr(Config(), k) and getattr(tree, k) != getattr(trusted, k)
        ]
        if ignored:
            source = request.trusted_source or "a trusted config (none was found)"
            notices.append(
                f"{tree.file}: {', '.join(ignored)} not read from the checked tree: in a run on "
                f"a pull request's code they come from {source}"
            )
    if request.untrusted and (root / "go.env").exists():
        notices.append(
            "go.env: not read in a run on a pull request's code (go's settings come from the "
            "inputs, the workflow's environment and the trusted config)"
        )
    elif not request.untrusted:
        left_out = _go_env_left_out(root)
        if left_out:
            notices.append(
                f"go.env: {', '.join(left_out)} not read: a committed go.env sets only where "
                "modules come from, which are private and which toolchain runs (go itself "
                "reads none of it); set the others in the environment"
            )
    gotoolchain = request.gotoolchain or config.gotoolchain.env_value
    env = dict(config.private.go_env())
    env.update({k: v for k, v in request.go_settings.items() if v})
    options = RunOptions(
        jobs=request.jobs,
        include=request.include,
        exclude=request.exclude,
        gotoolchain=gotoolchain,
        env=env,
        base_env=dict(environ),
        config=config,
        since=request.since,
        cache_dir=request.cache_dir,
        untrusted=request.untrusted,
        go_timeout=request.go_timeout,
        gotoolchain_setting=request.gotoolchain_setting,
        globs_named=request.globs_named,
    )
    return Resolved(options, tuple(notices))


@contextlib.contextmanager
def private_env(
    config: Config, token: str, base_env: Mapping[str, str], *, given_as: str, prefix: str = ""
) -> Iterator[dict[str, str]]:
    """The variables that give go and git the private-module token for this run only (a netrc
    and git rules for the hosts the resolved config's ``private:`` names; empty without a
    token). ``given_as`` names where the token came from, for the error when no host is named
    to receive it; ``prefix`` is the checked directory, to name the config file from the
    repository root."""
    if not token:
        yield {}
        return
    creds = config.private.credentials(token)
    if creds is None:
        where = prefix + (config.file or CONFIG_FILES[0])
        raise ConfigError(
            f"{given_as} is set but no host is named to receive it: add private.auth_hosts or "
            f"private.git.orgs to {where}"
        )
    from bot.credentials import private_access

    with private_access(creds, base_env) as access:
        yield access
