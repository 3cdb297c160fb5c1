"""Module-directory globs: one grammar for the command line, the action's inputs and the
config file. Pure.

Globs match a module's directory relative to the root, with ``/`` separators; the root module
is ``.``. ``*`` and ``?`` stay inside one path segment, ``[abc]``/``[!abc]`` are character
classes, and a segment that is exactly ``**`` matches any number of segments (a trailing
``/**`` also matches the directory itself). A leading ``./`` and a trailing ``/`` are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "GLOB_HELP",
    "Glob",
    "compile_glob",
    "glob_error",
    "glob_match",
    "selected",
    "suggest_glob",
    "unmatched_globs",
]


#: A token of a segment: a character, ``?`` (any one), ``*`` (any run), or a class
#: ``(negated, ((low, high), ...))`` of inclusive character ranges.
_Token = str | tuple[bool, tuple[tuple[str, str], ...]]
_STAR, _ANY = "*", "?"
_GLOBSTAR = None  # a whole ``**`` segment: any number of segments


class Glob:
    """A compiled glob. Matching takes time proportional to the lengths of the glob and the
    directory multiplied, whatever either holds: a glob comes from the checked tree's config
    file too, and a backtracking regular expression (``*a*a*a*b``) takes exponential time."""

    __slots__ = ("segments",)

    def __init__(self, segments: tuple[tuple[_Token, ...] | None, ...]) -> None:
        self.segments = segments

    def fullmatch(self, module_dir: str) -> bool:
        return _match_segments(self.segments, tuple(module_dir.split("/")))


#: A glob comes from the checked tree's config file too: its size is bounded, so that matching
#: it against every module directory stays cheap whatever the tree holds.
MAX_GLOB = 256
MAX_SEGMENTS = 32


@lru_cache(maxsize=256)
def compile_glob(glob: str) -> Glob | str:
    """Compile a module-directory glob; returns the reason as a string when it is invalid."""
    glob = glob.strip()
    while glob.startswith("./") and len(glob) > 2:
        glob = glob[2:]
    if glob == "":
        return "empty glob"
    if glob.startswith("/"):
        return "globs are relative to the repository root and must not start with '/'"
    if "\\" in glob:
        return "use '/' as the path separator"
    if len(glob) > MAX_GLOB:
        return f"longer than {MAX_GLOB} characters"
    segs = glob.rstrip("/").split("/") if glob != "/" else [""]
    if any(s in ("", "..") for s in segs):
        return "empty or '..' path segment"
    if len(segs) > MAX_SEGMENTS:
        return f"more than {MAX_SEGMENTS} path segments"
    out: list[tuple[_Token, ...] | None] = []
    for seg in segs:
        if seg == "**":
            if not out or out[-1] is not _GLOBSTAR:
                out.append(_GLOBSTAR)
            continue
        if "**" in seg:
            return "'**' must be a whole path segment"
        tokens = _segment(seg)
        if isinstance(tokens, str):
            return tokens
        out.append(tokens)
    return Glob(tuple(out))


def _segment(seg: str) -> tuple[_Token, ...] | str:
    out: list[_Token] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c in (_STAR, _ANY):
            if not (c == _STAR and out and out[-1] == _STAR):  # ** inside a segment is refused
                out.append(c)
        elif c == "[":
            j = seg.find("]", i + 2 if seg[i + 1 : i + 2] in ("!", "^") else i + 1)
            if j < 0:
                return "unbalanced [ ] in character class"
            body = seg[i + 1 : j]
            neg = body[:1] in ("!", "^")
            body = body[1:] if neg else body
            if not body:
                return "unbalanced [ ] in character class"
            ranges = _ranges(body)
            if ranges is None:
                return f"bad character range in [{seg[i + 1 : j]}]"
            out.append((neg, ranges))
            i = j
        elif c == "]":
            return "unbalanced [ ] in character class"
        else:
            out.append(c)
        i += 1
    return tuple(out)


def _ranges(body: str) -> tuple[tuple[str, str], ...] | None:
    """The ranges of a class body (``a-z0-9_``; a ``-`` first or last is itself); None for a
    range whose end comes before its start."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = body[i], body[i + 2]
            if low > high:
                return None
            out.append((low, high))
            i += 3
        else:
            out.append((body[i], body[i]))
            i += 1
    return tuple(out)


