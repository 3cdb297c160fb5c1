"""One escaping function per output sink. Every value that leaves tidybot goes through one.

Module paths, directory and file names, finding texts, go's output and artifact fields are
data a pull request controls. Each sink has its own syntax that such data could otherwise
speak:

==============================  ===============================================================
sink                            function
==============================  ===============================================================
workflow command message        :func:`command_data` (``%``, CR, LF as ``@actions/core``)
workflow command property       :func:`command_property` (also ``:`` and ``,``)
foreign text in the job log     :func:`stop_commands` (a fresh token fences it verbatim) when
                                :func:`speaks_commands` says the runner could read a command
``GITHUB_OUTPUT`` value         :func:`output_entry` (``name<<DELIM``; DELIM random, not in it)
Markdown, running text          :func:`md_text` (HTML, Markdown punctuation, mentions, links)
Markdown, inline code           :func:`md_code` (a backtick fence longer than any run inside)
Markdown, fenced block          :func:`md_block` (likewise, backticks and tildes)
Markdown, table cell            :func:`md_cell` (``md_text`` on one line, ``|`` escaped)
Markdown, inside HTML tags      :func:`html_text`
a comment or issue body         :func:`no_command_lines` (no line reads as ``/tidy``)
a terminal                      :func:`terminal_text` (control characters made visible)
==============================  ===============================================================

JSON and SARIF need no function: ``json.dumps`` escapes everything their syntax knows.
"""

from __future__ import annotations

import os
import re

__all__ = [
    "command_data",
    "command_property",
    "html_text",
    "md_block",
    "md_cell",
    "md_code",
    "md_text",
    "no_command_lines",
    "output_entry",
    "speaks_commands",
    "stop_commands",
    "terminal_text",
]

# --- workflow commands (the runner reads every stdout line that starts with ``::``) -----------


def command_data(text: str) -> str:
    """The message part of ``::cmd props::MESSAGE``: one line whatever ``text`` holds."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
    if "\n" not in value and "\r" not in value and "<<" not in value:
        return f"{name}={value}\n"
    while True:
        delim = "ghadelimiter_" + os.urandom(16).hex()
        if delim not in value:
            return f"{name}<<{delim}\n{value}\n{delim}\n"


# --- Markdown (comments, issues, the job summary) ----------------------------------------------

_ZWJ = "\u200d"  # between characters, renders as nothing and breaks what GitHub would link
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=<>\"':^$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def html_text(text: str) -> str:
    """Text inside an HTML element (``<code>…</code>``, ``<summary>…</summary>``)."""
    out = "".join(_HTML.get(c, c) for c in _CONTROL.sub("\ufffd", text))
    return _defuse(out)


def md_text(text: str) -> str:
    """Running Markdown text that renders as exactly ``text``: no HTML, no emphasis, no links,
    no images, no headings, no ``@`` mentions and no ``#123`` references."""
    text = _CONTROL.sub("\ufffd", text)
    out = []
    for c in text:
        if c in _HTML:
            out.append(_HTML[c])
        elif _MD_PUNCT.fullmatch(c):
            out.append("\\" + c)
        else:
            out.append(c)
    return _defuse("".join(out))


def md_cell(text: str) -> str:
    """A Markdown table cell: :func:`md_text` on one line (line breaks become spaces)."""
    return md_text(" ".join(text.splitlines()))


def md_code(text: str) -> str:
    """Inline code showing ``text`` verbatim: a fence of more backticks than any run inside,
    padded with a space where ``text`` starts or ends with a backtick. One line."""
    text = " ".join(_CONTROL.sub("\ufffd", text).splitlines()) or " "
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def no_command_lines(markdown: str) -> str:
    """``markdown`` with no line that a comment bot would read as a command: a line whose first
    word starts with ``/`` (``/tidy``) gets a zero-width joiner after the slash. The last step
    of every comment and issue body tidybot writes, so untrusted text inside it never forms
    one, whatever block it sits in."""
    out = []
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith("/") and stripped[1:2].isalpha():
            cut = len(line) - len(stripped)
            line = line[:cut] + "/" + _ZWJ + stripped[1:]
        out.append(line)
    return "\n".join(out)


def md_block(text: str, lang: str = "") -> str:
    """A fenced code block showing ``text`` verbatim (longer fence than any run inside)."""
    body = text.rstrip("\n")
    n = max(3, _longest_run(body, "`") + 1, _longest_run(body, "~") + 1)
    fence = "`" * n
    if not re.fullmatch(r"[A-Za-z0-9_+-]*", lang):
        lang = ""
    return f"{fence}{lang}\n{body}\n{fence}"


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


def terminal_text(text: str) -> str:
    """Text for a terminal: escape sequences and other control characters are shown as
    ``\\xNN`` instead of acting on the terminal (newlines and tabs kept)."""
    return _TERMINAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
