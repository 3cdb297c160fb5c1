"""Every output sink's escaping function fed hostile strings: what a pull request can put in a
directory name, a module path, a go.mod line or go's output.

Markdown is checked by rendering it (markdown-it-py, CommonMark with GitHub's tables): what
shows must be the text itself, with no element the text did not ask for."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from bot.action.trigger import is_tidy_command
from bot.report.escape import (
    command_data,
    command_property,
    html_text,
    md_block,
    md_cell,
    md_cell_code,
    md_code,
    md_cut,
    md_prose,
    md_text,
    no_command_lines,
    output_entry,
    stop_commands,
    terminal_text,
    visible,
)

HOSTILE = [
    "x\n::warning title=LGTM::approved\n::add-mask::tidybot",
    "x\n\u00a0::warning title=LGTM::approved\n\u3000\u2028::add-mask::tidybot",
    "::add-mask::secret",
    "  ::set-output name=x::y",
    "100% done %0A %25 %",
    "</details><h1>pwned</h1>",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "@org/team and @someone, please look",
    "[click me](https://evil.example/) and <https://evil.example/>",
    "![tracker](https://evil.example/pixel.png)",
    "https://evil.example/x www.evil.example mailto:a@b.example",
    "``` ```` ` ~~~ ```diff",
    "a|b|c",
    "bell\x07 nul\x00 esc\x1b[2J back\x08space",
    "\x1b[31mred\x1b[0m \x9b31m",
    "x\n/tidy\ny",
    "/tidy",
    "  /tidy  ",
    "before\x0c/tidy\x1cafter\u2028/tidy\u2029",
    "crlf\r\n/tidy\r\n",
    "# heading\n---\n> quote\n* item\n1. item",
    "**bold** _em_ ~~del~~ `code`",
    "#123 and GH-1 and owner/repo#2",
    "\u202eevil\u202c bidi",
    ":tada: &amp; &#47;",
]

MD = MarkdownIt("commonmark").enable("table")


def _text(rendered_html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, zero-width joiners removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered_html)).replace("\u200d", "")


def _tags(rendered_html: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<([a-zA-Z0-9]+)", rendered_html)}


def _visible(s: str) -> str:
    """``s`` as the Markdown functions promise to show it: control characters as U+FFFD."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]", "\ufffd", s)


def _one_line(s: str) -> str:
    """``s`` as the one-line functions (cells, HTML) show it, white space runs as one."""
    return " ".join(" ".join(s.splitlines()).split())


# -- workflow commands -------------------------------------------------------------------------


