"""Clauses for the resolution backend: clausification of the IR, unification and subsumption.

Internal representation, chosen for speed in pure Python (tuples hash and compare natively):

- a term is an ``int`` (a variable) or a tuple ``(name, *args)`` (a constant is ``(name,)``);
- an atom is a tuple ``(predicate, *args)``, a literal is ``(positive, atom)``;
- a clause is a tuple of literals, normalised by :func:`normalise` (no duplicate literals, a
  canonical order, variables renumbered ``0..k-1``), so every clause is standardised apart from
  itself and a clause can be renamed apart from another by shifting its variables.

Clausification: NNF → Skolemisation (variables standardised apart on the way; Skolem symbols
are fresh, never a user's name) → CNF by distribution, where an ∨ whose distribution would
exceed :data:`DISTRIBUTE` clauses names its largest disjuncts by fresh definitional atoms
(Plaisted–Greenbaum: one direction suffices in NNF), so CNF size stays near-linear.
"""

from __future__ import annotations

from math import prod
from typing import Callable, Iterable, Union

from linc.logic.formula import (
    And,
    Const,
    Eq,
    Exists,
    Forall,
    Formula,
    Not,
    Or,
    Pred,
    Term,
    Var,
    atom_terms,
    free_vars,
    nnf,
    nnf_size,
    subformulas,
    terms_of,
)

T = Union[int, tuple]  # an internal term
Literal = tuple  # (positive: bool, atom)
Clause = tuple  # tuple[Literal, ...]

#: An ∨ node whose distribution would give more clauses than this gets definitional names.
DISTRIBUTE = 16
#: More clauses than this from the input is reported as a resource limit, not attempted.
MAX_CLAUSES = 50_000
#: A bound on the size of a formula's negation normal form (↔ and ⊕ double their operands).
MAX_NNF = 200_000
#: Variables of a clause renamed apart from all normalised clauses (which number theirs from 0).
SHIFT = 1 << 20


class ClauseLimit(Exception):
    """The clause form would be too large: reported as a resource limit (``Unknown``)."""


# ---------------------------------------------------------------- clausification


class Clausifier:
    """Turns closed IR formulas into clauses; one instance per problem, so fresh names never clash."""

    def __init__(self, formulas: Iterable[Formula]):
        self.used: set[str] = set()
        for f in formulas:
            for g in subformulas(f):
                if isinstance(g, Pred):
                    self.used.add(g.name)
                for t in (s for a in atom_terms(g) for s in terms_of(a)):
                    if not isinstance(t, Var):
                        self.used.add(t.name)
        self.eq = self._fresh("=")
        self.uses_equality = False
        self._vars = 0
        self._skolems = 0
        self._definitions = 0
        self._total = 0

    def _fresh(self, base: str) -> str:
        name, i = base, 0
        while name in self.used:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        return name

    def clauses(self, f: Formula) -> list[Clause]:
        """The clauses of closed formula ``f`` (tautologies dropped)."""
        if nnf_size(f) > MAX_NNF:
            raise ClauseLimit(f"the negation normal form would exceed {MAX_NNF} nodes")
        tree = self._skolemize(nnf(f), {})
        extra: list[list[Literal]] = []
        raw = self._cnf(tree, extra) + extra
        out = []
        for c in raw:
            n = normalise(c)
            if n is not None:
                out.append(n)
        return out

    def _term(self, t: Term, env: dict[Var, T]) -> T:
        if isinstance(t, Var):
            if t not in env:
                raise ValueError(f"free variable {t.name}: close the formula first")
            return env[t]
        if isinstance(t, Const):
            return (t.name,)
        return (t.name, *(self._term(a, env) for a in t.args))

    def _skolemize(self, f: Formula, env: dict[Var, T]) -> tuple:
        """NNF formula → ("and"|"or", [children]) / ("lit", literal), quantifiers removed."""
        if isinstance(f, Not) or isinstance(f, (Pred, Eq)):
            atom_f = f.body if isinstance(f, Not) else f
            if isinstance(atom_f, Eq):
                self.uses_equality = True
                atom = (self.eq, self._term(atom_f.left, env), self._term(atom_f.right, env))
            else:
                atom = (atom_f.name, *(self._term(a, env) for a in atom_f.args))
            return ("lit", (not isinstance(f, Not), atom))
        if isinstance(f, (And, Or)):
            kind = "and" if isinstance(f, And) else "or"
            children = []
            for side in (f.left, f.right):
                c = self._skolemize(side, env)
                children.extend(c[1] if c[0] == kind else [c])
            return (kind, children)
        if isinstance(f, Forall):
            self._vars += 1
            return self._skolemize(f.body, {**env, f.var: self._vars})
        if isinstance(f, Exists):
            # Inner Skolemisation: depend only on the universal variables free in this ∃.
            args = sorted({v for u in free_vars(f) for v in _vars_of(env[u])})
            self._skolems += 1
            name = self._fresh(f"sk{self._skolems}")
            return self._skolemize(f.body, {**env, f.var: (name, *args)})
        raise TypeError(f"not in negation normal form: {type(f).__name__}")

    def _count(self, n: int) -> None:
        self._total += n
        if self._total > MAX_CLAUSES:
            raise ClauseLimit(f"more than {MAX_CLAUSES} clauses")

    def _cnf(self, node: tuple, extra: list[list[Literal]]) -> list[list[Literal]]:
        kind, body = node
        if kind == "lit":
            return [[body]]
        if kind == "and":
            out: list[list[Literal]] = []
            for c in body:
                out.extend(self._cnf(c, extra))
            return out
        parts = [self._cnf(c, extra) for c in body]
        while prod(len(p) for p in parts) > DISTRIBUTE:
            i = max(range(len(parts)), key=lambda k: len(parts[k]))
            parts[i] = [[self._define(parts[i], extra)]]
        out = [[]]
        for p in parts:
            out = [a + b for a in out for b in p]
        self._count(len(out))
        return out

    def _define(self, clauses: list[list[Literal]], extra: list[list[Literal]]) -> Literal:
        """A fresh atom d(vars) standing for the conjunction ``clauses``; adds ¬d ∨ C for each C."""
        variables = sorted({v for c in clauses for _, a in c for v in _vars_of(a)})
        self._definitions += 1
        atom = (self._fresh(f"def{self._definitions}"), *variables)
        extra.extend([(False, atom)] + c for c in clauses)
        self._count(len(clauses))
        return (True, atom)


