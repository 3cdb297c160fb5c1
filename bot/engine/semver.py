"""Semantic versions as Go modules use them (reference §3.3, §3.2). Pure.

A port of ``golang.org/x/mod/semver`` plus the few ``golang.org/x/mod/module`` helpers
that deal with versions (``CanonicalVersion``, ``SplitPathVersion``, ``CheckPathMajor``,
``Sort``). Versions have a leading ``v``; ``v1`` and ``v1.2`` are shorthands for
``v1.0.0`` and ``v1.2.0``; invalid versions compare equal to each other and below every
valid one.
"""

from __future__ import annotations

import functools

from bot.record import record

__all__ = [
    "ModuleSortKey",
    "SortKey",
    "build",
    "canonical",
    "canonical_module_version",
    "check_path_major",
    "compare",
    "is_prerelease",
    "is_valid",
    "major",
    "major_minor",
    "max_version",
    "module_sort_key",
    "prerelease",
    "sort_key",
    "sort_versions",
    "split_path_version",
]


@record
class _Parsed:
    """The parts of a valid semantic version."""

    major: str
    minor: str
    patch: str
    short: str  # what a shorthand lacks: ".0.0", ".0" or ""
    prerelease: str  # "-alpha.1" or ""
    build: str  # "+meta" or ""


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _parse_int(v: str) -> tuple[str, str] | None:
    if not v or not _is_digit(v[0]):
        return None
    i = 1
    while i < len(v) and _is_digit(v[i]):
        i += 1
    if v[0] == "0" and i != 1:
        return None
    return v[:i], v[i:]


def _is_ident_char(c: str) -> bool:
    return "A" <= c <= "Z" or "a" <= c <= "z" or "0" <= c <= "9" or c == "-"


def _is_bad_num(v: str) -> bool:
    return len(v) > 1 and v[0] == "0" and all(_is_digit(c) for c in v)


def _is_num(v: str) -> bool:
    return all(_is_digit(c) for c in v)


def _parse_prerelease(v: str) -> tuple[str, str] | None:
    if not v or v[0] != "-":
        return None
    i = start = 1
    while i < len(v) and v[i] != "+":
        c = v[i]
        if not _is_ident_char(c) and c != ".":
            return None
        if c == ".":
            if start == i or _is_bad_num(v[start:i]):
                return None
            start = i + 1
        i += 1
    if start == i or _is_bad_num(v[start:i]):
        return None
    return v[:i], v[i:]


def _parse_build(v: str) -> tuple[str, str] | None:
    if not v or v[0] != "+":
        return None
    i = start = 1
    while i < len(v):
        c = v[i]
        if not _is_ident_char(c) and c != ".":
            return None
        if c == ".":
            if start == i:
                return None
            start = i + 1
        i += 1
    if start == i:
        return None
    return v[:i], v[i:]


@functools.lru_cache(maxsize=4096)  # pure; a monorepo's go.mod files repeat their versions
def _parse(v: str) -> _Parsed | None:
    if not v or v[0] != "v":
        return None
    r = _parse_int(v[1:])
    if r is None:
        return None
    major_, rest = r
    if rest == "":
        return _Parsed(major_, "0", "0", ".0.0", "", "")
    if rest[0] != ".":
        return None
    r = _parse_int(rest[1:])
    if r is None:
        return None
    minor, rest = r
    if rest == "":
        return _Parsed(major_, minor, "0", ".0", "", "")
    if rest[0] != ".":
        return None
    r = _parse_int(rest[1:])
    if r is None:
        return None
    patch, rest = r
    pre = bld = ""
    if rest and rest[0] == "-":
        r = _parse_prerelease(rest)
        if r is None:
            return None
        pre, rest = r
    if rest and rest[0] == "+":
        r = _parse_build(rest)
        if r is None:
            return None
        bld, rest = r
    if rest:
        return None
    return _Parsed(major_, minor, patch, "", pre, bld)


def is_valid(v: str) -> bool:
    """Whether ``v`` is a valid semantic version (shorthands ``v1``, ``v1.2`` included)."""
    return _parse(v) is not None


def canonical(v: str) -> str:
    """``v1`` -> ``v1.0.0``; drops build metadata; ``""`` for an invalid version."""
    p = _parse(v)
    if p is None:
        return ""
    if p.build:
        return v[: len(v) - len(p.build)]
    if p.short:
        return v + p.short
    return v


def canonical_module_version(v: str) -> str:
    """``module.CanonicalVersion``: like :func:`canonical` but keeps ``+incompatible``."""
    cv = canonical(v)
    if build(v) == "+incompatible":
        cv += "+incompatible"
    return cv


def major(v: str) -> str:
    """``v1.2.3`` -> ``v1``; ``""`` for an invalid version."""
    p = _parse(v)
    if p is None:
        return ""
    return v[: 1 + len(p.major)]


def major_minor(v: str) -> str:
    """``v1.2.3`` -> ``v1.2``; ``v1`` -> ``v1.0``; ``""`` for an invalid version."""
    p = _parse(v)
    if p is None:
        return ""
    i = 1 + len(p.major)
    j = i + 1 + len(p.minor)
    if j <= len(v) and v[i] == "." and v[i + 1 : j] == p.minor:
        return v[:j]
    return v[:i] + "." + p.minor


def prerelease(v: str) -> str:
    """``v1.2.3-pre+meta`` -> ``-pre``; ``""`` if none or invalid."""
    p = _parse(v)
    return p.prerelease if p else ""


def build(v: str) -> str:
    """``v1.2.3+meta`` -> ``+meta``; ``""`` if none or invalid."""
    p = _parse(v)
    return p.build if p else ""


def is_prerelease(v: str) -> bool:
    """Whether ``v`` is a valid version with a prerelease part (pseudo-versions included)."""
    return prerelease(v) != ""


