"""go.mod: directives, strict parsing and ``go mod edit -fmt`` formatting. Pure.

A port of ``golang.org/x/mod/modfile`` ``rule.go`` (reference §1.3-1.6): ``parse_gomod``
accepts and rejects exactly what ``modfile.Parse(file, data, nil)`` does (the parse ``go
mod edit`` uses), with go's error texts and line numbers, and canonicalises versions the
same way (``v1`` -> ``v1.0.0``). ``format_gomod`` returns what ``go mod edit -fmt`` writes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from bot.engine import semver
from bot.engine.modfile import (
    Comment,
    FileSyntax,
    Line,
    LineBlock,
    auto_quote,
    cleanup,
    compare_line,
    format_syntax,
    go_fields,
    go_quote,
    go_trim_space,
    go_unquote,
    is_directory_path,
    parse_syntax,
    remove_lines,
    sort_blocks,
)
from bot.errors import ParseError
from bot.record import record, replace

__all__ = [
    "MISSING_MODULE",
    "Exclude",
    "GoMod",
    "Godebug",
    "Ignore",
    "Replace",
    "Require",
    "Retract",
    "Tool",
    "format_gomod",
    "is_indirect_comment",
    "module_path_of",
    "parse_deprecation",
    "parse_gomod",
    "parse_gomod_lax",
]

MISSING_MODULE = (
    "missing module declaration. To specify the module path:\n\tgo mod edit -module=example.com/mod"
)

GO_VERSION_RE = re.compile(r"([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?")
_LAX_GO_VERSION_RE = re.compile(r"v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)")
TOOLCHAIN_RE = re.compile(r"default\Z|go1(\Z|\.)")
_DEPRECATED_RE = re.compile(r"(?:^|\n\n)Deprecated: *(.*?)(?:\Z|\n\n)", re.DOTALL)


@record
class Require:
    """A ``require`` directive."""

    path: str
    version: str
    indirect: bool  # the line carries a ``// indirect`` comment (reference §1.4)
    line: int


@record
class Exclude:
    """An ``exclude`` directive."""

    path: str
    version: str
    line: int


@record
class Replace:
    """A ``replace`` directive."""

    old_path: str
    old_version: str | None  # None: every version of old_path
    new_path: str
    new_version: str | None  # None: new_path is a directory
    line: int

    @property
    def is_local(self) -> bool:
        """A directory replacement (``=> ../dir``)."""
        return self.new_version is None


@record
class Retract:
    """A ``retract`` directive (a version or an interval)."""

    low: str
    high: str  # == low for a single version
    rationale: str  # the directive's comments, one line each (reference §1.5)
    line: int


@record
class Tool:
    """A ``tool`` directive."""

    path: str
    line: int


@record
class Ignore:
    """An ``ignore`` directive (Go 1.25)."""

    path: str
    line: int


@record
class Godebug:
    """A ``godebug`` directive."""

    key: str
    value: str
    line: int


@record
class GoMod:
    """A parsed go.mod: its directives with their lines."""

    file: str
    module: str  # "" only when parsed with require_module=False and there is none
    module_line: int  # 0 when there is no module directive
    deprecated: str  # the module's "Deprecated:" message, "" if none
    go: str | None
    go_line: int | None
    toolchain: str | None
    toolchain_line: int | None
    godebug: tuple[Godebug, ...] = ()
    requires: tuple[Require, ...] = ()
    excludes: tuple[Exclude, ...] = ()
    replaces: tuple[Replace, ...] = ()
    retracts: tuple[Retract, ...] = ()
    tools: tuple[Tool, ...] = ()
    ignores: tuple[Ignore, ...] = ()

    def require(self, path: str) -> Require | None:
        """The first requirement on ``path``."""
        for r in self.requires:
            if r.path == path:
                return r
        return None

    def replacement(self, path: str, version: str) -> Replace | None:
        """The replace directive that applies to ``path@version``, as go picks it: a
        version-specific one wins over a wildcard one; among equals the last wins."""
        exact = wildcard = None
        for r in self.replaces:
            if r.old_path != path:
                continue
            if r.old_version == version:
                exact = r
            elif r.old_version is None:
                wildcard = r
        return exact or wildcard

    def deduplicated(self) -> GoMod:
        """The file as go uses it after ``SortBlocks`` and ``Cleanup`` (what ``go mod edit
        -json`` shows): duplicate excludes, tools and ignores keep the first, duplicate
        replaces (same old path and version) the last; entries with an empty path (or an
        empty godebug key, or an empty retract) are dropped. Duplicate requires and
        retracts are kept."""
        return replace(
            self,
            godebug=tuple(g for g in self.godebug if g.key),
            requires=tuple(r for r in self.requires if r.path),
            excludes=_keep_first(
                tuple(x for x in self.excludes if x.path), lambda x: (x.path, x.version)
            ),
            replaces=_keep_last(
                tuple(r for r in self.replaces if r.old_path), lambda r: (r.old_path, r.old_version)
            ),
            retracts=tuple(r for r in self.retracts if r.low or r.high),
            tools=_keep_first(self.tools, lambda t: t.path),
            ignores=_keep_first(self.ignores, lambda i: i.path),
        )


TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")


def _keep_first(items: tuple[_T, ...], key: Callable[[_T], object]) -> tuple[_T, ...]:
    seen: set[object] = set()
    out: list[_T] = []
    for x in items:
        k = key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return tuple(out)


def _keep_last(items: tuple[_T, ...], key: Callable[[_T], object]) -> tuple[_T, ...]:
    last: dict[object, int] = {}
    for i, x in enumerate(items):
        last[key(x)] = i
    return tuple(x for i, x in enumerate(items) if last[key(x)] == i)


# ------------------------------------------------------------ shared directive rules


class DirectiveError(Exception):
    """A semantic error in one directive; becomes a ParseError at the line's start."""


