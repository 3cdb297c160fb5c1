"""The workspace check of some of the modules answered from the workspace's module graph.

A ``tidybot check --include`` of modules that are tidy on their own asks go for the
workspace's module graph (``go list -m all``, no package loaded) and runs no ``go work sync``
when that shows the sync can raise none of their requirements (bot.workspace
``_sync_keeps_scope``). Each workspace here is checked that way and against go itself: a
``go work sync`` in a copy of the tree, whose change to the selected module's go.mod must be
what the report says. The shapes are those where the graph alone could mislead: a module
that builds a released copy of a workspace module, a go.mod from before graph pruning, drift
the config ignores, a go.work replace.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import (
    go,
    go_calls,
    logging_shim,
    snapshot,
    tidy,
    tidybot,
    workspace_tree,
)

GRAPH = "list -m -f {{.Path}} {{.Version}} "  # then the module paths asked


def _go_work_sync_changes(env: dict[str, str], root: Path, tmp: Path, module: str) -> bool:
    """go's own answer: ``go work sync`` in a copy of the tree changes ``module``'s go.mod."""
    copy = tmp / "truth"
    shutil.copytree(root, copy, symlinks=True)
    res = go({**env, "GOWORK": str(copy / "go.work")}, copy, "work", "sync")
    assert res.returncode == 0, res.stderr
    before = (root / module / "go.mod").read_bytes()
    return (copy / module / "go.mod").read_bytes() != before


def _in_sync(env: dict[str, str], root: Path) -> None:
    workspace_tree(env, root, 3, low=())


def _behind(env: dict[str, str], root: Path) -> None:
    workspace_tree(env, root, 3, low=(1,))


_M2_ON_OLDBASE_V1_1 = {  # a workspace module that makes the workspace select oldbase v1.1.0
    "m2/go.mod": "module example.com/ws/m2\n\ngo 1.22\n\nrequire example.com/oldbase v1.1.0\n",
    "m2/m2.go": 'package m2\n\nimport "example.com/oldbase"\n\n'
    "func Hi() string { return oldbase.Name() }\n",
}


def _released_copy(env: dict[str, str], root: Path) -> None:
    """m1 requires example.com/util v1.0.0 with no replace: on its own it builds the released
    util; in the workspace it builds ./util, whose package imports testdep (go's sync then
    tidies m1 on its own, which drops testdep again: no change, but the graph alone cannot
    tell, so the sync runs)."""
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./m1\n\t./util\n)\n",
            "util/go.mod": "module example.com/util\n\ngo 1.22\n\nrequire (\n"
            "\texample.com/greet v1.0.0\n\texample.com/testdep v1.0.0\n)\n",
            "util/util.go": 'package util\n\nimport (\n\t"example.com/greet"\n'
            '\t"example.com/testdep"\n)\n\n'
            'func Shout() bool { return testdep.Check(greet.Hello(), "") }\n',
            "m1/go.mod": "module example.com/ws/m1\n\ngo 1.22\n",
            "m1/m1.go": 'package m1\n\nimport "example.com/util"\n\n'
            'func Loud() bool { return util.Shout() != "" }\n',
        },
    )
    tidy(env, root / "util")
    tidy(env, root / "m1")


def _unpruned(env: dict[str, str], root: Path) -> None:
    """m1's go.mod says go 1.16 (before graph pruning): tidy, it lists oldgo alone, not the
    oldbase oldgo imports; m2 requires oldbase v1.1.0, so the sync adds oldbase to m1 though
    the graph selects the very version of everything m1 lists. Its go.sum names oldbase
    v1.0.0, so the version comparison sends it to the sync even without the go-line guard."""
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./m1\n\t./m2\n)\n",
            "m1/go.mod": "module example.com/ws/m1\n\ngo 1.16\n",
            "m1/m1.go": 'package m1\n\nimport "example.com/oldgo"\n\n'
            "func Loud() string { return oldgo.Hi() }\n",
            **_M2_ON_OLDBASE_V1_1,
        },
    )
    tidy(env, root / "m1")
    tidy(env, root / "m2")
    assert "oldbase" not in (root / "m1" / "go.mod").read_text()


def _ignored_drift(env: dict[str, str], root: Path) -> None:
    """m1 imports testdep but does not require it, a finding its config ignores (so tidybot
    calls m1 clean); m2 requires testdep, so the sync adds it to m1."""
    write_tree(
        root,
        {
            ".github/tidybot.yml": "ignore:\n  - id: missing-require\n    modules: [m1]\n"
            "  - id: missing-sum\n    modules: [m1]\n",
            "go.work": "go 1.22\n\nuse (\n\t./m1\n\t./m2\n)\n",
            "m1/go.mod": "module example.com/ws/m1\n\ngo 1.22\n",
            "m1/m1.go": 'package m1\n\nimport "example.com/greet"\n\n'
            "func Hi() string { return greet.Hello() }\n",
            "m2/go.mod": "module example.com/ws/m2\n\ngo 1.22\n",
            "m2/m2.go": 'package m2\n\nimport "example.com/testdep"\n\n'
            'func Same() bool { return testdep.Check("", "") }\n',
        },
    )
    tidy(env, root / "m1")
    tidy(env, root / "m2")
    (root / "m1" / "m1.go").write_text(
        'package m1\n\nimport (\n\t"example.com/greet"\n\t"example.com/testdep"\n)\n\n'
        'func Hi() bool { return testdep.Check(greet.Hello(), "") }\n'
    )


def _work_replace(env: dict[str, str], root: Path) -> None:
    """In sync, but go.work replaces greet: the graph alone is not trusted (the sync runs)."""
    workspace_tree(env, root, 3, low=())
    work = root / "go.work"
    work.write_text(work.read_text() + "\nreplace example.com/util => example.com/util v1.0.0\n")


def _other_module_replaces(env: dict[str, str], root: Path) -> None:
    """In sync, but m2's go.mod replaces a module, which go applies to the whole workspace:
    the graph alone is not trusted for m1 (the sync runs)."""
    workspace_tree(env, root, 3, low=())
    gomod = root / "m2" / "go.mod"
    gomod.write_text(gomod.read_text() + "\nreplace example.com/util => example.com/util v1.0.0\n")


def _test_of_a_dependency(env: dict[str, str], root: Path) -> None:
    """m0's test imports basetest, whose own test imports oldbase: m0 lists neither oldbase
    nor anything at a wrong version, but go loads oldbase v1.0.0 for it (its go.sum holds
    the zip sum) while m2 makes the workspace select v1.1.0, so the sync adds oldbase
    v1.1.0 to m0. m1 imports m0's package: the same test is a test of its dependency's
    dependency, which go does not load for it, and the sync leaves m1 alone."""
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./m0\n\t./m1\n\t./m2\n)\n",
            "m0/go.mod": "module example.com/ws/m0\n\ngo 1.22\n",
            "m0/p0/p0.go": 'package p0\n\nimport "example.com/greet"\n\n'
            "func Name() string { return greet.Hello() }\n",
            "m0/p0/p0_test.go": 'package p0\n\nimport (\n\t"testing"\n\n'
            '\t"example.com/basetest"\n)\n\nfunc TestName(t *testing.T) { _ = basetest.Ready() }\n',
            "m1/go.mod": "module example.com/ws/m1\n\ngo 1.22\n\n"
            "require example.com/ws/m0 v0.0.0\n\nreplace example.com/ws/m0 => ../m0\n",
            "m1/m1.go": 'package m1\n\nimport "example.com/ws/m0/p0"\n\n'
            "func Loud() string { return p0.Name() }\n",
            **_M2_ON_OLDBASE_V1_1,
        },
    )
    for d in ("m0", "m1", "m2"):
        tidy(env, root / d)
    assert "oldbase" not in (root / "m0" / "go.mod").read_text()


SHAPES = {
    # name: (build, the module checked, go work sync changes it, the graphs alone answer)
    "in sync": (_in_sync, "m1", False, True),
    "m1 behind": (_behind, "m1", True, False),
    "a released copy of a workspace module": (_released_copy, "m1", False, False),
    "a go.mod from before graph pruning": (_unpruned, "m1", True, False),
    "drift the config ignores": (_ignored_drift, "m1", True, False),
    "a go.work replace": (_work_replace, "m1", False, False),
    "another module's replace": (_other_module_replaces, "m1", False, False),
    "a test of a dependency loads an older module": (_test_of_a_dependency, "m0", True, False),
    "a test two steps away": (_test_of_a_dependency, "m1", False, True),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_one_module_check_says_what_go_work_sync_does(
    tmp_path: Path, goenv: dict[str, str], shape: str
) -> None:
    build, module, changes, from_graph = SHAPES[shape]
    root = tmp_path / "repo"
    build(goenv, root)
    assert _go_work_sync_changes(goenv, root, tmp_path, module) is changes  # go's own verdict
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim)}
    res = tidybot(env, "check", str(root), "--include", module, "--format", "json")
    assert res.returncode in (0, 1), res.stdout + res.stderr
    doc = json.loads(res.stdout)
    (checked,) = (m for m in doc["modules"] if m["dir"] == module)
    synced = [f for f in checked["findings"] if f["id"] == "work-sync"]
    assert bool(synced) is changes, res.stdout
    calls = go_calls(log)
    if from_graph:
        assert any(c.startswith(GRAPH) for c in calls), calls
        assert "work sync" not in calls, calls
    else:  # the sync decides (after the graphs, or when what go.mod and go.work say rule it out)
        assert "work sync" in calls, calls


@pytest.mark.parametrize(
    ("shape", "asked"),
    [("m1 behind", False), ("a test of a dependency loads an older module", True)],
)
def test_a_newer_version_a_workspace_go_mod_requires_needs_no_graph(
    tmp_path: Path, goenv: dict[str, str], shape: str, asked: bool
) -> None:
    """m1's build selects greet v1.0.0 and m2's go.mod requires v1.1.0: the workspace selects
    v1.1.0 or higher whatever the graph holds, so the sync runs without asking it (50 ms on
    etcd). A version that moves through a dependency's requirements is the graph's to tell."""
    build, module, changes, _ = SHAPES[shape]
    root = tmp_path / "repo"
    build(goenv, root)
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim)}
    res = tidybot(env, "check", str(root), "--include", module, "--format", "json")
    assert res.returncode == (1 if changes else 0), res.stdout + res.stderr
    calls = go_calls(log)
    assert "work sync" in calls, calls
    assert any(c.startswith(GRAPH) for c in calls) is asked, calls


@pytest.mark.parametrize("build", [_in_sync, _behind], ids=["in sync", "behind"])
def test_a_go_work_below_a_path_with_spaces_is_asked_where_it_is(
    tmp_path: Path, goenv: dict[str, str], build: Callable[[dict[str, str], Path], None]
) -> None:
    """The graph's go.work names the modules by their absolute directories: a checkout whose
    path holds spaces and quotes, with go.work in a subdirectory, gets go's own verdict."""
    root = tmp_path / 'my "repo" (copy)'
    build(goenv, root / "ws")
    changes = _go_work_sync_changes(goenv, root / "ws", tmp_path, "m1")
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim)}
    res = tidybot(env, "check", str(root), "--include", "ws/m1", "--format", "json")
    assert res.returncode == (1 if changes else 0), res.stdout + res.stderr
    doc = json.loads(res.stdout)
    (m1,) = (m for m in doc["modules"] if m["dir"] == "ws/m1")
    assert bool([f for f in m1["findings"] if f["id"] == "work-sync"]) is changes, res.stdout
    calls = go_calls(log)
    assert ("work sync" in calls) is changes, calls
    assert any(c.startswith(GRAPH) for c in calls) is not changes, calls  # m2 requires v1.1.0


