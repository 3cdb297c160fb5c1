"""Differential test: the Python go.mod/go.work parser and printer against the real go command.

For every file of the corpus in tests/data/gomod/ the test copies it into a scratch
directory as go.mod (or go.work) and runs ``go mod edit -json`` and ``go mod edit -fmt``
(``go work edit`` for go.work). Our parse must give the same JSON (after go's own
de-duplication) and ``format_gomod`` the same bytes. Files under invalid/ must fail in go
and in Python, with the same first error at the same line. go runs with
``GOTOOLCHAIN=local`` and no network; every corpus go line is at most the local version.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine.gomod import MISSING_MODULE, GoMod, format_gomod, parse_gomod
from bot.engine.gowork import GoWork, format_gowork, parse_gowork
from bot.errors import ParseError

GO = shutil.which("go")
pytestmark = pytest.mark.skipif(GO is None, reason="the go command is not on PATH")

DATA = Path(__file__).resolve().parents[1] / "data" / "gomod"
VALID = sorted((DATA / "valid").glob("*.mod"))
INVALID = sorted((DATA / "invalid").glob("*.mod"))
WORK = sorted((DATA / "work").glob("*.work"))
WORK_INVALID = sorted((DATA / "work-invalid").glob("*.work"))


@dataclass(frozen=True)
class GoResult:
    json_rc: int
    json_out: str
    json_err: str
    fmt_rc: int
    fmt_err: str
    formatted: bytes  # the file after `go mod edit -fmt`


def _env(scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(
        GOTOOLCHAIN="local",
        GOFLAGS="",
        GOWORK="off",
        GOPROXY="off",
        GOENV="off",
        GOTELEMETRY="off",
        GOPATH=str(scratch / "gopath"),
        GOCACHE=str(scratch / "gocache"),
        GOMODCACHE=str(scratch / "gopath" / "pkg" / "mod"),
    )
    return env


def _run_go(src: Path, scratch: Path, kind: str) -> GoResult:
    """Run go's -json and -fmt on one corpus file copied to its own directory."""
    assert GO is not None
    name = "go.mod" if kind == "mod" else "go.work"
    d = scratch / kind / src.parent.name / src.stem
    d.mkdir(parents=True)
    target = d / name
    target.write_bytes(src.read_bytes())
    args = [GO, kind, "edit"]
    tail = [] if kind == "mod" else [name]
    env = _env(scratch)

    # (go quotes invalid UTF-8 of the input back in its errors: keep those bytes)
    def go(flag: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*args, flag, *tail],
            cwd=d,
            env=env,
            capture_output=True,
            timeout=120,
            encoding="utf-8",
            errors="surrogateescape",
        )

    j = go("-json")
    f = go("-fmt")
    # go names the file by its full path inside parse errors; we call it "go.mod"/"go.work".
    return GoResult(
        j.returncode,
        j.stdout,
        j.stderr.replace(str(target), name),
        f.returncode,
        f.stderr.replace(str(target), name),
        target.read_bytes(),
    )


@pytest.fixture(scope="module")
def go_results(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, GoResult]:
    """Every corpus file through the real go command, in parallel."""
    scratch = tmp_path_factory.mktemp("gomod-differential")
    jobs = [(p, "mod") for p in VALID + INVALID] + [(p, "work") for p in WORK + WORK_INVALID]
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda job: _run_go(job[0], scratch, job[1]), jobs))
    return {p: r for (p, _), r in zip(jobs, results, strict=True)}


def _version(path: str, version: str | None) -> dict[str, str]:
    return {"Path": path, "Version": version} if version else {"Path": path}


def _nonempty(items: list[dict[str, object]]) -> list[dict[str, object]] | None:
    return items or None  # go's encoding/json writes nil slices as null


