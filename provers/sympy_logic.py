"""The sympy backend: propositional logic, and first-order problems that ground finitely.

A problem is decided by grounding it and asking sympy's DPLL solver for a model. Grounding is
exact (by Herbrand's theorem) for the Bernays–Schönfinkel fragment: no function symbols under
quantifiers, and, in negation normal form, no ∃ inside a ∀ — then Skolemisation only adds
constants and every ∀ ranges over the finitely many constants. Problems outside it are refused
with :class:`~linc.errors.UnsupportedProblem`. Ground formulas with function symbols are fine.
Equality is handled by its axioms; the encoding to clauses is Plaisted–Greenbaum (linear), not
sympy's ``to_cnf`` (exponential). Searches run in killable workers, like the resolution backend.
"""

from __future__ import annotations

from typing import Any

from linc.errors import UnsupportedProblem
from linc.logic.formula import (
    And,
    Const,
    Exists,
    Forall,
    Formula,
    Func,
    Not,
    Or,
    Pred,
    Term,
    Var,
    atom_terms,
    nnf,
    substitute,
    subformulas,
    terms_of,
)
from linc_provers._equality import EQUALITY, without_equality
from linc_provers._refute import Attempt, Outcome, WorkerProver

#: Groundings larger than this many clauses are abandoned (reported as a resource limit).
MAX_CLAUSES = 200_000


class SympyProver(WorkerProver):
    """Grounding plus sympy's DPLL: decides the propositional and finitely grounded fragment."""

    name = "sympy"
    target = "linc_provers.sympy_logic:search"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, "pure Python (sympy); propositional and Bernays–Schönfinkel problems only"

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> None:
        check_fragment(premises, conclusion)



def _exists_under_forall(f: Formula, under: bool = False) -> bool:
    """In an NNF formula, is some ∃ in the scope of a ∀ (which would need a Skolem function)?"""
    if isinstance(f, Exists):
        return under or _exists_under_forall(f.body, under)
    if isinstance(f, Forall):
        return _exists_under_forall(f.body, True)
    if isinstance(f, (And, Or)):
        return _exists_under_forall(f.left, under) or _exists_under_forall(f.right, under)
    return False


def check_fragment(premises: list[Formula], conclusion: Formula) -> None:
    """Raise :class:`UnsupportedProblem` unless every question grounds finitely."""
    everything = list(premises) + [conclusion]
    quantified = any(isinstance(g, (Forall, Exists)) for f in everything for g in subformulas(f))
    if not quantified:
        return
    for f in everything:
        for g in subformulas(f):
            if any(isinstance(t, Func) for a in atom_terms(g) for t in terms_of(a)):
                raise UnsupportedProblem(
                    "sympy decides only finitely grounded problems: function symbols under quantifiers "
                    "make the domain infinite; use z3, prover9 or eprover"
                )
    for f in list(premises) + [conclusion, Not(conclusion)]:
        if _exists_under_forall(nnf(f)):
            raise UnsupportedProblem(
                f"sympy decides only finitely grounded problems: in {f} an ∃ lies inside a ∀ "
                "(it would need a Skolem function); use z3, prover9 or eprover"
            )


def search(premises: list[Formula], goal: Formula | None, seconds: float) -> Attempt:
    """(In the worker.) Is premises ∧ ¬goal unsatisfiable? A model is returned when it is not."""
    from sympy import Symbol
    from sympy.assumptions.cnf import EncodedCNF
    from sympy.logic.algorithms.dpll2 import dpll_satisfiable

    formulas = list(premises) + ([Not(goal)] if goal is not None else [])
    grounder = _Grounder([nnf(f) for f in without_equality(formulas)])
    try:
        clauses = grounder.clauses()
    except OverflowError as e:
        return Attempt(Outcome.LIMIT, str(e))
    encoding = {Symbol(f"v{i}"): i for i in range(1, grounder.next_id)}
    model = dpll_satisfiable(EncodedCNF([set(c) for c in clauses], encoding)) if clauses else {}
    if model is False:
        return Attempt(Outcome.PROVED, f"the grounding ({len(clauses)} clauses over {len(grounder.universe)} "
                       f"elements) is unsatisfiable: {', '.join(map(str, formulas))} cannot all hold")
    true_ids = {int(str(s)[1:]) for s, value in model.items() if value}
    return Attempt(Outcome.SATURATED, "the grounding is satisfiable", model=grounder.readable(true_ids))


class _Grounder:
    """Skolemise top-level ∃ with constants, expand ∀ over the ground terms, encode as clauses."""

    def __init__(self, formulas: list[Formula]):
        self.formulas = formulas
        self.atoms: dict[Pred, int] = {}
        self.next_id = 1
        self.out: list[list[int]] = []
        self.skolems = 0
        self.universe: list[Term] = []

    def _fresh(self) -> int:
        self.next_id += 1
        if len(self.out) > MAX_CLAUSES:
            raise OverflowError(f"grounding exceeds {MAX_CLAUSES} clauses")
        return self.next_id - 1

    def _skolemise(self, f: Formula) -> Formula:
        if isinstance(f, Exists):
            self.skolems += 1
            return self._skolemise(substitute(f.body, {f.var: Const(f"{f.var.name}#{self.skolems}")}))
        if isinstance(f, (And, Or)):
            return type(f)(self._skolemise(f.left), self._skolemise(f.right))
        return f

    def clauses(self) -> list[list[int]]:
        formulas = [self._skolemise(f) for f in self.formulas]
        ground = {t for f in formulas for g in subformulas(f) for a in atom_terms(g) for t in terms_of(a)
                  if not isinstance(t, Var) and not any(isinstance(s, Var) for s in terms_of(t))}
        self.universe = sorted(ground, key=str) or [Const("d#0")]
        for f in formulas:
            self.out.append([self._gate(f, {})])
        return self.out

    def _term(self, t: Term, env: dict[Var, Term]) -> Term:
        if isinstance(t, Var):
            return env[t]
        if isinstance(t, Func):
            return Func(t.name, tuple(self._term(a, env) for a in t.args))
        return t

    def _gate(self, f: Formula, env: dict[Var, Term]) -> int:
        """A literal equivalent (for satisfiability) to ``f`` under ``env``; NNF input."""
        if isinstance(f, Pred):
            atom = Pred(f.name, tuple(self._term(a, env) for a in f.args))
            if atom not in self.atoms:
                self.atoms[atom] = self._fresh()
            return self.atoms[atom]
        if isinstance(f, Not):
            return -self._gate(f.body, env)
        if isinstance(f, Forall):
            children = [self._gate(f.body, {**env, f.var: d}) for d in self.universe]
            conjunctive = True
        elif isinstance(f, Exists):  # only reached for ∃ under ∀, which check_fragment refuses
            raise UnsupportedProblem(f"∃ inside ∀ cannot be grounded finitely: {f}")
        else:
            children = [self._gate(f.left, env), self._gate(f.right, env)]
            conjunctive = isinstance(f, And)
        gate = self._fresh()
        if conjunctive:
            self.out.extend([-gate, c] for c in children)
        else:
            self.out.append([-gate, *children])
        return gate

    def readable(self, true_ids: set[int]) -> dict[str, Any]:
        """The true atoms of a model (every other ground atom is false)."""
        shown = []
        for atom, i in self.atoms.items():
            if i not in true_ids:
                continue
            if atom.name == EQUALITY:
                if atom.args[0] != atom.args[1]:
                    shown.append(f"{atom.args[0]} = {atom.args[1]}")
            else:
                shown.append(str(atom))
        return {"domain": [str(t) for t in self.universe], "true_atoms": sorted(shown)}
