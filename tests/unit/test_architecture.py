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


# --- the import graph of bot/ has no cycle ------------------------------------------------------

BOT = Path(bot.engine.__file__).parent.parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(BOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _executed_imports(tree: ast.AST, package: str) -> set[str]:
    """Every module an ``import`` may load when it runs, at any depth (inside functions too),
    leaving out blocks under ``if TYPE_CHECKING:`` (they never run)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """bot module -> the bot modules it imports."""
    files = {_module_name(p): p for p in BOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = {m for m in _executed_imports(tree, package) if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module."""
    from bot.engine.affected import strongly_connected

    return [sorted(c) for c in strongly_connected(sorted(graph), graph) if len(c) > 1]


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "bot.action.modes" in graph and "bot.audit" in graph
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself: a two-module circle (as bot.action <-> bot.audit once was) is found."""
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": set()}
    assert cycles(graph) == [["a", "b"]]
    tree = ast.parse("def f():\n    from bot.x import y\nif TYPE_CHECKING:\n    import bot.z\n")
    assert _executed_imports(tree, "bot") == {"bot.x", "bot.x.y"}
