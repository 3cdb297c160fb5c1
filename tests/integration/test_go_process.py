"""The go port's running commands (``Go.start``/``GoProcess``) with stand-in go binaries, and
the check's order: go starts while go.mod is parsed, and is stopped when that parse or the
toolchain check already decides the module."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.config import parse_config
from bot.engine.model import ModuleResult, Status
from bot.runner import RunOptions, check
from bot.toolchain import Go


def _stand_in(tmp_path: Path, body: str) -> Path:
    """A go that answers the version probe and runs ``body`` (sh) for anything else."""
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in "env GOVERSION") echo go1.26.0; exit 0;; esac\n'
        f'echo "$*" >> "{tmp_path / "calls.log"}"\n' + body
    )
    fake.chmod(0o755)
    return fake


def _calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_start_then_wait_gives_output_and_exit_code(tmp_path: Path) -> None:
    fake = _stand_in(tmp_path, 'echo "out $PWD"\necho err >&2\nexit 3\n')
    go = Go(dict(os.environ), go=str(fake))
    proc = go.start(["mod", "tidy", "-diff"], tmp_path)
    res = proc.wait()
    assert (res.returncode, res.stdout, res.stderr) == (3, f"out {tmp_path}\n", "err\n")
    assert res.args == (str(fake), "mod", "tidy", "-diff") and res.cwd == str(tmp_path)
    assert go.run(["mod", "tidy"], tmp_path).returncode == 3  # run = start + wait
    assert _calls(tmp_path) == ["mod tidy -diff", "mod tidy"]


def test_a_command_past_its_timeout_is_killed_and_reaped(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    fake = _stand_in(tmp_path, f'echo $$ > "{pidfile}"\nexec sleep 30\n')
    go = Go(dict(os.environ), go=str(fake))
    start = time.monotonic()
    res = go.run(["mod", "download"], tmp_path, timeout=1)
    assert time.monotonic() - start < 10
    assert res.returncode == -1
    assert res.timed_out
    assert res.stderr.startswith("go mod download timed out: stopped after 1 s")
    assert "TIDYBOT_GO_TIMEOUT" in res.stderr
    assert _gone(int(pidfile.read_text()))  # killed and waited for: not even a zombie


def test_kill_stops_and_reaps(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    fake = _stand_in(tmp_path, f'echo $$ > "{pidfile}"\nexec sleep 30\n')
    proc = Go(dict(os.environ), go=str(fake)).start(["mod", "tidy", "-diff"], tmp_path)
    for _ in range(500):  # until the stand-in has written its pid
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.01)
    pid = int(pidfile.read_text())
    proc.kill()
    assert _gone(pid)


def _repo(tmp_path: Path, gomod: str) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "go.mod").write_text(gomod)
    (root / "main.go").write_text("package main\n\nfunc main() {}\n")
    return root


def _check_with_a_slow_go(tmp_path: Path, gomod: str) -> ModuleResult:
    """The one module's result, checked with a stand-in go that would run 30 s; the check
    must end well before that."""
    fake = _stand_in(tmp_path, "exec sleep 30\n")
    root = _repo(tmp_path, gomod)
    env = {**os.environ, "TIDYBOT_GO": str(fake)}
    start = time.monotonic()
    report = check(root, RunOptions(jobs=1, base_env=env))
    assert time.monotonic() - start < 10
    (mod,) = report.modules
    return mod


def test_go_is_stopped_when_go_mod_does_not_parse(tmp_path: Path) -> None:
    """Under GOTOOLCHAIN=local go starts with the parse; a parse error stops it and is the
    module's error."""
    mod = _check_with_a_slow_go(tmp_path, "module example.com/app\n\ngo 1.22\n\nrequire (\n")
    assert mod.status is Status.ERROR
    assert mod.error == "go.mod:6: syntax error (unterminated block started at go.mod:5:1)"


def test_go_is_stopped_when_the_local_go_is_too_old(tmp_path: Path) -> None:
    mod = _check_with_a_slow_go(tmp_path, "module example.com/app\n\ngo 1.99\n")
    assert mod.status is Status.ERROR
    assert "module requires go >= 1.99, but the local Go is go 1.26.0" in mod.error


def test_a_pinned_toolchain_is_checked_before_go_runs(tmp_path: Path) -> None:
    """Another policy than local could make go fetch a toolchain: go is not started at all
    for a go line the pinned release cannot run."""
    fake = _stand_in(tmp_path, "exit 0\n")
    root = _repo(tmp_path, "module example.com/app\n\ngo 1.99\n")
    env = {**os.environ, "TIDYBOT_GO": str(fake)}
    cfg = parse_config("gotoolchain: go1.26.0\n", ".tidybot.yml")
    options = RunOptions(jobs=1, base_env=env, gotoolchain=cfg.gotoolchain.env_value, config=cfg)
    (mod,) = check(root, options).modules
    assert mod.status is Status.ERROR
    assert "the pinned toolchain is go1.26.0" in mod.error
    assert _calls(tmp_path) == []  # no go command but the version probe
