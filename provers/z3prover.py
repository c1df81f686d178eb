"""The Z3 backend: in-process SMT over one uninterpreted sort.

One solver session answers all three questions with push/pop: are the premises satisfiable
(otherwise ``Inconsistent``), is premises ∧ ¬C unsatisfiable (``True``), is premises ∧ C
unsatisfiable (``False``). Each check gets the time left; a check that runs out returns
``unknown`` and the answer becomes ``Unknown``. The "proof" is the unsat core, in IR notation.
On ``Uncertain`` the countermodel holds two small models, one where C holds and one where it
fails, each searched from domain size 1 upwards so that they stay readable.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import z3

from linc.logic.formula import Formula, Not
from linc.logic.smt import Z3Translator
from linc.proving import Label, Prover, ProverResult

#: Predicates and functions are listed in full only up to this many argument tuples.
MAX_TUPLES = 512


class Z3Prover(Prover):
    """Z3 (Microsoft Research) through its Python API."""

    name = "z3"

    def __init__(self, timeout: float = 10.0, small_models: bool = True, max_model_size: int = 6):
        super().__init__(timeout)
        self.small_models = small_models
        self.max_model_size = max_model_size

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, f"z3-solver {z3.get_version_string()}"

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        session = _Session(premises, conclusion, time.monotonic() + timeout)
        cons = session.check()
        if cons == z3.unsat:
            return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof=session.core(), consistent=False)
        consistent = True if cons == z3.sat else None
        answers = {}
        for direction, goal in (("pos", Not(conclusion)), ("neg", conclusion)):
            result = session.check(goal)
            answers[direction] = result
            if result == z3.unsat:
                label = Label.TRUE if direction == "pos" else Label.FALSE
                proof = session.core()
                if consistent is None and direction == "pos" and session.check(conclusion) == z3.unsat:
                    return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof=proof, consistent=False)
                return ProverResult(label, self.name, 0.0, proof=proof, consistent=consistent)
            if result == z3.sat:
                consistent = True
        if answers["pos"] == z3.sat and answers["neg"] == z3.sat:
            countermodel = {
                "conclusion_true": session.model(conclusion, self.small_models, self.max_model_size),
                "conclusion_false": session.model(Not(conclusion), self.small_models, self.max_model_size),
            } if self.countermodels else None
            return ProverResult(Label.UNCERTAIN, self.name, 0.0, countermodel=countermodel, consistent=True)
        reason = session.reason or "z3 returned unknown"
        return ProverResult(Label.UNKNOWN, self.name, 0.0, reason=reason, consistent=consistent)


class _Session:
    """One Z3 context and solver holding the premises; questions are asked with push/pop."""

    def __init__(self, premises: list[Formula], conclusion: Formula, deadline: float):
        self.tr = Z3Translator()
        self.deadline = deadline
        self.solver = z3.Solver(ctx=self.tr.ctx)
        self.names: dict[str, str] = {}
        self.reason = ""
        self._last_core: list[str] = []
        for i, p in enumerate(premises, 1):
            self._track(f"premise_{i}", p)
        self.tr.formula(conclusion)  # declare the conclusion's symbols for the models

    def _track(self, name: str, f: Formula) -> None:
        self.names[name] = str(f)
        self.solver.assert_and_track(self.tr.formula(f), z3.Bool(name, self.tr.ctx))

    def check(self, goal: Formula | None = None) -> z3.CheckSatResult:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.reason = "time limit"
            return z3.unknown
        self.solver.set("timeout", max(1, int(left * 1000)))
        self.solver.push()
        try:
            if goal is not None:
                self._track("goal", goal)
            result = self.solver.check()
            if result == z3.unknown:
                self.reason = self.solver.reason_unknown()
            elif result == z3.unsat:
                self._last_core = [str(c) for c in self.solver.unsat_core()]
            return result
        finally:
            self.solver.pop()

    def core(self) -> str:
        """The unsat core of the last check, one used formula a line."""
        lines = ["unsat core (these formulas cannot all hold):"]
        for name in sorted(self._last_core, key=lambda n: (n == "goal", n)):
            lines.append(f"  {name}: {self.names[name]}")
        return "\n".join(lines)

    def model(self, extra: Formula, small: bool, max_size: int) -> dict[str, Any] | None:
        """A readable model of premises ∧ ``extra``, over the smallest domain found in time."""
        sizes = range(1, max_size + 1) if small else []
        self.solver.push()
        try:
            self.solver.add(self.tr.formula(extra))
            for n in sizes:
                self.solver.push()
                elements = [z3.Const(f"linc_elem_{i}", self.tr.sort) for i in range(n)]
                u = z3.Const("linc_u", self.tr.sort)
                self.solver.add(z3.ForAll([u], z3.Or([u == e for e in elements])))
                self.solver.set("timeout", max(1, int(min(1.0, self.deadline - time.monotonic()) * 1000)))
                found = self.solver.check() == z3.sat and self.solver.model()
                self.solver.pop()
                if found:
                    return _readable(found, self.tr)
            self.solver.set("timeout", max(1, int((self.deadline - time.monotonic()) * 1000)))
            return _readable(self.solver.model(), self.tr) if self.solver.check() == z3.sat else None
        finally:
            self.solver.pop()


def _readable(model: z3.ModelRef, tr: Z3Translator) -> dict[str, Any]:
    """Domain elements as e0, e1, ...; constants, functions and predicates with IR names."""
    universe = model.get_universe(tr.sort) or []
    element = {str(e): f"e{i}" for i, e in enumerate(universe)}

    def show(value: z3.ExprRef) -> Any:
        if z3.is_bool(value):
            return z3.is_true(value)
        return element.get(str(value), str(value))

    out: dict[str, Any] = {"domain": list(element.values()), "constants": {}, "functions": {}, "predicates": {}}
    for (kind, name, arity), decl in sorted(tr.decls.items()):
        if kind == "constant":
            out["constants"][name] = show(model.eval(decl(), model_completion=True))
            continue
        if len(universe) ** arity > MAX_TUPLES:
            out["predicates" if kind == "predicate" else "functions"][name] = f"(too large to list: {len(universe)}^{arity})"
            continue
        rows = itertools.product(universe, repeat=arity)
        values = [(tuple(element[str(a)] for a in row), show(model.eval(decl(*row), model_completion=True))) for row in rows]
        if kind == "predicate" and arity == 0:
            out["predicates"][name] = values[0][1]
        elif kind == "predicate":
            out["predicates"][name] = [list(args) for args, holds in values if holds]
        else:
            out["functions"][name] = {",".join(args): value for args, value in values}
    return out
