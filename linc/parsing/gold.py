"""The ``gold`` parser: the FOL annotated with the problem (FOLIO's ``premises-FOL`` and
``conclusion-FOL``), read into the IR. It measures the provers and the pipeline apart from any
translation error: what accuracy would be with a perfect parser (modulo annotation errors).

>>> p = Problem(["All men are mortal.", "Socrates is a man."], "Socrates is mortal.",
...             premises_fol=["∀x (Man(x) → Mortal(x))", "Man(socrates)"], conclusion_fol="Mortal(socrates)")
>>> s = GoldParser().translate(p)[0]
>>> [str(f) for f in s.premises], str(s.conclusion)
(['∀x (Man(x) → Mortal(x))', 'Man(socrates)'], 'Mortal(socrates)')
"""

from __future__ import annotations

from linc.errors import FormulaSyntaxError, ParserError
from linc.logic.read import read
from linc.logic.signature import repair_signature
from linc.parsing.base import Parser, Problem, Sample


class GoldParser(Parser):
    """One sample from the problem's gold FOL, whatever ``k`` (it is deterministic).

    ``syntax``: how the annotations are written (``folio`` by default; ``nltk``, ``tptp``).
    ``lenient``: repair what the annotators got wrong (about 25 FOLIO strings do not read as
    written), recording each repair; strict reading makes such a problem an ``Error`` sample.
    ``fix_signature``: rename apart a symbol annotated with two arities.
    """

    name = "gold"

    def __init__(self, syntax: str = "folio", lenient: bool = True, fix_signature: bool = False):
        self.syntax = syntax
        self.lenient = lenient
        self.fix_signature = fix_signature

    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        if problem.premises_fol is None or problem.conclusion_fol is None:
            raise ParserError(f"problem {problem.id or '?'} has no gold FOL (premises-FOL and conclusion-FOL)")
        texts = [*problem.premises_fol, problem.conclusion_fol]
        raw = "\n".join(texts)
        formulas = []
        repairs: list[str] = []
        for i, text in enumerate(texts):
            try:
                reading = read(text, self.syntax, self.lenient)
            except FormulaSyntaxError as err:
                return [Sample([], None, raw=raw, repairs=repairs, error=f"gold FOL of the {_where(i, texts)} does not read: {err}")]
            formulas.append(reading.formula)
            if reading.repairs:  # few formulas have any: their place is worded only for those
                repairs.extend(f"{_where(i, texts)}: {fix}" for fix in reading.repairs)
        fixes: list[str] = []
        if self.fix_signature:
            formulas, fixes = repair_signature(formulas)
            repairs.extend(fixes)
        return [Sample(formulas[:-1], formulas[-1], raw=raw, repairs=repairs, signature_repaired=bool(fixes))]


def _where(i: int, texts: list[str]) -> str:
    """Which formula ``texts[i]`` is, as repairs and errors name it (the conclusion is the last)."""
    return "conclusion" if i == len(texts) - 1 else f"premise {i + 1}"
