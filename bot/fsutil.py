"""File writes that never leave a half-written file behind, and files handed to the owner of
the workspace they were written in."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file in the same directory and a rename.

    Keeps the file's permission bits when it exists, and, when running as root, its owner and
    group (the action's container runs as root in a checkout owned by the runner's user, whose
    later steps must still be able to rewrite the file). ``durable=False`` skips the fsync: for
    files that may be lost in a crash but never read half-written (the result cache, whose
    entries carry a checksum and are rebuilt when missing or damaged).
    """
    old = None
    with contextlib.suppress(FileNotFoundError):
        old = path.lstat()  # a link is replaced, not followed: its target's bits are not ours
    if old is not None and not stat.S_ISREG(old.st_mode):
        old = None
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else 0o644)
        if old is not None and _is_root() and (old.st_uid, old.st_gid) != (0, 0):
            os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def put_back(root: Path, originals: Mapping[str, bytes | None]) -> None:
    """Put back the bytes root-relative files had before a write that failed later (delete
    those that did not exist). Best effort: a file that cannot be put back either is left (it
    was not written, or the caller's error says the write failed)."""
    for rel, data in originals.items():
        p = root / rel
        with contextlib.suppress(OSError):
            if data is None:
                p.unlink(missing_ok=True)
            elif (p.read_bytes() if p.is_file() and not p.is_symlink() else None) != data:
                atomic_write(p, data)


def _create_temp(path: Path) -> tuple[int, str]:
    """A new file next to ``path``, readable by its owner only, as ``tempfile.mkstemp`` makes
    one (a random name, created exclusively), without importing tempfile (5 ms of start-up
    that most runs never need)."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tidybot")
        try:
            return os.open(tmp, _FLAGS, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary file name")


def _is_root() -> bool:
    return getattr(os, "geteuid", lambda: -1)() == 0


def give_to_owner(
    workspace: Path,
    names: Iterable[str],
    since: float,
    *,
    settled: Callable[[str], bool] | None = None,
) -> int:
    """Hand what this process made under the workspace's ``names`` (paths relative to it,
    such as the artifact and cache directories; "" is skipped) to the owner and group of
    ``workspace``; returns how many entries changed hands.

    The action's container runs as root, while the checkout belongs to the runner's user:
    without this, a later step of the job could not remove or rewrite the report, the patch or
    the caches. Only entries in directories changed since ``since`` (a ``time.time()`` taken
    at the start of the run) can be new, so only those are looked at; every directory is
    entered (a new entry deep down leaves its ancestors' times alone), except one that
    ``settled`` says never changes once made (an extracted module of Go's module cache) and
    that already belongs to the owner. A directory changes hands after its content, so a walk
    cut short leaves it to the next one. Symbolic links are changed themselves, never
    followed, and a name that leads outside the workspace (through a link in the checkout) is
    left alone. Does nothing unless running as root, and never raises: a file that cannot be
    changed stays as it is.
    """
    if not _is_root():
        return 0
    try:
        top = os.path.realpath(workspace)
        owner = os.stat(top)
    except OSError:
        return 0
    uid, gid = owner.st_uid, owner.st_gid
    if (uid, gid) == (0, 0):
        return 0
    changed = 0
    for name in dict.fromkeys(n for n in names if n):
        path = os.path.join(top, name)
        real = os.path.realpath(path)
        if real == top or not real.startswith(top + os.sep):
            continue  # the workspace itself, or a link out of it: not ours to hand over
        try:
            st = os.lstat(real)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            changed += _hand_tree(real, uid, gid, since, st.st_mtime >= since, settled)
        changed += _hand(real, st, uid, gid)
    return changed


def _hand(path: str, st: os.stat_result, uid: int, gid: int) -> int:
    if (st.st_uid, st.st_gid) == (uid, gid):
        return 0
    try:
        os.chown(path, uid, gid, follow_symlinks=False)
    except OSError:
        return 0
    return 1


def _hand_tree(
    top: str,
    uid: int,
    gid: int,
    since: float,
    fresh: bool,
    settled: Callable[[str], bool] | None,
) -> int:
    """Every entry below ``top`` that may be new: the entries of the directories modified since
    ``since`` (``fresh``); directories last, deepest first."""
    changed = 0
    todo = [(top, fresh)]
    dirs: list[tuple[str, os.stat_result]] = []
    while todo:
        path, fresh = todo.pop()
        try:
            entries = os.scandir(path)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    if not (is_dir or fresh):
                        continue
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not is_dir:
                    changed += _hand(entry.path, st, uid, gid)
                    continue
                mine = (st.st_uid, st.st_gid) == (uid, gid)
                if mine and settled is not None and settled(entry.path):
                    continue  # whole since an earlier run handed it over
                if fresh:
                    dirs.append((entry.path, st))
                todo.append((entry.path, st.st_mtime >= since))
    for path, st in reversed(dirs):
        changed += _hand(path, st, uid, gid)
    return changed


def _temp_dirs() -> Iterator[str]:
    """Where a temporary directory may go, in ``tempfile.gettempdir``'s order: ``$TMPDIR``,
    ``$TEMP``, ``$TMP``, then /tmp, /var/tmp, /usr/tmp, then the working directory."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        if os.environ.get(name):
            yield os.environ[name]
    yield from ("/tmp", "/var/tmp", "/usr/tmp")  # noqa: S108 - tempfile's own candidates
    yield os.getcwd()


def make_temp_dir(prefix: str) -> Path:
    """A new private (0700) directory with a random name, as ``tempfile.mkdtemp`` makes one,
    in the first place of ``_temp_dirs`` that takes it, without importing tempfile (3-5 ms of
    start-up, as for ``_create_temp``, that a check of one module of a workspace paid for the
    directory of its graph check)."""
    problem: OSError | None = None
    for parent in _temp_dirs():
        for _ in range(100):
            d = os.path.join(os.path.abspath(parent), f"{prefix}{os.urandom(6).hex()}")
            try:
                os.mkdir(d, 0o700)
            except FileExistsError:
                continue
            except OSError as e:  # not there, not writable: the next place
                problem = problem or e
                break
            return Path(d)
    raise problem or FileExistsError(f"{prefix}: no free temporary directory name")


@contextlib.contextmanager
def scratch_dir(prefix: str = "tidybot-") -> Iterator[Path]:
    """A private (0700) temporary directory, removed afterwards."""
    d = make_temp_dir(prefix)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
