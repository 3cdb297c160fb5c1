"""One escaping function per output sink. Every value that leaves tidybot goes through one.

Module paths, directory and file names, finding texts, go's output and artifact fields are
data a pull request controls. Each sink has its own syntax that such data could otherwise
speak:

==============================  ===============================================================
sink                            function
==============================  ===============================================================
workflow command message        :func:`command_data` (``%``, CR, LF as ``@actions/core``;
                                other control characters shown as ``\\xNN``)
workflow command property       :func:`command_property` (also ``:`` and ``,``)
foreign text in the job log     :func:`log_text` (control characters shown), and
                                :func:`stop_commands` (a fresh token fences it verbatim), when
                                :func:`speaks_commands` says the runner could read a command
``GITHUB_OUTPUT`` value         :func:`output_entry` (``name<<DELIM``; DELIM random, not in it)
Markdown, running text          :func:`md_text` (HTML, Markdown punctuation, mentions, links)
Markdown, tidybot's sentences   :func:`md_prose` (its `code` as code spans, the rest md_text)
Markdown, inline code           :func:`md_code` (a backtick fence longer than any run inside)
Markdown, fenced block          :func:`md_block` (likewise, backticks and tildes)
Markdown, table cell            :func:`md_cell` (``md_text`` on one line, ``|`` escaped)
Markdown, code in a table cell  :func:`md_cell_code` (``md_code`` with ``|`` escaped)
Markdown, inside HTML tags      :func:`html_text` (one line: a blank line would end the HTML)
a whole comment body            :func:`no_command_lines` (no line that is a ``/tidy`` command)
a Markdown body over a limit    :func:`md_cut` (whole lines only, open blocks closed)
a terminal or a job log         :func:`terminal_text` (control characters made visible, no line
                                that the runner would read as a workflow command)
a value on one terminal line    :func:`terminal_line` (``terminal_text``, line breaks shown too)
a report printed to stdout      :func:`stdout_report` (a Markdown, JSON or SARIF report: no
                                workflow command in it, the document otherwise as written)
==============================  ===============================================================

JSON and SARIF need no function: ``json.dumps`` escapes everything their syntax knows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from bot.lazy import lazy_pattern

__all__ = [
    "command_data",
    "command_property",
    "fence_after",
    "html_text",
    "log_text",
    "md_block",
    "md_cell",
    "md_cell_code",
    "md_code",
    "md_cut",
    "md_prose",
    "md_text",
    "no_command_lines",
    "output_entry",
    "speaks_commands",
    "stdout_report",
    "stop_commands",
    "terminal_line",
    "terminal_text",
    "visible",
]

# --- bytes that are not UTF-8 ---------------------------------------------------------------

_SURROGATE = lazy_pattern("[\ud800-\udfff]")  # (0.5 ms to compile: ASCII text never needs it)


def _shown(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}"


def visible(text: str) -> str:
    """``text`` with its lone surrogates shown as ``\\xNN`` (the byte of a file name that is
    not UTF-8, as Python reads it: git stores any bytes in a name) or ``\\uXXXX``. Every sink
    writes UTF-8, which cannot hold them: the job summary would fail to be written, and a
    terminal would get the raw bytes. Each function below applies it first."""
    if text.isascii():  # no surrogate: most text, and the check costs nothing
        return text
    return _SURROGATE().sub(_shown, text)


def visible_doc(doc: object) -> object:
    """A JSON document (dicts, lists, strings, numbers) with :func:`visible` applied to every
    string, keys too: JSON's text is Unicode, and a lone surrogate escape (``"\\udcff"``) is
    none (RFC 8259, 8.2: strict readers refuse the document or replace the byte)."""
    if isinstance(doc, str):
        return visible(doc)
    if isinstance(doc, dict):
        return {visible_doc(k): visible_doc(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [visible_doc(v) for v in doc]
    return doc


# --- workflow commands (the runner reads every stdout line that starts with ``::``) -----------


def command_data(text: str) -> str:
    """The message part of ``::cmd props::MESSAGE``: one line whatever ``text`` holds, and no
    escape sequence for the log's viewer (control characters but CR and LF shown as ``\\xNN``,
    as :func:`log_text` shows them)."""
    text = _LOG_CONTROL().sub(_hex, visible(text))
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def log_text(text: str) -> str:
    """Lines for a job log, printed as they are but for escape sequences and other control
    characters, which the log's viewer would act on (colours, a cleared screen): those show
    as ``\\xNN``; line breaks and tabs stay. (Workflow commands in it are the caller's: see
    :func:`speaks_commands` and :func:`stop_commands`.)"""
    return _LOG_CONTROL().sub(_hex, visible(text).replace("\r\n", "\n")).replace("\r", "\\x0d")


_LOG_CONTROL = lazy_pattern(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not \t, \n, \r


def _hex(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def command_property(text: str) -> str:
    """A property value (``file=``, ``title=``): also no ``:`` or ``,`` that would end it."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def speaks_commands(text: str) -> bool:
    """Whether the runner could read a command in ``text`` printed as log lines: a line that
    starts with ``::`` once leading blanks are trimmed, or ``##[`` anywhere (the runner's older
    command syntax, still parsed)."""
    return "##[" in text or any(ln.lstrip().startswith("::") for ln in text.splitlines())


