"""Read the unified diffs ``go mod tidy -diff`` prints, and apply them. Pure.

Layout (reference §5.2): per file ``diff current/F tidy/F``, ``--- current/F``, ``+++ tidy/F``,
hunks ``@@ -l,c +l,c @@`` with 3 lines of context, ``\\ No newline at end of file`` markers,
then a blank line.
"""

from __future__ import annotations

import difflib
import re

from bot.record import record

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class DiffError(ValueError):
    pass


@record
class FileDiff:
    name: str  # "go.mod" or "go.sum"
    text: str  # the diff section for this file, as printed
    hunks: tuple[tuple[int, int, tuple[str, ...]], ...]  # (old_start, old_count, lines)


def split_diff(output: str) -> dict[str, FileDiff]:
    """Split ``go mod tidy -diff`` stdout into one diff per file name."""
    out: dict[str, FileDiff] = {}
    lines = output.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("diff "):
            i += 1
            continue
        parts = line.split()
        name = parts[-1].split("/", 1)[-1] if len(parts) >= 3 else "?"
        start = i
        i += 1
        hunks: list[tuple[int, int, tuple[str, ...]]] = []
        while i < len(lines) and not lines[i].startswith("diff "):
            m = _HUNK.match(lines[i])
            if m:
                old_start = int(m.group(1))
                old_count = int(m.group(2)) if m.group(2) is not None else 1
                new_count = int(m.group(4)) if m.group(4) is not None else 1
                body: list[str] = []
                i += 1
                seen_old = seen_new = 0
                while i < len(lines) and (seen_old < old_count or seen_new < new_count):
                    ln = lines[i]
                    if ln.startswith("\\"):
                        body.append(ln)
                        i += 1
                        continue
                    tag = ln[:1]
                    if tag not in (" ", "+", "-"):
                        if ln == "" and seen_old < old_count and seen_new < new_count:
                            tag = " "  # an empty context line whose space was lost
                            ln = " "
                        else:
                            break
                    if tag in (" ", "-"):
                        seen_old += 1
                    if tag in (" ", "+"):
                        seen_new += 1
                    body.append(ln)
                    i += 1
                while i < len(lines) and lines[i].startswith("\\"):
                    body.append(lines[i])
                    i += 1
                hunks.append((old_start, old_count, tuple(body)))
            else:
                i += 1
        text = "\n".join(lines[start:i]).rstrip("\n") + "\n"
        out[name] = FileDiff(name, text, tuple(hunks))
    return out


def apply(current: str, diff: FileDiff) -> str:
    """The new text: ``current`` with the diff's hunks applied (checks every context line)."""
    old = current.split("\n")
    # split("\n") of "a\nb\n" gives ["a", "b", ""]: the last element says "ends with newline".
    ends_nl = current.endswith("\n") or current == ""
    if ends_nl:
        old = old[:-1] if current else []
    new: list[str] = []
    pos = 0  # index into old
    new_ends_nl = ends_nl
    for old_start, old_count, body in diff.hunks:
        begin = old_start - 1 if old_count > 0 else old_start
        if begin < pos or begin > len(old):
            raise DiffError(f"{diff.name}: hunk at line {old_start} does not fit")
        new.extend(old[pos:begin])
        pos = begin
        last_tag = ""
        for ln in body:
            if ln.startswith("\\"):
                if last_tag in (" ", "+"):
                    new_ends_nl = False
                continue
            tag, text = ln[:1], ln[1:]
            last_tag = tag
            if tag in (" ", "-"):
                if pos >= len(old) or old[pos] != text:
                    raise DiffError(f"{diff.name}: line {pos + 1} does not match the diff")
                pos += 1
            if tag in (" ", "+"):
                new.append(text)
                if tag == "+":
                    new_ends_nl = True
    new.extend(old[pos:])
    if not new:
        return ""
    return "\n".join(new) + ("\n" if new_ends_nl else "")


def unified(name: str, current: str, new: str, to: str = "tidy") -> str:
    """A diff of two texts laid out like go's (``current/F`` -> ``tidy/F``; ``to`` names the
    new side, ``synced`` for what go work sync writes)."""
    body = difflib.unified_diff(
        current.splitlines(keepends=True),
        new.splitlines(keepends=True),
        f"current/{name}",
        f"{to}/{name}",
        n=3,
    )
    lines = [ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in body]
    if not lines:
        return ""
    return f"diff current/{name} {to}/{name}\n" + "".join(lines) + "\n"
