"""`tidybot check` / `fix` over a tree with a go.work and a vendored module (the wiring)."""

from __future__ import annotations

from pathlib import Path

from bot.engine.model import Status
from bot.runner import RunOptions, check, fix
from tests.fakes.goproxy import write_tree
from tests.integration.engine_helpers import MAIN_GO, go, tidy

GO_FILE = 'package {name}\n\nimport "example.com/greet"\n\nvar X = greet.Hello()\n'


def _workspace(root: Path, env: dict[str, str]) -> None:
    write_tree(
        root,
        {
            "go.work": "go 1.22\n\nuse (\n\t./svc/a\n\t./svc/b\n)\n",
            "svc/a/go.mod": "module example.com/a\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
            "svc/a/a.go": GO_FILE.format(name="a"),
            "svc/b/go.mod": "module example.com/b\n\ngo 1.22\n\nrequire example.com/greet v1.1.0\n",
            "svc/b/b.go": GO_FILE.format(name="b"),
        },
    )
    for d in ("svc/a", "svc/b"):
        tidy(env, root / d)


def test_check_reports_work_sync_and_fix_syncs(tmp_path: Path, goenv: dict[str, str]) -> None:
    _workspace(tmp_path, goenv)
    opts = RunOptions(base_env=goenv)
    r = check(tmp_path, opts)
    assert [(m.dir, m.status) for m in r.modules] == [
        ("svc/a", Status.DRIFTED),
        ("svc/b", Status.CLEAN),
    ]
    (f,) = r.modules[0].findings
    assert (f.id, f.file, f.line) == ("work-sync", "svc/a/go.mod", 5)

    fixed = fix(tmp_path, opts)
    a = fixed.modules[0]
    assert a.fixed
    assert set(a.changed_files) == {"svc/a/go.mod", "svc/a/go.sum"}
    assert "example.com/greet v1.1.0" in (tmp_path / "svc/a/go.mod").read_text()
    again = check(tmp_path, opts)
    assert [m.status for m in again.modules] == [Status.CLEAN, Status.CLEAN]
    assert again.findings == ()


def test_vendored_module_stale_tree_found_and_revendored(
    tmp_path: Path, goenv: dict[str, str]
) -> None:
    write_tree(tmp_path, {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": MAIN_GO})
    tidy(goenv, tmp_path)
    assert go(goenv, tmp_path, "mod", "vendor").returncode == 0
    opts = RunOptions(base_env=goenv)
    assert check(tmp_path, opts).modules[0].status is Status.CLEAN

    vendored = tmp_path / "vendor/example.com/greet/greet.go"
    vendored.write_text(vendored.read_text() + "\n// edited by hand\n")
    r = check(tmp_path, opts)
    m = r.modules[0]
    assert m.status is Status.DRIFTED
    assert {f.id for f in m.findings} == {"vendor"}

    fixed = fix(tmp_path, opts).modules[0]
    assert fixed.status is Status.CLEAN
    assert "vendor/example.com/greet/greet.go" in fixed.changed_files
    assert "edited by hand" not in vendored.read_text()
    assert check(tmp_path, opts).modules[0].status is Status.CLEAN
    assert go(goenv, tmp_path, "build", "./...").returncode == 0


def test_committed_go_env_is_the_lowest_layer(tmp_path: Path, goenv: dict[str, str]) -> None:
    write_tree(tmp_path, {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": MAIN_GO})
    tidy(goenv, tmp_path)
    proxy = goenv["GOPROXY"]
    env = dict(goenv)
    del env["GOPROXY"]
    env["GOMODCACHE"] = str(tmp_path.parent / "fresh-modcache")  # go must download again
    # without a GOPROXY go would try the public proxy: the committed go.env points it home
    (tmp_path / "go.env").write_text(f"GOPROXY={proxy}\nGOSUMDB=off\n")
    r = check(tmp_path, RunOptions(base_env=env))
    assert r.modules[0].status is Status.CLEAN, r.modules[0].error
    # the environment outranks the file
    (tmp_path / "go.env").write_text("GOPROXY=off\n")
    r = check(tmp_path, RunOptions(base_env=dict(env, GOPROXY=proxy)))
    assert r.modules[0].status is Status.CLEAN, r.modules[0].error
    env["GOMODCACHE"] = str(tmp_path.parent / "another-modcache")
    r = check(tmp_path, RunOptions(base_env=env))
    assert r.modules[0].status is Status.ERROR
    assert "GOPROXY=off" in r.modules[0].error
