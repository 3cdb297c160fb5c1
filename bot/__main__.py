"""The ``tidybot`` command: ``python -m bot`` and the console script (``bot.__main__:entry``).

Before anything else is imported, the garbage collector's first threshold goes from 700 to
100,000 allocations (mypy's main does the same, at 200,000): a run is short and makes few
reference cycles, and with the default the collector ran 17 times in a cached check (15 of
them while importing), about 3 ms of a 50 ms run. It still runs, so a long org-audit's memory
stays bounded. Only this entry point does it; importing ``bot`` as a library changes nothing.
"""

import gc

gc.set_threshold(100_000, *gc.get_threshold()[1:])

from bot.cli import entry  # noqa: E402 - after the threshold, which the imports benefit from

__all__ = ["entry"]

if __name__ == "__main__":  # not when a worker process imports it (multiprocessing spawn)
    entry()
