"""Example drop-in plugin: a truth-table prover for propositional problems.

Drop-in plugins are loaded from ``./plugins`` of the working directory and from every folder on
``$LINC_PLUGIN_PATH``. From anywhere::

    LINC_PLUGIN_PATH=/path/to/linc/plugins linc prove --prover truth-table -p "p -> q" -p p -c q

To write your own, copy this file into such a folder and change the name; ``linc plugins`` lists
it. A plugin needs only :mod:`linc.plugins` (to register) and :mod:`linc.proving` (the contract);
docs/plugins.md describes the contracts.
"""

from __future__ import annotations

import itertools

from linc.errors import UnsupportedProblem
from linc.logic.formula import And, Eq, Formula, Iff, Implies, Not, Or, Pred, Xor, subformulas
from linc.plugins import prover
from linc.proving import Label, Prover, ProverResult

MAX_ATOMS = 16  # 65,536 rows: the search is bounded by construction


def holds(f: Formula, row: dict[Formula, bool]) -> bool:
    """Truth value of a quantifier-free formula, atoms looked up in ``row``."""
    if isinstance(f, (Pred, Eq)):
        return row[f]
    if isinstance(f, Not):
        return not holds(f.body, row)
    a, b = holds(f.left, row), holds(f.right, row)
    return {And: a and b, Or: a or b, Xor: a != b, Implies: (not a) or b, Iff: a == b}[type(f)]


@prover("truth-table")
class TruthTableProver(Prover):
    """Enumerates every assignment of the ground atoms (no quantifiers, at most 16 atoms)."""

    name = "truth-table"

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return True, f"pure Python; quantifier-free problems of at most {MAX_ATOMS} atoms"

    def _decide(self, premises: list[Formula], conclusion: Formula, timeout: float) -> ProverResult:
        everything = [*premises, conclusion]
        atoms = sorted({g for f in everything for g in subformulas(f) if isinstance(g, (Pred, Eq))}, key=str)
        if any(not isinstance(g, (Pred, Eq, Not, And, Or, Xor, Implies, Iff)) for f in everything for g in subformulas(f)):
            raise UnsupportedProblem("truth-table handles quantifier-free formulas only")
        if len(atoms) > MAX_ATOMS:
            raise UnsupportedProblem(f"truth-table handles at most {MAX_ATOMS} atoms, not {len(atoms)}")
        seen = {True: None, False: None}  # a premise model where the conclusion is true / false
        for values in itertools.product((False, True), repeat=len(atoms)):
            row = dict(zip(atoms, values))
            if all(holds(p, row) for p in premises):
                seen[holds(conclusion, row)] = {str(a): v for a, v in row.items()}
        if seen[True] is None and seen[False] is None:
            return ProverResult(Label.INCONSISTENT, self.name, 0.0, proof="no row satisfies the premises", consistent=False)
        if seen[False] is None:
            return ProverResult(Label.TRUE, self.name, 0.0, proof="every row satisfying the premises satisfies the conclusion", consistent=True)
        if seen[True] is None:
            return ProverResult(Label.FALSE, self.name, 0.0, proof="no row satisfying the premises satisfies the conclusion", consistent=True)
        countermodel = {"conclusion_true": seen[True], "conclusion_false": seen[False]}
        return ProverResult(Label.UNCERTAIN, self.name, 0.0, countermodel=countermodel, consistent=True)
