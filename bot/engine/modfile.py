"""The go.mod / go.work syntax: lexer, syntax tree and canonical printer. Pure.

A faithful port of ``golang.org/x/mod/modfile`` ``read.go`` and ``print.go`` (reference
§1.1, §1.2, §1.6): the same tokens, the same attachment of comments to syntax, the same
error texts and positions, and a printer that writes byte for byte what ``go mod edit
-fmt`` writes. Directive semantics live in :mod:`bot.engine.gomod` and
:mod:`bot.engine.gowork`.

Text is handled as ``str``. Bytes are decoded as UTF-8 with ``surrogateescape``, so a
file with invalid UTF-8 round-trips (encode the output the same way). Positions count
characters where go counts bytes; only their order matters, and line and column numbers
are the same as go's (columns count runes, as go does).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from bot.errors import ParseError
from bot.record import field, record

__all__ = [
    "Comment",
    "CommentBlock",
    "Comments",
    "Expr",
    "FileSyntax",
    "LParen",
    "Line",
    "LineBlock",
    "Position",
    "RParen",
    "auto_quote",
    "cleanup",
    "compare_line",
    "format_syntax",
    "go_fields",
    "go_quote",
    "go_trim_space",
    "go_unquote",
    "is_directory_path",
    "keeps_blank_before_rparen",
    "must_quote",
    "parse_syntax",
    "remove_lines",
    "sort_blocks",
]

# unicode.IsSpace
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACE_SET = frozenset(_GO_SPACE)


def go_trim_space(s: str) -> str:
    """``strings.TrimSpace`` (go's notion of white space, not Python's)."""
    return s.strip(_GO_SPACE)


def go_fields(s: str) -> list[str]:
    """``strings.Fields`` (split on runs of go white space)."""
    out: list[str] = []
    cur: list[str] = []
    for c in s:
        if c in _GO_SPACE_SET:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(c)
    if cur:
        out.append("".join(cur))
    return out


def _is_surrogate(c: str) -> bool:
    return "\ud800" <= c <= "\udfff"


def _is_print(c: str) -> bool:
    """``unicode.IsPrint``; an undecodable byte counts as U+FFFD, which is printable."""
    return c.isprintable() or _is_surrogate(c)


def _is_ident(c: str) -> bool:
    if c in " ()[]{},":
        return False
    return c != "" and c not in _GO_SPACE_SET and _is_print(c)


# ---------------------------------------------------------------------------- quoting


def _escape_rune(c: str, quote: str) -> str:
    """``strconv.appendEscapedRune`` for one character."""
    if _is_surrogate(c):  # an undecodable byte kept by surrogateescape
        return f"\\x{(ord(c) - 0xDC00) & 0xFF:02x}"
    if c in (quote, "\\"):
        return "\\" + c
    if _is_print(c):
        return c
    simple = {
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
    }
    if c in simple:
        return simple[c]
    r = ord(c)
    if r < 0x20 or r == 0x7F:
        return f"\\x{r:02x}"
    if r < 0x10000:
        return f"\\u{r:04x}"
    return f"\\U{r:08x}"


def go_quote(s: str) -> str:
    """``strconv.Quote``."""
    return '"' + "".join(_escape_rune(c, '"') for c in s) + '"'


def _quote_rune(c: str) -> str:
    """``strconv.QuoteRune`` (what ``%#q`` prints for a rune)."""
    return "'" + _escape_rune(c, "'") + "'"


# printable ASCII but space, the quotes "'` and the punctuation ()[]{},
_ASCII_TOKEN = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in "\"'`()[]{},")
    + "]+"
)


def must_quote(s: str) -> bool:
    """``modfile.MustQuote``: whether ``s`` needs quotes to be one go.mod token."""
    if _ASCII_TOKEN.fullmatch(s):  # the common case: printable ASCII, nothing to quote
        return "//" in s or "/*" in s
    for c in s:
        if c in " \"'`":
            return True
        if c in "()[]{},":
            if len(s) > 1:
                return True
        elif not _is_print(c):
            return True
    return s == "" or "//" in s or "/*" in s


def auto_quote(s: str) -> str:
    """``modfile.AutoQuote``: ``s``, quoted only if it must be."""
    return go_quote(s) if must_quote(s) else s


