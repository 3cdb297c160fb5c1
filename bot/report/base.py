"""What every renderer shares: where paths point, the fix command of a finding, and how a long
go error is told short. Pure: no file is read and no process started here."""

from __future__ import annotations

import re
import shlex

from bot.engine.affected import ModuleNode, tidy_order
from bot.engine.model import Finding, ModuleResult, Report, Severity, Status
from bot.lazy import lazy_pattern
from bot.record import record

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see bot/lazy.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import ClassVar, Protocol

    class Renderer(Protocol):
        """What every renderer class is (a type only: nothing checks it at run time)."""

        name: ClassVar[str]

        def render(self, report: Report) -> str: ...


#: The project's home; the README's finding anchors are under it (SARIF ``helpUri``).
HOME = "https://github.com/tidybot/tidybot"

#: A module's status as the Markdown tables show it (the summary, the comment, the org-audit
#: report; a ``Status`` is a ``str``, so its value looks it up too).
STATUS_LABEL: dict[str, str] = {
    Status.CLEAN: "✅ clean",
    Status.DRIFTED: "❌ drifted",
    Status.ERROR: "⚠️ error",
    Status.SKIPPED: "⏭️ skipped",
}


def join(base: str, path: str) -> str:
    """``path`` (relative, ``/``-separated, ``.`` for the base itself) below ``base``."""
    base = base.rstrip("/") if base not in ("/", "") else base
    if base in (".", ""):
        return path or "."
    if path in (".", ""):
        return base
    return f"{base}/{path}" if base != "/" else f"/{path}"


@record
class Where:
    """Where the checked directory is, so that every path a renderer prints points at the
    right file from where it is read.

    ``repo``: the checked directory relative to the repository's top level (``.`` at the top).
    GitHub resolves annotation and SARIF paths, and readers of a comment or job summary read
    paths, from the top level, whatever directory was checked.
    ``local``: the checked directory as given on the command line (normalised): commands
    printed for a terminal are pasted where the command ran, so their paths start with it.
    ``top_uri``: the top level as a ``file://`` URI ending in ``/`` (SARIF's ``%SRCROOT%``),
    ``""`` when not known.
    ``selection``: the command line's options that change what a fix does (``--include X``,
    ``--exclude Y``, ``--since REF``, ``--config FILE``, ``--gotoolchain V``, ``--untrusted``,
    as given), repeated in the ``tidybot fix`` a report suggests, so that it fixes the modules
    the report is about, and no others, as the check checked them.
    """

    repo: str = "."
    local: str = "."
    top_uri: str = ""
    selection: tuple[str, ...] = ()

    def in_repo(self, path: str) -> str:
        return join(self.repo, path)

    def here(self, path: str) -> str:
        return join(self.local, path)

    def _here_match(self, m: re.Match[str]) -> str:
        lead, path = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5) if m.group(i + 1))
        return lead + self.here(path)

    def here_in(self, text: str) -> str:
        """One of tidybot's own texts with the files it names from the checked directory
        (``svc/go.mod:7: syntax error``, ``test file svc/x_test.go:3 imports ...``,
        ``skipped by the config (.github/tidybot.yml:2)``) named from where tidybot ran, as
        :meth:`here` names a finding's file. Only those three shapes are read: a file that
        starts the text, the file a missing requirement's why names, and a config file in
        parentheses; go's own words (its paths are absolute or its module's) are left alone."""
        if self.local in (".", ""):
            return text
        first, nl, rest = text.partition("\n")  # go's lines after tidybot's are go's own
        first = _OWN_PATHS().sub(self._here_match, first)
        return first + nl + rest


#: The files tidybot's own texts name from the checked directory (see ``Where.here_in``): a
#: go.mod, go.sum, go.work, modules.txt or config file that starts the text (go's own first
#: lines name a Go file relative to its module, ``main.go:3:8: ...``, and are not read), a Go
#: file after "file " (a missing requirement's why), a config file after "config (".
_FILE = r"(?!/)[^\s:()]*?"
_OWN_PATHS = lazy_pattern(
    rf"(^)({_FILE}(?:go\.mod|go\.sum|go\.work|go\.work\.sum|modules\.txt|tidybot\.ya?ml))(?=:)"
    rf"|(^(?:test )?file )({_FILE}\.go)(?=:\d+ imports )"
    rf"|(^skipped by the config \()({_FILE}tidybot\.ya?ml)(?=[:)])"
)


