"""Turn the current and the tidy go.mod/go.sum into findings, comparing parsed data. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cmp_to_key

from bot.engine.findings import severity_of
from bot.engine.gomod import GoMod, Require, format_gomod, parse_gomod
from bot.engine.gosum import parse_gosum
from bot.engine.imports import GoFile, importers_of
from bot.engine.model import Finding
from bot.engine.semver import compare
from bot.errors import ParseError
from bot.record import record


@record
class ModuleTexts:
    """What the module has now and what ``go mod tidy`` would write."""

    dir: str  # module dir relative to the root
    gomod_file: str  # relative to the root
    gosum_file: str
    current_mod: str
    tidy_mod: str
    current_sum: str
    tidy_sum: str


def _f(t: ModuleTexts, file: str, line: int | None, rid: str, msg: str, why: str) -> Finding:
    return Finding(t.dir, file, line, rid, severity_of(rid), msg, why)


def _why_imported(
    req_path: str, files: Sequence[GoFile], all_paths: Sequence[str], module_dir: str
) -> str:
    """The file that imports a package of ``req_path``, named as every other path of a report
    is: from the checked root (``svc/main.go``, not the module-relative ``main.go``)."""
    # Attribute each import to the longest required module path that contains it.
    hits = []
    for f, imp, line in importers_of(files, req_path):
        owner = max((p for p in all_paths if imp == p or imp.startswith(p + "/")), key=len)
        if owner == req_path:
            hits.append((f, imp, line))
    if not hits:
        return ""
    f, imp, line = hits[0]
    more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
    kind = "test " if f.is_test else ""
    rel = f.rel if module_dir in (".", "") else f"{module_dir}/{f.rel}"
    return f"{kind}file {rel}:{line} imports {imp}{more}"


def classify(
    t: ModuleTexts,
    files: Sequence[GoFile] = (),
    *,
    current: GoMod | None = None,
    blank_before_rparen: bool = False,
    go_flag: str = "",
    go_flag_source: str = "",
) -> list[Finding]:
    """The findings of one module. ``blank_before_rparen``: the go.mod layout is that of
    Go 1.24 or older (``bot.engine.modfile.keeps_blank_before_rparen``). ``go_flag``: the
    version tidy ran with ``-go=`` (the config's), ``go_flag_source`` where the config sets
    it (``modules.svc.go in .github/tidybot.yml:7``)."""
    cur = current if current is not None else parse_gomod(t.current_mod, t.gomod_file)
    tidy = parse_gomod(t.tidy_mod, t.gomod_file)
    out: list[Finding] = []
    mod = t.gomod_file
    cur_req, dups = _effective_requires(cur.requires)
    tidy_req = {r.path: r for r in tidy.requires}
    for r in dups:
        kept = cur_req[r.path]
        if r.path in tidy_req:
            kept_v = tidy_req[r.path].version
            why = f"go uses the highest version, and go mod tidy drops this line (keeps {kept_v})"
        else:
            why = "go mod tidy drops it (the module is not needed at all)"
        out.append(
            _f(
                t,
                mod,
                r.line,
                "duplicate-require",
                f"{r.path} is required twice: {r.version} here, {kept.version} at line {kept.line}",
                why,
            )
        )
    all_paths = sorted(set(cur_req) | set(tidy_req))

    for path in sorted(set(tidy_req) - set(cur_req)):
        r = tidy_req[path]
        why = _why_imported(path, files, all_paths, t.dir)
        if r.indirect or not why:
            why = (
                why
                or "not imported by this module: the module graph needs it "
                "(a dependency's package or test imports it)"
            )
        out.append(
            _f(
                t,
                mod,
                None,
                "missing-require",
                f"{path} {r.version} is needed but not required"
                + (" (// indirect)" if r.indirect else ""),
                why,
            )
        )
    for path in sorted(set(cur_req) - set(tidy_req)):
        r = cur_req[path]
        if r.indirect:
            why = "no package of it is needed by this module or its dependencies any more"
        else:
            why = "no package or test of this module imports a package of it"
        out.append(
            _f(t, mod, r.line, "unused-require", f"{path} {r.version} is required but unused", why)
        )
    for path in sorted(set(cur_req) & set(tidy_req)):
        a, b = cur_req[path], tidy_req[path]
        if a.version != b.version:
            out.append(
                _f(
                    t,
                    mod,
                    a.line,
                    "version-change",
                    f"{path}: tidy selects {b.version} instead of {a.version}",
                    "the module graph (a dependency's requirement) selects a higher version"
                    if _newer(b, a)
                    else "the required version is not the one the graph selects",
                )
            )
        if a.indirect != b.indirect:
            if b.indirect:
                msg = f"{path} is not imported directly: mark it // indirect"
                why = "no package or test of this module imports it; only dependencies need it"
            else:
                msg = f"{path} is imported directly but marked // indirect"
                why = _why_imported(path, files, all_paths, t.dir)
                why = why or "a package of this module imports it"
            out.append(_f(t, mod, a.line, "indirect-mismatch", msg, why))

    if cur.go != tidy.go:
        if go_flag and tidy.go == go_flag:
            why = f"the config asks for go {go_flag}: {go_flag_source or 'modules.*.go'}"
        elif cur.go:
            why = "the go line must be at least every dependency's go version"
        else:
            why = "a go.mod without a go line is read as go 1.16"
        out.append(
            _f(
                t,
                mod,
                cur.go_line,
                "go-directive",
                f"go line: {cur.go or '(none)'} -> {tidy.go or '(none)'}",
                why,
            )
        )
    if cur.toolchain != tidy.toolchain:
        out.append(
            _f(
                t,
                mod,
                cur.toolchain_line,
                "go-directive",
                f"toolchain line: {cur.toolchain or '(none)'} -> {tidy.toolchain or '(none)'}",
                _toolchain_why(cur.toolchain, tidy.toolchain),
            )
        )

    out.extend(_sum_findings(t))

    formatted = _safe_fmt(t.current_mod, mod, blank_before_rparen)
    if formatted != t.current_mod:
        line = _first_diff_line(t.current_mod, formatted)
        out.append(
            _f(
                t,
                mod,
                line,
                "format",
                "go.mod is not formatted as `go mod edit -fmt` writes it",
                "go mod tidy and go mod edit -fmt rewrite it in canonical form",
            )
        )
    semantic_mod = any(f.file == mod and f.id != "format" for f in out)
    if formatted != t.tidy_mod and not semantic_mod:
        line = _first_diff_line(formatted, t.tidy_mod)
        out.append(
            _f(
                t,
                mod,
                line,
                "format",
                "go.mod's require blocks are not laid out as go mod tidy writes them",
                "tidy keeps direct and indirect requirements in separate blocks",
            )
        )
    return out


def _toolchain_why(before: str | None, after: str | None) -> str:
    if after is None:
        return "a toolchain line equal to the go line, or older than go1.21, is dropped"
    if before is None:
        return (
            "tidy raises the go line and records the Go release it ran with "
            "(a toolchain line newer than the go line)"
        )
    return "tidy raises the go line and records the Go release it ran with"


def _effective_requires(requires: Sequence[Require]) -> tuple[dict[str, Require], list[Require]]:
    """The requirement go uses for each path (the highest version when a path is required on
    several lines: MVS takes the maximum), and the other lines, which tidy drops."""
    best: dict[str, Require] = {}
    for r in requires:
        cur = best.get(r.path)
        if cur is None or compare(r.version, cur.version) > 0:
            best[r.path] = r
    dups = [r for r in requires if best[r.path] is not r]
    return best, dups


def _newer(b: Require, a: Require) -> bool:
    return compare(b.version, a.version) > 0


def _key_order(x: tuple[str, str], y: tuple[str, str]) -> int:
    if x[0] != y[0]:
        return -1 if x[0] < y[0] else 1
    c = compare(x[1].removesuffix("/go.mod"), y[1].removesuffix("/go.mod"))
    return c or (-1 if x[1] < y[1] else (1 if x[1] > y[1] else 0))


def _safe_fmt(text: str, file: str, blank_before_rparen: bool = False) -> str:
    """``go mod edit -fmt`` of the text, or the text itself when it does not parse."""
    try:
        return str(format_gomod(text, file, blank_before_rparen=blank_before_rparen))
    except (ValueError, ParseError):
        return text


def _first_diff_line(a: str, b: str) -> int | None:
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl, strict=False), start=1):
        if x != y:
            return i
    if len(al) != len(bl) or a != b:
        return min(len(al), len(bl)) + 1 if al else 1
    return None


def _sum_findings(t: ModuleTexts) -> list[Finding]:
    cur = parse_gosum(t.current_sum, t.gosum_file)
    tidy = parse_gosum(t.tidy_sum, t.gosum_file)
    out: list[Finding] = []
    ck, tk = cur.keys(), tidy.keys()
    missing = sorted(tk - ck, key=cmp_to_key(_key_order))
    for path, ver in missing:
        what = "go.mod file" if ver.endswith("/go.mod") else "module"
        out.append(
            _f(
                t,
                t.gosum_file,
                None,
                "missing-sum",
                f"go.sum lacks the {what} checksum of {path} {ver.removesuffix('/go.mod')}",
                "without it, go build fails with `missing go.sum entry`",
            )
        )
    for ln in sorted(cur.lines, key=lambda x: x.line):
        if ln.key not in tk:
            out.append(
                _f(
                    t,
                    t.gosum_file,
                    ln.line,
                    "stale-sum",
                    f"{ln.path} {ln.version} is not needed",
                    "tidy keeps only the checksums the module graph and its packages need",
                )
            )
    for bad in cur.malformed:
        out.append(
            _f(
                t,
                t.gosum_file,
                bad.line,
                "stale-sum",
                f"malformed go.sum line: {bad.reason}",
                "tidy drops malformed lines",
            )
        )
    if not out and t.current_sum != t.tidy_sum:
        line = _first_diff_line(t.current_sum, t.tidy_sum)
        out.append(
            _f(
                t,
                t.gosum_file,
                line,
                "format",
                "go.sum is not sorted and deduplicated as go writes it",
                "go writes one line per hash, sorted by module and version",
            )
        )
    return out
