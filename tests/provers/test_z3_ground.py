"""The Z3 backend's ground path (effectively propositional problems grounded over their constants)
answers as the quantified path does, and leaves what is outside its fragment to it."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linc.errors import FormulaSyntaxError, ParserError
from linc.logic.epr import MAX_NODES, NotEPR, compile_epr
from linc.logic.formula import And, Const, Eq, Exists, Forall, Func, Iff, Implies, Not, Pred, Var, Xor
from linc.logic.read import parse
from linc.proving import Label
from linc_provers.z3prover import Z3Prover
from tests.conftest import SHARED_DATA, requires_data
from tests.logic.strategies import formulas

x, y = Var("x"), Var("y")
bob, alice = Const("bob"), Const("alice")


def P(name, *args):
    return Pred(name, tuple(args))


def plain(kind, name, arity):
    return name


def provers():
    ground, quantified = Z3Prover(timeout=10.0, ground=True), Z3Prover(timeout=10.0, ground=False)
    for p in (ground, quantified):
        p.countermodels = False
    return ground, quantified


def took_ground_path(prover: Z3Prover) -> bool:
    warm = prover._warm
    return warm is not None and warm.ground is not None and warm.ground.outer is not None


# ---------------------------------------------------------------- compiling


def test_universal_expands_over_the_constants_and_existential_becomes_a_skolem_constant():
    g = compile_epr(Forall(x, Implies(P("Man", x), Exists(y, P("Loves", y, bob)))), plain, "7")
    assert g.skolems == ("|linc sk 7 1|",)
    assert g.constants == {"bob", "|linc sk 7 1|"}
    assert g.text(("bob", "al")) == (
        "(and (=> (Man bob) (Loves |linc sk 7 1| bob)) (=> (Man al) (Loves |linc sk 7 1| bob)))"
    )


def test_a_grounding_lists_what_a_solver_must_declare_once_each():
    # predicates and constants in order of first use, each once, then the Skolem constants
    g = compile_epr(Forall(x, Implies(P("Man", x), Exists(y, And(P("Loves", y, bob), P("Man", bob))))), plain, "7")
    assert g.declarations == (("Man", 1, "Bool"), ("Loves", 2, "Bool"), ("bob", 0, "U"), ("|linc sk 7 1|", 0, "U"))
    assert g.negated() is None and compile_epr(P("Man", bob), plain, "8").negated().declarations == (("Man", 1, "Bool"), ("bob", 0, "U"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(formulas(functions=False), st.lists(st.sampled_from(["a", "|b c|", "d"]), min_size=1, max_size=3, unique=True))
def test_a_single_universal_written_by_splitting_its_body_reads_as_the_general_expansion(f, universe):
    from linc.logic.epr import _expand
    from linc.logic.formula import universal_closure

    try:
        g = compile_epr(universal_closure(f), plain, "1")
    except NotEPR:
        return
    assert g.text(tuple(universe)) == (g.fixed if g.fixed is not None else _expand(g.node, (), tuple(universe)))


def test_a_name_with_a_brace_keeps_the_general_expansion():
    g = compile_epr(Forall(x, P("Man", x)), lambda kind, name, arity: "|M{0}|" if kind == "predicate" else name, "1")
    assert g.split is None and g.text(("a", "b")) == "(and (|M{0}| a) (|M{0}| b))"


def test_symbols_kept_across_compilations_are_looked_up_once_and_still_declared_per_formula():
    calls = []

    def counting(kind, name, arity):
        calls.append(name)
        return "|" + name + "{x}|"  # a brace in a name is escaped in templates, not in declarations

    names = {}
    rule = Forall(x, Implies(P("Man", x), P("Mortal", x)))
    first = compile_epr(rule, counting, "1", names)
    fact = compile_epr(P("Man", bob), counting, "2", names)
    assert calls == ["Man", "Mortal", "bob"]
    assert fact.declarations == (("|Man{x}|", 1, "Bool"), ("|bob{x}|", 0, "U"))
    assert fact.text(()) == "(|Man{x}| |bob{x}|)"
    alone = compile_epr(rule, counting, "3")
    assert first.text(("a",)) == alone.text(("a",)) == "(and (=> (|Man{x}| a) (|Mortal{x}| a)))"


def test_one_name_with_two_arities_is_declared_twice_on_the_ground_path():
    # Man/1 and Man/2 get two SMT-LIB names: declared apart, the problem stays on the ground path
    prover, _ = provers()
    result = prover.decide([P("Man", bob), Forall(x, Implies(P("Man", x), P("Man", x, alice)))], P("Man", bob, alice))
    assert result.label == Label.TRUE and took_ground_path(prover)


def test_polarity_decides_which_quantifier_is_expanded():
    # ¬∃x P(x): the ∃ is universal in effect (expanded); ¬∀x P(x): existential (a Skolem constant)
    assert compile_epr(Not(Exists(x, P("P", x))), plain, "1").text(("a", "b")) == "(not (or (P a) (P b)))"
    assert compile_epr(Not(Forall(x, P("P", x))), plain, "1").text(("a",)) == "(not (P |linc sk 1 1|))"
    # the antecedent of → is negative: ∃ there is expanded
    assert compile_epr(Implies(Exists(x, P("P", x)), P("Q", bob)), plain, "1").text(("bob",)) == "(=> (or (P bob)) (Q bob))"


def test_iff_around_a_quantifier_is_expanded_with_both_polarities():
    g = compile_epr(Iff(Forall(x, P("P", x)), P("Q", bob)), plain, "1")
    # (∀x P → Q) ∧ (Q → ∀x P): the first ∀ is negative (a Skolem constant), the second expanded
    assert g.skolems == ("|linc sk 1 1|",)
    assert g.text(("bob",)) == "(and (=> (P |linc sk 1 1|) (Q bob)) (=> (Q bob) (and (P bob))))"
    xor = compile_epr(Xor(Exists(x, P("P", x)), P("Q", bob)), plain, "2")
    assert len(xor.skolems) == 1 and xor.depths == (1,)


def test_quantifier_free_iff_and_xor_stay_as_they_are():
    assert compile_epr(Xor(P("P", bob), Iff(P("Q", bob), Eq(bob, alice))), plain, "1").text(()) == "(xor (P bob) (= (Q bob) (= bob alice)))"


@pytest.mark.parametrize("formula, why", [
    (Forall(x, Exists(y, P("Loves", x, y))), "Skolem function"),
    (Not(Exists(x, Forall(y, Not(P("Loves", x, y))))), "Skolem function"),  # ∀x∃y in effect
    (Forall(x, P("P", Func("f", (x,)))), "function symbol"),
])
def test_outside_the_fragment_is_refused(formula, why):
    with pytest.raises(NotEPR, match=why):
        compile_epr(formula, plain, "1")


def test_existential_not_using_the_universal_is_a_constant():
    # inner Skolemisation: ∀x ∃y P(y) needs no function, the ∃ does not use x
    g = compile_epr(Forall(x, Exists(y, P("P", y))), plain, "1")
    assert g.skolems == ("|linc sk 1 1|",)


def test_iff_chains_that_would_blow_up_are_refused():
    f = Forall(x, P("P", x))
    for i in range(14):
        f = Iff(f, Forall(x, P(f"Q{i}", x)))
    with pytest.raises(NotEPR, match=str(MAX_NODES)):
        compile_epr(f, plain, "1")


# ---------------------------------------------------------------- deciding


def test_fallback_to_quantifiers_outside_the_fragment():
    ground, _ = provers()
    loves = [Forall(x, Exists(y, P("Loves", x, y)))]
    result = ground.decide(loves, Exists(y, P("Loves", bob, y)))
    assert result.label == Label.TRUE
    assert not took_ground_path(ground)
    f = Func("father", (bob,))
    assert ground.decide([Forall(x, P("Man", Func("father", (x,))))], P("Man", f)).label == Label.TRUE
    assert not took_ground_path(ground)


def test_ground_path_answers_with_the_unsat_core_as_proof():
    ground, _ = provers()
    premises = [Forall(x, Implies(P("Man", x), P("Mortal", x))), P("Man", bob), P("Woman", alice)]
    result = ground.decide(premises, P("Mortal", bob))
    assert took_ground_path(ground)
    assert result.label == Label.TRUE and result.consistent is True
    assert "premise_1: ∀x (Man(x) → Mortal(x))" in result.proof and "premise_2: Man(bob)" in result.proof
    assert "Woman" not in result.proof and "goal: ¬Mortal(bob)" in result.proof
    assert ground.decide(premises, Not(P("Mortal", bob))).label == Label.FALSE
    assert ground.decide(premises, P("Mortal", alice)).label == Label.UNCERTAIN
    bad = ground.decide([*premises, Not(P("Mortal", bob))], P("Woman", bob))
    assert bad.label == Label.INCONSISTENT and bad.consistent is False
    assert "Woman" not in bad.proof and "goal" not in bad.proof


def test_ground_path_countermodels_come_from_the_quantified_path():
    prover = Z3Prover(timeout=10.0)
    result = prover.decide([Forall(x, Implies(P("Man", x), P("Mortal", x)))], P("Mortal", bob))
    assert took_ground_path(prover)
    assert result.label == Label.UNCERTAIN
    assert result.countermodel["conclusion_false"]["predicates"]["Mortal"] == []


def test_equality_bounds_the_domain_on_the_ground_path():
    # ∀x (x = bob): one element; so P(bob) gives P(alice) — grounding over {bob, alice} sees it
    ground, quantified = provers()
    premises = [Forall(x, Eq(x, bob)), P("P", bob)]
    for prover in (ground, quantified):
        assert prover.decide(premises, P("P", alice)).label == Label.TRUE
    assert took_ground_path(ground)


def test_xor_around_an_existential_is_read_with_both_polarities():
    # (∃x P(x)) ⊕ Q(bob), Q(bob) ⊢ ∀x ¬P(x): the ∃ is universal in effect in one half of the ⊕
    ground, quantified = provers()
    premises = [Xor(Exists(x, P("P", x)), P("Q", bob)), P("Q", bob)]
    for prover in (ground, quantified):
        assert prover.decide(premises, Forall(x, Not(P("P", x)))).label == Label.TRUE
    assert took_ground_path(ground)


def test_a_problem_without_constants_gets_one_element():
    ground, _ = provers()
    assert ground.decide([Forall(x, P("P", x))], Exists(x, P("P", x))).label == Label.TRUE
    assert ground.decide([Exists(x, P("P", x))], Forall(x, P("P", x))).label == Label.UNCERTAIN
    assert took_ground_path(ground)


def test_a_symbol_named_like_a_parser_keyword_falls_back_cleanly():
    ground, _ = provers()
    premises = [Forall(x, Implies(P("as", x), P("par", x))), P("as", Const("let"))]
    assert ground.decide(premises, P("par", Const("let"))).label == Label.TRUE
    assert ground.decide([P("Q", bob)], P("Q", bob)).label == Label.TRUE  # the ground path still works after


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
DEFINITE = {Label.TRUE, Label.FALSE, Label.UNCERTAIN, Label.INCONSISTENT}


@settings(max_examples=150, **SETTINGS)
@given(st.lists(formulas(functions=False), min_size=1, max_size=4), formulas(functions=False))
def test_ground_and_quantified_paths_agree_on_random_problems(premises, conclusion):
    ground, quantified = provers()
    a, b = ground.decide(premises, conclusion, timeout=5), quantified.decide(premises, conclusion, timeout=5)
    if a.label in DEFINITE and b.label in DEFINITE:
        assert a.label == b.label, ([str(p) for p in premises], str(conclusion))


# ---------------------------------------------------------------- the shared data


def _folio():
    rows = [json.loads(line) for line in (SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl").read_text(encoding="utf-8").splitlines()]
    for r in rows:
        try:
            yield [parse(p, syntax="folio", lenient=True) for p in r["premises-FOL"]], parse(r["conclusion-FOL"], syntax="folio", lenient=True)
        except FormulaSyntaxError:
            continue


def _proofwriter(n: int):
    from linc.parsing.grammar import GrammarParser

    parser = GrammarParser()
    question = "Based on the above information, is the following statement true, false, or unknown?"
    records = json.loads((SHARED_DATA / "proofwriter" / "proofwriter-d5-owa-dev.json").read_text(encoding="utf-8"))
    for r in records[::len(records) // n][:n]:
        try:
            premises = [parser.parse(s) for s in r["context"].split(". ") if s.strip()]
            yield premises, parser.parse(r["question"].split(question, 1)[-1].strip())
        except ParserError:
            continue


@requires_data
def test_ground_and_quantified_paths_agree_on_folio_and_proofwriter():
    ground, quantified = provers()
    grounded = compared = 0
    for premises, conclusion in [*_folio(), *_proofwriter(40)]:
        a = ground.decide(premises, conclusion, timeout=5)
        grounded += took_ground_path(ground) and ground._warm.ground.outer[0].formulas == tuple(premises)
        b = quantified.decide(premises, conclusion, timeout=5)
        if a.label in DEFINITE and b.label in DEFINITE:
            compared += 1
            assert a.label == b.label, ([str(p) for p in premises], str(conclusion), a.label, b.label)
    assert compared > 200 and grounded > 180, (compared, grounded)


# ---------------------------------------------------------------- warm state, support, time limits


def _entails(premises, goal) -> bool:
    _, quantified = provers()
    return quantified.decide(premises, goal, timeout=10).label == Label.TRUE


@requires_data
def test_ground_support_is_enough_and_minimal_on_folio_and_proofwriter():
    # The ground path's support comes from Z3's own core minimisation, made once the premises are
    # known consistent: the quantified path confirms that each support proves the answer and that
    # no premise of it can be dropped.
    ground, _ = provers()
    checked = 0
    for premises, conclusion in [*list(_folio())[:50], *_proofwriter(30)]:
        result = ground.decide(premises, conclusion, timeout=5)
        if result.label not in (Label.TRUE, Label.FALSE) or not took_ground_path(ground):
            continue
        goal = conclusion if result.label == Label.TRUE else Not(conclusion)
        kept = [premises[i] for i in result.support]
        assert _entails(kept, goal), (result.support, str(conclusion))
        for i in range(len(kept)):
            assert not _entails(kept[:i] + kept[i + 1:], goal), (result.support, i, str(conclusion))
        checked += 1
    assert checked > 25, checked


def test_the_ground_minimiser_drops_what_the_proof_does_not_need():
    # Z3's cores need not be minimal: hand the ground session a redundant one, it keeps one proof
    import time

    premises = [P("Big", bob), Forall(x, Implies(P("Big", x), P("Red", x))), P("Red", bob), P("Kind", alice)]
    ground, _ = provers()
    session = ground._state().ground_session(premises, P("Red", bob), Not(P("Red", bob)), time.monotonic() + 10)
    assert session is not None
    assert session.minimal([0, 1, 2, 3], Not(P("Red", bob))) in ([2], [0, 1])
    assert session.minimal([0, 1], Not(P("Red", bob))) == [0, 1]  # already minimal: kept whole


def test_a_quantified_proof_has_its_support_made_minimal_on_the_ground_solver_when_its_core_grounds(monkeypatch):
    # Transitivity over 9 constants is 729 instances: the problem takes the quantified path, but
    # the core (a three-link chain) has 4 constants and grounds; its support is minimised there
    # (FOLIO problem 121: 19 ms of deletion checks with quantifiers, now 5 ms), and it is the
    # support that deletion with quantifiers finds.
    from linc_provers import _z3ground

    z = Var("z")
    c = [Const(f"c{i}") for i in range(9)]
    transitive = Forall(x, Forall(y, Forall(z, Implies(And(P("L", x, y), P("L", y, z)), P("L", x, z)))))
    premises = [P("L", c[0], c[1]), P("L", c[1], c[2]), P("Q", c[4]), transitive, P("L", c[2], c[3]),
                *[P("L", c[i], c[i + 1]) for i in range(4, 8)]]
    conclusion = P("L", c[0], c[3])
    asked = []
    core = _z3ground.Ground.core
    monkeypatch.setattr(_z3ground.Ground, "core", lambda self, tracks, goal, deadline, minimal:
                        asked.append((len(tracks), minimal)) or core(self, tracks, goal, deadline, minimal))
    ground, quantified = provers()
    result = ground.decide(premises, conclusion)
    assert asked and asked[-1][1], "the core was not minimised on the ground solver"
    asked.clear()
    by_deletion = quantified.decide(premises, conclusion)
    assert result.label == by_deletion.label == Label.TRUE
    assert result.support == by_deletion.support == [0, 1, 3, 4]
    ground.ground = False  # switched off on a backend already warm: no ground solver either
    assert ground.decide(premises, conclusion).support == [0, 1, 3, 4]
    assert not asked


problem_lists = st.lists(formulas(functions=False), min_size=1, max_size=3)


@settings(max_examples=40, **SETTINGS)
@given(st.lists(problem_lists, min_size=1, max_size=2), st.lists(st.tuples(st.integers(0, 1), formulas(functions=False)), min_size=2, max_size=5))
def test_one_warm_backend_answers_a_run_of_votes_like_fresh_backends(pools, asks):
    # Votes of one problem share premises (kept asserted), other problems' votes come in between:
    # label, support and proof must not depend on what the backend decided before.
    warm, _ = provers()
    for which, conclusion in asks:
        premises = pools[which % len(pools)]
        fresh, _ = provers()
        a, b = warm.decide(premises, conclusion, timeout=5), fresh.decide(premises, conclusion, timeout=5)
        if a.label in DEFINITE and b.label in DEFINITE:
            assert (a.label, a.support, a.consistent) == (b.label, b.support, b.consistent)
            assert a.proof == b.proof


def _pigeonhole(holes: int) -> list:
    """holes + 1 pigeons in ``holes`` holes, one to a hole: unsatisfiable, and hard for resolution."""
    from functools import reduce

    from linc.logic.formula import And, Or

    pigeons = [Const(f"p{i}") for i in range(holes + 1)]
    places = [Const(f"h{j}") for j in range(holes)]
    premises = [reduce(Or, [P("In", p, h) for h in places]) for p in pigeons]
    premises += [Not(And(P("In", p, h), P("In", q, h))) for h in places for i, p in enumerate(pigeons) for q in pigeons[i + 1:]]
    return premises


def _decide_hard_in_child(prover: Z3Prover, queue) -> None:
    hard = prover.decide(_pigeonhole(10), P("Q", bob), timeout=0.3)
    queue.put((hard.label.value, hard.reason, prover.decide([P("Q", bob)], P("Q", bob)).label.value))


def test_a_hard_ground_problem_stops_at_its_time_limit_and_the_backend_stays_usable():
    # Checks on the ground path are interrupted by a watchdog thread (no timeout parameter)
    ground, _ = provers()
    hard = ground.decide(_pigeonhole(10), P("Q", bob), timeout=0.3)
    assert took_ground_path(ground)
    assert hard.label == Label.UNKNOWN and hard.reason == "time limit"
    assert ground.decide([P("Q", bob)], P("Q", bob)).label == Label.TRUE  # the interrupt is not sticky
    # a forked worker gets its own watchdog (the parent's thread does not survive the fork)
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_decide_hard_in_child, args=(ground, queue))
    child.start()
    child.join(60)
    assert child.exitcode == 0 and queue.get(timeout=5) == ("Unknown", "time limit", "True")


def test_the_watchdog_thread_ends_when_checks_stop():
    # the evaluation runner forks workers only from a single-threaded process
    import threading
    import time

    ground, _ = provers()
    assert ground.decide([P("Q", bob)], P("Q", bob)).label == Label.TRUE
    give_up = time.monotonic() + 30
    while any(t.name == "linc z3 watchdog" for t in threading.enumerate()) and time.monotonic() < give_up:
        time.sleep(0.1)
    assert not any(t.name == "linc z3 watchdog" for t in threading.enumerate())
    assert ground.decide([P("Q", bob)], Not(P("Q", bob))).label == Label.FALSE  # and starts again


def test_the_evaluation_runner_still_forks_while_the_watchdog_runs():
    # the watchdog survives a fork (the child renews its state), so it must not push the runner
    # to a slower start method
    import multiprocessing
    import threading

    from linc.eval.runner import _context

    ground, _ = provers()
    assert ground.decide([P("Q", bob)], P("Q", bob)).label == Label.TRUE
    assert any(t.name == "linc z3 watchdog" for t in threading.enumerate())
    if "fork" in multiprocessing.get_all_start_methods():
        assert _context().get_start_method() == "fork"


def test_minimal_cores_switch_z3s_core_minimisation_once_not_per_proof(monkeypatch):
    # setting a solver's parameters costs about a check: a run of proofs sets core.minimize once
    from linc_provers import _z3ground

    calls = []
    real = _z3ground.z3core.Z3_solver_set_params
    monkeypatch.setattr(_z3ground.z3core, "Z3_solver_set_params", lambda *a: calls.append(a) or real(*a))
    prover, _ = provers()
    rule = Forall(x, Implies(P("Big", x), P("Red", x)))
    for name in ("bob", "alice", "carol"):
        c = Const(name)
        result = prover.decide([P("Big", c), rule, P("Kind", c)], P("Red", c))
        assert result.label == Label.TRUE and result.support == [0, 1]
    assert len(calls) == 1
