"""The go command's environment, read the way ``go`` reads it. Pure.

Three things live here:

* the ``go.env`` file format (``go help environment``; go: ``cfg.readEnvFile``): one
  ``NAME=VALUE`` per line, split at the first ``=``, value taken verbatim (no quoting, no
  trimming); a line without ``=`` or not starting with an upper-case ASCII letter is ignored
  (comments, blank lines, corrupt lines);
* layering (go: ``cfg.Getenv``): the process environment wins when its value is non-empty,
  then the ``GOENV`` file, then ``$GOROOT/go.env``; an empty value counts as unset;
* Go versions and the ``GOTOOLCHAIN`` policy (go: ``internal/gover``, ``toolchain/select.go``):
  which Go a module needs from its ``go`` and ``toolchain`` lines, and whether the configured
  policy can provide it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.record import record

__all__ = [
    "GoEnvFile",
    "GoVersion",
    "ToolchainPolicy",
    "ToolchainProblem",
    "check_toolchain",
    "compare_go",
    "is_valid_go",
    "merge_layers",
    "module_needs",
    "parse_go_version",
    "parse_goenv",
    "parse_toolchain_policy",
]


@record
class GoEnvFile:
    """The settings of a go.env file, in file order, with their lines."""

    file: str
    values: tuple[tuple[str, str, int], ...]  # (name, value, 1-based line), in file order

    def as_dict(self) -> dict[str, str]:
        """Later lines win, as in go (each line overwrites the map entry)."""
        return {name: value for name, value, _ in self.values}

    def line_of(self, name: str) -> int | None:
        found = None
        for n, _, line in self.values:
            if n == name:
                found = line
        return found


def parse_goenv(text: str, file: str = "go.env") -> GoEnvFile:
    """Parse a go.env-style file exactly as ``cfg.readEnvFile`` does."""
    out: list[tuple[str, str, int]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        i = line.find("=")
        if i < 0 or not ("A" <= line[0] <= "Z"):
            continue
        out.append((line[:i], line[i + 1 :], n))
    return GoEnvFile(file=file, values=tuple(out))


def merge_layers(layers: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Merge environment layers, highest precedence first, as ``cfg.Getenv`` does.

    For each name the first layer with a non-empty value wins; a name whose value is empty in
    every layer is left out (``go`` treats an empty variable as unset and falls through).
    Typical order: action inputs, process environment, committed ``go.env``, ``$GOROOT/go.env``.
    """
    out: dict[str, str] = {}
    for layer in layers:
        for name, value in layer.items():
            if value != "" and name not in out:
                out[name] = value
    return out


# --- Go versions (internal/gover) -------------------------------------------------------------


@record
class GoVersion:
    """A Go release version split as go's ``gover`` package splits it."""

    major: str
    minor: str = ""
    patch: str = ""
    kind: str = ""  # "", "alpha", "beta", "rc"
    pre: str = ""


def _cut_int(x: str) -> tuple[str, str] | None:
    i = 0
    while i < len(x) and "0" <= x[i] <= "9":
        i += 1
    if i == 0 or (x[0] == "0" and i != 1):
        return None
    return x[:i], x[i:]


def parse_go_version(x: str) -> GoVersion | None:
    """``gover.Parse``: "1.21", "1.21.3", "1.21rc1", "1"; None when invalid."""
    cut = _cut_int(x)
    if cut is None:
        return None
    major, rest = cut
    if rest == "":
        return GoVersion(major, "0", "0")
    if rest[0] != ".":
        return None
    cut = _cut_int(rest[1:])
    if cut is None:
        return None
    minor, rest = cut
    if rest == "":
        return GoVersion(major, minor, "0" if _cmp_int(minor, "21") < 0 else "")
    if rest[0] == ".":
        cut = _cut_int(rest[1:])
        if cut is None or cut[1] != "":
            return None
        return GoVersion(major, minor, cut[0])
    m = re.fullmatch(r"([a-z]+)(.*)", rest)
    if m is None:
        return None
    kind, rest = m.group(1), m.group(2)
    if rest == "":
        return GoVersion(major, minor, "", kind)
    cut = _cut_int(rest)
    if cut is None or cut[1] != "":
        return None
    return GoVersion(major, minor, "", kind, cut[0])


def _cmp_int(x: str, y: str) -> int:
    if x == y:
        return 0
    if len(x) != len(y):
        return -1 if len(x) < len(y) else 1
    return -1 if x < y else 1


def is_valid_go(x: str) -> bool:
    return parse_go_version(x) is not None


def compare_go(x: str, y: str) -> int:
    """``gover.Compare``: invalid versions compare as the zero version (lowest)."""
    vx = parse_go_version(x) or GoVersion("")
    vy = parse_go_version(y) or GoVersion("")
    for a, b in ((vx.major, vy.major), (vx.minor, vy.minor), (vx.patch, vy.patch)):
        c = _cmp_int(a, b)
        if c:
            return c
    if vx.kind != vy.kind:
        return -1 if vx.kind < vy.kind else 1
    return _cmp_int(vx.pre, vy.pre)


