"""`tidybot check` / `fix` scenarios with the real go command against the fixture module proxy."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.model import Report, Status
from bot.runner import RunOptions, check, fix
from tests.integration.engine_helpers import MAIN_GO, go, module, snapshot, tidy, tidy_module


def run_check(root: Path, env: dict[str, str], **kw: object) -> Report:
    return check(root, RunOptions(base_env=env, **kw))  # type: ignore[arg-type]


def ids(report: Report, dir_: str = ".") -> list[str]:
    (m,) = [m for m in report.modules if m.dir == dir_]
    return sorted(f.id for f in m.findings)


def only(report: Report, dir_: str = ".") -> object:
    (m,) = [m for m in report.modules if m.dir == dir_]
    return m


def test_clean_module(tmp_path: Path, goenv: dict[str, str]) -> None:
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    r = run_check(tmp_path, goenv)
    assert [(m.dir, m.module, m.status) for m in r.modules] == [
        (".", "example.com/app", Status.CLEAN)
    ]
    assert r.modules[0].findings == () and r.modules[0].diff == ""


def test_unused_requirement(tmp_path: Path, goenv: dict[str, str]) -> None:
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    gomod = (d / "go.mod").read_text()
    (d / "go.mod").write_text(gomod + "\nrequire example.com/unused v1.0.0\n")
    line = len((d / "go.mod").read_text().splitlines())
    r = run_check(tmp_path, goenv)
    m = r.modules[0]
    assert m.status is Status.DRIFTED
    (f,) = [f for f in m.findings if f.id == "unused-require"]
    assert (f.file, f.line) == ("go.mod", line)
    assert "example.com/unused v1.0.0" in f.message
    assert "imports" in f.why
    assert "-require example.com/unused v1.0.0" in m.diff


def test_missing_requirement_names_the_importing_file(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    module(tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    r = run_check(tmp_path, goenv)
    m = r.modules[0]
    assert m.status is Status.DRIFTED
    (f,) = [f for f in m.findings if f.id == "missing-require"]
    assert "example.com/greet v1.1.0" in f.message
    assert f.line is None
    assert f.why == "file main.go:3 imports example.com/greet"
    assert {"missing-sum"} <= set(ids(r))


def test_missing_gosum(tmp_path: Path, goenv: dict[str, str]) -> None:
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    (d / "go.sum").unlink()
    r = run_check(tmp_path, goenv)
    assert ids(r) == ["missing-sum", "missing-sum"]
    msgs = sorted(f.message for f in r.modules[0].findings)
    assert msgs == [
        "go.sum lacks the go.mod file checksum of example.com/greet v1.1.0",
        "go.sum lacks the module checksum of example.com/greet v1.1.0",
    ]


def test_stale_gosum_lines(tmp_path: Path, goenv: dict[str, str]) -> None:
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    extra = "example.com/unused v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    before = (d / "go.sum").read_text()
    (d / "go.sum").write_text(before + extra + "bad line\n")
    r = run_check(tmp_path, goenv)
    fs = sorted(r.modules[0].findings, key=lambda f: f.line or 0)
    n = len(before.splitlines())
    assert [(f.id, f.file, f.line) for f in fs] == [
        ("stale-sum", "go.sum", n + 1),
        ("stale-sum", "go.sum", n + 2),
    ]
    assert "malformed" in fs[1].message


def test_wrong_indirect_comment(tmp_path: Path, goenv: dict[str, str]) -> None:
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    text = (d / "go.mod").read_text()
    assert "require example.com/greet v1.1.0\n" in text
    (d / "go.mod").write_text(
        text.replace(
            "require example.com/greet v1.1.0", "require example.com/greet v1.1.0 // indirect"
        )
    )
    r = run_check(tmp_path, goenv)
    (f,) = r.modules[0].findings
    assert f.id == "indirect-mismatch"
    assert f.message == "example.com/greet is imported directly but marked // indirect"
    assert f.line == text.splitlines().index("require example.com/greet v1.1.0") + 1


def test_test_only_dependency_is_direct(tmp_path: Path, goenv: dict[str, str]) -> None:
    test_go = (
        'package main\n\nimport (\n\t"testing"\n\n\t"example.com/testdep"\n)\n\n'
        "func TestX(t *testing.T) { _ = testdep.Check }\n"
    )
    tdir = tmp_path
    module(tdir, ".", "example.com/app", {"main.go": MAIN_GO, "main_test.go": test_go})
    r = run_check(tdir, goenv)
    (f,) = [
        f for f in r.modules[0].findings if f.id == "missing-require" and "testdep" in f.message
    ]
    assert f.id == "missing-require"
    assert "// indirect" not in f.message
    assert f.why == "test file main_test.go:6 imports example.com/testdep"


def test_windows_only_import_counts(tmp_path: Path, goenv: dict[str, str]) -> None:
    win = 'package main\n\nimport "example.com/winonly"\n\nvar _ = winonly.Name\n'
    module(tmp_path, ".", "example.com/app", {"main.go": MAIN_GO, "os_windows.go": win})
    r = run_check(tmp_path, goenv)
    (f,) = [
        f for f in r.modules[0].findings if f.id == "missing-require" and "winonly" in f.message
    ]
    assert f.id == "missing-require"
    assert f.why == "file os_windows.go:3 imports example.com/winonly"


def test_build_ignore_import_does_not_count(tmp_path: Path, goenv: dict[str, str]) -> None:
    gen = (
        '//go:build ignore\n\npackage main\n\nimport "example.com/ignored"\n\n'
        "func main() { _ = ignored.Tool }\n"
    )
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO, "gen.go": gen})
    assert "example.com/ignored" not in (tmp_path / "go.mod").read_text()
    r = run_check(tmp_path, goenv)
    assert r.modules[0].status is Status.CLEAN


def test_nested_modules_are_separate(tmp_path: Path, goenv: dict[str, str]) -> None:
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    util = 'package sub\n\nimport "example.com/util"\n\nvar X = util.Shout\n'
    module(tmp_path, "sub", "example.com/app/sub", {"sub.go": util})
    r = run_check(tmp_path, goenv)
    assert [(m.dir, m.status) for m in r.modules] == [
        (".", Status.CLEAN),
        ("sub", Status.DRIFTED),
    ]
    (f,) = [f for f in r.modules[1].findings if f.id == "missing-require" and "util" in f.message]
    assert f.file == "sub/go.mod"
    assert f.why == "file sub/sub.go:3 imports example.com/util"  # from the root, as f.file


def test_multi_module_repository_with_local_replace(tmp_path: Path, goenv: dict[str, str]) -> None:
    lib = 'package lib\n\nimport "example.com/greet"\n\nfunc Hi() string { return greet.Hello() }\n'
    tidy_module(goenv, tmp_path, "lib", "example.com/repo/lib", {"lib.go": lib})
    app = 'package main\n\nimport "example.com/repo/lib"\n\nfunc main() { println(lib.Hi()) }\n'
    d = module(
        tmp_path,
        "app",
        "example.com/repo/app",
        {"main.go": app},
    )
    (d / "go.mod").write_text(
        "module example.com/repo/app\n\ngo 1.22\n\n"
        "require example.com/repo/lib v0.0.0\n\nreplace example.com/repo/lib => ../lib\n"
    )
    r = run_check(tmp_path, goenv)
    assert [(m.dir, m.status) for m in r.modules] == [
        ("app", Status.DRIFTED),
        ("lib", Status.CLEAN),
    ]
    app_ids = ids(r, "app")
    assert "missing-require" in app_ids  # greet, needed indirectly through lib
    (f,) = [f for f in r.modules[0].findings if f.id == "missing-require"]
    assert "example.com/greet" in f.message and "// indirect" in f.message
    tidy(goenv, d)
    assert run_check(tmp_path, goenv).modules[0].status is Status.CLEAN


def test_missing_module_is_an_error_and_others_still_reported(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, "good", "example.com/good", {"main.go": MAIN_GO})
    bad = 'package main\n\nimport "example.com/nosuchmodule"\n\nfunc main() { nosuchmodule.X() }\n'
    module(tmp_path, "bad", "example.com/bad", {"main.go": bad})
    r = run_check(tmp_path, goenv)
    assert [(m.dir, m.status) for m in r.modules] == [
        ("bad", Status.ERROR),
        ("good", Status.CLEAN),
    ]
    err = r.modules[0].error
    assert "example.com/nosuchmodule" in err
    assert "go: downloading" not in err


def test_malformed_gomod_is_an_error_with_file_and_line(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    tidy_module(goenv, tmp_path, "good", "example.com/good", {"main.go": MAIN_GO})
    module(tmp_path, "broken", "example.com/broken", {})
    (tmp_path / "broken" / "go.mod").write_text(
        "module example.com/broken\n\ngo 1.22\n\nfrobnicate x\n"
    )
    r = run_check(tmp_path, goenv)
    assert [(m.dir, m.status) for m in r.modules] == [
        ("broken", Status.ERROR),
        ("good", Status.CLEAN),
    ]
    assert r.modules[0].error == "broken/go.mod:5: unknown directive: frobnicate"


def test_format_finding(tmp_path: Path, goenv: dict[str, str]) -> None:
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    text = (d / "go.mod").read_text()
    (d / "go.mod").write_text(text.replace("go 1.22", "go    1.22"))
    r = run_check(tmp_path, goenv)
    (f,) = r.modules[0].findings
    assert (f.id, f.line) == ("format", 3)


TWO_DEPS_GO = """package main

