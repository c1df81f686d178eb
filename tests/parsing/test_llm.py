"""The llm parser with LangChain's fake chat models: prompts, extraction, sampling, self-repair,
the call cache, and models that fail (raise, time out, say nothing) without crashing a batch."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from linc.errors import ParserError
from linc.parsing.base import Problem
from linc.parsing.cache import LLMCache
from linc.parsing.llm import LLMParser
from linc.reasoning import Reasoner

PROBLEM = Problem(["All big things are red.", "Bob is big."], "Bob is red.")
GOOD = ("TEXT:\tAll big things are red.\nFOL:\tall x. (Big(x) -> Red(x))\n"
        "TEXT:\tBob is big.\nFOL:\tBig(Bob)\nTEXT:\tBob is red.\nFOL:\tRed(Bob)\n</EVALUATE>")


class Recorder(BaseCallbackHandler):
    """Counts model calls and keeps the conversations sent."""

    def __init__(self) -> None:
        self.conversations: list[list[Any]] = []

    def on_chat_model_start(self, serialized: Any, messages: list[list[Any]], **kwargs: Any) -> None:
        self.conversations.extend(messages)

    @property
    def calls(self) -> int:
        return len(self.conversations)


class FailingChatModel(FakeListChatModel):
    """A provider that is down."""

    def _call(self, *args: Any, **kwargs: Any) -> str:
        raise RuntimeError("503 service unavailable")


def fake(*responses: str, recorder: Recorder | None = None, **kwargs: Any) -> FakeListChatModel:
    return FakeListChatModel(responses=list(responses), callbacks=[recorder] if recorder else None, **kwargs)


def parser(model: Any, **options: Any) -> LLMParser:
    options.setdefault("cache", False)
    options.setdefault("max_concurrency", 1)
    return LLMParser(model, **options)


def texts(sample) -> tuple[list[str], str]:
    return [str(f) for f in sample.premises], str(sample.conclusion)


# ---------------------------------------------------------------- prompt


def test_prompt_shape():
    p = parser(fake(GOOD), shots=2)
    messages = p.messages(PROBLEM)
    assert [m.type for m in messages] == ["system", "human", "ai", "human", "ai", "human"]
    assert "NLTK" in messages[0].text
    last = messages[-1].text
    assert last.startswith("<PREMISES>\nAll big things are red.\nBob is big.\n</PREMISES>")
    assert "<CONCLUSION>\nBob is red.\n</CONCLUSION>" in last and last.rstrip().endswith("<EVALUATE>")
    assert messages[2].text.count("FOL:\t") == 5  # the first example: 4 premises and a conclusion


def test_every_shipped_example_reads():
    p = parser(fake(GOOD), lenient=False, fix_signature=False, shots=8)
    answers = [m.text for m in p.messages(PROBLEM) if m.type == "ai"]
    assert len(answers) == 8
    for answer in answers:
        sample = p.read_completion(answer)
        assert sample.ok and not sample.repairs, sample.error


def test_shots_out_of_range():
    with pytest.raises(ParserError):
        parser(fake(GOOD), shots=99)


# ---------------------------------------------------------------- extraction and reading


def test_clean_completion():
    [sample] = parser(fake(GOOD)).translate(PROBLEM)
    assert sample.ok and sample.raw == GOOD and sample.repairs == []
    assert texts(sample) == (["∀x (Big(x) → Red(x))", "Big(Bob)"], "Red(Bob)")


def test_prose_around_the_fol():
    chatty = "Sure! Here is the translation.\n\n```\n" + GOOD.replace("\t", " ") + "\n```\nHope this helps."
    [sample] = parser(fake(chatty)).translate(PROBLEM)
    assert sample.ok and texts(sample)[1] == "Red(Bob)"


def test_missing_tags():
    bare = "all x. (Big(x) -> Red(x))\nBig(Bob)\nRed(Bob)"
    [sample] = parser(fake(bare)).translate(PROBLEM)
    assert sample.ok and texts(sample) == (["∀x (Big(x) → Red(x))", "Big(Bob)"], "Red(Bob)")
    assert any("untagged" in r for r in sample.repairs)


@pytest.mark.parametrize("lines, premises", [
    (["all x. (Big(x) -> Red(x)) & Big(Bob)", "Red(Bob)"], 1),  # two premises merged into one line
    (["all x. (Big(x) -> Red(x))", "Big(Bob)", "Thing(Bob)", "Red(Bob)"], 3),  # an extra line
])
def test_wrong_number_of_lines_last_is_the_conclusion(lines, premises):
    completion = "".join(f"FOL: {line}\n" for line in lines)
    [sample] = parser(fake(completion)).translate(PROBLEM)
    assert sample.ok and len(sample.premises) == premises and str(sample.conclusion) == "Red(Bob)"


def test_the_styles_other_models_write_read_as_the_prompt_asks():
    """GOOD rewritten as a Markdown-minded model with Unicode habits would write it."""
    styled = ("Here is the translation:\n\n```\n1. **TEXT:** All big things are red.\n"
              "   **FOL:** (∀x)(Big(x) ⟶\n          Red(x));\n"
              "2. **TEXT:** Bob is big.\n   **FOL:** Big(Bob)\n"
              "3. **TEXT:** Bob is red.\n   **FOL –** Red(Bob)\n```\r\nI hope this helps.")
    [sample] = parser(fake(styled)).translate(PROBLEM)
    assert sample.ok and texts(sample) == texts(parser(fake(GOOD)).read_completion(GOOD))


def test_an_ambiguous_tag_makes_an_error_sample_that_says_where():
    [sample] = parser(fake(GOOD.replace("FOL:\tBig(Bob)", "FOL - Big(Bob)"))).translate(PROBLEM)
    assert not sample.ok and "ambiguous tag at line 4, column 5" in sample.error


def test_strict_and_lenient_reading():
    tilde = GOOD.replace("Big(Bob)\nTEXT", "~Big(Bob)\nTEXT")
    [strict] = parser(fake(tilde), lenient=False).translate(PROBLEM)
    assert not strict.ok and "premise 2" in strict.error
    [lenient] = parser(fake(tilde)).translate(PROBLEM)
    assert lenient.ok and any(r.startswith("premise 2:") for r in lenient.repairs)


def test_signature_repair_is_recorded():
    clash = GOOD.replace("FOL:\tBig(Bob)", "FOL:\tBig(Bob, Bob)")
    [fixed] = parser(fake(clash)).translate(PROBLEM)
    assert fixed.ok and any("Big" in r for r in fixed.repairs)
    [kept] = parser(fake(clash), fix_signature=False).translate(PROBLEM)
    assert kept.ok and not kept.repairs  # the Reasoner reports the clash as an error


# ---------------------------------------------------------------- sampling


def test_the_prompt_is_build_messages_and_its_shared_prefix_is_left_as_it_was():
    from linc.parsing.prompt import build_messages, load_examples

    p = parser(fake(GOOD, GOOD), shots=3)
    other = Problem(["Ann is tall."], "Ann is big.")
    before = [m.model_dump() for m in p.messages(other)]
    assert before == [m.model_dump() for m in build_messages(other, 3, load_examples())]
    p.translate(PROBLEM, k=2)
    assert [m.model_dump() for m in p.messages(other)] == before
    assert p.messages(PROBLEM)[-1].text != p.messages(other)[-1].text


def test_a_completion_repeated_among_the_k_is_read_once_into_samples_of_its_own():
    p = parser(fake(GOOD, GOOD, GOOD.replace("Red(Bob)\n</", "-Red(Bob)\n</")))
    reads = []
    read = p.read_completion
    p.read_completion = lambda raw: reads.append(raw) or read(raw)
    first, second, third = p.translate(PROBLEM, k=3)
    assert len(reads) == 2
    assert texts(first) == texts(second) and first.raw == second.raw and first.repairs == second.repairs
    assert first is not second and first.premises is not second.premises and first.repairs is not second.repairs
    assert texts(third)[1] == "¬Red(Bob)"


def test_the_model_asked_for_n_completions_is_copied_once_per_n():
    from linc.parsing.replay import ReplayChatModel

    model = ReplayChatModel.from_records([{"premises": PROBLEM.premises, "conclusion": PROBLEM.conclusion, "generations": [GOOD] * 5}])
    p = parser(model)
    assert p._sampling(1) is model
    ten = p._sampling(10)
    assert ten.n == 10 and p._sampling(10) is ten and p._sampling(3).n == 3
    assert [texts(s) for s in p.translate(PROBLEM, k=4)] == [texts(p.read_completion(GOOD))] * 4
    p.pace(rate_limit=100.0)  # replaces the model: the copies follow it
    assert p._sampling(10) is not ten and p._sampling(10).rate_limiter is p.model.rate_limiter is not None


def test_k_samples_without_n_make_k_calls():
    rec = Recorder()
    samples = parser(fake(GOOD, GOOD.replace("Red(Bob)\n</", "-Red(Bob)\n</"), recorder=rec)).translate(PROBLEM, k=4)
    assert rec.calls == 4
    assert [str(s.conclusion) for s in samples] == ["Red(Bob)", "¬Red(Bob)", "Red(Bob)", "¬Red(Bob)"]


def test_temperature_is_applied_to_a_model_that_has_it():
    from linc.parsing.llm import resolve_model

    class Tempered(FakeListChatModel):
        temperature: float = 0.0

    model = fake(GOOD)
    assert resolve_model(model, 0.8) is model  # no temperature parameter: left alone
    assert resolve_model(Tempered(responses=[GOOD]), 0.8).temperature == 0.8


# ---------------------------------------------------------------- failures become Error samples


def test_model_that_raises():
    samples = parser(FailingChatModel(responses=[GOOD])).translate(PROBLEM, k=3)
    assert len(samples) == 3 and all(not s.ok for s in samples)
    assert "503 service unavailable" in samples[0].error


def test_model_that_returns_nothing():
    [sample] = parser(fake("")).translate(PROBLEM)
    assert not sample.ok and "no FOL" in sample.error


def test_model_that_times_out():
    samples = parser(fake(GOOD, sleep=2.0), call_timeout=0.2).translate(PROBLEM, k=2)
    assert len(samples) == 2 and all("did not answer within" in s.error for s in samples)


def test_a_failing_model_never_crashes_the_reasoner():
    verdict = Reasoner(parser=parser(FailingChatModel(responses=[GOOD])), prover="z3", k=3).solve(PROBLEM)
    assert verdict.label == "Error" and len(verdict.votes) == 3


def test_bad_problems_are_clear_errors():
    p = parser(fake(GOOD))
    with pytest.raises(ParserError, match="no premises"):
        p.translate(Problem([], "Bob is red."))
    with pytest.raises(ParserError, match="no conclusion"):
        p.translate(Problem(["Bob is big."], "  "))


def test_a_huge_input_is_handled():
    big = Problem([f"Thing number {i} is big." for i in range(10_000)], "Bob is red.")
    [sample] = parser(fake(GOOD)).translate(big)
    assert sample.ok  # the prompt is built and sent; what the model makes of it is its business


def test_model_resolution_errors():
    with pytest.raises(ParserError, match="needs a model"):
        LLMParser(None, cache=False)
    with pytest.raises(ParserError, match="'nosuchprovider' is not a provider LangChain knows") as unknown:
        LLMParser("nosuchprovider:some-model", cache=False)
    with pytest.raises(ParserError, match="write it as PROVIDER:NAME") as bare:
        LLMParser("some-model", cache=False)
    for err in (unknown, bare):  # LangChain's own advice names a keyword of its function, not of linc
        assert "model_provider" not in str(err.value) and "Supported providers: " in str(err.value)


# ---------------------------------------------------------------- self-repair


def test_self_repair_round_trip():
    rec = Recorder()
    broken = GOOD.replace("Big(Bob)\nTEXT", "Big(Bob\nTEXT").replace("all x. (", "all x. ((")
    p = parser(fake(broken, GOOD, recorder=rec), lenient=False)
    [first] = p.translate(PROBLEM)
    assert not first.ok
    fixed = p.repair(PROBLEM, first, first.error)
    assert fixed is not None and fixed.ok and fixed.model_repairs == 1
    follow_up = rec.conversations[-1]
    assert follow_up[-2].type == "ai" and follow_up[-2].content == broken
    assert follow_up[-1].type == "human" and "FormulaSyntaxError" in follow_up[-1].content


def test_reasoner_repairs_through_the_model():
    tilde = GOOD.replace("Big(Bob)\nTEXT", "~Big(Bob)\nTEXT")
    p = parser(fake(tilde, GOOD), lenient=False)
    verdict = Reasoner(parser=p, prover="z3", k=1, repair_rounds=1).solve(PROBLEM)
    assert verdict.label == "True" and verdict.votes[0].model_repairs == 1


def test_repair_with_a_failing_model_keeps_the_original():
    p = parser(FailingChatModel(responses=[GOOD]))
    first = parser(fake("FOL: Big(")).translate(PROBLEM)[0]
    assert p.repair(PROBLEM, first, "does not read") is None


# ---------------------------------------------------------------- the cache


def test_second_run_makes_no_model_call(tmp_path):
    cache = tmp_path / "calls.sqlite"
    first = Recorder()
    one = parser(fake(GOOD, recorder=first), cache=cache).translate(PROBLEM, k=2)
    assert first.calls == 2
    again = Recorder()
    two = parser(fake(GOOD, recorder=again), cache=cache).translate(PROBLEM, k=2)
    assert again.calls == 0 and [s.raw for s in two] == [s.raw for s in one]
    # more samples than cached: only the missing ones are asked for
    parser(fake(GOOD, recorder=again), cache=cache).translate(PROBLEM, k=3)
    assert again.calls == 1 and len(LLMCache(cache).get(next(iter(_keys(cache))))) == 3


def test_cache_is_keyed_by_model_and_prompt(tmp_path):
    rec = Recorder()
    parser(fake(GOOD, recorder=rec), cache=tmp_path).translate(PROBLEM)
    parser(fake(GOOD, "other", recorder=rec), cache=tmp_path).translate(PROBLEM)  # another model
    parser(fake(GOOD, recorder=rec), cache=tmp_path, shots=1).translate(PROBLEM)  # another prompt
    assert rec.calls == 3


def test_failed_calls_are_not_cached(tmp_path):
    parser(FailingChatModel(responses=[GOOD]), cache=tmp_path).translate(PROBLEM)
    assert len(LLMCache(tmp_path / "llm-calls.sqlite")) == 0


def _keys(path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT key FROM calls")]
