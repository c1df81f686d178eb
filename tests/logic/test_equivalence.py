"""Equivalence with a reference translation up to renaming (linc.logic.equivalence), decided by Z3."""

from __future__ import annotations

import multiprocessing
import threading

import z3

from linc.logic.equivalence import Checker, compare, shared_context
from linc.logic.formula import nnf
from linc.logic.read import parse
from tests.conftest import SHARED_DATA, requires_data


def nltk(*texts: str):
    return [parse(t) for t in texts]


def folio(*texts: str):
    return [parse(t, "folio") for t in texts]


def test_renamed_symbols_and_a_double_negation_are_equivalent():
    c = compare(nltk("all x.(IsStudent(x) -> --IsYoung(x))", "IsStudent(Rose)"), parse("--IsYoung(Rose)"),
                folio("∀x (Student(x) → Young(x))", "Student(rose)"), parse("Young(rose)", "folio"))
    assert [p.relation for p in c.premises] == ["equivalent", "equivalent"]
    assert c.conclusion.relation == "equivalent" and c.equivalent
    assert c.alignment == {"Rose": "rose", "IsStudent/1": "Student", "IsYoung/1": "Young"}
    assert c.premises[1].alignment == {"Rose": "rose", "IsStudent/1": "Student"}  # per premise: its own symbols


def test_a_converse_implication_is_not_equivalent_under_any_renaming():
    # the second premise and the conclusion pin the names down: swapping them cannot rescue the first
    c = compare(nltk("all x.(IsYoung(x) -> IsStudent(x))", "IsStudent(Rose)"), parse("IsYoung(Rose)"),
                folio("∀x (Student(x) → Young(x))", "Student(rose)"), parse("Young(rose)", "folio"))
    assert c.premises[0].relation == "different"
    assert [p.relation for p in c.premises[1:]] == ["equivalent"] and c.conclusion.relation == "equivalent"
    assert not c.equivalent


def test_stronger_and_weaker_translations_are_told_apart():
    gold = folio("∀x (Student(x) → Young(x))")
    stronger = compare(nltk("all x.(Student(x) -> (Young(x) & Smart(x)))"), parse("Young(a)"), gold, parse("Young(a)"))
    weaker = compare(nltk("all x.((Student(x) & Smart(x)) -> Young(x))"), parse("Young(a)"), gold, parse("Young(a)"))
    assert stronger.premises[0].relation == "stronger" and weaker.premises[0].relation == "weaker"


def test_the_search_finds_a_renaming_that_names_mislead():
    # names say bob -> bob, alice -> alice; only the swap makes the contrapositive equivalent
    c = compare(nltk("-Red(alice) -> -Big(bob)", "Big(bob)"), parse("Red(alice)"),
                nltk("Big(alice) -> Red(bob)", "Big(alice)"), parse("Red(bob)"))
    assert c.equivalent, c
    assert c.alignment["alice"] == "bob" and c.alignment["bob"] == "alice"


def test_split_premises_make_an_equivalent_problem_but_not_equivalent_premises():
    c = compare(nltk("Big(a)", "Red(a)"), parse("Big(a)"), nltk("Big(a) & Red(a)"), parse("Big(a)"))
    assert c.premises[0].relation == "stronger" or c.premises[0].relation == "weaker"
    assert c.equivalent  # the conjunctions are equivalent


def test_a_missing_premise_is_reported_and_no_two_gold_premises_share_one_sample_premise():
    c = compare(nltk("Big(a)"), parse("Big(a)"), nltk("Red(a)", "Big(a)"), parse("Big(a)"))
    assert [(p.sample, p.relation) for p in c.premises] == [(None, "missing"), (0, "equivalent")]
    assert not c.equivalent


def test_the_search_stops_at_its_budget():
    # a contrapositive with misleading names: the right renaming takes a search with Z3 checks
    # (no two formulas share a shape, so only the checks can tell which name is which)
    sample = nltk("all x.(-P(x) -> -Q(x))"), parse("exists x.(Q(x) | Q(x))")
    gold = nltk("all x.(P(x) -> Q(x))"), parse("exists x. P(x)")
    full = compare(*sample, *gold)
    assert full.equivalent and not full.exhausted
    assert full.alignment == {"P/1": "Q", "Q/1": "P"}
    cut = compare(*sample, *gold, Checker(), max_checks=0)  # no search: the names' renaming is judged
    assert cut.exhausted and not cut.equivalent and cut.alignment == {"P/1": "P", "Q/1": "Q"}
    assert cut.checks <= 4 < full.checks  # only the verdicts on the two gold formulas


