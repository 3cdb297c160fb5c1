"""vendor/modules.txt: parse it and check it against go.mod the way ``go`` does. Pure.

Reference §5.8; go: ``modload/vendor.go`` ``readVendorList`` and ``checkVendorConsistency``.
The check needs no network and no module cache: it is what ``go build`` reports as
``inconsistent vendoring`` before it looks at a single package. Each problem keeps go's own
wording, so a finding reads exactly like the line ``go`` would print.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.engine.goenv import compare_go
from bot.engine.model import Finding, Severity
from bot.record import field, record

__all__ = [
    "FINDING_ID",
    "ModulesTxt",
    "Replace",
    "Require",
    "VendorProblem",
    "VendoredModule",
    "check_vendor",
    "inconsistent_vendoring_message",
    "parse_modules_txt",
    "vendor_findings",
]

FINDING_ID = "vendor"

_SEMVER = re.compile(
    r"v(?:0|[1-9]\d*)"
    r"(?:\.(?:0|[1-9]\d*)"
    r"(?:\.(?:0|[1-9]\d*)"
    r"(?:-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r")?)?"
)


def _semver_valid(v: str) -> bool:
    return _SEMVER.fullmatch(v) is not None


def _import_path_ok(p: str) -> bool:
    # module.CheckImportPath, reduced to what modules.txt package lines can break: go itself
    # skips lines that fail it, and so do we.
    if not p or p.startswith(("/", "-")) or p.endswith("/") or "//" in p:
        return False
    return all(
        elem not in ("", ".", "..") and re.fullmatch(r"[0-9A-Za-z\-._~+]+", elem) is not None
        for elem in p.split("/")
    )


@record
class Mod:
    path: str
    version: str = ""  # "" for a wildcard replacement or a directory replacement target

    def describe(self) -> str:
        return f"{self.path}@{self.version}" if self.version else self.path


@record(frozen=False)
class _Meta:
    explicit: bool = False
    replacement: Mod | None = None
    go_version: str = ""


@record
class VendoredModule:
    path: str
    version: str  # "" for a wildcard replacement line
    line: int  # line of the "# path version" header (first occurrence)
    explicit: bool
    go_version: str
    replacement: Mod | None
    packages: tuple[str, ...]


@record
class ModulesTxt:
    file: str
    workspace: bool  # first line is "## workspace" (written by go work vendor)
    modules: tuple[VendoredModule, ...]
    vendor_list: tuple[Mod, ...]  # modules that provide packages, as readVendorList orders them
    replaced: tuple[Mod, ...]  # modules with a "=>" in their header, in order
    _by_key: dict[Mod, VendoredModule] = field(default_factory=dict, compare=False, repr=False)

    def get(self, path: str, version: str) -> VendoredModule | None:
        return self._by_key.get(Mod(path, version))

    def version_of(self, path: str) -> str | None:
        """The version that provides packages for ``path`` (``vendorVersion``)."""
        best: str | None = None
        for m in self.vendor_list:
            if m.path == path:
                best = m.version
        return best


def parse_modules_txt(text: str, file: str = "vendor/modules.txt") -> ModulesTxt:
    """Read modules.txt as ``readVendorList`` does: malformed lines are skipped, not errors."""
    meta: dict[Mod, _Meta] = {}
    first_line: dict[Mod, int] = {}
    pkgs: dict[Mod, list[str]] = {}
    vendor_list: list[Mod] = []
    vendor_version: dict[str, str] = {}
    replaced: list[Mod] = []
    lines = text.split("\n")
    workspace = bool(lines) and lines[0].strip() == "## workspace"
    mod: Mod | None = None
    for n, line in enumerate(lines, start=1):
        if line.startswith("# "):
            f = line.split()
            if len(f) < 3:
                continue
            if _semver_valid(f[2]):
                mod = Mod(f[1], f[2])
                rest = f[3:]
            elif f[2] == "=>":
                mod = Mod(f[1])
                rest = f[2:]
            else:
                mod = None
                continue
            first_line.setdefault(mod, n)
            m = meta.setdefault(mod, _Meta())
            if len(rest) >= 2 and rest[0] == "=>":
                if len(rest) == 2:
                    m.replacement = Mod(rest[1])
                    replaced.append(mod)
                elif len(rest) == 3 and _semver_valid(rest[2]):
                    m.replacement = Mod(rest[1], rest[2])
                    replaced.append(mod)
            continue
        if mod is None:
            continue
        if line.startswith("## "):
            m = meta.setdefault(mod, _Meta())
            for entry in line[3:].split(";"):
                entry = entry.strip()
                if entry == "explicit":
                    m.explicit = True
                if entry.startswith("go "):
                    m.go_version = entry[3:]
            continue
        f = line.split()
        if len(f) == 1 and _import_path_ok(f[0]):
            pkgs.setdefault(mod, []).append(f[0])
            v = vendor_version.get(mod.path)
            if v is None or _mod_less(v, mod.version):
                vendor_list.append(mod)
                vendor_version[mod.path] = mod.version
    modules = tuple(
        VendoredModule(
            path=k.path,
            version=k.version,
            line=first_line[k],
            explicit=meta[k].explicit,
            go_version=meta[k].go_version,
            replacement=meta[k].replacement,
            packages=tuple(pkgs.get(k, ())),
        )
        for k in sorted(first_line, key=lambda k: first_line[k])
    )
    return ModulesTxt(
        file=file,
        workspace=workspace,
        modules=modules,
        vendor_list=tuple(vendor_list),
        replaced=tuple(replaced),
        _by_key={Mod(m.path, m.version): m for m in modules},
    )


def _mod_less(v: str, w: str) -> bool:
    """``gover.ModCompare(path, v, w) < 0`` for ordinary module versions (semver order)."""
    return _semver_key(v) < _semver_key(w)


def _semver_key(v: str) -> tuple[tuple[int, ...], int, tuple[tuple[int, int | str], ...]]:
    core, _, _build = v.removeprefix("v").partition("+")
    main, dash, pre = core.partition("-")
    nums = tuple(int(x) for x in main.split(".") if x.isdigit())
    nums = nums + (0,) * (3 - len(nums))
    pre_key = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if dash else ()
    return nums, 0 if dash else 1, pre_key


@record
class Require:
    path: str
    version: str
    line: int | None = None  # line in go.mod


@record
class Replace:
    old_path: str
    old_version: str  # "" for a wildcard replacement
    new_path: str
    new_version: str  # "" for a directory replacement
    line: int | None = None
    source: str = "go.mod"  # the file the replacement is written in, as go names it


@record
class VendorProblem:
    """One line of go's ``inconsistent vendoring`` error."""

    path: str
    version: str
    detail: str  # go's text after "path@version: "
    file: str  # the file to look at: "go.mod" or the modules.txt path
    line: int | None

    @property
    def text(self) -> str:
        return f"{Mod(self.path, self.version).describe()}: {self.detail}"