def error_at(file: str, line: Line, msg: str) -> ParseError:
    return ParseError(file, line.start.line, msg, col=line.start.rune)


def parse_string(toks: list[str], i: int) -> str:
    """``parseString``: unquote ``toks[i]`` and store it back auto-quoted.
    ValueError("invalid syntax" | "unquoted string cannot contain quote")."""
    t = toks[i]
    if t.startswith('"'):
        t = go_unquote(t)
    elif any(q in t for q in "\"'`"):
        raise ValueError("unquoted string cannot contain quote")
    toks[i] = auto_quote(t)
    return t


def _directive(verb: str, path: str) -> str:
    if path:
        return f"{verb} {path}: "
    return f"{verb}: " if verb else ""


def parse_version(verb: str, path: str, toks: list[str], i: int, *, fix: bool = True) -> str:
    """``parseVersion`` with a nil fixer: the version must be valid and is stored back in
    canonical form. ``fix=False`` is ``dontFixRetract``: any string is accepted as is."""
    raw = toks[i]
    try:
        t = parse_string(toks, i)
    except ValueError as e:
        raise DirectiveError(f'{_directive(verb, path)}version "{raw}" invalid: {e}') from None
    if fix:
        cv = semver.canonical_module_version(t)
        if not cv:
            raise DirectiveError(
                f'{_directive(verb, path)}version "{t}" invalid: must be of the form v1.2.3'
            )
        t = cv
    toks[i] = t
    return t


def quoted_arg(toks: list[str], i: int) -> str:
    try:
        return parse_string(toks, i)
    except ValueError as e:
        raise DirectiveError(f"invalid quoted string: {e}") from None


def parse_go(args: list[str], *, lax: bool = False) -> str:
    if len(args) != 1:
        raise DirectiveError("go directive expects exactly one argument")
    if not GO_VERSION_RE.fullmatch(args[0]):
        m = _LAX_GO_VERSION_RE.fullmatch(args[0]) if lax else None
        if m is None:
            raise DirectiveError(f"invalid go version '{args[0]}': must match format 1.23.0")
        return m.group(1)
    return args[0]


