"""bot.lazy: what start-up leaves for later is the same thing once it is used."""

from __future__ import annotations

import re
import sys

from bot.lazy import lazy_import, lazy_pattern


def test_a_lazy_pattern_is_compiled_once_on_first_use_with_its_flags() -> None:
    word = lazy_pattern(r"^b\w+", re.MULTILINE)
    first = word()
    assert first is word()
    assert first.flags & re.MULTILINE
    assert first.findall("a\nbee\nbox") == ["bee", "box"]


def test_a_lazy_import_of_a_loaded_module_is_that_module() -> None:
    assert lazy_import("re") is sys.modules["re"]