def check_vendor(
    mt: ModulesTxt,
    requires: Iterable[Require],
    replaces: Iterable[Replace] = (),
    *,
    go_version: str | None = None,
    main_modules: Sequence[str] = (),
    workspace: bool = False,
    gomod_file: str = "go.mod",
) -> list[VendorProblem]:
    """``checkVendorConsistency``: every problem ``go`` would list, in go's order.

    ``requires``/``replaces`` are the main module's (in workspace mode: all workspace modules'
    requirements, then their replacements, then go.work's). ``go_version`` is the main go.mod's
    go line (None = no line, treated as 1.16); below 1.14 go only checks version conflicts.
    """
    reqs = list(requires)
    pre114 = not workspace and compare_go(go_version or "1.16", "1.14") < 0
    problems: list[VendorProblem] = []

    def add(m: Mod, detail: str, file: str, line: int | None) -> None:
        problems.append(VendorProblem(m.path, m.version, detail, file, line))

    # 1. every require is marked explicit
    for r in reqs:
        vm = mt.get(r.path, r.version)
        if vm is not None and vm.explicit:
            continue
        if pre114:
            vv = mt.version_of(r.path)
            if vv is not None and vv != r.version:
                add(
                    Mod(r.path, r.version),
                    f"is explicitly required in go.mod, but vendor/modules.txt indicates "
                    f"{r.path}@{vv}",
                    gomod_file,
                    r.line,
                )
        else:
            add(
                Mod(r.path, r.version),
                "is explicitly required in go.mod, but not marked as explicit in "
                "vendor/modules.txt",
                gomod_file,
                r.line,
            )

    # 2. every replacement is recorded identically
    reps = list(replaces)
    rep_map: dict[Mod, Replace] = {}
    for rp in reps:
        rep_map.setdefault(Mod(rp.old_path, rp.old_version), rp)
    seen: set[Mod] = set()
    for rp in reps:
        old = Mod(rp.old_path, rp.old_version)
        if old in seen:
            continue
        seen.add(old)
        if old.path in main_modules and old.version == "":
            continue  # go does not replace the workspace version of a main module
        new = Mod(rp.new_path, rp.new_version)
        vm = mt.get(old.path, old.version)
        vr = vm.replacement if vm is not None else None
        if vr is None:
            if pre114 and (old.version == "" or mt.version_of(old.path) != old.version):
                continue
            add(
                old,
                f"is replaced in {rp.source}, but not marked as replaced in vendor/modules.txt",
                rp.source,
                rp.line,
            )
        elif vr != new:
            add(
                old,
                f"is replaced by {new.describe()} in {rp.source}, but marked as replaced by "
                f"{vr.describe()} in vendor/modules.txt",
                rp.source,
                rp.line,
            )

    # 3. every explicit module that provides packages is required
    required = {(r.path, r.version) for r in reqs}
    article = "a " if workspace else ""
    for m in mt.vendor_list:
        vm = mt.get(m.path, m.version)
        if vm is not None and vm.explicit and (m.path, m.version) not in required:
            add(
                m,
                f"is marked as explicit in vendor/modules.txt, but not explicitly required in "
                f"{article}go.mod",
                mt.file,
                vm.line,
            )

    # 4. every replacement in modules.txt exists
    where = "the workspace" if workspace else "go.mod"
    for m in mt.replaced:
        if m.path in main_modules and m.version == "":
            found = False
        else:
            found = m in rep_map or Mod(m.path) in rep_map
        if not found:
            vm = mt.get(m.path, m.version)
            add(
                m,
                f"is marked as replaced in vendor/modules.txt, but not replaced in {where}",
                mt.file,
                vm.line if vm else None,
            )
    return problems


