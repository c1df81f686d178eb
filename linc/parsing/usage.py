"""What a problem's model calls cost: requests, cache hits, retries and tokens.

:meth:`linc.reasoning.Reasoner.solve` opens a meter per problem (:func:`metered`); the ``llm``
parser adds to the meter of the thread that asked for the translation, and the totals land in
``Verdict.usage``, so an evaluation sums them from its records whichever process or machine
answered each problem. Token counts come from the model's own ``usage_metadata``; a model that
only estimates them (the replay model) says so in its ``response_metadata``, and the meter counts
those calls apart (``estimated``).

>>> with metered() as usage:
...     current().add(calls=1, input_tokens=120, output_tokens=30)
>>> usage.to_dict()
{'calls': 1, 'input_tokens': 120, 'output_tokens': 30}
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

__all__ = ["ESTIMATED", "FIELDS", "Usage", "current", "metered", "tokens_of"]

#: ``calls``: model requests answered; ``cached``: requests answered from the LLM call cache (no
#: tokens spent); ``retries``: attempts that failed with a transient error and were tried again;
#: ``failed``: requests that failed for good; ``estimated``: answered requests whose token counts
#: are estimates.
FIELDS = ("calls", "cached", "retries", "failed", "input_tokens", "output_tokens", "estimated")

#: The ``response_metadata`` key by which a model says its ``usage_metadata`` is an estimate.
ESTIMATED = "usage_estimated"

_CURRENT: ContextVar["Usage | None"] = ContextVar("linc_usage", default=None)


class Usage:
    """Counters of :data:`FIELDS`, safe to add to from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(FIELDS, 0)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                self._counts[name] += value

    def record(self, message: Any) -> None:
        """Count one answered request whose reply is ``message`` (its tokens, if it reports any)."""
        given, taken, estimated = tokens_of(message)
        self.add(calls=1, input_tokens=given, output_tokens=taken, estimated=int(estimated))

    def to_dict(self) -> dict[str, int]:
        """The counters that are not zero."""
        with self._lock:
            return {name: value for name, value in self._counts.items() if value}


def tokens_of(message: Any) -> tuple[int, int, bool]:
    """(input tokens, output tokens, whether they are estimates) of a chat model's reply."""
    meta = getattr(message, "usage_metadata", None) or {}
    estimated = bool((getattr(message, "response_metadata", None) or {}).get(ESTIMATED)) and bool(meta)
    return int(meta.get("input_tokens") or 0), int(meta.get("output_tokens") or 0), estimated


def current() -> Usage | None:
    """The meter of this thread's problem, if one is open."""
    return _CURRENT.get()


@contextmanager
def metered() -> Iterator[Usage]:
    """Open a meter for the calls made in this context; on leaving, its counts are also added to
    the meter it was opened inside, if any."""
    usage = Usage()
    outer = _CURRENT.get()
    token = _CURRENT.set(usage)
    try:
        yield usage
    finally:
        _CURRENT.reset(token)
        if outer is not None:
            outer.add(**usage.to_dict())
