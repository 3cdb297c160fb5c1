"""Module paths: validity, major-version suffixes, case escaping and prefix patterns.

A faithful port of golang.org/x/mod/module (``CheckPath``, ``SplitPathVersion``,
``EscapePath``/``UnescapePath``, ``EscapeVersion``/``UnescapeVersion``,
``MatchPrefixPatterns``). Error texts are the go command's, so a message can be shown to a
user next to go's own output without translation.
"""

from __future__ import annotations

import unicodedata

from bot.engine.semver import split_path_version

__all__ = [
    "check_file_path",
    "check_import_path",
    "check_path",
    "escape_path",
    "escape_version",
    "match_prefix_patterns",
    "path_match",
    "split_path_version",
    "unescape_path",
    "unescape_version",
]

_MODULE = "module"
_IMPORT = "import"
_FILE = "file"

_BAD_WINDOWS_NAMES = (
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
)

_FILE_PUNCT = "!#$%&()+,-.=@[]^_{}~ "


def _go_quote(s: str) -> str:
    """Go's ``%q`` for a string (strconv.Quote): printable runes kept, others escaped."""
    out = ['"']
    for ch in s:
        out.append(_quote_char(ch, '"'))
    out.append('"')
    return "".join(out)


def _go_quote_rune(ch: str) -> str:
    """Go's ``%q`` for a rune (strconv.QuoteRune)."""
    return "'" + _quote_char(ch, "'") + "'"


_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
}


def _quote_char(ch: str, quote: str) -> str:
    if ch == quote:
        return "\\" + ch
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if ch == " " or (ch.isprintable() and unicodedata.category(ch) != "Zs"):
        return ch
    if code < 0x80:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _mod_path_ok(ch: str) -> bool:
    return ch in "-._~" or ("0" <= ch <= "9") or ("A" <= ch <= "Z") or ("a" <= ch <= "z")


def _import_path_ok(ch: str) -> bool:
    return _mod_path_ok(ch) or ch == "+"


def _file_name_ok(ch: str) -> bool:
    if ord(ch) < 0x80:
        if ("0" <= ch <= "9") or ("A" <= ch <= "Z") or ("a" <= ch <= "z"):
            return True
        return ch in _FILE_PUNCT
    return unicodedata.category(ch).startswith("L")


def _first_path_ok(ch: str) -> bool:
    return ch in "-." or ("0" <= ch <= "9") or ("a" <= ch <= "z")


