"""The ``llm`` parser: any LangChain chat model as a semantic parser into FOL (the LINC recipe).

The model gets the LINC-style prompt (:mod:`linc.parsing.prompt`); K completions are sampled (in
one call with ``n`` when the model has that parameter, else K calls); the formulas are found in
each completion (:mod:`linc.parsing.extract`) and read into the IR, strictly or leniently. A bad
completion, a failing, silent or hanging model each give an ``Error`` sample, never an exception.

>>> from langchain_core.language_models.fake_chat_models import FakeListChatModel
>>> model = FakeListChatModel(responses=["TEXT: Bob is big.\\nFOL: Big(Bob)\\nTEXT: Bob is red.\\nFOL: Red(Bob)"])
>>> [str(s.conclusion) for s in LLMParser(model, cache=False).translate(Problem(["Bob is big."], "Bob is red."))]
['Red(Bob)']

Self-repair: :meth:`LLMParser.repair` shows the model its previous answer and the error (a formula
that does not read, a symbol used with two arities, contradictory premises) and asks again.
"""

from __future__ import annotations

import contextvars
import os
import threading
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableLambda

from linc.errors import FormulaSyntaxError, ParserError
from linc.logic.formula import Formula
from linc.logic.read import parse, parse_lenient
from linc.logic.signature import repair_signature
from linc.parsing.base import Parser, Problem, Sample
from linc.parsing.cache import LLMCache, conversation, model_identity
from linc.parsing.extract import STYLES, extract
from linc.parsing.prompt import load_examples, problem_message, prompt_prefix, repair_messages
from linc.parsing.retry import Backoff, retrying
from linc.parsing.usage import Usage
from linc.parsing.usage import current as current_usage

if TYPE_CHECKING:
    from langchain_core.rate_limiters import BaseRateLimiter

T = TypeVar("T")


def rate_limiter(rate: float) -> BaseRateLimiter:
    """LangChain's ``InMemoryRateLimiter`` at ``rate`` requests a second, letting a burst of up to
    one second's worth through after a pause: the pace of one process's model, or of a whole Ray
    cluster's when an actor holds it."""
    from langchain_core.rate_limiters import InMemoryRateLimiter

    return InMemoryRateLimiter(requests_per_second=rate, check_every_n_seconds=min(0.1, 0.5 / rate), max_bucket_size=max(1.0, rate))


