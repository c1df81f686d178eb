"""Problems as Ray tasks: the same evaluation on a Ray cluster (``linc eval ... --executor ray``).

Each task answers one problem with a :class:`~linc.reasoning.Reasoner` built from the run's
:class:`~linc.eval.runner.EvalConfig`, once per Ray worker process and then kept (as a local
worker keeps its own), through the same code as the local executor, so the records are the same
and a run's ``--out`` directory resumes under either executor. As many tasks are in flight as
the cluster has CPUs (or ``workers``), so each starts when it is sent; one that overruns the hard
limit is cancelled and its problem recorded ``Unknown``, as a stuck local worker's is.

Without an address a local Ray is started for the run (even when a cluster runs on this machine)
and shut down after it; with one
(``auto``, ``HOST:PORT``, ``ray://HOST:PORT``) the run joins that cluster, whose nodes need linc
(and any plugin the run uses) installed. A Ray already initialised in this process is used as it is.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Iterator

from linc.errors import OptionError
from linc.eval.runner import EvalConfig, _failed, _solve
from linc.parsing.base import Problem
from linc.reasoning import Reasoner

__all__ = ["solve_on_ray"]

# The Reasoners of this Ray worker process, by run settings.
_REASONERS: dict[str, Reasoner] = {}


def _answer(config: EvalConfig, problem: Problem) -> dict[str, Any]:
    """One problem's verdict (runs in a Ray worker)."""
    settings = json.dumps(config.settings(), sort_keys=True, default=str)
    if settings not in _REASONERS:
        _REASONERS[settings] = config.reasoner()
    return _solve(_REASONERS[settings], problem, config)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise OptionError("--executor ray needs Ray, which is not installed: pip install 'linc[ray]'") from None
    return ray


def solve_on_ray(config: EvalConfig, tasks: list[tuple[str, Problem]], address: str | None = None,
                 workers: int | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Answer ``tasks`` (key, problem) as Ray tasks; yields (key, verdict) as they finish."""
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
    try:
        capacity = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        limit = config.hard_limit
        queue = list(reversed(tasks))
        while queue or pending:
            while queue and len(pending) < capacity:
                key, problem = queue.pop()
                pending[remote.remote(config, problem)] = (key, time.monotonic())
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
        if started:
            ray.shutdown()


def _result(ray: Any, ref: Any, seconds: float) -> dict[str, Any]:
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as err:  # the task's process died, or building its Reasoner failed
        lines = str(err).strip().splitlines()
        return _failed("Error", f"the Ray task failed: {lines[0][:300] if lines else type(err).__name__}", seconds)
