"""TPTP ``fof`` text from the Formula IR (the input language of E and most ATPs).

With a :class:`~linc.logic.names.SymbolTable` (what the E backend uses) every name is made into a
plain TPTP identifier and can be mapped back. Without one the output is meant for people and
other tools: names that are not lower-case words become single-quoted atoms, so ``Man(bob)``
stays recognisable as ``'Man'(bob)``.

>>> from linc.logic.formula import Var, Const, Pred, Forall, Implies, Xor
>>> x = Var("x")
>>> to_tptp(Forall(x, Implies(Pred("Man", (x,)), Pred("mortal", (x,)))))
"![X]: ('Man'(X) => mortal(X))"
>>> to_tptp(Xor(Pred("p"), Pred("q")))
'(p <~> q)'
"""

from __future__ import annotations

import re
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
from linc.logic.names import TPTP, SymbolTable, ascii_identifier

_OPS = {And: "&", Or: "|", Implies: "=>", Iff: "<=>", Xor: "<~>"}
_LOWER_WORD = re.compile(r"[a-z][A-Za-z0-9_]*")


def to_tptp(f: Formula, table: SymbolTable | None = None) -> str:
    """One formula in TPTP fof syntax."""
    return _Writer(table).formula(f)


def problem_text(premises: Sequence[Formula], goal: Formula | None, table: SymbolTable | None = None) -> str:
    """A TPTP problem: one ``axiom`` per premise and the goal as the ``conjecture`` (if any)."""
    w = _Writer(table if table is not None else SymbolTable(TPTP))
    lines = [f"fof(premise_{i}, axiom, {w.formula(p)})." for i, p in enumerate(premises, 1)]
    if goal is not None:
        lines.append(f"fof(goal, conjecture, {w.formula(goal)}).")
    return "\n".join(lines) + "\n"


def _quoted(name: str) -> str:
    """A lower-case word as is, anything else as a single-quoted (ASCII) atom."""
    plain = ascii_identifier(name) if not name.isascii() else name
    if _LOWER_WORD.fullmatch(plain):
        return plain
    return "'" + plain.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _variable(name: str) -> str:
    plain = ascii_identifier(name)
    if plain[0].isalpha():
        return plain[0].upper() + plain[1:]
    return "V" + plain


class _Writer(TextWriter):
    ops = _OPS
    arg_sep = ","

    def __init__(self, table: SymbolTable | None):
        super().__init__(table if table is not None else SymbolTable(TPTP))
        self.quote = table is None  # no table: keep names recognisable as quoted atoms

    def symbol(self, kind: str, name: str, arity: int = 0) -> str:
        if not self.quote:
            return super().symbol(kind, name, arity)
        return _variable(name) if kind == "variable" else _quoted(name)

    def formula(self, f: Formula) -> str:
        if isinstance(f, Pred):
            return self.apply(self.symbol("predicate", f.name, len(f.args)), [self.term(a) for a in f.args])
        if isinstance(f, Eq):
            return f"{self.term(f.left)} = {self.term(f.right)}"
        if isinstance(f, Not):
            if isinstance(f.body, Eq):
                return f"{self.term(f.body.left)} != {self.term(f.body.right)}"
            return f"~{self._unit(f.body)}"
        if isinstance(f, (Forall, Exists)):
            mark = "!" if isinstance(f, Forall) else "?"
            return f"{mark}[{self.term(f.var)}]: {self._unit(f.body)}"
        return self.binary(f)

    def _unit(self, f: Formula) -> str:
        """A TPTP unitary formula: atoms, negations, quantified and parenthesised formulas."""
        text = self.formula(f)
        return f"({text})" if isinstance(f, Eq) else text
