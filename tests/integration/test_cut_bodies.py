"""A Markdown body over GitHub's size limit is cut at a line's end, never inside a code span.

A pull request chooses its directory names, and every finding shows its file in an inline
code span. Cut at a fixed count of bytes, the body used to end inside such a span: the closing
backticks were gone, and the rest of that line, the pull request's text, rendered as Markdown
and HTML (an ``<img>`` that loads an attacker's address, an ``@mention`` that notifies). These
tests drive the action with such a tree, large enough to pass each limit: the job summary (1
MiB) and the audit's dashboard issue (65,536 characters), and render what GitHub would get.
"""

from __future__ import annotations

import base64
import re

from markdown_it import MarkdownIt

from bot.action.workflow import SUMMARY_LIMIT
from bot.audit import BODY_LIMIT, DASHBOARD_LABEL
from tests.integration.test_action_harness import REPO, ActionWorld, world

__all__ = ["world"]  # the fixture, imported for this module's tests

#: One directory name: an image tag and a mention, outside a code span they would act.
SEGMENT = "@octocat<img src=https:&#47;&#47;evil.example&#47;p.png>"
DEEP = "/".join([SEGMENT] * 30)

MD = MarkdownIt("commonmark").enable("table")


def _hostile_module(stale_lines: int) -> dict[str, bytes | None]:
    """A module deep in hostile directories whose go.sum holds ``stale_lines`` lines tidy
    drops: one ``stale-sum`` finding each, each naming the long path in a code span."""
    sums = "".join(
        f"example.com/stale{i} v1.0.0 h1:{base64.b64encode(bytes([i % 256]) * 32).decode()}\n"
        for i in range(stale_lines)
    )
    return {
        f"{DEEP}/go.mod": b"module example.com/deep\n\ngo 1.22\n",
        f"{DEEP}/main.go": b"package main\n\nfunc main() {}\n",
        f"{DEEP}/go.sum": sums.encode(),
    }


def _outside_code(markdown: str) -> str:
    """The rendered HTML without what code spans and blocks hold: what GitHub acts on."""
    html = MD.render(markdown)
    return re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)


def _assert_cut_safely(body: str, note: str) -> None:
    assert note in body
    acting = _outside_code(body)
    assert "<img" not in acting  # a raw tag would load the address
    assert "@octocat" not in acting  # a bare mention would notify (escaped ones carry a ZWJ)
    assert "evil.example" not in acting


def test_a_cut_job_summary_ends_at_a_line(world: ActionWorld) -> None:
    number = world.open_pr(_hostile_module(650))
    res = world.run("pull_request", world.pr_event(number), world.checkout())
    assert res.returncode == 1, res.explain()
    assert len(res.summary.encode("utf-8")) <= SUMMARY_LIMIT + 64  # the runner's limit: 1 MiB
    _assert_cut_safely(res.summary, "Cut at GitHub's 1 MiB job summary limit")


def test_a_cut_dashboard_issue_ends_at_a_line(world: ActionWorld) -> None:
    world.gh.push(REPO, "main", _hostile_module(80), "Deep")
    ws = world.checkout("main")
    res = world.run("schedule", world.load_event("schedule"), ws, mode="audit", verify="false")
    assert res.returncode == 1, res.explain()
    [issue] = [i for i in world.gh.repo(REPO).issues.values() if DASHBOARD_LABEL in i["labels"]]
    body = str(issue["body"])
    assert len(body) <= BODY_LIMIT
    _assert_cut_safely(body, "Cut at GitHub's size limit")
