"""The action's cache directory: Go's module cache, Go's build cache and tidybot's result cache
in one directory of the workspace, which the workflow keeps with ``actions/cache``.

The action runs in a container that sees only the workspace and ``/github/home``, and the
runner empties the latter after every job, so Go's caches must live in the workspace to be
kept. Layout of ``<cache-dir>``::

    go/            GOPATH: go/pkg/mod is GOMODCACHE, go/pkg/sumdb the checksum database's
                   newest tree head (tidybot verify keeps it up to date)
    go-build/      GOCACHE (go's package index of the standard library and of modules)
    tidybot-v1/    the result cache (bot.resultcache)
    .gitignore     "*": git, and so `git add -A` in a later step, never picks any of it up

The module cache holds hundreds of ``go.mod`` files and packages, so the directory must be one
that go's ``./...`` and tidybot's module discovery skip: its name, or the name of a directory
above it in the workspace, starts with ``.`` or ``_``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from bot.errors import ConfigError, UsageError

__all__ = ["cache_env", "extracted_module"]


def cache_env(workspace: Path, name: str, env: Mapping[str, str]) -> dict[str, str]:
    """The go settings that put Go's caches in the cache directory ``name`` (relative to the
    workspace; "" for none: go keeps its own defaults), which is created with its
    ``.gitignore``. ``env`` is the run's environment: its ``GOFLAGS`` gain ``-modcacherw``, so
    that the runner's user can delete the module cache like any other directory of the
    checkout (go makes it read-only otherwise)."""
    if not name:
        return {}
    parts = PurePosixPath(name.replace(os.sep, "/")).parts
    if not any(p.startswith((".", "_")) for p in parts if p not in (".", "..")):
        raise ConfigError(
            f"input 'cache-dir' is {name!r}: it holds Go's module cache, whose modules go's "
            "./... and tidybot would take for the repository's own",
            hint="name a directory starting with '.', such as .tidybot-cache",
        )
    _not_from_the_tree(workspace, name, env)
    path = workspace / name
    try:
        path.mkdir(parents=True, exist_ok=True)
        ignore = path / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# tidybot's cache directory (Go's caches and results)\n*\n")
    except OSError as e:
        raise UsageError(
            f"input 'cache-dir': cannot use {name!r} as the cache directory: {e.strerror or e}",
            hint="give a writable directory of the workspace, such as .tidybot-cache",
        ) from e
    gopath = os.fspath(path.resolve() / "go")
    flags = env.get("GOFLAGS", "").split()
    if "-modcacherw" not in flags:
        flags.append("-modcacherw")
    return {
        "GOPATH": gopath,
        "GOMODCACHE": os.path.join(gopath, "pkg", "mod"),
        "GOCACHE": os.fspath(path.resolve() / "go-build"),
        "GOFLAGS": " ".join(flags),
    }


def _not_from_the_tree(workspace: Path, name: str, env: Mapping[str, str]) -> None:
    """The cache directory must hold only what earlier runs wrote (restored by actions/cache),
    never what the checked-out tree brings: go does not check a module it finds extracted in
    its module cache again, so a pull request that committed ``<cache-dir>/go/pkg/mod/...``
    would choose the code go reads for a dependency, and forged result-cache entries would
    report its modules clean. So no part of the path may be a symbolic link (the run writes
    there), and git may track no file below it."""
    cur = workspace
    nearest = workspace  # the deepest directory of the path that exists
    in_checkout = os.path.lexists(workspace / ".git")  # else a checkout below it (path: src)
    checkout = workspace
    for part in PurePosixPath(name.replace(os.sep, "/")).parts:
        cur = cur / part
        if part in (".", ".."):
            continue
        if cur.is_symlink():
            raise ConfigError(
                f"input 'cache-dir' is {name!r}, and {cur.relative_to(workspace)} in the "
                "checkout is a symbolic link: the cache must be a directory of its own",
                hint="remove the link from the repository, or choose another cache-dir",
            )
        if os.path.lexists(cur / ".git") and not in_checkout:
            in_checkout, checkout = True, cur  # the checkout, below a workspace that is none
        elif os.path.lexists(cur / ".git"):  # a submodule, or a repository the tree holds
            raise ConfigError(
                f"input 'cache-dir' is {name!r}, and {cur.relative_to(workspace)} is a git "
                "repository of its own (a submodule?): its files are not the workspace's "
                "repository's to tell, and a cache comes from actions/cache, never from a "
                "checked-out tree",
                hint="choose a cache-dir outside submodules, such as .tidybot-cache",
            )
        if cur.is_dir():
            nearest = cur
    from bot.gitport import Git

    # asked from the deepest existing directory: the workspace itself may be no repository
    # (actions/checkout with path:), the checkout one below it
    spec = os.path.relpath(workspace / name, nearest)
    # the checkout belongs to the runner's user, not to root in the action's container: git
    # trusts it as the image trusts the workspace (any repository below it was refused above)
    trust = ("-c", f"safe.directory={os.path.abspath(checkout)}")
    listed = Git(nearest, env).run(*trust, "ls-files", "-z", "--", spec)
    if not listed.ok and "not a git repository" not in listed.error:
        raise ConfigError(
            f"input 'cache-dir' is {name!r}, and git could not tell whether the repository "
            f"holds files there: {listed.error or listed.returncode}",
            hint="check out the repository with git (actions/checkout), or drop cache-dir",
        )
    if listed.ok and listed.stdout:  # outside any repository: nothing is tracked
        first = listed.stdout.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
        raise ConfigError(
            f"input 'cache-dir' is {name!r}, and the repository holds files there ({first}): "
            "a cache comes from actions/cache, never from the checked-out tree",
            hint=f"remove them from the repository: git rm -r --cached {name}",
        )


_MOD = f"{os.sep}pkg{os.sep}mod{os.sep}"
_DOWNLOADS = f"{_MOD}cache{os.sep}"


def extracted_module(path: str) -> bool:
    """``path`` is a module as go extracts it into the module cache
    (``.../pkg/mod/<module path>@<version>``), which go never changes once made: the walk that
    hands the run's files to the workspace's owner need not enter one it handed over before.
    ``pkg/mod/cache/`` (downloads, the checksum database, VCS clones) does change."""
    i = path.rfind(_MOD)
    return i >= 0 and "@" in os.path.basename(path) and _DOWNLOADS not in path[i:]
