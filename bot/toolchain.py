"""Runs the real ``go`` command with a deliberate environment.

Every invocation gets:

* ``GOWORK=off`` (tidy never runs in workspace mode; callers that need a workspace say so),
* ``GOFLAGS`` without any inherited ``-mod=`` flag,
* an explicit ``GOTOOLCHAIN`` (default ``local``),
* ``GIT_TERMINAL_PROMPT=0`` so a private module never hangs on a password prompt,
* the user's ``GOPROXY`` / ``GOPRIVATE`` / ``GONOSUMDB`` / ... passed through unchanged,

and a deadline (:data:`DEFAULT_GO_TIMEOUT`, ``TIDYBOT_GO_TIMEOUT``): a go command waiting on a
module proxy that never answers is stopped, with its children, and its module says so.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.childenv import find_program
from bot.engine.goenv import parse_toolchain_policy
from bot.errors import ConfigError, ToolchainError
from bot.lazy import lazy_pattern

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    import subprocess

MIN_GO = (1, 23)  # `go mod tidy -diff` appeared in Go 1.23

DEFAULT_GO_TIMEOUT = 900.0
"""Seconds one go command may run (README, "Limits"): a cold ``go mod tidy`` of a large module
downloads for a few minutes at most; a proxy that accepts and never answers would hold go
forever."""

GO_TIMEOUT_VARIABLE = "TIDYBOT_GO_TIMEOUT"

MAX_GO_TIMEOUT = 86400.0
"""The largest deadline a go command may be given, in seconds (one day; README, "Limits"): a
command that has not finished in a day waits on something that will not answer, and the wait
itself cannot take much more (``poll`` counts milliseconds in a C int: about 24.8 days)."""

_VERSION_RE = re.compile(r"go(\d+)\.(\d+)(?:\.(\d+))?")
# go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)
# go: example.com/newgo@v1.0.0 requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)
_needs_newer_go = lazy_pattern(
    r"(?P<who>\S+) requires go >= (?P<need>[0-9][^\s]*) \(running go (?P<have>[^;\s]+); "
    r"GOTOOLCHAIN=(?P<policy>[^)]+)\)"
)


class GoResult:
    """What a go command did: its arguments, directory, exit code, output and seconds."""

    __slots__ = ("args", "cwd", "duration", "returncode", "stderr", "stdout", "timed_out")

    def __init__(
        self,
        args: tuple[str, ...],
        cwd: str,
        returncode: int,
        stdout: str,
        stderr: str,
        duration: float,
        timed_out: bool = False,
    ) -> None:
        self.args = args
        self.cwd = cwd
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.timed_out = timed_out  # stopped at its deadline: stderr says so

    def __repr__(self) -> str:
        return (
            f"GoResult(args={self.args!r}, cwd={self.cwd!r}, returncode={self.returncode}, "
            f"stdout={self.stdout!r}, stderr={self.stderr!r})"
        )

    @property
    def ok(self) -> bool:
        return self.returncode == 0


_LIVE: set[GoProcess] = set()  # the go commands running now (their own process groups)
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


def stop_all() -> None:
    """The run is being interrupted (Ctrl-C, SIGTERM): stop every go command still running
    and start no new one. go runs in a process group of its own (so that a deadline stops what
    it started), so the terminal's SIGINT never reaches it: without this, a worker thread
    would wait on a go command blocked on the network until its deadline, and the run with it.
    The threads waiting on the killed commands return (and reap them)."""
    import signal

    _STOPPING.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for gp in live:
        if gp._proc.returncode is not None:  # reaped already: its pid may be another's now
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(gp._proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            gp._proc.kill()


def stopping() -> bool:
    """Whether :func:`stop_all` is stopping the run: a go command it killed has no result to
    tell (its exit reads as "go failed without a message")."""
    return _STOPPING.is_set()


def resume() -> None:
    """Go commands may start again (after :func:`stop_all`, once the run it stopped has
    wound down): for a caller that goes on in the same process."""
    _STOPPING.clear()


class GoProcess:
    """A running go command (``Go.start``)."""

    def __init__(
        self,
        args: tuple[str, ...],
        cwd: str,
        proc: subprocess.Popen[str],
        started: float,
        timeout: float | None,
        pinned: Go | None = None,
    ) -> None:
        self.args = args
        self.cwd = cwd
        self._proc = proc
        self._started = started
        self._timeout = timeout
        self._pinned = pinned  # the toolchain, when it pins a release (``Go.pinned``)

    def wait(self) -> GoResult:
        """Wait for go to end (stopping it at the deadline): its output and exit code."""
        import subprocess

        left = None
        if self._timeout is not None:
            left = max(0.0, self._started + self._timeout - time.monotonic())
        try:
            out, err = self._proc.communicate(timeout=left)
        except subprocess.TimeoutExpired:
            partial = self.kill()
            return GoResult(
                self.args,
                self.cwd,
                -1,
                "",
                timeout_message(self.args, self._timeout or 0.0, partial),
                time.monotonic() - self._started,
                timed_out=True,
            )
        except BaseException:  # interrupted: go must not outlive the wait
            self.kill()
            raise
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(self)
        if self._proc.returncode != 0 and self._pinned is not None:
            self._pinned.check_download(err)
        return GoResult(
            self.args, self.cwd, self._proc.returncode, out, err, time.monotonic() - self._started
        )

    def kill(self) -> str:
        """Stop go and whatever it started (git, a toolchain: its own process group), reap it;
        its result is not wanted. Returns what it had written to stderr."""
        import signal

        with _LIVE_LOCK:
            _LIVE.discard(self)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self._proc.kill()
        try:
            _, err = self._proc.communicate()
        except ValueError:  # already read by an earlier communicate()
            err = ""
        return err or ""


def timeout_message(args: Sequence[str], timeout: float, stderr: str) -> str:
    """The error of a go command stopped at its deadline, with the last thing go said."""
    said = [
        ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith("go: finding")
    ]
    last = f" (go's last words: {said[-1]})" if said else ""
    return (
        f"go {' '.join(args[1:])} timed out: stopped after {timeout:g} s{last}; a module proxy or "
        f"VCS host that does not answer is the usual cause; raise the limit with "
        f"{GO_TIMEOUT_VARIABLE} (seconds) if the module really needs longer"
    )


def parse_go_timeout(value: str, source: str = GO_TIMEOUT_VARIABLE) -> float:
    """A go deadline setting in seconds (above 0, at most :data:`MAX_GO_TIMEOUT`). Raises
    ConfigError naming ``source``."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ConfigError(
            f"{source}: expected a number of seconds above 0, not {value!r}",
            hint=f"the default is {DEFAULT_GO_TIMEOUT:g}",
        )
    if not seconds <= MAX_GO_TIMEOUT:  # inf and nan too
        raise ConfigError(
            f"{source}: {value!r} seconds is above the limit of {MAX_GO_TIMEOUT:g} (one day)",
            hint=f"give at most {MAX_GO_TIMEOUT:g}; the default is {DEFAULT_GO_TIMEOUT:g}",
        )
    return seconds


