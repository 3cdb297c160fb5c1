"""The action's ``cache-dir`` against a pull request's tree, through ``tidybot action``: the
cache holds Go's module cache and tidybot's result cache, so it must come from earlier runs
(actions/cache), never from files the pull request committed there or a link it put in its
place; and the error that says so must not speak workflow commands on stderr, which the
runner reads for them as it reads stdout. Each test fails on the code before the guard."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.fakes.goproxy import proxy_sums
from tests.integration.test_action_harness import APP_MAIN, ActionResult, ActionWorld, world

__all__ = ["world"]

CACHE = ".tidybot-cache"
GREET = f"{CACHE}/go/pkg/mod/example.com/greet@v1.0.0/greet.go"
POISON = b'package greet\n\nimport _ "example.com/unused"\n\nfunc Hello() string { return "" }\n'


def _tidy(goproxy_dir: Path) -> dict[str, bytes | None]:
    """A tidy module using example.com/greet v1.0.0."""
    sums = proxy_sums(goproxy_dir)
    p, v = "example.com/greet", "v1.0.0"
    return {
        "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire {p} {v}\n".encode(),
        "go.sum": f"{p} {v} {sums[(p, v)]}\n{p} {v}/go.mod {sums[(p, v + '/go.mod')]}\n".encode(),
        "main.go": APP_MAIN.encode(),
    }


def _check(world: ActionWorld, number: int, ws: Path, name: str) -> ActionResult:
    home = world.tmp / name  # an empty home, as the runner's /github/home is
    home.mkdir()
    return world.run(
        "pull_request",
        world.pr_event(number),
        ws,
        env_extra={"HOME": str(home)},
        mode="check",
        cache_dir=CACHE,
    )


def test_a_module_cache_committed_by_the_pull_request_is_refused(
    world: ActionWorld, goproxy_dir: Path
) -> None:
    """go trusts a module it finds extracted in its module cache: a pull request that commits
    ``.tidybot-cache/go/pkg/mod/example.com/greet@v1.0.0/`` with other code in it chooses
    what go reads as that dependency (here an import of example.com/unused, which tidy would
    then add to go.mod)."""
    tidy = _tidy(goproxy_dir)
    number = world.open_pr(tidy)
    first = _check(world, number, world.checkout(), "home1")
    assert first.returncode == 0, first.explain()
    built = first.workspace / CACHE / "go" / "pkg" / "mod"
    assert (first.workspace / GREET).is_file()
    poisoned: dict[str, bytes | None] = dict(tidy)
    for f in sorted(built.rglob("*")):
        if f.is_file() and not f.is_symlink():
            rel = f.relative_to(first.workspace).as_posix()
            poisoned[rel] = POISON if rel == GREET else f.read_bytes()

    evil = world.open_pr(poisoned, branch="evil")
    ws = world.checkout("evil")
    res = _check(world, evil, ws, "home2")
    assert res.returncode == 2, res.explain()
    assert f"input 'cache-dir' is '{CACHE}', and the repository holds files there" in res.stderr
    assert f"git rm -r --cached {CACHE}" in res.stderr
    assert "example.com/unused" not in res.stdout + res.stderr  # go never read the poison
    assert "Traceback" not in res.stderr


def test_a_cache_dir_that_is_a_link_in_the_checkout_is_refused(
    world: ActionWorld, goproxy_dir: Path
) -> None:
    """A link in the cache directory's place would send every file the run writes there
    (Go's caches, the result cache, a .gitignore of '*') to where it points."""
    number = world.open_pr(_tidy(goproxy_dir))
    ws = world.checkout()
    (ws / CACHE).symlink_to(".github")
    (ws / ".github").mkdir(exist_ok=True)
    before = sorted(p.name for p in (ws / ".github").iterdir())
    res = _check(world, number, ws, "home")
    assert res.returncode == 2, res.explain()
    assert f"{CACHE} in the checkout is a symbolic link" in res.stderr
    assert sorted(p.name for p in (ws / ".github").iterdir()) == before  # nothing written there


def test_the_refusal_names_a_hostile_file_without_speaking_a_command(
    world: ActionWorld, goproxy_dir: Path
) -> None:
    """The committed file the error names is the pull request's: a name with a line break and
    ``::warning ...`` must not reach stderr as a command line (the runner parses stderr too)."""
    files = dict(_tidy(goproxy_dir))
    files[f"{CACHE}/x\n::warning title=LGTM::approved\n##[add-mask]go"] = b"planted\n"
    number = world.open_pr(files)
    res = _check(world, number, world.checkout(), "home")
    assert res.returncode == 2, res.explain()
    assert "and the repository holds files there" in res.stderr
    for line in res.stderr.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
    assert "\\x3a:warning title=LGTM::approved" in res.stderr  # shown, defused


def _nested_repository(where: Path, files: dict[str, bytes]) -> None:
    """A git repository of its own at ``where``, as a checked-out submodule leaves one: its
    files are the submodule repository's, which the outer ``git ls-files`` never lists."""
    import subprocess

    for rel, data in files.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(data)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "cache"],
    ):
        subprocess.run(["git", *args], cwd=where, check=True, capture_output=True)


