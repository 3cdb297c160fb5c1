"""The config file: ``.github/tidybot.yml`` or ``.tidybot.yml`` at the checked root.

Read with PyYAML's safe composer so every value keeps its line: an unknown key, a wrong type, a
bad glob or a bad ``gotoolchain`` value is one :class:`bot.errors.ConfigError` that names the
key, the file and the line. No file means the defaults of :class:`Config`.

Example (every key is optional)::

    include: ["services/*", "tools"]
    exclude: ["third_party/**"]
    gotoolchain: local            # local | auto | go1.25.3
    work_sync: check              # check | report | skip (go.work drift: fail, note, unchecked)
    modules:
      tools:
        compat: "1.21"            # go mod tidy -compat=1.21
        go: "1.22"                # go mod tidy -go=1.22
        e: true                   # go mod tidy -e
      "examples/**":
        skip: true
    ignore:
      - id: go-directive
        modules: ["services/*"]
        reason: the go line is managed by hand
    private:
      goprivate: github.com/acme/*
      goproxy: https://goproxy.acme.dev,https://proxy.golang.org,direct
      auth_hosts: [goproxy.acme.dev]   # these get the token (netrc)
      git:
        host: github.com
        orgs: [acme]
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.engine.findings import RULES
from bot.engine.globs import compile_glob, glob_match, selected
from bot.engine.goenv import (
    TOOLCHAIN_POLICY_HELP,
    ToolchainPolicy,
    is_valid_go,
    parse_toolchain_policy,
)
from bot.engine.model import Finding
from bot.errors import ConfigError
from bot.lazy import lazy_import
from bot.record import field, record

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    import yaml

    from bot.credentials import Credentials
else:
    yaml = lazy_import("yaml")  # only a run with a config file parses YAML

__all__ = [
    "CONFIG_FILES",
    "KNOWN_FINDING_IDS",
    "Config",
    "GitSettings",
    "IgnoreRule",
    "ModuleSettings",
    "PrivateSettings",
    "compile_glob",
    "load_config",
    "parse_config",
]

CONFIG_FILES = (".github/tidybot.yml", ".tidybot.yml")

WORK_SYNC_POLICIES = ("check", "report", "skip")
"""``work_sync``: report go.work drift as drift (check), as notes that fail nothing (report),
or neither check nor sync workspaces (skip)."""

KNOWN_FINDING_IDS = frozenset(RULES)  # every finding id tidybot reports

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


# --- the model ---------------------------------------------------------------------------------


@record
class ModuleSettings:
    """Per-module settings; a field left as None inherits from earlier matching entries."""

    pattern: str = "**"
    skip: bool | None = None
    compat: str | None = None  # go mod tidy -compat=
    go: str | None = None  # go mod tidy -go=
    e: bool | None = None  # go mod tidy -e
    line: int | None = None

    def tidy_flags(self) -> tuple[str, ...]:
        """The extra ``go mod tidy`` flags, in a stable order."""
        flags: list[str] = []
        if self.e:
            flags.append("-e")
        if self.go:
            flags.append(f"-go={self.go}")
        if self.compat:
            flags.append(f"-compat={self.compat}")
        return tuple(flags)


@record
class IgnoreRule:
    """An ``ignore:`` entry of the config file: a finding id, the modules it covers, why."""

    id: str
    modules: tuple[str, ...] = ("**",)
    reason: str = ""
    line: int | None = None


@record
class GitSettings:
    """Where the org audit finds repositories: the host and the organisations."""

    host: str = "github.com"
    orgs: tuple[str, ...] = ()


@record
class PrivateSettings:
    """Where private modules live. The token itself never goes in the config file."""

    goprivate: str = ""
    gonoproxy: str = ""
    gonosumdb: str = ""
    goproxy: str = ""
    auth_hosts: tuple[str, ...] = ()  # host[:port] of private proxies that get the token (netrc)
    git: GitSettings = field(default_factory=GitSettings)

    def credentials(self, token: str) -> Credentials | None:
        """The run's credentials for a token (None when the token is empty or has no use)."""
        if not token or not (self.auth_hosts or self.git.orgs):
            return None
        from bot.credentials import Credentials

        return Credentials(
            token=token,
            proxy_hosts=self.auth_hosts,
            git_host=self.git.host if self.git.orgs else "",
            git_orgs=self.git.orgs,
        )

    def go_env(self) -> dict[str, str]:
        """The GO* variables these settings set (only the non-empty ones)."""
        pairs = {
            "GOPRIVATE": self.goprivate,
            "GONOPROXY": self.gonoproxy,
            "GONOSUMDB": self.gonosumdb,
            "GOPROXY": self.goproxy,
        }
        return {k: v for k, v in pairs.items() if v}


