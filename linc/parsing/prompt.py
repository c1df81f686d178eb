"""The LINC-style prompt: instructions, few-shot examples, and the problem in tagged blocks.

A problem is shown as ``<PREMISES>`` / ``<CONCLUSION>`` blocks; the answer is an ``<EVALUATE>``
block of ``TEXT:``/``FOL:`` line pairs, one pair per premise and a last pair for the conclusion.
For chat models the examples are turns of the conversation (the problem as the user's message, the
translation as the assistant's), so the model sees the exact shape of answer expected.

>>> [m.type for m in build_messages(Problem(["Bob is big."], "Bob is red."), shots=1)]
['system', 'human', 'ai', 'human']
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from linc.errors import ParserError
from linc.parsing.base import Problem

#: Few-shot examples shipped with linc (FOLIO train, premise FOL converted to NLTK syntax).
EXAMPLES_FILE = "folio_examples.json"

INSTRUCTIONS = """\
You translate short arguments written in English into first-order logic, so that a theorem \
prover can decide whether the conclusion follows from the premises.

Write every formula in the syntax of the logic module of the Python NLTK package:
- quantifiers: all x. (...) and exists x. (...), one variable per quantifier;
- connectives: - (not), & (and), | (or), -> (implies), <-> (if and only if);
- predicates and constants are CamelCase words such as Student(x), Teaches(x, y), Rose;
- use a symbol with one number of arguments throughout a problem, and write "either A or B \
but not both" as -(A <-> B).

Answer with one TEXT:/FOL: pair per premise, in order, then one pair for the conclusion: the \
TEXT: line repeats the sentence, the FOL: line gives its formula. Close the answer with \
</EVALUATE> and write nothing else."""

REPAIR_REQUEST = """\
Your translation could not be used: {error}

Translate the problem again, correcting this. Keep one TEXT:/FOL: pair per premise and a last \
pair for the conclusion, use NLTK syntax, and close the answer with </EVALUATE>."""

_SPACES = re.compile(r"\s+")


def sentence(text: str) -> str:
    """One line of prompt text: inner newlines and runs of spaces collapse, so a block keeps one
    sentence per line (and the replay model can match the prompt back to its problem)."""
    return _SPACES.sub(" ", text).strip()


def problem_block(premises: list[str], conclusion: str) -> str:
    lines = ["<PREMISES>", *(sentence(p) for p in premises), "</PREMISES>",
             "<CONCLUSION>", sentence(conclusion), "</CONCLUSION>", "<EVALUATE>"]
    return "\n".join(lines) + "\n"


def answer_block(texts: list[str], formulas: list[str]) -> str:
    pairs = [f"TEXT:\t{sentence(t)}\nFOL:\t{f.strip()}\n" for t, f in zip(texts, formulas)]
    return "".join(pairs) + "</EVALUATE>"


@lru_cache(maxsize=None)
def _shipped_examples() -> tuple[dict[str, Any], ...]:
    raw = resources.files("linc.parsing").joinpath("data", EXAMPLES_FILE).read_text(encoding="utf-8")
    return tuple(json.loads(raw)["examples"])


def load_examples(path: str | None = None) -> list[dict[str, Any]]:
    """The few-shot examples: linc's own, or a JSON file of the same shape (``{"examples": [...]}``
    with ``premises``, ``premises_fol``, ``conclusion``, ``conclusion_fol``)."""
    if path is None:
        return list(_shipped_examples())
    try:
        with open(path, encoding="utf-8-sig") as fh:
            examples = json.load(fh)["examples"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ParserError(f"cannot read few-shot examples from {path}: {err}") from err
    for i, ex in enumerate(examples):
        missing = {"premises", "premises_fol", "conclusion", "conclusion_fol"} - set(ex)
        if missing:
            raise ParserError(f"few-shot example {i} in {path} lacks {', '.join(sorted(missing))}")
    return examples


def build_messages(problem: Problem, shots: int = 8, examples: list[dict[str, Any]] | None = None,
                   instructions: str = INSTRUCTIONS) -> list[BaseMessage]:
    """System instructions, ``shots`` example exchanges, then the problem as the last user turn."""
    return [*prompt_prefix(shots, examples, instructions), problem_message(problem)]


def prompt_prefix(shots: int = 8, examples: list[dict[str, Any]] | None = None,
                  instructions: str = INSTRUCTIONS) -> list[BaseMessage]:
    """The part of :func:`build_messages` that does not depend on the problem."""
    pool = _shipped_examples() if examples is None else examples
    if shots < 0 or shots > len(pool):
        raise ParserError(f"shots must be between 0 and {len(pool)}, not {shots}")
    messages: list[BaseMessage] = [SystemMessage(instructions)]
    for ex in pool[:shots]:
        messages.append(HumanMessage(problem_block(ex["premises"], ex["conclusion"])))
        messages.append(AIMessage(answer_block([*ex["premises"], ex["conclusion"]],
                                               [*ex["premises_fol"], ex["conclusion_fol"]])))
    return messages


def problem_message(problem: Problem) -> HumanMessage:
    """The last user turn of :func:`build_messages`: the problem to translate."""
    return HumanMessage(problem_block(problem.premises, problem.conclusion))


def repair_messages(messages: list[BaseMessage], previous: str, error: str) -> list[BaseMessage]:
    """The conversation extended by the model's previous answer and what was wrong with it."""
    return [*messages, AIMessage(previous), HumanMessage(REPAIR_REQUEST.format(error=error.strip()))]
