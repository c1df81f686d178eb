"""Model-call failures classified without knowing the provider, and retried with backoff."""

from __future__ import annotations

import random

import anthropic
import httpx
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from linc.parsing.base import Problem
from linc.parsing.llm import LLMParser
from linc.parsing.retry import Backoff, is_transient, retry_after, retrying, status_of
from linc.parsing.usage import metered

REQUEST = httpx.Request("POST", "https://api.invalid/v1/messages")


def anthropic_error(status: int, headers: dict | None = None) -> anthropic.APIStatusError:
    """The Anthropic SDK's own error for an HTTP ``status`` (the class it raises for it)."""
    response = httpx.Response(status, request=REQUEST, headers=headers or {})
    return anthropic.Anthropic(api_key="x")._make_status_error("failed", body=None, response=response)


@pytest.mark.parametrize("status, transient", [(429, True), (500, True), (503, True), (529, True), (408, True),
                                               (400, False), (401, False), (404, False)])
def test_a_providers_own_errors_are_classified_by_their_status(status, transient):
    err = anthropic_error(status)
    assert status_of(err) == status
    assert is_transient(err) is transient


def test_httpx_status_errors_and_lost_connections_are_transient():
    response = httpx.Response(502, request=REQUEST)
    assert is_transient(httpx.HTTPStatusError("bad gateway", request=REQUEST, response=response))
    assert is_transient(httpx.ConnectError("refused", request=REQUEST))
    assert is_transient(anthropic.APIConnectionError(request=REQUEST))
    assert is_transient(ConnectionResetError("reset"))


def test_class_names_and_causes_count_when_no_status_is_carried():
    class RateLimitError(Exception):  # a provider SDK we do not know, by its class name
        pass

    class Wrapper(Exception):
        pass

    assert is_transient(RateLimitError("slow down"))
    try:
        try:
            raise RateLimitError("slow down")
        except RateLimitError as inner:
            raise Wrapper("the integration's own wrapper") from inner
    except Wrapper as outer:
        assert is_transient(outer)
    assert not is_transient(ValueError("bad request"))
    assert not is_transient(TimeoutError("the call deadline"))  # the parser's own deadline: not retried


def test_retry_after_is_read_and_honoured_up_to_the_cap():
    err = anthropic_error(429, {"retry-after": "7"})
    assert retry_after(err) == 7.0
    assert Backoff(base=0.01, cap=60).delay(0, err) == 7.0
    assert Backoff(base=0.01, cap=3).delay(0, err) == 3.0
    assert retry_after(anthropic_error(429)) is None


def test_backoff_grows_exponentially_with_full_jitter():
    backoff = Backoff(base=0.5, cap=4.0)
    assert [backoff.ceiling(n) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    rng = random.Random(1)
    delays = [backoff.delay(3, RuntimeError(), rng) for _ in range(200)]
    assert all(0 <= d <= 4.0 for d in delays) and max(delays) > 3.0 and min(delays) < 1.0


def test_retrying_retries_transient_failures_only_and_gives_up_after_the_last():
    slept: list[float] = []
    failures = iter([anthropic_error(429), anthropic_error(503)])

    def flaky():
        err = next(failures, None)
        if err is not None:
            raise err
        return "answer"

    seen: list[BaseException] = []
    assert retrying(flaky, Backoff(retries=2, base=0.1), on_retry=seen.append, sleep=slept.append) == "answer"
    assert [status_of(e) for e in seen] == [429, 503] and len(slept) == 2 and all(0 <= s <= 0.2 for s in slept)
    with pytest.raises(anthropic.RateLimitError):
        retrying(lambda: (_ for _ in ()).throw(anthropic_error(429)), Backoff(retries=3, base=0), sleep=slept.append)
    calls = []
    with pytest.raises(anthropic.AuthenticationError):
        retrying(lambda: calls.append(1) or (_ for _ in ()).throw(anthropic_error(401)), Backoff(retries=3), sleep=slept.append)
    assert calls == [1]  # a bad key is not asked again


class Refusing(FakeListChatModel):
    """Fails every call with an HTTP 503."""

    def _call(self, *args, **kwargs):
        raise anthropic_error(503)


def test_a_request_that_keeps_failing_becomes_error_samples_and_is_counted():
    parser = LLMParser(Refusing(responses=["x"]), cache=False, max_retries=2, retry_wait=0.0)
    with metered() as usage:
        samples = parser.translate(Problem(["a."], "b."), k=2)
    assert [s.error for s in samples] == ["the model call failed: ServiceUnavailableError: failed"] * 2
    assert usage.to_dict() == {"retries": 4, "failed": 2}