_HEX = "0123456789abcdefABCDEF"


def _unquote_char(s: str, i: int, out: bytearray) -> int:
    """``strconv.UnquoteChar`` for a double-quoted string: decode the character at
    ``s[i]`` into ``out`` and return the index after it; ValueError on bad syntax."""
    c = s[i]
    if c == '"':
        raise ValueError
    if c != "\\":
        if ord(c) < 0x80:
            out.append(ord(c))
        elif _is_surrogate(c):
            out += "\ufffd".encode()
        else:
            out += c.encode()
        return i + 1
    if i + 1 >= len(s):
        raise ValueError
    c = s[i + 1]
    i += 2
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}
    if c in simple:
        out.append(simple[c])
        return i
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i : i + n]
        if len(digits) < n or any(d not in _HEX for d in digits):
            raise ValueError
        v = int(digits, 16)
        if c == "x":
            out.append(v)
        else:
            if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                raise ValueError
            out += chr(v).encode()
        return i + n
    if "0" <= c <= "7":
        digits = s[i : i + 2]
        if len(digits) < 2 or any(not "0" <= d <= "7" for d in digits):
            raise ValueError
        v = int(c + digits, 8)
        if v > 255:
            raise ValueError
        out.append(v)
        return i + 2
    raise ValueError


def go_unquote(s: str) -> str:
    """``strconv.Unquote`` for a double-quoted Go string; ValueError("invalid syntax")."""
    if len(s) < 2 or s[0] != '"':
        raise ValueError("invalid syntax")
    end = s.find('"', 1)
    if end < 0:
        raise ValueError("invalid syntax")
    end += 1
    body = s[1 : end - 1]
    if "\\" not in s[:end] and "\n" not in s[:end] and not any(map(_is_surrogate, body)):
        if end != len(s):
            raise ValueError("invalid syntax")
        return body
    out = bytearray()
    i = 1
    try:
        while i < len(s) and s[i] != '"':
            if s[i] == "\n":
                raise ValueError
            i = _unquote_char(s, i, out)
    except ValueError:
        raise ValueError("invalid syntax") from None
    if i >= len(s) or i + 1 != len(s):
        raise ValueError("invalid syntax")
    return bytes(out).decode("utf-8", "surrogateescape")


def is_directory_path(ns: str) -> bool:
    """``modfile.IsDirectoryPath``: a replacement target that is a directory, in Unix or
    Windows syntax (``.``, ``..``, ``./x``, ``../x``, ``.\\x``, ``/x``, ``\\x``, ``C:``)."""
    return (
        ns in (".", "..")
        or ns.startswith(("./", ".\\", "../", "..\\", "/", "\\"))
        or (len(ns) >= 2 and ns[0].isascii() and ns[0].isalpha() and ns[1] == ":")
    )


# ------------------------------------------------------------------------ syntax tree


class Position:
    """A place in a file. Immutable; compares and hashes by value. (A plain class: the lexer
    makes two per token, and a frozen record is several times slower to create.)"""

    __slots__ = ("line", "offset", "rune")

    def __init__(self, line: int = 0, rune: int = 0, offset: int = 0) -> None:
        self.line = line  # 1-based
        self.rune = rune  # 1-based column, in runes
        self.offset = offset  # 0-based character offset

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Position):
            return NotImplemented
        return (self.line, self.rune, self.offset) == (other.line, other.rune, other.offset)

    def __hash__(self) -> int:
        return hash((self.line, self.rune, self.offset))

    def __repr__(self) -> str:
        return f"Position(line={self.line}, rune={self.rune}, offset={self.offset})"

    def add(self, s: str) -> Position:
        line, rune = self.line, self.rune
        n = s.count("\n")
        if n:
            line += n
            s = s[s.rfind("\n") + 1 :]
            rune = 1
        return Position(line, rune + len(s), self.offset + len(s))


NO_POSITION = Position()  # shared: positions are never changed after they are made


@record
class Comment:
    """A ``//`` comment of a go.mod or go.work file, where it starts."""

    start: Position = NO_POSITION
    token: str = ""  # "// text" without the newline; "" marks a preserved blank line
    suffix: bool = False  # an end-of-line comment


_BLANK = Comment()


