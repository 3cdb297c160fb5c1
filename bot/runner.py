"""Runs the engine over every module of a tree: discovery, `go mod tidy -diff`, findings, fixes.

This is the composition of the pure engine (``bot.engine``) with the go toolchain port
(``bot.toolchain``). Every discovered module gets exactly one result.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path

from bot import __version__
from bot.config import Config
from bot.engine.cachekey import KeyBuilder, KeyContext, ParseMemo
from bot.engine.discover import ModuleRef, TreeScan, find_workspaces, is_vendored, scan_tree
from bot.engine.discover import discover as discover_modules
from bot.engine.findings import severity_of
from bot.engine.goenv import check_toolchain
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.engine.treefile import file_problem, read_tree_file, refusal, rel_inside
from bot.errors import ConfigError, Interrupted, ParseError, UnsafeFile, UsageError
from bot.fsutil import atomic_write, put_back
from bot.record import field, record, replace
from bot.resultcache import CacheStats, ResultCache
from bot.toolchain import (
    DEFAULT_GO_TIMEOUT,
    GO_TIMEOUT_VARIABLE,
    Go,
    explain_go_error,
    parse_go_timeout,
    resume,
    runtime_env,
    stop_all,
    stopping,
)

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from bot.engine.classify import ModuleTexts
    from bot.engine.gomod import GoMod
    from bot.workspace import WorkspaceCheck

# Imported where used: most runs meet no vendor/ tree, no go.work and no drift, and a run
# answered from the result cache parses no go.mod and starts no thread.


@record
class RunOptions:
    """How to run: the command line over the config file over the defaults."""

    jobs: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    gotoolchain: str = "local"
    env: Mapping[str, str] = field(default_factory=dict)  # GOPROXY, GOPRIVATE, ... for go
    base_env: Mapping[str, str] | None = None  # defaults to os.environ
    config: Config = field(default_factory=Config)  # the config file (.github/tidybot.yml)
    since: str | None = None  # check only the modules the changes since this git ref can affect
    cache_dir: Path | None = None  # the result cache (bot.resultcache); None: no cache
    untrusted: bool = False  # the tree is someone else's code (bot.options.tree_is_untrusted)
    # told (result, number of modules) as each module's result is ready, from any thread, and
    # (None, number of modules) once they are known (bot.progress)
    progress: Callable[[ModuleResult | None, int], None] | None = field(default=None, compare=False)
    # seconds each go command may run; None: $TIDYBOT_GO_TIMEOUT of base_env, else the default
    go_timeout: float | None = None
    # told a line for the user about the run (an --include glob that matches no module); the
    # command line prints it on stderr
    notice: Callable[[str], None] | None = field(default=None, compare=False)
    # the setting that chooses gotoolchain where tidybot runs, "{0}" for the value, named in a
    # toolchain error's advice (bot.options.CLI_TOOLCHAIN_SETTING); "": none to suggest
    gotoolchain_setting: str = ""
    # how the include and exclude globs are given, named in their messages (the command
    # line's flags; the action's inputs)
    globs_named: tuple[str, str] = ("--include", "--exclude")


class _Outcome:
    """A module's result, with the texts of its drift; ``go_tidy``: go's own tidy (no ``-e``)
    found nothing to change, whatever the config's ``ignore`` rules made of the rest."""

    __slots__ = ("go_tidy", "result", "texts")

    def __init__(
        self, result: ModuleResult, texts: ModuleTexts | None = None, go_tidy: bool = False
    ) -> None:
        self.result = result
        self.texts = texts
        self.go_tidy = go_tidy


def make_go(options: RunOptions, root: Path | None = None, modules: int | None = None) -> Go:
    """go in the environment ``bot.childenv.go_env`` builds: the options' GO* settings over the
    process environment over a committed ``go.env`` at the root (read only when the tree is
    trusted, and never through a symlink; an untrusted run pins every trust variable instead),
    with the deadline of each command (:func:`go_timeout`). A ``gotoolchain`` policy that would
    run a downloaded toolchain unchecked is refused here, before any go command. ``modules``:
    how many modules the run checks, when known: fewer than ``jobs`` run side by side, and each
    gets a larger share of the CPUs (a one-module check: all of them)."""
    from bot.childenv import go_env, layered_go_env, toolchain_problem

    base = os.environ if options.base_env is None else options.base_env
    tree_goenv = None
    if root is not None and not options.untrusted and file_problem(root, "go.env") is None:
        data = read_tree_file(root, "go.env")
        tree_goenv = data.decode("utf-8", "replace") if data is not None else None
    env = go_env(base, settings=options.env, tree_goenv=tree_goenv, untrusted=options.untrusted)
    side_by_side = _jobs(options) if modules is None else max(1, min(_jobs(options), modules))
    env.update(runtime_env(side_by_side, env))
    go = Go(
        env,
        gotoolchain=options.gotoolchain,
        go=base.get("TIDYBOT_GO") or None,
        timeout=go_timeout(options, base),
        how=options.gotoolchain_setting,
    )
    problem = None
    if go.gotoolchain not in ("", "local"):  # only a switch runs a downloaded toolchain
        problem = toolchain_problem(layered_go_env(go.env, go.binary()), go.gotoolchain)
    if problem:
        raise ConfigError(
            f"gotoolchain {options.gotoolchain} would run a Go toolchain that go downloads "
            f"without checking it against the checksum database ({problem})",
            hint="keep the checksum database on for golang.org/toolchain, or use "
            + (options.gotoolchain_setting.format("local") or "gotoolchain local"),
        )
    return go


def go_timeout(options: RunOptions, env: Mapping[str, str]) -> float:
    """Seconds one go command may run: the option, else ``TIDYBOT_GO_TIMEOUT``, else the
    default (README, "Limits"). A bad value is a ConfigError (exit 2)."""
    if options.go_timeout is not None:
        return parse_go_timeout(str(options.go_timeout), "the go timeout")
    raw = env.get(GO_TIMEOUT_VARIABLE, "").strip()
    return parse_go_timeout(raw) if raw else DEFAULT_GO_TIMEOUT


def _jobs(options: RunOptions) -> int:
    return max(1, options.jobs or os.cpu_count() or 1)


def _check_root(root: Path) -> Path:
    if not root.exists():
        raise UsageError(f"{root}: no such directory", hint="pass the path of a checkout")
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory", hint="pass the path of a checkout")
    return root.resolve()