def stop_commands(text: str) -> tuple[str, str, str]:
    """``(start, text, end)``: lines that make the runner ignore workflow commands in between.

    The token is random per call, so ``text`` cannot name it and end the fence early."""
    token = "tidybot-" + os.urandom(16).hex()
    return f"::stop-commands::{token}", text, f"::{token}::"


def output_entry(name: str, value: str) -> str:
    """One ``GITHUB_OUTPUT`` entry: ``name=value`` for a plain one-line value, else the
    ``name<<DELIM`` form with a delimiter that is random and does not occur in ``value``."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
        raise ValueError(f"invalid output name {name!r}")
    value = visible(value)
    if "\n" not in value and "\r" not in value and "<<" not in value:
        return f"{name}={value}\n"
    while True:
        delim = "ghadelimiter_" + os.urandom(16).hex()
        if delim not in value:
            return f"{name}<<{delim}\n{value}\n{delim}\n"


# --- Markdown (comments, issues, the job summary) ----------------------------------------------

_ZWJ = "\u200d"  # between characters, renders as nothing and breaks what GitHub would link
_MD_PUNCT = lazy_pattern(r"([\\`*_{}\[\]()#+\-.!|~=<>\"':^$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_CONTROL = lazy_pattern(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def html_text(text: str) -> str:
    """Text inside an HTML element (``<code>…</code>``, ``<summary>…</summary>``), on one line:
    in Markdown a blank line ends an HTML block, and what follows it would be Markdown again."""
    text = " ".join(_CONTROL().sub("\ufffd", visible(text)).splitlines())
    return _defuse("".join(_HTML.get(c, c) for c in text))


def md_text(text: str) -> str:
    """Running Markdown text that renders as exactly ``text``: no HTML, no emphasis, no links,
    no images, no headings, no ``@`` mentions and no ``#123`` references."""
    text = _CONTROL().sub("\ufffd", visible(text))
    punct = _MD_PUNCT()
    out = []
    for c in text:
        if c in _HTML:
            out.append(_HTML[c])
        elif punct.fullmatch(c):
            out.append("\\" + c)
        else:
            out.append(c)
    return _defuse("".join(out))


_OWN_CODE = lazy_pattern(r"`([^`\n]+)`")


def md_prose(text: str, *, cell: bool = False) -> str:
    """One of tidybot's own sentences (a finding's message or why) as Markdown: where it marks
    code with backticks (``fails with `missing go.sum entry```), that part as :func:`md_code`,
    the rest as :func:`md_text` (in a table cell: :func:`md_cell_code` and :func:`md_cell`).
    Data in the sentence stays inert either way: a backtick pair in a module path shows code."""
    code, plain = (md_cell_code, md_cell) if cell else (md_code, md_text)
    out: list[str] = []
    at = 0
    for m in _OWN_CODE().finditer(text):
        if m.start() > at:
            out.append(plain(text[at : m.start()]))
        out.append(code(m.group(1)))
        at = m.end()
    if at < len(text):
        out.append(plain(text[at:]))
    return "".join(out)


