"""Test-only parsers for the eval tests, loaded as drop-in plugins (``$LINC_PLUGIN_PATH``) so that
worker processes started any way (fork, forkserver, spawn) find them too."""

from __future__ import annotations

import os
import threading
import time
from typing import ClassVar

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import PrivateAttr

from linc import plugins
from linc.errors import FormulaSyntaxError
from linc.logic import parse
from linc.parsing.base import Parser, Problem, Sample
from linc.parsing.llm import LLMParser


@plugins.parser("evaltest-fol")
class FolParser(Parser):
    """Reads the problem's FOLIO-syntax FOL. ``meta`` steers it: ``sleep`` (seconds),
    ``hang`` (never returns), ``crash`` (the process dies)."""

    name = "evaltest-fol"
    calls = 0

    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        type(self).calls += 1
        if problem.meta.get("crash"):
            os._exit(3)
        if problem.meta.get("hang"):
            time.sleep(3600)
        time.sleep(float(problem.meta.get("sleep", 0)))
        try:
            premises = [parse(p, syntax="folio") for p in problem.premises_fol or []]
            conclusion = parse(problem.conclusion_fol or "", syntax="folio")
        except FormulaSyntaxError as err:
            return [Sample([], None, error=f"FormulaSyntaxError: {err}")]
        return [Sample(premises, conclusion)]


class RateLimited(FakeListChatModel):
    """A fake chat model that fails every ``every``-th call with the Anthropic SDK's own
    rate-limit error (HTTP 429), and counts the calls it failed and answered."""

    every: int = 3
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _seen: int = PrivateAttr(default=0)
    raised: ClassVar[int] = 0
    answered: ClassVar[int] = 0

    def _call(self, *args, **kwargs):
        with self._lock:
            self._seen += 1
            fail = self._seen % self.every == 0
            if fail:
                type(self).raised += 1
            else:
                type(self).answered += 1
        if fail:
            import anthropic
            import httpx

            response = httpx.Response(429, request=httpx.Request("POST", "https://api.invalid/v1/messages"))
            raise anthropic.RateLimitError("rate limited", response=response, body=None)
        return super()._call(*args, **kwargs)


@plugins.parser("evaltest-ratelimited")
class RateLimitedParser(LLMParser):
    """The llm parser over :class:`RateLimited`, answering every problem ``P(a), so Q(a)``."""

    name = "evaltest-ratelimited"
    model_class = RateLimited

    def __init__(self, **options):
        answer = "TEXT: x\nFOL: all x. (P(x) -> Q(x))\nTEXT: x\nFOL: P(a)\nTEXT: x\nFOL: Q(a)"
        super().__init__(RateLimited(responses=[answer]), cache=False, retry_wait=0.01, **options)