@record(frozen=False, eq=False)
class Comments:
    """The comments attached to a syntax node: before it, at its end, after it."""

    before: list[Comment] = field(default_factory=list)  # whole-line comments before
    suffix: list[Comment] = field(default_factory=list)  # end-of-line comments
    after: list[Comment] = field(default_factory=list)  # whole-line comments after


class Expr:
    """A node of the syntax tree. Nodes compare by identity."""

    comments: Comments

    def span(self) -> tuple[Position, Position]:
        raise NotImplementedError


class CommentBlock(Expr):
    """A top-level run of comments that belongs to no directive."""

    def __init__(self, start: Position) -> None:
        self.comments = Comments()
        self.start = start

    def span(self) -> tuple[Position, Position]:
        return self.start, self.start


class Line(Expr):
    """One line of tokens. Inside a block, ``token`` lacks the verb."""

    def __init__(
        self,
        token: list[str] | None,
        *,
        start: Position | None = None,
        end: Position | None = None,
        in_block: bool = False,
        comments: Comments | None = None,
    ) -> None:
        self.comments = comments if comments is not None else Comments()
        self.start = start if start is not None else Position()
        self.end = end if end is not None else Position()
        self.token = token  # None once removed (dropped by cleanup)
        self.in_block = in_block

    def span(self) -> tuple[Position, Position]:
        return self.start, self.end

    def __repr__(self) -> str:
        return f"Line({self.token!r}, line={self.start.line})"


class LParen(Expr):
    def __init__(self, pos: Position) -> None:
        self.comments = Comments()
        self.pos = pos

    def span(self) -> tuple[Position, Position]:
        return self.pos, self.pos.add(")")


class RParen(Expr):
    def __init__(self, pos: Position) -> None:
        self.comments = Comments()
        self.pos = pos

    def span(self) -> tuple[Position, Position]:
        return self.pos, self.pos.add(")")


class LineBlock(Expr):
    """``verb (`` lines ``)``."""

    def __init__(
        self, start: Position, token: list[str], lparen: LParen, lines: list[Line], rparen: RParen
    ) -> None:
        self.comments = Comments()
        self.start = start
        self.token = token
        self.lparen = lparen
        self.lines = lines
        self.rparen = rparen

    def span(self) -> tuple[Position, Position]:
        return self.start, self.rparen.pos.add(")")

    def __repr__(self) -> str:
        return f"LineBlock({self.token!r}, {self.lines!r})"


class FileSyntax(Expr):
    def __init__(self, name: str) -> None:
        self.comments = Comments()
        self.name = name
        self.stmts: list[Expr] = []

    def span(self) -> tuple[Position, Position]:
        if not self.stmts:
            return Position(), Position()
        return self.stmts[0].span()[0], self.stmts[-1].span()[1]


# -------------------------------------------------------------------------- the lexer

_EOF = "EOF"
_EOLCOMMENT = "EOLCOMMENT"
_IDENT = "IDENT"
_STRING = "STRING"
_COMMENT = "COMMENT"
_EOL_KINDS = frozenset((_EOF, _EOLCOMMENT, "\n"))
_PUNCT = frozenset("\n()[]{},")
# Runs the lexer may take in one step instead of rune by rune (same tokens, same positions):
# blanks, and ASCII identifier characters (printable, not a space, not punctuation).
_BLANKS = re.compile(r"[ \t\r]+")
_ASCII_IDENT = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in "()[]{},") + "]+"
)


# An identifier of ASCII characters alone, with no "//" (a comment ends it) nor "/*" (an error)
# in it, that does not start a string: the lexer's common case, taken in one step. Whatever
# this does not match (a quote, a comment, an error, a character above ASCII) goes the long way.
_PLAIN_IDENT_CHAR = "".join(
    re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in "()[]{},/"
)
_PLAIN_IDENT = re.compile(rf"(?![\"`])(?:[{_PLAIN_IDENT_CHAR}]|/(?![/*]))+")


class _Token:
    __slots__ = ("end", "kind", "pos", "text")

    def __init__(self, pos: Position = NO_POSITION) -> None:
        self.kind = _EOF
        self.pos = pos
        self.end = NO_POSITION
        self.text = ""


