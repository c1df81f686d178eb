"""Verified facts in, queries and proofs out: a ProofWriter-style theory through the knowledge graph."""

from __future__ import annotations

import pytest

from linc.errors import ConflictError, KnowledgeGraphError
from linc.kg import FactConflictError, FactKind, KnowledgeGraph, Premise, UnknownFactError, UnverifiedFactError
from linc.proving import Label

from .conftest import fol

# A ProofWriter-like theory (open world): the sentence and its FOL.
THEORY = [
    ("Anne is big.", "Big(anne)"),
    ("Bob is kind.", "Kind(bob)"),
    ("Anne likes Bob.", "Likes(anne, bob)"),
    ("Bob does not like Anne.", "-Likes(bob, anne)"),
    ("Bob chases the cat.", "Chases(bob, cat)"),
    ("If someone is big then they are red.", "all x. (Big(x) -> Red(x))"),
    ("If someone likes Bob and they are red then they are nice.", "all x. ((Likes(x, bob) & Red(x)) -> Nice(x))"),
    ("All kind people are rough.", "all x. (Kind(x) -> Rough(x))"),
]


def premises() -> list[Premise]:
    return [Premise(fol(f), text) for text, f in THEORY]


def store_theory(kg: KnowledgeGraph) -> dict[str, int]:
    return {f: kg.assert_axiom(fol(f), text=text).id for text, f in THEORY}


def test_facts_from_a_problem_are_queried_back_by_constant_and_relation(kg):
    for conclusion in ("Red(anne)", "Nice(anne)", "Rough(bob)", "Likes(anne, bob)", "-Likes(bob, anne)"):
        kg.add(fol(conclusion), premises(), parser="gold", model="hand-written")
    about_anne = {f.fol for f in kg.about("anne")}
    assert about_anne == {"Red(anne)", "Nice(anne)", "Likes(anne, bob)", "¬Likes(bob, anne)"}
    assert [(e.subject, e.object) for e in kg.neighbours("anne", "Likes")] == [("anne", "bob")]
    assert [e.subject for e in kg.neighbours("anne", "Likes", direction="in")] == []
    assert [str(e) for e in kg.neighbours("bob", "Likes", negated=True)] == ["¬Likes(bob, anne)"]
    assert set(kg.graph().nodes["anne"]["labels"]) == {"Red", "Nice"}

    fact = kg.get(fol("Nice(anne)"))
    assert fact.kind is FactKind.DERIVED and fact.prover == "z3" and fact.proof
    assert fact.parser == "gold" and fact.model == "hand-written" and fact.created_at
    assert [p.text for p in fact.premises] == [text for text, _ in THEORY]
    assert str(fact.premises[5].formula) == "∀x (Big(x) → Red(x))"


def test_a_later_question_is_answered_from_stored_facts_alone(tmp_path, prover):
    path = tmp_path / "kg.sqlite"
    with KnowledgeGraph(path, prover=prover) as kg:
        store_theory(kg)
        kg.add(fol("Nice(anne)"), use_kg=True)
    with KnowledgeGraph(path, prover=prover) as later:  # a new session on the same file
        assert later.ask(fol("Nice(anne)")).label is Label.TRUE
        assert later.ask(fol("Rough(bob)")).label is Label.TRUE
        assert later.ask(fol("Likes(bob, anne)")).label is Label.FALSE
        assert later.ask(fol("Nice(bob)")).label is Label.UNCERTAIN
        assert {str(p) for p in later.premises(fol("Rough(bob)"))} == {"Kind(bob)", "∀x (Kind(x) → Rough(x))"}
        assert len(later.premises()) == len(THEORY) + 1


