"""The artifact directory: the JSON report and the fix patch a run leaves, and what the
``workflow_run`` follow-up reads back.

**Writing** (every run): the directory is inside the workspace, and a pull request can commit
files there, a symbolic link among them (``.tidybot/report.json -> /etc/cron.d/x``), while the
action runs as root. So the directory is opened component by component without following links
(``O_NOFOLLOW``; a link anywhere on the way is refused), and each file is written to a new
temporary name in it (``O_CREAT|O_EXCL|O_NOFOLLOW``) and renamed over the final name: a link
there is replaced, never written through.

**Reading** (the follow-up): the artifact was written by a run on someone else's code, so it is
data: read without following links, at most :data:`ARTIFACT_LIMIT` bytes and
:data:`DEPTH_LIMIT` levels of nesting, every field checked (``bot.report.json.parse_report``),
and the metadata checked against the trusted ``workflow_run`` payload. Nothing in it is ever
pushed: a follow-up fix is computed anew from the pull request's head.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from bot.engine.model import Report
from bot.errors import ConfigError, UsageError
from bot.record import record
from bot.report.json import parse_report

__all__ = ["ARTIFACT_LIMIT", "DEPTH_LIMIT", "Artifact", "ArtifactDir", "json_depth"]

#: Largest artifact file the follow-up reads.
ARTIFACT_LIMIT = 32 * 1024 * 1024
#: Deepest nesting of JSON arrays and objects the follow-up parses (tidybot writes 4).
DEPTH_LIMIT = 32
_SHA = re.compile(r"[0-9a-f]{40}")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def json_depth(data: bytes, limit: int = DEPTH_LIMIT) -> int:
    """How deep arrays and objects nest in ``data`` (strings skipped), counting up to
    ``limit + 1`` at most: a linear scan, so a hostile file cannot exhaust the parser's
    recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


@record
class Artifact:
    """What the follow-up read: the report and the metadata of the run that wrote it."""

    report: Report
    pull_number: int
    head_sha: str
    workdir: str
    doc: Mapping[str, Any]


class ArtifactDir:
    """``artifact-dir`` under the workspace, opened without following links."""

    def __init__(self, workspace: Path, rel: str) -> None:
        self.workspace = workspace
        self.rel = PurePosixPath(rel.strip("/") or ".")
        if self.rel.is_absolute() or ".." in self.rel.parts:
            raise ConfigError(f"input 'artifact-dir' is {rel!r}: outside the repository")

    @property
    def path(self) -> Path:
        return self.workspace / self.rel

    def display(self, name: str = "") -> str:
        """The path as the user knows it (relative to the workspace)."""
        return (self.rel / name).as_posix() if name else self.rel.as_posix()

    @contextlib.contextmanager
    def _open(self, create: bool) -> Iterator[int]:
        """A file descriptor of the directory, reached without following any link."""
        fd = os.open(self.workspace, _DIR_FLAGS)
        try:
            for part in self.rel.parts:
                if part == ".":
                    continue
                try:
                    nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    os.mkdir(part, 0o755, dir_fd=fd)
                    nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except (NotADirectoryError, OSError) as e:
                    raise UsageError(
                        f"{self.display()}: {part} is a symbolic link or not a directory "
                        f"({e.strerror or e}); tidybot writes and reads only a real directory "
                        "there",
                        hint="remove it from the checkout, or set artifact-dir to another path",
                    ) from None
                os.close(fd)
                fd = nxt
            yield fd
        finally:
            os.close(fd)

    def write(self, name: str, data: bytes) -> str:
        """Write ``name`` in the directory (created if need be); its workspace-relative path."""
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"bad artifact file name {name!r}")
        with self._open(create=True) as dfd:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            for _ in range(100):
                tmp = f".{name}.{os.urandom(6).hex()}.tmp"
                try:
                    fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), 0o644, dir_fd=dfd)
                    break
                except FileExistsError:
                    continue
            else:  # pragma: no cover
                raise UsageError(f"{self.display()}: no free temporary file name")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except BaseException as e:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp, dir_fd=dfd)
                if isinstance(e, IsADirectoryError | NotADirectoryError):
                    raise UsageError(
                        f"{self.display(name)}: a directory, where tidybot writes a file "
                        "(the checkout holds one by that name)",
                        hint="remove it from the repository, or set the artifact-dir input to "
                        "a directory the repository does not use",
                    ) from None
                raise
        return self.display(name)

    def read(self, name: str, limit: int = ARTIFACT_LIMIT) -> bytes | None:
        """``name`` in the directory, or None when there is no such regular file."""
        try:
            with self._open(create=False) as dfd:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
        except FileNotFoundError:
            return None
        except OSError as e:  # ELOOP: a symbolic link
            raise UsageError(f"{self.display(name)}: not a regular file ({e.strerror})") from None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UsageError(f"{self.display(name)}: not a regular file")
            data = f.read(limit + 1)
        if len(data) > limit:
            raise UsageError(f"{self.display(name)} is larger than {limit} bytes")
        return data

    def read_artifact(self) -> Artifact | None:
        """The report of the pull request run, checked; None when there is none."""
        data = self.read("report.json")
        if data is None:
            return None
        where = self.display("report.json")
        if json_depth(data) > DEPTH_LIMIT:
            raise UsageError(f"{where} nests deeper than {DEPTH_LIMIT} levels: not a report")
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise UsageError(f"{where} is not JSON: {e}") from None
        report = parse_report(doc, where)
        meta = doc.get("tidybot_action")
        meta = meta if isinstance(meta, dict) else {}
        number = meta.get("pull_number")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise UsageError(f"{where} names no pull request number")
        head = meta.get("head_sha")
        if not isinstance(head, str) or not _SHA.fullmatch(head):
            raise UsageError(f"{where} names no head commit")
        workdir = meta.get("workdir")
        workdir = (
            workdir
            if isinstance(workdir, str) and re.fullmatch(r"[\w./-]{1,400}", workdir)
            else "."
        )
        if ".." in PurePosixPath(workdir).parts:
            workdir = "."
        return Artifact(report, number, head, workdir, doc)
