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

from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from typing import Iterable, Iterator, Union

from linc.errors import FormulaDepthError, FormulaSyntaxError, UnsupportedProblem

#: The one depth rule: no formula nests deeper than this, counting connectives, quantifiers and
#: function terms (``P(f(a))`` is 3 deep). The node constructors enforce it, so every reader, every
#: transformation and every hand-built formula meets it, and the recursive walkers (``str``, ``==``,
#: ``hash``, the writers, the Z3 translation; at most four frames a level) stay far from Python's
#: default recursion limit of 1000 even when called deep in a stack. The deepest of the 53,000 FOLIO
#: and recorded GPT-3.5 formulas is 34 levels deep.
MAX_DEPTH = 100


def _depth_field():
    """Every node records its depth (not part of equality, hashing or repr)."""
    return field(init=False, repr=False, compare=False)


def _name(node: object, name: object) -> None:
    if not isinstance(name, str) or not name:
        raise FormulaSyntaxError(f"{type(node).__name__} needs a non-empty name, got {name!r}")


def _check(node: object, children: tuple, kinds: tuple[type, ...], what: str) -> None:
    """Refuse ``node`` unless each of its ``children`` is one of ``kinds``."""
    for child in children:
        if not isinstance(child, kinds):
            raise FormulaSyntaxError(f"{type(node).__name__} needs {what}, got {type(child).__name__} {child!r:.80}")


def _set_depth(node: object, deepest: int) -> None:
    """Give ``node`` its depth, one more than its deepest child's, or refuse it."""
    if deepest >= MAX_DEPTH:
        raise FormulaDepthError(deepest + 1, MAX_DEPTH)
    _put(node, "depth", deepest + 1)


def _args(node: object, args: object) -> None:
    if not isinstance(args, tuple):  # a list would make the node unhashable
        raise FormulaSyntaxError(f"{type(node).__name__} needs a tuple of terms, got {args!r:.80}")


class _Node:
    """Every node keeps its hash, made by its constructor from its class, its name and its
    children's hashes (a slot outside the dataclass fields, so it is neither compared nor
    pickled: string hashes differ between processes; unpickling makes it again). Formulas are
    dict keys all over linc (decision caches, translation caches): a dataclass hash would walk
    the whole formula at every lookup, and one computed on first use costs a Python call per
    node, several times what the constructor adds to a node that reading made anyway."""

    __slots__ = ("_hash", "_open")


_set_hash = _Node.__dict__["_hash"].__set__  # the slots' own setters (the dataclasses are frozen)
_set_open = _Node.__dict__["_open"].__set__
_put = object.__setattr__  # a field of a frozen node, by name
_new = object.__new__
_hash_of = attrgetter("_hash")
_depth_of = attrgetter("depth")

#: What a node knows of its free variables and distinct objects, also made by its constructor
#: (``_open``): None when it has neither (every closed formula without distinct objects), else
#: (names of its free variables, its distinct objects), each in order of first occurrence. So
#: :func:`close` and :func:`free_vars` do not walk a formula, on every decision.
_Open = Union[None, tuple[tuple[str, ...], tuple["Const", ...]]]


def _union(a: _Open, b: _Open) -> _Open:
    if a is None or a == b:
        return b
    if b is None:
        return a
    return (a[0] + tuple(n for n in b[0] if n not in a[0]), a[1] + tuple(c for c in b[1] if c not in a[1]))


def _open_of(children: tuple) -> _Open:
    out = None
    for child in children:
        o = child._open
        if o is not None:
            out = _union(out, o)
    return out


def _complete_pair(node: Eq | And | Or | Xor | Implies | Iff) -> None:
    """Depth, hash and free variables of an equation or a binary connective, from its two sides."""
    left, right = node.left, node.right
    _set_depth(node, left.depth if left.depth > right.depth else right.depth)
    _set_hash(node, hash((type(node), left._hash, right._hash)))
    _set_open(node, _union(left._open, right._open))


