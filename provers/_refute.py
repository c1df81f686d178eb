"""Three refutation questions, asked in parallel, turned into one label.

Provers such as Prover9, E, Lean or a resolution search only answer "does X follow?". Deciding
``premises ⊢ C`` with them takes three runs: ``pos`` (premises ⊢ C), ``neg`` (premises ⊢ ¬C) and
``cons`` (premises ⊢ ⊥). A backend may ask only ``pos`` and ``neg`` (:meth:`RefutationProver.questions`,
e.g. Prover9 reproducing LINC, which never searched for a contradiction); inconsistent premises
are then seen only through a proof that does not use its goal, or both directions proved. Each
run ends in an :class:`Attempt`; :func:`combine` maps them to a label with these rules:

- an inconsistency proof (``cons`` proved, both directions proved, or a direction proved without
  using its goal) gives ``Inconsistent``, never ``True``;
- ``pos`` proved gives ``True``, ``neg`` proved gives ``False``;
- both directions searched to completion (saturated) gives ``Uncertain``;
- otherwise ``Error`` if a run failed, else ``Unknown`` (a limit was hit or the search gave up).

Once a direction is proved, the other is cancelled; the consistency run keeps at most
``grace`` × timeout seconds more, after which the premises' consistency is reported as unknown
(``consistent=None``) — a documented trade-off so that ``True`` answers do not all cost the
full timeout when the premises do not saturate.

Time: a backend whose binary limits its own processor time (``cpu_limited``: Prover9's
``max_seconds``, E's ``--cpu-limit``, both measured in CPU seconds) gets the timeout as each
search's CPU budget, so a loaded machine slows a search down without changing its answer; the
clock stops such a search only at :data:`WALL_FACTOR` × the timeout + 1 s, a backstop for a
binary that overruns. Other backends' searches are stopped by the clock at the timeout.
"""

from __future__ import annotations

import re
import tempfile
import time
from abc import abstractmethod
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from linc.logic.formula import Formula, Not
from linc.proving import Label, Prover, ProverResult
from linc_provers import _worker
from linc_provers._binary import BinarySpec, availability, locate
from linc_provers._process import Completed, Job, run_parallel

QUESTIONS = ("pos", "neg", "cons")
#: How many timeouts of wall-clock time a CPU-limited search may take before it is killed: one
#: that gets a third of a core still ends by its own limit (and within the eval runner's
#: per-call watchdog, 60 s + 3 × the timeout).
WALL_FACTOR = 3.0


class Outcome(str, Enum):
    PROVED = "proved"  # a proof was found
    SATURATED = "saturated"  # the search space was exhausted: not provable
    LIMIT = "limit"  # time or another resource ran out
    FAILED = "failed"  # an incomplete search ended without a proof (e.g. a tactic failed)
    ERROR = "error"  # the prover rejected the input or crashed


@dataclass
class Attempt:
    """One refutation run's result."""

    outcome: Outcome
    text: str | None = None  # the proof when PROVED, otherwise a short explanation
    model: dict[str, Any] | None = None  # a readable model when SATURATED, if the backend has one
    without_goal: bool = False  # PROVED without using the goal: the premises are inconsistent
    raw: str | None = None  # raw output, kept on errors
    support: list[int] | None = None  # when PROVED: 0-based positions of the premises the proof cites


def cited(proof: str, pattern: re.Pattern[str]) -> list[int]:
    """0-based positions of the premises a proof cites: ``pattern``'s group 1 is a 1-based position."""
    return sorted({int(n) - 1 for n in pattern.findall(proof)})


def _inconsistency(a: dict[str, Attempt]) -> Attempt | None:
    proved = {n: x for n, x in a.items() if x.outcome is Outcome.PROVED}
    if "cons" in proved:
        return proved["cons"]
    if "pos" in proved and "neg" in proved:
        return proved["pos"]
    return next((x for x in proved.values() if x.without_goal), None)


def plan(a: dict[str, Attempt], now: float, grace: float) -> dict[str, float]:
    """New deadlines for the runs still going, given the attempts finished so far."""
    if _inconsistency(a) is not None:
        return {n: now for n in QUESTIONS}
    out: dict[str, float] = {}
    for this, other in (("pos", "neg"), ("neg", "pos")):
        done = a.get(this)
        if done is not None and done.outcome is Outcome.PROVED:
            out[other] = now
            out["cons"] = now + grace
        if done is not None and done.outcome is Outcome.SATURATED:
            out["cons"] = now  # premises plus a goal's negation are satisfiable: consistent
    return out


