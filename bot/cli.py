"""Command line: `tidybot check|fix|verify|action`. Composition root and the one error handler."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from bot import __version__
from bot.engine.model import Report
from bot.errors import ConfigError, ExitCode, TidybotError, UsageError
from bot.exitcodes import exit_code
from bot.fsutil import atomic_write
from bot.options import (
    CLI_TOOLCHAIN_SETTING,
    Request,
    Resolved,
    check_globs,
    resolve,
    toolchain_value,
)
from bot.record import replace
from bot.report import FORMATS, render
from bot.report.base import Where
from bot.secrets import Secrets

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from typing import NoReturn

    from bot.progress import Progress

#: What ``--help`` says after the options: the environment and the exit codes.
ENVIRONMENT = """\
environment:
  TIDYBOT_GO             the go binary to run (default: go on PATH)
  TIDYBOT_GOTOOLCHAIN    GOTOOLCHAIN policy when --gotoolchain is not given
  TIDYBOT_GO_TIMEOUT     seconds each go command may run (default 900, at most 86400)
  TIDYBOT_CACHE_DIR      the result cache when --cache-dir is not given
  TIDYBOT_PRIVATE_TOKEN  token for the private hosts the config names (never an argument)
  GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS, ...
                         passed to go as you set them (GOWORK is always off for tidy)
  GITHUB_ACTIONS=true    progress in a collapsed ::group:: of the job log
  GITHUB_WORKSPACE       paths for GitHub start here when the checkout has no .git

exit codes:
  0    clean (for fix: every drifted module was fixed)
  1    drift found (for verify: a go.sum line failed its check)
  2    a module could not be checked, or bad usage or configuration
  3    a bug in tidybot (a traceback is printed)
  130  interrupted (Ctrl-C, SIGINT or SIGTERM)
"""

BUG_REPORT = (
    "This is a bug in tidybot, not in your repository. Please report it with the traceback "
    "above on the tidybot issue tracker (README.md, 'Reporting bugs')."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}", hint=f"see `{self.prog} --help`")


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return n


def _loudness(p: argparse.ArgumentParser) -> None:
    """--quiet / --verbose: how much goes to stderr while the run goes on, and how much of a
    long error or of the modules --since left out the text report lists."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    g.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="progress for every module; the text report in full (go's whole errors, and "
        "for check and fix every module --since left out)",
    )


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", default=".", help="the checkout to look at (default: .)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format")
    p.add_argument("--output", "-o", metavar="FILE", help="also write the report to FILE")
    _loudness(p)
    p.add_argument(
        "--jobs", "-j", type=_jobs, default=None, help="modules checked at once (default: CPUs)"
    )
    p.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only modules whose directory matches (repeatable)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip modules whose directory matches (repeatable)",
    )
    p.add_argument(
        "--gotoolchain",
        default=None,
        help="GOTOOLCHAIN for go: local (default), auto, or a version like go1.25.3",
    )
    p.add_argument("--show-diff", action="store_true", help="text format: print the diffs")
    p.add_argument(
        "--since",
        metavar="REF",
        default=None,
        help="only the modules the changes since the merge base of REF and HEAD can affect",
    )
    p.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=None,
        help="keep clean results (and go.work checks) in DIR and skip modules and go.work "
        "checks whose inputs are unchanged (default: $TIDYBOT_CACHE_DIR, else no cache)",
    )
    _trust(p)


def _trust(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--untrusted",
        action="store_true",
        help="the tree is someone else's code (a pull request): its go.env and the config "
        "keys gotoolchain and private: are not read (automatic in GitHub Actions on "
        "pull_request, pull_request_target, issue_comment and workflow_run events)",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="read the config from FILE instead of the tree's .github/tidybot.yml (trusted: "
        "its gotoolchain and private: apply even with --untrusted)",
    )


