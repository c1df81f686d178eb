"""The cvc5 backend: a second SMT solver, independent of Z3, through cvc5's own Python API.

Same questions as the z3 backend — premises ∧ ¬C unsatisfiable (``True``), premises ∧ C
unsatisfiable (``False``), the premises alone unsatisfiable (``Inconsistent``) — each on a
fresh solver with a per-check time limit (``tlimit-per``), so a check that runs out answers
``unknown`` (``Unknown``) instead of hanging. Quantifiers are handled with finite model
finding (``finite-model-find``): a satisfiable question comes with a model over a small finite
domain, which is what makes ``Uncertain`` answers (and their countermodels) possible. Symbols are
cvc5 term objects, never text, so no name can clash with cvc5's own. The proof of a ``True`` or
``False`` answer is the unsat core.
"""

from __future__ import annotations

import importlib.util
import itertools
import time
from typing import Any

from linc.errors import ProverUnavailable
from linc.logic.formula import And, Const, Eq, Exists, Forall, Formula, Func, Iff, Implies, Not, Or, Pred, Term, Var, Xor
from linc.proving import Label, Prover, ProverResult

INSTALL = "Install it with `pip install cvc5` (or linc's `cvc5` extra)."
#: Predicates and functions are listed in full only up to this many argument tuples.
MAX_TUPLES = 512


class Cvc5Prover(Prover):
    """cvc5 (Stanford / Iowa) in process, with finite model finding."""

    name = "cvc5"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        if importlib.util.find_spec("cvc5") is None:
            return False, f"cvc5 is not installed. {INSTALL}"
        import cvc5

        return True, f"cvc5 {getattr(cvc5, '__version__', '')} (finite model finding)".replace("  ", " ")

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        ok, detail = self.availability()
        if not ok:
            raise ProverUnavailable(detail)
        deadline = time.monotonic() + timeout
        pos = _Check(premises, Not(conclusion), deadline)
        if pos.result == "unsat":
            cons = _Check(premises, None, deadline)
            if cons.result == "unsat":
                return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof=cons.core, consistent=False)
            return ProverResult(Label.TRUE, self.name, 0.0, proof=pos.core, consistent=True if cons.result == "sat" else None,
                                support=pos.used)
        neg = _Check(premises, conclusion, deadline)
        if neg.result == "unsat":
            cons = pos if pos.result == "sat" else _Check(premises, None, deadline)
            if cons.result == "unsat":
                return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof=cons.core, consistent=False)
            return ProverResult(Label.FALSE, self.name, 0.0, proof=neg.core, consistent=True if cons.result == "sat" else None,
                                support=neg.used)
        if pos.result == "sat" and neg.result == "sat":
            countermodel = {"conclusion_true": neg.model, "conclusion_false": pos.model} if self.countermodels else None
            return ProverResult(Label.UNCERTAIN, self.name, 0.0, countermodel=countermodel, consistent=True)
        reason = "; ".join(f"{n}: {c.reason}" for n, c in (("conclusion", pos), ("negation", neg)) if c.result == "unknown")
        consistent = True if "sat" in (pos.result, neg.result) else None
        return ProverResult(Label.UNKNOWN, self.name, 0.0, reason=reason or "cvc5 returned unknown", consistent=consistent)