def _complete_application(node: Func | Pred) -> None:
    """Depth, hash and free variables of a function term or an atom, from its arguments."""
    args = node.args
    _set_depth(node, max(map(_depth_of, args), default=0))
    _set_hash(node, hash((type(node), node.name, *map(_hash_of, args))))
    _set_open(node, args[0]._open if len(args) == 1 else _open_of(args))


# ---------------------------------------------------------------- terms


@dataclass(frozen=True, slots=True)
class Var(_Node):
    """A variable; bound by a quantifier, or free (then a prover closes it or refuses it)."""

    name: str
    depth: int = _depth_field()

    def __post_init__(self) -> None:
        _name(self, self.name)
        object.__setattr__(self, "depth", 1)
        _set_hash(self, hash((Var, self.name)))
        _set_open(self, ((self.name,), ()))

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Const(_Node):
    """An individual constant such as ``bob``. A name in double quotes (``"abc"``) is a TPTP
    distinct object: unequal to every other distinct object (:func:`distinct_objects`)."""

    name: str
    depth: int = _depth_field()

    def __post_init__(self) -> None:
        _name(self, self.name)
        object.__setattr__(self, "depth", 1)
        _set_hash(self, hash((Const, self.name)))
        _set_open(self, ((), (self,)) if is_distinct_object(self.name) else None)


@dataclass(frozen=True, slots=True)
class Func(_Node):
    """A function term ``f(t1, ..., tn)`` with n >= 1."""

    name: str
    args: tuple["Term", ...]
    depth: int = _depth_field()

    def __post_init__(self) -> None:
        _name(self, self.name)
        _args(self, self.args)
        if not self.args:
            raise FormulaSyntaxError(f"function {self.name!r} needs at least one argument")
        _check(self, self.args, _TERMS, "terms as arguments")
        _complete_application(self)

    _complete = _complete_application


Term = Union[Var, Const, Func]
_TERMS = (Var, Const, Func)


# ---------------------------------------------------------------- formulas


@dataclass(frozen=True, slots=True)
class Pred(_Node):
    """An atom ``P(t1, ..., tn)``; n may be 0 for a propositional letter."""

    name: str
    args: tuple[Term, ...] = ()
    depth: int = _depth_field()

    def __post_init__(self) -> None:
        _name(self, self.name)
        _args(self, self.args)
        _check(self, self.args, _TERMS, "terms as arguments")
        _complete_application(self)

    _complete = _complete_application


@dataclass(frozen=True, slots=True)
class Eq(_Node):
    """Equality of two terms."""

    left: Term
    right: Term
    depth: int = _depth_field()

    def __post_init__(self) -> None:
        _check(self, (self.left, self.right), _TERMS, "two terms")
        _complete_pair(self)

    _complete = _complete_pair


@dataclass(frozen=True, slots=True)
class Not(_Node):
    body: "Formula"
    depth: int = _depth_field()

    def __post_init__(self) -> None:
        _check(self, (self.body,), _FORMULAS, "a formula")
        self._complete()

    def _complete(self) -> None:
        body = self.body
        _set_depth(self, body.depth)
        _set_hash(self, hash((Not, body._hash)))
        _set_open(self, body._open)


class _BinaryNode(_Node):
    """Shared construction check of the binary connectives."""

    __slots__ = ()

    def __post_init__(self) -> None:
        _check(self, (self.left, self.right), _FORMULAS, "two formulas")
        _complete_pair(self)

    _complete = _complete_pair


@dataclass(frozen=True, slots=True)
class And(_BinaryNode):
    left: "Formula"
    right: "Formula"
    depth: int = _depth_field()


@dataclass(frozen=True, slots=True)
class Or(_BinaryNode):
    left: "Formula"
    right: "Formula"
    depth: int = _depth_field()


@dataclass(frozen=True, slots=True)
class Xor(_BinaryNode):
    """Exclusive or (FOLIO's ⊕)."""

    left: "Formula"
    right: "Formula"
    depth: int = _depth_field()


@dataclass(frozen=True, slots=True)
class Implies(_BinaryNode):
    left: "Formula"
    right: "Formula"
    depth: int = _depth_field()