def from_toolchain(name: str) -> str:
    """``gover.FromToolchain``: "go1.22.3" -> "1.22.3", "" when not a toolchain name."""
    if "/" in name or "\\" in name or not name.startswith("go"):
        return ""
    v = re.split(r"[ \t-]", name[2:], maxsplit=1)[0]
    return v if is_valid_go(v) else ""


# --- GOTOOLCHAIN policy ------------------------------------------------------------------------


@record
class ToolchainPolicy:
    """The ``gotoolchain`` setting: ``local``, ``auto`` or a pinned ``go1.X.Y``."""

    mode: str  # "local" | "auto" | "pinned"
    version: str = ""  # for "pinned": "1.25.3"

    @property
    def env_value(self) -> str:
        """The GOTOOLCHAIN value to run go with."""
        if self.mode == "pinned":
            return "go" + self.version
        return self.mode

    def __str__(self) -> str:
        return self.env_value


TOOLCHAIN_POLICY_HELP = "expected local, auto, or a Go release like go1.25.3"


def parse_toolchain_policy(value: str) -> ToolchainPolicy | None:
    """Parse a ``gotoolchain`` setting; None when it is not one of the accepted forms.

    ``+auto``/``+path`` suffixes and ``path`` are refused: a CI run must not pick whatever Go
    happens to be on PATH, and ``auto`` already covers "at least".
    """
    if value in ("local", "auto"):
        return ToolchainPolicy(value)
    v = from_toolchain(value)
    # a release of Go 1 (go1.25.3, go1.26rc1): "go1" or "go2" parse as versions but name no
    # toolchain go could download, and since Go 1.21 neither does "go1.25", a language
    # version: its first release is go1.25.0 (go1.20 and older were released as "go1.20")
    m = re.fullmatch(r"1\.(\d+)(\.\d+|(rc|beta)\d+)?", v or "")
    if v and value == "go" + v and m and (m.group(2) or int(m.group(1)) <= 20):
        return ToolchainPolicy("pinned", v)
    return None


@record
class ToolchainProblem:
    """Why a module's go or toolchain line cannot run under the chosen policy."""

    needs: str  # the Go version the module needs, e.g. "1.99"
    source: str  # "go" or "toolchain": which line asks for it
    message: str  # one line, names the version and the fix


def module_needs(go_line: str | None, toolchain_line: str | None) -> tuple[str, str]:
    """The minimum Go a module needs: (version, which line), as ``go`` computes it.

    The ``go`` line is a hard minimum; a ``toolchain`` line is a suggestion honoured only in
    ``auto`` mode, so it is returned only when newer and asked for with ``source="toolchain"``.
    A module without a go line needs nothing beyond go 1.16 (``DefaultGoModVersion``).
    """
    need = go_line or "1.16"
    source = "go"
    if toolchain_line and toolchain_line != "default":
        tv = from_toolchain(toolchain_line)
        if tv and compare_go(tv, need) > 0:
            return tv, "toolchain"
    return need, source


def check_toolchain(
    policy: ToolchainPolicy,
    local_version: str,
    go_line: str | None,
    toolchain_line: str | None = None,
    *,
    file: str = "go.mod",
    kind: str = "module",
    how: str = "",
) -> ToolchainProblem | None:
    """Whether ``policy`` can run a module with these lines; a problem with a clear message if not.

    * ``local``: the local Go must be >= the go line (go would fail with ``go.mod requires go >=
      X (running go Y; GOTOOLCHAIN=local)``);
    * pinned ``goV``: V must be >= the go line;
    * ``auto``: go switches to the needed toolchain itself, so nothing to check here.

    ``kind``: what the file is, for the message (``module``; ``workspace`` for a go.work).
    ``how``: the setting that chooses the policy where tidybot runs, ``{0}`` for the value
    (:data:`bot.options.CLI_TOOLCHAIN_SETTING`); "" when there is none to suggest.
    """
    need = go_line or "1.16"
    if policy.mode == "auto":
        return None
    have = local_version if policy.mode == "local" else policy.version
    if compare_go(need, have) <= 0:
        return None
    if policy.mode == "local":
        what, fix = f"the local Go is go {have}", f"install Go {_release(need)} or newer"
    else:
        what, fix = f"the pinned toolchain is go{have}", f"pin go{_release(need)} or newer"
    if how:
        fix = f"use {how.format('auto')}, or {fix}"
    msg = (
        f"{file}: {kind} requires go >= {need}, but {what} (GOTOOLCHAIN={policy.env_value}); {fix}"
    )
    return ToolchainProblem(needs=need, source="go", message=msg)


def _release(v: str) -> str:
    """The first release of a language version: "1.99" -> "1.99.0" (go >= 1.21)."""
    pv = parse_go_version(v)
    if pv and pv.patch == "" and pv.kind == "" and _cmp_int(pv.minor or "0", "21") >= 0:
        return v + ".0"
    return v
