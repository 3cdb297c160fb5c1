"""The runner's protocol: workflow commands on stdout, the output and summary files.

Everything the action prints or writes for the runner goes through :class:`Workflow`, and every
value in it through the escaping of its sink (``bot.report.escape``):

* annotations and notices: the message with :func:`command_data`, properties (``title=``,
  ``file=``) with :func:`command_property`;
* ``::group::`` titles with :func:`command_data` (a module directory may hold a newline);
* foreign text (go's output, diffs, errors) printed verbatim between ``::stop-commands::<token>``
  and ``::<token>::`` with a fresh random token whenever the runner could read a command in it;
* ``GITHUB_OUTPUT`` entries with :func:`output_entry` (a random delimiter not in the value);
* the job summary cut at GitHub's 1 MiB limit.

Every text is cleaned of the run's secrets first (the GitHub token, the private token), whatever
it is: ``::add-mask::`` covers the log only, not the summary or the outputs.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TextIO, cast

from bot.report.escape import (
    command_data,
    command_property,
    log_text,
    md_cut,
    output_entry,
    speaks_commands,
    stop_commands,
    visible,
)
from bot.secrets import redact

__all__ = ["SUMMARY_LIMIT", "Workflow"]

#: GitHub refuses a job summary over 1 MiB.
SUMMARY_LIMIT = 1024 * 1024 - 4096


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


class Workflow:
    """The runner's side of one run: stdout, ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``."""

    def __init__(
        self,
        out: IO[str],
        *,
        output_file: Path | None = None,
        summary_file: Path | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.out = out
        self.output_file = output_file
        self.summary_file = summary_file
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        """``text`` without any secret of the run, and with the bytes of a name that is not
        UTF-8 shown as ``\\xNN`` (:func:`visible`): the runner's files and log are UTF-8."""
        return visible(redact(text, self.secrets))

    def cleaned(self, stream: IO[str]) -> TextIO:
        """``stream`` (stderr, say) with every text written to it cleaned of the secrets."""
        return cast(TextIO, _Cleaned(stream, self.clean))

    def _write(self, line: str) -> None:
        self.out.write(self.clean(line) + "\n")
        self.out.flush()

    # -- commands -------------------------------------------------------------------------

    def mask(self) -> None:
        """``::add-mask::`` for every secret, before anything else is printed."""
        for secret in self.secrets:
            self.out.write(f"::add-mask::{command_data(secret)}\n")
        self.out.flush()

    def annotate(self, level: str, text: str, *, title: str = "tidybot", **props: str) -> None:
        """``::error``/``::warning``/``::notice`` with a title and file/line properties."""
        fields = [f"{k}={command_property(self.clean(v))}" for k, v in props.items() if v]
        fields.append(f"title={command_property(self.clean(title))}")
        self._write(f"::{level} {','.join(fields)}::{command_data(self.clean(text))}")

    def error(self, text: str, title: str = "tidybot") -> None:
        self.annotate("error", text, title=title)

    def warning(self, text: str, title: str = "tidybot") -> None:
        self.annotate("warning", text, title=title)

    def notice(self, text: str, title: str = "tidybot") -> None:
        self.annotate("notice", text, title=title)

    def commands(self, text: str) -> None:
        """Workflow command lines a renderer built (``bot.report.github``: every value in them
        is escaped there); anything else in ``text`` is refused."""
        for line in text.splitlines():
            if not line.startswith(("::error ", "::warning ", "::notice ")):
                raise ValueError(f"not an annotation: {line[:40]!r}")
            self._write(line)

    # -- log lines ------------------------------------------------------------------------

    def log(self, text: str) -> None:
        """A line (or lines) for the log, printed so the runner reads no command in them."""
        text = log_text(self.clean(text))
        if not speaks_commands(text):
            self._write(text)
            return
        start, body, end = stop_commands(text)
        self._write(start)
        self._write(body)
        self._write(end)

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A folded section of the log; the title is one escaped line."""
        self._write(f"::group::{command_data(self.clean(title))}")
        try:
            yield
        finally:
            self._write("::endgroup::")

    # -- files ----------------------------------------------------------------------------

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        if self.output_file is None:
            for k, v in outputs.items():
                self.log(f"output {k}={v}")
            return
        with self.output_file.open("a", encoding="utf-8") as f:
            for name, raw in outputs.items():
                f.write(output_entry(name, self.clean(raw)))

    def summary(self, markdown: str) -> None:
        if self.summary_file is None:
            return
        markdown = md_cut(
            self.clean(markdown),
            SUMMARY_LIMIT,
            "\n> ✂️ Cut at GitHub's 1 MiB job summary limit.\n",
            size=_utf8_size,
        )
        with self.summary_file.open("a", encoding="utf-8") as f:
            f.write(markdown if markdown.endswith("\n") else markdown + "\n")


class _Cleaned(io.TextIOBase):
    """A text stream that cleans what is written before passing it on."""

    def __init__(self, inner: IO[str], clean: Callable[[str], str]) -> None:
        self._inner = inner
        self._clean = clean

    def write(self, text: str) -> int:
        self._inner.write(self._clean(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return False
