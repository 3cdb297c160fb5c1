"""Runs the engine over every module of a tree: discovery, `go mod tidy -diff`, findings, fixes.

This is the composition of the pure engine (``bot.engine``) with the go toolchain port
(``bot.toolchain``). Every discovered module gets exactly one result.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from bot import __version__
from bot.config import Config
from bot.engine.cachekey import KeyBuilder, KeyContext, ParseMemo
from bot.engine.discover import ModuleRef, TreeScan, find_workspaces, is_vendored, scan_tree
from bot.engine.discover import discover as discover_modules
from bot.engine.findings import severity_of
from bot.engine.goenv import check_toolchain, parse_toolchain_policy
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.errors import ConfigError, ParseError, UsageError
from bot.fsutil import atomic_write
from bot.record import field, record, replace
from bot.resultcache import CacheStats, ResultCache
from bot.toolchain import Go, explain_go_error, runtime_env

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from bot.engine.classify import ModuleTexts
    from bot.engine.gomod import GoMod

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


class _Outcome:
    __slots__ = ("result", "texts")

    def __init__(self, result: ModuleResult, texts: ModuleTexts | None = None) -> None:
        self.result = result
        self.texts = texts


def make_go(options: RunOptions, root: Path | None = None) -> Go:
    """go in the environment ``bot.childenv.go_env`` builds: the options' GO* settings over the
    process environment over a committed ``go.env`` at the root (read only when the tree is
    trusted; an untrusted run pins every trust variable instead). A ``gotoolchain`` policy that
    would run a downloaded toolchain unchecked is refused here, before any go command."""
    from bot.childenv import go_env, layered_go_env, toolchain_problem

    base = os.environ if options.base_env is None else options.base_env
    committed = (root / "go.env") if root is not None else None
    tree_goenv = None
    if committed is not None and not options.untrusted and committed.is_file():
        tree_goenv = committed.read_text(encoding="utf-8", errors="replace")
    env = go_env(base, settings=options.env, tree_goenv=tree_goenv, untrusted=options.untrusted)
    env.update(runtime_env(_jobs(options), env))
    go = Go(env, gotoolchain=options.gotoolchain, go=base.get("TIDYBOT_GO") or None)
    problem = toolchain_problem(layered_go_env(go.env, go.binary()), options.gotoolchain)
    if problem:
        raise ConfigError(
            f"gotoolchain {options.gotoolchain} would run a Go toolchain that go downloads "
            f"without checking it against the checksum database ({problem})",
            hint="keep the checksum database on for golang.org/toolchain, or use gotoolchain: "
            "local",
        )
    return go


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
    mods = [
        m
        for m in discover_modules(root, options.include, options.exclude, scan)
        if options.config.is_included(m.dir)
    ]
    if not mods:
        extra = (
            " matching the --include/--exclude globs" if options.include or options.exclude else ""
        )
        config = options.config
        if (config.include or config.exclude) and discover_modules(
            root, options.include, options.exclude, scan
        ):  # there are modules: the config file's include/exclude globs leave none of them
            where = config.file or "the config file"
            raise UsageError(
                f"{root}: no module is selected by the include/exclude globs of {where}",
                hint=f"fix include: or exclude: in {where}, or remove them to check every module",
            )
        raise UsageError(
            f"{root}: no go.mod found{extra}",
            hint="run tidybot on a directory that contains Go modules",
        )
    return mods


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _toolchain_problem(go: Go, gomod: GoMod) -> str:
    """Hook: the gotoolchain policy cannot run this module's go line (a clear error), or ""."""
    policy = parse_toolchain_policy(go.gotoolchain)
    if policy is None:
        return ""
    where = f"{gomod.file}:{gomod.go_line}" if gomod.go_line else gomod.file
    problem = check_toolchain(policy, go.version(), gomod.go, gomod.toolchain, file=where)
    return problem.message if problem else ""


def _root_of(ref: ModuleRef) -> Path:
    if ref.dir == ".":
        return ref.path
    return ref.path.parents[len(ref.dir.split("/")) - 1]