def equality_axioms(clauses: Iterable[Clause], eq: str) -> list[Clause]:
    """Reflexivity, symmetry, transitivity and congruence for every symbol in ``clauses``."""
    preds: set[tuple[str, int]] = set()
    funcs: set[tuple[str, int]] = set()
    for c in clauses:
        for _, atom in c:
            if atom[0] != eq and len(atom) > 1:
                preds.add((atom[0], len(atom) - 1))
            stack = list(atom[1:])
            while stack:
                t = stack.pop()
                if type(t) is tuple and len(t) > 1:
                    funcs.add((t[0], len(t) - 1))
                    stack.extend(t[1:])
    x, y, z = 0, 1, 2
    out = [((True, (eq, x, x)),),
           ((False, (eq, x, y)), (True, (eq, y, x))),
           ((False, (eq, x, y)), (False, (eq, y, z)), (True, (eq, x, z)))]
    for symbols, make in ((preds, lambda n, a, b: [(False, (n, *a)), (True, (n, *b))]),
                          (funcs, lambda n, a, b: [(True, (eq, (n, *a), (n, *b)))])):
        for name, arity in sorted(symbols):
            for i in range(arity):
                before = [2 + k for k in range(arity)]
                after = list(before)
                before[i], after[i] = x, y
                out.append(normalise([(False, (eq, x, y))] + make(name, before, after)))
    return [c for c in out if c is not None]


# ---------------------------------------------------------------- clause utilities


def _vars_of(t: T) -> Iterable[int]:
    stack = [t]
    while stack:
        s = stack.pop()
        if type(s) is int:
            yield s
        else:
            stack.extend(s[1:])


def _shape(t: T) -> str:
    """A variable-blind text of a term, for a canonical literal order."""
    if type(t) is int:
        return "?"
    return t[0] + "(" + ",".join(_shape(a) for a in t[1:]) + ")"


def _rename(t: T, mapping: dict[int, int]) -> T:
    if type(t) is int:
        if t not in mapping:
            mapping[t] = len(mapping)
        return mapping[t]
    return (t[0], *(_rename(a, mapping) for a in t[1:]))