def combine(name: str, a: dict[str, Attempt]) -> ProverResult:
    """The label for the attempts (see the module docstring for the rules); a question not asked
    counts as not answered."""
    missing = Attempt(Outcome.LIMIT, "not asked")
    pos, neg, cons = (a.get(n, missing) for n in QUESTIONS)
    bad = _inconsistency(a)
    if bad is not None:
        return ProverResult(Label.INCONSISTENT, name, 0.0, proof=bad.text, consistent=False)
    saturated = [x.outcome is Outcome.SATURATED for x in (pos, neg, cons)]
    consistent = True if any(saturated) else None
    if pos.outcome is Outcome.PROVED:
        return ProverResult(Label.TRUE, name, 0.0, proof=pos.text, consistent=consistent, support=pos.support)
    if neg.outcome is Outcome.PROVED:
        return ProverResult(Label.FALSE, name, 0.0, proof=neg.text, consistent=consistent, support=neg.support)
    if saturated[0] and saturated[1]:
        models = {"conclusion_true": neg.model, "conclusion_false": pos.model}
        countermodel = models if pos.model is not None or neg.model is not None else None
        return ProverResult(Label.UNCERTAIN, name, 0.0, countermodel=countermodel, consistent=True)
    errors = [x for x in (pos, neg, cons) if x.outcome is Outcome.ERROR]
    if errors:
        return ProverResult(Label.ERROR, name, 0.0, reason=errors[0].text, raw=errors[0].raw, consistent=consistent)
    why = "; ".join(f"{n}: {x.text or x.outcome.value}" for n, x in zip(QUESTIONS, (pos, neg)) if x.outcome is not Outcome.SATURATED)
    return ProverResult(Label.UNKNOWN, name, 0.0, reason=why, consistent=consistent)


class RefutationProver(Prover):
    """A backend that runs one subprocess per question; subclasses say how to run and read one."""

    #: Share of the timeout the consistency run keeps once a direction is proved.
    grace: ClassVar[float] = 0.2
    #: The binary stops itself after ``seconds`` of processor time (see the module docstring).
    cpu_limited: ClassVar[bool] = False

    def questions(self) -> tuple[str, ...]:
        """The questions asked (all three unless a backend says otherwise)."""
        return QUESTIONS

    def wall_limit(self, timeout: float) -> float:
        """Wall-clock seconds after which a search is killed."""
        return WALL_FACTOR * timeout + 1.0 if self.cpu_limited else timeout

    @abstractmethod
    def _prepare(self, premises: list[Formula], conclusion: Formula) -> Any:
        """Check the problem, locate binaries (raise to refuse); returns this call's state."""

    @abstractmethod
    def _job(self, state: Any, premises: list[Formula], goal: Formula | None, seconds: float, workdir: str, tag: str) -> Job:
        """The command answering ``premises ⊢ goal`` (``goal=None``: ``premises ⊢ ⊥``) within
        ``seconds`` (of processor time if ``cpu_limited``)."""

    @abstractmethod
    def _read(self, state: Any, done: Completed, tag: str) -> Attempt:
        """Interpret the run for question ``tag`` that ended on its own (not killed)."""

    def _attempt(self, state: Any, done: Completed, tag: str) -> Attempt:
        if done.cancelled:
            return Attempt(Outcome.LIMIT, "cancelled: the answer was already known")
        if done.timed_out:
            return Attempt(Outcome.LIMIT, f"time limit ({done.seconds:.3g} s of wall-clock time)")
        return self._read(state, done, tag)

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        state = self._prepare(premises, conclusion)
        goals = {"pos": conclusion, "neg": Not(conclusion), "cons": None}
        asked = self.questions()
        attempts: dict[str, Attempt] = {}

        def update(done: dict[str, Completed]) -> dict[str, float]:
            for n, c in done.items():
                if n not in attempts:
                    attempts[n] = self._attempt(state, c, n)
            return {n: t for n, t in plan(attempts, time.monotonic(), self.grace * timeout).items() if n in asked}

        with tempfile.TemporaryDirectory(prefix="linc-") as workdir:
            jobs = {n: self._job(state, premises, goals[n], timeout, workdir, n) for n in asked}
            results = run_parallel(jobs, self.wall_limit(timeout), update)
        for n, c in results.items():
            if n not in attempts:
                attempts[n] = self._attempt(state, c, n)
        return combine(self.name, attempts)


class WorkerProver(RefutationProver):
    """A refutation backend whose search is a Python function run in killable workers.

    ``target`` names ``module:function(premises, goal, seconds) -> Attempt``. The worker running
    it stops itself ``seconds`` (plus a margin) after it starts, so even a search that cannot
    watch the clock (sympy's DPLL) ends on time when nobody is left to stop it.
    """

    target: ClassVar[str]

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> None:
        return None

    def _job(self, state: None, premises: list[Formula], goal: Formula | None, seconds: float, workdir: str, tag: str) -> Job:
        return _worker.job(self.target, (premises, goal, seconds), seconds)

    def _read(self, state: None, done: Completed, tag: str) -> Attempt:
        try:
            return _worker.result(done)
        except Exception as e:  # noqa: BLE001 - any failure of the worker is this run's error
            return Attempt(Outcome.ERROR, str(e), raw=done.error_text[-4000:])


class ExternalProver(RefutationProver):
    """A refutation backend running a binary found through ``binary_spec`` (or given directly)."""

    binary_spec: ClassVar[BinarySpec]

    def __init__(self, timeout: float = 10.0, binary: str | None = None):
        super().__init__(timeout)
        self.binary = binary

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return availability(cls.binary_spec)

    def _locate(self) -> str:
        """The binary's path; raises :class:`~linc.errors.ProverUnavailable` saying how to install it."""
        self.binary = self.binary or locate(self.binary_spec)
        return self.binary