# -- fix commands ------------------------------------------------------------------------------

#: Findings that `go mod tidy` repairs (it also writes go.mod the way `go mod edit -fmt` does).
TIDY_FINDINGS = frozenset(
    {
        "missing-require",
        "unused-require",
        "indirect-mismatch",
        "version-change",
        "go-directive",
        "missing-sum",
        "stale-sum",
        "format",
    }
)


_CHECKED = (Status.CLEAN, Status.DRIFTED)

#: Findings whose repair changes the requirements of a module's go.mod, which the modules that
#: replace it locally read: their build lists move with its fix.
_MOVING = frozenset({"missing-require", "unused-require", "version-change", "go-directive"})


def _moves(f: Finding) -> bool:
    return f.id in _MOVING and f.severity is not Severity.NOTE


def _steps(findings: Iterable[Finding]) -> list[str]:
    """The go commands (in the order to run them) that repair ``findings``, all about one
    directory: a module's, or a go.work's."""
    sync = tidy = False
    vendor = ""
    for f in findings:
        if f.severity is Severity.NOTE:
            continue  # a note fails nothing and `tidybot fix` leaves it (work_sync: report)
        if f.id in TIDY_FINDINGS:
            tidy = True
        elif f.id == "work-sync":
            sync = True
            # a module's go.mod/go.sum: the sync raises its requirements, tidy then settles them
            tidy = tidy or not f.file.endswith(("go.work", "go.work.sum"))
        elif f.id == "vendor":
            # a workspace's vendor/ is written by `go work vendor`; a module's by `go mod
            # vendor`, which refuses to run in workspace mode (a go.work above the module)
            vendor = "work vendor" if f.message.startswith("go work vendor") else "mod vendor"
    steps = ["work sync"] if sync else []
    steps += ["mod tidy"] if tidy else []
    steps += [vendor] if vendor else []
    return steps


def gowork_value(work_file: str) -> str:
    """``work_file`` (a go.work as the reader reaches it) as a shell word for ``GOWORK=``. go
    takes only an absolute path there ("invalid GOWORK: not an absolute path"), so a relative
    one is made absolute by the shell where the command is pasted: ``"$PWD"/ws/go.work``."""
    quoted = shlex.quote(work_file)
    return quoted if work_file.startswith("/") else f'"$PWD"/{quoted}'


def fix_command(
    path: str, findings: Iterable[Finding], tidy_flags: Sequence[str] = (), work_file: str = ""
) -> str:
    return " && ".join(_fix_parts(path, findings, tidy_flags, work_file))


def _fix_parts(
    path: str, findings: Iterable[Finding], tidy_flags: Sequence[str] = (), work_file: str = ""
) -> list[str]:
    """The one shell line that repairs ``findings`` (all about the directory ``path``, as the
    reader reaches it), using go only: ``go -C path mod tidy``, ``GOWORK="$PWD"/ws/go.work go
    work sync && go -C path mod tidy``, ``GOWORK=off go -C path mod vendor`` ... ``""`` when no
    go command repairs them (verify's findings, a go.mod that does not parse). ``tidy_flags``:
    the config's flags for the module (``ModuleResult.tidy_flags``), given to ``go mod tidy`` as
    tidybot gives them. ``work_file``: the go.work (as the reader reaches it) the workspace
    steps are about, named by ``GOWORK`` so that they work where GOWORK=off is set (CI often
    sets it; then ``go work sync`` finds no go.work); without it they run in ``path``. Paths
    and flags are quoted for a POSIX shell."""
    return _commands(path, _steps(findings), tidy_flags, work_file)


def _commands(
    path: str,
    steps: Iterable[str],
    tidy_flags: Sequence[str] = (),
    work_file: str = "",
    *,
    word: str = "",
) -> list[str]:
    """The shell lines of go's ``steps`` (``_steps``) in the module at ``path``, or at the shell
    ``word`` given instead (a loop's ``"$d"``)."""
    at = f"-C {word} " if word else "" if path in (".", "") else f"-C {shlex.quote(path)} "
    out = []
    for step in steps:
        if step.startswith("work ") and work_file:
            out.append(f"GOWORK={gowork_value(work_file)} go {step}")
            continue
        env = "GOWORK=off " if step == "mod vendor" else ""
        flags = "".join(f" {shlex.quote(f)}" for f in tidy_flags) if step == "mod tidy" else ""
        out.append(f"{env}go {at}{step}{flags}")
    return out


