"""Which packages a module's Go files import, as ``go mod tidy`` sees them. Pure (reads files).

Tidy loads every file with all build tags both true and false except ``ignore`` (reference §5.1):
a file is counted unless its constraint can only be satisfied with ``ignore`` set, or the
constraint is malformed. ``_GOOS``/``_GOARCH`` file-name suffixes are all counted, test files too.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.engine.discover import read_bytes, skip_dir_name
from bot.record import record


@record
class GoFile:
    """A Go file as tidy sees it: its package, imports and build constraint."""

    rel: str  # path relative to the module root, "/"-separated
    package: str
    imports: tuple[tuple[str, int], ...]  # (import path, line)
    constraint: str  # the //go:build expression, "" when none

    @property
    def is_test(self) -> bool:
        return self.rel.endswith("_test.go")


# One token of a Go file's header, after any blanks, ``;`` and comments (possessive: an
# unterminated block comment runs to the end, and nothing skipped is given back): a "string" (an
# unterminated one ends at the line's end), a `raw string`, an identifier (dots allowed), or
# any other single character.
_HEADER_TOKEN = re.compile(
    r"(?:[ \t\r\n;]+|//[^\n]*|/\*.*?(?:\*/|\Z))*+"
    r'(?:"(?P<str>(?:\\.?|[^"\\\n])*)"?|`(?P<raw>[^`]*)`?|(?P<id>[\w.]+)|(?P<punct>.))',
    re.DOTALL,
)


def _header_tokens(src: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, line) of each token: kind is str, id or punct. One regular-expression match
    per token (a file's header is a handful of them)."""
    pos, line = 0, 1
    while (m := _HEADER_TOKEN.match(src, pos)) is not None:
        kind = m.lastgroup
        assert kind is not None
        start = m.start(kind) - (1 if kind in ("str", "raw") else 0)
        line += src.count("\n", pos, start)
        yield ("str" if kind == "raw" else kind), m.group(kind), line
        line += src.count("\n", start, m.end())  # a raw string's lines
        pos = m.end()


def _header_constraint(src: str) -> tuple[list[str], list[str]]:
    """The //go:build and // +build lines of the header (before the package clause). Lines end
    at a newline, as go reads them; only the header's lines are looked at."""
    gobuild: list[str] = []
    plus: list[str] = []
    in_block = False
    pos, n = 0, len(src)
    while pos < n:
        end = src.find("\n", pos)
        if end < 0:
            end = n
        line = src[pos:end].strip()
        pos = end + 1
        if in_block:
            if "*/" in line:
                in_block = False
            continue
        if not line:
            continue
        if line.startswith("//"):
            body = line[2:]
            if body.startswith("go:build"):
                gobuild.append(body[len("go:build") :].strip())
            elif body.strip().startswith("+build"):
                plus.append(body.strip()[len("+build") :].strip())
            continue
        if line.startswith("/*"):
            in_block = "*/" not in line[2:]
            continue
        break
    return gobuild, plus


_TOKEN = re.compile(r"\s*(\|\||&&|!|\(|\)|[A-Za-z0-9_.]+)")


def _parse_expr(expr: str) -> object:
    toks: list[str] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"bad constraint {expr!r}")
        toks.append(m.group(1))
        pos = m.end()
        while pos < len(expr) and expr[pos].isspace():
            pos += 1
    it = iter([*toks, ""])
    cur = [next(it)]

    def advance() -> str:
        t = cur[0]
        cur[0] = next(it, "")
        return t

    def or_() -> object:
        x = and_()
        while cur[0] == "||":
            advance()
            x = ("or", x, and_())
        return x

    def and_() -> object:
        x = not_()
        while cur[0] == "&&":
            advance()
            x = ("and", x, not_())
        return x

    def not_() -> object:
        if cur[0] == "!":
            advance()
            return ("not", not_())
        if cur[0] == "(":
            advance()
            x = or_()
            if advance() != ")":
                raise ValueError("missing )")
            return x
        t = advance()
        if not t or t in ("||", "&&", ")"):
            raise ValueError("expected tag")
        return ("tag", t)

    tree = or_()
    if cur[0] != "":
        raise ValueError("trailing tokens")
    return tree


def _tags(tree: object) -> set[str]:
    assert isinstance(tree, tuple)
    if tree[0] == "tag":
        return {str(tree[1])}
    return set().union(*(_tags(t) for t in tree[1:]))


def _eval(tree: object, env: dict[str, bool]) -> bool:
    assert isinstance(tree, tuple)
    op = tree[0]
    if op == "tag":
        return env[str(tree[1])]
    if op == "not":
        return not _eval(tree[1], env)
    if op == "and":
        return _eval(tree[1], env) and _eval(tree[2], env)
    return _eval(tree[1], env) or _eval(tree[2], env)


def _satisfiable_without_ignore(tree: object) -> bool:
    names = sorted(_tags(tree) - {"ignore"})
    if len(names) > 12:  # pathological: count it, as go's AnyTags would for most real files
        return True
    for values in itertools.product((False, True), repeat=len(names)):
        env = dict(zip(names, values, strict=True))
        env["ignore"] = False
        if _eval(tree, env):
            return True
    return False


