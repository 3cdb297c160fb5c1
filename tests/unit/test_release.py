"""The release: .github/release/pin_image.py points action.yml at the released image by
digest, and the release workflow builds, smoke-tests and pushes that image first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".github" / "release" / "pin_image.py"
DIGEST = "sha256:" + "0123456789abcdef" * 4


def pin(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=workdir, capture_output=True, text=True
    )


def test_the_release_commit_runs_the_image_by_digest(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    original = (ROOT / "action.yml").read_text(encoding="utf-8")
    action.write_text(original, encoding="utf-8")
    res = pin(tmp_path, "action.yml", "ghcr.io/octo-org/tidybot", DIGEST)
    assert res.returncode == 0, res.stderr
    pinned = yaml.safe_load(action.read_text(encoding="utf-8"))
    assert pinned["runs"] == {
        "using": "docker",
        "image": f"docker://ghcr.io/octo-org/tidybot@{DIGEST}",
    }
    before = yaml.safe_load(original)
    assert {k: v for k, v in pinned.items() if k != "runs"} == {
        k: v for k, v in before.items() if k != "runs"
    }
    # once pinned there is no Dockerfile line left: a second pin is refused, the file kept
    again = pin(tmp_path, "action.yml", "ghcr.io/octo-org/tidybot", DIGEST)
    assert again.returncode == 2
    assert again.stderr == (
        "action.yml: action.yml has no `  image: Dockerfile` line under `runs:` to pin\n"
    )
    assert yaml.safe_load(action.read_text(encoding="utf-8")) == pinned


@pytest.mark.parametrize(
    ("image", "digest", "says"),
    [
        ("ghcr.io/Octo/tidybot", DIGEST, "is not a lower-case image name"),
        ("tidybot", DIGEST, "is not a lower-case image name"),
        ("ghcr.io/octo/tidybot", "sha256:abc", "is not a digest"),
        ("ghcr.io/octo/tidybot:1.2.3", DIGEST, "is not a lower-case image name"),
    ],
)
def test_a_malformed_image_or_digest_is_refused(
    tmp_path: Path, image: str, digest: str, says: str
) -> None:
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text(encoding="utf-8"))
    res = pin(tmp_path, "action.yml", image, digest)
    assert res.returncode == 2 and says in res.stderr and "Traceback" not in res.stderr
    assert (tmp_path / "action.yml").read_text() == (ROOT / "action.yml").read_text()


def test_the_release_workflow_tests_the_image_it_pushes() -> None:
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert set(flow[True]) == {"workflow_dispatch"}  # YAML 1.1 reads `on` as True
    steps = [s.get("run", "") for s in flow["jobs"]["image"]["steps"]]
    build = next(i for i, s in enumerate(steps) if "docker build" in s)
    smoke = next(i for i, s in enumerate(steps) if "pytest -v tests/container" in s)
    push = next(i for i, s in enumerate(steps) if "docker push" in s)
    assert build < smoke < push
    release = "\n".join(s.get("run", "") for s in flow["jobs"]["release"]["steps"])
    assert "python3 .github/release/pin_image.py action.yml" in release
    assert "git push origin" in release and "--force" not in release
