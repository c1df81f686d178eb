"""Replay recorded model outputs through the live code path, offline.

:class:`ReplayChatModel` is a real LangChain chat model: it reads the problem out of the prompt it
is sent (the last ``<PREMISES>``/``<CONCLUSION>`` blocks) and answers with the completions recorded
for that problem (the ``generations`` of ``../shared/data/linc-recorded/*.jsonl``), the first ``n``
of them per call. The ``replay`` parser is the ``llm`` parser over that model, so prompt building,
sampling, caching, extraction and reading are exercised exactly as with a live model.

>>> model = ReplayChatModel.from_records([{"premises": ["Bob is big."], "conclusion": "Bob is red.",
...                                        "generations": ["TEXT: Bob is red.\\nFOL: Red(Bob)"]}])
>>> parser = ReplayParser(model=model)
>>> [str(s.conclusion) for s in parser.translate(Problem(["Bob is big."], "Bob is red."), k=10)]
['Red(Bob)']
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterable

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr

from linc.errors import DatasetError, ParserError
from linc.parsing.base import Problem, Sample
from linc.parsing.llm import LLMParser
from linc.parsing.prompt import sentence
from linc.parsing.usage import ESTIMATED

_BLOCKS = re.compile(r"<PREMISES>\n(.*?)\n?</PREMISES>\s*<CONCLUSION>\n(.*?)\n?</CONCLUSION>", re.DOTALL)
_SHOTS = re.compile(r"(\d+)shot")

Key = tuple[tuple[str, ...], str]
#: The problem being translated in this thread and the completions recorded with it: a dataset
#: may hold one problem twice, each time with its own recording, which its prompt cannot tell apart.
_OWN: ContextVar[tuple[Key, list[str]] | None] = ContextVar("linc_replay_own", default=None)


def problem_key(premises: Iterable[str], conclusion: str) -> Key:
    """How a problem is recognised: its sentences with whitespace normalised as in the prompt."""
    return tuple(sentence(p) for p in premises if p.strip()), sentence(conclusion)


class ReplayChatModel(BaseChatModel):
    """Answers a problem's prompt with the completions recorded for that problem.

    ``n`` completions per call (like OpenAI's ``n``; fewer if fewer were recorded). A prompt with no
    recording, or a follow-up turn (recordings have none), raises :class:`ParserError`.

    ``latency``: seconds each call takes, simulated (a sleep; ``asyncio.sleep`` when called
    asynchronously), to measure how an evaluation copes with a live model's pace. Each reply
    carries ``usage_metadata`` as a live model's does, but estimated (about four characters per
    token; ``response_metadata["usage_estimated"]`` says so), for the whole call as OpenAI gives
    it: the prompt once, all the completions returned.
    """

    path: str | None = None
    n: int = 1
    latency: float = 0.0
    _recorded: dict[Key, list[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        if self.path is not None:
            self.add_records(_read_jsonl(Path(self.path)))

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]], **kwargs: Any) -> "ReplayChatModel":
        model = cls(**kwargs)
        model.add_records(records)
        return model

    def add_records(self, records: Iterable[dict[str, Any]]) -> None:
        """Record ``generations`` for each record's ``premises`` and ``conclusion``."""
        for record in records:
            self.add(record["premises"], record["conclusion"], record.get("generations") or [])

    def add(self, premises: list[str], conclusion: str, generations: list[str]) -> None:
        """Record ``generations`` for the problem; a problem recorded again keeps its first recording
        (a prompt cannot say which of two identical problems it is)."""
        self._recorded.setdefault(problem_key(premises, conclusion), list(generations))

    @property
    def _llm_type(self) -> str:
        return "linc-replay"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"path": self.path, "n": self.n}

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        if self.latency > 0:
            time.sleep(self.latency)
        return self._answer(messages, kwargs.get("n"))

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        return self._answer(messages, kwargs.get("n"))

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        """What LangChain's tracing metadata says of this model (LangChain asks subclasses to say
        it; its fallback probes attributes this model does not have, each probe a raised error)."""
        params = LangSmithParams(ls_provider=self._llm_type, ls_model_type="chat")
        if self.path is not None:
            params["ls_model_name"] = Path(self.path).stem
        if stop:
            params["ls_stop"] = stop
        return params

    def _answer(self, messages: list[BaseMessage], n: int | None) -> ChatResult:
        if any(m.type == "ai" for m in messages[_last_problem_turn(messages):]):
            raise ParserError("the replay model has no recorded answer to a follow-up turn")
        found = _BLOCKS.findall(_content(messages[-1])) if messages else []
        if not found:
            raise ParserError("the replay model found no <PREMISES>/<CONCLUSION> blocks in the prompt")
        premises, conclusion = found[-1]
        key, own = problem_key(premises.split("\n"), conclusion), _OWN.get()
        generations = own[1] if own is not None and own[0] == key else self._recorded.get(key)
        if generations is None:
            raise ParserError(f"no recorded completion for the problem whose conclusion is {sentence(conclusion)!r}")
        chosen = generations[:max(1, n or self.n)]
        given = sum(_tokens(_content(m)) for m in messages)
        taken = sum(_tokens(g) for g in chosen)
        usage = {"input_tokens": given, "output_tokens": taken, "total_tokens": given + taken}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(g, usage_metadata=usage, response_metadata={ESTIMATED: True}))
                                       for g in chosen])


