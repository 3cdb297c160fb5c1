"""vendor/modules.txt parsing and the consistency check, compared with what real ``go`` prints."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.engine.vendor import (
    Replace,
    Require,
    check_vendor,
    inconsistent_vendoring_message,
    parse_modules_txt,
    vendor_findings,
)

VERIFIED = """\
# example.com/Upper v1.0.0
## explicit; go 1.21
example.com/Upper
# example.com/a v1.0.0
## explicit; go 1.21
example.com/a
# example.com/b v1.0.0
## explicit; go 1.21
example.com/b
"""


def test_parse_reference_example() -> None:
    mt = parse_modules_txt(VERIFIED)
    assert [(m.path, m.version, m.line) for m in mt.modules] == [
        ("example.com/Upper", "v1.0.0", 1),
        ("example.com/a", "v1.0.0", 4),
        ("example.com/b", "v1.0.0", 7),
    ]
    assert all(m.explicit and m.go_version == "1.21" for m in mt.modules)
    assert mt.modules[1].packages == ("example.com/a",)
    assert not mt.workspace
    assert mt.version_of("example.com/b") == "v1.0.0"


def test_parse_annotations_union_replacements_and_junk() -> None:
    text = (
        "## workspace\n"
        "# example.com/a v1.0.0 => ./a\n"
        "## go 1.20\n"
        "## explicit; future-thing\n"
        "example.com/a\n"
        "example.com/a/sub\n"
        "# example.com/b v1.2.0 => example.com/c v1.3.0\n"
        "# bogus\n"  # fewer than 3 fields: skipped, keeps the previous module
        "# example.com/x notaversion\n"  # not a version: resets the current module
        "example.com/orphan\n"
        "# example.com/w => ../w\n"
        "not a package line\n"
    )
    mt = parse_modules_txt(text)
    assert mt.workspace
    a = mt.get("example.com/a", "v1.0.0")
    assert a is not None
    assert a.explicit
    assert a.go_version == "1.20"
    assert a.packages == ("example.com/a", "example.com/a/sub")
    b = mt.get("example.com/b", "v1.2.0")
    assert b is not None
    assert b.replacement is not None
    assert b.replacement.describe() == "example.com/c@v1.3.0"
    w = mt.get("example.com/w", "")
    assert w is not None
    assert w.replacement is not None
    assert w.replacement.path == "../w"
    assert [m.describe() for m in mt.replaced] == [
        "example.com/a@v1.0.0",
        "example.com/b@v1.2.0",
        "example.com/w",
    ]
    # only modules providing packages are in the vendor list; the orphan line is ignored
    assert [m.describe() for m in mt.vendor_list] == ["example.com/a@v1.0.0"]


def test_indirect_requirement_still_needs_explicit() -> None:
    mt = parse_modules_txt("# example.com/b v1.0.0\n## go 1.21\nexample.com/b\n")
    problems = check_vendor(mt, [Require("example.com/b", "v1.0.0", 7)], go_version="1.21")
    assert [p.text for p in problems] == [
        "example.com/b@v1.0.0: is explicitly required in go.mod, but not marked as explicit "
        "in vendor/modules.txt"
    ]
    assert (problems[0].file, problems[0].line) == ("go.mod", 7)


def test_reference_error_text_two_versions() -> None:
    mt = parse_modules_txt("# example.com/b v1.0.0\n## explicit; go 1.21\nexample.com/b\n")
    problems = check_vendor(mt, [Require("example.com/b", "v1.1.0", 5)], go_version="1.21")
    assert inconsistent_vendoring_message("/home/user/src/m3", problems) == (
        "go: inconsistent vendoring in /home/user/src/m3:\n"
        "\texample.com/b@v1.1.0: is explicitly required in go.mod, but not marked as explicit "
        "in vendor/modules.txt\n"
        "\texample.com/b@v1.0.0: is marked as explicit in vendor/modules.txt, but not "
        "explicitly required in go.mod\n"
        "\n"
        "\tTo ignore the vendor directory, use -mod=readonly or -mod=mod.\n"
        "\tTo sync the vendor directory, run:\n"
        "\t\tgo mod vendor"
    )
    findings = vendor_findings("svc", problems)
    assert [(f.id, f.file, f.line) for f in findings] == [
        ("vendor", "svc/go.mod", 5),
        ("vendor", "svc/vendor/modules.txt", 1),
    ]
    assert findings[0].message.startswith("inconsistent vendoring: example.com/b@v1.1.0: ")


def test_pre_114_only_reports_version_conflicts() -> None:
    mt = parse_modules_txt("# example.com/b v1.0.0\nexample.com/b\n")
    reqs = [Require("example.com/b", "v1.1.0"), Require("example.com/c", "v1.0.0")]
    problems = check_vendor(mt, reqs, go_version="1.13")
    assert [p.text for p in problems] == [
        "example.com/b@v1.1.0: is explicitly required in go.mod, but vendor/modules.txt "
        "indicates example.com/b@v1.0.0"
    ]


def test_workspace_wording() -> None:
    mt = parse_modules_txt(
        "## workspace\n# example.com/z v1.0.0 => ./z\n## explicit\nexample.com/z\n"
    )
    problems = check_vendor(mt, [], workspace=True)
    assert [p.text for p in problems] == [
        "example.com/z@v1.0.0: is marked as explicit in vendor/modules.txt, but not "
        "explicitly required in a go.mod",
        "example.com/z@v1.0.0: is marked as replaced in vendor/modules.txt, but not replaced "
        "in the workspace",
    ]
    assert inconsistent_vendoring_message("/w", problems, workspace=True).endswith("go work vendor")


def test_consistent_tree_has_no_problem() -> None:
    mt = parse_modules_txt(VERIFIED)
    reqs = [Require(p, "v1.0.0") for p in ("example.com/Upper", "example.com/a", "example.com/b")]
    assert check_vendor(mt, reqs, go_version="1.21") == []


# --- the same check against real go -----------------------------------------------------------

GOMOD = """\
module example.com/m

