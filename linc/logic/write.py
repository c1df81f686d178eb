"""Text writers for the syntaxes linc also reads: NLTK/LINC and FOLIO Unicode.

Both parenthesise every compound subformula, so the output reads back to the same formula under
any precedence convention. NLTK syntax has no exclusive or: ``A ⊕ B`` is written ``-(A <-> B)``.

>>> from linc.logic.read import parse
>>> to_nltk(parse("∀x (Dog(x) → ¬Cat(x))", syntax="folio"))
'all x.(Dog(x) -> -Cat(x))'

Names are written so that the reader of the same syntax reads them back as the same symbol. In
these syntaxes a name's spelling decides its role, so a name is written between single quotes
(``'y1950'``, ``'not'``, ``'Mr. Smith'``) when bare it would read as something else: a keyword
(``all``, ``some``, ``not``, ... including the spellings the lenient reader accepts), a variable
(``u``-``z`` optionally followed by digits, or a variable bound around it), or several tokens.
Quoted names are never variables. Variables cannot be quoted: a bound variable whose name is a
keyword or not a plain word is renamed (the formula stays the same up to the names of bound
variables), and so is a free variable not shaped like a variable, which these syntaxes cannot
express otherwise.

>>> from linc.logic.formula import Const, Pred
>>> to_nltk(Pred("Likes", (Const("some"), Const("y1950"))))
"Likes('some','y1950')"
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import re
from functools import lru_cache
from typing import ClassVar

from linc.logic.formula import (
    And,
    Binary,
    Const,
    Eq,
    Exists,
    Forall,
    Formula,
    Func,
    Iff,
    Implies,
    Not,
    Or,
    Pred,
    Quantifier,
    Term,
    Var,
    Xor,
    free_vars,
    subformulas,
)
from linc.logic.syntax import keywords, lexer_for, quote

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _is_word(name: str) -> bool:
    return _WORD.fullmatch(name) is not None


@lru_cache(maxsize=65536)
def to_folio(f: Formula | Term) -> str:
    """FOLIO's Unicode syntax (``∀x (P(x) → Q(x))``); the same as ``str(f)``. Remembered: the
    same premises are written again and again (votes, raw texts, proofs)."""
    return _Folio(f).write(f)


def to_nltk(f: Formula | Term) -> str:
    """NLTK / LINC syntax (``all x.(P(x) -> Q(x))``), as LINC prompts and nltk's parser use it."""
    return _Nltk(f).write(f)


class _Respell(Exception):
    """A variable needs a spelling other than its name: write again with a full renaming."""


