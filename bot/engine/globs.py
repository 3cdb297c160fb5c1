"""Module-directory globs: one grammar for the command line, the action's inputs and the
config file. Pure.

Globs match a module's directory relative to the root, with ``/`` separators; the root module
is ``.``. ``*`` and ``?`` stay inside one path segment, ``[abc]``/``[!abc]`` are character
classes, and a segment that is exactly ``**`` matches any number of segments (a trailing
``/**`` also matches the directory itself). A leading ``./`` and a trailing ``/`` are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["GLOB_HELP", "compile_glob", "glob_error", "glob_match", "selected"]


@lru_cache(maxsize=256)
def compile_glob(glob: str) -> re.Pattern[str] | str:
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
    segs = glob.rstrip("/").split("/") if glob != "/" else [""]
    if any(s in ("", "..") for s in segs):
        return "empty or '..' path segment"
    if glob == "**":
        return re.compile(r".*")
    parts: list[str] = []
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        if seg == "**":
            if last:
                parts.append(r"(?:/.*)?")
            else:
                parts.append(r"(?:[^/]+/)*" if i == 0 else r"/(?:[^/]+/)*")
            continue
        if "**" in seg:
            return "'**' must be a whole path segment"
        rx = _segment(seg)
        if rx is None:
            return "unbalanced [ ] in character class"
        sep = "" if i == 0 or segs[i - 1] == "**" else "/"
        parts.append(sep + rx)
    return re.compile("".join(parts))


def _segment(seg: str) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = seg.find("]", i + 2 if seg[i + 1 : i + 2] in ("!", "^") else i + 1)
            if j < 0:
                return None
            body = seg[i + 1 : j]
            neg = body[:1] in ("!", "^")
            body = body[1:] if neg else body
            if not body:
                return None
            out.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\") + "]")
            i = j
        elif c == "]":
            return None
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


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
    return compiled.fullmatch(module_dir.strip("/") or ".") is not None


def selected(module_dir: str, include: Iterable[str], exclude: Iterable[str]) -> bool:
    """In ``include`` (all when empty) and not in ``exclude``."""
    inc = list(include)
    if inc and not any(glob_match(g, module_dir) for g in inc):
        return False
    return not any(glob_match(g, module_dir) for g in exclude)
