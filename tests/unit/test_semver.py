"""Semantic versions: the vectors of reference §3.2-3.3 and golang.org/x/mod/semver's tests."""

from __future__ import annotations

import itertools

import pytest

from bot.engine import semver

# (version, canonical) pairs from x/mod semver_test.go; "" means invalid.
TESTS = [
    ("bad", ""),
    ("v1-alpha.beta.gamma", ""),
    ("v1-pre", ""),
    ("v1+meta", ""),
    ("v1-pre+meta", ""),
    ("v1.2-pre", ""),
    ("v1.2+meta", ""),
    ("v1.2-pre+meta", ""),
    ("v1.0.0-alpha", "v1.0.0-alpha"),
    ("v1.0.0-alpha.1", "v1.0.0-alpha.1"),
    ("v1.0.0-alpha.beta", "v1.0.0-alpha.beta"),
    ("v1.0.0-beta", "v1.0.0-beta"),
    ("v1.0.0-beta.2", "v1.0.0-beta.2"),
    ("v1.0.0-beta.11", "v1.0.0-beta.11"),
    ("v1.0.0-rc.1", "v1.0.0-rc.1"),
    ("v1", "v1.0.0"),
    ("v1.0", "v1.0.0"),
    ("v1.0.0", "v1.0.0"),
    ("v1.2", "v1.2.0"),
    ("v1.2.0", "v1.2.0"),
    ("v1.2.3-456", "v1.2.3-456"),
    ("v1.2.3-456.789", "v1.2.3-456.789"),
    ("v1.2.3-456-789", "v1.2.3-456-789"),
    ("v1.2.3-456a", "v1.2.3-456a"),
    ("v1.2.3-pre", "v1.2.3-pre"),
    ("v1.2.3-pre+meta", "v1.2.3-pre"),
    ("v1.2.3-pre.1", "v1.2.3-pre.1"),
    ("v1.2.3-zzz", "v1.2.3-zzz"),
    ("v1.2.3", "v1.2.3"),
    ("v1.2.3+meta", "v1.2.3"),
    ("v1.2.3+meta-pre", "v1.2.3"),
    ("v1.2.3+meta-pre.sha.256a", "v1.2.3"),
]


@pytest.mark.parametrize(("v", "want"), TESTS)
def test_is_valid_and_canonical(v: str, want: str) -> None:
    assert semver.is_valid(v) == (want != "")
    assert semver.canonical(v) == want


@pytest.mark.parametrize("v", ["v01.2.3", "1.2.3", "v1.2.3-01", "v1.2.3-", "v1.2.3+", "v1..2", ""])
def test_invalid_vectors(v: str) -> None:
    assert not semver.is_valid(v)
    assert semver.canonical(v) == ""
    assert semver.major(v) == ""


@pytest.mark.parametrize(
    ("v", "major", "major_minor", "pre", "build"),
    [
        ("v1", "v1", "v1.0", "", ""),
        ("v1.2", "v1", "v1.2", "", ""),
        ("v2.3.4-rc.1+meta", "v2", "v2.3", "-rc.1", "+meta"),
        ("v0.0.0-20191109021931-daa7c04131f5", "v0", "v0.0", "-20191109021931-daa7c04131f5", ""),
        ("v3.0.0+incompatible", "v3", "v3.0", "", "+incompatible"),
    ],
)
def test_parts(v: str, major: str, major_minor: str, pre: str, build: str) -> None:
    assert semver.major(v) == major
    assert semver.major_minor(v) == major_minor
    assert semver.prerelease(v) == pre
    assert semver.build(v) == build
    assert semver.is_prerelease(v) == (pre != "")


def test_compare_follows_the_table_order() -> None:
    # TESTS is sorted ascending except that equal versions (after canonicalisation) repeat.
    for (i, (a, _)), (j, (b, _)) in itertools.product(enumerate(TESTS), repeat=2):
        ca, cb = semver.canonical(a), semver.canonical(b)
        # both invalid ("") or equal once canonical, else the table order
        want = 0 if ca == cb else (i > j) - (i < j)
        got = semver.compare(a, b)
        assert got == want, (a, b)


