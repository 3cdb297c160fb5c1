"""`tidybot verify` against servers that answer too much or too slowly.

Every network read of verify is bounded (bot/verify/limits.py): a size limit per kind of
answer, read by streaming, and wall-clock deadlines per request and per run, configured by
``TIDYBOT_VERIFY_REQUEST_TIMEOUT`` and ``TIDYBOT_VERIFY_TIMEOUT``. Each test runs the real
command as a child process (started and reaped with ``os.wait4`` by a small launcher, which
gives the command's own peak memory) against :class:`tests.fakes.hostile.HostileServer`,
alone or in front of the genuine test database; the deadlines are scaled down through the
environment so a test takes seconds.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine.modpath import escape_path
from tests.fakes.goproxy import write_tree
from tests.fakes.hostile import HostileServer
from tests.fakes.sumdb import SumdbServer, filler_record
from tests.integration.test_action_harness import APP_MAIN, REPO, ActionWorld, world

__all__ = ["world"]  # the fixture, for the audit's test

GREET = "example.com/greet"
HUGE = 400_000_000  # the size of the answer that once took verify to 863 MB
MAX_RSS_MIB = 150  # a verify run of a small go.sum stays well below (about 40 MiB here)
KILL_AFTER = 60.0  # a run that has not ended by then is stuck: the test fails, never hangs


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float


# Starts the command and reports its peak memory. The command's rusage also counts the memory
# of the process image it was exec'd over (Linux keeps the larger of the two), and a child of
# pytest starts as a copy of pytest, hundreds of MiB late in a session: so a small launcher,
# this, starts it and reaps it.
LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def tidybot(env: dict[str, str], *args: str, tmp: Path) -> Run:
    """``python -m bot ARGS`` (this checkout), its exit code, output, time and peak memory."""
    out, err, rss = tmp / "stdout.txt", tmp / "stderr.txt", tmp / "maxrss.txt"
    cmd = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(rss), sys.executable, "-m", "bot"]
    with out.open("wb") as fo, err.open("wb") as fe:
        started = time.monotonic()
        proc = subprocess.Popen(
            [*cmd, *args], env=env, stdout=fo, stderr=fe, start_new_session=True
        )
        try:
            code = proc.wait(timeout=KILL_AFTER)
        except subprocess.TimeoutExpired:  # stuck: end the launcher and the command
            os.killpg(proc.pid, signal.SIGKILL)
            code = -signal.SIGKILL
            proc.wait()
    return Run(
        code,
        out.read_text(),
        err.read_text(),
        time.monotonic() - started,
        int(rss.read_text()) / 1024 if rss.exists() else math.inf,  # KiB on Linux
    )


@pytest.fixture
def hostile(sumdb_server: SumdbServer) -> Iterator[HostileServer]:
    """A hostile server in front of the genuine test database (rules added by each test)."""
    with HostileServer(upstream=sumdb_server) as server:
        yield server


@pytest.fixture
def env(goenv: dict[str, str], tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in goenv.items() if not k.startswith("TIDYBOT_") and k != "GONOSUMDB"}
    e["GOMODCACHE"] = str(tmp_path / "modcache")
    e["GOPATH"] = str(tmp_path / "gopath")
    return e


def _repo(tmp_path: Path, sumdb_server: SumdbServer, *modules: tuple[str, str]) -> Path:
    lines: list[str] = []
    for path, version in modules or ((GREET, "v1.0.0"),):
        lines += sumdb_server.gosum_lines(path, version)
    return write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/m\n\ngo 1.22\n", "go.sum": "\n".join(lines) + "\n"},
    )


def _direct(env: dict[str, str], server: HostileServer, vkey: str, **extra: str) -> dict[str, str]:
    """verify talks to ``server`` as the database itself (GOSUMDB with a URL)."""
    return {**env, "GOSUMDB": f"{vkey} {server.url}", **extra}


def _unverified(run: Run) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "sum-unverified" in run.stdout, run.stdout
    return run.stdout


# --- sizes ----------------------------------------------------------------------------------


def _answer(server: HostileServer, prefix: str, body: bytes, length: str | None = None) -> None:
    """Answer ``prefix`` with ``body``, its Content-Length ``length`` (default: its size)."""
    import socket

    from tests.fakes.hostile import _send

    def behave(sock: socket.socket, _path: str) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {length or len(body)}\r\nConnection: close\r\n\r\n"
        )
        _send(sock, head.encode() + body)

    server.rules.append((prefix, behave))


@pytest.mark.parametrize(
    "body",
    [b"9" * 5000 + b"\nexample.com/greet v1.0.0 h1:x=\n\n", b"-" + b"1" * 4400 + b"\nx\n\n"],
    ids=["huge-record-id", "huge-negative-id"],
)
def test_a_lookup_with_a_record_id_of_thousands_of_digits_is_a_clear_error(
    body: bytes,
    env: dict[str, str],
    hostile: HostileServer,
    sumdb_server: SumdbServer,
    tmp_path: Path,
) -> None:
    """A record id of more than 4300 digits (in a lookup answer far below its size limit) made
    int() raise a ValueError of its own: a traceback, exit 3. It is malformed record data."""
    root = _repo(tmp_path, sumdb_server)
    _answer(hostile, "/lookup/", body)
    run = tidybot(_direct(env, hostile, sumdb_server.key.vkey), "verify", str(root), tmp=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr  # sum-unverified, not a traceback (3)
    assert "Traceback" not in run.stderr, run.stderr
    assert "malformed record data" in _unverified(run)


def test_a_content_length_of_thousands_of_digits_is_a_clear_error(
    env: dict[str, str], hostile: HostileServer, sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """The HTTP client refuses such a header ("bad Content-Length"): the line is unverified,
    a clear finding, not a traceback."""
    root = _repo(tmp_path, sumdb_server)
    _answer(hostile, "/lookup/", b"x\n", length="9" * 5000)
    run = tidybot(_direct(env, hostile, sumdb_server.key.vkey), "verify", str(root), tmp=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "could not be verified" in _unverified(run)  # the HTTP client's "bad Content-Length"


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "until-close"])
def test_a_huge_lookup_answer_is_refused_at_its_limit(
    length: bool,
    env: dict[str, str],
    hostile: HostileServer,
    sumdb_server: SumdbServer,
    tmp_path: Path,
) -> None:
    root = _repo(tmp_path, sumdb_server)
    hostile.huge("/lookup/", HUGE, length=length)
    run = tidybot(_direct(env, hostile, sumdb_server.key.vkey), "verify", str(root), tmp=tmp_path)
    out = _unverified(run)
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib  # not the answer's size
    url = f"{hostile.url}/lookup/{GREET}@v1.0.0"
    if length:
        why = f"is {HUGE} bytes long (Content-Length), more than 65536 bytes"
    else:
        why = "is larger than 65536 bytes"
    assert f"reading {url}: refused: the answer {why}, the limit for a lookup answer" in out
    assert hostile.served["/lookup/"] == 1  # a refused answer is not asked for again


def test_a_huge_tile_is_refused_at_its_limit(
    env: dict[str, str], hostile: HostileServer, sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """Genuine lookups, then 400 MB where a tile of W hashes is W * 32 bytes."""
    root = _repo(tmp_path, sumdb_server)
    hostile.huge("/tile/", HUGE, length=False)
    run = tidybot(_direct(env, hostile, sumdb_server.key.vkey), "verify", str(root), tmp=tmp_path)
    out = _unverified(run)
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib  # not the answer's size
    assert re.search(
        rf"reading {hostile.url}/tile/8/[0-9]/000(\.p/(?P<w>[0-9]+))?: refused: the answer "
        r"is larger than (?P<n>[0-9]+) bytes, the limit for a tile of (?P<h>[0-9]+) hash",
        out,
    ), out


def test_a_huge_error_answer_is_read_only_for_its_first_line(
    env: dict[str, str], hostile: HostileServer, sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    root = _repo(tmp_path, sumdb_server)
    hostile.huge("/lookup/", HUGE, status="503 Service Unavailable")
    run = tidybot(_direct(env, hostile, sumdb_server.key.vkey), "verify", str(root), tmp=tmp_path)
    out = _unverified(run)
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib  # not the answer's size
    assert "503 Service Unavailable (server response: overloaded, try later)" in out
    assert hostile.served["/lookup/"] == 4  # retried like any 5xx


def test_a_redirect_is_followed_without_reading_its_body(
    env: dict[str, str], hostile: HostileServer, sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """A 302 to the genuine answer, with 400 MB of body nobody needs."""
    root = _repo(tmp_path, sumdb_server)
    hostile.huge(
        "/redirect/", HUGE, status="302 Found", location=lambda p: p.removeprefix("/redirect")
    )
    e = {**env, "GOSUMDB": f"{sumdb_server.key.vkey} {hostile.url}/redirect"}
    run = tidybot(e, "verify", str(root), tmp=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib  # not the answer's size
    assert "2 go.sum lines in 1 file: 2 verified" in run.stdout
    assert hostile.served["/redirect/"] >= 1


def test_a_gzip_bomb_is_refused_at_the_limit_of_its_decoded_size(
    env: dict[str, str], hostile: HostileServer, sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """tidybot asks for no compression; a server that compresses anyway is decoded only up to
    the limit (here: 400 KB on the wire that would inflate to 400 MB)."""
    root = _repo(tmp_path, sumdb_server)
    hostile.gzip_bomb("/lookup/", HUGE)
    run = tidybot(_direct(env, hostile, sumdb_server.key.vkey), "verify", str(root), tmp=tmp_path)
    out = _unverified(run)
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib  # not the answer's size
    assert "refused: the answer is larger than 65536 bytes" in out


def test_a_file_database_is_read_up_to_the_limit_only(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """GOSUMDB with a file:// URL: a 400 MB lookup file (sparse: free to make) is refused, and
    a FIFO (which would block the open for ever) is no regular file."""
    root = _repo(tmp_path, sumdb_server, (GREET, "v1.0.0"), (GREET, "v1.1.0"))
    db = tmp_path / "db"
    lookup = db / "lookup" / escape_path(GREET)
    lookup.parent.mkdir(parents=True)
    with Path(f"{lookup}@v1.0.0").open("wb") as f:
        f.truncate(HUGE)
    os.mkfifo(f"{lookup}@v1.1.0")
    e = {**env, "GOSUMDB": f"{sumdb_server.key.vkey} {db.as_uri()}"}
    run = tidybot(e, "verify", str(root), tmp=tmp_path)
    out = _unverified(run)
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib  # not the answer's size
    assert "v1.0.0: refused: the file is larger than 65536 bytes" in out
    assert "v1.1.0: not a regular file" in out


# --- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_trickling_answer_meets_the_deadline_of_its_request(
    in_headers: bool,
    env: dict[str, str],
    hostile: HostileServer,
    sumdb_server: SumdbServer,
    tmp_path: Path,
) -> None:
    """One byte every 0.2 s keeps every socket read short; the request as a whole has 1 s,
    and each of its 4 attempts (3 retries) gets its own."""
    root = _repo(tmp_path, sumdb_server)
    hostile.trickle("/lookup/", 0.2, in_headers=in_headers)
    e = _direct(env, hostile, sumdb_server.key.vkey, TIDYBOT_VERIFY_REQUEST_TIMEOUT="1")
    run = tidybot(e, "verify", str(root), tmp=tmp_path)
    out = _unverified(run)
    assert (
        "no complete answer within 1s, the deadline of one request "
        "($TIDYBOT_VERIFY_REQUEST_TIMEOUT)" in out
    )
    assert hostile.served["/lookup/"] == 4
    assert run.seconds < 20, run.seconds


def test_the_whole_run_has_a_deadline(
    env: dict[str, str], hostile: HostileServer, sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """300 module versions (so on 2 CPUs a worker process takes half of them), every answer
    trickling: the run's deadline of 3 s ends them all, in the workers too."""
    fillers = [filler_record(i)[:2] for i in range(260)]
    root = _repo(tmp_path, sumdb_server, *fillers)
    hostile.trickle("/lookup/", 0.5)
    e = _direct(env, hostile, sumdb_server.key.vkey, TIDYBOT_VERIFY_TIMEOUT="3")
    run = tidybot(e, "verify", str(root), "--format", "json", tmp=tmp_path)
    _unverified(run)
    doc = json.loads(run.stdout)
    assert doc["verify"]["verified"] == 0
    messages = [f["message"] for f in doc["findings"] if f["id"] == "sum-unverified"]
    assert len(messages) == 520  # every line, none dropped
    why = "the deadline of the whole verification passed (3s, $TIDYBOT_VERIFY_TIMEOUT)"
    assert all(why in m for m in messages), messages[:3]
    assert run.seconds < 15, run.seconds


