"""A hostile tree on disk, through the real command (`tidybot check|fix` as a subprocess):
symlinked go files never followed nor replaced, workspaces and replaces reaching outside the
root refused before go runs, fixes that never write outside the root and restore everything
on failure, size limits, and a deadline on every go command."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import (
    MAIN_GO,
    go,
    logging_shim,
    module,
    snapshot,
    start_tidybot,
    tidy_module,
    tidybot,
    workspace_tree,
)

SECRET = "TIDYBOT_TEST_SECRET=hunter2-4f1c9a"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the checked tree that must never be read into any output."""
    p = tmp_path / "secrets" / "token.txt"
    p.parent.mkdir()
    p.write_text(SECRET + "\n")
    return p


def _two_modules(env: dict[str, str], root: Path) -> None:
    """``good`` (tidy) and ``bad`` (tidy, its go.sum about to be replaced by a symlink)."""
    tidy_module(env, root, "good", "example.com/good", {"main.go": MAIN_GO})
    tidy_module(env, root, "bad", "example.com/bad", {"main.go": MAIN_GO})


def _mods(res: subprocess.CompletedProcess[str]) -> dict[str, dict[str, object]]:
    return {m["dir"]: m for m in json.loads(res.stdout)["modules"]}


# --- symlinks --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["secret", "proc", "inside", "sibling"])
def test_symlinked_go_sum_is_refused_and_never_followed(
    tmp_path: Path, goenv: dict[str, str], secret: Path, target: str
) -> None:
    """go.sum as a symlink (to a secret, to /proc/1/environ, to a file inside the root, to a
    sibling checkout's go.sum): that module is an error naming the symlink, go never reads it,
    its target appears nowhere, and the other module is still checked."""
    root = tmp_path / "repo"
    _two_modules(goenv, root)
    sibling = tmp_path / "sibling"
    write_tree(sibling, {"go.sum": SECRET + " v1.0.0 h1:x=\n"})
    (root / "bad" / "go.sum").unlink()
    dest = {
        "secret": secret,
        "proc": Path("/proc/1/environ"),
        "inside": root / "good" / "go.sum",
        "sibling": sibling / "go.sum",
    }[target]
    (root / "bad" / "go.sum").symlink_to(dest)
    wrapper, log = logging_shim(tmp_path, "go", with_dir=True)
    env = dict(goenv, TIDYBOT_GO=str(wrapper))
    for fmt in ("json", "text", "github", "markdown", "sarif"):
        res = tidybot(env, "check", str(root), "--format", fmt)
        assert res.returncode == 2, res.stdout + res.stderr
        assert "Traceback" not in res.stderr
        for out in (res.stdout, res.stderr):
            assert SECRET not in out and "hunter2" not in out
            assert str(dest) not in out
    res = tidybot(env, "check", str(root), "--format", "json")
    mods = _mods(res)
    assert mods["bad"]["status"] == "error"
    assert str(mods["bad"]["error"]).startswith(
        "bad/go.sum: is a symlink; tidybot reads and writes only"
    )
    assert mods["good"]["status"] == "clean"
    assert not any(line.startswith(f"{root / 'bad'}:") for line in _calls(log))  # go never ran


