"""Module paths: the golang.org/x/mod/module test tables and the reference's error texts."""

from __future__ import annotations

import pytest

from bot.engine.modpath import (
    check_file_path,
    check_import_path,
    check_path,
    escape_path,
    escape_version,
    match_prefix_patterns,
    path_match,
    split_path_version,
    unescape_path,
    unescape_version,
)

# checkPathTests from golang.org/x/mod/module/module_test.go: (path, module ok, import ok,
# file ok), with the answers of the x/mod that go1.26 vendors (leading dots and "+" are valid
# in import paths, a leading dash in file paths); tests/integration/test_goproxy_fixture.py
# asks that x/mod about every row. "\udcff" stands for the invalid UTF-8 byte 0xFF.
CHECK_PATH_TESTS = [
    ("x.y/z", True, True, True),
    ("x.y", True, True, True),
    ("", False, False, False),
    ("x.y/\udcffz", False, False, False),
    ("/x.y/z", False, False, False),
    ("x./z", False, False, False),
    (".x/z", False, True, True),
    ("-x/z", False, False, True),
    ("x..y/z", True, True, True),
    ("x.y/z/../../w", False, False, False),
    ("x.y//z", False, False, False),
    ("x.y/z//w", False, False, False),
    ("x.y/z/", False, False, False),
    ("x.y/z/v0", False, True, True),
    ("x.y/z/v1", False, True, True),
    ("x.y/z/v2", True, True, True),
    ("x.y/z/v2.0", False, True, True),
    ("X.y/z", False, True, True),
    ("!x.y/z", False, False, True),
    ("_x.y/z", False, True, True),
    ("x.y!/z", False, False, True),
    ('x.y"/z', False, False, False),
    ("x.y#/z", False, False, True),
    ("x.y$/z", False, False, True),
    ("x.y%/z", False, False, True),
    ("x.y&/z", False, False, True),
    ("x.y'/z", False, False, False),
    ("x.y(/z", False, False, True),
    ("x.y)/z", False, False, True),
    ("x.y*/z", False, False, False),
    ("x.y+/z", False, True, True),
    ("x.y,/z", False, False, True),
    ("x.y-/z", True, True, True),
    ("x.y./zt", False, False, False),
    ("x.y:/z", False, False, False),
    ("x.y;/z", False, False, False),
    ("x.y</z", False, False, False),
    ("x.y=/z", False, False, True),
    ("x.y>/z", False, False, False),
    ("x.y?/z", False, False, False),
    ("x.y@/z", False, False, True),
    ("x.y[/z", False, False, True),
    ("x.y\\/z", False, False, False),
    ("x.y]/z", False, False, True),
    ("x.y^/z", False, False, True),
    ("x.y_/z", False, True, True),
    ("x.y`/z", False, False, False),
    ("x.y{/z", False, False, True),
    ("x.y}/z", False, False, True),
    ("x.y~/z", False, True, True),
    ("x.y/z!", False, False, True),
    ('x.y/z"', False, False, False),
    ("x.y/z#", False, False, True),
    ("x.y/z$", False, False, True),
    ("x.y/z%", False, False, True),
    ("x.y/z&", False, False, True),
    ("x.y/z'", False, False, False),
    ("x.y/z(", False, False, True),
    ("x.y/z)", False, False, True),
    ("x.y/z*", False, False, False),
    ("x.y/z+", False, True, True),
    ("x.y/z,", False, False, True),
    ("x.y/z-", True, True, True),
    ("x.y/z.t", True, True, True),
    ("x.y/z/t", True, True, True),
    ("x.y/z:", False, False, False),
    ("x.y/z;", False, False, False),
    ("x.y/z<", False, False, False),
    ("x.y/z=", False, False, True),
    ("x.y/z>", False, False, False),
    ("x.y/z?", False, False, False),
    ("x.y/z@", False, False, True),
    ("x.y/z[", False, False, True),
    ("x.y/z\\", False, False, False),
    ("x.y/z]", False, False, True),
    ("x.y/z^", False, False, True),
    ("x.y/z_", True, True, True),
    ("x.y/z`", False, False, False),
    ("x.y/z{", False, False, True),
    ("x.y/z}", False, False, True),
    ("x.y/z~", True, True, True),
    ("x.y/x.foo", True, True, True),
    ("x.y/aux.foo", False, False, False),
    ("x.y/prn", False, False, False),
    ("x.y/prn2", True, True, True),
    ("x.y/com", True, True, True),
    ("x.y/com1", False, False, False),
    ("x.y/com1.txt", False, False, False),
    ("x.y/calm1", True, True, True),
    ("x.y/z~0", False, False, True),
    ("x.y/z~09", False, False, True),
    ("x.y/z09", True, True, True),
    ("x.y/z09~", True, True, True),
    ("x.y/z09~09z", True, True, True),
    ("x.y/z09~09z~09", False, False, True),
    ("github.com/!123/logrus", False, False, True),
    ("github.com/user/unicode/испытание", False, False, True),
    ("../x", False, False, False),
    ("./y", False, False, False),
    ("x:y", False, False, False),
    ("\\temp\\foo", False, False, False),
    (".gitignore", False, True, True),
    (".github/ISSUE_TEMPLATE", False, True, True),
    ("x☺y", False, False, False),
]


