"""Evaluation at the model provider's pace: model calls for many problems at once, provers in
worker processes.

With a live model an evaluation waits on the model, not on the CPU, so tying the calls in flight to
the number of worker processes wastes the run's time. Here each problem is answered by a thread of
this process (``concurrency`` + ``workers`` threads, each with its own :class:`Reasoner` over one
shared parser, so one LLM call cache and one pacing: at most ``concurrency`` requests in flight,
``rate_limit`` per second, retries with backoff); the Reasoners' prover is a :class:`ProverPool`
that hands each decision to an idle worker process. The code that answers a problem is the
Reasoner's, as with the other executors, so the records are the same.

A worker that overruns the hard limit on one decision is stopped and replaced; that decision is
``Unknown`` and the problem goes on with its other samples. Threads are daemons: an interrupted
run does not wait for the model calls in flight.
"""

from __future__ import annotations

import copy
import queue
import threading
import time
from collections import deque
from typing import Any, Iterator, Sequence

from linc.errors import ProverError
from linc.eval.runner import EvalConfig, _context, _solve, _start_workers, _Worker
from linc.logic.formula import Formula
from linc.parsing.base import Problem
from linc.proving import Label, ProverResult
from linc.reasoning import Reasoner, ask_prover

__all__ = ["ProverPool", "solve_paced"]

_STARTUP = 120.0  # seconds a replacement worker may take to start


def _decide(reasoner: Reasoner, payload: tuple[list[Formula], Formula, float | None] | None) -> ProverResult | None:
    """A worker's answer to one decision (see :func:`linc.eval.runner._worker_main`); None to a
    ping (``None``), which tells that the worker is up."""
    if payload is None:
        return None
    premises, conclusion, timeout = payload
    return ask_prover(reasoner.prover, premises, conclusion, timeout)


class ProverPool:
    """A prover backend whose decisions run in worker processes, callable from many threads: a
    thread takes an idle worker, has it decide, and gives it back."""

    def __init__(self, reasoner: Reasoner, config: EvalConfig, count: int, limit: float):
        self.name = getattr(reasoner.prover, "name", "?")
        self._config = config
        self._limit = limit
        _, workers = _start_workers(reasoner, config, count, _decide)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers = set(workers)
        self._lock = threading.Lock()
        self._closed = False
        for worker in workers:
            self._idle.put(worker)

    def decide(self, premises: Sequence[Formula], conclusion: Formula, timeout: float | None = None) -> ProverResult:
        worker = self._idle.get()
        if self._closed:
            self._idle.put(worker)
            raise ProverError("the evaluation was stopped")
        try:
            worker.give((0, (list(premises), conclusion, timeout)), self._limit)
            if worker.conn.poll(self._limit):
                answer: ProverResult = worker.conn.recv()[1]
                self._idle.put(worker)
                return answer
            answer = ProverResult(Label.UNKNOWN, self.name, self._limit, reason=f"no answer within {self._limit:.0f} s: the worker was stopped")
        except (EOFError, OSError):
            worker.process.join(1.0)
            answer = ProverResult(Label.ERROR, self.name, time.monotonic() - worker.started,
                                  reason=f"the worker process died (exit code {worker.process.exitcode})")
        self._replace(worker)
        return answer

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return
            fresh = _Worker(_context(), self._config, _decide)  # threads run now: not forked
            self._workers.add(fresh)
        threading.Thread(target=self._warm, args=(fresh,), name="linc-prover-start", daemon=True).start()

    def _warm(self, worker: _Worker) -> None:
        """Put ``worker`` to use once it is up, so that its start (not forked: it imports and
        builds its backend) is not charged to its first decision's limit. One that cannot start
        fails its first decision and is replaced then."""
        try:
            worker.conn.send((0, None))
            if worker.conn.poll(_STARTUP):
                worker.conn.recv()
        except (EOFError, OSError):
            pass
        self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker, idle or busy (a busy one's thread then gets an error result)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
        for worker in workers:
            worker.stop(grace=0.5)


def solve_paced(reasoner: Reasoner, config: EvalConfig, tasks: list[tuple[str, Problem]], concurrency: int,
                workers: int, rate_limit: float | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Answer ``tasks`` (key, problem) with up to ``concurrency`` model requests in flight and
    ``workers`` prover processes; yields (key, verdict) as problems finish."""
    reasoner.parser.pace(concurrency, rate_limit)
    limit = config.problem_limit if config.problem_limit is not None else 60.0 + 3.0 * config.timeout
    pool = ProverPool(reasoner, config, workers, limit)  # before any thread: workers fork cleanly
    base = copy.copy(reasoner)
    base.prover = pool  # type: ignore[assignment]
    todo = deque(tasks)
    answers: queue.SimpleQueue[tuple[str, dict[str, Any]]] = queue.SimpleQueue()
    stop = threading.Event()

    def serve() -> None:
        mine = copy.copy(base)  # its own per-problem state; parser, prover and decision cache shared
        while not stop.is_set():
            try:
                key, problem = todo.popleft()
            except IndexError:
                return
            answers.put((key, _solve(mine, problem, config)))

    threads = [threading.Thread(target=serve, name=f"linc-problem-{i}", daemon=True)
               for i in range(min(len(tasks), concurrency + workers))]
    for thread in threads:
        thread.start()
    try:
        for _ in tasks:
            yield answers.get()
    finally:
        stop.set()
        pool.close()
