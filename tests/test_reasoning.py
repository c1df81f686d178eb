"""The Reasoner's own logic: voting, tie-breaking, errors, self-repair, de-duplication.

A scripted parser and prover stand in for the real ones here, so each rule is tested alone; the
real parsers and provers are exercised end to end in their own tests and in tests/eval.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from linc.logic import parse
from linc.parsing.base import Parser, Problem, Sample
from linc.proving import Label, Prover, ProverResult
from linc.reasoning import Reasoner
from tests.logic.strategies import formulas


class ScriptedProver(Prover):
    """Answers by looking the conclusion's text up in a table; counts its calls."""

    name = "scripted"

    def __init__(self, answers: dict[str, Label], timeout: float = 1.0):
        super().__init__(timeout)
        self.answers = answers
        self.calls = 0

    def _decide(self, premises, conclusion, timeout):
        self.calls += 1
        return ProverResult(self.answers[str(conclusion)], self.name, 0.01, proof=f"proof of {conclusion}")


class ScriptedParser(Parser):
    """Returns pre-read samples; ``repair`` replaces a failed sample with a fixed one."""

    name = "scripted"

    def __init__(self, conclusions: list[str | None], fixed: str | None = None):
        self.conclusions = conclusions
        self.fixed = fixed
        self.repair_calls: list[str] = []

    def translate(self, problem, k=1):
        return [self._sample(c) for c in self.conclusions[:k]]

    def _sample(self, text):
        if text is None:
            return Sample([], None, raw="garbage", error="FormulaSyntaxError: unreadable")
        return Sample([parse("P(a)")], parse(text), raw=text)

    def repair(self, problem, sample, error):
        self.repair_calls.append(error)
        if self.fixed is None:
            return None
        fixed = self._sample(self.fixed)
        fixed.model_repairs = sample.model_repairs + 1
        return fixed


ANSWERS = {"Q(a)": Label.TRUE, "R(a)": Label.FALSE, "S(a)": Label.UNCERTAIN, "T(a)": Label.UNKNOWN,
           "U(a)": Label.INCONSISTENT}
PROBLEM = Problem(["p"], "c")


def reasoner(conclusions, fixed=None, **kw):
    return Reasoner(ScriptedParser(conclusions, fixed), ScriptedProver(ANSWERS), k=len(conclusions), **kw)


def test_vote_and_proof_of_the_winner():
    v = reasoner(["Q(a)", "R(a)", "Q(a)", None]).solve(PROBLEM)
    assert v.label == "True"
    assert v.counts == {"True": 2, "False": 1, "Error": 1}
    assert v.proof == "proof of Q(a)"
    json.loads(v.to_json())  # serialisable


def test_identical_samples_are_decided_once():
    r = reasoner(["Q(a)"] * 5)
    r.solve(PROBLEM)
    assert r.prover.calls == 1


def test_no_valid_vote():
    assert reasoner([None, None]).solve(PROBLEM).label == "Error"
    assert reasoner(["T(a)", None]).solve(PROBLEM).label == "Unknown"


def test_inconsistent_premises_vote_error_by_default_and_true_in_linc_mode():
    assert reasoner(["U(a)"], repair_rounds=0).solve(PROBLEM).label == "Error"
    assert reasoner(["U(a)"], repair_rounds=0, inconsistent="true").solve(PROBLEM).label == "True"


def test_self_repair_round_trip_marks_the_vote():
    r = reasoner([None], fixed="Q(a)")
    v = r.solve(PROBLEM)
    assert v.label == "True"
    assert v.votes[0].model_repairs == 1 and v.votes[0].repaired and v.votes[0].tier == "self-repair"
    assert r.parser.repair_calls == ["FormulaSyntaxError: unreadable"]


def test_repairs_off_and_bounded():
    r = reasoner([None], fixed=None, repair_rounds=3)
    assert r.solve(PROBLEM).label == "Error"
    assert len(r.parser.repair_calls) == 1  # the parser could not repair: no more asking
    r = reasoner([None], fixed="Q(a)", repair_rounds=0)
    assert r.solve(PROBLEM).label == "Error" and r.parser.repair_calls == []