def _ok(check: object, path: str) -> bool:
    assert callable(check)
    try:
        check(path)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("path", "ok", "import_ok", "file_ok"), CHECK_PATH_TESTS)
def test_check_path_table(path: str, ok: bool, import_ok: bool, file_ok: bool) -> None:
    assert (
        _ok(check_path, path),
        _ok(check_import_path, path),
        _ok(check_file_path, path),
    ) == (ok, import_ok, file_ok)


@pytest.mark.parametrize(("path", "ok", "import_ok", "file_ok"), CHECK_PATH_TESTS)
def test_split_path_version_adds_up_to_input(
    path: str, ok: bool, import_ok: bool, file_ok: bool
) -> None:
    prefix, major, _ = split_path_version(path)
    assert prefix + major == path


@pytest.mark.parametrize(("path", "ok", "import_ok", "file_ok"), CHECK_PATH_TESTS)
def test_invalid_paths_neither_escape_nor_unescape(
    path: str, ok: bool, import_ok: bool, file_ok: bool
) -> None:
    if ok:
        assert unescape_path(escape_path(path)) == path
    else:
        with pytest.raises(ValueError, match="malformed module path"):
            escape_path(path)
        with pytest.raises(ValueError, match="invalid escaped module path"):
            unescape_path(path)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("Example.com/m", "invalid char 'E' in first path element"),
        ("example/m", "missing dot in first path element"),
        ("example.com/.m", "leading dot in path element"),
        ("example.com/con", '"con" disallowed as path element component on Windows'),
        ("example.com/EXAMPL~1", "trailing tilde and digits in path element"),
        ("example.com/a+b", "invalid char '+'"),
        ("example.com/m/v1", "invalid version"),
        ("example.com/m/v2.1", "invalid version"),
        ("example.com/m/v02", "invalid version"),
        ("gopkg.in/foo", "invalid version"),
        ("", "empty string"),
        ("-x.y/z", "leading dash"),
        ("x.y//z", "double slash"),
        ("x.y/z/", "trailing slash"),
        ("x.y/..", 'invalid path element ".."'),
        ("x.y/z.", "trailing dot in path element"),
        ("x.y/\udcffz", "invalid UTF-8"),
    ],
)
def test_check_path_messages_are_gos(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^malformed module path ") as info:
        check_path(path)
    quoted = '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    quoted = quoted.replace("\udcff", "\\xff")  # go: strconv.Quote of the byte 0xFF
    assert str(info.value) == f"malformed module path {quoted}: {message}"


def test_import_paths_are_more_permissive_than_module_paths() -> None:
    check_import_path("Example.com/m")
    check_import_path("example.com/a+b")
    with pytest.raises(
        ValueError, match=r"^malformed import path \"x\.y/z\*\": invalid char '\*'$"
    ):
        check_import_path("x.y/z*")


def test_file_path_message() -> None:
    with pytest.raises(ValueError, match=r'^malformed file path "a/\.\./b": invalid path element'):
        check_file_path("a/../b")


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("x.y/z", ("x.y/z", "", True)),
        ("x.y/z/v2", ("x.y/z", "/v2", True)),
        ("x.y/z/v3", ("x.y/z", "/v3", True)),
        ("x.y/v", ("x.y/v", "", True)),
        ("example.com/a/v2", ("example.com/a", "/v2", True)),
        ("example.com/a/v10", ("example.com/a", "/v10", True)),
        ("example.com/a/v1", ("example.com/a/v1", "", False)),
        ("example.com/a/v0", ("example.com/a/v0", "", False)),
        ("example.com/a/v02", ("example.com/a/v02", "", False)),
        ("example.com/a/v2.0", ("example.com/a/v2.0", "", False)),
        ("example.com/a/2", ("example.com/a/2", "", True)),
        ("gopkg.in/yaml.v0", ("gopkg.in/yaml", ".v0", True)),
        ("gopkg.in/yaml.v1", ("gopkg.in/yaml", ".v1", True)),
        ("gopkg.in/yaml.v2", ("gopkg.in/yaml", ".v2", True)),
        ("gopkg.in/yaml.v3", ("gopkg.in/yaml", ".v3", True)),
        ("gopkg.in/yaml.v3-unstable", ("gopkg.in/yaml", ".v3-unstable", True)),
        ("gopkg.in/yaml.v03", ("gopkg.in/yaml.v03", "", False)),
        ("gopkg.in/yaml", ("gopkg.in/yaml", "", False)),
    ],
)
def test_split_path_version(path: str, want: tuple[str, str, bool]) -> None:
    assert split_path_version(path) == want


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        ("ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789", None),
        ("github.com/GoogleCloudPlatform/omega", "github.com/!google!cloud!platform/omega"),
        ("github.com/Azure/azure-sdk-for-go", "github.com/!azure/azure-sdk-for-go"),
        ("github.com/Sirupsen/logrus", "github.com/!sirupsen/logrus"),
        ("example.com/Upper", "example.com/!upper"),
        ("example.com/lib/v2", None),
    ],
)
def test_escape_path_round_trip(path: str, escaped: str | None) -> None:
    want = path if escaped is None else escaped
    assert escape_path(path) == want
    assert unescape_path(want) == path