def test_a_used_go_mod_tidybot_cannot_read_is_left_to_the_sync(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The graph reads the used modules' go.mod files in the tree, after tidybot has read
    them (their local replaces checked to stay inside the root): one it could not read is
    never handed to go there; the sync, in its copy, says what is wrong in go's words."""
    root = tmp_path / "repo"
    _in_sync(goenv, root)
    gomod = root / "m2" / "go.mod"
    gomod.write_text(gomod.read_text() + "replace example.com/x => ../../outside v1.0.0 extra\n")
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim)}
    res = tidybot(env, "check", str(root), "--include", "m1", "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    calls = go_calls(log)
    assert "work sync" in calls and not any(c.startswith(GRAPH) for c in calls), calls
    assert "go work sync failed" in res.stdout and "m2/go.mod" in res.stdout, res.stdout


def test_the_graph_is_asked_outside_the_tree_and_writes_nothing_in_it(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The graph is asked through a go.work in a scratch directory, outside the tree and gone
    after the run, that uses the modules where they are: in workspace mode go writes only
    go.work.sum, which is the scratch directory's. Here go does write one (the modules'
    go.sum files lack greet's go.mod line); the tree is left as it was."""
    root = tmp_path / "repo"
    _in_sync(goenv, root)
    for gosum in root.glob("m*/go.sum"):
        lines = gosum.read_text().splitlines(keepends=True)
        gosum.write_text("".join(ln for ln in lines if "example.com/greet v1.1.0/go.mod" not in ln))
    truth = tmp_path / "truth"
    shutil.copytree(root, truth)
    res = go({**goenv, "GOWORK": str(truth / "go.work")}, truth, "list", "-m", "all")
    assert res.returncode == 0 and (truth / "go.work.sum").is_file(), res.stderr  # go writes
    before = snapshot(root)
    shim, log = logging_shim(tmp_path, "go", with_dir=True)
    env = {**goenv, "TIDYBOT_GO": str(shim)}
    res = tidybot(env, "check", str(root), "--include", "m1")
    assert res.returncode == 1 and "missing-sum" in res.stdout, res.stdout + res.stderr
    (where,) = [ln.split(": ", 1)[0] for ln in log.read_text().splitlines() if GRAPH in ln]
    assert not Path(where).exists()  # the scratch copy is gone
    assert not Path(where).is_relative_to(root)
    assert snapshot(root) == before


def test_a_go_sum_line_never_reaches_go_as_a_flag(tmp_path: Path, goenv: dict[str, str]) -> None:
    """A pull request's go.sum is data. The graph check names the modules of the go.sum's zip
    lines to go; a line whose module path is a go flag (``-overlay=FILE``) made go open FILE:
    a FIFO that never answers held every check until go's deadline (/dev/zero would be read
    until memory ran out). Only module paths go would accept are named, after ``--``."""
    root = tmp_path / "repo"
    _in_sync(goenv, root)
    fifo = tmp_path / "never-answers"
    os.mkfifo(fifo)
    gosum = root / "m1" / "go.sum"
    gosum.write_text(gosum.read_text() + f"-overlay={fifo} v1.0.0 h1:{'A' * 43}=\n")
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim), "TIDYBOT_GO_TIMEOUT": "10"}
    res = tidybot(env, "check", str(root), "--include", "m1", "--format", "json", timeout=120)
    calls = log.read_text().splitlines()
    assert not [c for c in calls if str(fifo) in c], calls
    assert not [c for c in go_calls(log) if "overlay" in c], calls  # only the copy's own
    assert res.returncode == 1, res.stdout + res.stderr  # the stale line is m1's own drift
    doc = json.loads(res.stdout)
    (m1,) = (m for m in doc["modules"] if m["dir"] == "m1")
    assert [f["id"] for f in m1["findings"]] == ["stale-sum"], m1


def test_a_go_sum_too_long_for_a_command_line_falls_back_to_the_sync(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The graph check names the go.sum's modules on go's command line. A go.sum with more of
    them than a command line holds (a pull request's, padded) made starting go fail
    (E2BIG), which stopped the whole run as a go that cannot be run (exit 2); it falls back
    to the sync, and the module's own check reports the lines."""
    root = tmp_path / "repo"
    _in_sync(goenv, root)
    gosum = root / "m1" / "go.sum"
    padding = "".join(
        f"example.com/{'p' * 200}/m{i} v1.0.0 h1:{'A' * 43}=\n" for i in range(20_000)
    )
    gosum.write_text(gosum.read_text() + padding)
    res = tidybot(goenv, "check", str(root), "--include", "m1", "--format", "json", timeout=300)
    assert res.returncode == 1, res.stdout[-2000:] + res.stderr[-2000:]
    doc = json.loads(res.stdout)
    (m1,) = (m for m in doc["modules"] if m["dir"] == "m1")
    assert m1["status"] == "drifted"
    assert {f["id"] for f in m1["findings"]} == {"stale-sum"}
