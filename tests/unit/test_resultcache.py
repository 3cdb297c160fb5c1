"""The result cache trusts only its own, intact entries."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.model import ModuleResult, Status
from bot.errors import ToolchainError, UsageError
from bot.resultcache import ResultCache, entry_checksum

KEY = "ab" + "0" * 62
CLEAN = ModuleResult("svc/a", "example.com/a", Status.CLEAN)


def entry(cache_dir: Path, key: str = KEY) -> Path:
    return cache_dir / "tidybot-v1" / key[:2] / f"{key}.json"


def test_round_trip(tmp_path: Path) -> None:
    c = ResultCache(tmp_path)
    assert c.get(KEY, "svc/a") is None
    assert c.put(KEY, CLEAN, "1.26.0")
    got = ResultCache(tmp_path).get(KEY, "svc/a")
    assert got == ModuleResult("svc/a", "example.com/a", Status.CLEAN)
    doc = json.loads(entry(tmp_path).read_text())
    assert doc["schema"] == 1 and doc["key"] == KEY and doc["checksum"] == entry_checksum(doc)
    assert c.stats.to_json() == {
        "hits": [],
        "misses": 1,
        "stored": 1,
        "rejected": 0,
        "write_errors": 0,
    }


@pytest.mark.parametrize(
    "result",
    [
        ModuleResult("svc/a", "m", Status.DRIFTED),
        ModuleResult("svc/a", "m", Status.ERROR, error="boom"),
        ModuleResult("svc/a", "m", Status.SKIPPED, error="why"),
        ModuleResult("svc/a", "m", Status.CLEAN, fixed=True),
    ],
)
def test_only_clean_unfixed_results_are_stored(tmp_path: Path, result: ModuleResult) -> None:
    c = ResultCache(tmp_path)
    assert not c.put(KEY, result, "1.26.0")
    assert not entry(tmp_path).exists()


Edit = Callable[[dict[str, object]], None]


def _mutate(field: str, value: object, *, fix_checksum: bool = True) -> Edit:
    def edit(doc: dict[str, object]) -> None:
        doc[field] = value
        if fix_checksum:
            doc["checksum"] = entry_checksum(doc)

    return edit


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("other schema", _mutate("schema", 2)),
        ("other tool", _mutate("tool", "other")),
        ("other tool version", _mutate("tool_version", "0.0.1")),
        ("filed under another key", _mutate("key", "cd" + "0" * 62)),
        ("another module", _mutate("module_dir", "svc/b")),
        ("not clean", _mutate("status", "drifted")),
        ("edited without checksum", _mutate("module", "evil", fix_checksum=False)),
        ("checksum removed", lambda d: d.pop("checksum")),
    ],
)
def test_foreign_entries_are_rejected(tmp_path: Path, name: str, edit: Edit) -> None:
    ResultCache(tmp_path).put(KEY, CLEAN, "1.26.0")
    p = entry(tmp_path)
    doc = json.loads(p.read_text())
    edit(doc)
    p.write_text(json.dumps(doc))
    c = ResultCache(tmp_path)
    assert c.get(KEY, "svc/a") is None, name
    assert c.stats.rejected == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"{", b"\xff\xfe", b"[]", b"null", b'{"schema": 1}', b" " * (1024 * 1024 + 1)],
)
def test_corrupt_entries_are_rejected(tmp_path: Path, data: bytes) -> None:
    p = entry(tmp_path)
    p.parent.mkdir(parents=True)
    p.write_bytes(data)
    c = ResultCache(tmp_path)
    assert c.get(KEY, "svc/a") is None
    assert c.stats.rejected == 1
    # the next clean result overwrites it
    assert c.put(KEY, CLEAN, "1.26.0")
    assert ResultCache(tmp_path).get(KEY, "svc/a") is not None


FOUND: dict[str, object] = {"findings": [["m1", "m1/go.mod", 5]], "modules": []}


def test_workspace_entries_round_trip_and_stay_apart(tmp_path: Path) -> None:
    """A workspace check's entry (drifted, with what it found) is read back only as one: a
    module's lookup under its key rejects it, and a module entry given a "workspace" part
    is no module result."""
    c = ResultCache(tmp_path)
    assert c.put_workspace(KEY, "go.work", FOUND, "1.26.0")
    assert c.get_workspace(KEY, "go.work", lambda d: d) == FOUND
    assert c.get_workspace(KEY, "other/go.work", lambda d: d) is None  # another go.work
    assert c.get(KEY, "go.work") is None  # drifted: never a clean module
    assert c.stats.hits == ["go.work"] and c.stats.rejected == 2
    c = ResultCache(tmp_path)
    assert c.get_workspace(KEY, "go.work", lambda d: None) is None  # not believed
    assert c.stats.to_json()["rejected"] == 1 and c.stats.hits == []

    assert c.put(KEY, CLEAN, "1.26.0")
    assert c.get_workspace(KEY, "svc/a", lambda d: d) == {}  # clean: nothing found
    p = entry(tmp_path)
    doc = json.loads(p.read_text())
    doc["workspace"] = FOUND
    doc["checksum"] = entry_checksum(doc)
    p.write_text(json.dumps(doc))
    assert ResultCache(tmp_path).get(KEY, "svc/a") is None


def test_a_workspace_entry_too_big_to_read_back_is_not_written(tmp_path: Path) -> None:
    c = ResultCache(tmp_path)
    assert not c.put_workspace(KEY, "go.work", {"diff": "x" * (1024 * 1024)}, "1.26.0")
    assert not entry(tmp_path).exists()


def test_bad_keys_never_touch_the_disk(tmp_path: Path) -> None:
    c = ResultCache(tmp_path)
    assert c.get("../../etc/passwd", "svc/a") is None
    assert not c.put("../x", CLEAN, "1.26.0")


def test_unusable_directory_is_a_usage_error(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(UsageError, match="cannot use as the result cache"):
        ResultCache(f)


def test_prune_drops_old_entries_only(tmp_path: Path) -> None:
    c = ResultCache(tmp_path)
    old = "cd" + "1" * 62
    c.put(KEY, CLEAN, "1.26.0")
    c.put(old, CLEAN, "1.26.0")
    past = time.time() - 40 * 86400
    os.utime(entry(tmp_path, old), (past, past))
    assert c.prune(30) == 1
    assert entry(tmp_path).exists() and not entry(tmp_path, old).exists()


def test_prune_runs_at_most_once_a_day(tmp_path: Path) -> None:
    c = ResultCache(tmp_path)
    past = time.time() - 40 * 86400
    old = "cd" + "1" * 62
    c.put(old, CLEAN, "1.26.0")
    os.utime(entry(tmp_path, old), (past, past))
    assert c.prune_daily(30) == 1
    older = "ce" + "1" * 62
    c.put(older, CLEAN, "1.26.0")
    os.utime(entry(tmp_path, older), (past, past))
    assert c.prune_daily(30) == 0  # pruned less than a day ago: the entries are not listed
    assert entry(tmp_path, older).exists()
    stamp = tmp_path / "tidybot-v1" / "pruned"
    os.utime(stamp, (time.time() - 2 * 86400,) * 2)
    assert c.prune_daily(30) == 1
    assert not entry(tmp_path, older).exists()


def test_hit_refreshes_last_use(tmp_path: Path) -> None:
    c = ResultCache(tmp_path)
    c.put(KEY, CLEAN, "1.26.0")
    past = time.time() - 40 * 86400
    os.utime(entry(tmp_path), (past, past))
    assert c.get(KEY, "svc/a") is not None
    assert c.prune(30) == 0
    assert c.stats.hits == ["svc/a"]
    # marked used in the last day: a hit writes nothing (prune counts in days)
    recent = time.time() - 3600
    os.utime(entry(tmp_path), (recent, recent))
    assert c.get(KEY, "svc/a") is not None
    assert entry(tmp_path).stat().st_mtime == recent
    yesterday = time.time() - 25 * 3600
    os.utime(entry(tmp_path), (yesterday, yesterday))
    assert c.get(KEY, "svc/a") is not None
    assert entry(tmp_path).stat().st_mtime > time.time() - 60


def test_parse_memo_round_trip_and_distrust(tmp_path: Path) -> None:
    from bot.engine.cachekey import ParseMemo

    c = ResultCache(tmp_path)
    assert c.load_memo().go_files == {}  # none yet: empty, not rejected
    memo = ParseMemo()
    facts = memo.go_file(b'package a\n\nimport "fmt"\n')
    assert facts == (True, "a", ("fmt",))
    assert memo.go_file(b"//go:build ignore\n\npackage a\n") == (False, "", ())
    assert c.save_memo(memo)
    assert not c.save_memo(ResultCache(tmp_path).load_memo())  # nothing new: not rewritten
    loaded = ResultCache(tmp_path).load_memo()
    assert loaded.go_files == memo.go_files
    path = tmp_path / "tidybot-v1" / "parsed.json"
    doc = json.loads(path.read_text())
    for bad in ({**doc, "tool_version": "0.0.0-other"}, {**doc, "go": []}, "garbage"):
        path.write_text(json.dumps(bad))
        fresh = ResultCache(tmp_path)
        assert fresh.load_memo().go_files == {}
        assert fresh.stats.rejected == 1
    path.write_text("{not json")
    assert ResultCache(tmp_path).load_memo().go_files == {}


def test_go_version_is_remembered_per_binary(tmp_path: Path) -> None:
    from bot.toolchain import Go

    c = ResultCache(tmp_path)
    v = c.go_version(Go())
    stored = json.loads((tmp_path / "tidybot-v1" / "go-versions.json").read_text())
    ident = Go().identity()
    assert ident is not None and stored == {ident: v}
    # a remembered value is used as is (and still checked: too old is still an error)
    (tmp_path / "tidybot-v1" / "go-versions.json").write_text(json.dumps({ident: "1.99.0"}))
    assert ResultCache(tmp_path).go_version(Go()) == "1.99.0"
    (tmp_path / "tidybot-v1" / "go-versions.json").write_text(json.dumps({ident: "1.20.0"}))
    with pytest.raises(ToolchainError, match="too old"):
        ResultCache(tmp_path).go_version(Go())
    (tmp_path / "tidybot-v1" / "go-versions.json").write_text(json.dumps({ident: "bogus"}))
    assert ResultCache(tmp_path).go_version(Go()) == v  # not a version: asked again
