"""Transparent log math, tiles and the tree/record formats of the Go checksum database.

A port of golang.org/x/mod/sumdb/tlog (reference §4.2, §4.4, §4.5): record and node hashes,
stored hash indexes, tree hashes, inclusion and consistency proofs, tiles of height H and
the authenticated tile hash reader. Pure: no I/O. Hashes are 32-byte ``bytes``.

The tile hash reader authenticates *every* tile it returns (reference §4.5, step 5): tiles
needed for the tree hash are checked against the signed tree hash, every other tile against
its already authenticated parent. Only then are tiles handed to ``save_tiles``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from typing import Protocol

from bot.record import record

HASH_SIZE = 32
EMPTY_HASH = hashlib.sha256(b"").digest()

_TREE_PREFIX = b"go.sum database tree\n"
_PATH_BASE = 1000


class TlogError(ValueError):
    """Malformed log data or a proof that does not check out."""


class InconsistentTileError(TlogError):
    """A downloaded tile does not agree with the signed tree hash (go: same text)."""

    def __init__(self) -> None:
        super().__init__("downloaded inconsistent tile")


class ProofError(TlogError):
    def __init__(self) -> None:
        super().__init__("invalid transparency proof")


# --- hashes -------------------------------------------------------------------------------


def record_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the leaf hash of a record."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def format_hash(h: bytes) -> str:
    return base64.b64encode(h).decode("ascii")


def parse_hash(s: str) -> bytes:
    try:
        h = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as e:
        raise TlogError("malformed hash") from e
    if len(h) != HASH_SIZE:
        raise TlogError("malformed hash")
    return h


def _maxpow2(n: int) -> tuple[int, int]:
    """The largest power of two strictly less than n (n >= 2), and its log2."""
    level = (n - 1).bit_length() - 1
    return 1 << level, level


def stored_hash_index(level: int, n: int) -> int:
    """Index of hash (level, n) in the Crosby-Wallach storage order."""
    # the loop of the reference, in closed form: `level` times n = 2n+1, then the sum of
    # n >> k over k, which is 2n minus the number of one bits of n
    n = ((n + 1) << level) - 1
    return 2 * n - n.bit_count() + level


def _trailing_zeros(x: int) -> int:
    return (x & -x).bit_length() - 1 if x else 64


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Inverse of :func:`stored_hash_index`: (level, n)."""
    n = index // 2
    index_n = stored_hash_index(0, n)
    if index_n > index:
        raise AssertionError("bad math")
    while True:
        x = index_n + 1 + _trailing_zeros(n + 1)
        if x > index:
            break
        n += 1
        index_n = x
    level = index - index_n
    return level, n >> level


def stored_hash_count(n: int) -> int:
    """Number of stored hashes for a tree of n records."""
    if n == 0:
        return 0
    num = stored_hash_index(0, n - 1) + 1
    i = n - 1
    while i & 1:
        num += 1
        i >>= 1
    return num


class HashReader(Protocol):
    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]: ...


class HashList:
    """A HashReader over a list of stored hashes (the server side keeps one of these)."""

    def __init__(self, hashes: list[bytes] | None = None) -> None:
        self.hashes: list[bytes] = hashes if hashes is not None else []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return [self.hashes[i] for i in indexes]


def stored_hashes(n: int, data: bytes, r: HashReader) -> list[bytes]:
    """The hashes to append to storage when adding record n with the given data."""
    return stored_hashes_for_record_hash(n, record_hash(data), r)


def stored_hashes_for_record_hash(n: int, h: bytes, r: HashReader) -> list[bytes]:
    hashes = [h]
    m = _trailing_zeros(n + 1)
    indexes = [0] * m
    for i in range(m):
        indexes[m - 1 - i] = stored_hash_index(i, (n >> i) - 1)
    old = r.read_hashes(indexes)
    if len(old) != len(indexes):
        raise TlogError(f"tlog: ReadHashes({len(indexes)} indexes) = {len(old)} hashes")
    for i in range(m):
        h = node_hash(old[m - 1 - i], h)
        hashes.append(h)
    return hashes


