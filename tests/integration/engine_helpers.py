"""Helpers for engine scenario tests: lay out modules, make them tidy with the real go command."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.fakes.goproxy import write_tree

MAIN_GO = """package main

import "example.com/greet"

func main() { println(greet.Hello()) }
"""


def go(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["go", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def tidy(env: dict[str, str], cwd: Path) -> None:
    res = go(env, cwd, "mod", "tidy")
    assert res.returncode == 0, res.stderr


def module(root: Path, rel: str, path: str, files: dict[str, str], go_line: str = "1.22") -> Path:
    d = root if rel == "." else root / rel
    write_tree(d, {"go.mod": f"module {path}\n\ngo {go_line}\n", **files})
    return d


def tidy_module(
    env: dict[str, str], root: Path, rel: str, path: str, files: dict[str, str]
) -> Path:
    d = module(root, rel, path, files)
    tidy(env, d)
    return d


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def tree_hash(root: Path) -> str:
    """One hash over every file's path and bytes (equal before and after: nothing written)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def workspace_tree(
    env: dict[str, str],
    root: Path,
    n: int = 8,
    *,
    packages: int = 1,
    low: Sequence[int] = (0,),
    stdlib: Sequence[str] = (),
) -> list[str]:
    """A go.work of ``n`` modules ``m0`` ... (module paths ``example.com/ws/mK``), each tidy
    on its own, each with ``packages`` packages importing example.com/greet. The modules in
    ``low`` require greet v1.0.0, the others v1.1.0, so ``go work sync`` would raise exactly
    those; every other module but m0 also imports a package of m0 through a local replace
    (workspace modules importing each other, as in real workspaces). Every package also
    imports the ``stdlib`` packages (blank imports: more for go to load, as in real code).
    Returns the module directories."""
    dirs = [f"m{k}" for k in range(n)]
    files: dict[str, str] = {
        "go.work": "go 1.22\n\nuse (\n" + "".join(f"\t./{d}\n" for d in dirs) + ")\n"
    }
    for k, d in enumerate(dirs):
        version = "v1.0.0" if k in low else "v1.1.0"
        req = f"require example.com/greet {version}\n"
        uses_m0 = k > 0 and k not in low
        if uses_m0:
            req += "require example.com/ws/m0 v0.0.0\n\nreplace example.com/ws/m0 => ../m0\n"
        files[f"{d}/go.mod"] = f"module example.com/ws/{d}\n\ngo 1.22\n\n{req}"
        for p in range(packages):
            imports = ['"example.com/greet"', *(f'_ "{lib}"' for lib in stdlib)]
            if uses_m0:
                imports.append('m0 "example.com/ws/m0/p0"')
            if p:
                imports.append(f'prev "example.com/ws/{d}/p{p - 1}"')
            uses = " + ".join(
                ["greet.Hello()"]
                + (["m0.Name()"] if uses_m0 else [])
                + (["prev.Name()"] if p else [])
            )
            files[f"{d}/p{p}/p{p}.go"] = (
                f"package p{p}\n\nimport (\n"
                + "".join(f"\t{i}\n" for i in imports)
                + f")\n\nfunc Name() string {{ return {uses} }}\n"
            )
            files[f"{d}/p{p}/p{p}_test.go"] = (
                f'package p{p}\n\nimport "testing"\n\n'
                "func TestName(t *testing.T) { _ = Name() }\n"
            )
    write_tree(root, files)
    for d in dirs:
        tidy(env, root / d)
    return dirs


def logging_shim(tmp: Path, tool: str, *, with_dir: bool = False) -> tuple[Path, Path]:
    """A wrapper for ``tool`` (in ``tmp/bin``) that records its arguments, one call per line
    (after its working directory and ": " with ``with_dir``), then runs the real one. Returns
    the wrapper and the log (absent until the first call)."""
    import shutil

    real = shutil.which(tool)
    assert real is not None, tool
    log = tmp / f"{tool}-calls.log"
    wrapper = tmp / "bin" / tool
    wrapper.parent.mkdir(exist_ok=True)
    line = '"$PWD: $*"' if with_dir else '"$*"'
    wrapper.write_text(f'#!/bin/sh\necho {line} >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def go_calls(log: Path) -> list[str]:
    """The go commands a ``logging_shim`` recorded, each without the ``-overlay=FILE`` that
    gives go the Go files of a workspace's scratch copy (bot.workspace ``_make_copy``): the
    file is a new temporary one each run. Nothing else is left out (another overlay stays)."""
    import re

    lines = log.read_text().splitlines() if log.exists() else []
    ours = r" -overlay=/.*?/tidybot-work-[0-9a-f]+/tree\.overlay\.json(?= |$)"  # TMPDIR: any
    return [re.sub(ours, "", ln) for ln in lines]


def start_tidybot(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """``python -m bot ARGS`` started, not waited for, to be interrupted: SIGINT at its
    default (a suite started in the background, ``... &`` in a script, inherits it ignored,
    and so would tidybot; it must see the signal, as a user's Ctrl-C reaches it)."""
    import signal

    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def tidybot(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` of this checkout as a child process, its output captured; the
    timeout only stops a run that hangs."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
