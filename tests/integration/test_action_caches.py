"""``tidybot action`` and the files it leaves in the workspace: the ``cache-dir`` holds Go's
module and build caches and the result cache, so the next run (its directory restored, as
actions/cache does) needs no download; the cache is never taken for the repository's modules
nor part of a fix; and when the action runs as root in its container, everything the run
wrote belongs to the checkout's owner. Real ``tidybot action`` subprocesses, real git, real go
with the fixture proxy, the fake GitHub."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.fakes.goproxy import proxy_sums
from tests.integration.test_action_harness import APP_MAIN, REPO, ActionWorld, git, world

__all__ = ["world"]

RUNNER = (1001, 1001)  # the Actions runner's user
root_only = pytest.mark.skipif(
    getattr(os, "geteuid", lambda: -1)() != 0, reason="changing owners needs root"
)
GREET_ZIP = ".tidybot-cache/go/pkg/mod/cache/download/example.com/greet/@v/v1.0.0.zip"


def _emptied_home(world: ActionWorld, name: str) -> dict[str, str]:
    """Go's default caches in a fresh, empty home, as the runner's /github/home is."""
    home = world.tmp / name
    home.mkdir()
    return {
        "HOME": str(home),
        "GOPATH": str(home / "go"),
        "GOMODCACHE": str(home / "go" / "pkg" / "mod"),
        "GOCACHE": str(home / ".cache" / "go-build"),
    }


def _verdict(res: object) -> tuple[int, str, str, list[tuple[str, str, list[str]]]]:
    from tests.integration.test_action_harness import ActionResult

    assert isinstance(res, ActionResult)
    modules = [
        (m["dir"], m["status"], sorted(f["id"] for f in m.get("findings", [])))
        for m in res.report()["modules"]
    ]
    return res.returncode, res.outputs["drift"], res.outputs["drifted-modules"], modules


def _offline_drift(goproxy_dir: Path) -> dict[str, bytes | None]:
    """A module whose verdict go can reach from the module cache alone: it requires
    example.com/unused without importing it (``unused-require``). A missing requirement would
    not do: go looks the newest version up in the proxy on every run, cache or no cache."""
    sums = proxy_sums(goproxy_dir)
    mods = [("example.com/greet", "v1.0.0"), ("example.com/unused", "v1.0.0")]
    gosum = "".join(
        f"{p} {v} {sums[(p, v)]}\n{p} {v}/go.mod {sums[(p, v + '/go.mod')]}\n" for p, v in mods
    )
    gomod = "module example.com/app\n\ngo 1.22\n\nrequire (\n"
    gomod += "".join(f"\t{p} {v}\n" for p, v in mods) + ")\n"
    return {"go.mod": gomod.encode(), "go.sum": gosum.encode(), "main.go": APP_MAIN.encode()}


def test_the_next_run_needs_no_download(world: ActionWorld, goproxy_dir: Path) -> None:
    number = world.open_pr(_offline_drift(goproxy_dir))
    ws = world.checkout()
    home = _emptied_home(world, "home1")
    first = world.run(
        "pull_request",
        world.pr_event(number),
        ws,
        env_extra=home,
        mode="check",
        cache_dir=".tidybot-cache",
    )
    assert first.returncode == 1, first.explain()
    assert _verdict(first)[3] == [(".", "drifted", ["stale-sum", "stale-sum", "unused-require"])]
    assert (ws / GREET_ZIP).is_file()
    assert (ws / ".tidybot-cache" / "go-build").is_dir()
    assert not Path(home["GOMODCACHE"]).exists()  # go's default place stayed unused
    untracked = git(ws, "status", "--porcelain", "--untracked-files=all")
    assert ".tidybot-cache" not in untracked  # its own .gitignore

    # the next run: a fresh checkout and home, the cache directory restored; no proxy at all
    again = world.checkout()
    shutil.copytree(ws / ".tidybot-cache", again / ".tidybot-cache", symlinks=True)
    second = world.run(
        "pull_request",
        world.pr_event(number),
        again,
        env_extra=_emptied_home(world, "home2"),
        mode="check",
        cache_dir=".tidybot-cache",
        goproxy="off",
    )
    assert _verdict(second) == _verdict(first), second.explain()
    patch = (again / ".tidybot" / "tidy.patch").read_text()
    assert "-\texample.com/unused v1.0.0" in patch


def test_a_cache_dir_go_would_walk_is_refused(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    res = world.run("pull_request", world.pr_event(number), ws, cache_dir="tidybot-cache")
    assert res.returncode == 2, res.explain()
    assert "input 'cache-dir' is 'tidybot-cache': it holds Go's module cache" in res.stderr
    assert "name a directory starting with '.', such as .tidybot-cache" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (ws / "tidybot-cache").exists()


def test_the_fix_commit_holds_nothing_of_the_cache(world: ActionWorld, goproxy_dir: Path) -> None:
    number = world.open_pr(_offline_drift(goproxy_dir))
    ws = world.checkout()
    before = world.gh.branch_files(REPO, "feature")
    res = world.run(
        "pull_request", world.pr_event(number), ws, mode="fix", cache_dir=".tidybot-cache"
    )
    assert res.returncode == 0, res.explain()
    assert res.outputs["commit-sha"]
    assert (ws / GREET_ZIP).is_file()
    after = world.gh.branch_files(REPO, "feature")
    assert {p for p in set(before) | set(after) if before.get(p) != after.get(p)} == {
        "go.mod",
        "go.sum",
    }


@root_only
def test_what_the_run_wrote_belongs_to_the_checkouts_owner(
    world: ActionWorld, goproxy_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The container runs as root in a checkout of the runner's user: the report, the patch,
    the caches and the go.mod/go.sum the check put back are all the user's afterwards."""
    trust = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory"}
    trust["GIT_CONFIG_VALUE_0"] = "*"  # as the image's system git config does
    for name, value in trust.items():
        monkeypatch.setenv(name, value)  # the harness's own git commands
    number = world.open_pr(_offline_drift(goproxy_dir))
    ws = world.checkout()
    for dirpath, dirnames, filenames in os.walk(ws):
        for name in [".", *dirnames, *filenames]:
            os.chown(os.path.join(dirpath, name), *RUNNER, follow_symlinks=False)
    res = world.run(
        "pull_request",
        world.pr_event(number),
        ws,
        env_extra=trust,
        mode="check",
        cache_dir=".tidybot-cache",
    )
    assert res.returncode == 1, res.explain()
    assert (ws / GREET_ZIP).is_file() and (ws / ".tidybot" / "tidy.patch").is_file()
    others = []
    for dirpath, dirnames, filenames in os.walk(ws):
        if ".git" in Path(dirpath).relative_to(ws).parts[:1]:
            continue  # git's own files: written by git, not by tidybot
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_uid, st.st_gid) != RUNNER:
                others.append(os.path.relpath(os.path.join(dirpath, name), ws))
    assert others == []