def _verify_options(v: argparse.ArgumentParser) -> None:
    """The options of ``tidybot verify``."""
    v.add_argument("path", nargs="?", default=".", help="the checkout to look at (default: .)")
    v.add_argument("--format", choices=FORMATS, default="text", help="output format")
    v.add_argument("--output", "-o", metavar="FILE", help="also write the report to FILE")
    _loudness(v)
    v.add_argument("--jobs", "-j", type=_jobs, default=8, help="lookups at once (default: 8)")
    v.add_argument(
        "--cache",
        action="store_true",
        help="also rehash the module cache's copies of the modules go.sum lists",
    )
    v.add_argument(
        "--base",
        metavar="REF",
        help="flag hashes recorded at REF (the PR's base) that the tree changes",
    )
    _trust(v)
    v.set_defaults(show_diff=False)


COMMANDS = ("check", "fix", "action", "org-audit", "verify")


def build_parser(*, command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line (``command`` None); with ``command`` one of :data:`COMMANDS`,
    only that subcommand: argparse dispatches on the name, so the others are not needed to
    parse its arguments, and each parser costs three look-ups of argparse's translations
    (gettext: about 0.15 ms each; a check built 6 parsers). A check neither imports the audit
    code nor builds another command's options. Anything else (``--help``, a word that is no
    command) lists every command by name, for the help and the error."""
    parser = _Parser(
        prog="tidybot",
        description="Keeps every Go module of a repository tidy.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tidybot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def listed(name: str) -> bool:  # a parser of its own
        return command not in COMMANDS or command == name

    def full(name: str) -> bool:  # and its options (help lists the commands by name)
        return command is None or command == name

    raw = argparse.RawDescriptionHelpFormatter
    for name, help_text in (
        ("check", "report what go mod tidy would change, per module"),
        ("fix", "run go mod tidy in every drifted module"),
    ):
        if listed(name):
            p = sub.add_parser(name, help=help_text, epilog=ENVIRONMENT, formatter_class=raw)
            if full(name):
                _common(p)
    if listed("action"):
        sub.add_parser("action", help="the GitHub Action: reads INPUT_* and GITHUB_* variables")
    if full("org-audit"):
        from bot.orgaudit import add_parser as add_org_audit

        add_org_audit(sub)
    elif listed("org-audit"):
        sub.add_parser("org-audit", help="audit every Go repository of an organisation")
    if listed("verify"):
        v = sub.add_parser(
            "verify",
            help="prove every go.sum line against the checksum database",
            epilog=ENVIRONMENT,
            formatter_class=raw,
        )
        if full("verify"):
            _verify_options(v)
    return parser


def _resolve(args: argparse.Namespace, root: Path, seen: Where | None = None) -> Resolved:
    """The command line over the config file over the defaults (``bot.options``). ``seen``:
    where the report is read, to name the tree's config file in an error from there."""
    from bot.options import tree_is_untrusted

    include = check_globs("--include", tuple(getattr(args, "include", ())))
    exclude = check_globs("--exclude", tuple(getattr(args, "exclude", ())))
    since = getattr(args, "since", None)
    if since is not None and not since.strip():  # `--since "$BASE"` with BASE empty or unset
        raise UsageError(
            f"--since {since!r}: empty ref",
            hint="give a git ref such as origin/main; to check every module, leave --since out "
            '(in a script: ${BASE:+--since "$BASE"})',
        )
    gotoolchain = getattr(args, "gotoolchain", None) or os.environ.get("TIDYBOT_GOTOOLCHAIN", "")
    where = "--gotoolchain" if getattr(args, "gotoolchain", None) else "TIDYBOT_GOTOOLCHAIN"
    override = None
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            why = "is a directory, not a file" if path.is_dir() else "no such file"
            raise UsageError(f"--config {args.config}: {why}", hint="name a tidybot config file")
        from bot.config import parse_config

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"--config {args.config}: cannot read it: {e}") from None
        override = parse_config(text, str(path))
    untrusted = tree_is_untrusted(os.environ.get("GITHUB_EVENT_NAME"), forced=args.untrusted)
    request = Request(
        jobs=getattr(args, "jobs", None),
        include=include,
        exclude=exclude,
        gotoolchain=toolchain_value(gotoolchain, where),
        gotoolchain_setting=CLI_TOOLCHAIN_SETTING,
        since=since,
        cache_dir=_cache_dir(args),
        untrusted=untrusted,
        config_override=override,
    )
    try:
        resolved = resolve(root, request, os.environ)
    except ConfigError as e:  # the tree's config file, named from where tidybot ran
        if seen is not None and e.file and e.file != args.config and e.message.startswith(e.file):
            e.message = seen.here(e.file) + e.message[len(e.file) :]
        raise
    from bot.report.escape import terminal_text

    for text in resolved.notices:
        print(terminal_text(f"tidybot: note: {text}"), file=sys.stderr)
    return resolved


