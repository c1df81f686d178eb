"""The z3 backend keeps one context and a solver per premise list: nothing may leak between problems."""

from __future__ import annotations

import multiprocessing
import pickle
import threading

import pytest

from linc.logic.formula import And, Const, Forall, Implies, Not, Or, Pred, Var
from linc.logic.read import parse
from linc.proving import Label
from linc_provers.z3prover import Z3Prover
from tests.conftest import SHARED_DATA, requires_data

x = Var("x")
a, b = Const("a"), Const("b")


def P(name, *args):
    return Pred(name, tuple(args))


def test_premises_of_one_problem_never_reach_the_next():
    prover = Z3Prover()
    assert prover.decide([P("Big", a), Forall(x, Implies(P("Big", x), P("Red", x)))], P("Red", a)).label is Label.TRUE
    assert prover.decide([], P("Red", a)).label is Label.UNCERTAIN
    assert prover.decide([P("Green", b)], P("Big", a)).label is Label.UNCERTAIN
    # An inconsistent premise list stays with that list.
    assert prover.decide([P("Big", a), Not(P("Big", a))], P("Red", b)).label is Label.INCONSISTENT
    assert prover.decide([P("Big", a)], P("Red", b)).label is Label.UNCERTAIN


def test_repeated_premises_with_other_conclusions_answer_like_a_fresh_backend():
    premises = [Forall(x, Implies(P("Big", x), P("Red", x))), P("Big", a), Or(P("Cold", b), P("Kind", b)), Not(P("Kind", b))]
    goals = [P("Red", a), Not(P("Red", a)), P("Cold", b), P("Kind", b), P("Red", b), Not(P("Cold", b)), And(P("Red", a), P("Cold", b))]
    warm = Z3Prover()
    for goal in goals * 2:  # the second round answers from the cached solver
        fresh = Z3Prover().decide(premises, goal)
        again = warm.decide(premises, goal)
        assert (again.label, again.consistent) == (fresh.label, fresh.consistent), goal
        assert again.proof == fresh.proof


def test_a_small_cache_evicts_without_changing_answers():
    prover = Z3Prover(cached_premise_sets=1, cached_formulas=2)
    lists = [[P("Big", a)], [Not(P("Big", a))], [P("Big", a), P("Red", a), P("Cold", a)]]
    for _ in range(2):
        assert [prover.decide(ps, P("Big", a)).label for ps in lists] == [Label.TRUE, Label.FALSE, Label.TRUE]


def test_symbols_named_like_the_backends_own_helpers():
    # Tracking literals and model helpers must not be confused with a user's symbols.
    prover = Z3Prover()
    assert prover.decide([Not(P("premise_1"))], P("premise_1")).label is Label.FALSE
    r = prover.decide([P("goal"), P("Big", Const("linc_elem_0"))], P("Big", Const("linc_u")))
    assert r.label is Label.UNCERTAIN
    assert set(r.countermodel["conclusion_false"]["constants"]) == {"linc_elem_0", "linc_u"}


def test_countermodels_show_only_the_problems_symbols():
    prover = Z3Prover()
    prover.decide([P("Tall", b), P("Old", Const("carol"))], P("Rich", b))
    r = prover.decide([P("Big", a)], P("Red", a))
    assert r.label is Label.UNCERTAIN
    for model in r.countermodel.values():
        assert set(model["predicates"]) == {"Big", "Red"} and set(model["constants"]) == {"a"}


def test_names_z3_reserves_fall_back_to_the_python_api():
    # "as" is reserved in Z3's SMT-LIB reader; three premises take the text path first.
    premises = [P("as", a), Forall(x, Implies(P("as", x), P("xor", x))), P("Big", b)]
    assert Z3Prover().decide(premises, P("xor", a)).label is Label.TRUE


def _decide_in_child(prover: Z3Prover, queue) -> None:
    queue.put(prover.decide([P("Big", a)], P("Big", a)).label.value)


def test_a_forked_worker_builds_its_own_context():
    prover = Z3Prover()
    assert prover.decide([P("Big", a)], P("Red", a)).label is Label.UNCERTAIN  # warm in the parent
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_decide_in_child, args=(prover, queue))
    child.start()
    child.join(60)
    assert child.exitcode == 0 and queue.get(timeout=5) == "True"