def normalise(literals: Iterable[Literal]) -> Clause | None:
    """The canonical clause of ``literals``; ``None`` for a tautology."""
    lits = set(literals)
    for sign, atom in lits:
        if sign and (False, atom) in lits:
            return None
    ordered = sorted(lits, key=lambda l: (not l[0], _shape(l[1]), repr(l[1])))
    mapping: dict[int, int] = {}
    out = []
    seen = set()
    for sign, atom in ordered:
        lit = (sign, _rename(atom, mapping))
        if lit not in seen:
            seen.add(lit)
            out.append(lit)
    return tuple(out)


def shift(clause: Clause, by: int = SHIFT) -> Clause:
    """``clause`` with every variable ``v`` renamed to ``v + by`` (renaming apart)."""
    def s(t: T) -> T:
        return t + by if type(t) is int else (t[0], *(s(a) for a in t[1:]))

    return tuple((sign, s(atom)) for sign, atom in clause)


def weight(clause: Clause) -> int:
    """Symbol count: the selection heuristic's measure of a clause's size."""
    n = 0
    for _, atom in clause:
        stack = [atom]
        while stack:
            t = stack.pop()
            n += 1
            if type(t) is tuple:
                stack.extend(t[1:])
    return n


# ---------------------------------------------------------------- unification and matching


def _walk(t: T, s: dict) -> T:
    while type(t) is int and t in s:
        t = s[t]
    return t


def _occurs(v: int, t: T, s: dict) -> bool:
    stack = [t]
    while stack:
        u = _walk(stack.pop(), s)
        if u == v:
            return True
        if type(u) is tuple:
            stack.extend(u[1:])
    return False


def unify(a: T, b: T, s: dict | None = None) -> dict | None:
    """A most general unifier of ``a`` and ``b`` extending ``s`` (triangular form), or ``None``.

    The occurs check is always on: ``x`` and ``f(x)`` do not unify.
    """
    s = {} if s is None else dict(s)
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        x, y = _walk(x, s), _walk(y, s)
        if x == y:
            continue
        if type(x) is int:
            if _occurs(x, y, s):
                return None
            s[x] = y
        elif type(y) is int:
            if _occurs(y, x, s):
                return None
            s[y] = x
        elif x[0] != y[0] or len(x) != len(y):
            return None
        else:
            stack.extend(zip(x[1:], y[1:]))
    return s


def substitute(t: T, s: dict) -> T:
    """``t`` with the (triangular) substitution ``s`` applied fully."""
    t = _walk(t, s)
    if type(t) is int:
        return t
    return (t[0], *(substitute(a, s) for a in t[1:]))


def _match(p: T, t: T, theta: dict) -> bool:
    """Extend ``theta`` so that ``p``θ = ``t``; ``t``'s variables count as constants."""
    stack = [(p, t)]
    while stack:
        x, y = stack.pop()
        if type(x) is int:
            if x in theta:
                if theta[x] != y:
                    return False
            else:
                theta[x] = y
        elif type(y) is int or x[0] != y[0] or len(x) != len(y):
            return False
        else:
            stack.extend(zip(x[1:], y[1:]))
    return True


def subsumes(c: Clause, d: Clause, tick: Callable[[], None] | None = None) -> bool:
    """Whether some θ maps every literal of ``c`` into ``d`` (and ``c`` is not longer than ``d``).
    The search backtracks (subsumption is NP-complete: clauses of many literals of one predicate
    take exponential time), so ``tick`` is called at each match tried; it may raise to stop."""
    if len(c) > len(d):
        return False

    def extend(i: int, theta: dict) -> bool:
        if i == len(c):
            return True
        sign, atom = c[i]
        for sign2, atom2 in d:
            if sign2 == sign and atom2[0] == atom[0] and len(atom2) == len(atom):
                if tick is not None:
                    tick()
                th = dict(theta)
                if _match(atom, atom2, th) and extend(i + 1, th):
                    return True
        return False

    return extend(0, {})


# ---------------------------------------------------------------- printing


def term_text(t: T) -> str:
    if type(t) is int:
        return f"x{t}"
    if len(t) == 1:
        return t[0]
    return f"{t[0]}({', '.join(term_text(a) for a in t[1:])})"


def clause_text(clause: Clause, eq: str) -> str:
    """``¬Man(x0) ∨ Mortal(x0)``; the empty clause is ``⊥``."""
    parts = []
    for sign, atom in clause:
        if atom[0] == eq and len(atom) == 3:
            parts.append(f"{term_text(atom[1])} {'=' if sign else '≠'} {term_text(atom[2])}")
        else:
            parts.append(("" if sign else "¬") + term_text(atom))
    return " ∨ ".join(parts) or "⊥"
