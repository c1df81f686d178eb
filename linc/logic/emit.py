"""The shared shape of the text writers for backends (Prover9, TPTP, Lean 4).

Each writer maps symbols through a :class:`~linc.logic.names.SymbolTable`, writes terms as
applications, and fully parenthesises binary connectives, so no target precedence is relied on.
Subclasses give their connective table and the few forms that differ (atoms, negation, quantifiers,
exclusive or where the target lacks it).
"""

from __future__ import annotations

from typing import ClassVar

from linc.logic.formula import Binary, Const, Formula, Func, Term, Var
from linc.logic.names import SymbolTable


class TextWriter:
    """Formula → text in one target language, through one symbol table."""

    #: Connective symbol per IR class, for the binary connectives the target writes infix.
    ops: ClassVar[dict[type, str]] = {}
    #: Separator between the arguments of an application.
    arg_sep: ClassVar[str] = ", "

    def __init__(self, table: SymbolTable):
        self.table = table

    def symbol(self, kind: str, name: str, arity: int = 0) -> str:
        return self.table.name(kind, name, arity)

    def apply(self, name: str, args: list[str]) -> str:
        """An application ``name(a, b)``; Lean overrides this with juxtaposition."""
        return f"{name}({self.arg_sep.join(args)})" if args else name

    def term(self, t: Term) -> str:
        if isinstance(t, Var):
            return self.symbol("variable", t.name)
        if isinstance(t, Const):
            return self.symbol("constant", t.name)
        assert isinstance(t, Func)
        return self.apply(self.symbol("function", t.name, len(t.args)), list(map(self.term, t.args)))

    def binary(self, f: Formula) -> str:
        assert isinstance(f, Binary)
        return f"({self.operand(f.left)} {self.ops[type(f)]} {self.formula(f.right)})"

    def operand(self, f: Formula) -> str:
        """The left operand of a binary connective (a syntax may need to close a scope there)."""
        return self.formula(f)

    def formula(self, f: Formula) -> str:  # pragma: no cover - every subclass defines it
        raise TypeError(f"{type(self).__name__} does not write formulas")
