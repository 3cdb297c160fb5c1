"""ruff and mypy (strict) stay clean: the test command enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "cmd",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_clean(cmd: list[str]) -> None:
    if cmd[0] == "ruff":
        ruff = shutil.which("ruff")
        assert ruff is not None, "ruff is part of the test extra: pip install -e '.[test]'"
        cmd = [ruff, *cmd[1:]]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