def _work_file_of(findings: Iterable[Finding]) -> str:
    """The go.work that findings about its own directory (go.work, go.work.sum, a workspace's
    vendor/) are about, ``""`` when none is."""
    for f in findings:
        workspace_vendor = f.id == "vendor" and f.message.startswith("go work vendor")
        if f.file.endswith(("go.work", "go.work.sum")) or workspace_vendor:
            top = f.module_dir
            return "go.work" if top in (".", "") else f"{top}/go.work"
    return ""


_GO_HINT = lazy_pattern(r"^(\s+)go (?=[a-z])")  # go indents the commands it suggests


def go_hints_at(error_line: str, path: str) -> str:
    """A line of go's error that is a command go suggests (indented: ``\tgo get example.com/x``,
    ``\tgo mod edit -module=example.com/mod``) made to run from where the reader is: go wrote
    it for the module's directory, so it gets ``-C path`` (as :func:`fix_command` does).
    tidybot's own words (``go mod vendor failed: ...``) start a line and are left alone."""
    if path in (".", ""):
        return error_line
    return _GO_HINT().sub(lambda m: f"{m.group(1)}go -C {shlex.quote(path)} ", error_line, count=1)


def fix_commands(report: Report, place: Callable[[str], str]) -> list[str]:
    """The go commands that repair every drifted module and workspace of ``report``, one line
    each, workspaces first (their sync changes the modules' go.mod files), then the modules in
    the order ``tidybot fix`` tidies them (``bot.engine.affected.tidy_order`` over the
    modules' ``replaces``: each after the modules it replaces locally, with the modules, tidy
    now or not, that read the go.mod of one whose fix changes its requirements).
    ``place`` turns a path relative to the checked directory into one the reader can use
    (``Where.here`` for a terminal, ``Where.in_repo`` for GitHub)."""
    loose: dict[str, list[Finding]] = {}
    for f in report.findings:
        loose.setdefault(f.module_dir, []).append(f)
    parts = [
        _fix_parts(place(d), fs, work_file=place(w) if (w := _work_file_of(fs)) else "")
        for d, fs in sorted(loose.items())
    ]
    by_dir = {m.dir: m for m in report.modules}
    for wave in tidy_order(
        [ModuleNode(m.dir, m.replaces) for m in report.modules if m.status in _CHECKED],
        [m.dir for m in report.drifted],
        [m.dir for m in report.drifted if any(_moves(f) for f in m.findings)],
    ):
        # the drifted modules of a wave, then the tidy ones that follow a fix before them
        # (as many as there are: one loop for those that take the same steps)
        tidy: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        for d, follows in wave:
            m = by_dir[d]
            if m.status is not Status.DRIFTED:
                tidy.setdefault((m.tidy_flags, m.vendored), []).append(place(d))
                continue
            steps = _steps(m.findings)
            if follows:  # it reads the go.mod of one fixed before it: tidied (and vendored) again
                vendor = [s for s in steps if s.endswith(" vendor")]
                steps = [s for s in steps if s == "work sync"] + ["mod tidy"]
                steps += vendor or (["mod vendor"] if m.vendored else [])
            work_file = place(m.work_file) if m.work_file else ""
            parts.append(_commands(place(d), steps, m.tidy_flags, work_file))
        for (flags, vendored), paths in tidy.items():
            steps = ["mod tidy", "mod vendor"] if vendored else ["mod tidy"]
            if len(paths) == 1:
                parts.append(_commands(paths[0], steps, flags))
                continue
            each = " && ".join(_commands("", steps, flags, word='"$d"'))
            words = " ".join(shlex.quote(p) for p in paths)
            parts.append([f"for d in {words}; do {each}; done"])
    synced: set[str] = set()  # a go.work's sync writes every module of it: once, first
    lines = []
    for steps in parts:
        kept = [p for p in steps if not (p in synced and p.startswith("GOWORK="))]
        synced.update(p for p in steps if p.startswith("GOWORK="))
        lines.append(" && ".join(kept))
    return [ln for ln in dict.fromkeys(lines) if ln]  # once each, in order


def tidybot_fix(path: str, selection: Sequence[str] = ()) -> str:
    """The tidybot alternative: one command for the modules below ``path`` that the
    ``selection`` flags (``Where.selection``) choose, run as they say."""
    words = ["tidybot", "fix"]
    if path not in (".", ""):
        words.append(path)
    return " ".join([*words[:2], *(shlex.quote(w) for w in [*words[2:], *selection])])


