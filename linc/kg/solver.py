"""A warm Z3 solver for the knowledge graph's checks: one context, declarations and translations
kept between checks, each check in its own push/pop scope.

A check asks one question: can these groups of formulas all hold? Each group is tracked, so an
"unsatisfiable" answer names the groups responsible (the unsat core, shrunk to a minimal one).
No model is ever built: the store needs "consistent or not", not a countermodel.

A check Z3 did not finish (time limit, gave up) leaves the solver behind: it is replaced by a
fresh one in the same context. An interrupted quantified search can leave state that outlives its
scope: measured, a later check of a satisfiable set on the same solver then ran to its limit
(transitive + serial R after a 100 ms-interrupted check with irreflexive R), and a fresh solver
answers it at once.
"""

from __future__ import annotations

from typing import Hashable, Sequence, TypeVar

import z3

from linc.logic.formula import Formula
from linc.logic.smt import Z3Translator

K = TypeVar("K", bound=Hashable)

#: Translations kept; past this the cache is dropped and refilled as checks need it.
CACHE_SIZE = 200_000
#: Z3's way of saying "no time limit" (its largest unsigned timeout).
NO_LIMIT = 4294967295


class CheckUnknown(Exception):
    """Z3 gave no answer in time (or gave up); ``reason`` says which."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class Checker:
    """Satisfiability checks with tracked groups; not thread-safe (one per knowledge graph)."""

    def __init__(self) -> None:
        self._tr = Z3Translator()
        self._solver = self._fresh_solver()
        self._cache: dict[Formula, z3.BoolRef] = {}
        self._trackers: list[z3.BoolRef] = []

    def _fresh_solver(self) -> z3.Solver:
        solver = z3.Solver(ctx=self._tr.ctx)
        solver.set("core.minimize", True)
        return solver

    def _z3(self, f: Formula) -> z3.BoolRef:
        found = self._cache.get(f)
        if found is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            found = self._cache[f] = self._tr.formula(f)
        return found

    def _tracker(self, n: int) -> z3.BoolRef:
        while len(self._trackers) <= n:
            self._trackers.append(z3.Bool(f"linc_kg_group_{len(self._trackers)}", self._tr.ctx))
        return self._trackers[n]

    def core(self, groups: Sequence[tuple[K, Sequence[Formula]]], timeout: float | None) -> list[K] | None:
        """None when all groups can hold together; else the keys of a minimal set that cannot.

        Raises :class:`CheckUnknown` when Z3 does not decide within ``timeout`` seconds."""
        solver = self._solver
        solver.push()
        try:
            keys: dict[str, K] = {}
            trackers = []
            for n, (key, formulas) in enumerate(groups):
                tracker = self._tracker(n)
                keys[str(tracker)] = key
                trackers.append(tracker)
                for f in formulas:
                    solver.add(z3.Implies(tracker, self._z3(f)))
            solver.set("timeout", max(1, int(timeout * 1000)) if timeout else NO_LIMIT)
            answer = solver.check(*trackers)
            if answer == z3.sat:
                return None
            if answer == z3.unknown:
                reason = solver.reason_unknown() or "z3 returned unknown"
                self._solver = self._fresh_solver()  # this one may carry the unfinished search (module docstring)
                raise CheckUnknown(reason)
            return [keys[str(t)] for t in solver.unsat_core()]
        finally:
            solver.pop()
