"""Which failed model calls are worth another try, and how long to wait before it.

Every provider SDK raises its own classes, so a failure is classified by what they share: an HTTP
status (``status_code`` or ``status`` on the error, or on its ``response`` as httpx and requests
give it) and the names of the error's classes (``RateLimitError``, ``InternalServerError``,
``APIConnectionError``, ... in the OpenAI, Anthropic, Mistral and Groq SDKs alike), looked for
along the chain of causes a wrapper may have added. Rate limits (429), request timeouts (408),
server errors (5xx) and lost connections are transient; anything else (a bad key, a bad request)
fails at once.

>>> class RateLimitError(Exception): ...
>>> is_transient(RateLimitError("slow down")), is_transient(ValueError("bad request"))
(True, False)
>>> Backoff(base=1.0, cap=8.0).ceiling(5)
8.0
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

__all__ = ["Backoff", "is_transient", "retry_after", "retrying", "status_of"]

T = TypeVar("T")

#: Class names (anywhere in an error's class hierarchy) that mean "try again later".
TRANSIENT_NAMES = frozenset({
    "RateLimitError", "InternalServerError", "ServiceUnavailableError", "OverloadedError",
    "APIConnectionError", "APITimeoutError", "ConnectError", "ConnectTimeout", "ReadTimeout",
    "RemoteProtocolError", "ThrottlingException", "TooManyRequests", "TooManyRequestsError",
})


def status_of(err: BaseException) -> int | None:
    """The HTTP status an error carries, if any (on itself or on its ``response``)."""
    for holder in (err, getattr(err, "response", None)):
        for attribute in ("status_code", "status", "http_status"):
            value = getattr(holder, attribute, None)
            if isinstance(value, int) and not isinstance(value, bool) and 100 <= value < 600:
                return value
    return None


def _chain(err: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while err is not None and err not in seen and len(seen) < 8:
        seen.append(err)
        err = err.__cause__ or err.__context__  # type: ignore[assignment]
    return seen


def is_transient(err: BaseException) -> bool:
    """Whether ``err`` (or an error it was raised from) is a rate limit, a server error, a request
    timeout or a lost connection."""
    for link in _chain(err):
        status = status_of(link)
        if status is not None:
            return status in (408, 429) or status >= 500
        if isinstance(link, ConnectionError) or any(c.__name__ in TRANSIENT_NAMES for c in type(link).__mro__):
            return True
    return False


def retry_after(err: BaseException) -> float | None:
    """Seconds the provider asked to wait (a ``Retry-After`` header in seconds), if it said."""
    for link in _chain(err):
        headers = getattr(getattr(link, "response", None), "headers", None)
        try:
            value = headers.get("retry-after") if headers is not None else None
            if value is not None:
                return max(0.0, float(value))
        except (AttributeError, TypeError, ValueError):
            continue
    return None


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: before retry ``n`` (from 0) wait a random time
    between 0 and ``min(cap, base * 2**n)`` seconds, or what the provider asked if that is longer
    (up to ``cap``); at most ``retries`` retries per request."""

    retries: int = 6
    base: float = 1.0
    cap: float = 60.0

    def ceiling(self, attempt: int) -> float:
        return min(self.cap, self.base * 2.0 ** attempt)

    def delay(self, attempt: int, err: BaseException, rng: random.Random | None = None) -> float:
        jittered = (rng or random).uniform(0.0, self.ceiling(attempt))
        asked = retry_after(err)
        return min(self.cap, max(jittered, asked)) if asked is not None else jittered


def retrying(call: Callable[[], T], backoff: Backoff, on_retry: Callable[[BaseException], Any] = lambda err: None,
             sleep: Callable[[float], Any] = time.sleep) -> T:
    """``call()``, tried again after a backoff while it fails transiently and retries are left;
    ``on_retry`` hears of each retried failure. The last failure is raised."""
    attempt = 0
    while True:
        try:
            return call()
        except Exception as err:  # classified below; provider SDKs raise their own classes
            if attempt >= backoff.retries or not is_transient(err):
                raise
            on_retry(err)
            sleep(backoff.delay(attempt, err))
            attempt += 1
