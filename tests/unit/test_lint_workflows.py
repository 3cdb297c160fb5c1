"""actionlint and zizmor over action.yml, every workflow and the README's example workflows;
hadolint over the Dockerfile. The linters come with the ``test`` extra (binaries in wheels).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
#: How the README's examples name the action: a full commit SHA with its release as a comment,
#: as the README advises (the examples are linted against this checkout).
PUBLISHED = re.compile(r"tidybot/tidybot@[0-9a-f]{40} # v\d+\.\d+\.\d+")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `python3 -m pip install -e '.[test]'`")
    return path


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def readme_workflows() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    region = text[text.index("<!-- action:start -->") : text.index("<!-- action:end -->")]
    blocks = re.findall(r"^```yaml\n(.*?)^```", region, re.M | re.S)
    return [b for b in blocks if re.search(r"^on:", b, re.M) and re.search(r"^jobs:", b, re.M)]


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A repository holding this action and the README's example workflows."""
    flows = tmp_path / ".github" / "workflows"
    flows.mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    for i, text in enumerate(readme_workflows()):
        (flows / f"example{i}.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_every_example_pins_the_action_by_full_sha() -> None:
    for text in readme_workflows():
        uses = re.findall(r"uses: (tidybot/tidybot@.*)", text)
        assert uses, text[:80]
        assert all(PUBLISHED.fullmatch(u) for u in uses), uses


def test_there_are_workflows_and_examples() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "selftest.yml"} <= names
    examples = readme_workflows()
    assert len(examples) >= 5
    triggers = "\n".join(examples)
    for event in ("pull_request:", "issue_comment:", "workflow_run:", "schedule:"):
        assert event in triggers


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "run: bash .ci/run" in ci
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci_run.strip().splitlines()[-1]
    assert command in readme, "the README's test command is the one .ci/run runs"


def test_selftest_uses_this_checkout_on_fixture_modules() -> None:
    selftest = (ROOT / ".github" / "workflows" / "selftest.yml").read_text(encoding="utf-8")
    assert re.search(r"uses: \./( |$)", selftest, re.M)
    assert "working-directory: .github/selftest" in selftest
    assert (ROOT / ".github" / "selftest" / "drifted" / "go.mod").is_file()


def test_actionlint_is_clean_over_the_workflows() -> None:
    res = run(tool("actionlint"), "-no-color", *map(str, WORKFLOWS))
    assert res.returncode == 0, res.stdout + res.stderr


def test_actionlint_is_clean_over_the_readme_examples(example_repo: Path) -> None:
    flows = sorted((example_repo / ".github" / "workflows").glob("*.yml"))
    for flow in flows:
        # against this checkout's action.yml, so unknown inputs are caught too
        flow.write_text(PUBLISHED.sub("./", flow.read_text()), encoding="utf-8")
    res = run(tool("actionlint"), "-no-color", *map(str, flows), cwd=example_repo)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_is_clean_over_action_and_workflows(persona: str) -> None:
    res = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        f"--persona={persona}",
        "action.yml",
        ".github/workflows",
    )
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_is_clean_over_the_readme_examples(example_repo: Path, persona: str) -> None:
    res = run(
        tool("zizmor"),
        "--offline",
        "--no-progress",
        f"--persona={persona}",
        ".github/workflows",
        cwd=example_repo,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_hadolint_is_clean_over_the_dockerfile() -> None:
    res = run(tool("hadolint"), "--no-color", "Dockerfile")
    assert res.returncode == 0, res.stdout + res.stderr


def test_linters_do_fail_on_a_bad_workflow(tmp_path: Path) -> None:
    """The three checks above are not vacuous: each linter rejects a known mistake."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    assert run(tool("actionlint"), "-no-color", str(bad), cwd=tmp_path).returncode != 0
    assert run(tool("zizmor"), "--offline", "--no-progress", str(bad), cwd=tmp_path).returncode != 0
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:latest\nRUN cd /tmp && apt-get install git\n")
    assert run(tool("hadolint"), "--no-color", str(dockerfile), cwd=tmp_path).returncode != 0
