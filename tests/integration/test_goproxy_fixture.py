"""The test module proxy works with the real go command, and the engine's h1: hashing, zip
rules and path functions agree with go.

No network: GOPROXY is a file:// URL and GOSUMDB=off. The reference implementation used for
the differential tests is the golang.org/x/mod that the installed toolchain vendors
(``$GOROOT/src/cmd/vendor/golang.org/x/mod``), compiled into a small helper.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.engine.dirhash import hash_dir, hash_files, hash_gomod, hash_zip
from bot.engine.gosum import parse_gosum
from bot.engine.modpath import (
    check_file_path,
    check_import_path,
    check_path,
    escape_path,
    escape_version,
    match_prefix_patterns,
    path_match,
    split_path_version,
    unescape_path,
    unescape_version,
)
from tests.fakes.goproxy import (
    MODULES_DIR,
    FixtureModule,
    build_proxy,
    find_fixture_modules,
    go_environment,
    module_zip_files,
    proxy_sums,
    write_module_zip,
    write_tree,
)
from tests.unit import test_modpath as tables

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="needs the go command")

FIXTURES = find_fixture_modules()

APP = {
    "go.mod": "module example.com/app\n\ngo 1.22\n",
    "main.go": """package main

import (
	"fmt"

	"example.com/Upper"
	"example.com/lib/v2"
	"example.com/multi/a"
	"example.com/util"
)

func main() {
	fmt.Println(util.Shout(), lib.Version, upper.Name, a.A)
}
""",
    "main_test.go": """package main

import (
	"testing"

	"example.com/testdep"
)

