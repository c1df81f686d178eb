"""Evaluate a dataset: problems in parallel worker processes, each answered once, results kept.

Speed comes from not doing work twice and never waiting on one slow problem:

- problems identical in everything the parser sees are dispatched once (their key is a hash of
  that input) and the result is copied to each of them;
- each worker builds its Reasoner once (a forked worker inherits the parent's) and keeps it, so
  its decision cache (identical FOL problems modulo bound-variable names are decided once) spans
  every problem the worker sees; within a problem, samples that differ only in symbol names
  are decided once too;
- labels are what is measured, so the backend is asked for no countermodels (``countermodels``);
- workers take one problem at a time; a worker that overruns a hard limit (a backend that
  ignores its own timeout) is stopped and replaced and the problem is recorded as ``Unknown``,
  so one stuck problem never holds up the others. With one worker, problems are answered in
  this process (no watchdog; handy under a debugger).

Workers die with this process however it dies (:mod:`linc.lifetime`), and so do the provers they
run; a forked worker also closes the copies it inherited of this process's pipe ends, so an idle
worker sees end-of-file when this process is gone.

With a :class:`~linc.eval.store.RunStore` every finished problem is written durably before the
next is reported, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator

from linc.collector import RUN_THRESHOLDS, collector_thresholds
from linc.errors import LincError, OptionError
from linc.eval.datasets import Dataset
from linc.eval.store import RunStore
from linc.eval.translation import judge_translation, load_judge
from linc.lifetime import die_with_parent
from linc.options import at_least, positive_number
from linc.parsing.base import Problem
from linc.reasoning import Reasoner
from linc.voting import DEFAULT_POLICY

__all__ = ["EXECUTORS", "EvalConfig", "EvalRun", "Progress", "evaluate", "problem_key", "record_for"]

#: Called after each finished problem with (problems done, problems in the run, its record).
Progress = Callable[[int, int, dict[str, Any]], None]


@dataclass
class EvalConfig:
    """How each problem is answered; everything here must match for a run to be resumed."""

    parser: str = "grammar"
    prover: str = "z3"
    k: int = 1
    timeout: float = 10.0
    repair_rounds: int = 1
    inconsistent: str = "error"
    parser_options: dict[str, Any] = field(default_factory=dict)
    prover_options: dict[str, Any] = field(default_factory=dict)  # keyword arguments of the backend
    problem_limit: float | None = None  # hard limit per problem; None: derived from the timeouts
    countermodels: bool = False  # labels are what an evaluation measures; models cost half the time
    vote: str = DEFAULT_POLICY  # the voting policy (see linc.voting)
    translation: bool = True  # judge the winning votes' formulas against gold FOL, where there is some

    def reasoner(self) -> Reasoner:
        from linc import plugins

        prover = plugins.get_prover(self.prover, timeout=self.timeout, **self.prover_options) if self.prover_options else self.prover
        reasoner = Reasoner(
            parser=self.parser,
            prover=prover,
            k=self.k,
            timeout=self.timeout,
            repair_rounds=self.repair_rounds,
            inconsistent=self.inconsistent,
            parser_options=dict(self.parser_options),
            dedup_renamed=True,
            vote=self.vote,
        )
        reasoner.prover.countermodels = self.countermodels
        return reasoner

    @property
    def hard_limit(self) -> float:
        """Seconds after which a worker is presumed stuck: far beyond what the timeouts allow."""
        if self.problem_limit is not None:
            return self.problem_limit
        return 120.0 + 3.0 * self.timeout * self.k * (1 + self.repair_rounds)

    def settings(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvalRun:
    """What an evaluation returns: one record per problem, in dataset order."""

    dataset: Dataset
    config: EvalConfig
    records: list[dict[str, Any]]
    seconds: float  # wall time of this invocation
    resumed: int = 0  # records taken from an earlier, interrupted run
    workers: int = 1


def problem_key(problem: Problem) -> str:
    """A hash of what the parsers read (sentences, gold FOL, recorded generations): problems with
    equal keys get one answer. Ids and other metadata are left out, so duplicates are found."""
    payload = [problem.premises, problem.conclusion, problem.premises_fol, problem.conclusion_fol, problem.meta.get("generations")]
    return hashlib.sha256(_KEY_JSON(payload).encode("utf-8")).hexdigest()[:20]


#: ``json.dumps(payload, ensure_ascii=False)``, without making an encoder for each problem.
_KEY_JSON = json.JSONEncoder(ensure_ascii=False).encode


def record_for(problem: Problem, key: str, verdict: dict[str, Any]) -> dict[str, Any]:
    """The per-problem record: gold, prediction, the whole verdict (votes, formulas, timings), and
    how its winning votes translated the problem (``translation``, where there is gold FOL)."""
    label = verdict.get("label", "Error")
    quality = verdict.get("translation")
    if quality is not None:
        verdict = {k: v for k, v in verdict.items() if k != "translation"}
    record = {
        "id": problem.id,
        "key": key,
        "gold": problem.label,
        "label": label,
        "correct": None if problem.label is None else label == problem.label,
        "depth": problem.meta.get("depth"),
        "theory_depth": problem.meta.get("theory_depth"),
        "premises": list(problem.premises),  # the sentences, so a run's directory explains itself
        "conclusion": problem.conclusion,
        "seconds": verdict.get("timings", {}).get("total_seconds", 0.0),
        "verdict": {**verdict, "problem_id": problem.id},
    }
    return record if quality is None else {**record, "translation": quality}


def _failed(label: str, reason: str, seconds: float = 0.0) -> dict[str, Any]:
    """A verdict for a problem the worker could not answer (stuck or crashed)."""
    return {"label": label, "votes": [], "counts": {}, "reason": reason, "timings": {"total_seconds": seconds}}


#: Where problems run: worker processes of this machine, or tasks on a Ray cluster.
EXECUTORS = ("local", "ray")


def evaluate(
    dataset: Dataset,
    config: EvalConfig,
    workers: int | None = None,
    store: RunStore | None = None,
    progress: Progress | None = None,
    *,
    concurrency: int | None = None,
    rate_limit: float | None = None,
    executor: str = "local",
    address: str | None = None,
) -> EvalRun:
    """Answer every problem of ``dataset``; returns the records in dataset order.

    ``workers`` defaults to every core. Records already in ``store`` (same id, same input) are
    reused (those made with judging off get their translations judged, in this process); new
    ones are appended to it as they finish. Raises :class:`LincError` when the
    parser or prover cannot be built (unknown name, missing binary), before any work starts.

    How the problems run changes no record, so none of these is part of the run's settings:
    ``concurrency`` model requests in flight across problems and at most ``rate_limit`` requests
    per second, with provers in ``workers`` processes (:mod:`linc.eval.pacing`; either one
    switches this on); ``executor="ray"`` runs problems as tasks on the Ray cluster at
    ``address``, or on a local Ray (:mod:`linc.eval.ray_tasks`), with ``rate_limit`` for the
    whole cluster (``workers`` tasks in flight; ``concurrency`` is refused there).
    """
    if executor not in EXECUTORS:
        raise OptionError(f"--executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if concurrency is not None:
        at_least(concurrency, 1, "--concurrency")
    if rate_limit is not None:
        positive_number(rate_limit, "--rate-limit", "requests per second")
    if executor == "ray" and concurrency is not None:
        raise OptionError("--concurrency paces the local executor; under Ray, --workers sets the tasks in flight")
    start = time.perf_counter()
    reasoner = config.reasoner()  # fail fast on a bad name; forked workers inherit it
    if config.translation and dataset.has_gold_fol:
        load_judge()  # and what judging needs
    done = store.open() if store is not None else {}
    problems = dataset.problems
    records: list[dict[str, Any] | None] = [None] * len(problems)
    groups: dict[str, list[int]] = {}
    for index, problem in enumerate(problems):
        key = problem_key(problem)
        previous = done.get(problem.id)
        if previous is not None and previous.get("key") == key:
            records[index] = previous
        else:
            groups.setdefault(key, []).append(index)
    resumed = sum(r is not None for r in records)
    if config.translation and dataset.has_gold_fol:
        amended = _judge_resumed(config, problems, records)
        if store is not None:
            store.amend(amended)
    finished = resumed
    tasks = [(key, problems[indices[0]]) for key, indices in groups.items()]
    count = min(workers or os.cpu_count() or 1, len(tasks)) or 1
    if not tasks:
        solved: Iterator[tuple[str, dict[str, Any]]] = iter(())
    elif executor == "ray":
        from linc.eval.ray_tasks import solve_on_ray

        solved = solve_on_ray(config, tasks, address, workers, rate_limit)
    elif concurrency is not None or rate_limit is not None:
        from linc.eval.pacing import solve_paced

        solved = solve_paced(reasoner, config, tasks, concurrency or count, count, rate_limit)
    else:
        solved = _in_process(reasoner, config, tasks) if count == 1 else _in_pool(reasoner, config, tasks, count)
    with _settled_heap():
        for key, verdict in solved:
            for index in groups[key]:
                record = record_for(problems[index], key, verdict)
                if store is not None:
                    store.append(record)
                records[index] = record
                finished += 1
                if progress is not None:
                    progress(finished, len(problems), record)
    return EvalRun(dataset, config, [r for r in records if r is not None], time.perf_counter() - start, resumed, count)


def _judge_resumed(config: EvalConfig, problems: list[Problem], records: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Judge the translations of the resumed records that lack it (an earlier run had judging
    off), from their verdicts: the answers stand, nothing is solved again. The records so
    completed replace theirs in ``records``; they are returned, for the store to rewrite."""
    amended = []
    for index, record in enumerate(records):
        if record is None or "translation" in record:
            continue
        quality = judge_translation(config, problems[index], record.get("verdict") or {})
        if quality is not None:
            records[index] = {**record, "translation": quality}
            amended.append(records[index])
    return amended


