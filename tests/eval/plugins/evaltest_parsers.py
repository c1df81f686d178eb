"""Test-only parsers for the eval tests, loaded as drop-in plugins (``$LINC_PLUGIN_PATH``) so that
worker processes started any way (fork, forkserver, spawn) find them too."""

from __future__ import annotations

import os
import time

from linc import plugins
from linc.errors import FormulaSyntaxError
from linc.logic import parse
from linc.parsing.base import Parser, Problem, Sample


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
