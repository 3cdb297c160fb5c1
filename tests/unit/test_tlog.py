"""Transparent log math and tiles: golang.org/x/mod sumdb/tlog test vectors and TestTree."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import pytest

from bot.verify import tlog
from bot.verify.tlog import (
    HashList,
    InconsistentTileError,
    Tile,
    TileHashReader,
    TlogError,
    Tree,
)


def b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


class MemTiles:
    """An in-memory TileReader that can be made to lie."""

    def __init__(self, h: int, tiles: dict[Tile, bytes]) -> None:
        self.h = h
        self.tiles = tiles
        self.unsaved = 0
        self.saved: list[Tile] = []

    def height(self) -> int:
        return self.h

    def read_tiles(self, tiles: Sequence[Tile]) -> list[bytes]:
        self.unsaved += len(tiles)
        return [self.tiles[t] for t in tiles]

    def save_tiles(self, tiles: Sequence[Tile], data: Sequence[bytes]) -> None:
        self.unsaved -= len(tiles)
        self.saved.extend(tiles)


def test_record_hash_vectors() -> None:
    want = [
        "hH2/O6WqM8SXbRrP04wkRcdxBnXjSED3frqPG1Slmqo=",
        "uSsd9VN+ZQfKbCkvP39u/WeTp1K5QYpCmdzgINNssT4=",
        "UnkkGmnGLApUvcwi7duDMhYR0QNxP/txSY1hhf4euf8=",
        "NdGPX9yMdVVzLaeUj2dOIT+cS6Ec/SVFxrash++5aYQ=",
        "ya6rqaP0GizPeKwW0884b7dpTgQBoYmT8F1cakxv+uE=",
        "cOU5SBqNQNGkPKaKi4ItLNlismNt16S8AGk7ZaE9vPI=",
        "CNfJ/m6jYYbhhxsgBnVHNChPeR3JKzkoyNGBLhZDYJQ=",
        "GJV7hrjCxBqknFpGdp9Yw7bP4SxjXK3ZwaGPm2/GCog=",
    ]
    trees = [
        "hH2/O6WqM8SXbRrP04wkRcdxBnXjSED3frqPG1Slmqo=",
        "iDYylbHW0Tfc8TPv9Zsm3tnGSeG45mXMQ+Eqym5W/aw=",
        "NN1lugKBoC5d4485FURI7Stm1fqIQOgKwtCU4SF6ADo=",
        "f+r9IYiJlmSBnm/xP/DB6lbYZ232f4Ld6WNQ4CzuIhI=",
        "7HsFXTHsn4X8VsxLGtVIOyfxbusFX/Pwmtyit3cnk1U=",
        "nvrybk1URfsfII/2hNs749MPwtDydplr4WjsHMCnWoU=",
        "VVOPta6muLtr4TjexJLyDN2n5k9t9+4IYo4R6tZk+rQ=",
        "yZbhzgLHnXgy43ZP1h/tEJQcmscUcaPAFpcuiQEfVJU=",
    ]
    storage = HashList()
    for i in range(8):
        data = b"record %d\n" % i
        assert b64(tlog.record_hash(data)) == want[i]
        storage.hashes.extend(tlog.stored_hashes(i, data, storage))
        assert b64(tlog.tree_hash(i + 1, storage)) == trees[i]
    assert b64(tlog.record_hash(b"hello world")) == "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="

    proof = tlog.prove_record(7, 3, storage)
    assert [b64(h) for h in proof] == [
        "UnkkGmnGLApUvcwi7duDMhYR0QNxP/txSY1hhf4euf8=",
        "iDYylbHW0Tfc8TPv9Zsm3tnGSeG45mXMQ+Eqym5W/aw=",
        "mr5gxCEDXWs33jdXp9nwxeXYh5GjK5akejzmMqxP2s8=",
    ]
    assert [b64(h) for h in tlog.prove_tree(7, 4, storage)] == [
        "mr5gxCEDXWs33jdXp9nwxeXYh5GjK5akejzmMqxP2s8="
    ]
    assert [b64(h) for h in tlog.prove_tree(7, 3, storage)] == [
        "UnkkGmnGLApUvcwi7duDMhYR0QNxP/txSY1hhf4euf8=",
        "NdGPX9yMdVVzLaeUj2dOIT+cS6Ec/SVFxrash++5aYQ=",
        "iDYylbHW0Tfc8TPv9Zsm3tnGSeG45mXMQ+Eqym5W/aw=",
        "mr5gxCEDXWs33jdXp9nwxeXYh5GjK5akejzmMqxP2s8=",
    ]


def test_stored_hash_index_vectors() -> None:
    pairs = {(0, 0): 0, (0, 1): 1, (1, 0): 2, (0, 2): 3, (0, 3): 4, (1, 1): 5, (2, 0): 6}
    pairs |= {(0, 4): 7, (0, 7): 11, (3, 0): 14}
    for (level, n), x in pairs.items():
        assert tlog.stored_hash_index(level, n) == x
    counts = {1: 1, 2: 3, 3: 4, 4: 7, 7: 11, 8: 15, 256: 511, 1000: 1994}
    for n, c in counts.items():
        assert tlog.stored_hash_count(n) == c


def test_split_stored_hash_index_round_trip() -> None:
    for level in range(10):
        for n in range(100):
            assert tlog.split_stored_hash_index(tlog.stored_hash_index(level, n)) == (level, n)


def test_empty_tree() -> None:
    assert tlog.tree_hash(0, None) == hashlib.sha256(b"").digest()


def test_tree_like_go() -> None:
    """golang/mod TestTree: 100 leaves, tile height 2, every proof through tiles."""
    h = 2
    storage = HashList()
    tiles: dict[Tile, bytes] = {}
    leaves: list[bytes] = []
    trees: list[bytes] = []
    for i in range(100):
        data = b"leaf %d" % i
        old = len(storage.hashes)
        storage.hashes.extend(tlog.stored_hashes(i, data, storage))
        leaves.append(tlog.record_hash(data))
        assert tlog.stored_hash_count(i + 1) == len(storage.hashes)
        th = tlog.tree_hash(i + 1, storage)
        for t in tlog.new_tiles(h, i, i + 1):
            d = tlog.read_tile_data(t, storage)
            prev = tiles.get(Tile(t.h, t.l, t.n, t.w - 1), b"")
            assert len(prev) == len(d) - 32
            assert d[: len(prev)] == prev
            tiles[t] = d
        for t in tlog.new_tiles(h, 0, i + 1):
            assert tiles[t] == tlog.read_tile_data(t, storage)
        for j in range(old, len(storage.hashes)):
            t = tlog.tile_for_index(h, j)
            assert tlog.hash_from_tile(t, tiles[t], j) == storage.hashes[j]
        trees.append(th)

        for j in range(i + 1):
            p = tlog.prove_record(i + 1, j, storage)
            tlog.check_record(p, i + 1, th, j, leaves[j])
            for k in range(len(p)):
                bad = list(p)
                bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
                with pytest.raises(TlogError):
                    tlog.check_record(bad, i + 1, th, j, leaves[j])

        mem = MemTiles(h, tiles)
        thr = TileHashReader(Tree(i + 1, th), mem)
        for j in range(i + 1):
            assert thr.read_hashes([tlog.stored_hash_index(0, j)]) == [leaves[j]]
            p = tlog.prove_record(i + 1, j, thr)
            tlog.check_record(p, i + 1, th, j, leaves[j])
        assert mem.unsaved == 0
        with pytest.raises(TlogError, match="indexes not in tree"):
            thr.read_hashes([(i + 1) * 2])

        for j in range(i + 1):
            assert tlog.tree_hash(j + 1, thr) == trees[j]
            p = tlog.prove_tree(i + 1, j + 1, thr)
            tlog.check_tree(p, i + 1, th, j + 1, trees[j])
            for k in range(len(p)):
                bad = list(p)
                bad[k] = bytes([bad[k][0] ^ 1]) + bad[k][1:]
                with pytest.raises(TlogError):
                    tlog.check_tree(bad, i + 1, th, j + 1, trees[j])
        assert mem.unsaved == 0


TILE_PATHS = [
    ("tile/4/0/001", Tile(4, 0, 1, 16)),
    ("tile/4/0/001.p/5", Tile(4, 0, 1, 5)),
    ("tile/3/5/x123/x456/078", Tile(3, 5, 123456078, 8)),
    ("tile/3/5/x123/x456/078.p/2", Tile(3, 5, 123456078, 2)),
    ("tile/1/0/x003/x057/500", Tile(1, 0, 3057500, 2)),
    ("tile/1/data/x003/x057/500", Tile(1, -1, 3057500, 2)),
]


@pytest.mark.parametrize(("path", "tile"), TILE_PATHS)
def test_tile_paths(path: str, tile: Tile) -> None:
    assert tile.path() == path
    assert tlog.parse_tile_path(path) == tile


@pytest.mark.parametrize("path", ["tile/3/5/123/456/078", "tile/3/-1/123/456/078", "tile/8/0/1"])
def test_bad_tile_paths(path: str) -> None:
    with pytest.raises(TlogError, match="malformed tile path"):
        tlog.parse_tile_path(path)


def test_tile_for_index_vectors() -> None:
    assert tlog.tile_for_index(8, 0).path() == "tile/8/0/000.p/1"
    assert tlog.tile_for_index(8, 5).path() == "tile/8/0/000.p/4"
    assert tlog.tile_for_index(8, 300).path() == "tile/8/0/000.p/152"
    assert tlog.tile_for_index(8, 1000000).path() == "tile/8/0/x001/953.p/37"


def test_new_tiles_vectors() -> None:
    assert [t.path() for t in tlog.new_tiles(8, 0, 300)] == [
        "tile/8/0/000",
        "tile/8/0/001.p/44",
        "tile/8/1/000.p/1",
    ]
    assert [t.path() for t in tlog.new_tiles(2, 5, 11)] == [
        "tile/2/0/001",
        "tile/2/0/002.p/3",
        "tile/2/1/000.p/2",
    ]
    for old, new, want in [
        (1, 1, 0),
        (100, 101, 1),
        (1023, 1025, 3),
        (1024, 1030, 1),
        (1030, 2000, 1),
        (1030, 10000, 10),
        (49516517, 49516586, 3),
    ]:
        assert len(tlog.new_tiles(10, old, new)) == want


def test_tree_and_record_formats() -> None:
    h = tlog.record_hash(b"hello world")
    golden = b"go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
    assert tlog.format_tree(Tree(123456789012, h)) == golden
    for good in (golden, golden + b"JOE", golden + b"JOE\n" * 1000):
        assert tlog.parse_tree(good) == Tree(123456789012, h)
    for bad in (
        b"not-" + golden,
        b"go.sum database tree\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
        b"go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBTOOBIG=\n",
        b"go.sum database tree\n0123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
    ):
        with pytest.raises(TlogError):
            tlog.parse_tree(bad)

    assert tlog.format_record(123456789012, b"hello, world\n") == b"123456789012\nhello, world\n\n"
    for bad_text in (b"", b"hello\nworld", b"hello\n\nworld\n", b"hello\x01world\n"):
        with pytest.raises(TlogError):
            tlog.format_record(1, bad_text)

    assert tlog.parse_record(b"123456789012\nhello, world\n\njunk on end\x01\xff") == (
        123456789012,
        b"hello, world\n",
        b"junk on end\x01\xff",
    )
    assert tlog.parse_record(b"123456789012\nhello, world\n\n") == (
        123456789012,
        b"hello, world\n",
        b"",
    )
    for bad_msg in (
        b"not-123456789012\nhello, world\n\n",
        b"123\nhello\x01world\n\n",
        b"123\nhello\xffworld\n\n",
        b"123\nhello world\n",
        b"0x123\nhello world\n\n",
    ):
        with pytest.raises(TlogError):
            tlog.parse_record(bad_msg)


def _log(n: int, h: int = 8) -> tuple[HashList, dict[Tile, bytes], Tree]:
    storage = HashList()
    for i in range(n):
        storage.hashes.extend(tlog.stored_hashes(i, b"record %d\n" % i, storage))
    tiles = {t: tlog.read_tile_data(t, storage) for t in tlog.new_tiles(h, 0, n)}
    return storage, tiles, Tree(n, tlog.tree_hash(n, storage))


@pytest.mark.parametrize("n", [3, 5, 260, 299])
def test_genuine_records_in_300_record_log(n: int) -> None:
    _, tiles, tree = _log(300)
    mem = MemTiles(8, tiles)
    got = TileHashReader(tree, mem).read_hashes([tlog.stored_hash_index(0, n)])
    assert got == [tlog.record_hash(b"record %d\n" % n)]
    assert mem.unsaved == 0


@pytest.mark.parametrize("size", [300, 70001])
def test_forged_child_tile_is_rejected(size: int) -> None:
    """The §4.5 pitfall: a forged full tile below the tree-hash tiles must not pass."""
    _, tiles, tree = _log(size)
    forged_leaf = tlog.record_hash(b"forged record\n")
    t0 = Tile(8, 0, 0, 256)
    data = tiles[t0]
    tiles[t0] = data[: 3 * 32] + forged_leaf + data[4 * 32 :]
    mem = MemTiles(8, tiles)
    with pytest.raises(InconsistentTileError, match="downloaded inconsistent tile"):
        TileHashReader(tree, mem).read_hashes([tlog.stored_hash_index(0, 3)])
    assert mem.saved == []


def test_forged_tree_hash_tile_is_rejected() -> None:
    _, tiles, tree = _log(300)
    t = Tile(8, 0, 1, 44)
    tiles[t] = bytes(32) + tiles[t][32:]
    with pytest.raises(InconsistentTileError):
        TileHashReader(tree, MemTiles(8, tiles)).read_hashes([tlog.stored_hash_index(0, 260)])


def test_truncated_tile_is_rejected() -> None:
    _, tiles, tree = _log(300)
    t = Tile(8, 0, 0, 256)
    tiles[t] = tiles[t][:-32]
    with pytest.raises(TlogError, match="bad result slice"):
        TileHashReader(tree, MemTiles(8, tiles)).read_hashes([tlog.stored_hash_index(0, 3)])