def parse_toolchain(args: list[str]) -> str:
    if len(args) != 1:
        raise DirectiveError("toolchain directive expects exactly one argument")
    if not TOOLCHAIN_RE.match(args[0]):
        raise DirectiveError(
            f"invalid toolchain version '{args[0]}': must match format go1.23.0 or default"
        )
    return args[0]


def parse_godebug(args: list[str]) -> tuple[str, str]:
    if len(args) != 1 or any(q in args[0] for q in "\"`',"):
        raise DirectiveError("usage: godebug key=value")
    key, eq, value = args[0].partition("=")
    if not eq:
        raise DirectiveError("usage: godebug key=value")
    return key, value


def parse_replace(verb: str, toks: list[str], off: int) -> tuple[str, str, str, str]:
    """``parseReplace`` on ``toks[off:]``: (old path, old version, new path, new version),
    versions "" when absent."""
    n = len(toks) - off
    arrow = 1 if n >= 2 and toks[off + 1] == "=>" else 2
    if n < arrow + 2 or n > arrow + 3 or toks[off + arrow] != "=>":
        raise DirectiveError(
            f"usage: {verb} module/path [v1.2.3] => other/module v1.4\n"
            f"\t or {verb} module/path [v1.2.3] => ../local/directory"
        )
    s = quoted_arg(toks, off)
    _, path_major, ok = semver.split_path_version(s)
    if not ok:
        raise DirectiveError(f"{verb} {s}: invalid module path")
    v = ""
    if arrow == 2:
        v = parse_version(verb, s, toks, off + 1)
        bad = semver.check_path_major(v, path_major)
        if bad:
            raise DirectiveError(f"{verb} {s}: {bad}")
    ns = quoted_arg(toks, off + arrow + 1)
    nv = ""
    if n == arrow + 2:
        if not is_directory_path(ns):
            if "@" in ns:
                raise DirectiveError(
                    "replacement module must match format 'path version', not 'path@version'"
                )
            raise DirectiveError(
                "replacement module without version must be directory path "
                "(rooted or starting with . or ..)"
            )
        if "\\" in ns:
            raise DirectiveError(
                "replacement directory appears to be Windows path (on a non-windows system)"
            )
    if n == arrow + 3:
        nv = parse_version(verb, ns, toks, off + arrow + 2)
        if is_directory_path(ns):
            raise DirectiveError(
                f"replacement module directory path {go_quote(ns)} cannot have version"
            )
    return s, v, ns, nv


def directive_comment(block: LineBlock | None, line: Line) -> str:
    """``parseDirectiveComment``: the comments on a directive (or on its block, when the
    line has none), one per line, ``//`` and surrounding blanks removed."""
    c = line.comments
    if block is not None and not c.before and not c.suffix:
        c = block.comments
    groups: list[Comment] = [*c.before, *c.suffix]
    return "\n".join(
        go_trim_space(com.token.removeprefix("//")) for com in groups if com.token.startswith("//")
    )


def parse_deprecation(comment_text: str) -> str:
    """The message of the first paragraph starting ``Deprecated:`` (reference §1.5)."""
    m = _DEPRECATED_RE.search(comment_text)
    return m.group(1) if m else ""


def is_indirect_comment(suffix: list[Comment] | list[str]) -> bool:
    """``isIndirect``: whether the first suffix comment says ``indirect`` (alone, or
    followed by ``;`` and more text)."""
    if not suffix:
        return False
    first = suffix[0]
    token = first if isinstance(first, str) else first.token
    f = go_fields(token.removeprefix("//"))
    return (len(f) == 1 and f[0] == "indirect") or (len(f) > 1 and f[0] == "indirect;")


# ------------------------------------------------------------------------ go.mod rules

_BLOCK_VERBS = frozenset(
    ("module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore")
)
_LAX_VERBS = frozenset(("go", "module", "retract", "require", "ignore"))


