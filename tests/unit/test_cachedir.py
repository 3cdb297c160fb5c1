"""The action's cache directory: where Go's caches go, and which names are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cachedir import cache_env, extracted_module
from bot.engine.discover import discover
from bot.errors import ConfigError, UsageError


def test_no_cache_dir_leaves_go_alone(tmp_path: Path) -> None:
    assert cache_env(tmp_path, "", {"GOFLAGS": "-x"}) == {}
    assert list(tmp_path.iterdir()) == []


def test_go_caches_and_a_gitignore_in_the_cache_dir(tmp_path: Path) -> None:
    env = cache_env(tmp_path, ".tidybot-cache", {"GOFLAGS": "-tags=x"})
    cache = (tmp_path / ".tidybot-cache").resolve()
    assert env == {
        "GOPATH": f"{cache}/go",
        "GOMODCACHE": f"{cache}/go/pkg/mod",
        "GOCACHE": f"{cache}/go-build",
        "GOFLAGS": "-tags=x -modcacherw",  # the runner's user can delete what go extracted
    }
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    # again: the same, the flag not doubled, an edited .gitignore kept
    (cache / ".gitignore").write_text("*\n# mine\n")
    assert cache_env(tmp_path, ".tidybot-cache", {"GOFLAGS": env["GOFLAGS"]}) == env
    assert (cache / ".gitignore").read_text() == "*\n# mine\n"
    assert cache_env(tmp_path, "ci/_cache", {})["GOFLAGS"] == "-modcacherw"


def test_discovery_skips_the_modules_in_the_cache_dir(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    env = cache_env(tmp_path, ".tidybot-cache", {})
    extracted = Path(env["GOMODCACHE"]) / "example.com" / "greet@v1.0.0"
    extracted.mkdir(parents=True)
    (extracted / "go.mod").write_text("module example.com/greet\n")
    assert [m.dir for m in discover(tmp_path)] == ["."]


@pytest.mark.parametrize("name", ["tidybot-cache", "ci/cache", "./cache", "../x/cache"])
def test_a_name_go_would_walk_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError) as err:
        cache_env(tmp_path, name, {})
    assert err.value.message == (
        f"input 'cache-dir' is {name!r}: it holds Go's module cache, whose modules go's ./... "
        "and tidybot would take for the repository's own"
    )
    assert err.value.hint == "name a directory starting with '.', such as .tidybot-cache"
    assert list(tmp_path.iterdir()) == []


def test_an_unusable_cache_dir_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".cache").write_text("a file in the way")
    with pytest.raises(UsageError, match=r"^input 'cache-dir': cannot use '\.cache' as the cache"):
        cache_env(tmp_path, ".cache", {})


def test_extracted_modules_are_told_from_what_go_changes(tmp_path: Path) -> None:
    mod = cache_env(tmp_path, ".tidybot-cache", {})["GOMODCACHE"]
    assert extracted_module(f"{mod}/example.com/greet@v1.0.0")
    assert extracted_module(f"{mod}/golang.org/toolchain@v0.0.1-go1.25.3.linux-amd64")
    assert not extracted_module(f"{mod}/example.com/greet@v1.0.0/sub")
    assert not extracted_module(f"{mod}/example.com")
    assert not extracted_module(f"{mod}/cache/download/example.com/greet/@v")
    assert not extracted_module(f"{tmp_path}/.tidybot/x@y")  # not in a module cache