@record
class Config:
    """The config file's settings, with the defaults for what it leaves out."""

    file: str | None = None  # relative to the root, None when no file exists
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    gotoolchain: ToolchainPolicy = field(default_factory=lambda: ToolchainPolicy("local"))
    modules: tuple[ModuleSettings, ...] = ()
    ignore: tuple[IgnoreRule, ...] = ()
    private: PrivateSettings = field(default_factory=PrivateSettings)
    work_sync: str = "check"  # WORK_SYNC_POLICIES: what `go work sync` drift does to a run

    def is_included(self, module_dir: str) -> bool:
        """Whether discovery keeps this module: matches an include (if any), no exclude."""
        return selected(module_dir, self.include, self.exclude)

    def settings_for(self, module_dir: str) -> ModuleSettings:
        """Every matching ``modules`` entry merged in file order (later entries win)."""
        merged = ModuleSettings(pattern=module_dir)
        for s in self.modules:
            if not glob_match(s.pattern, module_dir):
                continue
            merged = ModuleSettings(
                pattern=module_dir,
                skip=s.skip if s.skip is not None else merged.skip,
                compat=s.compat if s.compat is not None else merged.compat,
                go=s.go if s.go is not None else merged.go,
                e=s.e if s.e is not None else merged.e,
                line=s.line if s.line is not None else merged.line,
            )
        return merged

    def go_setting(self, module_dir: str) -> str:
        """Where the config sets the ``go`` flag of this module (the last matching entry
        with ``go``), as a message names it: ``modules.svc.go in .github/tidybot.yml:7``;
        ``""`` when no entry does."""
        entry = next(
            (s for s in reversed(self.modules) if s.go and glob_match(s.pattern, module_dir)),
            None,
        )
        if entry is None:
            return ""
        p = entry.pattern
        key = f"modules.{p}.go" if p.isprintable() and p.strip() == p else f"modules[{p!r}].go"
        file = self.file or CONFIG_FILES[0]
        return f"{key} in {file}:{entry.line}" if entry.line else f"{key} in {file}"

    def ignored_by(self, finding: Finding) -> IgnoreRule | None:
        for rule in self.ignore:
            if rule.id == finding.id and any(
                glob_match(g, finding.module_dir) for g in rule.modules
            ):
                return rule
        return None

    def is_ignored(self, finding: Finding) -> bool:
        return self.ignored_by(finding) is not None

    def filter_findings(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if not self.is_ignored(f)]


# --- loading -----------------------------------------------------------------------------------


#: Largest config file read (a real one is a few hundred bytes).
CONFIG_LIMIT = 1 << 20