def _cache_dir(args: argparse.Namespace) -> Path | None:
    """``--cache-dir`` or ``$TIDYBOT_CACHE_DIR``; a leading ``~`` is the home directory, as a
    shell would have it (pre-commit and CI ``args:`` lists pass arguments without a shell)."""
    value = getattr(args, "cache_dir", None) or os.environ.get("TIDYBOT_CACHE_DIR", "")
    return Path(value).expanduser() if value.strip() else None


def _emit(report: Report, args: argparse.Namespace, where: Where) -> None:
    from bot.report.escape import stdout_report

    out = render(report, args.format, show_diff=args.show_diff, where=where, verbose=args.verbose)
    sys.stdout.write(stdout_report(out, args.format))  # a CI log reads it: no command in it
    if args.output:
        target = Path(args.output)
        try:
            atomic_write(target, out.encode("utf-8"))
        except OSError as e:
            raise UsageError(f"{target}: cannot write the report: {e.strerror or e}") from e


def check_output_path(value: str | None) -> None:
    """``-o FILE`` can be written, checked before the run (a check can take minutes): its
    directory exists and is a directory, and FILE is not a directory."""
    if not value:
        return
    target = Path(value)
    parent = target.parent
    if target.is_dir():
        raise UsageError(f"-o {value}: is a directory", hint="name a file to write the report to")
    if not parent.is_dir():
        why = "is not a directory" if parent.exists() else "does not exist"
        raise UsageError(
            f"-o {value}: the directory {parent} {why}",
            hint="create it first, or write the report somewhere else",
        )
    if not os.access(parent, os.W_OK):
        raise UsageError(f"-o {value}: the directory {parent} is not writable")


def _selection(args: argparse.Namespace) -> tuple[str, ...]:
    """The flags that change what a fix does, as given: a suggested ``tidybot fix`` repeats
    them, so that it fixes the modules the report is about, as the check checked them. Those
    that choose the modules (``--include``, ``--exclude``, ``--since``, and ``--config``, whose
    file also holds the include/exclude globs and the modules' tidy flags) and those that
    change how go runs (``--gotoolchain``; ``--untrusted``, which leaves out the tree's
    gotoolchain, private: and go.env). The others only change how the report is shown or how
    fast it comes (``--format``, ``--jobs``, ``--cache-dir`` ...)."""
    out: list[str] = []
    for g in getattr(args, "include", None) or ():
        out += ["--include", g]
    for g in getattr(args, "exclude", None) or ():
        out += ["--exclude", g]
    if getattr(args, "since", None):
        out += ["--since", args.since]
    if getattr(args, "config", None):
        out += ["--config", args.config]
    if getattr(args, "gotoolchain", None):
        out += ["--gotoolchain", args.gotoolchain]
    if getattr(args, "untrusted", False):
        out.append("--untrusted")
    return tuple(out)