def test_derived_facts_record_dependencies_and_go_with_them(kg):
    ids = store_theory(kg)
    red = kg.add(fol("Red(anne)"), use_kg=True)
    assert set(red.depends_on) == {ids["Big(anne)"], ids["all x. (Big(x) -> Red(x))"]}
    nice = kg.add(fol("Nice(anne)"), [fol("Likes(anne, bob)"), fol("Red(anne)"), fol(THEORY[6][1])])
    assert set(nice.depends_on) == {ids["Likes(anne, bob)"], red.id, ids[THEORY[6][1]]}

    prov = kg.provenance(red.id)
    assert {f.fol for f in prov.supports} == {"Big(anne)", "∀x (Big(x) → Red(x))"}
    assert [f.fol for f in prov.dependents] == ["Nice(anne)"]
    assert {f.fol for f in kg.provenance(nice.id).supports} >= {"Big(anne)", "Red(anne)"}

    gone = kg.retract(fol("all x. (Big(x) -> Red(x))"))
    assert [f.fol for f in gone] == ["∀x (Big(x) → Red(x))", "Red(anne)", "Nice(anne)"]
    with pytest.raises(UnknownFactError):
        kg.get(red.id)
    assert kg.ask(fol("Nice(anne)")).label is Label.UNCERTAIN
    assert len(kg) == len(THEORY) - 1


def test_adding_a_stored_fact_again_returns_it(kg):
    first = kg.assert_axiom(fol("Big(anne)"))
    assert kg.assert_axiom(fol("Big(anne)")) == first
    assert kg.add(fol("Big(anne)"), [fol("Big(anne)")]) == first
    assert len(kg) == 1


def test_a_direct_contradiction_is_refused_without_a_proof(kg, prover):
    ids = store_theory(kg)
    calls = prover.calls
    with pytest.raises(ConflictError) as err:
        kg.assert_axiom(fol("Likes(bob, anne)"))
    assert err.value.conflicts == ["¬Likes(bob, anne)"]
    assert [f.id for f in err.value.facts] == [ids["-Likes(bob, anne)"]]
    assert f"#{ids['-Likes(bob, anne)']}" in str(err.value)
    assert prover.calls == calls
    assert len(kg) == len(THEORY)


def test_a_contradiction_through_rules_names_just_the_facts_involved(kg):
    ids = store_theory(kg)
    with pytest.raises(FactConflictError) as err:
        kg.assert_axiom(fol("-Nice(anne)"))
    involved = {ids[k] for k in ("Big(anne)", "Likes(anne, bob)", THEORY[5][1], THEORY[6][1])}
    assert {f.id for f in err.value.facts} == involved
    with pytest.raises(FactConflictError) as err:
        kg.add(fol("-Rough(bob)"), [fol("-Rough(bob)")])
    assert set(err.value.conflicts) == {"Kind(bob)", "∀x (Kind(x) → Rough(x))"}
    assert len(kg) == len(THEORY)


def test_a_rule_contradicting_stored_facts_is_refused(kg):
    store_theory(kg)
    with pytest.raises(FactConflictError) as err:
        kg.assert_axiom(fol("all x. (Red(x) -> -Big(x))"))
    assert set(err.value.conflicts) == {"Big(anne)", "∀x (Big(x) → Red(x))"}


def test_unproved_facts_stay_out(kg):
    with pytest.raises(UnverifiedFactError) as err:
        kg.add(fol("Nice(bob)"), premises())
    assert err.value.result.label is Label.UNCERTAIN
    with pytest.raises(UnverifiedFactError) as err:
        kg.add(fol("Likes(bob, anne)"), premises())
    assert err.value.result.label is Label.FALSE
    with pytest.raises(UnverifiedFactError) as err:
        kg.add(fol("Red(bob)"), [fol("Big(bob)"), fol("-Big(bob)")])
    assert err.value.result.label is Label.INCONSISTENT
    with pytest.raises(KnowledgeGraphError, match="needs premises"):
        kg.add(fol("Red(bob)"))
    assert len(kg) == 0


def test_rules_hang_on_their_symbols(kg):
    store_theory(kg)
    kg.assert_axiom(fol("Between(anne, bob, cat)"))
    g = kg.graph()
    assert sorted(g.graph["predicates"]["Red"]) == [kg.get(fol(THEORY[5][1])).id, kg.get(fol(THEORY[6][1])).id]
    between = kg.get(fol("Between(anne, bob, cat)")).id
    assert between in g.graph["rules"] and between in g.nodes["cat"]["rules"]
    assert kg.facts(FactKind.AXIOM) == kg.facts() and kg.facts("derived") == []