class _Input:
    def __init__(self, filename: str, data: str, blank_before_rparen: bool = False) -> None:
        self.filename = filename
        self.data = data
        self.blank_before_rparen = blank_before_rparen
        self.i = 0  # index of the next unread character
        self.line = 1
        self.rune = 1
        self.token = _Token()
        self.token_start = 0
        self.comments: list[Comment] = []
        self.file = FileSyntax(filename)

    # -- lexing

    @property
    def pos(self) -> Position:
        return Position(self.line, self.rune, self.i)

    def error(self, msg: str, pos: Position | None = None) -> ParseError:
        p = pos if pos is not None else self.pos
        return ParseError(self.filename, p.line, msg, col=p.rune)

    def eof(self) -> bool:
        return self.i >= len(self.data)

    def peek_rune(self) -> str:
        return self.data[self.i] if self.i < len(self.data) else ""

    def peek_prefix(self, prefix: str) -> bool:
        return self.data.startswith(prefix, self.i)

    def read_rune(self) -> str:
        c = self.data[self.i]
        self.i += 1
        if c == "\n":
            self.line += 1
            self.rune = 1
        else:
            self.rune += 1
        return c

    def start_token(self) -> None:
        self.token_start = self.i
        self.token = _Token(Position(self.line, self.rune, self.i))

    def end_token(self, kind: str) -> None:
        text = self.data[self.token_start : self.i]
        if kind in (_COMMENT, _EOLCOMMENT):
            text = text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")
        tok = self.token
        tok.kind = kind
        tok.text = text
        tok.end = Position(self.line, self.rune, self.i)

    def peek(self) -> str:
        return self.token.kind

    def lex(self) -> _Token:
        tok = self.token
        self.read_token()
        return tok

    def read_token(self) -> None:
        data = self.data
        n = len(data)
        while self.i < n:
            c = data[self.i]
            if c in " \t\r":
                m = _BLANKS.match(data, self.i)
                assert m is not None
                self.rune += m.end() - self.i
                self.i = m.end()
                continue
            if c != "/":  # neither a comment nor "/*": a token starts here
                break
            if self.peek_prefix("//"):
                self.start_token()
                # A comment is a whole-line comment if only blanks precede it.
                nl = data.rfind("\n", 0, self.i)
                suffix = go_trim_space(data[nl + 1 : self.i]) != ""
                end = data.find("\n", self.i)  # the comment runs through its newline
                if end < 0:
                    self.rune += len(data) - self.i
                    self.i = len(data)
                else:
                    self.i = end + 1
                    self.line += 1
                    self.rune = 1
                if not suffix:
                    self.end_token(_COMMENT)
                    return
                self.end_token(_EOLCOMMENT)
                self.comments.append(Comment(self.token.pos, self.token.text, True))
                return
            if self.peek_prefix("/*"):
                raise self.error("mod files must use // comments (not /* */ comments)")
            break

        i = self.i
        if i < n and data[i] in _PUNCT:  # the most common tokens, in one step
            c = data[i]
            start = Position(self.line, self.rune, i)
            self.i = i + 1
            if c == "\n":
                self.line += 1
                self.rune = 1
            else:
                self.rune += 1
            tok = self.token = _Token(start)
            self.token_start = i
            tok.kind = tok.text = c
            tok.end = Position(self.line, self.rune, i + 1)
            return
        m = _PLAIN_IDENT.match(data, i)
        if m is not None:  # the most common token: an ASCII identifier, in one step
            stop = m.end()
            # what stops it is the end, a blank, punctuation, a comment or a character that
            # is no identifier's; "/*" (an error) and characters above ASCII go the long way
            if stop == n or (data[stop] < "\x80" and not data.startswith("/*", stop)):
                start = Position(self.line, self.rune, i)
                self.rune += stop - i
                self.i = stop
                self.token_start = i
                tok = self.token = _Token(start)
                tok.kind = _IDENT
                tok.text = data[i:stop]
                tok.end = Position(self.line, self.rune, stop)
                return
        self.start_token()
        if self.eof():
            self.end_token(_EOF)
            return

        c = self.peek_rune()
        if c in ('"', "`"):
            quote = c
            self.read_rune()
            while True:
                if self.eof():
                    raise self.error("unexpected EOF in string", self.token.pos)
                if self.peek_rune() == "\n":
                    raise self.error("unexpected newline in string")
                c = self.read_rune()
                if c == quote:
                    break
                if c == "\\" and quote != "`":
                    if self.eof():
                        raise self.error("unexpected EOF in string", self.token.pos)
                    self.read_rune()
            self.end_token(_STRING)
            return

        if not _is_ident(c):
            raise self.error(f"unexpected input character {_quote_rune(c)}")
        m = _ASCII_IDENT.match(data, self.i)
        if m is not None:
            # "//" ends the identifier, "/*" is an error; both are ASCII identifier characters,
            # so neither can straddle the end of the run.
            stop = m.end()
            slashes = data.find("//", self.i, stop)
            star = data.find("/*", self.i, stop)
            if star >= 0 and (slashes < 0 or star < slashes):
                self.rune += star - self.i
                self.i = star
                raise self.error("mod files must use // comments (not /* */ comments)")
            if slashes >= 0:
                stop = slashes
            self.rune += stop - self.i
            self.i = stop
        while _is_ident(self.peek_rune()):  # non-ASCII identifier characters, rune by rune
            if self.peek_prefix("//"):
                break
            if self.peek_prefix("/*"):
                raise self.error("mod files must use // comments (not /* */ comments)")
            self.read_rune()
        self.end_token(_IDENT)

    # -- parsing

    def parse_file(self) -> None:
        cb: CommentBlock | None = None
        while True:
            kind = self.peek()
            if kind == "\n":
                self.lex()
                if cb is not None:
                    self.file.stmts.append(cb)
                    cb = None
            elif kind == _COMMENT:
                tok = self.lex()
                if cb is None:
                    cb = CommentBlock(tok.pos)
                cb.comments.before.append(Comment(tok.pos, tok.text))
            elif kind == _EOF:
                if cb is not None:
                    self.file.stmts.append(cb)
                return
            else:
                self.parse_stmt()
                if cb is not None:
                    self.file.stmts[-1].comments.before = cb.comments.before
                    cb = None

    def parse_stmt(self) -> None:
        tok = self.lex()
        start, end = tok.pos, tok.end
        tokens = [tok.text]
        while True:
            tok = self.lex()
            if tok.kind in _EOL_KINDS:
                self.file.stmts.append(Line(tokens, start=start, end=end))
                return
            if tok.kind == "(":
                nxt = self.peek()
                if nxt in _EOL_KINDS:
                    self.file.stmts.append(self.parse_line_block(start, tokens, tok))
                    return
                if nxt == ")":
                    rparen = self.lex()
                    if self.peek() in _EOL_KINDS:
                        self.lex()
                        self.file.stmts.append(
                            LineBlock(start, tokens, LParen(tok.pos), [], RParen(rparen.pos))
                        )
                        return
                    tokens += [tok.text, rparen.text]
                else:
                    tokens.append(tok.text)
            else:
                tokens.append(tok.text)
                end = tok.end

    def parse_line_block(self, start: Position, token: list[str], lparen: _Token) -> LineBlock:
        x = LineBlock(start, token, LParen(lparen.pos), [], RParen(Position()))
        comments: list[Comment] = []
        while True:
            kind = self.peek()
            if kind == _EOLCOMMENT:
                self.lex()  # attached later by assign_comments
            elif kind == "\n":
                self.lex()
                # A blank line is kept as an empty comment (never two in a row,
                # never before the first line).
                if (not comments and x.lines) or (comments and comments[-1].token != ""):
                    comments.append(_BLANK)
            elif kind == _COMMENT:
                tok = self.lex()
                comments.append(Comment(tok.pos, tok.text))
            elif kind == _EOF:
                raise self.error(
                    f"syntax error (unterminated block started at "
                    f"{self.filename}:{x.start.line}:{x.start.rune})"
                )
            elif kind == ")":
                rparen = self.lex()
                if len(comments) == 1 and comments[0] == _BLANK and not self.blank_before_rparen:
                    comments = []
                x.rparen.comments.before = comments
                x.rparen.pos = rparen.pos
                if self.peek() not in _EOL_KINDS:
                    raise self.error("syntax error (expected newline after closing paren)")
                self.lex()
                return x
            else:
                line = self.parse_line()
                x.lines.append(line)
                line.comments.before = comments
                comments = []

    def parse_line(self) -> Line:
        tok = self.lex()
        start, end = tok.pos, tok.end
        tokens = [tok.text]
        while True:
            tok = self.lex()
            if tok.kind in _EOL_KINDS:
                return Line(tokens, start=start, end=end, in_block=True)
            tokens.append(tok.text)
            end = tok.end

    # -- comment assignment

    def assign_comments(self) -> None:
        post: list[Expr] = []

        def order(x: Expr) -> None:
            if isinstance(x, FileSyntax):
                for stmt in x.stmts:
                    order(stmt)
            elif isinstance(x, LineBlock):
                order(x.lparen)
                for ln in x.lines:
                    order(ln)
                order(x.rparen)
            post.append(x)

        order(self.file)
        # Whole-line comments were all handed to the parser; only suffix comments remain.
        suffix = [c for c in self.comments if c.suffix]
        for x in reversed(post):
            if isinstance(x, FileSyntax):
                continue
            start, end = x.span()
            if start.line != end.line:
                continue
            while suffix and end.offset <= suffix[-1].start.offset:
                x.comments.suffix.append(suffix.pop())
        for x in post:
            x.comments.suffix.reverse()
        self.file.comments.before.extend(suffix)


