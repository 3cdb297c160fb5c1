"""bot.options: one resolver, one gotoolchain rule, the keys a pull request's tree cannot set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import parse_config
from bot.engine.goenv import parse_toolchain_policy
from bot.errors import ConfigError
from bot.options import Request, resolve, toolchain_value, tree_is_untrusted


@pytest.mark.parametrize(
    "value", ["go1", "go2", "go1.25", "go1.25.3+auto", "path", "1.25", "go1.x"]
)
def test_one_gotoolchain_rule_refuses(value: str) -> None:
    assert parse_toolchain_policy(value) is None
    with pytest.raises(ConfigError, match="expected local, auto, or a Go release"):
        toolchain_value(value, "input 'gotoolchain'")
    with pytest.raises(ConfigError, match="gotoolchain"):
        parse_config(f"gotoolchain: {value}\n", ".tidybot.yml")


@pytest.mark.parametrize("value", ["local", "auto", "go1.20", "go1.25.0", "go1.25.3", "go1.26rc1"])
def test_one_gotoolchain_rule_accepts(value: str) -> None:
    assert toolchain_value(value, "--gotoolchain") == value
    assert parse_config(f"gotoolchain: {value}\n").gotoolchain.env_value == value


@pytest.mark.parametrize(
    ("event", "forced", "untrusted"),
    [
        (None, False, False),  # a developer's own tree
        ("", False, False),
        (None, True, True),  # --untrusted
        ("push", False, False),
        ("schedule", False, False),
        ("workflow_dispatch", False, False),
        ("pull_request", False, True),
        ("pull_request_target", False, True),
        ("issue_comment", False, True),
        ("workflow_run", False, True),
        ("merge_group", False, True),  # anything not known to be the repository's own code
    ],
)
def test_which_trees_are_untrusted(event: str | None, forced: bool, untrusted: bool) -> None:
    assert tree_is_untrusted(event, forced=forced) is untrusted


HOSTILE = (
    "gotoolchain: auto\n"
    "exclude: [vendored/*]\n"
    "private:\n  goproxy: https://attacker.example\n  gonosumdb: '*'\n"
    "  auth_hosts: [attacker.example]\n"
)


def test_an_untrusted_tree_sets_only_what_it_reports(tmp_path: Path) -> None:
    (tmp_path / ".tidybot.yml").write_text(HOSTILE)
    (tmp_path / "go.env").write_text("GOPROXY=file:///tmp/evil\nGOSUMDB=off\n")
    trusted = parse_config("private:\n  goprivate: corp.example/*\n", "base")
    got = resolve(
        tmp_path,
        Request(untrusted=True, trusted_config=trusted, trusted_source="the base branch"),
        {},
    )
    assert got.options.gotoolchain == "local"
    assert got.options.env == {"GOPRIVATE": "corp.example/*"}
    assert got.config.private.auth_hosts == ()
    assert got.config.exclude == ("vendored/*",)  # what to report: the tree's own choice
    assert got.options.untrusted
    assert [n.split(":")[0] for n in got.notices] == [".tidybot.yml", "go.env"]
    assert "gotoolchain, private" in got.notices[0]


def test_a_trusted_tree_keeps_its_config(tmp_path: Path) -> None:
    (tmp_path / ".tidybot.yml").write_text("gotoolchain: auto\nprivate:\n  goprivate: a.example\n")
    got = resolve(tmp_path, Request(), {})
    assert got.options.gotoolchain == "auto"
    assert got.options.env == {"GOPRIVATE": "a.example"}
    assert got.notices == ()


def test_flags_and_inputs_win_over_the_config(tmp_path: Path) -> None:
    (tmp_path / ".tidybot.yml").write_text("gotoolchain: auto\nprivate:\n  goproxy: https://a\n")
    got = resolve(
        tmp_path,
        Request(gotoolchain="go1.25.3", go_settings={"GOPROXY": "https://b", "GOPRIVATE": ""}),
        {},
    )
    assert got.options.gotoolchain == "go1.25.3"
    assert got.options.env == {"GOPROXY": "https://b"}