def discover(root: Path, options: RunOptions, scan: TreeScan | None = None) -> list[ModuleRef]:
    root = _check_root(root)
    scan = scan if scan is not None else scan_tree(root)
    mods = [
        m
        for m in discover_modules(root, options.include, options.exclude, scan)
        if options.config.is_included(m.dir)
    ]
    unmatched: list[str] = []
    every: list[str] = []
    if options.include:
        from bot.engine.globs import unmatched_globs

        every = sorted({*scan.gomod_dirs, *(d for d, _ in scan.unreadable)})
        unmatched = unmatched_globs(options.include, every)
    if mods and unmatched and options.notice is not None:
        for g in unmatched:
            options.notice(_unmatched_glob(g, every, options.globs_named[0]))
    if not mods:
        inc, exc = options.globs_named
        extra = f" matching the {inc}/{exc} globs" if options.include or options.exclude else ""
        config = options.config
        if (config.include or config.exclude) and discover_modules(
            root, options.include, options.exclude, scan
        ):  # there are modules: the config file's include/exclude globs leave none of them
            where = config.file or "the config file"
            raise UsageError(
                f"{root}: no module is selected by the include/exclude globs of {where}",
                hint=f"fix include: or exclude: in {where}, or remove them to check every module",
            )
        hint = "run tidybot on a directory that contains Go modules"
        every = every or ([m.dir for m in discover_modules(root, (), (), scan)] if extra else [])
        if every:  # there are modules: the globs name none of them, or exclude them all
            raise _nothing_selected(root, every, unmatched, bool(options.exclude), (inc, exc))
        above = _enclosing_module(root)
        if above is not None and not extra:
            hint = (
                f"{root} is inside the module at {above}: run tidybot there "
                f"(tidybot check {shlex.quote(os.path.relpath(above))})"
            )
        raise UsageError(f"{root}: no go.mod found{extra}", hint=hint)
    return mods


def _word(value: str) -> str:
    """A glob or a module directory as one shell word on one line: quoted for a shell, and a
    line break in it (a directory's name may hold one) shown as ``\\x0a``, never a new line."""
    from bot.report.escape import terminal_line

    return terminal_line(shlex.quote(value))


def _given(flag: str, value: str) -> str:
    """``--include VALUE`` as it can be pasted: ``--include=-x`` where VALUE starts with
    ``-`` (argparse would take ``-x`` for an option); an action input as ``paths: VALUE``."""
    if flag.startswith("--") and value.startswith("-"):
        return f"{flag}={_word(value)}"
    return f"{flag} {_word(value)}"


def _modules_there(dirs: list[str]) -> str:
    """Where the globs apply, and what is there: the checked directory's modules, counted,
    with a few of their directories (as the globs name them)."""
    shown = [_word(d) for d in dirs[:3]]
    if len(dirs) == 1:
        what = f"1 module: {shown[0]}"
    elif len(dirs) <= 3:
        what = f"{len(dirs)} modules: {', '.join(shown)}"
    else:
        what = f"{len(dirs)} modules, such as {', '.join(shown)}"
    return f"globs are relative to the checked directory, which holds {what}"


def _unmatched_glob(glob: str, dirs: list[str], inc: str = "--include") -> str:
    """The notice of an --include glob (``inc``: as the user gives one) that matches none of
    the modules ``dirs``."""
    from bot.engine.globs import suggest_glob

    near = suggest_glob(glob, dirs)
    said = f"{_given(inc, glob)} matches no module; {_modules_there(dirs)}"
    return said + (f"; did you mean {_given(inc, near)}?" if near is not None else "")


def _nothing_selected(
    root: Path,
    dirs: list[str],
    unmatched: list[str],
    excluding: bool,
    named: tuple[str, str] = ("--include", "--exclude"),
) -> UsageError:
    """The error of --include/--exclude globs (``named``: as the user gives them) that leave
    none of the modules ``dirs``."""
    inc, exc = named
    from bot.engine.globs import suggest_glob

    which = "".join(f"; {_given(inc, g)} matches none of them" for g in unmatched)
    near = [(g, n) for g in unmatched if (n := suggest_glob(g, dirs)) is not None]
    if near:
        hint = " ".join(f"did you mean {_given(inc, n)} (not {_word(g)})?" for g, n in near)
    elif excluding and not unmatched:
        hint = f"{exc} leaves out every module that would be checked: narrow it"
    else:
        example = next((d for d in dirs if d != "."), dirs[0])
        hint = (
            "name module directories as they are below the checked directory, with '/', "
            f"such as {_given(inc, example)}; svc/* and **/tools match several"
        )
    return UsageError(
        f"{root}: no module is selected by the {inc}/{exc} globs{which}; {_modules_there(dirs)}",
        hint=hint,
    )


def _enclosing_module(root: Path) -> Path | None:
    """The nearest directory above ``root`` with a go.mod (go's own rule for finding the
    module a directory belongs to), up to the repository's top level (a ``.git``)."""
    for d in root.resolve().parents:
        if (d / "go.mod").is_file():
            return d
        if (d / ".git").exists():
            return None
    return None


def _toolchain_problem(go: Go, gomod: GoMod) -> str:
    """Hook: the gotoolchain policy cannot run this module's go line (a clear error), or ""."""
    policy = go.policy
    if policy is None:
        return ""
    where = f"{gomod.file}:{gomod.go_line}" if gomod.go_line else gomod.file
    problem = check_toolchain(
        policy, go.version(), gomod.go, gomod.toolchain, file=where, how=go.how
    )
    return problem.message if problem else ""


def _root_of(ref: ModuleRef) -> Path:
    if ref.dir == ".":
        return ref.path
    return ref.path.parents[len(ref.dir.split("/")) - 1]


def _check_module(
    go: Go, ref: ModuleRef, options: RunOptions, *, writing: bool = False
) -> _Outcome:
    """The tidy check, then (for a module with vendor/modules.txt) the vendor check: of the
    vendor tree the module would have once tidy (the fix tidies, then re-vendors)."""
    out = _check_tidy(go, ref, options, writing=writing)
    r = out.result
    if r.status not in (Status.CLEAN, Status.DRIFTED) or not is_vendored(ref.path):
        return out
    tidy = None
    if r.status is Status.DRIFTED:
        if out.texts is None:  # go's diff could not be read: drifted; the fix re-vendors
            return out
        tidy = (out.texts.tidy_mod, out.texts.tidy_sum)
    from bot.vendoring import check_vendoring

    vc = check_vendoring(go, _root_of(ref), ref.dir, tidy=tidy)
    found = [f for f in vc.findings if not _ignored(f, options)]
    if vc.error:
        r = replace(r, status=Status.ERROR, error=f"go mod vendor failed: {vc.error}")
    elif found:
        r = replace(r, status=Status.DRIFTED, findings=r.findings + tuple(found))
    return _Outcome(r, out.texts, out.go_tidy)


def _unsafe_files(root: Path, ref: ModuleRef) -> UnsafeFile | None:
    """The first of the module's go files tidybot must not read (a symlink, not a regular
    file, too large: ``bot.engine.treefile``), or None. go reads the same files, and would
    print what a symlink points at in its diff or errors, so these are checked before go
    starts."""
    names = ["go.mod", "go.sum"]
    vendor = ref.path / "vendor"
    if os.path.lexists(vendor):
        if vendor.is_symlink():
            return refusal(ref.rel("vendor"), "is a symlink")
        names.append("vendor/modules.txt")
    for name in names:
        problem = file_problem(root, ref.rel(name))
        if problem is not None:
            return problem
    return None


