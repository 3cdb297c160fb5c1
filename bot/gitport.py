"""The git port: every git command tidybot runs goes through :class:`Git`. Nothing else runs git.

Why a subprocess and not GitPython: tidybot needs a handful of plumbing commands (``rev-parse``,
``merge-base``, ``diff``, ``ls-files``, ``ls-tree``, ``cat-file``, ``clone``), each with an exact
environment (the allow-list of ``bot.childenv``: no token ever reaches git) and a deadline. A
plain ``subprocess`` call gives both directly, starts faster than importing GitPython, and keeps
one way of running git instead of two (GitPython also runs the git binary, with its own
environment handling and long-lived ``cat-file`` processes).

Every call has a deadline (:data:`DEFAULT_TIMEOUT` seconds, ``TIDYBOT_GIT_TIMEOUT`` to change
it); a git that outlives it is killed and the call fails with a :class:`GitError` naming the
command.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.childenv import allowed, find_program
from bot.errors import ConfigError, UsageError

__all__ = ["DEFAULT_TIMEOUT", "Git", "GitError", "GitResult", "clone", "git_timeout"]

#: Seconds a git command may run (``TIDYBOT_GIT_TIMEOUT`` overrides it).
DEFAULT_TIMEOUT = 600.0

#: What every git command gets on top of the allowed environment: never a prompt, never an
#: optional lock (read-only commands must not rewrite the index of the user's checkout).
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GCM_INTERACTIVE": "never"}
#: Before every git command: a directory of the tree that looks like a bare repository is never
#: taken for the repository (its config would be git's: a ``core.fsmonitor`` there is a command
#: git runs), and no fsmonitor command runs at all. Command-line settings are git's protected
#: configuration, which no repository's config overrides.
_GIT_SAFETY = ("-c", "safe.bareRepository=explicit", "-c", "core.fsmonitor=false")


class GitError(UsageError):
    """git is missing, failed, or ran past its deadline."""


def git_timeout(environ: Mapping[str, str]) -> float:
    """The deadline of one git command: ``TIDYBOT_GIT_TIMEOUT`` seconds, else the default."""
    raw = environ.get("TIDYBOT_GIT_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigError(
            f"TIDYBOT_GIT_TIMEOUT is {raw!r}: give a number of seconds above 0",
            hint=f"unset it for the default of {DEFAULT_TIMEOUT:.0f} seconds",
        )
    return value


class GitResult:
    """One finished git command."""

    __slots__ = ("args", "returncode", "stderr", "stdout")

    def __init__(self, args: Sequence[str], returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.args = tuple(args)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        """stdout as text (paths that are not UTF-8 keep their bytes as surrogates)."""
        return self.stdout.decode("utf-8", "surrogateescape")

    @property
    def error(self) -> str:
        return self.stderr.decode("utf-8", "replace").strip()


class Git:
    """git commands in one directory, with the child environment and a deadline."""

    def __init__(
        self,
        cwd: Path,
        environ: Mapping[str, str] | None = None,
        *,
        extra_env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        source = os.environ if environ is None else environ
        self.cwd = Path(cwd)
        self.env = {**allowed(source), **_GIT_ENV, **(extra_env or {})}
        self.timeout = git_timeout(source) if timeout is None else timeout
        self._exe: str | None = None  # git's absolute path, once found (find_program)

    # -- running --------------------------------------------------------------------------

    def _start(self, args: Sequence[str], stdin: bool) -> subprocess.Popen[bytes]:
        try:
            if self._exe is None:
                self._exe = find_program("git", self.env.get("PATH"))  # absolute entries only
            if self._exe is None:
                raise FileNotFoundError("git")
            return subprocess.Popen(
                [self._exe, *_GIT_SAFETY, *args],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError:
            raise GitError(
                "git is not installed", hint="install git, or use the Docker action"
            ) from None
        except NotADirectoryError:
            raise GitError(f"{self.cwd}: not a directory") from None

    def _finish(
        self, proc: subprocess.Popen[bytes], args: Sequence[str], data: bytes | None = None
    ) -> GitResult:
        try:
            out, err = proc.communicate(data, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise GitError(
                f"git {' '.join(args[:2])} ran for more than {self.timeout:.0f}s and was stopped",
                hint="raise TIDYBOT_GIT_TIMEOUT (seconds) if the repository is that large",
            ) from None
        return GitResult(args, proc.returncode, out, err)

    def run(self, *args: str, input: bytes | None = None) -> GitResult:
        """Run ``git args``; the result whatever the exit code."""
        return self._finish(self._start(args, input is not None), args, input)

    def together(self, *commands: Sequence[str]) -> list[GitResult]:
        """Commands started side by side (each is mostly git's own start-up), results in order."""
        procs = [(self._start(c, False), c) for c in commands]
        return [self._finish(p, c) for p, c in procs]

    # -- questions ------------------------------------------------------------------------

    def head(self) -> str:
        """The checked-out commit; a ``GitError`` when this is not a checkout."""
        res = self.run("rev-parse", "--verify", "HEAD^{commit}")
        if not res.ok:
            raise GitError(
                f"{self.cwd} is not a git checkout: {res.error}",
                hint="run actions/checkout before tidybot",
            )
        return res.text.strip()

    def has_commit(self, sha: str) -> bool:
        return self.run("cat-file", "-e", f"{sha}^{{commit}}").ok

    def toplevel(self) -> Path | None:
        """The top of the work tree holding ``cwd``, or None outside a work tree."""
        res = self.run("rev-parse", "--show-toplevel")
        return Path(res.text.strip()) if res.ok and res.text.strip() else None

    def read_blob(self, ref: str, path: str, *, limit: int = 1 << 20) -> bytes | None:
        """The content of ``path`` (relative to the top of the work tree) at ``ref``; None
        when the commit has no such file, or it is not a regular file, or it is larger than
        ``limit`` bytes."""
        res = self.run("ls-tree", "-z", "-l", ref, "--", path)
        if not res.ok or not res.stdout:
            return None
        meta, _, name = res.stdout.rstrip(b"\0").partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[0] not in (b"100644", b"100755") or parts[1] != b"blob":
            return None
        if name.decode("utf-8", "surrogateescape") != path or int(parts[3]) > limit:
            return None
        blob = self.run("cat-file", "blob", parts[2].decode())
        return blob.stdout if blob.ok else None

    def files_named(self, ref: str, names: frozenset[str], under: str = "") -> dict[str, bytes]:
        """Every regular file whose name is in ``names`` at ``ref``, below ``under`` (a path
        relative to the top of the work tree), by path relative to the top."""
        args = ["ls-tree", "-r", "-z", "--full-tree", ref]
        if under:
            args += ["--", under.rstrip("/") + "/"]
        listing = self.run(*args)
        if not listing.ok:
            raise GitError(f"{ref}: {listing.error or 'no such commit'}")
        wanted: list[tuple[str, str]] = []
        for entry in listing.stdout.split(b"\0"):
            meta, _, raw = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != b"blob" or parts[0] not in (b"100644", b"100755"):
                continue
            path = raw.decode("utf-8", "surrogateescape")
            if path.rsplit("/", 1)[-1] in names:
                wanted.append((path, parts[2].decode()))
        if not wanted:
            return {}
        batch = self.run(
            "cat-file", "--batch", input="".join(f"{sha}\n" for _, sha in wanted).encode()
        )
        return dict(zip((p for p, _ in wanted), _batch_blobs(batch.stdout), strict=False))

    def tree_with(self, base: str, files: Mapping[str, bytes | None]) -> str:
        """The tree id of ``base`` with ``files`` written (None: removed), computed in a
        private index: what a commit of exactly these changes on ``base`` holds."""
        with tempfile.TemporaryDirectory(prefix="tidybot-index-") as tmp:
            index = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            git = Git(self.cwd, self.env, extra_env=index, timeout=self.timeout)
            for step in (git.run("read-tree", base),):
                if not step.ok:
                    raise GitError(f"{base}: {step.error}")
            # NUL-terminated records (-z): a path is taken whole, whatever it holds; one with a
            # newline in it could otherwise add entries of its own making
            records = []
            for path, data in sorted(files.items()):
                if data is None:
                    records.append(f"0 {'0' * 40}\t".encode() + os.fsencode(path) + b"\0")
                    continue
                blob = git.run("hash-object", "-w", "--stdin", input=data)
                if not blob.ok:
                    raise GitError(f"{path}: {blob.error}")
                records.append(f"100644 {blob.text.strip()}\t".encode() + os.fsencode(path) + b"\0")
            upd = git.run("update-index", "-z", "--index-info", input=b"".join(records))
            tree = git.run("write-tree")
            if not upd.ok or not tree.ok:
                raise GitError(upd.error or tree.error)
            return tree.text.strip()


def _batch_blobs(data: bytes) -> list[bytes]:
    """The contents in ``git cat-file --batch`` output (``<sha> <type> <size>\\n<data>\\n``)."""
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        header = data[pos:nl].split()
        if len(header) != 3:  # "<sha> missing"
            out.append(b"")
            pos = nl + 1
            continue
        size = int(header[2])
        out.append(data[nl + 1 : nl + 1 + size])
        pos = nl + 1 + size + 1
    return out


def clone(
    url: str,
    dest: Path,
    *,
    branch: str,
    environ: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """A shallow clone of one branch at ``dest``; returns its commit. The error is git's last
    ``fatal:`` line."""
    git = Git(dest.parent, environ, extra_env=extra_env)
    res = git.run(
        "clone",
        "--quiet",
        "--depth=1",
        "--single-branch",
        "--no-tags",
        f"--branch={branch}",
        "--",
        url,
        str(dest),
    )
    if not res.ok:
        lines = [ln.strip() for ln in res.error.splitlines() if ln.strip()]
        why = next((ln for ln in reversed(lines) if "fatal:" in ln), lines[-1] if lines else "")
        raise GitError(f"git clone failed: {why or f'exit {res.returncode}'}")
    return Git(dest, environ, extra_env=extra_env).head()
