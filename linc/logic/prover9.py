"""Prover9 input files from the Formula IR.

Every symbol goes through a :class:`~linc.logic.names.SymbolTable` with the Prover9 rules, so a
predicate called ``end_of_list`` or a constant starting with ``u``-``z`` (which Prover9 would read
as a variable) cannot change the meaning of the file; the table maps names back in proofs.

>>> from linc.logic.formula import Var, Const, Pred, Forall, Implies
>>> x = Var("x")
>>> print(to_prover9(Forall(x, Implies(Pred("Man", (x,)), Pred("Mortal", (x,))))))
(all x (Man(x) -> Mortal(x)))
"""

from __future__ import annotations

from typing import Sequence

from linc.logic.formula import (
    And,
    Eq,
    Exists,
    Forall,
    Formula,
    Iff,
    Implies,
    Not,
    Or,
    Pred,
    Xor,
)
from linc.logic.emit import TextWriter
from linc.logic.names import PROVER9, SymbolTable

_OPS = {And: "&", Or: "|", Implies: "->", Iff: "<->"}

# Prover9's defaults drop heavy clauses and cap the set of support, which would make an exhausted
# search ("sos_empty") mean nothing; lifting both keeps "search failed" a real non-theorem.
# Auto-denials would raise max_proofs to 2 for Horn sets with several negative clauses, and then
# a search that found one proof ends "sos_empty" (exit 2) as if it had found none.
# Printing every given clause is turned off so a long search does not produce megabytes.
DEFAULT_OPTIONS = (
    "clear(auto_denials).",
    "assign(max_proofs, 1).",
    "assign(max_weight, 10000).",
    "assign(sos_limit, -1).",
    "clear(print_given).",
    "clear(print_initial_clauses).",
)


def to_prover9(f: Formula, table: SymbolTable | None = None) -> str:
    """One formula in Prover9 syntax, fully parenthesised (no reliance on Prover9 precedences)."""
    return _Writer(table or SymbolTable(PROVER9)).formula(f)


def problem_text(
    premises: Sequence[Formula],
    goal: Formula | None,
    table: SymbolTable | None = None,
    options: Sequence[str] = DEFAULT_OPTIONS,
    max_seconds: int | None = None,
    labels: bool = False,
) -> str:
    """A complete Prover9 input: options, the assumptions list and the goals list.

    With ``goal=None`` the goals list is empty and Prover9 searches for a contradiction among the
    premises (a proof then means the premises are inconsistent). ``labels`` labels premise i
    ``premise_i``, a label Prover9's proofs repeat, so they tell which premises they used.
    """
    w = _Writer(table or SymbolTable(PROVER9))
    lines = list(options)
    if max_seconds is not None:
        lines.append(f"assign(max_seconds, {max(1, int(max_seconds))}).")
    lines += ["", "formulas(assumptions)."]
    lines += [w.formula(p) + (f" # label(premise_{i})." if labels else ".") for i, p in enumerate(premises, 1)]
    lines += ["end_of_list.", "", "formulas(goals)."]
    if goal is not None:
        lines.append(w.formula(goal) + ".")
    lines += ["end_of_list.", ""]
    return "\n".join(lines)


class _Writer(TextWriter):
    ops = _OPS

    def formula(self, f: Formula) -> str:
        if isinstance(f, Pred):
            return self.apply(self.symbol("predicate", f.name, len(f.args)), list(map(self.term, f.args)))
        if isinstance(f, Eq):
            return f"({self.term(f.left)} = {self.term(f.right)})"
        if isinstance(f, Not):
            return f"-{self._atomic(f.body)}"
        if isinstance(f, Xor):  # Prover9 has no exclusive or: ¬(A ↔ B)
            return f"-({self.formula(f.left)} <-> {self.formula(f.right)})"
        if isinstance(f, (Forall, Exists)):
            word = "all" if isinstance(f, Forall) else "exists"
            return f"({word} {self.term(f.var)} {self._atomic(f.body)})"
        return self.binary(f)

    def _atomic(self, f: Formula) -> str:
        text = self.formula(f)
        return text if text.startswith("(") or isinstance(f, Pred) else f"({text})"
