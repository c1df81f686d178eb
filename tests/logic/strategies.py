"""Hypothesis strategies for random formulas, shared by the reader/writer and prover tests."""

from __future__ import annotations

from hypothesis import strategies as st

from linc.logic import And, Const, Eq, Exists, Forall, Func, Iff, Implies, Not, Or, Pred, Var, Xor

VARIABLES = [Var("x"), Var("y"), Var("z")]
CONSTANTS = [Const(n) for n in ("a", "bob", "Jerry", "c1", "Świątek")]
PREDICATES = {"P": 1, "Q": 1, "Likes": 2, "R": 0, "IgaŚwiątek": 1}


def terms(functions: bool = True) -> st.SearchStrategy:
    base = st.sampled_from(VARIABLES + CONSTANTS)
    if not functions:
        return base
    return st.one_of(base, base.map(lambda t: Func("f", (t,))))


def atoms(functions: bool = True, equality: bool = True) -> st.SearchStrategy:
    preds = st.sampled_from(sorted(PREDICATES)).flatmap(
        lambda name: st.tuples(*[terms(functions)] * PREDICATES[name]).map(lambda args: Pred(name, args))
    )
    if not equality:
        return preds
    return st.one_of(preds, st.builds(Eq, terms(functions), terms(functions)))


def formulas(xor: bool = True, functions: bool = True, equality: bool = True, quantifiers: bool = True):
    """Random formulas over a small signature (up to a few levels deep)."""
    binaries = [And, Or, Implies, Iff] + ([Xor] if xor else [])

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        options = [
            children.map(Not),
            st.builds(lambda c, l, r: c(l, r), st.sampled_from(binaries), children, children),
        ]
        if quantifiers:
            options.append(
                st.builds(lambda q, v, b: q(v, b), st.sampled_from([Forall, Exists]), st.sampled_from(VARIABLES), children)
            )
        return st.one_of(options)

    return st.recursive(atoms(functions, equality), extend, max_leaves=8)


def propositional_formulas() -> st.SearchStrategy:
    """Formulas over 0-ary predicates only: truth tables decide them."""
    letters = st.sampled_from([Pred(n) for n in ("A", "B", "C")])
    return st.recursive(
        letters,
        lambda ch: st.one_of(
            ch.map(Not),
            st.builds(lambda c, l, r: c(l, r), st.sampled_from([And, Or, Xor, Implies, Iff]), ch, ch),
        ),
        max_leaves=6,
    )
