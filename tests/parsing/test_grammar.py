"""The grammar parser: exact translations of the controlled-English forms, errors that name the
sentence, and the whole ProofWriter depth-5 dev set answered correctly through z3."""

from __future__ import annotations

import json

import pytest

from linc.errors import ParserError
from linc.logic.formula import And, Const, Forall, Implies, Not, Pred, Var
from linc.parsing.base import Problem
from linc.parsing import grammar
from linc.parsing.grammar import GrammarParser, tokenize
from linc.plugins import get_parser, get_prover
from linc.proving import Label

x = Var("x")
bob, cat, bear, max_ = Const("bob"), Const("cat"), Const("bear"), Const("max")
bald_eagle, mouse = Const("bald_eagle"), Const("mouse")


def P(name, *args):
    return Pred(name, args)


def every(restrictor, body):
    return Forall(x, Implies(restrictor, body))


@pytest.fixture(scope="module")
def parser():
    return GrammarParser()


PROOFWRITER_FORMS = [
    ("Bob is big.", P("Big", bob)),
    ("Bob is not big.", Not(P("Big", bob))),
    ("The bald eagle does not chase the cat.", Not(P("Chases", bald_eagle, cat))),
    ("The bald eagle chases the cat.", P("Chases", bald_eagle, cat)),
    ("The cat chases the bald eagle.", P("Chases", cat, bald_eagle)),
    ("The cat is blue.", P("Blue", cat)),
    ("All red, round things are kind.", every(And(P("Red", x), P("Round", x)), P("Kind", x))),
    ("All quiet things are rough.", every(P("Quiet", x), P("Rough", x))),
    ("Red, big things are round.", every(And(P("Red", x), P("Big", x)), P("Round", x))),
    ("Big people are young.", every(P("Big", x), P("Young", x))),
    ("All big people are not blue.", every(P("Big", x), Not(P("Blue", x)))),
    ("If Bob is big then Bob is red.", Implies(P("Big", bob), P("Red", bob))),
    ("If Bob is big and Bob is not red then Bob is not round.",
     Implies(And(P("Big", bob), Not(P("Red", bob))), Not(P("Round", bob)))),
    ("If something is big and not red then it is rough.",
     every(And(P("Big", x), Not(P("Red", x))), P("Rough", x))),
    ("If someone chases the cat and the cat is blue then they visit the bear.",
     every(And(P("Chases", x, cat), P("Blue", cat)), P("Visits", x, bear))),
    ("If something visits the mouse then the mouse is kind.", every(P("Visits", x, mouse), P("Kind", mouse))),
    ("If someone is young and they need the bald eagle then they do not like the mouse.",
     every(And(P("Young", x), P("Needs", x, bald_eagle)), Not(P("Likes", x, mouse)))),
    ("If something sees the cat then it eats the bald eagle.", every(P("Sees", x, cat), P("Eats", x, bald_eagle))),
    ("If the cat visits the mouse and the mouse likes the cat then the cat is red.",
     Implies(And(P("Visits", cat, mouse), P("Likes", mouse, cat)), P("Red", cat))),
]

PRONTOQA_FORMS = [
    ("Every jompus is fruity.", every(P("Jompus", x), P("Fruity", x))),
    ("Wumpuses are not shy.", every(P("Wumpus", x), Not(P("Shy", x)))),
    ("Max is a yumpus.", P("Yumpus", max_)),
    ("Each tumpus is a wumpus.", every(P("Tumpus", x), P("Wumpus", x))),
    ("Max is not a zumpus.", Not(P("Zumpus", max_))),
    ("Every yumpus is not bitter.", every(P("Yumpus", x), Not(P("Bitter", x)))),
    ("Tumpuses are dumpuses.", every(P("Tumpus", x), P("Dumpus", x))),
    ("Vumpuses are luminous.", every(P("Vumpus", x), P("Luminous", x))),
    ("Butterflies are insects.", every(P("Butterfly", x), P("Insect", x))),
    ("Every cat is a feline.", every(P("Cat", x), P("Feline", x))),
]


@pytest.mark.parametrize("sentence, expected", PROOFWRITER_FORMS + PRONTOQA_FORMS)
def test_sentence_forms(parser, sentence, expected):
    assert parser.parse(sentence) == expected


def test_open_lexicon_takes_words_it_has_never_seen(parser):
    assert parser.parse("The giraffe admires the zebra.") == P("Admires", Const("giraffe"), Const("zebra"))
    assert parser.parse("Zelda is not gloomy.") == Not(P("Gloomy", Const("zelda")))
    assert parser.parse("If someone watches the giraffe then they are well-behaved.") == every(
        P("Watches", x, Const("giraffe")), P("Well_behaved", x)
    )
    assert parser.parse("Sparkly, bouncy things are silly.") == every(
        And(P("Sparkly", x), P("Bouncy", x)), P("Silly", x)
    )


def test_inflections_share_one_symbol(parser):
    base = parser.parse("If someone is big then they watch the cat.")
    third = parser.parse("If something is big then it watches the cat.")
    assert base == third
    assert parser.parse("The dog does not carry the cat.") == Not(P("Carries", Const("dog"), cat))
    assert parser.parse("If someone has the cat then they have the dog.") == every(
        P("Has", x, cat), P("Has", x, Const("dog"))
    )
    assert parser.parse("Rompuses are red.") == every(P("Rompus", x), P("Red", x))
    assert parser.parse("Max is a rompus.") == P("Rompus", max_)


def test_tokens():
    assert tokenize("If someone chases the bald eagle then they visit Bob.") == [
        "if", "someone", "chases", "the bald eagle", "then", "they", "visit", "Bob",
    ]