# -- errors ------------------------------------------------------------------------------------

HEADLINE_MAX = 300


def error_headline(error: str) -> str:
    """An error's first message on one line, for a table cell or a title.

    go writes one message over several lines: an import or requirement chain
    (``go: example.com/m/sub imports`` then a tab-indented ``example.com/x: cannot find
    module ...``) or a hint (``to add it:`` then ``\tgo get example.com/x``). Its first line
    alone names no cause, so the indented lines that follow are joined to it. go's progress
    lines (``go: finding module for package ...``) are no message and are passed over.
    """
    parts: list[str] = []
    progress = _PROGRESS()
    for line in error.splitlines():
        if not line.strip() or (not parts and progress.match(line)):
            if parts:
                break
            continue
        if parts and not line[:1].isspace():
            break
        parts.append(line.strip())
    if not parts:  # nothing but progress lines
        parts = [next((ln.strip() for ln in error.splitlines() if ln.strip()), "")]
    text = " ".join(parts)
    return text if len(text) <= HEADLINE_MAX else text[: HEADLINE_MAX - 1].rstrip() + "…"


#: go's progress lines: what it is doing, not what went wrong.
_PROGRESS = lazy_pattern(r"go: (finding module for package|downloading|found|extracting) ")

#: An error printed in full up to this many lines; longer ones are condensed (--verbose: all).
ERROR_LINES = 12


def _messages(error: str) -> list[list[str]]:
    """go's messages: a line and the indented lines that continue it."""
    out: list[list[str]] = []
    for line in error.rstrip().splitlines():
        if out and line[:1].isspace() and line.strip():
            out[-1].append(line)
        elif line.strip():
            out.append([line])
    return out


def _cause(message: list[str]) -> str:
    """What went wrong, without what it went wrong for: the text after the last ``: `` (go
    names the module, package or URL before it), e.g. ``403 Forbidden``."""
    text = " ".join(ln.strip() for ln in message)
    return text.rsplit(": ", 1)[1] if ": " in text else ""


def _subject(message: list[str]) -> str:
    """What a message is about: the start of its last line, up to the first ``: ``."""
    last = message[-1].strip()
    return last.split(": ", 1)[0] if ": " in last else last


def condense_error(error: str, limit: int = ERROR_LINES) -> list[str]:
    """A module's error in at most about ``limit`` lines, nothing of substance lost: go's
    progress lines become one count; messages with the same cause (the same proxy answering
    ``403 Forbidden`` for each of 15 imports) are shown once, with what else they were about;
    what still does not fit is counted. An error of ``limit`` lines or fewer is kept as is."""
    lines = error.rstrip().splitlines()
    if len(lines) <= limit:
        return lines
    go_progress = _PROGRESS()
    progress = [ln for ln in lines if go_progress.match(ln)]
    messages = [m for m in _messages(error) if not go_progress.match(m[0])]
    by_cause: dict[str, list[list[str]]] = {}
    for m in messages:
        by_cause.setdefault(_cause(m) or "\0" + "\n".join(m), []).append(m)
    out: list[str] = []
    if progress:
        first = go_progress.match(progress[0])
        what = first.group(0).strip() if first else "go:"
        out.append(f"{what} … ({len(progress)} progress lines like this)")
    shown = 0
    for group in by_cause.values():
        if len(out) >= limit:
            break
        out.extend(group[0])
        if len(group) > 1:
            subjects = [_subject(m) for m in group[1:]]
            listed = ", ".join(subjects[:3]) + (", …" if len(subjects) > 3 else "")
            out.append(f"    … and {len(group) - 1} more with the same cause ({listed})")
        shown += len(group)
    rest = len(messages) - shown
    if rest > 0:
        out.append(f"… {rest} more message{'s' if rest != 1 else ''} (--verbose prints all)")
    return out


# -- --since -----------------------------------------------------------------------------------


def since_skipped(report: Report) -> list[ModuleResult]:
    """The modules ``--since`` left out (not affected by the changes): told as one line, and
    listed only on request."""
    since = report.extra.get("since")
    if not isinstance(since, dict):
        return []
    reason = f"not affected by the changes since {since.get('ref')}"
    return [m for m in report.modules if m.status is Status.SKIPPED and m.error == reason]