def test_checkers_sharing_a_context_answer_as_fresh_ones():
    """One context judges problem after problem (a new context per problem cost more than the
    checks); names that meet in it with other arities or kinds change no answer."""
    pairs = [("all x.(P(x) -> Q(x))", "all y.(-Q(y) -> -P(y))"), ("P(a, b)", "P(b, a)"), ("Q(P)", "exists x.Q(x)"),
             ("P", "P & P"), ("all x.(P(x) | -P(x))", "R(a) -> R(a)"), ("exists x.(P(x) & Q(x))", "all x.(P(x) & Q(x))")]
    ctx = shared_context()
    assert shared_context() is ctx
    for a, b in pairs:
        shared, fresh = Checker(ctx=ctx), Checker()
        assert shared.tr.ctx is ctx and fresh.tr.ctx is not ctx
        assert shared.relation(parse(a), parse(b)) == fresh.relation(parse(a), parse(b)), (a, b)
    assert Checker(ctx=ctx).relation(parse("P(a, b)"), parse("P(b, a)")) == "different"
    assert Checker(ctx=ctx).relation(parse("all x.(P(x) -> Q(x))"), parse("all y.(-Q(y) -> -P(y))")) == "equivalent"


def _is_parents(ctx, conn):
    conn.send(shared_context() is ctx)


def test_the_shared_context_is_per_thread_and_per_process():
    ctx = shared_context()
    seen = []
    thread = threading.Thread(target=lambda: seen.append(shared_context()))
    thread.start()
    thread.join()
    assert seen[0] is not ctx
    fork = multiprocessing.get_context("fork")
    mine, theirs = fork.Pipe()
    child = fork.Process(target=_is_parents, args=(ctx, theirs))
    child.start()
    assert mine.recv() is False
    child.join(10)


def test_a_sample_that_is_the_gold_gets_what_the_search_finds_without_searching():
    from linc.logic.equivalence import _identical, _Search

    gold = folio("∀x (Student(x) → Young(x))", "Student(rose) ∧ ¬Old(rose)", "∃x (Teaches(x, rose) ⊕ Teaches(rose, x))")
    conclusion = parse("Young(rose) ∨ f(rose) = rose", "folio")
    checker = Checker()
    fast = compare(list(gold), conclusion, gold, conclusion, checker)
    assert checker.checks == 0 and fast.equivalent and not fast.exhausted
    assert fast == _Search(list(gold), conclusion, list(gold), conclusion, Checker(), 200, float("inf")).run()
    assert fast.alignment == {"Old/1": "Old", "Student/1": "Student", "Teaches/2": "Teaches", "Young/1": "Young",
                              "f/1": "f", "rose": "rose"}
    assert _identical([conclusion]).conclusion.alignment == {"f/1": "f", "rose": "rose", "Young/1": "Young"}