def parse_go_version(text: str) -> tuple[int, int, int] | None:
    m = _VERSION_RE.search(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def strip_mod_flag(goflags: str) -> str:
    """Drop ``-mod=...`` (and ``--mod=...``) from a GOFLAGS value, keep everything else."""
    kept = [w for w in goflags.split() if not re.match(r"^--?mod(=|$)", w)]
    return " ".join(kept)


def hardened_env(
    base: Mapping[str, str], overrides: Mapping[str, str] | None = None, gotoolchain: str = "local"
) -> dict[str, str]:
    env = dict(base)
    for k, v in (overrides or {}).items():
        if v == "":
            env.pop(k, None)
        else:
            env[k] = v
    env["GOWORK"] = "off"
    env["GOFLAGS"] = strip_mod_flag(env.get("GOFLAGS", ""))
    if not env["GOFLAGS"]:
        del env["GOFLAGS"]
    env["GOTOOLCHAIN"] = gotoolchain
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.setdefault("GOTELEMETRY", "off")
    return env


def runtime_env(jobs: int, env: Mapping[str, str]) -> dict[str, str]:
    """Go runtime settings for ``jobs`` go commands running side by side (unless the user set
    them): each gets an equal share of the CPUs (``GOMAXPROCS``), and collects garbage only
    near a memory limit (``GOGC=off`` with ``GOMEMLIMIT``, a soft limit the Go runtime keeps by
    collecting when the heap approaches it). A ``go mod tidy`` allocates little and lives for
    tens of milliseconds, so its collections are pure overhead; neither setting changes what go
    writes. Measured on a 67-module repository with 2 jobs on 2 CPUs: 1.87 s -> 1.54 s.

    With an empty module cache (a CI job's first run) GOMAXPROCS is left alone: go loads
    packages, and so downloads modules, with GOMAXPROCS workers, and a share of one CPU would
    keep one download in flight per go command; such a run waits on the network, not the CPUs
    (see README, "Speed": cold runs)."""
    cpus = os.cpu_count() or 1
    out: dict[str, str] = {}
    if "GOMAXPROCS" not in env and not module_cache_is_empty(env):
        out["GOMAXPROCS"] = str(max(1, cpus // max(1, jobs)))
    if "GOGC" not in env and "GOMEMLIMIT" not in env:
        try:
            physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            physical = 4 << 30
        limit = min(1 << 30, max(128 << 20, physical // (2 * max(1, jobs))))
        out["GOGC"] = "off"
        out["GOMEMLIMIT"] = f"{limit >> 20}MiB"
    return out


def module_cache_is_empty(env: Mapping[str, str]) -> bool:
    """go has downloaded nothing into the module cache ``env`` names: no
    ``<GOMODCACHE>/cache/download`` (one stat; a cache restored from an older key still counts
    as full, since the few modules it lacks download quickly either way)."""
    return not os.path.isdir(os.path.join(module_cache_dir(env), "cache", "download"))


def module_cache_dir(env: Mapping[str, str]) -> str:
    """``GOMODCACHE`` as go finds it: the variable, else the first ``GOPATH`` entry's
    ``pkg/mod``, else ``$HOME/go/pkg/mod``; for each variable, a value set with ``go env -w``
    (the ``GOENV`` file) counts when the environment leaves it empty."""
    cache = env.get("GOMODCACHE", "")
    if cache:
        return cache
    written = _goenv_file(env)
    cache = written.get("GOMODCACHE", "")
    if cache:
        return cache
    gopath = env.get("GOPATH", "") or written.get("GOPATH", "")
    first = gopath.split(os.pathsep)[0] if gopath else ""
    if not first:
        first = os.path.join(env.get("HOME") or os.path.expanduser("~"), "go")
    return os.path.join(first, "pkg", "mod")


def _goenv_file(env: Mapping[str, str]) -> dict[str, str]:
    """The settings of go's ``GOENV`` file (``go env -w``), {} when there is none."""
    path = env.get("GOENV", "")
    if path == "off":
        return {}
    if not path:
        config = env.get("XDG_CONFIG_HOME") or os.path.join(
            env.get("HOME") or os.path.expanduser("~"), ".config"
        )
        path = os.path.join(config, "go", "env")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(1 << 16)
    except OSError:
        return {}
    from bot.engine.goenv import parse_goenv

    return parse_goenv(text, path).as_dict()


class Go:
    """The go toolchain port: one real adapter, the ``go`` binary."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        gotoolchain: str = "local",
        go: str | None = None,
        timeout: float | None = DEFAULT_GO_TIMEOUT,
        how: str = "",
    ) -> None:
        self.gotoolchain = gotoolchain
        # the setting that chooses gotoolchain where tidybot runs, "{0}" for the value, for the
        # advice of an error ("--gotoolchain {0}"); "": none to suggest
        self.how = how
        # the policy parsed once (None: a value only go understands, such as local+auto)
        self.policy = parse_toolchain_policy(gotoolchain)
        base = dict(os.environ if env is None else env)
        self.env = hardened_env(base, gotoolchain=gotoolchain)
        named = go or base.get("TIDYBOT_GO")
        self.go = named or "go"
        self.named = bool(named)  # TIDYBOT_GO names the binary (else: go on PATH)
        self._exe: str | None = None  # its absolute path, once found (childenv.find_program)
        self.timeout = timeout  # seconds each command may run; None: no deadline
        self._version: str | None = None
        #: set once a go command of this toolchain has started: a thread whose Python work
        #: would hold up the first module's go command waits for it
        self.started = threading.Event()

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        extra_env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> GoResult:
        return self.start(args, cwd, extra_env=extra_env, timeout=timeout).wait()

    def ready(self) -> None:
        """Load what starting a go command needs (the subprocess module), ahead of the first
        ``start``."""
        import subprocess  # noqa: F401

    def start(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        extra_env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> GoProcess:
        """Start ``go args`` in ``cwd``; ``wait()`` on the result for its :class:`GoResult`.
        The caller can do other work while go runs. ``timeout``: this command's deadline in
        seconds, else the toolchain's. go runs in a process group of its own, so a command
        stopped at its deadline takes whatever it started (git, a downloaded go) with it."""
        env = self.env
        if extra_env:
            env = dict(env)
            env.update(extra_env)
        import subprocess  # not at import time: a run answered from the cache starts no process

        exe = self._binary()
        if _STOPPING.is_set():  # the run is being stopped (stop_all): nothing new starts
            raise KeyboardInterrupt
        started = time.monotonic()
        try:
            if exe is None:  # never a bare name: Popen would look in PATH's relative entries
                raise FileNotFoundError(self.go)
            proc = subprocess.Popen(
                [exe, *args],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
            )
        except FileNotFoundError as e:
            if self.named:
                raise self.cannot_run(e) from e
            raise ToolchainError(
                f"the go command ({self.go}) was not found",
                hint="install Go 1.23 or newer (https://go.dev/dl/) and put it on PATH, "
                "or point TIDYBOT_GO at the go binary",
            ) from e
        except OSError as e:  # a directory, a file without x, not a program (Exec format error)
            raise self.cannot_run(e) from e
        self.started.set()
        deadline = self.timeout if timeout is None else timeout
        pinned = self if self.pinned() is not None else None
        gp = GoProcess((self.go, *args), str(cwd), proc, started, deadline, pinned)
        with _LIVE_LOCK:
            _LIVE.add(gp)
        if _STOPPING.is_set():  # stop_all ran while this one started
            gp.kill()
            raise KeyboardInterrupt
        return gp

    def cannot_run(self, e: OSError | None = None) -> ToolchainError:
        """The error for a go binary that is there but cannot be started: what it is (a
        directory, a file without execute permission, not a program) and who named it."""
        exe = self._exe or self.go
        if os.path.isdir(exe):
            what = "is a directory, not the go binary"
        elif not os.path.exists(exe):
            what = "does not exist"
        elif not os.access(exe, os.X_OK):
            what = "is not executable (no execute permission)"
        elif e is not None and e.errno == errno.ENOEXEC:
            what = "is not a program this system can run (Exec format error)"
        else:
            what = f"cannot be run ({e.strerror if e is not None and e.strerror else e})"
        if self.named:
            return ToolchainError(
                f"TIDYBOT_GO={self.go}: {what}",
                hint="point TIDYBOT_GO at the go binary (such as /usr/local/go/bin/go), or "
                "unset it to use go from PATH",
            )
        return ToolchainError(
            f"the go command {exe} (found on PATH) {what}",
            hint="reinstall Go (https://go.dev/dl/), or point TIDYBOT_GO at a working go binary",
        )

    def binary(self) -> str | None:
        """The go binary this port runs (its path), or None when there is none."""
        return self._binary()

    def _binary(self) -> str | None:
        if self._exe is None:
            self._exe = find_program(self.go, self.env.get("PATH"))
        return self._exe

    def identity(self) -> str | None:
        """The go binary's real path, size, modification time and inode: what a remembered
        version is filed under (a replaced binary changes at least one of them)."""
        found = self._binary()
        if found is None:
            return None
        try:
            real = os.path.realpath(found)
            st = os.stat(real)
        except OSError:
            return None
        return f"{real} {st.st_size} {st.st_mtime_ns} {st.st_ino}"

    def version(self, known: str | None = None) -> str:
        """The local go version, e.g. ``1.26.8``; checks it is new enough for tidybot.
        ``known``: what ``go env GOVERSION`` said before for this ``identity()``. Else the
        version the go binary records (``bot.engine.buildinfo``), else ``go env GOVERSION``."""
        if self._version is not None:
            return self._version
        binary = self._binary()
        if binary is None:
            if os.sep in self.go or "/" in self.go:  # a path (TIDYBOT_GO), not a name on PATH
                raise ToolchainError(
                    f"the go command {self.go} was not found (TIDYBOT_GO names it)",
                    hint="point TIDYBOT_GO at the go binary, or unset it to use go from PATH",
                )
            raise ToolchainError(
                f"the go command ({self.go}) was not found on PATH",
                hint="install Go 1.23 or newer (https://go.dev/dl/) or point TIDYBOT_GO at it",
            )
        ver = parse_go_version(f"go{known}") if known else None
        if ver is None:
            # the version the go binary records about itself: no go command to start
            from bot.engine.buildinfo import go_command_version

            recorded = go_command_version(os.path.realpath(binary))
            ver = parse_go_version(recorded) if recorded else None
        if ver is None:
            res = self.run(["env", "GOVERSION"], Path.cwd(), extra_env={"GOTOOLCHAIN": "local"})
            ver = parse_go_version(res.stdout) if res.ok else None
            if ver is None:
                raise ToolchainError(
                    f"could not read the go version from `{self.go} env GOVERSION`: "
                    f"{(res.stderr or res.stdout).strip() or 'no output'}"
                )
        if ver[:2] < MIN_GO:
            raise ToolchainError(
                f"go {ver[0]}.{ver[1]}.{ver[2]} is too old: tidybot needs Go "
                f"{MIN_GO[0]}.{MIN_GO[1]} or newer (for `go mod tidy -diff`)",
                hint="install a newer Go (https://go.dev/dl/)",
            )
        self.check_pinned()
        self._version = f"{ver[0]}.{ver[1]}.{ver[2]}"
        return self._version

    def pinned(self) -> str | None:
        """The Go release GOTOOLCHAIN pins (``go1.24.13`` -> ``1.24.13``), else None."""
        if self.gotoolchain in ("local", "auto", ""):
            return None
        m = re.fullmatch(r"go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)", self.gotoolchain)
        return m.group(1) if m else None

    def running_version(self, known: str | None = None) -> str:
        """The Go release that runs the commands: the pinned one, else the local go (with
        ``auto``, the local go or newer where a module asks for more)."""
        local = self.version(known)
        return self.pinned() or local

    def check_download(self, stderr: str) -> None:
        """A go command that failed because the pinned release could not be downloaded (one
        that does not exist, a proxy that refuses it): every module would fail the same way,
        so the run stops with one error (exit 2) instead of one per module. A release a
        module's go.mod asks for under ``auto`` is that module's error, not this one."""
        pinned = self.pinned()
        m = _download_failed(pinned).search(stderr) if pinned else None
        if m is None:
            return
        raise ToolchainError(
            f"GOTOOLCHAIN={self.gotoolchain}: go could not download go{pinned}: "
            f"{m.group('why').strip()}",
            hint="pin a Go release that exists (https://go.dev/dl/) and that GOPROXY serves, "
            "or use " + (self.how.format("local") if self.how else "local"),
        )

    def check_pinned(self) -> None:
        """A pinned release older than tidybot needs fails every module the same way
        (``flag provided but not defined: -diff``): one clear error before any runs."""
        pinned = self.pinned()
        ver = parse_go_version(f"go{pinned}") if pinned else None
        if ver is not None and ver[:2] < MIN_GO:
            raise ToolchainError(
                f"GOTOOLCHAIN={self.gotoolchain}: tidybot needs Go {MIN_GO[0]}.{MIN_GO[1]} or "
                "newer (for `go mod tidy -diff`)",
                hint=f"pin go{MIN_GO[0]}.{MIN_GO[1]}.0 or newer, or use "
                + (self.how.format("local") if self.how else "local"),
            )


def _download_failed(release: str) -> re.Pattern[str]:
    # go: download go1.99.1 for linux/amd64: toolchain not available
    # go: download go1.24.13: <why the download failed> (go's toolchain.Exec)
    return re.compile(rf"^go: download go{re.escape(release)}(?: for \S+)?: (?P<why>.+)$", re.M)


def explain_go_error(stderr: str, gotoolchain: str, how: str = "") -> str:
    """Turn go's stderr into a readable error: progress noise dropped, known causes explained.
    ``how``: the setting that chooses gotoolchain (``Go.how``), named in the advice."""
    lines = [
        ln
        for ln in stderr.splitlines()
        if ln.strip()
        and not ln.startswith(("go: downloading ", "go: finding module ", "go: found "))
    ]
    text = "\n".join(lines).strip()
    m = _needs_newer_go().search(stderr)
    if m:
        who = m.group("who")
        subject = "go.mod" if who in ("go.mod", "go:") else who
        need, have = m.group("need"), m.group("have")
        auto = f"use {how.format('auto')} (go fetches it)" if how else ""
        if gotoolchain not in ("local", ""):
            fix = f"pin go{need} or newer" + (f", or {auto}" if how else "")
        else:
            fix = "install that Go version" + (
                f", or {auto}, or pin go{need} or newer" if how else ""
            )
        return (
            f"{subject} requires go >= {need}, but the toolchain in use is go {have} "
            f"(GOTOOLCHAIN={m.group('policy')}); {fix}"
        )
    return text or "go failed without a message"
