"""Python's cyclic garbage collector paused around bulk work that makes long-lived objects.

The collector starts a collection every few hundred new container objects, and each older
generation's collection walks every object that survived before. Work that builds a large
structure meant to live on (plugins importing LangChain and Z3, a knowledge graph's index of
100,000 facts) makes the collector walk that structure again and again while it is being made:
measured on opening a 100k-fact store, 4,236 collections took 3 of its 9.5 s. Pausing it there
loses nothing: the objects made are kept, and garbage without cycles is freed by reference
counting as usual.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


#: Thresholds for a command's or a run's work (Python's default: (700, 10, 10)): such work makes
#: formulas, votes and records by the hundred thousand, most of them kept to the end (caches,
#: records), which a young collection every 700 new objects walked again and again.
RUN_THRESHOLDS = (20_000, 20, 20)


@contextmanager
def collector_thresholds(thresholds: tuple[int, int, int] = RUN_THRESHOLDS) -> Iterator[None]:
    """The collector's thresholds set to ``thresholds`` inside the block, restored after."""
    before = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored after, if it was on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