def _sub_tree_index(lo: int, hi: int, need: list[int]) -> list[int]:
    while lo < hi:
        k, level = _maxpow2(hi - lo + 1)
        if lo & (k - 1):
            raise AssertionError("tlog: bad math in subTreeIndex")
        need.append(stored_hash_index(level, lo >> level))
        lo += k
    return need


def _sub_tree_hash(lo: int, hi: int, hashes: list[bytes]) -> tuple[bytes, list[bytes]]:
    num = 0
    while lo < hi:
        k, _ = _maxpow2(hi - lo + 1)
        if lo & (k - 1) or lo >= hi:
            raise AssertionError("tlog: bad math in subTreeHash")
        num += 1
        lo += k
    if len(hashes) < num:
        raise AssertionError("tlog: bad index math in subTreeHash")
    h = hashes[num - 1]
    for i in range(num - 2, -1, -1):
        h = node_hash(hashes[i], h)
    return h, hashes[num:]


def tree_hash(n: int, r: HashReader | None) -> bytes:
    """The hash of the tree of the first n records."""
    if n == 0:
        return EMPTY_HASH
    if r is None:
        raise TlogError("tlog: no hash reader for a non-empty tree")
    indexes = _sub_tree_index(0, n, [])
    hashes = r.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise TlogError(f"tlog: ReadHashes({len(indexes)} indexes) = {len(hashes)} hashes")
    h, rest = _sub_tree_hash(0, n, list(hashes))
    if rest:
        raise AssertionError("tlog: bad index math in TreeHash")
    return h


# --- proofs -------------------------------------------------------------------------------


def _leaf_proof_index(lo: int, hi: int, n: int, need: list[int]) -> list[int]:
    if lo + 1 == hi:
        return need
    k, _ = _maxpow2(hi - lo)
    if n < lo + k:
        _leaf_proof_index(lo, lo + k, n, need)
        _sub_tree_index(lo + k, hi, need)
    else:
        _sub_tree_index(lo, lo + k, need)
        _leaf_proof_index(lo + k, hi, n, need)
    return need