@pytest.mark.parametrize(
    "bad",
    [
        "github.com/GoogleCloudPlatform/omega",
        "github.com/!google!cloud!platform!/omega",
        "github.com/!0google!cloud!platform/omega",
        "github.com/!_google!cloud!platform/omega",
        "github.com/!!google!cloud!platform/omega",
        "",
        "github.com/!google!",
        "github.com/пример",
    ],
)
def test_unescape_path_rejects_bad_escapes(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid escaped module path"):
        unescape_path(bad)


@pytest.mark.parametrize(
    ("version", "escaped"),
    [
        ("v1.0.0", "v1.0.0"),
        ("v1.0.0-RC1", "v1.0.0-!r!c1"),
        ("v2.0.0+incompatible", "v2.0.0+incompatible"),
        ("master", "master"),
        ("Feature-Branch", "!feature-!branch"),
    ],
)
def test_escape_version_round_trip(version: str, escaped: str) -> None:
    assert escape_version(version) == escaped
    assert unescape_version(escaped) == version


@pytest.mark.parametrize("bad", ["v1.0.0!", "", "..", "a/b", "v1:0"])
def test_escape_version_rejects_disallowed_strings(bad: str) -> None:
    with pytest.raises(ValueError, match=r"invalid: disallowed version string$"):
        escape_version(bad)


@pytest.mark.parametrize("bad", ["v1.0.0-RC1", "v1.0.0-!", "v1.0.0-!1", "v1/0", ""])
def test_unescape_version_rejects_bad_escapes(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid escaped version"):
        unescape_version(bad)


# TestMatchPrefixPatterns from golang.org/x/mod/module/module_test.go (current version, in
# which one trailing slash of a glob is trimmed), plus the reference's extra rows.
@pytest.mark.parametrize(
    ("globs", "target", "want"),
    [
        ("", "rsc.io/quote", False),
        ("/", "rsc.io/quote", False),
        ("*/quote", "rsc.io/quote", True),
        ("*/quo", "rsc.io/quote", False),
        ("*/quo??", "rsc.io/quote", True),
        ("*/quo*", "rsc.io/quote", True),
        ("*quo*", "rsc.io/quote", False),
        ("rsc.io", "rsc.io/quote", True),
        ("*.io", "rsc.io/quote", True),
        ("rsc.io/", "rsc.io/quote", True),
        ("rsc", "rsc.io/quote", False),
        ("rsc*", "rsc.io/quote", True),
        ("rsc.io", "rsc.io/quote/v3", True),
        ("*/quote", "rsc.io/quote/v3", True),
        ("*/quote/", "rsc.io/quote/v3", True),
        ("*/quote/*", "rsc.io/quote/v3", True),
        ("*/v3", "rsc.io/quote/v3", False),
        ("*/*/v3", "rsc.io/quote/v3", True),
        ("*/*/*", "rsc.io/quote/v3", True),
        ("*/*/*", "rsc.io/quote", False),
        ("*/*/*,,", "rsc.io/quote", False),
        ("*/*/*,,*/quote", "rsc.io/quote", True),
        (",,*/quote", "rsc.io/quote", True),
        ("example.com/private,corp.example", "corp.example/x/y", True),
        ("example.com/private", "example.com/public", False),
        ("[", "rsc.io/quote", False),
        ("r[a-z]c.io", "rsc.io/quote", True),
        ("r[^s]c.io", "rsc.io/quote", False),
    ],
)
def test_match_prefix_patterns(globs: str, target: str, want: bool) -> None:
    assert match_prefix_patterns(globs, target) is want


@pytest.mark.parametrize(
    ("pattern", "name", "want"),
    [
        # from the path.Match tests in the Go standard library
        ("abc", "abc", True),
        ("*", "abc", True),
        ("*c", "abc", True),
        ("a*", "a", True),
        ("a*", "abc", True),
        ("a*", "ab/c", False),
        ("a*/b", "abc/b", True),
        ("a*/b", "a/c/b", False),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
        ("a*b?c*x", "abxbbxdbxebxczzx", True),
        ("a*b?c*x", "abxbbxdbxebxczzy", False),
        ("ab[c]", "abc", True),
        ("ab[b-d]", "abc", True),
        ("ab[e-g]", "abc", False),
        ("ab[^c]", "abc", False),
        ("ab[^b-d]", "abc", False),
        ("ab[^e-g]", "abc", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "ab", False),
        ("a?b", "a☺b", True),
        ("a[^a]b", "a☺b", True),
        ("a???b", "a☺b", False),
        ("a[^a][^a][^a]b", "a☺b", False),
        ("[a-ζ]*", "α", True),
        ("*[a-ζ]", "A", False),
        ("a?b", "a/b", False),
        ("a*b", "a/b", False),
        ("[\\]a]", "]", True),
        ("[\\-]", "-", True),
        ("[x\\-]", "x", True),
        ("[x\\-]", "-", True),
        ("[x\\-]", "z", False),
        ("[\\-x]", "x", True),
        ("[\\-x]", "-", True),
        ("[\\-x]", "a", False),
        ("[]a]", "]", False),
        ("[-]", "-", False),
        ("[x-]", "x", False),
        ("[x-]", "-", False),
        ("[x-]", "z", False),
        ("[-x]", "x", False),
        ("[-x]", "-", False),
        ("[-x]", "a", False),
        ("\\", "a", False),
        ("[a-b-c]", "a", False),
        ("[", "a", False),
        ("[^", "a", False),
        ("[^bc", "a", False),
        ("a[", "a", False),
        ("a[", "ab", False),
        ("a[", "x", False),
        ("a/b[", "x", False),
        ("*x", "xxx", True),
    ],
)
def test_path_match_like_go(pattern: str, name: str, want: bool) -> None:
    # A malformed pattern (go: ErrBadPattern) never matches.
    assert path_match(pattern, name) is want
