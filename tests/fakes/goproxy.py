"""A hermetic ``file://`` module proxy built from ``tests/data/modules``, and a ``go``
environment that uses it.

Layout of the sources: ``tests/data/modules/<module path>@<version>/`` holds that version's
files, go.mod included (``tests/data/modules/example.com/greet@v1.0.0/go.mod``).
:func:`build_proxy` turns every such directory into the GOPROXY protocol files
(``<escaped path>/@v/list``, ``<v>.info``, ``<v>.mod``, ``<v>.zip`` and ``@latest``); the zips
follow the module zip rules (golang.org/x/mod/zip ``CreateFromDir``) and are byte-for-byte
deterministic.

pytest fixtures (registered by tests/conftest.py):

- ``goproxy_dir`` (session): the built proxy directory;
- ``goproxy_url`` (session): its ``file://`` URL;
- ``gomodcache`` (session): one module cache shared by the whole session;
- ``gocache`` (session): one build cache, so tests do not each rebuild the standard library;
- ``goenv`` (function): a ``dict[str, str]`` environment for ``go`` that reaches no network and
  no user cache: GOPROXY=<file url>, GONOSUMDB=example.com (the checksum database stays on),
  GOFLAGS=-modcacherw, private GOPATH and HOME,
  GOTOOLCHAIN=local, GOWORK=off, GOENV=off, GOTELEMETRY=off, CGO_ENABLED=0.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine.dirhash import hash_gomod, hash_zip
from bot.engine.modpath import check_file_path, check_path, escape_path, escape_version

__all__ = [
    "FIXED_TIME",
    "MODULES_DIR",
    "FixtureModule",
    "build_proxy",
    "find_fixture_modules",
    "go_environment",
    "gocache",
    "goenv",
    "gomodcache",
    "goproxy_dir",
    "goproxy_url",
    "module_zip_files",
    "proxy_sums",
    "write_module_zip",
    "write_tree",
]

MODULES_DIR = Path(__file__).resolve().parent.parent / "data" / "modules"
"""Where the fixture module sources live."""

FIXED_TIME = "2024-01-01T00:00:00Z"
"""The ``Time`` of the first version of every fixture module; later versions add a day each."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_VCS_DIRS = frozenset({".bzr", ".git", ".hg", ".svn"})
_GO_LINE = re.compile(rb"^\s*go\s+(\d+)\.(\d+)", re.MULTILINE)
_SEMVER = re.compile(
    r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


@dataclass(frozen=True)
class FixtureModule:
    """One version of a fixture module: its path, version and source directory."""

    path: str
    version: str
    root: Path

    @property
    def escaped_path(self) -> str:
        return escape_path(self.path)

    @property
    def escaped_version(self) -> str:
        return escape_version(self.version)


def _semver_key(version: str) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
    m = _SEMVER.match(version)
    if m is None:
        raise ValueError(f"fixture version {version!r} is not a canonical semantic version")
    major, minor, patch, pre = int(m[1]), int(m[2]), int(m[3]), m[4]
    if pre is None:
        return major, minor, patch, 1, ()
    idents = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return major, minor, patch, 0, idents


def find_fixture_modules(src: Path = MODULES_DIR) -> list[FixtureModule]:
    """Every ``<path>@<version>`` directory below ``src``, sorted by path then version."""
    found: list[FixtureModule] = []
    for dirpath, dirnames, _ in os.walk(src):
        keep = []
        for name in sorted(dirnames):
            if "@" in name:
                full = Path(dirpath) / name
                base, version = name.split("@", 1)
                rel = (Path(dirpath) / base).relative_to(src).as_posix()
                check_path(rel)
                _semver_key(version)
                found.append(FixtureModule(rel, version, full))
            else:
                keep.append(name)
        dirnames[:] = keep
    found.sort(key=lambda m: (m.path, _semver_key(m.version)))
    return found


def _go_version_at_least_124(gomod: bytes | None) -> bool:
    if gomod is None:
        return False
    m = _GO_LINE.search(gomod)
    return m is not None and (int(m[1]), int(m[2])) >= (1, 24)


def _is_vendored_package(name: str, new_rules: bool) -> bool:
    """golang.org/x/mod/zip isVendoredPackage, including the legacy offset for go < 1.24."""
    if new_rules and name == "vendor/modules.txt":
        return True
    if name.startswith("vendor/"):
        i = len("vendor/")
    elif (j := name.find("/vendor/")) >= 0:
        i = j + len("/vendor/") if new_rules else len("/vendor/")
    else:
        return False
    return "/" in name[i:]


def module_zip_files(root: Path) -> list[tuple[str, Path]]:
    """The files a module zip made from directory ``root`` holds, as (slash path, file).

    Follows zip.CreateFromDir: skips VCS directories, nested modules (directories with a
    go.mod), vendored packages, ``.hg_archival.txt`` at the root and anything that is not a
    regular file. Raises ValueError for a file the zip rules reject.
    """
    gomod_file = root / "go.mod"
    new_rules = _go_version_at_least_124(gomod_file.read_bytes() if gomod_file.is_file() else None)
    files: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            sub = here / d
            if d in _VCS_DIRS or sub.is_symlink():
                continue
            nested = sub / "go.mod"
            if nested.is_file() and not nested.is_symlink():
                continue
            keep.append(d)
        dirnames[:] = keep
        for fname in sorted(filenames):
            full = here / fname
            rel = full.relative_to(root).as_posix()
            if _is_vendored_package(rel, new_rules):
                continue
            if full.is_symlink() or not stat.S_ISREG(full.stat().st_mode):
                continue
            if rel == ".hg_archival.txt":
                continue
            check_file_path(rel)
            if fname.lower() == "go.mod" and fname != "go.mod":
                raise ValueError(f"{full}: go.mod files must have lowercase names")
            files.append((rel, full))
    folded: dict[str, str] = {}
    for rel, _ in files:
        other = folded.setdefault(rel.casefold(), rel)
        if other != rel:
            raise ValueError(f"case-insensitive file name collision: {other!r} and {rel!r}")
    files.sort(key=lambda f: f[0])
    return files


def write_module_zip(dest: Path, path: str, version: str, files: list[tuple[str, Path]]) -> None:
    """Write a module zip: entries ``path@version/<file>``, fixed timestamps, no directories."""
    prefix = f"{path}@{version}/"
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel, full in files:
            info = zipfile.ZipInfo(prefix + rel, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, full.read_bytes())


def _info_json(version: str, index: int) -> str:
    """``.info`` JSON; the n-th version of a module (0-based) is dated FIXED_TIME + n days."""
    base = datetime.strptime(FIXED_TIME, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    time = (base + timedelta(days=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"Version": version, "Time": time}) + "\n"


def build_proxy(src: Path, dest: Path) -> str:
    """Lay out every fixture module version under ``src`` as a GOPROXY tree in ``dest``.

    Returns the proxy's ``file://`` URL. The output is deterministic.
    """
    dest.mkdir(parents=True, exist_ok=True)
    by_path: dict[str, list[FixtureModule]] = {}
    for mod in find_fixture_modules(src):
        by_path.setdefault(mod.path, []).append(mod)
    for path, versions in by_path.items():
        vdir = dest / escape_path(path) / "@v"
        vdir.mkdir(parents=True, exist_ok=True)
        for index, mod in enumerate(versions):
            base = vdir / mod.escaped_version
            gomod = mod.root / "go.mod"
            data = gomod.read_bytes() if gomod.is_file() else f"module {path}\n".encode()
            Path(f"{base}.mod").write_bytes(data)
            Path(f"{base}.info").write_text(_info_json(mod.version, index), encoding="utf-8")
            write_module_zip(Path(f"{base}.zip"), path, mod.version, module_zip_files(mod.root))
        (vdir / "list").write_text("".join(f"{m.version}\n" for m in versions), encoding="utf-8")
        releases = [m for m in versions if "-" not in m.version] or versions
        latest = releases[-1]
        (dest / escape_path(path) / "@latest").write_text(
            _info_json(latest.version, versions.index(latest)), encoding="utf-8"
        )
    return dest.resolve().as_uri()


def proxy_sums(proxy_dir: Path, src: Path = MODULES_DIR) -> dict[tuple[str, str], str]:
    """The go.sum hashes of every fixture module in a built proxy.

    Keys are ``(path, version)`` for the zip and ``(path, version + "/go.mod")`` for the go.mod
    file, as go.sum and the checksum database key them.
    """
    sums: dict[tuple[str, str], str] = {}
    for mod in find_fixture_modules(src):
        base = proxy_dir / mod.escaped_path / "@v" / mod.escaped_version
        sums[(mod.path, mod.version)] = hash_zip(Path(f"{base}.zip"))
        sums[(mod.path, f"{mod.version}/go.mod")] = hash_gomod(Path(f"{base}.mod").read_bytes())
    return sums


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` below ``root`` (parents created); returns ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def go_environment(
    proxy_url: str, modcache: Path, home: Path, gocache: Path | None = None
) -> dict[str, str]:
    """The process environment minus GO*/GITHUB_* variables, plus a hermetic go setup."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GO", "GITHUB_")) and k != "CGO_ENABLED"
    }
    gopath = home / "gopath"
    env.update(
        GOPROXY=proxy_url,
        # the checksum database stays on (as in real use: tidybot refuses to let go switch
        # toolchains without it), and the fixture modules are left out of it
        GOSUMDB="sum.golang.org",
        GONOSUMDB="example.com",
        GOFLAGS="-modcacherw",
        GOMODCACHE=str(modcache),
        GOPATH=str(gopath),
        GOTOOLCHAIN="local",
        GOWORK="off",
        GOENV="off",
        GOTELEMETRY="off",
        HOME=str(home),
        CGO_ENABLED="0",
    )
    if gocache is not None:
        env["GOCACHE"] = str(gocache)
    return env


def _make_writable(root: Path) -> None:
    for dirpath, _, _ in os.walk(root):
        p = Path(dirpath)
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="session")
def goproxy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The proxy directory built once per session from tests/data/modules."""
    dest = tmp_path_factory.mktemp("goproxy")
    build_proxy(MODULES_DIR, dest)
    return dest


@pytest.fixture(scope="session")
def goproxy_url(goproxy_dir: Path) -> str:
    """``file://`` URL of :func:`goproxy_dir`, for GOPROXY."""
    return goproxy_dir.resolve().as_uri()


@pytest.fixture(scope="session")
def gomodcache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One module cache for the whole session (go writes it writable: GOFLAGS=-modcacherw)."""
    cache = tmp_path_factory.mktemp("gomodcache")
    yield cache
    if cache.exists():
        _make_writable(cache)


@pytest.fixture(scope="session")
def gocache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One build cache for the session, so each test does not rebuild the standard library."""
    cache = tmp_path_factory.mktemp("gocache")
    yield cache
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture
def goenv(
    goproxy_url: str, gomodcache: Path, gocache: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Environment for subprocesses running ``go``: no network, no user caches."""
    home = tmp_path_factory.mktemp("gohome")
    return go_environment(goproxy_url, gomodcache, home, gocache)