def _one(token: _Token, ch: str) -> bool:
    if token == _ANY:
        return ch != "/"
    if isinstance(token, str):
        return token == ch
    neg, ranges = token
    return any(low <= ch <= high for low, high in ranges) != neg


def _match_segment(tokens: tuple[_Token, ...], text: str) -> bool:
    """Wildcard matching of one segment: a ``*`` is retried from the last one only (the
    classic two-pointer walk), never by backtracking over all earlier ones."""
    t = s = 0
    star_t, star_s = -1, 0
    while s < len(text):
        if t < len(tokens) and tokens[t] == _STAR:
            star_t, star_s = t, s
            t += 1
        elif t < len(tokens) and _one(tokens[t], text[s]):
            t += 1
            s += 1
        elif star_t >= 0:
            t, star_s = star_t + 1, star_s + 1
            s = star_s
        else:
            return False
    while t < len(tokens) and tokens[t] == _STAR:
        t += 1
    return t == len(tokens)


def _match_segments(glob: tuple[tuple[_Token, ...] | None, ...], parts: tuple[str, ...]) -> bool:
    """Whether the directory's segments ``parts`` match: a ``**`` takes any number of them
    (none too). The set of reachable positions is carried forward, never searched twice."""
    reach = {0}
    for seg in glob:
        if seg is _GLOBSTAR:
            reach = set(range(min(reach), len(parts) + 1)) if reach else set()
        else:
            matches: dict[str, bool] = {}  # a deep directory repeats its names: match each once
            nxt = set()
            for j in reach:
                if j < len(parts):
                    part = parts[j]
                    ok = matches.get(part)
                    if ok is None:
                        ok = matches[part] = _match_segment(seg, part)
                    if ok:
                        nxt.add(j + 1)
            reach = nxt
        if not reach:
            return False
    return len(parts) in reach


GLOB_HELP = (
    "globs match module directories relative to the root, with '/': svc/*, **/tools, . for "
    "the root module"
)


def glob_error(glob: str) -> str | None:
    """Why ``glob`` is not a valid module-directory glob, or None when it is."""
    compiled = compile_glob(glob)
    return compiled if isinstance(compiled, str) else None


def glob_match(glob: str, module_dir: str) -> bool:
    """Whether ``module_dir`` (``svc/a``, ``.`` for the root) matches ``glob``. An invalid glob
    is a caller's mistake: the command line, the action and the config file refuse one first."""
    compiled = compile_glob(glob)
    if isinstance(compiled, str):
        raise ValueError(f"bad glob {glob!r}: {compiled}")
    return compiled.fullmatch(module_dir.strip("/") or ".")


def selected(module_dir: str, include: Iterable[str], exclude: Iterable[str]) -> bool:
    """In ``include`` (all when empty) and not in ``exclude``."""
    inc = list(include)
    if inc and not any(glob_match(g, module_dir) for g in inc):
        return False
    return not any(glob_match(g, module_dir) for g in exclude)


def unmatched_globs(globs: Iterable[str], module_dirs: Iterable[str]) -> list[str]:
    """The ``globs`` (each once, in order) that match none of ``module_dirs``."""
    dirs = list(module_dirs)
    out: list[str] = []
    for g in globs:
        if g not in out and not any(glob_match(g, d) for d in dirs):
            out.append(g)
    return out


def suggest_glob(glob: str, module_dirs: Iterable[str]) -> str | None:
    """A glob close to ``glob`` that matches some of ``module_dirs``, or None: the same path
    without its leading directories (``repo/svc`` given for a check of ``repo``: globs are
    relative to the checked directory), the modules below it (``svc`` for ``svc/**``, when
    svc holds modules but is not one), else the nearest module directory (a typo)."""
    dirs = list(module_dirs)
    g = glob.strip().strip("/")
    while g.startswith("./"):
        g = g[2:]
    if not dirs or not g:
        return None

    def hits(candidate: str) -> bool:
        return glob_error(candidate) is None and any(glob_match(candidate, d) for d in dirs)

    segs = g.split("/")
    for k in range(1, len(segs)):
        if hits(tail := "/".join(segs[k:])):
            return tail
    if hits(below := g + "/**"):
        return below
    import difflib  # only for a glob that matched nothing

    close = difflib.get_close_matches(g, dirs, n=1, cutoff=0.6)
    return close[0] if close else None