def test_signature_clash_is_an_error_vote():
    class Clashing(ScriptedParser):
        def _sample(self, text):
            return Sample([parse("P(a)"), parse("P(a, b)")], parse("Q(a)"))

    v = Reasoner(Clashing(["x"]), ScriptedProver(ANSWERS), repair_rounds=0).solve(PROBLEM)
    assert v.label == "Error" and "SignatureError" in v.votes[0].error


def test_a_sample_decided_before_is_not_checked_again(monkeypatch):
    """Samples that differ from a decided one only in bound-variable names have its symbols, so
    its signature check stands for theirs; a clashing sample is still checked and refused."""
    import linc.reasoning

    checked = []
    real = linc.reasoning.check_signature
    monkeypatch.setattr(linc.reasoning, "check_signature", lambda formulas: checked.append(formulas) or real(formulas))

    class Renamed(ScriptedParser):
        def _sample(self, text):
            if text == "clash":
                return Sample([parse("P(a)"), parse("P(a, b)")], parse("Q(a)"))
            return Sample([parse(f"all {text}. (P({text}) -> Q({text}))"), parse("P(a)")], parse("Q(a)"))

    r = Reasoner(Renamed(["x", "y", "clash", "x", "clash"]), ScriptedProver(ANSWERS), k=5, repair_rounds=0)
    v = r.solve(PROBLEM)
    assert [vote.label for vote in v.votes] == ["True", "True", "Error", "True", "Error"]
    assert len(checked) == 3  # the first reading, and each clashing one
    assert "SignatureError" in v.votes[4].error


def test_shapes_are_equal_exactly_for_renamings():
    """A problem's shape (symbols renamed by first use) is equal for problems that are renamings
    of one another, and only for those: built from each formula's own shape, it still tells
    apart problems whose formulas are alike one by one but share their symbols differently."""
    from linc.reasoning import _formula_shape, _shape

    def shape(*texts):
        *premises, conclusion = [_formula_shape(parse(t)) for t in texts]
        return _shape((tuple(premises), conclusion))

    base = shape("all x. (Dog(x) -> Pet(f(x, rex)))", "Dog(rex)", "Pet(rex)")
    assert base == shape("all y. (Hound(y) -> Animal(g(y, fido)))", "Hound(fido)", "Animal(fido)")
    assert base != shape("all x. (Dog(x) -> Pet(f(x, rex)))", "Dog(rex)", "Pet(fido)")  # fido is not rex
    assert base != shape("all x. (Dog(x) -> Pet(f(x, rex)))", "Pet(rex)", "Pet(rex)")  # Pet is not Dog
    assert base != shape("all x. (Dog(x) -> Pet(f(x, rex)))", "Dog(rex)", "Pet(rex)", "Pet(rex)")  # one premise more
    assert shape("P(a)", "Q(a)") != shape("P(a)", "Q(b)") and shape("P(a)", "Q(b)") == shape("R(c)", "S(d)")


def test_a_formula_shape_leaves_no_garbage_for_the_cyclic_collector():
    """Working out a shape makes no reference cycles (recursive closures did: a dozen objects per
    formula that only a collection frees, a third of what made the collector run in an evaluation)."""
    import gc

    from linc.reasoning import _formula_shape

    f = parse("all x. (P(x) -> exists y. (Likes(x, f(y)) & x = a))")
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for _ in range(20):
            _formula_shape.__wrapped__(f)  # not the remembered answer: the walk itself
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_formula_shapes_are_equal_exactly_when_bound_variables_alone_differ():
    """The decision cache's key: a formula's shape stands for it up to the names of its bound
    variables, as ``alpha_normalize`` does (the key it replaces), without making that formula."""
    from linc.logic.formula import alpha_normalize
    from linc.reasoning import _formula_shape

    def same(a, b):
        f, g = parse(a), parse(b)
        assert (alpha_normalize(f) == alpha_normalize(g)) is (_formula_shape(f) == _formula_shape(g))
        return _formula_shape(f) == _formula_shape(g)

    assert same("all x. (P(x) -> exists y. Likes(x, y))", "all u. (P(u) -> exists v. Likes(u, v))")
    assert not same("all x. all y. Likes(x, y)", "all x. all y. Likes(y, x)")  # which binder matters
    assert same("all x. (P(x) & exists x. Q(x))", "all y. (P(y) & exists z. Q(z))")  # the innermost binds
    assert not same("all x. (P(x) & exists y. Q(x))", "all x. (P(x) & exists y. Q(y))")
    assert not same("all x. P(x)", "all y. P(x)")  # a free x is not a bound one
    assert not same("P(x)", "P(y)") and same("P(x)", "P(x)")  # free variables keep their names
    assert not same("P(a)", "P(b)") and not same("P(a)", "Q(a)") and not same("P(f(a))", "P(g(a))")
    assert not same("all x. P(x)", "exists x. P(x)") and not same("P(a) & Q(a)", "P(a) | Q(a)")
    assert not same("all x. all y. P(x)", "all x. P(x)")  # a vacuous binder still counts


