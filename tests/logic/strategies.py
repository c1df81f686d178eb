"""Hypothesis strategies for random formulas, shared by the reader/writer and prover tests."""

from __future__ import annotations

from hypothesis import strategies as st

from linc.logic import (
    And, Const, Eq, Exists, Forall, Func, Iff, Implies, Not, Or, Pred, Var, Xor, alpha_normalize, free_vars, substitute,
)
from linc.logic.formula import atom_terms, subformulas, terms_of

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


# Names chosen to break writers: keywords of every syntax linc reads or writes, names shaped like
# variables, digits, unicode, TPTP's defined words and distinct objects, quotes, punctuation.
HOSTILE_NAMES = [
    "all", "exists", "exist", "some", "forall", "not", "and", "or", "iff", "implies",
    "AND", "OR", "NOT", "Exists", "EXISTS", "Exist", "ForAll", "Forall", "FORALL", "forAll", "ALL",
    "fof", "cnf", "tff", "thf", "include", "end_of_list", "formulas", "true", "false",
    "theorem", "opaque", "axiom", "Nonempty", "Prop", "Type", "U", "U_nonempty", "h1", "linc_goal", "P_x",
    "x", "y1950", "u", "z9", "X", "Y1", "V1", "v1", "e", "_1", "_",
    "1950", "0", "Świątek", "日本", "e\u0301", "Ω",
    "$true", "$false", "$less", '"abc"', '""', "'", '"', "a'b", "\\", "\\'",
    "Mr. Smith", "a b", "x#1", "gpt-3", "c++", "a\nb", "(", ")", ",", ".", "all x.", "-", "¬", "→",
]
PLAIN_VARIABLES = ["x", "y", "z"]
TPTP_VARIABLES = ["X", "Y", "Z"]


def hostile_formulas(variables: list[str] | None = None, xor: bool = True) -> st.SearchStrategy:
    """Random formulas whose constants, functions and predicates (and, unless ``variables`` is
    given, variables) have hostile names."""
    names = st.sampled_from(HOSTILE_NAMES)
    var_names = st.sampled_from(variables) if variables else names
    leaves = st.one_of(var_names.map(Var), names.map(Const))
    term = st.one_of(leaves, st.builds(lambda n, t: Func(n, (t,)), names, leaves))
    atom = st.one_of(
        st.builds(lambda n, args: Pred(n, tuple(args)), names, st.lists(term, max_size=2)),
        st.builds(Eq, term, term),
    )
    binaries = [And, Or, Implies, Iff] + ([Xor] if xor else [])

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            children.map(Not),
            st.builds(lambda c, l, r: c(l, r), st.sampled_from(binaries), children, children),
            st.builds(lambda q, v, b: q(Var(v), b), st.sampled_from([Forall, Exists]), var_names, children),
        )

    return st.recursive(atom, extend, max_leaves=6)


def canonical(f):
    """``f`` with every variable renamed by order of appearance (free ones first, then bound):
    equal for formulas that differ only in the names of their variables."""
    free = free_vars(f)
    order: list[Var] = []
    for g in subformulas(f):
        for t in (s for a in atom_terms(g) for s in terms_of(a)):
            if isinstance(t, Var) and t in free and t not in order:
                order.append(t)
    renamed = substitute(f, {v: Var(f"\x00free{i}") for i, v in enumerate(order)})
    return alpha_normalize(renamed)