class _SurfaceWriter(ABC):
    """Names and terms for a syntax whose reader tells roles by spelling (NLTK, FOLIO)."""

    syntax: ClassVar[str]
    arg_sep: ClassVar[str]
    neq: ClassVar[str]

    def __init__(self, f: Formula | Term):
        spec = lexer_for(self.syntax, lenient=True)  # avoid the lenient spellings too
        self.reserved = keywords(self.syntax)
        self.is_variable_shape = spec.is_free_variable
        # None until a variable needs another spelling: most formulas use x, y, z only
        self.variables: dict[str, str] | None = None
        self.variable_spellings: set[str] = set()

    def _variable_names(self, f: Formula | Term) -> dict[str, str]:
        """How each variable is written: its own name where the reader reads it back, else a fresh one."""
        if not isinstance(f, (Pred, Eq, Not, *Binary, *Quantifier)):
            return {}
        bound = {g.var.name for g in subformulas(f) if isinstance(g, Quantifier)}
        free = {v.name for v in free_vars(f)}
        out: dict[str, str] = {}
        fresh = (f"v{i}" for i in range(1, 1 << 30))
        for name in sorted(bound | free):
            if self.plain(name) and (name not in free or self.is_variable_shape(name)):
                out[name] = name
        for name in sorted((bound | free) - set(out)):
            new = next(n for n in fresh if n not in bound and n not in free)
            out[name] = new
        return out

    def plain(self, name: str) -> bool:
        """Does ``name`` read back bare as one name (not a keyword, not several tokens)?"""
        return name not in self.reserved and _is_word(name)

    def symbol(self, name: str) -> str:
        """A predicate or function name."""
        return name if self.plain(name) else quote(name)

    # Dispatch on the node's exact type (the IR's classes), not isinstance chains: each formula is
    # written once per run, but a run writes every premise, vote and proof it keeps.
    def term(self, t: Term) -> str:
        cls = type(t)
        if cls is Var:
            if self.variables is not None:
                return self.variables.get(t.name, t.name)
            if self.plain(t.name) and self.is_variable_shape(t.name):
                return t.name
            raise _Respell

        if cls is Const:
            name = t.name
            if self.plain(name) and not self.is_variable_shape(name) and name not in self.variable_spellings:
                return name
            return quote(name)
        return f"{self.symbol(t.name)}({self.arg_sep.join(map(self.term, t.args))})"

    def atom(self, f: Pred) -> str:
        return f"{self.symbol(f.name)}({self.arg_sep.join(map(self.term, f.args))})" if f.args else self.symbol(f.name)

    def write(self, f: Formula | Term) -> str:
        if isinstance(f, Var):
            return f.name
        try:
            return self.term(f) if isinstance(f, (Const, Func)) else self.formula(f)
        except _Respell:
            self.variables = self._variable_names(f)
            self.variable_spellings = set(self.variables.values())
            return self.term(f) if isinstance(f, (Const, Func)) else self.formula(f)

    def formula(self, f: Formula) -> str:
        cls = type(f)
        if cls is Pred:
            return self.atom(f)
        if cls is Eq:
            return f"{self.term(f.left)} = {self.term(f.right)}"
        if cls is Not and type(f.body) is Eq:
            return f"{self.term(f.body.left)} {self.neq} {self.term(f.body.right)}"
        return self.compound(f)

    @abstractmethod
    def compound(self, f: Formula) -> str:
        """A connective's or quantifier's node, in this syntax."""


_FOLIO_OPS = {And: "∧", Or: "∨", Xor: "⊕", Implies: "→", Iff: "↔"}
_BARE = frozenset((Pred, Eq, Not))  # written without parentheses around them
_QUANTIFIERS = frozenset(Quantifier)


class _Folio(_SurfaceWriter):
    syntax = "folio"
    arg_sep = ", "
    neq = "≠"

    def compound(self, f: Formula) -> str:
        cls = type(f)
        if cls is Not:
            return f"¬{self._wrap(f.body, f)}"
        if cls is Forall or cls is Exists:
            return f"{'∀' if cls is Forall else '∃'}{self.term(f.var)} {self._wrap(f.body, f)}"
        return f"{self._wrap(f.left, f)} {_FOLIO_OPS[cls]} {self._wrap(f.right, f)}"

    def _wrap(self, child: Formula, parent: Formula) -> str:
        """Parenthesise compound children: unambiguous whatever the precedence."""
        cls = type(child)
        if cls in _BARE or (cls in _QUANTIFIERS and type(parent) in _QUANTIFIERS):
            return self.formula(child)
        return f"({self.formula(child)})"


_NLTK_OPS = {And: "&", Or: "|", Implies: "->", Iff: "<->"}


class _Nltk(_SurfaceWriter):
    syntax = "nltk"
    arg_sep = ","
    neq = "!="

    def compound(self, f: Formula) -> str:
        if isinstance(f, Not):
            return f"-{self._operand(f.body)}"
        if isinstance(f, Xor):
            return f"-({self._operand(f.left)} <-> {self._operand(f.right)})"
        if isinstance(f, (And, Or, Implies, Iff)):
            return f"({self._operand(f.left)} {_NLTK_OPS[type(f)]} {self._operand(f.right)})"
        word = "all" if isinstance(f, Forall) else "exists"
        return f"{word} {self.term(f.var)}.{self._operand(f.body)}"

    def _operand(self, f: Formula) -> str:
        text = self.formula(f)
        if isinstance(f, (Forall, Exists, Eq)) or (isinstance(f, Not) and isinstance(f.body, Eq)):
            return f"({text})"
        return text