class _Check:
    """One satisfiability check of premises ∧ ``extra`` on a fresh solver: result, core, model."""

    def __init__(self, premises: list[Formula], extra: Formula | None, deadline: float):
        import cvc5

        self.cvc5 = cvc5
        self.tm = cvc5.TermManager()
        self.sort = self.tm.mkUninterpretedSort("U")
        self.symbols: dict[tuple[str, str, int], Any] = {}
        self.core = self.model = None
        self.used: list[int] = []  # 0-based positions of the premises in the unsat core
        self.reason = ""
        left = deadline - time.monotonic()
        if left <= 0:
            self.result, self.reason = "unknown", "time limit"
            return
        solver = cvc5.Solver(self.tm)
        for option, value in (("produce-models", "true"), ("produce-unsat-cores", "true"),
                              ("finite-model-find", "true"), ("tlimit-per", str(max(1, int(left * 1000))))):
            solver.setOption(option, value)
        named: dict[Any, str] = {}
        position: dict[Any, int] = {}
        for i, f in enumerate(premises, 1):
            term = self._formula(f, {})
            named[term] = f"premise_{i}: {f}"
            position.setdefault(term, i - 1)
            solver.assertFormula(term)
        if extra is not None:
            term = self._formula(extra, {})
            named.setdefault(term, f"goal: {extra}")
            solver.assertFormula(term)
        answer = solver.checkSat()
        if answer.isUnsat():
            self.result = "unsat"
            core = solver.getUnsatCore()
            used = [named[t] for t in core if t in named]
            self.used = sorted({position[t] for t in core if t in position})
            self.core = "\n".join(["unsat core (these formulas cannot all hold):", *(f"  {u}" for u in used)])
        elif answer.isSat():
            self.result = "sat"
            self.model = self._readable(solver)
        else:
            self.result, self.reason = "unknown", str(answer.getUnknownExplanation())

    def _symbol(self, kind: str, name: str, arity: int, boolean: bool) -> Any:
        key = (kind, name, arity)
        if key not in self.symbols:
            tm = self.tm
            target = tm.getBooleanSort() if boolean else self.sort
            sort = tm.mkFunctionSort([self.sort] * arity, target) if arity else target
            self.symbols[key] = tm.mkConst(sort, name)
        return self.symbols[key]

    def _apply(self, head: Any, args: list[Any]) -> Any:
        return self.tm.mkTerm(self.cvc5.Kind.APPLY_UF, head, *args) if args else head

    def _term(self, t: Term, env: dict[Var, Any]) -> Any:
        if isinstance(t, Var):
            return env[t]
        if isinstance(t, Const):
            return self._symbol("constant", t.name, 0, False)
        assert isinstance(t, Func)
        return self._apply(self._symbol("function", t.name, len(t.args), False), [self._term(a, env) for a in t.args])

    def _formula(self, f: Formula, env: dict[Var, Any]) -> Any:
        Kind, tm = self.cvc5.Kind, self.tm
        if isinstance(f, Pred):
            return self._apply(self._symbol("predicate", f.name, len(f.args), True), [self._term(a, env) for a in f.args])
        if isinstance(f, Eq):
            return tm.mkTerm(Kind.EQUAL, self._term(f.left, env), self._term(f.right, env))
        if isinstance(f, Not):
            return tm.mkTerm(Kind.NOT, self._formula(f.body, env))
        if isinstance(f, (Forall, Exists)):
            var = tm.mkVar(self.sort, f.var.name)
            body = self._formula(f.body, {**env, f.var: var})
            return tm.mkTerm(Kind.FORALL if isinstance(f, Forall) else Kind.EXISTS, tm.mkTerm(Kind.VARIABLE_LIST, var), body)
        kind = {And: Kind.AND, Or: Kind.OR, Xor: Kind.XOR, Implies: Kind.IMPLIES, Iff: Kind.EQUAL}[type(f)]
        return tm.mkTerm(kind, self._formula(f.left, env), self._formula(f.right, env))

    def _readable(self, solver: Any) -> dict[str, Any]:
        """The model over its finite domain, elements as e0, e1, ..., symbols with IR names."""
        universe = list(solver.getModelDomainElements(self.sort))
        element = {str(e): f"e{i}" for i, e in enumerate(universe)}

        def show(term: Any) -> Any:
            value = solver.getValue(term)
            return value.getBooleanValue() if value.getSort().isBoolean() else element.get(str(value), str(value))

        out: dict[str, Any] = {"domain": list(element.values()), "constants": {}, "functions": {}, "predicates": {}}
        for (kind, name, arity), head in sorted(self.symbols.items(), key=lambda item: item[0]):
            if kind == "constant":
                out["constants"][name] = show(head)
                continue
            group = "predicates" if kind == "predicate" else "functions"
            if len(universe) ** arity > MAX_TUPLES:
                out[group][name] = f"(too large to list: {len(universe)}^{arity})"
                continue
            rows = [(row, show(self._apply(head, list(row)))) for row in itertools.product(universe, repeat=arity)]
            if kind == "predicate" and arity == 0:
                out[group][name] = rows[0][1]
            elif kind == "predicate":
                out[group][name] = [[element[str(a)] for a in row] for row, holds in rows if holds]
            else:
                out[group][name] = {",".join(element[str(a)] for a in row): value for row, value in rows}
        return out