def gomod_json(f: GoMod) -> dict[str, object]:
    """Our parse in the shape of `go mod edit -json` (cmd/go/internal/modcmd/edit.go)."""
    f = f.deduplicated()
    module: dict[str, object] = {"Path": f.module}
    if f.deprecated:
        module["Deprecated"] = f.deprecated
    out: dict[str, object] = {"Module": module}
    if f.go:
        out["Go"] = f.go
    if f.toolchain:
        out["Toolchain"] = f.toolchain
    if f.godebug:
        out["GoDebug"] = [{"Key": g.key, "Value": g.value} for g in f.godebug]
    out["Require"] = _nonempty(
        [
            {"Path": r.path, "Version": r.version, **({"Indirect": True} if r.indirect else {})}
            for r in f.requires
        ]
    )
    out["Exclude"] = _nonempty([{"Path": x.path, "Version": x.version} for x in f.excludes])
    out["Replace"] = _nonempty(
        [
            {"Old": _version(r.old_path, r.old_version), "New": _version(r.new_path, r.new_version)}
            for r in f.replaces
        ]
    )
    out["Retract"] = _nonempty(
        [
            {k: v for k, v in (("Low", r.low), ("High", r.high), ("Rationale", r.rationale)) if v}
            for r in f.retracts
        ]
    )
    out["Tool"] = _nonempty([{"Path": t.path} for t in f.tools])
    out["Ignore"] = _nonempty([{"Path": i.path} for i in f.ignores])
    return out


def gowork_json(w: GoWork) -> dict[str, object]:
    """Our parse in the shape of `go work edit -json` (cmd/go/internal/workcmd/edit.go)."""
    w = w.deduplicated()
    out: dict[str, object] = {}
    if w.go:
        out["Go"] = w.go
    out["Use"] = _nonempty(
        [
            {"DiskPath": u.path, **({"ModPath": u.module_path} if u.module_path else {})}
            for u in w.uses
        ]
    )
    out["Replace"] = _nonempty(
        [
            {"Old": _version(r.old_path, r.old_version), "New": _version(r.new_path, r.new_version)}
            for r in w.replaces
        ]
    )
    return out


def _unordered(doc: dict[str, object]) -> dict[str, object]:
    return {k: sorted(v, key=json.dumps) if isinstance(v, list) else v for k, v in doc.items()}


def _first_error(stderr: str, name: str) -> str:
    """go's first parse error and what follows it, from the FILE:LINE line on."""
    m = re.search(rf"^{re.escape(name)}:\d+", stderr, re.MULTILINE)
    assert m, f"no {name} position in go's output:\n{stderr}"
    return stderr[m.start() :]


def _line_has(text: str, line: int, *needles: str) -> bool:
    src = text.splitlines()[line - 1]
    return all(n in src for n in needles)


def test_corpus_is_big_enough() -> None:
    assert len(VALID) >= 40
    assert len(INVALID) >= 15
    assert len(WORK) >= 5


@pytest.mark.parametrize("src", VALID, ids=lambda p: p.stem)
def test_gomod_json_matches_go(src: Path, go_results: dict[Path, GoResult]) -> None:
    go = go_results[src]
    assert go.json_rc == 0, go.json_err
    ours = parse_gomod(src.read_bytes(), "go.mod", require_module=False)
    assert gomod_json(ours) == json.loads(go.json_out)


@pytest.mark.parametrize("src", VALID, ids=lambda p: p.stem)
def test_gomod_fmt_matches_go_byte_for_byte(src: Path, go_results: dict[Path, GoResult]) -> None:
    go = go_results[src]
    assert go.fmt_rc == 0, go.fmt_err
    ours = format_gomod(src.read_bytes(), "go.mod").encode("utf-8", "surrogateescape")
    assert ours == go.formatted
    # Formatting keeps the meaning: the same entries, in block-sorted order. (It is not
    # always a fixed point: a blank line that sorting moves to the top of a block is
    # dropped only by the next run, by go and by us alike.)
    again = parse_gomod(go.formatted, "go.mod", require_module=False)
    assert _unordered(gomod_json(again)) == _unordered(json.loads(go.json_out))


