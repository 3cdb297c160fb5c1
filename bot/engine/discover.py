"""Find every Go module under a directory the way the go command walks a tree. Pure."""

from __future__ import annotations

import errno
import os
import posixpath
from collections.abc import Iterable
from pathlib import Path

from bot.engine.globs import selected
from bot.record import record


@record
class ModuleRef:
    """A module found in the tree: its directory, and why it is skipped if it is."""

    dir: str  # relative to the root, "/"-separated, "." for the root itself
    path: Path  # absolute module directory
    skip_reason: str = ""  # non-empty: reported as skipped, never run
    error: str = ""  # non-empty: reported as an error, never run (a directory that cannot be read)

    @property
    def gomod(self) -> Path:
        return self.path / "go.mod"

    def rel(self, name: str) -> str:
        """A file of this module relative to the root: ``svc/a/go.mod``, ``go.mod``."""
        return name if self.dir == "." else f"{self.dir}/{name}"


def skip_dir_name(name: str) -> bool:
    """Directories the go command never looks into for packages or modules."""
    return name.startswith((".", "_")) or name in ("testdata", "vendor")


def is_vendored(module_path: Path) -> bool:
    """A module is vendored when it has ``vendor/modules.txt`` (go writes one for any deps)."""
    return os.path.isfile(f"{os.fspath(module_path)}/vendor/modules.txt")


def norm(path: str) -> str:
    """A root-relative ``/`` path in canonical form: ``./a//b/`` -> ``a/b``, ``""`` -> ``.``."""
    p = posixpath.normpath(path.replace("\\", "/")) if path else "."
    return "." if p in ("", ".") else p


def resolve_dir(module_dir: str, target: str, root: str = "") -> str:
    """The root-relative directory a local ``replace`` path names.

    ``target`` is the path as written (``../b``, ``./b``, ``/abs/b``); ``root`` is the absolute
    root, needed only for absolute targets.
    """
    target = target.replace("\\", "/")
    if posixpath.isabs(target):
        if not root:
            return norm(target)
        return norm(posixpath.relpath(target, root))
    base = "" if module_dir == "." else module_dir
    return norm(posixpath.join(base, target))


Listings = dict[str, tuple[list[str], list[str]]]
"""Directory listings by path: (file names, names of real directories), as list_dir gives."""