def _replace_problem(root: Path, ref: ModuleRef, gomod: GoMod, writing: bool) -> str:
    """A local ``replace`` go would follow to a go.mod tidybot refuses (a symlink, not a
    regular file), or, for a fix, to a directory outside the checked root: why, or ""."""
    for r in gomod.replaces:
        if not r.is_local:
            continue
        base = ref.path
        target = Path(r.new_path) if os.path.isabs(r.new_path) else base / r.new_path
        rel = rel_inside(root, target)
        where = f"{gomod.file}:{r.line}: replace {r.old_path} => {r.new_path}"
        if rel is None:
            if writing:
                return (
                    f"{where}: outside the checked directory; tidybot fix does not run go on "
                    "a module that reaches outside it (fix from a directory that contains "
                    "the replaced module)"
                )
            continue
        problem = file_problem(root, "go.mod" if rel == "." else f"{rel}/go.mod")
        if problem is not None:
            return f"{where}: {problem.message}"
    return ""


def _layout_of(go: Go) -> bool:
    """Whether the Go release that runs keeps a blank line before a block's ``)`` (Go 1.24
    and older; ``bot.engine.modfile.keeps_blank_before_rparen``)."""
    from bot.engine.modfile import keeps_blank_before_rparen

    return keeps_blank_before_rparen(go.running_version())


def _check_tidy(go: Go, ref: ModuleRef, options: RunOptions, *, writing: bool = False) -> _Outcome:
    start = time.monotonic()
    if ref.skip_reason:
        return _Outcome(ModuleResult(ref.dir, "", Status.SKIPPED, error=ref.skip_reason))
    if ref.error:
        return _Outcome(ModuleResult(ref.dir, "", Status.ERROR, error=ref.error))
    settings = options.config.settings_for(ref.dir)
    if settings.skip:
        where = f"{options.config.file}:{settings.line}" if settings.line else options.config.file
        return _Outcome(
            ModuleResult(ref.dir, "", Status.SKIPPED, error=f"skipped by the config ({where})")
        )
    root = _root_of(ref)
    gomod_rel, gosum_rel = ref.rel("go.mod"), ref.rel("go.sum")
    try:
        problem = _unsafe_files(root, ref)
        if problem is not None:
            raise problem
        mod_bytes = read_tree_file(root, gomod_rel)
        if mod_bytes is None:
            raise UnsafeFile(f"{gomod_rel}: cannot read: No such file or directory")
        current_mod = _utf8(mod_bytes, gomod_rel)
        current_sum = _utf8(read_tree_file(root, gosum_rel) or b"", gosum_rel)
    except UnsafeFile as e:
        return _Outcome(ModuleResult(ref.dir, "", Status.ERROR, error=e.message))
    # go starts before go.mod is parsed and checked here, so the two overlap; with another
    # policy than `local` go might fetch a toolchain, so the check comes first there, and a
    # fix checks its replacements first. With `local`, go stops at once on a go line it
    # cannot run, and its run is dropped (never shown) when this side finds go.mod
    # unreadable, the go line too new, or a replacement it refuses.
    early = go.gotoolchain == "local" and not writing
    args = ["mod", "tidy", "-diff", *_tidy_flags(ref, options)]
    proc = go.start(args, ref.path) if early else None
    from bot.engine.gomod import parse_and_format

    layout = _layout_of(go)
    try:
        # one parse for both; the cache key may have parsed this text already
        gomod, formatted = parse_and_format(current_mod, gomod_rel, layout)
        refused = _toolchain_problem(go, gomod) or _replace_problem(root, ref, gomod, writing)
    except BaseException as e:
        if proc is not None:
            proc.kill()
        if isinstance(e, ParseError):
            return _Outcome(ModuleResult(ref.dir, "", Status.ERROR, error=str(e)))
        raise
    if refused:
        if proc is not None:
            proc.kill()
        return _Outcome(ModuleResult(ref.dir, gomod.module, Status.ERROR, error=refused))
    res = (proc or go.start(args, ref.path)).wait()

    def elapsed() -> float:
        return time.monotonic() - start

    # go diffs against the canonical form of go.mod (``formatted``): a formatting-only
    # difference is not tidy drift for go, but `go mod tidy` (and `go mod edit -fmt`) would
    # still rewrite the file.
    diff_text = res.stdout
    if res.returncode == 0 and formatted == current_mod:
        return _Outcome(
            ModuleResult(ref.dir, gomod.module, Status.CLEAN, duration=elapsed()),
            go_tidy="-e" not in args,
        )
    # drift or an error: only now the diff and classification code (a clean module needs none)
    from bot.engine.classify import ModuleTexts, classify
    from bot.engine.udiff import DiffError, apply, split_diff, unified

    if res.returncode == 0:
        tidy_mod, tidy_sum = formatted, current_sum
        diff_text = unified("go.mod", current_mod, formatted)
    elif not res.stdout.strip() or res.timed_out:
        err = explain_go_error(res.stderr, go.gotoolchain, go.how)
        return _Outcome(
            ModuleResult(ref.dir, gomod.module, Status.ERROR, error=err, duration=elapsed())
        )
    else:
        diffs = split_diff(res.stdout)
        try:
            tidy_mod = (
                apply(_go_before(current_mod, gomod_rel, layout), diffs["go.mod"])
                if "go.mod" in diffs
                else formatted
            )
            tidy_sum = apply(current_sum, diffs["go.sum"]) if "go.sum" in diffs else current_sum
        except DiffError as e:
            finding = Finding(
                ref.dir,
                gomod_rel,
                None,
                "format",
                severity_of("format"),
                "go mod tidy would change this module",
                f"(its diff could not be read: {e})",
            )
            return _Outcome(
                ModuleResult(
                    ref.dir,
                    gomod.module,
                    Status.DRIFTED,
                    (finding,),
                    res.stdout,
                    duration=elapsed(),
                )
            )
    texts = ModuleTexts(ref.dir, gomod_rel, gosum_rel, current_mod, tidy_mod, current_sum, tidy_sum)
    from bot.engine.imports import scan_module

    files = scan_module(ref.path, [i.path for i in gomod.ignores])
    findings = [
        f
        for f in classify(
            texts,
            files,
            current=gomod,
            blank_before_rparen=layout,
            go_flag=settings.go or "",
            go_flag_source=options.config.go_setting(ref.dir) if settings.go else "",
        )
        if not _ignored(f, options)
    ]
    status = Status.DRIFTED if findings else Status.CLEAN
    result = ModuleResult(
        ref.dir,
        gomod.module,
        status,
        tuple(findings),
        diff_text if findings else "",
        duration=elapsed(),
    )
    return _Outcome(result, texts)


def _go_before(text: str, file: str, blank_before_rparen: bool = False) -> str:
    """The go.mod text go's diff starts from: the file as ``modfile.Format`` prints what it
    parsed, before any change (blocks in their order, empty blocks kept), whereas ``formatted``
    is the canonical text (sorted blocks, as ``go mod edit -fmt`` writes). go: ``modload``'s
    ``UpdateGoModFromReqs`` formats the file before it sets the requirements."""
    from bot.engine.modfile import format_syntax, parse_syntax

    return format_syntax(parse_syntax(text, file, blank_before_rparen=blank_before_rparen))