def where_of(root: Path, given: str, env: Mapping[str, str]) -> Where:
    """Where the checked directory ``root`` (``given`` on the command line) is: relative to its
    repository's top level (the nearest directory above it with a ``.git``, else
    ``GITHUB_WORKSPACE`` when it is inside it, else itself), and as the user named it."""
    local = os.path.normpath(given) if given else "."
    try:
        real = root.resolve()
    except OSError:
        return Where(local=local)
    top = next((p for p in (real, *real.parents) if (p / ".git").exists()), None)
    if top is None and env.get("GITHUB_WORKSPACE"):
        ws = Path(env["GITHUB_WORKSPACE"]).resolve()
        top = ws if ws == real or ws in real.parents else None
    if top is None:
        return Where(local=local)
    rel = real.relative_to(top).as_posix()
    return Where(repo=rel or ".", local=local, top_uri=top.as_uri().rstrip("/") + "/")


def _verify(root: Path, args: argparse.Namespace, where: Where) -> Report:
    from bot.basesums import base_sums
    from bot.verify.command import run_verify

    if not root.is_dir():
        raise UsageError(f"{root}: no such directory", hint="pass the path of a checkout")
    from bot.runner import make_go

    resolved = _resolve(args, root, where)
    config = resolved.config
    env = make_go(resolved.options, root).env  # what go would verify with
    if args.base is not None and not args.base.strip():  # `--base "$BASE"` with BASE empty
        raise UsageError(
            f"--base {args.base!r}: empty ref",
            hint="give the pull request's base, such as origin/main; to verify without one, "
            'leave --base out (in a script: ${BASE:+--base "$BASE"})',
        )
    base = base_sums(root, args.base) if args.base else None
    out = run_verify(
        root,
        env=env,
        cache_check=args.cache,
        jobs=args.jobs,
        base_ref_sums=base,
        workdir=where.local,  # its fix commands are pasted where tidybot ran
    )
    if not out.files:
        from bot.engine.discover import scan_tree

        if not scan_tree(root).gomod_dirs:  # a wrong directory, as check says it
            raise UsageError(
                f"{root}: no go.mod found, so no go.sum to verify",
                hint="run tidybot verify on a directory that contains Go modules",
            )
    findings = [f for f in out.findings if not config.is_ignored(f)]
    files = len(out.files)
    return Report(
        root=str(root),
        command="verify",
        modules=(),
        tool_version=__version__,
        findings=tuple(sorted(findings, key=lambda f: (f.file, f.line or 0, f.id))),
        duration=out.duration,
        extra={
            "verify": {
                "summary": out.summary,
                "database": out.database,
                "files": files,
                "lines": out.lines,
                "verified": out.verified,
                "skipped": dict(out.skipped),
                "errors": out.errors,
                "warnings": out.warnings,
                "lookups": out.lookups,
                "requests": out.requests,
                "cache_hits": out.cache_hits,
            }
        },
    )


def run(argv: Sequence[str], secrets: Secrets | None = None) -> int:
    from bot.secrets import take

    argv = list(argv)
    secrets = secrets if secrets is not None else take(os.environ, argv)
    parser = build_parser(command=argv[0] if argv else "")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.ERROR
    if args.command == "action":
        from bot.action import main as action_main

        return action_main(os.environ, secrets=secrets)
    if args.command == "org-audit":
        from bot.orgaudit import run_cli as org_audit

        return org_audit(args, environ={**os.environ, **secrets.values})
    root = Path(args.path)
    check_output_path(args.output)
    where = replace(where_of(root, args.path, os.environ), selection=_selection(args))
    if args.command == "verify":
        report = _verify(root, args, where)
        _emit(report, args, where)
        return exit_code(report)
    resolved = _resolve(args, root, where)
    from bot.options import private_env

    # TIDYBOT_PRIVATE_TOKEN (never an argument: it would show in process lists) gives go and
    # git access to the private hosts the resolved config names, for this run only; go and git
    # never see the variable itself
    token = secrets.get("TIDYBOT_PRIVATE_TOKEN")
    with (
        private_env(resolved.config, token, os.environ, given_as="TIDYBOT_PRIVATE_TOKEN") as access,
        contextlib.ExitStack() as stack,
    ):
        from bot.runner import check, fix

        options = resolved.options
        if access:
            options = replace(options, base_env={**os.environ, **access})
        options = replace(options, notice=_notice())
        progress = _progress(args, where)
        if progress is not None:
            stack.callback(progress.close)
            options = replace(options, progress=progress)
        if args.command == "check":
            report = check(root, options)
        elif args.command == "fix":
            report = fix(root, options)
        else:  # pragma: no cover - argparse rejects unknown commands
            raise UsageError(f"unknown command {args.command}")
    _emit(report, args, where)
    return exit_code(report)


