"""A prover backend: answers by looking the conclusion (or its negation) up among the premises.

The contract: subclass :class:`linc.proving.Prover`, set ``name``, implement ``_decide`` returning
a :class:`~linc.proving.ProverResult` (never None), and say in ``availability()`` whether the
backend can run here. ``Prover.decide`` has already closed free variables and checked the
timeout; a result that is not a ProverResult, or an exception, becomes an ``Error`` answer.
"""

from __future__ import annotations

from linc.logic.formula import Formula, Not
from linc.proving import Label, Prover, ProverResult


class LookupProver(Prover):
    name = "lookup"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, "pure Python, looks premises up (no search)"

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        if conclusion in premises:
            return ProverResult(Label.TRUE, self.name, 0.0, proof=f"premise {premises.index(conclusion) + 1}")
        if Not(conclusion) in premises:
            return ProverResult(Label.FALSE, self.name, 0.0, proof=f"premise {premises.index(Not(conclusion)) + 1}")
        # Not found is not "Uncertain": that would claim a complete search. Unknown says a limit was hit.
        return ProverResult(Label.UNKNOWN, self.name, 0.0, reason="neither the conclusion nor its negation is a premise")