def md_cell(text: str) -> str:
    """A Markdown table cell: :func:`md_text` on one line (line breaks become spaces)."""
    return md_text(" ".join(text.splitlines()))


def md_cell_code(text: str) -> str:
    """Inline code in a table cell: :func:`md_code` with ``|`` escaped (GitHub ends a cell at a
    bare ``|`` even inside a code span, and shows ``\\|`` there as ``|``)."""
    return md_code(text).replace("|", "\\|")


def md_code(text: str) -> str:
    """Inline code showing ``text`` verbatim: a fence of more backticks than any run inside,
    padded with a space where ``text`` starts or ends with a backtick. One line."""
    text = " ".join(_CONTROL().sub("\ufffd", visible(text)).splitlines()) or " "
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_block(text: str, lang: str = "") -> str:
    """A fenced code block showing ``text`` verbatim (longer fence than any run inside).

    Line ends are ``\\n`` only: a CR (a CRLF file's line end) is dropped, and the other
    characters that end a line for some reader (form feed, the Unicode line separators) and
    other control characters are shown as U+FFFD: the block has exactly the lines GitHub shows."""
    body = _BLOCK_CONTROL().sub("\ufffd", visible(text).replace("\r\n", "\n")).rstrip("\n")
    n = max(3, _longest_run(body, "`") + 1, _longest_run(body, "~") + 1)
    fence = "`" * n
    if not re.fullmatch(r"[A-Za-z0-9_+-]*", lang):
        lang = ""
    return f"{fence}{lang}\n{body}\n{fence}"


_BLOCK_CONTROL = lazy_pattern(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def no_command_lines(body: str, command: str = "/tidy") -> str:
    """``body`` with no line that starts with ``command`` as its first word (``/tidy``, and
    ``/tidy <sha>`` alike): a comment the bot posts must never read as a command, whatever the
    data in it (a diff context line, a directory name, go's output). Lines are split as
    :meth:`str.splitlines` splits them, the way the command is recognised; such a line gets a
    zero-width space after its ``/``, which shows nothing and is not white space."""
    lines = body.splitlines(keepends=True)
    if not any(ln.split()[:1] == [command] for ln in lines):
        return body
    marked = command[:1] + "\u200b" + command[1:]
    return "".join(
        ln.replace(command, marked, 1) if ln.split()[:1] == [command] else ln for ln in lines
    )


_FENCE_LINE = lazy_pattern(r" {0,3}(`{3,}|~{3,})")


def fence_after(line: str, fence: str) -> str:
    """The fenced code block open after ``line`` (CommonMark), given the one open before it
    (``fence``: its run of backticks or tildes, ``""`` outside a block). A block opens with a
    run of three or more (a backtick run with a backtick after it is inline code) and closes
    with a run of the same character at least as long and nothing else on the line."""
    m = _FENCE_LINE().match(line)
    if fence:
        closes = m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
        return "" if closes and m is not None and not line[m.end() :].strip() else fence
    if m is not None and not (m.group(1)[0] == "`" and "`" in line[m.end() :]):
        return m.group(1)
    return ""


def md_cut(body: str, limit: int, note: str, size: Callable[[str], int] = len) -> str:
    """``body`` with ``note`` after it in at most ``limit`` (as ``size`` counts: characters,
    or the UTF-8 bytes of the job summary), when it does not fit as it is.

    The cut keeps whole lines only: a code span, a link or an HTML tag is never cut open
    (an inline code span cut before its closing backticks would let the rest of its line,
    data a pull request chose, render as Markdown and HTML, mentions and images included).
    A fenced block or a ``<details>`` of tidybot's left open at the cut is closed before the
    note, so the note is not read as code."""
    if size(body) <= limit:
        return body
    room = limit - size(note)
    kept: list[str] = []
    used = 0
    fence = ""  # the open fence's run (backticks or tildes), "" outside a block
    details = 0
    for line in body.split("\n")[:-1]:  # the last piece is unended: whole lines only
        line += "\n"  # (at LF only: Markdown's lines; splitlines would also split at NEL, FF)
        fence2, details2 = fence_after(line, fence), details
        if not fence and not fence2:  # neither in a block nor opening one
            details2 += line.count("<details") - line.count("</details>")
        close = (f"{fence2}\n" if fence2 else "") + "</details>\n" * max(0, details2)
        if used + size(line) + size(close) > room:
            break
        kept.append(line)
        used += size(line)
        fence, details = fence2, details2
    close = (f"{fence}\n" if fence else "") + "</details>\n" * max(0, details)
    return "".join(kept) + close + note


def _longest_run(text: str, ch: str) -> int:
    runs = re.findall(re.escape(ch) + "+", text)
    return max((len(r) for r in runs), default=0)


def _defuse(text: str) -> str:
    """Break what GitHub turns into a notification or a link even in escaped text:
    ``@user``/``@org/team`` mentions and bare ``http(s)://`` / ``www.`` addresses."""
    text = text.replace("@", "@" + _ZWJ)
    text = re.sub(r"(?i)(https?|ftp|mailto)(\\?:)", lambda m: m.group(1) + _ZWJ + m.group(2), text)
    return re.sub(r"(?i)\bwww(\\?\.)", lambda m: "www" + _ZWJ + m.group(1), text)


# --- a terminal ---------------------------------------------------------------------------------

_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# the runner trims a line with C#'s TrimStart(): every Unicode white space (NBSP, U+3000, ...),
# not only blanks; Python's \s holds all of those
_COMMAND_LINE = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)