def _uncommand(s: str) -> str:
    return (
        s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def _log_shown(s: str) -> str:
    """``s`` as a job log shows it: control characters but CR and LF as ``\\xNN``."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m[0]):02x}", s)


@pytest.mark.parametrize("s", HOSTILE)
def test_command_data_is_one_line_and_round_trips(s: str) -> None:
    out = command_data(s)
    assert "\n" not in out and "\r" not in out
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", out)  # no escape sequence for the viewer
    assert re.sub(r"%(25|0A|0D)", "", out).count("%") == 0
    assert _uncommand(out) == _log_shown(s)
    # the runner reads its output a line at a time, a line ending at CR, LF or CRLF
    assert len(re.split(r"\r\n|\r|\n", f"::warning title=t::{out}")) == 1


@pytest.mark.parametrize("s", HOSTILE)
def test_command_property_cannot_end_the_property(s: str) -> None:
    out = command_property(s)
    assert not set(out) & {"\n", "\r", ":", ","}
    assert _uncommand(out) == _log_shown(s)


def test_stop_commands_token_is_fresh_and_not_in_the_text() -> None:
    start, text, end = stop_commands("::add-mask::x\n::endgroup::")
    token = start.removeprefix("::stop-commands::")
    assert end == f"::{token}::" and token not in text
    assert stop_commands("")[0] != start


@pytest.mark.parametrize("s", HOSTILE)
def test_output_entry_keeps_the_value_whole(s: str) -> None:
    out = output_entry("report", s)
    if out.startswith("report="):
        assert out == f"report={s}\n" and "\n" not in s
    else:
        head, rest = out.split("\n", 1)
        delim = head.removeprefix("report<<")
        assert delim not in s
        assert rest == f"{s}\n{delim}\n"
    with pytest.raises(ValueError, match="invalid output name"):
        output_entry("a\nb", s)


# -- a terminal or a job log ---------------------------------------------------------------------


@pytest.mark.parametrize("s", HOSTILE)
def test_terminal_text_shows_controls_and_forms_no_workflow_command(s: str) -> None:
    out = terminal_text(s)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    assert out.count("\n") == s.count("\n")  # lines stay lines
    for line in out.split("\n"):
        assert not line.lstrip().startswith("::"), line


def test_terminal_text_examples() -> None:
    assert terminal_text("\x1b[31mred") == "\\x1b[31mred"
    assert terminal_text("ok\n  ::add-mask::x") == "ok\n  \\x3a:add-mask::x"
    # the runner trims every Unicode space (C#'s TrimStart) before it looks for "::"
    assert terminal_text("ok\n\u00a0\u3000::add-mask::x") == "ok\n\u00a0\u3000\\x3a:add-mask::x"
    assert terminal_text("a::b\ttab") == "a::b\ttab"


# -- Markdown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("s", HOSTILE)
def test_md_text_renders_as_the_text_and_nothing_else(s: str) -> None:
    rendered = MD.render(md_text(s))
    assert _tags(rendered) <= {"p", "br"}, rendered
    shown = _text(rendered)
    assert " ".join(shown.split()) == " ".join(_visible(s).split())
    assert "@org" not in rendered and "@someone" not in rendered  # no mention to notify


@pytest.mark.parametrize("s", HOSTILE)
def test_md_cell_stays_in_its_cell(s: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {md_cell(s)} | end |\n"
    rendered = MD.render(table)
    assert _tags(rendered) <= {"table", "thead", "tbody", "tr", "th", "td"}, rendered
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.S)
    assert len(cells) == 2 and cells[1] == "end"
    assert " ".join(_text(cells[0]).split()) == _one_line(_visible(_one_line(s)))


@pytest.mark.parametrize("s", HOSTILE)
def test_md_code_and_cell_code_show_the_text_verbatim(s: str) -> None:
    one_line = " ".join(_visible(s).splitlines())
    rendered = MD.render(f"x {md_code(s)} y")
    assert _tags(rendered) == {"p", "code"}
    inline = re.search(r"<code>(.*)</code>", rendered, re.S)
    assert inline is not None and html.unescape(inline[1]).strip() == one_line.strip()
    table = f"| a | b |\n| --- | --- |\n| {md_cell_code(s)} | end |\n"
    rendered = MD.render(table)
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.S)
    assert len(cells) == 2 and cells[1] == "end", rendered
    code = re.search(r"<code>(.*)</code>", cells[0], re.S)
    assert code is not None and html.unescape(code[1]).strip() == one_line.strip()


@pytest.mark.parametrize("s", HOSTILE)
def test_md_block_shows_exactly_its_lines(s: str) -> None:
    block = md_block(s, "diff")
    rendered = MD.render(f"before\n\n{block}\n\nafter\n")
    assert _tags(rendered) == {"p", "pre", "code"}, rendered
    code = re.search(r"<pre><code[^>]*>(.*)</code></pre>", rendered, re.S)
    assert code is not None
    want = _visible(s.replace("\r\n", "\n")).rstrip("\n")
    assert html.unescape(code[1]).rstrip("\n") == want.replace("\x85", "\ufffd")
    # the block has exactly the lines GitHub shows: no other character ends a line
    assert len(block.splitlines()) == block.count("\n") + 1


def test_md_block_refuses_a_language_that_would_break_the_fence() -> None:
    assert md_block("x", "diff\n```").startswith("```\n")


@pytest.mark.parametrize("s", HOSTILE)
def test_html_text_stays_inside_its_element(s: str) -> None:
    doc = f"<details><summary><code>{html_text(s)}</code>: error</summary>\n\nbody\n\n</details>\n"
    rendered = MD.render(doc)
    assert _tags(rendered) == {"details", "summary", "code", "p"}, rendered
    summary = re.search(r"<summary>(.*?)</summary>", rendered, re.S)
    assert summary is not None
    shown = _text(summary[1])
    assert "".join(shown.split()) == "".join(f"{_visible(s)}: error".split())
    assert "\n" not in html_text(s)


# -- the comment as a whole ----------------------------------------------------------------------


@pytest.mark.parametrize("s", HOSTILE)
def test_no_line_of_a_body_is_a_tidy_command(s: str) -> None:
    body = no_command_lines(f"header\n{s}\n```\n{s}\n```\n")
    assert not is_tidy_command(body)
    # nothing else changes: the marked line still shows /tidy
    assert body.replace("\u200b", "") == f"header\n{s}\n```\n{s}\n```\n"


def test_no_command_lines_leaves_other_lines_alone() -> None:
    assert no_command_lines("run /tidy here\n/tidying\n") == "run /tidy here\n/tidying\n"
    # a line whose first word is the command is one (``/tidy <sha>``), whatever follows
    assert no_command_lines("/tidy x\n") == "/\u200btidy x\n"
    assert no_command_lines(" /tidy \n") == " /\u200btidy \n"


# -- bytes that are not UTF-8 -------------------------------------------------------------------

NOT_UTF8 = "bad\udcff\udcfe/go.mod \ud800"  # a name as Python reads b"bad\xff\xfe", and a lone one


def test_visible_shows_the_bytes_of_a_name_that_is_not_utf8() -> None:
    assert visible(NOT_UTF8) == "bad\\xff\\xfe/go.mod \\ud800"
    assert visible("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"  # real characters stay


@pytest.mark.parametrize(
    "sink",
    [
        command_data,
        command_property,
        html_text,
        md_text,
        md_cell,
        md_code,
        md_cell_code,
        md_block,
        terminal_text,
    ],
)
def test_every_sink_writes_utf8_and_shows_the_bytes(sink: object) -> None:
    out = sink(NOT_UTF8)  # type: ignore[operator]
    out.encode("utf-8")  # no lone surrogate left: UTF-8 holds it
    assert "xff" in out and "xfe" in out
    entry = output_entry("x", NOT_UTF8)
    entry.encode("utf-8")


# -- cutting a body over a limit ----------------------------------------------------------------

NOTE = "\n> cut here\n"


def _list_body(n: int) -> str:
    """Lines each holding a code span of hostile text, as the findings lists do."""
    return "".join(
        f"- {md_code(HOSTILE[i % len(HOSTILE)] + ' <img src=x> @octocat')} **x**\n"
        for i in range(n)
    )


def test_a_body_that_fits_is_not_cut() -> None:
    body = _list_body(3)
    assert md_cut(body, len(body), NOTE) == body


@pytest.mark.parametrize("limit", [40, 97, 500, 1234, 3000])
@pytest.mark.parametrize("bytes_", [False, True])
def test_a_cut_keeps_whole_lines_and_no_code_span_open(limit: int, bytes_: bool) -> None:
    body = _list_body(60)

    def size(s: str) -> int:
        return len(s.encode("utf-8")) if bytes_ else len(s)

    out = md_cut(body, limit, NOTE, size=size)
    assert size(out) <= limit and out.endswith(NOTE)
    kept = out.removesuffix(NOTE)
    assert body.startswith(kept) and (kept == "" or kept.endswith("\n"))
    html = MD.render(out)
    outside = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert "<img" not in outside and "@octocat" not in outside


def test_a_block_left_open_at_the_cut_is_closed_before_the_note() -> None:
    block = md_block("line\n" * 50)
    body = f"<details><summary>diff</summary>\n\n{block}\n</details>\n" * 3
    out = md_cut(body, 200, NOTE)
    assert len(out) <= 200
    html = MD.render(out)
    assert html.rstrip().endswith("<blockquote>\n<p>cut here</p>\n</blockquote>")
    assert "<pre>" in html and html.count("<pre>") == html.count("</pre>")
    assert out.count("<details>") == out.count("</details>")


def test_a_backtick_run_with_backticks_after_it_opens_no_block() -> None:
    body = "``` not a fence ```\n" + "text\n" * 20
    out = md_cut(body, 60, NOTE)
    assert out.removesuffix(NOTE).count("```") == 2  # no fence was added to close it


def test_tidybots_own_code_shows_as_code_and_data_stays_inert() -> None:
    html = MD.render(md_prose("go build fails with `missing go.sum entry`"))
    assert "<code>missing go.sum entry</code>" in html and "`" not in html


@pytest.mark.parametrize("s", HOSTILE)
@pytest.mark.parametrize("cell", [False, True])
def test_a_sentence_with_data_in_it_renders_the_data_inert(s: str, cell: bool) -> None:
    text = md_prose(f"module `{s}` wants `go mod tidy` and {s}", cell=cell)
    html = MD.render(f"| a |\n| - |\n| {text} |\n" if cell else text)
    outside = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert not _tags(outside) - {"p", "table", "thead", "tbody", "tr", "th", "td"}, html
    assert "@org" not in outside and "@someone" not in outside
    if cell:
        assert html.count("<td>") == 1  # the data ended no cell


def test_a_cut_counts_lines_at_line_feeds_only() -> None:
    """Data may hold NEL, form feed or a line separator (md_text passes NEL): splitlines()
    broke the body there, and the cut stopped at the first such piece, keeping nothing."""
    body = "line one \x85 NEL \x0c FF \u2028 LS\n" + "ok line\n" * 100
    out = md_cut(body, 500, NOTE)
    assert len(out) > 400 and out.startswith("line one \x85")
