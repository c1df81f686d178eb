"""Problems as Ray tasks: the same evaluation on a Ray cluster (``linc eval ... --executor ray``).

Each task answers one problem with a :class:`~linc.reasoning.Reasoner` built from the run's
:class:`~linc.eval.runner.EvalConfig`, once per Ray worker process and then kept (as a local
worker keeps its own), through the same code as the local executor, so the records are the same
and a run's ``--out`` directory resumes under either executor. As many tasks are in flight as
the cluster has CPUs (or ``workers``), so each starts when it is sent; one that overruns the hard
limit is cancelled and its problem recorded ``Unknown``, as a stuck local worker's is.

``rate_limit`` holds the whole cluster to that many model requests per second: one Ray actor keeps
the rate limiter a local run's model has (:func:`linc.parsing.llm.rate_limiter`), and every task's
model takes its turns from it; the actor asks for no CPU, so it takes no task's place.

Without an address a local Ray is started for the run (even when a cluster runs on this machine)
and shut down after it; with one
(``auto``, ``HOST:PORT``, ``ray://HOST:PORT``) the run joins that cluster, whose nodes need linc
(and any plugin the run uses) installed. A Ray already initialised in this process is used as it is.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Iterator

from langchain_core.rate_limiters import BaseRateLimiter

from linc.errors import OptionError
from linc.eval.runner import EvalConfig, _failed, _solve
from linc.parsing.base import Problem
from linc.parsing.llm import rate_limiter
from linc.reasoning import Reasoner

__all__ = ["solve_on_ray"]

# The Reasoners of this Ray worker process, by run settings and the rate-limited run they pace.
_REASONERS: dict[tuple[str, str | None], Reasoner] = {}


class Bucket:
    """The run's rate limiter, the one a local run's model has, for the whole cluster. As a Ray
    actor it serves one call at a time, in order, so a call that waits for its turn holds the
    others back, as the rate wants."""

    def __init__(self, rate: float):
        self.limiter = rate_limiter(rate)

    def take(self, blocking: bool = True) -> bool:
        """Take a turn: when the rate allows (or False at once, not blocking and too early)."""
        return self.limiter.acquire(blocking=blocking)


class ClusterRateLimiter(BaseRateLimiter):
    """LangChain's rate-limiter interface over a :class:`Bucket` actor shared by every task."""

    def __init__(self, bucket: Any):
        self.bucket = bucket

    def acquire(self, *, blocking: bool = True) -> bool:
        import ray

        return ray.get(self.bucket.take.remote(blocking))

    async def aacquire(self, *, blocking: bool = True) -> bool:
        return await self.bucket.take.remote(blocking)


def _answer(config: EvalConfig, problem: Problem, pacing: tuple[str, Any] | None = None) -> dict[str, Any]:
    """One problem's verdict (runs in a Ray worker); ``pacing``: (run id, :class:`Bucket` actor)
    of a rate-limited run, whose model requests take their turns from that bucket."""
    settings = json.dumps(config.settings(), sort_keys=True, default=str)
    key = (settings, pacing[0] if pacing else None)
    reasoner = _REASONERS.get(key)
    if reasoner is None:
        for old in [k for k in _REASONERS if k[0] == settings and k[1] is not None]:
            del _REASONERS[old]  # paced by a run that has ended (its bucket is gone)
        reasoner = _REASONERS[key] = config.reasoner()
        if pacing:
            reasoner.parser.pace(rate_limit=ClusterRateLimiter(pacing[1]))
    return _solve(reasoner, problem, config)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise OptionError("--executor ray needs Ray, which is not installed: pip install 'linc[ray]'") from None
    return ray


def solve_on_ray(config: EvalConfig, tasks: list[tuple[str, Problem]], address: str | None = None,
                 workers: int | None = None, rate_limit: float | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Answer ``tasks`` (key, problem) as Ray tasks, at most ``rate_limit`` model requests per
    second across the cluster; yields (key, verdict) as they finish."""
    ray = _ray()
    started = not ray.is_initialized()
    if started:
        try:
            ray.init(address=address or "local", num_cpus=workers if address is None else None, include_dashboard=False,
                     logging_level=logging.WARNING, configure_logging=True)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise OptionError(f"--ray-address {address or '(local)'}: cannot start or join Ray: {err}") from None
    remote = ray.remote(max_retries=0)(_answer)
    pending: dict[Any, tuple[str, float]] = {}  # task -> (key, when it was sent)
    bucket = ray.remote(num_cpus=0)(Bucket).remote(rate_limit) if rate_limit is not None else None
    pacing = (uuid.uuid4().hex, bucket) if bucket is not None else None
    try:
        capacity = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        limit = config.hard_limit
        queue = list(reversed(tasks))
        while queue or pending:
            while queue and len(pending) < capacity:
                key, problem = queue.pop()
                pending[remote.remote(config, problem, pacing)] = (key, time.monotonic())
            first = min(sent for _, sent in pending.values())
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=max(0.0, first + limit - time.monotonic()))
            for ref in ready:
                key, sent = pending.pop(ref)
                yield key, _result(ray, ref, time.monotonic() - sent)
            for ref, (key, sent) in list(pending.items()):
                if time.monotonic() - sent >= limit:
                    ray.cancel(ref, force=True)
                    del pending[ref]
                    yield key, _failed("Unknown", f"no answer within {limit:.0f} s: the Ray task was cancelled", limit)
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if bucket is not None:
            ray.kill(bucket)
        if started:
            ray.shutdown()


def _result(ray: Any, ref: Any, seconds: float) -> dict[str, Any]:
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as err:  # the task's process died, or building its Reasoner failed
        lines = str(err).strip().splitlines()
        return _failed("Error", f"the Ray task failed: {lines[0][:300] if lines else type(err).__name__}", seconds)