def _notice() -> Callable[[str], None]:
    """Prints a note of the run on stderr, each one once."""
    from bot.report.escape import terminal_text

    said: set[str] = set()

    def notice(text: str) -> None:
        if text not in said:
            said.add(text)
            print(terminal_text(f"tidybot: note: {text}"), file=sys.stderr)

    return notice


def _progress(args: argparse.Namespace, where: Where) -> Progress | None:
    """What stderr shows while modules are checked (bot.progress)."""
    from bot.progress import progress_for

    verb = "fixing" if args.command == "fix" else "checking"
    return progress_for(
        sys.stderr, os.environ, quiet=args.quiet, verbose=args.verbose, where=where, verb=verb
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    runner: Callable[[Sequence[str]], int] | None = None,
    secrets: Secrets | None = None,
) -> int:
    """The one top-level handler: user errors print one line, crashes a traceback (exit 3)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        with _sigterm_interrupts():
            if runner is not None:
                return runner(args)
            return run(args, secrets)
    except TidybotError as e:
        from bot.report.escape import terminal_text  # a message may name the tree's files

        print(terminal_text(f"tidybot: error: {e}"), file=sys.stderr)
        return int(e.exit_code)
    except KeyboardInterrupt as e:
        from bot.toolchain import stop_all

        stop_all()  # a go command still running (a workspace sync in its thread) stops too
        written = getattr(e, "written", ())  # bot.errors.Interrupted: a fix stopped midway
        if written:
            from bot.report.escape import terminal_text  # the files are the tree's

            print(
                terminal_text(
                    f"tidybot: interrupted; written before the stop, each module whole: "
                    f"{', '.join(written)}; every other file is as it was"
                ),
                file=sys.stderr,
            )
        else:
            print("tidybot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return int(ExitCode.CLEAN)
    except Exception:
        import traceback  # only for a crash

        from bot.report.escape import terminal_text

        print(terminal_text(traceback.format_exc()), file=sys.stderr, end="")
        print(f"tidybot: internal error. {BUG_REPORT}", file=sys.stderr)
        return int(ExitCode.BUG)


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, ``docker stop`` of the action's container, where tidybot is
    process 1 and a signal without a handler does nothing) stops a run as Ctrl-C does: exit 130,
    every go command stopped (``bot.toolchain.stop_all``), an org-audit's state file kept."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` once the output is flushed, skipping the interpreter's
    teardown (freeing every module and object: ~11 ms here, a tenth of a run answered from
    the cache), as mypy does. Every file tidybot writes is closed by then and every pool shut
    down; should a thread still be running, the normal exit waits for it instead."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # a closed pipe: nothing more can be said
        pass
    import threading

    main_thread = threading.main_thread()
    if all(t is main_thread or t.daemon or not t.is_alive() for t in threading.enumerate()):
        os._exit(code)
    sys.exit(code)


def entry() -> NoReturn:
    """The ``tidybot`` command: the secrets out of the environment first (``bot.secrets``)."""
    from bot.secrets import isolate

    secrets = isolate(sys.argv[1:])
    exit_now(main(secrets=secrets))
