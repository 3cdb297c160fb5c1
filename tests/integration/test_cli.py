"""The CLI as a user runs it: a subprocess, its output and its documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import ConfigError
from tests.integration.engine_helpers import MAIN_GO, module, tidy_module, tidybot


def assert_one_line_error(res: subprocess.CompletedProcess[str], code: int, *parts: str) -> None:
    assert res.returncode == code, res.stderr
    assert "Traceback" not in res.stderr
    first = res.stderr.splitlines()[0]
    assert first.startswith("tidybot: error: ")
    for p in parts:
        assert p in res.stderr


def test_clean_exits_0_and_drift_exits_1(tmp_path: Path, goenv: dict[str, str]) -> None:
    tidy_module(goenv, tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    res = tidybot(goenv, "check", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "1 module: 1 clean" in res.stdout
    (tmp_path / "go.mod").write_text(
        (tmp_path / "go.mod").read_text() + "require example.com/unused v1.0.0\n"
    )
    res = tidybot(goenv, "check", cwd=tmp_path)
    assert res.returncode == 1
    assert "unused-require" in res.stdout
    assert "to fix: go mod tidy" in res.stdout


def test_errors_outrank_drift_and_json_output(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, "drift", "example.com/drift", {"main.go": MAIN_GO})
    module(tmp_path, "broken", "example.com/broken", {})
    (tmp_path / "broken" / "go.mod").write_text("module example.com/broken\ngo 1.22\nbogus\n")
    out = tmp_path / "report.json"
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json", "-o", str(out))
    assert res.returncode == 2, res.stderr
    doc = json.loads(res.stdout)
    assert json.loads(out.read_text()) == doc
    assert doc["schema_version"] == 1
    assert [(m["dir"], m["status"]) for m in doc["modules"]] == [
        ("broken", "error"),
        ("drift", "drifted"),
    ]
    assert doc["modules"][0]["error"] == "broken/go.mod:3: unknown directive: bogus"
    assert doc["summary"]["drifted"] == 1


def test_github_format_prints_annotations(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    res = tidybot(goenv, "check", str(tmp_path), "--format", "github")
    assert res.returncode == 1
    assert "::error file=go.mod,title=tidybot missing-require::" in res.stdout


def test_fix_exits_0_when_everything_is_fixed(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {"main.go": MAIN_GO})
    res = tidybot(goenv, "fix", str(tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("fixed   ")
    assert f"(example.com/app): {tmp_path}/go.mod, {tmp_path}/go.sum" in res.stdout
    assert tidybot(goenv, "check", str(tmp_path)).returncode == 0


def test_missing_path(tmp_path: Path, goenv: dict[str, str]) -> None:
    res = tidybot(goenv, "check", str(tmp_path / "nope"))
    assert_one_line_error(res, 2, "nope: no such directory")


def test_path_is_a_file(tmp_path: Path, goenv: dict[str, str]) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    assert_one_line_error(tidybot(goenv, "check", str(f)), 2, "not a directory")


def test_no_gomod(tmp_path: Path, goenv: dict[str, str]) -> None:
    assert_one_line_error(tidybot(goenv, "check", str(tmp_path)), 2, "no go.mod found")


def test_bad_usage(tmp_path: Path, goenv: dict[str, str]) -> None:
    assert_one_line_error(tidybot(goenv, "check", "--jobs", "zero"), 2, "--jobs")
    assert_one_line_error(tidybot(goenv, "frobnicate"), 2, "invalid choice")


def test_go_not_installed(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {})
    env = dict(goenv, TIDYBOT_GO="no-such-go")  # a name, looked up on PATH
    assert_one_line_error(
        tidybot(env, "check", str(tmp_path)), 2, "was not found on PATH", "install Go"
    )


def test_go_too_old(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {})
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    # a stand-in for an old toolchain: answers `go env GOVERSION` like go1.22 does
    fake.write_text("#!/bin/sh\necho go1.22.5\n")
    fake.chmod(0o755)
    env = dict(goenv, TIDYBOT_GO=str(fake))
    assert_one_line_error(tidybot(env, "check", str(tmp_path)), 2, "go 1.22.5 is too old")


def test_unreadable_gomod_is_a_module_error(tmp_path: Path, goenv: dict[str, str]) -> None:
    tidy_module(goenv, tmp_path, "good", "example.com/good", {"main.go": MAIN_GO})
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / "go.mod").symlink_to(tmp_path / "dangling" / "missing.mod")
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json")
    assert res.returncode == 2
    mods = {m["dir"]: m for m in json.loads(res.stdout)["modules"]}
    assert mods["dangling"]["status"] == "error"
    assert mods["dangling"]["error"].startswith("dangling/go.mod: is a symlink; tidybot reads")
    assert mods["good"]["status"] == "clean"


def test_gomod_symlink_outside_is_refused(tmp_path: Path, goenv: dict[str, str]) -> None:
    outside = tmp_path / "outside"
    module(outside, ".", "example.com/out", {})
    repo = tmp_path / "repo"
    tidy_module(goenv, repo, ".", "example.com/app", {"main.go": MAIN_GO})
    (repo / "x").mkdir()
    (repo / "x" / "go.mod").symlink_to(outside / "go.mod")
    res = tidybot(goenv, "check", str(repo), "--format", "json")
    assert res.returncode == 2, res.stdout
    mods = {m["dir"]: m for m in json.loads(res.stdout)["modules"]}
    assert mods["x"]["status"] == "error"
    assert mods["x"]["error"].startswith("x/go.mod: is a symlink")
    assert str(outside) not in res.stdout  # nothing about its target
    assert mods["."]["status"] == "clean"


def test_module_needing_newer_go_names_the_version(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {}, go_line="1.99")
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json")
    assert res.returncode == 2
    err = json.loads(res.stdout)["modules"][0]["error"]
    assert "requires go >= 1.99" in err
    assert "GOTOOLCHAIN=local" in err
    assert "auto" in err


def test_unexpected_failure_exits_3_with_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def crashing(argv: Sequence[str]) -> int:
        raise RuntimeError("boom")

    assert main(["check", "."], runner=crashing) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "RuntimeError: boom" in err
    assert "report it" in err


def test_user_error_in_handler_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def bad(argv: Sequence[str]) -> int:
        raise ConfigError("unknown key 'foo'", file=".tidybot.yml", line=3)

    assert main([], runner=bad) == 2
    assert capsys.readouterr().err == "tidybot: error: .tidybot.yml:3: unknown key 'foo'\n"


def test_config_file_ignores_skips_and_passes_tidy_flags(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    a = tidy_module(goenv, tmp_path, "a", "example.com/a", {"main.go": MAIN_GO})
    (a / "go.mod").write_text((a / "go.mod").read_text() + "\nrequire example.com/unused v1.0.0\n")
    module(tmp_path, "legacy", "example.com/legacy", {"main.go": MAIN_GO})
    (tmp_path / ".tidybot.yml").write_text(
        "ignore:\n  - id: unused-require\n    modules: [a]\nmodules:\n  legacy:\n    skip: true\n"
    )
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json")
    assert res.returncode == 0, res.stdout + res.stderr
    mods = {m["dir"]: m for m in json.loads(res.stdout)["modules"]}
    assert mods["a"]["status"] == "clean"
    assert mods["legacy"]["status"] == "skipped"
    assert mods["legacy"]["error"] == "skipped by the config (.tidybot.yml:5)"


def test_config_mistake_is_one_line_with_file_and_line(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    module(tmp_path, ".", "example.com/app", {})
    (tmp_path / ".tidybot.yml").write_text("include: [a]\nfrobnicate: true\n")
    res = tidybot(goenv, "check", str(tmp_path))
    assert_one_line_error(res, 2, ".tidybot.yml:2", "frobnicate")


def test_run_inside_a_module_points_at_the_module(tmp_path: Path, goenv: dict[str, str]) -> None:
    """From a package directory (where go itself finds the module above): the hint named no
    module, only "run tidybot on a directory that contains Go modules"."""
    module(tmp_path, "m", "example.com/m", {})
    (tmp_path / "m" / "internal" / "x").mkdir(parents=True)
    res = tidybot(goenv, "check", cwd=tmp_path / "m" / "internal" / "x")
    assert res.returncode == 2
    assert f"inside the module at {tmp_path / 'm'}: run tidybot there (tidybot check ../..)" in (
        res.stderr
    ), res.stderr


def test_a_config_option_naming_a_directory_says_so(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {})
    res = tidybot(goenv, "check", str(tmp_path), "--config", str(tmp_path))
    assert res.returncode == 2
    assert f"--config {tmp_path}: is a directory, not a file" in res.stderr


def test_bad_gotoolchain_option(tmp_path: Path, goenv: dict[str, str]) -> None:
    module(tmp_path, ".", "example.com/app", {})
    res = tidybot(goenv, "check", str(tmp_path), "--gotoolchain", "bogus")
    assert_one_line_error(res, 2, "--gotoolchain 'bogus'", "local, auto")


@pytest.mark.parametrize(
    ("flag", "glob", "why"),
    [
        ("--exclude", "/svc", "must not start with '/'"),
        ("--include", "../x", "'..' path segment"),
        ("--exclude", "svc**", "'**' must be a whole path segment"),
    ],
)
def test_bad_glob_option(
    tmp_path: Path, goenv: dict[str, str], flag: str, glob: str, why: str
) -> None:
    module(tmp_path, ".", "example.com/app", {})
    res = tidybot(goenv, "check", str(tmp_path), flag, glob)
    assert_one_line_error(res, 2, f"{flag} {glob!r}", why)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


def test_exit_now_flushes_the_output_and_skips_the_teardown() -> None:
    res = _python(
        "import atexit\n"
        "from bot.cli import exit_now\n"
        "atexit.register(lambda: print('teardown ran'))\n"
        "print('x' * 100_000)\n"  # more than any pipe or stdio buffer holds
        "print('last line')\n"
        "exit_now(3)\n"
    )
    assert res.returncode == 3
    assert res.stdout == "x" * 100_000 + "\nlast line\n"  # all of it, and no teardown


def test_exit_now_waits_for_a_running_thread() -> None:
    res = _python(
        "import threading, time\n"
        "from bot.cli import exit_now\n"
        "t = threading.Thread(target=lambda: (time.sleep(0.2), print('thread done')))\n"
        "t.start()\n"
        "exit_now(4)\n"
    )
    assert (res.returncode, res.stdout) == (4, "thread done\n")


def test_the_command_collects_garbage_less_often_and_a_library_import_does_not() -> None:
    """The entry point raises the collector's first threshold before its imports (see
    bot/__main__.py); importing the CLI as a library leaves the interpreter's setting alone."""
    from importlib.metadata import entry_points

    probe = (
        "import gc, sys\n"
        "before = gc.get_threshold()[0]\n"
        "import bot.cli\n"
        "library = gc.get_threshold()[0]\n"
        "import bot.__main__\n"
        "print(before, library, gc.get_threshold()[0], bot.__main__.entry is bot.cli.entry)\n"
    )
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert res.stdout.split() == ["700", "700", "100000", "True"]
    (script,) = entry_points(group="console_scripts", name="tidybot")
    assert script.value == "bot.__main__:entry"


def test_the_command_ends_through_exit_now(tmp_path: Path, goenv: dict[str, str]) -> None:
    """``python -m bot`` and the console script end with the output complete and the code."""
    for i in range(12):
        tidy_module(goenv, tmp_path, f"m{i:02d}", f"example.com/m{i:02d}", {"main.go": MAIN_GO})
    res = tidybot(goenv, "check", str(tmp_path), "--format", "json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["summary"]["clean"] == 12
    entry = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert entry["project"]["scripts"]["tidybot"] == "bot.__main__:entry"


def test_the_action_entry_point_outside_actions_says_what_to_run(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """``tidybot action`` on a developer machine ran check mode silently and left .tidybot/
    in the work tree."""
    module(tmp_path, ".", "example.com/app", {})
    env = {k: v for k, v in goenv.items() if k != "GITHUB_ACTIONS"}
    res = tidybot(env, "action", cwd=tmp_path)
    assert res.returncode == 2
    assert "runs in an Actions job" in res.stderr and "tidybot check" in res.stderr
    assert not (tmp_path / ".tidybot").exists()