def test_reference_sort_order_and_sort_key() -> None:
    ordered = [
        "v0.9.0",
        "v1.0.0-alpha",
        "v1.0.0-alpha.1",
        "v1.0.0-beta.2",
        "v1.0.0-beta.11",
        "v1.0.0-rc.1",
        "v1.0.0",
        "v1.0.0+incompatible",
        "v1.0.1-0.20191109021931-daa7c04131f5",
        "v1.10.0",
        "v2.0.0",
    ]
    shuffled = list(reversed(ordered))
    assert sorted(shuffled, key=semver.sort_key) == ordered
    assert semver.sort_versions(shuffled) == ordered
    assert semver.compare("v1.0.0", "v1.0.0+incompatible") == 0
    # invalid versions sort first, and among themselves by string
    assert sorted(["v1.0.0", "zz", "aa"], key=semver.sort_key) == ["aa", "zz", "v1.0.0"]


def test_sort_key_agrees_with_compare() -> None:
    versions = [v for v, _ in TESTS] + ["v1.0.0-beta.9", "v1.0.0-1", "v1.0.0-a-b", "v10.0.0"]
    for a, b in itertools.product(versions, repeat=2):
        c = semver.compare(a, b)
        ka, kb = semver.sort_key(a), semver.sort_key(b)
        if c < 0:
            assert ka < kb, (a, b)
        elif c > 0:
            assert ka > kb, (a, b)


def test_module_sort_key_matches_go_sum_order() -> None:
    # reference §2.1, computed with module.Sort
    want = [
        ("example.com/A", "v1.0.0"),
        ("example.com/a", "v1.9.0"),
        ("example.com/a", "v1.9.0/go.mod"),
        ("example.com/a", "v1.10.0"),
        ("example.com/a", "v1.10.0/go.mod"),
    ]
    got = sorted(reversed(want), key=lambda pv: semver.module_sort_key(*pv))
    assert got == want


def test_max_version() -> None:
    assert semver.max_version("v1.2", "v1.10.0") == "v1.10.0"
    assert semver.max_version("v2", "v1.10.0") == "v2.0.0"


def test_canonical_module_version_keeps_incompatible() -> None:
    assert semver.canonical_module_version("v2.0.0+incompatible") == "v2.0.0+incompatible"
    assert semver.canonical_module_version("v2.0.0+meta") == "v2.0.0"
    assert semver.canonical_module_version("v2") == "v2.0.0"
    assert semver.canonical_module_version("master") == ""


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("example.com/m", ("example.com/m", "", True)),
        ("example.com/m/v2", ("example.com/m", "/v2", True)),
        ("example.com/m/v1", ("example.com/m/v1", "", False)),
        ("example.com/m/v02", ("example.com/m/v02", "", False)),
        ("example.com/m/v2.1", ("example.com/m/v2.1", "", False)),
        ("example.com/v2x", ("example.com/v2x", "", True)),
        ("gopkg.in/yaml.v3", ("gopkg.in/yaml", ".v3", True)),
        ("gopkg.in/check.v1", ("gopkg.in/check", ".v1", True)),
        ("gopkg.in/foo.v0", ("gopkg.in/foo", ".v0", True)),
        ("gopkg.in/foo.v2-unstable", ("gopkg.in/foo", ".v2-unstable", True)),
        ("gopkg.in/foo", ("gopkg.in/foo", "", False)),
        ("gopkg.in/foo.v01", ("gopkg.in/foo.v01", "", False)),
    ],
)
def test_split_path_version(path: str, want: tuple[str, str, bool]) -> None:
    assert semver.split_path_version(path) == want


@pytest.mark.parametrize(
    ("version", "path_major", "want"),
    [
        ("v1.0.0", "", None),
        ("v0.3.0", "", None),
        ("v2.0.0+incompatible", "", None),
        ("v2.0.0", "", 'version "v2.0.0" invalid: should be v0 or v1, not v2'),
        ("v2.1.0", "/v2", None),
        ("v1.0.0", "/v2", 'version "v1.0.0" invalid: should be v2, not v1'),
        ("v3.0.0", ".v3", None),
        ("v0.0.0-20161208181325-20d25e280405", ".v1", None),
        ("v2.0.0", ".v2-unstable", None),
        ("v1.0.0", ".v2", 'version "v1.0.0" invalid: should be v2, not v1'),
    ],
)
def test_check_path_major(version: str, path_major: str, want: str | None) -> None:
    assert semver.check_path_major(version, path_major) == want
