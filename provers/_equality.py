"""Equality as an ordinary predicate plus its axioms, for searches that know no equality.

Replacing ``s = t`` by ``EQ(s, t)`` and adding reflexivity, symmetry, transitivity and one
congruence axiom per argument position of every predicate and function keeps the problem
equivalent (the standard axiomatisation), so resolution and grounding stay sound with equality.
"""

from __future__ import annotations

from linc.logic.formula import (
    And,
    Binary,
    Eq,
    Forall,
    Formula,
    Func,
    Implies,
    Not,
    Pred,
    Term,
    Var,
    atom_terms,
    subformulas,
    terms_of,
)

#: The equality predicate's name; no reader produces it (readers make identifiers).
EQUALITY = "=eq"


def without_equality(formulas: list[Formula]) -> list[Formula]:
    """``formulas`` with ``=`` as the predicate :data:`EQUALITY`, plus the axioms it needs."""
    if not any(isinstance(g, Eq) for f in formulas for g in subformulas(f)):
        return list(formulas)
    rewritten = [_rewrite(f) for f in formulas]
    return rewritten + _axioms(rewritten)


def _eq(s: Term, t: Term) -> Pred:
    return Pred(EQUALITY, (s, t))


def _rewrite(f: Formula) -> Formula:
    if isinstance(f, Eq):
        return _eq(f.left, f.right)
    if isinstance(f, Pred):
        return f
    if isinstance(f, Not):
        return Not(_rewrite(f.body))
    if isinstance(f, Binary):
        return type(f)(_rewrite(f.left), _rewrite(f.right))
    return type(f)(f.var, _rewrite(f.body))


def _close(variables: list[Var], body: Formula) -> Formula:
    for v in reversed(variables):
        body = Forall(v, body)
    return body


def _axioms(formulas: list[Formula]) -> list[Formula]:
    x, y, z = Var("x"), Var("y"), Var("z")
    axioms: list[Formula] = [
        Forall(x, _eq(x, x)),
        _close([x, y], Implies(_eq(x, y), _eq(y, x))),
        _close([x, y, z], Implies(And(_eq(x, y), _eq(y, z)), _eq(x, z))),
    ]
    predicates: set[tuple[str, int]] = set()
    functions: set[tuple[str, int]] = set()
    for f in formulas:
        for g in subformulas(f):
            if isinstance(g, Pred) and g.name != EQUALITY and g.args:
                predicates.add((g.name, len(g.args)))
            for t in (s for a in atom_terms(g) for s in terms_of(a)):
                if isinstance(t, Func):
                    functions.add((t.name, len(t.args)))
    for name, arity in sorted(predicates):
        axioms += _congruence(arity, lambda b, a, n=name: Implies(And(_eq(x, y), Pred(n, b)), Pred(n, a)))
    for name, arity in sorted(functions):
        axioms += _congruence(arity, lambda b, a, n=name: Implies(_eq(x, y), _eq(Func(n, b), Func(n, a))))
    return axioms


def _congruence(arity: int, make) -> list[Formula]:
    """One axiom per argument position: ``make(args with x, args with y)`` under ∀x y others."""
    x, y = Var("x"), Var("y")
    out = []
    for i in range(arity):
        others = [Var(f"a{j}") for j in range(arity)]
        before = tuple(others[:i] + [x] + others[i + 1 :])
        after = tuple(others[:i] + [y] + others[i + 1 :])
        out.append(_close([x, y] + others[:i] + others[i + 1 :], make(before, after)))
    return out