def test_fix_never_replaces_a_symlink(tmp_path: Path, goenv: dict[str, str], secret: Path) -> None:
    """A drifted module whose go.sum is a symlink: fix refuses it, leaves the symlink and its
    target as they were, and still fixes the other module."""
    root = tmp_path / "repo"
    module(root, "good", "example.com/good", {"main.go": MAIN_GO})  # drifted: needs greet
    module(root, "bad", "example.com/bad", {"main.go": MAIN_GO})
    (root / "bad" / "go.sum").symlink_to(secret)
    res = tidybot(goenv, "fix", str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    assert SECRET not in res.stdout + res.stderr
    mods = _mods(res)
    assert mods["bad"]["status"] == "error"
    assert mods["good"]["status"] == "clean" and mods["good"]["fixed"] is True
    assert (root / "bad" / "go.sum").is_symlink()
    assert secret.read_text() == SECRET + "\n"
    assert "example.com/greet" not in (root / "bad" / "go.mod").read_text()


@pytest.mark.parametrize("name", ["go.mod", "vendor/modules.txt"])
def test_other_symlinked_module_files_are_refused(
    tmp_path: Path, goenv: dict[str, str], secret: Path, name: str
) -> None:
    """go.mod as a symlink to a file inside the root, vendor/modules.txt to a secret."""
    root = tmp_path / "repo"
    _two_modules(goenv, root)
    bad = root / "bad"
    if name == "go.mod":
        (root / "copy.mod").write_text((bad / "go.mod").read_text())
        (bad / "go.mod").unlink()
        (bad / "go.mod").symlink_to(root / "copy.mod")
    else:
        assert go(goenv, bad, "mod", "vendor").returncode == 0
        (bad / "vendor" / "modules.txt").unlink()
        (bad / "vendor" / "modules.txt").symlink_to(secret)
    for command in ("check", "fix"):
        res = tidybot(goenv, command, str(root), "--format", "json")
        assert res.returncode == 2, res.stdout + res.stderr
        assert SECRET not in res.stdout + res.stderr
        mods = _mods(res)
        assert str(mods["bad"]["error"]).startswith(f"bad/{name}: is a symlink")
        assert mods["good"]["status"] == "clean"
    assert (bad / name).is_symlink()


@pytest.mark.parametrize("name", ["go.work", "go.work.sum"])
def test_symlinked_workspace_files_are_refused(
    tmp_path: Path, goenv: dict[str, str], secret: Path, name: str
) -> None:
    root = tmp_path / "repo"
    _two_modules(goenv, root)
    (root / "go.work").write_text("go 1.22\n\nuse (\n\t./good\n\t./bad\n)\n")
    (root / name).unlink(missing_ok=True)
    (root / name).symlink_to(secret)
    wrapper, log = logging_shim(tmp_path, "go", with_dir=True)
    env = dict(goenv, TIDYBOT_GO=str(wrapper))
    for command in ("check", "fix"):
        res = tidybot(env, command, str(root), "--format", "json")
        assert res.returncode == 2, res.stdout + res.stderr
        assert SECRET not in res.stdout + res.stderr
        for m in _mods(res).values():
            assert m["status"] == "error"
            assert f"{name}: is a symlink" in str(m["error"])
    assert not any(" work " in f" {c.split(': ', 1)[1]} " for c in _calls(log))
    assert (root / name).is_symlink() and secret.read_text() == SECRET + "\n"


def test_fifo_and_device_files_never_block_a_run(tmp_path: Path, goenv: dict[str, str]) -> None:
    """A go.mod that is a FIFO (an open would wait for a writer forever) and a Go file that is
    a symlink to /dev/zero (a read without end), with the result cache on: the run ends, the
    FIFO module is an error naming it, the other module gets its result."""
    root = tmp_path / "repo"
    module(root, "a", "example.com/a", {"main.go": MAIN_GO})  # drifted: its files are scanned
    (root / "a" / "zero.go").symlink_to("/dev/zero")
    (root / "b").mkdir()
    os.mkfifo(root / "b" / "go.mod")
    for extra in ((), ("--cache-dir", str(tmp_path / "cache"))):
        start = time.monotonic()
        res = tidybot(goenv, "check", str(root), "--format", "json", *extra, timeout=120)
        assert time.monotonic() - start < 90
        assert res.returncode == 2, res.stdout + res.stderr
        mods = _mods(res)
        assert str(mods["b"]["error"]).startswith("b/go.mod: is not a regular file")
        assert mods["a"]["status"] in ("drifted", "error")


# --- outside the root ------------------------------------------------------------------------


def test_workspace_using_a_directory_outside_is_refused_before_go(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """go.work with `use ../..`: check and fix refuse it before go runs, nothing above the
    root is written (today fix rewrote a go.mod above the root and crashed), no traceback."""
    top = tmp_path / "top"
    tidy_module(goenv, top, ".", "example.com/top", {"main.go": MAIN_GO})
    (top / "go.mod").write_text((top / "go.mod").read_text().replace("v1.1.0", "v1.0.0"))
    root = top / "checkouts" / "repo"
    tidy_module(goenv, root, "svc", "example.com/svc", {"main.go": MAIN_GO})
    (root / "go.work").write_text("go 1.22\n\nuse (\n\t./svc\n\t../..\n)\n")
    outside_before = snapshot(top)
    wrapper, log = logging_shim(tmp_path, "go", with_dir=True)
    env = dict(goenv, TIDYBOT_GO=str(wrapper))
    for command in ("check", "fix"):
        res = tidybot(env, command, str(root), "--format", "json")
        assert res.returncode == 2, res.stdout + res.stderr
        assert "Traceback" not in res.stderr
        svc = _mods(res)["svc"]
        assert svc["status"] == "error"
        assert "go.work:5: use ../..: outside the checked directory" in str(svc["error"])
    assert snapshot(top) == outside_before
    assert not any(" work " in f" {c.split(': ', 1)[1]} " for c in _calls(log))


def test_fix_refuses_a_replace_outside_the_root_before_go(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    root = tmp_path / "repo"
    module(tmp_path, "lib", "example.com/lib", {"lib.go": "package lib\n"})
    module(
        root,
        "svc",
        "example.com/svc",
        {"main.go": 'package main\n\nimport _ "example.com/lib"\n\nfunc main() {}\n'},
    )
    gomod = root / "svc" / "go.mod"
    gomod.write_text(gomod.read_text() + "\nreplace example.com/lib => ../../lib\n")
    before = (snapshot(root), snapshot(tmp_path / "lib"))
    wrapper, log = logging_shim(tmp_path, "go", with_dir=True)
    res = tidybot(dict(goenv, TIDYBOT_GO=str(wrapper)), "fix", str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    err = str(_mods(res)["svc"]["error"])
    assert err.startswith("svc/go.mod:5: replace example.com/lib => ../../lib: outside the checked")
    assert (snapshot(root), snapshot(tmp_path / "lib")) == before
    assert not any(c.startswith(str(root / "svc")) for c in _calls(log))  # go never ran there


# --- restoring on failure --------------------------------------------------------------------


def _vendor_failing_go(tmp_path: Path, hang: bool) -> Path:
    """A go whose re-vendoring fails midway: it deletes the vendor tree it writes (``vendor/``
    in place, or the ``-o`` directory), then fails (or hangs first). The check's vendoring
    into its scratch directory runs the real go."""
    real = subprocess.run(["which", "go"], capture_output=True, text=True, check=True)
    wrapper = tmp_path / "failbin" / "go"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$*" in *"mod vendor"*)\n'
        '  out=vendor; prev=""\n'
        '  for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done\n'
        '  case "$out" in */tidybot-vendor-*/vendor) ;; *)\n'
        '    rm -rf "$out"; echo "go: injected failure" >&2\n'
        f"    {'sleep 60; ' if hang else ''}exit 1;;\n"
        "  esac;;\n"
        "esac\n"
        f'exec "{real.stdout.strip()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return wrapper


@pytest.mark.parametrize("drift", ["stale vendor tree", "tidy drift"])
@pytest.mark.parametrize("hang", [False, True], ids=["fails", "hangs"])
def test_fix_restores_every_file_when_go_fails_midway(
    tmp_path: Path, goenv: dict[str, str], drift: str, hang: bool
) -> None:
    """A vendored module to fix (a hand-edited vendored file; or an unused requirement, so
    that go.mod/go.sum are written before re-vendoring); go fails midway through `go mod
    vendor` after deleting what it writes (or hangs past the deadline): go.mod, go.sum and
    vendor/ are exactly as before."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, ".", "example.com/app", {"main.go": MAIN_GO})
    assert go(goenv, root, "mod", "vendor").returncode == 0
    if drift == "tidy drift":
        gomod = root / "go.mod"
        gomod.write_text(gomod.read_text() + "require example.com/unused v1.0.0\n")
        assert go(goenv, root, "mod", "download", "example.com/unused@v1.0.0").returncode == 0
    else:
        vendored = root / "vendor" / "example.com" / "greet" / "greet.go"
        vendored.write_text(vendored.read_text() + "// edited by hand\n")
    before = snapshot(root)
    env = dict(goenv, TIDYBOT_GO=str(_vendor_failing_go(tmp_path, hang)))
    env["TIDYBOT_GO_TIMEOUT"] = "5"
    res = tidybot(env, "fix", str(root), "--format", "json", timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    assert _mods(res)["."]["status"] == "error"
    assert snapshot(root) == before
    assert not [p for p in os.listdir(root) if p.startswith(".tidybot")]


# --- limits ----------------------------------------------------------------------------------

MiB = 1 << 20


@pytest.mark.parametrize(
    ("name", "size", "limit"),
    [("go.mod", 5 * MiB, "4 MiB"), ("go.sum", 33 * MiB, "32 MiB"), ("go.work", 5 * MiB, "4 MiB")],
)
def test_files_above_the_limit_are_a_clear_error(
    tmp_path: Path, goenv: dict[str, str], name: str, size: int, limit: str
) -> None:
    """A go file larger than its documented limit: an error naming the file and the limit
    (exit 2), at once: today a 5 MiB go.mod kept tidybot busy for minutes."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, "a", "example.com/a", {"main.go": MAIN_GO})
    tidy_module(goenv, root, "b", "example.com/b", {"main.go": MAIN_GO})
    big = root / ("a/" + name if name != "go.work" else name)
    if name == "go.work":
        line = "// " + "x" * 100 + "\n"
        big.write_text("go 1.22\n\nuse (\n\t./a\n\t./b\n)\n" + line * (size // len(line)))
    elif name == "go.mod":
        head = "module example.com/a\n\ngo 1.22\n\nrequire (\n"
        reqs = "".join(f"\texample.com/dep{i:07d} v1.0.0\n" for i in range(size // 30))
        big.write_text(head + reqs + ")\n")
    else:
        lines = "".join(
            f"example.com/dep{i:07d} v1.0.0 h1:{'A' * 43}=\n" for i in range(size // 70)
        )
        big.write_text(lines)
    assert big.stat().st_size > size - MiB
    start = time.monotonic()
    res = tidybot(goenv, "check", str(root), "--format", "json", timeout=120)
    assert time.monotonic() - start < 60
    assert res.returncode == 2, res.stdout[:2000] + res.stderr
    assert "Traceback" not in res.stderr
    errors = {d: str(m.get("error", "")) for d, m in _mods(res).items()}
    rel = "a/" + name if name != "go.work" else name
    assert any(
        f"{rel}: " in e and f"above tidybot's limit of {limit}" in e for e in errors.values()
    )
    if name != "go.work":
        assert _mods(res)["b"]["status"] == "clean"


# --- deadlines -------------------------------------------------------------------------------


@pytest.fixture
def silent_proxy() -> Iterator[str]:
    """A module proxy that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            held.append(conn)  # never read, never written, never closed until the end

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    stop.set()
    t.join()
    for c in held:
        c.close()
    srv.close()


def test_go_waiting_on_a_silent_proxy_is_stopped_at_the_deadline(
    tmp_path: Path, goenv: dict[str, str], silent_proxy: str
) -> None:
    root = tmp_path / "repo"
    module(root, ".", "example.com/app", {"main.go": MAIN_GO})
    env = dict(goenv, GOPROXY=silent_proxy, GOMODCACHE=str(tmp_path / "empty-modcache"))
    env["TIDYBOT_GO_TIMEOUT"] = "3"
    start = time.monotonic()
    res = tidybot(env, "check", str(root), "--format", "json", timeout=90)
    assert time.monotonic() - start < 60
    assert res.returncode == 2, res.stdout + res.stderr
    err = str(_mods(res)["."]["error"])
    assert err.startswith("go mod tidy -diff timed out: stopped after 3 s")
    assert "TIDYBOT_GO_TIMEOUT" in err


def test_a_bad_go_timeout_is_a_configuration_error(tmp_path: Path, goenv: dict[str, str]) -> None:
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    res = tidybot(dict(goenv, TIDYBOT_GO_TIMEOUT="soon"), "check", str(tmp_path))
    assert res.returncode == 2
    assert res.stderr.startswith("tidybot: error: TIDYBOT_GO_TIMEOUT: expected a number of seconds")


@pytest.mark.parametrize("value", ["2147484", "1e300", "inf", "86400.5"])
def test_a_go_timeout_above_one_day_is_a_configuration_error(
    tmp_path: Path, goenv: dict[str, str], value: str
) -> None:
    """A timeout beyond what the wait can count (poll's milliseconds overflow at about 24.8
    days; larger still, Python's clock) was an OverflowError traceback (exit 3). The limit is
    one day, documented, and a value above it is a usage error naming the variable."""
    module(tmp_path, ".", "example.com/app", {})
    res = tidybot(dict(goenv, TIDYBOT_GO_TIMEOUT=value), "check", "-q", str(tmp_path))
    assert res.returncode == 2, res.stderr
    assert res.stderr.splitlines()[0] == (
        f"tidybot: error: TIDYBOT_GO_TIMEOUT: {value!r} seconds is above the limit of 86400 "
        "(one day)"
    )
    assert "Traceback" not in res.stderr
    ok = tidybot(dict(goenv, TIDYBOT_GO_TIMEOUT="86400"), "check", "-q", str(tmp_path))
    assert ok.returncode == 0, ok.stderr


def _go_processes_in(root: Path) -> list[str]:
    """The processes (pid: command) working in a directory below ``root``: go commands left."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cwd == str(root) or cwd.startswith(f"{root}/"):
            out.append(f"{pid}: {cmd}")
    return out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_stops_at_once_and_leaves_no_go_behind(
    tmp_path: Path, goenv: dict[str, str], silent_proxy: str, sig: signal.Signals
) -> None:
    """Ctrl-C (or a cancelled job's SIGTERM) while go waits on a proxy that never answers: go
    runs in a process group of its own, so the signal reached tidybot only, whose worker
    threads waited on go until its deadline (900 s by default); killed then, tidybot left the
    go commands running. Now the run stops within seconds (exit 130) and no go is left, and
    the modules whose go was stopped are not reported as errors on the way out."""
    root = tmp_path / "repo"
    for d in ("a", "b"):
        module(root, d, f"example.com/{d}", {"main.go": MAIN_GO})
    env = dict(goenv, GOPROXY=silent_proxy, GOMODCACHE=str(tmp_path / "empty-modcache"))
    env["PYTHONFAULTHANDLER"] = "1"  # on SIGABRT: every thread's stack, should it hang
    proc = start_tidybot(env, "check", str(root))
    deadline = time.monotonic() + 60
    while len(_go_processes_in(root)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # both go commands started and are waiting on the proxy
    assert len(_go_processes_in(root)) >= 2
    start = time.monotonic()
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # faulthandler prints where each thread waits
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"tidybot did not stop within 30 s of {sig.name}:\n{out}\n{err[-12000:]}")
    finally:
        proc.kill()
    assert time.monotonic() - start < 15
    assert proc.returncode == 130, out + err
    assert "tidybot: interrupted" in err and "Traceback" not in err
    # a module whose go the interrupt stopped has no result: no progress line calls it an
    # error ("go failed without a message", as the killed go's exit read before)
    assert "ERROR" not in err and "go failed" not in err, err
    time.sleep(0.2)
    assert _go_processes_in(root) == []


def test_a_fix_stopped_midway_names_what_it_wrote(
    tmp_path: Path, goenv: dict[str, str], silent_proxy: str
) -> None:
    """SIGTERM during a fix of several modules: the modules fixed by then stay fixed, the one
    whose go was stopped is as it was, and the run said only "interrupted" (with --quiet, or
    a JSON report on stdout, nothing told which files were written). Now the last line names
    the files written before the stop."""
    root = tmp_path / "repo"
    for d in ("a", "b"):
        tidy_module(goenv, root, d, f"example.com/{d}", {"main.go": MAIN_GO})
        gomod = root / d / "go.mod"
        gomod.write_text(gomod.read_text() + "require example.com/unused v1.0.0\n")
    assert go(goenv, root / "a", "mod", "download", "example.com/unused@v1.0.0").returncode == 0
    # c reads a and b through local replaces, so the fix runs it after them: it imports a
    # package no module provides, and go asks the proxy, which never answers
    write_tree(
        root / "c",
        {
            "go.mod": "module example.com/c\n\ngo 1.22\n\nrequire (\n\texample.com/a v0.0.0\n"
            "\texample.com/b v0.0.0\n)\n\nreplace example.com/a => ../a\n\n"
            "replace example.com/b => ../b\n",
            "c.go": 'package c\n\nimport (\n\t_ "example.com/a"\n\t_ "example.com/b"\n\t'
            '_ "example.com/nowhere/pkg"\n)\n',
        },
    )
    before = snapshot(root)
    env = dict(goenv, GOPROXY=silent_proxy)
    proc = start_tidybot(env, "fix", str(root), "--quiet", "--format", "json")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _go_processes_in(root / "c"):
        time.sleep(0.1)  # a and b fixed, c's go waiting on the proxy
    assert _go_processes_in(root / "c"), proc.stderr
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, out + err
    after = snapshot(root)
    written = sorted(k for k in after if after[k] != before.get(k))
    assert {"a/go.mod", "b/go.mod"} <= set(written)
    assert not any(k.startswith("c/") for k in written)
    assert out == "" and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"tidybot: interrupted; written before the stop, each module whole: {', '.join(written)}; "
        "every other file is as it was"
    )


# --- what cannot be read ------------------------------------------------------------------------


def _unprivileged() -> list[str]:
    """A command prefix that makes file permissions count (root reads through them): root's
    capabilities to override them dropped with setpriv; nothing when not root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to count")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_unprivileged(), sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_directory_that_cannot_be_read_is_an_error_not_left_out(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """A directory the walk could not list was skipped without a word: its module was not in
    the report at all, and the run exited 0. Now it is an error naming the directory (exit 2),
    and the other modules are checked as before."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, "a", "example.com/a", {"main.go": MAIN_GO})
    tidy_module(goenv, root, "b", "example.com/b", {"main.go": MAIN_GO})
    (root / "b").chmod(0)
    try:
        res = _run(goenv, command, str(root), "--format", "json")
    finally:
        (root / "b").chmod(0o755)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    mods = _mods(res)
    assert mods["a"]["status"] == "clean"
    assert mods["b"]["status"] == "error"
    assert str(mods["b"]["error"]).startswith("b/: cannot read the directory (Permission denied)")


GREET_MAIN = 'package main\n\nimport "example.com/greet"\n\nfunc main() { greet.Hello() }\n'


def test_with_since_a_directory_that_cannot_be_read_is_still_an_error(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """--since left it out as "not affected by the changes" (a directory git ignores, and so
    no change names): silence again. It is an error whatever --since selects."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, "a", "example.com/a", {"main.go": MAIN_GO})
    commit = ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x"]
    for args in (["init", "-q"], ["add", "-A"], commit):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    (root / ".git" / "info" / "exclude").write_text("b/\n")
    tidy_module(goenv, root, "b", "example.com/b", {"main.go": MAIN_GO})
    (root / "b").chmod(0)
    try:
        res = _run(goenv, "check", str(root), "--since", "HEAD", "--format", "json")
    finally:
        (root / "b").chmod(0o755)
    assert res.returncode == 2, res.stdout + res.stderr
    assert _mods(res)["b"]["status"] == "error"


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_vendored_file_that_cannot_be_read_is_the_modules_error(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """Reading the vendor tree raised PermissionError out of the run: a traceback, exit 3,
    no report, and a fix that had written other modules said nothing of them. Now it is that
    module's error, naming the file."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, "a", "example.com/a", {"main.go": MAIN_GO})
    tidy_module(
        goenv,
        root,
        "v",
        "example.com/v",
        {"main.go": GREET_MAIN},
    )
    subprocess.run(["go", "mod", "vendor"], cwd=root / "v", env=goenv, check=True)
    locked = root / "v" / "vendor" / "example.com" / "greet" / "greet.go"
    locked.chmod(0)
    try:
        res = _run(goenv, command, str(root), "--format", "json")
    finally:
        locked.chmod(0o644)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    mods = _mods(res)
    assert mods["a"]["status"] == "clean"
    assert mods["v"]["status"] == "error"
    assert "v/vendor/example.com/greet/greet.go: cannot read (Permission denied)" in str(
        mods["v"]["error"]
    )


# --- a bare repository committed in the tree runs nothing -----------------------------------


def test_a_bare_repository_in_the_tree_runs_no_command_with_since(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A directory of the tree that looks like a bare repository (HEAD, objects/, refs/, a
    config): git, run there for --since, took it for the repository and ran the command its
    ``core.fsmonitor`` names. Now git never uses a bare repository it merely finds, so the
    check names the problem instead (exit 2) and nothing runs."""
    root = tmp_path / "repo"
    root.mkdir()
    src = tmp_path / "src"  # a repository with a commit and an index, to copy its .git from
    src.mkdir()
    (src / "go.mod").write_text("module example.com/sub\n\ngo 1.22\n")
    git(src, "init", "-q")
    git(src, "add", "-A")
    git(src, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    sub = root / "sub"
    shutil.copytree(src / ".git", sub)
    pwned = tmp_path / "pwned"
    (sub / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
        f'\tfsmonitor = "echo PWNED > {pwned}; false"\n'
    )
    (sub / "go.mod").write_text("module example.com/sub\n\ngo 1.22\n")
    (root / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    res = tidybot(goenv, "check", "--untrusted", "--since", "HEAD", str(sub))
    assert not pwned.exists(), res.stdout + res.stderr
    assert res.returncode == 2, res.stdout + res.stderr
    assert "a bare git repository has no work tree" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr


# --- the scratch copy of a workspace is made inside its directory only --------------------------


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_quoted_path_with_dots_writes_nothing_outside_the_scratch_copy(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """The go work sync copy follows the workspace packages a selected module's files name in
    quotes: a string ``"example.com/b/l/../../(...)/victim"`` (a comment is enough) was taken
    for a package directory. Read through the tree's link b/l it was a directory of the tree;
    written below the copy, where b/l is a plain directory, its ``..`` climbed out, and the
    copy hard-linked (or, over an existing file, overwrote) victim/evil.go anywhere on the
    machine. Now such a path names no package (go's import paths hold no ``.``/``..``), and
    nothing of the copy is written through a link or outside it."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "evil.go").write_text("ORIGINAL\n")
    root = tmp_path / "repo"
    depth = 40  # more levels than the copy's directory has: the writes climb to "/"
    deep = root / "z" / "/".join(f"d{i}" for i in range(depth))
    deep.mkdir(parents=True)
    below = root / "z" / str(victim).lstrip("/")  # the source it reads, inside the tree
    below.mkdir(parents=True)
    (below / "evil.go").write_text("package evil // ATTACKER CONTENT\n")
    (below / "new.go").write_text("package evil // ATTACKER CONTENT\n")
    module(root, "b", "example.com/b", {"b.go": "package b\n"})
    (root / "b" / "l").symlink_to(deep)
    target = "example.com/b/l/" + "../" * depth + str(victim).lstrip("/")
    module(root, "a", "example.com/a", {"a.go": f'package a\n\n// "{target}"\n'})
    (root / "go.work").write_text("go 1.22\n\nuse (\n\t./a\n\t./b\n)\n")
    env = {**goenv, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    res = tidybot(env, command, str(root), "--include", "a", "--format", "json")
    assert (victim / "evil.go").read_text() == "ORIGINAL\n", res.stdout + res.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["evil.go"]
    assert "Traceback" not in res.stderr
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("modules:\n  a:\n    skip: !!bool maybe\n", "modules.a.skip: expected true or false"),
        ("include: ['[z-a]']\n", "bad glob '[z-a]': bad character range"),
    ],
)
def test_a_config_the_tree_holds_is_a_clear_error_not_a_traceback(
    tmp_path: Path, goenv: dict[str, str], config: str, message: str
) -> None:
    """Both crashed with a traceback (exit 3): PyYAML's KeyError for a ``!!bool`` tag on
    another word, ``re.error`` for a class range written backwards."""
    root = tmp_path / "repo"
    module(root, "a", "example.com/a", {"a.go": "package a\n"})
    (root / ".github").mkdir()
    (root / ".github" / "tidybot.yml").write_text(config)
    res = tidybot(goenv, "check", "--untrusted", str(root))
    assert res.returncode == 2, res.stdout + res.stderr
    assert message in res.stderr and ".github/tidybot.yml:" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr


def test_a_glob_in_the_trees_config_cannot_stall_the_run(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """``*a*a*a*a*a*a*a*a*b`` against a directory named with 200 a's: the glob was a regular
    expression that backtracks, and the run spent minutes of CPU on one match (a pull request
    holding a job). The timeout only stops a run that hangs; it took well under a second."""
    root = tmp_path / "repo"
    module(root, "a" * 200, "example.com/a", {"a.go": "package a\n"})
    (root / ".github").mkdir()
    (root / ".github" / "tidybot.yml").write_text("include: ['*a*a*a*a*a*a*a*a*b']\n")
    res = tidybot(goenv, "check", "--untrusted", str(root), timeout=60)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "no module is selected by the include/exclude globs" in res.stderr, res.stderr


def test_fix_never_writes_through_a_hard_link(tmp_path: Path, goenv: dict[str, str]) -> None:
    """A go.mod hard-linked to a file outside the tree: when go's diff cannot be applied (a
    quoted module path), fix lets ``go mod tidy`` write the files, and go writes in place,
    into the inode the outside file shares. Now a file with other links is first made the
    tree's own, so the outside file keeps its bytes."""
    outside = tmp_path / "outside"
    outside.mkdir()
    text = 'module "example.com/app"\n\ngo 1.22\n'
    (outside / "go.mod").write_text(text)
    root = tmp_path / "repo"
    root.mkdir()
    os.link(outside / "go.mod", root / "go.mod")
    (root / "main.go").write_text(MAIN_GO)
    res = tidybot(goenv, "fix", str(root))
    assert (outside / "go.mod").read_text() == text, res.stdout + res.stderr
    assert res.returncode == 0, res.stdout + res.stderr
    assert "example.com/greet" in (root / "go.mod").read_text()
    assert (root / "go.mod").stat().st_nlink == 1


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_workspace_vendor_directory_that_is_a_link_is_refused(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """A go.work's vendor/ committed as a link out of the tree: the sync's copy copied what it
    leads to (a directory of the runner) and go read it there; the check went on as if the
    tree held it. Now the workspace is an error naming the link, as a module's vendor/ is."""
    outside = tmp_path / "outside" / "vendor"
    (outside / "example.com" / "greet").mkdir(parents=True)
    (outside / "modules.txt").write_text(
        "## workspace\n# example.com/greet v1.0.0\n## explicit\nexample.com/greet\n"
    )
    (outside / "example.com" / "greet" / "config.env").write_text(SECRET + "\n")
    root = tmp_path / "repo"
    tidy_module(goenv, root, "app", "example.com/app", {"main.go": MAIN_GO})
    (root / "go.work").write_text("go 1.22\n\nuse ./app\n")
    (root / "vendor").symlink_to(outside)
    env = {**goenv, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    res = tidybot(env, command, str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    [app] = json.loads(res.stdout)["modules"]
    assert app["status"] == "error" and "vendor: is a symlink" in app["error"], app
    assert SECRET not in res.stdout + res.stderr
    assert not [p for p in (tmp_path / "tmp").rglob("config.env")]


# --- a restored cache directory is data too --------------------------------------------------


def _warm_cache(tmp_path: Path, goenv: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    tidy_module(goenv, root, ".", "example.com/app", {"main.go": MAIN_GO})
    cache = tmp_path / "cache"
    res = tidybot(goenv, "check", str(root), "--cache-dir", str(cache))
    assert res.returncode == 0, res.stdout + res.stderr
    return root, cache


@pytest.mark.parametrize("name", ["parsed.json", "go-versions.json", "entry"])
@pytest.mark.parametrize("kind", ["deep", "fifo", "device"])
def test_a_cache_file_that_is_not_ours_is_ignored_not_a_crash(
    tmp_path: Path, goenv: dict[str, str], name: str, kind: str
) -> None:
    """Deeply nested JSON raised RecursionError (exit 3); a FIFO in a file's place hung the
    run; a link to /dev/zero read until memory ran out. Each is now a file tidybot does not
    trust: the run goes on as without it."""
    root, cache = _warm_cache(tmp_path, goenv)
    base = cache / "tidybot-v1"
    target = next(p for p in base.glob("*/*.json")) if name == "entry" else base / name
    target.unlink()
    if kind == "deep":
        target.write_bytes(b"[" * 60000)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    res = tidybot(goenv, "check", str(root), "--cache-dir", str(cache), timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.parametrize("link", ["tidybot-v1", "tidybot-v1/aa"])
def test_a_cache_whose_directory_is_a_link_is_refused(
    tmp_path: Path, goenv: dict[str, str], link: str
) -> None:
    """tidybot-v1 (or a directory in it) led out of the cache: entries, the memo and the
    prune stamp were written there, and prune deleted old files there. Now the cache is
    refused, naming the link (exit 2), and nothing is written where it leads."""
    root, cache = _warm_cache(tmp_path, goenv)
    outside = tmp_path / "outside"
    (outside / "aa").mkdir(parents=True)
    old = outside / "aa" / "precious.json"
    old.write_text("{}\n")
    os.utime(old, (time.time() - 40 * 86400,) * 2)
    if link == "tidybot-v1":
        shutil.rmtree(cache / "tidybot-v1")
        (cache / link).symlink_to(outside)
    else:
        (cache / link).symlink_to(outside / "aa", target_is_directory=True)
    res = tidybot(goenv, "check", str(root), "--cache-dir", str(cache))
    assert res.returncode == 2, res.stdout + res.stderr
    assert f"the result cache holds a symbolic link ({link})" in res.stderr
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*")) == [
        "aa",
        "aa/precious.json",
    ]


def test_a_go_file_too_large_to_key_is_never_answered_from_the_cache(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The only importer of example.com/greet is a Go file over the key's read limit: the key
    left it out, so the module's key was the same with and without it, and once the file was
    deleted (greet now unused: drift) the cache still answered "clean"."""
    root = tmp_path / "repo"
    big = 'package main\n\nimport _ "example.com/greet"\n\n// ' + "x" * (65 << 20) + "\n"
    tidy_module(
        goenv,
        root,
        ".",
        "example.com/app",
        {"main.go": "package main\n\nfunc main() {}\n", "big.go": big},
    )
    cache = tmp_path / "cache"
    first = tidybot(goenv, "check", str(root), "--cache-dir", str(cache))
    assert first.returncode == 0, first.stdout + first.stderr
    (root / "big.go").unlink()
    res = tidybot(goenv, "check", str(root), "--cache-dir", str(cache))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "example.com/greet" in res.stdout


def test_the_prune_stamp_is_never_written_through_a_link(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """tidybot-v1/pruned as a link (dangling, or to a file elsewhere): touching the stamp
    created the file it names, or moved that file's time, anywhere."""
    root, cache = _warm_cache(tmp_path, goenv)
    stamp = cache / "tidybot-v1" / "pruned"
    stamp.unlink()
    elsewhere = tmp_path / "elsewhere" / "created-by-prune"
    elsewhere.parent.mkdir()
    stamp.symlink_to(elsewhere)
    res = tidybot(goenv, "check", str(root), "--cache-dir", str(cache))
    assert res.returncode == 0, res.stdout + res.stderr
    assert not os.path.lexists(elsewhere)
    assert stamp.is_file() and not stamp.is_symlink()


# --- fix: one module's failure is its own, and nothing is lost --------------------------------


def _three_unused(env: dict[str, str], root: Path) -> None:
    for d in ("a", "b", "c"):
        tidy_module(env, root, d, f"example.com/{d}", {"main.go": MAIN_GO})
        gomod = root / d / "go.mod"
        gomod.write_text(gomod.read_text() + "\nrequire example.com/unused v1.0.0\n")


def test_a_module_fix_cannot_write_is_that_modules_error(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A module directory that cannot be written (read-only, a full disk): the OSError was a
    traceback (exit 3), the worker threads were left waiting and the process never exited,
    and the modules fixed meanwhile were never reported. Now it is that module's error, the
    others are fixed and reported, exit 2."""
    root = tmp_path / "repo"
    _three_unused(goenv, root)
    (root / "b").chmod(0o555)
    try:
        res = subprocess.run(
            [*_unprivileged(), sys.executable, "-m", "bot", "fix", str(root), "--format", "json"],
            env=goenv,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        (root / "b").chmod(0o755)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    mods = {m["dir"]: m for m in json.loads(res.stdout)["modules"]}
    assert mods["a"]["fixed"] and mods["c"]["fixed"], mods
    assert mods["b"]["status"] == "error" and "could not write the fix" in mods["b"]["error"]
    assert "example.com/unused" in (root / "b" / "go.mod").read_text()  # as it was
    assert "example.com/unused" not in (root / "a" / "go.mod").read_text()


def test_an_edit_made_while_fix_runs_is_not_overwritten(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """go.mod edited between the check and the write: fix wrote the tidy text computed from
    the old file over it, and the edit was gone."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, ".", "example.com/app", {"main.go": MAIN_GO})
    gomod = root / "go.mod"
    gomod.write_text(gomod.read_text() + "\nrequire example.com/unused v1.0.0\n")
    real = shutil.which("go")
    wrapper = tmp_path / "bin" / "go"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        f'"{real}" "$@"; rc=$?\n'
        f'if [ "$1 $2 $3" = "mod tidy -diff" ] && [ ! -e "{tmp_path}/edited" ]; then\n'
        f'  touch "{tmp_path}/edited"; echo "// edited meanwhile" >> "{gomod}"\n'
        "fi\n"
        "exit $rc\n"
    )
    wrapper.chmod(0o755)
    res = tidybot({**goenv, "TIDYBOT_GO": str(wrapper)}, "fix", str(root))
    assert "// edited meanwhile" in gomod.read_text(), res.stdout + res.stderr
    assert res.returncode == 2, res.stdout + res.stderr
    assert "go.mod changed while tidybot ran" in res.stdout


def test_a_fix_go_cannot_make_is_no_fix(tmp_path: Path, goenv: dict[str, str]) -> None:
    """A go.sum with CRLF line endings: go mod tidy -diff reports a change that go mod tidy
    does not write. fix said "fixed" (exit 0) and the next check found the same drift. Now
    what go's tidy writes stays (here: the unused requirement goes) and what it leaves is told
    as drift (exit 1)."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, ".", "example.com/app", {"main.go": MAIN_GO})
    gomod = root / "go.mod"
    gomod.write_text(gomod.read_text() + "\nrequire example.com/unused v1.0.0\n")
    gosum = root / "go.sum"
    gosum.write_bytes(gosum.read_bytes().replace(b"\n", b"\r\n"))
    res = tidybot(goenv, "fix", str(root))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "go mod tidy -diff still reports a change it does not write" in res.stdout
    assert "example.com/unused" not in gomod.read_text()  # go's own fix is kept
    assert "Traceback" not in res.stderr


def test_an_edit_made_while_go_itself_fixes_is_not_overwritten(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """Only go.sum drifted (a line missing) and go.mod was edited meanwhile: go's own tidy,
    run when the diff-derived fix is not enough, rewrote the edited go.mod."""
    root = tmp_path / "repo"
    tidy_module(goenv, root, ".", "example.com/app", {"main.go": MAIN_GO})
    gosum = root / "go.sum"
    gosum.write_text("".join(gosum.read_text().splitlines(keepends=True)[:-1]))
    gomod = root / "go.mod"
    wrapper = _wrapped_go(
        tmp_path,
        '"$REAL" "$@"; rc=$?\n'
        f'if [ "$1 $2 $3" = "mod tidy -diff" ] && [ ! -e "{tmp_path}/edited" ]; then\n'
        f'  touch "{tmp_path}/edited"\n'
        f'  echo "require example.com/unused v1.0.0 // edited meanwhile" >> "{gomod}"\n'
        "fi\nexit $rc",
    )
    res = tidybot({**goenv, "TIDYBOT_GO": str(wrapper)}, "fix", str(root))
    assert "// edited meanwhile" in gomod.read_text(), res.stdout + res.stderr
    assert res.returncode == 2, res.stdout + res.stderr
    assert "changed while tidybot ran" in res.stdout


def test_a_tree_nested_deeper_than_the_recursion_limit_is_walked(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """A module 1,200 directories down: discovery and the cache key recursed once per
    directory, a RecursionError (exit 3), and with --cache-dir the process never exited."""
    root = tmp_path / "repo"
    module(root, ".", "example.com/top", {})
    deep = root
    for _ in range(1200):
        deep = deep / "a"
        os.mkdir(deep)  # one level at a time: os.makedirs recurses too
    (deep / "go.mod").write_text("module example.com/deep\n\ngo 1.22\n")
    try:
        for extra in ((), ("--cache-dir", str(tmp_path / "cache"))):
            res = tidybot(goenv, "check", str(root), *extra, timeout=120)
            assert res.returncode == 0, res.stdout + res.stderr
            assert "2 modules: 2 clean" in res.stdout
    finally:  # shutil.rmtree (pytest's clean-up of old temporary directories) recurses too
        _remove_deep(root / "a")


def _remove_deep(top: Path) -> None:
    """Remove a tree however deep, bottom up, with a loop."""
    stack = [os.fspath(top)]
    order: list[str] = []
    while stack:
        cur = stack.pop()
        order.append(cur)
        with os.scandir(cur) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                else:
                    os.unlink(e.path)
    for cur in reversed(order):
        os.rmdir(cur)


def _wrapped_go(tmp_path: Path, body: str) -> Path:
    """A go that runs ``body`` (sh, with $REAL the real go) instead of plain go."""
    real = shutil.which("go")
    wrapper = tmp_path / "wrapped" / "go"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nREAL="{real}"\n{body}\n')
    wrapper.chmod(0o755)
    return wrapper


def _fix_with_m0s_tidy_failing(
    tmp_path: Path, goenv: dict[str, str], root: Path
) -> dict[str, dict[str, Any]]:
    """``tidybot fix`` of the workspace at ``root`` with m0's own ``go mod tidy`` failing (a
    network flake, after the sync): exit 2; the modules of the JSON report by directory."""
    go_ = _wrapped_go(
        tmp_path,
        f'if [ "$1 $2" = "mod tidy" ] && [ "$PWD" = "{root / "m0"}" ]; then\n'
        '  echo "go: simulated network failure" >&2; exit 1\nfi\nexec "$REAL" "$@"',
    )
    res = tidybot({**goenv, "TIDYBOT_GO": str(go_)}, "fix", str(root), "--format", "json")
    assert res.returncode == 2, res.stdout + res.stderr
    return {m["dir"]: m for m in json.loads(res.stdout)["modules"]}


def test_a_module_whose_own_fix_fails_after_the_sync_is_left_as_it_was(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """go work sync raised m0's greet; then m0's own tidy failed (a network flake): m0/go.mod
    and go.sum kept the sync's edit, and the module read error and fixed at once."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=(0,))
    before = snapshot(root)
    mods = _fix_with_m0s_tidy_failing(tmp_path, goenv, root)
    assert mods["m0"]["status"] == "error" and not mods["m0"].get("fixed"), mods["m0"]
    assert not mods["m0"].get("changed_files")
    after = snapshot(root)
    assert {k for k in before if before[k] != after.get(k)} <= {"go.work", "go.work.sum"}


def test_a_failed_module_of_a_vendored_workspace_leaves_a_tree_go_builds(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """In a vendored workspace the sync's files are re-vendored: undoing them alone for a
    module whose own tidy failed left vendor/modules.txt out of step (go refused to build any
    module). There the sync's changes stay, and the failed module lists them."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=(0,))
    env = dict(goenv, GOWORK=str(root / "go.work"))
    subprocess.run(["go", "work", "vendor"], cwd=root, env=env, check=True, capture_output=True)
    mods = _fix_with_m0s_tidy_failing(tmp_path, goenv, root)
    assert mods["m0"]["status"] == "error" and "m0/go.mod" in mods["m0"]["changed_files"]
    built = subprocess.run(
        ["go", "list", "./..."], cwd=root / "m1", env=env, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr


def test_an_interrupt_while_the_workspace_re_vendors_leaves_the_sync_undone(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """SIGTERM while go work vendor ran after the sync: m0/go.mod kept the sync's edit while
    vendor/ did not follow, a tree go refuses to build from."""
    root = tmp_path / "repo"
    workspace_tree(goenv, root, 2, low=(0,))
    env = dict(goenv, GOWORK=str(root / "go.work"))
    subprocess.run(["go", "work", "vendor"], cwd=root, env=env, check=True, capture_output=True)
    before = snapshot(root)
    go_ = _wrapped_go(
        tmp_path,
        'if [ "$1 $2" = "work vendor" ]; then kill -TERM $PPID; sleep 3; fi\nexec "$REAL" "$@"',
    )
    res = tidybot({**goenv, "TIDYBOT_GO": str(go_)}, "fix", str(root))
    assert res.returncode == 130, res.stdout + res.stderr
    after = snapshot(root)
    assert [k for k in before if before[k] != after.get(k)] == []
