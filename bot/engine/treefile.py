"""Reading the go files of an untrusted tree: regular files inside the root, of a bounded size.

Everything in a checked-out pull request is data chosen by its author, file types included.
A ``go.sum`` that is a symlink to ``/proc/1/environ`` or to a secret file would be read by
tidybot, and by go, and its content would come back in diffs, findings and error messages; a
``go.mod`` that is a FIFO would block a read forever; a 50 MB ``go.mod`` would keep a parser
busy for minutes. So every go.mod, go.sum, go.work, go.work.sum and vendor/modules.txt that
tidybot reads or writes is checked here first:

* it is a regular file (opened with ``O_NOFOLLOW`` and ``O_NONBLOCK``, then ``fstat``), and no
  directory between the root and it is a symlink (``lstat`` of each): a symlink is refused,
  never followed, even one pointing inside the root;
* its size is at most :data:`LIMITS` of its name (README, "Limits"): far above any real file
  (the largest go.sum of containerd and etcd is 68 KB, their largest go.mod 13 KB).

A refused file is a :class:`bot.errors.UnsafeFile` whose message names the file (relative to
the root), what is wrong and what to do; it never says anything about a symlink's target.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from bot.errors import UnsafeFile

__all__ = [
    "GO_FILES",
    "LIMITS",
    "file_problem",
    "limit_text",
    "local_replaces",
    "local_target",
    "read_tree_file",
    "refusal",
    "rel_inside",
]

MiB = 1 << 20

LIMITS = {
    "go.mod": 4 * MiB,
    "go.work": 4 * MiB,
    "go.sum": 32 * MiB,
    "go.work.sum": 32 * MiB,
    "modules.txt": 32 * MiB,
}
"""The largest file of each name tidybot reads (bytes); a larger one is an error."""

GO_FILES = frozenset(LIMITS)

_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
)


def limit_text(n: int) -> str:
    return f"{n // MiB} MiB" if n % MiB == 0 else f"{n} bytes"


def rel_inside(root: Path, path: Path) -> str | None:
    """``path`` relative to ``root`` as a ``/`` path (``.`` for the root), judged on the names
    alone (``..`` folded, no symlink followed); None when it lies outside ``root``."""
    rel = os.path.relpath(os.path.normpath(path), os.path.normpath(root))
    if rel == ".":
        return "."
    if rel == ".." or rel.startswith("../") or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def _symlinked_dir(root: Path, rel: str) -> str | None:
    """The first directory of ``rel`` (below ``root``) that is a symlink, or None."""
    parts = rel.split("/")[:-1]
    cur = os.fspath(root)
    for i, part in enumerate(parts):
        cur = f"{cur}/{part}"
        try:
            st = os.lstat(cur)
        except FileNotFoundError:
            return None  # nothing below it exists either
        if stat.S_ISLNK(st.st_mode):
            return "/".join(parts[: i + 1])
    return None


def refusal(rel: str, what: str) -> UnsafeFile:
    """The error for a file tidybot will not touch: names it, says why and what to do."""
    return UnsafeFile(
        f"{rel}: {what}; tidybot reads and writes only regular files inside the checked "
        "directory and never follows a symlink (commit the file itself)"
    )


def file_problem(root: Path, rel: str) -> UnsafeFile | None:
    """Why tidybot must not read or write ``root/rel``: a symlink (the file or a directory on
    the way), not a regular file, or above its size limit. None when it is a regular file of
    an accepted size, or absent."""
    bad_dir = _symlinked_dir(root, rel)
    if bad_dir is not None:
        return refusal(rel, f"{bad_dir} is a symlink")
    try:
        st = os.lstat(f"{os.fspath(root)}/{rel}")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        return UnsafeFile(f"{rel}: cannot read: {e.strerror or e}")
    return _type_problem(rel, st)


def _type_problem(rel: str, st: os.stat_result) -> UnsafeFile | None:
    if stat.S_ISLNK(st.st_mode):
        return refusal(rel, "is a symlink")
    if not stat.S_ISREG(st.st_mode):
        return refusal(rel, "is not a regular file")
    limit = LIMITS.get(rel.rsplit("/", 1)[-1])
    if limit is not None and st.st_size > limit:
        return UnsafeFile(
            f"{rel}: {st.st_size} bytes, above tidybot's limit of {limit_text(limit)} for "
            f"{rel.rsplit('/', 1)[-1]} files (README.md, 'Limits'); no real module has one "
            "this large"
        )
    return None


def read_tree_file(root: Path, rel: str) -> bytes | None:
    """The bytes of ``root/rel`` (None when it does not exist), read without following any
    symlink and without reading more than its limit. Raises :class:`UnsafeFile`."""
    bad_dir = _symlinked_dir(root, rel)
    if bad_dir is not None:
        raise refusal(rel, f"{bad_dir} is a symlink")
    try:
        fd = os.open(f"{os.fspath(root)}/{rel}", _READ_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise refusal(rel, "is a symlink") from None
        raise UnsafeFile(f"{rel}: cannot read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        problem = _type_problem(rel, st)
        if problem is not None:
            raise problem
        limit = LIMITS.get(rel.rsplit("/", 1)[-1], st.st_size)
        chunks = []
        left = limit + 1  # a file that grew since fstat is still caught
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise UnsafeFile(
                f"{rel}: above tidybot's limit of {limit_text(limit)} for "
                f"{rel.rsplit('/', 1)[-1]} files (README.md, 'Limits')"
            )
        return b"".join(chunks)
    finally:
        os.close(fd)


def local_target(root: Path, base: str, target: str) -> str | None:
    """The root-relative directory a local path (``target``) of a file in ``base`` (a
    root-relative directory) names; None outside ``root``."""
    base_path = root if base in ("", ".") else root / base
    joined = Path(target) if os.path.isabs(target) else base_path / target
    return rel_inside(root, joined)


def local_replaces(root: Path, module_dir: str) -> list[str]:
    """The root-relative directories the local ``replace`` directives of a module's go.mod
    name, inside ``root``; none when its go.mod cannot be read or parsed (its check says so)."""
    from bot.engine.gomod import parse_gomod
    from bot.errors import ParseError

    rel = "go.mod" if module_dir in ("", ".") else f"{module_dir}/go.mod"
    try:
        mod = parse_gomod(read_tree_file(root, rel) or b"", rel)
    except (ParseError, UnsafeFile, OSError):
        return []
    out = []
    for r in mod.replaces:
        if r.is_local and (t := local_target(root, module_dir, r.new_path)) is not None:
            out.append(t)
    return out