def _tidy_flags(ref: ModuleRef, options: RunOptions) -> tuple[str, ...]:
    return options.config.settings_for(ref.dir).tidy_flags()


def _ignored(f: Finding, options: RunOptions) -> bool:
    return options.config.is_ignored(f)


def _schedule_weight(ref: ModuleRef) -> int:
    try:
        return os.stat(f"{os.fspath(ref.path)}/go.mod").st_size
    except OSError:
        return 0


def _replaces_locally(ref: ModuleRef) -> bool:
    """Whether go.mod may hold a local replace (every replace directive has ``=>``): its key
    then covers the replaced modules too, which the run reads and parses first."""
    try:
        return b"=>" in (read_tree_file(_root_of(ref), ref.rel("go.mod")) or b"")
    except UnsafeFile:
        return False


def _quick_start(order: list[int], mods: list[ModuleRef], jobs: int) -> list[int]:
    """``order`` with the first ``jobs`` modules whose key is quick to compute (no local
    replace) moved to the front, so go starts on them while the rest of the keys, the shared
    replaced modules' included, are computed: on a cold cache the first key otherwise reads
    and parses a whole replace graph (35 ms on a 67-module repository) before any go runs."""
    first: list[int] = []
    for i in order:
        if len(first) == jobs:
            break
        if not _replaces_locally(mods[i]):
            first.append(i)
    chosen = set(first)
    return first + [i for i in order if i not in chosen]


_Fn = Callable[[Go, ModuleRef, RunOptions], _Outcome]
_Pre = Callable[[ModuleRef], "_Outcome | None"]


def _key_context(go_version: str, go: Go, options: RunOptions) -> KeyContext:
    """What every cache key of a run shares, the modules' and the workspaces': the Go
    version, tidybot's, go's environment, the ignore rules and the toolchain setting."""
    return KeyContext(
        go_version, __version__, go.env, (repr(options.config.ignore), go.gotoolchain)
    )


def _since(
    scan: TreeScan,
    mods: list[ModuleRef],
    options: RunOptions,
    memo: ParseMemo,
    extra: dict[str, object],
) -> frozenset[str] | None:
    """The module directories --since selects (what the changes since the ref can affect;
    None without --since), decided once for a run: the modules' checks and the workspaces'
    syncs both follow it. Fills ``extra["since"]`` for the report."""
    if not options.since:
        return None
    from bot.changes import select_since

    changes, selection = select_since(scan.root, mods, options.since, memo, scan)
    chosen = sum(1 for m in mods if m.dir in selection)
    extra["since"] = {
        "ref": options.since,
        "base": changes.base,
        "changed_files": len(changes.changes),
        "selected": chosen,
        "not_affected": len(mods) - chosen,
    }
    return frozenset(m.dir for m in mods if m.dir in selection)


