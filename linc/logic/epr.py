"""Effectively propositional formulas, grounded over their constants as SMT-LIB text.

A closed formula is *effectively propositional* (the Bernays–Schönfinkel class, EPR) when its
Skolem form has no function symbols: it has no function terms, and no quantifier that is
existential in effect (∃ under an even number of negations, ∀ under an odd number) uses a
variable of a quantifier that is universal in effect around it (inner Skolemisation: only the
variables free in the ∃ count). For a set of such formulas, each existential becomes a Skolem
constant and each universal the conjunction of its instances over a finite set ``U`` of
constants holding every constant of the set (one fresh element if there is none). The ground
set is satisfiable exactly when the set is: from a model of the ground set, keep only the
elements the constants denote; no function leads out of them, so every universal holds there
(equality included). A solver then decides the problem without quantifier instantiation, in
a fraction of the time.

:func:`compile_epr` turns a formula into a :class:`Grounding` once (templates for the
quantifier-free parts, the Skolem constants, the symbols to declare); :meth:`Grounding.text`
instantiates it over a given ``U``. ↔ and ⊕ whose operands hold quantifiers are expanded
(their operands occur with both polarities), so a formula that would grow past
:data:`MAX_NODES` is refused, as is one outside the fragment: the caller then decides it
with quantifiers.

>>> from linc.logic.formula import Var, Const, Pred, Forall, Exists, Implies, Not
>>> x = Var("x")
>>> g = compile_epr(Forall(x, Implies(Pred("Man", (x,)), Pred("Mortal", (x,)))), _plain, "1")
>>> g.text(("socrates", "plato"))
'(and (=> (Man socrates) (Mortal socrates)) (=> (Man plato) (Mortal plato)))'
>>> compile_epr(Not(Forall(x, Pred("Man", (x,)))), _plain, "2").text(("socrates",))
'(not (Man |linc sk 2 1|))'
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Sequence, Union

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
    free_vars,
    subformulas,
)

#: A compiled formula bigger than this (↔/⊕ around quantifiers double their operands) is refused.
MAX_NODES = 5_000
#: Instances of quantified bodies one problem may ground to; beyond, a solver's lazy quantifier
#: instantiation is quicker: FOLIO's transitivity rule over 10 constants is 1,000 instances.
MAX_INSTANCES = 500
#: The universe's one element when the formulas name no constant (SMT-LIB; a solver declares it).
ELEMENT = "|linc element|"

#: Called as ``symbol(kind, ir_name, arity)``: the SMT-LIB name of a predicate or constant.
Symbol = Callable[[str, str, int], str]

#: A quantifier-free template (``str.format`` placeholders ``{0}``, ``{1}``, ... stand for the
#: values of the enclosing universal variables, outermost first) or an inner node:
#: ``(op, children)`` for a connective, ``(op, body)`` with op ``"and"``/``"or"`` (``every``)
#: for a universal expanded over ``U`` (an ∃ under a negation expands to ``or``).
Node = Union[str, tuple]


class NotEPR(Exception):
    """The formula is outside the fragment (or too big): decide it with quantifiers instead."""


@dataclass(eq=False, slots=True)
class Grounding:
    """One formula, ready to be instantiated over a set of constants (compared by identity: each
    compiled formula has its own Skolem constants). Groundings are cached and shared: never
    changed once made (not frozen only because a frozen dataclass is slower to make)."""

    node: Node
    constants: frozenset[str]  # SMT-LIB names of the constants it mentions (Skolem constants too)
    skolems: tuple[str, ...]  # its Skolem constants (fresh: the caller declares them)
    depths: tuple[int, ...]  # how many universals each expanded universal sits in, itself included
    fixed: str | None = None  # the text, when it has no universal to expand (the same for any universe)
    #: (SMT-LIB name, arity, sort of its value: ``U`` or ``Bool``) of its predicates and constants,
    #: then of its Skolem constants: what a solver declares of it (the names it has not seen yet)
    declarations: tuple[tuple[str, int, str], ...] = ()
    #: For the common shape, one universal around a quantifier-free body: the connective and the
    #: body's text split at its variable, so an instance is ``constant.join(parts)`` (no format
    #: string parsed per instance)
    split: tuple[str, tuple[str, ...]] | None = None

    def size(self, n: int) -> int:
        """How many instances of quantified bodies grounding over ``n`` constants writes."""
        return sum(n**d for d in self.depths)

    def text(self, universe: tuple[str, ...]) -> str:
        """The formula as ground SMT-LIB text, each universal expanded over ``universe``."""
        if self.fixed is not None:
            return self.fixed
        if self.split is not None:
            op, parts = self.split
            return f"({op} {' '.join(map(str.join, universe, repeat(parts)))})"
        return _expand(self.node, (), universe)

    def negated(self) -> Grounding | None:
        """The grounding of this formula's negation, when it is quantifier-free (where polarity
        changes nothing but the outer ``not``); None otherwise (compile the negation itself)."""
        if self.fixed is None or self.skolems or type(self.node) is not str:
            return None
        return Grounding(f"(not {self.node})", self.constants, (), (), f"(not {self.fixed})", self.declarations)


def _expand(node: Node, env: tuple[str, ...], universe: tuple[str, ...]) -> str:
    if type(node) is str:
        return node.format(*env)
    op, inner = node
    if type(inner) is list:  # a connective
        return f"({op} {' '.join(_expand(c, env, universe) for c in inner)})"
    if type(inner) is str:  # the common case: a quantifier-free body
        return f"({op} {' '.join(inner.format(*env, c) for c in universe)})"
    return f"({op} {' '.join(_expand(inner, (*env, c), universe) for c in universe)})"


#: What a caller may keep across compilations (see :func:`compile_epr`): for each symbol
#: ``(kind, IR name, arity)``, its SMT-LIB name escaped for templates and its declaration.
Names = dict[tuple[str, str, int], tuple[str, tuple[str, int, str]]]


def compile_epr(f: Formula, symbol: Symbol, tag: str, names: Names | None = None) -> Grounding:
    """``f`` (closed) compiled for grounding; raises :class:`NotEPR` outside the fragment.
    ``tag`` makes its Skolem constants' names unique: give each compiled formula its own.
    ``names`` (a dict the caller keeps, for one ``symbol`` function) spares looking up and
    escaping each symbol again in every formula that uses it."""
    c = _Compiler(symbol, tag, {} if names is None else names)
    node = c.formula(f, True, {})
    fixed = None if c.depths else _expand(node, (), ())
    declarations = (*c.declared.values(), *[(skolem, 0, "U") for skolem in c.skolems])
    split = None
    if type(node) is tuple and type(node[1]) is str and "{{" not in node[1] and "}}" not in node[1]:
        split = (node[0], tuple(node[1].split("{0}")))  # no escaped brace: "{0}" is only ever the variable
    return Grounding(node, frozenset(c.constants), tuple(c.skolems), tuple(c.depths), fixed, declarations, split)


def universe(groundings: Sequence[Grounding]) -> tuple[str, ...] | None:
    """The constants to ground ``groundings`` over together (:data:`ELEMENT` when they name none);
    None when that would write more than :data:`MAX_INSTANCES` instances."""
    constants = tuple(sorted(frozenset().union(*[g.constants for g in groundings]))) or (ELEMENT,)
    n = len(constants)
    if sum([n**d for g in groundings for d in g.depths]) > MAX_INSTANCES:
        return None
    return constants


def declarations(groundings: Sequence[Grounding], declared: set[str]) -> list[str]:
    """SMT-LIB declarations of the groundings' symbols not in ``declared`` (which gains them): a
    solver's parser keeps declarations for its lifetime, scopes or not, so each is made once."""
    new: list[str] = []
    for g in groundings:
        for target, arity, sort in g.declarations:
            if target not in declared:
                declared.add(target)
                new.append(f"(declare-fun {target} ({' '.join(['U'] * arity)}) {sort})")
    return new