class _Builder:
    """``modfile.File`` while parsing: entries with the syntax line each came from."""

    def __init__(self, fs: FileSyntax, *, strict: bool) -> None:
        self.fs = fs
        self.strict = strict
        self.module: tuple[str, str, Line] | None = None  # path, deprecated, line
        self.go: tuple[str, Line] | None = None
        self.toolchain: tuple[str, Line] | None = None
        self.godebug: list[tuple[Godebug, Line]] = []
        self.requires: list[tuple[Require, Line]] = []
        self.excludes: list[tuple[Exclude, Line]] = []
        self.replaces: list[tuple[Replace, Line]] = []
        self.retracts: list[tuple[Retract, Line]] = []
        self.tools: list[tuple[Tool, Line]] = []
        self.ignores: list[tuple[Ignore, Line]] = []

    def run(self) -> None:
        for x in self.fs.stmts:
            if isinstance(x, Line):
                assert x.token is not None
                self.add(None, x, x.token[0], 1)
            elif isinstance(x, LineBlock):
                if len(x.token) > 1 or x.token[0] not in _BLOCK_VERBS:
                    if self.strict:
                        raise ParseError(
                            self.fs.name,
                            x.start.line,
                            f"unknown block type: {' '.join(x.token)}",
                            col=x.start.rune,
                        )
                    continue
                for ln in x.lines:
                    self.add(x, ln, x.token[0], 0)

    def add(self, block: LineBlock | None, line: Line, verb: str, off: int) -> None:
        if not self.strict and verb not in _LAX_VERBS:
            return
        try:
            self._add(block, line, verb, off)
        except DirectiveError as e:
            raise error_at(self.fs.name, line, str(e)) from None

    def _add(self, block: LineBlock | None, line: Line, verb: str, off: int) -> None:
        toks = line.token
        assert toks is not None
        args = toks[off:]
        n = line.start.line
        if verb == "go":
            if self.go is not None:
                raise DirectiveError("repeated go statement")
            v = parse_go(args, lax=not self.strict)
            toks[off] = v
            self.go = (v, line)
        elif verb == "toolchain":
            if self.toolchain is not None:
                raise DirectiveError("repeated toolchain statement")
            self.toolchain = (parse_toolchain(args), line)
        elif verb == "module":
            if self.module is not None:
                raise DirectiveError("repeated module statement")
            deprecated = parse_deprecation(directive_comment(block, line))
            self.module = ("", deprecated, line)
            if len(args) != 1:
                raise DirectiveError("usage: module module/path")
            self.module = (quoted_arg(toks, off), deprecated, line)
        elif verb == "godebug":
            key, value = parse_godebug(args)
            self.godebug.append((Godebug(key, value, n), line))
        elif verb in ("require", "exclude"):
            if len(args) != 2:
                raise DirectiveError(f"usage: {verb} module/path v1.2.3")
            s = quoted_arg(toks, off)
            v = parse_version(verb, s, toks, off + 1)
            _, path_major, ok = semver.split_path_version(s)
            if not ok:
                raise DirectiveError("invalid module path")
            bad = semver.check_path_major(v, path_major)
            if bad:
                raise DirectiveError(f"{verb} {s}: {bad}")
            if verb == "require":
                self.requires.append(
                    (Require(s, v, is_indirect_comment(line.comments.suffix), n), line)
                )
            else:
                self.excludes.append((Exclude(s, v, n), line))
        elif verb == "replace":
            old, ov, new, nv = parse_replace(verb, toks, off)
            self.replaces.append((Replace(old, ov or None, new, nv or None, n), line))
        elif verb == "retract":
            self._retract(block, line, toks, off)
        elif verb in ("tool", "ignore"):
            if len(args) != 1:
                raise DirectiveError(f"{verb} directive expects exactly one argument")
            path = quoted_arg(toks, off)
            if verb == "tool":
                self.tools.append((Tool(path, n), line))
            else:
                self.ignores.append((Ignore(path, n), line))
        else:
            raise DirectiveError(f"unknown directive: {verb}")

    def _retract(self, block: LineBlock | None, line: Line, toks: list[str], off: int) -> None:
        rationale = directive_comment(block, line)
        try:
            low, high, i = _version_interval(toks, off)
        except DirectiveError:
            if self.strict:
                raise
            return
        if i < len(toks) and self.strict:
            raise DirectiveError(f"unexpected token after version: {go_quote(toks[i])}")
        self.retracts.append((Retract(low, high, rationale, line.start.line), line))

    def result(self, *, require_module: bool) -> GoMod:
        if self.module is None and require_module:
            if self.retracts:
                raise error_at(
                    self.fs.name,
                    self.retracts[0][1],
                    "no module directive found, so retract cannot be used",
                )
            raise ParseError(self.fs.name, 1, MISSING_MODULE)
        module, deprecated, mline = self.module or ("", "", None)
        return GoMod(
            file=self.fs.name,
            module=module,
            module_line=mline.start.line if mline else 0,
            deprecated=deprecated,
            go=self.go[0] if self.go else None,
            go_line=self.go[1].start.line if self.go else None,
            toolchain=self.toolchain[0] if self.toolchain else None,
            toolchain_line=self.toolchain[1].start.line if self.toolchain else None,
            godebug=tuple(g for g, _ in self.godebug),
            requires=tuple(r for r, _ in self.requires),
            excludes=tuple(x for x, _ in self.excludes),
            replaces=tuple(r for r, _ in self.replaces),
            retracts=tuple(r for r, _ in self.retracts),
            tools=tuple(t for t, _ in self.tools),
            ignores=tuple(i for i, _ in self.ignores),
        )

    def sort_blocks(self) -> None:
        """``File.SortBlocks``: ``removeDups`` then sort the lines of every block."""
        kill: list[Line] = []
        seen: set[object] = set()
        for x, ln in self.excludes:
            if (x.path, x.version) in seen:
                kill.append(ln)
            seen.add((x.path, x.version))
        seen = set()
        for r, ln in reversed(self.replaces):
            if (r.old_path, r.old_version) in seen:
                kill.append(ln)
            seen.add((r.old_path, r.old_version))
        for items in (self.tools, self.ignores):
            seen = set()
            for t, ln in items:
                if t.path in seen:
                    kill.append(ln)
                seen.add(t.path)
        remove_lines(self.fs, kill)

        semantic_exclude = self.go is not None and semver.compare("v" + self.go[0], "v1.21") >= 0

        def compare_for(verb: str) -> Callable[[Line, Line], int]:
            if verb == "exclude" and semantic_exclude:
                return _compare_line_exclude
            if verb == "retract":
                return _compare_line_retract
            return compare_line

        sort_blocks(self.fs, compare_for)


