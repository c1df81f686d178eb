"""Property tests: on random small problems every backend that answers agrees with the others and,
on propositional problems, with a truth table."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linc.logic.formula import And, Formula, Iff, Implies, Not, Or, Pred, Xor, subformulas
from linc.plugins import get_prover, lookup
from linc.proving import Label
from tests.logic.strategies import formulas, propositional_formulas

DEFINITE = {Label.TRUE, Label.FALSE, Label.UNCERTAIN, Label.INCONSISTENT}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _holds(f: Formula, row: dict) -> bool:
    if isinstance(f, Pred):
        return row[f.name]
    if isinstance(f, Not):
        return not _holds(f.body, row)
    a, b = _holds(f.left, row), _holds(f.right, row)
    return {And: a and b, Or: a or b, Xor: a != b, Implies: (not a) or b, Iff: a == b}[type(f)]


def truth_table(premises: list[Formula], conclusion: Formula) -> Label:
    letters = sorted({g.name for f in [*premises, conclusion] for g in subformulas(f) if isinstance(g, Pred)})
    outcomes = set()
    for values in itertools.product((False, True), repeat=len(letters)):
        row = dict(zip(letters, values))
        if all(_holds(p, row) for p in premises):
            outcomes.add(_holds(conclusion, row))
    if not outcomes:
        return Label.INCONSISTENT
    return {frozenset({True}): Label.TRUE, frozenset({False}): Label.FALSE}.get(frozenset(outcomes), Label.UNCERTAIN)


def _answers(names, premises, conclusion, timeout=5.0):
    out = {}
    for name in names:
        if lookup("prover", name).availability()[0]:
            out[name] = get_prover(name, timeout=timeout).decide(premises, conclusion).label
    return out


@settings(max_examples=25, **SETTINGS)
@given(st.lists(propositional_formulas(), max_size=3), propositional_formulas())
def test_propositional_backends_match_the_truth_table(premises, conclusion):
    expected = truth_table(premises, conclusion)
    for name, label in _answers(["z3", "prover9", "eprover"], premises, conclusion).items():
        assert label == expected, (name, label, expected, [str(p) for p in premises], str(conclusion))


@settings(max_examples=3, **SETTINGS)
@given(st.lists(propositional_formulas(), max_size=2), propositional_formulas())
def test_sympy_matches_the_truth_table(premises, conclusion):
    expected = truth_table(premises, conclusion)
    for name, label in _answers(["sympy"], premises, conclusion, timeout=8.0).items():
        assert label == expected, (name, label, expected)


@settings(max_examples=40, **SETTINGS)
@given(st.lists(propositional_formulas(), max_size=3), propositional_formulas())
def test_resolution_matches_the_truth_table(premises, conclusion):
    # In process and complete: a propositional problem always saturates, so never Unknown.
    expected = truth_table(premises, conclusion)
    label = get_prover("resolution", timeout=5.0).decide(premises, conclusion).label
    assert label == expected, (label, expected, [str(p) for p in premises], str(conclusion))


@settings(max_examples=20, **SETTINGS)
@given(st.lists(formulas(functions=False), min_size=1, max_size=3), formulas(functions=False))
def test_first_order_backends_agree(premises, conclusion):
    answers = _answers(["z3", "prover9", "eprover"], premises, conclusion, timeout=3.0)
    definite = {name: label for name, label in answers.items() if label in DEFINITE}
    assert len(set(definite.values())) <= 1, (definite, [str(p) for p in premises], str(conclusion))
