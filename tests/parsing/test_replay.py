"""The replay chat model and parser, and the gold parser."""

from __future__ import annotations

import asyncio
import json
import math

import pytest
from langchain_core.messages import HumanMessage

from linc import plugins
from linc.errors import DatasetError, ParserError
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


def test_recordings_saved_with_a_byte_order_mark_replay_and_other_encodings_are_refused(tmp_path):
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes("\ufeff".encode() + "".join(json.dumps(r) + "\r\n" for r in RECORDS).encode())
    assert [s.conclusion is not None for s in ReplayParser(path=str(bom)).translate(PROBLEM, 3)] == [True, True, True]
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"premises": ["caf\xe9"], "conclusion": "x", "generations": []}\n')
    with pytest.raises(DatasetError, match="cannot read recorded completions from .*latin.jsonl"):
        ReplayParser(path=str(latin))


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


def test_a_problem_held_twice_replays_each_time_its_own_recording(recorded):
    """Two records of one problem (FOLIO's train split has one) with different completions: the
    prompt is the same, so only the problem's own recording can say which to replay; over a
    recorded file as well, where the first recording of the problem would otherwise answer both."""
    premises, conclusion = RECORDS[0]["premises"], RECORDS[0]["conclusion"]
    twice = [Problem(premises, conclusion, meta={"generations": [f"TEXT: x\nFOL: {c}(Bob)"]}) for c in ("Green", "Tall")]
    # with a call deadline, the model is called in a thread of its own
    for parser in (ReplayParser(), ReplayParser(str(recorded)), ReplayParser(call_timeout=5.0)):
        assert [str(parser.translate(p, k=1)[0].conclusion) for p in twice] == ["Green(Bob)", "Tall(Bob)"]
    without = ReplayParser(str(recorded)).translate(Problem(premises, conclusion), k=1)
    assert str(without[0].conclusion) == "Red(Bob)"  # from the file when the problem carries nothing


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
    assert repaired.ok and repaired.repairs == ["premise 1: added 1 missing closing parenthesis at the end"]
    both = Problem(["p", "q"], "c", premises_fol=["Dog(rex)", "Cat(tom"], conclusion_fol="Animal(rex")
    assert GoldParser().translate(both)[0].repairs == ["premise 2: added 1 missing closing parenthesis at the end",
                                                       "conclusion: added 1 missing closing parenthesis at the end"]
    unread = Problem(["p"], "c", premises_fol=["Dog(rex)"], conclusion_fol="Animal(rex")
    assert GoldParser(lenient=False).translate(unread)[0].error.startswith("gold FOL of the conclusion does not read")


PROMPT = "<PREMISES>\nAll big things are red.\nBob is big.\n</PREMISES>\n<CONCLUSION>\nBob is red.\n</CONCLUSION>\n<EVALUATE>\n"


def test_model_reports_estimated_usage_for_the_whole_call(recorded):
    model = ReplayChatModel(path=str(recorded), n=2)
    first, second = (g.message for g in model.generate([[HumanMessage(PROMPT)]]).generations[0])
    completions = RECORDS[0]["generations"][:2]
    expected = {"input_tokens": math.ceil(len(PROMPT) / 4), "output_tokens": sum(math.ceil(len(c) / 4) for c in completions)}
    assert {k: first.usage_metadata[k] for k in expected} == expected
    assert first.usage_metadata == second.usage_metadata  # one response, as OpenAI reports it for n > 1
    assert first.response_metadata["usage_estimated"] is True


def test_a_prompt_of_content_blocks_is_answered_and_counted_like_a_string(recorded):
    model = ReplayChatModel(path=str(recorded))
    blocks = HumanMessage(content=[{"type": "text", "text": PROMPT[:20]}, {"type": "text", "text": PROMPT[20:]}])
    reply = model.invoke([blocks])
    assert reply.content == RECORDS[0]["generations"][0]
    assert reply.usage_metadata["input_tokens"] == math.ceil(len(PROMPT) / 4)


def test_the_model_names_itself_to_tracing(recorded):
    """LangChain's tracing metadata comes from the model, not from probing attributes it lacks."""
    model = ReplayChatModel(path=str(recorded))
    params = model._get_ls_params(stop=["</EVALUATE>"])
    assert params == {"ls_provider": "linc-replay", "ls_model_type": "chat", "ls_model_name": recorded.stem,
                      "ls_stop": ["</EVALUATE>"]}


def test_latency_is_slept_per_call(recorded, monkeypatch):
    slept = []
    monkeypatch.setattr("linc.parsing.replay.time.sleep", slept.append)
    parser = ReplayParser(str(recorded), latency=0.25)
    parser.translate(PROBLEM, k=3)  # one call for all three samples (the model takes ``n``)
    parser.translate(PROBLEM, k=1)
    assert slept == [0.25, 0.25]
    with pytest.raises(ParserError, match="latency"):
        ReplayParser(str(recorded), latency=-1)


def test_latency_awaited_asynchronously_leaves_the_event_loop_free(recorded):
    model = ReplayChatModel(path=str(recorded), latency=0.3)

    async def run():
        ticks = 0
        call = asyncio.ensure_future(model.ainvoke(PROMPT))
        while not call.done():
            await asyncio.sleep(0.01)
            ticks += 1
        return ticks, (await call).content

    ticks, content = asyncio.run(run())
    assert content == RECORDS[0]["generations"][0]
    assert ticks >= 5  # a blocking sleep would have let the loop tick once at most