class LLMParser(Parser):
    """Translate with a chat model. ``model``: a ``BaseChatModel`` or ``"provider:name"`` (resolved
    by ``langchain.chat_models.init_chat_model`` with ``model_options``).

    Reading options (each default is on because switching it off lowers or keeps the accuracy on
    every shared recording under the default vote, see ``benchmarks/vote_policies.py``;
    ``extraction="linc", lenient=False, fix_signature=False`` reproduces LINC's reading):

    - ``extraction``: ``"robust"`` or ``"linc"`` (see :mod:`linc.parsing.extract`);
    - ``lenient``: read with the lenient NLTK reader, recording its repairs;
    - ``fix_signature``: rename a symbol used with two arities or kinds apart, recording it.

    ``cache``: True (default location, see :func:`linc.parsing.cache.default_cache_path`), a path,
    an :class:`LLMCache`, or False. ``call_timeout``: seconds before a model call counts as failed.

    Pacing: at most ``max_concurrency`` requests of this parser are in flight at once, from however
    many threads (see :meth:`pace`); a request that fails with a rate limit, a server error or a
    lost connection is tried again up to ``max_retries`` times, with exponential backoff and
    jitter from ``retry_wait`` seconds (:mod:`linc.parsing.retry`). Requests, retries, cache hits
    and tokens are counted into the current problem's meter (:mod:`linc.parsing.usage`).
    """

    name = "llm"

    def __init__(
        self,
        model: BaseChatModel | str | None = None,
        *,
        shots: int = 8,
        examples: str | None = None,
        temperature: float | None = None,
        extraction: str = "robust",
        lenient: bool = True,
        fix_signature: bool = True,
        cache: LLMCache | str | os.PathLike[str] | bool = True,
        call_timeout: float | None = 600.0,
        max_concurrency: int = 4,
        max_retries: int = 6,
        retry_wait: float = 1.0,
        model_options: dict[str, Any] | None = None,
    ):
        if extraction not in STYLES:
            raise ParserError(f"unknown extraction style {extraction!r}; known: {', '.join(STYLES)}")
        self.model = resolve_model(model, temperature, model_options or {})
        self.examples = load_examples(examples)
        if not 0 <= shots <= len(self.examples):
            raise ParserError(f"shots must be between 0 and {len(self.examples)}, not {shots}")
        self.shots = shots
        self._prefix = tuple(prompt_prefix(shots, self.examples))  # the same for every problem
        self._copies: dict[int, tuple[BaseChatModel, BaseChatModel]] = {}
        self.temperature = temperature
        self.extraction = extraction
        self.lenient = lenient
        self.fix_signature = fix_signature
        self.call_timeout = call_timeout
        self.max_concurrency = max(1, max_concurrency)
        self._gate = threading.BoundedSemaphore(self.max_concurrency)
        self.backoff = Backoff(retries=max(0, max_retries), base=retry_wait)
        self.cache = _open_cache(cache)
        self._identity = model_identity(self.model)
        self._takes_n = "n" in type(self.model).model_fields

    # ------------------------------------------------------------ the Parser contract

    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        """K candidate translations; a failed model call gives ``Error`` samples in its place."""
        _check_problem(problem)
        return self._samples(self.messages(problem), max(1, k))

    def repair(self, problem: Problem, sample: Sample, error: str) -> Sample | None:
        """One more round: the previous answer and its ``error`` go back to the model. None when the
        model could not be asked (the original sample then stands)."""
        _check_problem(problem)
        messages = repair_messages(self.messages(problem), sample.raw, error)
        fixed = self._samples(messages, 1)[0]
        if fixed.raw == "" and fixed.error is not None:
            return None
        fixed.model_repairs = sample.model_repairs + 1
        return fixed

    def pace(self, concurrency: int | None = None, rate_limit: float | BaseRateLimiter | None = None) -> None:
        """Allow ``concurrency`` requests in flight at once, and start at most ``rate_limit``
        requests per second (LangChain's ``InMemoryRateLimiter`` on the model; a burst of up to
        one second's worth is let through), or as the LangChain rate limiter ``rate_limit`` allows."""
        if concurrency is not None:
            self.max_concurrency = max(1, concurrency)
            self._gate = threading.BoundedSemaphore(self.max_concurrency)
        if isinstance(rate_limit, (int, float)):
            rate_limit = rate_limiter(rate_limit)
        if rate_limit is not None:
            self.model = self.model.model_copy(update={"rate_limiter": rate_limit})

    # ------------------------------------------------------------ pieces, public for tools and tests

    def messages(self, problem: Problem) -> list[BaseMessage]:
        """The conversation sent to the model for ``problem`` (:func:`linc.parsing.prompt.build_messages`)."""
        return [*self._prefix, problem_message(problem)]

    def read_completion(self, raw: str) -> Sample:
        """Turn one completion into a sample: find the formulas, read them, fix the signature."""
        found = extract(raw, self.extraction)
        if found.error is not None:
            return Sample([], None, raw=raw, error=found.error)
        if not found.formulas:
            what = "a 'FOL:' line followed by a tab" if self.extraction == "linc" else "a FOL line"
            return Sample([], None, raw=raw, error=f"no FOL found in the completion (expected {what})")
        repairs = list(found.notes)
        formulas = []
        last = len(found.formulas) - 1
        for i, text in enumerate(found.formulas):
            formula, fixes = _read_formula(text, self.lenient)
            if fixes:  # where: said only when there is something to say
                where = "conclusion" if i == last else f"premise {i + 1}"
                if formula is None:
                    return Sample([], None, raw=raw, repairs=repairs, error=f"FormulaSyntaxError in the {where}: {fixes[0]}")
                repairs.extend([f"{where}: {fix}" for fix in fixes])
            formulas.append(formula)
        fixes: list[str] = []
        if self.fix_signature:
            formulas, fixes = repair_signature(formulas)
            repairs.extend(fixes)
        return Sample(formulas[:-1], formulas[-1], raw=raw, repairs=repairs, signature_repaired=bool(fixes))

    # ------------------------------------------------------------ calling the model

    def _samples(self, messages: list[BaseMessage], k: int) -> list[Sample]:
        usage = current_usage() or Usage()  # this thread's problem's meter
        key = LLMCache.key(self._identity, {"temperature": self.temperature}, conversation(messages)) if self.cache is not None else ""
        texts = self.cache.get(key)[:k] if self.cache is not None else []
        if texts:
            usage.add(cached=1)
        failure = None
        if len(texts) < k:
            fresh, failure = self._call(messages, k - len(texts), usage)
            if fresh and self.cache is not None:
                self.cache.add(key, fresh, model=self._identity["type"])
            texts = texts + fresh
        samples = _read_all(self.read_completion, texts)
        if failure is not None:
            samples += [Sample([], None, error=failure) for _ in range(k - len(texts))]
        return samples

    def _call(self, messages: list[BaseMessage], n: int, usage: Usage) -> tuple[list[str], str | None]:
        """(completions, why some or all are missing)."""
        try:
            return self._request(messages, n, usage)
        except Exception as err:  # provider SDKs raise their own classes (HTTP, auth, rate limits)
            usage.add(failed=1)
            return [], self._failure(err)

    def _failure(self, err: BaseException) -> str:
        if isinstance(err, TimeoutError):
            return f"the model did not answer within {self.call_timeout:g} s"
        return _describe(err)

    def _request(self, messages: list[BaseMessage], n: int, usage: Usage) -> tuple[list[str], str | None]:
        if self._takes_n:
            model = self._sampling(n)
            generations = self._attempt(lambda: model.generate([messages]), usage).generations[0]
            # one response: providers with ``n`` put the whole response's usage on every choice
            usage.record(generations[0].message if generations else None)
            return [_text(g.message) for g in generations], None
        ask = RunnableLambda(lambda m: self._attempt(lambda: self.model.invoke(m), usage))
        replies = ask.batch([messages] * n, config={"max_concurrency": self.max_concurrency}, return_exceptions=True)
        texts = [_text(r) for r in replies if isinstance(r, BaseMessage)]
        for reply in replies:
            if isinstance(reply, BaseMessage):
                usage.record(reply)
            else:
                usage.add(failed=1)
        errors = [r for r in replies if isinstance(r, BaseException)]
        return texts, self._failure(errors[0]) if errors else None

    def _sampling(self, n: int) -> BaseChatModel:
        """The model asked for ``n`` completions per call: one copy per ``n``, kept, since LangChain
        describes a model afresh (``dumpd``, milliseconds) for each new copy it is called on."""
        if n <= 1:
            return self.model
        kept = self._copies.get(n)
        if kept is None or kept[0] is not self.model:  # pace() may have replaced the model
            kept = self._copies[n] = (self.model, self.model.model_copy(update={"n": n}))
        return kept[1]

    def _attempt(self, call: Callable[[], T], usage: Usage) -> T:
        """One model request: within the call deadline, at most ``max_concurrency`` in flight
        (the slot is given back while waiting to retry), retried on transient failures."""
        def once() -> T:
            with self._gate:
                return _within(self.call_timeout, call)

        return retrying(once, self.backoff, on_retry=lambda err: usage.add(retries=1))


