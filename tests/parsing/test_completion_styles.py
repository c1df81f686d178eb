"""Recorded GPT-3.5 completions rewritten in the styles other models write read to the same
formulas (benchmarks/completion_styles.py measures the accuracy; this checks the reading)."""

from __future__ import annotations

import json
import sys

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from linc.parsing.llm import LLMParser
from tests.conftest import ROOT, SHARED_DATA

sys.path.insert(0, str(ROOT / "benchmarks"))
import completion_styles  # noqa: E402

RECORDING = completion_styles.RECORDING.format(1)


@pytest.fixture(scope="module")
def completions() -> list[str]:
    """The distinct completions of the first 25 problems of the 1-shot recording."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"benchmark data not found at {SHARED_DATA}")
    with open(SHARED_DATA / RECORDING, encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(25), fh)]
    return sorted({g for r in records for g in r["generations"]})


def formulas(parser: LLMParser, completion: str) -> list[str] | None:
    """The formulas read, None when the completion does not read (where it fails is the style's)."""
    sample = parser.read_completion(completion)
    return None if sample.error else [str(f) for f in [*sample.premises, sample.conclusion]]


@pytest.mark.parametrize("style", [name for name, (_, expect) in completion_styles.STYLES.items() if not expect])
def test_every_accepted_style_reads_to_the_same_formulas(style, completions):
    parser = LLMParser(FakeListChatModel(responses=["-"]), cache=False, shots=0)
    rewrite = completion_styles.STYLES[style][0]
    differ = [c for c in completions if formulas(parser, rewrite(c)) != formulas(parser, c)]
    assert not differ, f"{len(differ)} of {len(completions)} read otherwise, such as\n{rewrite(differ[0])}"


def test_the_ambiguous_style_is_refused_with_its_place(completions):
    parser = LLMParser(FakeListChatModel(responses=["-"]), cache=False, shots=0)
    rewrite, expect = completion_styles.STYLES["FOL - (hyphen)"]
    assert expect == completion_styles.AMBIGUOUS
    for completion in completions:
        error = parser.read_completion(rewrite(completion)).error
        assert error is not None and error.startswith("ambiguous tag at line 2, column 5")
