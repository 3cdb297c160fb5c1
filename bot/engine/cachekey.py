"""The cache key of a module's tidy inputs. Pure (reads files, runs nothing).

``go mod tidy`` computes go.mod and go.sum from (reference §5.1):

* the module's go.mod and go.sum;
* the import paths of the Go files it loads: every ``.go`` file whose name does not start with
  ``.`` or ``_``, with every build tag both true and false except ``ignore``, test files too;
  and which directories hold packages;
* for every local ``replace``: the replacement directory's go.mod and packages (recursively
  the same for the directories that module replaces to, which is more than go reads, never
  less);
* the Go version, the environment that steers module resolution (``GOPROXY``, ``GOFLAGS``,
  ``GOPRIVATE`` ...), and the tidy flags.

The module cache's contents are pinned by go.sum's hashes, so they need no place in the key.
A function body is not an input: editing one keeps the key; adding an import changes it.

To stay on the safe side the key reads more than tidy loads: Go files below ``testdata/``,
``_``-directories and directories named by ``ignore`` directives count too (go still loads a
package there when something imports it explicitly), and a ``vendor/`` tree is hashed whole.
Only nested modules and ``.``-directories (never importable) are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.engine.discover import Listings, list_dir, read_bytes, resolve_dir
from bot.errors import ParseError
from bot.record import field, record

try:  # BLAKE2b is built into CPython; importing hashlib would load OpenSSL first (3 ms a run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without the built-in module
    from hashlib import blake2b

__all__ = [
    "KEY_ENV",
    "KEY_VERSION",
    "KeyBuilder",
    "KeyContext",
    "ParseMemo",
    "digest",
    "package_imports",
]

KEY_VERSION = 2
"""Bumped whenever what goes into a key changes (2: BLAKE2b instead of SHA-256)."""

KEY_ENV = (
    "CGO_ENABLED",
    "GOARCH",
    "GODEBUG",
    "GOEXPERIMENT",
    "GOFLAGS",
    "GOINSECURE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOOS",
    "GOPRIVATE",
    "GOPROXY",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GOVCS",
    "GOWORK",
    "GO111MODULE",
)
"""The environment variables that can change what ``go mod tidy`` writes (credentials such as
``GOAUTH`` or ``.netrc`` only decide whether go may read a module, not what tidy writes)."""


@record
class KeyContext:
    """What every module's key shares: the Go version, tidybot's version and the environment."""

    go_version: str
    tool_version: str
    env: Mapping[str, str] = field(default_factory=dict)
    extra: tuple[str, ...] = ()  # settings that change findings (ignore rules, ...)

    def lines(self) -> list[str]:
        out = [
            f"tidybot-cachekey {KEY_VERSION}",
            f"tool {self.tool_version}",
            f"go {self.go_version}",
        ]
        out += [f"env {k}={self.env.get(k, '')}" for k in KEY_ENV]
        out += [f"extra {x}" for x in self.extra]
        return out


def digest(data: bytes) -> str:
    """The hex BLAKE2b-256 of ``data``: the hash of keys, of the files in them, and of cache
    entries. (A cache key needs collision resistance, not SHA-256 in particular; BLAKE2b runs
    at about half OpenSSL's SHA-256 speed here, i.e. 0.2 ms on a large repository's inputs.)"""
    return blake2b(data, digest_size=32).hexdigest()


def _read(p: Path | str) -> bytes | None:
    """A file's bytes, None when it cannot be read (absent, a directory, above the read
    limit): such a module's check reports it, and it is never cached clean."""
    try:
        return read_bytes(os.fspath(p))
    except OSError:
        return None


GoFileFacts = tuple[bool, str, tuple[str, ...]]
"""What the key needs of a Go file: whether tidy loads it, its package name, its imports."""


def _go_file_facts(data: bytes) -> GoFileFacts:
    from bot.engine.imports import parse_header, tidy_counts_file  # a memo miss: a new file

    # decoded as Path.read_text would (invalid UTF-8 replaced, universal newlines)
    src = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    counted, _ = tidy_counts_file(src)
    if not counted:
        return False, "", ()
    package, imports = parse_header(src)
    return True, package, tuple(imp for imp, _line in imports)