def load_config(root: Path) -> Config:
    """Read the config file under ``root``; defaults when there is none. The file is read as a
    regular file of at most :data:`CONFIG_LIMIT` bytes, never through a symbolic link (a
    checkout's config may link to a secret, whose lines an error would quote)."""
    found = [name for name in CONFIG_FILES if os.path.lexists(root / name)]
    if len(found) > 1:
        raise ConfigError(
            f"both {found[0]} and {found[1]} exist; keep one of them", file=found[1], line=None
        )
    if not found:
        return Config()
    name = found[0]
    data = _read_config(root / name, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", file=name) from None
    return parse_config(text, name)


def _read_config(path: Path, name: str) -> bytes:
    try:
        fd = os.open(
            path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        )
    except OSError as exc:  # ELOOP: a symbolic link
        raise ConfigError(
            f"cannot be read ({exc.strerror}); tidybot reads its config only from a regular "
            "file, never through a symbolic link",
            file=name,
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # a directory opens too, and fdopen() then raises
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "a special file"
            raise ConfigError(
                f"{what}, not a regular file: tidybot reads its config only from a regular "
                "file (remove or rename it)",
                file=name,
            )
        with os.fdopen(fd, "rb") as f:
            fd = -1  # the file object owns it now
            data = f.read(CONFIG_LIMIT + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > CONFIG_LIMIT:
        raise ConfigError(f"larger than {CONFIG_LIMIT} bytes: not a tidybot config", file=name)
    return data


def parse_config(text: str, file: str = ".tidybot.yml") -> Config:
    """Parse config text; every mistake is a ConfigError naming the key, ``file`` and line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # PyYAML composes nested collections recursively
        raise ConfigError(
            "nests collections too deeply to be a tidybot config (a few levels are enough)",
            file=file,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(
            f"not valid YAML: {exc.problem or exc.context}", file=file, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=file) from None
    return _Reader(file).config(node)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, line=node.start_mark.line + 1)

    # typed scalars

    def mapping(self, node: yaml.Node, where: str, known: Iterable[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            what = where or "the config"  # the top level: its keys are include:, modules: ...
            raise self.fail(node, f"{what}: expected a mapping, got {_kind(node)}")
        known_list = list(known)
        out: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode) or k.tag != _STR:
                raise self.fail(k, f"{where}: keys must be strings, got {_kind(k)}")
            key = k.value
            if key in out:
                raise self.fail(k, f"duplicate key {_join(where, key)!r}")
            if known_list and key not in known_list:
                raise self.fail(
                    k,
                    f"unknown key {_join(where, key)!r} (known keys: {', '.join(known_list)})",
                )
            out[key] = v
        return out

    def string(self, node: yaml.Node, where: str) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            return str(node.value)
        hint = ""
        if isinstance(node, yaml.ScalarNode) and node.tag in (_FLOAT, _INT):
            hint = f' (quote it: "{node.value}"; YAML reads an unquoted {node.value} as a number)'
        raise self.fail(node, f"{where}: expected a string, got {_kind(node)}{hint}")

    def boolean(self, node: yaml.Node, where: str) -> bool:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            value = yaml.SafeLoader.bool_values.get(str(node.value).lower())
            if value is not None:  # an explicit !!bool tag on another word is no boolean
                return bool(value)
        raise self.fail(node, f"{where}: expected true or false, got {_kind(node)}")

    def strings(self, node: yaml.Node, where: str) -> list[tuple[str, yaml.Node]]:
        """A list of strings; a single string is accepted as a one-element list."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            return [(str(node.value), node)]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{where}: expected a list of strings, got {_kind(node)}")
        return [(self.string(item, f"{where}[{i}]"), item) for i, item in enumerate(node.value)]

    def glob(self, node: yaml.Node, value: str, where: str) -> str:
        compiled = compile_glob(value)
        if isinstance(compiled, str):
            raise self.fail(node, f"{where}: bad glob {value!r}: {compiled}")
        return value

    def globs(self, node: yaml.Node, where: str) -> tuple[str, ...]:
        return tuple(self.glob(n, v, where) for v, n in self.strings(node, where))

    def go_version(self, node: yaml.Node, where: str) -> str:
        v = self.string(node, where)
        if not is_valid_go(v):
            raise self.fail(node, f'{where}: {v!r} is not a Go version (expected e.g. "1.22")')
        return v

    # sections

    def config(self, node: yaml.Node | None) -> Config:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return Config(file=self.file)
        top = self.mapping(
            node,
            "",
            ("include", "exclude", "gotoolchain", "modules", "ignore", "private", "work_sync"),
        )
        readers: dict[str, Callable[[yaml.Node], object]] = {
            "include": lambda n: self.globs(n, "include"),
            "exclude": lambda n: self.globs(n, "exclude"),
            "gotoolchain": self.gotoolchain,
            "modules": self.modules,
            "ignore": self.ignore,
            "private": self.private,
            "work_sync": self.work_sync,
        }
        values = {k: readers[k](v) for k, v in top.items()}
        return Config(file=self.file, **values)  # type: ignore[arg-type]

    def gotoolchain(self, node: yaml.Node) -> ToolchainPolicy:
        v = self.string(node, "gotoolchain")
        policy = parse_toolchain_policy(v)
        if policy is None:
            raise self.fail(node, f"gotoolchain: {v!r} is not valid; {TOOLCHAIN_POLICY_HELP}")
        return policy

    def work_sync(self, node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:  # off, no, false ...
            raise self.fail(
                node,
                f"work_sync: expected check, report or skip, got {node.value!r}, which YAML "
                "reads as a boolean (write skip to leave workspaces unchecked)",
            )
        v = self.string(node, "work_sync")
        if v not in WORK_SYNC_POLICIES:
            raise self.fail(node, f"work_sync: {v!r} is not valid; expected check, report or skip")
        return v

    def modules(self, node: yaml.Node) -> tuple[ModuleSettings, ...]:
        entries = self.mapping(node, "modules", ())
        out: list[ModuleSettings] = []
        for pattern, body in entries.items():
            # a glob with a line break or an odd space in it is shown quoted, as Python writes
            # it: the key is the tree's text, and the message names it on one line
            shown = pattern if pattern.isprintable() and pattern.strip() == pattern else None
            where = f"modules.{shown}" if shown else f"modules[{pattern!r}]"
            key_node = next(k for k, _ in node.value if k.value == pattern)
            self.glob(key_node, pattern, "modules")
            fields = self.mapping(body, where, ("skip", "compat", "go", "e"))
            out.append(
                ModuleSettings(
                    pattern=pattern,
                    skip=self.boolean(fields["skip"], f"{where}.skip")
                    if "skip" in fields
                    else None,
                    compat=self.go_version(fields["compat"], f"{where}.compat")
                    if "compat" in fields
                    else None,
                    go=self.go_version(fields["go"], f"{where}.go") if "go" in fields else None,
                    e=self.boolean(fields["e"], f"{where}.e") if "e" in fields else None,
                    line=key_node.start_mark.line + 1,
                )
            )
        return tuple(out)

    def ignore(self, node: yaml.Node) -> tuple[IgnoreRule, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"ignore: expected a list, got {_kind(node)}")
        out: list[IgnoreRule] = []
        for i, item in enumerate(node.value):
            where = f"ignore[{i}]"
            id_node: yaml.Node
            if isinstance(item, yaml.ScalarNode):
                rule_id, id_node = self.string(item, where), item
                modules: tuple[str, ...] = ("**",)
                reason = ""
            else:
                fields = self.mapping(item, where, ("id", "modules", "reason"))
                if "id" not in fields:
                    raise self.fail(item, f"{where}: missing key 'id'")
                id_node = fields["id"]
                rule_id = self.string(id_node, f"{where}.id")
                modules = (
                    self.globs(fields["modules"], f"{where}.modules")
                    if "modules" in fields
                    else ("**",)
                )
                reason = (
                    self.string(fields["reason"], f"{where}.reason") if "reason" in fields else ""
                )
            if rule_id not in KNOWN_FINDING_IDS:
                raise self.fail(
                    id_node,
                    f"{where}: unknown finding id {rule_id!r} "
                    f"(known ids: {', '.join(sorted(KNOWN_FINDING_IDS))})",
                )
            out.append(IgnoreRule(rule_id, modules, reason, item.start_mark.line + 1))
        return tuple(out)

    def private(self, node: yaml.Node) -> PrivateSettings:
        fields = self.mapping(
            node,
            "private",
            ("goprivate", "gonoproxy", "gonosumdb", "goproxy", "auth_hosts", "git"),
        )
        values: dict[str, object] = {}
        for key in ("goprivate", "gonoproxy", "gonosumdb"):
            if key in fields:
                values[key] = self.string(fields[key], f"private.{key}")
        if "goproxy" in fields:
            v = self.string(fields["goproxy"], "private.goproxy")
            problem = goproxy_problem(v)
            if problem:
                raise self.fail(fields["goproxy"], f"private.goproxy: {problem}")
            values["goproxy"] = v
        if "auth_hosts" in fields:
            hosts: list[str] = []
            for v, n in self.strings(fields["auth_hosts"], "private.auth_hosts"):
                if not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?", v):
                    raise self.fail(n, f"private.auth_hosts: {v!r} is not a host or host:port")
                hosts.append(v)
            values["auth_hosts"] = tuple(hosts)
        if "git" in fields:
            g = self.mapping(fields["git"], "private.git", ("host", "orgs"))
            host = self.string(g["host"], "private.git.host") if "host" in g else "github.com"
            if not re.fullmatch(r"[A-Za-z0-9.-]+(:[0-9]+)?", host):
                raise self.fail(g["host"], f"private.git.host: {host!r} is not a host name")
            orgs: list[str] = []
            for v, n in self.strings(g["orgs"], "private.git.orgs") if "orgs" in g else []:
                if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", v):
                    raise self.fail(n, f"private.git.orgs: {v!r} is not an organisation name")
                orgs.append(v)
            values["git"] = GitSettings(host=host, orgs=tuple(orgs))
        return PrivateSettings(**values)  # type: ignore[arg-type]


def goproxy_problem(value: str) -> str | None:
    """Check a GOPROXY list as ``proxyList`` does; go's own wording, or None when fine."""
    entries = [e.strip() for e in re.split(r"[,|]", value)]
    usable = 0
    for e in entries:
        if not e:
            continue
        usable += 1
        if e in ("off", "direct"):
            break
        url = e
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", e):
            if any(c in e for c in ".:/") and not e.startswith("/"):
                url = "https://" + e
            else:
                return f"invalid proxy URL missing scheme: {e}"
        scheme = url.split("://", 1)[0]
        if scheme not in ("https", "http", "file"):
            return f"invalid proxy URL scheme (must be https, http, file): {e}"
    if usable == 0:
        return "GOPROXY list is not the empty string, but contains no entries"
    return None


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    names = {_STR: "a string", _BOOL: "a boolean", _NULL: "nothing", _INT: "a number"}
    if node.tag == _FLOAT:
        return "a number"
    return names.get(node.tag, f"a value tagged {node.tag}")
