"""The ``pyprover`` backend: Evan Hubinger's pure-Python resolution prover (PyPI ``pyprover``).

What it is: pyprover turns ``premises ∧ ¬goal`` into clause form (prenex, Skolemised) and
resolves every pair of clauses until it derives ⊥ or nothing new appears. Its search loop has
no bound of its own and cannot be interrupted, so each question (``pos``, ``neg``, ``cons``, as
for the other refutation backends) runs in a killable worker process and is stopped at the
timeout: a search that does not finish is ``Unknown``, never a hang.

Its limits, stated rather than hidden:

- equality is an ordinary predicate to it, so problems with ``=`` get the equality axioms
  (reflexivity, symmetry, transitivity, congruence) added first, as for our own resolution
  prover;
- a search that ends without ⊥ is read as "saturated" (not provable) — that is what lets it
  answer ``Uncertain``; its loop resolves every pair of clauses, with no subsumption and no
  clause selection, so problems with function symbols or many clauses often reach the time limit;
- no proof object: a ``True``/``False`` answer says which question was refuted, not how;
- no countermodels.
- not always sound: pyprover 0.6.2's unifier does not compose substitutions, and on some inputs it
  derives ⊥ from consistent premises (``∀x R(x,x)``, transitivity of ``R`` and ``¬R(a,b)`` come
  back ``Inconsistent``; the strict xfail test in ``tests/provers/test_pyprover_cvc5.py`` tracks
  it). Its answers are a second opinion for the portfolio's cross-check, not a referee.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from linc.errors import ProverUnavailable
from linc.logic.formula import And, Const, Exists, Forall, Formula, Func, Iff, Implies, Not, Or, Pred, Term, Var, Xor
from linc_provers._equality import without_equality
from linc_provers._refute import Attempt, Outcome, WorkerProver

INSTALL = "Install it with `pip install pyprover` (or linc's `pyprover` extra)."


class PyProver(WorkerProver):
    """pyprover's resolution, one killable worker process per question."""

    name = "pyprover"
    target = "linc_provers.pyprover_backend:search"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        if importlib.util.find_spec("pyprover") is None:
            return False, f"pyprover is not installed. {INSTALL}"
        return True, ("pyprover (pure-Python resolution, no equality reasoning of its own, no bound: runs in a worker; "
                      "its unifier is unsound on some inputs, see the backend's docstring)")

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> None:
        ok, detail = self.availability()
        if not ok:
            raise ProverUnavailable(detail)


def search(premises: list[Formula], goal: Formula | None, seconds: float) -> Attempt:
    """(In the worker.) Does ``goal`` (``None``: ⊥) follow from ``premises`` by pyprover's resolution?"""
    import pyprover

    goals = [goal] if goal is not None else []
    formulas = without_equality([*premises, *goals])
    converted = [_expr(f, pyprover) for f in formulas]
    givens, target = (converted[:-1], converted[-1]) if goal is not None else (converted, pyprover.bot)
    if pyprover.proves(givens, target):
        what = f"{goal}" if goal is not None else "⊥ (the premises contradict each other)"
        return Attempt(Outcome.PROVED, f"pyprover refuted the premises together with the negation of {what}")
    return Attempt(Outcome.SATURATED, "pyprover's resolution saturated without deriving ⊥")


#: pyprover has no ↔ or ⊕: they are spelled out.
_BINARY = {
    And: lambda pp, p, q: pp.And(p, q),
    Or: lambda pp, p, q: pp.Or(p, q),
    Implies: lambda pp, p, q: pp.Imp(p, q),
    Iff: lambda pp, p, q: pp.And(pp.Imp(p, q), pp.Imp(q, p)),
    Xor: lambda pp, p, q: pp.And(pp.Or(p, q), pp.Not(pp.And(p, q))),
}


def _expr(f: Formula, pp: Any) -> Any:
    """An IR formula as a pyprover expression (built from objects, never from text)."""
    if isinstance(f, Pred):
        return pp.Pred(f.name, *[_term(a, pp) for a in f.args]) if f.args else pp.Prop(f.name)
    if isinstance(f, Not):
        return pp.Not(_expr(f.body, pp))
    if isinstance(f, Forall):
        return pp.ForAll(pp.Var(f.var.name), _expr(f.body, pp))
    if isinstance(f, Exists):
        return pp.Exists(pp.Var(f.var.name), _expr(f.body, pp))
    return _BINARY[type(f)](pp, _expr(f.left, pp), _expr(f.right, pp))


def _term(t: Term, pp: Any) -> Any:
    if isinstance(t, Var):
        return pp.Var(t.name)
    if isinstance(t, Const):
        return pp.Const(t.name)
    assert isinstance(t, Func)
    return pp.Func(t.name, *[_term(a, pp) for a in t.args])
