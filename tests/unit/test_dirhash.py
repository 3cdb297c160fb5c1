"""h1: hashes: golang.org/x/mod/sumdb/dirhash test vectors and the go.sum vectors."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.engine.dirhash import hash_dir, hash_files, hash_gomod, hash_zip

# TestHash1 in golang.org/x/mod/sumdb/dirhash/hash_test.go, and its prefixed variant.
H1_ABC_XYZ = "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8="
H1_PREFIX_ABC_XYZ = "h1:rLyfpGMAgqOnGE2aKOY5Xb6cOc0/YQhPjHBHBwkblhs="


def _data_for(name: str) -> Callable[[], bytes]:
    base = name.rsplit("/", 1)[-1]
    return lambda: f"data for {base}".encode()


def _expected(names: list[str]) -> str:
    """The hash_test.go formula: htop("h1", "<sha256hex>  <name>\\n" ... in sorted order)."""
    summary = "".join(f"{hashlib.sha256(_data_for(n)()).hexdigest()}  {n}\n" for n in sorted(names))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def test_hash1_vector_from_dirhash_tests() -> None:
    assert hash_files([(n, _data_for(n)) for n in ["xyz", "abc"]]) == H1_ABC_XYZ
    assert _expected(["xyz", "abc"]) == H1_ABC_XYZ


def test_hash1_is_independent_of_input_order() -> None:
    names = ["prefix/xyz", "prefix/abc"]
    forward = hash_files([(n, _data_for(n)) for n in names])
    backward = hash_files([(n, _data_for(n)) for n in reversed(names)])
    assert forward == backward == H1_PREFIX_ABC_XYZ


def test_hash1_rejects_newlines_in_names() -> None:
    with pytest.raises(ValueError, match="dirhash: filenames with newlines are not supported"):
        hash_files([("xyz", _data_for("xyz")), ("a\nbc", _data_for("abc"))])


def test_hash1_of_nothing() -> None:
    # sha256 of the empty summary.
    assert hash_files([]) == "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_hash1_sorts_names_bytewise() -> None:
    # "B" < "a" < "é" in byte order; the summary must list them that way.
    names = ["é", "a", "B"]
    got = hash_files([(n, n.encode) for n in names])
    summary = "".join(f"{hashlib.sha256(n.encode()).hexdigest()}  {n}\n" for n in ["B", "a", "é"])
    assert got == "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def test_hash_dir_vector(tmp_path: Path) -> None:
    (tmp_path / "xyz").write_text("data for xyz")
    (tmp_path / "abc").write_text("data for abc")
    assert hash_dir(tmp_path, "prefix") == H1_PREFIX_ABC_XYZ


def test_hash_dir_walks_subdirectories_with_slash_names(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "xyz").write_text("data for xyz")
    (tmp_path / "abc").write_text("data for abc")
    assert hash_dir(tmp_path, "foo/bar@v2.3.4") == _expected(
        ["foo/bar@v2.3.4/abc", "foo/bar@v2.3.4/sub/deeper/xyz"]
    )


def test_hash_dir_follows_symlinks_like_go(tmp_path: Path) -> None:
    (tmp_path / "abc").write_text("data for abc")
    os.symlink(tmp_path / "abc", tmp_path / "xyz")
    # the link is hashed under its own name with the target's content
    summary = "".join(
        f"{hashlib.sha256(b'data for abc').hexdigest()}  p/{n}\n" for n in ["abc", "xyz"]
    )
    want = "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()
    assert hash_dir(tmp_path, "p") == want


def test_hash_dir_of_a_file_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "not-a-directory.txt"
    f.write_text("This is a file.")
    with pytest.raises(NotADirectoryError, match="is not a directory"):
        hash_dir(f, "")


def test_hash_zip_vector(tmp_path: Path) -> None:
    z = tmp_path / "m.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("prefix/xyz", "data for xyz")
        zf.writestr("prefix/abc", "data for abc")
    assert hash_zip(z) == H1_PREFIX_ABC_XYZ


def test_hash_zip_ignores_compression_timestamps_and_order(tmp_path: Path) -> None:
    stored, deflated = tmp_path / "stored.zip", tmp_path / "deflated.zip"
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(zipfile.ZipInfo("prefix/abc", (2001, 2, 3, 4, 5, 6)), "data for abc")
        zf.writestr(zipfile.ZipInfo("prefix/xyz", (1999, 1, 1, 0, 0, 0)), "data for xyz")
    with zipfile.ZipFile(deflated, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("prefix/xyz", "data for xyz")
        zf.writestr("prefix/abc", "data for abc")
    assert stored.read_bytes() != deflated.read_bytes()
    assert hash_zip(stored) == hash_zip(deflated) == H1_PREFIX_ABC_XYZ


def test_hash_zip_counts_directory_entries_as_empty_files(tmp_path: Path) -> None:
    z = tmp_path / "dirs.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("prefix/", "")
        zf.writestr("prefix/abc", "data for abc")
    summary = (
        f"{hashlib.sha256(b'').hexdigest()}  prefix/\n"
        f"{hashlib.sha256(b'data for abc').hexdigest()}  prefix/abc\n"
    )
    assert (
        hash_zip(z) == "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()
    )


def test_hash_dir_equals_hash_zip_of_the_same_tree(tmp_path: Path) -> None:
    files = {"go.mod": "module example.com/m\n", "a/a.go": "package a\n", "LICENSE": "x\n"}
    root = tmp_path / "tree"
    z = tmp_path / "m.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
            zf.writestr(f"example.com/m@v1.0.0/{rel}", text)
    assert hash_dir(root, "example.com/m@v1.0.0") == hash_zip(z)


@pytest.mark.parametrize(
    ("content", "want"),
    [
        # emptyGoModHash in cmd/go/internal/modfetch/fetch.go
        (b"", "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="),
        (b"module example.com/m\n", "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k="),
        (
            b"module example.com/a\n\ngo 1.21\n\nrequire example.com/b v1.0.0\n",
            "h1:Iz4LqFwWPTXGh7fB4pLUjv0WBm2F5Au27mBiQgYnuU8=",
        ),
    ],
)
def test_hash_gomod_vectors(content: bytes, want: str) -> None:
    assert hash_gomod(content) == want


def test_hash_gomod_is_byte_exact() -> None:
    assert hash_gomod(b"module example.com/m\n") != hash_gomod(b"module example.com/m\r\n")
