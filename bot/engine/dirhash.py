"""The ``h1:`` hash of go.sum (golang.org/x/mod/sumdb/dirhash ``Hash1``).

``Hash1`` hashes a sorted list of ``sha256hex  name`` lines with SHA-256 and prints the result
in standard base64 behind ``h1:``. go.sum records it for a module's zip (names carry the
``path@version/`` prefix) and, on the ``/go.mod`` line, for the go.mod file alone (one file
named ``go.mod``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import posixpath
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["hash_dir", "hash_files", "hash_gomod", "hash_zip"]


def hash_files(files: Iterable[tuple[str, Callable[[], bytes]]]) -> str:
    """Hash1 over ``(name, opener)`` pairs; ``opener()`` returns the file's bytes.

    Raises ValueError for a name containing a newline (go: "dirhash: filenames with newlines
    are not supported").
    """
    entries = list(files)
    summary = hashlib.sha256()
    for name, opener in sorted(entries, key=lambda e: e[0].encode("utf-8")):
        if "\n" in name:
            raise ValueError("dirhash: filenames with newlines are not supported")
        digest = hashlib.sha256(opener()).hexdigest()
        summary.update(f"{digest}  {name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode("ascii")


def hash_dir(directory: Path, prefix: str) -> str:
    """dirhash.HashDir(directory, prefix, Hash1): every non-directory entry below ``directory``,
    named ``prefix + "/" + relative/slash/path``. ``go mod verify`` uses ``path@version``.

    Like go, symbolic links are included and followed when read (a link to a directory
    fails with OSError, as ``go`` fails on it).
    """
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    files: list[tuple[str, Callable[[], bytes]]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        names = list(filenames) + [d for d in dirnames if (here / d).is_symlink()]
        for name in names:
            full = here / name
            rel = full.relative_to(root).as_posix()
            files.append((_join(prefix, rel), full.read_bytes))
    return hash_files(files)


def hash_zip(zip_path: Path) -> str:
    """dirhash.HashZip: every entry of the zip, named exactly as stored."""
    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        # go opens entries through a name → entry map, so a repeated name reads the last one.
        by_name = {info.filename: info for info in infos}
        return hash_files(
            (info.filename, _zip_reader(zf, by_name[info.filename])) for info in infos
        )


def hash_gomod(data: bytes) -> str:
    """The hash on a go.sum ``/go.mod`` line: Hash1 over a single file named ``go.mod``."""
    return hash_files([("go.mod", lambda: data)])


def _join(prefix: str, rel: str) -> str:
    """filepath.Join(prefix, rel) with forward slashes (empty prefix → rel, path cleaned)."""
    if prefix == "":
        return posixpath.normpath(rel)
    return posixpath.normpath(f"{prefix}/{rel}")


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    return lambda: zf.read(info)
