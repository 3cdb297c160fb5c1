"""The gotoolchain policy with real go: local, a pinned older release, auto; go-directive churn."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.engine.goenv import (
    ToolchainPolicy,
    check_toolchain,
    compare_go,
    merge_layers,
    module_needs,
    parse_goenv,
    parse_toolchain_policy,
)
from bot.engine.model import Status
from bot.options import CLI_TOOLCHAIN_SETTING
from bot.report import render
from bot.runner import RunOptions, check
from bot.toolchain import Go
from tests.fakes.goproxy import write_tree

NEWGO_MAIN = 'package main\n\nimport _ "example.com/newgo"\n\nfunc main() {}\n'


def _local(goenv: dict[str, str]) -> str:
    return Go(goenv).version()


def _run(root: Path, goenv: dict[str, str], config: str) -> tuple[Status, str, str]:
    cfg = parse_config(config, ".tidybot.yml")
    opts = RunOptions(
        jobs=1,
        base_env=goenv,
        gotoolchain=cfg.gotoolchain.env_value,
        config=cfg,
        gotoolchain_setting=CLI_TOOLCHAIN_SETTING,
    )
    report = check(root, opts)
    (mod,) = report.modules
    return mod.status, mod.error, render(report, "json")


def test_local_go_older_than_the_go_line(tmp_path: Path, goenv: dict[str, str]) -> None:
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/app\n\ngo 1.99\n", "main.go": "package main\n"},
    )
    local = _local(goenv)
    status, error, _ = _run(root, goenv, "gotoolchain: local\n")
    assert status is Status.ERROR
    assert error == (
        f"go.mod:3: module requires go >= 1.99, but the local Go is go {local} "
        "(GOTOOLCHAIN=local); use --gotoolchain auto (or TIDYBOT_GOTOOLCHAIN=auto), or install "
        "Go 1.99.0 or newer"
    )
    # and what go itself says, which the check predicts
    p = subprocess.run(
        ["go", "mod", "tidy", "-diff"], cwd=root, env=goenv, capture_output=True, text=True
    )
    assert f"go.mod requires go >= 1.99 (running go {local}; GOTOOLCHAIN=local)" in p.stderr


def test_dependency_needs_newer_go_under_local(tmp_path: Path, goenv: dict[str, str]) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/newgo v1.0.0\n",
            "main.go": NEWGO_MAIN,
        },
    )
    status, error, _ = _run(root, goenv, "gotoolchain: local\n")
    assert status is Status.ERROR
    assert "example.com/newgo@v1.0.0 requires go >= 1.99" in error
    assert f"go {_local(goenv)}" in error


@pytest.mark.parametrize("pinned", ["go1.24.0", "LOCAL"])
def test_pinned_older_release(tmp_path: Path, goenv: dict[str, str], pinned: str) -> None:
    """A pinned release older than the go line: a clear error before go runs (no download)."""
    local = _local(goenv)
    pin = f"go{local}" if pinned == "LOCAL" else pinned
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/app\n\ngo 1.99\n", "main.go": "package main\n"},
    )
    status, error, report = _run(root, goenv, f"gotoolchain: {pin}\n")
    assert status is Status.ERROR
    assert error == (
        f"go.mod:3: module requires go >= 1.99, but the pinned toolchain is {pin} "
        f"(GOTOOLCHAIN={pin}); use --gotoolchain auto (or TIDYBOT_GOTOOLCHAIN=auto), or pin "
        "go1.99.0 or newer"
    )
    assert "1.99" in report


def test_pinned_local_release_runs_go(tmp_path: Path, goenv: dict[str, str]) -> None:
    """Pinning the release that is installed runs the local go: a tidy module is clean."""
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n"},
    )
    status, error, _ = _run(root, goenv, f"gotoolchain: go{_local(goenv)}\n")
    assert (status, error) == (Status.CLEAN, "")


def test_auto_lets_go_fetch_the_toolchain(tmp_path: Path, goenv: dict[str, str]) -> None:
    """Under auto, go itself asks the module proxy for go1.99.0 (the fixture proxy has none)."""
    root = write_tree(
        tmp_path / "repo",
        {"go.mod": "module example.com/app\n\ngo 1.99\n", "main.go": "package main\n"},
    )
    status, error, _ = _run(root, goenv, "gotoolchain: auto\n")
    assert status is Status.ERROR
    assert "go1.99.0" in error
    assert "toolchain not available" in error


def test_go_directive_churn_can_be_ignored(tmp_path: Path, goenv: dict[str, str]) -> None:
    """util needs go 1.22, so tidy raises go 1.21: a go-directive finding the config can ignore."""
    files = {
        "go.mod": "module example.com/app\n\ngo 1.21\n\nrequire (\n"
        "\texample.com/greet v1.0.0 // indirect\n\texample.com/util v1.0.0\n)\n",
        "main.go": 'package main\n\nimport _ "example.com/util"\n\nfunc main() {}\n',
    }
    root = write_tree(tmp_path / "repo", files)
    subprocess.run(
        ["go", "mod", "download", "example.com/util@v1.0.0", "example.com/greet@v1.0.0"],
        cwd=root,
        env=goenv,
        check=True,
        capture_output=True,
    )
    cfg = parse_config("", ".tidybot.yml")
    report = check(root, RunOptions(jobs=1, base_env=goenv, config=cfg))
    ids = {f.id for f in report.modules[0].findings}
    assert "go-directive" in ids

    cfg = parse_config("ignore:\n  - id: go-directive\n", ".tidybot.yml")
    report = check(root, RunOptions(jobs=1, base_env=goenv, config=cfg))
    assert "go-directive" not in {f.id for f in report.modules[0].findings}


# --- the pure policy and environment helpers ---------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "want"),
    [
        ("1.21", "1.21.0", -1),
        ("1.21rc1", "1.21.0", -1),
        ("1.21", "1.21rc1", -1),
        ("1.20", "1.20.0", 0),
        ("1.9", "1.10", -1),
        ("1.99", "1.26.8", 1),
        ("1.22.10", "1.22.9", 1),
    ],
)
def test_compare_go(x: str, y: str, want: int) -> None:
    assert compare_go(x, y) == want


def test_policy_parsing_and_needs() -> None:
    assert parse_toolchain_policy("local") == ToolchainPolicy("local")
    assert parse_toolchain_policy("go1.25.3") == ToolchainPolicy("pinned", "1.25.3")
    for bad in ("path", "go1.25.3+auto", "1.25.3", "go1.x", "latest", ""):
        assert parse_toolchain_policy(bad) is None
    assert module_needs("1.22", "go1.23.4") == ("1.23.4", "toolchain")
    assert module_needs("1.22", "go1.21.0") == ("1.22", "go")
    assert module_needs(None, None) == ("1.16", "go")
    assert check_toolchain(ToolchainPolicy("auto"), "1.20.0", "1.99") is None
    assert check_toolchain(ToolchainPolicy("local"), "1.26.8", "1.26") is None


def test_goenv_file_and_layers() -> None:
    f = parse_goenv(
        "# comment\nGOPRIVATE=github.com/acme/*\n\nlower=ignored\nGOFLAGS=-mod=mod =x\n"
        "NOEQUALS\nGOPRIVATE=later.example\n"
    )
    assert f.as_dict() == {"GOPRIVATE": "later.example", "GOFLAGS": "-mod=mod =x"}
    assert f.line_of("GOPRIVATE") == 7
    merged = merge_layers(
        [{"GOPROXY": "", "GOFLAGS": "-x"}, f.as_dict(), {"GOPROXY": "https://proxy.golang.org"}]
    )
    assert merged == {
        "GOFLAGS": "-x",
        "GOPRIVATE": "later.example",
        "GOPROXY": "https://proxy.golang.org",
    }


def test_goenv_file_read_as_go_reads_it(tmp_path: Path, goenv: dict[str, str]) -> None:
    text = (
        "# a committed go.env\nGOPRIVATE=github.com/acme/*\nlower=x\nGONOSUMDB=a.example\r\n"
        "GOINSECURE\nGONOSUMDB=b.example,c.example\nGOPROXY=off\n"
    )
    path = tmp_path / "go.env"
    path.write_text(text)
    names = ["GOPRIVATE", "GONOSUMDB", "GOPROXY", "GOINSECURE"]
    env = {k: v for k, v in goenv.items() if k not in names}
    env["GOENV"] = str(path)
    env["GOPROXY"] = "https://proxy.example"  # the process environment wins over the file
    p = subprocess.run(["go", "env", *names], env=env, capture_output=True, text=True, check=True)
    ours = merge_layers([{"GOPROXY": env["GOPROXY"]}, parse_goenv(text).as_dict()])
    assert p.stdout.split("\n")[: len(names)] == [ours.get(n, "") for n in names]
