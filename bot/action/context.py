"""One run of the action: its settings, the runner's protocol, GitHub, and the resolved options.

:class:`Run` is what every mode (``bot.action.modes``) gets. It builds the GitHub client on first
use (``make_forge``: the one real adapter, wrapped so that every text sent to GitHub is cleaned
of the run's secrets), reads the trusted config file of a run on a pull request's code (the
base branch's, through git or the API; never the pull request's own) and resolves the engine's
options through ``bot.options``: the one place where inputs, config and defaults meet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any, cast

from bot.action.settings import Settings
from bot.action.workflow import Workflow
from bot.cachedir import cache_env
from bot.config import CONFIG_FILES, Config, parse_config
from bot.errors import ConfigError, ForgeError
from bot.forge.port import Forge
from bot.gitport import Git
from bot.options import ACTION_TOOLCHAIN_SETTING, Request, Resolved, private_env, resolve
from bot.secrets import redact

__all__ = ["ForgeFactory", "Run", "make_forge"]

ForgeFactory = Callable[[Settings, str], Forge]


def make_forge(settings: Settings, repository: str) -> Forge:
    """The real adapter. ``TIDYBOT_GITHUB_BACKOFF`` (seconds) and ``TIDYBOT_GITHUB_THROTTLE``
    (seconds between requests) tune the retry backoff and the pacing, e.g. for tests."""
    from bot.forge.github import GitHubForge

    kwargs: dict[str, Any] = {}
    backoff = _seconds(settings.env, "TIDYBOT_GITHUB_BACKOFF")
    if backoff is not None:
        kwargs["backoff_base"] = backoff
    throttle = _seconds(settings.env, "TIDYBOT_GITHUB_THROTTLE")
    if throttle is not None:
        kwargs["seconds_between_requests"] = throttle
        kwargs["seconds_between_writes"] = throttle
    return GitHubForge(repository, settings.token, base_url=settings.api_url, **kwargs)


def _seconds(env: Mapping[str, str], name: str) -> float | None:
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
    commit messages) has the run's secrets replaced: these texts quote go's output. File
    contents (bytes) pass unchanged."""

    def __init__(self, inner: Forge, secrets: tuple[str, ...]) -> None:
        self._inner = inner
        self._secrets = secrets

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
        return redact(value, self._secrets) if isinstance(value, str) else value


class Run:
    """The context every mode gets."""

    def __init__(self, settings: Settings, workflow: Workflow, factory: ForgeFactory) -> None:
        self.s = settings
        self.w = workflow
        self._factory = factory
        self._forge: Forge | None = None
        self._trusted: tuple[Config | None, str] | None = None
        self.access_env: dict[str, str] = {}  # the private-module netrc and git rules
        self._said: set[str] = set()
        self._resolved: dict[tuple[str | None, tuple[tuple[str, str], ...]], Resolved] = {}

    # -- GitHub ---------------------------------------------------------------------------

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
            self._forge = self.forge_for(self.s.repository)
        return self._forge

    def forge_for(self, repository: str) -> Forge:
        return cast(Forge, _RedactingForge(self._factory(self.s, repository), self.s.secrets))

    # -- git ------------------------------------------------------------------------------

    def git(self) -> Git:
        return Git(self.s.workspace, self.s.env)

    # -- options --------------------------------------------------------------------------

    def trusted_config(self) -> tuple[Config | None, str]:
        """The config file of the trusted commit (``Settings.trusted_ref``) and where it came
        from; (None, why) when there is none to read. Only for runs on a pull request's code."""
        if self._trusted is None:
            self._trusted = self._read_trusted_config()
        return self._trusted

    def _read_trusted_config(self) -> tuple[Config | None, str]:
        ref = self.s.trusted_ref()
        if not ref:
            return None, "the defaults (this event names no trusted commit)"
        prefix = "" if self.s.workdir == "." else self.s.workdir + "/"
        git = self.git()
        local = git.has_commit(ref)
        found: list[tuple[str, bytes]] = []
        for name in CONFIG_FILES:
            path = str(PurePosixPath(prefix + name))
            data = git.read_blob(ref, path) if local else None
            if data is None and not local and self.s.repository and self.s.token:
                try:
                    data = self.forge.read_file(path, ref)
                except ForgeError as e:
                    self.w.warning(
                        f"could not read {path} at {ref[:12]} ({e.message}): the settings only a "
                        "trusted config may set (gotoolchain, private) take their defaults"
                    )
                    return None, f"the defaults ({path} at {ref[:12]} could not be read)"
            if data is not None:
                found.append((name, data))
        where = f"the base branch's config at {ref[:12]}"
        if len(found) > 1:
            raise ConfigError(
                f"both {found[0][0]} and {found[1][0]} exist at {ref[:12]}; keep one of them"
            )
        if not found:
            return Config(), f"{where} (none: the defaults)"
        name, data = found[0]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"{name} at {ref[:12]}: not UTF-8 text") from None
        return parse_config(text, f"{name} at {ref[:12]}"), where

    def request(self, since: str | None = None) -> Request:
        s = self.s
        trusted, source = self.trusted_config() if s.untrusted else (None, "")
        go_settings = s.go_settings()
        # Go's module and build caches in the cache directory too, kept across runs
        go_settings.update(cache_env(s.workspace, s.cache_dir, s.env))
        return Request(
            include=s.paths,
            exclude=s.exclude,
            gotoolchain=s.gotoolchain,
            gotoolchain_setting=ACTION_TOOLCHAIN_SETTING,
            globs_named=("paths:", "exclude:"),  # the inputs, as a workflow gives them
            go_settings=go_settings,
            since=since,
            cache_dir=s.workspace / s.cache_dir if s.cache_dir else None,
            untrusted=s.untrusted,
            trusted_config=trusted,
            trusted_source=source,
            go_timeout=s.go_timeout,
        )

    def resolve(self, since: str | None = None) -> Resolved:
        """The engine's options for this run (notices about ignored settings are logged once):
        the config is read once per ``since`` and private-access environment."""
        key = (since, tuple(sorted(self.access_env.items())))
        if key in self._resolved:
            return self._resolved[key]
        resolved = resolve(self.s.root, self.request(since), {**self.s.env, **self.access_env})
        self._resolved[key] = resolved
        for text in resolved.notices:
            if text not in self._said:
                self._said.add(text)
                self.w.notice(text)
        return resolved

    @contextlib.contextmanager
    def private_access(self) -> Iterator[None]:
        """With the ``private-token`` input, go and git of this run reach the private hosts
        the resolved config's ``private:`` names (a netrc and git rules in a private temporary
        directory, removed when the run ends)."""
        if not self.s.private_token:
            yield
            return
        config = self.resolve().config
        try:
            with private_env(
                config,
                self.s.private_token,
                self.s.env,
                given_as="input 'private-token'",
                prefix="" if self.s.workdir == "." else self.s.workdir + "/",
            ) as access:
                self.access_env = access
                yield
        finally:
            self.access_env = {}
