"""One error hierarchy, one exit-code table.

Exit codes (documented in README.md, "Exit codes"):

* 0 - every module clean (for ``fix``: every module fixed)
* 1 - drift found
* 2 - a module could not be checked, or bad usage / configuration
* 3 - an unexpected failure (a bug: the top-level handler prints a traceback)
* 4 - ``org-audit`` only: a repository could not be audited (its reason is in the report);
  2 stays for a run that failed as a whole (usage, configuration, GitHub refusing the listing)

Errors outrank drift: a run with both a failed module and a drifted one exits 2 (``org-audit``:
a failed repository and a drifted one, 4).
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    CLEAN = 0
    DRIFT = 1
    ERROR = 2
    BUG = 3
    REPOSITORY_FAILED = 4


class TidybotError(Exception):
    """A failure the user can act on. The top-level handler prints ``str(self)``, no traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(TidybotError):
    """Bad command-line usage or a bad path."""


class ConfigError(TidybotError):
    """A configuration mistake: an input, an environment variable or the config file."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(where + message, hint=hint)
        self.file = file
        self.line = line


class ParseError(TidybotError):
    """A syntax error in go.mod, go.work, go.sum or vendor/modules.txt."""

    def __init__(self, file: str, line: int, message: str, *, col: int = 0) -> None:
        pos = f"{file}:{line}:{col}" if col > 1 else f"{file}:{line}"
        super().__init__(f"{pos}: {message}")
        self.file = file
        self.line = line
        self.col = col
        self.reason = message


class UnsafeFile(TidybotError):
    """A go.mod/go.sum/go.work/go.work.sum/modules.txt that tidybot refuses to read or write:
    a symlink, not a regular file, outside the checked directory, or above its size limit."""


class ToolchainError(TidybotError):
    """The go command is missing, too old, or cannot run a module's Go version."""


class ForgeError(TidybotError):
    """GitHub refused or failed a request in a way the user can fix (permissions, branch moved)."""


class NetworkError(TidybotError):
    """A network service (module proxy, checksum database) could not be reached or misbehaved."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a ``fix``, with the files it had written by then (relative to
    the checked root, each module's whole): the handler names them, as the run stops (130)."""

    def __init__(self, written: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.written = written