def _leaf_proof(lo: int, hi: int, n: int, hashes: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    if lo + 1 == hi:
        return [], hashes
    k, _ = _maxpow2(hi - lo)
    if n < lo + k:
        p, hashes = _leaf_proof(lo, lo + k, n, hashes)
        th, hashes = _sub_tree_hash(lo + k, hi, hashes)
    else:
        th, hashes = _sub_tree_hash(lo, lo + k, hashes)
        p, hashes = _leaf_proof(lo + k, hi, n, hashes)
    return [*p, th], hashes


def prove_record(t: int, n: int, r: HashReader) -> list[bytes]:
    """The inclusion proof that record n is in the tree of size t."""
    if t < 0 or n < 0 or n >= t:
        raise TlogError("tlog: invalid inputs in ProveRecord")
    indexes = _leaf_proof_index(0, t, n, [])
    if not indexes:
        return []
    hashes = r.read_hashes(indexes)
    p, rest = _leaf_proof(0, t, n, list(hashes))
    if rest:
        raise AssertionError("tlog: bad index math in ProveRecord")
    return p


def _run_record_proof(p: Sequence[bytes], lo: int, hi: int, n: int, leaf: bytes) -> bytes:
    if lo + 1 == hi:
        if p:
            raise ProofError
        return leaf
    if not p:
        raise ProofError
    k, _ = _maxpow2(hi - lo)
    if n < lo + k:
        return node_hash(_run_record_proof(p[:-1], lo, lo + k, n, leaf), p[-1])
    return node_hash(p[-1], _run_record_proof(p[:-1], lo + k, hi, n, leaf))


def check_record(p: Sequence[bytes], t: int, th: bytes, n: int, h: bytes) -> None:
    """Raise ProofError unless p proves record hash h at n is in the tree (t, th)."""
    if t < 0 or n < 0 or n >= t:
        raise TlogError("tlog: invalid inputs in CheckRecord")
    if _run_record_proof(p, 0, t, n, h) != th:
        raise ProofError


def _tree_proof_index(lo: int, hi: int, n: int, need: list[int]) -> list[int]:
    if n == hi:
        if lo == 0:
            return need
        return _sub_tree_index(lo, hi, need)
    k, _ = _maxpow2(hi - lo)
    if n <= lo + k:
        _tree_proof_index(lo, lo + k, n, need)
        _sub_tree_index(lo + k, hi, need)
    else:
        _sub_tree_index(lo, lo + k, need)
        _tree_proof_index(lo + k, hi, n, need)
    return need


def _tree_proof(lo: int, hi: int, n: int, hashes: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    if n == hi:
        if lo == 0:
            return [], hashes
        th, hashes = _sub_tree_hash(lo, hi, hashes)
        return [th], hashes
    k, _ = _maxpow2(hi - lo)
    if n <= lo + k:
        p, hashes = _tree_proof(lo, lo + k, n, hashes)
        th, hashes = _sub_tree_hash(lo + k, hi, hashes)
    else:
        th, hashes = _sub_tree_hash(lo, lo + k, hashes)
        p, hashes = _tree_proof(lo + k, hi, n, hashes)
    return [*p, th], hashes


def prove_tree(t: int, n: int, r: HashReader) -> list[bytes]:
    """The consistency proof that the tree of size n is a prefix of the tree of size t."""
    if t < 1 or n < 1 or n > t:
        raise TlogError("tlog: invalid inputs in ProveTree")
    indexes = _tree_proof_index(0, t, n, [])
    if not indexes:
        return []
    hashes = r.read_hashes(indexes)
    p, rest = _tree_proof(0, t, n, list(hashes))
    if rest:
        raise AssertionError("tlog: bad index math in ProveTree")
    return p


def _run_tree_proof(
    p: Sequence[bytes], lo: int, hi: int, n: int, old: bytes
) -> tuple[bytes, bytes]:
    if n == hi:
        if lo == 0:
            if p:
                raise ProofError
            return old, old
        if len(p) != 1:
            raise ProofError
        return p[0], p[0]
    if not p:
        raise ProofError
    k, _ = _maxpow2(hi - lo)
    if n <= lo + k:
        oh, th = _run_tree_proof(p[:-1], lo, lo + k, n, old)
        return oh, node_hash(th, p[-1])
    oh, th = _run_tree_proof(p[:-1], lo + k, hi, n, old)
    return node_hash(p[-1], oh), node_hash(p[-1], th)


def check_tree(p: Sequence[bytes], t: int, th: bytes, n: int, h: bytes) -> None:
    """Raise ProofError unless p proves tree (n, h) is a prefix of tree (t, th)."""
    if t < 1 or n < 1 or n > t:
        raise TlogError("tlog: invalid inputs in CheckTree")
    h2, th2 = _run_tree_proof(p, 0, t, n, h)
    if th2 != th or h2 != h:
        raise ProofError


# --- tree notes and records ---------------------------------------------------------------


@record
class Tree:
    n: int
    hash: bytes


def format_tree(tree: Tree) -> bytes:
    return b"go.sum database tree\n%d\n%s\n" % (tree.n, format_hash(tree.hash).encode())


def parse_tree(text: bytes) -> Tree:
    """Parse the text of a tree note; lines after the third are ignored."""
    if not text.startswith(_TREE_PREFIX) or text.count(b"\n") < 3 or len(text) > 1_000_000:
        raise TlogError("malformed tree note")
    lines = text.split(b"\n", 3)
    if not re.fullmatch(rb"0|[1-9][0-9]{0,18}", lines[1]):
        raise TlogError("malformed tree note")
    n = int(lines[1])
    if n >= 1 << 63:
        raise TlogError("malformed tree note")
    try:
        h = parse_hash(lines[2].decode("ascii"))
    except (UnicodeDecodeError, TlogError) as e:
        raise TlogError("malformed tree note") from e
    return Tree(n, h)


def _is_valid_record_text(text: bytes) -> bool:
    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not s.endswith("\n") or "\n\n" in s:
        return False
    return not any(ord(c) < 0x20 and c != "\n" for c in s)


def format_record(id_: int, text: bytes) -> bytes:
    if not _is_valid_record_text(text):
        raise TlogError("malformed record data")
    return b"%d\n" % id_ + text + b"\n"


def parse_record(msg: bytes) -> tuple[int, bytes, bytes]:
    """Split a lookup response into (record id, record text, rest = the signed tree note)."""
    i = msg.find(b"\n")
    # an int64, as go's strconv.ParseInt: at most 19 digits (leading zeros aside) before int()
    # sees it (Python refuses a string of over 4300 digits with a ValueError of its own)
    if i < 0 or not re.fullmatch(rb"[+-]?0*[0-9]{1,19}", msg[:i]):
        raise TlogError("malformed record data")
    id_ = int(msg[:i])
    if not -(1 << 63) <= id_ < 1 << 63:
        raise TlogError("malformed record data")
    msg = msg[i + 1 :]
    j = msg.find(b"\n\n")
    if j < 0:
        raise TlogError("malformed record data")
    text, rest = msg[: j + 1], msg[j + 2 :]
    if not _is_valid_record_text(text):
        raise TlogError("malformed record data")
    return id_, text, rest


# --- tiles --------------------------------------------------------------------------------


@record(order=True)
class Tile:
    """W consecutive hashes at tree level L*H, starting at N * 2**H (L = -1: record data)."""

    h: int
    l: int  # noqa: E741 - the name the reference uses
    n: int
    w: int

    def path(self) -> str:
        n = self.n
        s = f"{n % _PATH_BASE:03d}"
        while n >= _PATH_BASE:
            n //= _PATH_BASE
            s = f"x{n % _PATH_BASE:03d}/{s}"
        p = f".p/{self.w}" if self.w != 1 << self.h else ""
        level = "data" if self.l == -1 else str(self.l)
        return f"tile/{self.h}/{level}/{s}{p}"

    @property
    def full(self) -> Tile:
        return Tile(self.h, self.l, self.n, 1 << self.h)


def parse_tile_path(path: str) -> Tile:
    bad = TlogError(f"malformed tile path {path!r}")
    f = path.split("/")
    if len(f) < 4 or f[0] != "tile":
        raise bad
    is_data = f[2] == "data"
    if is_data:
        f[2] = "0"
    if not re.fullmatch(r"[+-]?[0-9]+", f[1]) or not re.fullmatch(r"[+-]?[0-9]+", f[2]):
        raise bad
    h, level = int(f[1]), int(f[2])
    if h < 1 or level < 0 or h > 30:
        raise bad
    w = 1 << h
    if f[-2].endswith(".p"):
        if not re.fullmatch(r"[+-]?[0-9]+", f[-1]):
            raise bad
        ww = int(f[-1])
        if ww <= 0 or ww >= w:
            raise bad
        w = ww
        f[-2] = f[-2][: -len(".p")]
        f = f[:-1]
    n = 0
    for s in f[3:]:
        s = s.removeprefix("x")
        if not re.fullmatch(r"[+-]?[0-9]+", s):
            raise bad
        nn = int(s)
        if nn < 0 or nn >= _PATH_BASE:
            raise bad
        n = n * _PATH_BASE + nn
    t = Tile(h, -1 if is_data else level, n, w)
    if t.path() != path:
        raise bad
    return t


def _tile_for_index(h: int, index: int) -> tuple[Tile, int, int]:
    level, n = split_stored_hash_index(index)
    tl = level // h
    level -= tl * h
    tn = (n << level) >> h
    n -= (tn << h) >> level
    t = Tile(h, tl, tn, (n + 1) << level)
    return t, (n << level) * HASH_SIZE, ((n + 1) << level) * HASH_SIZE


def tile_for_index(h: int, index: int) -> Tile:
    """The tile of height h and least width that stores hash index."""
    if h <= 0:
        raise TlogError(f"TileForIndex: invalid height {h}")
    return _tile_for_index(h, index)[0]


def _tile_hash(data: bytes) -> bytes:
    if not data:
        raise AssertionError("bad math in tileHash")
    if len(data) == HASH_SIZE:
        return data
    n = len(data) // HASH_SIZE
    if n * HASH_SIZE == len(data) and n & (n - 1) == 0:
        # a power-of-two number of hashes (every tile and tile range): the same halving as
        # below, bottom-up, one level at a time
        sha256 = hashlib.sha256
        level = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        while len(level) > 1:
            level = [
                sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)
            ]
        return level[0]
    half = len(data) // 2
    return node_hash(_tile_hash(data[:half]), _tile_hash(data[half:]))


def hash_from_tile(t: Tile, data: bytes, index: int) -> bytes:
    """The hash at storage index, read from tile t (or a wider version of it)."""
    if t.h < 1 or t.h > 30 or t.l < 0 or t.l >= 64 or t.w < 1 or t.w > 1 << t.h:
        raise TlogError(f"invalid tile {t.path()}")
    if len(data) < t.w * HASH_SIZE:
        raise TlogError(f"data len {len(data)} too short for tile {t.path()}")
    t1, start, end = _tile_for_index(t.h, index)
    if t.l != t1.l or t.n != t1.n or t.w < t1.w:
        raise TlogError(f"index {index} is in {t1.path()} not {t.path()}")
    return _tile_hash(data[start:end])


def new_tiles(h: int, old_size: int, new_size: int) -> list[Tile]:
    """The tiles to publish when the tree grows from old_size to new_size."""
    if h <= 0:
        raise TlogError(f"NewTiles: invalid height {h}")
    tiles: list[Tile] = []
    level = 0
    while new_size >> (h * level) > 0:
        old_n = old_size >> (h * level)
        new_n = new_size >> (h * level)
        if old_n != new_n:
            for n in range(old_n >> h, new_n >> h):
                tiles.append(Tile(h, level, n, 1 << h))
            n = new_n >> h
            w = new_n - (n << h)
            if w > 0:
                tiles.append(Tile(h, level, n, w))
        level += 1
    return tiles


def read_tile_data(t: Tile, r: HashReader) -> bytes:
    """The bytes of tile t, read from a hash reader (the server side)."""
    size = t.w or 1 << t.h
    start = t.n << t.h
    indexes = [stored_hash_index(t.h * t.l, start + i) for i in range(size)]
    hashes = r.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise TlogError(f"tlog: ReadHashes({len(indexes)} indexes) = {len(hashes)} hashes")
    return b"".join(hashes)


def tile_parent(t: Tile, k: int, n: int) -> Tile | None:
    """t's k-th parent among the tiles of a tree of size n (None when there is none)."""
    level = t.l + k
    tn = t.n >> (k * t.h)
    w = 1 << t.h
    limit = n >> (level * t.h)
    if (tn << t.h) + w >= limit:
        if (tn << t.h) >= limit:
            return None
        w = limit - (tn << t.h)
    return Tile(t.h, level, tn, w)


class TileReader(Protocol):
    def height(self) -> int: ...

    def read_tiles(self, tiles: Sequence[Tile]) -> list[bytes]:
        """Tile data, not yet trusted: each exactly tile.w * 32 bytes or the call raises."""
        ...

    def save_tiles(self, tiles: Sequence[Tile], data: Sequence[bytes]) -> None:
        """Called with tiles that have been authenticated: they may now be cached on disk."""
        ...


@record
class _Plan:
    """What read_hashes reads: the tiles, and where each needed hash is among them."""

    tiles: list[Tile]
    order: dict[Tile, int]
    stx: list[int]  # the stored hash indexes of the subtrees that make the tree hash
    stx_order: list[int]
    n_stx_tiles: int
    index_order: list[int]


class TileHashReader:
    """Reads hashes of the tree from tiles, authenticating every tile before use.

    ``memo`` (optional, may be shared between readers) remembers hashes computed from tile
    data; it is keyed by the tile, the index *and the data itself*, so it never lets one
    tile's content stand in for another's.
    """

    def __init__(
        self,
        tree: Tree,
        reader: TileReader,
        memo: dict[tuple[Tile, int, bytes], bytes] | None = None,
    ) -> None:
        self.tree = tree
        self.reader = reader
        self.memo = memo

    def _hash(self, t: Tile, data: bytes, index: int) -> bytes:
        """hash_from_tile(t, data, index), or the whole tile's hash for index -1."""
        if self.memo is None:
            return _tile_hash(data) if index < 0 else hash_from_tile(t, data, index)
        key = (t, index, data)
        h = self.memo.get(key)
        if h is None:
            h = _tile_hash(data) if index < 0 else hash_from_tile(t, data, index)
            self.memo[key] = h
        return h

    def tiles_for(self, indexes: Sequence[int]) -> list[Tile]:
        """The tiles :meth:`read_hashes` reads for ``indexes`` (to fetch them ahead)."""
        return self._plan(indexes).tiles

    def _plan(self, indexes: Sequence[int]) -> _Plan:
        h = self.reader.height()
        n_tree = self.tree.n
        order: dict[Tile, int] = {}
        tiles: list[Tile] = []

        # Tiles needed to recompute the tree hash: authenticated by the signed hash.
        stx = _sub_tree_index(0, n_tree, [])
        stx_order: list[int] = []
        for x in stx:
            t = tile_parent(_tile_for_index(h, x)[0], 0, n_tree)
            if t is None:
                raise AssertionError("bad math in tileHashReader: no tile for a subtree")
            if t not in order:
                order[t] = len(tiles)
                tiles.append(t)
            stx_order.append(order[t])
        n_stx_tiles = len(tiles)

        # Tiles holding the requested hashes, with the parents that authenticate them.
        index_order: list[int] = []
        limit = stored_hash_index(0, n_tree)
        for x in indexes:
            if x >= limit:
                raise TlogError("indexes not in tree")
            t = _tile_for_index(h, x)[0]
            k = 0
            while True:
                p = tile_parent(t, k, n_tree)
                if p is not None and p in order:
                    break
                if p is None:
                    raise AssertionError("bad math in tileHashReader: lost parent")
                k += 1
            own = order[p] if k == 0 else -1
            for kk in range(k - 1, -1, -1):
                p = tile_parent(t, kk, n_tree)
                if p is None or p.w != 1 << p.h:
                    raise AssertionError(f"bad math in tileHashReader: {n_tree} {x} {p}")
                order[p] = len(tiles)
                if kk == 0:
                    own = len(tiles)
                tiles.append(p)
            index_order.append(own)
        return _Plan(tiles, order, stx, stx_order, n_stx_tiles, index_order)

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        plan = self._plan(indexes)
        tiles, order, stx, stx_order = plan.tiles, plan.order, plan.stx, plan.stx_order
        n_stx_tiles, index_order, n_tree = plan.n_stx_tiles, plan.index_order, self.tree.n
        data = self.reader.read_tiles(tiles)
        if len(data) != len(tiles):
            raise TlogError(f"TileReader returned bad result slice (len={len(data)})")
        for t, d in zip(tiles, data, strict=True):
            if len(d) != t.w * HASH_SIZE:
                raise TlogError(
                    f"TileReader returned bad result slice ({t.path()} len={len(d)}, "
                    f"want {t.w * HASH_SIZE})"
                )

        # Authenticate the tree-hash tiles against the signed tree hash.
        th = self._hash(tiles[stx_order[-1]], data[stx_order[-1]], stx[-1])
        for i in range(len(stx) - 2, -1, -1):
            th = node_hash(self._hash(tiles[stx_order[i]], data[stx_order[i]], stx[i]), th)
        if th != self.tree.hash:
            raise InconsistentTileError

        # Authenticate every other tile against its (already authenticated) parent.
        # Start right after the last tree-hash tile, not at len(stx): several subtree
        # hashes usually share a tile (reference §4.5, implementation hazard).
        for i in range(n_stx_tiles, len(tiles)):
            t = tiles[i]
            p = tile_parent(t, 1, n_tree)
            if p is None or p not in order:
                raise AssertionError(f"bad math in tileHashReader: lost parent of {t.path()}")
            j = order[p]
            ph = self._hash(p, data[j], stored_hash_index(p.l * p.h, t.n))
            if ph != self._hash(t, data[i], -1):
                raise InconsistentTileError

        self.reader.save_tiles(tiles, data)
        return [self._hash(tiles[j], data[j], x) for j, x in zip(index_order, indexes, strict=True)]