OUTSIDE = [
    "Bob might be big.",  # unknown structure
    "It is big.",  # pronoun with nothing to refer to
    "Something is big.",  # an indefinite outside a conditional is not guessed at
    "If someone is big then it is red.",  # "it" cannot pick up "someone"
    "If something is big then something is red.",
    "Bob is 3.",
    "Bob are big.",  # agreement
    "The is big.",
    "Bob is big and",
]


@pytest.mark.parametrize("sentence", OUTSIDE)
def test_outside_the_grammar_names_the_sentence(parser, sentence):
    with pytest.raises(ParserError) as err:
        parser.parse(sentence)
    assert repr(sentence) in str(err.value)


def test_empty_and_overlong_input(parser):
    with pytest.raises(ParserError, match="empty"):
        parser.parse("  ")
    with pytest.raises(ParserError, match="limit"):
        parser.parse("Bob is " + " and ".join(["big"] * 100) + ".")


def test_a_parse_that_runs_out_of_time_is_a_parser_error(monkeypatch):
    monkeypatch.setattr(grammar, "MAX_SECONDS", 0.0)
    grammar._templates.cache_clear()
    with pytest.raises(ParserError, match="too complex.*'Anne is kind.'"):
        GrammarParser(disk_cache=False).parse("Anne is kind.")


def test_several_sentences_in_one_premise_are_a_conjunction(parser):
    assert parser.parse("Bob is big. Bob is red.") == And(P("Big", bob), P("Red", bob))


def test_translate_one_sample_with_raw_text(parser):
    problem = Problem(premises=["Bob is big.", "Big people are red."], conclusion="Bob is red.")
    [sample] = parser.translate(problem, k=5)
    assert sample.ok
    assert sample.premises == [P("Big", bob), every(P("Big", x), P("Red", x))]
    assert sample.conclusion == P("Red", bob)
    assert "TEXT: Big people are red.\nFOL: ∀x (Big(x) → Red(x))" in sample.raw


def test_translate_reports_the_bad_sentence_instead_of_raising(parser):
    problem = Problem(premises=["Bob is big.", "Bob dances wildly."], conclusion="Bob is red.")
    [sample] = parser.translate(problem)
    assert not sample.ok
    assert "Bob dances wildly." in sample.error


def test_translate_an_empty_theory(parser):
    [sample] = parser.translate(Problem(premises=[], conclusion="Bob is red."))
    assert sample.ok and sample.premises == []


def test_proofwriter_semantics_negation_is_a_fact_and_rules_run_forwards():
    pw = GrammarParser(semantics="proofwriter")
    assert pw.parse("Bob is not big.") == P("Not_Big", bob)
    problem = Problem(premises=["If Bob is big then Bob is red.", "Bob is not red."], conclusion="Bob is big.")
    [sample] = pw.translate(problem)
    assert sample.premises[-1] == Not(And(P("Big", bob), P("Not_Big", bob)))
    assert "AXIOM:" in sample.raw
    z3 = get_prover("z3")
    # No contraposition in ProofWriter's semantics; classically this is modus tollens.
    assert z3.decide(sample.premises, sample.conclusion, timeout=10).label == Label.UNCERTAIN
    [classical] = GrammarParser().translate(problem)
    assert z3.decide(classical.premises, classical.conclusion, timeout=10).label == Label.FALSE
    [negative] = pw.translate(Problem(premises=["Bob is not red."], conclusion="Bob is red."))
    assert z3.decide(negative.premises, negative.conclusion, timeout=10).label == Label.FALSE


@pytest.mark.parametrize("semantics", ["classical", "proofwriter"])
def test_prontoqa_chain_answered(semantics):
    theory = [
        "Every jompus is fruity.", "Each tumpus is a jompus.", "Jompuses are rompuses.",
        "Every rompus is not shy.", "Max is a tumpus.",
    ]
    parser, z3 = GrammarParser(semantics=semantics), get_prover("z3")
    for conclusion, label in [("Max is not shy.", Label.TRUE), ("Max is shy.", Label.FALSE)]:
        [sample] = parser.translate(Problem(premises=theory, conclusion=conclusion))
        assert z3.decide(sample.premises, sample.conclusion, timeout=10).label == label


def test_unknown_semantics_is_refused():
    with pytest.raises(ParserError, match="semantics"):
        GrammarParser(semantics="fuzzy")


def test_registered_as_grammar():
    assert isinstance(get_parser("grammar"), GrammarParser)


QUESTION = "Based on the above information, is the following statement true, false, or unknown?"
GOLD = {"A": Label.TRUE, "B": Label.FALSE, "C": Label.UNCERTAIN}


def test_proofwriter_depth5_dev_all_600_correct(shared_data):
    """Every problem parses, and z3 gives the dataset's answer for every one (ProofWriter's own
    semantics; classical negation answers 585/600, see GrammarParser)."""
    problems = json.loads((shared_data / "proofwriter" / "proofwriter-d5-owa-dev.json").read_text())
    parser, z3 = GrammarParser(semantics="proofwriter"), get_prover("z3")
    wrong = []
    for item in problems:
        context, question = item["context"], item["question"]
        assert question.startswith(QUESTION)
        problem = Problem(premises=context.split(". "), conclusion=question[len(QUESTION):].strip())
        [sample] = parser.translate(problem)
        assert sample.ok, sample.error
        label = z3.decide(sample.premises, sample.conclusion, timeout=20).label
        if label != GOLD[item["answer"]]:
            wrong.append((item["id"], label, GOLD[item["answer"]]))
    assert len(problems) == 600
    assert wrong == []