class TreeScan:
    """One walk of a tree, skipping what the go command skips: the directories (root-relative,
    ``/``-separated, ``.`` for the root, in walk order) that hold a go.mod or a go.work. A run
    walks its tree once and hands this to everything that needs either."""

    __slots__ = ("gomod_dirs", "gowork_dirs", "listings", "root", "unreadable")

    def __init__(
        self,
        root: Path,
        gomod_dirs: tuple[str, ...],
        gowork_dirs: tuple[str, ...],
        listings: Listings | None = None,
        unreadable: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.root = root  # resolved
        self.gomod_dirs = gomod_dirs
        self.gowork_dirs = gowork_dirs
        # (directory, why) of each directory the walk could not list: a module in it would
        # go unseen, so discovery reports it instead of leaving it out without a word
        self.unreadable = unreadable
        # every directory the walk listed, by its path (the root's path joined with "/"):
        # (file names, real directories), as list_dir gives them, so later walks of the same
        # run (the cache key's) need not list them again
        self.listings: Listings = listings if listings is not None else {}


def scan_tree(root: Path) -> TreeScan:
    root = root.resolve()
    mods: list[str] = []
    works: list[str] = []
    listings: Listings = {}
    unreadable: list[tuple[str, str]] = []
    _scan(os.fspath(root), ".", mods, works, listings, unreadable)
    return TreeScan(root, tuple(mods), tuple(works), listings, tuple(unreadable))


def list_dir(path: str) -> tuple[list[str], list[str]] | None:
    """A directory's entries as ``os.walk(followlinks=False)`` sees them, from one scandir
    with no stat per entry: (file names, names of real directories to enter). A symlink to a
    directory is neither (listed by os.walk, never entered); anything else that is not a
    directory is a file. None when the directory cannot be read."""
    try:
        with os.scandir(path) as it:
            entries = list(it)
    except OSError:
        return None
    files: list[str] = []
    dirs: list[str] = []
    for e in entries:
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            files.append(e.name)
        elif not e.is_symlink():
            dirs.append(e.name)
    return files, dirs


def read_bytes(path: str) -> bytes:
    """A file's bytes with fewer system calls than ``open(path, "rb").read()`` (no ``fstat``
    in the file object's set-up and none for the read's size): open, read until a read
    returns nothing, close. The cache key reads every Go file of every module on each cached
    run. The tree is untrusted: a FIFO never blocks the open (``O_NONBLOCK``), and a file
    (or a device such as /dev/zero behind a symlinked .go file) larger than
    :data:`READ_LIMIT` is an OSError (EFBIG) instead of a read without end. Raises OSError."""
    fd = os.open(path, _READ_FLAGS)
    try:
        data = os.read(fd, _READ_SIZE)
        if not data:
            return data
        chunks = [data]
        total = len(data)
        while more := os.read(fd, _READ_SIZE):  # until the end (some file systems read short)
            chunks.append(more)
            total += len(more)
            if total > READ_LIMIT:
                raise OSError(errno.EFBIG, f"larger than {READ_LIMIT >> 20} MiB", path)
        return b"".join(chunks) if len(chunks) > 1 else data
    finally:
        os.close(fd)


_READ_SIZE = 64 * 1024  # below malloc's mmap threshold: no mmap/munmap per small file
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
READ_LIMIT = 64 << 20
"""The largest source file tidybot reads (a Go file of a real module is far below it)."""


def _scan(
    top: str,
    top_rel: str,
    mods: list[str],
    works: list[str],
    listings: Listings,
    unreadable: list[tuple[str, str]],
) -> None:
    """Depth first, subdirectories in sorted order, with a stack of its own: a tree however
    deep (a pull request's) is walked, not a RecursionError."""
    stack = [(top, top_rel)]
    while stack:
        path, rel = stack.pop()
        listed = list_dir(path)
        if listed is None:
            try:  # why: a directory that vanished meanwhile is no loss; one go cannot read is
                os.scandir(path).close()
            except (FileNotFoundError, NotADirectoryError):
                pass
            except OSError as e:
                unreadable.append((rel, e.strerror or str(e)))
            continue
        listings[path] = listed
        files, dirs = listed
        if "go.mod" in files:
            mods.append(rel)
        if "go.work" in files:
            works.append(rel)
        for name in sorted((d for d in dirs if not skip_dir_name(d)), reverse=True):
            stack.append((f"{path}/{name}", name if rel == "." else f"{rel}/{name}"))


def _dir(root: Path, rel: str) -> Path:
    return root if rel == "." else root / rel


def find_workspaces(root: Path, scan: TreeScan | None = None) -> list[Path]:
    """Every go.work below ``root`` (skipping what discovery skips), sorted."""
    scan = scan if scan is not None else scan_tree(root)
    return [_dir(scan.root, d) / "go.work" for d in scan.gowork_dirs]


def discover(
    root: Path,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    scan: TreeScan | None = None,
) -> list[ModuleRef]:
    """Every directory under ``root`` holding a go.mod, sorted by directory.

    Skips what the go command skips (``vendor/``, ``testdata/``, names starting with ``.`` or
    ``_``) and symlinked directories. A go.mod that is a symlink is returned like any other
    (its check reports the refusal).
    """
    scan = scan if scan is not None else scan_tree(root)
    root = scan.root
    include, exclude = tuple(include), tuple(exclude)
    found: list[ModuleRef] = []
    for rel in scan.gomod_dirs:
        if not selected(rel, include, exclude):
            continue
        # a go.mod that is a symlink is still a module: its check refuses it as an error
        # (bot.engine.treefile), and nothing reads what it points at
        found.append(ModuleRef(rel, _dir(root, rel)))
    for rel, why in scan.unreadable:
        if selected(rel, include, exclude):
            error = (
                f"{rel}/: cannot read the directory ({why}); a module in it would not be "
                "checked (make it readable, or --exclude it)"
            )
            found.append(ModuleRef(rel, _dir(root, rel), error=error))
    found.sort(key=lambda m: (m.dir != ".", m.dir))
    return found
