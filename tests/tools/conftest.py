"""Fixtures of the agent-tool tests: a ProofWriter problem and toolkits over a fresh graph file."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

from linc.logic.formula import Formula
from linc.plugins import get_prover
from linc.proving import Prover, ProverResult
from linc.tools import ToolConfig, Toolkit

# ProofWriter AttNeg-OWA-D5-270, question 8 (gold: False): Charlie is green, so quiet, so blue
# ("If Charlie is quiet then Charlie is blue."), and blue green people are red.
PROOFWRITER_CONTEXT = (
    "Charlie is green. Dave is quiet. Dave is red. Dave is not white. Erin is not big. Erin is not "
    "cold. Erin is green. Harry is big. Harry is cold. Harry is green. If someone is red then they "
    "are not white. If Charlie is quiet then Charlie is blue. If someone is quiet and red then they "
    "are blue. All white people are cold. All green people are quiet. All blue, green people are "
    "red. If someone is red and not white then they are big."
)
PROOFWRITER_PREMISES = [s.strip() + "." for s in PROOFWRITER_CONTEXT.rstrip(".").split(". ")]
PROOFWRITER_CONCLUSION = "Charlie is not red."
PROOFWRITER_LABEL = "False"


@pytest.fixture
def kg_path(tmp_path: Path) -> Path:
    return tmp_path / "kg.sqlite"


@pytest.fixture
def toolkit(kg_path: Path) -> Iterator[Toolkit]:
    with Toolkit(ToolConfig(kg_path=kg_path, timeout=10.0, call_timeout=60.0)) as tk:
        yield tk


class GatedProver(Prover):
    """z3, except that a conclusion about ``Slow`` blocks until ``gate`` opens (at most ``hold``
    seconds), ignoring its time limit: a call that overruns whatever the toolkit tells it."""

    name = "gated"

    def __init__(self, hold: float = 60.0):
        super().__init__()
        self.hold, self.gate, self.z3 = hold, threading.Event(), get_prover("z3")

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        if "Slow" in str(conclusion):
            self.gate.wait(self.hold)
        return self.z3.decide(premises, conclusion, timeout=timeout)
