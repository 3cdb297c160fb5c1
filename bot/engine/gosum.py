"""go.sum and go.work.sum parsing (reference §2.1). Pure."""

from __future__ import annotations

from bot.record import record

# The hash of an empty go.mod that an old go bug wrote; go drops such lines on read.
EMPTY_GOMOD_HASH = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="


@record(order=True)
class SumLine:
    path: str  # module path, unescaped (real case)
    version: str  # "v1.2.3" or "v1.2.3/go.mod"
    hash: str  # "h1:..." (or another algorithm)
    line: int  # 1-based line number in the file

    @property
    def is_gomod(self) -> bool:
        return self.version.endswith("/go.mod")

    @property
    def module_version(self) -> str:
        """The version without a ``/go.mod`` suffix."""
        return self.version.removesuffix("/go.mod")

    @property
    def key(self) -> tuple[str, str]:
        return (self.path, self.version)


@record
class Malformed:
    line: int
    text: str
    reason: str  # as go says it: "wrong number of fields 2"


@record
class GoSum:
    file: str
    lines: tuple[SumLine, ...]
    malformed: tuple[Malformed, ...] = ()

    def keys(self) -> set[tuple[str, str]]:
        return {ln.key for ln in self.lines}

    def hashes(self) -> dict[tuple[str, str], tuple[str, ...]]:
        out: dict[tuple[str, str], list[str]] = {}
        for ln in self.lines:
            out.setdefault(ln.key, []).append(ln.hash)
        return {k: tuple(v) for k, v in out.items()}

    def line_of(self, path: str, version: str) -> int | None:
        for ln in self.lines:
            if ln.path == path and ln.version == version:
                return ln.line
        return None


def parse_gosum(text: str, file: str = "go.sum") -> GoSum:
    """Parse go.sum text the way ``readGoSum`` does, keeping malformed lines aside.

    go itself fails a build on a malformed line (``malformed go.sum``) but tidy ignores it;
    we record it so callers can report it with its line number.
    """
    lines: list[SumLine] = []
    bad: list[Malformed] = []
    for n, raw in enumerate(text.split("\n"), start=1):
        fields = raw.split()
        if not fields:
            continue
        if len(fields) != 3:
            bad.append(Malformed(n, raw, f"wrong number of fields {len(fields)}"))
            continue
        path, version, h = fields
        if h == EMPTY_GOMOD_HASH:
            continue
        lines.append(SumLine(path, version, h, n))
    return GoSum(file=file, lines=tuple(lines), malformed=tuple(bad))