def _version_interval(toks: list[str], i: int) -> tuple[str, str, int]:
    """``parseVersionInterval`` with ``dontFixRetract``: (low, high, index after)."""
    n = len(toks)
    if i >= n or toks[i] == "(":
        raise DirectiveError("expected '[' or version")
    if toks[i] != "[":
        v = parse_version("retract", "", toks, i, fix=False)
        return v, v, i + 1
    i += 1
    if i >= n:
        raise DirectiveError("expected version after '['")
    low = parse_version("retract", "", toks, i, fix=False)
    i += 1
    if i >= n or toks[i] != ",":
        raise DirectiveError("expected ',' after version")
    i += 1
    if i >= n:
        raise DirectiveError("expected version after ','")
    high = parse_version("retract", "", toks, i, fix=False)
    i += 1
    if i >= n or toks[i] != "]":
        raise DirectiveError("expected ']' after version")
    return low, high, i + 1


def _compare_line_exclude(a: Line, b: Line) -> int:
    ta, tb = a.token or [], b.token or []
    if len(ta) != 2 or len(tb) != 2:
        return compare_line(a, b)
    if ta[0] != tb[0]:
        return -1 if ta[0] < tb[0] else 1
    return semver.compare(ta[1], tb[1])


def _compare_line_retract(a: Line, b: Line) -> int:
    def interval(ln: Line) -> tuple[str, str]:
        t = ln.token or []
        if len(t) == 1:
            return t[0], t[0]
        if len(t) == 5 and t[0] == "[" and t[2] == "," and t[4] == "]":
            return t[1], t[3]
        return "", ""

    (la, ha), (lb, hb) = interval(a), interval(b)
    c = semver.compare(la, lb)
    if c:
        return -c
    return -semver.compare(ha, hb)