func TestShout(t *testing.T) {
	if !testdep.Check("a", "a") {
		t.Fatal("no")
	}
}
""",
}


def go(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["go", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, f"go {' '.join(args)} failed:\n{proc.stderr}"
    return proc


def _json_stream(text: str) -> list[dict[str, Any]]:
    """Decode the concatenated JSON objects that `go ... -json` prints."""
    decoder = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        obj, i = decoder.raw_decode(text, i)
        out.append(obj)
    return out


def _cache_paths(modcache: Path, path: str, version: str) -> tuple[Path, Path]:
    """(download dir base ``.../@v/<v>``, extracted dir) of a module in GOMODCACHE."""
    esc, escv = escape_path(path), escape_version(version)
    return modcache / "cache" / "download" / esc / "@v" / escv, modcache / f"{esc}@{escv}"


def test_fixture_modules_are_all_there() -> None:
    have = {(m.path, m.version) for m in FIXTURES}
    want = {
        ("example.com/greet", "v1.0.0"),
        ("example.com/greet", "v1.1.0"),
        ("example.com/util", "v1.0.0"),
        ("example.com/testdep", "v1.0.0"),
        ("example.com/winonly", "v1.0.0"),
        ("example.com/ignored", "v1.0.0"),
        ("example.com/unused", "v1.0.0"),
        ("example.com/deptest", "v1.0.0"),
        ("example.com/newgo", "v1.0.0"),
        ("example.com/lib/v2", "v2.0.0"),
        ("example.com/Upper", "v1.0.0"),
        ("example.com/retracted", "v1.0.0"),
        ("example.com/retracted", "v1.1.0"),
        ("example.com/multi", "v1.0.0"),
    }
    assert want <= have
    for m in FIXTURES:
        gomod = (m.root / "go.mod").read_text()
        assert gomod.startswith(f"module {m.path}\n"), m
        assert any(p.suffix == ".go" for p in m.root.rglob("*.go")), m


def test_proxy_layout(goproxy_dir: Path, goproxy_url: str) -> None:
    assert goproxy_url.startswith("file:///")
    assert goproxy_url == goproxy_dir.resolve().as_uri()
    upper = goproxy_dir / "example.com" / "!upper"
    assert (upper / "@v" / "list").read_text() == "v1.0.0\n"
    info = json.loads((upper / "@v" / "v1.0.0.info").read_text())
    assert info == {"Version": "v1.0.0", "Time": "2024-01-01T00:00:00Z"}
    greet = goproxy_dir / "example.com" / "greet"
    assert (greet / "@v" / "list").read_text() == "v1.0.0\nv1.1.0\n"
    assert json.loads((greet / "@latest").read_text())["Version"] == "v1.1.0"
    with zipfile.ZipFile(goproxy_dir / "example.com" / "lib" / "v2" / "@v" / "v2.0.0.zip") as zf:
        assert sorted(zf.namelist()) == [
            "example.com/lib/v2@v2.0.0/go.mod",
            "example.com/lib/v2@v2.0.0/lib.go",
        ]
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_build_proxy_is_deterministic(tmp_path: Path, goproxy_dir: Path) -> None:
    url = build_proxy(MODULES_DIR, tmp_path / "again")
    assert url == (tmp_path / "again").resolve().as_uri()
    first = sorted(p.relative_to(goproxy_dir) for p in goproxy_dir.rglob("*") if p.is_file())
    second = sorted(
        p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file()
    )
    assert first == second
    assert len(first) == 3 * len(FIXTURES) + 2 * len({m.path for m in FIXTURES})
    for rel in first:
        assert (goproxy_dir / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel


def test_zip_rules_reproduce_the_reference_zip_vector(tmp_path: Path) -> None:
    # go-modules.md §2.2: zip.Create for example.com/a@v1.0.0 keeps go.mod and a.go only.
    root = write_tree(
        tmp_path / "a",
        {
            "go.mod": "module example.com/a\n\ngo 1.21\n\nrequire example.com/b v1.0.0\n",
            "a.go": 'package a\n\nimport _ "example.com/b"\n',
            "vendor/x/y.go": "package y\n",
            "sub/go.mod": "module example.com/a/sub\n",
            "sub/s.go": "package sub\n",
        },
    )
    files = module_zip_files(root)
    assert [rel for rel, _ in files] == ["a.go", "go.mod"]
    z = tmp_path / "a.zip"
    write_module_zip(z, "example.com/a", "v1.0.0", files)
    assert hash_zip(z) == "h1:lMb32lNwBhCvE+CoM9tilnFHKO9+b3gaa8EQkomqFIw="


def test_zip_rules_for_vendor_directories_depend_on_the_go_version() -> None:
    kept = {
        m.version: [rel for rel, _ in module_zip_files(m.root)]
        for m in FIXTURES
        if m.path == "example.com/ziprules"
    }
    # go 1.22: vendor/modules.txt kept, the legacy offset drops pkg/vendor/vendor.go
    assert kept["v1.0.0"] == ["LICENSE", "go.mod", "vendor/modules.txt", "ziprules.go"]
    # go 1.24: vendor/modules.txt dropped, pkg/vendor/vendor.go kept (golang/go#37397)
    assert kept["v1.1.0"] == ["LICENSE", "go.mod", "pkg/vendor/vendor.go", "ziprules.go"]


def test_zip_rules_reject_files_go_would_reject(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "m", {"go.mod": "module example.com/m\n", "a:b.go": "x"})
    with pytest.raises(ValueError, match="malformed file path"):
        module_zip_files(root)
    root = write_tree(tmp_path / "n", {"go.mod": "module example.com/n\n", "A.go": "", "a.go": ""})
    with pytest.raises(ValueError, match="case-insensitive file name collision"):
        module_zip_files(root)


def test_write_tree(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"a/b/c.txt": "c\n", "d.txt": "d\n"})
    assert root == tmp_path / "repo"
    assert (root / "a" / "b" / "c.txt").read_text() == "c\n"
    assert (root / "d.txt").read_text() == "d\n"


def test_goenv_is_hermetic(
    goenv: dict[str, str], goproxy_url: str, gomodcache: Path, tmp_path: Path
) -> None:
    assert goenv["GOPROXY"] == goproxy_url
    assert goenv["GOSUMDB"] == "sum.golang.org"
    assert goenv["GONOSUMDB"] == "example.com"
    assert goenv["GOMODCACHE"] == str(gomodcache)
    assert "GOPRIVATE" not in goenv
    assert not [k for k in goenv if k.startswith("GITHUB_")]
    proc = go(["env", "-json"], tmp_path, goenv)
    seen = json.loads(proc.stdout)
    assert seen["GOPROXY"] == goproxy_url
    assert seen["GOFLAGS"] == "-modcacherw"
    assert seen["GOMODCACHE"] == str(gomodcache)
    assert seen["GOTOOLCHAIN"] == "local"
    assert seen["GOPATH"] == goenv["GOPATH"]
    assert seen["CGO_ENABLED"] == "0"
    assert seen["GONOSUMDB"] == "example.com"
    # A module that exists only on the internet is not found: nothing leaves the machine.
    proc = subprocess.run(
        ["go", "mod", "download", "-json", "rsc.io/quote@v1.5.2"],
        cwd=tmp_path,
        env=goenv,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    error = _json_stream(proc.stdout)[0]["Error"]
    assert f"reading {goproxy_url}/rsc.io/quote/@v/v1.5.2.info" in error


def test_tidy_build_and_every_gosum_line_reproduced(
    goenv: dict[str, str], goproxy_dir: Path, gomodcache: Path, tmp_path: Path
) -> None:
    app = write_tree(tmp_path / "app", APP)
    go(["mod", "tidy"], app, goenv)
    go(["build", "./..."], app, goenv)
    gomod = (app / "go.mod").read_text()
    for req in (
        "example.com/Upper v1.0.0",
        "example.com/lib/v2 v2.0.0",
        "example.com/multi v1.0.0",
        "example.com/testdep v1.0.0",
        "example.com/util v1.0.0",
        "example.com/greet v1.0.0 // indirect",
    ):
        assert req in gomod
    gosum = parse_gosum((app / "go.sum").read_text(), "go.sum")
    assert not gosum.malformed
    assert len(gosum.lines) == 12
    sums = proxy_sums(goproxy_dir)
    for line in gosum.lines:
        path, version = line.path, line.module_version
        download, extracted = _cache_paths(gomodcache, path, version)
        proxied = goproxy_dir / escape_path(path) / "@v" / escape_version(version)
        assert sums[(line.path, line.version)] == line.hash, line
        if line.is_gomod:
            assert hash_gomod(Path(f"{download}.mod").read_bytes()) == line.hash, line
            assert hash_gomod(Path(f"{proxied}.mod").read_bytes()) == line.hash, line
        else:
            assert hash_zip(Path(f"{download}.zip")) == line.hash, line
            assert hash_zip(Path(f"{proxied}.zip")) == line.hash, line
            assert Path(f"{download}.ziphash").read_text().strip() == line.hash, line
            assert hash_dir(extracted, f"{path}@{version}") == line.hash, line


def test_go_mod_download_json_for_every_fixture_module(
    goenv: dict[str, str], gomodcache: Path, goproxy_dir: Path, tmp_path: Path
) -> None:
    args = [f"{m.path}@{m.version}" for m in FIXTURES]
    proc = subprocess.run(
        ["go", "mod", "download", "-json", *args],
        cwd=tmp_path,
        env=goenv,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # example.com/newgo says go 1.99: go fetches it but refuses to extract it.
    assert proc.returncode == 1, proc.stderr
    results = {(r["Path"], r["Version"]): r for r in _json_stream(proc.stdout)}
    assert set(results) == {(m.path, m.version) for m in FIXTURES}
    for m in FIXTURES:
        r = results[(m.path, m.version)]
        proxied = goproxy_dir / escape_path(m.path) / "@v" / escape_version(m.version)
        assert r["Sum"] == hash_zip(Path(f"{proxied}.zip")), m
        assert r["GoModSum"] == hash_gomod(Path(f"{proxied}.mod").read_bytes()), m
        if m.path == "example.com/newgo":
            assert r["Error"].startswith("example.com/newgo@v1.0.0 requires go >= 1.99 (running go")
            assert "Dir" not in r
            continue
        assert "Error" not in r, r
        assert r["Dir"] == str(_cache_paths(gomodcache, m.path, m.version)[1])
        assert r["Sum"] == hash_dir(Path(r["Dir"]), f"{m.path}@{m.version}"), m


def test_latest_resolution_and_retractions(goenv: dict[str, str], tmp_path: Path) -> None:
    proc = go(["list", "-m", "-json", "example.com/greet@latest"], tmp_path, goenv)
    assert json.loads(proc.stdout)["Version"] == "v1.1.0"
    app = write_tree(
        tmp_path / "app",
        {
            "go.mod": "module example.com/app\n\ngo 1.22\n",
            "app.go": 'package app\n\nimport "example.com/greet"\n\nvar _ = greet.Hello\n',
        },
    )
    go(["mod", "tidy"], app, goenv)
    assert "example.com/greet v1.1.0" in (app / "go.mod").read_text()
    proc = go(
        ["list", "-m", "-retracted", "-json", "example.com/retracted@v1.0.0"], tmp_path, goenv
    )
    retracted = json.loads(proc.stdout)
    assert retracted["Retracted"] == ["Published with a wrong value; use v1.1.0 or later."]
    proc = go(["list", "-m", "-json", "example.com/retracted@latest"], tmp_path, goenv)
    assert json.loads(proc.stdout)["Version"] == "v1.1.0"


# --- differential tests against the x/mod vendored in the installed go toolchain -----------

XMODREF_MAIN = r"""// Command xmodref answers questions with golang.org/x/mod (test reference).
package main

