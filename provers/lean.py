"""The Lean 4 bridge: writes a Lean file per question and lets ``lean`` check a tactic proof.

Lean is found as ``$LEAN`` or ``lean`` on PATH (it is not on PyPI; install it with elan). A
question is proved when ``lean`` accepts the file without errors and its output shows the
theorem: the file ends with ``#print axioms`` for it, whose answer must be there and must not
list ``sorryAx``. A silent success is not a proof (an exit status of 0 alone is an error). A tactic
that fails is not a completed search, so Lean never answers ``Uncertain``: it gives ``True``,
``False``, ``Inconsistent`` or ``Unknown``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from linc.logic.formula import Formula
from linc.logic.lean import DEFAULT_TACTIC, theorem_file
from linc.logic.names import LEAN, SymbolTable
from linc_provers._binary import BinarySpec
from linc_provers._process import Completed, Job
from linc_provers._refute import Attempt, ExternalProver, Outcome

BINARY = BinarySpec(
    label="Lean 4",
    env="LEAN",
    commands=("lean",),
    install="Lean is not on PyPI; install it with elan "
    "(`curl -sSf https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh | sh`, "
    "see https://lean-lang.org/install) so that `lean` is on PATH, or set $LEAN.",
)


_THEOREM = re.compile(r"^theorem (\S+)", re.M)


@dataclass
class _State:
    table: SymbolTable
    files: dict[str, str] = field(default_factory=dict)


class LeanProver(ExternalProver):
    """Lean 4 with a fixed tactic (default ``grind``) as the proof attempt."""

    name = "lean"
    binary_spec = BINARY

    def __init__(self, timeout: float = 30.0, binary: str | None = None, tactic: str = DEFAULT_TACTIC):
        super().__init__(timeout, binary)
        self.tactic = tactic

    def _prepare(self, premises: list[Formula], conclusion: Formula) -> _State:
        self._locate()
        return _State(SymbolTable(LEAN))

    def _job(self, state: _State, premises: list[Formula], goal: Formula | None, seconds: float, workdir: str, tag: str) -> Job:
        text = theorem_file(premises, goal, state.table, tactic=self.tactic)
        text += f"\n#print axioms {_THEOREM.search(text).group(1)}\n"
        state.files[tag] = text
        path = os.path.join(workdir, f"{tag}.lean")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return Job([self.binary, path], cwd=workdir)

    def _read(self, state: _State, done: Completed, tag: str) -> Attempt:
        out = (done.text + done.error_text).strip()
        errors = [line for line in out.splitlines() if ": error" in line]
        if errors:
            return Attempt(Outcome.FAILED, state.table.rename_in(errors[0].split(": error", 1)[1].lstrip(": ")), raw=out[-4000:])
        if done.returncode != 0:
            return Attempt(Outcome.ERROR, f"lean exited with code {done.returncode}", raw=out[-4000:])
        name = re.escape(_THEOREM.search(state.files[tag]).group(1))
        shown = re.search(rf"'{name}' (?:depends on axioms: \[([^\]]*)\]|does not depend on any axioms)", out)
        if shown is None:
            return Attempt(Outcome.ERROR, "lean exited with code 0 but its output does not show the theorem's axioms", raw=out[-4000:])
        if "sorryAx" in (shown.group(1) or ""):
            return Attempt(Outcome.ERROR, "lean accepted the theorem only with sorry", raw=out[-4000:])
        return Attempt(Outcome.PROVED, state.files[tag])  # the checked Lean file is the proof
