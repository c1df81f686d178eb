"""Test-only prover backends that break the contract the way a third party's might: one raises,
one returns None (as a ``_decide`` stub with ``...`` as its body does)."""

from __future__ import annotations

import os
import time

from linc import plugins
from linc.proving import Label, Prover, ProverResult


@plugins.prover("evaltest-boom")
class Boom(Prover):
    name = "evaltest-boom"

    def _decide(self, premises, conclusion, timeout):
        raise RuntimeError("the backend blew up")


@plugins.prover("evaltest-none")
class ReturnsNone(Prover):
    name = "evaltest-none"

    def _decide(self, premises, conclusion, timeout): ...


@plugins.prover("evaltest-hang")
class HangsOrDies(Prover):
    """Answers True, except on a conclusion about ``Hang`` (never returns, ignoring its timeout)
    or ``Die`` (its process dies)."""

    name = "evaltest-hang"

    def _decide(self, premises, conclusion, timeout):
        if "Hang" in str(conclusion):
            time.sleep(3600)
        if "Die" in str(conclusion):
            os._exit(3)
        return ProverResult(Label.TRUE, self.name, 0.0)
