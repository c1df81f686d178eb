"""A semantic parser: premises and conclusion already written as formulas, in any syntax linc reads.

The contract: subclass :class:`linc.parsing.base.Parser` and implement ``translate(problem, k)``
returning a list of :class:`~linc.parsing.base.Sample` (at most ``k``). A text that cannot be
translated gives a Sample with ``error`` set (an ``Error`` vote), not an exception; raise
:class:`linc.errors.ParserError` only when the whole problem cannot be handled. Options given
with ``--parser-option KEY=VALUE`` arrive as keyword arguments of ``__init__``.
"""

from __future__ import annotations

from linc.errors import FormulaSyntaxError
from linc.logic.detect import detect_syntax
from linc.logic.read import parse
from linc.parsing.base import Parser, Problem, Sample


class FormulaParser(Parser):
    name = "formulas"

    def __init__(self, syntax: str | None = None):
        self.syntax = syntax  # None: recognised from the texts

    def translate(self, problem: Problem, k: int = 1) -> list[Sample]:
        texts = [*problem.premises, problem.conclusion]
        try:
            syntax = self.syntax or detect_syntax(texts)
            *premises, conclusion = [parse(t, syntax=syntax) for t in texts]
        except FormulaSyntaxError as err:
            return [Sample([], None, raw="\n".join(texts), error=f"FormulaSyntaxError: {err}")]
        return [Sample(premises, conclusion, raw="\n".join(texts))]  # deterministic: one sample whatever k
