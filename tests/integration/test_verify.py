"""The verify engine against a loopback checksum database, cross-checked with the real go command.

Every test runs the real protocol over HTTP on 127.0.0.1 (tests/fakes/sumdb.py), with its own
GOMODCACHE and GOPATH, so caches never leak between tests.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bot.engine.gosum import parse_gosum
from bot.engine.model import Severity
from bot.errors import ConfigError
from bot.verify.client import UnavailableError
from bot.verify.command import VerifyOutcome, run_verify
from bot.verify.limits import NetLimits
from bot.verify.lookups import MIN_PER_PROCESS, _Worker, auto_processes
from bot.verify.sumdbenv import parse_sumdb_env
from tests.fakes.goproxy import write_tree
from tests.fakes.sumdb import SUMDB_NAME, SumdbKey, SumdbServer, filler_record
from tests.integration.engine_helpers import tidybot

GREET = "example.com/greet"


@pytest.fixture
def env(goenv: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path) -> dict[str, str]:
    """go's hermetic environment, pointed at the test database, with private caches."""
    e = dict(goenv)
    e["GOSUMDB"] = sumdb_server.gosumdb
    e.pop("GONOSUMDB", None)
    e["GOMODCACHE"] = str(tmp_path / "modcache")
    e["GOPATH"] = str(tmp_path / "gopath")
    e.pop("GONOSUMDB", None)
    e.pop("GOPRIVATE", None)
    return e


def _repo(tmp_path: Path, gosum: str, name: str = "repo") -> Path:
    return write_tree(
        tmp_path / name,
        {"go.mod": "module example.com/m\n\ngo 1.22\n", "go.sum": gosum},
    )


def _gosum(server: SumdbServer, *mods: tuple[str, str]) -> str:
    return "".join(ln + "\n" for p, v in mods for ln in server.gosum_lines(p, v))


def _verify(
    root: Path, env: dict[str, str], *, cache_check: bool = False, processes: int = 1
) -> VerifyOutcome:
    return run_verify(root, env=env, cache_check=cache_check, jobs=8, processes=processes)


def _two_module_repo(tmp_path: Path, server: SumdbServer) -> Path:
    """A go.sum of two module versions (4 lines): with 2 processes, one in each."""
    return _repo(tmp_path, _gosum(server, (GREET, "v1.0.0"), ("example.com/Upper", "v1.0.0")))


def _ids(out: VerifyOutcome) -> list[str]:
    return [f.id for f in out.findings]