def _check_module(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
    """The tidy check, then (for a module with vendor/modules.txt) the vendor check."""
    out = _check_tidy(go, ref, options)
    r = out.result
    if r.status not in (Status.CLEAN, Status.DRIFTED) or not is_vendored(ref.path):
        return out
    from bot.vendoring import check_vendoring

    vc = check_vendoring(go, _root_of(ref), ref.dir)
    found = [f for f in vc.findings if not _ignored(f, options)]
    if vc.error:
        r = replace(r, status=Status.ERROR, error=f"go mod vendor failed: {vc.error}")
    elif found:
        r = replace(r, status=Status.DRIFTED, findings=r.findings + tuple(found))
    return _Outcome(r, out.texts)


def _check_tidy(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
    start = time.monotonic()
    if ref.skip_reason:
        return _Outcome(ModuleResult(ref.dir, "", Status.SKIPPED, error=ref.skip_reason))
    settings = options.config.settings_for(ref.dir)
    if settings.skip:
        where = f"{options.config.file}:{settings.line}" if settings.line else options.config.file
        return _Outcome(
            ModuleResult(ref.dir, "", Status.SKIPPED, error=f"skipped by the config ({where})")
        )
    gomod_rel, gosum_rel = ref.rel("go.mod"), ref.rel("go.sum")
    try:
        current_mod = ref.gomod.read_text(encoding="utf-8")
        current_sum = _read(ref.path / "go.sum")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        return _Outcome(
            ModuleResult(ref.dir, "", Status.ERROR, error=f"{gomod_rel}: cannot read: {reason}")
        )
    # go starts before go.mod is parsed and checked here, so the two overlap; with another
    # policy than `local` go might fetch a toolchain, so the check comes first there. With
    # `local`, go stops at once on a go line it cannot run, and its run is dropped when this
    # side finds go.mod unreadable or the go line too new.
    early = go.gotoolchain == "local"
    args = ["mod", "tidy", "-diff", *_tidy_flags(ref, options)]
    proc = go.start(args, ref.path) if early else None
    from bot.engine.gomod import parse_and_format

    try:
        # one parse for both; the cache key may have parsed this text already
        gomod, formatted = parse_and_format(current_mod, gomod_rel)
        toolchain_error = _toolchain_problem(go, gomod)
    except BaseException as e:
        if proc is not None:
            proc.kill()
        if isinstance(e, ParseError):
            return _Outcome(ModuleResult(ref.dir, "", Status.ERROR, error=str(e)))
        raise
    if toolchain_error:
        if proc is not None:
            proc.kill()
        return _Outcome(ModuleResult(ref.dir, gomod.module, Status.ERROR, error=toolchain_error))
    res = (proc or go.start(args, ref.path)).wait()

    def elapsed() -> float:
        return time.monotonic() - start

    # go diffs against the canonical form of go.mod (``formatted``): a formatting-only
    # difference is not tidy drift for go, but `go mod tidy` (and `go mod edit -fmt`) would
    # still rewrite the file.
    diff_text = res.stdout
    if res.returncode == 0 and formatted == current_mod:
        return _Outcome(ModuleResult(ref.dir, gomod.module, Status.CLEAN, duration=elapsed()))
    # drift or an error: only now the diff and classification code (a clean module needs none)
    from bot.engine.classify import ModuleTexts, classify
    from bot.engine.udiff import DiffError, apply, split_diff, unified

    if res.returncode == 0:
        tidy_mod, tidy_sum = formatted, current_sum
        diff_text = unified("go.mod", current_mod, formatted)
    elif not res.stdout.strip():
        err = explain_go_error(res.stderr, go.gotoolchain)
        return _Outcome(
            ModuleResult(ref.dir, gomod.module, Status.ERROR, error=err, duration=elapsed())
        )
    else:
        diffs = split_diff(res.stdout)
        try:
            tidy_mod = (
                apply(_go_before(current_mod, gomod_rel), diffs["go.mod"])
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
    findings = [f for f in classify(texts, files, current=gomod) if not _ignored(f, options)]
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


def _go_before(text: str, file: str) -> str:
    """The go.mod text go's diff starts from: the file as ``modfile.Format`` prints what it
    parsed, before any change (blocks in their order, empty blocks kept), whereas ``formatted``
    is the canonical text (sorted blocks, as ``go mod edit -fmt`` writes). go: ``modload``'s
    ``UpdateGoModFromReqs`` formats the file before it sets the requirements."""
    from bot.engine.modfile import format_syntax, parse_syntax

    return format_syntax(parse_syntax(text, file))


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
        with open(f"{os.fspath(ref.path)}/go.mod", "rb") as f:
            return b"=>" in f.read()
    except OSError:
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


def _speedups(
    scan: TreeScan,
    mods: list[ModuleRef],
    go: Go,
    options: RunOptions,
    fn: _Fn,
    extra: dict[str, object],
) -> tuple[_Pre, _Fn, list[list[int]], Callable[[], None]]:
    """--since (skip what the changes cannot affect) and the result cache around ``fn``:

    * ``pre(ref)``: a module's outcome when it needs no go (left out by --since, or a cache
      hit), else None. Runs in the dispatching thread: keys are pure Python work, which
      threads only slow down (they take turns holding the GIL);
    * ``run``: ``fn`` for the rest, in the pool, storing clean results in the cache;
    * the waves modules run in (dependencies first, for fix);
    * ``finish``: what to do once every key is known (store the parse memo).

    Fills ``extra`` for the report."""
    root = scan.root
    cache = ResultCache(options.cache_dir) if options.cache_dir else None
    memo = cache.load_memo() if cache is not None else ParseMemo()
    selection = None
    if options.since:
        from bot.changes import select_since

        changes, selection = select_since(root, mods, options.since, memo, scan)
        chosen = sum(1 for m in mods if m.dir in selection)
        extra["since"] = {
            "ref": options.since,
            "base": changes.base,
            "changed_files": len(changes.changes),
            "selected": chosen,
            "not_affected": len(mods) - chosen,
        }
    keys = None
    if cache is not None:
        cache.prune_daily()  # entries unused for 30 days
        context = KeyContext(
            cache.go_version(go),
            __version__,
            go.env,
            (repr(options.config.ignore), go.gotoolchain),
        )
        keys = KeyBuilder(root, context, memo, scan.listings)
        extra["cache"] = {"dir": str(options.cache_dir), "stats": cache.stats}
    pending: dict[str, str] = {}  # module dir -> its key, for the modules go runs in

    def pre(ref: ModuleRef) -> _Outcome | None:
        if selection is not None and ref.dir not in selection:
            reason = f"not affected by the changes since {options.since}"
            return _Outcome(ModuleResult(ref.dir, "", Status.SKIPPED, error=reason))
        if cache is None or keys is None or ref.skip_reason or is_vendored(ref.path):
            return None  # vendored modules are always checked in full
        if options.config.settings_for(ref.dir).skip:
            return None
        key = keys.key(ref.dir, _tidy_flags(ref, options))
        hit = cache.get(key, ref.dir)
        if hit is not None:
            return _Outcome(hit)
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


def _telling(fn: _Fn, tell: Callable[[ModuleResult | None, int], None], total: int) -> _Fn:
    """``fn`` that also tells ``tell`` its result, in the worker, as soon as it has it."""

    def run(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
        out = fn(go, ref, options)
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
) -> tuple[Go, list[_Outcome], list[ModuleRef]]:
    root = scan.root
    mods = discover(root, options, scan)
    go = make_go(options, root)
    if options.cache_dir is None:
        go.version()  # fails early when go is missing or too old
    jobs = _jobs(options)
    pre, fn, waves, finish = _speedups(scan, mods, go, options, fn, {} if extra is None else extra)
    tell = options.progress
    if tell is not None:
        tell(None, len(mods))
        fn = _telling(fn, tell, len(mods))
    if dependencies_first:
        # a fix rewrites go.mod files that dependents read through local replaces
        from bot.changes import module_nodes
        from bot.engine.affected import fix_waves

        index = {m.dir: i for i, m in enumerate(mods)}
        waves = [[index[d] for d in w] for w in fix_waves(module_nodes(root, mods))]
        waves = [sorted(w, key=lambda i: -_schedule_weight(mods[i])) for w in waves]
    outcomes: list[_Outcome | None] = [None] * len(mods)
    workers: _Workers | None = None  # made for the first module that needs go
    try:
        for n, wave in enumerate(waves, 1):
            jobs_of_wave = {}
            for i in wave:  # a module that needs go starts as soon as its key is known
                done = pre(mods[i])
                if done is not None:
                    outcomes[i] = done
                    if tell is not None:
                        tell(done.result, len(mods))
                    continue
                if workers is None:
                    go.ready()  # here, not in the first worker: it would share the GIL with keys
                    workers = _Workers(jobs)
                jobs_of_wave[i] = workers.submit(fn, go, mods[i], options)
            if n == len(waves):
                finish()  # every key is known: done while the last go commands run
            for i, job in jobs_of_wave.items():
                outcomes[i] = job.outcome()
    finally:
        if workers is not None:
            workers.close()
    if not waves:
        finish()
    return go, [o for o in outcomes if o is not None], mods


def _merge_workspaces(
    go: Go, scan: TreeScan, results: list[ModuleResult], options: RunOptions
) -> tuple[list[ModuleResult], list[Finding]]:
    """`go work sync` findings (computed in a scratch copy) joined to the modules they are about;
    the rest (go.work itself, a failed sync) are findings of the report."""
    root = scan.root
    by_dir = {r.dir: i for i, r in enumerate(results)}
    loose: list[Finding] = []
    for gowork in find_workspaces(root, scan):
        from bot.workspace import check_workspace

        wc = check_workspace(go, root, gowork)
        if wc.error:
            loose.append(
                Finding(
                    wc.gowork.rsplit("/", 1)[0] if "/" in wc.gowork else ".",
                    wc.gowork,
                    None,
                    "work-sync",
                    Severity.ERROR,
                    "go work sync could not run",
                    wc.error,
                )
            )
        for f in wc.findings:
            if _ignored(f, options):
                continue
            i = by_dir.get(f.module_dir)
            if i is None or f.file.endswith(("go.work", "go.work.sum")):
                loose.append(f)
                continue
            r = results[i]
            if r.status in (Status.CLEAN, Status.DRIFTED):
                results[i] = replace(r, status=Status.DRIFTED, findings=(*r.findings, f))
    return results, loose


def check(root: Path, options: RunOptions) -> Report:
    start = time.monotonic()
    extra: dict[str, object] = {}
    scan = scan_tree(_check_root(root))  # the one walk of the tree
    go, outcomes, _ = _run_all(scan, options, _check_module, extra)
    results, loose = _merge_workspaces(go, scan, [o.result for o in outcomes], options)
    return Report(
        root=str(root),
        command="check",
        modules=tuple(results),
        findings=tuple(loose),
        go_version=go.version(),
        tool_version=__version__,
        duration=time.monotonic() - start,
        extra=_finish_extra(extra),
    )


def _fix_module(go: Go, ref: ModuleRef, options: RunOptions) -> _Outcome:
    out = _check_module(go, ref, options)
    if out.result.status is not Status.DRIFTED:
        return out
    gomod_p, gosum_p = ref.gomod, ref.path / "go.sum"
    before = {p: (p.read_bytes() if p.exists() else None) for p in (gomod_p, gosum_p)}
    changed: list[str] = []
    if out.texts is not None:
        t = out.texts
        for p, old, new, rel in (
            (gomod_p, t.current_mod, t.tidy_mod, t.gomod_file),
            (gosum_p, t.current_sum, t.tidy_sum, t.gosum_file),
        ):
            if old != new and not (new == "" and not p.exists()):
                atomic_write(p, new.encode("utf-8"))
                changed.append(rel)
    verify = go.run(["mod", "tidy", "-diff", *_tidy_flags(ref, options)], ref.path)
    if verify.returncode != 0:
        # the diff-derived texts were not enough (or unavailable): let go write the files itself
        tidy = go.run(["mod", "tidy", *_tidy_flags(ref, options)], ref.path)
        if tidy.returncode != 0:
            for p, data in before.items():
                if data is None:
                    p.unlink(missing_ok=True)
                else:
                    atomic_write(p, data)
            err = explain_go_error(tidy.stderr, go.gotoolchain)
            return _Outcome(replace(out.result, status=Status.ERROR, error=err))
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
    return _Outcome(
        replace(out.result, status=Status.CLEAN, fixed=True, changed_files=tuple(changed)),
        out.texts,
    )


def _fix_workspaces(scan: TreeScan, options: RunOptions) -> tuple[list[str], list[Finding]]:
    """`go work sync` in every workspace, before the modules are tidied with GOWORK=off."""
    changed: list[str] = []
    errors: list[Finding] = []
    root = scan.root
    workspaces = find_workspaces(root, scan)
    if not workspaces:
        return changed, errors
    go = make_go(options, root)
    for gowork in workspaces:
        from bot.workspace import fix_workspace

        paths, err = fix_workspace(go, root, gowork)
        changed.extend(paths)
        if err:
            rel = gowork.relative_to(root).as_posix()
            errors.append(
                Finding(".", rel, None, "work-sync", Severity.ERROR, "go work sync failed", err)
            )
    return changed, errors


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
    synced, ws_errors = _fix_workspaces(scan, options)
    go, outcomes, _ = _run_all(scan, options, _fix_module, extra, dependencies_first=True)
    results = [o.result for o in outcomes]
    dirs = [r.dir for r in results]
    for path in synced:
        i = dirs.index(owner) if (owner := _owner(path, dirs)) is not None else None
        if i is not None and path not in results[i].changed_files:
            r = results[i]
            results[i] = replace(r, fixed=True, changed_files=(*r.changed_files, path))
    if synced:
        extra["workspace_sync_changed"] = sorted(synced)
    return Report(
        root=str(root),
        command="fix",
        findings=tuple(ws_errors),
        modules=tuple(results),
        go_version=go.version(),
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