def _read_all(read: Callable[[str], Sample], texts: list[str]) -> list[Sample]:
    """``read`` of each text, each text read once (a model often returns one completion several
    times among its K); every sample is its own object all the same."""
    done: dict[str, Sample] = {}
    samples = []
    for text in texts:
        if text in done:
            first = done[text]
            samples.append(replace(first, premises=list(first.premises), repairs=list(first.repairs)))
        else:
            samples.append(done.setdefault(text, read(text)))
    return samples


def resolve_model(model: BaseChatModel | str | None, temperature: float | None = None,
                  options: dict[str, Any] | None = None) -> BaseChatModel:
    """A chat model from an instance or a ``"provider:name"`` string; ``temperature`` is applied to
    an instance that has that parameter."""
    options = dict(options or {})
    if isinstance(model, BaseChatModel):
        if temperature is not None and "temperature" in type(model).model_fields:
            return model.model_copy(update={"temperature": temperature})
        return model
    if isinstance(model, str) and model.strip():
        from langchain.chat_models import init_chat_model

        from linc.parsing.providers import require_integration

        require_integration(model)  # names the linc extra to install

        if temperature is not None:
            options["temperature"] = temperature
        try:
            return init_chat_model(model.strip(), **options)
        except ImportError as err:
            raise ParserError(f"cannot load the model {model!r}: {err}") from err
        except ValueError as err:
            raise ParserError(f"cannot resolve the model {model!r}: {_unresolved(err, model.strip())}") from err
    raise ParserError("the llm parser needs a model: a LangChain chat model, or 'provider:name' "
                      "such as 'openai:gpt-4o-mini' (--model on the command line)")


