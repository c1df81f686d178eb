"""The pure-Python backend: NLTK's resolution prover, bounded, in killable worker processes.

No binary is needed, so this is the fallback that always works (for small problems). NLTK's
search is incomplete, so a failed search is ``Unknown`` here, never ``Uncertain``: this backend
answers True, False and Inconsistent (with the resolution proof) or Unknown. NLTK's
search has no step bound and only a soft clock, so each question runs in its own worker process
(:mod:`provers._worker`) that is killed at the deadline. Equality is handled by its axioms
(:mod:`provers._equality`); propositional letters become unary atoms over one fixed constant,
since NLTK's clausifier only knows predicate applications.
"""

from __future__ import annotations

from typing import Any

from linc.logic.formula import (
    And,
    Const,
    Eq,
    Exists,
    Forall,
    Formula,
    Iff,
    Implies,
    Not,
    Or,
    Pred,
    Term,
    Var,
    Xor,
)
from linc.logic.names import NLTK, SymbolTable
from provers._equality import without_equality
from provers._refute import Attempt, Outcome, WorkerProver

_UNIT = "\x00unit"  # the constant that turns a propositional letter P into P(unit)


class ResolutionProver(WorkerProver):
    """NLTK's binary resolution with paramodulation-free equality axioms."""

    name = "resolution"
    target = "provers.resolution:search"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, "pure Python (nltk)"



def search(premises: list[Formula], goal: Formula | None, seconds: float) -> Attempt:
    """(In the worker.) Refute premises ∧ ¬goal by resolution within ``seconds``."""
    from nltk.inference.resolution import ProverParseError, clausify
    from nltk.inference.resolution import ResolutionProver as NltkResolution

    table = SymbolTable(NLTK)
    formulas = list(premises) + ([Not(goal)] if goal is not None else [])
    try:
        clauses = [c for f in without_equality(formulas) for c in clausify(_Nltk(table).formula(f))]
    except (ProverParseError, RecursionError) as e:
        return Attempt(Outcome.ERROR, f"nltk could not clausify the problem: {e!r}")
    if not clauses:
        return Attempt(Outcome.FAILED, "no clauses")
    prover = NltkResolution()
    prover.TIMEOUT = max(seconds, 0.001)
    try:
        proved, final = prover._attempt_proof(clauses)
    except RecursionError:
        return Attempt(Outcome.LIMIT, "recursion limit")
    if proved:
        return Attempt(Outcome.PROVED, table.rename_in(_proof(final)))
    if not final:  # nltk signals its own clock running out with an empty clause list
        return Attempt(Outcome.LIMIT, "time limit")
    # nltk's loop only resolves where unification binds something and keeps no subsumption, so
    # running out of pairs is not a proof of non-entailment: never claim saturation.
    return Attempt(Outcome.FAILED, f"search ended without a proof ({len(final)} clauses; nltk's search is incomplete)")


def _proof(clauses: list[Any]) -> str:
    """The clauses the empty clause descends from, numbered as in the search."""
    used, stack = set(), [len(clauses)]
    while stack:
        i = stack.pop()
        if i in used:
            continue
        used.add(i)
        parents = getattr(clauses[i - 1], "_parents", None)
        if parents:
            stack.extend(parents)
    lines = []
    for i in sorted(used):
        clause = clauses[i - 1]
        parents = getattr(clause, "_parents", None)
        source = f"resolve({parents[0]}, {parents[1]})" if parents else "input"
        lines.append(f"{i}. {{{', '.join(map(str, clause)) or '⊥'}}}  [{source}]")
    return "\n".join(lines)


class _Nltk:
    """IR → nltk.sem.logic expressions, bound variables renamed apart as x1, x2, ..."""

    def __init__(self, table: SymbolTable):
        self.table = table
        self.bound: dict[Var, str] = {}
        self.counter = 0

    def _symbol(self, kind: str, name: str, arity: int = 0):
        from nltk.sem.logic import ConstantExpression, Variable

        return ConstantExpression(Variable(self.table.name(kind, name, arity)))

    def _apply(self, head, args: list):
        from nltk.sem.logic import ApplicationExpression

        for a in args:
            head = ApplicationExpression(head, a)
        return head

    def term(self, t: Term):
        from nltk.sem.logic import IndividualVariableExpression, Variable

        if isinstance(t, Var):
            if t not in self.bound:  # decide() closes formulas, so this is a bug elsewhere
                raise ValueError(f"free variable {t.name}")
            return IndividualVariableExpression(Variable(self.bound[t]))
        if isinstance(t, Const):
            return self._symbol("constant", t.name)
        return self._apply(self._symbol("function", t.name, len(t.args)), [self.term(a) for a in t.args])

    def formula(self, f: Formula):
        import nltk.sem.logic as L

        if isinstance(f, Pred):
            args = [self.term(a) for a in f.args] or [self._symbol("constant", _UNIT)]
            return self._apply(self._symbol("predicate", f.name, len(f.args)), args)
        if isinstance(f, Eq):
            return L.EqualityExpression(self.term(f.left), self.term(f.right))
        if isinstance(f, Not):
            return L.NegatedExpression(self.formula(f.body))
        if isinstance(f, (Forall, Exists)):
            saved = self.bound.get(f.var)
            self.counter += 1
            self.bound[f.var] = f"x{self.counter}"
            body = self.formula(f.body)
            variable = L.Variable(self.bound[f.var])
            if saved is None:
                del self.bound[f.var]
            else:
                self.bound[f.var] = saved
            return (L.AllExpression if isinstance(f, Forall) else L.ExistsExpression)(variable, body)
        left, right = self.formula(f.left), self.formula(f.right)
        if isinstance(f, Xor):
            return L.AndExpression(L.OrExpression(left, right), L.NegatedExpression(L.AndExpression(left, right)))
        ops = {And: L.AndExpression, Or: L.OrExpression, Implies: L.ImpExpression, Iff: L.IffExpression}
        return ops[type(f)](left, right)