import (
	"encoding/json"
	"os"
	"path"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

type request struct {
	Op   string   `json:"op"`
	Args []string `json:"args"`
}

type response struct {
	Out []string `json:"out"`
	Err string   `json:"err"`
}

func str(s string, err error) ([]string, error) { return []string{s}, err }

func boolean(b bool) []string {
	if b {
		return []string{"true"}
	}
	return []string{"false"}
}

func answer(r request) (out []string, err error) {
	a := r.Args
	switch r.Op {
	case "check_path":
		return nil, module.CheckPath(a[0])
	case "check_import_path":
		return nil, module.CheckImportPath(a[0])
	case "check_file_path":
		return nil, module.CheckFilePath(a[0])
	case "escape_path":
		return str(module.EscapePath(a[0]))
	case "unescape_path":
		return str(module.UnescapePath(a[0]))
	case "escape_version":
		return str(module.EscapeVersion(a[0]))
	case "unescape_version":
		return str(module.UnescapeVersion(a[0]))
	case "split_path_version":
		p, m, ok := module.SplitPathVersion(a[0])
		return append([]string{p, m}, boolean(ok)...), nil
	case "match_prefix_patterns":
		return boolean(module.MatchPrefixPatterns(a[0], a[1])), nil
	case "path_match":
		ok, _ := path.Match(a[0], a[1])
		return boolean(ok), nil
	case "zip_dir": // module path, version, source dir, zip file to write
		f, err := os.Create(a[3])
		if err != nil {
			return nil, err
		}
		err = modzip.CreateFromDir(f, module.Version{Path: a[0], Version: a[1]}, a[2])
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		return str(dirhash.HashZip(a[3], dirhash.Hash1))
	case "hash_dir":
		return str(dirhash.HashDir(a[0], a[1], dirhash.Hash1))
	case "hash_zip":
		return str(dirhash.HashZip(a[0], dirhash.Hash1))
	}
	panic("unknown op " + r.Op)
}

func main() {
	var reqs []request
	if err := json.NewDecoder(os.Stdin).Decode(&reqs); err != nil {
		panic(err)
	}
	res := make([]response, len(reqs))
	for i, r := range reqs {
		out, err := answer(r)
		res[i].Out = out
		if err != nil {
			res[i].Err = err.Error()
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		panic(err)
	}
}
"""


class XMod:
    """Runs batches of questions through the compiled x/mod helper."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def ask(self, requests: list[tuple[str, list[str]]]) -> list[tuple[list[str], str]]:
        payload = json.dumps([{"op": op, "args": args} for op, args in requests])
        proc = subprocess.run(
            [str(self.binary)], input=payload, capture_output=True, text=True, check=True
        )
        return [(r["out"] or [], r["err"]) for r in json.loads(proc.stdout)]


@pytest.fixture(scope="module")
def xmod(
    tmp_path_factory: pytest.TempPathFactory,
    goproxy_url: str,
    gomodcache: Path,
    gocache: Path,
) -> XMod:
    goroot = subprocess.run(
        ["go", "env", "GOROOT"], capture_output=True, text=True, check=True
    ).stdout.strip()
    vendored = Path(goroot) / "src" / "cmd" / "vendor" / "golang.org" / "x" / "mod"
    if not (vendored / "zip" / "zip.go").is_file():
        pytest.skip(f"the go toolchain has no vendored x/mod source at {vendored}")
    work = tmp_path_factory.mktemp("xmodref")
    shutil.copytree(vendored, work / "xmod")
    for p in (work / "xmod").rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    (work / "xmod" / "go.mod").write_text("module golang.org/x/mod\n\ngo 1.24\n")
    write_tree(
        work,
        {
            "go.mod": "module example.com/xmodref\n\ngo 1.24\n\nrequire golang.org/x/mod v0.0.0\n"
            "\nreplace golang.org/x/mod => ./xmod\n",
            "main.go": XMODREF_MAIN,
        },
    )
    env = go_environment(goproxy_url, gomodcache, work / "home", gocache)
    env["GOPROXY"] = "off"
    go(["build", "-o", "xmodref", "."], work, env)
    return XMod(work / "xmodref")


def _ours(fn: Any, *args: str) -> tuple[list[str], str]:
    try:
        result = fn(*args)
    except ValueError as exc:
        return [], str(exc)
    if result is None:
        return [], ""
    if isinstance(result, tuple):
        return [str(x).lower() if isinstance(x, bool) else x for x in result], ""
    if isinstance(result, bool):
        return [str(result).lower()], ""
    return [result], ""


def _strings() -> list[str]:
    """Paths and versions to ask both implementations about (valid UTF-8 only)."""
    rows = [row[0] for row in tables.CHECK_PATH_TESTS if "\udcff" not in row[0]]
    extra = [
        "example.com/Upper",
        "github.com/GoogleCloudPlatform/omega",
        "github.com/!google!cloud!platform/omega",
        "github.com/!google!cloud!platform!/omega",
        "github.com/!0google/omega",
        "example.com/!upper",
        "example.com/m/v2",
        "example.com/m/v02",
        "gopkg.in/yaml.v3",
        "gopkg.in/yaml.v3-unstable",
        "gopkg.in/foo",
        "example.com/EXAMPL~1",
        "example.com/con",
        "Example.com/m",
        "example.com/a+b",
        "v1.0.0",
        "v1.0.0-RC1",
        "v1.0.0-!r!c1",
        "v1.0.0!",
        "v2.0.0+incompatible",
        "master",
        "a b",
        "x.y/ä",
        "x.y/\t",
    ]
    return rows + extra


def test_path_functions_agree_with_x_mod(xmod: XMod) -> None:
    funcs = {
        "check_path": check_path,
        "check_import_path": check_import_path,
        "check_file_path": check_file_path,
        "escape_path": escape_path,
        "unescape_path": unescape_path,
        "escape_version": escape_version,
        "unescape_version": unescape_version,
        "split_path_version": split_path_version,
    }
    requests = [(op, [s]) for s in _strings() for op in funcs]
    answers = xmod.ask(requests)
    mismatches = []
    for (op, args), (go_out, go_err) in zip(requests, answers, strict=True):
        out, err = _ours(funcs[op], *args)
        if (out if not err else [], err) != (go_out if not go_err else [], go_err):
            mismatches.append((op, args, (out, err), (go_out, go_err)))
    assert mismatches == []
    assert len(requests) > 800


def test_pattern_matching_agrees_with_x_mod(xmod: XMod) -> None:
    prefix_cases = [
        (globs, target)
        for globs in (
            "",
            "/",
            "*/quote",
            "rsc.io/",
            "*/quote/",
            "*/*/*,,*/quote",
            "[",
            "r[a-z]c.io",
            "corp.example,*.internal",
            "example.com/private/*",
            "\\",
        )
        for target in ("rsc.io/quote", "rsc.io/quote/v3", "a.internal/x", "example.com/private/x")
    ]
    requests = [("match_prefix_patterns", [g, t]) for g, t in prefix_cases]
    path_cases = [
        ("path_match", ["a*b?c*x", "abxbbxdbxebxczzx"]),
        ("path_match", ["[a-ζ]*", "α"]),
        ("path_match", ["a[", "a"]),
        ("path_match", ["*", "a/b"]),
        ("path_match", ["a*/b", "abc/b"]),
        ("path_match", ["[^a-c]x", "dx"]),
    ]
    answers = xmod.ask(requests + path_cases)
    for (op, args), (go_out, _) in zip(requests + path_cases, answers, strict=True):
        fn = match_prefix_patterns if op == "match_prefix_patterns" else path_match
        assert [str(fn(*args)).lower()] == go_out, (op, args)


@pytest.mark.parametrize("mod", FIXTURES, ids=lambda m: f"{m.path}@{m.version}")
def test_fixture_zips_equal_x_mod_create_from_dir(
    xmod: XMod, mod: FixtureModule, goproxy_dir: Path, tmp_path: Path
) -> None:
    ref_zip = tmp_path / "ref.zip"
    proxied = goproxy_dir / mod.escaped_path / "@v" / f"{mod.escaped_version}.zip"
    [(out, err), (dir_out, dir_err), (zip_out, zip_err)] = xmod.ask(
        [
            ("zip_dir", [mod.path, mod.version, str(mod.root), str(ref_zip)]),
            ("hash_dir", [str(mod.root), f"{mod.path}@{mod.version}"]),
            ("hash_zip", [str(proxied)]),
        ]
    )
    assert (err, dir_err, zip_err) == ("", "", "")
    with zipfile.ZipFile(ref_zip) as ref, zipfile.ZipFile(proxied) as ours:
        assert sorted(ours.namelist()) == sorted(ref.namelist())
    assert hash_zip(proxied) == out[0] == zip_out[0]
    assert hash_dir(mod.root, f"{mod.path}@{mod.version}") == dir_out[0]


def test_hash_files_agrees_with_x_mod_on_unusual_names(xmod: XMod, tmp_path: Path) -> None:
    z = tmp_path / "odd.zip"
    names = ["p/ä.txt", "p/B", "p/a", "p/ z", "p/dir/", "p/a b/c"]
    with zipfile.ZipFile(z, "w") as zf:
        for i, name in enumerate(names):
            zf.writestr(name, "" if name.endswith("/") else f"content {i}")
    [(out, err)] = xmod.ask([("hash_zip", [str(z)])])
    assert err == ""
    assert hash_zip(z) == out[0]
    with zipfile.ZipFile(z) as zf:
        contents = {n: zf.read(n) for n in zf.namelist()}
    assert hash_files((n, _const(data)) for n, data in contents.items()) == out[0]


def _const(data: bytes) -> Callable[[], bytes]:
    return lambda: data
