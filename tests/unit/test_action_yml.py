"""action.yml and the README's action section say the same thing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.action.settings import Settings
from bot.action.trigger import MODE_INPUTS
from bot.config import load_config
from bot.credentials import Credentials
from bot.errors import ConfigError
from bot.options import private_env
from bot.secrets import redact

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
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        f"INPUT_{name.upper()}": values[name],
    }
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
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path)}
    for name, spec in action()["inputs"].items():
        env[f"INPUT_{name.upper()}"] = str(spec.get("default", "")).replace(
            "${{ github.token }}", "ghs_x"
        )
    settings = Settings.from_env(env)
    assert settings.mode == "auto"
    assert settings.fail_on_drift is True
    assert settings.working_directory == "."
    assert "ghs_x" not in repr(settings)


def test_settings_read_the_private_module_inputs(tmp_path: Path) -> None:
    token = "ghp_privateModuleToken0123456789"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_GONOPROXY": "corp.example/*",
        "INPUT_PRIVATE-TOKEN": f" {token}\n",
        "INPUT_TOKEN": "ghs_x",
        "SAME_SECRET_AGAIN": token,
        "EMPTY": "",
    }
    settings = Settings.from_env(env)
    assert settings.private_token == token
    assert settings.go_settings() == {"GONOPROXY": "corp.example/*"}
    assert token not in repr(settings)
    # go and git get settings.env: no variable that names or holds the private token
    assert "INPUT_PRIVATE-TOKEN" not in settings.env
    assert "SAME_SECRET_AGAIN" not in settings.env
    assert settings.env["EMPTY"] == ""
    assert settings.env["INPUT_GONOPROXY"] == "corp.example/*"
    assert (
        redact(f"go: reading https://u:{token}@h/: 401", settings.secrets)
        == "go: reading https://u:***@h/: 401"
    )


def test_private_token_also_from_the_command_line_variable(tmp_path: Path) -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "TIDYBOT_PRIVATE_TOKEN": "ghp_fromEnv",
    }
    settings = Settings.from_env(env)
    assert settings.private_token == "ghp_fromEnv"
    assert "TIDYBOT_PRIVATE_TOKEN" not in settings.env
    env["INPUT_PRIVATE-TOKEN"] = "ghp_fromInput"
    assert Settings.from_env(env).private_token == "ghp_fromInput"


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ("", ".github/tidybot.yml"),
        ("private:\n  goprivate: corp.example\n", ".github/tidybot.yml"),
        ("private:\n  git:\n    host: github.com\n", ".github/tidybot.yml"),
    ],
)
def test_private_token_with_no_host_to_receive_it(config: str, where: str, tmp_path: Path) -> None:
    if config:
        (tmp_path / ".github").mkdir()
        (tmp_path / ".github" / "tidybot.yml").write_text(config)
    settings = Settings.from_env(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(tmp_path),
            "INPUT_PRIVATE-TOKEN": "ghp_x",
        }
    )
    with pytest.raises(ConfigError) as err, _access(settings):
        pass
    assert str(err.value) == (
        "input 'private-token' is set but no host is named to receive it: add "
        f"private.auth_hosts or private.git.orgs to {where}"
    )
    assert "ghp_x" not in str(err.value)


def test_private_token_goes_to_the_configured_hosts(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".tidybot.yml").write_text(
        "private:\n  auth_hosts: [goproxy.corp.example]\n  git:\n    orgs: [acme]\n"
    )
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "INPUT_WORKING-DIRECTORY": "svc",
    }
    with _access(Settings.from_env(env)) as access:
        assert access == {}
    settings = Settings.from_env({**env, "INPUT_PRIVATE-TOKEN": "ghp_x"})
    creds = load_config(settings.root).private.credentials(settings.private_token)
    assert isinstance(creds, Credentials)
    assert creds.proxy_hosts == ("goproxy.corp.example",)
    assert (creds.git_host, creds.git_orgs) == ("github.com", ("acme",))
    with _access(settings) as access:
        assert access["GOAUTH"] == "netrc"
        assert "ghp_x" in Path(access["NETRC"]).read_text()
        assert "ghp_x" not in access.values()
    (tmp_path / "svc" / ".tidybot.yml").write_text("private:\n  goprivate: corp.example\n")
    with pytest.raises(ConfigError, match=r"to svc/\.tidybot\.yml$"), _access(settings):
        pass


def _access(settings: Settings) -> Any:
    """The private access the action enters for ``settings`` (bot.options.private_env)."""
    prefix = "" if settings.workdir == "." else settings.workdir + "/"
    return private_env(
        load_config(settings.root),
        settings.private_token,
        {},
        given_as="input 'private-token'",
        prefix=prefix,
    )