@pytest.mark.parametrize("src", VALID, ids=lambda p: p.stem)
def test_gomod_line_numbers_point_at_the_directive(src: Path) -> None:
    text = src.read_bytes().decode("utf-8", "surrogateescape")
    f = parse_gomod(text, "go.mod", require_module=False)
    checked = 0
    for r in f.requires:
        assert _line_has(text, r.line, r.path.split("/")[-1]), (r, src.name)
        checked += 1
    for x in f.excludes:
        assert _line_has(text, x.line, x.path.split("/")[-1]), (x, src.name)
        checked += 1
    for p in f.replaces:
        assert _line_has(text, p.line, "=>"), (p, src.name)
        checked += 1
    for t in f.tools:
        assert _line_has(text, t.line, t.path.split("/")[-1]), (t, src.name)
        checked += 1
    for i in f.ignores:
        assert _line_has(text, i.line, i.path.split("/")[-1]), (i, src.name)
        checked += 1
    if f.go_line is not None:
        assert _line_has(text, f.go_line, "go", f.go or "")
        checked += 1
    if f.module:
        assert _line_has(text, f.module_line, f.module.split("/")[-1])
        checked += 1
    if text.strip():
        assert checked or f.retracts or f.godebug or f.toolchain, src.name


@pytest.mark.parametrize("src", INVALID, ids=lambda p: p.stem)
def test_invalid_gomod_fails_like_go(src: Path, go_results: dict[Path, GoResult]) -> None:
    go = go_results[src]
    assert go.json_rc != 0
    assert go.fmt_rc != 0
    assert go.json_err.startswith("go: errors parsing go.mod:\n"), go.json_err
    with pytest.raises(ParseError) as exc:
        parse_gomod(src.read_bytes(), "go.mod", require_module=False)
    err = exc.value
    go_first = _first_error(go.json_err, "go.mod")
    # same file:line[:col]: message, and go's list of errors starts with ours
    assert go_first.startswith(str(err) + "\n"), (str(err), go_first)
    assert int(go_first.split(":")[1]) == err.line
    with pytest.raises(ParseError) as exc2:
        format_gomod(src.read_bytes(), "go.mod")
    assert str(exc2.value) == str(err)


@pytest.mark.parametrize("src", WORK, ids=lambda p: p.stem)
def test_gowork_matches_go(src: Path, go_results: dict[Path, GoResult]) -> None:
    go = go_results[src]
    assert go.json_rc == 0, go.json_err
    assert go.fmt_rc == 0, go.fmt_err
    data = src.read_bytes()
    assert gowork_json(parse_gowork(data, "go.work")) == json.loads(go.json_out)
    assert format_gowork(data, "go.work").encode() == go.formatted


