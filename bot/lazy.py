"""Import a module on first use (the standard library's ``importlib.util.LazyLoader`` recipe).

Start-up time is part of every run, and most runs never need most of tidybot: a ``check``
without a config file never parses YAML. Modules named here load when an attribute is first
read. Type checkers see a normal import (``if TYPE_CHECKING: import yaml``).

Regular expressions that most runs never use (those of error texts, of Markdown and of
workflow commands) are compiled on first use too (:func:`lazy_pattern`): compiling them took
2.6 ms of every run, before its first go command.

The modules every ``check`` loads do not import ``typing`` either (5 ms): where they need a
name from it for annotations only, they write ``TYPE_CHECKING = False`` and import it under
``if TYPE_CHECKING:``; type checkers take any name ``TYPE_CHECKING`` as true.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["lazy_import", "lazy_pattern"]


def lazy_import(name: str) -> ModuleType:
    """``name``, loaded when first used (at once when it is already imported)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def lazy_pattern(pattern: str, flags: int = 0) -> Callable[[], re.Pattern[str]]:
    """``re.compile(pattern, flags)``, compiled the first time the function given is called:
    ``_WORD = lazy_pattern(r"\\w+")`` at module level, then ``_WORD().match(text)``."""
    compiled: list[re.Pattern[str]] = []

    def get() -> re.Pattern[str]:
        if not compiled:  # two threads may both compile it: the same pattern either way
            compiled.append(re.compile(pattern, flags))
        return compiled[0]

    return get
