"""``tidybot action``: the GitHub Action and pull-request bot. This module only wires.

Where things are:

==================  ===========================================================================
``settings.py``     every ``INPUT_*`` and ``GITHUB_*`` variable, read and validated once
``workflow.py``     the runner's protocol: workflow commands, outputs, summary, all escaped
``trigger.py``      the event (and the ``mode`` input) -> the mode, one pure function
``context.py``      one run: GitHub (the forge), the trusted config, the resolved options
``modes.py``        check / comment, fix (``/tidy``), audit, the ``workflow_run`` follow-up
``artifact.py``     the artifact directory: confined writes, bounded reads of untrusted data
==================  ===========================================================================

The engine's options come from ``bot.options``, the exit code from ``bot.exitcodes``, go's and
git's environment from ``bot.childenv``.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Mapping
from typing import IO

from bot import __version__
from bot.action.context import ForgeFactory, Run, make_forge
from bot.action.settings import Settings
from bot.action.trigger import Mode, select_mode
from bot.action.workflow import Workflow
from bot.cachedir import extracted_module
from bot.errors import ExitCode, ForgeError, TidybotError
from bot.fsutil import give_to_owner
from bot.report.escape import terminal_text
from bot.secrets import Secrets, redact

__all__ = ["main", "run"]

#: Actors whose pull_request runs always get a read-only token.
READ_ONLY_ACTORS = frozenset({"dependabot[bot]"})

BUG_REPORT = (
    "This is a bug in tidybot, not in your repository. Please report it with the traceback "
    "above on the tidybot issue tracker."
)


def run(settings: Settings, workflow: Workflow, factory: ForgeFactory = make_forge) -> int:
    """One run: decide the mode, run it, write the outputs. Returns the exit code."""
    from bot.action import modes

    ctx = Run(settings, workflow, factory)
    s = settings
    dependabot = s.actor in READ_ONLY_ACTORS and s.event_name == "pull_request"
    known = False if dependabot else None
    decision = select_mode(s.event_name, s.event, s.mode, token_can_write=known)
    # a fix on a pull_request event needs contents: write; ask once
    if decision.mode is Mode.FIX and s.event_name == "pull_request" and not _can_write(ctx):
        decision = select_mode(s.event_name, s.event, s.mode, token_can_write=False)
    workflow.log(f"tidybot {__version__}: mode {decision.mode} ({decision.reason})")
    if decision.mode is Mode.SKIP:
        modes.outputs(ctx, modes.Outcome())
        return int(ExitCode.CLEAN)
    if decision.from_artifact:
        with ctx.private_access():
            outcome = modes.follow_up(ctx, decision)
    else:
        with ctx.private_access():
            if decision.mode is Mode.FIX:
                outcome = modes.fix(ctx, decision)
            elif decision.mode is Mode.AUDIT:
                outcome = modes.audit(ctx, decision)
            else:
                outcome = modes.check(ctx, decision)
    modes.outputs(ctx, outcome)
    return int(outcome.exit_code)


def _can_write(ctx: Run) -> bool:
    try:
        return ctx.forge.can_write()
    except ForgeError as e:
        ctx.w.warning(f"cannot tell whether the token may write, so only checking: {e.message}")
        return False


def main(
    environ: Mapping[str, str] | None = None,
    *,
    secrets: Secrets | None = None,
    out: IO[str] | None = None,
    forge_factory: ForgeFactory = make_forge,
) -> int:
    """Run the action; returns the exit code. Never raises for a user mistake."""
    stream = out or sys.stdout
    env = dict(os.environ if environ is None else environ)
    if secrets is None:
        from bot.secrets import take

        secrets = take(os.environ if environ is None else env)
        env = dict(os.environ) if environ is None else env
    workflow = Workflow(stream, secrets=secrets.all())
    workflow.mask()
    started = time.time()
    try:
        settings = Settings.from_env(env, secrets)
        workflow = Workflow(
            stream,
            output_file=settings.output_file,
            summary_file=settings.summary_file,
            secrets=secrets.all(),
        )
        try:
            return run(settings, workflow, forge_factory)
        finally:  # run as root in a container: what the run wrote goes to the checkout's owner
            written = (settings.artifact_dir, settings.cache_dir)
            give_to_owner(settings.workspace, written, started, settled=extracted_module)
    except TidybotError as e:
        workflow.error(str(e))
        # stderr is read for workflow commands too, and a message may name the tree's files
        print(terminal_text(f"tidybot: error: {redact(str(e), secrets.all())}"), file=sys.stderr)
        return int(e.exit_code)
    except Exception:
        print(terminal_text(redact(traceback.format_exc(), secrets.all())), file=sys.stderr, end="")
        workflow.error("internal error. " + BUG_REPORT)
        return int(ExitCode.BUG)
