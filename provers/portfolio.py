"""Several backends as one: a race, a fall-through chain, or a cross-check.

- ``race``: every member runs in its own worker process; the first definite answer (True, False,
  Uncertain, Inconsistent) wins and the others are killed.
- ``fallthrough``: members are asked in order, each with the time left, until one is definite.
- ``crosscheck``: every member runs to the end; if two definite answers differ the result is
  ``Error`` with the disagreement spelled out — never resolved silently.

Members that are not installed or refuse the problem are skipped and listed in ``details``.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

from linc.errors import LincError, ProverError, ProverUnavailable
from linc.logic.formula import Formula
from linc.proving import Label, Prover, ProverResult
from linc_provers import _worker
from linc_provers._process import Completed, run_parallel

DEFINITE = {Label.TRUE, Label.FALSE, Label.UNCERTAIN, Label.INCONSISTENT}
MODES = ("race", "fallthrough", "crosscheck")
#: Time kept back from each member's own budget for starting its worker process.
STARTUP = 1.0


def member(name: str, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
    """(In a worker.) One member's decision."""
    from linc.plugins import get_prover

    return get_prover(name).decide(premises, conclusion, timeout=timeout)


class Portfolio(Prover):
    """Runs member backends (names from the plugin registry) in one of three modes."""

    name = "portfolio"

    def __init__(self, timeout: float = 10.0, members: Sequence[str] = ("z3", "prover9", "eprover", "resolution"), mode: str = "race"):
        super().__init__(timeout)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not members:
            raise ValueError("a portfolio needs at least one member")
        self.members = [m for m in members if m != self.name]
        self.mode = mode

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, "runs other backends (race, fallthrough or crosscheck)"

    def _usable(self, skipped: dict[str, str]) -> list[str]:
        from linc.plugins import lookup

        usable = []
        for name in self.members:
            try:
                ok, detail = lookup("prover", name).availability()
            except LincError as e:
                ok, detail = False, str(e)
            if ok:
                usable.append(name)
            else:
                skipped[name] = f"unavailable: {detail}"
        if not usable:
            raise ProverUnavailable(f"no portfolio member is usable: {skipped}")
        return usable

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        outcomes: dict[str, Any] = {}
        names = self._usable(outcomes)
        if self.mode == "fallthrough":
            results = self._fallthrough(names, premises, conclusion, timeout, outcomes)
        else:
            results = self._parallel(names, premises, conclusion, timeout, outcomes)
        for n, r in results.items():
            outcomes[n] = r.label.value
        definite = {n: r for n, r in results.items() if r.label in DEFINITE}
        details: dict[str, Any] = {"mode": self.mode, "members": outcomes}
        if self.mode == "crosscheck" and len({r.label for r in definite.values()}) > 1:
            details["disagreement"] = {n: r.label.value for n, r in definite.items()}
            said = ", ".join(f"{n}={r.label.value}" for n, r in definite.items())
            return ProverResult(Label.ERROR, self.name, 0.0, reason=f"backends disagree: {said}", details=details)
        if definite:
            winner, best = next(iter(definite.items()))
            details["winner"] = winner
            return ProverResult(best.label, self.name, 0.0, proof=best.proof, countermodel=best.countermodel,
                                consistent=best.consistent, details=details, support=best.support)
        reasons = "; ".join(f"{n}: {r.reason or r.label.value}" for n, r in results.items()) or "no member answered"
        label = Label.ERROR if results and all(r.label is Label.ERROR for r in results.values()) else Label.UNKNOWN
        return ProverResult(label, self.name, 0.0, reason=reasons, details=details)

    def _fallthrough(self, names: list[str], premises: list[Formula], conclusion: Formula, timeout: float,
                     outcomes: dict[str, Any]) -> dict[str, ProverResult]:
        from linc.plugins import get_prover

        deadline = time.monotonic() + timeout
        results: dict[str, ProverResult] = {}
        for name in names:
            left = deadline - time.monotonic()
            if left <= 0:
                outcomes[name] = "not run: no time left"
                continue
            try:
                results[name] = get_prover(name).decide(premises, conclusion, timeout=left)
            except ProverError as e:
                outcomes[name] = f"refused: {e}"
                continue
            if results[name].label in DEFINITE:
                break
        return results

    def _parallel(self, names: list[str], premises: list[Formula], conclusion: Formula, timeout: float,
                  outcomes: dict[str, Any]) -> dict[str, ProverResult]:
        budget = max(0.5, timeout - STARTUP)
        jobs = {n: _worker.job("linc_provers.portfolio:member", (n, premises, conclusion, budget), timeout) for n in names}
        results: dict[str, ProverResult] = {}

        def read(n: str, done: Completed) -> None:
            if n in results or n in outcomes:
                return
            if done.cancelled or done.timed_out:
                outcomes[n] = "cancelled" if done.cancelled else "time limit"
                return
            try:
                results[n] = _worker.result(done)
            except ProverError as e:
                outcomes[n] = f"refused: {e}"

        def update(done: dict[str, Completed]) -> dict[str, float]:
            for n, c in done.items():
                read(n, c)
            if self.mode == "race" and any(r.label in DEFINITE for r in results.values()):
                return {n: time.monotonic() for n in names}
            return {}

        for n, c in run_parallel(jobs, timeout, update).items():
            read(n, c)
        return {n: results[n] for n in names if n in results}
