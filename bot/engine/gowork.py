"""go.work: parsing and ``go work edit -fmt`` formatting (reference §1.8). Pure.

A port of ``golang.org/x/mod/modfile`` ``work.go``: the go.mod syntax with the
directives ``go``, ``toolchain``, ``godebug``, ``use`` and ``replace``.
"""

from __future__ import annotations

from bot.engine.gomod import (
    DirectiveError,
    Godebug,
    Replace,
    error_at,
    parse_go,
    parse_godebug,
    parse_replace,
    parse_toolchain,
    quoted_arg,
)
from bot.engine.modfile import (
    FileSyntax,
    Line,
    LineBlock,
    auto_quote,
    cleanup,
    format_syntax,
    parse_syntax,
    remove_lines,
    sort_blocks,
)
from bot.errors import ParseError
from bot.record import record, replace

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DEFAULT_GO_WORK_VERSION",
    "GoWork",
    "Use",
    "format_gowork",
    "parse_gowork",
    "with_uses_at",
]

# gover.DefaultGoWorkVersion: the language version of a go.work without a go line.
DEFAULT_GO_WORK_VERSION = "1.18"

_BLOCK_VERBS = frozenset(("godebug", "use", "replace"))


@record
class Use:
    path: str  # the directory, as written (unquoted)
    module_path: str  # the module path go records for it; parsing leaves it ""
    line: int


@record
class GoWork:
    file: str
    go: str | None
    go_line: int | None
    toolchain: str | None
    toolchain_line: int | None = None
    godebug: tuple[Godebug, ...] = ()
    uses: tuple[Use, ...] = ()
    replaces: tuple[Replace, ...] = ()

    @property
    def effective_go(self) -> str:
        """The go line, or 1.18 when there is none."""
        return self.go or DEFAULT_GO_WORK_VERSION

    def deduplicated(self) -> GoWork:
        """The file as go uses it after ``SortBlocks`` and ``Cleanup`` (what ``go work edit
        -json`` shows): of several replaces with the same old path and version the last
        wins; uses and replaces with an empty path are dropped."""
        live = [r for r in self.replaces if r.old_path]
        last = {(r.old_path, r.old_version): i for i, r in enumerate(live)}
        kept = tuple(r for i, r in enumerate(live) if last[(r.old_path, r.old_version)] == i)
        return replace(self, uses=tuple(u for u in self.uses if u.path), replaces=kept)


class _Builder:
    def __init__(self, fs: FileSyntax) -> None:
        self.fs = fs
        self.go: tuple[str, Line] | None = None
        self.toolchain: tuple[str, Line] | None = None
        self.godebug: list[Godebug] = []
        self.uses: list[Use] = []
        self.replaces: list[tuple[Replace, Line]] = []

    def run(self) -> None:
        for x in self.fs.stmts:
            if isinstance(x, Line):
                assert x.token is not None
                self.add(x, x.token[0], 1)
            elif isinstance(x, LineBlock):
                if len(x.token) > 1 or x.token[0] not in _BLOCK_VERBS:
                    raise ParseError(
                        self.fs.name,
                        x.start.line,
                        f"unknown block type: {' '.join(x.token)}",
                        col=x.start.rune,
                    )
                for ln in x.lines:
                    self.add(ln, x.token[0], 0)

    def add(self, line: Line, verb: str, off: int) -> None:
        try:
            self._add(line, verb, off)
        except DirectiveError as e:
            raise error_at(self.fs.name, line, str(e)) from None

    def _add(self, line: Line, verb: str, off: int) -> None:
        toks = line.token
        assert toks is not None
        args = toks[off:]
        n = line.start.line
        if verb == "go":
            if self.go is not None:
                raise DirectiveError("repeated go statement")
            self.go = (parse_go(args), line)
        elif verb == "toolchain":
            if self.toolchain is not None:
                raise DirectiveError("repeated toolchain statement")
            self.toolchain = (parse_toolchain(args), line)
        elif verb == "godebug":
            key, value = parse_godebug(args)
            self.godebug.append(Godebug(key, value, n))
        elif verb == "use":
            if len(args) != 1:
                raise DirectiveError(f"usage: {verb} local/dir")
            self.uses.append(Use(quoted_arg(toks, off), "", n))
        elif verb == "replace":
            old, ov, new, nv = parse_replace(verb, toks, off)
            self.replaces.append((Replace(old, ov or None, new, nv or None, n), line))
        else:
            raise DirectiveError(f"unknown directive: {verb}")

    def result(self) -> GoWork:
        return GoWork(
            file=self.fs.name,
            go=self.go[0] if self.go else None,
            go_line=self.go[1].start.line if self.go else None,
            toolchain=self.toolchain[0] if self.toolchain else None,
            toolchain_line=self.toolchain[1].start.line if self.toolchain else None,
            godebug=tuple(self.godebug),
            uses=tuple(self.uses),
            replaces=tuple(r for r, _ in self.replaces),
        )


def _build(text: str | bytes, file: str) -> _Builder:
    b = _Builder(parse_syntax(text, file))
    b.run()
    return b


def parse_gowork(text: str | bytes, file: str = "go.work") -> GoWork:
    """Parse go.work as ``modfile.ParseWork(file, data, nil)``.

    Raises :class:`bot.errors.ParseError` with go's message and position."""
    return _build(text, file).result()


def format_gowork(text: str | bytes, file: str = "go.work") -> str:
    """Exactly what ``go work edit -fmt`` writes for this go.work."""
    b = _build(text, file)
    # WorkFile.SortBlocks: duplicate replaces keep the last, then every block is sorted.
    kill: list[Line] = []
    seen: set[tuple[str, str | None]] = set()
    for r, ln in reversed(b.replaces):
        key = (r.old_path, r.old_version)
        if key in seen:
            kill.append(ln)
        seen.add(key)
    remove_lines(b.fs, kill)
    sort_blocks(b.fs)
    cleanup(b.fs)
    return format_syntax(b.fs)


def with_uses_at(text: str | bytes, where: Callable[[str], str], file: str = "go.work") -> str:
    """This go.work with the directory of each ``use`` directive (as written, unquoted) put
    where ``where`` says (an absolute directory: the go.work can then be read from anywhere),
    every other line as it is. Raises :class:`bot.errors.ParseError` as :func:`parse_gowork`."""
    b = _build(text, file)
    for x in b.fs.stmts:
        if isinstance(x, Line) and x.token and x.token[0] == "use":
            lines, off = [x], 1
        elif isinstance(x, LineBlock) and x.token == ["use"]:
            lines, off = x.lines, 0
        else:
            continue
        for ln in lines:
            assert ln.token is not None and len(ln.token) == off + 1  # as _add checked
            ln.token[off] = auto_quote(where(quoted_arg(ln.token, off)))
    return format_syntax(b.fs)
