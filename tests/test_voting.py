"""Voting policies: tiers of evidence, proofs over Uncertain, LINC's plain majority, plugins."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linc import plugins
from linc.errors import PluginError
from linc.eval.report import revote, summarise
from linc.logic.read import is_respelling, parse, parse_lenient
from linc.parsing.base import Problem, Sample
from linc.reasoning import Reasoner
from linc.voting import _plurality, clean_first, decide, majority, proof_first
from tests.test_reasoning import ANSWERS, ScriptedParser, ScriptedProver


def votes(*spec: str) -> list[SimpleNamespace]:
    """'True/clean', 'Uncertain/signature', ... in order."""
    return [SimpleNamespace(label=s.split("/")[0], tier=s.split("/")[1] if "/" in s else "clean") for s in spec]


def test_majority_is_lincs_vote():
    assert majority(votes("Error", "False", "True", "True", "False")) == "False"  # a tie: first seen wins
    assert majority(votes("Uncertain/signature", "True", "True")) == "True"
    assert majority(votes("Uncertain", "True")) == "Uncertain"
    assert majority(votes("Error", "Unknown")) is None


def test_clean_first_lets_weaker_tiers_decide_only_where_stronger_ones_are_silent():
    assert clean_first(votes("False/signature", "False/signature", "True/clean")) == "True"
    assert clean_first(votes("False/signature", "True/lenient", "Error/clean")) == "True"
    assert clean_first(votes("False/signature", "Uncertain/self-repair")) == "Uncertain"
    assert clean_first(votes("False/signature", "Error")) == "False"
    assert clean_first(votes("Unknown", "Error")) is None


def test_proof_first_a_proof_outweighs_uncertain_within_the_strongest_tier():
    assert proof_first(votes(*["Uncertain"] * 8, "True", "True")) == "True"
    assert proof_first(votes("Uncertain", "False", "True", "True")) == "True"  # proofs disagree: their majority
    assert proof_first(votes("Uncertain", "False", "True")) == "False"  # tie among proofs: first seen
    assert proof_first(votes("Uncertain", "Uncertain", "True/signature")) == "Uncertain"  # weaker tier is silent
    assert proof_first(votes("Uncertain/lenient", "True/signature")) == "Uncertain"
    assert proof_first(votes("Error", "True/signature", "Uncertain/signature")) == "True"
    assert proof_first(votes("Uncertain", "Unknown")) == "Uncertain"


def test_no_valid_vote_is_unknown_when_a_limit_was_hit_else_error():
    assert decide(proof_first, votes("Error", "Unknown")) == "Unknown"
    assert decide(proof_first, votes("Error")) == "Error"
    assert decide(majority, []) == "Error"


def test_sample_tier_is_the_weakest_that_applies():
    f = parse("P(a)")
    assert Sample([f], f).tier == "clean"
    assert Sample([f], f, repairs=["premise 1: read '~' as negation"]).tier == "clean"  # a respelling
    assert Sample([f], f, repairs=["premise 1: widened the scope of 'all x' to cover 'Q(x)'"]).tier == "lenient"
    assert Sample([f], f, repairs=["x"], model_repairs=1).tier == "self-repair"
    assert Sample([f], f, repairs=["x"], model_repairs=2, signature_repaired=True).tier == "signature"


def test_the_reasoner_records_tiers_and_the_policy(monkeypatch):
    class Tiered(ScriptedParser):
        """Samples of the scripted conclusions; the last one signature-repaired."""

        def translate(self, problem, k=1):
            samples = super().translate(problem, k)
            samples[-1].signature_repaired = True
            return samples

    problem = Problem(["p"], "c")
    scripted = ["S(a)", "S(a)", "Q(a)", "R(a)"]  # Uncertain, Uncertain, True, False (signature-repaired)
    verdict = Reasoner(Tiered(scripted), ScriptedProver(ANSWERS), k=4).solve(problem)
    assert [v.tier for v in verdict.votes] == ["clean", "clean", "clean", "signature"]
    assert verdict.label == "True" and verdict.policy == "proof-first" and verdict.proof == "proof of Q(a)" and verdict.shown == 2
    assert Reasoner(Tiered(scripted), ScriptedProver(ANSWERS), k=4, vote="majority").solve(problem).label == "Uncertain"
    custom = Reasoner(Tiered(scripted), ScriptedProver(ANSWERS), k=4, vote=lambda vs: "False")
    assert custom.solve(problem).label == "False"
    with pytest.raises(PluginError, match="unknown vote 'nope'.*majority"):
        Reasoner(Tiered(scripted), ScriptedProver(ANSWERS), vote="nope")


def test_the_proof_shown_is_the_first_of_the_strongest_votes_for_the_label():
    class WeakFirst(ScriptedParser):
        """Samples of the scripted conclusions; the first one signature-repaired."""

        def translate(self, problem, k=1):
            samples = super().translate(problem, k)
            samples[0].signature_repaired = True
            return samples

    problem = Problem(["p"], "c")
    verdict = Reasoner(WeakFirst(["Q(a)", "S(a)", "Q(a)", "Q(a)"]), ScriptedProver(ANSWERS), k=4, vote=lambda vs: "True").solve(problem)
    assert verdict.shown == 2 and verdict.counts == {"True": 3, "Uncertain": 1}
    verdict = Reasoner(WeakFirst(["Q(a)", "S(a)"]), ScriptedProver(ANSWERS), k=2, vote=lambda vs: "True").solve(problem)
    assert verdict.shown == 0  # the weaker vote, when it is the only one for the label
    verdict = Reasoner(WeakFirst(["Q(a)", "S(a)"]), ScriptedProver(ANSWERS), k=2, vote=lambda vs: "False").solve(problem)
    assert verdict.shown is None and verdict.proof is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["True", "False", "Uncertain"]), max_size=12))
def test_plurality_is_counters_most_common(labels):
    counted = Counter(labels)
    assert _plurality(labels) == (counted.most_common(1)[0][0] if counted else None)


def test_policies_are_plugins():
    assert {"majority", "clean-first", "proof-first"} <= set(plugins.names("vote"))
    assert plugins.get_vote("majority") is majority

    @plugins.vote("always-uncertain-test")
    def always_uncertain(ballots):
        return "Uncertain"

    assert plugins.get_vote("always-uncertain-test") is always_uncertain


def test_summary_counts_votes_per_tier_and_revote_relabels_records():
    def vote(label, tier):
        return {"label": label, "tier": tier}

    records = [
        {"id": "a", "gold": "True", "label": "Uncertain", "correct": False,
         "verdict": {"votes": [vote("Uncertain", "clean"), vote("Uncertain", "clean"), vote("True", "clean"), vote("False", "signature")]}},
        {"id": "b", "gold": "False", "label": "False", "correct": True,
         "verdict": {"votes": [vote("Error", "clean"), vote("False", "signature")]}},
        {"id": "c", "gold": "True", "label": "Unknown", "correct": False, "verdict": {"votes": []}},
    ]
    tiers = summarise(records).tiers
    assert tiers["clean"] == {"votes": 4, "valid": 3, "correct": 1, "accuracy": pytest.approx(1 / 3)}
    assert tiers["signature"] == {"votes": 2, "valid": 2, "correct": 1, "accuracy": 0.5}
    relabelled = revote(records, proof_first)
    assert [(r["label"], r["correct"]) for r in relabelled] == [("True", True), ("False", True), ("Unknown", False)]


@pytest.mark.parametrize("text, respelled", [
    ("Exists x.(P(x))", True), ("~P(a)", True), ("P(Joe'sPlate)", True), ("all x P(x)", True), ("P(a).", True),
    ("all x.(P(x)) -> Q(x)", False), ("P(a", False), ("P(a))", False),
])
def test_the_readers_repairs_are_told_apart(text, respelled):
    """Respellings keep a vote clean; repairs that guess at structure make it lenient."""
    _, repairs = parse_lenient(text)
    assert repairs and all(map(is_respelling, repairs)) == respelled
    sample = Sample([], parse("P(a)"), repairs=[f"premise 1: {r}" for r in repairs])
    assert sample.tier == ("clean" if respelled else "lenient")