@dataclass(frozen=True, slots=True)
class Iff(_BinaryNode):
    left: "Formula"
    right: "Formula"
    depth: int = _depth_field()


class _QuantifierNode(_Node):
    """Shared construction check of the quantifiers."""

    __slots__ = ()

    def __post_init__(self) -> None:
        if not isinstance(self.var, Var):
            raise FormulaSyntaxError(f"{type(self).__name__} binds a variable, got {self.var!r:.80}")
        _check(self, (self.body,), _FORMULAS, "a formula")
        self._complete()

    def _complete(self) -> None:
        var, body = self.var, self.body
        _set_depth(self, body.depth)
        _set_hash(self, hash((type(self), var._hash, body._hash)))
        o = body._open
        if o is not None and var.name in o[0]:
            free = tuple(n for n in o[0] if n != var.name)
            o = (free, o[1]) if free or o[1] else None
        _set_open(self, o)


@dataclass(frozen=True, slots=True)
class Forall(_QuantifierNode):
    var: Var
    body: "Formula"
    depth: int = _depth_field()


@dataclass(frozen=True, slots=True)
class Exists(_QuantifierNode):
    var: Var
    body: "Formula"
    depth: int = _depth_field()


def _assemble(cls: type, first: object, second: object):
    """``cls(first, second)`` for the readers, whose parser guarantees what the constructor would
    check of the two fields (a name and a tuple of terms, formulas where formulas go, a variable
    where one goes): the same node, with its depth (and the depth limit), hash and free variables
    made by the same code. Every node the readers make in bulk has two fields (``Not`` is made by
    its constructor)."""
    node = _new(cls)
    one, two = cls.__match_args__
    _put(node, one, first)
    _put(node, two, second)
    node._complete()
    return node


Formula = Union[Pred, Eq, Not, And, Or, Xor, Implies, Iff, Forall, Exists]
Binary = (And, Or, Xor, Implies, Iff)
Quantifier = (Forall, Exists)
_FORMULAS = (Pred, Eq, Not, And, Or, Xor, Implies, Iff, Forall, Exists)


#: ``linc.logic.write.to_folio``, bound on first use (that module imports this one): an import
#: statement in ``__str__`` itself costs four times the memoised writing.
_TO_FOLIO: list = []


def _folio_str(self) -> str:
    """``str`` of a formula or a constant or function term is its FOLIO text, which the FOLIO
    reader reads back to it."""
    if not _TO_FOLIO:
        from linc.logic.write import to_folio

        _TO_FOLIO.append(to_folio)
    return _TO_FOLIO[0](self)


def _node_repr(self) -> str:
    """The dataclass repr without the depth, one stack frame per level."""
    parts = []
    for name in self.__dataclass_fields__:
        if name != "depth":
            parts.append(f"{name}={getattr(self, name)!r}")
    return f"{type(self).__name__}({', '.join(parts)})"


for _cls in (*_FORMULAS, Const, Func):
    _cls.__str__ = _folio_str  # type: ignore[attr-defined]


def _stored_hash(self) -> int:
    return self._hash


def _restore(self, state) -> None:
    """Unpickling (and copying): the fields, then what the constructor adds (depth, hash)."""
    for name, value in zip(self.__dataclass_fields__, state):
        object.__setattr__(self, name, value)
    self.__post_init__()


for _cls in (*_FORMULAS, *_TERMS):
    _cls.__repr__ = _node_repr  # type: ignore[method-assign]
    _cls.__hash__ = _stored_hash  # type: ignore[method-assign]
    _cls.__setstate__ = _restore  # type: ignore[attr-defined]


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


def depth(f: Formula | Term) -> int:
    """Nesting depth counting connectives, quantifiers and function terms (``P`` is 1, ``P(a)`` 2)."""
    return f.depth


def free_vars(f: Formula) -> frozenset[Var]:
    """Variables that occur outside the scope of any quantifier binding them."""
    return frozenset(Var(name) for name in f._open[0]) if f._open else frozenset()


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


