"""The llm parser's pacing: requests in flight across threads, rate limit, and its call cache
shared by many threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
import time

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.rate_limiters import InMemoryRateLimiter
from pydantic import PrivateAttr

from linc.parsing.base import Problem
from linc.parsing.cache import LLMCache
from linc.parsing.llm import LLMParser

ANSWER = "TEXT: x\nFOL: P(a)\nTEXT: x\nFOL: P(a)"


class Slow(FakeListChatModel):
    """Takes ``pause`` seconds per call and remembers the most calls it had in flight at once."""

    pause: float = 0.3
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _now: int = PrivateAttr(default=0)
    _peak: int = PrivateAttr(default=0)

    def _call(self, *args, **kwargs):
        with self._lock:
            self._now += 1
            self._peak = max(self._peak, self._now)
        time.sleep(self.pause)
        with self._lock:
            self._now -= 1
        return super()._call(*args, **kwargs)


def test_requests_in_flight_across_threads_are_capped_by_the_pace():
    model = Slow(responses=[ANSWER])
    parser = LLMParser(model, cache=False)
    parser.pace(concurrency=3)
    threads = [threading.Thread(target=parser.translate, args=(Problem([f"a{i}."], "b."), 2)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert model._peak == 3  # 12 requests from 6 threads, 3 at a time


def test_a_rate_limit_puts_langchains_limiter_on_the_model():
    parser = LLMParser(FakeListChatModel(responses=[ANSWER]), cache=False)
    parser.pace(rate_limit=50.0)
    limiter = parser.model.rate_limiter
    assert isinstance(limiter, InMemoryRateLimiter) and limiter.requests_per_second == 50.0
    assert [str(s.conclusion) for s in parser.translate(Problem(["a."], "b."), k=2)] == ["P(a)", "P(a)"]


def _append_many(cache: LLMCache | str, tag: str, count: int) -> None:
    cache = LLMCache(cache) if isinstance(cache, str) else cache
    for i in range(count):
        cache.add("shared-key", [f"{tag}-{i}"], model="fake")
        cache.get("shared-key")


def test_the_call_cache_loses_no_completion_to_concurrent_writers(tmp_path):
    path = str(tmp_path / "calls.sqlite")
    ctx = multiprocessing.get_context("spawn")
    processes = [ctx.Process(target=_append_many, args=(path, f"process{p}", 30)) for p in range(2)]
    for process in processes:
        process.start()
    shared = LLMCache(path)  # one connection for the threads, as one parser's threads share it
    threads = [threading.Thread(target=_append_many, args=(shared, f"thread{t}", 30)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    stored = LLMCache(path).get("shared-key")
    assert len(stored) == 8 * 30 and len(set(stored)) == 8 * 30
