"""Import a module on first use (the standard library's ``importlib.util.LazyLoader`` recipe).

Start-up time is part of every run, and most runs never need most of tidybot: a ``check``
without a config file never parses YAML. Modules named here load when an attribute is first
read. Type checkers see a normal import (``if TYPE_CHECKING: import yaml``).

The modules every ``check`` loads do not import ``typing`` either (5 ms): where they need a
name from it for annotations only, they write ``TYPE_CHECKING = False`` and import it under
``if TYPE_CHECKING:``; type checkers take any name ``TYPE_CHECKING`` as true.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy_import"]


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
