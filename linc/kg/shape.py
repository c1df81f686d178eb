"""What a stored fact looks like to the consistency checks: literal, simple rule, or anything else.

The checks stay small because of two model-building arguments (see ``docs`` in the README's
knowledge-graph section):

- **Components.** Facts that share no predicate, no function and no constant that occurs inside an
  equality cannot contradict each other when each part is consistent (glue their models side by
  side), as long as no equality mentions a bound variable (that could bound the size of the
  domain, which every fact feels). So a check needs only the component of the new fact.
- **Ground instances.** A *simple* fact (function-free, equality-free, every quantifier universal
  in effect) is equivalent to its instances over the constants (Herbrand). An instance is
  satisfied outright by a *pure* literal: one whose atom no fact can make false (no rule holds
  the opposite polarity of its predicate, and no stored literal is its opposite). So only the
  instances whose anchored literals are matched by stored opposite literals can matter, and the
  check grounds just those, around the new fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linc.logic.formula import (
    And,
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
    Var,
    Xor,
    alpha_normalize,
    terms_of,
)

#: A ground literal: (predicate, constant names, positive?).
Literal = tuple[str, tuple[str, ...], bool]


@dataclass(frozen=True)
class Occurrence:
    """One atom occurrence in a simple rule: its arguments (``Var`` or ``Const``), its polarity
    (None when under ↔ or ⊕, i.e. both), and whether making it true makes the whole instance
    true (it sits under disjunctions only)."""

    pred: str
    args: tuple[Var | Const, ...]
    positive: bool | None
    forcing: bool


@dataclass(slots=True)
class Shape:
    """The facts of one formula that relevance and grounding need."""

    literal: Literal | None = None  # set for a ground, function-free, equality-free literal
    simple: bool = True  # function-free, equality-free, universal: grounds over the constants
    predicates: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    constants: set[str] = field(default_factory=set)
    eq_constants: set[str] = field(default_factory=set)  # constants inside an equality atom
    quantified_equality: bool = False  # an equality atom mentions a bound variable
    occurrences: list[Occurrence] = field(default_factory=list)  # simple rules only
    variables: tuple[Var, ...] = ()  # simple rules only: every bound variable, renamed apart
    matrix: Formula | None = None  # simple rules only: the body with its quantifiers dropped

    def connectors(self, eq_constants: set[str] | frozenset[str] = frozenset()) -> set[tuple[str, str]]:
        """The symbols that tie this fact to others: predicates, functions, and the constants
        that occur inside some equality (``eq_constants``, those of the whole store)."""
        out = {("predicate", p) for p in self.predicates} | {("function", f) for f in self.functions}
        return out | {("constant", c) for c in self.constants if c in eq_constants or c in self.eq_constants}


def literal_of(f: Formula) -> Literal | None:
    """The ground literal ``f`` is, if it is one (function-free, equality-free)."""
    positive = not isinstance(f, Not)
    atom = f.body if isinstance(f, Not) else f
    if isinstance(atom, Pred) and all(isinstance(a, Const) for a in atom.args):
        return atom.name, tuple(a.name for a in atom.args), positive  # type: ignore[union-attr]
    return None


def analyse(f: Formula) -> Shape:
    """The shape of a closed formula (well-formed and depth-checked by the caller)."""
    lit = literal_of(f)
    if lit is not None:
        return Shape(literal=lit, predicates={lit[0]}, constants=set(lit[1]))
    shape = Shape()
    g = alpha_normalize(f)
    variables: list[Var] = []
    # (formula, polarity, forcing); polarity None = both (under ↔ / ⊕)
    stack: list[tuple[Formula, bool | None, bool]] = [(g, True, True)]
    while stack:
        h, pol, forcing = stack.pop()
        if isinstance(h, Pred):
            _atom_terms(shape, h.args, equality=False)
            shape.predicates.add(h.name)
            if all(isinstance(a, (Var, Const)) for a in h.args):
                shape.occurrences.append(Occurrence(h.name, h.args, pol, forcing))  # type: ignore[arg-type]
        elif isinstance(h, Eq):
            shape.simple = False
            _atom_terms(shape, (h.left, h.right), equality=True)
        elif isinstance(h, Not):
            stack.append((h.body, None if pol is None else not pol, forcing))
        elif isinstance(h, (And, Or, Implies)):
            disjunctive = pol is not None and (isinstance(h, Or) and pol or isinstance(h, And) and not pol or isinstance(h, Implies) and pol)
            left_pol = (None if pol is None else not pol) if isinstance(h, Implies) else pol
            stack.append((h.left, left_pol, forcing and disjunctive))
            stack.append((h.right, pol, forcing and disjunctive))
        elif isinstance(h, (Iff, Xor)):
            stack.append((h.left, None, False))
            stack.append((h.right, None, False))
        elif isinstance(h, (Forall, Exists)):
            universal = pol is not None and (isinstance(h, Forall) == pol)
            if not universal:
                shape.simple = False
            variables.append(h.var)
            stack.append((h.body, pol, forcing))
    if shape.functions:
        shape.simple = False
    if shape.simple:
        shape.variables = tuple(variables)
        shape.matrix = _drop_quantifiers(g)
    else:
        shape.occurrences = []
    return shape


def _atom_terms(shape: Shape, args, *, equality: bool) -> None:
    for a in args:
        for t in terms_of(a):
            if isinstance(t, Const):
                shape.constants.add(t.name)
                if equality:
                    shape.eq_constants.add(t.name)
            elif isinstance(t, Func):
                shape.functions.add(t.name)
            elif isinstance(t, Var) and equality:
                shape.quantified_equality = True


def _drop_quantifiers(f: Formula) -> Formula:
    """The quantifier-free matrix (variables are renamed apart, so nothing is captured)."""
    if isinstance(f, (Forall, Exists)):
        return _drop_quantifiers(f.body)
    if isinstance(f, Not):
        return Not(_drop_quantifiers(f.body))
    if isinstance(f, (And, Or, Xor, Implies, Iff)):
        return type(f)(_drop_quantifiers(f.left), _drop_quantifiers(f.right))
    return f
