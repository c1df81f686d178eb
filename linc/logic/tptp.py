"""TPTP ``fof`` text from the Formula IR (the input language of E and most ATPs).

With a :class:`~linc.logic.names.SymbolTable` (what the E backend uses) every name is made into a
plain TPTP identifier and can be mapped back. Without one the output is meant for people and
other tools, and :func:`~linc.logic.read.parse` with ``syntax="tptp"`` reads it back to the same
formula (up to the names of variables, which TPTP spells with a capital): names that are not
lower-case words become single-quoted atoms, so ``Man(bob)`` stays recognisable as ``'Man'(bob)``,
and a constant named in double quotes (``"abc"``) is written as the distinct object it is.
Characters outside ASCII are kept inside the quotes (TPTP itself allows printable ASCII there).

How linc reads TPTP (``syntax="tptp"``):

- ``'Mark'`` is a constant, function or predicate named ``Mark``, never a variable (quoted atoms
  are functors in TPTP); ``'abc'`` and ``abc`` are the same symbol.
- ``"abc"`` is a distinct object: a constant whose IR name keeps the quotes, so it never equals
  the plain constant ``abc``. TPTP makes distinct objects pairwise unequal; the provers get that
  as premises (:func:`~linc.logic.formula.distinct_objects`, added by ``Prover.decide``).
- ``$true`` and ``$false`` are the logical constants. The IR has no truth constants, so the reader
  simplifies them away (``p & $true`` is ``p``; both are equivalences) and a formula that is just
  ``$true`` becomes ``∀X (X = X)`` (valid, as domains are non-empty), ``$false`` its negation.
  Other defined symbols (``$less``, ``$distinct``, ...) are refused rather than read as atoms.

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
    is_distinct_object,
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
from linc.logic.syntax import quote

_OPS = {And: "&", Or: "|", Implies: "=>", Iff: "<=>", Xor: "<~>"}
_LOWER_WORD = re.compile(r"[a-z][A-Za-z0-9_]*")
# words the reader takes for an annotated formula when they open the text: quoted when names
_WRAPPERS = frozenset({"fof", "cnf", "tff", "thf", "tcf", "include"})


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


def _quoted(kind: str, name: str) -> str:
    """A lower-case word as is, a distinct object in double quotes, anything else single-quoted."""
    if _LOWER_WORD.fullmatch(name) and name not in _WRAPPERS:
        return name
    if kind == "constant" and is_distinct_object(name):
        return quote(name[1:-1], '"')
    return quote(name)


class _Writer(TextWriter):
    ops = _OPS
    arg_sep = ","

    def __init__(self, table: SymbolTable | None):
        super().__init__(table if table is not None else SymbolTable(TPTP))
        self.quote = table is None  # no table: keep names recognisable as quoted atoms
        self.variables: dict[str, str] = {}
        self.spellings: set[str] = set()

    def symbol(self, kind: str, name: str, arity: int = 0) -> str:
        if not self.quote:
            return super().symbol(kind, name, arity)
        if kind == "variable":
            return self._variable(name)
        return _quoted(kind, name)

    def _variable(self, name: str) -> str:
        """A TPTP variable for ``name``: capitalised, and distinct for distinct names."""
        if name not in self.variables:
            plain = ascii_identifier(name)
            base = plain[0].upper() + plain[1:] if plain[0].isalpha() else "V" + plain
            spelling, n = base, 1
            while spelling in self.spellings:
                n += 1
                spelling = f"{base}_{n}"
            self.variables[name] = spelling
            self.spellings.add(spelling)
        return self.variables[name]

    def formula(self, f: Formula) -> str:
        if isinstance(f, Pred):
            return self.apply(self.symbol("predicate", f.name, len(f.args)), list(map(self.term, f.args)))
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

    def operand(self, f: Formula) -> str:
        """A quantifier (under any negations) left of a connective is closed with parentheses: read
        leniently, its scope would otherwise widen over the rest when a variable of the same name
        occurs free there."""
        inner = f
        while isinstance(inner, Not):
            inner = inner.body
        return f"({self.formula(f)})" if isinstance(inner, (Forall, Exists)) else self.formula(f)

    def _unit(self, f: Formula) -> str:
        """A TPTP unitary formula: atoms, negations, quantified and parenthesised formulas."""
        text = self.formula(f)
        return f"({text})" if isinstance(f, Eq) else text
