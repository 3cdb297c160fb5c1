"""The sticky pull-request comment: one body per run, found again by its hidden marker.

Pure: a :class:`~bot.engine.model.Report` in, markdown out. The body holds

* the hidden marker (an HTML comment GitHub does not show) that finds the comment again,
* a headline, the table of modules (status, findings), the diffs folded in ``<details>``,
* the go commands that fix it locally, ``tidybot fix`` as the alternative (and ``/tidy`` when
  the bot may fix it),
* when the drift is gone, a short "tidy now" text instead.

Every value from the pull request's tree or from go goes through :mod:`bot.report.escape`, and
no line of a body is ``/tidy`` alone (the bot's own comment must never ask for a fix).

A body never exceeds :data:`COMMENT_LIMIT` (GitHub refuses longer comment bodies with a 422):
diffs are cut first, then table rows, and the body then points to the job summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.engine.model import ModuleResult, Report, Status
from bot.forge.port import marker_for
from bot.record import record
from bot.report.base import (
    STATUS_LABEL,
    Where,
    condense_error,
    error_headline,
    since_skipped,
    tidybot_fix,
)
from bot.report.base import fix_commands as _fix_commands
from bot.report.escape import (
    html_text,
    md_block,
    md_cell,
    md_cell_code,
    md_code,
    md_cut,
    md_prose,
    no_command_lines,
)

#: GitHub's maximum comment body length ("body is too long (maximum is 65536 characters)").
COMMENT_LIMIT = 65536

#: At most this many fix commands are listed; the job summary lists the rest.
MAX_COMMANDS = 25

#: The hidden marker that makes the comment sticky (the forge finds the comment by it).
MARKER = marker_for("report")

_ORDER = {Status.DRIFTED: 0, Status.ERROR: 1, Status.SKIPPED: 2, Status.CLEAN: 3}


def _diff_title(diff: str) -> str:
    """What a module's diff block shows: go's tidy diff, what go work sync writes, or both."""
    tidy = "diff current/go.mod tidy/go.mod" in diff or "tidy/go.sum" in diff
    sync = "synced/go.mod" in diff
    if sync and not tidy:
        return "<code>go work sync</code>"
    if sync:
        return "<code>go mod tidy -diff</code>, then <code>go work sync</code>"
    return "<code>go mod tidy -diff</code>"


@record
class CommentRenderer:
    """Renders the sticky comment for one report.

    ``workdir`` is the checked root relative to the repository root ("." for the root); every
    path is shown from the repository root, where the fix commands are to be run.
    ``summary_url`` is the run page that shows the job summary. ``tidy_command`` says whether
    ``/tidy`` is offered. ``fixed_in`` is the sha of a fix commit this run pushed.
    ``selection``: the flags that choose the modules the action checked (its ``paths`` and
    ``exclude`` inputs), repeated in the suggested ``tidybot fix``.
    """

    marker: str = MARKER
    workdir: str = "."
    summary_url: str = ""
    head_sha: str = ""
    tidy_command: bool = False
    fixed_in: str = ""
    limit: int = COMMENT_LIMIT
    selection: tuple[str, ...] = ()

    def render(self, report: Report) -> str:
        if not report.drifted and not _errors(report) and not report.findings:
            return self._render_clean(report)
        return self._render_drift(report)

    # -- clean -------------------------------------------------------------------------

    def _render_clean(self, report: Report) -> str:
        n = len(report.modules)
        lines = [self.marker, "### ✅ tidybot: go.mod and go.sum are tidy", ""]
        if self.fixed_in:
            lines.append(
                f"The drift reported earlier was fixed in {self.fixed_in}: "
                f"{_plural(n, 'module')} tidy now."
            )
        else:
            lines.append(
                f"The drift reported earlier is gone: {_plural(n, 'module')} tidy"
                + (f" at {md_code(self.head_sha[:12])}." if self.head_sha else ".")
            )
        return _fit("\n".join(lines) + "\n", self.limit)

    # -- drift -------------------------------------------------------------------------

    def _render_drift(self, report: Report) -> str:
        s = report.summary
        head = [self.marker]
        if report.drifted:
            head.append(f"### ❌ tidybot: {_plural(s.drifted, 'module')} of {s.modules} not tidy")
        else:
            head.append(f"### ⚠️ tidybot: {_plural(s.error, 'module')} could not be checked")
        head.append("")
        at = f" at {md_code(self.head_sha[:12])}" if self.head_sha else ""
        head.append(
            f"Checked {_plural(s.modules, 'module')}{at}: {s.drifted} drifted, "
            f"{s.error} failed, {s.skipped} skipped, {s.clean} clean."
        )
        head.append("")

        quiet = {id(m) for m in since_skipped(report)}
        rows = [
            _row(m, self.workdir)
            for m in sorted(report.modules, key=_sort_key)
            if id(m) not in quiet
        ]
        if quiet:
            since = report.extra.get("since")
            ref = str(since.get("ref", "")) if isinstance(since, dict) else ""
            rows.append(
                f"| {len(quiet)} more | {STATUS_LABEL[Status.SKIPPED]} | not affected by the "
                f"changes since {md_cell_code(ref)} |"
            )
        extra = [  # a list, not a table: no cell escaping (a code span would show its \|)
            f"- {md_code(f.id)} "
            f"{md_code(_path(self.workdir, f.file)) + ': ' if f.file else ''}"
            f"{md_prose(' '.join(f.message.splitlines()))}"
            for f in report.findings
        ]
        fix = self._fix_section(report)
        footer = self._footer()

        blocks = [
            _Block(_path(self.workdir, m.dir), _diff_title(m.diff), "diff", m.diff)
            for m in sorted(report.drifted, key=_sort_key)
        ]
        blocks += [
            _Block(_path(self.workdir, m.dir), "error", "", "\n".join(condense_error(m.error, 40)))
            for m in sorted(_errors(report), key=_sort_key)
        ]
        fixed = "\n".join(head) + "\n"
        table_head = "| module | status | findings |\n| --- | --- | --- |\n"
        fixed_tail = ""
        if extra:
            fixed_tail += "\n**Repository findings**\n\n" + "\n".join(extra) + "\n"
        fixed_tail += fix
        # 1) table rows: keep as many as fit (with room for the rest), 2) diffs: what remains
        budget = self.limit - len(fixed) - len(table_head) - len(fixed_tail) - len(footer) - 400
        kept_rows: list[str] = []
        for row in rows:
            if len(row) + 1 > budget:
                break
            kept_rows.append(row)
            budget -= len(row) + 1
        table = table_head + "\n".join(kept_rows) + "\n"
        cut = False
        if len(kept_rows) < len(rows):
            cut = True
            table += f"\n…and {len(rows) - len(kept_rows)} more modules.\n"
        diff_text, diffs_cut = _blocks(blocks, budget)
        cut = cut or diffs_cut
        body = fixed + table + fixed_tail + diff_text
        if cut:
            body += "\n" + self._cut_note()
        body += footer
        return _fit(no_command_lines(body), self.limit, self._cut_note())

    def _fix_section(self, report: Report) -> str:
        """go's commands first (every contributor has go), then tidybot's one command, then
        ``/tidy``."""
        cmds = fix_commands(report, self.workdir)
        if not cmds:
            return ""
        out = ["", "**Fix it locally** (from the repository root):", ""]
        out.append(md_block("\n".join(cmds[:MAX_COMMANDS]), "sh"))
        if len(cmds) > MAX_COMMANDS:
            rest = len(cmds) - MAX_COMMANDS
            out.append(f"…and {_plural(rest, 'more command')} (see the job summary).")
        out.append("")
        out.append(
            f"Or, with tidybot installed: {md_code(tidybot_fix(self.workdir, self.selection))}"
            + (
                "; or comment `/tidy` on this pull request to get a fix commit."
                if self.tidy_command
                else "."
            )
        )
        return "\n".join(out) + "\n"

    def _cut_note(self) -> str:
        where = f"the [job summary]({self.summary_url})" if self.summary_url else "the job summary"
        return f"> ✂️ This report was cut to fit a GitHub comment; the full report is in {where}.\n"

    def _footer(self) -> str:
        if self.summary_url:
            return f"\n<sub>[Run details and job summary]({self.summary_url})</sub>\n"
        return ""


def fix_commands(report: Report, workdir: str = ".") -> list[str]:
    """The go commands that fix the drift, to run from the repository root (``workdir``: the
    checked root relative to it). One function decides them: :func:`bot.report.base.fix_command`."""
    return _fix_commands(report, Where(repo=workdir or ".").in_repo)


def has_marker(body: str, marker: str = MARKER) -> bool:
    return marker in body


# -- helpers ---------------------------------------------------------------------------


def _errors(report: Report) -> list[ModuleResult]:
    return [m for m in report.modules if m.status is Status.ERROR]


def _sort_key(m: ModuleResult) -> tuple[int, str]:
    return (_ORDER.get(m.status, 9), m.dir)


def _row(m: ModuleResult, workdir: str) -> str:
    path = _path(workdir, m.dir)
    name = md_cell_code(path)
    if m.module:
        name += f" ({md_cell(m.module)})"
    if m.status is Status.ERROR or m.status is Status.SKIPPED:
        detail = md_cell(error_headline(m.error)) or "—"
    else:
        detail = _finding_counts(f.id for f in m.findings) or "—"
    return f"| {name} | {STATUS_LABEL.get(m.status, str(m.status))} | {detail} |"


def _finding_counts(ids: Iterable[str]) -> str:
    counts = Counter(ids)
    return ", ".join(
        md_cell_code(i) + (f" ×{n}" if n > 1 else "") for i, n in sorted(counts.items())
    )


@record
class _Block:
    """A collapsed section after the table: a module's diff, or its whole error."""

    path: str
    what: str  # HTML after the path in the summary line
    lang: str  # the code fence's language
    text: str