@contextlib.contextmanager
def _settled_heap() -> Iterator[None]:
    """Garbage collection fitted to a run, and undone after it.

    Every object that exists at the start (the modules, the reasoner, the dataset: they outlive
    the run anyway) is frozen: a full collection walks every tracked object, and with LangChain
    and Z3 loaded each took 0.05-0.15 s, several per run; forked workers, which inherit the frozen
    objects, also leave their memory pages shared instead of touching them all (copy-on-write) at
    their first collection. Not undone if the caller had frozen objects itself (freezing is then
    theirs to manage).

    And the collector runs less often (:data:`~linc.collector.RUN_THRESHOLDS`): a run makes
    formulas, votes and records by the hundred thousand, most of them kept to the end (caches,
    records), which a young collection every 700 new objects walked again and again (0.17 s of a
    3 s run; 0.06 s so)."""
    ours = not gc.get_freeze_count()
    with collector_thresholds(RUN_THRESHOLDS):
        if ours:
            gc.freeze()
        try:
            yield
        finally:
            if ours:
                gc.unfreeze()


# ---------------------------------------------------------------- solving


def _solve(reasoner: Reasoner, problem: Problem, config: EvalConfig) -> dict[str, Any]:
    """The verdict as a dict; with its ``translation`` judged against the gold FOL (in the
    worker: the checks are CPU-bound like the proofs), which :func:`record_for` moves up."""
    try:
        verdict = reasoner.solve(problem).to_dict()
    except LincError as err:
        return _failed("Error", f"{type(err).__name__}: {err}")
    except Exception:  # a bug on one problem must not end the run: record it with its traceback
        return _failed("Error", "internal error:\n" + traceback.format_exc(limit=8))
    quality = judge_translation(config, problem, verdict)
    return verdict if quality is None else {**verdict, "translation": quality}


