"""The state file of ``org-audit --state FILE``: what an interrupted run already finished.

JSON lines: a header with the run's key (organisation, shard, filters, verify), then one line
per finished repository. Each line is flushed and synced before the next repository is reported,
so after an interruption at most the line being written is lost (and ignored on resume). A file
of another audit (another key) is refused, never mixed in.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from bot.errors import UsageError
from bot.fsutil import atomic_write

from .report import RepoResult

__all__ = ["STATE_VERSION", "StateFile"]

STATE_VERSION = 1


class StateFile:
    """The finished repositories of one audit, appended as they finish."""

    def __init__(self, path: Path, key: Mapping[str, object]) -> None:
        self.path = path
        self.key = dict(key)
        self._lock = threading.Lock()

    def load(self) -> dict[str, RepoResult]:
        """The results recorded so far, by lower-cased repository name."""
        if not self.path.exists():
            return {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"{self.path}: cannot read the state file: {e}") from None
        if not lines:
            return {}
        try:
            header = json.loads(lines[0])
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("tidybot_org_audit_state") != STATE_VERSION:
            raise UsageError(
                f"{self.path}:1: not a tidybot org-audit state file",
                hint="pass another --state path, or delete the file to start over",
            )
        if header.get("key") != self.key:
            raise UsageError(
                f"{self.path}:1: the state file belongs to another audit "
                f"({json.dumps(header.get('key'), sort_keys=True)})",
                hint="resume with the same --org, --shard and filters, or delete the file "
                "to start over",
            )
        done: dict[str, RepoResult] = {}
        for n, line in enumerate(lines[1:], start=2):
            try:
                raw = json.loads(line)
            except ValueError:
                if n == len(lines):
                    break  # the line being written when the run was interrupted
                raise UsageError(
                    f"{self.path}:{n}: not JSON", hint="delete the file to start over"
                ) from None
            result = RepoResult.from_json(raw, f"{self.path}:{n}")
            done[result.repo.lower()] = result
        return done

    def start(self) -> None:
        """Write the header of a new file, or drop the torn last line of an old one."""
        if self.path.exists() and self.path.stat().st_size > 0:
            text = self.path.read_text(encoding="utf-8")
            if not text.endswith("\n"):  # drop a torn last line
                atomic_write(self.path, text[: text.rfind("\n") + 1].encode("utf-8"))
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        header = {"tidybot_org_audit_state": STATE_VERSION, "key": self.key}
        atomic_write(self.path, (json.dumps(header, sort_keys=True) + "\n").encode("utf-8"))

    def append(self, result: RepoResult) -> None:
        line = json.dumps(result.to_json(), sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