def terminal_text(text: str) -> str:
    """Text for a terminal or a job log: escape sequences and other control characters are
    shown as ``\\xNN`` instead of acting on the terminal (newlines and tabs kept), and a line
    that starts with ``::`` (after white space, any the runner trims: Unicode spaces too)
    shows its first colon as ``\\x3a``, so printed data never forms a workflow command in a
    GitHub Actions log."""
    return _speak_no_command(_TERMINAL.sub(_hex, visible(text)))


def _speak_no_command(text: str) -> str:
    """``text`` with no line the runner reads as a workflow command: the first colon of a line
    that starts with ``::`` (after any white space it trims) shown as ``\\x3a``, and ``##[``
    (its older syntax, read anywhere in a line) as ``#\\x23[``."""
    text = text.replace("##[", "#\\x23[")
    return _COMMAND_LINE.sub(lambda m: m.group(1) + "\\x3a", text)


def terminal_line(text: str) -> str:
    """A value printed within one line (a directory, a module path, a finding's message): as
    :func:`terminal_text`, and a line break in it shown as ``\\x0a`` instead of starting a new
    line that would read as tidybot's own."""
    return terminal_text(text.replace("\r", "\\x0d").replace("\n", "\\x0a"))


def stdout_report(text: str, fmt: str) -> str:
    """A whole report in ``fmt`` as printed to stdout, which a CI job's log reads a line at a
    time: a Markdown report keeps its lines, but one that starts with ``::`` (a directory
    name with a line break in a code block, go's output quoting one) shows its first colon as
    ``\\x3a`` and ``##[`` shows as ``#\\x23[``, as :func:`terminal_text` shows them. A JSON or
    SARIF document has no line that starts with ``::`` (a string holds no line break), and its
    ``##[`` is written ``#\\u0023[``: the same JSON. The ``text`` format is made with
    :func:`terminal_text` already and the ``github`` format is made of commands; both pass."""
    if fmt in ("json", "sarif"):
        return text.replace("##[", "#\\u0023[")
    if fmt == "markdown":
        return _speak_no_command(text)
    return text