@settings(max_examples=300, deadline=None)
@given(formulas(), formulas())
def test_formula_shapes_agree_with_alpha_normalize(f, g):
    from linc.logic.formula import alpha_normalize
    from linc.reasoning import _formula_shape

    assert _formula_shape(f) == _formula_shape(alpha_normalize(f))
    assert (_formula_shape(f) == _formula_shape(g)) is (alpha_normalize(f) == alpha_normalize(g))


def test_bad_options():
    with pytest.raises(ValueError):
        Reasoner(ScriptedParser([]), ScriptedProver({}), inconsistent="maybe")


def test_verdict_to_dict_is_what_asdict_gives_and_a_copy():
    """The hand-written conversion gives ``dataclasses.asdict``'s dict (keys, order, values,
    nested containers copied), for real verdicts with proofs, countermodels and support."""
    from dataclasses import asdict

    from linc.reasoning import Verdict, Vote

    reasoner = Reasoner("grammar", "z3", k=1)
    reasoner.prover.countermodels = True
    verdicts = [reasoner.check(["Bob is big.", "All big things are red."], c) for c in ("Bob is red.", "Bob is not red.", "Bob is blue.")]
    assert {v.label for v in verdicts} == {"True", "False", "Uncertain"}
    assert any(v.countermodel for v in verdicts) and any(v.support for v in verdicts)
    odd = Verdict("True", [Vote("True", premises=["P(a)"], repairs=["x"])], {"True": 1},
                  countermodel={"domain": ("a", "b"), "nested": [{"k": [1, 2.5, None, True]}]}, usage={"calls": 1})
    for verdict in [*verdicts, odd]:
        as_dict = verdict.to_dict()
        assert as_dict == asdict(verdict)
        assert list(as_dict) == list(asdict(verdict))
        assert json.dumps(as_dict) == json.dumps(asdict(verdict))
    as_dict = odd.to_dict()
    as_dict["votes"][0]["premises"].append("changed")
    as_dict["countermodel"]["nested"][0]["k"].append(0)
    assert odd.votes[0].premises == ["P(a)"] and odd.countermodel["nested"][0]["k"] == [1, 2.5, None, True]


class RecordingSource:
    """A fact source that lends one fact and remembers what each call asked about."""

    def __init__(self):
        self.asked: list[list[str]] = []

    def premises(self, relevant_to=None):
        self.asked.append([str(f) for f in relevant_to])
        return [parse("R(a)")]


def test_a_fact_source_is_asked_about_each_sample_including_a_repaired_one():
    source = RecordingSource()
    v = reasoner([None, "Q(a)"], fixed="S(a)").solve(PROBLEM, kg=source)
    assert source.asked == [["P(a)", "S(a)"], ["P(a)", "Q(a)"]]  # the failed sample asks nothing
    assert [vote.label for vote in v.votes] == ["Uncertain", "True"]


def test_an_unknown_vote_says_which_limit_the_prover_hit():
    from rich.console import Console

    from linc.render import render_verdict
    from linc_provers.resolution import ResolutionProver

    verdict = Reasoner("grammar", ResolutionProver(max_given=1)).check(
        ["Bob is big.", "If something is big then it is kind.", "All kind things are round."], "Bob is round.")
    assert verdict.label == "Unknown"
    assert "given-clause limit" in verdict.votes[0].reason
    assert json.loads(verdict.to_json())["votes"][0]["reason"] == verdict.votes[0].reason
    console = Console(record=True, width=200)
    render_verdict(verdict, console)
    assert "reason: pos: given-clause limit" in console.export_text()
