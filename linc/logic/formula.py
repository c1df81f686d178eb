"""The Formula IR: the one first-order-logic representation every part of linc shares.

Nodes are frozen dataclasses, so formulas compare structurally, hash, and can be set members
or dict keys (the evaluator de-duplicates identical problems by hashing them).

>>> x = Var("x")
>>> f = Forall(x, Implies(Pred("Man", (x,)), Pred("Mortal", (x,))))
>>> str(f)
'∀x (Man(x) → Mortal(x))'
>>> sorted(free_vars(f))
[]

Names are kept as read (already made into identifiers by the readers); each writer maps them into
its target's identifier rules through :mod:`linc.logic.names`, the one place that does so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union

# Formulas deeper than this are refused by the readers: writers and provers recurse, and a deeper
# formula is not something a person or a parser writes on purpose.
MAX_DEPTH = 200


# ---------------------------------------------------------------- terms


@dataclass(frozen=True, slots=True)
class Var:
    """A variable; bound by a quantifier, or free (then a prover closes it or refuses it)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Const:
    """An individual constant such as ``bob``."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Func:
    """A function term ``f(t1, ..., tn)`` with n >= 1."""

    name: str
    args: tuple["Term", ...]

    def __str__(self) -> str:
        return f"{self.name}({', '.join(map(str, self.args))})"


Term = Union[Var, Const, Func]


# ---------------------------------------------------------------- formulas


@dataclass(frozen=True, slots=True)
class Pred:
    """An atom ``P(t1, ..., tn)``; n may be 0 for a propositional letter."""

    name: str
    args: tuple[Term, ...] = ()

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}({', '.join(map(str, self.args))})"


@dataclass(frozen=True, slots=True)
class Eq:
    """Equality of two terms."""

    left: Term
    right: Term

    def __str__(self) -> str:
        return f"{self.left} = {self.right}"


@dataclass(frozen=True, slots=True)
class Not:
    body: "Formula"

    def __str__(self) -> str:
        if isinstance(self.body, Eq):
            return f"{self.body.left} ≠ {self.body.right}"
        return f"¬{_wrap(self.body, self)}"


@dataclass(frozen=True, slots=True)
class And:
    left: "Formula"
    right: "Formula"


@dataclass(frozen=True, slots=True)
class Or:
    left: "Formula"
    right: "Formula"


@dataclass(frozen=True, slots=True)
class Xor:
    """Exclusive or (FOLIO's ⊕)."""

    left: "Formula"
    right: "Formula"


@dataclass(frozen=True, slots=True)
class Implies:
    left: "Formula"
    right: "Formula"


@dataclass(frozen=True, slots=True)
class Iff:
    left: "Formula"
    right: "Formula"


@dataclass(frozen=True, slots=True)
class Forall:
    var: Var
    body: "Formula"

    def __str__(self) -> str:
        return f"∀{self.var} {_wrap(self.body, self)}"


@dataclass(frozen=True, slots=True)
class Exists:
    var: Var
    body: "Formula"

    def __str__(self) -> str:
        return f"∃{self.var} {_wrap(self.body, self)}"


Formula = Union[Pred, Eq, Not, And, Or, Xor, Implies, Iff, Forall, Exists]
Binary = (And, Or, Xor, Implies, Iff)
Quantifier = (Forall, Exists)

SYMBOLS = {And: "∧", Or: "∨", Xor: "⊕", Implies: "→", Iff: "↔"}


def _binary_str(self) -> str:
    return f"{_wrap(self.left, self)} {SYMBOLS[type(self)]} {_wrap(self.right, self)}"


for _cls in Binary:
    _cls.__str__ = _binary_str  # type: ignore[attr-defined]


def _wrap(child: Formula, parent: Formula) -> str:
    """Parenthesise compound children: unambiguous in every syntax, whatever its precedence."""
    if isinstance(child, (Pred, Eq, Not)) or (isinstance(child, Quantifier) and isinstance(parent, Quantifier)):
        return str(child)
    return f"({child})"


# ---------------------------------------------------------------- traversal


def subformulas(f: Formula) -> Iterator[Formula]:
    """Every subformula, pre-order, without recursion (formulas may be deep)."""
    stack = [f]
    while stack:
        g = stack.pop()
        yield g
        if isinstance(g, Binary):
            stack.append(g.right)
            stack.append(g.left)
        elif isinstance(g, (Not, Forall, Exists)):
            stack.append(g.body)


def terms_of(t: Term) -> Iterator[Term]:
    """``t`` and every term nested in it."""
    stack = [t]
    while stack:
        s = stack.pop()
        yield s
        if isinstance(s, Func):
            stack.extend(reversed(s.args))


def atom_terms(f: Formula) -> tuple[Term, ...]:
    if isinstance(f, Pred):
        return f.args
    if isinstance(f, Eq):
        return (f.left, f.right)
    return ()


def depth(f: Formula) -> int:
    """Nesting depth of connectives and quantifiers (an atom has depth 1)."""
    best = 0
    stack = [(f, 1)]
    while stack:
        g, d = stack.pop()
        best = max(best, d)
        if isinstance(g, Binary):
            stack.append((g.left, d + 1))
            stack.append((g.right, d + 1))
        elif isinstance(g, (Not, Forall, Exists)):
            stack.append((g.body, d + 1))
    return best


def free_vars(f: Formula) -> frozenset[Var]:
    """Variables that occur outside the scope of any quantifier binding them."""
    if isinstance(f, (Pred, Eq)):
        return frozenset(t for a in atom_terms(f) for t in terms_of(a) if isinstance(t, Var))
    if isinstance(f, Not):
        return free_vars(f.body)
    if isinstance(f, Binary):
        return free_vars(f.left) | free_vars(f.right)
    return free_vars(f.body) - {f.var}


def substitute(f: Formula, mapping: dict[Var, Term]) -> Formula:
    """Replace free occurrences of variables; renames bound variables that would capture."""
    if not mapping:
        return f
    if isinstance(f, Pred):
        return Pred(f.name, tuple(_subst_term(a, mapping) for a in f.args))
    if isinstance(f, Eq):
        return Eq(_subst_term(f.left, mapping), _subst_term(f.right, mapping))
    if isinstance(f, Not):
        return Not(substitute(f.body, mapping))
    if isinstance(f, Binary):
        return type(f)(substitute(f.left, mapping), substitute(f.right, mapping))
    inner = {v: t for v, t in mapping.items() if v != f.var}
    incoming = {v for t in inner.values() for s in terms_of(t) for v in [s] if isinstance(v, Var)}
    var, body = f.var, f.body
    if var in incoming:
        taken = {v.name for v in incoming | free_vars(body)}
        fresh = next(Var(f"{var.name}{i}") for i in range(1, len(taken) + 2) if f"{var.name}{i}" not in taken)
        body = substitute(body, {var: fresh})
        var = fresh
    return type(f)(var, substitute(body, inner))


def _subst_term(t: Term, mapping: dict[Var, Term]) -> Term:
    if isinstance(t, Var):
        return mapping.get(t, t)
    if isinstance(t, Func):
        return Func(t.name, tuple(_subst_term(a, mapping) for a in t.args))
    return t


def nnf(f: Formula, negate: bool = False) -> Formula:
    """Negation normal form: only ∧, ∨, ∀, ∃ and negated atoms (→, ↔, ⊕ expanded)."""
    if isinstance(f, (Pred, Eq)):
        return Not(f) if negate else f
    if isinstance(f, Not):
        return nnf(f.body, not negate)
    if isinstance(f, And):
        cls = Or if negate else And
        return cls(nnf(f.left, negate), nnf(f.right, negate))
    if isinstance(f, Or):
        cls = And if negate else Or
        return cls(nnf(f.left, negate), nnf(f.right, negate))
    if isinstance(f, Implies):
        return nnf(Or(Not(f.left), f.right), negate)
    if isinstance(f, Iff):
        return nnf(And(Implies(f.left, f.right), Implies(f.right, f.left)), negate)
    if isinstance(f, Xor):
        return nnf(Or(And(f.left, Not(f.right)), And(Not(f.left), f.right)), negate)
    if isinstance(f, Forall):
        return (Exists if negate else Forall)(f.var, nnf(f.body, negate))
    return (Forall if negate else Exists)(f.var, nnf(f.body, negate))


def universal_closure(f: Formula) -> Formula:
    """Bind every free variable with ∀ (sorted by name, so the result is deterministic)."""
    for v in sorted(free_vars(f), key=lambda v: v.name, reverse=True):
        f = Forall(v, f)
    return f


def alpha_normalize(f: Formula) -> Formula:
    """Rename bound variables to ``_1``, ``_2``, ... in order of binding, so formulas that differ
    only in the names of bound variables become equal (the evaluator de-duplicates with this)."""
    counter = [0]

    def walk(g: Formula, env: dict[Var, Var]) -> Formula:
        if isinstance(g, (Pred, Eq)):
            return substitute(g, env) if env else g
        if isinstance(g, Not):
            return Not(walk(g.body, env))
        if isinstance(g, Binary):
            return type(g)(walk(g.left, env), walk(g.right, env))
        counter[0] += 1
        fresh = Var(f"_{counter[0]}")
        return type(g)(fresh, walk(g.body, {**env, g.var: fresh}))

    return walk(f, {})


def conjoin(formulas: list[Formula]) -> Formula:
    """Left-nested conjunction of a non-empty list."""
    if not formulas:
        raise ValueError("conjoin needs at least one formula")
    out = formulas[0]
    for g in formulas[1:]:
        out = And(out, g)
    return out


def is_ground_atom(f: Formula) -> bool:
    """True for an atom (or its negation) over constants and function terms only."""
    g = f.body if isinstance(f, Not) else f
    return isinstance(g, (Pred, Eq)) and not free_vars(g)