def keeps_blank_before_rparen(go_release: str) -> bool:
    """Whether the go.mod layout of this Go release (``1.24.13``) keeps a blank line before
    a block's ``)``: Go 1.24 and older do, Go 1.25 and newer drop it."""
    m = re.match(r"(\d+)\.(\d+)", go_release)
    return m is not None and (int(m.group(1)), int(m.group(2))) < (1, 25)


def _decode(data: str | bytes) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "surrogateescape")
    return data


def parse_syntax(data: str | bytes, file: str, *, blank_before_rparen: bool = False) -> FileSyntax:
    """Lex and parse go.mod/go.work text into a syntax tree (``modfile.parse``).

    ``blank_before_rparen``: keep a blank line before a block's ``)``, as the modfile of
    Go 1.24 and older does (:func:`keeps_blank_before_rparen`); since Go 1.25 the parser drops it,
    so that ``go mod tidy`` and ``go mod edit -fmt`` of the two releases differ there.

    Raises :class:`bot.errors.ParseError` with go's message and position for the
    syntax errors of reference §1.1-1.2."""
    inp = _Input(file, _decode(data), blank_before_rparen)
    inp.read_token()
    inp.parse_file()
    inp.assign_comments()
    return inp.file


# ------------------------------------------------------------- cleanup and sorting


