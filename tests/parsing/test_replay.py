"""The replay chat model and parser, and the gold parser."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage

from linc import plugins
from linc.errors import ParserError
from linc.parsing.base import Problem
from linc.parsing.gold import GoldParser
from linc.parsing.replay import ReplayChatModel, ReplayParser

RECORDS = [
    {"premises": ["All big things are red.", "Bob  is big."], "conclusion": "Bob is red.",
     "generations": [f"TEXT:\tx\nFOL:\tall x. (Big(x) -> Red(x))\nFOL:\tBig(Bob)\nFOL:\t{c}(Bob)\n" for c in "Red Blue Red".split()]},
    {"premises": ["Ann is tall."], "conclusion": "Ann is short.", "generations": ["no formulas here"]},
]
PROBLEM = Problem(["All big things are red.", "Bob is\nbig."], "Bob is red.")


@pytest.fixture
def recorded(tmp_path):
    path = tmp_path / "model_folio-neurosymbolic-2shot.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_model_answers_the_prompt_with_its_recordings(recorded):
    model = ReplayChatModel(path=str(recorded), n=2)
    prompt = "<PREMISES>\nAll big things are red.\nBob is big.\n</PREMISES>\n<CONCLUSION>\nBob is red.\n</CONCLUSION>\n<EVALUATE>\n"
    result = model.generate([[HumanMessage(prompt)]])
    assert [g.message.content for g in result.generations[0]] == RECORDS[0]["generations"][:2]
    assert model.invoke(prompt).content == RECORDS[0]["generations"][0]


def test_model_refuses_what_it_has_not_recorded(recorded):
    model = ReplayChatModel(path=str(recorded))
    with pytest.raises(ParserError, match="no recorded completion"):
        model.invoke("<PREMISES>\nA.\n</PREMISES>\n<CONCLUSION>\nB.\n</CONCLUSION>\n")
    with pytest.raises(ParserError, match="no <PREMISES>"):
        model.invoke("hello")


def test_parser_replays_k_samples_in_order(recorded):
    parser = ReplayParser(str(recorded))
    assert parser.shots == 2  # from the file name
    samples = parser.translate(PROBLEM, k=10)
    assert [str(s.conclusion) for s in samples] == ["Red(Bob)", "Blue(Bob)", "Red(Bob)"]
    assert [str(s.conclusion) for s in parser.translate(PROBLEM, k=2)] == ["Red(Bob)", "Blue(Bob)"]


def test_parser_reads_recordings_from_the_problem():
    parser = ReplayParser()
    problem = Problem(RECORDS[0]["premises"], RECORDS[0]["conclusion"], meta={"generations": RECORDS[0]["generations"]})
    assert len(parser.translate(problem, k=10)) == 3
    missing = parser.translate(Problem(["Ann is tall."], "Ann is short."), k=2)
    assert len(missing) == 2 and all("no recorded completion" in s.error for s in missing)


def test_bad_recordings_are_error_samples_and_no_self_repair(recorded):
    parser = ReplayParser(str(recorded))
    [sample] = parser.translate(Problem(["Ann is tall."], "Ann is short."), k=5)
    assert not sample.ok
    assert parser.repair(PROBLEM, sample, "whatever") is None


def test_registered_parsers():
    assert {"llm", "replay", "gold"} <= set(plugins.names("parser"))
    assert isinstance(plugins.get_parser("replay"), ReplayParser)
    assert isinstance(plugins.get_parser("gold"), GoldParser)


def test_gold_parser():
    problem = Problem(["p1", "p2"], "c", premises_fol=["∀x (Dog(x) → Animal(x))", "Dog(rex)"],
                      conclusion_fol="Animal(rex)")
    [sample] = GoldParser().translate(problem, k=10)
    assert sample.ok and [str(f) for f in sample.premises] == ["∀x (Dog(x) → Animal(x))", "Dog(rex)"]
    with pytest.raises(ParserError, match="no gold FOL"):
        GoldParser().translate(Problem(["p"], "c"))
    broken = Problem(["p"], "c", premises_fol=["Dog(rex"], conclusion_fol="Animal(rex)")
    assert not GoldParser(lenient=False).translate(broken)[0].ok
    repaired = GoldParser().translate(broken)[0]
    assert repaired.ok and repaired.repairs

