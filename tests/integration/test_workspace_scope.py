"""Workspaces as real repositories have them, through `tidybot check|fix` and the JSON report:
--include scopes findings, exit code and fixes; an 8-module go.work checked one module at a
time; only real changes are reported; a broken go.work is an error, never a clean module;
a fix lists every file it changes (go.work too); the config file's `work_sync` policy."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bot.resultcache import entry_checksum
from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import (
    MAIN_GO,
    go_calls,
    logging_shim,
    snapshot,
    tidy,
    tidy_module,
    tidybot,
    workspace_tree,
)


def _json(res: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(res.stdout)
    return doc


def _found(doc: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    return {
        m["dir"]: [(f["id"], f["file"], f["message"]) for f in m["findings"]]
        for m in doc["modules"]
    }


RAISE = "go work sync would raise example.com/greet v1.0.0 => v1.1.0"


def test_include_scopes_findings_exit_code_and_fix(tmp_path: Path, goenv: dict[str, str]) -> None:
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 3, low=(1,))  # only m1 drifts in the workspace
    res = tidybot(goenv, "check", str(root), "--include", "m2", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr  # m2 is in sync; m1 is out of scope
    doc = _json(res)
    assert [m["dir"] for m in doc["modules"]] == ["m2"]
    assert doc["findings"] == []
    assert _found(doc) == {"m2": []}

    res = tidybot(goenv, "check", str(root), "--include", "m1", "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    assert _found(_json(res)) == {"m1": [("work-sync", "m1/go.mod", RAISE)]}

    before = snapshot(root)
    res = tidybot(goenv, "fix", str(root), "--include", "m2", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert snapshot(root) == before  # m1 is not selected: nothing of it is written

    res = tidybot(goenv, "fix", str(root), "--include", "m1", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    after = snapshot(root)
    assert sorted(k for k in after if after[k] != before.get(k)) == ["m1/go.mod", "m1/go.sum"]
    assert tidybot(goenv, "check", str(root)).returncode == 0


def test_one_module_of_an_eight_module_workspace(tmp_path: Path, goenv: dict[str, str]) -> None:
    """The shape of etcd: 8 modules using one go.work, most replacing a shared one locally.
    m3 needs a raise: a check of m3 alone reports it, a check of m5 alone reports nothing,
    the whole workspace reports m3 once; the fix leaves it clean."""
    root = tmp_path / "repo"
    dirs = workspace_tree(goenv, root, 8, packages=3, low=(3,))
    assert len(dirs) == 8
    res = tidybot(goenv, "check", str(root), "--include", "m3", "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    assert _found(_json(res)) == {"m3": [("work-sync", "m3/go.mod", RAISE)]}
    res = tidybot(goenv, "check", str(root), "--include", "m5", "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    assert _found(_json(res)) == {"m5": []}
    assert _json(res)["findings"] == []  # nothing of m3 either
    doc = _json(tidybot(goenv, "check", str(root), "--format", "json"))
    assert {d: fs for d, fs in _found(doc).items() if fs} == {
        "m3": [("work-sync", "m3/go.mod", RAISE)]
    }
    assert doc["findings"] == []
    fixed = tidybot(goenv, "fix", str(root), "--format", "json")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert tidybot(goenv, "check", str(root)).returncode == 0


def test_module_untidy_on_its_own_gets_no_empty_work_sync_finding(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A module whose own tidy changes go.mod only (a wrong `// indirect`) in a workspace
    sync leaves alone: its own finding, and no work-sync finding describing no change."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=())
    gomod = root / "m0" / "go.mod"
    gomod.write_text(gomod.read_text().replace("v1.1.0\n", "v1.1.0 // indirect\n"))
    res = tidybot(goenv, "check", str(root), "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    found = _found(_json(res))
    assert [f[0] for f in found["m0"]] == ["indirect-mismatch"]
    assert found["m1"] == []
    assert "0 lines added, 0 removed" not in res.stdout


def test_broken_workspace_is_an_error_that_hides_no_drift(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=())
    tidy_module(goenv, root, "other", "example.com/other", {"main.go": MAIN_GO})
    other = root / "other" / "go.mod"
    other.write_text(other.read_text() + "require example.com/unused v1.0.0\n")
    cases = (
        (  # go.work names its modules: those two are errors, the other module is not in it
            "go 1.22\n\nuse (\n\t./m0\n\t./m1\n\t./missing\n)\n",
            "go.work:6: use ./missing: no go.mod",
            {"m0": "error", "m1": "error", "other": "drifted"},
        ),
        (  # go.work does not parse: every module below it is an error, its findings kept
            "go 1.22\n\nuse (\n\t./m0\n",
            "go.work:5: syntax error (unterminated block started at go.work:3:1)",
            {"m0": "error", "m1": "error", "other": "error"},
        ),
    )
    drifted = other.read_text()
    for text, line, expected in cases:
        other.write_text(drifted)  # the fix of the first case tidied it
        (root / "go.work").write_text(text)
        res = tidybot(goenv, "check", str(root), "--format", "json")
        assert res.returncode == 2, res.stdout + res.stderr
        doc = _json(res)
        assert {m["dir"]: m["status"] for m in doc["modules"]} == expected
        errors = [m["error"] for m in doc["modules"] if m["status"] == "error"]
        assert all(line in e for e in errors), errors
        assert doc["summary"]["clean"] == 0
        assert "unused-require" in [f[0] for f in _found(doc)["other"]]  # never hidden
        res = tidybot(goenv, "fix", str(root), "--format", "json")
        assert res.returncode == 2


def test_fix_lists_go_work_when_it_changes(tmp_path: Path, goenv: dict[str, str]) -> None:
    """go work sync raises go.work's go line: the fix says it wrote go.work."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=())
    (root / "go.work").write_text("go 1.21\n\nuse (\n\t./m0\n\t./m1\n)\n")
    res = tidybot(goenv, "check", str(root), "--format", "json")
    assert [(f["file"], f["message"]) for f in _json(res)["findings"]] == [
        ("go.work", "go work sync would change the go line from 1.21 to 1.22")
    ]
    res = tidybot(goenv, "fix", str(root), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    changed = [f for m in _json(res)["modules"] for f in m.get("changed_files", [])]
    assert changed == ["go.work"]
    assert (root / "go.work").read_text().startswith("go 1.22\n")
    text = tidybot(goenv, "fix", str(root))  # nothing left to do
    assert text.returncode == 0
    (root / "go.work").write_text("go 1.21\n\nuse (\n\t./m0\n\t./m1\n)\n")
    text = tidybot(goenv, "fix", str(root))
    fixed = [ln for ln in text.stdout.splitlines() if ln.startswith("fixed ")]
    assert len(fixed) == 1, text.stdout
    assert fixed[0].endswith(f"(example.com/ws/m0): {root}/go.work"), text.stdout


def test_work_sync_policy(tmp_path: Path, goenv: dict[str, str]) -> None:
    """`work_sync: report` lists the workspace drift as notes and exits 0 (fix leaves it);
    `skip` does not look; the default fails on it."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=(0,))
    res = tidybot(goenv, "check", str(root), "--format", "json")
    assert res.returncode == 1
    write_tree(root, {".tidybot.yml": "work_sync: report\n"})
    res = tidybot(goenv, "check", str(root), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = _json(res)
    assert all(m["status"] == "clean" for m in doc["modules"])
    assert [(f["id"], f["severity"], f["file"]) for f in doc["findings"]] == [
        ("work-sync", "note", "m0/go.mod"),
    ]
    # a note fails nothing and fix leaves it: no "to fix" line offers to sync it either
    text = tidybot(goenv, "check", str(root))
    assert text.returncode == 0 and "to fix" not in text.stdout, text.stdout
    before = snapshot(root)
    assert tidybot(goenv, "fix", str(root)).returncode == 0
    assert snapshot(root) == before
    write_tree(root, {".tidybot.yml": "work_sync: skip\n"})
    res = tidybot(goenv, "check", str(root), "--format", "json")
    assert res.returncode == 0
    assert _json(res)["findings"] == []
    write_tree(root, {".tidybot.yml": "work_sync: sometimes\n"})
    res = tidybot(goenv, "check", str(root))
    assert res.returncode == 2
    assert "work_sync: 'sometimes' is not valid" in res.stderr


def test_symlinked_go_files_are_read_as_go_reads_them(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """etcd links test files across its modules (client/v3/example_*_test.go ->
    ../../tests/...): go reads them, and so must the sync in the scratch copy, else a sync
    that rewrites the module (here: raises greet) also drops the requirements only those
    files need (here example.com/util)."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=(1,))
    write_tree(
        root,
        {
            "shared/util_test.go": (
                'package p0\n\nimport (\n\t"testing"\n\n\t"example.com/util"\n)\n\n'
                "func TestUtil(t *testing.T) { _ = util.Shout() }\n"
            )
        },
    )
    (root / "m1" / "p0" / "util_test.go").symlink_to("../../shared/util_test.go")
    tidy(goenv, root / "m1")
    assert "example.com/util" in (root / "m1" / "go.mod").read_text()
    res = tidybot(goenv, "check", str(root), "--include", "m1", "--format", "json")
    assert res.returncode == 1, res.stdout + res.stderr
    assert _found(_json(res)) == {"m1": [("work-sync", "m1/go.mod", RAISE)]}
    assert tidybot(goenv, "fix", str(root)).returncode == 0
    assert "example.com/util" in (root / "m1" / "go.mod").read_text()
    assert tidybot(goenv, "check", str(root)).returncode == 0


GRAPH = "list -m -f {{.Path}} {{.Version}} -- example.com/greet"  # the workspace's graph


def _calls(log: Path) -> list[str]:
    calls = go_calls(log)
    log.unlink(missing_ok=True)
    return calls


def test_a_clean_workspace_check_is_cached_until_an_input_of_the_sync_changes(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """With --cache-dir, a go work sync check that found nothing is stored under the key of
    what the sync reads (bot.workspace.copy_key) and not run again while that is unchanged: a
    rerun and a function-body edit start no go command at all. A change to another module of
    the workspace that m1's own check does not read (m2 moves greet up, so the workspace
    selects v1.1.0) reruns the sync and reports the raise, though m1's own result comes
    from the cache; that drift is stored too, and a rerun reports it without go."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 3, low=(0, 1, 2))  # every module on greet v1.0.0: in sync
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim)}
    args = ["check", str(root), "--include", "m1", "--format", "json"]
    cached = [*args, "--cache-dir", str(tmp_path / "cache")]

    first = tidybot(env, *cached)
    assert first.returncode == 0, first.stdout + first.stderr
    assert _json(first)["cache"]["hits"] == []
    calls = _calls(log)  # in sync: the workspace's module graph tells it, no sync runs
    assert GRAPH in calls and "work sync" not in calls

    again = tidybot(env, *cached)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _json(again)["cache"]["hits"] == ["go.work", "m1"]
    assert _found(_json(again)) == {"m1": []}
    assert _calls(log) == []  # no go command at all

    body = root / "m1" / "p0" / "p0.go"
    body.write_text(body.read_text().replace("greet.Hello()", 'greet.Hello() + "!"'))
    edited = tidybot(env, *cached)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert _json(edited)["cache"]["hits"] == ["go.work", "m1"]
    assert _calls(log) == []

    other = tidybot(env, "check", str(root), "--include", "m2", "--format", "json", *cached[-2:])
    assert other.returncode == 0, other.stdout + other.stderr
    assert "go.work" not in _json(other)["cache"]["hits"]  # another scope, another key
    assert GRAPH in _calls(log)

    gomod = root / "m2" / "go.mod"
    gomod.write_text(gomod.read_text().replace("greet v1.0.0", "greet v1.1.0"))
    tidy(goenv, root / "m2")
    moved = tidybot(env, *cached)
    assert moved.returncode == 1, moved.stdout + moved.stderr
    assert _found(_json(moved)) == {"m1": [("work-sync", "m1/go.mod", RAISE)]}
    assert _json(moved)["cache"]["hits"] == ["m1"]  # m1's own inputs did not change
    assert "work sync" in _calls(log)
    again = tidybot(env, *cached)  # the drift was stored with what it found: no go command
    assert again.returncode == 1, again.stdout + again.stderr
    assert _json(again)["cache"]["hits"] == ["go.work", "m1"]
    assert _calls(log) == []
    assert _json(again)["modules"] == _json(moved)["modules"]  # findings, lines, whys, diff
    assert _json(again)["findings"] == _json(moved)["findings"]

    # an entry whose checksum holds but whose findings are not what tidybot writes (here:
    # for another module) is not believed: the check syncs again
    (stored,) = [
        p
        for p in (tmp_path / "cache").rglob("*.json")
        if json.loads(p.read_text()).get("status") == "drifted"
    ]
    doc = json.loads(stored.read_text())
    doc["workspace"]["modules"][0][0] = "m2"
    doc["checksum"] = entry_checksum(doc)
    stored.write_text(json.dumps(doc))
    redone = tidybot(env, *cached)
    assert _json(redone)["cache"]["hits"] == ["m1"]
    assert _json(redone)["cache"]["rejected"] == 1
    assert "work sync" in _calls(log)
    assert _json(redone)["modules"] == _json(moved)["modules"]
    plain = tidybot(env, *args)
    assert _json(plain)["modules"] == _json(moved)["modules"]


def test_fix_reports_the_work_sync_findings_it_fixed(tmp_path: Path, goenv: dict[str, str]) -> None:
    """A fix that ran go work sync listed the module as fixed with its files but with no
    finding: the report's "findings fixed" left out what the check had reported for it."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 3, low=(1,))
    check = _found(_json(tidybot(goenv, "check", str(root), "--format", "json")))
    assert check["m1"] == [("work-sync", "m1/go.mod", RAISE)]
    res = tidybot(goenv, "fix", str(root), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = _json(res)
    m1 = next(m for m in doc["modules"] if m["dir"] == "m1")
    assert m1["fixed"] is True
    assert [(f["id"], f["file"], f["message"]) for f in m1["findings"]] == check["m1"]
    assert tidybot(goenv, "check", str(root)).returncode == 0


def test_fix_reports_the_go_sum_a_sync_moves_in_a_module_it_does_not_raise(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """m1 replaces m0 locally and imports its package p0, whose test imports greet: go keeps
    greet's checksums in m1's go.sum (the test of a dependency), though m1's go.mod does not
    name it. The sync raises greet in m0 (m2 requires v1.1.0); m1's go.mod stays and its
    go.sum moves with m0's, which the check reports ("go work sync and tidy would change
    go.sum"). The fix listed m1 fixed with no finding (on etcd, where a test of grpc imports
    otel/sdk/metric: 9 findings fixed of the check's 12)."""
    root = tmp_path / "repo"
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./m0\n\t./m1\n\t./m2\n)\n",
            "m0/go.mod": "module example.com/ws/m0\n\ngo 1.22\n",
            "m0/p0/p0.go": 'package p0\n\nfunc Name() string { return "p0" }\n',
            "m0/p0/p0_test.go": 'package p0\n\nimport (\n\t"testing"\n\n\t'
            '"example.com/greet"\n)\n\n'
            "func TestName(t *testing.T) { _ = Name() + greet.Hello() }\n",
            "m1/go.mod": "module example.com/ws/m1\n\ngo 1.22\n\n"
            "require example.com/ws/m0 v0.0.0\n\nreplace example.com/ws/m0 => ../m0\n",
            "m1/m1.go": 'package m1\n\nimport "example.com/ws/m0/p0"\n\nvar _ = p0.Name()\n',
            "m2/go.mod": "module example.com/ws/m2\n\ngo 1.22\n\n"
            "require example.com/greet v1.1.0\n",
            "m2/m2.go": 'package m2\n\nimport "example.com/greet"\n\nvar _ = greet.Hello()\n',
        },
    )
    gomod = root / "m0" / "go.mod"
    gomod.write_text(gomod.read_text() + "\nrequire example.com/greet v1.0.0\n")
    for d in ("m0", "m1", "m2"):
        tidy(goenv, root / d)
    assert "example.com/greet v1.0.0 h1:" in (root / "m1" / "go.sum").read_text()
    assert "greet" not in (root / "m1" / "go.mod").read_text()
    check = _found(_json(tidybot(goenv, "check", str(root), "--format", "json")))
    assert check == {
        "m0": [("work-sync", "m0/go.mod", RAISE)],
        "m1": [
            (
                "work-sync",
                "m1/go.sum",
                "go work sync and tidy would change go.sum: 2 lines added, 2 removed",
            )
        ],
        "m2": [],
    }
    res = tidybot(goenv, "fix", str(root), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = _json(res)
    assert {m["dir"] for m in doc["modules"] if m.get("fixed")} == {"m0", "m1"}
    assert _found(doc) == check
    assert doc["summary"]["findings"] == 2
    assert tidybot(goenv, "check", str(root)).returncode == 0


def test_progress_tells_a_workspace_module_as_the_report_does(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A module's progress line came from its own tidy, before the workspace check added to
    it: stderr said "ok m1" while the report said drifted (and after a fix, "ok" for a module
    the sync had fixed). The lines of workspace modules now wait for the workspace check."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 3, low=(1,))
    res = tidybot(goenv, "check", cwd=root)
    assert res.returncode == 1, res.stdout + res.stderr
    m1 = [ln for ln in res.stderr.splitlines() if " m1 (" in ln]
    assert len(m1) == 1 and "DRIFT" in m1[0] and "1 finding" in m1[0], res.stderr
    assert "DRIFT   m1 (example.com/ws/m1)" in res.stdout
    res = tidybot(goenv, "fix", cwd=root)
    assert res.returncode == 0, res.stdout + res.stderr
    m1 = [ln for ln in res.stderr.splitlines() if " m1 (" in ln]
    assert len(m1) == 1 and "fixed" in m1[0], res.stderr
    assert res.stderr.count("tidybot: [") == 3  # each module told once


def test_a_go_work_newer_than_the_local_go_is_named_with_its_line(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """go's own words ("go work sync failed: go.work requires go >= 1.99") named neither the
    file's place nor the fix; the check now says it before go runs, as for a go.mod."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=())
    (root / "go.work").write_text("go 1.99\n\nuse (\n\t./m0\n\t./m1\n)\n")
    for command in ("check", "fix"):
        res = tidybot(goenv, command, str(root), "--format", "json")
        assert res.returncode == 2, res.stdout + res.stderr
        errors = {m["dir"]: m["error"] for m in _json(res)["modules"]}
        assert set(errors) == {"m0", "m1"}
        for error in errors.values():
            assert "go.work:1: workspace requires go >= 1.99, but the local Go is go " in error
            assert (
                "use --gotoolchain auto (or TIDYBOT_GOTOOLCHAIN=auto), or install Go 1.99.0 or "
                "newer" in error
            )


def test_show_diff_shows_what_the_sync_writes(tmp_path: Path, goenv: dict[str, str]) -> None:
    """--show-diff printed nothing for a module drifted by the sync alone (and the JSON diff,
    the comment's diff, were empty): the diff of go.mod as go work sync writes it."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 3, low=(1,))
    res = tidybot(goenv, "check", "--show-diff", cwd=root)
    assert res.returncode == 1
    shown = [ln for ln in res.stdout.splitlines() if ln.startswith("    | ")]
    assert "    | +++ synced/go.mod" in shown, res.stdout
    assert "    | -require example.com/greet v1.0.0" in shown
    assert "    | +require example.com/greet v1.1.0" in shown
    doc = _json(tidybot(goenv, "check", str(root), "--format", "json"))
    diffs = {m["dir"]: m["diff"] for m in doc["modules"]}
    assert diffs["m0"] == diffs["m2"] == ""
    assert diffs["m1"].startswith("diff current/go.mod synced/go.mod\n")


def test_workspace_drift_is_stored_only_when_it_follows_from_the_files(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A go work sync check that found drift is stored only when what it found follows from
    the files of its key: not when a selected module is not tidy on its own (its findings
    compare with what its own tidy writes), and not when a tidy after the sync looked up a
    module for a package no module provides (the proxy's "latest" depends on the day). Each
    such check syncs again on a rerun, and reports the same."""
    shim, log = logging_shim(tmp_path, "go")
    env = {**goenv, "TIDYBOT_GO": str(shim)}

    # m1 is behind the workspace and has an unused require of its own
    root = tmp_path / "untidy"
    workspace_tree(goenv, root, 3, low=(1,))
    gomod = root / "m1" / "go.mod"
    gomod.write_text(gomod.read_text() + "require example.com/unused v1.0.0\n")
    args = ["check", str(root), "--include", "m1", "--format", "json"]
    cached = [*args, "--cache-dir", str(tmp_path / "cache")]
    runs = []
    for _ in range(2):
        res = tidybot(env, *cached)
        assert res.returncode == 1, res.stdout + res.stderr
        assert _json(res)["cache"]["hits"] == []
        assert "work sync" in _calls(log)
        runs.append(_found(_json(res)))
    assert runs[0] == runs[1] == _found(_json(tidybot(goenv, *args)))
    assert ("work-sync", "m1/go.mod", RAISE) in runs[0]["m1"]

    # m0 and m2 import example.com/moves at v1.0.0 and v1.1.0, so the sync raises m0's; m1
    # replaces m0 locally and imports example.com/moves/sub, which v1.1.0 moved into a module
    # of its own: m1's tidy after the sync looks that module up
    root = tmp_path / "lookup"
    uses = 'package {p}\n\nimport "example.com/moves{sub}"\n\nvar _ = {name}.Name()\n'
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./m0\n\t./m1\n\t./m2\n)\n",
            "m0/go.mod": "module example.com/ws/m0\n\ngo 1.22\n\n"
            "require example.com/moves v1.0.0\n",
            "m0/m0.go": uses.format(p="m0", sub="", name="moves"),
            "m1/go.mod": "module example.com/ws/m1\n\ngo 1.22\n\n"
            "require example.com/ws/m0 v0.0.0\n\nreplace example.com/ws/m0 => ../m0\n",
            "m1/m1.go": 'package m1\n\nimport (\n\t"example.com/moves/sub"\n\t'
            '_ "example.com/ws/m0"\n)\n\nvar _ = sub.Name()\n',
            "m2/go.mod": "module example.com/ws/m2\n\ngo 1.22\n\n"
            "require example.com/moves v1.1.0\n",
            "m2/m2.go": uses.format(p="m2", sub="", name="moves"),
        },
    )
    for d in ("m0", "m1", "m2"):
        tidy(goenv, root / d)
    assert "example.com/moves v1.0.0" in (root / "m1" / "go.mod").read_text()
    args = ["check", str(root), "--format", "json"]
    cached = [*args, "--cache-dir", str(tmp_path / "cache")]
    reports: list[Any] = []
    for _ in range(2):
        res = tidybot(env, *cached)
        assert res.returncode == 1, res.stdout + res.stderr
        assert "go.work" not in _json(res)["cache"]["hits"]  # the modules' own: cached
        calls = _calls(log)
        assert "work sync" in calls and "mod tidy" in calls  # the tidy after the sync
        reports.append(_json(res)["modules"])
    assert reports[0] == reports[1] == _json(tidybot(goenv, *args))["modules"]
    found = {m["dir"]: [f["message"] for f in m["findings"]] for m in reports[0]}
    assert (
        found["m0"]
        == found["m1"]
        == ["go work sync would raise example.com/moves v1.0.0 => v1.1.0"]
    )