def _compare_int(x: str, y: str) -> int:
    if x == y:
        return 0
    if len(x) != len(y):
        return -1 if len(x) < len(y) else 1
    return -1 if x < y else 1


def _next_ident(x: str) -> tuple[str, str]:
    i = 0
    while i < len(x) and x[i] != ".":
        i += 1
    return x[:i], x[i:]


def _compare_prerelease(x: str, y: str) -> int:
    if x == y:
        return 0
    if x == "":
        return 1
    if y == "":
        return -1
    while x and y:
        dx, x = _next_ident(x[1:])
        dy, y = _next_ident(y[1:])
        if dx != dy:
            ix, iy = _is_num(dx), _is_num(dy)
            if ix != iy:
                return -1 if ix else 1
            if ix and len(dx) != len(dy):
                return -1 if len(dx) < len(dy) else 1
            return -1 if dx < dy else 1
    return -1 if x == "" else 1


def compare(a: str, b: str) -> int:
    """-1, 0 or +1. Invalid versions are equal to each other and below valid ones;
    build metadata is ignored (``v1.0.0`` == ``v1.0.0+incompatible``)."""
    pa, pb = _parse(a), _parse(b)
    if pa is None and pb is None:
        return 0
    if pa is None:
        return -1
    if pb is None:
        return 1
    for x, y in ((pa.major, pb.major), (pa.minor, pb.minor), (pa.patch, pb.patch)):
        c = _compare_int(x, y)
        if c:
            return c
    return _compare_prerelease(pa.prerelease, pb.prerelease)


def max_version(a: str, b: str) -> str:
    """``semver.Max``: the larger of the two canonicalised versions."""
    a, b = canonical(a), canonical(b)
    return a if compare(a, b) > 0 else b


def _order_key(v: str) -> tuple[object, ...]:
    """A key whose order is exactly :func:`compare` (ties stay ties)."""
    p = _parse(v)
    if p is None:
        return (0,)
    pre: tuple[object, ...]
    if not p.prerelease:
        pre = (1,)
    else:
        idents: list[tuple[int, int | str]] = []
        for ident in p.prerelease[1:].split("."):
            idents.append((0, int(ident)) if _is_num(ident) else (1, ident))
        pre = (0, *idents)
    return (1, int(p.major), int(p.minor), int(p.patch), pre)


SortKey = tuple[tuple[object, ...], str]
ModuleSortKey = tuple[str, tuple[object, ...], str, str]


def sort_key(v: str) -> SortKey:
    """A key for :func:`sorted` giving ``semver.Sort`` order: by :func:`compare`,
    ties broken by plain string order."""
    return _sort_key_typed(v)


def sort_versions(versions: list[str] | tuple[str, ...]) -> list[str]:
    """``semver.Sort``."""
    return sorted(versions, key=_sort_key_typed)


def _sort_key_typed(v: str) -> SortKey:
    return (_order_key(v), v)


def module_sort_key(path: str, version: str) -> ModuleSortKey:
    """A key for :func:`sorted` giving ``module.Sort`` order (used for go.sum lines):
    by path (byte order), then by semantic version, then by a ``/go.mod``-style
    suffix of the version as a string, so ``v1.0.0`` precedes ``v1.0.0/go.mod``."""
    v, slash, file_ = version.partition("/")
    return (path, _order_key(v), slash + file_, v)


# Module path major-version suffixes (``module.SplitPathVersion`` and friends).


def _split_gopkg_in(path: str) -> tuple[str, str, bool]:
    i = len(path)
    if path.endswith("-unstable"):
        i -= len("-unstable")
    while i > 0 and _is_digit(path[i - 1]):
        i -= 1
    if i <= 1 or path[i - 1] != "v" or path[i - 2] != ".":
        return path, "", False
    prefix, path_major = path[: i - 2], path[i - 2 :]
    if len(path_major) <= 2 or (path_major[2] == "0" and path_major != ".v0"):
        return path, "", False
    return prefix, path_major, True


def split_path_version(path: str) -> tuple[str, str, bool]:
    """``module.SplitPathVersion``: ``example.com/m/v2`` -> (``example.com/m``, ``/v2``, True).

    ``ok`` is False for a path whose last element looks like a bad major version
    (``/v1``, ``/v02``, ``/v2.1``) or a ``gopkg.in`` path without ``.vN``."""
    if path.startswith("gopkg.in/"):
        return _split_gopkg_in(path)
    i = len(path)
    dot = False
    while i > 0 and (_is_digit(path[i - 1]) or path[i - 1] == "."):
        if path[i - 1] == ".":
            dot = True
        i -= 1
    if i <= 1 or i == len(path) or path[i - 1] != "v" or path[i - 2] != "/":
        return path, "", True
    prefix, path_major = path[: i - 2], path[i - 2 :]
    if dot or len(path_major) <= 2 or path_major[2] == "0" or path_major == "/v1":
        return path, "", False
    return prefix, path_major, True


def check_path_major(v: str, path_major: str) -> str | None:
    """``module.CheckPathMajor``: None if version ``v`` fits the path's major suffix,
    else go's message, e.g. ``version "v1.0.0" invalid: should be v2, not v1``."""
    if path_major.startswith(".v") and path_major.endswith("-unstable"):
        path_major = path_major.removesuffix("-unstable")
    if v.startswith("v0.0.0-") and path_major == ".v1":
        return None
    m = major(v)
    if path_major == "":
        if m in ("v0", "v1") or build(v) == "+incompatible":
            return None
        want = "v0 or v1"
    else:
        if m == path_major[1:]:
            return None
        want = path_major[1:]
    return f'version "{v}" invalid: should be {want}, not {m}'