def _unresolved(err: ValueError, model: str) -> str:
    """LangChain's reason a model string does not resolve, in linc's terms: its advice to pass
    ``model_provider`` (a keyword of its own function) becomes the ``PROVIDER:NAME`` form."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip() and not line.startswith("For help")]
    if not lines or "model_provider" not in lines[0]:
        return " ".join(lines) or type(err).__name__
    provider, sep, _ = model.partition(":")
    first = f"{provider!r} is not a provider LangChain knows." if sep else \
        "LangChain cannot tell its provider: write it as PROVIDER:NAME, such as 'openai:gpt-4o-mini'."
    known = next((line for line in lines[1:] if line.startswith("Supported providers")), "")
    return f"{first} {known}".strip()


@lru_cache(maxsize=65536)
def _read_formula(text: str, lenient: bool) -> tuple[Formula | None, tuple[str, ...]]:
    """(formula, repairs), or (None, (error,)). Memoised: the K samples of a problem mostly repeat
    the same lines, and formulas are immutable, so a line is read once."""
    try:
        if lenient:
            formula, fixes = parse_lenient(text, "nltk")
            return formula, tuple(fixes)
        return parse(text, "nltk"), ()
    except FormulaSyntaxError as err:
        return None, (str(err),)


def _open_cache(cache: LLMCache | str | os.PathLike[str] | bool) -> LLMCache | None:
    if cache is False or cache is None:
        return None
    if cache is True:
        return LLMCache()
    if isinstance(cache, LLMCache):
        return cache
    path = os.fspath(cache)
    return LLMCache(os.path.join(path, "llm-calls.sqlite") if os.path.isdir(path) else path)


def _check_problem(problem: Problem) -> None:
    if not problem.premises or not any(p.strip() for p in problem.premises):
        raise ParserError("the problem has no premises: give at least one premise sentence")
    if not problem.conclusion or not problem.conclusion.strip():
        raise ParserError("the problem has no conclusion")


def _within(seconds: float | None, call: Callable[[], T]) -> T:
    """Run ``call`` with a deadline. A model call cannot be interrupted, so it runs in a daemon
    thread that is abandoned (not waited for) when the deadline passes; in the caller's context
    (a new thread starts with an empty one), so what the caller's context variables hold, such
    as the replay model's problem or LangChain's tracing, holds in the call too."""
    if seconds is None:
        return call()
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def run() -> None:
        try:
            box["value"] = context.run(call)
        except BaseException as err:  # handed to the caller's thread, re-raised there
            box["error"] = err

    worker = threading.Thread(target=run, name="linc-llm-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {seconds} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _text(message: Any) -> str:
    return str(getattr(message, "text", "") or "")


def _describe(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0][:300] if str(err).strip() else ""
    return f"the model call failed: {type(err).__name__}" + (f": {text}" if text else "")
