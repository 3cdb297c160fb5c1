"""Which repositories an organisation audit covers: the listing, the filters and the shards.

The listing comes from the organisation client of the forge (``bot.forge.github``'s
``GitHubOrganisation``, the same PyGithub connection and retry policy as every other GitHub call
of tidybot). Everything else here is pure: ``select`` applies the shard and the filters,
``shard_of`` is a stable hash, ``plan_matrix`` is the GitHub Actions matrix of ``org-audit plan``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence

from bot.errors import ConfigError, UsageError
from bot.forge.port import Organisation, RepoInfo
from bot.record import record

__all__ = [
    "Filters",
    "RepoInfo",
    "Shard",
    "organisation",
    "plan_matrix",
    "select",
    "shard_of",
]


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

    @classmethod
    def from_json(cls, raw: object) -> Filters:
        f = raw if isinstance(raw, dict) else {}
        return cls(
            tuple(f.get("include") or ()),
            tuple(f.get("exclude") or ()),
            tuple(f.get("topics") or ()),
            bool(f.get("archived")),
            bool(f.get("forks")),
        )


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


def select(
    repos: Sequence[RepoInfo], filters: Filters, shard: Shard | None = None
) -> tuple[list[RepoInfo], list[tuple[str, str]]]:
    """The repositories of this run (shard applied, by name), and the excluded ones of this
    shard with the reason."""
    chosen: list[RepoInfo] = []
    excluded: list[tuple[str, str]] = []
    for repo in sorted(repos, key=lambda r: r.full_name.lower()):
        if shard is not None and not shard.owns(repo.full_name):
            continue
        why = filters.excluded_because(repo)
        if why is None:
            chosen.append(repo)
        else:
            excluded.append((repo.full_name, why))
    return chosen, excluded


def organisation(
    token: str,
    api_url: str,
    environ: Mapping[str, str],
    on_wait: Callable[[str], None] | None = None,
) -> Organisation:
    """The organisation client of the forge. ``TIDYBOT_GITHUB_PER_PAGE`` (repositories a page,
    default 100) and ``TIDYBOT_GITHUB_BACKOFF`` (seconds of the first retry's wait, default 1)
    tune it for tests and GitHub Enterprise Server."""
    from bot.forge.github import GitHubOrganisation

    return GitHubOrganisation(
        token,
        base_url=api_url,
        on_wait=on_wait,
        per_page=int(_number(environ, "TIDYBOT_GITHUB_PER_PAGE", 100, whole=True)),
        backoff_base=_number(environ, "TIDYBOT_GITHUB_BACKOFF", 1.0),
    )


def _number(environ: Mapping[str, str], var: str, default: float, *, whole: bool = False) -> float:
    raw = environ.get(var, "").strip()
    if not raw:
        return default
    try:
        return int(raw) if whole else float(raw)
    except ValueError:
        raise ConfigError(f"{var} is {raw!r}, not a number") from None