@record(frozen=False)
class ParseMemo:
    """Parse results by content hash: a run still reads every input, but parses only files it
    has not seen before. Results depend on the bytes alone, so an entry can never be stale;
    ``bot.resultcache`` keeps the memo next to the results (and validates it when loading)."""

    go_files: dict[str, GoFileFacts] = field(default_factory=dict)
    replaces: dict[str, tuple[str, ...]] = field(default_factory=dict)  # go.mod -> local paths
    used: set[str] = field(default_factory=set)
    added: int = 0

    def go_file(self, data: bytes) -> GoFileFacts:
        h = digest(data)
        got = self.go_files.get(h)
        if got is None:
            got = self.go_files[h] = _go_file_facts(data)
            self.added += 1
        self.used.add(h)
        return got

    def local_replaces_of(self, gomod: bytes, where: str) -> tuple[str, ...]:
        """:meth:`local_replaces` for go.mod bytes not hashed yet."""
        return self.local_replaces(digest(gomod), gomod, where)

    def local_replaces(self, gomod_sha: str, gomod: bytes, where: str) -> tuple[str, ...]:
        """The new paths of the local ``replace`` directives of a go.mod (hashed as
        ``gomod_sha``); () when it has none or does not parse (go fails on it too: such a
        module is never cached clean)."""
        got = self.replaces.get(gomod_sha)
        if got is None:
            got = ()
            if b"=>" in gomod:  # no replace directive (each needs "=>"): no parse needed
                try:
                    from bot.engine.gomod import parse_and_format  # a memo miss

                    text = gomod.decode("utf-8", errors="replace")
                    parsed, _ = parse_and_format(text, where)  # the check reuses this parse
                    got = tuple(r.new_path for r in parsed.replaces if r.is_local)
                except ParseError:
                    pass
            self.replaces[gomod_sha] = got
            self.added += 1
        self.used.add(gomod_sha)
        return got


def package_imports(
    module_root: Path, memo: ParseMemo | None = None, listings: Listings | None = None
) -> list[str]:
    """One line per package directory of the module (nested modules and ``.``-directories
    excluded): ``<dir> <package names> | <import>[ T] ...`` (``T`` marks a test-only import).
    Directories in the order of a top-down ``os.walk`` with sorted subdirectories."""
    memo = memo if memo is not None else ParseMemo()
    out: list[str] = []
    _package_imports(os.fspath(module_root), ".", memo, out, listings or {}, [])
    return out


def _package_imports(
    path: str, rel: str, memo: ParseMemo, out: list[str], listings: Listings, unread: list[str]
) -> None:
    """``unread`` gets the Go files that could not be read (too large, no permission): what
    they import is unknown, so no key may stand for the module's packages. Depth first with a
    stack of its own (a tree however deep is no RecursionError), each directory's line before
    its subdirectories', in sorted order."""
    stack = [(path, rel)]
    while stack:
        cur, cur_rel = stack.pop()
        stack.extend(reversed(_package_line(cur, cur_rel, memo, out, listings, unread)))


def _package_line(
    path: str, rel: str, memo: ParseMemo, out: list[str], listings: Listings, unread: list[str]
) -> list[tuple[str, str]]:
    """One directory's line into ``out``; its subdirectories to walk, sorted."""
    # Plain string paths and one scandir per directory (none where the run's tree scan has
    # listed it already): this runs over every file of every module on each cached run.
    listed = listings.get(path) or list_dir(path)
    if listed is None:
        return []
    files, dirs = listed
    names: set[str] = set()
    imports: dict[str, bool] = {}  # import -> only from tests
    for f in sorted(files):
        if not f.endswith(".go") or f.startswith((".", "_")):
            continue
        try:
            data = read_bytes(f"{path}/{f}")
        except OSError:
            unread.append(f"{path}/{f}")
            continue
        counted, package, file_imports = memo.go_file(data)
        if not counted:
            continue
        names.add(package)
        is_test = f.endswith("_test.go")
        for imp in file_imports:
            imports[imp] = imports.get(imp, True) and is_test
    if names:
        body = " ".join(f"{i}{' T' if t else ''}" for i, t in sorted(imports.items()))
        out.append(f"{rel} {','.join(sorted(names))} | {body}")
    subdirs: list[tuple[str, str]] = []
    for d in sorted(dirs):
        if d.startswith(".") or d == "vendor":
            continue
        sub = f"{path}/{d}"
        seen = listings.get(sub)
        if (seen is None or "go.mod" in seen[0]) and os.path.exists(f"{sub}/go.mod"):
            continue  # a nested module
        subdirs.append((sub, d if rel == "." else f"{rel}/{d}"))
    return subdirs


