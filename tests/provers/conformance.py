"""The one conformance suite every prover backend's tests subclass.

A backend test class sets ``prover_name`` (and the capability flags that apply) and inherits every
question below, so a new backend answers exactly the questions the old ones answer.
"""

from __future__ import annotations

import json

import pytest

from linc.logic.formula import Const, Eq, Exists, Forall, Implies, Not, Or, Pred, Var, Xor
from linc.plugins import get_prover, lookup
from linc.proving import Label

x = Var("x")
bob, alice = Const("bob"), Const("alice")


def P(name, *args):
    return Pred(name, tuple(args))


MORTAL = [Forall(x, Implies(P("Man", x), P("Mortal", x))), P("Man", bob)]


class Conformance:
    """Shared questions; subclasses set ``prover_name`` and flags."""

    prover_name: str = ""
    options: dict = {}
    timeout: float = 10.0
    #: Searches to completion on these small problems (so answers Uncertain).
    answers_uncertain = True
    #: Decides the equality questions (not just Unknown).
    decides_equality = True
    #: Finds every proof asked for here; an incomplete backend may answer Unknown (never wrongly).
    complete = True
    #: Names the premises its proofs used (``ProverResult.support``); others leave it None.
    tells_support = True

    @pytest.fixture
    def prover(self):
        ok, detail = lookup("prover", self.prover_name).availability()
        if not ok:
            pytest.skip(f"{self.prover_name} is not usable here: {detail}")
        return get_prover(self.prover_name, timeout=self.timeout, **self.options)

    def expect(self, result, label, definite=True):
        allowed = {label} if definite and self.complete else {label, Label.UNKNOWN}
        assert result.label in allowed, (result.label, result.reason, result.raw)
        assert result.prover == self.prover_name
        assert result.seconds > 0
        json.dumps(result.to_dict())  # every result serialises

    def test_entailed(self, prover):
        r = prover.decide(MORTAL, P("Mortal", bob))
        self.expect(r, Label.TRUE)
        assert r.proof

    def test_refuted(self, prover):
        r = prover.decide(MORTAL, Not(P("Mortal", bob)))
        self.expect(r, Label.FALSE)
        assert r.proof

    def test_neither(self, prover):
        r = prover.decide(MORTAL, P("Mortal", alice))
        self.expect(r, Label.UNCERTAIN, definite=self.answers_uncertain)
        if r.label is Label.UNCERTAIN:
            assert r.consistent is True

    def test_contradictory_premises_are_inconsistent_not_true(self, prover):
        r = prover.decide([P("Man", bob), Not(P("Man", bob))], P("Mortal", bob))
        self.expect(r, Label.INCONSISTENT)
        assert r.consistent is False

    def test_empty_premises(self, prover):
        self.expect(prover.decide([], Or(P("Rain"), Not(P("Rain")))), Label.TRUE)
        self.expect(prover.decide([], P("Rain")), Label.UNCERTAIN, definite=self.answers_uncertain)

    def test_keyword_names(self, prover):
        # Names that are keywords in Prover9, TPTP, Lean or SMT-LIB must not change the meaning.
        kw = [Forall(x, Implies(P("end_of_list", x), P("formulas", x))), P("end_of_list", Const("all")),
              P("theorem", Const("fof")), Forall(x, Implies(P("theorem", x), P("assert", x)))]
        self.expect(prover.decide(kw, P("formulas", Const("all"))), Label.TRUE)
        self.expect(prover.decide(kw, P("assert", Const("fof"))), Label.TRUE)

    def test_unicode_names(self, prover):
        uni = [Forall(x, Implies(P("Gewinnerin", x), P("Spielerin", x))), P("Gewinnerin", Const("Świątek"))]
        self.expect(prover.decide(uni, P("Spielerin", Const("Świątek"))), Label.TRUE)
        # Transliteration must not merge distinct names: Swiatek is someone else.
        self.expect(prover.decide(uni, P("Spielerin", Const("Swiatek"))), Label.UNCERTAIN, definite=self.answers_uncertain)

    def test_free_variables_are_closed_universally(self, prover):
        # P(x) as a premise reads ∀x P(x) (documented closure), so P(bob) follows.
        self.expect(prover.decide([P("Happy", x)], P("Happy", bob)), Label.TRUE)

    def test_constant_named_like_a_variable(self, prover):
        # Prover9 reads free u-z names as variables; a constant "x" or "y" must stay a constant.
        self.expect(prover.decide([P("Tall", Const("y"))], P("Tall", Const("z"))), Label.UNCERTAIN, definite=self.answers_uncertain)

    def test_xor(self, prover):
        self.expect(prover.decide([Xor(P("Day"), P("Night")), P("Day")], Not(P("Night"))), Label.TRUE)
        self.expect(prover.decide([Xor(P("Day"), P("Night")), P("Day")], P("Night")), Label.FALSE)

    def test_existential(self, prover):
        self.expect(prover.decide([P("Man", bob)], Exists(x, P("Man", x))), Label.TRUE)

    def test_equality(self, prover):
        r = prover.decide([Eq(bob, Const("robert")), P("Man", bob)], P("Man", Const("robert")))
        self.expect(r, Label.TRUE, definite=self.decides_equality)

    def test_support_is_the_premises_the_proof_used(self, prover):
        premises = [MORTAL[0], P("Kind", alice), MORTAL[1]]
        for goal, label in ((P("Mortal", bob), Label.TRUE), (Not(P("Mortal", bob)), Label.FALSE)):
            r = prover.decide(premises, goal)
            self.expect(r, label)
            if r.label is label:
                assert r.support == ([0, 2] if self.tells_support else None), (goal, r.support)

    def test_support_leaves_out_the_distinct_objects_axioms(self, prover):
        # '"a"' ≠ '"b"' is added by decide() after the premises: it is used, but nobody's premise
        if not self.tells_support:
            pytest.skip(f"{self.prover_name} names no support")
        r = prover.decide([P("Man", Const('"a"')), Forall(x, Implies(P("Man", x), Eq(x, Const('"a"'))))], Not(P("Man", Const('"b"'))))
        self.expect(r, Label.TRUE, definite=self.decides_equality)
        if r.label is Label.TRUE:
            assert r.support == [1] or r.support == [0, 1], r.support

    @pytest.mark.parametrize("timeout", [0, 0.0, -1.0, float("nan"), float("inf"), True, "10"])
    def test_bad_timeout(self, prover, timeout):
        with pytest.raises(ValueError):
            prover.decide(MORTAL, P("Mortal", bob), timeout=timeout)

    def test_not_a_formula(self, prover):
        with pytest.raises(TypeError, match="expected linc.logic formulas"):
            prover.decide([*MORTAL, "Man(bob)"], P("Mortal", bob))  # type: ignore[list-item]
