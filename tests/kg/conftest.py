"""Fixtures for the knowledge-graph tests: the Z3 backend, injected (the store knows no registry)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linc.kg import KnowledgeGraph
from linc.logic.formula import Formula
from linc.logic.read import parse
from linc_provers.z3prover import Z3Prover


def z3_prover() -> Z3Prover:
    """Z3 without the small-countermodel search: the store keeps proofs, not countermodels."""
    return Z3Prover(timeout=10.0, small_models=False)


class CountingProver(Z3Prover):
    """Counts calls, so tests can tell when a check ran without the prover."""

    calls = 0

    def _decide(self, premises, conclusion, timeout):
        self.calls += 1
        return super()._decide(premises, conclusion, timeout)


def fol(text: str) -> Formula:
    return parse(text, syntax="nltk")


@pytest.fixture
def prover() -> CountingProver:
    return CountingProver(timeout=10.0, small_models=False)


@pytest.fixture
def kg(tmp_path: Path, prover: CountingProver):
    with KnowledgeGraph(tmp_path / "kg.sqlite", prover=prover) as graph:
        yield graph
