"""Test-only prover backends that break the contract the way a third party's might: one raises,
one returns None (as a ``_decide`` stub with ``...`` as its body does)."""

from __future__ import annotations

from linc import plugins
from linc.proving import Prover


@plugins.prover("evaltest-boom")
class Boom(Prover):
    name = "evaltest-boom"

    def _decide(self, premises, conclusion, timeout):
        raise RuntimeError("the backend blew up")


@plugins.prover("evaltest-none")
class ReturnsNone(Prover):
    name = "evaltest-none"

    def _decide(self, premises, conclusion, timeout): ...