def test_a_stuck_proxy_probe_falls_back_at_its_deadline(
    env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    """GOSUMDB without a URL goes through GOPROXY: a proxy whose ``/sumdb/<name>/supported``
    never finishes is given up at the request's deadline, and ``|`` falls back to the next
    proxy (the genuine database, which answers under /sumdb/<name>/ too)."""
    root = _repo(tmp_path, sumdb_server)
    with HostileServer() as stuck:
        stuck.trickle("/sumdb/", 0.2, in_headers=True)
        e = {
            **env,
            "GOSUMDB": sumdb_server.key.vkey,
            "GOPROXY": f"{stuck.url}|{sumdb_server.url}",
            "TIDYBOT_VERIFY_REQUEST_TIMEOUT": "0.5",
        }
        run = tidybot(e, "verify", str(root), tmp=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 go.sum lines in 1 file: 2 verified" in run.stdout
    assert stuck.served["/sumdb/"] == 4
    assert run.seconds < 20, run.seconds


def test_the_audit_verify_step_keeps_the_deadline_of_the_run(
    world: ActionWorld, sumdb_server: SumdbServer
) -> None:
    """``tidybot action`` on a schedule (the audit) runs the same verification: a trickling
    database ends at TIDYBOT_VERIFY_TIMEOUT and the audit reports the lines unverified."""
    gosum = "\n".join(sumdb_server.gosum_lines(GREET, "v1.0.0")) + "\n"
    gomod = f"module example.com/app\n\ngo 1.22\n\nrequire {GREET} v1.0.0\n"
    world.gh.push(
        REPO,
        "main",
        {"go.mod": gomod.encode(), "go.sum": gosum.encode(), "main.go": APP_MAIN.encode()},
        "use greet",
    )
    with HostileServer(upstream=sumdb_server) as hostile:
        hostile.trickle("/lookup/", 0.5)
        res = world.run(
            "schedule",
            world.load_event("schedule"),
            world.checkout("main"),
            env_extra={
                "GOSUMDB": f"{sumdb_server.key.vkey} {hostile.url}",
                "GONOSUMDB": "",
                "TIDYBOT_VERIFY_TIMEOUT": "2",
                # not the session's module cache: it may hold the lookups proved already
                "GOMODCACHE": str(world.tmp / "modcache"),
            },
        )
    report = res.report()
    unverified = [f for f in report["findings"] if f["id"] == "sum-unverified"]
    assert unverified, (res.explain(), report["audit"])
    why = "the deadline of the whole verification passed (2s, $TIDYBOT_VERIFY_TIMEOUT)"
    assert all(why in f["message"] for f in unverified), unverified
    assert report["audit"]["verify"]["verified"] == 0
    assert hostile.served["/lookup/"] >= 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIDYBOT_VERIFY_TIMEOUT", "abc"),
        ("TIDYBOT_VERIFY_TIMEOUT", "0"),
        ("TIDYBOT_VERIFY_TIMEOUT", "inf"),
        ("TIDYBOT_VERIFY_REQUEST_TIMEOUT", "-1"),
        ("TIDYBOT_VERIFY_REQUEST_TIMEOUT", "nan"),
    ],
)
def test_a_bad_deadline_setting_is_a_configuration_error(
    name: str, value: str, env: dict[str, str], sumdb_server: SumdbServer, tmp_path: Path
) -> None:
    root = _repo(tmp_path, sumdb_server)
    e = {**env, "GOSUMDB": sumdb_server.gosumdb, name: value}
    run = tidybot(e, "verify", str(root), tmp=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith(
        f"tidybot: error: ${name}: {value!r} is not a number of seconds greater than 0\n"
    ), run.stderr
    assert f"hint: set {name} to a number of seconds" in run.stderr
    assert "Traceback" not in run.stderr
