"""A private module behind a loopback HTTPS module proxy that demands basic auth.

The proxy (``tests/integration/private_proxy.py``) serves the GOPROXY layout of a module over
TLS with a certificate made for 127.0.0.1 (go sends credentials over HTTPS only;
``SSL_CERT_FILE`` makes go trust it).
Without the token go is refused; with it (a run-scoped netrc from ``bot.credentials``) the
module is found; the token appears in no output and the netrc is gone afterwards.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.credentials import Credentials, private_access
from bot.engine.model import Status
from bot.report import render
from bot.runner import RunOptions, check, fix
from bot.secrets import redact
from tests.fakes.goproxy import write_tree
from tests.integration.private_proxy import (
    MODULE,
    TOKEN,
    USER,
    PrivateProxy,
    private_proxy,
    proxy_env,
)

__all__ = ["private_proxy"]


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    """A repository whose module imports the private module (go.sum not written yet)."""
    root = tmp_path / "repo"
    write_tree(
        root,
        {
            "go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire {MODULE} v1.0.0\n",
            "main.go": f'package main\n\nimport "{MODULE}"\n\n'
            "func main() { println(secret.Name) }\n",
            ".tidybot.yml": "private:\n  gonosumdb: corp.example\n  goproxy: PROXY\n"
            "  auth_hosts: [HOST]\n",
        },
    )
    return root


def _options(
    root: Path, proxy: PrivateProxy, base: dict[str, str], extra: dict[str, str]
) -> RunOptions:
    cfg_text = (root / ".tidybot.yml").read_text()
    cfg_text = cfg_text.replace("PROXY", proxy.url).replace("HOST", proxy.host)
    (root / ".tidybot.yml").write_text(cfg_text)
    cfg = parse_config(cfg_text, ".tidybot.yml")
    return RunOptions(jobs=1, env={**cfg.private.go_env(), **extra}, base_env=base, config=cfg)


def test_refused_without_the_token(
    consumer: Path, private_proxy: PrivateProxy, goenv: dict[str, str], tmp_path: Path
) -> None:
    report = check(
        consumer, _options(consumer, private_proxy, proxy_env(goenv, private_proxy, tmp_path), {})
    )
    (mod,) = report.modules
    assert mod.status is Status.ERROR
    assert "401 Unauthorized" in mod.error
    assert private_proxy.requests
    assert all(code == 401 and not had for _, code, had in private_proxy.requests)


def test_found_with_the_token_and_never_shown(
    consumer: Path,
    private_proxy: PrivateProxy,
    goenv: dict[str, str],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    base = proxy_env(goenv, private_proxy, tmp_path)
    creds = Credentials(token=TOKEN, proxy_hosts=(private_proxy.host,), proxy_user=USER)
    with private_access(creds, base) as cred_env:
        netrc = Path(cred_env["NETRC"])
        assert stat.S_IMODE(netrc.stat().st_mode) == 0o600
        assert stat.S_IMODE(netrc.parent.stat().st_mode) == 0o700
        assert TOKEN not in "".join(f"{k}={v}" for k, v in cred_env.items())
        options = _options(consumer, private_proxy, base, cred_env)
        report = check(consumer, options)
        outputs = [render(report, fmt) for fmt in ("json", "text", "markdown", "github")]
        fixed = fix(consumer, options)
    assert not netrc.exists()
    assert not netrc.parent.exists()

    (mod,) = report.modules
    assert mod.status is Status.DRIFTED, mod.error
    assert {f.id for f in mod.findings} == {"missing-sum"}
    assert f"{MODULE} v1.0.0 h1:" in mod.diff
    assert any(code == 200 and had for _, code, had in private_proxy.requests)
    (fmod,) = fixed.modules
    assert fmod.fixed
    assert f"{MODULE} v1.0.0/go.mod h1:" in (consumer / "go.sum").read_text()

    captured = capfd.readouterr()
    for text in [*outputs, captured.out, captured.err, repr(creds), str(report), str(fixed)]:
        assert TOKEN not in text
    for p in consumer.rglob("*"):
        if p.is_file():
            assert TOKEN.encode() not in p.read_bytes(), p


def test_git_rules_are_scoped_to_the_organisation(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base.update(HOME=str(home), GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    base.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="user.name", GIT_CONFIG_VALUE_0="ci")
    creds = Credentials(token=TOKEN, git_host="github.com", git_orgs=("acme",))
    with private_access(creds, base) as cred_env:
        env = {**base, **cred_env}
        assert TOKEN not in "".join(cred_env.values())

        def git(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["git", *args], env=env, input=stdin, capture_output=True, text=True, check=False
            )

        assert git("config", "user.name").stdout.strip() == "ci"  # existing entries kept
        fills = {}
        for url in (
            "https://github.com/acme/lib",
            "git@github.com:acme/lib",
            "https://github.com/other/lib",
        ):
            rewritten = git("ls-remote", "--get-url", url).stdout.strip()
            fills[url] = (rewritten, git("credential", "fill", stdin=f"url={rewritten}\n\n"))
        helper = next(v for v in cred_env.values() if "git-token" in v)
        match = re.search(r"(/[^' ]+/git-token)", helper)
        assert match is not None
        token_file = Path(match.group(1))
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    acme_url, acme = fills["https://github.com/acme/lib"]
    assert acme_url == "https://tidybot-x-access-token@github.com/acme/lib"
    assert acme.returncode == 0
    assert f"password={TOKEN}" in acme.stdout
    assert "username=x-access-token" in acme.stdout
    assert fills["git@github.com:acme/lib"][0] == acme_url
    other_url, other = fills["https://github.com/other/lib"]
    assert other_url == "https://github.com/other/lib"
    assert other.returncode != 0
    assert TOKEN not in other.stdout + other.stderr
    assert not token_file.exists()


def test_redact() -> None:
    assert redact(f"reading https://x:{TOKEN}@h/", [TOKEN]) == "reading https://x:***@h/"
    assert redact("nothing", [""]) == "nothing"


def test_cli_takes_the_token_from_the_environment_only(
    consumer: Path, private_proxy: PrivateProxy, goenv: dict[str, str], tmp_path: Path
) -> None:
    import sys

    _options(consumer, private_proxy, {}, {})  # writes the proxy's URL and host into the config
    env = proxy_env(goenv, private_proxy, tmp_path)
    # its own temporary directory: other runs (parallel tests) make credential files too
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env["TMPDIR"] = str(scratch)
    cmd = [sys.executable, "-m", "bot", "check", str(consumer), "--format", "json"]
    refused = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 2
    assert "401 Unauthorized" in refused.stdout
    env["TIDYBOT_PRIVATE_TOKEN"] = TOKEN
    found = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert found.returncode == 1, found.stdout + found.stderr
    assert '"id": "missing-sum"' in found.stdout
    assert TOKEN not in found.stdout + found.stderr
    assert not list(scratch.glob("tidybot-cred-*"))


def test_go_never_sees_the_token_variable(tmp_path: Path, goenv: dict[str, str]) -> None:
    import sys

    # a stand-in go that records its environment, then answers like a recent go
    fake = tmp_path / "bin" / "go"
    fake.parent.mkdir()
    seen = tmp_path / "env.txt"
    fake.write_text(f'#!/bin/sh\nenv >> "{seen}"\necho go1.26.0\n')
    fake.chmod(0o755)
    repo = write_tree(
        tmp_path / "repo",
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n",
            ".tidybot.yml": "private:\n  auth_hosts: proxy.example.com\n",
        },
    )
    env = dict(goenv, TIDYBOT_GO=str(fake), TIDYBOT_PRIVATE_TOKEN=TOKEN)
    cmd = [sys.executable, "-m", "bot", "check", str(repo)]
    subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    recorded = seen.read_text()
    assert "GOTOOLCHAIN=local" in recorded  # the stand-in did run
    assert TOKEN not in recorded


def test_cli_refuses_a_token_with_nowhere_to_go(tmp_path: Path) -> None:
    import sys

    write_tree(tmp_path, {"go.mod": "module example.com/x\n\ngo 1.22\n"})
    env = {**os.environ, "TIDYBOT_PRIVATE_TOKEN": TOKEN}
    res = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "tidybot: error: TIDYBOT_PRIVATE_TOKEN is set but no host is named to receive it: add "
        "private.auth_hosts or private.git.orgs to .github/tidybot.yml"
    )
    assert TOKEN not in res.stdout + res.stderr