def test_a_submodule_holding_the_cache_dir_is_refused(
    world: ActionWorld, goproxy_dir: Path
) -> None:
    """cache-dir .cache/tidybot, and the pull request adds a submodule at .cache (checked out
    with ``submodules: true``): ``git ls-files .cache/tidybot`` lists nothing inside a
    submodule, so the planted module cache passed the guard and go read it, and a link there
    sent the result cache's writes (and prune's deletions) out of the workspace."""
    number = world.open_pr(_tidy(goproxy_dir))
    ws = world.checkout()
    _nested_repository(
        ws / ".cache", {"tidybot/go/pkg/mod/example.com/greet@v1.0.0/greet.go": POISON}
    )
    home = world.tmp / "home"
    home.mkdir()
    res = world.run(
        "pull_request",
        world.pr_event(number),
        ws,
        env_extra={"HOME": str(home)},
        mode="check",
        cache_dir=".cache/tidybot",
    )
    assert res.returncode == 2, res.explain()
    assert "input 'cache-dir' is '.cache/tidybot', and .cache is a git repository" in res.stderr
    assert "example.com/unused" not in res.stdout + res.stderr  # go never read the poison
    assert "Traceback" not in res.stderr


def test_a_cache_dir_in_a_repository_below_the_workspace_is_checked(
    world: ActionWorld, goproxy_dir: Path
) -> None:
    """The workspace is no repository (actions/checkout with ``path: src``), the checkout is
    src: asked from the workspace, git failed, and that failure read as "nothing tracked". The
    checkout belongs to another user than the one git runs as, as in the action's container
    (git trusts only /github/workspace there): asked from src, git must still answer."""
    number = world.open_pr(_tidy(goproxy_dir))
    ws = world.tmp / "workspace"
    ws.mkdir()
    src = world.checkout()
    src.rename(ws / "src")
    planted = {f"{CACHE}/go/pkg/mod/example.com/greet@v1.0.0/greet.go": POISON}
    for rel, data in planted.items():
        (ws / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / "src" / rel).write_bytes(data)
    import subprocess

    subprocess.run(["git", "add", "-f", "-A"], cwd=ws / "src", check=True)
    # as in the action's container: the checkout is the runner's user's, git runs as root
    subprocess.run(["chown", "-R", "1001:1001", str(ws)], check=True)
    home = world.tmp / "home"
    home.mkdir()

    def check() -> ActionResult:
        return world.run(
            "pull_request",
            world.pr_event(number),
            ws,
            env_extra={"HOME": str(home), "GITHUB_SHA": "0" * 40},
            mode="check",
            cache_dir=f"src/{CACHE}",
            working_directory="src",
        )

    res = check()
    assert res.returncode == 2, res.explain()
    assert "and the repository holds files there" in res.stderr, res.stderr
    assert "example.com/unused" not in res.stdout + res.stderr
    # the same layout with nothing committed there is a cache like any other
    subprocess.run(
        ["git", "-c", f"safe.directory={ws / 'src'}", "rm", "-r", "-q", "--cached", CACHE],
        cwd=ws / "src",
        check=True,
    )
    shutil.rmtree(ws / "src" / CACHE)
    again = check()
    assert again.returncode == 0, again.explain()
    assert (ws / "src" / CACHE / "go" / "pkg" / "mod").is_dir()