def _add(x: list[Comment], y: list[Comment]) -> list[Comment]:
    return [*x, *y]


def cleanup(fs: FileSyntax) -> None:
    """``FileSyntax.Cleanup``: drop removed lines and empty blocks; a block left with one
    line and no comments before ``)`` collapses to a single-line statement."""
    out: list[Expr] = []
    for stmt in fs.stmts:
        if isinstance(stmt, Line):
            if stmt.token is None:
                continue
        elif isinstance(stmt, LineBlock):
            lines = [ln for ln in stmt.lines if ln.token is not None]
            if not lines:
                continue
            if len(lines) == 1 and not stmt.rparen.comments.before:
                only = lines[0]
                assert only.token is not None
                only.comments = Comments(
                    before=_add(stmt.comments.before, only.comments.before),
                    suffix=_add(only.comments.suffix, stmt.comments.suffix),
                    after=_add(only.comments.after, stmt.comments.after),
                )
                only.token = [*stmt.token, *only.token]
                only.start = Position()
                only.end = Position()
                only.in_block = False
                out.append(only)
                continue
            stmt.lines = lines
        out.append(stmt)
    fs.stmts = out


def compare_line(a: Line, b: Line) -> int:
    """``compareLine``: token lists compared lexicographically, then by length."""
    ta, tb = a.token or [], b.token or []
    for x, y in zip(ta, tb, strict=False):
        if x != y:
            return -1 if x < y else 1
    return (len(ta) > len(tb)) - (len(ta) < len(tb))


