"""atomic_write: the whole new content or the old file, never a half-written one; and
give_to_owner: what the action wrote as root belongs to the checkout's owner."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from bot.fsutil import atomic_write, give_to_owner, make_temp_dir, scratch_dir


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


# --- give_to_owner: what the action wrote as root goes to the checkout's owner ------------------

root_only = pytest.mark.skipif(
    getattr(os, "geteuid", lambda: -1)() != 0, reason="changing owners needs root"
)
RUNNER = (1001, 1001)  # the Actions runner's user on GitHub's Linux runners


def _owner(path: Path) -> tuple[int, int]:
    st = path.lstat()
    return st.st_uid, st.st_gid


@root_only
def test_atomic_write_keeps_the_owner_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "go.sum"
    target.write_bytes(b"old")
    os.chown(target, *RUNNER)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and _owner(target) == RUNNER
    fresh = tmp_path / "new.sum"
    atomic_write(fresh, b"x")
    assert _owner(fresh) == (0, 0)  # a new file: whoever wrote it


@root_only
def test_what_the_run_wrote_goes_to_the_workspace_owner(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    old = ws / ".cache" / "old"
    (old / "deep").mkdir(parents=True)
    (old / "kept").write_text("from before the run, root's")  # not this run's: left alone
    for path in (old / "deep", old, ws / ".cache"):
        os.utime(path, (1, 1))
    for path in (ws, ws / ".cache"):
        os.chown(path, *RUNNER)
    since = time.time() - 1
    # what a run writes: the artifact dir, and new entries deep inside older directories
    (ws / ".tidybot").mkdir()
    (ws / ".tidybot" / "report.json").write_text("{}")
    (old / "deep" / "er").mkdir()
    (old / "deep" / "er" / "new.zip").write_bytes(b"zip")
    assert old.stat().st_mtime < since  # a directory's time says nothing of its grandchildren
    outside = tmp_path / "outside.txt"
    outside.write_text("not the workspace's")
    (ws / ".tidybot" / "link").symlink_to(outside)

    n = give_to_owner(ws, (".tidybot", ".cache", "", ".missing"), since)

    for path in (
        ws / ".tidybot",
        ws / ".tidybot" / "report.json",
        ws / ".tidybot" / "link",
        old / "deep" / "er",
        old / "deep" / "er" / "new.zip",
    ):
        assert _owner(path) == RUNNER, path
    assert n == 5
    assert _owner(outside) == (0, 0)  # the link itself changed hands, never its target
    for path in (old, old / "kept", old / "deep"):
        assert _owner(path) == (0, 0), path
    assert give_to_owner(ws, (".tidybot", ".cache"), since) == 0  # nothing left to do


@root_only
def test_names_leading_out_of_the_workspace_are_left_alone(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    os.chown(ws, *RUNNER)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "f").write_text("x")
    (ws / ".tidybot").symlink_to(elsewhere)  # a checkout can hold such a link
    (ws / "sub").mkdir()
    (ws / "sub" / "f").write_text("x")
    since = time.time() - 60
    assert give_to_owner(ws, (".tidybot", "../elsewhere", ".", "sub/.."), since) == 0
    assert _owner(elsewhere / "f") == (0, 0) and _owner(ws / "sub" / "f") == (0, 0)


@root_only
def test_a_workspace_owned_by_root_needs_nothing(tmp_path: Path) -> None:
    (tmp_path / ".tidybot").mkdir()
    assert give_to_owner(tmp_path, (".tidybot",), 0.0) == 0
    assert give_to_owner(tmp_path / "missing", (".tidybot",), 0.0) == 0


@root_only
def test_a_settled_directory_handed_over_before_is_not_entered(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    handed = ws / ".cache" / "mod" / "a@v1"
    handed.mkdir(parents=True)
    (handed / "f").write_text("never changes once made")
    os.chown(handed, *RUNNER)  # an earlier run handed the directory over (its content too)
    new = ws / ".cache" / "mod" / "b@v1"
    new.mkdir()
    (new / "f").write_text("made by this run")
    os.chown(ws, *RUNNER)
    settled = lambda p: "@" in os.path.basename(p)  # noqa: E731
    assert give_to_owner(ws, (".cache",), time.time() - 60, settled=settled) == 4
    assert _owner(handed / "f") == (0, 0)  # not entered: nothing to look at there
    for path in (new, new / "f", ws / ".cache" / "mod", ws / ".cache"):
        assert _owner(path) == RUNNER, path


def test_atomic_write_over_a_link_takes_nothing_from_its_target(tmp_path: Path) -> None:
    """A link in the file's place is replaced by the new file; the target's permission bits
    (here executable and world-writable) are not copied to it, and the target is untouched."""
    target = tmp_path / "elsewhere"
    target.write_text("theirs\n")
    target.chmod(0o777)
    link = tmp_path / "file"
    link.symlink_to(target)
    atomic_write(link, b"ours\n")
    assert not link.is_symlink() and link.read_bytes() == b"ours\n"
    assert stat.S_IMODE(link.stat().st_mode) == 0o644
    assert target.read_text() == "theirs\n"


def test_a_scratch_dir_is_private_where_tmpdir_says_and_removed_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with scratch_dir("tidybot-x-") as d, scratch_dir("tidybot-x-") as e:
        assert d.parent == tmp_path and d.name.startswith("tidybot-x-") and d != e
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
        (d / "f").write_text("x")
    assert not d.exists() and not e.exists()


def test_a_scratch_dir_goes_to_the_next_place_when_tmpdir_cannot_take_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.setenv("TEMP", str(tmp_path))
    d = make_temp_dir("tidybot-y-")
    assert d.parent == tmp_path
    d.rmdir()
