"""The pure-Python resolution prover: clausification, unification, subsumption, the search's
bounds, classic problems, agreement with z3 on random problems, and FOLIO with gold FOL."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linc.logic.formula import And, Const, Eq, Exists, Forall, Func, Iff, Implies, Not, Or, Pred, Var
from linc.plugins import get_prover, lookup
from linc.proving import Label
from linc_provers._clauses import ClauseLimit, Clausifier, equality_axioms, normalise, subsumes, substitute, unify
from linc_provers._refute import Outcome
from linc_provers.resolution import ResolutionProver, Search
from tests.conftest import SHARED_DATA, requires_data
from tests.logic.strategies import formulas

x, y, z = Var("x"), Var("y"), Var("z")
a, b, bob = Const("a"), Const("b"), Const("bob")
#: Timeout for searches that end by themselves (proof or saturation): it only stops a hang, and a
#: shared CI machine has stretched a 0.2 s search past 5 s.
LOADED = 60.0


def P(name, *args):
    return Pred(name, tuple(args))


# ---------------------------------------------------------------- clausification


def test_existential_becomes_a_fresh_skolem_constant():
    # A user constant named like the first Skolem constant must not be captured.
    f = And(Exists(x, P("P", x)), P("Q", Const("sk1")))
    clauses = Clausifier([f]).clauses(f)
    skolem = next(c[0][1][1] for c in clauses if c[0][1][0] == "P")
    assert skolem != ("sk1",) and len(skolem) == 1
    assert ((True, ("Q", ("sk1",))),) in clauses


def test_skolem_function_depends_on_the_enclosing_universal_only():
    f = Forall(x, Forall(y, Exists(z, P("Likes", x, z))))
    [clause] = Clausifier([f]).clauses(f)
    [(sign, (pred, v, sk))] = clause
    assert sign and pred == "Likes" and v == 0
    assert sk[1:] == (0,)  # sk(x), not sk(x, y): y does not occur in the ∃


def test_cnf_by_distribution():
    f = Or(And(P("A"), P("B")), And(P("C"), P("D")))
    clauses = Clausifier([f]).clauses(f)
    assert sorted(clauses) == sorted([((True, ("A",)), (True, ("C",))), ((True, ("A",)), (True, ("D",))),
                                      ((True, ("B",)), (True, ("C",))), ((True, ("B",)), (True, ("D",)))])


def test_cnf_names_subformulas_instead_of_blowing_up():
    # ⋁_{i<12} (A_i ∧ B_i) has 2^12 clauses by distribution; definitions keep it linear.
    f = And(P("A0"), P("B0"))
    for i in range(1, 12):
        f = Or(f, And(P(f"A{i}"), P(f"B{i}")))
    clauses = Clausifier([f]).clauses(f)
    assert len(clauses) < 60
    # ... and the named form is equisatisfiable: with A0..A10 false, A11 ∧ B11 must hold.
    prover = ResolutionProver(timeout=LOADED)
    premises = [f] + [Not(P(f"A{i}")) for i in range(11)]
    assert prover.decide(premises, P("B11")).label is Label.TRUE
    assert prover.decide(premises, P("B7")).label is Label.UNCERTAIN
    assert prover.decide(premises + [Not(P("B11"))], P("B7")).label is Label.INCONSISTENT


def test_iff_chains_too_large_are_a_limit_not_a_hang():
    f = P("A0")
    for i in range(1, 40):
        f = Iff(f, P(f"A{i}"))
    with pytest.raises(ClauseLimit):
        Clausifier([f]).clauses(f)
    start = time.process_time()
    assert ResolutionProver(timeout=LOADED).decide([f], P("A0")).label is Label.UNKNOWN
    assert time.process_time() - start < 2  # refused before any search, not after the timeout


def test_normalise_drops_tautologies_merges_duplicates_and_renames_variants():
    assert normalise([(True, ("P", 3)), (False, ("P", 3))]) is None
    assert normalise([(True, ("P", ("a",))), (True, ("P", ("a",)))]) == ((True, ("P", ("a",))),)
    assert normalise([(True, ("P", 7)), (False, ("Q", 7, 9))]) == normalise([(False, ("Q", 2, 5)), (True, ("P", 2))])


def test_equality_axioms_cover_functions_and_predicates():
    axioms = equality_axioms([((True, ("P", ("f", ("a",)))),)], "=")
    assert ((True, ("=", 0, 0)),) in axioms
    assert any(lit[1][0] == "P" for c in axioms for lit in c)
    assert ((True, ("=", ("f", 0), ("f", 1))), (False, ("=", 0, 1))) in axioms


# ---------------------------------------------------------------- unification and subsumption


def test_unify_finds_the_most_general_unifier():
    s = unify(("P", 0, ("f", 1)), ("P", ("a",), ("f", 2)))
    assert substitute(0, s) == ("a",)
    assert substitute(1, s) == substitute(2, s) and type(substitute(1, s)) is int


def test_unify_occurs_check():
    assert unify(0, ("f", 0)) is None
    assert unify(("P", 0, 0), ("P", 1, ("f", 1))) is None


def test_unify_clash():
    assert unify(("f", 0, 0), ("f", ("a",), ("b",))) is None
    assert unify(("c",), ("c", 0)) is None  # a constant and a unary function of the same name


def test_subsumption():
    assert subsumes(((True, ("P", 0)),), ((True, ("P", ("a",))), (True, ("Q", ("b",)))))
    assert not subsumes(((True, ("P", 0)), (True, ("Q", 0))), ((True, ("P", ("a",))), (True, ("Q", ("b",)))))
    assert subsumes(((True, ("P", 0)), (True, ("Q", 0))), ((True, ("P", ("a",))), (True, ("Q", ("a",)))))
    assert not subsumes(((True, ("P", ("a",))),), ((True, ("P", 0)),))  # the target's variables are fixed
    assert not subsumes(((True, ("P", 0)), (True, ("P", 1))), ((True, ("P", ("a",))),))  # longer never subsumes


# ---------------------------------------------------------------- classic problems


def test_syllogism_with_a_readable_proof():
    r = ResolutionProver(timeout=LOADED).decide([Forall(x, Implies(P("Man", x), P("Mortal", x))), P("Man", Const("socrates"))],
                                           P("Mortal", Const("socrates")))
    assert r.label is Label.TRUE and r.consistent is True
    lines = r.proof.splitlines()
    assert " ⊥  [resolve " in lines[-1] and "premise 1" in r.proof
    assert "negated conclusion" in r.proof and lines[0].startswith("1. ")


def test_factoring_is_needed():
    # {P(x) ∨ P(y), ¬P(u) ∨ ¬P(v)} is unsatisfiable, but binary resolution alone only makes
    # two-literal clauses: the refutation needs a factor.
    premises = [Forall(x, Forall(y, Or(P("P", x), P("P", y)))), Forall(x, Forall(y, Or(Not(P("P", x)), Not(P("P", y)))))]
    r = ResolutionProver(timeout=LOADED).decide(premises, P("Q"))
    assert r.label is Label.INCONSISTENT and "factor" in r.proof


def test_equality_congruence_and_symmetry():
    prover = ResolutionProver(timeout=LOADED)
    prover.grace = 0.5 / LOADED  # f's congruence never saturates: cons keeps its grace (0.5 s) after each proof
    assert prover.decide([Eq(a, b)], Eq(Func("f", (b,)), Func("f", (a,)))).label is Label.TRUE
    assert prover.decide([Eq(a, b), P("P", Func("f", (a,)))], P("P", Func("f", (b,)))).label is Label.TRUE
    assert prover.decide([Eq(a, b), P("P", a)], Not(P("P", b))).label is Label.FALSE


def test_equality_problem_that_saturates_is_uncertain():
    r = ResolutionProver(timeout=LOADED).decide([Eq(a, b), P("P", a)], P("Q", b))
    assert r.label is Label.UNCERTAIN and r.consistent is True


def test_skolem_functions_in_premises_and_conclusion():
    prover = ResolutionProver(timeout=LOADED)
    likes = Forall(x, Exists(y, P("Likes", x, y)))
    assert prover.decide([likes], Exists(y, P("Likes", bob, y))).label is Label.TRUE
    assert prover.decide([likes], Exists(y, Forall(x, P("Likes", x, y)))).label in {Label.UNCERTAIN, Label.UNKNOWN}


def test_satisfiable_set_saturates_to_uncertain():
    premises = [Forall(x, Implies(P("Bird", x), Or(P("Flies", x), P("Penguin", x)))), P("Bird", Const("tweety"))]
    r = ResolutionProver(timeout=LOADED).decide(premises, P("Flies", Const("tweety")))
    assert r.label is Label.UNCERTAIN and r.consistent is True  # by saturation: a time limit is Unknown


def test_inconsistency_found_by_a_direction_without_its_goal():
    premises = [Forall(x, P("P", x)), Not(P("P", a))]
    search = Search([(c, "premise", False) for f in premises for c in Clausifier(premises).clauses(f)]
                    + [(((True, ("Q",)),), "conclusion", True)], "=", time.monotonic() + 5, 100, 1000, 1000)
    while (outcome := search.step()) is None:
        pass
    assert outcome.outcome is Outcome.PROVED and outcome.without_goal


# ---------------------------------------------------------------- bounds


INFINITE = [Forall(x, Implies(P("P", x), P("P", Func("f", (x,))))), P("P", a)]  # never saturates


def test_step_limit_gives_unknown():
    r = ResolutionProver(timeout=30, max_given=50).decide(INFINITE, P("Q", a))
    assert r.label is Label.UNKNOWN and "given-clause limit" in r.reason


def test_kept_clause_limit_gives_unknown():
    r = ResolutionProver(timeout=30, max_kept=40).decide(INFINITE, P("Q", a))
    assert r.label is Label.UNKNOWN and "kept-clause limit" in r.reason


def test_deadline_gives_unknown_on_time():
    start = time.process_time()
    r = ResolutionProver(timeout=0.3).decide(INFINITE, P("Q", a))
    assert r.label is Label.UNKNOWN and "time limit" in r.reason
    # CPU time, which a loaded machine does not stretch; without the deadline the search runs to
    # its step limits (far longer).
    assert time.process_time() - start < 3


def test_registered_as_built_in_pure_python():
    cls = lookup("prover", "resolution")
    assert cls is ResolutionProver and cls.availability() == (True, "built in, pure Python")


# ---------------------------------------------------------------- agreement with z3


DEFINITE = {Label.TRUE, Label.FALSE, Label.UNCERTAIN, Label.INCONSISTENT}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(formulas(functions=False), max_size=3), formulas(functions=False))
def test_agrees_with_z3_on_random_first_order_problems(premises, conclusion):
    if not lookup("prover", "z3").availability()[0]:
        pytest.skip("z3 is not installed")
    mine = ResolutionProver(timeout=1).decide(premises, conclusion).label
    theirs = get_prover("z3", timeout=3).decide(premises, conclusion).label
    if mine in DEFINITE and theirs in DEFINITE:
        assert mine == theirs, ([str(p) for p in premises], str(conclusion))


# ---------------------------------------------------------------- FOLIO


@requires_data
def test_folio_gold_fol_agreement():
    """FOLIO validation, gold FOL: >= 192 of 204 labels (each search ends by itself, under a second in all)."""
    from linc.errors import FormulaSyntaxError
    from linc.logic.read import read

    rows = [json.loads(line) for line in (SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    prover = ResolutionProver(timeout=LOADED)
    prover.countermodels = False
    agree, misses = 0, []
    for n, row in enumerate(rows, 1):
        try:
            premises = [read(p, syntax="folio", lenient=True).formula for p in row["premises-FOL"]]
            conclusion = read(row["conclusion-FOL"], syntax="folio", lenient=True).formula
        except FormulaSyntaxError:
            misses.append((n, row["label"], "gold FOL does not read"))
            continue
        label = prover.decide(premises, conclusion).label.value
        if label == row["label"]:
            agree += 1
        else:
            misses.append((n, row["label"], label))
    print(f"\nresolution: {agree}/{len(rows)} agree with the FOLIO label; misses: {misses}")
    assert agree >= 192


def test_subsumption_backtracking_is_bounded_by_the_searchs_clock():
    """Subsumption is NP-complete: ten literals of one predicate against ten others, with a
    literal that fails last, try 10¹⁰ matches. The search's tick runs at each match tried, so
    its deadline stops it (a 14-quantifier chain took 20 s under a 1 s limit before)."""
    c = tuple((True, ("P", i)) for i in range(10)) + ((True, ("Q", 0)),)
    d = tuple((True, ("P", (f"a{j}",))) for j in range(10)) + ((True, ("R", ("b",))),)
    ticks = []

    def tick() -> None:
        ticks.append(1)
        if len(ticks) > 10_000:
            raise TimeoutError

    with pytest.raises(TimeoutError):
        subsumes(c, d, tick)



@pytest.mark.parametrize("option", ["max_given", "max_generated", "max_kept"])
def test_a_limit_below_one_is_refused_naming_it(option):
    from linc.errors import OptionError

    with pytest.raises(OptionError, match=option):
        ResolutionProver(**{option: -5})  # every search ended Unknown before