def nnf_size(f: Formula) -> int:
    """How many nodes :func:`nnf` of ``f`` has, counted without building it, in linear time: ↔
    and ⊕ copy both operands (once each way), so a chain of them doubles the form at each link.
    Callers check this before :func:`nnf` when the formula comes from outside."""
    return _nnf_sizes(f)[0]


def _nnf_sizes(f: Formula) -> tuple[int, int]:
    """Sizes of the negation normal forms of ``f`` and of ``¬f``."""
    if isinstance(f, (Pred, Eq)):
        return 1, 2
    if isinstance(f, Not):
        pos, neg = _nnf_sizes(f.body)
        return neg, pos
    if isinstance(f, (Forall, Exists)):
        pos, neg = _nnf_sizes(f.body)
        return pos + 1, neg + 1
    (lp, ln), (rp, rn) = _nnf_sizes(f.left), _nnf_sizes(f.right)
    if isinstance(f, (And, Or)):
        return lp + rp + 1, ln + rn + 1
    if isinstance(f, Implies):  # ¬l ∨ r
        return ln + rp + 1, lp + rn + 1
    both = lp + ln + rp + rn + 3  # ↔, ⊕ and their negations: two binary nodes under a third
    return both, both


def universal_closure(f: Formula) -> Formula:
    """Bind every free variable with ∀ (sorted by name, so the result is deterministic)."""
    return close(f)[0]


def close(f: Formula) -> tuple[Formula, tuple[Const, ...]]:
    """``f``'s universal closure and the distinct objects in it (:func:`distinct_objects`),
    without walking ``f`` (its constructor noted both).

    >>> close(Pred("P", (Var("x"), Const('"a"'))))
    (Forall(var=Var(name='x'), body=Pred(name='P', args=(Var(name='x'), Const(name='"a"')))), (Const(name='"a"'),))
    """
    o = f._open
    if o is None:
        return f, ()
    return (_closure(f) if o[0] else f), o[1]


@lru_cache(maxsize=65536)
def _closure(f: Formula) -> Formula:
    """``f`` with free variables under ∀ (remembered: the same closure object each time, so the
    caches keyed on it find it by identity, without comparing formulas)."""
    for name in sorted(f._open[0], reverse=True):  # type: ignore[index]
        f = Forall(Var(name), f)
    return f


@lru_cache(maxsize=65536)
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


#: Most distinct objects one problem may have: their distinctness takes n(n-1)/2 premises.
MAX_DISTINCT_OBJECTS = 200


def is_distinct_object(name: str) -> bool:
    """Is ``name`` the IR name of a TPTP distinct object (``"abc"``, quotes included)?"""
    return len(name) > 2 and name[0] == name[-1] == '"'


def distinct_objects(formulas: Iterable[Formula]) -> list[Formula]:
    """``a ≠ b`` for every pair of distinct objects in ``formulas`` (TPTP: they are pairwise unequal).

    >>> print(*distinct_objects([Pred("P", (Const('"a"'), Const('"b"'), Const("c")))]))
    '"a"' ≠ '"b"'
    """
    found: dict[Const, None] = {}
    for f in formulas:
        found.update(dict.fromkeys(close(f)[1]))
    return unequal(found)


def unequal(objects: Iterable[Const]) -> list[Formula]:
    """``a ≠ b`` for every pair of the distinct objects ``objects`` (ordered by name)."""
    ordered = sorted(objects, key=lambda c: c.name)
    if len(ordered) > MAX_DISTINCT_OBJECTS:
        raise UnsupportedProblem(
            f"{len(ordered)} distinct objects; linc states the distinctness of at most {MAX_DISTINCT_OBJECTS}"
        )
    return [Not(Eq(a, b)) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


def is_ground_atom(f: Formula) -> bool:
    """True for an atom (or its negation) over constants and function terms only."""
    g = f.body if isinstance(f, Not) else f
    return isinstance(g, (Pred, Eq)) and not free_vars(g)