def _escape(name: str) -> str:
    return name.replace("{", "{{").replace("}", "}}")


#: A compiler's variables in scope: name -> (its text, bound universally?).
_Env = dict[str, tuple[str, bool]]


class _Compiler:
    __slots__ = ("symbol", "tag", "names", "constants", "skolems", "declared", "depths", "nodes", "level")

    def __init__(self, symbol: Symbol, tag: str, names: Names):
        self.symbol = symbol
        self.tag = tag
        self.names = names
        self.constants: set[str] = set()
        self.skolems: list[str] = []
        self.declared: dict[tuple[str, str, int], tuple[str, int, str]] = {}  # symbol -> its declaration, in order of use
        self.depths: list[int] = []
        self.nodes = 0
        self.level = 0  # how many universals (in effect) enclose the node being compiled

    def _name(self, kind: str, name: str, arity: int) -> str:
        key = (kind, name, arity)
        known = self.names.get(key)
        if known is None:
            raw = self.symbol(kind, name, arity)
            known = self.names[key] = (_escape(raw), (raw, arity, "U" if kind == "constant" else "Bool"))
        self.declared[key] = known[1]  # a symbol seen again keeps its place
        return known[0]

    def term(self, t: Term, env: _Env) -> str:
        kind = type(t)
        if kind is Var:
            bound = env.get(t.name)  # type: ignore[union-attr]
            if bound is None:
                raise NotEPR(f"free variable {t.name}")
            return bound[0]
        if kind is Const:
            name = self._name("constant", t.name, 0)
            self.constants.add(name)
            return name
        raise NotEPR(f"function symbol {t.name}")

    def formula(self, f: Formula, positive: bool, env: _Env) -> Node:
        """``f`` at polarity ``positive``."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise NotEPR(f"more than {MAX_NODES} nodes once ↔/⊕ around quantifiers are expanded")
        kind = type(f)
        if kind is Pred:
            name = self._name("predicate", f.name, len(f.args))  # type: ignore[union-attr]
            if not f.args:  # type: ignore[union-attr]
                return name
            parts = [name]
            for a in f.args:  # type: ignore[union-attr]
                parts.append(self.term(a, env))
            return f"({' '.join(parts)})"
        if kind is Not:
            return _join("not", [self.formula(f.body, not positive, env)])  # type: ignore[union-attr]
        if kind is And or kind is Or:
            return _join("and" if kind is And else "or",
                         [self.formula(f.left, positive, env), self.formula(f.right, positive, env)])  # type: ignore[union-attr]
        if kind is Implies:
            return _join("=>", [self.formula(f.left, not positive, env), self.formula(f.right, positive, env)])  # type: ignore[union-attr]
        if kind is Eq:
            return f"(= {self.term(f.left, env)} {self.term(f.right, env)})"  # type: ignore[union-attr]
        if kind is Iff or kind is Xor:
            return self._both_ways(f, positive, env)  # type: ignore[arg-type]
        return self._quantifier(f, positive, env)  # type: ignore[arg-type]

    def _both_ways(self, f: Iff | Xor, positive: bool, env: _Env) -> Node:
        """↔ / ⊕: as such when quantifier-free, else expanded (operands at both polarities: a
        quantifier in an operand is universal in one of its copies, existential in the other)."""
        if not (_quantified(f.left) or _quantified(f.right)):
            op = "=" if isinstance(f, Iff) else "xor"
            return f"({op} {self.formula(f.left, positive, env)} {self.formula(f.right, positive, env)})"
        left, right = self.formula(f.left, positive, env), self.formula(f.right, positive, env)
        left_neg, right_neg = self.formula(f.left, not positive, env), self.formula(f.right, not positive, env)
        if isinstance(f, Iff):  # (l → r) ∧ (r → l)
            return ("and", [("=>", [left_neg, right]), ("=>", [right_neg, left])])
        # (l ∨ r) ∧ ¬(l ∧ r)
        return ("and", [("or", [left, right]), ("not", [("and", [left_neg, right_neg])])])

    def _quantifier(self, f: Forall | Exists, positive: bool, env: _Env) -> Node:
        if isinstance(f, Forall) == positive:  # universal in effect: expanded over the constants
            depth = self.level
            self.depths.append(depth + 1)
            self.level += 1
            body = self.formula(f.body, positive, {**env, f.var.name: (f"{{{depth}}}", True)})
            self.level -= 1
            return ("and" if isinstance(f, Forall) else "or", body)
        used = [v for v in free_vars(f) if env.get(v.name, ("", False))[1]]
        if used:
            raise NotEPR(f"∃{f.var.name} depends on {', '.join(sorted(v.name for v in used))}: a Skolem function")
        skolem = f"|linc sk {self.tag} {len(self.skolems) + 1}|"
        self.skolems.append(skolem)
        self.constants.add(skolem)
        return self.formula(f.body, positive, {**env, f.var.name: (_escape(skolem), False)})


def _quantified(f: Formula) -> bool:
    return any(isinstance(g, (Forall, Exists)) for g in subformulas(f))


def _join(op: str, children: list[Node]) -> Node:
    """A connective over compiled children: a template when they all are."""
    for c in children:
        if type(c) is not str:
            return (op, children)
    return f"({op} {' '.join(children)})"  # type: ignore[arg-type]


def _plain(kind: str, name: str, arity: int) -> str:
    """Names as they are (for the examples above)."""
    return name
