"""``bot.fixplan.private_code``: which vendored files of a fix are a private module's code."""

from __future__ import annotations

from bot.fixplan import private_code

FILES: dict[str, bytes | None] = {
    "vendor/modules.txt": b"# corp.example/secret v1.0.0\n## explicit\ncorp.example/secret\n",
    "vendor/corp.example/secret/secret.go": b"package secret\n",
    "vendor/corp.example/secret/inner/x.go": b"package inner\n",
    "svc/vendor/git.corp.example/team/lib/lib.go": b"package lib\n",
    "vendor/corp.example/gone/gone.go": None,  # deleted: no code leaves
    "vendor/example.com/public/p.go": b"package public\n",
    "go.sum": b"corp.example/secret v1.0.0 h1:x=\n",
}


def test_packages_of_modules_go_treats_as_private() -> None:
    env = {"GONOSUMDB": "corp.example", "GOPRIVATE": "", "GONOPROXY": "*.corp.example"}
    assert private_code(FILES, env) == [
        "corp.example/secret",
        "corp.example/secret/inner",
        "git.corp.example/team/lib",
    ]


def test_nothing_is_private_without_patterns() -> None:
    assert private_code(FILES, {}) == []
    assert private_code(FILES, {"GOPRIVATE": " "}) == []


def test_a_pattern_matches_by_whole_path_elements() -> None:
    assert private_code(FILES, {"GOPRIVATE": "corp.example/sec"}) == []
    assert private_code(FILES, {"GOPRIVATE": "corp.example/secret/inner"}) == [
        "corp.example/secret/inner"
    ]


def test_with_the_checksum_database_off_every_vendored_module_may_be_private() -> None:
    """An authenticated proxy with GOSUMDB=off and no GOPRIVATE: nothing says which modules
    are private, so none is taken for public."""
    assert private_code(FILES, {"GOSUMDB": "off"}) == [
        "corp.example/secret",
        "corp.example/secret/inner",
        "example.com/public",
        "git.corp.example/team/lib",
    ]