def inconsistent_vendoring_message(
    module_root: str, problems: Sequence[VendorProblem], *, workspace: bool = False
) -> str:
    """The full error ``go`` prints (without a trailing newline), for comparison and display."""
    body = "".join(f"\n\t{p.text}" for p in problems)
    sub = "work" if workspace else "mod"
    return (
        f"go: inconsistent vendoring in {module_root}:{body}\n\n"
        "\tTo ignore the vendor directory, use -mod=readonly or -mod=mod.\n"
        "\tTo sync the vendor directory, run:\n"
        f"\t\tgo {sub} vendor"
    )


def vendor_findings(
    module_dir: str, problems: Sequence[VendorProblem], *, workspace: bool = False
) -> list[Finding]:
    """One ``vendor`` finding per problem, with paths relative to the checked root."""
    fix = "go work vendor" if workspace else "go mod vendor"
    out: list[Finding] = []
    for p in problems:
        rel = p.file if module_dir in ("", ".") else f"{module_dir}/{p.file}"
        out.append(
            Finding(
                module_dir=module_dir or ".",
                file=rel,
                line=p.line,
                id=FINDING_ID,
                severity=Severity.ERROR,
                message=f"inconsistent vendoring: {p.text}",
                why=f"go build fails until the vendor directory is synced: run {fix}",
            )
        )
    return out
