"""The action's speed inputs: ``since`` (a pull request checks what its changes can affect) and
``cache-dir`` (the result cache). Real ``tidybot action`` subprocesses, real git clones, real
go with the fixture proxy, the fake GitHub."""

from __future__ import annotations

from typing import Any

from tests.integration.test_action_harness import REPO, ActionWorld, git, world

__all__ = ["world"]


def _module(name: str, body: str = "") -> dict[str, bytes]:
    return {
        f"svc/{name}/go.mod": f"module example.com/{name}\n\ngo 1.22\n".encode(),
        f"svc/{name}/{name}.go": (
            f'package {name}\n\nimport "fmt"\n\nfunc F() {{ fmt.Println("{name}"{body}) }}\n'
        ).encode(),
    }


def _pr_touching_b(world: ActionWorld) -> int:
    world.gh.push(REPO, "main", {**_module("a"), **_module("b")}, "Two more modules")
    return world.open_pr({"svc/b/b.go": _module("b", ', "changed"')["svc/b/b.go"]})


def _statuses(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {m["dir"]: (m["status"], m.get("error") or "") for m in report["modules"]}


def test_pull_request_checks_only_what_it_can_affect_and_caches(world: ActionWorld) -> None:
    number = _pr_touching_b(world)
    ws = world.checkout()
    base = world.gh.branch_sha(REPO, "main")
    res = world.run("pull_request", world.pr_event(number), ws, cache_dir=".tidybot-cache")
    assert res.returncode == 0, res.explain()
    report = res.report()
    got = _statuses(report)
    assert got["svc/b"] == ("clean", "")
    for other in (".", "svc/a"):
        assert got[other] == ("skipped", f"not affected by the changes since {base}")
    assert report["since"]["selected"] == 1 and report["since"]["changed_files"] == 1
    assert report["cache"]["stored"] == 1
    assert (ws / ".tidybot-cache" / "tidybot-v1").is_dir()
    # the same run again (a re-run of the job): the module comes from the cache
    again = world.run("pull_request", world.pr_event(number), ws, cache_dir=".tidybot-cache")
    assert again.returncode == 0, again.explain()
    assert again.report()["cache"]["hits"] == ["svc/b"]
    # since: off checks every module (and still uses the cache)
    full = world.run(
        "pull_request", world.pr_event(number), ws, cache_dir=".tidybot-cache", since="off"
    )
    assert full.returncode == 0, full.explain()
    assert {s for s, _ in _statuses(full.report()).values()} == {"clean"}
    assert "since" not in full.report()
    assert full.report()["cache"]["hits"] == ["svc/b"]


def test_without_the_base_in_the_clone_every_module_is_checked_with_a_notice(
    world: ActionWorld,
) -> None:
    number = _pr_touching_b(world)
    bare = world.gh.export(REPO, world.tmp / "shallow-src.git")
    ws = world.tmp / "shallow"
    git(world.tmp, "clone", "-q", "--depth", "1", "--branch", "feature", bare.as_uri(), str(ws))
    res = world.run("pull_request", world.pr_event(number), ws)
    assert res.returncode == 0, res.explain()
    assert {s for s, _ in _statuses(res.report()).values()} == {"clean"}
    notices = [ln for ln in res.stdout.splitlines() if ln.startswith("::notice")]
    assert any("is not in the clone" in n and "fetch-depth: 0" in n for n in notices), res.stdout


def test_a_push_checks_every_module(world: ActionWorld) -> None:
    world.gh.push(REPO, "main", {**_module("a"), **_module("b")}, "Two more modules")
    ws = world.checkout("main")
    res = world.run("push", world.load_event("push"), ws, mode="check")
    assert res.returncode == 0, res.explain()
    assert set(_statuses(res.report())) == {".", "svc/a", "svc/b"}
    assert "since" not in res.report()


def test_cache_dir_outside_the_workspace_is_a_clear_error(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    for value, says in (
        ("/var/cache/tidybot", "give a path relative to the repository root"),
        ("../elsewhere", "outside the repository"),
    ):
        res = world.run("pull_request", world.pr_event(number), ws, cache_dir=value)
        assert res.returncode == 2, res.explain()
        assert f"input 'cache-dir' is {value!r}" in res.stderr and says in res.stderr
        assert "Traceback" not in res.stderr


def test_a_named_ref_missing_from_the_clone_is_an_error(world: ActionWorld) -> None:
    number = world.open_pr()
    ws = world.checkout()
    res = world.run("pull_request", world.pr_event(number), ws, since="origin/nope")
    assert res.returncode == 2, res.explain()
    assert "--since origin/nope: no such commit" in res.stderr + res.stdout
    assert "Traceback" not in res.stderr
