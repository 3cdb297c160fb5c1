"""Hostile text from a pull request's tree, through the real entry points: what the runner
would read as a workflow command, names whose bytes are not UTF-8, a config path that is not a
file. Each test failed on the code before its fix (noted in each docstring)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.engine_helpers import tidybot
from tests.integration.test_action_harness import REPO, ActionWorld, git, world
from tests.integration.test_attacks import (
    APP,
    MAIN,
    assert_no_forged_commands,
    assert_own_commands,
    drifted_in,
)

__all__ = ["world"]

#: White space C#'s ``String.TrimStart()`` drops before the runner looks for ``::`` (and that
#: is not a line break for it): a few of the Unicode spaces besides blanks.
UNICODE_SPACES = ["\u00a0", "\u2003", "\u3000", "\u2028", "\u205f"]


@pytest.mark.parametrize("space", UNICODE_SPACES, ids=lambda c: f"U+{ord(c):04X}")
def test_a_config_error_speaks_no_command_after_a_unicode_space(
    world: ActionWorld, space: str
) -> None:
    """The tree's config is read on a pull request. A ``modules:`` key holding a newline and
    then NBSP + ``::warning`` was echoed raw in the error on stderr, and the escaping looked
    only for blanks before ``::``: the runner (which trims every Unicode space) read a
    warning. Now the key is shown quoted, and any white space before ``::`` is escaped."""
    key = json.dumps(f"x\n{space}::warning title=LGTM::approved")  # a YAML double-quoted key
    config = f"modules:\n  {key}: 5\n".encode()
    number = world.open_pr({"go.mod": APP, "main.go": MAIN, ".github/tidybot.yml": config})
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 2, res.explain()
    assert "modules['x\\n" in res.stderr, res.explain()  # the key, quoted on one line
    assert_no_forged_commands(res)


def test_go_output_in_the_text_report_speaks_no_command_after_a_unicode_space(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """``tidybot check`` in a job (text report on stdout): go's error names the module's
    directory, which holds a newline and then NBSP + ``::warning``. Each line of it was printed
    with only blanks escaped before ``::``."""
    root = tmp_path / "repo"
    evil = root / "x\n\u00a0::warning title=LGTM::approved"
    (evil / "nope").mkdir(parents=True)
    (evil / "nope" / "a.go").write_text("package a\n")
    (evil / "go.mod").write_text(
        "module example.com/evil\n\ngo 1.22\n\nrequire example.com/a v0.0.0\n\n"
        "replace example.com/a => ./nope\n"
    )
    (evil / "main.go").write_text('package main\n\nimport _ "example.com/a"\n\nfunc main() {}\n')
    env = dict(goenv, GITHUB_EVENT_NAME="pull_request", GITHUB_ACTIONS="true")
    res = tidybot(env, "check", str(root))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "no such file or directory" in res.stdout  # go's error is in the report
    for stream in (res.stdout, res.stderr):
        assert_own_commands(stream)


@pytest.mark.parametrize("fmt", ["markdown", "json", "sarif", "text"])
def test_a_report_on_stdout_speaks_no_command_in_any_format(
    tmp_path: Path, goenv: dict[str, str], fmt: str
) -> None:
    """``tidybot check --format markdown`` in a job printed the report's lines as they are:
    the fix commands' ``sh`` block quotes a directory whose name holds a newline and then
    ``::warning``, and an error block shows go's words naming it, so the runner read a
    warning (found by a review of every sink). JSON and SARIF keep their strings on one line
    but wrote ``##[`` (the runner's older syntax, read anywhere in a line) as it is."""
    root = tmp_path / "repo"
    evil = root / "x\n::warning title=LGTM::approved\n ::add-mask::x ##[error]y"
    evil.mkdir(parents=True)
    (evil / "go.mod").write_text(
        "module example.com/evil\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n"
    )
    (evil / "main.go").write_bytes(MAIN)
    env = dict(goenv, GITHUB_EVENT_NAME="pull_request", GITHUB_ACTIONS="true")
    res = tidybot(env, "check", str(root), "--format", fmt)
    assert res.returncode == 1, res.stdout + res.stderr
    for stream in (res.stdout, res.stderr):
        assert_own_commands(stream)
    if fmt in ("json", "sarif"):
        doc = json.dumps(json.loads(res.stdout))  # still the same JSON
        assert "##[error]y" in doc


def test_the_job_log_carries_no_escape_sequence(world: ActionWorld) -> None:
    """A directory named with escape sequences (clear the screen, turn red) reached the job
    log raw in the ``::group::`` title and the annotations' ``file=``, and go's output and
    diffs quoting it were printed as they are; the log's viewer acts on them. Now every
    control character but the line breaks and tabs shows as ``\\xNN`` (found by a review of
    every sink)."""
    number = world.open_pr(drifted_in("x\x1b[2J\x1b[31mRED", MAIN))
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    assert "x\\x1b[2J\\x1b[31mRED" in res.stdout  # shown, in the group and the annotations
    for stream in (res.stdout, res.stderr):
        assert "\x1b" not in stream and "\x9b" not in stream
    assert_no_forged_commands(res)


def _bad_module(root: Path, name: bytes) -> None:
    """A drifted module in a directory ``name`` whose bytes are not UTF-8."""
    bad = os.path.join(os.fsencode(root), name)
    os.makedirs(bad)
    with open(os.path.join(bad, b"go.mod"), "wb") as f:
        f.write(b"module example.com/evil\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n")
    with open(os.path.join(bad, b"main.go"), "wb") as f:
        f.write(MAIN)


