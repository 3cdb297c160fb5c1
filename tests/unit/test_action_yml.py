"""action.yml and the README's action section say the same thing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.action import Settings
from bot.modes import MODE_INPUTS

ROOT = Path(__file__).resolve().parents[2]


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def readme_region() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- action:start -->"), text.index("<!-- action:end -->")
    return text[start:end]


def table(heading: str) -> dict[str, list[str]]:
    """The rows of the markdown table under ``### heading``: first cell (unquoted) -> cells."""
    region = readme_region()
    m = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^### |\Z)", region, re.M | re.S)
    assert m, f"no '### {heading}' section in the README's action region"
    rows: dict[str, list[str]] = {}
    for line in m.group(1).splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_action_is_a_docker_action_running_tidybot() -> None:
    meta = action()
    assert meta["runs"] == {"using": "docker", "image": "Dockerfile"}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["tidybot", "action"]' in dockerfile
    assert "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^FROM golang:1\.\d+\.\d+\S* AS go$", dockerfile, re.M)
    assert "COPY --from=go /usr/local/go /usr/local/go" in dockerfile
    assert "safe.directory" in dockerfile


def test_readme_inputs_table_matches_action_yml() -> None:
    inputs = action()["inputs"]
    rows = table("Inputs")
    assert list(rows) == list(inputs), "same inputs, same order"
    for name, spec in inputs.items():
        default = str(spec.get("default", ""))
        shown = rows[name][0].strip("`")
        assert shown == default, f"input {name}: README default {shown!r}, action.yml {default!r}"
        assert spec.get("description"), f"input {name} has no description"


def test_readme_outputs_table_matches_action_yml() -> None:
    outputs = action()["outputs"]
    rows = table("Outputs")
    assert list(rows) == list(outputs)
    for name, spec in outputs.items():
        assert spec.get("description"), f"output {name} has no description"


def test_mode_input_documents_every_accepted_value() -> None:
    description = action()["inputs"]["mode"]["description"]
    for value in MODE_INPUTS:
        assert value in description


@pytest.mark.parametrize("name", ["mode", "fail-on-drift", "working-directory", "artifact-dir"])
def test_settings_read_every_input_the_way_the_runner_passes_it(name: str, tmp_path: Path) -> None:
    """The runner passes INPUT_<NAME> upper-cased with dashes kept; defaults are accepted."""
    (tmp_path / "sub").mkdir()
    values = {"mode": "check", "fail-on-drift": "false", "working-directory": "sub"}
    values["artifact-dir"] = "out"
    env = {"GITHUB_WORKSPACE": str(tmp_path), f"INPUT_{name.upper()}": values[name]}
    settings = Settings.from_env(env)
    attr = {
        "mode": settings.mode,
        "fail-on-drift": settings.fail_on_drift,
        "working-directory": settings.working_directory,
        "artifact-dir": settings.artifact_dir,
    }[name]
    expected: object = False if name == "fail-on-drift" else values[name]
    assert attr == expected


def test_settings_accept_every_default_of_action_yml(tmp_path: Path) -> None:
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    for name, spec in action()["inputs"].items():
        env[f"INPUT_{name.upper()}"] = str(spec.get("default", "")).replace(
            "${{ github.token }}", "ghs_x"
        )
    settings = Settings.from_env(env)
    assert settings.mode == "auto"
    assert settings.fail_on_drift is True
    assert settings.working_directory == "."
    assert "ghs_x" not in repr(settings)
