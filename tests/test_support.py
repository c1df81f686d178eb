"""Support: a True/False verdict names the premises its proof used, as numbered sentences."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from linc.cli import app
from linc.kg import KnowledgeGraph
from linc.parsing.base import Problem
from linc.reasoning import Reasoner

BOB = ["-p", "Bob is big.", "-p", "Anne is kind.", "-p", "All big things are red."]


def solve(*args: str):
    result = CliRunner().invoke(app, ["solve", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("prover", ["z3", "prover9"])
@pytest.mark.parametrize("conclusion, label", [("Bob is red.", "True"), ("Bob is not red.", "False")])
def test_solve_json_lists_the_sentences_the_proof_used(prover, conclusion, label):
    verdict = json.loads(solve(*BOB, "-c", conclusion, "--prover", prover, "--json"))
    assert verdict["label"] == label
    assert [(s["position"], s["sentence"]) for s in verdict["support"]] == [(1, "Bob is big."), (3, "All big things are red.")]
    assert verdict["support"][1]["formula"] == "∀x (Big(x) → Red(x))"


def test_solve_shows_the_support():
    out = solve(*BOB, "-c", "Bob is red.")
    assert "support (the premises the proof used):\n  1. Bob is big.\n  3. All big things are red." in out
    assert "Anne" not in out.split("support")[1].split("proof")[0]


def test_an_uncertain_verdict_has_no_support():
    assert json.loads(solve(*BOB, "-c", "Anne is red.", "--json"))["support"] is None


def test_a_sample_with_other_formulas_than_sentences_names_formulas_only():
    problem = Problem(["Bob is big and all big things are red."], "Bob is red.",
                      premises_fol=["Big(bob)", "Kind(anne)", "∀x (Big(x) → Red(x))"], conclusion_fol="Red(bob)")
    verdict = Reasoner(parser="gold").solve(problem)
    assert [(s["position"], s["sentence"]) for s in verdict.support] == [(1, None), (3, None)]


def test_facts_lent_by_a_knowledge_graph_are_named_as_such(tmp_path):
    with KnowledgeGraph(tmp_path / "kg.sqlite") as kg:
        kg.assert_axiom("all x. (Big(x) -> Red(x))")
        kg.assert_axiom("Kind(anne)")
        verdict = Reasoner().check(["Anne is kind.", "Bob is big."], "Bob is red.", kg=kg)
    assert verdict.label == "True"
    assert [(s["source"], s["position"], s["sentence"] or s["formula"]) for s in verdict.support] == \
        [("kg", None, "∀x (Big(x) → Red(x))"), ("premise", 2, "Bob is big.")]