def _build(
    text: str | bytes, file: str, *, strict: bool, blank_before_rparen: bool = False
) -> _Builder:
    b = _Builder(parse_syntax(text, file, blank_before_rparen=blank_before_rparen), strict=strict)
    b.run()
    return b


def parse_gomod(text: str | bytes, file: str = "go.mod", *, require_module: bool = True) -> GoMod:
    """Parse a main module's go.mod strictly, as ``modfile.Parse(file, data, nil)``.

    Raises :class:`bot.errors.ParseError` with go's message and position for the first
    error go reports. With ``require_module`` (the default) a file without a ``module``
    directive is an error too, as it is for every go command but ``go mod edit``."""
    return _build(text, file, strict=True).result(require_module=require_module)


def parse_gomod_lax(text: str | bytes, file: str = "go.mod") -> GoMod:
    """Parse a dependency's go.mod as ``modfile.ParseLax(file, data, nil)``: unknown
    directives and main-module-only ones (toolchain, godebug, exclude, replace, tool) are
    ignored, a ``go`` line keeps only major.minor of a loose version, bad retracts are
    dropped."""
    return _build(text, file, strict=False).result(require_module=False)


def module_path_of(data: bytes) -> str:
    """``modfile.ModulePath``: the path on a go.mod's ``module`` line, found without parsing
    the rest (tolerant of unrelated problems in the file); "" when there is none or it is a
    malformed quoted string. For a reader that needs nothing else of a go.mod (a workspace
    module without replace directives: ``bot.workspace.read_workspace``)."""
    for raw in data.split(b"\n"):
        line = raw.split(b"//", 1)[0].strip()
        if not line.startswith(b"module"):
            continue
        rest = line[len(b"module") :]
        path = rest.strip()
        if len(path) == len(rest) or not path:  # "modulex", or "module" alone
            continue
        text = path.decode("utf-8", "surrogateescape")
        if text[0] in '"`':
            if text[0] == "`":
                return text[1:-1] if len(text) >= 2 and text.endswith("`") else ""
            try:
                return go_unquote(text)
            except ValueError:
                return ""
        return text
    return ""


def parse_and_format(
    text: str, file: str = "go.mod", blank_before_rparen: bool = False
) -> tuple[GoMod, str]:
    """:func:`parse_gomod` and :func:`format_gomod` of one text from a single parse.

    A run needs both for every module it checks (and the cache key and the fix commands need
    its replaces); the parse is most of either. The formatted text is the text itself where
    formatting fails. Results are immutable and remembered by content, so the cache key, the
    check and the fix commands share one parse (the arguments are passed on in full: the
    memo would file ``(text, file)`` and ``(text, file, False)`` apart). ``blank_before_rparen``:
    format as Go 1.24 and older do (``bot.engine.modfile.keeps_blank_before_rparen``). Raises
    what parse_gomod raises."""
    return _parse_and_format(text, file, blank_before_rparen)


@functools.lru_cache(maxsize=256)
def _parse_and_format(text: str, file: str, blank_before_rparen: bool) -> tuple[GoMod, str]:
    b = _build(text, file, strict=True, blank_before_rparen=blank_before_rparen)
    mod = b.result(require_module=True)
    try:
        formatted = _format(b)
    except (ValueError, ParseError):
        formatted = text
    return mod, formatted


def _format(b: _Builder) -> str:
    """The canonical text of a parsed go.mod (changes ``b``'s syntax: take its result first)."""
    b.sort_blocks()
    cleanup(b.fs)
    return format_syntax(b.fs)


def format_gomod(
    text: str | bytes, file: str = "go.mod", *, blank_before_rparen: bool = False
) -> str:
    """Exactly what ``go mod edit -fmt`` writes for this go.mod (of Go 1.24 or older with
    ``blank_before_rparen``).

    Raises :class:`bot.errors.ParseError` where ``go mod edit`` fails."""
    return _format(_build(text, file, strict=True, blank_before_rparen=blank_before_rparen))