def _go(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["go", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _go_module(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "gomod",
        {"go.mod": f"module example.com/m\n\ngo 1.22\n\nrequire {GREET} v1.0.0\n"},
    )


# --- the real go command accepts the server --------------------------------------------------


def test_go_accepts_the_test_database_and_shares_its_cache(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    mod = _go_module(tmp_path)
    res = _go(["mod", "download", GREET], mod, env)
    assert res.returncode == 0, res.stderr
    assert f"/lookup/{GREET}@v1.0.0" in sumdb_server.lookup_requests()
    gosum = (mod / "go.sum").read_text()
    assert f"{GREET} v1.0.0 h1:" in gosum

    # go cached the proved lookup, the tiles and its latest head where tidybot reads them.
    cache = Path(env["GOMODCACHE"]) / "cache/download/sumdb" / SUMDB_NAME
    assert (cache / "lookup" / f"{GREET}@v1.0.0").is_file()
    assert (Path(env["GOPATH"]) / "pkg/sumdb" / SUMDB_NAME / "latest").is_file()

    before = len(sumdb_server.requests)
    out = _verify(mod, env)
    assert out.findings == []
    assert (out.lines, out.verified, out.errors) == (2, 2, 0)
    assert out.requests == 0
    assert len(sumdb_server.requests) == before


def test_go_rejects_a_wrong_hash_from_the_server(
    env: dict[str, str], sumdb_key: SumdbKey, goproxy_dir: Path, tmp_path: Path
) -> None:
    liar = SumdbServer(sumdb_key)
    liar.add_module(GREET, "v1.0.0", "h1:" + "A" * 43 + "=", "h1:" + "B" * 43 + "=")
    liar.add_proxy_modules(goproxy_dir)
    liar.fill(300)
    liar.start()
    try:
        env = {**env, "GOSUMDB": liar.gosumdb}
        res = _go(["mod", "download", GREET], _go_module(tmp_path), env)
        assert res.returncode != 0
        assert "SECURITY ERROR" in res.stderr
        assert "checksum mismatch" in res.stderr
    finally:
        liar.stop()


def test_go_rejects_a_forged_tile(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    sumdb_server.faults.forged_tile = f"{GREET}@v1.0.0"
    res = _go(["mod", "download", GREET], _go_module(tmp_path), env)
    assert res.returncode != 0
    assert "downloaded inconsistent tile" in res.stderr, res.stderr


# --- the verifier -------------------------------------------------------------------------


def test_genuine_records_verify_and_second_run_makes_no_request(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    mods = [(GREET, "v1.0.0"), ("example.com/Upper", "v1.0.0")]
    mods += [filler_record(i)[:2] for i in (3, 5, 200, 255, 260, 280)]
    root = _repo(tmp_path, _gosum(sumdb_server, *mods))
    out = _verify(root, env)
    assert out.findings == []
    assert (out.lines, out.verified, out.errors, out.lookups) == (16, 16, 0, 8)
    assert out.requests > 0
    cache = Path(env["GOMODCACHE"]) / "cache/download/sumdb" / SUMDB_NAME
    assert (cache / "lookup/example.com/!upper@v1.0.0").is_file()
    assert list((cache / "tile/8").rglob("*"))

    before = len(sumdb_server.requests)
    again = _verify(root, env)
    assert again.findings == []
    assert again.verified == 16
    assert again.requests == 0
    assert again.cache_hits > 0
    assert len(sumdb_server.requests) == before


def test_wrong_hash_in_gosum_is_a_mismatch(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    lines = sumdb_server.gosum_lines(GREET, "v1.0.0")
    bad = lines[0].rsplit(" ", 1)[0] + " h1:" + "Z" * 43 + "="
    root = _repo(tmp_path, f"{bad}\n{lines[1]}\n")
    out = _verify(root, env)
    assert _ids(out) == ["sum-mismatch"]
    f = out.findings[0]
    assert (f.file, f.line, f.module_dir, f.severity) == ("go.sum", 1, ".", Severity.ERROR)
    assert "checksum mismatch" in f.message
    assert lines[0].split(" ")[2] in f.message
    assert (out.verified, out.errors) == (1, 1)


def test_database_lying_about_a_hash_is_a_mismatch(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """A consistent, signed log that holds a different hash than go computed."""
    genuine = _gosum(sumdb_server, (GREET, "v1.0.0"))
    zip_hash = "h1:" + "Q" * 43 + "="
    sumdb_server.add_module("example.com/evil", "v1.0.0", zip_hash, zip_hash)
    root = _repo(tmp_path, genuine + f"example.com/evil v1.0.0 h1:{'R' * 43}=\n")
    out = _verify(root, env)
    assert _ids(out) == ["sum-mismatch"]
    assert out.findings[0].line == 3


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("bad_signature", "invalid signature for key"),
        ("unknown_key", "note has no verifiable signatures"),
        ("forged_tile", "downloaded inconsistent tile"),
        ("forged_record", "cannot authenticate record data"),
        ("truncate_tiles", "bad result slice"),
    ],
)
@pytest.mark.parametrize("processes", [1, 2])
def test_lying_database_is_rejected(
    env: dict[str, str],
    sumdb_server: SumdbServer,
    tmp_path: Path,
    fault: str,
    reason: str,
    processes: int,
) -> None:
    """With 2 processes the worker's shard holds example.com/Upper: whatever it was told
    crosses back as the same error, never as a verified line."""
    root = _two_module_repo(tmp_path, sumdb_server)
    if fault in ("forged_tile", "forged_record"):
        setattr(sumdb_server.faults, fault, f"{GREET}@v1.0.0")
    else:
        setattr(sumdb_server.faults, fault, True)
    expected = 2 if fault == "forged_record" else 4  # both records sit in the forged tile
    out = _verify(root, env, processes=processes)
    assert _ids(out) == ["sum-unverified"] * expected
    assert all(reason in f.message for f in out.findings), out.findings
    assert out.verified == 4 - expected
    assert out.errors == expected
    # Nothing unproved reached the cache: no lookup, no tile of the forged data.
    cache = Path(env["GOMODCACHE"]) / "cache/download/sumdb" / SUMDB_NAME
    assert not (cache / "lookup" / f"{GREET}@v1.0.0").exists()
    if fault == "forged_tile":
        assert not (cache / "tile/8/0/000").exists()


@pytest.mark.parametrize("processes", [1, 2])
def test_forked_history_is_detected(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path, processes: int
) -> None:
    first = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")), "first")
    assert _verify(first, env).verified == 2
    latest = Path(env["GOPATH"]) / "pkg/sumdb" / SUMDB_NAME / "latest"
    seen = latest.read_bytes()
    assert b"\n320\n" in seen

    # Rewrite record 280: its tiles were never cached, so the new tree's own tiles prove
    # that it does not contain the tree of 320 seen before.
    rewrite = next(k for k, i in sumdb_server.log.index.items() if i == 280)
    sumdb_server.fork(rewrite=rewrite)
    fresh = [filler_record(i)[:2] for i in (100, 101)]
    second = _repo(tmp_path, _gosum(sumdb_server, *fresh), "second")
    out = _verify(second, env, processes=processes)
    assert "sumdb-fork" in _ids(out)
    fork = next(f for f in out.findings if f.id == "sumdb-fork")
    assert fork.severity is Severity.ERROR
    assert "tree #330" in fork.message and "tree #320" in fork.message
    assert "SECURITY ERROR" in fork.why and "proof of misbehavior" in fork.why
    assert out.verified == 0
    unverified = [f for f in out.findings if f.id == "sum-unverified"]
    assert len(unverified) == 4  # every line, whichever process proved it, blames the fork
    assert all(f.why.startswith("sumdb-fork problem") for f in unverified), unverified
    assert latest.read_bytes() == seen  # the forked head never replaces the one seen before


def test_grown_tree_is_checked_for_consistency_and_becomes_latest(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    first = _repo(tmp_path, _gosum(sumdb_server, filler_record(1)[:2]), "first")
    assert _verify(first, env).verified == 2
    sumdb_server.fill(700)
    second = _repo(tmp_path, _gosum(sumdb_server, filler_record(650)[:2]), "second")
    out = _verify(second, env)
    assert out.findings == []
    assert out.verified == 2
    latest = Path(env["GOPATH"]) / "pkg/sumdb" / SUMDB_NAME / "latest"
    assert b"\n700\n" in latest.read_bytes()


def test_server_errors_are_retried(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    root = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")))
    sumdb_server.faults.fail_next = 2
    out = _verify(root, env)
    assert out.findings == []
    assert out.verified == 2
    assert out.requests == len(sumdb_server.requests)


def test_persistent_server_errors_leave_lines_unverified(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    root = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")))
    sumdb_server.faults.fail_next = 100
    out = _verify(root, env)
    assert _ids(out) == ["sum-unverified", "sum-unverified"]
    assert "503" in out.findings[0].message
    assert out.verified == 0
    assert out.requests == 4  # one try and three retries, shared by both lines


def test_unknown_module_is_an_error(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """go refuses a module the database answers 404 for; so does tidybot: a database (or a
    proxy serving it) that answers 404 for every line would otherwise pass any go.sum."""
    root = _repo(tmp_path, f"example.com/nowhere v1.0.0 h1:{'N' * 43}=\n")
    out = _verify(root, env)
    assert _ids(out) == ["sum-unknown"]
    assert out.findings[0].severity is Severity.ERROR
    assert out.warnings == 1
    assert out.verified == 0


def test_gonosumdb_lines_are_skipped_and_counted(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    private = f"corp.example/secret v1.0.0 h1:{'S' * 43}=\n"
    root = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")) + private)
    out = _verify(root, {**env, "GONOSUMDB": "corp.example"})
    assert _ids(out) == ["sum-skipped"]
    assert out.findings[0].severity is Severity.NOTE
    assert out.skipped == {"GONOSUMDB": 1}
    assert (out.lines, out.verified) == (3, 2)
    assert not [r for r in sumdb_server.requests if "corp.example" in r]

    out = _verify(root, {**env, "GOPRIVATE": "corp.example/*"})
    assert out.skipped == {"GOPRIVATE": 1}


def test_gosumdb_off_skips_everything(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    root = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")))
    out = _verify(root, {**env, "GOSUMDB": "off"})
    assert out.skipped == {"GOSUMDB=off": 2}
    assert sorted(_ids(out)) == ["config", "sum-skipped"]
    assert sumdb_server.requests == []


def test_database_reached_through_a_proxy(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    root = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")))
    proxied = {**env, "GOSUMDB": sumdb_server.key.vkey, "GOPROXY": sumdb_server.url + ",direct"}
    out = _verify(root, proxied)
    assert out.findings == []
    assert out.verified == 2
    assert sumdb_server.requests[0] == f"/sumdb/{SUMDB_NAME}/supported"
    assert all(r.startswith(f"/sumdb/{SUMDB_NAME}/") for r in sumdb_server.requests)


def test_files_everywhere_but_vendor_and_testdata(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    good = _gosum(sumdb_server, (GREET, "v1.0.0"))
    bad = f"example.com/never v1.0.0 h1:{'X' * 43}=\n"
    root = write_tree(
        tmp_path / "tree",
        {
            "go.work.sum": good,
            "svc/a/go.sum": good + "broken line\n",
            "vendor/x/go.sum": bad,
            "svc/testdata/go.sum": bad,
            ".hidden/go.sum": bad,
            "_old/go.sum": bad,
        },
    )
    out = _verify(root, env)
    assert [fr.file for fr in out.files] == ["go.work.sum", "svc/a/go.sum"]
    assert _ids(out) == ["sum-malformed"]
    f = out.findings[0]
    assert (f.file, f.line, f.module_dir) == ("svc/a/go.sum", 3, "svc/a")
    assert (out.lines, out.verified, out.errors) == (5, 4, 1)
    assert f.why.endswith("Fix: delete the line and run `go -C svc/a mod tidy`")
    # the checked directory as the reader reaches it starts the command's path
    shown = run_verify(root, env=env, cache_check=False, jobs=4, processes=1, workdir="my tree")
    assert shown.findings[0].why.endswith("run `go -C 'my tree/svc/a' mod tidy`")
    # a go.work.sum line: no module to tidy, only the line to delete
    (root / "go.work.sum").write_text(good + "broken line\n")
    (root / "svc/a/go.sum").write_text(good)
    (f,) = _verify(root, env).findings
    assert (f.file, f.why.rsplit(". ", 1)[-1]) == ("go.work.sum", "Fix: delete the line")


def test_sum_changed_needs_no_network(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    lines = sumdb_server.gosum_lines(GREET, "v1.0.0")
    head = lines[0].rsplit(" ", 1)[0] + f" h1:{'C' * 43}=\n" + lines[1] + "\n"
    root = _repo(tmp_path, head)
    base = {"go.sum": parse_gosum("\n".join(lines) + "\n")}
    out = run_verify(
        root, env={**env, "GOSUMDB": "off"}, cache_check=False, jobs=2, base_ref_sums=base
    )
    assert sorted(_ids(out)) == ["config", "sum-changed", "sum-skipped"]
    assert sumdb_server.requests == []


def test_cache_check_finds_a_modified_module(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    mod = _go_module(tmp_path)
    res = _go(["mod", "download", GREET], mod, env)
    assert res.returncode == 0, res.stderr
    out = _verify(mod, env, cache_check=True)
    assert out.findings == []
    assert out.cache_checked == 2

    src = Path(env["GOMODCACHE"]) / f"{GREET}@v1.0.0" / "greet.go"
    src.write_text(src.read_text() + "// changed\n")
    go_says = _go(["mod", "verify"], mod, env)
    assert "dir has been modified" in go_says.stdout + go_says.stderr
    out = _verify(mod, env, cache_check=True)
    assert _ids(out) == ["cache-modified"]
    assert "dir has been modified" in out.findings[0].message


def test_bad_gosumdb_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$GOSUMDB: invalid GOSUMDB: malformed verifier id"):
        parse_sumdb_env({"GOSUMDB": "not+a+key", "HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="too many fields"):
        parse_sumdb_env({"GOSUMDB": "a b c", "HOME": str(tmp_path)})


# --- several processes ----------------------------------------------------------------------


def test_processes_share_the_work_and_the_cache(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """Three processes verify what one does, each lookup asked once, every request counted,
    the newest tree head kept, and the warm run answered from the shared cache."""
    mods = [(GREET, "v1.0.0"), ("example.com/Upper", "v1.0.0")]
    mods += [filler_record(i)[:2] for i in (1, 3, 5, 70, 140, 200, 250, 255, 260, 280)]
    bad = _gosum(sumdb_server, *mods).replace(
        sumdb_server.gosum_lines(*filler_record(140)[:2])[0].split(" ")[2], f"h1:{'B' * 43}="
    )
    root = _repo(tmp_path, bad)
    own_caches = {**env, "GOPATH": str(tmp_path / "p1"), "GOMODCACHE": str(tmp_path / "m1")}
    one = _verify(_repo(tmp_path, bad, "single"), own_caches)
    sumdb_server.requests.clear()

    out = _verify(root, env, processes=3)
    assert [(f.id, f.line) for f in out.findings] == [(f.id, f.line) for f in one.findings]
    assert _ids(out) == ["sum-mismatch"]
    assert (out.lines, out.verified, out.errors, out.lookups) == (24, 23, 1, 12)
    lookups = sumdb_server.lookup_requests()
    assert len(lookups) == len(set(lookups)) == 12  # every module version asked once
    assert out.requests == len(sumdb_server.requests)  # the workers' requests are counted
    latest = Path(env["GOPATH"]) / "pkg/sumdb" / SUMDB_NAME / "latest"
    assert f"\n{len(sumdb_server.log.records)}\n".encode() in latest.read_bytes()

    before = len(sumdb_server.requests)
    again = _verify(root, env, processes=3)
    assert _ids(again) == ["sum-mismatch"]
    assert again.requests == 0
    assert len(sumdb_server.requests) == before


def test_a_checkout_bot_directory_never_stands_in_for_tidybot(
    env: dict[str, str],
    sumdb_server: SumdbServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers import tidybot from where this process did, not from the current directory."""
    root = _two_module_repo(tmp_path, sumdb_server)
    write_tree(root, {"bot/__init__.py": "raise SystemExit('the checkout was imported')\n"})
    monkeypatch.chdir(root)
    out = _verify(root, env, processes=2)
    assert out.findings == []
    assert out.verified == 4


def test_a_failing_worker_says_why(tmp_path: Path) -> None:
    """A worker that cannot do its work fails with its last error line (its keys are then
    unverified, never verified)."""
    worker = _Worker((None, [(GREET, "v1.0.0")], 1, NetLimits(), 60.0))  # type: ignore[arg-type]
    with pytest.raises(UnavailableError, match=r"verification worker failed \(exit 1\): "):
        worker.result(60)


def test_auto_processes_need_enough_module_versions() -> None:
    assert auto_processes(0) == 1
    assert auto_processes(MIN_PER_PROCESS * 2 - 1) == 1
    assert 1 <= auto_processes(10_000) <= 4


def test_a_worker_that_cannot_start_leaves_its_shard_unverified(
    env: dict[str, str],
    sumdb_server: SumdbServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _two_module_repo(tmp_path, sumdb_server)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the work file goes
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    out = _verify(root, env, processes=2)
    assert out.verified == 2  # this process's shard
    assert _ids(out) == ["sum-unverified", "sum-unverified"]
    assert all("verification worker could not start" in f.message for f in out.findings)
    assert list(scratch.iterdir()) == []  # its work file is gone


def test_stop_ends_a_worker_waiting_on_a_silent_server(tmp_path: Path, sumdb_key: SumdbKey) -> None:
    """A worker must never outlive an interrupted verification."""
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        db = parse_sumdb_env(
            {
                "GOSUMDB": f"{sumdb_key.vkey} http://127.0.0.1:{port}",
                "GOMODCACHE": str(tmp_path / "modcache"),
                "GOPATH": str(tmp_path / "gopath"),
                "HOME": str(tmp_path),
            }
        )
        worker = _Worker((db, [(GREET, "v1.0.0")], 1, NetLimits(), 60.0))
        time.sleep(0.5)
        assert worker.proc is not None and worker.proc.poll() is None  # still waiting
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 5
        assert worker.proc.returncode is not None and worker.proc.returncode < 0


# --- a database that does not hold the key passes no tampered line -------------------------------


def _tampered(server: SumdbServer) -> str:
    """greet's go.sum lines with the module hash replaced: the database holds another."""
    lines = server.gosum_lines(GREET, "v1.0.0")
    lines[0] = lines[0].rsplit(" ", 1)[0] + f" h1:{'A' * 43}="
    return "".join(ln + "\n" for ln in lines)


def test_a_database_that_serves_no_tiles_verifies_nothing(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """Every tile answered 404 (as a replay of an older log answers for the newest tree): the
    lines were "not in the checksum database", a warning, and `tidybot verify` exited 0 on a
    tampered go.sum. Now a missing tile leaves the line unverified (exit 2)."""
    root = _repo(tmp_path, _tampered(sumdb_server))
    sumdb_server.faults.missing_tiles = True
    res = tidybot(env, "verify", str(root))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "sum-unverified" in res.stdout and "sum-unknown" not in res.stdout, res.stdout
    assert "does not serve a tile of a tree it signed" in res.stdout
    assert "Traceback" not in res.stderr


def test_a_lookup_the_database_says_it_does_not_know_fails_the_run(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """A 404 for the lookup itself: go refuses the module, and `tidybot verify` exited 0."""
    root = _repo(tmp_path, f"example.com/nowhere v1.0.0 h1:{'N' * 43}=\n")
    res = tidybot(env, "verify", str(root))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "sum-unknown" in res.stdout


def test_a_record_is_split_on_newlines_only(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """A logged record whose text holds U+2028 (which go never takes for a line break), served
    as greet's lookup: splitlines() read the forged greet lines out of it as proved."""
    lines = _tampered(sumdb_server).splitlines()
    text = "\u2028".join(["example.com/evil v1.0.0 h1:" + "E" * 43 + "=", *lines]) + "\n"
    evil = sumdb_server.log.add("example.com/evil@v1.0.0", text.encode("utf-8"))
    sumdb_server.log.index[f"{GREET}@v1.0.0"] = evil
    root = _repo(tmp_path, "".join(ln + "\n" for ln in lines))
    res = tidybot(env, "verify", str(root), "--format", "json")
    assert res.returncode != 0, res.stdout + res.stderr
    doc = json.loads(res.stdout)
    assert doc["verify"]["verified"] == 0, doc["verify"]


def test_a_sumdb_name_that_is_not_utf8_is_a_clear_error(
    env: dict[str, str], sumdb_key: SumdbKey, tmp_path: Path
) -> None:
    root = _repo(tmp_path, f"example.com/nowhere v1.0.0 h1:{'N' * 43}=\n")
    name, rest = sumdb_key.vkey.split("+", 1)
    bad = {**env, "GOSUMDB": os.fsdecode(name.encode() + b"\xff") + "+" + rest}
    res = subprocess.run(
        [sys.executable, "-m", "bot", "verify", str(root)],
        env={k: os.fsencode(v) for k, v in bad.items()},
        capture_output=True,
        check=False,
    )
    assert res.returncode == 2, res.stdout + res.stderr
    assert b"malformed verifier id" in res.stderr and b"Traceback" not in res.stderr


def test_after_a_fork_no_line_of_the_run_counts_as_verified(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """greet's lines are proved from the cache of an earlier run; the fresh lines of the same
    go.sum show the database forked its history. go stops at the fork; no proof of a database
    that lied counts, the cached ones included."""
    first = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0")), "first")
    assert _verify(first, env).verified == 2
    rewrite = next(k for k, i in sumdb_server.log.index.items() if i == 280)
    sumdb_server.fork(rewrite=rewrite)
    fresh = [filler_record(i)[:2] for i in (100, 101)]
    both = _repo(tmp_path, _gosum(sumdb_server, (GREET, "v1.0.0"), *fresh), "both")
    res = tidybot(env, "verify", str(both), "--format", "json")
    assert res.returncode != 0, res.stdout + res.stderr
    doc = json.loads(res.stdout)
    assert doc["verify"]["verified"] == 0, doc["verify"]
    assert "sumdb-fork" in res.stdout
