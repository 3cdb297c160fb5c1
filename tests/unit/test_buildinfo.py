"""The Go version read from a go command binary (bot.engine.buildinfo): the real go binary,
other Go programs, scripts and broken files, and ELF layouts built here byte by byte."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from bot.engine.buildinfo import go_command_version
from bot.toolchain import Go, parse_go_version

SENTINEL = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"


def _real_go() -> str:
    found = shutil.which("go")
    assert found is not None
    return os.path.realpath(found)


def _goversion() -> str:
    env = {**os.environ, "GOTOOLCHAIN": "local"}
    res = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, env=env)
    return res.stdout.strip()


def test_the_go_binary_records_what_go_env_goversion_prints() -> None:
    assert go_command_version(_real_go()) == _goversion()


def test_other_go_programs_are_not_the_go_command() -> None:
    """vet is a Go program too, built by the same release: its main package is cmd/vet."""
    tools = Path(_real_go()).parent.parent / "pkg" / "tool"
    vets = list(tools.glob("*/vet"))
    assert vets
    assert go_command_version(str(vets[0])) is None


def test_scripts_broken_and_missing_files(tmp_path: Path) -> None:
    script = tmp_path / "go"
    script.write_text("#!/bin/sh\necho go1.99.0\n")
    head = tmp_path / "head"
    head.write_bytes(Path(_real_go()).read_bytes()[:64])  # the ELF header, no sections
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    for p in (script, head, empty, tmp_path / "missing", tmp_path):
        assert go_command_version(str(p)) is None, p


def _varstr(b: bytes) -> bytes:
    out = bytearray()
    n = len(b)
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out) + b


def _blob(version: bytes, main: bytes, flags: int = 2) -> bytes:
    modinfo = SENTINEL + b"path\t" + main + b"\nmod\tx\t(devel)\t\n" + b"x" * 200 + SENTINEL
    return (
        b"\xff Go buildinf:" + bytes([8, flags]) + b"\0" * 16 + _varstr(version) + _varstr(modinfo)
    )


def _elf(blob: bytes, *, bits: int = 64, order: str = "<") -> bytes:
    """A minimal ELF file: a header, three sections (null, .shstrtab, .go.buildinfo)."""
    names = b"\0.shstrtab\0.go.buildinfo\0"
    ehsize, shentsize = (64, 64) if bits == 64 else (52, 40)
    names_off = ehsize
    blob_off = names_off + len(names)
    shoff = blob_off + len(blob)
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1 if order == "<" else 2, 1]) + b"\0" * 9
    if bits == 64:
        head = ident + struct.pack(
            order + "HHIQQQIHHHHHH", 2, 62, 1, 0, 0, shoff, 0, ehsize, 0, 0, shentsize, 3, 1
        )

        def sh(name: int, off: int, size: int) -> bytes:
            return struct.pack(order + "IIQQQQIIQQ", name, 1, 0, 0, off, size, 0, 0, 1, 0)
    else:
        head = ident + struct.pack(
            order + "HHIIIIIHHHHHH", 2, 3, 1, 0, 0, shoff, 0, ehsize, 0, 0, shentsize, 3, 1
        )

        def sh(name: int, off: int, size: int) -> bytes:
            return struct.pack(order + "IIIIIIIIII", name, 1, 0, 0, off, size, 0, 0, 1, 0)

    assert len(head) == ehsize
    table = sh(0, 0, 0) + sh(1, names_off, len(names)) + sh(11, blob_off, len(blob))
    return head + names + blob + table


@pytest.mark.parametrize(("bits", "order"), [(64, "<"), (64, ">"), (32, "<"), (32, ">")])
def test_elf_layouts(tmp_path: Path, bits: int, order: str) -> None:
    f = tmp_path / "go"
    f.write_bytes(_elf(_blob(b"go1.24.3", b"cmd/go"), bits=bits, order=order))
    assert go_command_version(str(f)) == "go1.24.3"


@pytest.mark.parametrize(
    ("blob", "why"),
    [
        (_blob(b"go1.24.3", b"golang.org/dl/go1.24.3"), "a wrapper that runs another release"),
        (_blob(b"go1.24.3", b"cmd/go", flags=0), "the pre-1.18 layout (pointers, not strings)"),
        (_blob(b"go1.24.3", b"cmd/go")[:40], "cut short"),
        (b"\xff Go buildinf?" + _blob(b"go1.24.3", b"cmd/go")[14:], "another magic"),
    ],
)
def test_what_is_not_believed(tmp_path: Path, blob: bytes, why: str) -> None:
    f = tmp_path / "go"
    f.write_bytes(_elf(blob))
    assert go_command_version(str(f)) is None, why


def test_go_version_starts_no_go_command_for_a_go_binary(tmp_path: Path) -> None:
    """A copy of the go binary that cannot be executed: Go.version() still knows the version,
    so it never tried to run it."""
    copy = tmp_path / "go"
    shutil.copyfile(_real_go(), copy)
    copy.chmod(0o644)
    expected = parse_go_version(_goversion())
    assert expected is not None
    assert Go(dict(os.environ), go=str(copy)).version() == "{}.{}.{}".format(*expected)
