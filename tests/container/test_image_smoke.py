"""Smoke test of the action's image: built from the Dockerfile (or taken from ``TIDYBOT_IMAGE``)
and run the way the Actions runner runs a Docker action.

Off by default (building the image takes minutes):

    TIDYBOT_CONTAINER=1 python -m pytest tests/container -v
    TIDYBOT_CONTAINER=1 TIDYBOT_IMAGE=ghcr.io/owner/tidybot:1.2.3 python -m pytest tests/container

The engine is docker when its daemon answers, else podman (``TIDYBOT_CONTAINER_ENGINE`` picks
one). With podman the image is built by buildah (``--isolation chroot``) and run with runc; when
the pinned base images cannot be pulled (no registry), stand-ins made from Debian packages
(``tests/container/standins.sh``) are used under the same names, built first if missing, and the
Dockerfile's digests are stripped for that local build only.

Each run is what the runner does for ``uses: ./`` (or ``docker://...``): the checkout mounted at
``/github/workspace`` and owned by the runner's user (uid 1001) while the container runs as
root; ``/github/home``, ``/github/workflow`` (the event) and ``/github/file_commands``
(``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``) mounted; every input of action.yml passed as
``INPUT_<NAME>`` with dashes kept and its default filled in, by name, from the engine's own
environment (``-e NAME``). No network: go reaches only the fixture module proxy, mounted
read-only in place of the internet, and nothing at all in the second run of the cache round
trip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.goproxy import proxy_sums, write_tree
from tests.integration.test_action_harness import action_inputs, parse_outputs

ROOT = Path(__file__).resolve().parents[2]
ENABLED = os.environ.get("TIDYBOT_CONTAINER") == "1"
GIVEN_IMAGE = os.environ.get("TIDYBOT_IMAGE", "")
GIVEN_ENGINE = os.environ.get("TIDYBOT_CONTAINER_ENGINE", "")
RUNNER = (1001, 1001)  # the runner's user on GitHub's Linux runners
PROXY = "/github/smoke-goproxy"  # where the fixture proxy is mounted: the "internet"
GO_VERSION = re.search(r"^FROM golang:(\d+\.\d+\.\d+)", (ROOT / "Dockerfile").read_text(), re.M)

pytestmark = [
    pytest.mark.container,
    pytest.mark.skipif(not ENABLED, reason="image smoke test: set TIDYBOT_CONTAINER=1 to run"),
]


# --- the engine and the image ------------------------------------------------------------------


def _works(*cmd: str) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=60, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass(frozen=True)
class Engine:
    name: str  # docker or podman

    @property
    def run_flags(self) -> list[str]:
        if self.name != "podman":
            return []
        # what podman needs in a sandbox like the development machine's (crun fails on hybrid
        # cgroups; setrlimit to the defaults is refused): harmless elsewhere
        flags = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"]
        return (["--runtime", "runc"] if shutil.which("runc") else []) + flags


def _say(config: pytest.Config, line: str) -> None:
    """A line on the terminal as the test goes (build time, image size, each run's time)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"[image] {line}")


@pytest.fixture(scope="session")
def engine() -> Engine:
    name = GIVEN_ENGINE or ("docker" if _works("docker", "info") else "podman")
    if not shutil.which(name):
        pytest.fail(f"no container engine: {name} is not installed")
    return Engine(name)


def _from_lines(dockerfile: str) -> list[str]:
    return re.findall(r"^FROM (\S+)", dockerfile, re.M)


def _qualified(ref: str) -> str:
    """``python:3.11`` as docker reads it (podman resolves no short names by default)."""
    first = ref.split("/", 1)[0]
    if "/" in ref and ("." in first or ":" in first or first == "localhost"):
        return ref
    return f"docker.io/{ref}" if "/" in ref else f"docker.io/library/{ref}"


def _local_build(engine: Engine, tag: str, config: pytest.Config, tmp: Path) -> None:
    """podman/buildah: the pinned bases if they can be pulled, else the stand-ins."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    pinned = [_qualified(ref) for ref in dict.fromkeys(_from_lines(dockerfile))]
    missing = [ref for ref in pinned if not _works(engine.name, "image", "exists", ref)]
    if missing and all(_works(engine.name, "pull", "-q", ref) for ref in missing):
        missing = []
    path = ROOT / "Dockerfile"
    if missing:
        names = [ref.split("@", 1)[0] for ref in pinned]
        absent = [n for n in names if not _works(engine.name, "image", "exists", n)]
        if absent:
            _say(config, f"no registry: building stand-ins for {', '.join(absent)}")
            start = time.monotonic()
            subprocess.run([str(ROOT / "tests/container/standins.sh")], check=True)
            _say(config, f"stand-ins built in {time.monotonic() - start:.0f} s")
        path = tmp / "Dockerfile.local"
        unpinned = re.sub(r"^(FROM [^@\s]+)@sha256:[0-9a-f]{64}", r"\1", dockerfile, flags=re.M)
        path.write_text(unpinned)
    cmd = ["buildah", "build", "--isolation", "chroot", "--pull=never", "--layers=false"]
    subprocess.run([*cmd, "-f", str(path), "-t", tag, str(ROOT)], check=True)


@pytest.fixture(scope="session")
def image(
    engine: Engine, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if GIVEN_IMAGE:
        return GIVEN_IMAGE
    tag = "localhost/tidybot:smoke"
    start = time.monotonic()
    if engine.name == "docker":
        subprocess.run(["docker", "build", "--pull", "-t", tag, str(ROOT)], check=True)
    else:
        _local_build(engine, tag, pytestconfig, tmp_path_factory.mktemp("build"))
    took = time.monotonic() - start
    size = subprocess.run(
        [engine.name, "image", "inspect", tag, "--format", "{{.Size}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _say(pytestconfig, f"{tag} built in {took:.0f} s; {int(size) / 1e6:.0f} MB uncompressed")
    return tag


# --- running it as the runner does -------------------------------------------------------------


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    workspace: Path
    seconds: float

    def report(self) -> dict[str, Any]:
        path = self.outputs.get("report", "")
        assert path, self.explain()
        data: dict[str, Any] = json.loads((self.workspace / path).read_text(encoding="utf-8"))
        return data

    def verdict(self) -> tuple[int, str, str, list[tuple[str, str, list[str]]]]:
        """What must not change between two runs: exit code, outputs, each module's status and
        finding ids."""
        modules = [
            (m["dir"], m["status"], sorted(f["id"] for f in m.get("findings", [])))
            for m in self.report()["modules"]
        ]
        return self.returncode, self.outputs["drift"], self.outputs["drifted-modules"], modules

    def explain(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def _chown_tree(top: Path, owner: tuple[int, int]) -> None:
    os.chown(top, *owner, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), *owner, follow_symlinks=False)


def not_owned_by_runner(top: Path) -> list[str]:
    bad = []
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_uid, st.st_gid) != RUNNER:
                bad.append(os.path.relpath(os.path.join(dirpath, name), top))
    return bad


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "safe.directory=*", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def checkout(tmp: Path, name: str, files: Mapping[str, str]) -> Path:
    """A git repository with ``files`` committed, owned by the runner's user, as
    actions/checkout leaves it."""
    ws = write_tree(tmp / name, dict(files))
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "-c", "user.name=CI", "-c", "user.email=ci@example.com", "commit", "-qm", "snapshot")
    _chown_tree(ws, RUNNER)
    return ws


@dataclass
class Runner:
    engine: Engine
    image: str
    tmp: Path
    config: pytest.Config
    runs: int = 0

    def run(
        self,
        ws: Path,
        *,
        env: Mapping[str, str] | None = None,
        mounts: Mapping[Path, str] | None = None,
        **inputs: str,
    ) -> Run:
        self.runs += 1
        job = self.tmp / f"runner{self.runs}"
        home, flow, commands = job / "_github_home", job / "_github_workflow", job / "_commands"
        for d in (home, flow, commands):
            d.mkdir(parents=True)
        (flow / "event.json").write_text(json.dumps({"ref": "refs/heads/main"}))
        (commands / "set_output_1").touch()
        (commands / "step_summary_1").touch()
        for d in (home, commands):
            _chown_tree(d, RUNNER)
        values = action_inputs()
        values["token"] = "ghs_smokeTestTokenNotUsedInCheckMode"
        values.update({k.replace("_", "-"): v for k, v in inputs.items()})
        passed = {f"INPUT_{name.upper()}": value for name, value in values.items()}
        passed.update(
            HOME="/github/home",
            GITHUB_JOB="tidy",
            GITHUB_REF="refs/heads/main",
            GITHUB_SHA=git(ws, "rev-parse", "HEAD"),
            GITHUB_REPOSITORY="octo/app",
            GITHUB_REPOSITORY_OWNER="octo",
            GITHUB_RUN_ID="4242",
            GITHUB_ACTOR="octocat",
            GITHUB_WORKSPACE="/github/workspace",
            GITHUB_EVENT_NAME="push",
            GITHUB_EVENT_PATH="/github/workflow/event.json",
            GITHUB_OUTPUT="/github/file_commands/set_output_1",
            GITHUB_STEP_SUMMARY="/github/file_commands/step_summary_1",
            GITHUB_ACTIONS="true",
            CI="true",
            RUNNER_OS="Linux",
            RUNNER_TEMP="/home/runner/work/_temp",  # a host path, as the runner passes it
            **(env or {}),
        )
        volumes = {ws: "/github/workspace", home: "/github/home", flow: "/github/workflow"}
        volumes[commands] = "/github/file_commands"
        volumes.update(mounts or {})
        cmd = [self.engine.name, "run", "--rm", "--network", "none", *self.engine.run_flags]
        cmd += ["--workdir", "/github/workspace"]
        for name in passed:
            cmd += ["-e", name]  # by name, the value from the engine's environment
        for src, dst in volumes.items():
            cmd += ["-v", f"{src}:{dst}"]
        cmd.append(self.image)
        start = time.monotonic()
        proc = subprocess.run(
            cmd,
            env={**os.environ, **passed},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        took = time.monotonic() - start
        shown = " ".join(f"{k}={v}" for k, v in inputs.items())
        _say(self.config, f"{ws.name}: {shown}: exit {proc.returncode} in {took:.1f} s")
        return Run(
            proc.returncode,
            proc.stdout,
            proc.stderr,
            parse_outputs((commands / "set_output_1").read_text(encoding="utf-8")),
            (commands / "step_summary_1").read_text(encoding="utf-8"),
            ws,
            took,
        )


@pytest.fixture
def runner(
    engine: Engine, image: str, tmp_path: Path, pytestconfig: pytest.Config
) -> Iterator[Runner]:
    yield Runner(engine, image, tmp_path, pytestconfig)
    # what the container left is the runner user's: removable without root (checked by tests)
    for dirpath, _, _ in os.walk(tmp_path):
        os.chmod(dirpath, 0o755)


# --- the tests ---------------------------------------------------------------------------------


def test_the_selftest_fixtures(runner: Runner, tmp_path: Path) -> None:
    """The self-test workflow's three steps (.github/workflows/selftest.yml)."""
    files = {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in sorted((ROOT / ".github" / "selftest").rglob("*"))
        if p.is_file()
    }
    ws = checkout(tmp_path, "selftest", files)

    res = runner.run(
        ws,
        mode="check",
        working_directory=".github/selftest",
        fail_on_drift="false",
        gotoolchain="local",
    )
    assert res.returncode == 0, res.explain()
    assert res.outputs["drift"] == "true"
    assert res.outputs["drifted-modules"] == '[".github/selftest/drifted"]'
    assert res.outputs["report"] == ".tidybot/report.json"
    assert '"unused-require"' in (ws / ".tidybot" / "report.json").read_text()
    statuses = {m["dir"]: m["status"] for m in res.report()["modules"]}
    assert statuses == {"drifted": "drifted", "lib": "clean", "tidy": "clean"}
    assert "::warning file=.github/selftest/drifted/go.mod,line=5" in res.stdout, res.stdout
    assert "| module | status | findings |" in res.summary
    assert "ghs_smokeTestToken" not in res.stdout.replace("::add-mask::ghs_smokeTest", "")

    clean = runner.run(
        ws, mode="check", working_directory=".github/selftest", paths="tidy",
        artifact_dir=".tidybot-clean",
    )  # fmt: skip
    assert clean.returncode == 0, clean.explain()
    assert (clean.outputs["drift"], clean.outputs["drifted-modules"]) == ("false", "[]")

    strict = runner.run(
        ws, mode="check", working_directory=".github/selftest", artifact_dir=".tidybot-strict"
    )
    assert strict.returncode == 1, strict.explain()
    assert strict.outputs["drift"] == "true"

    assert not_owned_by_runner(ws) == []
    assert git(ws, "status", "--porcelain", "--", ".github") == ""


def test_a_module_needing_a_newer_go_is_a_clear_error(runner: Runner, tmp_path: Path) -> None:
    assert GO_VERSION is not None
    ws = checkout(
        tmp_path,
        "newer",
        {
            "newer/go.mod": "module example.com/newer\n\ngo 1.99\n",
            "newer/main.go": "package main\n\nfunc main() {}\n",
            "ok/go.mod": "module example.com/ok\n\ngo 1.22\n",
            "ok/main.go": "package main\n\nfunc main() {}\n",
        },
    )
    res = runner.run(ws, mode="check")
    assert res.returncode == 2, res.explain()
    assert "Traceback" not in res.stderr
    message = (
        "newer/go.mod:3: module requires go >= 1.99, but the local Go is go "
        f"{GO_VERSION[1]} (GOTOOLCHAIN=local); use the action input `gotoolchain: auto`, or "
        "install Go 1.99.0 or newer"
    )
    modules = {m["dir"]: m for m in res.report()["modules"]}
    assert modules["newer"]["status"] == "error"
    assert modules["newer"]["error"] == message
    assert modules["ok"]["status"] == "clean"  # one module's failure hides no other result
    assert "::error" in res.stdout and "requires go >= 1.99" in res.stdout + res.summary
    assert not_owned_by_runner(ws) == []


def _cache_workspace(sums: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """``app`` tidy, ``extra`` with an unused requirement; both need example.com/greet."""

    def sumlines(*mods: tuple[str, str]) -> str:
        return "".join(
            f"{p} {v} {sums[(p, v)]}\n{p} {v}/go.mod {sums[(p, v + '/go.mod')]}\n" for p, v in mods
        )

    greet = ("example.com/greet", "v1.0.0")
    unused = ("example.com/unused", "v1.0.0")
    main = (
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\n'
        "func main() { fmt.Println(greet.Hello()) }\n"
    )
    return {
        "app/go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
        "app/go.sum": sumlines(greet),
        "app/main.go": main,
        "extra/go.mod": (
            "module example.com/extra\n\ngo 1.22\n\n"
            "require (\n\texample.com/greet v1.0.0\n\texample.com/unused v1.0.0\n)\n"
        ),
        "extra/go.sum": sumlines(greet, unused),
        "extra/main.go": main,
    }


def test_the_cache_dir_round_trip_downloads_nothing(
    runner: Runner, tmp_path: Path, goproxy_dir: Path
) -> None:
    """Run 1 fills the cache directory from the module proxy; the job's cache step saves it
    (a tar of the runner's user); run 2, in a fresh checkout and a fresh /github/home with the
    cache restored, gives the same verdict with GOPROXY=off and no network."""
    files = _cache_workspace(proxy_sums(goproxy_dir))
    ws1 = checkout(tmp_path, "run1", files)
    first = runner.run(
        ws1,
        env={"GOSUMDB": "off"},
        mounts={goproxy_dir: PROXY + ":ro"},
        mode="check",
        fail_on_drift="false",
        cache_dir=".tidybot-cache",
        goproxy=f"file://{PROXY}",
    )
    assert first.returncode == 0, first.explain()
    assert first.outputs["drift"] == "true" and first.outputs["drifted-modules"] == '["extra"]'
    cache = ws1 / ".tidybot-cache"
    assert (cache / "go/pkg/mod/cache/download/example.com/greet/@v/v1.0.0.zip").is_file()
    assert (cache / "go/pkg/mod/example.com/greet@v1.0.0/go.mod").is_file()
    assert (cache / "go-build").is_dir() and (cache / "tidybot-v1").is_dir()
    assert [m["dir"] for m in first.report()["modules"]] == ["app", "extra"]
    assert not_owned_by_runner(ws1) == []
    assert ".tidybot-cache" not in git(ws1, "status", "--porcelain", "--untracked-files=all")

    saved = tmp_path / "cache.tar"
    with tarfile.open(saved, "w") as tar:  # actions/cache: a tar of the path, then extracted
        tar.add(cache, arcname=".tidybot-cache")
    ws2 = checkout(tmp_path, "run2", files)
    with tarfile.open(saved) as tar:
        tar.extractall(ws2, filter="tar")
    second = runner.run(
        ws2, mode="check", fail_on_drift="false", cache_dir=".tidybot-cache", goproxy="off"
    )
    assert second.returncode == 0, second.explain()
    assert second.verdict() == first.verdict()
    # GOPROXY is part of the result cache's key: go ran for both modules, offline
    assert second.report()["cache"]["hits"] == []
    assert not_owned_by_runner(ws2) == []
