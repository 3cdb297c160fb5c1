"""bot.childenv: the allow-list every child gets, go's pinned trust variables, the toolchain."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.childenv import (
    GO_PINNED,
    TREE_GOENV,
    TRUST_VARS,
    allowed,
    go_env,
    layered_go_env,
    toolchain_problem,
    tree_goenv,
)

RUNNER = {
    "PATH": "/usr/bin",
    "HOME": "/github/home",
    "GOPROXY": "https://goproxy.corp.example",
    "GOFLAGS": "-modcacherw",
    "GO111MODULE": "on",
    "LC_ALL": "C.UTF-8",
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "safe.directory",
    "GIT_CONFIG_VALUE_0": "/github/workspace",
    "INPUT_TOKEN": "ghs_token",
    "GITHUB_TOKEN": "ghs_token",
    "GH_TOKEN": "ghs_token",
    "ACTIONS_RUNTIME_TOKEN": "runtime",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://oidc.example",
    "AWS_SECRET_ACCESS_KEY": "aws",
    "GOOGLE_APPLICATION_CREDENTIALS": "/secret.json",
    "INPUT_PRIVATE-TOKEN": "ghp_private",
}


def test_the_allow_list_keeps_what_go_and_git_need_and_nothing_else() -> None:
    assert allowed(RUNNER) == {
        "PATH": "/usr/bin",
        "HOME": "/github/home",
        "GOPROXY": "https://goproxy.corp.example",
        "GOFLAGS": "-modcacherw",
        "GO111MODULE": "on",
        "LC_ALL": "C.UTF-8",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": "/github/workspace",
    }


HOSTILE_GOENV = (
    "GOPROXY=file:///tmp/evil\nGOSUMDB=off\nGONOSUMDB=*\nGOINSECURE=*\nGOPRIVATE=*\n"
    "GONOPROXY=*\nGOFLAGS=-insecure\nGOTOOLCHAIN=auto\nGOAUTH=git /tmp\nGOVCS=*:all\n"
)


def test_an_untrusted_run_sets_every_trust_variable_and_reads_no_go_env() -> None:
    env = go_env({"PATH": "/usr/bin"}, tree_goenv=HOSTILE_GOENV, untrusted=True)
    for name in GO_PINNED:
        assert name in env, name
    assert env["GOPROXY"] == "https://proxy.golang.org,direct"
    assert env["GOSUMDB"] == "sum.golang.org"
    assert env["GOENV"] == "off"
    assert env["GOAUTH"] == "off"
    assert not any(env.get(k) for k in ("GONOSUMDB", "GOINSECURE", "GOPRIVATE", "GONOPROXY"))
    assert "GOFLAGS" not in env and "GOTOOLCHAIN" not in env  # the go port sets GOTOOLCHAIN
    assert set(GO_PINNED) | {"GOFLAGS", "GOTOOLCHAIN"} == set(TRUST_VARS)


def test_an_untrusted_run_keeps_the_trusted_values() -> None:
    env = go_env(
        {"GOPROXY": "https://goproxy.corp.example", "GOFLAGS": "-modcacherw"},
        settings={"GOPRIVATE": "corp.example/*"},
        tree_goenv=HOSTILE_GOENV,
        untrusted=True,
    )
    assert env["GOPROXY"] == "https://goproxy.corp.example"
    assert env["GOPRIVATE"] == "corp.example/*"
    assert env["GOFLAGS"] == "-modcacherw"
    assert env["GOSUMDB"] == "sum.golang.org"


def test_a_trusted_tree_reads_its_go_env_below_the_environment() -> None:
    env = go_env({"GOPROXY": "https://mine"}, tree_goenv="GOPROXY=x\nGOPRIVATE=corp.example\n")
    assert env["GOPROXY"] == "https://mine"
    assert env["GOPRIVATE"] == "corp.example"
    assert "GOENV" not in env


def test_a_trusted_tree_go_env_sets_only_where_modules_come_from() -> None:
    text = (
        "GOPRIVATE=corp.example\nGOAUTH=sh ./x\nGOCACHEPROG=./x\nGOFLAGS=-modfile=/etc/x\n"
        "GOMODCACHE=/elsewhere\nGOWORK=/elsewhere/go.work\nLD_PRELOAD=/x.so\nBASH_ENV=./x\n"
        "GIT_CONFIG_COUNT=1\nCC=./x\nGOTOOLCHAIN=go1.25.3\n"
    )
    env = go_env({"PATH": "/usr/bin"}, tree_goenv=text)
    assert env["GOPRIVATE"] == "corp.example" and env["GOTOOLCHAIN"] == "go1.25.3"
    for name in ("GOAUTH", "GOCACHEPROG", "GOFLAGS", "GOMODCACHE", "GOWORK", "LD_PRELOAD"):
        assert name not in env, name
    assert not {"BASH_ENV", "GIT_CONFIG_COUNT", "CC"} & set(env)
    kept, left_out = tree_goenv(text)
    assert set(kept) == {"GOPRIVATE", "GOTOOLCHAIN"} and set(kept) <= TREE_GOENV
    assert left_out[:3] == ["GOAUTH", "GOCACHEPROG", "GOFLAGS"]


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"GOSUMDB": "off"}, "GOSUMDB=off"),
        ({"GONOSUMDB": "golang.org"}, "GONOSUMDB=golang.org covers golang.org/toolchain"),
        ({"GOPRIVATE": "*"}, "GOPRIVATE=* covers golang.org/toolchain"),
        ({"GOPRIVATE": "*", "GONOSUMDB": "corp.example"}, None),  # GONOSUMDB wins over it
        ({"GONOSUMDB": "corp.example"}, None),
        ({}, None),
    ],
)
def test_the_toolchain_rule(env: dict[str, str], problem: str | None) -> None:
    assert toolchain_problem(env, "auto") == problem
    assert toolchain_problem(env, "go1.25.3") == problem
    assert toolchain_problem(env, "local") is None


def test_the_toolchain_rule_sees_go_env_files(tmp_path: Path) -> None:
    (tmp_path / "go" / "env").parent.mkdir()
    (tmp_path / "go" / "env").write_text("GOSUMDB=off\n")
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert toolchain_problem(layered_go_env(env), "auto") == "GOSUMDB=off"
    assert toolchain_problem(layered_go_env({**env, "GOENV": "off"}), "auto") is None
    assert toolchain_problem(layered_go_env({**env, "GOSUMDB": "sum.golang.org"}), "auto") is None