def _vendor_digest(module_root: Path) -> str:
    if not os.path.isdir(f"{os.fspath(module_root)}/vendor"):  # most modules: one stat
        return "none"
    vendor = module_root / "vendor"
    h = blake2b(digest_size=32)
    for cur, dirs, files in os.walk(vendor, followlinks=False):
        dirs.sort()
        for f in sorted(files):
            p = Path(cur) / f
            data = _read(p) or b""
            h.update(f"{p.relative_to(vendor).as_posix()} {digest(data)}\n".encode())
    return h.hexdigest()


class _Summary:
    __slots__ = ("complete", "gomod", "packages", "replaces")

    def __init__(
        self,
        gomod: str,
        packages: tuple[str, ...],
        replaces: tuple[str, ...],
        complete: bool = True,
    ) -> None:
        self.gomod = gomod  # digest of go.mod, or "absent"
        self.packages = packages
        self.replaces = replaces  # root-relative local replace targets
        self.complete = complete  # every Go file was read


class KeyBuilder:
    """Computes module keys under one root, reading each directory once per builder."""

    def __init__(
        self,
        root: Path,
        context: KeyContext,
        memo: ParseMemo | None = None,
        listings: Listings | None = None,
    ) -> None:
        self.root = root.resolve()
        self.context = context
        self._context_lines = context.lines()  # the same for every module
        self.memo = memo if memo is not None else ParseMemo()
        self.listings = listings or {}  # the run's tree scan: directories it need not list again
        self._summaries: dict[str, _Summary] = {}

    def _dir(self, rel: str) -> Path:
        return self.root if rel == "." else self.root / rel

    def _summary(self, rel: str) -> _Summary:
        got = self._summaries.get(rel)
        if got is None:
            path = self._dir(rel)
            gomod = _read(f"{os.fspath(path)}/go.mod")
            if gomod is None:
                got = _Summary("absent", (), ())
            else:
                sha = digest(gomod)
                packages: list[str] = []
                unread: list[str] = []
                _package_imports(os.fspath(path), ".", self.memo, packages, self.listings, unread)
                got = _Summary(
                    sha, tuple(packages), self._replace_targets(rel, sha, gomod), not unread
                )
            self._summaries[rel] = got
        return got

    def _replace_targets(self, rel: str, sha: str, gomod: bytes) -> tuple[str, ...]:
        paths = self.memo.local_replaces(sha, gomod, "go.mod" if rel == "." else f"{rel}/go.mod")
        root = self.root.as_posix()
        return tuple(sorted({resolve_dir(rel, new, root) for new in paths}))

    def forget(self, rel: str) -> None:
        """Drop what was read of ``rel`` (its files were rewritten, by a fix)."""
        self._summaries.pop(rel, None)

    def content_lines(self, rel: str) -> list[str] | None:
        """go.mod, package imports and local replace targets of ``rel`` and, recursively, of
        every directory it replaces modules with (each directory once); None when a Go file
        among them could not be read (no key can stand for what it imports)."""
        lines: list[str] = []
        seen: set[str] = set()
        todo = [rel]
        while todo:
            cur = todo.pop(0)
            if cur in seen:
                continue
            seen.add(cur)
            s = self._summary(cur)
            if not s.complete:
                return None
            lines.append(f"dir {cur} go.mod {s.gomod}")
            lines += [f"  pkg {p}" for p in s.packages]
            lines += [f"  replace {t}" for t in s.replaces]
            todo += s.replaces
        return lines

    def key(self, module_dir: str, tidy_flags: Iterable[str] = ()) -> str | None:
        """The key of the module at ``module_dir`` (root-relative, ``.`` for the root); None
        when what tidy reads cannot all be read (the module is checked, never cached)."""
        content = self.content_lines(module_dir)
        if content is None:
            return None
        path = self._dir(module_dir)
        gosum = _read(f"{os.fspath(path)}/go.sum")
        lines = [
            *self._context_lines,
            f"flags {' '.join(tidy_flags)}",
            f"module {module_dir}",
            f"go.sum {'absent' if gosum is None else digest(gosum)}",
            f"vendor {_vendor_digest(path)}",
            *content,
        ]
        return digest("\n".join(lines).encode())