def sort_blocks(
    fs: FileSyntax, compare_for: Callable[[str], Callable[[Line, Line], int]] | None = None
) -> None:
    """Stable-sort the lines inside every block (single-line statements never move).

    ``compare_for(verb)`` picks the comparison for a block; :func:`compare_line` by default."""
    for stmt in fs.stmts:
        if isinstance(stmt, LineBlock):
            cmp = compare_for(stmt.token[0]) if compare_for else compare_line
            stmt.lines.sort(key=functools.cmp_to_key(cmp))


def remove_lines(fs: FileSyntax, kill: Sequence[Line]) -> None:
    """Drop the given lines from the tree, and any block left empty (the second half of
    ``removeDups``; note it also drops blocks that were empty to begin with)."""
    dead = {id(ln) for ln in kill}
    out: list[Expr] = []
    for stmt in fs.stmts:
        if isinstance(stmt, Line):
            if id(stmt) in dead:
                continue
        elif isinstance(stmt, LineBlock):
            stmt.lines = [ln for ln in stmt.lines if id(ln) not in dead]
            if not stmt.lines:
                continue
        out.append(stmt)
    fs.stmts = out


# -------------------------------------------------------------------------- printing


class _Printer:
    """``modfile``'s printer. The text grows as a list of pieces: a Python string built by
    ``+=`` on an attribute is copied whole at each step, which made printing a 10,000-line
    go.mod take seconds (quadratic); every operation here touches only the end of the text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.comment: list[Comment] = []
        self.margin = 0

    def add(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def indent(self) -> int:
        n = 0
        for part in reversed(self.parts):
            nl = part.rfind("\n")
            if nl >= 0:
                return n + len(part) - nl - 1
            n += len(part)
        return n

    def trim(self) -> None:
        parts = self.parts
        while parts:
            kept = parts[-1].rstrip(" \t")
            if kept:
                parts[-1] = kept
                return
            parts.pop()

    def _ends_blank(self) -> bool:
        """Whether the text is empty or ends in two newlines."""
        tail = ""
        for part in reversed(self.parts):
            tail = part + tail
            if len(tail) >= 2:
                break
        return not self.parts or tail.endswith("\n\n")

    def newline(self) -> None:
        if self.comment:
            self.add(" ")
            for i, com in enumerate(self.comment):
                if i > 0:
                    self.trim()
                    self.add("\n" + "\t" * self.margin)
                self.add(go_trim_space(com.token))
            self.comment = []
        self.trim()
        if not self._ends_blank():
            self.add("\n")
        self.add("\t" * self.margin)

    def file(self, f: FileSyntax) -> None:
        for com in f.comments.before:
            self.add(go_trim_space(com.token))
            self.newline()
        for i, stmt in enumerate(f.stmts):
            self.expr(stmt)
            if not isinstance(stmt, CommentBlock):
                self.newline()
            for com in stmt.comments.after:
                self.add(go_trim_space(com.token))
                self.newline()
            if i + 1 < len(f.stmts):
                self.newline()

    def expr(self, x: Expr) -> None:
        before = x.comments.before
        if before:
            self.trim()
            if self.indent() > 0:
                self.add("\n")
            self.add("\t" * self.margin)
            for com in before:
                self.add(go_trim_space(com.token))
                self.newline()
        if isinstance(x, LParen):
            self.add("(")
        elif isinstance(x, RParen):
            self.add(")")
        elif isinstance(x, Line):
            self.tokens(x.token or [])
        elif isinstance(x, LineBlock):
            self.tokens(x.token)
            self.add(" ")
            self.expr(x.lparen)
            self.margin += 1
            for ln in x.lines:
                self.newline()
                self.expr(ln)
            self.margin -= 1
            self.newline()
            self.expr(x.rparen)
        self.comment.extend(x.comments.suffix)

    def tokens(self, tokens: list[str]) -> None:
        sep = ""
        for t in tokens:
            if t in (",", ")", "]", "}"):
                sep = ""
            self.add(sep + t)
            sep = "" if t in ("(", "[", "{") else " "


def format_syntax(fs: FileSyntax) -> str:
    """``modfile.Format``: the canonical text of a syntax tree (ends in one newline,
    or is empty)."""
    p = _Printer()
    p.file(fs)
    b = "".join(p.parts)
    while b.endswith("\n") and (len(b) == 1 or b[-2] == "\n"):
        b = b[:-1]
    return b