@requires_data
def test_every_folio_gold_problem_judged_against_itself_gets_what_the_search_finds():
    from linc.eval.datasets import load_dataset
    from linc.logic.equivalence import _Search
    from linc.parsing.gold import GoldParser

    data = load_dataset(str(SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl"))
    judged = 0
    for problem in data.problems:
        gold = GoldParser().translate(problem)[0]
        if not gold.ok:
            continue
        fast = compare(gold.premises, gold.conclusion, gold.premises, gold.conclusion)
        assert fast == _Search(list(gold.premises), gold.conclusion, list(gold.premises), gold.conclusion, Checker(ctx=shared_context()), 200, float("inf")).run(), problem.id
        judged += 1
    assert judged >= 200


def test_a_check_after_one_that_ran_out_of_time_starts_clean():
    """Z3 interrupted mid-search (transitive, irreflexive, serial R: only infinite models) could
    leave its solver so that the next, easy check ran to its limit; where the interruption falls
    depends on the machine, so it is tried at several points."""
    hard = parse("(all x. all y. all z. ((R(x, y) & R(y, z)) -> R(x, z))) & (all x. -R(x, x)) & (all x. exists y. R(x, y))")
    easy = parse("(all x. all y. all z. ((R(x, y) & R(y, z)) -> R(x, z))) & (all x. exists y. R(x, y))")
    checker = Checker()
    for n, ms in enumerate(range(20, 420, 25)):
        checker.timeout = ms / 1000
        assert checker.entails(hard, parse(f"Q{n}(c)")) is None
        checker.timeout = 10.0
        assert checker.entails(easy, parse(f"Q{n}(c)")) is False, f"after a {ms} ms check"


def test_a_long_biconditional_chain_is_judged_without_building_its_normal_form(monkeypatch):
    """A chain of n ↔ has a negation normal form of ~2ⁿ nodes; the shape matching built it for
    every formula pair, so a 24-link chain in a sample stalled translation judging for minutes.
    Past MAX_NNF nodes a formula is matched by shape as written only; Z3 still decides it."""
    from linc.logic import equivalence

    built = []
    monkeypatch.setattr(equivalence, "nnf", lambda f: built.append(f) or nnf(f))
    chain = parse(" <-> ".join(f"P{i}(a)" for i in range(24)))
    c = compare([chain, parse("all x.(Q(x) -> R(x))")], parse("Q(a)"),
                [parse("∀x (Q(x) → R(x))", "folio"), parse("P1(a)", "folio")], parse("Q(a)", "folio"))
    assert chain not in built and built  # the other formulas still get their normal form
    assert c.conclusion.relation == "equivalent"
    assert [p.relation for p in c.premises] == ["different", "different"]


def test_effectively_propositional_checks_are_grounded_and_answer_as_with_quantifiers():
    """Skolem constants, equality, no constant at all (one fresh element), both answers."""
    cases = [
        ("exists x. (P(x) & x = c)", "P(c)", True),
        ("all x. P(x)", "exists y. P(y)", True),
        ("P(a)", "all x. P(x)", False),
        ("all x. (P(x) -> Q(x))", "all x. (-Q(x) -> -P(x))", True),
        ("exists x. all y. R(x, y)", "all y. exists x. R(x, y)", True),
        ("all y. exists x. R(x, y)", "exists x. all y. R(x, y)", False),  # ¬b has a Skolem function: quantified path
    ]
    for a, b, entailed in cases:
        grounded, quantified = Checker(), Checker()
        assert grounded.entails(parse(a), parse(b)) is entailed, (a, b)
        assert quantified._check(parse(a), parse(b)) == (z3.unsat if entailed else z3.sat), (a, b)
    checker = Checker()
    checker.entails(parse("all x. (P(x) -> Q(x))"), parse("P(a) -> Q(a)"))
    assert checker._ground is not None  # decided on the ground path


@requires_data
def test_the_ground_path_agrees_with_the_quantified_one_on_folio_formulas():
    """Every ordered pair of premises of the first FOLIO stories, each way decided both ways."""
    from linc.eval.datasets import load_dataset
    from linc.parsing.gold import GoldParser

    data = load_dataset(str(SHARED_DATA / "folio" / "folio-v0.0-validation.jsonl"), 40)
    checker = Checker(timeout=5.0)
    grounded = compared = 0
    for problem in data.problems:
        gold = GoldParser().translate(problem)[0]
        if not gold.ok:
            continue
        for a in gold.premises[:5]:
            for b in gold.premises[:5]:
                if a is b:
                    continue
                ground = checker._ground_check(a, b)
                if ground is None:
                    continue
                grounded += 1
                quantified = checker._check(a, b)
                if z3.unknown not in (ground, quantified):
                    compared += 1
                    assert ground == quantified, (problem.id, str(a), str(b))
    assert compared >= 300 and compared >= 0.9 * grounded


def test_a_hard_ground_check_stops_at_its_limit_and_the_next_one_answers():
    """The ground path's checks are interrupted at the checker's limit (no timeout parameter)."""
    from functools import reduce

    from linc.logic.formula import And, Const, Not, Or, Pred

    pigeons, holes = [Const(f"p{i}") for i in range(11)], [Const(f"h{j}") for j in range(10)]
    clauses = [reduce(Or, [Pred("In", (p, h)) for h in holes]) for p in pigeons]
    clauses += [Not(And(Pred("In", (p, h)), Pred("In", (q, h)))) for h in holes for i, p in enumerate(pigeons) for q in pigeons[i + 1:]]
    def balanced(fs):
        return fs[0] if len(fs) == 1 else And(balanced(fs[: len(fs) // 2]), balanced(fs[len(fs) // 2:]))

    checker = Checker(timeout=0.3)
    assert checker.entails(balanced(clauses), parse("Q(b)")) is None
    assert checker.entails(parse("P(b) & Q(b)"), parse("Q(b)")) is True