go 1.21

require (
\texample.com/a v1.0.0
\texample.com/b v1.0.0
)

replace example.com/a => ./a

replace example.com/b v1.0.0 => ./b
"""

REQUIRES = [Require("example.com/a", "v1.0.0", 6), Require("example.com/b", "v1.0.0", 7)]
REPLACES = [
    Replace("example.com/a", "", "./a", "", 10),
    Replace("example.com/b", "v1.0.0", "./b", "", 12),
]


def _go_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(
        GOPROXY="off",
        GOWORK="off",
        GOFLAGS="",
        GOTOOLCHAIN="local",
        GOENV="off",
        GOPATH=str(tmp / "gopath"),
        GOCACHE=str(tmp / "gocache"),
        GOTELEMETRY="off",
    )
    return env


@pytest.fixture
def vendored(tmp_path: Path) -> Path:
    if shutil.which("go") is None:
        pytest.skip("go is not installed")
    m = tmp_path / "m"
    for sub, goline in (("a", "1.21"), ("b", "1.20")):
        (m / sub).mkdir(parents=True)
        (m / sub / "go.mod").write_text(f"module example.com/{sub}\n\ngo {goline}\n")
        (m / sub / f"{sub}.go").write_text(f"package {sub}\n")
    (m / "go.mod").write_text(GOMOD)
    (m / "main.go").write_text(
        'package main\n\nimport (\n\t_ "example.com/a"\n\t_ "example.com/b"\n)\n\nfunc main() {}\n'
    )
    subprocess.run(
        ["go", "mod", "vendor"], cwd=m, env=_go_env(tmp_path), check=True, capture_output=True
    )
    return m


def _go_says(m: Path) -> str:
    p = subprocess.run(
        ["go", "list", "-mod=vendor", "./..."],
        cwd=m,
        env=_go_env(m.parent),
        capture_output=True,
        text=True,
        check=False,
    )
    return p.stderr.rstrip("\n") if p.returncode else ""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("mutation", "requires", "replaces", "expected_count"),
    [
        ("none", REQUIRES, REPLACES, 0),
        ("drop-explicit", REQUIRES, REPLACES, 1),
        ("other-target", REQUIRES, REPLACES, 1),
        ("extra-explicit", REQUIRES, REPLACES, 1),
        ("extra-replacement", REQUIRES, REPLACES, 1),
        ("gomod-drops-replace", REQUIRES, REPLACES[:1], 1),
        ("gomod-bumps-require", [REQUIRES[0], Require("example.com/b", "v1.1.0", 7)], REPLACES, 2),
    ],
)
def test_same_verdict_and_text_as_go(
    vendored: Path,
    mutation: str,
    requires: list[Require],
    replaces: list[Replace],
    expected_count: int,
) -> None:
    mtxt = vendored / "vendor" / "modules.txt"
    gomod = vendored / "go.mod"
    if mutation == "drop-explicit":
        _edit(mtxt, "## explicit; go 1.21\n", "## go 1.21\n")
    elif mutation == "other-target":
        _edit(mtxt, "# example.com/a v1.0.0 => ./a\n", "# example.com/a v1.0.0 => ./x\n")
        _edit(mtxt, "# example.com/a => ./a", "# example.com/a => ./x")
    elif mutation == "extra-explicit":
        _edit(
            mtxt,
            "# example.com/a v1.0.0 => ./a\n",
            "# example.com/c v1.0.0\n## explicit\nexample.com/c\n# example.com/a v1.0.0 => ./a\n",
        )
    elif mutation == "extra-replacement":
        mtxt.write_text(mtxt.read_text() + "# example.com/z => ./z\n")
    elif mutation == "gomod-drops-replace":
        _edit(gomod, "replace example.com/b v1.0.0 => ./b\n", "")
    elif mutation == "gomod-bumps-require":
        _edit(gomod, "\texample.com/b v1.0.0\n", "\texample.com/b v1.1.0\n")

    mt = parse_modules_txt(mtxt.read_text())
    problems = check_vendor(
        mt, requires, replaces, go_version="1.21", main_modules=["example.com/m"]
    )
    assert len(problems) == expected_count, [p.text for p in problems]
    go_text = _go_says(vendored)
    if not problems:
        assert go_text == ""
    else:
        assert go_text == inconsistent_vendoring_message(str(vendored), problems)
