"""The formula walks on a decision's path (free variables, closure, distinct objects in one pass)
and the cached node hash: same answers as the plain recursive definitions, no exception raised."""

from __future__ import annotations

import copy
import pickle
import sys

from hypothesis import given, settings

from linc.logic.formula import (
    And, Binary, Const, Eq, Exists, Forall, Func, Iff, Not, Pred, Var, atom_terms, close, distinct_objects, free_vars,
    nnf, nnf_size, terms_of, universal_closure,
)
from tests.logic.strategies import formulas

x, y = Var("x"), Var("y")
A, B = Const('"A"'), Const('"B"')


def reference_free_vars(f):
    """The textbook definition, by recursion."""
    if isinstance(f, (Pred, Eq)):
        return frozenset(t for a in atom_terms(f) for t in terms_of(a) if isinstance(t, Var))
    if isinstance(f, Not):
        return reference_free_vars(f.body)
    if isinstance(f, Binary):
        return reference_free_vars(f.left) | reference_free_vars(f.right)
    return reference_free_vars(f.body) - {f.var}


def with_objects(f):
    """``f`` with the constant ``a`` made a distinct object and ``bob`` another."""
    if isinstance(f, Pred):
        return Pred(f.name, tuple(_object(t) for t in f.args))
    if isinstance(f, Eq):
        return Eq(_object(f.left), _object(f.right))
    if isinstance(f, Not):
        return Not(with_objects(f.body))
    if isinstance(f, Binary):
        return type(f)(with_objects(f.left), with_objects(f.right))
    return type(f)(f.var, with_objects(f.body))


def _object(t):
    if isinstance(t, Func):
        return Func(t.name, tuple(_object(a) for a in t.args))
    if isinstance(t, Const):
        return {"a": A, "bob": B}.get(t.name, t)
    return t


@settings(max_examples=300, deadline=None)
@given(formulas())
def test_free_variables_and_distinct_objects_match_the_recursive_definitions(f):
    f = with_objects(f)
    assert free_vars(f) == reference_free_vars(f)
    closure, objects = close(f)
    assert closure == universal_closure(f) and not free_vars(closure)
    expected = {t for terms in _atoms(f) for s in terms for t in terms_of(s) if t in (A, B)}
    assert set(objects) == expected
    assert distinct_objects([f]) == ([Not(Eq(A, B))] if expected == {A, B} else [])


def _atoms(f):
    stack = [f]
    while stack:
        g = stack.pop()
        yield atom_terms(g)
        if isinstance(g, Binary):
            stack += [g.left, g.right]
        elif isinstance(g, (Not, Forall, Exists)):
            stack.append(g.body)


def test_a_variable_bound_on_one_side_is_free_on_the_other():
    f = Pred("P", (x,))
    g = Forall(x, f)
    both = And(g, f)
    assert free_vars(both) == {x}
    assert close(both) == (Forall(x, both), ())
    assert close(Exists(y, Pred("Q", (Func("f", (x, B)), y)))) == (
        Forall(x, Exists(y, Pred("Q", (Func("f", (x, B)), y)))), (B,))


def test_the_first_hash_of_a_node_raises_no_exception():
    # a hash read from a slot not yet set raised and caught an AttributeError per node, several
    # times the cost of the hash itself (formulas new to a process are hashed on every decision)
    raised = []

    def trace(frame, event, arg):
        if event == "exception":
            raised.append(arg[0])
        return trace

    f = Forall(x, Pred("Fresh", (x, Func("g", (Const("c"),)))))
    sys.settrace(trace)
    try:
        hash(f)
    finally:
        sys.settrace(None)
    assert raised == []


def test_unpickled_and_copied_nodes_hash_and_close_as_the_originals():
    f = And(Forall(x, Pred("P", (x, Const("c")))), Pred("Q", (y, A)))
    for again in (pickle.loads(pickle.dumps(f)), copy.copy(f), copy.deepcopy(f)):
        assert again == f and hash(again) == hash(f)
        assert {again: 1}[f] == 1
        assert close(again) == close(f) == (Forall(y, f), (A,))


def _nodes(f):
    if isinstance(f, (Pred, Eq)):
        return 1
    if isinstance(f, (Not, Forall, Exists)):
        return 1 + _nodes(f.body)
    return 1 + _nodes(f.left) + _nodes(f.right)


@settings(max_examples=300, deadline=None)
@given(formulas())
def test_nnf_size_counts_the_nodes_nnf_builds(f):
    assert nnf_size(f) == _nodes(nnf(f))
    assert nnf_size(Not(f)) == _nodes(nnf(Not(f)))


def test_nnf_size_of_a_biconditional_chain_doubles_with_each_link():
    chain = Pred("P0", ())
    sizes = []
    for i in range(1, 40):
        chain = Iff(chain, Pred(f"P{i}", ()))
        sizes.append(nnf_size(chain))  # counted, never built: 2^40 nodes would not fit in memory
    assert all(b > 2 * a for a, b in zip(sizes, sizes[1:]))
