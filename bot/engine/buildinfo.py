"""The Go version a go command binary records about itself, read from the file (as ``go version
FILE`` and ``debug/buildinfo`` read it), so a run learns the version without starting go. Pure
(reads one file).

Go 1.18 and later link an ELF section ``.go.buildinfo``: the magic ``"\\xff Go buildinf:"``, a
pointer size, a flags byte (``0x2``: the strings follow inline), padding to 32 bytes, then two
strings, each prefixed with its length as an unsigned varint: the Go version (the binary's
``runtime.Version()``, what ``go env GOVERSION`` prints) and the module information, whose first
line after a 16-byte sentinel names the main package: ``path\\tcmd/go`` for the go command.

Anything else answers None and the caller asks go itself: not ELF (a shell-script shim, macOS,
Windows), an older layout, or a binary whose main package is not ``cmd/go`` (a wrapper such as
``golang.org/dl/go1.22.0`` was built by one Go release and runs another).
"""

from __future__ import annotations

import struct

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import BinaryIO

__all__ = ["go_command_version"]

_MAGIC = b"\xff Go buildinf:"
_INLINE = 0x2
_GO_COMMAND = b"path\tcmd/go\n"
_MAX_SECTIONS = 1024
_MAX_READ = 1 << 16


def go_command_version(path: str) -> str | None:
    """The Go version recorded in the go command binary at ``path`` (e.g. ``go1.26.8``), or
    None when ``path`` is not such a binary or cannot be read."""
    try:
        with open(path, "rb") as f:
            blob = _buildinfo_section(f)
    except (OSError, struct.error, ValueError):
        return None
    if blob is None or not blob.startswith(_MAGIC) or len(blob) < 32 or not blob[15] & _INLINE:
        return None
    try:
        version, pos = _string(blob, 32)
        modinfo, _ = _string(blob, pos)
    except ValueError:
        return None
    if modinfo[16 : 16 + len(_GO_COMMAND)] != _GO_COMMAND:
        return None
    try:
        return version.decode("ascii")
    except UnicodeDecodeError:
        return None


def _buildinfo_section(f: BinaryIO) -> bytes | None:
    """The bytes of the ``.go.buildinfo`` section of an ELF file (None: no such section)."""
    head = f.read(64)
    if len(head) < 64 or head[:4] != b"\x7fELF":
        return None
    order = {1: "<", 2: ">"}.get(head[5])
    if order is None:
        return None
    if head[4] == 2:  # 64-bit
        (shoff,) = struct.unpack_from(order + "Q", head, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", head, 0x3A)
        where, need = (order + "QQ", 24), 40
    elif head[4] == 1:  # 32-bit
        (shoff,) = struct.unpack_from(order + "I", head, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", head, 0x2E)
        where, need = (order + "II", 16), 24
    else:
        return None
    if not (0 < shnum <= _MAX_SECTIONS and shstrndx < shnum and shentsize >= need):
        return None
    f.seek(shoff)
    table = f.read(shentsize * shnum)
    if len(table) < shentsize * shnum:
        return None

    def section(i: int) -> tuple[int, int, int]:  # (name offset, file offset, size)
        base = i * shentsize
        (name,) = struct.unpack_from(order + "I", table, base)
        off, size = struct.unpack_from(where[0], table, base + where[1])
        return name, off, size

    _, names_off, names_size = section(shstrndx)
    f.seek(names_off)
    names = f.read(min(names_size, _MAX_READ))
    for i in range(shnum):
        name, off, size = section(i)
        end = names.find(b"\0", name)
        if end >= 0 and names[name:end] == b".go.buildinfo":
            f.seek(off)
            return f.read(min(size, _MAX_READ))
    return None


def _string(blob: bytes, pos: int) -> tuple[bytes, int]:
    """A varint-length-prefixed string at ``pos``: (the string, the position after it)."""
    n = shift = 0
    while True:
        if pos >= len(blob) or shift > 63:
            raise ValueError("bad varint")
        b = blob[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    if pos + n > len(blob):
        raise ValueError("string past the end")
    return blob[pos : pos + n], pos + n
