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
    """dirhash.HashDir(directory, prefix, Hash1): every regular file below ``directory``,
    named ``prefix + "/" + relative/slash/path``. ``go mod verify`` uses ``path@version``.
    """
    root = Path(directory)
    files: list[tuple[str, Callable[[], bytes]]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fname in filenames:
            full = Path(dirpath) / fname
            if full.is_symlink() or not full.is_file():
                # dirhash.DirFiles follows only regular files; symlinks are not in zips.
                continue
            rel = full.relative_to(root).as_posix()
            files.append((f"{prefix}/{rel}", _reader(full)))
    return hash_files(files)


def hash_zip(zip_path: Path) -> str:
    """dirhash.HashZip: every entry of the zip, named exactly as stored."""
    with zipfile.ZipFile(zip_path) as zf:
        return hash_files((info.filename, _zip_reader(zf, info)) for info in zf.infolist())


def hash_gomod(data: bytes) -> str:
    """The hash on a go.sum ``/go.mod`` line: Hash1 over a single file named ``go.mod``."""
    return hash_files([("go.mod", lambda: data)])


def _reader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def _zip_reader(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    return lambda: zf.read(info)