class ReplayParser(LLMParser):
    """The ``llm`` parser over a :class:`ReplayChatModel`.

    The recordings come from each problem itself (``problem.meta["generations"]``, which the JSONL
    dataset reader fills: exact, even for a problem the dataset holds twice), or else from ``path``
    (a recorded JSONL file). The number of shots
    in the prompt follows the file name (``...-4shot.jsonl``) when not given; it only changes the
    prompt, not what is replayed. No cache and no call deadline: replaying is already free and
    cannot hang. No self-repair: recordings have no second turn. ``latency``: seconds each model
    call is made to take (see :class:`ReplayChatModel`).
    """

    name = "replay"

    def __init__(self, path: str | None = None, *, model: ReplayChatModel | None = None,
                 shots: int | None = None, latency: float = 0.0, **options: Any):
        if latency < 0:
            raise ParserError(f"latency must be zero or more seconds, not {latency}")
        if model is None:
            model = ReplayChatModel(path=str(path) if path is not None else None, latency=latency)
        elif latency:
            model = model.model_copy(update={"latency": latency})
        if shots is None:
            found = _SHOTS.search(Path(path).name) if path else None
            shots = int(found.group(1)) if found else 8
        options.setdefault("cache", False)
        options.setdefault("call_timeout", None)  # in-process: cannot hang, and a thread per call costs
        super().__init__(model, shots=shots, **options)

    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        """The problem's samples, from the completions recorded with it when it carries them."""
        recorded = problem.meta.get("generations")
        if not recorded:
            return super().translate(problem, k)
        token = _OWN.set((problem_key(problem.premises, problem.conclusion), list(recorded)))
        try:
            return super().translate(problem, k)
        finally:
            _OWN.reset(token)

    def repair(self, problem: Problem, sample: Sample, error: str) -> Sample | None:
        return None


def _tokens(text: str) -> int:
    """An estimate of the tokens in ``text``: about four characters each, as for English with
    OpenAI's tokenisers."""
    return math.ceil(len(text) / 4)


def _last_problem_turn(messages: list[BaseMessage]) -> int:
    """Index of the human turn holding the problem: the last one with a <PREMISES> block."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].type == "human" and "<PREMISES>" in _content(messages[i]):
            return i
    return len(messages)


def _content(message: BaseMessage) -> str:
    """A message's text: its content when that is a string, as it is in every prompt linc builds
    (``message.text`` gives the same, through a new object per access), else its text blocks."""
    content = message.content
    return content if isinstance(content, str) else str(message.text)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(f"cannot read recorded completions from {path}: {err}") from err
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            records.append({"premises": list(record["premises"]), "conclusion": str(record["conclusion"]),
                            "generations": list(record.get("generations") or [])})
        except (ValueError, KeyError, TypeError) as err:
            raise DatasetError(f"{path}:{number}: not a recorded problem ({err})") from err
    return records