def _blocks(blocks: list[_Block], budget: int) -> tuple[str, bool]:
    """As many blocks as fit in ``budget`` characters, the last one cut short if need be."""
    parts: list[str] = []
    cut = False
    omitted = 0
    for b in blocks:
        if not b.text.strip():
            continue
        summary = f"<summary><code>{html_text(b.path)}</code>: {b.what}</summary>"
        block_overhead = len(f"\n<details>{summary}\n\n{md_block('', b.lang)}\n</details>\n") + 80
        if budget - block_overhead < 200:
            omitted += 1
            cut = True
            continue
        text = b.text if b.text.endswith("\n") else b.text + "\n"
        room = budget - block_overhead - 2 * (_longest_run(text) + 1)
        if len(text) > room:
            text = text[:room].rsplit("\n", 1)[0] + "\n… (cut here)\n"
            cut = True
        block = f"\n<details>{summary}\n\n{md_block(text, b.lang)}\n</details>\n"
        parts.append(block)
        budget -= len(block)
    if omitted:
        parts.append(f"\n…{_plural(omitted, 'more section')} not shown.\n")
    return "".join(parts), cut


def _fit(body: str, limit: int, note: str = "") -> str:
    """Last resort: a cut at a line's end (``md_cut``) that still leaves the marker first and a
    pointer at the end. (One character is kept for the escape of a ``/tidy`` line.)"""
    if len(body) <= limit:
        return body
    tail = "\n" + (note or "> ✂️ Cut to fit a GitHub comment; see the job summary.\n")
    return no_command_lines(md_cut(body, max(0, limit - 1), tail))


def _longest_run(text: str) -> int:
    """The longest run of backticks or tildes: the block's fence is one longer."""
    longest = run = 0
    last = ""
    for ch in text:
        run = run + 1 if ch in "`~" and ch == last else (1 if ch in "`~" else 0)
        last = ch
        longest = max(longest, run)
    return max(longest, 2)


def _path(workdir: str, d: str) -> str:
    w = workdir.strip("/") or "."
    if w in (".", ""):
        return d or "."
    if d in (".", ""):
        return w
    return f"{w}/{d}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
