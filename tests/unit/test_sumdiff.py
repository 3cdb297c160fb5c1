"""sum-changed (pure) and the environment checks (pure) of the verify engine."""

from __future__ import annotations

import pytest

from bot.engine.gosum import parse_gosum
from bot.engine.model import Severity
from bot.engine.sumdiff import changed_sums
from bot.verify.envcheck import check_env, covered_public_hosts

H1 = "h1:" + "A" * 43 + "="
H2 = "h1:" + "B" * 43 + "="
H3 = "h1:" + "C" * 43 + "="
BASE = f"""example.com/a v1.0.0 {H1}
example.com/a v1.0.0/go.mod {H2}
example.com/b v1.2.0/go.mod {H3}
"""


def _changed(base: str, head: str) -> list[tuple[int | None, str]]:
    fs = changed_sums(
        parse_gosum(base), parse_gosum(head, "svc/go.sum"), module_dir="svc", file="svc/go.sum"
    )
    assert all(
        (f.id, f.severity, f.file, f.module_dir)
        == ("sum-changed", Severity.ERROR, "svc/go.sum", "svc")
        for f in fs
    )
    return [(f.line, f.message) for f in fs]


def test_unchanged_added_and_removed_lines_are_fine() -> None:
    head = f"""example.com/a v1.0.0 {H1}
example.com/a v1.0.0/go.mod {H2}
example.com/a v1.1.0 {H3}
example.com/c v0.1.0/go.mod {H1}
"""
    assert _changed(BASE, head) == []
    assert _changed(BASE, "") == []
    assert _changed("", BASE) == []


def test_rewritten_hash_is_reported_on_the_head_line() -> None:
    head = f"""example.com/a v1.0.0 {H1}
example.com/a v1.0.0/go.mod {H2}
example.com/b v1.2.0/go.mod {H1}
"""
    assert _changed(BASE, head) == [
        (3, f"example.com/b@v1.2.0/go.mod: hash changed from {H3} to {H1}")
    ]


def test_extra_hash_for_a_recorded_version_is_reported() -> None:
    head = BASE + f"example.com/a v1.0.0 {H3}\n"
    assert [line for line, _ in _changed(BASE, head)] == [4]


def test_other_hash_algorithms_are_not_compared() -> None:
    head = BASE + "example.com/a v1.0.0 h2:whatever\n"
    assert _changed(BASE, head) == []


def test_base_line_is_named() -> None:
    head = f"example.com/a v1.0.0 {H2}\n"
    fs = changed_sums(parse_gosum(BASE), parse_gosum(head), module_dir=".", file="go.sum")
    assert "(base line 1)" in fs[0].why


# --- environment ---------------------------------------------------------------------------


def _env_ids(env: dict[str, str]) -> list[tuple[str, Severity, str]]:
    return [(f.id, f.severity, f.message.split(" ")[0]) for f in check_env(env)]


def test_clean_environment_has_no_findings() -> None:
    assert check_env({}) == []
    assert (
        check_env({"GOPRIVATE": "github.com/acme/*,git.corp.example", "GOFLAGS": "-mod=mod"}) == []
    )


def test_gonosumcheck_is_flagged() -> None:
    fs = check_env({"GONOSUMCHECK": "1"})
    assert [(f.id, f.severity) for f in fs] == [("config", Severity.WARNING)]
    assert "not a Go environment variable" in fs[0].message
    assert "GONOSUMDB" in fs[0].why


def test_gosumdb_off_is_an_error() -> None:
    assert _env_ids({"GOSUMDB": "off"}) == [("config", Severity.ERROR, "GOSUMDB=off:")]


@pytest.mark.parametrize(
    ("patterns", "hosts"),
    [
        ("*", None),
        ("github.com", ["github.com"]),
        ("github.com/*", ["github.com"]),
        ("*.org", ["bitbucket.org", "golang.org", "google.golang.org", "go.uber.org"]),
        ("github.com/acme", []),
        ("github.com/acme/*,corp.example", []),
    ],
)
def test_patterns_covering_public_hosts(patterns: str, hosts: list[str] | None) -> None:
    got = covered_public_hosts(patterns)
    if hosts is None:
        assert len(got) > 10
    else:
        assert got == hosts
    fs = check_env({"GONOSUMDB": patterns})
    assert len(fs) == (1 if got else 0)
    if got:
        assert fs[0].severity is Severity.ERROR
        assert fs[0].message.startswith(f"GONOSUMDB={patterns} skips the checksum database")


def test_goprivate_counts_only_without_gonosumdb() -> None:
    assert len(check_env({"GOPRIVATE": "*"})) == 1
    assert check_env({"GOPRIVATE": "*", "GONOSUMDB": "corp.example"}) == []


def test_goinsecure_and_insecure_flag() -> None:
    assert _env_ids({"GOINSECURE": "corp.example"}) == [
        ("config", Severity.WARNING, "GOINSECURE=corp.example:")
    ]
    assert _env_ids({"GOFLAGS": "-mod=mod -insecure"}) == [("config", Severity.ERROR, "GOFLAGS")]
    assert check_env({"GOFLAGS": "-modcacherw"}) == []
