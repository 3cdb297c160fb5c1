"""``tidybot action`` on a pull request whose go.sum is a symlink to a secret on the runner
(or to ``/proc/1/environ``): the module is an error naming the symlink, and the target's
content is in none of the annotations, the job summary, the outputs, the report and artifact
files, or the sticky comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_action_harness import DRIFTED, REPO, ActionWorld, world

__all__ = ["world"]

SECRET = "TIDYBOT_RUNNER_SECRET=ghs_hostile0123456789abcdef"


@pytest.mark.parametrize("target", ["secret", "proc"])
def test_symlinked_go_sum_leaks_nothing(world: ActionWorld, target: str) -> None:
    secret = world.tmp / "runner-secret.txt"
    secret.write_text(SECRET + "\n")
    number = world.open_pr(DRIFTED)
    ws = world.checkout()
    dest = secret if target == "secret" else Path("/proc/1/environ")
    (ws / "go.sum").symlink_to(dest)
    res = world.run("pull_request", world.pr_event(number), ws)

    assert res.returncode == 2, res.explain()
    report = res.report()
    (m,) = report["modules"]
    assert m["status"] == "error"
    assert m["error"].startswith("go.sum: is a symlink; tidybot reads and writes only")
    texts = {
        "stdout": res.stdout,
        "stderr": res.stderr,
        "summary": res.summary,
        "outputs": "\n".join(res.outputs.values()),
        "comments": "\n".join(str(c["body"]) for c in world.gh.comments(REPO, number)),
    }
    artifact = ws / ".tidybot"
    for p in sorted(artifact.rglob("*")) if artifact.exists() else []:
        if p.is_file():
            texts[f"artifact {p.name}"] = p.read_text(encoding="utf-8", errors="replace")
    assert any(k.startswith("artifact") for k in texts)
    leaked = {k for k, v in texts.items() if SECRET in v or "ghs_hostile" in v or str(dest) in v}
    assert leaked == set()
    if target == "proc":  # whatever PID 1's environment holds, none of it is read
        try:
            environ = dest.read_bytes().split(b"\0")
        except OSError:  # not readable here: then tidybot could not have read it either
            environ = []
        long_values = [
            v.split(b"=", 1)[1].decode("utf-8", "replace")
            for v in environ
            if b"=" in v and len(v.split(b"=", 1)[1]) >= 12
        ]
        assert not [v for v in long_values if any(v in t for t in texts.values())]
    assert (ws / "go.sum").is_symlink()
    assert secret.read_text() == SECRET + "\n"
