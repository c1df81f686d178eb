"""Z3 terms from the Formula IR: one uninterpreted sort ``U`` for the domain.

A :class:`Z3Translator` owns a Z3 context and a :class:`~linc.logic.names.SymbolTable`, so all
formulas of one problem share their declarations, and models can be read back with IR names.

>>> from linc.logic.formula import Var, Const, Pred, Forall, Implies
>>> x = Var("x")
>>> print(to_z3(Forall(x, Implies(Pred("Man", (x,)), Pred("Mortal", (x,))))))
ForAll(x, Implies(Man(x), Mortal(x)))
"""

from __future__ import annotations

import z3
from z3 import z3core

from linc.logic.formula import (
    And,
    Const,
    Eq,
    Exists,
    Forall,
    Formula,
    Iff,
    Implies,
    Not,
    Or,
    Pred,
    Term,
    Var,
    Xor,
)
from linc.logic.names import SMT, SymbolTable


#: SMT-LIB operators of the binary connectives.
_SMTLIB = {And: "and", Or: "or", Xor: "xor", Implies: "=>", Iff: "="}
#: Below this many formulas the Python API is quicker than one parse (whose fixed cost is ~0.3 ms).
_PARSE_FROM = 3


class Z3Translator:
    """Translate IR formulas into one Z3 context, remembering every declared symbol."""

    def __init__(self, ctx: z3.Context | None = None, table: SymbolTable | None = None):
        self.ctx = ctx or z3.Context()
        self.table = table or SymbolTable(SMT)
        self.sort = z3.DeclareSort("U", self.ctx)
        #: (kind, IR name, arity) -> Z3 declaration; models are read back through this.
        self.decls: dict[tuple[str, str, int], z3.FuncDeclRef] = {}

    def _decl(self, kind: str, name: str, arity: int, range_sort: z3.SortRef) -> z3.FuncDeclRef:
        key = (kind, name, arity)
        if key not in self.decls:
            target = self.table.name(kind, name, arity)
            self.decls[key] = z3.Function(target, *([self.sort] * arity), range_sort)
        return self.decls[key]

    def term(self, t: Term) -> z3.ExprRef:
        if isinstance(t, Var):
            return z3.Const(self.table.name("variable", t.name), self.sort)
        if isinstance(t, Const):
            return self._decl("constant", t.name, 0, self.sort)()
        return self._decl("function", t.name, len(t.args), self.sort)(*list(map(self.term, t.args)))

    def formula(self, f: Formula) -> z3.BoolRef:
        if isinstance(f, Pred):
            decl = self._decl("predicate", f.name, len(f.args), z3.BoolSort(self.ctx))
            return decl(*list(map(self.term, f.args)))
        if isinstance(f, Eq):
            return self.term(f.left) == self.term(f.right)
        if isinstance(f, Not):
            return z3.Not(self.formula(f.body))
        if isinstance(f, (Forall, Exists)):
            quantifier = z3.ForAll if isinstance(f, Forall) else z3.Exists
            return quantifier([self.term(f.var)], self.formula(f.body))
        left, right = self.formula(f.left), self.formula(f.right)
        if isinstance(f, And):
            return z3.And(left, right)
        if isinstance(f, Or):
            return z3.Or(left, right)
        if isinstance(f, Xor):
            return z3.Xor(left, right)
        if isinstance(f, Implies):
            return z3.Implies(left, right)
        assert isinstance(f, Iff)
        return left == right


    def formulas(self, fs: list[Formula]) -> list[z3.BoolRef]:
        """The same terms as :meth:`formula`, built through SMT-LIB text that Z3 parses in C —
        several times faster than the Python API for a problem's worth of formulas.

        >>> from linc.logic.formula import Var, Const, Pred, Forall, Implies
        >>> x = Var("x")
        >>> print(Z3Translator().formulas([Forall(x, Implies(Pred("Man", (x,)), Pred("Mortal", (x,))))])[0])
        ForAll(x, Implies(Man(x), Mortal(x)))
        """
        if len(fs) < _PARSE_FROM:
            return [self.formula(f) for f in fs]
        declared: dict[str, str] = {}
        body = "".join(f"(assert {self._text(f, declared)})" for f in fs)
        try:
            parsed = z3.parse_smt2_string("(declare-sort U 0)" + "".join(declared.values()) + body, ctx=self.ctx)
        except z3.Z3Exception:  # a symbol Z3 keeps for itself (such as ``as``): the Python API takes it
            return [self.formula(f) for f in fs]
        return [parsed[i] for i in range(len(fs))]

    def _symbol(self, kind: str, name: str, arity: int, range_sort: str, declared: dict[str, str]) -> str:
        target = self._decl(kind, name, arity, self.sort if range_sort == "U" else z3.BoolSort(self.ctx)).name()
        if target not in declared:
            declared[target] = f"(declare-fun {target} ({' '.join(['U'] * arity)}) {range_sort})"
        return target

    def _term_text(self, t: Term, declared: dict[str, str]) -> str:
        if isinstance(t, Var):
            return self.table.name("variable", t.name)
        if isinstance(t, Const):
            return self._symbol("constant", t.name, 0, "U", declared)
        name = self._symbol("function", t.name, len(t.args), "U", declared)
        return f"({name} {' '.join(self._term_text(a, declared) for a in t.args)})"

    def _text(self, f: Formula, declared: dict[str, str]) -> str:
        if isinstance(f, Pred):
            name = self._symbol("predicate", f.name, len(f.args), "Bool", declared)
            return f"({name} {' '.join(self._term_text(a, declared) for a in f.args)})" if f.args else name
        if isinstance(f, Eq):
            return f"(= {self._term_text(f.left, declared)} {self._term_text(f.right, declared)})"
        if isinstance(f, Not):
            return f"(not {self._text(f.body, declared)})"
        if isinstance(f, (Forall, Exists)):
            quantifier = "forall" if isinstance(f, Forall) else "exists"
            return f"({quantifier} (({self.table.name('variable', f.var.name)} U)) {self._text(f.body, declared)})"
        return f"({_SMTLIB[type(f)]} {self._text(f.left, declared)} {self._text(f.right, declared)})"


def solver_for(ctx: z3.Context, logic: str) -> z3.Solver:
    """``z3.SolverFor(logic, ctx=ctx)`` without its detour: z3py names the logic in its global
    context, building that context (an AST table of 16 MB, 13 ms of page faults) in every process
    that asks, though nothing else uses it."""
    ref = ctx.ref()
    return z3.Solver(z3core.Z3_mk_solver_for_logic(ref, z3core.Z3_mk_string_symbol(ref, logic)), ctx)


def to_z3(f: Formula, translator: Z3Translator | None = None) -> z3.BoolRef:
    """One formula as a Z3 Boolean term (a fresh context unless a translator is shared)."""
    return (translator or Z3Translator()).formula(f)
