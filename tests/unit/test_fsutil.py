"""atomic_write: the whole new content or the old file, never a half-written one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.fsutil import atomic_write


def test_writes_a_new_file_readable_as_usual(tmp_path: Path) -> None:
    target = tmp_path / "go.mod"
    atomic_write(target, b"module example.com/a\n")
    assert target.read_bytes() == b"module example.com/a\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["go.mod"]  # no temp file left


def test_replaces_and_keeps_the_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_bytes(b"old")
    target.chmod(0o750)
    for durable in (True, False):
        atomic_write(target, b"new", durable=durable)
        assert target.read_bytes() == b"new"
        assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert os.listdir(tmp_path) == ["run.sh"]


def test_a_failed_rename_keeps_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "go.sum"
    target.mkdir()  # a directory is in the way: the rename fails
    (target / "x").write_text("kept")
    with pytest.raises(IsADirectoryError):
        atomic_write(target, b"new")
    assert (target / "x").read_text() == "kept"
    assert sorted(os.listdir(tmp_path)) == ["go.sum"]


def test_temp_names_do_not_collide(tmp_path: Path) -> None:
    """Many writers of one file: each write is whole; no temp file survives."""
    target = tmp_path / "entry.json"
    for i in range(200):
        atomic_write(target, str(i).encode(), durable=False)
    assert target.read_text() == "199"
    assert os.listdir(tmp_path) == ["entry.json"]