def test_paths_between_constants(kg):
    for f in ("Likes(anne, bob)", "Chases(bob, cat)", "Sees(dave, cat)", "-Likes(cat, erin)", "Big(erin)"):
        kg.assert_axiom(fol(f))
    [path] = kg.paths("anne", "dave")
    assert [str(e) for e in path] == ["Likes(anne, bob)", "Chases(bob, cat)", "Sees(dave, cat)"]
    assert kg.paths("anne", "dave", directed=True) == []
    assert kg.paths("anne", "cat", directed=True, relation="Likes") == []
    assert kg.paths("anne", "erin") == []  # negated edges are not connections
    from linc.kg import UnknownConstantError

    with pytest.raises(UnknownConstantError):
        kg.paths("anne", "nobody")


def test_the_conflict_is_narrowed_down_in_a_large_store(kg, prover):
    kg.assert_axiom(fol("all x. (Big(x) -> Red(x))"))
    for i in range(60):
        kg.assert_axiom(fol(f"Big(c{i})"))
    calls = prover.calls
    with pytest.raises(FactConflictError) as err:
        kg.assert_axiom(fol("-Red(c37)"))
    assert set(err.value.conflicts) == {"Big(c37)", "∀x (Big(x) → Red(x))"}
    assert prover.calls - calls <= 41


def test_facts_from_language_through_the_reasoner(kg, prover):
    from linc.parsing.grammar import GrammarParser
    from linc.reasoning import Reasoner

    reasoner = Reasoner(GrammarParser(), prover)
    premises_text = ["Bob is big.", "All big things are red."]
    fact = kg.add_text(premises_text, "Bob is red.", reasoner, model="controlled-english")
    assert fact.fol == "Red(bob)" and fact.text == "Bob is red." and fact.parser == GrammarParser.name
    assert [(str(p.formula), p.text) for p in fact.premises] == [("Big(bob)", "Bob is big."), ("∀x (Big(x) → Red(x))", "All big things are red.")]
    with pytest.raises(UnverifiedFactError, match="Uncertain"):
        kg.add_text(["Bob is big."], "Bob is red.", reasoner)

    # knowledge accumulates: stored facts answer a question whose premises alone do not suffice
    for text, formula in zip(premises_text, fact.premises):
        kg.assert_axiom(formula.formula, text=text)
    assert reasoner.check(["Anne is big."], "Anne is red.", kg=kg).label == "True"
    derived = kg.add_text(["Anne is big."], "Anne is red.", reasoner, use_kg=True)
    assert [kg.get(i).fol for i in derived.depends_on] == ["∀x (Big(x) → Red(x))"]


def test_without_an_injected_prover_the_registry_z3_is_used(tmp_path):
    with KnowledgeGraph(tmp_path / "kg.sqlite") as kg:
        kg.assert_axiom(fol("Big(anne)"))
        assert kg.add(fol("exists x. Big(x)"), [fol("Big(anne)")]).prover == "z3"
        assert kg.prover.name == "z3"


def test_facts_from_language_keep_which_premises_the_proof_used(kg, tmp_path):
    from linc.kg.facts import Premise
    from linc.parsing.grammar import GrammarParser
    from linc.reasoning import Reasoner

    fact = kg.add_text(["Bob is big.", "Anne is kind.", "All big things are red."], "Bob is red.", Reasoner(GrammarParser(), "z3"))
    assert [(p.text, p.used) for p in fact.premises] == [("Bob is big.", True), ("Anne is kind.", False), ("All big things are red.", True)]
    with KnowledgeGraph(kg.path) as again:  # stored, not only remembered
        assert [p.used for p in again.get(fact.id).premises] == [True, False, True]
    assert "used" not in Premise(fol("Big(bob)")).to_dict()  # unknown: not written at all