def _in_process(reasoner: Reasoner, config: EvalConfig, tasks: list[tuple[str, Problem]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for key, problem in tasks:
        yield key, _solve(reasoner, problem, config)


#: What a worker does with each task's payload (a module-level function, so that it pickles).
Handler = Callable[[Reasoner, Any], Any]

# The Reasoner a forked worker inherits (built once, in the parent, before forking).
_INHERITED: Reasoner | None = None
# This process's ends of its workers' pipes; a forked worker inherits copies and must close them,
# since a pipe whose parent end is still open somewhere never reports end-of-file.
_PARENT_ENDS: set[Connection] = set()


def _worker_main(conn: Connection, config: EvalConfig, parent: int | None, handler: Handler) -> None:
    """Answer tasks ``(tag, payload)`` sent over ``conn`` with ``(tag, handler(reasoner, payload))``
    until told to stop (``None``) or the parent is gone.

    ``parent`` is the pid of the process that started this one (None: unknown, under forkserver).
    """
    die_with_parent(os.getppid() if parent is None else parent)
    gc.set_threshold(*RUN_THRESHOLDS)  # a forked worker has them already; a spawned one not
    for end in _PARENT_ENDS:
        end.close()
    _PARENT_ENDS.clear()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through the prover, which kills its children

    signal.signal(signal.SIGTERM, stop)
    reasoner = _INHERITED if _INHERITED is not None else config.reasoner()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        tag, payload = task
        answer = handler(reasoner, payload)
        try:
            conn.send((tag, answer))
        except OSError:  # the parent is gone (killed): nobody to answer to
            return


def _context() -> multiprocessing.context.BaseContext:
    """Fork when it is safe (no other threads, but for those that say they survive a fork, e.g.
    the z3 backend's watchdog): workers then inherit the built Reasoner for free."""
    methods = multiprocessing.get_all_start_methods()
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and not getattr(t, "fork_safe", False)]
    if "fork" in methods and not others:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class _Worker:
    """One worker process and the task it is on."""

    def __init__(self, ctx: multiprocessing.context.BaseContext, config: EvalConfig, handler: Handler | None = None):
        handler = handler or functools.partial(_solve, config=config)  # by default it solves whole problems
        self.conn, child = ctx.Pipe()
        _PARENT_ENDS.add(self.conn)
        parent = None if ctx.get_start_method() == "forkserver" else os.getpid()  # else the server
        self.process = ctx.Process(target=_worker_main, args=(child, config, parent, handler), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[str, Problem] | None = None
        self.deadline = 0.0
        self.started = 0.0

    def give(self, task: tuple[str, Problem], limit: float) -> None:
        self.task, self.started = task, time.monotonic()
        self.deadline = self.started + limit
        self.conn.send(task)

    def stop(self, grace: float = 1.0) -> None:
        """Ask politely (SIGTERM lets the prover kill its children), then SIGKILL."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(grace)
        _PARENT_ENDS.discard(self.conn)
        self.conn.close()


def _start_workers(reasoner: Reasoner, config: EvalConfig, count: int, handler: Handler | None = None) -> tuple[multiprocessing.context.BaseContext, list[_Worker]]:
    """``count`` workers; forked ones inherit ``reasoner`` (so start them before any thread)."""
    global _INHERITED
    ctx = _context()
    _INHERITED = reasoner if ctx.get_start_method() == "fork" else None
    try:
        return ctx, [_Worker(ctx, config, handler) for _ in range(count)]
    finally:
        _INHERITED = None


class _Families:
    """The tasks still to give out, grouped by their premises (FOLIO asks several questions about one
    story): a worker is given the rest of the family of its last task before any other, and a new
    family nobody holds before one another worker is on, so that each story's formulas are read and
    compiled in one worker (its caches then serve the story's other questions) rather than in all
    of them. The order of the records does not depend on it: they are put in dataset order."""

    def __init__(self, tasks: list[tuple[str, Problem]]):
        self._waiting: dict[tuple[str, ...], deque[tuple[str, Problem]]] = {}
        for task in tasks:
            self._waiting.setdefault(tuple(task[1].premises), deque()).append(task)
        self._held: dict[_Worker, tuple[str, ...]] = {}

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def take(self, worker: _Worker) -> tuple[str, Problem]:
        family = self._held.get(worker)
        if family not in self._waiting:
            held = set(self._held.values())
            family = next((f for f in self._waiting if f not in held), next(iter(self._waiting)))
            self._held[worker] = family
        tasks = self._waiting[family]
        task = tasks.popleft()
        if not tasks:
            del self._waiting[family]
        return task

    def forget(self, worker: _Worker) -> None:
        """``worker`` is gone: its family is free for another."""
        self._held.pop(worker, None)


def _in_pool(reasoner: Reasoner, config: EvalConfig, tasks: list[tuple[str, Problem]], count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    ctx, pool = _start_workers(reasoner, config, count)
    queue = _Families(tasks)
    limit = config.hard_limit
    try:
        while True:
            for worker in pool:
                if worker.task is None and queue:
                    worker.give(queue.take(worker), limit)
            busy = [w for w in pool if w.task is not None]
            if not busy:
                return
            now = time.monotonic()
            ready = wait([w.conn for w in busy], timeout=max(0.0, min(w.deadline for w in busy) - now))
            for index, worker in enumerate(pool):
                if worker.task is None:
                    continue
                key = worker.task[0]
                if worker.conn in ready:
                    try:
                        answer = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.process.join(1.0)
                        code = worker.process.exitcode
                        answer = (key, _failed("Error", f"the worker process died (exit code {code})", time.monotonic() - worker.started))
                    else:
                        worker.task = None
                        yield answer
                        continue
                elif time.monotonic() < worker.deadline:
                    continue
                else:
                    answer = (key, _failed("Unknown", f"no answer within {limit:.0f} s: the worker was stopped", limit))
                worker.stop()
                queue.forget(worker)
                pool[index] = _Worker(ctx, config)
                yield answer
    finally:
        for worker in pool:
            if worker.process.is_alive() and worker.task is None:
                try:
                    worker.conn.send(None)
                except (OSError, ValueError):
                    pass
        for worker in pool:
            worker.process.join(0.5 if worker.task is None else 0)
            worker.stop(grace=0.5)