def _plus_build_tree(lines: list[str]) -> object:
    """``// +build`` lines: spaces OR, commas AND, ``!`` NOT, several lines AND."""
    tree: object | None = None
    for line in lines:
        ors: object | None = None
        for term in line.split():
            ands: object | None = None
            for lit in term.split(","):
                neg = lit.startswith("!")
                name = lit[1:] if neg else lit
                if not name or not re.fullmatch(r"[A-Za-z0-9_.]+", name):
                    raise ValueError("bad +build line")
                node: object = ("not", ("tag", name)) if neg else ("tag", name)
                ands = node if ands is None else ("and", ands, node)
            ors = ands if ors is None else ("or", ors, ands)
        if ors is not None:
            tree = ors if tree is None else ("and", tree, ors)
    return tree if tree is not None else ("not", ("tag", "ignore"))


def tidy_counts_file(src: str) -> tuple[bool, str]:
    """Whether ``go mod tidy`` loads this file, and the constraint text."""
    gobuild, plus = _header_constraint(src)
    if len(gobuild) > 1:
        return False, " && ".join(gobuild)
    try:
        if gobuild:
            return _satisfiable_without_ignore(_parse_expr(gobuild[0])), gobuild[0]
        if plus:
            return _satisfiable_without_ignore(_plus_build_tree(plus)), " ".join(plus)
    except ValueError:
        return False, (gobuild or plus)[0]
    return True, ""


def parse_go_file(src: str, rel: str = "x.go") -> GoFile:
    """Package name and imports of a Go source file (the header only)."""
    package, imports = parse_header(src)
    _, constraint = tidy_counts_file(src)
    return GoFile(rel, package, tuple(imports), constraint)


def parse_header(src: str) -> tuple[str, list[tuple[str, int]]]:
    """The package name and the (import path, line) pairs of a Go source file's header."""
    tokens = _header_tokens(src)
    package = ""
    imports: list[tuple[str, int]] = []
    tok = next(tokens, None)
    if tok and tok[1] == "package":
        nxt = next(tokens, None)
        package = nxt[1] if nxt else ""
        tok = next(tokens, None)
    while tok and tok[1] == "import":
        tok = next(tokens, None)
        if tok and tok[1] == "(":
            tok = next(tokens, None)
            while tok and tok[1] != ")":
                if tok[0] == "str":
                    imports.append((tok[1], tok[2]))
                tok = next(tokens, None)
            tok = next(tokens, None)
        else:
            while tok and tok[0] != "str":
                tok = next(tokens, None)
            if tok:
                imports.append((tok[1], tok[2]))
            tok = next(tokens, None)
    return package, imports


def iter_go_files(module_root: Path, ignore: Iterable[str] = ()) -> Iterator[tuple[str, Path]]:
    """Every .go file tidy would scan in a module: no nested modules, no testdata/, vendor/,
    ``.``/``_`` directories or files, no symlinked directories, no ``ignore``d paths."""
    ignores = [p.strip() for p in ignore if p.strip()]
    for cur, dirs, files in os.walk(module_root, followlinks=False):
        p = Path(cur)
        rel_dir = p.relative_to(module_root).as_posix()
        keep = []
        for d in sorted(dirs):
            if skip_dir_name(d):
                continue
            sub = f"{rel_dir}/{d}" if rel_dir != "." else d
            if (p / d / "go.mod").exists() or _ignored(sub, ignores):
                continue
            keep.append(d)
        dirs[:] = keep
        for f in sorted(files):
            if f.endswith(".go") and not f.startswith((".", "_")):
                yield (f if rel_dir == "." else f"{rel_dir}/{f}"), p / f


def _ignored(rel: str, patterns: list[str]) -> bool:
    """The ``ignore`` directive (Go 1.25): ``./foo`` is rooted, ``foo`` matches at any depth."""
    padded = f"/{rel}/"
    for pat in patterns:
        if pat.startswith("./"):
            base = pat[2:].strip("/")
            if padded.startswith(f"/{base}/"):
                return True
        elif f"/{pat.strip('/')}/" in padded:
            return True
    return False


def scan_module(module_root: Path, ignore: Iterable[str] = ()) -> list[GoFile]:
    """The files tidy counts, with their imports, sorted by path."""
    out: list[GoFile] = []
    for rel, path in iter_go_files(module_root, ignore):
        try:  # as read_text would decode it, without reading a file beyond READ_LIMIT
            data = read_bytes(os.fspath(path))
        except OSError:
            continue
        src = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        counted, _ = tidy_counts_file(src)
        if counted:
            out.append(parse_go_file(src, rel))
    return out


def importers_of(files: Iterable[GoFile], module_path: str) -> list[tuple[GoFile, str, int]]:
    """(file, imported package, line) for every import of a package in ``module_path``."""
    hits = []
    for f in files:
        for imp, line in f.imports:
            if imp == module_path or imp.startswith(module_path + "/"):
                hits.append((f, imp, line))
    return hits