@pytest.mark.parametrize("src", WORK_INVALID, ids=lambda p: p.stem)
def test_invalid_gowork_fails_like_go(src: Path, go_results: dict[Path, GoResult]) -> None:
    go = go_results[src]
    assert go.json_rc != 0
    with pytest.raises(ParseError) as exc:
        parse_gowork(src.read_bytes(), "go.work")
    go_first = _first_error(go.json_err, "go.work")
    assert go_first.startswith(str(exc.value) + "\n"), (str(exc.value), go_first)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("go 1.21\n\nrequire example.com/a v1.0.0\n", 1, MISSING_MODULE),
        ("go 1.21\n\nretract v1.0.0\n", 3, "no module directive found, so retract cannot be used"),
    ],
)
def test_missing_module_fails_like_other_go_commands(
    text: str, line: int, reason: str, tmp_path: Path
) -> None:
    """`go mod edit` accepts a go.mod without a module line; every other go command
    refuses it (here `go list -m`), and so does parse_gomod by default."""
    assert GO is not None
    (tmp_path / "go.mod").write_text(text)
    go = subprocess.run(
        [GO, "list", "-m"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert go.returncode != 0
    assert reason in go.stderr
    with pytest.raises(ParseError) as exc:
        parse_gomod(text, "go.mod")
    assert (exc.value.line, exc.value.reason) == (line, reason)
    assert parse_gomod(text, "go.mod", require_module=False).module == ""


# Random files: a seeded generator of go.mod text, half made of directive-shaped lines,
# half of raw characters that stress the lexer (control and space characters, quotes,
# escapes, comment markers, invalid UTF-8). Each must agree with go exactly as above.

_TOKENS = (
    "example.com/a", "example.com/b/v2", '"example.com/q"', '"./a b"', "./dir", "../up", "v1.0.0",
    "v1", "v2.0.0", "v1.2", "v2.0.0+incompatible", '"v1.1.0"', "=>", "[", "]", ",", "(", ")",
    "1.21", "go1.22", "default", "a=b", "=x", '""', "master", "//c", "// indirect", "//indirect",
    "// indirect; n", "'q'", "a//b", "é",
)  # fmt: skip
_VERBS = (
    "module", "go", "toolchain", "require", "exclude", "replace", "retract", "tool", "ignore",
    "godebug", "use", "foo",
)  # fmt: skip
_CHARS = (
    "\x00", "\x0b", "\x0c", "\xa0", "\u2028", "\ufeff", "\x85", "\x1c", '"', "`", "\\", "/", "*",
    "(", ")", "[", "]", ",", "{", "}", "\n", "\n", "\r", "\t", " ", " ", "a", "v1.0.0", "é", "//",
    "=>", "require ", "retract ", "replace ", "example.com/x ", "\\x41", "\\u00e9", "'", "\u200b",
    "\x7f", "\ud800",
)  # fmt: skip


def _random_gomod(seed: int) -> bytes:
    import random

    r = random.Random(seed)
    if seed % 2:
        chars = "".join(r.choice(_CHARS) for _ in range(r.randint(1, 40)))
        return ("module m\n" + chars + "\n").encode("utf-8", "surrogatepass")
    lines = ["module example.com/m"] if r.random() < 0.9 else []
    for _ in range(r.randint(0, 8)):
        k = r.random()
        if k < 0.5:
            verb = r.choice(["require", "exclude"])
            path = r.choice(
                ["example.com/a", "example.com/b/v2", '"example.com/q"', "gopkg.in/y.v3"]
            )
            ver = r.choice(["v1.0.0", "v1", "v2.0.0", "v3.0.1", '"v1.10.0"', "v1.9.0"])
            lines.append(f"{verb} {path} {ver}" + r.choice(["", " // indirect", " //x"]))
        elif k < 0.7:
            body = r.sample(
                ["", "\t// c", "\texample.com/a v1.0.0", "\texample.com/c v1.10.0 // indirect"],
                k=r.randint(0, 4),
            )
            lines += ["require (" + r.choice(["", " // lp"]), *body, ")" + r.choice(["", " // rp"])]
        elif k < 0.9:
            lines.append(r.choice(["", "// free comment", "go 1.21", "toolchain go1.21.1"]))
        else:
            toks = [r.choice(_TOKENS) for _ in range(r.randint(0, 5))]
            lines.append(r.choice([" ", "\t", "  "]).join([r.choice(_VERBS), *toks]))
    sep = "\r\n" if r.random() < 0.1 else "\n"
    return (sep.join(lines) + sep).encode()


def _disagreement(data: bytes, go: GoResult) -> str | None:
    try:
        ours = parse_gomod(data, "go.mod", require_module=False)
        formatted = format_gomod(data, "go.mod").encode("utf-8", "surrogateescape")
    except ParseError as e:
        if go.json_rc == 0:
            return f"go accepts, we fail: {e}"
        first = _first_error(go.json_err, "go.mod")
        return None if first.startswith(str(e) + "\n") else f"ours: {e}\ngo: {first}"
    if go.json_rc != 0:
        return f"we accept, go fails: {go.json_err}"
    if gomod_json(ours) != json.loads(go.json_out):
        return f"-json differs: {go.json_out}"
    if formatted != go.formatted:
        return f"-fmt differs: {formatted!r} != {go.formatted!r}"
    return None


def test_random_files_agree_with_go(tmp_path: Path) -> None:
    seeds = range(300)
    srcs = []
    for seed in seeds:
        p = tmp_path / "random" / f"{seed}.mod"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(_random_gomod(seed))
        srcs.append(p)
    with ThreadPoolExecutor(max_workers=max(2, min(8, (os.cpu_count() or 2) * 2))) as pool:
        results = list(pool.map(lambda p: _run_go(p, tmp_path / "go", "mod"), srcs))
    accepted = sum(r.json_rc == 0 for r in results)
    assert 30 <= accepted <= 270, accepted  # both outcomes are well represented
    problems = {}
    for p, go in zip(srcs, results, strict=True):
        bad = _disagreement(p.read_bytes(), go)
        if bad:
            problems[p.read_bytes()] = bad
    assert not problems