def _valid_utf8(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _check_elem(elem: str, kind: str) -> str | None:
    if elem == "":
        return "empty path element"
    if elem.count(".") == len(elem):
        return f"invalid path element {_go_quote(elem)}"
    if elem[0] == "." and kind == _MODULE:
        return "leading dot in path element"
    if elem[-1] == ".":
        return "trailing dot in path element"
    ok = {_MODULE: _mod_path_ok, _IMPORT: _import_path_ok, _FILE: _file_name_ok}[kind]
    for ch in elem:
        if not ok(ch):
            return f"invalid char {_go_quote_rune(ch)}"
    short = elem.split(".", 1)[0]
    for bad in _BAD_WINDOWS_NAMES:
        if _equal_fold(bad, short):
            return f"{_go_quote(short)} disallowed as path element component on Windows"
    if kind == _FILE:
        return None
    tilde = short.rfind("~")
    if 0 <= tilde < len(short) - 1:
        suffix = short[tilde + 1 :]
        if all("0" <= c <= "9" for c in suffix):
            return "trailing tilde and digits in path element"
    return None


def _equal_fold(a: str, b: str) -> bool:
    return len(a) == len(b) and a.casefold() == b.casefold()


def _check_path(path: str, kind: str) -> str | None:
    if not _valid_utf8(path):
        return "invalid UTF-8"
    if path == "":
        return "empty string"
    if path[0] == "-" and kind != _FILE:
        return "leading dash"
    if "//" in path:
        return "double slash"
    if path[-1] == "/":
        return "trailing slash"
    for elem in path.split("/"):
        err = _check_elem(elem, kind)
        if err is not None:
            return err
    return None


def _module_path_error(path: str) -> str | None:
    err = _check_path(path, _MODULE)
    if err is not None:
        return err
    first = path.split("/", 1)[0]
    if first == "":
        return "leading slash"
    if "." not in first:
        return "missing dot in first path element"
    if path[0] == "-":
        return "leading dash in first path element"
    for ch in first:
        if not _first_path_ok(ch):
            return f"invalid char {_go_quote_rune(ch)} in first path element"
    if not split_path_version(path)[2]:
        return "invalid version"
    return None


def check_path(path: str) -> None:
    """Check that ``path`` is a valid module path (module.CheckPath).

    Raises ValueError with go's message, e.g.
    ``malformed module path "example/m": missing dot in first path element``.
    """
    err = _module_path_error(path)
    if err is not None:
        raise ValueError(f"malformed module path {_go_quote(path)}: {err}")


def check_import_path(path: str) -> None:
    """Check that ``path`` is a valid package import path (module.CheckImportPath)."""
    err = _check_path(path, _IMPORT)
    if err is not None:
        raise ValueError(f"malformed import path {_go_quote(path)}: {err}")


def check_file_path(path: str) -> None:
    """Check that ``path`` is a valid file path inside a module zip (module.CheckFilePath)."""
    err = _check_path(path, _FILE)
    if err is not None:
        raise ValueError(f"malformed file path {_go_quote(path)}: {err}")


def _escape_string(s: str) -> str:
    out = []
    for ch in s:
        if ch == "!" or ord(ch) >= 0x80:
            raise ValueError("internal error: inconsistency in EscapePath")
        out.append("!" + ch.lower() if "A" <= ch <= "Z" else ch)
    return "".join(out)


def _unescape_string(escaped: str) -> str | None:
    out = []
    bang = False
    for ch in escaped:
        if ord(ch) >= 0x80:
            return None
        if bang:
            bang = False
            if not "a" <= ch <= "z":
                return None
            out.append(ch.upper())
            continue
        if ch == "!":
            bang = True
            continue
        if "A" <= ch <= "Z":
            return None
        out.append(ch)
    if bang:
        return None
    return "".join(out)


def escape_path(path: str) -> str:
    """Escape a module path for the proxy and the module cache (module.EscapePath).

    Every upper-case ASCII letter ``X`` becomes ``!x``. Raises ValueError for an invalid path.
    """
    check_path(path)
    return _escape_string(path)


def unescape_path(escaped: str) -> str:
    """Invert :func:`escape_path` (module.UnescapePath); raises ValueError on bad input."""
    path = _unescape_string(escaped)
    if path is None:
        raise ValueError(f"invalid escaped module path {_go_quote(escaped)}")
    try:
        check_path(path)
    except ValueError as exc:
        raise ValueError(f"invalid escaped module path {_go_quote(escaped)}: {exc}") from None
    return path


def escape_version(v: str) -> str:
    """Escape a version for the proxy and the module cache (module.EscapeVersion)."""
    if _check_elem(v, _FILE) is not None or "!" in v:
        raise ValueError(f"version {_go_quote(v)} invalid: disallowed version string")
    return _escape_string(v)


def unescape_version(v: str) -> str:
    """Invert :func:`escape_version` (module.UnescapeVersion); raises ValueError on bad input."""
    out = _unescape_string(v)
    if out is None:
        raise ValueError(f"invalid escaped version {_go_quote(v)}")
    err = _check_elem(out, _FILE)
    if err is not None:
        raise ValueError(f"invalid escaped version {_go_quote(out)}: {err}")
    return out


def match_prefix_patterns(globs: str, target: str) -> bool:
    """Report whether any comma-separated glob matches a prefix of ``target``.

    module.MatchPrefixPatterns, as used for GOPRIVATE, GONOPROXY, GONOSUMDB and GOINSECURE:
    a glob with N slashes is matched (path.Match) against the first N+1 elements of target.
    """
    for raw in globs.split(","):
        glob = raw.removesuffix("/")
        if glob == "":
            continue
        n = glob.count("/")
        prefix = target
        for i, ch in enumerate(target):
            if ch == "/":
                if n == 0:
                    prefix = target[:i]
                    break
                n -= 1
        if n > 0:
            continue
        if path_match(glob, prefix):
            return True
    return False


class _BadPatternError(Exception):
    pass


def path_match(pattern: str, name: str) -> bool:
    """Go's ``path.Match``; a malformed pattern matches nothing (as go treats ErrBadPattern)."""
    try:
        return _match(pattern, name)
    except _BadPatternError:
        return False


def _match(pattern: str, name: str) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and chunk == "":
            return "/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (rest == "" or pattern):
            name = rest
            continue
        matched = False
        if star:
            i = 0
            while i < len(name) and name[i] != "/":
                rest = _match_chunk(chunk, name[i + 1 :])
                i += 1
                if rest is not None:
                    if not pattern and rest:
                        continue
                    name = rest
                    matched = True
                    break
        if matched:
            continue
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return name == ""


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern and pattern[0] == "*":
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif ch == "[":
            in_range = True
        elif ch == "]":
            in_range = False
        elif ch == "*" and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _match_chunk(chunk: str, s: str) -> str | None:
    """Match chunk at the start of s; the rest of s, or None. Raises on a bad pattern."""
    failed = False
    while chunk:
        if not failed and s == "":
            failed = True
        head = chunk[0]
        if head == "[":
            r = ""
            if not failed:
                r, s = s[0], s[1:]
            chunk = chunk[1:]
            negated = False
            if chunk and chunk[0] == "^":
                negated = True
                chunk = chunk[1:]
            match = False
            nrange = 0
            while True:
                if chunk and chunk[0] == "]" and nrange > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[0] == "-":
                    hi, chunk = _get_esc(chunk[1:])
                if r and lo <= r <= hi:
                    match = True
                nrange += 1
            if match == negated:
                failed = True
        elif head == "?":
            if not failed:
                if s[0] == "/":
                    failed = True
                s = s[1:]
            chunk = chunk[1:]
        else:
            if head == "\\":
                chunk = chunk[1:]
                if chunk == "":
                    raise _BadPatternError
            if not failed:
                if chunk[0] != s[0]:
                    failed = True
                s = s[1:]
            chunk = chunk[1:]
    if failed:
        return None
    return s


def _get_esc(chunk: str) -> tuple[str, str]:
    if chunk == "" or chunk[0] in "-]":
        raise _BadPatternError
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if chunk == "":
            raise _BadPatternError
    r, rest = chunk[0], chunk[1:]
    if rest == "":
        raise _BadPatternError
    return r, rest