import (
	"example.com/greet"
	"example.com/util"
)

func main() { println(greet.Hello(), util.Shout()) }
"""


@pytest.mark.parametrize("edit", ["swap", "empty-block"])
def test_hand_edited_layout_is_a_format_finding(
    tmp_path: Path, goenv: dict[str, str], edit: str
) -> None:
    """go's -diff starts from the file as parsed (its require block out of order, an empty
    block kept), not from the canonical text: tidybot reads that diff and reports the layout,
    instead of "its diff could not be read"."""
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": TWO_DEPS_GO})
    text = (d / "go.mod").read_text()
    lines = text.splitlines(keepends=True)
    at = [i for i, ln in enumerate(lines) if ln.startswith("\texample.com/")]
    assert len(at) == 2, text  # one block of two requirements
    if edit == "swap":
        lines[at[0]], lines[at[1]] = lines[at[1]], lines[at[0]]
        (d / "go.mod").write_text("".join(lines))
    else:
        (d / "go.mod").write_text(text + "\nrequire ()\n")
    r = run_check(tmp_path, goenv)
    (f,) = r.modules[0].findings
    assert f.id == "format"
    assert f.message == "go.mod is not formatted as `go mod edit -fmt` writes it"
    assert r.modules[0].status is Status.DRIFTED


def test_report_order_is_deterministic_with_parallel_jobs(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    for name in ("c", "a", "d", "b"):
        module(tmp_path, name, f"example.com/{name}", {"main.go": MAIN_GO})
    r1 = run_check(tmp_path, goenv, jobs=4)
    r2 = run_check(tmp_path, goenv, jobs=1)
    assert [m.dir for m in r1.modules] == ["a", "b", "c", "d"]
    assert [m.to_json() for m in r1.modules] == [m.to_json() for m in r2.modules]


def test_include_and_exclude_globs(tmp_path: Path, goenv: dict[str, str]) -> None:
    for name in ("svc/a", "svc/b", "tools/x"):
        module(tmp_path, name, f"example.com/{name}", {})
    r = run_check(tmp_path, goenv, include=("svc/**",), exclude=("svc/b",))
    assert [m.dir for m in r.modules] == ["svc/a"]


def test_fix_makes_modules_tidy_and_touches_only_gomod_and_gosum(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    test_go = (
        'package main\n\nimport "testing"\nimport "example.com/testdep"\n\n'
        "func TestX(t *testing.T) { _ = testdep.Check }\n"
    )
    a = module(tmp_path, "a", "example.com/a", {"main.go": MAIN_GO, "main_test.go": test_go})
    (a / "go.mod").write_text((a / "go.mod").read_text() + "\nrequire example.com/unused v1.0.0\n")
    bad = 'package main\n\nimport "example.com/nosuchmodule"\n\nfunc main() { nosuchmodule.X() }\n'
    module(tmp_path, "bad", "example.com/bad", {"main.go": bad})
    tidy_module(goenv, tmp_path, "clean", "example.com/clean", {"main.go": MAIN_GO})

    # what the real `go mod tidy` writes, in a copy
    ref = tmp_path.parent / (tmp_path.name + "-ref")
    module(ref, ".", "example.com/a", {"main.go": MAIN_GO, "main_test.go": test_go})
    (ref / "go.mod").write_text((a / "go.mod").read_text())
    tidy(goenv, ref)

    before = snapshot(tmp_path)
    r = fix(tmp_path, RunOptions(base_env=goenv))
    after = snapshot(tmp_path)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert changed == ["a/go.mod", "a/go.sum"]
    ma, mbad, mclean = r.modules
    assert (ma.status, ma.fixed, ma.changed_files) == (Status.CLEAN, True, ("a/go.mod", "a/go.sum"))
    assert mbad.status is Status.ERROR and not mbad.fixed
    assert mclean.status is Status.CLEAN and not mclean.fixed
    assert (a / "go.mod").read_bytes() == (ref / "go.mod").read_bytes()
    assert (a / "go.sum").read_bytes() == (ref / "go.sum").read_bytes()
    assert run_check(tmp_path, goenv, include=("a", "clean")).summary.drifted == 0
    assert go(goenv, a, "build", "./...").returncode == 0


@pytest.mark.parametrize(
    "mutation",
    ["drop-sum", "unused", "indirect", "missing"],
)
def test_diff_derived_texts_equal_real_tidy(
    tmp_path: Path, goenv: dict[str, str], mutation: str
) -> None:
    """fix writes the texts read back from `go mod tidy -diff`; they equal what tidy writes."""
    files = {"main.go": MAIN_GO, "u.go": 'package main\n\nimport _ "example.com/util"\n'}
    d = tidy_module(goenv, tmp_path, ".", "example.com/app", files)
    tidy_mod, tidy_sum = (d / "go.mod").read_bytes(), (d / "go.sum").read_bytes()
    text = tidy_mod.decode()
    if mutation == "drop-sum":
        lines = tidy_sum.decode().splitlines(keepends=True)
        (d / "go.sum").write_text("".join(lines[1:-1]))
    elif mutation == "unused":
        (d / "go.mod").write_text(text + "require example.com/unused v1.0.0\n")
    elif mutation == "indirect":
        (d / "go.mod").write_text(text.replace(" // indirect", ""))
    else:
        (d / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    fix(tmp_path, RunOptions(base_env=goenv))
    assert (d / "go.mod").read_bytes() == tidy_mod
    assert (d / "go.sum").read_bytes() == tidy_sum
