"""One release everywhere: the package version, `tidybot --version`, the README's action tags
(`@vN` and `# vN` after a pinned SHA), its pre-commit `rev:` and its `pip install` of a tag, and
the hooks file's example all name the same release."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import bot

ROOT = Path(__file__).parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_package_and_the_command_say_the_same_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert bot.__version__ == VERSION
    res = subprocess.run(
        [sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, check=True
    )
    assert res.stdout == f"tidybot {VERSION}\n"


def test_the_readme_and_the_hooks_name_this_release() -> None:
    major = VERSION.split(".")[0]
    for path in (ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *ROOT.glob("docs/*.md")):
        text = path.read_text()
        tags = re.findall(r"tidybot/tidybot@(v[\d.]+)\b", text)
        tags += re.findall(r"tidybot/tidybot@[0-9a-f]{40} # (v[\d.]+)", text)
        for tag in tags:
            assert tag in (f"v{major}", f"v{VERSION}"), (path.name, tag)
        for rev in re.findall(r"^\s*#?\s*rev: (\S+)", text, re.M):
            assert rev == f"v{VERSION}", (path.name, rev)
        for pinned in re.findall(r"git\+https://github\.com/tidybot/tidybot@(\S+?)[\"'`\s]", text):
            assert pinned == f"v{VERSION}", (path.name, pinned)
    readme = (ROOT / "README.md").read_text()
    assert f"rev: v{VERSION}" in readme
    assert f"git+https://github.com/tidybot/tidybot@v{VERSION}" in readme  # how to install it