@requires_data
def test_a_problem_answers_the_same_whatever_the_problems_before_it():
    """A solver reused across premise lists kept Z3's quantifier state past a pop: one vote of a
    recorded FOLIO problem (functions, so the quantified path), Uncertain in milliseconds on its
    own, ran to its limit after the 120 problems before it (the race of a solver released outside
    the backend's lock, which the new solver per premise list opened, is caught by test_folio's
    threaded agreement test)."""
    from linc.eval.datasets import load_dataset
    from linc.parsing.replay import ReplayParser

    path = SHARED_DATA / "linc-recorded" / "gpt-3.5-turbo-16k-0613_folio-neurosymbolic-2shot.jsonl"
    problems = load_dataset(str(path)).problems[:121]
    parser, warm = ReplayParser(str(path)), Z3Prover()
    warm.countermodels = False
    for problem in problems:
        for sample in parser.translate(problem, 10):
            if sample.ok:
                answer = warm.decide(sample.premises, sample.conclusion, timeout=3.0)
                assert answer.label != Label.UNKNOWN, (problem.id, answer.reason)


def test_pickled_and_threaded_use():
    prover = pickle.loads(pickle.dumps(Z3Prover()))
    answers: list[Label] = []

    def work(i: int) -> None:
        for _ in range(20):
            answers.append(prover.decide([P("Big", Const(f"c{i}"))], P("Big", Const(f"c{i}"))).label)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [Label.TRUE] * 60


@pytest.mark.parametrize("countermodels", [False, True])
def test_countermodel_work_only_when_asked(countermodels):
    prover = Z3Prover()
    prover.countermodels = countermodels
    r = prover.decide([P("Big", a)], P("Red", a))
    assert (r.countermodel is not None) is countermodels


def test_the_support_is_made_minimal_by_deletion():
    # Z3's cores need not be minimal: hand the minimiser a redundant one and it drops what is not needed
    import time

    premises = [P("Big", a), Forall(x, Implies(P("Big", x), P("Red", x))), P("Red", a), P("Kind", b)]
    prover = Z3Prover()
    session = prover._state().session(premises, time.monotonic() + 10)
    kept = session.minimal([0, 1, 2, 3], Not(P("Red", a)))
    assert kept in ([2], [0, 1])
    assert session.minimal([0, 1], Not(P("Red", a))) == [0, 1]  # already minimal: kept whole
    assert prover.decide(premises, P("Red", a)).support in ([2], [0, 1])


def test_a_problem_after_an_unfinished_quantified_search_starts_clean():
    """An interrupted quantified search could leave the warm solver so that the next problem (here
    satisfiable at once) ran to its limit; where the interruption falls depends on the machine, so
    it is tried at several points."""
    transitive = parse("all x. all y. all z. ((R(x, y) & R(y, z)) -> R(x, z))")
    irreflexive, serial = parse("all x. -R(x, x)"), parse("all x. exists y. R(x, y)")
    prover = Z3Prover(timeout=10.0, small_models=False)
    prover.countermodels = False
    for ms in range(20, 420, 25):
        assert prover.decide([transitive, irreflexive, serial], parse("P(a)"), timeout=ms / 1000).label == Label.UNKNOWN
        after = prover.decide([transitive, serial], parse("P(a)"), timeout=10.0)
        assert after.label == Label.UNCERTAIN, f"after a {ms} ms search: {after.label} ({after.reason})"
    with_model = Z3Prover(timeout=10.0, small_models=True)  # the countermodel search stops at 1 s per size
    assert with_model.decide([transitive, irreflexive, serial], parse("P(a)"), timeout=1.5).label == Label.UNKNOWN
    assert with_model.decide([transitive, serial], parse("P(a)"), timeout=10.0).label == Label.UNCERTAIN


def test_deciding_builds_no_second_z3_context():
    """z3py's SolverFor named the ground solver's logic in z3's global context, building it (an
    AST table of 16 MB, 13 ms of page faults) in every process; the backend's own context is
    the only one, on the ground path, the quantified path and with countermodels. Run in a fresh
    interpreter: other tests may have made the global context."""
    import subprocess
    import sys

    code = """
import z3
from linc.logic.read import parse
from linc_provers.z3prover import Z3Prover
from tests.conftest import SHARED_DATA, requires_data
p = Z3Prover()
rule = parse("all x.(P(x) -> Q(x))")
assert p.decide([rule, parse("P(a)")], parse("Q(a)")).label.value == "True"
assert p.decide([rule, parse("all x. exists y. R(x, y)")], parse("Q(a)")).countermodel is not None
print(z3.z3._main_ctx is None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.parametrize("option", ["max_model_size", "cached_premise_sets", "cached_formulas"])
def test_a_size_below_one_is_refused_naming_it(option):
    from linc.errors import OptionError

    with pytest.raises(OptionError, match=option):
        Z3Prover(**{option: 0})