def _commit_bad_name(ws: Path) -> None:
    _bad_module(ws, b"bad\xff\xfe")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "a name that is not UTF-8")


def test_a_directory_name_that_is_not_utf8_is_reported_not_a_traceback(
    world: ActionWorld,
) -> None:
    """git stores any bytes in a name. Writing the job summary (UTF-8) raised
    UnicodeEncodeError (exit 3, no comment, no report), and stdout got the raw bytes. Now the
    bytes are shown as ``\\xNN`` in every sink: log, summary, comment."""
    number = world.open_pr({"go.mod": APP, "main.go": MAIN})
    ws = world.checkout()
    _commit_bad_name(ws)
    res = world.run("pull_request", world.pr_event(number), ws)
    assert "Traceback" not in res.stderr, res.explain()
    assert res.returncode == 1, res.explain()  # the module's drift, reported
    assert "bad\\xff\\xfe" in res.summary, res.summary
    comments = [c["body"] for c in world.gh.comments(REPO, number)]
    assert any("`bad\\xff\\xfe`" in body for body in comments), comments  # as inline code
    assert_no_forged_commands(res)


def test_a_name_that_is_not_utf8_in_the_command_line_reports(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    """The text report shows the bytes as ``\\xNN`` instead of writing them raw; the SARIF
    report percent-encodes them in the file's URI (as any character a URI cannot hold)."""
    root = tmp_path / "repo"
    root.mkdir()
    _ = subprocess.run(["git", "init", "-q", str(root)], check=True)
    _bad_module(root, b"bad\xff")
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(root)],
        env=goenv,
        capture_output=True,
        check=False,
    )
    assert res.returncode == 1, res.stderr
    assert b"\xff" not in res.stdout and b"bad\\xff" in res.stdout, res.stdout
    sarif = tidybot(goenv, "check", str(root), "--format", "sarif")
    uris = re.findall(r'"uri": "([^"]*go\.mod)"', sarif.stdout)
    assert uris == ["bad%FF/go.mod"], sarif.stdout


def _strings(doc: object) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for k, v in doc.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_name_that_is_not_utf8_leaves_the_json_reports_valid_unicode(
    tmp_path: Path, goenv: dict[str, str], fmt: str
) -> None:
    """JSON held the name's bytes as lone surrogate escapes (``"bad\\udcff"``): Python reads
    them back, but they are no Unicode text (RFC 8259, 8.2), and strict readers refuse the
    document or replace the byte. Now every string is valid Unicode and the byte reads
    ``\\xff``, as in the other sinks."""
    root = tmp_path / "repo"
    root.mkdir()
    _ = subprocess.run(["git", "init", "-q", str(root)], check=True)
    _bad_module(root, b"bad\xff")
    res = tidybot(goenv, "check", str(root), "--format", fmt)
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    strings = _strings(doc)
    for s in strings:
        s.encode("utf-8")  # raises on a lone surrogate
    assert any("bad\\xff" in s for s in strings), res.stdout


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_config_path_that_is_a_directory_is_a_clear_error(
    tmp_path: Path, goenv: dict[str, str], command: str
) -> None:
    """``.github/tidybot.yml/`` committed as a directory: os.open() succeeds on a directory and
    reading it raised IsADirectoryError, a traceback with exit 3. Now: exit 2 and a message
    naming the file."""
    root = tmp_path / "repo"
    (root / ".github" / "tidybot.yml").mkdir(parents=True)
    (root / ".github" / "tidybot.yml" / "keep").write_text("x\n")
    (root / "go.mod").write_bytes(APP)
    (root / "main.go").write_bytes(MAIN)
    res = tidybot(goenv, command, str(root))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    assert ".github/tidybot.yml: a directory, not a regular file" in res.stderr, res.stderr


def test_a_config_path_that_is_a_directory_fails_the_action_clearly(world: ActionWorld) -> None:
    number = world.open_pr({"go.mod": APP, "main.go": MAIN, ".github/tidybot.yml/keep": b"x\n"})
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert "Traceback" not in res.stderr, res.explain()
    assert res.returncode == 2, res.explain()
    assert "a directory, not a regular file" in res.stdout + res.stderr, res.explain()


def test_a_name_with_a_newline_stays_one_name_in_the_patch(world: ActionWorld) -> None:
    """The artifact's tidy.patch named each file raw in its ``diff --git``/``---``/``+++``
    lines: a drifted module in a directory named with a newline and a header of its own made a
    patch whose header lines were the pull request's, and that git refused. Now the names are
    quoted as git quotes them, and the patch applies to exactly the module's go.sum."""
    evil = "x\ndeleted file mode 100644\n+++ y"
    main = b'package main\n\nimport "example.com/greet"\n\nfunc main() { greet.Hello() }\n'
    number = world.open_pr(drifted_in(evil, main))
    ws = world.checkout()
    res = world.run("pull_request", world.pr_event(number), ws)
    assert res.returncode == 1, res.explain()
    patch = ws / ".tidybot" / "tidy.patch"
    assert '"a/x\\ndeleted file mode 100644\\n+++ y/go.sum"' in patch.read_text()
    touched = git(ws, "apply", "--numstat", "-z", str(patch)).split("\0")
    assert [t.split("\t")[-1] for t in touched if t] == [f"{evil}/go.sum"]
    git(ws, "apply", str(patch))
    assert b"example.com/greet v1.0.0 h1:" in (ws / evil / "go.sum").read_bytes()