def _speedups(
    scan: TreeScan,
    mods: list[ModuleRef],
    go: Go,
    options: RunOptions,
    fn: _Fn,
    extra: dict[str, object],
    cache: ResultCache | None = None,
    memo: ParseMemo | None = None,
    selection: Collection[str] | None = None,
) -> tuple[_Pre, _Fn, list[list[int]], Callable[[], None]]:
    """--since (``selection``, from :func:`_since`: skip what the changes cannot affect) and
    the result cache around ``fn``:

    * ``pre(ref)``: a module's outcome when it needs no go (left out by --since, or a cache
      hit), else None. Runs in the dispatching thread: keys are pure Python work, which
      threads only slow down (they take turns holding the GIL);
    * ``run``: ``fn`` for the rest, in the pool, storing clean results in the cache;
    * the waves modules run in (dependencies first, for fix);
    * ``finish``: what to do once every key is known (store the parse memo).

    Fills ``extra`` for the report."""
    root = scan.root
    if cache is None and options.cache_dir:
        cache = ResultCache(options.cache_dir)
    if memo is None:
        memo = cache.load_memo() if cache is not None else ParseMemo()
    keys = None
    if cache is not None:
        cache.prune_daily()  # entries unused for 30 days
        context = _key_context(cache.go_version(go), go, options)
        keys = KeyBuilder(root, context, memo, scan.listings)
        extra["cache"] = {"dir": str(options.cache_dir), "stats": cache.stats}
    pending: dict[str, str] = {}  # module dir -> its key, for the modules go runs in

    def pre(ref: ModuleRef) -> _Outcome | None:
        if ref.error:  # a directory that cannot be read: never "not affected", never cached
            return _Outcome(ModuleResult(ref.dir, "", Status.ERROR, error=ref.error))
        if selection is not None and ref.dir not in selection:
            reason = f"not affected by the changes since {options.since}"
            return _Outcome(ModuleResult(ref.dir, "", Status.SKIPPED, error=reason))
        if cache is None or keys is None or ref.skip_reason or is_vendored(ref.path):
            return None  # vendored modules are always checked in full
        if options.config.settings_for(ref.dir).skip or _unsafe_files(root, ref) is not None:
            return None  # the check says why
        key = keys.key(ref.dir, _tidy_flags(ref, options))
        if key is None:
            return None  # a Go file it cannot read: checked, never cached
        hit = cache.get(key, ref.dir)
        if hit is not None:  # stored clean: go's tidy found nothing, unless findings were ignored
            tidy = not options.config.ignore and "-e" not in _tidy_flags(ref, options)
            return _Outcome(hit, go_tidy=tidy and hit.status is Status.CLEAN)
        pending[ref.dir] = key
        return None

    def run(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
        out = fn(go, ref, options)
        key = pending.get(ref.dir)
        if cache is not None and keys is not None and key is not None:
            if out.result.changed_files:
                keys.forget(ref.dir)  # fixed: dependents (later waves) read the new go.mod
            cache.put(key, out.result, go.version())
        return out

    def finish() -> None:
        if cache is not None and keys is not None:
            cache.save_memo(keys.memo)

    # largest modules first so the long ones do not start last
    order = sorted(range(len(mods)), key=lambda i: -_schedule_weight(mods[i]))
    if keys is not None:
        order = _quick_start(order, mods, _jobs(options))
    return pre, run, [order], finish


class _Job:
    """One module's check, submitted to :class:`_Workers`."""

    __slots__ = ("args", "done", "error", "fn", "result")

    def __init__(self, fn: _Fn, args: tuple[Go, ModuleRef, RunOptions]) -> None:
        self.fn = fn
        self.args = args
        self.done = threading.Event()
        self.result: _Outcome | None = None
        self.error: BaseException | None = None

    def outcome(self) -> _Outcome:
        """Wait for the check: its outcome, or the exception it raised."""
        self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class _Workers:
    """Up to ``jobs`` threads running submitted checks, oldest first: the part of
    ``concurrent.futures.ThreadPoolExecutor`` a run uses. Importing that loads ``logging``
    (4 ms), all of it before the first go command of a cold run could start."""

    def __init__(self, jobs: int) -> None:
        self._jobs = jobs
        self._todo: deque[_Job | None] = deque()
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []

    def submit(self, fn: _Fn, go: Go, ref: ModuleRef, options: RunOptions) -> _Job:
        job = _Job(fn, (go, ref, options))
        with self._ready:
            self._todo.append(job)
            self._ready.notify()
        if len(self._threads) < self._jobs:
            t = threading.Thread(target=self._work, name=f"tidybot-worker-{len(self._threads)}")
            self._threads.append(t)
            t.start()
        return job

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._todo:
                    self._ready.wait()
                job = self._todo.popleft()
            if job is None:
                return
            try:
                job.result = job.fn(*job.args)
            except BaseException as e:  # handed to whoever waits for the job
                job.error = e
            job.done.set()

    def close(self) -> None:
        """Drop the checks that have not started, let the running ones end, stop the threads."""
        with self._ready:
            self._todo.clear()
            self._todo.extend([None] * len(self._threads))
            self._ready.notify_all()
        for t in self._threads:
            t.join()


def _telling(
    fn: _Fn,
    tell: Callable[[ModuleResult | None, int], None],
    total: int,
    deferred: Collection[str] = frozenset(),
) -> _Fn:
    """``fn`` that also tells ``tell`` its result, in the worker, as soon as it has it; but
    for the ``deferred`` modules, whose result a workspace check still adds to (the caller
    tells those once it has)."""

    def run(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
        out = fn(go, ref, options)
        if ref.dir not in deferred and not stopping():  # interrupted: go was killed, not failed
            tell(out.result, total)
        return out

    return run


def _run_all(
    scan: TreeScan,
    options: RunOptions,
    fn: _Fn,
    extra: dict[str, object] | None = None,
    *,
    dependencies_first: bool = False,
    mods: list[ModuleRef] | None = None,
    go: Go | None = None,
    cache: ResultCache | None = None,
    memo: ParseMemo | None = None,
    deferred: Collection[str] = frozenset(),
    selection: Collection[str] | None = None,
) -> tuple[Go, list[_Outcome], list[ModuleRef]]:
    """Every module through ``fn`` (``pre`` first: --since, the result cache), ``jobs`` at a
    time, telling the progress each result as it comes, except those of the ``deferred``
    modules (a workspace check adds to them; the caller tells them, with :func:`_tell`).
    ``selection``: the modules --since selects (:func:`_since`), None for every module."""
    root = scan.root
    mods = discover(root, options, scan) if mods is None else mods
    go = make_go(options, root, len(mods)) if go is None else go
    _go_ready(go, options)
    jobs = _jobs(options)
    extra = {} if extra is None else extra
    pre, fn, waves, finish = _speedups(scan, mods, go, options, fn, extra, cache, memo, selection)
    tell = options.progress
    if tell is not None:
        tell(None, len(mods))
        fn = _telling(fn, tell, len(mods), deferred)
    if dependencies_first:
        # a fix rewrites go.mod files that dependents read through local replaces
        from bot.engine.affected import fix_waves, module_nodes

        index = {m.dir: i for i, m in enumerate(mods)}
        waves = [[index[d] for d in w] for w in fix_waves(module_nodes(root, mods))]
        waves = [sorted(w, key=lambda i: -_schedule_weight(mods[i])) for w in waves]
    outcomes: list[_Outcome | None] = [None] * len(mods)
    workers: _Workers | None = None  # made for the first module that needs go
    submitted: list[_Job] = []
    try:
        for n, wave in enumerate(waves, 1):
            jobs_of_wave = {}
            for i in wave:  # a module that needs go starts as soon as its key is known
                done = pre(mods[i])
                if done is not None:
                    outcomes[i] = done
                    if tell is not None and mods[i].dir not in deferred:
                        tell(done.result, len(mods))
                    continue
                if workers is None:
                    go.ready()  # here, not in the first worker: it would share the GIL with keys
                    workers = _Workers(jobs)
                jobs_of_wave[i] = workers.submit(fn, go, mods[i], options)
                submitted.append(jobs_of_wave[i])
            if n == len(waves):
                finish()  # every key is known: done while the last go commands run
            for i, job in jobs_of_wave.items():
                outcomes[i] = job.outcome()
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM: no go command outlives the run, and the
        stop_all()  # workers waiting on them return at once instead of at their deadline
        try:
            if workers is not None:
                workers.close()
        finally:
            resume()  # the workers are done: a caller in this process may run go again
        # what the modules done by then wrote (a job's result: also one not yet collected)
        finished = [o for o in (*outcomes, *(j.result for j in submitted)) if o is not None]
        written = {f for o in finished for f in o.result.changed_files}
        raise Interrupted(tuple(sorted(written))) from None
    except BaseException:  # a module's check raised: the others end as they would, and no
        if workers is not None:  # worker thread is left waiting (the process would not exit)
            workers.close()
        raise
    if workers is not None:
        workers.close()
    if not waves:
        finish()
    return go, [o for o in outcomes if o is not None], mods


def _sync_env(options: RunOptions) -> dict[str, str]:
    """``go work sync`` loads the packages of several modules in one command: it gets every
    CPU, not the share of one of ``jobs`` commands (``runtime_env``), unless GOMAXPROCS is
    set. Measured on etcd (--include server, 2 CPUs, loaded): 1.74 s -> 1.35 s."""
    base = os.environ if options.base_env is None else options.base_env
    if "GOMAXPROCS" in base:
        return {}
    return {"GOMAXPROCS": str(os.cpu_count() or 1)}


def _go_ready(go: Go, options: RunOptions) -> None:
    """Fail early, before any module: a pinned Go older than 1.23 (one error, not one per
    module), and, unless the result cache remembers it, a go that is missing or too old."""
    go.check_pinned()
    if options.cache_dir is None:
        go.version()


def _utf8(data: bytes, rel: str) -> str:
    """A go.mod or go.sum as text; UnsafeFile naming the line of the first byte that is not
    UTF-8 (go reads both as UTF-8 and refuses them too)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        name = rel.rsplit("/", 1)[-1]
        raise UnsafeFile(
            f"{rel}:{line}: not UTF-8 (byte 0x{data[e.start]:02x}); go reads {name} as UTF-8 "
            "text: save it as UTF-8"
        ) from None


def _in_dir(module_dir: str, d: str) -> bool:
    return d == "." or module_dir == d or module_dir.startswith(d + "/")


def _work_sync_policy(options: RunOptions) -> str:
    """The config file's ``work_sync``: ``check`` (default), ``report`` or ``skip``."""
    return options.config.work_sync


def _workspace_failed(
    results: list[ModuleResult], gowork: str, used: tuple[str, ...], error: str
) -> bool:
    """A workspace that could not be checked (or synced) fails the modules it concerns (those
    it uses, or every module below it when go.work itself is unreadable): they were not fully
    checked, so none may read clean; their own findings stay. Whether any module was hit."""
    workdir = gowork.rsplit("/", 1)[0] if "/" in gowork else "."
    hit = False
    for i, r in enumerate(results):
        concerned = r.dir in used if used else _in_dir(r.dir, workdir)
        if not concerned or r.status is Status.SKIPPED:
            continue
        hit = True
        if r.status is not Status.ERROR:
            results[i] = replace(
                r,
                status=Status.ERROR,
                error=f"the workspace {gowork} could not be checked: {error}",
            )
    return hit


def _workspace_modules(scan: TreeScan, selected: Collection[str]) -> frozenset[str]:
    """The selected modules a go.work of the tree uses; for a go.work that does not parse,
    every selected module below its directory (its failure is theirs)."""
    from bot.engine.affected import read_workspaces

    out: set[str] = set()
    for ws in read_workspaces(scan.root, scan):
        if ws.uses:
            out.update(d for d in ws.uses if d in selected)
        else:
            out.update(d for d in selected if ws.dir == "." or _in_dir(d, ws.dir))
    return frozenset(out)


class _Later(Collection[str]):
    """A set of module directories worked out when first asked for, in whichever thread asks:
    the workspaces' modules are needed once a module's result is told, which is after its go
    command has started, and reading every go.work first would hold that command up (the
    go.work parser's imports and the reading: 10-20 ms before the first go command)."""

    def __init__(self, make: Callable[[], frozenset[str]]) -> None:
        self._make: Callable[[], frozenset[str]] | None = make
        self._value: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def _get(self) -> frozenset[str]:
        with self._lock:
            if self._make is not None:
                self._value, self._make = self._make(), None
            return self._value

    def __contains__(self, item: object) -> bool:
        return item in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


class _WorkspaceChecks:
    """The ``go work sync`` checks of a run, in a thread of their own, started before the
    modules are checked: the two run side by side. A workspace check needs the modules'
    own tidy results only at its end (to report what the workspace adds), and waits for
    them there (:meth:`finish` hands them over)."""

    def __init__(
        self,
        go: Go,
        scan: TreeScan,
        mods: list[ModuleRef],
        options: RunOptions,
        cache: ResultCache | None = None,
        memo: ParseMemo | None = None,
        selection: Collection[str] | None = None,
    ) -> None:
        self._go = go
        self._cache = cache
        self._root = scan.root
        self._options = options
        self._workspaces = find_workspaces(scan.root, scan)
        # what parsing found before, for the workspace keys: a copy, taken before the modules'
        # keys add to the memo in this thread while the workspace thread reads its own
        self._known = dict(memo.go_files) if memo is not None and self._workspaces else {}
        # asked here, not in the thread: the modules' keys need it too, and go is asked once
        self._go_version = cache.go_version(go) if cache is not None else ""
        self._selected = {  # --since (``selection``) leaves out what no change reaches
            m.dir
            for m in mods
            if not m.skip_reason
            and not m.error
            and not options.config.settings_for(m.dir).skip
            and (selection is None or m.dir in selection)
        }
        self._own: dict[str, tuple[str, str]] = {}
        self._clean: frozenset[str] = frozenset()
        self._modules_done = threading.Event()
        self._checks: list[WorkspaceCheck] = []
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        #: the modules whose result the workspace check may still change: their progress
        #: line waits for it (a go.work that does not parse: every module below it)
        self.deferred: Collection[str] = frozenset()
        if self._workspaces and _work_sync_policy(options) != "skip":
            self.deferred = _Later(lambda: _workspace_modules(scan, self._selected))
            self._thread = threading.Thread(target=self._run, name="tidybot-workspaces")
            self._thread.daemon = True  # an interrupted run does not wait for it
            self._thread.start()

    def _own_tidy(self) -> dict[str, tuple[str, str]]:
        self._modules_done.wait()
        return self._own

    def _clean_alone(self) -> frozenset[str]:
        self._modules_done.wait()
        return self._clean

    def _head_start(self) -> None:
        """Wait until a module's go command has started (or the modules are done without
        one): this thread's Python work (reading go.work and the go.mod files, the scratch
        copy) would otherwise hold the GIL while the first module's check gets its go
        command going. Measured on the bench's fixture: that command started 20 ms later."""
        while not self._go.started.wait(0.005):
            if self._modules_done.is_set():
                return

    def _run(self) -> None:
        self._head_start()
        from bot.workspace import WorkspaceCache, check_workspace

        try:
            cache = None
            if self._cache is not None:
                context = _key_context(self._go_version, self._go, self._options)
                cache = WorkspaceCache(self._cache, context.lines(), self._known)
            for gowork in self._workspaces:
                self._checks.append(
                    check_workspace(
                        self._go,
                        self._root,
                        gowork,
                        selected=self._selected,
                        own_tidy=self._own_tidy,
                        jobs=_jobs(self._options),
                        tidy_after=False,
                        sync_env=_sync_env(self._options),
                        cache=cache,
                        clean_alone=self._clean_alone,
                    )
                )
        except BaseException as e:  # handed to finish()
            self._error = e

    def abandon(self) -> None:
        """The modules' check failed: let the thread end (its result is not wanted)."""
        self._modules_done.set()

    def finish(self, outcomes: list[_Outcome]) -> tuple[list[ModuleResult], list[Finding]]:
        """The modules' results with the workspaces' findings joined to the modules they are
        about; the rest (go.work itself) are findings of the report. The ``work_sync`` policy
        of the config file may turn them into notes that fail nothing (``report``)."""
        self._own = {
            o.result.dir: (o.texts.tidy_mod, o.texts.tidy_sum)
            for o in outcomes
            if o.texts is not None and o.result.status is Status.DRIFTED
        }
        self._clean = frozenset(o.result.dir for o in outcomes if o.go_tidy)
        self._modules_done.set()
        results = [o.result for o in outcomes]
        if self._thread is None:
            return results, []
        self._thread.join()
        if self._error is not None:
            raise self._error
        policy = _work_sync_policy(self._options)
        by_dir = {r.dir: i for i, r in enumerate(results)}
        loose: list[Finding] = []
        for wc in self._checks:
            if wc.error:
                _workspace_failed(results, wc.gowork, wc.used, wc.error)
                continue
            for f in wc.findings:
                if _ignored(f, self._options):
                    continue
                if policy == "report":
                    loose.append(replace(f, severity=Severity.NOTE))
                    continue
                i = by_dir.get(f.module_dir)
                if i is None or f.file.endswith(("go.work", "go.work.sum")):
                    loose.append(f)
                    continue
                r = results[i]
                if r.status in (Status.CLEAN, Status.DRIFTED):
                    results[i] = replace(
                        r,
                        status=Status.DRIFTED,
                        findings=(*r.findings, f),
                        work_file=r.work_file or wc.gowork,
                    )
            if policy == "report":
                continue
            for wm in wc.modules:  # what the sync writes, after the module's own diff
                i = by_dir.get(wm.dir)
                if wm.diff and i is not None and results[i].status is Status.DRIFTED:
                    r = results[i]
                    results[i] = replace(r, diff=r.diff + wm.diff if r.diff else wm.diff)
        return results, loose


def check(root: Path, options: RunOptions) -> Report:
    start = time.monotonic()
    extra: dict[str, object] = {}
    scan = scan_tree(_check_root(root))  # the one walk of the tree
    mods = discover(scan.root, options, scan)
    go = make_go(options, scan.root, len(mods))
    _go_ready(go, options)
    cache = ResultCache(options.cache_dir) if options.cache_dir else None
    memo = cache.load_memo() if cache is not None else ParseMemo()
    selection = _since(scan, mods, options, memo, extra)
    workspaces = _WorkspaceChecks(go, scan, mods, options, cache, memo, selection)
    try:
        go, outcomes, _ = _run_all(
            scan,
            options,
            _check_module,
            extra,
            mods=mods,
            go=go,
            cache=cache,
            memo=memo,
            deferred=workspaces.deferred,
            selection=selection,
        )
    except BaseException:
        workspaces.abandon()
        raise
    results, loose = workspaces.finish(outcomes)
    results = _for_fix_commands(scan.root, mods, results, memo, options)
    _tell(options, results, workspaces.deferred, len(mods))
    return Report(
        root=str(root),
        command="check",
        modules=tuple(results),
        findings=tuple(loose),
        go_version=go.running_version(),
        tool_version=__version__,
        duration=time.monotonic() - start,
        extra=_finish_extra(extra),
    )


def _for_fix_commands(
    root: Path,
    mods: list[ModuleRef],
    results: list[ModuleResult],
    memo: ParseMemo,
    options: RunOptions,
) -> list[ModuleResult]:
    """The results, when some drifted, with what the report's fix commands need to tidy the
    modules in the fix's order (``bot.report.base.fix_commands``): each checked module's local
    replace targets, whether it is vendored, and the config's ``go mod tidy`` flags (without
    them a pasted ``go mod tidy`` leaves what -go=, -compat= or -e changes, or fails where -e
    lets tidy proceed). A pasted command that tidies a module before one it replaces locally
    leaves it to drift again, and one that tidies only the drifted modules leaves those that
    read their go.mod."""
    if not any(r.status is Status.DRIFTED for r in results):
        return results
    from bot.engine.affected import module_nodes

    checked = {r.dir for r in results if r.status in (Status.CLEAN, Status.DRIFTED)}
    refs = [m for m in mods if m.dir in checked]
    nodes = {n.dir: n.replaces for n in module_nodes(root, refs, memo)}
    paths = {m.dir: m.path for m in refs}
    return [
        replace(
            r,
            replaces=nodes[r.dir],
            vendored=is_vendored(paths[r.dir]),
            tidy_flags=options.config.settings_for(r.dir).tidy_flags(),
        )
        if r.dir in checked
        else r
        for r in results
    ]


def _tell(
    options: RunOptions, results: Iterable[ModuleResult], deferred: Collection[str], total: int
) -> None:
    """The progress lines of the ``deferred`` modules, now that their results are whole."""
    if options.progress is not None:
        for r in results:
            if r.dir in deferred:
                options.progress(r, total)


def _fix_module(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
    """Write the tidy go.mod/go.sum (from go's diff; else ``go mod tidy`` itself), then
    re-vendor. Every original is put back on any failure, go's included (``finally``)."""
    out = _check_module(go, ref, options, writing=True)
    if out.result.status is not Status.DRIFTED:
        return out
    root = _root_of(ref)
    rels = (ref.rel("go.mod"), ref.rel("go.sum"))
    before = {rel: read_tree_file(root, rel) for rel in rels}  # checked safe by the check
    done = False
    try:
        outcome = _write_fix(go, ref, options, out)
        done = outcome.result.status is not Status.ERROR
        return outcome
    except OSError as e:  # a read-only directory, a full disk: this module's error only
        where = f" ({_shown_path(root, e.filename)})" if e.filename else ""
        error = f"could not write the fix: {e.strerror or e}{where}; nothing was changed"
        return _Outcome(replace(out.result, status=Status.ERROR, error=error))
    finally:
        if not done:
            put_back(root, before)


def _shown_path(root: Path, filename: object) -> str:
    """A path an OSError names, from ``root`` when it is below it."""
    text = os.fsdecode(filename) if isinstance(filename, str | bytes) else str(filename)
    try:
        return Path(text).relative_to(root).as_posix()
    except ValueError:
        return text


def _write_fix(go: Go, ref: ModuleRef, options: RunOptions, out: _Outcome) -> _Outcome:
    gomod_p, gosum_p = ref.gomod, ref.path / "go.sum"
    before = {p: (p.read_bytes() if p.exists() else None) for p in (gomod_p, gosum_p)}
    changed: list[str] = []
    expected: dict[Path, bytes | None] = {}  # each file as the check read it (or tidybot wrote it)
    if out.texts is not None:
        t = out.texts
        for p, old, new, rel in (
            (gomod_p, t.current_mod, t.tidy_mod, t.gomod_file),
            (gosum_p, t.current_sum, t.tidy_sum, t.gosum_file),
        ):
            expected[p] = old.encode("utf-8") if old or p.exists() else None
            if old != new and not (new == "" and not p.exists()):
                if _edited(p, expected[p]):  # edited while tidybot ran: the fix is stale
                    return _Outcome(replace(out.result, status=Status.ERROR, error=_stale(rel)))
                atomic_write(p, new.encode("utf-8"))
                expected[p] = new.encode("utf-8")
                changed.append(rel)
    verify = go.run(["mod", "tidy", "-diff", *_tidy_flags(ref, options)], ref.path)
    unsettled = ""
    if verify.returncode != 0:
        # the diff-derived texts were not enough (or unavailable): let go write the files
        # itself, unless one was edited meanwhile. go writes in place, so a file with another
        # (hard) link is made the tree's own first: the other name keeps its bytes
        for p, rel in ((gomod_p, ref.rel("go.mod")), (gosum_p, ref.rel("go.sum"))):
            if p in expected and _edited(p, expected[p]):
                return _Outcome(replace(out.result, status=Status.ERROR, error=_stale(rel)))
        for p in (gomod_p, gosum_p):
            _own_inode(p)
        tidy = go.run(["mod", "tidy", *_tidy_flags(ref, options)], ref.path)
        if tidy.returncode != 0:
            err = explain_go_error(tidy.stderr, go.gotoolchain, go.how)
            return _Outcome(replace(out.result, status=Status.ERROR, error=err))
        again = go.run(["mod", "tidy", "-diff", *_tidy_flags(ref, options)], ref.path)
        if again.returncode != 0:  # go's own tidy left a change it still reports
            first = next((ln for ln in again.stdout.splitlines() if ln.startswith("diff ")), "")
            unsettled = first.removeprefix("diff ").split(" ")[0].removeprefix("current/")
        changed = [
            rel
            for p, rel in ((gomod_p, ref.rel("go.mod")), (gosum_p, ref.rel("go.sum")))
            if (p.read_bytes() if p.exists() else None) != before[p]
        ]
    if is_vendored(ref.path) and (changed or any(f.id == "vendor" for f in out.result.findings)):
        from bot.vendoring import fix_vendoring

        vendored, verr = fix_vendoring(go, _root_of(ref), ref.dir)
        if verr:
            return _Outcome(replace(out.result, status=Status.ERROR, error=verr))
        changed.extend(vendored)
    if unsettled:  # what go wrote stays (its tidy is the authority); what it leaves is drift
        from bot.engine.findings import severity_of

        left = Finding(
            ref.dir,
            ref.rel(unsettled or "go.mod"),
            None,
            "format",
            severity_of("format"),
            "go mod tidy ran, and go mod tidy -diff still reports a change it does not write",
            "go leaves what differs (line endings? CRLF in go.sum): fix it by hand",
        )
        result = replace(
            out.result,
            status=Status.DRIFTED,
            fixed=bool(changed),
            changed_files=tuple(changed),
            findings=(*out.result.findings, left),
        )
        return _Outcome(result, out.texts)
    return _Outcome(
        replace(out.result, status=Status.CLEAN, fixed=True, changed_files=tuple(changed)),
        out.texts,
    )


def _edited(path: Path, expected: bytes | None) -> bool:
    """Whether ``path`` differs from the bytes the check read (an edit made meanwhile)."""
    now = path.read_bytes() if path.is_file() else None
    return now != expected and not (now is None and expected == b"")


def _stale(rel: str) -> str:
    return (
        f"{rel} changed while tidybot ran (an editor, another tool?): not overwritten; run "
        "tidybot fix again"
    )


def _own_inode(path: Path) -> None:
    """Give ``path`` an inode of its own when another hard link shares it (the same bytes,
    written atomically under its name), so that writing it in place changes nothing else."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
        atomic_write(path, path.read_bytes())


def _fix_workspaces(
    scan: TreeScan,
    options: RunOptions,
    mods: list[ModuleRef],
    selection: Collection[str] | None = None,
    originals: dict[str, bytes | None] | None = None,
) -> tuple[dict[str, list[str]], list[tuple[str, tuple[str, ...], str]], dict[str, list[Finding]]]:
    """`go work sync` of every workspace (in a scratch copy; the selected modules' files
    written back), before the modules are tidied with GOWORK=off. Returns the files each
    module's fix changed (go.work and go.work.sum go to the module of their directory, else
    to the first selected module the workspace uses), the failed workspaces (go.work, used
    modules, error), and the ``work-sync`` findings the sync fixed, by module. The modules
    --since leaves out (``selection``) are not selected: a workspace no change reaches is not
    synced."""
    changed: dict[str, list[str]] = {}
    failed: list[tuple[str, tuple[str, ...], str]] = []
    root = scan.root
    workspaces = find_workspaces(root, scan)
    if not workspaces or _work_sync_policy(options) != "check":
        return changed, failed, {}
    fixed: dict[str, list[Finding]] = {}
    selected = [
        m.dir
        for m in mods
        if not m.skip_reason and not m.error and (selection is None or m.dir in selection)
    ]
    go = make_go(options, root)
    for gowork in workspaces:
        from bot.workspace import WorkspaceError, fix_workspace, read_workspace

        rel = gowork.relative_to(root).as_posix()
        try:
            ws = read_workspace(root, gowork)
        except WorkspaceError as e:
            failed.append((rel, e.uses, str(e)))
            continue
        in_scope = [d for d in ws.uses if d in selected]
        if not in_scope:
            continue
        from bot.workspace import is_vendored_workspace

        # what the sync may write, as it is, to undo for a module whose own fix fails; not in a
        # vendored workspace, whose vendor/ is re-vendored from the synced files (undoing these
        # alone would leave vendor/modules.txt out of step: go refuses to build then)
        if originals is not None and not is_vendored_workspace(gowork.parent):
            names = [f"{d}/{n}" if d != "." else n for d in in_scope for n in ("go.mod", "go.sum")]
            names += [f"{ws.dir}/{n}" if ws.dir != "." else n for n in ("go.work", "go.work.sum")]
            for name in names:
                with contextlib.suppress(OSError, UnsafeFile):
                    originals.setdefault(name, read_tree_file(root, name))
        paths, err, found = fix_workspace(
            go, root, gowork, selected=selected, jobs=_jobs(options), sync_env=_sync_env(options)
        )
        if err:
            failed.append((rel, ws.uses, err))
        for path in paths:
            owner = _owner(path, [*in_scope, *([ws.dir] if ws.dir in selected else [])])
            changed.setdefault(owner or in_scope[0], []).append(path)
        for f in found:
            if not _ignored(f, options):
                fixed.setdefault(f.module_dir, []).append(f)
    return changed, failed, fixed


def _owner(path: str, dirs: list[str]) -> str | None:
    best = None
    for d in dirs:
        if (d == "." or path.startswith(d + "/")) and (best is None or len(d) > len(best)):
            best = d
    return best


def fix(root: Path, options: RunOptions) -> Report:
    start = time.monotonic()
    extra: dict[str, object] = {}
    scan = scan_tree(_check_root(root))  # go work sync adds no go.mod and no go.work
    mods = discover(scan.root, options, scan)
    cache = ResultCache(options.cache_dir) if options.cache_dir else None
    memo = cache.load_memo() if cache is not None else ParseMemo()
    selection = _since(scan, mods, options, memo, extra)
    before_sync: dict[str, bytes | None] = {}
    synced, failed, sync_fixed = _fix_workspaces(scan, options, mods, selection, before_sync)
    deferred = {*synced, *(d for _, used, _ in failed for d in used)}
    try:
        go, outcomes, _ = _run_all(
            scan,
            options,
            _fix_module,
            extra,
            dependencies_first=True,
            mods=mods,
            cache=cache,
            memo=memo,
            deferred=deferred,
            selection=selection,
        )
    except Interrupted as e:  # what the workspaces' sync wrote stays too: name it
        e.written = tuple(sorted({*e.written, *(p for ps in synced.values() for p in ps)}))
        raise
    results = [o.result for o in outcomes]
    index = {r.dir: i for i, r in enumerate(results)}
    for owner, paths in synced.items():
        i = index.get(owner)
        if i is None:
            continue
        r = results[i]
        if r.status is Status.ERROR:  # its own fix failed: left as it was, the sync's part too
            undo = {p: before_sync[p] for p in paths if p in before_sync}
            put_back(scan.root, undo)
            synced[owner] = [p for p in paths if p not in undo]  # a vendored workspace's stay
            results[i] = replace(r, changed_files=tuple(synced[owner]))
            continue
        files = (*r.changed_files, *(p for p in paths if p not in r.changed_files))
        found = (*sync_fixed.get(owner, ()), *r.findings)  # what the sync fixed, then tidy
        results[i] = replace(r, fixed=True, changed_files=files, findings=found)
    for gowork, used, err in failed:
        _workspace_failed(results, gowork, used, err)
    _tell(options, results, deferred, len(mods))
    if any(synced.values()):
        extra["workspace_sync_changed"] = sorted(p for ps in synced.values() for p in ps)
    return Report(
        root=str(root),
        command="fix",
        modules=tuple(results),
        go_version=go.running_version(),
        tool_version=__version__,
        duration=time.monotonic() - start,
        extra=_finish_extra(extra),
    )


def _finish_extra(extra: dict[str, object]) -> dict[str, object]:
    """The report's ``since`` / ``cache`` objects as JSON values."""
    cache = extra.get("cache")
    if isinstance(cache, dict) and isinstance(cache.get("stats"), CacheStats):
        stats = cache.pop("stats")
        cache.update(stats.to_json())
    return extra
