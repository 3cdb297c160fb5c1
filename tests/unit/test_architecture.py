"""The engine is pure: nothing under bot/engine imports network, git, GitHub or subprocess code."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.engine

FORBIDDEN = {
    "subprocess",
    "socket",
    "httpx",
    "urllib.request",
    "http.client",
    "git",
    "github",
    "asyncio.subprocess",
    "bot.toolchain",
    "bot.forge",
    "bot.verify.client",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_imports_nothing_impure() -> None:
    root = Path(bot.engine.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert files, "the engine package has no modules"
    offenders = {
        str(f.relative_to(root)): sorted(
            n for n in _imports(f) if any(n == b or n.startswith(b + ".") for b in FORBIDDEN)
        )
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}
