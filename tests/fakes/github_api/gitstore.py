"""Real git objects in memory: blobs, trees and commits hashed exactly as git hashes them.

``export`` writes the objects and refs into a bare repository so a test can ``git clone`` the
fake's state and inspect it with real git.
"""

from __future__ import annotations

import hashlib
import subprocess
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

BLOB_MODES = ("100644", "100755", "120000")
TREE_MODE = "040000"
COMMIT_MODE = "160000"


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000", "040000", "160000"
    name: str
    sha: str

    @property
    def type(self) -> str:
        if self.mode == TREE_MODE:
            return "tree"
        if self.mode == COMMIT_MODE:
            return "commit"
        return "blob"


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    timestamp: int
    offset: str = "+0000"

    def render(self) -> str:
        return f"{self.name} <{self.email}> {self.timestamp} {self.offset}"


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str


class GitStore:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[str, bytes]] = {}

    # ---- writing -------------------------------------------------------------------------

    def put(self, kind: str, data: bytes) -> str:
        sha = hashlib.sha1(f"{kind} {len(data)}\0".encode() + data, usedforsecurity=False)
        digest = sha.hexdigest()
        self.objects.setdefault(digest, (kind, data))
        return digest

    def put_blob(self, data: bytes) -> str:
        return self.put("blob", data)

    def put_tree(self, entries: Iterable[TreeEntry]) -> str:
        ordered = sorted(entries, key=lambda e: e.name + ("/" if e.mode == TREE_MODE else ""))
        raw = b"".join(
            f"{e.mode.lstrip('0')} {e.name}\0".encode() + bytes.fromhex(e.sha) for e in ordered
        )
        return self.put("tree", raw)

    def put_commit(
        self,
        tree: str,
        parents: Iterable[str],
        author: Signature,
        committer: Signature,
        message: str,
    ) -> str:
        lines = [f"tree {tree}"]
        lines += [f"parent {p}" for p in parents]
        lines += [f"author {author.render()}", f"committer {committer.render()}", "", message]
        return self.put("commit", "\n".join(lines).encode())

    def put_files(self, files: Mapping[str, bytes | None], base_tree: str | None = None) -> str:
        """A tree: ``base_tree`` with ``files`` (path -> content, None deletes) applied."""
        changes: dict[str, tuple[str, str] | None] = {}
        for path, data in files.items():
            changes[path] = None if data is None else ("100644", self.put_blob(data))
        return self.apply(base_tree, changes)

    def apply(self, base_tree: str | None, changes: Mapping[str, tuple[str, str] | None]) -> str:
        """Apply ``path -> (mode, sha) | None`` to ``base_tree``, creating nested trees."""
        entries: dict[str, TreeEntry] = {}
        if base_tree is not None:
            entries = {e.name: e for e in self.tree(base_tree)}
        nested: dict[str, dict[str, tuple[str, str] | None]] = {}
        for path, change in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                nested.setdefault(head, {})[rest] = change
            elif change is None:
                entries.pop(head, None)
            else:
                entries[head] = TreeEntry(change[0], head, change[1])
        for name, sub in nested.items():
            current = entries.get(name)
            base = current.sha if current is not None and current.mode == TREE_MODE else None
            sha = self.apply(base, sub)
            if self.tree(sha):
                entries[name] = TreeEntry(TREE_MODE, name, sha)
            else:
                entries.pop(name, None)
        return self.put_tree(entries.values())

    # ---- reading -------------------------------------------------------------------------

    def has(self, sha: str, kind: str | None = None) -> bool:
        obj = self.objects.get(sha)
        return obj is not None and (kind is None or obj[0] == kind)

    def kind(self, sha: str) -> str:
        return self.objects[sha][0]

    def data(self, sha: str) -> bytes:
        return self.objects[sha][1]

    def tree(self, sha: str) -> list[TreeEntry]:
        kind, raw = self.objects[sha]
        assert kind == "tree", f"{sha} is a {kind}"
        entries = []
        i = 0
        while i < len(raw):
            space = raw.index(b" ", i)
            nul = raw.index(b"\0", space)
            mode = raw[i:space].decode().rjust(6, "0")
            name = raw[space + 1 : nul].decode()
            entries.append(TreeEntry(mode, name, raw[nul + 1 : nul + 21].hex()))
            i = nul + 21
        return entries

    def walk(self, tree_sha: str, prefix: str = "") -> dict[str, TreeEntry]:
        """Every blob under a tree, by full path."""
        out: dict[str, TreeEntry] = {}
        for e in self.tree(tree_sha):
            path = prefix + e.name
            if e.mode == TREE_MODE:
                out.update(self.walk(e.sha, path + "/"))
            else:
                out[path] = TreeEntry(e.mode, path, e.sha)
        return out

    def files(self, tree_sha: str) -> dict[str, bytes]:
        return {p: self.data(e.sha) for p, e in self.walk(tree_sha).items() if e.type == "blob"}

    def commit(self, sha: str) -> Commit:
        kind, raw = self.objects[sha]
        assert kind == "commit", f"{sha} is a {kind}"
        header, _, message = raw.decode().partition("\n\n")
        tree = ""
        parents: list[str] = []
        sigs: dict[str, Signature] = {}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
            elif key in ("author", "committer"):
                name, _, rest = value.partition(" <")
                email, _, when = rest.partition("> ")
                ts, _, offset = when.partition(" ")
                sigs[key] = Signature(name, email, int(ts), offset)
        return Commit(sha, tree, tuple(parents), sigs["author"], sigs["committer"], message)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        seen: set[str] = set()
        stack = [descendant]
        while stack:
            sha = stack.pop()
            if sha == ancestor:
                return True
            if sha in seen or not self.has(sha, "commit"):
                continue
            seen.add(sha)
            stack.extend(self.commit(sha).parents)
        return False

    # ---- export --------------------------------------------------------------------------

    def export(self, path: Path, refs: Mapping[str, str], head: str | None = None) -> Path:
        """Write every object and ``refs`` (``refs/heads/main`` -> sha) into a bare repository."""
        if not (path / "objects").is_dir():
            subprocess.run(
                ["git", "init", "--quiet", "--bare", str(path)], check=True, capture_output=True
            )
        for sha, (kind, data) in self.objects.items():
            target = path / "objects" / sha[:2] / sha[2:]
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zlib.compress(f"{kind} {len(data)}\0".encode() + data))
        for ref, sha in refs.items():
            ref_path = path / ref
            ref_path.parent.mkdir(parents=True, exist_ok=True)
            ref_path.write_text(sha + "\n", encoding="ascii")
        if head is not None:
            (path / "HEAD").write_text(f"ref: refs/heads/{head}\n", encoding="ascii")
        return path
